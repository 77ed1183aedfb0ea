/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Device identity: what sysfs, the block layer and libblkid say about a disk
 * (or a regular image file). Lowest layer: nothing here writes to a device.
 */
#ifndef KESU_DEV_H
#define KESU_DEV_H

#include <kesu/err.h>

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum kesu_transport {
	KESU_TR_UNKNOWN = 0,
	KESU_TR_SATA,
	KESU_TR_NVME,
	KESU_TR_USB,
	KESU_TR_SCSI,
	KESU_TR_VIRTIO,
	KESU_TR_MMC,
	KESU_TR_LOOP,
	KESU_TR_IMAGE,   /* a regular file: a disk image */
};

/* "sata", "nvme", "usb", "scsi", "virtio", "mmc", "loop", "image", "unknown" */
const char *kesu_transport_name(enum kesu_transport tr);

struct kesu_dev_identity {
	char name[64];            /* kernel name (sda, nvme0n1, loop3); file name for images */
	char path[PATH_MAX];      /* /dev/NAME, or the image file's path */
	enum kesu_transport transport;
	char vendor[64];
	char model[128];
	char serial[128];
	char firmware[64];
	uint64_t size_bytes;
	uint32_t logical_sector_size;
	uint32_t physical_sector_size;
	uint64_t discard_max_bytes;  /* 0: no discard */
	bool rotational;
	bool removable;
	bool readonly;
	bool is_partition;
	bool is_image;
	unsigned major, minor;
	char backing_file[PATH_MAX]; /* loop devices: the file behind it, else "" */
};

/*
 * Fill id for a block device path (/dev/sdb), a kernel name (sdb) or, with
 * allow_image, a regular file. Returns 0, -ENOENT, -KESU_E_NOT_BLOCK, ...
 */
int kesu_dev_identify(const char *path, bool allow_image,
		      struct kesu_dev_identity *id, struct kesu_errbuf *eb);

#endif
