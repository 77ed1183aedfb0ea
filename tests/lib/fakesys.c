/* SPDX-License-Identifier: GPL-2.0-or-later */
/* A fake sysfs/procfs machine for device tests (see fakesys.h). */
#include "fakesys.h"
#include "testutil.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int mkdir_p(const char *path)
{
	char tmp[8192];

	snprintf(tmp, sizeof(tmp), "%s", path);
	for (char *p = tmp + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(tmp, 0755) < 0 && errno != EEXIST)
			return -errno;
		*p = '/';
	}
	if (mkdir(tmp, 0755) < 0 && errno != EEXIST)
		return -errno;
	return 0;
}

static int parent_dirs(const char *path)
{
	char dir[8192];
	char *slash;

	snprintf(dir, sizeof(dir), "%s", path);
	slash = strrchr(dir, '/');
	if (!slash || slash == dir)
		return 0;
	*slash = '\0';
	return mkdir_p(dir);
}

static int write_at(const char *root, const char *rel, const void *data, size_t len)
{
	char path[8192];
	int rc;

	snprintf(path, sizeof(path), "%s/%s", root, rel);
	rc = parent_dirs(path);
	if (rc < 0)
		return rc;
	return tu_write_file(path, data, len);
}

int fakesys_write(const struct fakesys *fs, const char *rel, const void *data, size_t len)
{
	return write_at(fs->sys, rel, data, len);
}

static int put(const struct fakesys *fs, const char *dir, const char *attr, const char *value)
{
	char rel[4096];

	snprintf(rel, sizeof(rel), "%s/%s", dir, attr);
	return fakesys_write(fs, rel, value, strlen(value));
}

/* An absolute symlink sys/LINK -> sys/TARGET. */
static int link_in(const struct fakesys *fs, const char *link, const char *target)
{
	char l[8192], t[8192];
	int rc;

	snprintf(l, sizeof(l), "%s/%s", fs->sys, link);
	snprintf(t, sizeof(t), "%s/%s", fs->sys, target);
	rc = parent_dirs(l);
	if (rc < 0)
		return rc;
	return symlink(t, l) < 0 ? -errno : 0;
}

/* A disk (part == 0) or partition number part at sysfs directory dir. */
static int blockdev(const struct fakesys *fs, const char *dir, const char *name, const char *devno,
		    const char *sectors, int part)
{
	char rel[4096];
	int rc = 0;

	rc |= put(fs, dir, "dev", devno);
	rc |= put(fs, dir, "size", sectors);
	rc |= put(fs, dir, "ro", "0\n");
	snprintf(rel, sizeof(rel), "%s/%s/holders", fs->sys, dir);
	rc |= mkdir_p(rel);
	if (part) {
		char num[16];

		snprintf(num, sizeof(num), "%d\n", part);
		rc |= put(fs, dir, "partition", num);
	} else {
		rc |= put(fs, dir, "removable", "0\n");
		rc |= put(fs, dir, "queue/rotational", "0\n");
		rc |= put(fs, dir, "queue/logical_block_size", "512\n");
		rc |= put(fs, dir, "queue/physical_block_size", "512\n");
		rc |= put(fs, dir, "queue/discard_max_bytes", "0\n");
		snprintf(rel, sizeof(rel), "block/%s", name);
		rc |= link_in(fs, rel, dir);
	}
	snprintf(rel, sizeof(rel), "class/block/%s", name);
	rc |= link_in(fs, rel, dir);
	return rc ? -EIO : 0;
}

static int holder(const struct fakesys *fs, const char *dir, const char *holder_name,
		  const char *holder_dir)
{
	char rel[4096];

	snprintf(rel, sizeof(rel), "%s/holders/%s", dir, holder_name);
	return link_in(fs, rel, holder_dir);
}

#define ATA "devices/pci0000:00/0000:00:1f.2/ata1/host0/target0:0:0/0:0:0:0"
#define SDZ ATA "/block/sdz"
#define NVME "devices/pci0000:00/0000:00:04.0/nvme/nvme0"
#define USB "devices/pci0000:00/0000:00:14.0/usb2/2-1/2-1:1.0/host6/target6:0:0/6:0:0:0"
#define VSCSI "devices/pci0000:00/0000:00:03.0/virtio0/host2/target2:0:0/2:0:0:0"
#define VIRT "devices/virtual/block"
#define MMC "devices/platform/sdhci/mmc_host/mmc0/mmc0:0001"

static int sata_disk(const struct fakesys *fs)
{
	/* VPD page 0x80: page code, length 12, serial space-padded on the left. */
	static const unsigned char pg80[] = { 0x00, 0x80, 0x00, 0x0c, ' ', ' ', 'S', '3', 'R', 'I',
					      'A', 'L', '0', '0', '0', '1' };
	int rc = 0;

	rc |= blockdev(fs, SDZ, "sdz", "8:0\n", "2000\n", 0);
	rc |= put(fs, SDZ, "queue/rotational", "1\n");
	rc |= put(fs, SDZ, "queue/physical_block_size", "4096\n");
	rc |= put(fs, ATA, "vendor", "ATA     \n");
	rc |= put(fs, ATA, "model", "KESU TEST DISK  \n");
	rc |= put(fs, ATA, "rev", "1.0 \n");
	rc |= fakesys_write(fs, ATA "/vpd_pg80", pg80, sizeof(pg80));
	rc |= link_in(fs, SDZ "/device", ATA);
	rc |= blockdev(fs, SDZ "/sdz1", "sdz1", "8:1\n", "1000\n", 1);
	rc |= blockdev(fs, SDZ "/sdz2", "sdz2", "8:2\n", "900\n", 2);
	rc |= holder(fs, SDZ, "dm-7", VIRT "/dm-7");
	rc |= holder(fs, SDZ "/sdz1", "md9", VIRT "/md9");
	return rc;
}

static int other_disks(const struct fakesys *fs)
{
	int rc = 0;

	rc |= blockdev(fs, NVME "/nvme0n1", "nvme0n1", "259:0\n", "4096\n", 0);
	rc |= put(fs, NVME "/nvme0n1", "queue/discard_max_bytes", "2147483648\n");
	rc |= put(fs, NVME, "serial", "NVSERIAL42          \n");
	rc |= put(fs, NVME, "model", "KESU NVME\n");
	rc |= put(fs, NVME, "firmware_rev", "2.0     \n");
	rc |= link_in(fs, NVME "/nvme0n1/device", NVME);
	rc |= blockdev(fs, NVME "/nvme0n2", "nvme0n2", "259:1\n", "4096\n", 0);
	rc |= link_in(fs, NVME "/nvme0n2/device", NVME);

	rc |= blockdev(fs, USB "/block/sdy", "sdy", "8:16\n", "64\n", 0);
	rc |= put(fs, USB "/block/sdy", "removable", "1\n");
	rc |= put(fs, USB, "model", "USB DISK\n");
	/* The USB device (2-1) carries the iSerialNumber; the SCSI device has none. */
	rc |= put(fs, "devices/pci0000:00/0000:00:14.0/usb2/2-1", "idVendor", "0781\n");
	rc |= put(fs, "devices/pci0000:00/0000:00:14.0/usb2/2-1", "serial", "4C530001230419116394\n");
	rc |= link_in(fs, USB "/block/sdy/device", USB);

	rc |= blockdev(fs, VSCSI "/block/sdx", "sdx", "8:32\n", "64\n", 0);
	rc |= blockdev(fs, "devices/pci0000:00/0000:00:05.0/virtio1/block/vdb", "vdb", "254:16\n",
		       "64\n", 0);
	rc |= put(fs, "devices/pci0000:00/0000:00:05.0/virtio1/block/vdb", "serial", "VDSERIAL\n");

	rc |= blockdev(fs, MMC "/block/mmcblk0", "mmcblk0", "179:0\n", "64\n", 0);
	rc |= put(fs, MMC, "name", "SD32G\n");
	rc |= put(fs, MMC, "serial", "0x1234abcd\n");
	rc |= link_in(fs, MMC "/block/mmcblk0/device", MMC);
	return rc;
}

static int virtual_disks(const struct fakesys *fs)
{
	int rc = 0;

	rc |= blockdev(fs, VIRT "/md9", "md9", "9:9\n", "1000\n", 0);
	rc |= blockdev(fs, VIRT "/dm-7", "dm-7", "253:7\n", "2000\n", 0);
	rc |= blockdev(fs, VIRT "/dm-8", "dm-8", "253:8\n", "1000\n", 0);
	rc |= holder(fs, VIRT "/md9", "dm-8", VIRT "/dm-8");
	rc |= blockdev(fs, VIRT "/loop5", "loop5", "7:5\n", "0\n", 0);
	rc |= blockdev(fs, VIRT "/loop6", "loop6", "7:6\n", "2048\n", 0);
	rc |= put(fs, VIRT "/loop6", "loop/backing_file", "/var/tmp/x.img\n");
	rc |= blockdev(fs, VIRT "/ram0", "ram0", "1:0\n", "8192\n", 0);
	return rc;
}

int fakesys_mountinfo(const struct fakesys *fs, const char *text)
{
	return write_at(fs->proc, "self/mountinfo", text, strlen(text));
}

int fakesys_create(struct fakesys *fs)
{
	static const char swaps[] = "Filename\t\t\t\tType\t\tSize\t\tUsed\t\tPriority\n";
	int rc;

	/* Start from scratch: a test may build the machine more than once. */
	if (tu_sh("rm -rf '%s/fake'", tu_tmpdir()) != 0)
		return -EIO;
	snprintf(fs->sys, sizeof(fs->sys), "%s/fake/sys", tu_tmpdir());
	snprintf(fs->proc, sizeof(fs->proc), "%s/fake/proc", tu_tmpdir());
	rc = mkdir_p(fs->sys);
	if (rc == 0)
		rc = mkdir_p(fs->proc);
	if (rc == 0)
		rc = sata_disk(fs) | other_disks(fs) | virtual_disks(fs);
	if (rc == 0)
		rc = fakesys_mountinfo(fs, "20 1 0:99 / / rw - tmpfs tmpfs rw\n");
	if (rc == 0)
		rc = write_at(fs->proc, "swaps", swaps, strlen(swaps));
	if (rc == 0) {
		setenv("KESU_SYSFS_ROOT", fs->sys, 1);
		setenv("KESU_PROC_ROOT", fs->proc, 1);
	}
	return rc ? -EIO : 0;
}

#define BRIDGE_USB "devices/pci0000:00/0000:00:14.0/usb3/3-1"
#define BRIDGE BRIDGE_USB "/3-1:1.0/host9/target9:0:0/9:0:0:0"

int fakesys_usb_bridge_disk(const struct fakesys *fs, const char *name, const char *devno,
			    unsigned long long sectors, const char *vpd_serial)
{
	char blk[512], num[64], size[32], pg80[4 + 64], rel[600];
	size_t sl = strlen(vpd_serial);
	int rc = 0;

	if (sl > 64 || strlen(name) > 64)
		return -EINVAL;
	snprintf(blk, sizeof(blk), BRIDGE "/block/%s", name);
	snprintf(num, sizeof(num), "%s\n", devno);
	snprintf(size, sizeof(size), "%llu\n", sectors);
	rc |= blockdev(fs, blk, name, num, size, 0);
	rc |= put(fs, BRIDGE, "vendor", "JMicron \n");
	rc |= put(fs, BRIDGE, "model", "USB3.0 BRIDGE   \n");
	/* VPD page 0x80: page code, length, the serial in ASCII. */
	pg80[0] = 0x00;
	pg80[1] = (char)0x80;
	pg80[2] = 0x00;
	pg80[3] = (char)sl;
	memcpy(pg80 + 4, vpd_serial, sl);
	rc |= fakesys_write(fs, BRIDGE "/vpd_pg80", pg80, 4 + sl);
	rc |= put(fs, BRIDGE_USB, "idVendor", "152d\n");
	snprintf(rel, sizeof(rel), "%s/device", blk);
	rc |= link_in(fs, rel, BRIDGE);
	snprintf(rel, sizeof(rel), "dev/block/%s", devno);
	rc |= link_in(fs, rel, blk);
	return rc ? -EIO : 0;
}
