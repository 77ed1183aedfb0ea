/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Partition tables and filesystem signatures through libblkid. */
#include <kesu/probe.h>

#include <blkid.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#define BLKID_SECTOR 512u /* libblkid reports partition offsets in 512-byte units */

/* The partition types an operator meets on client media. */
static const struct {
	const char *type, *name;
} part_types[] = {
	{ "c12a7328-f81f-11d2-ba4b-00a0c93ec93b", "EFI System" },
	{ "21686148-6449-6e6f-744e-656564454649", "BIOS boot" },
	{ "0fc63daf-8483-4772-8e79-3d69d8477de4", "Linux filesystem" },
	{ "4f68bce3-e8cd-4db1-96e7-fbcaf984b709", "Linux root (x86-64)" },
	{ "933ac7e1-2eb4-4f13-b844-0e14e2aef915", "Linux home" },
	{ "bc13c2ff-59e6-4262-a352-b275fd6f7172", "Linux extended boot" },
	{ "0657fd6d-a4ab-43c4-84e5-0933c84b4f4f", "Linux swap" },
	{ "e6d6d379-f507-44c2-a23c-238f2a3df928", "Linux LVM" },
	{ "a19d880f-05fc-4d3b-a006-743f0f84911e", "Linux RAID" },
	{ "ca7d7ccb-63ed-4c53-861c-1742536059cc", "Linux LUKS" },
	{ "ebd0a0a2-b9e5-4433-87c0-68b6b72699c7", "Microsoft basic data" },
	{ "e3c9e316-0b5c-4db8-817d-f92df00215ae", "Microsoft reserved" },
	{ "de94bba4-06d1-4d40-a16a-bfd50179d6ac", "Windows recovery" },
	{ "7c3457ef-0000-11aa-aa11-00306543ecac", "Apple APFS" },
	{ "48465300-0000-11aa-aa11-00306543ecac", "Apple HFS/HFS+" },
	{ "0x05", "Extended" },
	{ "0x06", "FAT16" },
	{ "0x07", "NTFS/exFAT" },
	{ "0x0b", "FAT32" },
	{ "0x0c", "FAT32 (LBA)" },
	{ "0x0e", "FAT16 (LBA)" },
	{ "0x0f", "Extended (LBA)" },
	{ "0x27", "Windows recovery" },
	{ "0x82", "Linux swap" },
	{ "0x83", "Linux" },
	{ "0x85", "Linux extended" },
	{ "0x8e", "Linux LVM" },
	{ "0xee", "GPT protective" },
	{ "0xef", "EFI System" },
	{ "0xfd", "Linux RAID" },
};

const char *kesu_probe_part_type_name(const char *type)
{
	for (size_t i = 0; type && i < sizeof(part_types) / sizeof(part_types[0]); i++)
		if (!strcasecmp(part_types[i].type, type))
			return part_types[i].name;
	return NULL;
}

static void lookup(blkid_probe pr, const char *key, char *buf, size_t len)
{
	const char *v = NULL;

	buf[0] = '\0';
	if (blkid_probe_lookup_value(pr, key, &v, NULL) == 0 && v)
		snprintf(buf, len, "%s", v);
}

static void enable_superblocks(blkid_probe pr)
{
	blkid_probe_enable_superblocks(pr, 1);
	blkid_probe_set_superblocks_flags(pr, BLKID_SUBLKS_LABEL | BLKID_SUBLKS_UUID |
					  BLKID_SUBLKS_TYPE | BLKID_SUBLKS_USAGE);
}

static void fill_fs(blkid_probe pr, struct kesu_probe_fs *fs)
{
	lookup(pr, "TYPE", fs->type, sizeof(fs->type));
	lookup(pr, "LABEL", fs->label, sizeof(fs->label));
	lookup(pr, "UUID", fs->uuid, sizeof(fs->uuid));
	lookup(pr, "USAGE", fs->usage, sizeof(fs->usage));
	fs->present = fs->type[0] != '\0';
}

/* The filesystem inside one partition, probed at its offset on the same fd. */
static int probe_partition_fs(int fd, struct kesu_probe_part *p)
{
	blkid_probe pr = blkid_new_probe();
	int rc = 0;

	if (!pr)
		return -ENOMEM;
	/* A table entry outside the device (a corrupt or foreign table): nothing
	 * to probe there, but the rest of the table still counts. */
	if (blkid_probe_set_device(pr, fd, (blkid_loff_t)p->start, (blkid_loff_t)p->size) < 0)
		goto out;
	enable_superblocks(pr);
	/* 1 = nothing found, -2 = ambivalent (two signatures): both leave TYPE unset. */
	if (blkid_do_safeprobe(pr) == 0)
		fill_fs(pr, &p->fs);
out:
	blkid_free_probe(pr);
	return rc;
}

static void fill_part(blkid_partition par, struct kesu_probe_part *p)
{
	const char *s;

	p->number = blkid_partition_get_partno(par);
	p->start = (uint64_t)blkid_partition_get_start(par) * BLKID_SECTOR;
	p->size = (uint64_t)blkid_partition_get_size(par) * BLKID_SECTOR;
	p->extended = blkid_partition_is_extended(par) != 0;
	if ((s = blkid_partition_get_type_string(par)))
		snprintf(p->type, sizeof(p->type), "%s", s);
	else
		snprintf(p->type, sizeof(p->type), "0x%02x", blkid_partition_get_type(par));
	if ((s = blkid_partition_get_name(par)))
		snprintf(p->name, sizeof(p->name), "%s", s);
	if ((s = blkid_partition_get_uuid(par)))
		snprintf(p->uuid, sizeof(p->uuid), "%s", s);
}

static int probe_partitions(blkid_probe pr, int fd, struct kesu_probe_result *r)
{
	blkid_partlist ls = blkid_probe_get_partitions(pr);
	int n;

	if (!ls)
		return 0; /* no partition table */
	n = blkid_partlist_numof_partitions(ls);
	if (n <= 0)
		return 0;
	r->parts = calloc((size_t)n, sizeof(*r->parts));
	if (!r->parts)
		return -ENOMEM;
	for (int i = 0; i < n; i++) {
		blkid_partition par = blkid_partlist_get_partition(ls, i);
		struct kesu_probe_part *p = &r->parts[r->nparts];
		int rc;

		if (!par)
			continue;
		fill_part(par, p);
		r->nparts++;
		if (p->extended || p->size == 0)
			continue;
		rc = probe_partition_fs(fd, p);
		if (rc < 0)
			return rc;
	}
	return 0;
}

static int open_for_probe(const char *path, struct kesu_errbuf *eb)
{
	struct stat st;
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);

	if (fd >= 0)
		return fd;
	if ((errno == EACCES || errno == EPERM) && stat(path, &st) == 0 && S_ISBLK(st.st_mode) &&
	    geteuid() != 0)
		return kesu_err_set(eb, -KESU_E_NOT_ROOT, "%s: reading partitions and filesystems "
				    "needs root; run kesu as root", path);
	return kesu_err_set(eb, -errno, "opening %s: %s", path, strerror(errno));
}

int kesu_probe(const char *path, struct kesu_probe_result *r, struct kesu_errbuf *eb)
{
	blkid_probe pr = NULL;
	int fd, rc = 0;

	memset(r, 0, sizeof(*r));
	fd = open_for_probe(path, eb);
	if (fd < 0)
		return fd;
	pr = blkid_new_probe();
	if (!pr) {
		rc = kesu_err_set(eb, -ENOMEM, "libblkid: out of memory");
		goto out;
	}
	if (blkid_probe_set_device(pr, fd, 0, 0) < 0) {
		rc = kesu_err_set(eb, -EIO, "%s: libblkid cannot read it", path);
		goto out;
	}
	enable_superblocks(pr);
	blkid_probe_enable_partitions(pr, 1);
	if (blkid_do_fullprobe(pr) < 0) {
		rc = kesu_err_set(eb, -EIO, "%s: libblkid probe failed", path);
		goto out;
	}
	lookup(pr, "PTTYPE", r->pttype, sizeof(r->pttype));
	lookup(pr, "PTUUID", r->ptuuid, sizeof(r->ptuuid));
	fill_fs(pr, &r->fs);
	if (r->pttype[0]) {
		rc = probe_partitions(pr, fd, r);
		if (rc < 0)
			kesu_err_set(eb, rc, "%s: reading partitions: %s", path, strerror(-rc));
	}
out:
	if (pr)
		blkid_free_probe(pr);
	close(fd);
	return rc;
}

void kesu_probe_free(struct kesu_probe_result *r)
{
	free(r->parts);
	r->parts = NULL;
	r->nparts = 0;
}
