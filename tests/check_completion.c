/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The completion report (作業完了報告書) earns 良 from the evidence: a
 * station with a CA and a signing key, a ledger, an approved plan and real
 * signed certificates attached through 'kesu ledger attach-cert'. The honest
 * run is 良; each way the paperwork could say something false (a cited
 * certificate edited or deleted, a database row of an UNVERIFIED certificate
 * turned into ERASED, a held medium left out of the plan, a plan approved
 * after the erasure) is 否 with its reason, in the PDF (pdftotext), the CSV
 * and --json alike. The report names the seal it was judged against.
 * Each case runs on an SQLite file and, as NAME_pg, on a PostgreSQL database
 * (tests/lib/pgfx.c).
 */
#include <check.h>
#include <jansson.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <kesu/cli.h>
#include <kesu/util.h>

#include "lib/pgfx.h"
#include "lib/testutil.h"

#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wformat-truncation"
#endif

static struct tu_pki pki;
static char dir[PATH_MAX / 2], db[PATH_MAX], conf[PATH_MAX], templates[PATH_MAX];
static char certs[PATH_MAX];
static int pg;          /* the ledger is on the PostgreSQL cluster */

/* kesu CMD --db DB --config CONF ARGS...: the exit status; output in r (free it). */
#define KESU(r, cmd, ...) (tu_kesu((r), cmd, "--db", db, "--config", conf, __VA_ARGS__, NULL), \
			   (r)->status)

static void ok(struct tu_result *r, int status, const char *what)
{
	ck_assert_msg(status == 0, "%s exited %d: %s%s", what, status, r->out, r->err);
	tu_result_free(r);
}

/* A station: CA, signing key, configuration naming them; an empty ledger
 * (on_pg: on the cluster). 0 when the case must skip. */
static int station(int on_pg)
{
	char cfg[4 * PATH_MAX], path[PATH_MAX];

	pg = on_pg;
	snprintf(dir, sizeof(dir), "%s", tu_tmpdir());
	snprintf(path, sizeof(path), "%s/kesu.db", dir);
	if (!pgfx_ledger(on_pg, path, db, sizeof(db)))
		return 0;
	tu_make_pki(dir, "/CN=Test Root/O=テスト株式会社", "/CN=山田 太郎/O=テスト株式会社", &pki);
	snprintf(conf, sizeof(conf), "%s/kesu.conf", dir);
	snprintf(certs, sizeof(certs), "%s/certs", dir);
	snprintf(templates, sizeof(templates), "--templates=%s/reports", tu_srcdir());
	ck_assert_int_eq(mkdir(certs, 0700), 0);
	snprintf(cfg, sizeof(cfg),
		 "[operator]\nname = 山田 太郎\n"
		 "[contract]\nname = ○○システム運用業務の委託\ncontractor = 株式会社サンプル\n"
		 "[signing]\nkey = %s\ncert = %s\nroot = %s\n", pki.key, pki.cert, pki.root);
	ck_assert_int_eq(tu_write_file(conf, cfg, strlen(cfg)), 0);
	return 1;
}

static void add_planned(const char *id, const char *name, const char *method)
{
	struct tu_result r;
	char n[128], m[64];

	snprintf(n, sizeof(n), "--data-name=%s", name);
	snprintf(m, sizeof(m), "--disposition=%s", method);
	ok(&r, KESU(&r, "ledger", "add", id, n, "--place=金庫A", m, "--disp-time=2026年12月1日 10:00",
		    "--disp-place=本社3階", "--witness=鈴木 次郎", "--responsible=山田 太郎"), "add");
}

static void approve(void)
{
	struct tu_result r;

	ok(&r, KESU(&r, "ledger", "approve-plan", "--approved-by=主管 担当"), "approve-plan");
}

/*
 * Issue a certificate for media_id from the fixture record with the given
 * outcome and start time (NULL: now), attach it through the ledger (verified,
 * sealed), and return its path in path.
 */
/* The time source the next record says its clock had ("" leaves the fixture's). */
static const char *record_time_source = "";

static void erase_and_attach(const char *media_id, const char *outcome, const char *started,
			     char *path, size_t len)
{
	char rec[PATH_MAX], src[PATH_MAX], now[32];
	struct tu_result r;
	json_t *o, *record, *id;

	snprintf(src, sizeof(src), "%s/tests/fixtures/record-overwrite.json", tu_srcdir());
	record = json_load_file(src, 0, NULL);
	ck_assert_ptr_nonnull(record);
	if (!started) {
		kesu_time_rfc3339(time(NULL), now, sizeof(now));
		started = now;
	}
	json_object_set_new(record, "started_at", json_string(started));
	json_object_set_new(record, "outcome", json_string(outcome));
	if (strcmp(outcome, "ERASED"))
		json_object_set_new(json_object_get(record, "verification"), "result",
				    json_string("not-run"));
	json_object_set_new(record, "record_id", json_sprintf("R-%s", media_id));
	if (*record_time_source)
		json_object_set_new(record, "time",
				    json_pack("{s:s, s:i, s:s}", "source", record_time_source,
					      "offset_ms", 0, "image_built_at", ""));
	snprintf(rec, sizeof(rec), "%s/%s.record.json", dir, media_id);
	ck_assert_int_eq(json_dump_file(record, rec, JSON_SORT_KEYS), 0);
	json_decref(record);
	ck_assert_int_eq(tu_kesu(&r, "cert", "issue", rec, "--out", certs, "--config", conf,
				 "--property-id", media_id, "--no-pdf", "--json", NULL), 0);
	ck_assert_msg(r.status == 0, "cert issue: %s", r.err);
	o = json_loads(r.out, 0, NULL);
	id = json_object_get(o, "certificate_id");
	snprintf(path, len, "%s/%s.json", certs, json_string_value(id));
	json_decref(o);
	tu_result_free(&r);
	ok(&r, KESU(&r, "ledger", "attach-cert", path), "attach-cert");
}

static void returned(const char *id)
{
	struct tu_result r;

	ok(&r, KESU(&r, "ledger", "edit", id, "--status=返却済"), "edit");
}

/* The honest run up to the report: two erased (one time-stamped), one returned. 0: skip. */
static int honest(int on_pg, char cert1[PATH_MAX], char cert2[PATH_MAX])
{
	if (!station(on_pg))
		return 0;
	add_planned("M-0001", "顧客データ", "消去");
	add_planned("M-0002", "試験データ", "消去");
	add_planned("M-0003", "貸与媒体", "返却");
	approve();
	erase_and_attach("M-0001", "ERASED", NULL, cert1, PATH_MAX);
	erase_and_attach("M-0002", "ERASED", NULL, cert2, PATH_MAX);
	returned("M-0003");
	return 1;
}

static char *pdf_text(const char *pdf)
{
	char *t = tu_sh_out("pdftotext -layout '%s' -", pdf);

	ck_assert_ptr_nonnull(t);
	return t;
}

/* Report as PDF, CSV and JSON; expect 良 (good) or 否; reason must appear in all three. */
static void report_says(int good, const char *reason)
{
	char pdf[PATH_MAX], csv[PATH_MAX], *text;
	struct tu_result r;
	int st;

	snprintf(pdf, sizeof(pdf), "%s/completion.pdf", dir);
	snprintf(csv, sizeof(csv), "%s/completion.csv", dir);
	st = KESU(&r, "report", "completion", "-o", pdf, templates);
	ck_assert_msg(st == (good ? 0 : KESU_EXIT_FAILURE), "report exited %d: %s%s", st, r.out,
		      r.err);
	ck_assert_ptr_nonnull(strstr(r.out, good ? "作業結果 良" : "作業結果 否"));
	if (reason)
		ck_assert_msg(strstr(r.out, reason), "'%s' not in: %s", reason, r.out);
	tu_result_free(&r);
	text = pdf_text(pdf);
	ck_assert_ptr_nonnull(strstr(text, good ? "1 作業結果 良" : "1 作業結果 否"));
	ck_assert_ptr_nonnull(strstr(text, "作業完了報告書"));
	ck_assert_ptr_nonnull(strstr(text, "判定の根拠とした台帳の封印"));
	ck_assert_ptr_nonnull(strstr(text, "台帳の封印 KS-"));    /* the footer */
	if (good)
		ck_assert_ptr_null(strstr(text, "否の理由"));
	if (reason)
		ck_assert_msg(strstr(text, reason), "'%s' not in the PDF: %s", reason, text);
	free(text);

	st = KESU(&r, "report", "completion", "-o", csv, templates);
	ck_assert_int_eq(st, good ? 0 : KESU_EXIT_FAILURE);
	tu_result_free(&r);
	text = tu_read_file(csv, NULL);
	ck_assert_ptr_nonnull(text);
	ck_assert_ptr_nonnull(strstr(text, good ? "\"作業結果\",\"良\"" : "\"作業結果\",\"否\""));
	ck_assert_ptr_nonnull(strstr(text, "\"作業責任者\",\"山田 太郎\""));
	ck_assert_ptr_nonnull(strstr(text, "\"作業立会者\",\"鈴木 次郎\""));
	ck_assert_ptr_nonnull(strstr(text, "\"台帳の封印\",\"KS-"));
	if (reason) {
		ck_assert_ptr_nonnull(strstr(text, "\"例外\",\""));
		ck_assert_msg(strstr(text, reason), "'%s' not in the CSV", reason);
	} else {
		ck_assert_ptr_null(strstr(text, "\"例外\""));
	}
	free(text);

	st = KESU(&r, "report", "completion", "-o", pdf, templates, "--json");
	ck_assert_int_eq(st, good ? 0 : KESU_EXIT_FAILURE);
	{
		json_t *o = json_loads(r.out, 0, NULL), *reasons;
		char *dumped;

		ck_assert_ptr_nonnull(o);
		ck_assert(json_is_true(json_object_get(o, "good")) == !!good);
		reasons = json_object_get(o, "reasons");
		ck_assert_int_eq(json_array_size(reasons) == 0, !!good);
		ck_assert_ptr_nonnull(json_string_value(json_object_get(json_object_get(o, "seal"),
									"seal_id")));
		dumped = json_dumps(reasons, 0);
		if (reason)
			ck_assert_msg(strstr(dumped, reason), "'%s' not in --json: %s", reason, dumped);
		free(dumped);
		json_decref(o);
	}
	tu_result_free(&r);
}

/*
 * The column wraps a hash only between groups of 8 hex digits, never with a
 * hyphen: in the text of the PDF with every blank removed it is whole.
 */
static void hash_in_pdf(const char *pdf, const char *file)
{
	char sha[65], *t;

	ck_assert_int_eq(kesu_sha256_file_hex(file, sha, NULL), 0);
	t = tu_sh_out("pdftotext -raw '%s' - | tr -d ' \\n\\f'", pdf);
	ck_assert_ptr_nonnull(t);
	ck_assert_msg(strstr(t, sha), "%s does not show %s whole:\n%s", pdf, sha, t);
	free(t);
}

START_TEST(test_completion_honest_is_good)
{
	char c1[PATH_MAX], c2[PATH_MAX], tsq[PATH_MAX + 8], tsr[PATH_MAX + 8], pdf[PATH_MAX];
	char *text, *seal_line;
	struct tu_result r;

	if (!honest(_i, c1, c2))
		return;
	report_says(1, NULL);
	/* a time stamp by a TSA under the root: shown in the report */
	ok(&r, tu_kesu(&r, "cert", "timestamp-request", c1, NULL), "timestamp-request");
	snprintf(tsq, sizeof(tsq), "%s.p7s.tsq", c1);
	snprintf(tsr, sizeof(tsr), "%s.p7s.tsr", c1);
	ck_assert_int_eq(tu_tsa_reply(dir, pki.ca_dir, tsq, tsr), 0);
	snprintf(pdf, sizeof(pdf), "%s/c.pdf", dir);
	ok(&r, KESU(&r, "report", "completion", "-o", pdf, templates), "report");
	text = pdf_text(pdf);
	ck_assert_ptr_nonnull(strstr(text, "タイムスタンプ"));
	ck_assert_ptr_nonnull(strstr(text, "Z"));
	ck_assert_ptr_nonnull(strstr(text, "M-0001"));
	ck_assert_ptr_nonnull(strstr(text, "M-0003"));
	ck_assert_ptr_nonnull(strstr(text, "作業責任者 山田 太郎"));
	ck_assert_ptr_nonnull(strstr(text, "作業立会者 鈴木 次郎"));
	hash_in_pdf(pdf, c1);
	hash_in_pdf(pdf, c2);
	/* the seal named in the report is the ledger's latest, and its file verifies with openssl
	 * (a server keeps its seals in its table: check_ledger_pg exports and audits them) */
	seal_line = strstr(text, "台帳の封印 KS-");
	ck_assert_ptr_nonnull(seal_line);
	if (!pg) {
		char id[32], f[PATH_MAX + 64];

		ck_assert_int_eq(sscanf(seal_line + strlen("台帳の封印 "), "%20s", id), 1);
		snprintf(f, sizeof(f), "%s.seals/%s.json", db, id);
		ck_assert_int_eq(tu_sh("openssl cms -verify -binary -inform PEM -in '%s.p7s' -content "
				       "'%s' -CAfile '%s' -out /dev/null 2>/dev/null", f, f, pki.root), 0);
	}
	free(text);
}
END_TEST

START_TEST(test_completion_edited_certificate)
{
	char c1[PATH_MAX], c2[PATH_MAX];

	if (!honest(_i, c1, c2))
		return;
	ck_assert_int_eq(tu_sh("sed -i 's/Z3TABC12/Z3TABC13/' '%s'", c1), 0);
	report_says(0, "台帳に記録されたものと異なります");
	report_says(0, "を検証できません");
}
END_TEST

START_TEST(test_completion_deleted_certificate)
{
	char c1[PATH_MAX], c2[PATH_MAX];

	if (!honest(_i, c1, c2))
		return;
	ck_assert_int_eq(unlink(c2), 0);
	report_says(0, "のファイルがありません");
}
END_TEST

/* The database's row of an UNVERIFIED certificate turned into ERASED, the medium into 消去済. */
START_TEST(test_completion_db_says_erased)
{
	char c1[PATH_MAX], c2[PATH_MAX];

	if (!station(_i))
		return;
	add_planned("M-0001", "顧客データ", "消去");
	approve();
	erase_and_attach("M-0001", "UNVERIFIED", NULL, c1, sizeof(c1));
	if (pg)
		ck_assert_int_eq(pgfx_psql(db, "UPDATE certs SET outcome = 'ERASED';"
					   " UPDATE media SET status = '消去済'"), 0);
	else
		ck_assert_int_eq(tu_sh("sqlite3 '%s' \"UPDATE certs SET outcome = 'ERASED';"
				       " UPDATE media SET status = '消去済'\"", db), 0);
	(void)c2;
	report_says(0, "自体の結果はUNVERIFIEDです");
	report_says(0, "台帳の監査に失敗しました");
}
END_TEST

START_TEST(test_completion_held_medium_not_in_plan)
{
	char c1[PATH_MAX], c2[PATH_MAX];
	struct tu_result r;

	if (!honest(_i, c1, c2))
		return;
	ok(&r, KESU(&r, "ledger", "add", "M-0004", "--data-name=忘れられた媒体", "--status=保管中"),
	   "add");
	report_says(0, "M-0004 (忘れられた媒体) は保管中ですが、承認された計画書");
}
END_TEST

/* What the ledger itself says was not done: a FAILED erasure, a medium not returned. */
START_TEST(test_completion_failed_and_not_returned)
{
	char c1[PATH_MAX], c2[PATH_MAX];

	if (!station(_i))
		return;
	add_planned("M-0001", "顧客データ", "消去");
	add_planned("M-0002", "試験データ", "消去");
	add_planned("M-0003", "貸与媒体", "返却");
	approve();
	erase_and_attach("M-0001", "ERASED", NULL, c1, sizeof(c1));
	erase_and_attach("M-0002", "FAILED", NULL, c2, sizeof(c2));
	report_says(0, "M-0002: 消去の結果はFAILEDです");
	report_says(0, "M-0003: 返却の予定ですが状態は受領です");
}
END_TEST

START_TEST(test_completion_plan_approved_after_erasure)
{
	char c1[PATH_MAX];

	if (!station(_i))
		return;
	add_planned("M-0001", "顧客データ", "消去");
	/* the wipe's record says it started before the plan was approved */
	erase_and_attach("M-0001", "ERASED", "2026-01-05T10:00:00Z", c1, sizeof(c1));
	approve();
	report_says(0, "より前に行われました");
}
END_TEST

START_TEST(test_completion_clock_unconfirmed)
{
	char c1[PATH_MAX];

	if (!station(_i))
		return;
	add_planned("M-0001", "顧客データ", "消去");
	approve();
	/* a boot image run whose clock nobody confirmed: its times prove nothing */
	record_time_source = "rtc-unconfirmed";
	erase_and_attach("M-0001", "ERASED", NULL, c1, sizeof(c1));
	record_time_source = "";
	report_says(0, "時刻は確かではありません");
}
END_TEST

int main(void)
{
	Suite *s = suite_create("completion");
	struct tu_case tests[] = {
		{ "honest_good", test_completion_honest_is_good },
		{ "edited_cert", test_completion_edited_certificate },
		{ "deleted_cert", test_completion_deleted_certificate },
		{ "db_says_erased", test_completion_db_says_erased },
		{ "held_not_in_plan", test_completion_held_medium_not_in_plan },
		{ "approved_after", test_completion_plan_approved_after_erasure },
		{ "failed_not_returned", test_completion_failed_and_not_returned },
		{ "clock_unconfirmed", test_completion_clock_unconfirmed },
	};

	char why[256];
	int rc;

	if (pgfx_start(why, sizeof(why)))
		fprintf(stderr, "PostgreSQL: %s: the *_pg cases SKIP\n", why);
	PGFX_ADD_BOTH(s, tests, 240);
	rc = tu_main(s);
	pgfx_stop();
	return rc;
}
