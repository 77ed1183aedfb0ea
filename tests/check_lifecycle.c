/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The media lifecycle through the command line: register media, print their
 * labels (decoded with zbarimg), take an inventory from the decoded payloads
 * with one medium missing and one unexpected, approve a return plan, wipe
 * loop devices (one with kesu wipe --media-id --db, one certified and attached
 * in steps), and read the completion
 * report back with pdftotext.
 */
#include <check.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <kesu/cli.h>

#include "lib/testutil.h"

#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wformat-truncation"
#endif

#define OP "--operator=山田 太郎"

struct world {
	char dir[PATH_MAX / 2];
	char db[PATH_MAX], conf[PATH_MAX], root[PATH_MAX + 8], ev[PATH_MAX], templates[PATH_MAX];
	struct tu_pki pki;
};

static void ok(struct tu_result *r)
{
	ck_assert_msg(r->status == 0, "kesu exited %d: %s%s", r->status, r->out, r->err);
	tu_result_free(r);
}

static void world_init(struct world *w)
{
	static const char cfg[] =
		"[operator]\nname = 山田 太郎\n"
		"[contract]\nname = ○○システム運用業務の委託\ncontractor = 株式会社サンプル\n";

	snprintf(w->dir, sizeof(w->dir), "%s", tu_tmpdir());
	snprintf(w->db, sizeof(w->db), "%s/kesu.db", w->dir);
	snprintf(w->conf, sizeof(w->conf), "%s/kesu.conf", w->dir);
	snprintf(w->ev, sizeof(w->ev), "%s/evidence", w->dir);
	snprintf(w->templates, sizeof(w->templates), "--templates=%s/reports", tu_srcdir());
	ck_assert_int_eq(mkdir(w->ev, 0700), 0);
	tu_make_pki(w->dir, "/CN=Root", "/CN=山田 太郎", &w->pki);
	snprintf(w->root, sizeof(w->root), "--ca=%s", w->pki.root);
	/* the station's key and root: the completion report verifies and seals with them */
	ck_assert_int_eq(tu_write_file(w->conf, cfg, strlen(cfg)), 0);
	ck_assert_int_eq(tu_sh("printf '[signing]\\nkey = %s\\ncert = %s\\nroot = %s\\n' >> '%s'",
			       w->pki.key, w->pki.cert, w->pki.root, w->conf), 0);
}

/* kesu ledger --db DB --config CONF ARGS... */
#define LEDGER(w, r, ...) tu_kesu((r), "ledger", "--db", (w)->db, "--config", (w)->conf, __VA_ARGS__, NULL)

/* The operator's one step: kesu wipe checks the medium in the ledger, certifies
 * and links the certificate itself. */
static void wipe_in_ledger(const struct world *w, const char *dev, const char *media_id)
{
	char out[PATH_MAX];
	struct tu_result r;

	snprintf(out, sizeof(out), "%s/%s", w->ev, media_id);
	ck_assert_int_eq(mkdir(out, 0700), 0);
	ck_assert_int_eq(tu_kesu(&r, "wipe", dev, "--yes", "--out", out, "-q", OP, "--key", w->pki.key,
				 "--signer-cert", w->pki.cert, "--ca", w->pki.root, "--config", w->conf,
				 "--media-id", media_id, "--db", w->db, NULL), 0);
	ok(&r);
}

/* The same in steps, as for a record made away from the ledger: wipe without a
 * key, certify the record later, attach the certificate by hand. */
static void wipe_certify_attach(const struct world *w, const char *dev, const char *media_id)
{
	char out[PATH_MAX], *rec, *cert_json;
	struct tu_result r;

	snprintf(out, sizeof(out), "%s/%s", w->ev, media_id);
	ck_assert_int_eq(mkdir(out, 0700), 0);
	ck_assert_int_eq(tu_kesu(&r, "wipe", dev, "--yes", "--out", out, "-q", "--no-cert", OP, NULL), 0);
	ok(&r);
	rec = tu_sh_out("ls %s/*.record.json | head -1 | tr -d '\\n'", out);
	ck_assert_ptr_nonnull(rec);
	ck_assert_int_eq(tu_kesu(&r, "cert", "issue", rec, "--out", out, "--key", w->pki.key,
				 "--cert", w->pki.cert, "--config", w->conf, "--property-id", media_id, NULL), 0);
	ok(&r);
	cert_json = tu_sh_out("ls %s/KC-*.json | grep -v p7s | head -1 | tr -d '\\n'", out);
	ck_assert_ptr_nonnull(cert_json);
	ck_assert_int_eq(LEDGER(w, &r, OP, "attach-cert", w->root, cert_json), 0);
	ok(&r);
	free(rec);
	free(cert_json);
}

START_TEST(test_lifecycle_labels_inventory_wipe_completion)
{
	static const char *const media[] = { "M-0001", "M-0002", "M-0003" };
	char labels[PATH_MAX], scans[PATH_MAX], report[PATH_MAX], dev1[64], dev2[64], img[PATH_MAX];
	char *decoded, *text;
	struct tu_result r;
	struct world w;

	if (tu_skip_unless_root(__func__))
		return;
	world_init(&w);

	/* register */
	for (size_t i = 0; i < 3; i++) {
		char name[64];

		snprintf(name, sizeof(name), "--data-name=顧客データ%zu", i + 1);
		ck_assert_int_eq(LEDGER(&w, &r, "add", media[i], name, "--medium=HDD",
					"--giver=日本 一郎", "--given-on=2026-11-02", "--place=金庫A"), 0);
		ok(&r);
	}

	/* labels, decoded as a scanner would read them */
	snprintf(labels, sizeof(labels), "%s/labels.pdf", w.dir);
	ck_assert_int_eq(tu_kesu(&r, "label", "--template", "a-one-72212", "--db", w.db,
				 "--media-id", "M-0001", "--media-id", "M-0002", "--media-id", "M-0003",
				 "-o", labels, NULL), 0);
	ok(&r);
	ck_assert_int_eq(tu_sh("cd '%s' && pdftoppm -r 300 -png labels.pdf page", w.dir), 0);
	decoded = tu_sh_out("cd '%s' && zbarimg -q --raw page*.png 2>/dev/null | sort", w.dir);
	ck_assert_ptr_nonnull(decoded);
	ck_assert_str_eq(decoded, "KESU:M:M-0001\nKESU:M:M-0002\nKESU:M:M-0003\n");

	/* inventory: M-0003's label is not found, a stranger's is */
	snprintf(scans, sizeof(scans), "%s/scans.txt", w.dir);
	{
		char *m3 = strstr(decoded, "KESU:M:M-0003\n");

		ck_assert_ptr_nonnull(m3);
		memmove(m3, m3 + strlen("KESU:M:M-0003\n"), strlen(m3 + strlen("KESU:M:M-0003\n")) + 1);
		ck_assert_int_eq(tu_write_file(scans, decoded, strlen(decoded)), 0);
		ck_assert_int_eq(tu_sh("echo KESU:M:M-0999 >> '%s'", scans), 0);
	}
	free(decoded);
	ck_assert_int_eq(LEDGER(&w, &r, "check", scans), 0);
	ck_assert_int_eq(r.status, KESU_EXIT_FAILURE);
	ck_assert_ptr_nonnull(strstr(r.out, "missing    M-0003"));
	ck_assert_ptr_nonnull(strstr(r.out, "unexpected KESU:M:M-0999"));
	ck_assert_ptr_nonnull(strstr(r.out, "present 2, missing 1, unexpected 1"));
	tu_result_free(&r);

	/* the return plan: erase M-0001 and M-0002, return M-0003 */
	for (size_t i = 0; i < 3; i++) {
		ck_assert_int_eq(LEDGER(&w, &r, "edit", media[i], i < 2 ? "--disposition=消去"
					: "--disposition=返却", "--disp-time=2026-12-01 10:00",
					"--disp-place=本社3階", "--witness=鈴木 次郎",
					"--responsible=山田 太郎"), 0);
		ok(&r);
	}
	snprintf(report, sizeof(report), "%s/plan.pdf", w.dir);
	ck_assert_int_eq(tu_kesu(&r, "report", "return-plan", "--db", w.db, "--config", w.conf,
				 w.templates, "-o", report, NULL), 0);
	ok(&r);
	ck_assert_int_eq(LEDGER(&w, &r, "approve-plan", "--approved-by=主管 担当"), 0);
	ok(&r);

	/* wipe two loop devices: one in the ledger in one step, one in steps */
	ck_assert_int_eq(tu_loop_create(16u << 20, dev1, sizeof(dev1), img, sizeof(img)), 0);
	ck_assert_int_eq(tu_loop_create(16u << 20, dev2, sizeof(dev2), img, sizeof(img)), 0);
	wipe_in_ledger(&w, dev1, "M-0001");
	wipe_certify_attach(&w, dev2, "M-0002");
	ck_assert_int_eq(LEDGER(&w, &r, "edit", "M-0003", "--status=返却済"), 0);
	ok(&r);

	/* the completion report */
	snprintf(report, sizeof(report), "%s/completion.pdf", w.dir);
	ck_assert_int_eq(tu_kesu(&r, "report", "completion", "--db", w.db, "--config", w.conf,
				 w.templates, "-o", report, NULL), 0);
	ok(&r);
	text = tu_sh_out("pdftotext -layout '%s' -", report);
	ck_assert_ptr_nonnull(text);
	ck_assert_ptr_nonnull(strstr(text, "作業完了報告書"));
	ck_assert_ptr_nonnull(strstr(text, "1 作業結果 良"));
	for (size_t i = 0; i < 3; i++)
		ck_assert_ptr_nonnull(strstr(text, media[i]));
	ck_assert_ptr_nonnull(strstr(text, "KC-"));
	ck_assert_ptr_null(strstr(text, "例外"));
	free(text);
	ck_assert_int_eq(LEDGER(&w, &r, "audit"), 0);
	ok(&r);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("lifecycle");
	TCase *tc = tcase_create("lifecycle");

	tcase_set_timeout(tc, 300);
	tcase_add_test(tc, test_lifecycle_labels_inventory_wipe_completion);
	suite_add_tcase(s, tc);
	return tu_main(s);
}
