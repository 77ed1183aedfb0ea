/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Partition tables and filesystem signatures through libblkid. */
#include <kesu/probe.h>

#include <blkid.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define BLKID_SECTOR 512u /* libblkid reports partition offsets in 512-byte units */

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
	if (blkid_probe_set_device(pr, fd, (blkid_loff_t)p->start, (blkid_loff_t)p->size) < 0) {
		rc = -EIO;
		goto out;
	}
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
