/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The overwrite method (NIST SP 800-88 Clear): N passes of a pattern through
 * ordinary writes, an optional final zero pass, then a readback of the last
 * pattern (verify.h plans which bytes), with a journal for resuming.
 *
 * Pass k (1-based) writes the pattern when k is odd and its bitwise
 * complement when k is even, so two passes are "a pattern, then its
 * complement" (SP 800-88 for flash media behind USB and memory cards).
 *
 * The method fills a struct kesu_result (record.h); the caller writes the
 * record. Nothing here prints.
 */
#ifndef KESU_OVERWRITE_H
#define KESU_OVERWRITE_H

#include <kesu/dev.h>
#include <kesu/err.h>
#include <kesu/journal.h>
#include <kesu/pattern.h>
#include <kesu/progress.h>
#include <kesu/record.h>
#include <kesu/run.h>
#include <kesu/safety.h>
#include <kesu/verify.h>

#include <signal.h>
#include <stddef.h>

struct kesu_overwrite_opts {
	struct kesu_pattern pattern;       /* the first pass; random needs its key */
	unsigned passes;                   /* >= 1 */
	int final_zero;                    /* one more pass of zeros, verified instead */
	const struct kesu_run *run;        /* verification, operator, stop, progress (run.h) */
	const char *out_dir;               /* the journal goes here */
	unsigned threads;                  /* I/O threads; 0: default */
	size_t chunk;                      /* bytes per I/O; 0: default */
	const struct kesu_journal *resume; /* continue this journal; NULL for a new wipe */
};

/* Passes when the operator names none: kesu_method_default_passes() (methods.h). */

/* The pattern that pass `step` (0-based; step == passes is the final zero) writes. */
void kesu_overwrite_step_pattern(const struct kesu_overwrite_opts *o, unsigned step,
				 struct kesu_pattern *out);

/* One line for the record's method.details and for --dry-run. */
void kesu_overwrite_describe(const struct kesu_overwrite_opts *o, char *buf, size_t len);

/*
 * Fill o (pattern with key, passes, final zero) and run (verification, seed,
 * operator) from a journal, and point o at run; the caller still sets run's
 * stop and progress, and o's out_dir.
 */
int kesu_overwrite_opts_from_journal(const struct kesu_journal *j, struct kesu_run *run,
				     struct kesu_overwrite_opts *o, struct kesu_errbuf *eb);

/* Refuse a journal written for another device (serial, model, size). */
int kesu_journal_matches(const struct kesu_journal *j, const struct kesu_dev_identity *id,
			 struct kesu_errbuf *eb);

/*
 * Run the overwrite on an open target. r must be kesu_result_init()ed (for a
 * resume: with the journal's lists loaded into it). Returns 0 when the run
 * reached an outcome (r->outcome: ERASED, FAILED, UNVERIFIED, INTERRUPTED),
 * or a negative error when it could not start (nothing written then).
 * journal_path receives the journal's file name.
 */
int kesu_overwrite_run(struct kesu_target *t, const struct kesu_overwrite_opts *o,
		       struct kesu_result *r, char *journal_path, size_t len,
		       struct kesu_errbuf *eb);

/*
 * Standalone readback (`kesu verify`): compare the plan's extents with the
 * expected pattern. Fills r's verification fields, mismatches and read bad
 * ranges; returns 0 when it ran to the end, -KESU_E_INTERRUPTED, or an error.
 */
int kesu_verify_device(struct kesu_target *t, const struct kesu_pattern *expect,
		       const struct kesu_verify_plan *plan, const struct kesu_run *run,
		       struct kesu_result *r, struct kesu_errbuf *eb);

#endif
