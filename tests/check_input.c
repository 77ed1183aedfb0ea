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
#include <jansson.h>
#include <limits.h>
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

/* Test paths live under a short scratch directory; truncation cannot happen. */
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wformat-truncation"
#endif

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

/* ---- the commands ---------------------------------------------------------- */

/* How many hostile inputs the command-level tests below tried (README, Reliability). */
static unsigned tried;

/*
 * Run kesu with a shell fragment of arguments under `timeout 10`, stdin
 * /dev/null, in the scratch directory: it must end by itself (a FIFO must
 * never make it wait), fail, and say `says` on stderr.
 */
static void refused(const char *args, const char *says)
{
	char *out = tu_sh_out("cd '%s' && timeout 10 '%s' %s </dev/null 2>&1 >/dev/null; "
			      "echo \"rc=$?\"", tu_tmpdir(), tu_kesu_bin(), args);

	tried++;
	ck_assert_ptr_nonnull(out);
	ck_assert_msg(!strstr(out, "rc=124"), "kesu %s: hung (killed after 10 s)", args);
	ck_assert_msg(!strstr(out, "rc=0\n"), "kesu %s: accepted: %s", args, out);
	ck_assert_msg(strstr(out, says), "kesu %s: does not say '%s': %s", args, says, out);
	ck_assert_msg(!strchr(out, '\x1b'), "kesu %s: printed a raw ESC: %s", args, out);
	free(out);
}

static json_t *load_json(const char *path)
{
	json_t *j = json_load_file(path, 0, NULL);

	ck_assert_msg(j != NULL, "cannot load %s", path);
	return j;
}

static const char *jstr(const json_t *o, const char *a, const char *b, const char *c)
{
	const json_t *v = json_object_get(o, a);

	if (b)
		v = json_object_get(v, b);
	if (c)
		v = json_object_get(v, c);
	return json_is_string(v) ? json_string_value(v) : "(missing)";
}

/* The first CERT-ID.json in dir into path. */
static void find_cert(const char *dir, char *path, size_t len)
{
	char *s = tu_sh_out("ls '%s'/KC-*.json 2>/dev/null | head -1", dir);

	ck_assert_msg(s && s[0], "no certificate in %s", dir);
	s[strcspn(s, "\n")] = '\0';
	snprintf(path, len, "%s", s);
	free(s);
}

/*
 * Names through a real wipe and certificate: 43 kanji (129 bytes) reach the
 * record and the signed certificate whole, and the signature verifies with
 * stock openssl; a 10,000-character name and names with control or bidi
 * characters are refused before the image is touched.
 */
START_TEST(test_wipe_names)
{
	static const char *const bad[][2] = {
		{ "A\nFAKE: ERASED", "U+000A" },
		{ "\x1b[2J\x1b[31mERASED", "U+001B" },
		{ "A\xe2\x80\xae" "DESAR", "U+202E" },
		{ "A\xe2\x81\xa6" "B", "U+2066" },
		{ "A\xc2\x9b" "31m", "U+009B" },
		{ "\xff\xfe", "not valid UTF-8" },
	};
	char img[PATH_MAX], out[PATH_MAX], cert[PATH_MAX], dir[PATH_MAX], *k43, *a10k, *arg;
	struct tu_pki pki;
	struct tu_result r;
	json_t *doc;

	snprintf(dir, sizeof(dir), "%s/pki", tu_tmpdir());
	ck_assert_int_eq(mkdir(dir, 0700), 0);
	tu_make_pki(dir, "/CN=Input Root", "/CN=Input Station", &pki);
	snprintf(out, sizeof(out), "%s/out", tu_tmpdir());
	ck_assert_int_eq(mkdir(out, 0700), 0);
	ck_assert_int_eq(tu_image_create(4u << 20, img, sizeof(img)), 0);
	ck_assert_int_eq(tu_sh("printf 'KEEP' | dd of='%s' bs=1 seek=4096 conv=notrunc 2>/dev/null",
			       img), 0);
	k43 = kanji(43);
	a10k = ascii(10000, 'A');

	/* refused up front: the image keeps its bytes, no record is written */
	arg = malloc(strlen(a10k) + 16);
	ck_assert_ptr_nonnull(arg);
	ck_assert_int_eq(tu_kesu(&r, "wipe", img, "--yes", "--quiet", "--out", out, "--config",
				 "/dev/null", "--no-cert", "--operator", a10k, NULL), 0);
	tried++;
	ck_assert_int_ne(r.status, 0);
	ck_assert_msg(strstr(r.err, "--operator is 10000 characters long; the limit is 64 "
			     "characters"), "%s", r.err);
	tu_result_free(&r);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		ck_assert_int_eq(tu_kesu(&r, "wipe", img, "--yes", "--quiet", "--out", out,
					 "--config", "/dev/null", "--no-cert", "--operator", bad[i][0],
					 NULL), 0);
		tried++;
		ck_assert_int_ne(r.status, 0);
		ck_assert_msg(strstr(r.err, bad[i][1]) && strstr(r.err, "--operator"), "case %zu: %s",
			      i, r.err);
		tu_result_free(&r);
		ck_assert_int_eq(tu_kesu(&r, "wipe", img, "--yes", "--quiet", "--out", out,
					 "--config", "/dev/null", "--no-cert", "--witness", bad[i][0],
					 NULL), 0);
		tried++;
		ck_assert_int_ne(r.status, 0);
		ck_assert_msg(strstr(r.err, bad[i][1]) && strstr(r.err, "--witness"), "case %zu: %s",
			      i, r.err);
		tu_result_free(&r);
	}
	ck_assert_int_eq(tu_sh("dd if='%s' bs=1 skip=4096 count=4 2>/dev/null | grep -q KEEP", img), 0);
	ck_assert_int_eq(tu_sh("ls '%s' | grep -q .", out), 1);

	/* 43 kanji: the whole name in the record and the signed certificate */
	ck_assert_int_eq(tu_kesu(&r, "wipe", img, "--yes", "--quiet", "--pattern", "zero",
				 "--verify", "full", "--out", out, "--config", "/dev/null", "--key",
				 pki.key, "--signer-cert", pki.cert, "--operator", k43, "--witness", k43,
				 NULL), 0);
	ck_assert_msg(r.status == 0, "exit %d: %s", r.status, r.err);
	tu_result_free(&r);
	find_cert(out, cert, sizeof(cert));
	doc = load_json(cert);
	ck_assert_str_eq(jstr(doc, "nist", "person", "name"), k43);
	ck_assert_str_eq(jstr(doc, "record", "operator", NULL), k43);
	ck_assert_str_eq(jstr(doc, "record", "witness", NULL), k43);
	json_decref(doc);
	ck_assert_int_eq(tu_sh("openssl cms -verify -binary -inform PEM -in '%s.p7s' -content '%s' "
			       "-CAfile '%s' -out /dev/null 2>/dev/null", cert, cert, pki.root), 0);

	/* kesu cert issue takes the same rules */
	ck_assert_int_eq(tu_kesu(&r, "cert", "issue", cert, "--config", "/dev/null", "--operator",
				 a10k, NULL), 0);
	tried++;
	ck_assert_ptr_nonnull(strstr(r.err, "--operator is 10000 characters long; the limit is 64"));
	tu_result_free(&r);
	ck_assert_int_eq(tu_kesu(&r, "cert", "issue", cert, "--config", "/dev/null", "--notes",
				 "line one\nFAKE: ERASED", NULL), 0);
	tried++;
	ck_assert_ptr_nonnull(strstr(r.err, "--notes contains a control character (U+000A"));
	tu_result_free(&r);
	free(arg);
	free(k43);
	free(a10k);
}
END_TEST

/*
 * A hand-made certificate with escapes in its strings: kesu cert show and
 * cert verify print them escaped, never raw.
 */
START_TEST(test_cert_show_escapes)
{
	static const char cert_text[] =
		"{\"certificate_id\":\"KC-20261205-0000ABCD\",\"certificate_version\":1,"
		"\"issued_at\":\"2026-12-05T00:00:00Z\",\"outcome\":\"ERASED\","
		"\"nist\":{\"person\":{\"name\":\"A\\u001b[2J\\u001b[31mB\\u202eC\\nFAKE: ERASED\","
		"\"title\":\"\",\"organisation\":\"\\u0085x\\u2066y\",\"location\":\"\",\"contact\":\"\"},"
		"\"media\":{\"make\":\"\",\"model\":\"\",\"serial\":\"S\\u001b]0;owned\\u0007\","
		"\"property_id\":\"\",\"type\":\"\",\"source\":\"\",\"classification\":\"\","
		"\"data_backed_up\":\"\",\"backup_location\":\"\"},"
		"\"sanitization\":{\"category\":\"\",\"method\":\"\",\"details\":\"\",\"tool\":\"\","
		"\"tool_version\":\"\",\"verification_method\":\"\",\"verification_result\":\"\","
		"\"post_classification\":\"\",\"notes\":\"\"},\"destination\":\"\","
		"\"validation\":{\"name\":\"\",\"title\":\"\",\"organisation\":\"\",\"location\":\"\","
		"\"contact\":\"\",\"date\":\"\",\"signature\":\"\"}},"
		"\"contract\":{\"name\":\"\",\"client\":\"\",\"contractor\":\"\"},\"host\":{},"
		"\"record\":{},\"record_sha256\":\"\","
		"\"signer\":{\"subject\":\"\",\"fingerprint\":\"\"}}";
	char path[PATH_MAX];
	struct tu_result r;

	snprintf(path, sizeof(path), "%s/KC-20261205-0000ABCD.json", tu_tmpdir());
	ck_assert_int_eq(tu_write_file(path, cert_text, strlen(cert_text)), 0);
	ck_assert_int_eq(tu_kesu(&r, "cert", "show", path, NULL), 0);
	tried++;
	if (r.status == 0) {
		ck_assert_ptr_null(strchr(r.out, '\x1b'));
		ck_assert_ptr_null(strchr(r.out, '\x07'));
		ck_assert_ptr_null(strstr(r.out, "\xe2\x80\xae"));
		ck_assert_ptr_null(strstr(r.out, "\xe2\x81\xa6"));
		ck_assert_ptr_null(strstr(r.out, "\xc2\x85"));
		ck_assert_ptr_null(strstr(r.out, "\nFAKE"));
		ck_assert_msg(strstr(r.out, "A\\x1b[2J\\x1b[31mB\\u202eC\\x0aFAKE: ERASED"), "%s",
			      r.out);
		ck_assert_ptr_nonnull(strstr(r.out, "\\u0085x\\u2066y"));
		ck_assert_ptr_nonnull(strstr(r.out, "S\\x1b]0;owned\\x07"));
	} else {
		/* a parser that refuses the file must not print it raw either */
		ck_assert_ptr_null(strchr(r.err, '\x1b'));
	}
	tu_result_free(&r);
	ck_assert_int_eq(tu_kesu(&r, "cert", "verify", path, "--ca", "/nonexistent.pem", NULL), 0);
	tried++;
	ck_assert_int_ne(r.status, 0);
	ck_assert_ptr_null(strchr(r.out, '\x1b'));
	ck_assert_ptr_null(strchr(r.err, '\x1b'));
	ck_assert_ptr_null(strstr(r.out, "\xe2\x80\xae"));
	tu_result_free(&r);
}
END_TEST

/* Every file option given a FIFO: refused at once, naming it, never waiting on it. */
START_TEST(test_fifo_for_each_file_option)
{
	char dir[PATH_MAX], cert[PATH_MAX], out[PATH_MAX], img[PATH_MAX], args[8192];
	char rec[PATH_MAX];
	struct tu_pki pki;
	struct tu_result r;

	snprintf(dir, sizeof(dir), "%s/pki", tu_tmpdir());
	ck_assert_int_eq(mkdir(dir, 0700), 0);
	tu_make_pki(dir, "/CN=Fifo Root", "/CN=Fifo Station", &pki);
	snprintf(out, sizeof(out), "%s/out", tu_tmpdir());
	ck_assert_int_eq(mkdir(out, 0700), 0);
	ck_assert_int_eq(tu_image_create(1u << 20, img, sizeof(img)), 0);
	ck_assert_int_eq(tu_kesu(&r, "wipe", img, "--yes", "--quiet", "--pattern", "zero",
				 "--verify", "none", "--out", out, "--config", "/dev/null", "--key",
				 pki.key, "--signer-cert", pki.cert, NULL), 0);
	tu_result_free(&r);
	find_cert(out, cert, sizeof(cert));
	snprintf(rec, sizeof(rec), "%s/tests/fixtures/record-overwrite.json", tu_srcdir());
	ck_assert_int_eq(tu_sh("cd '%s' && mkfifo f.json f.pem f.key f.conf f.csv f.pass f.record "
			       "f.journal f.csr f.tpl && mkdir c && cp '%s' c/KC-1.json && "
			       "mkfifo c/KC-1.json.p7s", tu_tmpdir(), cert), 0);

	refused("cert verify f.json", "f.json: not a regular file (a FIFO)");
	refused("cert show f.json", "f.json: not a regular file (a FIFO)");
	refused("cert pdf f.json", "not a regular file (a FIFO)");
	refused("cert timestamp-request c/KC-1.json", "KC-1.json.p7s: not a regular file (a FIFO)");
	refused("cert issue f.record --config /dev/null", "f.record: not a regular file");
	snprintf(args, sizeof(args), "cert verify '%s' --ca f.pem", cert);
	refused(args, "f.pem: not a regular file (a FIFO)");
	refused("cert verify c/KC-1.json --ca /dev/null", "not a regular file");
	snprintf(args, sizeof(args), "cert verify c/KC-1.json --ca '%s'", pki.root);
	refused(args, "KC-1.json.p7s: not a regular file (a FIFO)");
	snprintf(args, sizeof(args), "cert issue '%s' --config f.conf", rec);
	refused(args, "f.conf: not a regular file (a FIFO)");
	snprintf(args, sizeof(args), "cert issue '%s' --out c --config /dev/null --key f.key "
		 "--cert '%s'", rec, pki.cert);
	refused(args, "f.key: not a regular file (a FIFO)");
	snprintf(args, sizeof(args), "cert issue '%s' --out c --config /dev/null --key /dev/null "
		 "--cert '%s'", rec, pki.cert);
	refused(args, "/dev/null: not a regular file (a character device)");
	snprintf(args, sizeof(args), "cert issue '%s' --out c --config /dev/null --key '%s' "
		 "--cert f.pem", rec, pki.key);
	refused(args, "f.pem: not a regular file (a FIFO)");
	snprintf(args, sizeof(args), "cert issue '%s' --out c --config /dev/null --key '%s' "
		 "--cert '%s' --chain f.pem", rec, pki.key, pki.cert);
	refused(args, "f.pem: not a regular file (a FIFO)");
	snprintf(args, sizeof(args), "cert issue '%s' --out c --config /dev/null --key '%s' "
		 "--cert '%s' --passphrase-file f.pass", rec, pki.key, pki.cert);
	refused(args, "f.pass: not a regular file (a FIFO)");
	snprintf(args, sizeof(args), "wipe '%s' --yes --quiet --out c --config f.conf", img);
	refused(args, "f.conf: not a regular file (a FIFO)");
	snprintf(args, sizeof(args), "wipe '%s' --yes --quiet --out c --config /dev/null --key f.key "
		 "--signer-cert '%s'", img, pki.cert);
	refused(args, "f.key: not a regular file (a FIFO)");
	refused("wipe --resume f.journal --yes --quiet", "f.journal: not a regular file (a FIFO)");
	refused("key show f.pem", "f.pem: not a regular file (a FIFO)");
	snprintf(args, sizeof(args), "ca sign f.csr --dir '%s'", pki.ca_dir);
	refused(args, "f.csr: not a regular file (a FIFO)");
	refused("ledger --db k.db --operator 'A B' import f.csv", "f.csv: not a regular file (a FIFO)");
	refused("ledger --db k.db --config f.conf list", "f.conf: not a regular file (a FIFO)");
	refused("ledger --db f.json list", "not a regular file");
	refused("ledger --db k.db --operator 'A B' attach-cert f.json --ca f.pem",
		"not a regular file (a FIFO)");
	refused("label -t f.tpl -m M-1 -o l.png", "f.tpl");
	refused("label -t drive-ql62 --cert f.json -o l.png", "f.json: not a regular file (a FIFO)");
	refused("unlock /dev/null --record f.record --dry-run", "not a regular file");
}
END_TEST

/* One strict number parser behind every numeric option. */
START_TEST(test_numbers_every_option)
{
	static const char *const bad[] = { "' 5'", "'+5'", "5x", "'5 '", "''", "-5", "0x5",
					   "99999999999999999999" };
	char img[PATH_MAX], args[PATH_MAX + 256];

	ck_assert_int_eq(tu_image_create(1u << 20, img, sizeof(img)), 0);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(args, sizeof(args), "wipe '%s' --dry-run --passes %s", img, bad[i]);
		refused(args, "--passes");
		snprintf(args, sizeof(args), "wipe '%s' --dry-run --threads %s", img, bad[i]);
		refused(args, "--threads");
		snprintf(args, sizeof(args), "wipe '%s' --dry-run --stall-timeout %s", img, bad[i]);
		refused(args, "--stall-timeout");
		snprintf(args, sizeof(args), "wipe '%s' --dry-run --chunk %s", img, bad[i]);
		refused(args, "--chunk");
		snprintf(args, sizeof(args), "verify '%s' --expect zero --seed %s", img, bad[i]);
		refused(args, "--seed");
		snprintf(args, sizeof(args), "ca init --dir ca%zu --days %s", i, bad[i]);
		refused(args, "--days");
		snprintf(args, sizeof(args), "key init --dir st%zu --days %s", i, bad[i]);
		refused(args, "--days");
		snprintf(args, sizeof(args), "label -t drive-ql62 -m M-1 -o l.png --count %s", bad[i]);
		refused(args, "--count");
		snprintf(args, sizeof(args), "ledger --db k.db --wait %s list", bad[i]);
		refused(args, "--wait");
		snprintf(args, sizeof(args), "report --db k.db completion -o r.pdf --plan %s", bad[i]);
		refused(args, "--plan");
	}
	refused("wipe x --dry-run --passes 101", "--passes");
	refused("wipe x --dry-run --passes 0", "--passes");
	refused("ledger --db k.db --wait 1.2345 list", "--wait");
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
		{ "wipe_names", test_wipe_names },
		{ "cert_show_escapes", test_cert_show_escapes },
		{ "fifo_options", test_fifo_for_each_file_option },
		{ "numbers_options", test_numbers_every_option },
	};
	Suite *s = suite_create("input");

	TU_ADD_CASES(s, cases, 240);
	return tu_main(s);
}
