/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Unfreezing ATA security: BIOSes send SECURITY FREEZE LOCK at boot, and a
 * frozen drive aborts every security command until its power is cycled. A
 * suspend to RAM (S3, "deep") usually cuts the drive's power; kesu suspends
 * the machine for a few seconds with an RTC wake-up and then reads IDENTIFY
 * again, drive by drive.
 *
 * The suspend is `rtcwake -m mem -s N`, or without rtcwake an RTC alarm
 * (<sysfs>/class/rtc/rtc0/wakealarm) and "mem" written to <sysfs>/power/state.
 * When <sysfs>/power/mem_sleep offers "deep" it is selected for the suspend
 * and the old choice restored afterwards (with s2idle alone the drives keep
 * their power and usually stay frozen).
 *
 * $KESU_SUSPEND_CMD (tests only) names a program run as `PROGRAM SECONDS`
 * instead of the suspend itself.
 */
#ifndef KESU_UNFREEZE_H
#define KESU_UNFREEZE_H

#include <kesu/err.h>

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>

#define KESU_UNFREEZE_SECONDS_DEFAULT 5

struct kesu_unfreeze_opts {
	unsigned seconds;             /* the RTC alarm; 0: KESU_UNFREEZE_SECONDS_DEFAULT */
	bool force;                   /* also on a host system (not the boot image) */
	bool always;                  /* suspend even when no drive is frozen */
	const char *const *paths;     /* the drives; NULL/0: every whole disk answering ATA IDENTIFY */
	size_t npaths;
};

struct kesu_unfreeze_drive {
	char path[PATH_MAX];
	char serial[21], model[41];
	bool ata;                     /* IDENTIFY answered before the suspend */
	bool frozen_before;
	bool identified_after;        /* IDENTIFY answered after the resume */
	bool frozen_after;
	char note[256];               /* why a drive was not asked, or what to do now */
};

struct kesu_unfreeze_report {
	size_t n;
	struct kesu_unfreeze_drive *drives;
	bool suspended;               /* the machine was suspended and is back */
	char how[160];                /* the command, e.g. "rtcwake -m mem -s 5" */
	char mem_sleep[16];           /* "deep", "s2idle" or "" (not offered) */
	char warning[256];            /* e.g. s2idle only: drives usually keep their power */
};

/*
 * Whether this machine may be suspended now: "mem" in <sysfs>/power/state
 * (else -KESU_E_UNSUPPORTED), and the boot image (/etc/kesu-build-time, as
 * kesu_image_build_time() knows it) unless force (else -KESU_E_ROOTFS: a
 * suspend would stop the host's own services). eb says why.
 */
int kesu_unfreeze_check(bool force, struct kesu_errbuf *eb);

/*
 * IDENTIFY every drive, and when one is frozen (or always): the check above,
 * the suspend, IDENTIFY again. Returns 0 when the report is complete (look at
 * frozen_after), or the refusal / the suspend's failure (eb says why; the
 * report then holds what was read before). Free r with kesu_unfreeze_report_free().
 */
int kesu_unfreeze_run(const struct kesu_unfreeze_opts *o, struct kesu_unfreeze_report *r,
		      struct kesu_errbuf *eb);

/* How many drives are frozen now (after a suspend: frozen_after, else frozen_before). */
size_t kesu_unfreeze_still_frozen(const struct kesu_unfreeze_report *r);

/* What to do for a drive that stayed frozen: one sentence. */
const char *kesu_unfreeze_advice(void);

void kesu_unfreeze_report_free(struct kesu_unfreeze_report *r);

#endif
