/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * One erase run's context, shared by every method: how the result is read
 * back, who runs it, how the operator stops it and how its progress is
 * shown. Each method family adds only its own part (struct
 * kesu_overwrite_opts in overwrite.h, struct kesu_fw_opts in firmware.h),
 * which points here. A front end fills it once per medium, as wipefs fills
 * its struct wipe_control; a resumed overwrite takes verify, seed and
 * operator from its journal (kesu_overwrite_opts_from_journal()).
 */
#ifndef KESU_RUN_H
#define KESU_RUN_H

#include <kesu/progress.h>
#include <kesu/verify.h>

#include <signal.h>
#include <stdint.h>

struct kesu_run {
	enum kesu_verify_mode verify;       /* readback plan; none: the outcome is UNVERIFIED */
	uint64_t seed;                      /* sample plan seed ... */
	int seed_set;                       /* ... used only when set; else drawn and recorded */
	const char *operator_name;          /* the record's 氏名; NULL or "" when none */
	const volatile sig_atomic_t *stop;  /* set (by a signal handler): stop cleanly; may be NULL */
	kesu_progress_fn progress;          /* may be NULL */
	void *progress_arg;
};

#endif
