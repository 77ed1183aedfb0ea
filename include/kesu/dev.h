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
	/* Added after the first contract; all "" or 0 when unknown. */
	char parent[64];          /* partitions: the whole disk's kernel name */
	int partition_number;     /* partitions: the kernel's partition number */
	char wwid[256];           /* device/wwid (SCSI/NVMe world-wide ID) */
	/*
	 * serial is the drive's own when kesu could ask it (ATA IDENTIFY through
	 * SAT, NVMe Identify: kesu_drive_adopt_identity()); bridge_serial then holds
	 * what the block layer reported instead (a USB bridge's VPD page 0x80 or
	 * iSerialNumber), "" when the two agree or nothing else was reported.
	 */
	char bridge_serial[128];
	char serial_source[16];   /* "ata-identify", "nvme-identify", "sysfs", "" unknown */
	/* The same for the model: the block layer's (a USB bridge's product
	 * name) when the drive's own replaced it and it is not that cut short. */
	char bridge_model[128];
};

/*
 * Fill id for a block device path (/dev/sdb), a kernel name (sdb) or, with
 * allow_image, a regular file. Returns 0, -ENOENT, -KESU_E_NOT_BLOCK, ...
 */
int kesu_dev_identify(const char *path, bool allow_image,
		      struct kesu_dev_identity *id, struct kesu_errbuf *eb);

/*
 * The logical sector size kesu works in: the kernel's, 512 when it does not
 * say (an image file, a device reporting 0). kesu_dev_identify() fills
 * logical_sector_size by this rule (physical: the logical size when
 * unreported); an identity read back from elsewhere (a record, a journal)
 * goes through it before dividing by it.
 */
uint32_t kesu_dev_sector_size(const struct kesu_dev_identity *id);

/*
 * The sysfs and procfs roots kesu reads: "/sys" and "/proc", or the
 * directories named by KESU_SYSFS_ROOT and KESU_PROC_ROOT (read on every call),
 * so that tests can describe a machine with a fake tree (like util-linux's
 * --sysroot). <sysfs>/class/block/NAME is a block device's directory.
 */
const char *kesu_sysfs_root(void);
const char *kesu_proc_root(void);

/*
 * Read <sysfs>/class/block/NAME/ATTR (ATTR may contain '/'), whitespace
 * trimmed at both ends, into buf. Returns 0 or -errno.
 */
int kesu_sysfs_read(const char *name, const char *attr, char *buf, size_t len);

/* A list of kernel block device names. */
struct kesu_name_list {
	size_t n;
	char (*names)[64];
};

void kesu_name_list_free(struct kesu_name_list *l);
/* Append name unless it is already there. Returns 0 or -ENOMEM/-E2BIG. */
int kesu_name_list_add(struct kesu_name_list *l, const char *name);

/* The partitions of a whole disk (kernel names, sorted by number). */
int kesu_dev_partitions(const char *disk, struct kesu_name_list *out);

/*
 * Everything that holds NAME, walked recursively through holders/ (md, dm,
 * LVM, bcache...) and through loop devices whose backing file is NAME itself
 * (a loop device stacked on a disk or on a partition), each name once.
 * Partitions of NAME are not included: callers walk each partition
 * themselves; partitions of a holder are.
 */
int kesu_dev_holders(const char *name, struct kesu_name_list *out);

/*
 * Whether a and b (from kesu_dev_identify) are the same medium: the same
 * image file (one inode, whatever path, hard link or symlink named it), or the
 * same disk (the same device, or a disk and one of its partitions, or two
 * partitions of one disk). Two names of one medium must never become two
 * concurrent erases.
 */
bool kesu_dev_same_medium(const struct kesu_dev_identity *a, const struct kesu_dev_identity *b);

/*
 * Every namespace of the NVMe controller (or subsystem) that NAME belongs to,
 * NAME included: the block devices beside it under its device/ directory.
 * For any other device just NAME. Controller-wide operations (NVMe Sanitize,
 * Format with "applies to all namespaces") must check all of them.
 */
int kesu_dev_controller_namespaces(const char *name, struct kesu_name_list *out);

enum kesu_dev_list_flags {
	KESU_DEV_LIST_ALL = 1u << 0,  /* also partitions and empty devices (size 0) */
};

/*
 * Every whole-disk block device under <sysfs>/block, sorted by name (ram*
 * always skipped; empty devices of size 0, such as unattached loop devices,
 * only with KESU_DEV_LIST_ALL, which also lists each disk's partitions right
 * after it). Needs no root.
 * Free *ids with free().
 */
int kesu_dev_list(unsigned flags, struct kesu_dev_identity **ids, size_t *n,
		  struct kesu_errbuf *eb);

#endif
