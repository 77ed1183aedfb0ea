/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Safety: the one module every destructive command goes through.
 *
 * kesu_safety_check() explains why a device must not be touched (for
 * `kesu list`); kesu_target_open() refuses such a device and otherwise opens it
 * O_EXCL, and the descriptor is held for the whole operation so that nobody
 * can mount or claim the device behind kesu's back.
 */
#ifndef KESU_SAFETY_H
#define KESU_SAFETY_H

#include <kesu/dev.h>
#include <kesu/drive.h>
#include <kesu/err.h>

/* Reasons a device is not safe to erase; a bit set. */
enum kesu_unsafe {
	KESU_UNSAFE_MOUNTED  = 1u << 0,
	KESU_UNSAFE_ROOTFS   = 1u << 1,
	KESU_UNSAFE_BOOT     = 1u << 2,
	KESU_UNSAFE_SWAP     = 1u << 3,
	KESU_UNSAFE_HOLDERS  = 1u << 4,
	KESU_UNSAFE_READONLY = 1u << 5,
	KESU_UNSAFE_BUSY     = 1u << 6,  /* O_EXCL open failed with EBUSY */
};

struct kesu_safety {
	unsigned reasons;          /* enum kesu_unsafe bits; 0 = ok */
	char detail[512];          /* e.g. "/dev/loop3p1 mounted on /mnt/x" */
};

/* "mounted", "rootfs", "boot", "swap", "holders", "read-only", "busy" */
const char *kesu_unsafe_name(unsigned bit);

/* The most important reason as -KESU_E_* (0 when safe). */
int kesu_safety_error(const struct kesu_safety *s);

int kesu_safety_check(const struct kesu_dev_identity *id, struct kesu_safety *s,
		      struct kesu_errbuf *eb);

/*
 * kesu_safety_check over every namespace of id's NVMe controller, merged
 * (details name the namespace); the same as kesu_safety_check for other
 * devices. For controller-wide operations such as NVMe Sanitize.
 */
int kesu_safety_check_controller(const struct kesu_dev_identity *id, struct kesu_safety *s,
				 struct kesu_errbuf *eb);

/* An exclusively opened device (or image file) for a destructive operation. */
struct kesu_target {
	struct kesu_dev_identity id;
	int fd;
	unsigned flags;
	bool is_open;              /* set by kesu_target_open on success */
	struct kesu_drive drive;   /* what the drive says it is (target.h); zero otherwise */
};

enum kesu_target_flags {
	KESU_TARGET_DIRECT      = 1u << 0,  /* O_DIRECT */
	KESU_TARGET_ALLOW_IMAGE = 1u << 1,  /* accept a regular file */
	KESU_TARGET_READONLY    = 1u << 2,  /* O_RDONLY (verification) */
	KESU_TARGET_CONTROLLER  = 1u << 3,  /* also refuse when another namespace of the
					       NVMe controller is unsafe (sanitize) */
};

/*
 * Check everything, then open. Once open, t->id.serial is the drive's own
 * when the drive answers IDENTIFY (kesu_drive_adopt_identity()). Errors: -ENOENT, -KESU_E_NOT_ROOT,
 * -KESU_E_NOT_BLOCK, -KESU_E_PARTITION, -KESU_E_MOUNTED, -KESU_E_ROOTFS,
 * -KESU_E_BOOT_MEDIUM, -KESU_E_SWAP, -KESU_E_HOLDERS, -KESU_E_READONLY,
 * -KESU_E_BUSY; eb says which device and why.
 */
int kesu_target_open(const char *path, unsigned flags, struct kesu_target *t,
		     struct kesu_errbuf *eb);

/*
 * The decision kesu_target_open(path, flags) would make, and nothing written:
 * the same checks in the same order, the same exclusive open but read-only,
 * closed again at once; the same error code and message (for a dry run).
 * t->id is filled whenever the path could be identified (with the drive's own
 * serial when it opened, as kesu_target_open gives it); t is never open.
 */
int kesu_target_probe(const char *path, unsigned flags, struct kesu_target *t,
		      struct kesu_errbuf *eb);

/* Close the descriptor; safe on a target that failed to open. */
void kesu_target_close(struct kesu_target *t);

#endif
