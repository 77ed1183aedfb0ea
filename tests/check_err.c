/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Error codes, their text and their exit codes. */
#include <check.h>
#include <errno.h>
#include <string.h>

#include <kesu/err.h>

#include "lib/testutil.h"

START_TEST(test_err_text_project_codes)
{
	for (int c = KESU_E_BASE + 1; c < KESU_E_LAST; c++)
		ck_assert_str_ne(kesu_strerror(-c), "unknown error");
	ck_assert_str_eq(kesu_strerror(-KESU_E_MOUNTED), "mounted");
	ck_assert_str_eq(kesu_strerror(-ENOENT), strerror(ENOENT));
}
END_TEST

START_TEST(test_err_set_returns_code)
{
	struct kesu_errbuf eb;

	ck_assert_int_eq(kesu_err_set(&eb, -EIO, "reading %s", "/dev/x"), -EIO);
	ck_assert_str_eq(eb.msg, "reading /dev/x");
	ck_assert_int_eq(kesu_err_set(NULL, -EIO, "x"), -EIO);
}
END_TEST

START_TEST(test_cli_version_and_unknown_command)
{
	struct tu_result r;

	ck_assert_int_eq(tu_kesu(&r, "--version", NULL), 0);
	ck_assert_int_eq(r.status, 0);
	ck_assert_ptr_nonnull(strstr(r.out, "kesu "));
	tu_result_free(&r);

	ck_assert_int_eq(tu_kesu(&r, "no-such-command", NULL), 0);
	ck_assert_int_eq(r.status, 2);
	ck_assert_ptr_nonnull(strstr(r.err, "unknown command"));
	tu_result_free(&r);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("err");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_err_text_project_codes);
	tcase_add_test(tc, test_err_set_returns_code);
	tcase_add_test(tc, test_cli_version_and_unknown_command);
	suite_add_tcase(s, tc);
	return tu_main(s);
}
