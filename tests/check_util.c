/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Small helpers and the configuration file. */
#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <kesu/config.h>
#include <kesu/util.h>

#include "lib/testutil.h"

START_TEST(test_util_atomic_write_replaces_whole_file)
{
	char path[512], *back = NULL;
	size_t len = 0;
	struct stat st;

	snprintf(path, sizeof(path), "%s/f.json", tu_tmpdir());
	ck_assert_int_eq(kesu_write_file_atomic(path, "old", 3, 0600, NULL), 0);
	ck_assert_int_eq(kesu_write_file_atomic(path, "{\"new\":1}", 9, 0640, NULL), 0);
	ck_assert_int_eq(kesu_read_file(path, 1024, &back, &len, NULL), 0);
	ck_assert_uint_eq(len, 9);
	ck_assert_str_eq(back, "{\"new\":1}");
	ck_assert_int_eq(stat(path, &st), 0);
	ck_assert_int_eq(st.st_mode & 0777, 0640);
	free(back);
}
END_TEST

START_TEST(test_util_read_file_limit)
{
	char path[512], *back = NULL;

	snprintf(path, sizeof(path), "%s/big", tu_tmpdir());
	ck_assert_int_eq(tu_write_file(path, "0123456789", 10), 0);
	ck_assert_int_eq(kesu_read_file(path, 5, &back, NULL, NULL), -EFBIG);
	ck_assert_ptr_null(back);
	ck_assert_int_eq(kesu_read_file("/nonexistent/x", 5, &back, NULL, NULL), -ENOENT);
}
END_TEST

START_TEST(test_util_sha256_known_vector)
{
	char hex[65];

	ck_assert_int_eq(kesu_sha256_hex("abc", 3, hex), 0);
	ck_assert_str_eq(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}
END_TEST

START_TEST(test_util_parse_and_format_size)
{
	uint64_t b;
	char buf[32];

	ck_assert_int_eq(kesu_parse_size("64M", &b), 0);
	ck_assert_uint_eq(b, 64ULL << 20);
	ck_assert_int_eq(kesu_parse_size("2GiB", &b), 0);
	ck_assert_uint_eq(b, 2ULL << 30);
	ck_assert_int_eq(kesu_parse_size("12x", &b), -EINVAL);
	ck_assert_int_eq(kesu_parse_size("99999999999999999999", &b), -ERANGE);
	kesu_format_size(256ULL << 20, 0, buf, sizeof(buf));
	ck_assert_str_eq(buf, "256 MiB");
	kesu_format_size(1920383410176ULL, 1, buf, sizeof(buf));
	ck_assert_str_eq(buf, "1.92 TB");
}
END_TEST

START_TEST(test_util_rfc3339)
{
	char buf[32];

	kesu_time_rfc3339(0, buf, sizeof(buf));
	ck_assert_str_eq(buf, "1970-01-01T00:00:00Z");
}
END_TEST

START_TEST(test_config_parses_sections_and_utf8)
{
	char path[512];
	struct kesu_config *cfg = NULL;
	const char *text = "# comment\n[operator]\nname = 山田 太郎 \n\n[contract]\nname=○○業務の委託\n";

	snprintf(path, sizeof(path), "%s/kesu.conf", tu_tmpdir());
	ck_assert_int_eq(tu_write_file(path, text, strlen(text)), 0);
	ck_assert_int_eq(kesu_config_load(path, &cfg, NULL), 0);
	ck_assert_str_eq(kesu_config_get(cfg, "operator", "name"), "山田 太郎");
	ck_assert_str_eq(kesu_config_get(cfg, "contract", "name"), "○○業務の委託");
	ck_assert_ptr_null(kesu_config_get(cfg, "contract", "missing"));
	ck_assert_str_eq(kesu_config_get_or(cfg, "x", "y", "fb"), "fb");
	ck_assert_int_eq(kesu_config_set(cfg, "operator", "name", "佐藤"), 0);
	ck_assert_str_eq(kesu_config_get(cfg, "operator", "name"), "佐藤");
	kesu_config_free(cfg);
}
END_TEST

START_TEST(test_config_bad_line_names_line)
{
	char path[512];
	struct kesu_config *cfg = NULL;
	struct kesu_errbuf eb;
	const char *text = "[a]\nk = v\nthis is junk\n";

	snprintf(path, sizeof(path), "%s/bad.conf", tu_tmpdir());
	ck_assert_int_eq(tu_write_file(path, text, strlen(text)), 0);
	ck_assert_int_eq(kesu_config_load(path, &cfg, &eb), -KESU_E_BAD_INPUT);
	ck_assert_ptr_null(cfg);
	ck_assert_ptr_nonnull(strstr(eb.msg, ":3:"));
	ck_assert_int_eq(kesu_config_load("/nonexistent.conf", &cfg, &eb), -ENOENT);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("util");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_util_atomic_write_replaces_whole_file);
	tcase_add_test(tc, test_util_read_file_limit);
	tcase_add_test(tc, test_util_sha256_known_vector);
	tcase_add_test(tc, test_util_parse_and_format_size);
	tcase_add_test(tc, test_util_rfc3339);
	tcase_add_test(tc, test_config_parses_sections_and_utf8);
	tcase_add_test(tc, test_config_bad_line_names_line);
	suite_add_tcase(s, tc);
	return tu_main(s);
}
