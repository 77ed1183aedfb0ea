/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * kesu error codes.
 *
 * Every library function returns 0 (or a count) on success and a negative
 * value on failure: -errno for system errors, -KESU_E_* for conditions that
 * errno cannot name. Project codes start above any errno value so both share
 * one int. Callers that want a sentence pass a struct kesu_errbuf.
 *
 * Add new codes last; never renumber or remove one (they reach scripts
 * through --json output).
 */
#ifndef KESU_ERR_H
#define KESU_ERR_H

#include <stddef.h>

enum kesu_err {
	KESU_E_BASE = 4096,
	KESU_E_NOT_BLOCK,        /* not a block device (character device, directory) */
	KESU_E_PARTITION,        /* a partition was given where a whole disk is needed */
	KESU_E_MOUNTED,          /* the device or one of its partitions is mounted */
	KESU_E_ROOTFS,           /* the device holds the running system's root filesystem */
	KESU_E_BOOT_MEDIUM,      /* the device is the medium the system booted from */
	KESU_E_SWAP,             /* the device or one of its partitions is active swap */
	KESU_E_HOLDERS,          /* md/dm/LVM holds the device */
	KESU_E_READONLY,         /* the kernel marks the device read-only */
	KESU_E_BUSY,             /* another process holds the device exclusively */
	KESU_E_NOT_ROOT,         /* the operation needs root (CAP_SYS_RAWIO/CAP_SYS_ADMIN) */
	KESU_E_UNSUPPORTED,      /* the device does not support the command or method */
	KESU_E_DEV_ABORT,        /* the device aborted the command */
	KESU_E_FROZEN,           /* ATA security or sanitize is frozen */
	KESU_E_LOCKED,           /* ATA security is locked */
	KESU_E_VERIFY,           /* readback found content other than expected */
	KESU_E_STALL,            /* a long operation made no progress */
	KESU_E_INTERRUPTED,      /* stopped by a signal or the operator */
	KESU_E_BAD_INPUT,        /* malformed input file or argument */
	KESU_E_SIGNATURE,        /* a signature did not verify */
	KESU_E_KEY,              /* a key is missing, unreadable or unsafe */
	KESU_E_NO_TRANSPORT,     /* no pass-through path to the drive (bridge refuses ATA_16) */
	KESU_E_TIMEOUT,          /* a command did not complete in time */
	KESU_E_GONE,             /* the device disappeared */
	KESU_E_DB,               /* the ledger database failed or is corrupt */
	KESU_E_NOT_FOUND,        /* a named record (media ID, certificate) does not exist */
	KESU_E_EXISTS,           /* a named record already exists */
	KESU_E_TOO_LONG,         /* a field does not fit its box or its code */
	KESU_E_SANITIZE_FAILED,  /* the drive reports the sanitize operation failed */
	KESU_E_HIDDEN_AREA,      /* HPA/DCO/AMAC hides sectors from the erase */
	KESU_E_LAST
};

/* A caller-owned buffer for a sentence about what went wrong. */
struct kesu_errbuf {
	char msg[1024];
};

/* Text for -errno or -KESU_E_*; never NULL. */
const char *kesu_strerror(int err);

/*
 * Fill eb (may be NULL) with a formatted sentence and return err unchanged,
 * so that `return kesu_err_set(eb, -EIO, "reading %s", path);` reads well.
 */
int kesu_err_set(struct kesu_errbuf *eb, int err, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Clear eb (may be NULL). */
void kesu_err_clear(struct kesu_errbuf *eb);

#endif
