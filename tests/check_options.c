/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * One option vocabulary (src/cli/cli_options.h, kesu(8) COMMON OPTIONS):
 * -c FILE is the configuration in every command that reads one, the
 * spellings that shipped before still work, -c naming what it used to take
 * says so, and kesu wipe and kesu cert issue say on stderr which key and
 * certificate they sign with (never on the --json stdout).
 */
#include "overwrite_helpers.h"

#include <locale.h>
#include <wchar.h>

#define DEV_SIZE (16 * MiB)

struct station {
	char dir[PATH_MAX], key[PATH_MAX + 16], cert[PATH_MAX + 16], bad[PATH_MAX + 16];
	char record[PATH_MAX + 16], out[PATH_MAX + 16];
};

static void run_ok(struct tu_result *r)
{
	ck_assert_msg(r->status == 0, "exit %d\nstdout: %s\nstderr: %s", r->status, r->out, r->err);
}

/* A self-signed signer in a directory of its own, a bad configuration, the fixture record. */
static void station(struct station *s)
{
	char src[PATH_MAX];
	struct tu_result r;

	snprintf(s->dir, sizeof(s->dir), "%s/st", tu_tmpdir());
	snprintf(s->key, sizeof(s->key), "%s/signer.key", s->dir);
	snprintf(s->cert, sizeof(s->cert), "%s/signer.pem", s->dir);
	snprintf(s->bad, sizeof(s->bad), "%s/bad.conf", tu_tmpdir());
	snprintf(s->record, sizeof(s->record), "%s/R.record.json", tu_tmpdir());
	snprintf(s->out, sizeof(s->out), "%s/certs", tu_tmpdir());
	ck_assert_int_eq(mkdir(s->out, 0700), 0);
	ck_assert_int_eq(tu_kesu(&r, "key", "init", "--dir", s->dir, "--subject", "/CN=Options Test",
				 "--config", "/dev/null", NULL), 0);
	run_ok(&r);
	tu_result_free(&r);
	ck_assert_int_eq(tu_kesu(&r, "key", "self-sign", "--dir", s->dir, "--config", "/dev/null",
				 NULL), 0);
	run_ok(&r);
	tu_result_free(&r);
	ck_assert_int_eq(tu_write_file(s->bad, "this is not a configuration\n", 28), 0);
	snprintf(src, sizeof(src), "%s/tests/fixtures/record-overwrite.json", tu_srcdir());
	ck_assert_int_eq(tu_sh("cp '%s' '%s'", src, s->record), 0);
}

/* The command read bad.conf as its configuration: it refused naming the line. */
static void ck_read_config(struct tu_result *r, const struct station *s, const char *what)
{
	char want[PATH_MAX + 32];

	snprintf(want, sizeof(want), "%s:1: expected", s->bad);
	ck_assert_msg(r->status != 0, "%s: exit 0 with -c naming a bad configuration", what);
	ck_assert_msg(strstr(r->err, want), "%s: -c was not read as the configuration: %s", what,
		      r->err);
	tu_result_free(r);
}

START_TEST(test_options_c_is_config_everywhere)
{
	char db[PATH_MAX + 16], pdf[PATH_MAX + 16], png[PATH_MAX + 16], cert[PATH_MAX + 64];
	struct station s;
	struct tu_result r;

	station(&s);
	snprintf(db, sizeof(db), "%s/kesu.db", tu_tmpdir());
	snprintf(pdf, sizeof(pdf), "%s/r.pdf", tu_tmpdir());
	snprintf(png, sizeof(png), "%s/l.png", tu_tmpdir());
	snprintf(cert, sizeof(cert), "%s/tests/fixtures/KC-20261125-3F9A2B1C.json", tu_srcdir());
	tu_kesu(&r, "cert", "issue", s.record, "-c", s.bad, "--out", s.out, NULL);
	ck_read_config(&r, &s, "cert issue");
	tu_kesu(&r, "cert", "verify", cert, "-c", s.bad, NULL);
	ck_read_config(&r, &s, "cert verify");
	tu_kesu(&r, "key", "show", "--dir", s.dir, "-c", s.bad, NULL);
	ck_read_config(&r, &s, "key show");
	tu_kesu(&r, "label", "-t", "ql-29", "--cert", cert, "-o", png, "-c", s.bad, NULL);
	ck_read_config(&r, &s, "label");
	tu_kesu(&r, "ledger", "-c", s.bad, "--db", db, "list", NULL);
	ck_read_config(&r, &s, "ledger");
	tu_kesu(&r, "work", "-c", s.bad, "--db", db, "list", NULL);
	ck_read_config(&r, &s, "work");
	tu_kesu(&r, "staff", "-c", s.bad, "--db", db, "list", NULL);
	ck_read_config(&r, &s, "staff");
	tu_kesu(&r, "report", "completion", "-c", s.bad, "--db", db, "-o", pdf, NULL);
	ck_read_config(&r, &s, "report");
	tu_kesu(&r, "clock", "-c", s.bad, NULL);
	ck_read_config(&r, &s, "clock");
	/* the long spelling is the same option */
	tu_kesu(&r, "label", "-t", "ql-29", "--cert", cert, "-o", png, "--config", s.bad, NULL);
	ck_read_config(&r, &s, "label --config");
}
END_TEST

START_TEST(test_options_c_is_config_in_wipe)
{
	char dev[64], img[PATH_MAX], out[PATH_MAX], before[80], after[80];
	struct station s;
	struct tu_result r;

	if (tu_skip_unless_root(__func__))
		return;
	station(&s);
	ck_assert_int_eq(tu_loop_create(DEV_SIZE, dev, sizeof(dev), img, sizeof(img)), 0);
	ow_out_dir(out, sizeof(out));
	ow_fill_urandom(dev, DEV_SIZE);
	ow_sha256(dev, before, sizeof(before));
	tu_kesu(&r, "wipe", dev, "--yes", "--quiet", "--out", out, "-c", s.bad, NULL);
	ck_read_config(&r, &s, "wipe");
	ow_sha256(dev, after, sizeof(after));
	ck_assert_str_eq(before, after);
}
END_TEST

/* Spellings that shipped keep working: cert issue --cert, label --cert, and -J for --json. */
START_TEST(test_options_old_spellings)
{
	char cert[PATH_MAX + 64], png[PATH_MAX + 16];
	struct station s;
	struct tu_result r;
	json_t *doc;

	station(&s);
	ck_assert_int_eq(tu_kesu(&r, "cert", "issue", s.record, "--out", s.out, "--key", s.key,
				 "--cert", s.cert, "--config", "/dev/null", "--no-pdf", "-J", NULL), 0);
	run_ok(&r);
	doc = json_loads(r.out, 0, NULL);
	ck_assert_ptr_nonnull(doc);
	ck_assert_ptr_nonnull(json_string_value(json_object_get(doc, "certificate_id")));
	json_decref(doc);
	tu_result_free(&r);
	ck_assert_int_eq(tu_kesu(&r, "cert", "issue", s.record, "--out", s.out, "--key", s.key,
				 "--signer-cert", s.cert, "-c", "/dev/null", "--no-pdf", NULL), 0);
	run_ok(&r);
	tu_result_free(&r);
	snprintf(cert, sizeof(cert), "%s/tests/fixtures/KC-20261125-3F9A2B1C.json", tu_srcdir());
	snprintf(png, sizeof(png), "%s/l.png", tu_tmpdir());
	ck_assert_int_eq(tu_kesu(&r, "label", "-t", "ql-29", "--cert", cert, "-o", png, "-J",
				 "-c", "/dev/null", NULL), 0);
	run_ok(&r);
	doc = json_loads(r.out, 0, NULL);
	ck_assert_msg(doc, "label -J printed no JSON: %s", r.out);
	json_decref(doc);
	tu_result_free(&r);
	ck_assert_int_eq(access(png, F_OK), 0);
}
END_TEST

/* -c naming what it meant before (cert: the root; label: a certificate) says what to use now. */
START_TEST(test_options_c_old_meaning_hint)
{
	char cert[PATH_MAX + 64], png[PATH_MAX + 16];
	struct station s;
	struct tu_result r;

	station(&s);
	snprintf(cert, sizeof(cert), "%s/tests/fixtures/KC-20261125-3F9A2B1C.json", tu_srcdir());
	snprintf(png, sizeof(png), "%s/l.png", tu_tmpdir());
	ck_assert_int_eq(tu_kesu(&r, "cert", "verify", cert, "-c", s.cert, NULL), 0);
	ck_assert_int_eq(r.status, 11);
	ck_assert_msg(strstr(r.err, "-c is --config") && strstr(r.err, "--ca"), "%s", r.err);
	tu_result_free(&r);
	ck_assert_int_eq(tu_kesu(&r, "label", "-t", "ql-29", "-c", cert, "-o", png, NULL), 0);
	ck_assert_int_ne(r.status, 0);
	ck_assert_msg(strstr(r.err, "-c is --config") && strstr(r.err, "--cert"), "%s", r.err);
	tu_result_free(&r);
	ck_assert_int_ne(access(png, F_OK), 0);
}
END_TEST

/* cert issue names its key and certificate on stderr; the --json stdout stays JSON alone. */
START_TEST(test_options_signing_notice_cert_issue)
{
	char want[2 * PATH_MAX + 96], env_dir[PATH_MAX + 16];
	const char *env[2] = { env_dir, NULL };
	struct station s;
	struct tu_result r;
	json_t *doc;

	station(&s);
	ck_assert_int_eq(tu_kesu(&r, "cert", "issue", s.record, "--out", s.out, "--key", s.key,
				 "--signer-cert", s.cert, "-c", "/dev/null", "--no-pdf", "--json",
				 NULL), 0);
	run_ok(&r);
	snprintf(want, sizeof(want), "signing with key %s and certificate %s", s.key, s.cert);
	ck_assert_msg(strstr(r.err, want), "no notice naming the key: %s", r.err);
	ck_assert_ptr_null(strstr(r.out, "signing"));
	doc = json_loads(r.out, 0, NULL);
	ck_assert_msg(doc, "stdout is not JSON alone: %s", r.out);
	json_decref(doc);
	tu_result_free(&r);
	/* the key directory's own files, when none is named */
	snprintf(env_dir, sizeof(env_dir), "KESU_KEY_DIR=%s", s.dir);
	ck_assert_int_eq(tu_kesu_env(&r, env, "cert", "issue", s.record, "--out", s.out, "-c",
				     "/dev/null", "--no-pdf", NULL), 0);
	run_ok(&r);
	ck_assert_msg(strstr(r.err, want), "no notice naming the default key: %s", r.err);
	tu_result_free(&r);
}
END_TEST

/* kesu wipe says which key signs before it erases, on stderr. */
START_TEST(test_options_signing_notice_wipe)
{
	char dev[64], img[PATH_MAX], out[PATH_MAX], want[2 * PATH_MAX + 96];
	struct station s;
	struct tu_result r;
	json_t *doc;

	if (tu_skip_unless_root(__func__))
		return;
	station(&s);
	ck_assert_int_eq(tu_loop_create(DEV_SIZE, dev, sizeof(dev), img, sizeof(img)), 0);
	ow_out_dir(out, sizeof(out));
	ck_assert_int_eq(tu_kesu(&r, "wipe", dev, "--yes", "--quiet", "--pattern", "zero", "--out",
				 out, "-c", "/dev/null", "--key", s.key, "--signer-cert", s.cert,
				 "-J", NULL), 0);
	run_ok(&r);
	snprintf(want, sizeof(want), "signing with key %s and certificate %s", s.key, s.cert);
	ck_assert_msg(strstr(r.err, want), "no notice naming the key: %s", r.err);
	ck_assert_ptr_null(strstr(r.out, "signing with"));
	doc = json_loads(r.out, 0, NULL);
	ck_assert_msg(doc, "wipe -J stdout is not JSON alone: %s", r.out);
	json_decref(doc);
	tu_result_free(&r);
}
END_TEST

START_TEST(test_options_help_lists_shared)
{
	struct tu_result r;

	ck_assert_int_eq(tu_kesu(&r, "--help", NULL), 0);
	run_ok(&r);
	ck_assert_ptr_nonnull(strstr(r.out, "-c, --config FILE"));
	ck_assert_ptr_nonnull(strstr(r.out, "-J, --json"));
	ck_assert_ptr_nonnull(strstr(r.out, "--signer-cert FILE"));
	ck_assert_ptr_nonnull(strstr(r.out, "--ca FILE"));
	tu_result_free(&r);
	ck_assert_int_eq(tu_kesu(&r, "cert", "--help", NULL), 0);
	ck_assert_ptr_nonnull(strstr(r.out, "-c, --config FILE"));
	ck_assert_ptr_null(strstr(r.out, "-c, --ca"));
	ck_assert_ptr_null(strstr(r.out, "--cert FILE"));
	tu_result_free(&r);
	/* the TUI takes -c too (here without a terminal, so it stops at that) */
	ck_assert_int_eq(tu_kesu(&r, "tui", "--help", NULL), 0);
	ck_assert_ptr_nonnull(strstr(r.out, "-c, --config FILE"));
	tu_result_free(&r);
	ck_assert_int_eq(tu_kesu(&r, "tui", "-c", "/dev/null", NULL), 0);
	ck_assert_ptr_null(strstr(r.err, "invalid option"));
	ck_assert_ptr_nonnull(strstr(r.err, "needs a terminal"));
	tu_result_free(&r);
}
END_TEST

/* Columns a line takes on a terminal: kanji count two. */
static int display_width(const char *line, size_t len)
{
	mbstate_t st;
	int cols = 0;
	size_t i = 0;

	memset(&st, 0, sizeof(st));
	while (i < len) {
		wchar_t wc;
		size_t n = mbrtowc(&wc, line + i, len - i, &st);
		int w;

		ck_assert_msg(n != (size_t)-1 && n != (size_t)-2 && n != 0, "bad UTF-8: %.*s",
			      (int)len, line);
		w = wcwidth(wc);
		cols += w > 0 ? w : 0;
		i += n;
	}
	return cols;
}

static void assert_fits_80(const char *cmd, const char *text)
{
	const char *line = text;

	while (*line) {
		size_t len = strcspn(line, "\n");

		ck_assert_msg(display_width(line, len) <= 80, "kesu %s --help: %d columns: %.*s",
			      cmd, display_width(line, len), (int)len, line);
		line += len + (line[len] == '\n');
	}
}

/* Every command's --help fits an 80-column terminal. */
START_TEST(test_options_help_fits_80_columns)
{
	struct tu_result top, r;
	const char *p;
	int n = 0;

	ck_assert_ptr_nonnull(setlocale(LC_CTYPE, "C.UTF-8"));
	ck_assert_int_eq(tu_kesu(&top, "--help", NULL), 0);
	assert_fits_80("", top.out);
	p = strstr(top.out, "Commands:\n");
	ck_assert_ptr_nonnull(p);
	for (p = strchr(p, '\n') + 1; p[0] == ' ' && p[1] == ' ' && p[2] != ' '; p = strchr(p, '\n') + 1) {
		char cmd[32];

		ck_assert_int_eq(sscanf(p, "%31s", cmd), 1);
		tu_kesu(&r, cmd, "--help", NULL);
		ck_assert_msg(r.status == 0, "kesu %s --help: exit %d", cmd, r.status);
		assert_fits_80(cmd, r.out);
		tu_result_free(&r);
		n++;
	}
	ck_assert_int_ge(n, 16);
	tu_result_free(&top);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("options");
	TCase *tc = tcase_create("core");

	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_options_c_is_config_everywhere);
	tcase_add_test(tc, test_options_c_is_config_in_wipe);
	tcase_add_test(tc, test_options_old_spellings);
	tcase_add_test(tc, test_options_c_old_meaning_hint);
	tcase_add_test(tc, test_options_signing_notice_cert_issue);
	tcase_add_test(tc, test_options_signing_notice_wipe);
	tcase_add_test(tc, test_options_help_lists_shared);
	tcase_add_test(tc, test_options_help_fits_80_columns);
	suite_add_tcase(s, tc);
	return tu_main(s);
}
