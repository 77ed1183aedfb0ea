/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Helpers for the overwrite and verify tests: read the device's bytes
 * independently of kesu, load the record, build faulty or slow devices with
 * nbdkit behind nbdfuse. Included by check_overwrite.c and check_verify.c.
 */
#ifndef KESU_TEST_OVERWRITE_HELPERS_H
#define KESU_TEST_OVERWRITE_HELPERS_H

#include <check.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/testutil.h"

#define MiB (1024ull * 1024)

/* A fresh evidence directory under the test's scratch dir. */
static inline void ow_out_dir(char *buf, size_t len)
{
	static int seq;

	snprintf(buf, len, "%s/ev%d-%d", tu_tmpdir(), (int)getpid(), seq++);
}

/* The one file in dir whose name ends with suffix ("" when none); parsed. */
static inline json_t *ow_load_suffix(const char *dir, const char *suffix, char *path, size_t len)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	json_t *doc = NULL;
	size_t sl = strlen(suffix);

	if (!d)
		return NULL;
	while ((e = readdir(d))) {
		size_t n = strlen(e->d_name);

		if (n > sl && !strcmp(e->d_name + n - sl, suffix)) {
			int w = snprintf(path, len, "%s/%s", dir, e->d_name);

			if (w < 0 || (size_t)w >= len)
				continue;
			doc = json_load_file(path, 0, NULL);
			break;
		}
	}
	closedir(d);
	return doc;
}

static inline json_t *ow_load_record(const char *dir)
{
	char path[PATH_MAX];

	return ow_load_suffix(dir, ".record.json", path, sizeof(path));
}

static inline const char *ow_str(json_t *doc, const char *a, const char *b)
{
	json_t *v = json_object_get(doc, a);

	if (b)
		v = json_object_get(v, b);
	return json_is_string(v) ? json_string_value(v) : "";
}

static inline long long ow_int(json_t *doc, const char *a, const char *b)
{
	json_t *v = json_object_get(doc, a);

	if (b)
		v = json_object_get(v, b);
	return json_is_integer(v) ? (long long)json_integer_value(v) : -1;
}

/*
 * Read every byte of path (a device or image) with O_DIRECT when it is a
 * block device, and compare with the fixed pattern pat[len] (byte o holds
 * pat[o % len]). Returns the offset of the first difference, or -1 when all
 * bytes match; -2 on a read error.
 */
static inline long long ow_first_diff_fixed(const char *path, const unsigned char *pat,
					    size_t plen, unsigned long long size)
{
	const size_t chunk = 1 << 20;
	unsigned char *buf = NULL;
	unsigned long long off = 0;
	long long diff = -1;
	struct stat st;
	int fd, fl = O_RDONLY;

	if (stat(path, &st) == 0 && S_ISBLK(st.st_mode))
		fl |= O_DIRECT;
	fd = open(path, fl);
	if (fd < 0 || posix_memalign((void **)&buf, 4096, chunk) != 0) {
		if (fd >= 0)
			close(fd);
		return -2;
	}
	while (off < size && diff == -1) {
		size_t n = size - off < chunk ? (size_t)(size - off) : chunk, i;

		if (pread(fd, buf, n, (off_t)off) != (ssize_t)n) {
			diff = -2;
			break;
		}
		for (i = 0; i < n; i++)
			if (buf[i] != pat[(off + i) % plen]) {
				diff = (long long)(off + i);
				break;
			}
		off += n;
	}
	free(buf);
	close(fd);
	return diff;
}

/*
 * The random stream checked with stock openssl (not kesu's code): AES-128-CTR,
 * IV 0, over zeros (or 0xFF bytes for the complement), compared with cmp.
 */
static inline int ow_check_random(const char *path, const char *key, int complement,
				  unsigned long long size)
{
	return tu_sh("%s | head -c %llu | openssl enc -aes-128-ctr -K %s "
		     "-iv 00000000000000000000000000000000 2>/dev/null | cmp -s - %s",
		     complement ? "tr '\\000' '\\377' </dev/zero" : "cat /dev/zero", size, key, path);
}

static inline void ow_sha256(const char *path, char *out, size_t len)
{
	char *s = tu_sh_out("sha256sum < %s | cut -c1-64", path);

	snprintf(out, len, "%s", s ? s : "");
	free(s);
}

/* Fill a device with recognisable bytes (so that "unchanged" means something). */
static inline void ow_fill_urandom(const char *dev, unsigned long long size)
{
	ck_assert_int_eq(tu_sh("head -c %llu /dev/urandom | dd of=%s bs=1M oflag=direct "
			       "iflag=fullblock status=none", size, dev), 0);
}

/*
 * An nbdkit memory disk behind nbdfuse with the given filter arguments, as a
 * loop device (sector_size bytes per logical sector). Cleaned up at exit.
 */
struct ow_nbd {
	char mnt[PATH_MAX];
	char dev[64];
};

static struct ow_nbd ow_nbds[4];
static int ow_n_nbds;

static inline void ow_nbd_cleanup(void)
{
	for (int i = 0; i < ow_n_nbds; i++) {
		if (ow_nbds[i].dev[0])
			tu_sh("losetup -d %s 2>/dev/null", ow_nbds[i].dev);
		tu_sh("fusermount3 -u %s 2>/dev/null; sleep 0.2; umount -l %s 2>/dev/null; true",
		      ow_nbds[i].mnt, ow_nbds[i].mnt);
	}
	ow_n_nbds = 0;
}

/* The same with extra losetup options (--direct-io=on: reads reach nbdkit, not the page cache). */
static inline int ow_nbd_create_opts(const char *nbdkit_args, unsigned sector_size,
				     const char *losetup_opts, char *dev, size_t len)
{
	struct ow_nbd *n;
	char *out;
	int i;

	if (ow_n_nbds == 4)
		return -1;
	n = &ow_nbds[ow_n_nbds];
	snprintf(n->mnt, sizeof(n->mnt), "%s/nbd%d-%d", tu_tmpdir(), (int)getpid(), ow_n_nbds);
	if (mkdir(n->mnt, 0700) < 0 && errno != EEXIST)
		return -1;
	if (ow_n_nbds++ == 0)
		atexit(ow_nbd_cleanup);
	n->dev[0] = '\0';
	if (tu_sh("nbdfuse %s --command nbdkit -s %s >/dev/null 2>&1 &", n->mnt, nbdkit_args) != 0)
		return -1;
	for (i = 0; i < 100 && tu_sh("test -f %s/nbd", n->mnt) != 0; i++)
		usleep(50000);
	out = tu_sh_out("losetup %s --sector-size %u -f --show %s/nbd", losetup_opts, sector_size,
			n->mnt);
	if (!out)
		return -1;
	out[strcspn(out, "\n")] = '\0';
	snprintf(n->dev, sizeof(n->dev), "%s", out);
	snprintf(dev, len, "%s", out);
	free(out);
	/* for tests/run.sh: a failed test exits without ow_nbd_cleanup */
	tu_sh("[ -z \"$KESU_TEST_TMP\" ] || echo '%s %s/nbd' >>\"$KESU_TEST_TMP/fuse-loops\"",
	      n->dev, n->mnt);
	tu_sh("command -v udevadm >/dev/null && udevadm settle 2>/dev/null; true");
	return n->dev[0] ? 0 : -1;
}

static inline int ow_nbd_create(const char *nbdkit_args, unsigned sector_size, char *dev,
				size_t len)
{
	return ow_nbd_create_opts(nbdkit_args, sector_size, "", dev, len);
}

#endif
