/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The one rule for opening a medium that kesu erases or reads back (kesu
 * wipe and its dry run, kesu verify; the TUI runs kesu wipe):
 *
 *   1. a whole disk, or a regular file holding a disk image;
 *   2. safety checked, then held O_EXCL for the whole run (kesu_target_open(),
 *      safety.h); a verification opens read-only;
 *   3. O_DIRECT. An image file on a file system without direct I/O (ramfs,
 *      some FUSE file systems) is opened for plain I/O instead: the overwrite
 *      flushes every pass and the readback drops the page cache first. A
 *      block device that refuses O_DIRECT is refused;
 *   4. sector sizes are never 0: the kernel's, else 512 (kesu_dev_sector_size());
 *   5. what the medium is: the drive's own answers (kesu_drive_probe()) in
 *      t->drive, asked on the held descriptor.
 *
 * Asking a drive what it is without claiming it (kesu info, the TUI's list,
 * dry runs) is kesu_drive_inspect() (drive.h).
 */
#ifndef KESU_TARGET_H
#define KESU_TARGET_H

#include <kesu/drive.h>
#include <kesu/err.h>
#include <kesu/safety.h>

/*
 * Open path by the rule above. flags: KESU_TARGET_READONLY for a
 * verification, KESU_TARGET_CONTROLLER for a controller-wide method;
 * KESU_TARGET_DIRECT and KESU_TARGET_ALLOW_IMAGE are implied. Errors as
 * kesu_target_open(); eb says which device and why.
 */
int kesu_target_open_medium(const char *path, unsigned flags, struct kesu_target *t,
			    struct kesu_errbuf *eb);

/*
 * The decision kesu_target_open_medium() would make, nothing held (a dry run):
 * the same checks and exclusive open, read-only, closed at once; the same
 * error and message. Whenever path could be identified, t->id is filled and
 * t->drive holds what the drive says (asked read-only and shared when the
 * exclusive open was refused); t is never open.
 */
int kesu_target_probe_medium(const char *path, unsigned flags, struct kesu_target *t,
			     struct kesu_errbuf *eb);

#endif
