/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The wipe journal: a small JSON file in the evidence directory,
 * <record_id>.journal.json, replaced atomically (temp file, fsync, rename)
 * every few seconds while a wipe runs. It names the device (to refuse
 * resuming onto another one), the method and pattern with its key, and how
 * far the wipe got, so that `kesu wipe --resume JOURNAL` continues after a
 * crash, kill -9 or power loss.
 */
#ifndef KESU_JOURNAL_H
#define KESU_JOURNAL_H

#include <kesu/err.h>
#include <kesu/pattern.h>
#include <kesu/record.h>

#include <limits.h>
#include <stdint.h>

#define KESU_JOURNAL_VERSION 1

struct kesu_journal {
	char path[PATH_MAX];
	char record_id[KESU_RECORD_ID_MAX];
	char state[16];                 /* "running", "interrupted", "done" */
	char device_path[PATH_MAX];
	char device_serial[128];
	char device_model[128];
	uint64_t device_size;
	char method[32];                /* "overwrite" */
	char pattern[KESU_PATTERN_SPEC_MAX]; /* first pass, with the key: "random:KEY", "0x55" */
	unsigned passes;
	int final_zero;
	char verify[8];                 /* "full", "sample", "none" */
	uint64_t seed;
	char operator_name[KESU_TEXT_BYTES(KESU_TEXT_NAME_MAX)];
	unsigned step;                  /* 0-based: passes, final zero, verification */
	uint64_t offset;                /* every byte of the step below this is done */
	uint64_t bytes_written;
	uint64_t active_ms;             /* working time so far */
	char started_at[32];
	char updated_at[32];
};

/* Save j (with r's bad ranges, interruptions and timeline) atomically to j->path. */
int kesu_journal_save(struct kesu_journal *j, struct kesu_result *r, struct kesu_errbuf *eb);

/*
 * Load a journal; r (initialised by the caller, may be NULL) receives its bad
 * ranges, interruptions and timeline. -KESU_E_BAD_INPUT when malformed.
 */
int kesu_journal_load(const char *path, struct kesu_journal *j, struct kesu_result *r,
		      struct kesu_errbuf *eb);

#endif
