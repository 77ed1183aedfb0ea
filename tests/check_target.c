/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The target-open rule (include/kesu/target.h): an image file on a file
 * system without direct I/O still opens, for the library and for kesu wipe
 * and kesu verify; a device with 4096-byte logical sectors is 4096 bytes per
 * sector in kesu info, kesu wipe --dry-run and kesu verify alike.
 */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <kesu/target.h>

#include "lib/testutil.h"

#define MiB (1024 * 1024)

static json_t *kesu_json(int want, const char *const argv[])
{
	const char *full[16] = { tu_kesu_bin() };
	struct tu_result r;
	json_error_t jerr;
	json_t *root;
	size_t i;

	for (i = 0; argv[i] && i + 2 < sizeof(full) / sizeof(full[0]); i++)
		full[i + 1] = argv[i];
	ck_assert_int_eq(tu_runv(&r, NULL, NULL, full), 0);
	ck_assert_msg(r.status == want, "kesu %s: exit %d, not %d\n%s\n%s", argv[0], r.status, want,
		      r.out, r.err);
	root = json_loads(r.out, 0, &jerr);
	ck_assert_msg(root != NULL, "kesu %s: bad JSON: %s\n%s", argv[0], jerr.text, r.out);
	tu_result_free(&r);
	return root;
}

static json_int_t int_at(json_t *root, const char *path)
{
	json_t *v = root;
	char copy[256], *tok, *save = NULL;

	snprintf(copy, sizeof(copy), "%s", path);
	for (tok = strtok_r(copy, ".", &save); tok && v; tok = strtok_r(NULL, ".", &save))
		v = json_is_array(v) ? json_array_get(v, (size_t)atoi(tok)) : json_object_get(v, tok);
	ck_assert_msg(json_is_integer(v), "%s is not a number", path);
	return json_integer_value(v);
}

START_TEST(test_target_image_without_direct_io)
{
	struct kesu_target t = { .fd = -1 };
	struct kesu_errbuf eb = { { 0 } };
	struct tu_result r;
	char mnt[4096], img[4200], out[4200];
	int fd;

	if (tu_skip_unless_root("test_target_image_without_direct_io"))
		return;
	/* ramfs has no direct I/O (tmpfs has it since Linux 6.6). */
	ck_assert_int_eq(tu_mount_fs("ramfs", mnt, sizeof(mnt)), 0);
	snprintf(img, sizeof(img), "%s/disk.img", mnt);
	snprintf(out, sizeof(out), "%s/evidence", tu_tmpdir());
	ck_assert_int_eq(tu_sh("head -c %d /dev/urandom > '%s'", 4 * MiB, img), 0);
	fd = open(img, O_RDWR | O_DIRECT);
	ck_assert_msg(fd < 0 && errno == EINVAL, "O_DIRECT works on ramfs here: nothing to test");

	ck_assert_msg(kesu_target_open_medium(img, 0, &t, &eb) == 0, "%s", eb.msg);
	ck_assert(t.is_open && t.id.is_image);
	ck_assert(!(fcntl(t.fd, F_GETFL) & O_DIRECT));
	ck_assert_uint_eq(t.id.logical_sector_size, 512);
	ck_assert_int_eq(t.drive.proto, KESU_DRIVE_NONE);
	kesu_target_close(&t);
	ck_assert_msg(kesu_target_open_medium(img, KESU_TARGET_READONLY, &t, &eb) == 0, "%s", eb.msg);
	kesu_target_close(&t);
	ck_assert_msg(kesu_target_probe_medium(img, 0, &t, &eb) == 0, "%s", eb.msg);
	ck_assert(!t.is_open);

	/* The front ends: a wipe that writes zeros, checked, then a second readback. */
	ck_assert_int_eq(tu_kesu(&r, "wipe", img, "--yes", "--no-cert", "-q", "--pattern", "zero",
				 "--verify", "full", "--out", out, NULL), 0);
	ck_assert_msg(r.status == 0, "wipe: exit %d\n%s\n%s", r.status, r.out, r.err);
	tu_result_free(&r);
	ck_assert_int_eq(tu_sh("cmp -s -n %d '%s' /dev/zero", 4 * MiB, img), 0);
	ck_assert_int_eq(tu_kesu(&r, "verify", img, "--expect", "zero", "--full", "-q", NULL), 0);
	ck_assert_msg(r.status == 0, "verify: exit %d\n%s\n%s", r.status, r.out, r.err);
	tu_result_free(&r);
}
END_TEST

START_TEST(test_target_4k_sectors_alike)
{
	struct kesu_target t = { .fd = -1 };
	struct kesu_errbuf eb = { { 0 } };
	char dev[4096], img[4096];
	json_t *j;

	if (tu_skip_unless_root("test_target_4k_sectors_alike"))
		return;
	ck_assert_int_eq(tu_loop_create(16 * MiB, dev, sizeof(dev), img, sizeof(img)), 0);
	ck_assert_int_eq(tu_sh("losetup --sector-size 4096 '%s'", dev), 0);

	ck_assert_msg(kesu_target_open_medium(dev, KESU_TARGET_READONLY, &t, &eb) == 0, "%s", eb.msg);
	ck_assert_uint_eq(t.id.logical_sector_size, 4096);
	ck_assert(fcntl(t.fd, F_GETFL) & O_DIRECT);
	kesu_target_close(&t);

	j = kesu_json(0, (const char *const[]){ "info", "--json", dev, NULL });
	ck_assert_int_eq(int_at(j, "logical_sector_size"), 4096);
	json_decref(j);
	j = kesu_json(0, (const char *const[]){ "wipe", "--dry-run", "--json", dev, NULL });
	ck_assert_int_eq(int_at(j, "devices.0.logical_sector_size"), 4096);
	ck_assert_int_eq(int_at(j, "devices.0.verification_plan.sector_bytes"), 4096);
	json_decref(j);
	j = kesu_json(0, (const char *const[]){ "verify", dev, "--expect", "zero", "--full",
						"--json", "-q", NULL });
	ck_assert_int_eq(int_at(j, "plan.sector_bytes"), 4096);
	json_decref(j);

	/* A byte that differs in the third sector is LBA 2 of 4096 bytes. */
	ck_assert_int_eq(tu_sh("printf x | dd of='%s' bs=1 seek=%d conv=notrunc status=none", img,
			       2 * 4096 + 100), 0);
	ck_assert_int_eq(tu_sh("blockdev --flushbufs '%s'", dev), 0);
	j = kesu_json(1, (const char *const[]){ "verify", dev, "--expect", "zero", "--full",
						"--json", "-q", NULL });
	ck_assert_int_eq(int_at(j, "mismatches.0.first_lba"), 2);
	json_decref(j);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("target");
	const struct tu_case cases[] = {
		{ "image_without_direct_io", test_target_image_without_direct_io },
		{ "4k_sectors_alike", test_target_4k_sectors_alike },
	};

	TU_ADD_CASES(s, cases, 120);
	return tu_main(s);
}
