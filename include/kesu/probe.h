/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What is written on a device: the partition table and filesystem signatures,
 * as libblkid reads them. Read-only. Works the same on a block device and on
 * a disk image: partitions are probed at their offsets inside the device, so
 * no partition device nodes are needed.
 */
#ifndef KESU_PROBE_H
#define KESU_PROBE_H

#include <kesu/err.h>

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct kesu_probe_fs {
	bool present;             /* a filesystem (or other) signature was found */
	char type[32];            /* TYPE: ext4, vfat, swap, crypto_LUKS, ... */
	char label[256];          /* LABEL, "" if none */
	char uuid[64];            /* UUID, "" if none */
	char usage[16];           /* USAGE: filesystem, raid, crypto, other */
};

struct kesu_probe_part {
	int number;               /* 1, 2, ... (logical MBR partitions from 5) */
	uint64_t start;           /* bytes from the start of the device */
	uint64_t size;            /* bytes */
	char type[64];            /* GPT type GUID, or the MBR type as "0x83" */
	char name[128];           /* GPT partition name, "" if none */
	char uuid[64];            /* GPT partition UUID or MBR "xxxxxxxx-NN", "" if none */
	bool extended;            /* an MBR extended partition (a container) */
	struct kesu_probe_fs fs;  /* what the partition holds */
};

struct kesu_probe_result {
	char pttype[16];          /* "gpt", "dos", ..., "" when there is no partition table */
	char ptuuid[64];          /* the table's identifier, "" if none */
	struct kesu_probe_fs fs;  /* a signature on the whole device (no table, or a stale one) */
	size_t nparts;
	struct kesu_probe_part *parts;
};

/*
 * Probe path (a block device or an image file) read-only. Errors: -ENOENT,
 * -KESU_E_NOT_ROOT (a block device that only root may read), -EIO, -ENOMEM.
 * r is always safe to pass to kesu_probe_free afterwards.
 */
int kesu_probe(const char *path, struct kesu_probe_result *r, struct kesu_errbuf *eb);

void kesu_probe_free(struct kesu_probe_result *r);

/*
 * A readable name for a partition type ("EFI System", "Linux swap") from a
 * well-known GPT type GUID or MBR type ("0x83"); NULL when kesu does not know it.
 */
const char *kesu_probe_part_type_name(const char *type);

#endif
