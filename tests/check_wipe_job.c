/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The evidence directory's one rule (kesu_private_dir_make, util.h): every
 * directory kesu makes for records, certificates or keys is 0700, whatever
 * the umask; one that exists is used as it is; a file in the way is refused.
 */
#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <kesu/util.h>

#include "lib/testutil.h"

static unsigned mode_of(const char *path)
{
	struct stat st;

	ck_assert_msg(stat(path, &st) == 0, "%s: %s", path, strerror(errno));
	ck_assert(S_ISDIR(st.st_mode));
	return (unsigned)(st.st_mode & 07777);
}

START_TEST(test_wipe_job_private_dir_rule)
{
	char top[4096], deep[4200], file[4200], under[4300];

	snprintf(top, sizeof(top), "%s/a", tu_tmpdir());
	snprintf(deep, sizeof(deep), "%s/b/c", top);
	umask(0);
	ck_assert_int_eq(kesu_private_dir_make(deep), 0);
	umask(022);
	ck_assert_uint_eq(mode_of(top), 0700);
	snprintf(file, sizeof(file), "%s/b", top);
	ck_assert_uint_eq(mode_of(file), 0700);
	ck_assert_uint_eq(mode_of(deep), 0700);
	/* Made again: nothing changes; an existing directory keeps its mode. */
	ck_assert_int_eq(chmod(deep, 0750), 0);
	ck_assert_int_eq(kesu_private_dir_make(deep), 0);
	ck_assert_uint_eq(mode_of(deep), 0750);
	/* A file where a directory should be. */
	snprintf(file, sizeof(file), "%s/file", top);
	ck_assert_int_eq(tu_write_file(file, "x", 1), 0);
	ck_assert_int_eq(kesu_private_dir_make(file), -ENOTDIR);
	snprintf(under, sizeof(under), "%s/sub", file);
	ck_assert_int_eq(kesu_private_dir_make(under), -ENOTDIR);
	ck_assert_int_eq(kesu_private_dir_make(""), -ENOENT);
}
END_TEST

/* kesu wipe makes its evidence directory, and the missing parents, 0700. */
START_TEST(test_wipe_job_evidence_dir_0700)
{
	char img[4096], parent[4200], out[4300], rec[4400];
	struct tu_result r;

	ck_assert_int_eq(tu_image_create(1 << 20, img, sizeof(img)), 0);
	snprintf(parent, sizeof(parent), "%s/cases", tu_tmpdir());
	snprintf(out, sizeof(out), "%s/M2026-000001", parent);
	umask(022);
	ck_assert_int_eq(tu_kesu(&r, "wipe", img, "--yes", "--no-cert", "-q", "--pattern", "zero",
				 "--out", out, NULL), 0);
	ck_assert_msg(r.status == 0, "wipe: exit %d\n%s\n%s", r.status, r.out, r.err);
	tu_result_free(&r);
	ck_assert_uint_eq(mode_of(parent), 0700);
	ck_assert_uint_eq(mode_of(out), 0700);
	snprintf(rec, sizeof(rec), "ls '%s'/*.record.json >/dev/null", out);
	ck_assert_int_eq(tu_sh("%s", rec), 0);
	/* --out naming a file: refused before anything is asked (exit 10). */
	ck_assert_int_eq(tu_kesu(&r, "wipe", img, "--yes", "--no-cert", "-q", "--out", img, NULL), 0);
	ck_assert_int_eq(r.status, 10);
	tu_result_free(&r);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("wipe_job");
	const struct tu_case cases[] = {
		{ "private_dir_rule", test_wipe_job_private_dir_rule },
		{ "evidence_dir_0700", test_wipe_job_evidence_dir_0700 },
	};

	TU_ADD_CASES(s, cases, 60);
	return tu_main(s);
}
