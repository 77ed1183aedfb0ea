/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Printing progress for wipe and verify: the erase layer reports through
 * kesu_progress_fn into a board of per-drive slots; the main thread prints
 * the board (a live line on a terminal, periodic lines otherwise, or JSON
 * lines with --json-progress), all on stderr so stdout stays data.
 */
#ifndef KESU_CLI_PROGRESS_OUT_H
#define KESU_CLI_PROGRESS_OUT_H

#include <kesu/progress.h>

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>

enum progress_style { PROGRESS_LIVE, PROGRESS_LINES, PROGRESS_JSON, PROGRESS_QUIET };

struct progress_slot {
	struct progress_board *board;
	char name[64];
	struct kesu_progress snap;
	bool has_snap;
	bool finished;
};

struct progress_board {
	pthread_mutex_t lock;
	pthread_cond_t finished;     /* a slot finished (CLOCK_MONOTONIC) */
	enum progress_style style;
	struct progress_slot *slots;
	size_t n;
	uint64_t last_print_ms;
	size_t live_width;
};

/* style from --json-progress / whether stderr is a terminal. */
int progress_board_init(struct progress_board *b, size_t n, bool json, bool quiet);
void progress_board_free(struct progress_board *b);

/* The kesu_progress_fn; arg is a struct progress_slot. */
void progress_board_update(const struct kesu_progress *p, void *arg);
void progress_board_finish(struct progress_slot *s);

/* Print if due (force: now); returns true when every slot finished. */
bool progress_board_print(struct progress_board *b, bool force);
/* Sleep until the next print is due or a slot finishes. */
void progress_board_wait(struct progress_board *b);
/* End a live line before other output. */
void progress_board_end(struct progress_board *b);

#endif
