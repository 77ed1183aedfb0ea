/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Hostile and odd input: the text validator and its limits, escaping, the
 * strict number and date parsers, the regular-file rule, and the commands
 * that take them (names too long, control characters, FIFOs, foreign keys,
 * CSV rows, numbers). Every case that kesu must refuse is counted in
 * README's "Reliability" section; rerun with
 *   sh tests/run.sh build check_input
 */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <kesu/config.h>
#include <kesu/parse.h>
#include <kesu/text.h>
#include <kesu/util.h>

#include "lib/testutil.h"

/* "山" (U+5C71) n times. */
static char *kanji(size_t n)
{
	char *s = malloc(n * 3 + 1);

	ck_assert_ptr_nonnull(s);
	for (size_t i = 0; i < n; i++)
		memcpy(s + 3 * i, "\xe5\xb1\xb1", 3);
	s[n * 3] = '\0';
	return s;
}

static char *ascii(size_t n, char c)
{
	char *s = malloc(n + 1);

	ck_assert_ptr_nonnull(s);
	memset(s, c, n);
	s[n] = '\0';
	return s;
}

START_TEST(test_text_limit_in_characters)
{
	struct kesu_errbuf eb;
	char *k43 = kanji(43), *k64 = kanji(64), *k65 = kanji(65), *a10k = ascii(10000, 'A');

	ck_assert_uint_eq(kesu_text_limit("operator"), KESU_TEXT_NAME_MAX);
	ck_assert_uint_eq(kesu_text_limit("operator.name"), KESU_TEXT_NAME_MAX);
	ck_assert_uint_eq(kesu_text_limit("data_name"), KESU_TEXT_LONG_MAX);
	ck_assert_uint_eq(kesu_text_limit("no-such-field"), 0);
	/* 43 kanji are 129 bytes: characters count, not bytes */
	ck_assert_int_eq(kesu_text_check("operator", k43, &eb), 0);
	ck_assert_int_eq(kesu_text_check("operator", k64, &eb), 0);
	ck_assert_int_eq(kesu_text_check("operator", k65, &eb), -KESU_E_TOO_LONG);
	ck_assert_ptr_nonnull(strstr(eb.msg, "operator"));
	ck_assert_ptr_nonnull(strstr(eb.msg, "65 characters"));
	ck_assert_ptr_nonnull(strstr(eb.msg, "limit is 64"));
	ck_assert_int_eq(kesu_text_check("operator", a10k, &eb), -KESU_E_TOO_LONG);
	ck_assert_ptr_nonnull(strstr(eb.msg, "10000 characters"));
	ck_assert_uint_eq(kesu_utf8_chars(k43), 43);
	free(k43);
	free(k64);
	free(k65);
	free(a10k);
}
END_TEST

START_TEST(test_text_refuses_controls_bidi_bad_utf8)
{
	static const struct { const char *s; size_t len; const char *says; } bad[] = {
		{ "A\nFAKE: ERASED", 14, "U+000A" },
		{ "A\tB", 3, "U+0009" },
		{ "\x1b[31mRED", 8, "U+001B" },
		{ "A\x7f", 2, "U+007F" },
		{ "A\xc2\x85Z", 4, "U+0085" },            /* NEL, a C1 control */
		{ "A\xc2\x9b" "31m", 6, "U+009B" },       /* CSI */
		{ "abc\xe2\x80\xae" "dcba", 10, "U+202E" },   /* RIGHT-TO-LEFT OVERRIDE */
		{ "a\xe2\x80\xaa" "b", 5, "U+202A" },
		{ "a\xe2\x81\xa6" "b", 5, "U+2066" },      /* LEFT-TO-RIGHT ISOLATE */
		{ "a\xe2\x81\xa9" "b", 5, "U+2069" },
		{ "a\xe2\x80\x8f" "b", 5, "U+200F" },
		{ "a\xe2\x80\xa8" "b", 5, "U+2028" },
		{ "AB\0CD", 5, "NUL" },
		{ "\xff", 1, "UTF-8" },
		{ "\xc0\xaf", 2, "UTF-8" },                /* overlong '/' */
		{ "\xed\xa0\x80", 3, "UTF-8" },            /* a surrogate */
		{ "\xf4\x90\x80\x80", 4, "UTF-8" },        /* past U+10FFFF */
		{ "\xe5\xb1", 2, "UTF-8" },                /* cut short */
	};
	struct kesu_errbuf eb;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		kesu_err_clear(&eb);
		ck_assert_msg(kesu_text_check_buf("witness", bad[i].s, bad[i].len, 64, NULL, &eb) ==
			      -KESU_E_BAD_INPUT, "case %zu accepted", i);
		ck_assert_msg(strstr(eb.msg, bad[i].says) && strstr(eb.msg, "witness"),
			      "case %zu: %s", i, eb.msg);
	}
	ck_assert_int_eq(kesu_text_check("witness", "山田 太郎", &eb), 0);
	ck_assert_int_eq(kesu_text_check("witness", "Müller-Lüdenscheidt 😀", &eb), 0);
	ck_assert_int_eq(kesu_text_check("witness", "", &eb), 0);
	ck_assert_int_eq(kesu_text_check("witness", NULL, &eb), 0);
}
END_TEST

START_TEST(test_text_escape)
{
	static const struct { const char *in; size_t len; const char *out; } cases[] = {
		{ "plain 山田", 12, "plain 山田" },
		{ "A\nFAKE", 6, "A\\x0aFAKE" },
		{ "\x1b[2J", 4, "\\x1b[2J" },
		{ "abc\xe2\x80\xae" "x", 7, "abc\\u202ex" },
		{ "C1\xc2\x9b", 4, "C1\\u009b" },
		{ "bad\xff", 4, "bad\\xff" },
		{ "nul\0x", 5, "nul\\x00x" },
		{ "back\\slash", 10, "back\\\\slash" },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *e = kesu_text_escape_buf(cases[i].in, cases[i].len);

		ck_assert_ptr_nonnull(e);
		ck_assert_str_eq(e, cases[i].out);
		free(e);
	}
}
END_TEST

START_TEST(test_id_one_rule)
{
	struct kesu_errbuf eb;
	char *id32 = ascii(KESU_ID_MAX, '7'), *id33 = ascii(KESU_ID_MAX + 1, '7');

	ck_assert(kesu_id_valid("M2026000042"));
	ck_assert(kesu_id_valid(id32));
	ck_assert(!kesu_id_valid(id33));
	ck_assert(!kesu_id_valid(""));
	ck_assert(!kesu_id_valid("m1"));
	ck_assert_int_eq(kesu_id_check("media ID", id33, &eb), -KESU_E_TOO_LONG);
	ck_assert_ptr_nonnull(strstr(eb.msg, "at most 32"));
	ck_assert_int_eq(kesu_id_check("media ID", "m-1", &eb), -KESU_E_BAD_INPUT);
	ck_assert_ptr_nonnull(strstr(eb.msg, "\"M-1\""));
	ck_assert_int_eq(kesu_id_check("media ID", "M\n1", &eb), -KESU_E_BAD_INPUT);
	ck_assert_ptr_null(strchr(eb.msg, '\n'));
	free(id32);
	free(id33);
}
END_TEST

START_TEST(test_parse_numbers_strict)
{
	static const char *const bad[] = {
		" 5", "+5", "5 ", "5x", "x5", "", "-5", "0x10", "5.0", "1e3", "٥",
		"99999999999999999999999", "18446744073709551616",
	};
	uint64_t v;
	unsigned u;
	long l;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		ck_assert_msg(kesu_parse_u64(bad[i], 0, UINT64_MAX, &v) < 0, "'%s' accepted", bad[i]);
	ck_assert_int_eq(kesu_parse_u64("18446744073709551615", 0, UINT64_MAX, &v), 0);
	ck_assert(v == UINT64_MAX);
	ck_assert_int_eq(kesu_parse_u64("18446744073709551616", 0, UINT64_MAX, &v), -ERANGE);
	ck_assert_int_eq(kesu_parse_uint("5", 1, 16, &u), 0);
	ck_assert_uint_eq(u, 5);
	ck_assert_int_eq(kesu_parse_uint("0", 1, 16, &u), -ERANGE);
	ck_assert_int_eq(kesu_parse_uint("17", 1, 16, &u), -ERANGE);
	ck_assert_int_eq(kesu_parse_uint("4294967296", 1, 16, &u), -ERANGE);
	ck_assert_int_eq(kesu_parse_long("007", 1, 36500, &l), 0);
	ck_assert_int_eq(l, 7);
	ck_assert_int_eq(kesu_parse_ms("0.5", 3600000, &v), 0);
	ck_assert(v == 500);
	ck_assert_int_eq(kesu_parse_ms("2", 3600000, &v), 0);
	ck_assert(v == 2000);
	ck_assert_int_eq(kesu_parse_ms("1.25", 3600000, &v), 0);
	ck_assert(v == 1250);
	ck_assert_int_lt(kesu_parse_ms(" 1", 3600000, &v), 0);
	ck_assert_int_lt(kesu_parse_ms("1.", 3600000, &v), 0);
	ck_assert_int_lt(kesu_parse_ms(".5", 3600000, &v), 0);
	ck_assert_int_lt(kesu_parse_ms("1.2345", 3600000, &v), 0);
	ck_assert_int_lt(kesu_parse_ms("3601", 3600000, &v), 0);
	ck_assert_int_lt(kesu_parse_ms("nan", 3600000, &v), 0);
}
END_TEST

START_TEST(test_parse_date_calendar)
{
	static const char *const bad[] = {
		"2026-02-30", "2026-02-29", "2026-04-31", "2026-13-01", "2026-00-10", "2026-01-00",
		"1899-12-31", "2026-1-5x", "2026/01-05", " 2026-01-05", "2026-01-05 ", "26-01-05",
		"2026-001-05", "", "2026--01",
	};
	char out[11];
	int y, m, d;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		ck_assert_msg(kesu_parse_date(bad[i], out, NULL, NULL, NULL) == -EINVAL,
			      "'%s' accepted", bad[i]);
	ck_assert_int_eq(kesu_parse_date("2028-02-29", out, &y, &m, &d), 0);
	ck_assert_str_eq(out, "2028-02-29");
	ck_assert_int_eq(kesu_parse_date("2000-02-29", out, NULL, NULL, NULL), 0);
	ck_assert_int_eq(kesu_parse_date("1900-02-29", out, NULL, NULL, NULL), -EINVAL);
	ck_assert_int_eq(kesu_parse_date("2026/1/5", out, &y, &m, &d), 0);
	ck_assert_str_eq(out, "2026-01-05");
	ck_assert_int_eq(y * 10000 + m * 100 + d, 20260105);
}
END_TEST

START_TEST(test_open_regular_refuses_fifo_quickly)
{
	char fifo[512], dir[512], file[512], *data = NULL;
	struct kesu_errbuf eb;
	FILE *f = NULL;
	int fd;

	snprintf(fifo, sizeof(fifo), "%s/fifo", tu_tmpdir());
	snprintf(dir, sizeof(dir), "%s/d", tu_tmpdir());
	snprintf(file, sizeof(file), "%s/f", tu_tmpdir());
	ck_assert_int_eq(mkfifo(fifo, 0600), 0);
	ck_assert_int_eq(mkdir(dir, 0700), 0);
	ck_assert_int_eq(tu_write_file(file, "x", 1), 0);
	alarm(10);   /* a hang here is the bug */
	ck_assert_int_eq(kesu_open_regular(fifo, NULL, &eb), -KESU_E_BAD_INPUT);
	ck_assert_ptr_nonnull(strstr(eb.msg, "not a regular file (a FIFO)"));
	ck_assert_int_eq(kesu_read_file(fifo, 1024, &data, NULL, &eb), -KESU_E_BAD_INPUT);
	ck_assert_int_eq(kesu_fopen_regular(fifo, &f, &eb), -KESU_E_BAD_INPUT);
	ck_assert_ptr_null(f);
	ck_assert_int_eq(kesu_open_regular(dir, NULL, &eb), -KESU_E_BAD_INPUT);
	ck_assert_ptr_nonnull(strstr(eb.msg, "a directory"));
	ck_assert_int_eq(kesu_open_regular("/dev/null", NULL, &eb), -KESU_E_BAD_INPUT);
	ck_assert_ptr_nonnull(strstr(eb.msg, "a character device"));
	alarm(0);
	fd = kesu_open_regular(file, NULL, &eb);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(fcntl(fd, F_GETFL) & O_NONBLOCK, 0);
	close(fd);
	ck_assert_int_eq(kesu_open_regular("/nonexistent/x", NULL, &eb), -ENOENT);
}
END_TEST

START_TEST(test_config_values_checked)
{
	char path[512], *text, *a10k = ascii(10000, 'A');
	struct kesu_config *cfg = NULL;
	struct kesu_errbuf eb;
	size_t n;

	snprintf(path, sizeof(path), "%s/k.conf", tu_tmpdir());
	/* a long value is refused whole, naming the line, the field and the limit */
	n = strlen(a10k) + 64;
	text = malloc(n);
	ck_assert_ptr_nonnull(text);
	snprintf(text, n, "[operator]\nname = %s\n", a10k);
	ck_assert_int_eq(tu_write_file(path, text, strlen(text)), 0);
	ck_assert_int_eq(kesu_config_load(path, &cfg, &eb), -KESU_E_TOO_LONG);
	ck_assert_ptr_nonnull(strstr(eb.msg, ":2: [operator] name is 10000 characters"));
	ck_assert_ptr_nonnull(strstr(eb.msg, "limit is 64"));
	/* a control character, and an override */
	ck_assert_int_eq(tu_write_file(path, "[contract]\nname = A\x1b[2JB\n", 25), 0);
	ck_assert_int_eq(kesu_config_load(path, &cfg, &eb), -KESU_E_BAD_INPUT);
	ck_assert_ptr_nonnull(strstr(eb.msg, "U+001B"));
	ck_assert_int_eq(tu_write_file(path, "[operator]\nname = \xe2\x80\xae\xe9\x83\x8e\n", 25), 0);
	ck_assert_int_eq(kesu_config_load(path, &cfg, &eb), -KESU_E_BAD_INPUT);
	ck_assert_ptr_nonnull(strstr(eb.msg, "U+202E"));
	/* a NUL in the file */
	ck_assert_int_eq(tu_write_file(path, "[operator]\n\nname = A\0B\n", 23), 0);
	ck_assert_int_eq(kesu_config_load(path, &cfg, &eb), -KESU_E_BAD_INPUT);
	ck_assert_ptr_nonnull(strstr(eb.msg, ":3: a NUL"));
	/* 43 kanji fit; a CRLF line end is not part of the value */
	free(text);
	text = kanji(43);
	{
		char line[300];

		snprintf(line, sizeof(line), "[operator]\r\nname = %s\r\n", text);
		ck_assert_int_eq(tu_write_file(path, line, strlen(line)), 0);
	}
	ck_assert_int_eq(kesu_config_load(path, &cfg, &eb), 0);
	ck_assert_str_eq(kesu_config_get(cfg, "operator", "name"), text);
	/* the same rules for a value set from an option */
	ck_assert_int_eq(kesu_config_set(cfg, "operator", "name", a10k), -KESU_E_TOO_LONG);
	ck_assert_int_eq(kesu_config_set(cfg, "sanitization", "notes", "a\nb"), -KESU_E_BAD_INPUT);
	ck_assert_int_eq(kesu_config_check("operator", "name", "A\nFAKE", "--operator", &eb),
			 -KESU_E_BAD_INPUT);
	ck_assert_ptr_nonnull(strstr(eb.msg, "--operator contains a control character"));
	ck_assert_str_eq(kesu_config_get(cfg, "operator", "name"), text);
	kesu_config_free(cfg);
	/* /dev/null is no configuration; a FIFO is refused at once */
	ck_assert_int_eq(kesu_config_load("/dev/null", &cfg, &eb), 0);
	ck_assert_ptr_null(kesu_config_get(cfg, "operator", "name"));
	kesu_config_free(cfg);
	snprintf(path, sizeof(path), "%s/fifo.conf", tu_tmpdir());
	ck_assert_int_eq(mkfifo(path, 0600), 0);
	alarm(10);
	ck_assert_int_eq(kesu_config_load(path, &cfg, &eb), -KESU_E_BAD_INPUT);
	alarm(0);
	ck_assert_ptr_nonnull(strstr(eb.msg, "a FIFO"));
	free(text);
	free(a10k);
}
END_TEST

int main(void)
{
	const struct tu_case cases[] = {
		{ "text_limit", test_text_limit_in_characters },
		{ "text_refused", test_text_refuses_controls_bidi_bad_utf8 },
		{ "text_escape", test_text_escape },
		{ "id_rule", test_id_one_rule },
		{ "numbers", test_parse_numbers_strict },
		{ "dates", test_parse_date_calendar },
		{ "open_regular", test_open_regular_refuses_fifo_quickly },
		{ "config_values", test_config_values_checked },
	};
	Suite *s = suite_create("input");

	TU_ADD_CASES(s, cases, 60);
	return tu_main(s);
}
