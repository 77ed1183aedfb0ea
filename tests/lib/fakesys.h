/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A fake machine for device tests: a sysfs tree and a procfs with
 * mountinfo/swaps, under a scratch directory, for kesu's KESU_SYSFS_ROOT and
 * KESU_PROC_ROOT. It describes disks no test machine has (SATA with VPD
 * serial, NVMe, USB, virtio, MMC, md/dm holders, partitions).
 */
#ifndef KESU_FAKESYS_H
#define KESU_FAKESYS_H

#include <stddef.h>

struct fakesys {
	char sys[1024];     /* the fake sysfs root */
	char proc[1024];   /* the fake procfs root */
};

/*
 * Build the standard machine under tu_tmpdir() and point KESU_SYSFS_ROOT and
 * KESU_PROC_ROOT at it (setenv). Devices:
 *   sdz   sata, 2000 sectors, rotational, logical 512 / physical 4096, no discard,
 *         vendor "ATA", model "KESU TEST DISK", rev "1.0", serial "S3RIAL0001"
 *         (from vpd_pg80), held by dm-7; partitions sdz1 (8:1, held by md9, which
 *         is held by dm-8) and sdz2 (8:2)
 *   nvme0n1  nvme 259:0, serial "NVSERIAL42", model "KESU NVME", firmware "2.0",
 *            discard 2 GiB; nvme0n2 (259:1) a second namespace of the same controller
 *   sdy   usb, removable, model "USB DISK", no serial
 *   sdx   scsi (behind virtio-scsi)
 *   vdb   virtio, serial "VDSERIAL"
 *   mmcblk0  mmc, model "SD32G", serial "0x1234abcd"
 *   md9 (9:9), dm-7 (253:7), dm-8 (253:8)
 *   loop5 unattached, loop6 attached to /var/tmp/x.img (7:6, 2048 sectors), ram0
 * mountinfo holds only "/" on 0:99 (tmpfs); swaps only its header.
 */
int fakesys_create(struct fakesys *fs);

/* Replace the fake /proc/self/mountinfo (full text). */
int fakesys_mountinfo(const struct fakesys *fs, const char *text);

/* Write a file under the fake sysfs root (parents created). */
int fakesys_write(const struct fakesys *fs, const char *rel, const void *data, size_t len);

/*
 * Add NAME, a disk behind a USB-SATA bridge (usb-storage host), device
 * number devno ("7:3", e.g. a real loop device's, so that kesu opens that
 * device as NAME), sectors 512-byte sectors, model "USB3.0 BRIDGE", whose
 * VPD page 0x80 reports vpd_serial: the bridge's serial, not the drive's.
 * Also <sysfs>/dev/block/DEVNO, so a node with that number resolves to NAME.
 */
int fakesys_usb_bridge_disk(const struct fakesys *fs, const char *name, const char *devno,
			    unsigned long long sectors, const char *vpd_serial);

#endif
