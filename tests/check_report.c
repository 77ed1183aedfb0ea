/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The Japanese reports from the ledger, read back with pdftotext: headed by
 * the contract and the contractor, dated in Japanese style; the completion
 * report's judgement is check_completion's. Certificates are linked through
 * the library with fixture files (their signatures are the certificate
 * module's tests). Each case runs on an SQLite file and, as NAME_pg, on a
 * PostgreSQL database (tests/lib/pgfx.c).
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <kesu/cli.h>
#include <kesu/ledger.h>
#include <kesu/util.h>

#include "lib/pgfx.h"
#include "lib/testutil.h"

static char db[512], conf[512], templates[512];

#define OP "--operator=山田 太郎"

/* A fresh ledger (on_pg: on the cluster) and configuration; 0 when the case must skip. */
static int setup(int on_pg)
{
	char path[512];

	static const char cfg[] =
		"[operator]\nname = 山田 太郎\n"
		"[contract]\nname = ○○システム運用業務の委託\ncontractor = 株式会社サンプル\n";

	snprintf(path, sizeof(path), "%s/kesu.db", tu_tmpdir());
	if (!pgfx_ledger(on_pg, path, db, sizeof(db)))
		return 0;
	snprintf(conf, sizeof(conf), "%s/kesu.conf", tu_tmpdir());
	snprintf(templates, sizeof(templates), "--templates=%s/reports", tu_srcdir());
	ck_assert_int_eq(tu_write_file(conf, cfg, strlen(cfg)), 0);
	return 1;
}

static int kesu_ok(struct tu_result *r, const char *cmd, const char *a1, const char *a2,
		   const char *a3, const char *a4, const char *a5, const char *a6, const char *a7,
		   const char *a8)
{
	ck_assert_int_eq(tu_kesu(r, cmd, "--db", db, "--config", conf, a1, a2, a3, a4, a5, a6, a7, a8,
				 NULL), 0);
	return r->status;
}

static void add_planned(const char *id, const char *name, const char *method)
{
	struct tu_result r;
	char n[128], m[64];

	snprintf(n, sizeof(n), "--data-name=%s", name);
	snprintf(m, sizeof(m), "--disposition=%s", method);
	ck_assert_msg(kesu_ok(&r, "ledger", "add", id, n, "--place=金庫A", m,
			      "--disp-time=2026年12月1日 10:00", "--disp-place=本社3階",
			      "--witness=鈴木 次郎") == 0, "%s", r.err);
	tu_result_free(&r);
	ck_assert_int_eq(kesu_ok(&r, "ledger", "edit", id, "--responsible=山田 太郎", NULL, NULL,
				 NULL, NULL, NULL), 0);
	tu_result_free(&r);
}

/* Write a certificate fixture and link it through the library; its SHA-256 into sha. */
static void link_cert(const char *cert_id, const char *media_id, const char *outcome, char sha[65])
{
	struct kesu_ledger *lg;
	struct kesu_errbuf eb;
	char path[600], json[1024], got[KESU_LEDGER_ID_MAX];

	snprintf(path, sizeof(path), "%s/%s.json", tu_tmpdir(), cert_id);
	snprintf(json, sizeof(json),
		 "{\"certificate_id\":\"%s\",\"nist\":{\"media\":{\"property_id\":\"%s\","
		 "\"serial\":\"\"}},\"outcome\":\"%s\",\"record\":{\"device\":{\"serial\":\"SN-%s\"}}}",
		 cert_id, media_id, outcome, media_id);
	ck_assert_int_eq(tu_write_file(path, json, strlen(json)), 0);
	ck_assert_int_eq(kesu_sha256_hex(json, strlen(json), sha), 0);
	ck_assert_int_eq(kesu_ledger_open(db, 0, 1000, &lg, &eb), 0);
	ck_assert_int_eq(kesu_ledger_set_operator(lg, "山田 太郎"), 0);
	ck_assert_msg(kesu_ledger_link_cert(lg, path, got, &eb) == 0, "%s", eb.msg);
	ck_assert_str_eq(got, media_id);
	kesu_ledger_close(lg);
}

static char *pdf_text(const char *pdf)
{
	char *t = tu_sh_out("pdftotext -layout '%s' -", pdf);

	ck_assert_ptr_nonnull(t);
	return t;
}

START_TEST(test_report_return_plan_and_ledger)
{
	char out[600], csv[600], *text;
	struct tu_result r;

	if (!setup(_i))
		return;
	add_planned("M-0001", "顧客データ", "消去");
	add_planned("M-0002", "試験データ", "廃棄");
	ck_assert_int_eq(kesu_ok(&r, "ledger", "add", "M-0003", "--data-name=保管のみ", NULL, NULL,
				 NULL, NULL, NULL), 0);
	tu_result_free(&r);
	snprintf(out, sizeof(out), "%s/plan.pdf", tu_tmpdir());
	ck_assert_int_eq(kesu_ok(&r, "report", "return-plan", "-o", out, templates, NULL, NULL, NULL,
				 NULL), 0);
	tu_result_free(&r);
	text = pdf_text(out);
	ck_assert_ptr_nonnull(strstr(text, "データ返却等計画書"));
	ck_assert_ptr_nonnull(strstr(text, "承認願います"));
	ck_assert_ptr_nonnull(strstr(text, "顧客データ"));
	ck_assert_ptr_nonnull(strstr(text, "廃棄"));
	ck_assert_ptr_nonnull(strstr(text, "鈴木 次郎"));
	ck_assert_ptr_null(strstr(text, "保管のみ"));
	free(text);

	snprintf(out, sizeof(out), "%s/ledger.pdf", tu_tmpdir());
	ck_assert_int_eq(kesu_ok(&r, "report", "ledger", "-o", out, templates, NULL, NULL, NULL,
				 NULL), 0);
	tu_result_free(&r);
	text = pdf_text(out);
	ck_assert_ptr_nonnull(strstr(text, "データ管理簿"));
	ck_assert_ptr_nonnull(strstr(text, "保管のみ"));
	ck_assert_ptr_nonnull(strstr(text, "委託業務名"));
	free(text);
	ck_assert_int_eq(tu_sh("pdffonts '%s' | grep -q 'IPAex.*yes yes'", out), 0);

	snprintf(csv, sizeof(csv), "%s/ledger.csv", tu_tmpdir());
	ck_assert_int_eq(kesu_ok(&r, "report", "ledger", "-o", csv, "--encoding=sjis", templates,
				 NULL, NULL, NULL), 0);
	tu_result_free(&r);
	text = tu_sh_out("iconv -f CP932 -t UTF-8 '%s'", csv);
	ck_assert_ptr_nonnull(text);
	ck_assert_ptr_nonnull(strstr(text, "\"項番\",\"データ名\",\"記録媒体\""));
	ck_assert_ptr_nonnull(strstr(text, "\"保管のみ\""));
	free(text);
}
END_TEST

START_TEST(test_report_schedule_and_result)
{
	char out[600], *text;
	struct tu_result r;

	if (!setup(_i))
		return;
	ck_assert_int_eq(kesu_ok(&r, "work", "plan", "--id=W-001", "--target=顧客データ",
				 "--worker=佐藤 花子", "--time=2026-11-25 09:00-12:00",
				 "--content=移行テスト", "--place=本社3階", NULL), 0);
	tu_result_free(&r);
	snprintf(out, sizeof(out), "%s/result.pdf", tu_tmpdir());
	/* no result yet */
	ck_assert_int_eq(kesu_ok(&r, "report", "result", "--work=W-001", "-o", out, templates, NULL,
				 NULL, NULL), KESU_EXIT_BAD_INPUT);
	tu_result_free(&r);
	ck_assert_int_eq(kesu_ok(&r, "work", "done", "--id=W-001",
				 "--actual-time=2026-11-25 09:00-12:30", "--result=正常",
				 "--taken-out=無し", "--confirmer=鈴木 次郎",
				 "--reason=データ量が多かったため", NULL), 0);
	tu_result_free(&r);
	ck_assert_int_eq(kesu_ok(&r, "report", "result", "--work=W-001", "-o", out, templates, NULL,
				 NULL, NULL), 0);
	tu_result_free(&r);
	text = pdf_text(out);
	ck_assert_ptr_nonnull(strstr(text, "作業結果報告書"));
	ck_assert_ptr_nonnull(strstr(text, "W-001"));
	ck_assert_ptr_nonnull(strstr(text, "正常"));
	ck_assert_ptr_nonnull(strstr(text, "佐藤 花子"));
	ck_assert_ptr_nonnull(strstr(text, "無"));        /* 無し is taken as 無 */
	ck_assert_ptr_nonnull(strstr(text, "鈴木 次郎"));
	ck_assert_ptr_nonnull(strstr(text, "データ量が多かったため"));
	free(text);

	snprintf(out, sizeof(out), "%s/schedule.pdf", tu_tmpdir());
	ck_assert_int_eq(kesu_ok(&r, "report", "schedule", "-o", out, templates, NULL, NULL, NULL,
				 NULL), 0);
	tu_result_free(&r);
	text = pdf_text(out);
	ck_assert_ptr_nonnull(strstr(text, "作業予定表"));
	ck_assert_ptr_nonnull(strstr(text, "移行テスト"));
	free(text);
	ck_assert_int_eq(kesu_ok(&r, "report", "result", "--work=W-404", "-o", out, templates, NULL,
				 NULL, NULL), KESU_EXIT_FAILURE);
	ck_assert_ptr_nonnull(strstr(r.err, "no work W-404"));
	tu_result_free(&r);
}
END_TEST

/* A scanned certificate label stands for its medium; a wrong hash does not. */
START_TEST(test_report_check_by_certificate_payload)
{
	char sha[65], scans[256];
	struct tu_result r;
	const char *argv[] = { tu_kesu_bin(), "ledger", "--db", db, OP, "check", NULL };

	if (!setup(_i))
		return;
	add_planned("M-0001", "顧客データ", "消去");
	add_planned("M-0002", "試験データ", "消去");
	link_cert("KC-20261201-00000001", "M-0001", "ERASED", sha);
	snprintf(scans, sizeof(scans), "kesu:c:kc-20261201-00000001:%.16s\nKESU:C:KC-20261201-00000001:"
		 "0000000000000000\nKESU:M:M-0002\n", sha);
	ck_assert_int_eq(tu_runv(&r, NULL, scans, argv), 0);
	ck_assert_ptr_nonnull(strstr(r.out, "present    M-0001"));
	ck_assert_ptr_nonnull(strstr(r.out, "present    M-0002"));
	ck_assert_ptr_nonnull(strstr(r.out, "hash differs"));
	tu_result_free(&r);
}
END_TEST

static void staff(const char *role, const char *fam, const char *given, const char *aff,
		  const char *title, const char *note)
{
	struct tu_result r;
	char a[5][160];

	snprintf(a[0], sizeof(a[0]), "--role=%s", role);
	snprintf(a[1], sizeof(a[1]), "--family-name=%s", fam);
	snprintf(a[2], sizeof(a[2]), "--given-name=%s", given);
	snprintf(a[3], sizeof(a[3]), "--affiliation=%s", aff);
	snprintf(a[4], sizeof(a[4]), "--note=%s", note);
	ck_assert_msg(kesu_ok(&r, "staff", "add", a[0], a[1], a[2], a[3], a[4],
			      title ? "--title" : NULL, title) == 0, "%s", r.err);
	tu_result_free(&r);
}

/* The people of every test below: the roster's entries are the names add_planned uses. */
static void roster(void)
{
	staff("データ取扱責任者", "山田", "太郎", "××事業部", "課長", "△△訓練修了");
	staff("データ取扱者", "佐藤", "花子", "××グループ", "SE", "××資格保持");
	staff("データ取扱者", "鈴木", "次郎", "××グループ", NULL, "情報セキュリティ研修修了");
	staff("主管担当", "主管", "担当", "", NULL, "");
}

/* 別紙2: the handlers with 担当, 氏名, 所属, 役職, 備考; not the client's officer. */
START_TEST(test_report_roster)
{
	char out[600], csv[600], *text;
	struct tu_result r;

	if (!setup(_i))
		return;
	snprintf(out, sizeof(out), "%s/roster.pdf", tu_tmpdir());
	ck_assert_int_eq(kesu_ok(&r, "ledger", "add", "M-0001", NULL, NULL, NULL, NULL, NULL, NULL),
			 0);
	tu_result_free(&r);
	/* no roster: nothing to print */
	ck_assert_int_eq(kesu_ok(&r, "report", "roster", "-o", out, templates, NULL, NULL, NULL,
				 NULL), KESU_EXIT_FAILURE);
	ck_assert_ptr_nonnull(strstr(r.err, "kesu staff add"));
	tu_result_free(&r);
	roster();
	ck_assert_int_eq(kesu_ok(&r, "report", "roster", "-o", out, templates, "--date=2026-12-02",
				 NULL, NULL, NULL), 0);
	tu_result_free(&r);
	text = pdf_text(out);
	ck_assert_ptr_nonnull(strstr(text, "データ取扱者等名簿"));
	ck_assert_ptr_nonnull(strstr(text, "○○システム運用業務の委託"));
	ck_assert_ptr_nonnull(strstr(text, "各種データを取り扱う者を下記のとおり報告いたします"));
	ck_assert_ptr_nonnull(strstr(text, "データ取扱責任者"));
	ck_assert_ptr_nonnull(strstr(text, "山田 太郎"));
	ck_assert_ptr_nonnull(strstr(text, "××事業部"));
	ck_assert_ptr_nonnull(strstr(text, "課長"));
	ck_assert_ptr_nonnull(strstr(text, "△△訓練修了"));
	ck_assert_ptr_nonnull(strstr(text, "佐藤 花子"));
	ck_assert_ptr_nonnull(strstr(text, "××資格保持"));
	ck_assert_ptr_nonnull(strstr(text, "鈴木 次郎"));
	ck_assert_ptr_null(strstr(text, "主管"));
	/* the manager first */
	ck_assert(strstr(text, "山田 太郎") < strstr(text, "佐藤 花子"));
	free(text);

	/* a person taken off the roster is no longer on 別紙2 */
	ck_assert_int_eq(kesu_ok(&r, "staff", "remove", "鈴木次郎", NULL, NULL, NULL, NULL, NULL,
				 NULL), 0);
	tu_result_free(&r);
	snprintf(csv, sizeof(csv), "%s/roster.csv", tu_tmpdir());
	ck_assert_int_eq(kesu_ok(&r, "report", "roster", "-o", csv, templates, NULL, NULL, NULL,
				 NULL), 0);
	tu_result_free(&r);
	text = tu_read_file(csv, NULL);
	ck_assert_ptr_nonnull(text);
	ck_assert_ptr_nonnull(strstr(text, "\"担当\",\"氏名\",\"所属\",\"役職\",\"備考\""));
	ck_assert_ptr_nonnull(strstr(text, "\"データ取扱者\",\"佐藤 花子\",\"××グループ\",\"SE\""));
	ck_assert_ptr_null(strstr(text, "鈴木"));
	free(text);
}
END_TEST

/* The return plan shows 未承認 until approve-plan, then 承認者 and 承認日; a later change is 未承認 again. */
START_TEST(test_report_return_plan_approval)
{
	char out[600], csv[600], *text;
	struct tu_result r;

	if (!setup(_i))
		return;
	roster();
	add_planned("M-0001", "顧客データ", "消去");
	snprintf(out, sizeof(out), "%s/plan.pdf", tu_tmpdir());
	ck_assert_int_eq(kesu_ok(&r, "report", "return-plan", "-o", out, templates, NULL, NULL,
				 NULL, NULL), 0);
	tu_result_free(&r);
	text = pdf_text(out);
	ck_assert_ptr_nonnull(strstr(text, "未承認"));
	ck_assert_ptr_null(strstr(text, "承認者"));
	free(text);

	ck_assert_int_eq(kesu_ok(&r, "ledger", "approve-plan", "--approved-by=主管担当",
				 "--approved-at=2030-01-01", NULL, NULL, NULL, NULL, NULL),
			 KESU_EXIT_BAD_INPUT);     /* not in the future */
	ck_assert_ptr_nonnull(strstr(r.err, "in the future"));
	tu_result_free(&r);
	ck_assert_int_eq(kesu_ok(&r, "ledger", "approve-plan", "--approved-by=主管担当",
				 "--approved-at=2026年11月30日 15:00", NULL, NULL, NULL, NULL, NULL), 0);
	tu_result_free(&r);
	ck_assert_int_eq(kesu_ok(&r, "report", "return-plan", "-o", out, templates, NULL, NULL,
				 NULL, NULL), 0);
	tu_result_free(&r);
	text = pdf_text(out);
	ck_assert_ptr_null(strstr(text, "未承認"));
	ck_assert_msg(strstr(text, "承認者") && strstr(text, "主管 担当"), "%s", text);
	ck_assert_msg(strstr(text, "承認日") && strstr(text, "2026年11月30日 15:00"), "%s", text);
	ck_assert_ptr_nonnull(strstr(text, "第1号"));
	free(text);
	/* the CSV carries the same approval below the items */
	snprintf(csv, sizeof(csv), "%s/plan.csv", tu_tmpdir());
	ck_assert_int_eq(kesu_ok(&r, "report", "return-plan", "-o", csv, templates, NULL, NULL,
				 NULL, NULL), 0);
	tu_result_free(&r);
	text = tu_read_file(csv, NULL);
	ck_assert_ptr_nonnull(text);
	ck_assert_msg(strstr(text, "\"承認者\",\"主管 担当\"") && !strstr(text, "未承認"), "%s", text);
	ck_assert_ptr_nonnull(strstr(text, "\"計画書\",\"第1号\""));
	free(text);

	/* changed after the approval: the plan as it is now is not the approved one */
	ck_assert_int_eq(kesu_ok(&r, "ledger", "edit", "M-0001", "--disp-place=別館", NULL, NULL,
				 NULL, NULL, NULL), 0);
	tu_result_free(&r);
	ck_assert_int_eq(kesu_ok(&r, "report", "return-plan", "-o", out, templates, NULL, NULL,
				 NULL, NULL), 0);
	tu_result_free(&r);
	text = pdf_text(out);
	ck_assert_ptr_nonnull(strstr(text, "未承認"));
	ck_assert_ptr_nonnull(strstr(text, "第1号の承認後に変更があります"));
	free(text);
	ck_assert_int_eq(kesu_ok(&r, "report", "return-plan", "-o", csv, templates, NULL, NULL,
				 NULL, NULL), 0);
	tu_result_free(&r);
	text = tu_read_file(csv, NULL);
	ck_assert_ptr_nonnull(text);
	ck_assert_msg(strstr(text, "\"未承認\"") && !strstr(text, "承認者"), "%s", text);
	free(text);
	/* approved plan 1 as it was approved */
	ck_assert_int_eq(kesu_ok(&r, "report", "return-plan", "--plan=1", "-o", out, templates,
				 NULL, NULL, NULL), 0);
	tu_result_free(&r);
	text = pdf_text(out);
	ck_assert_ptr_nonnull(strstr(text, "承認者"));
	ck_assert_ptr_nonnull(strstr(text, "本社3階"));
	ck_assert_ptr_null(strstr(text, "別館"));
	free(text);
}
END_TEST

/* work approve shows on the 作業予定表; an overrun needs --reason, which the result prints. */
START_TEST(test_report_work_approval_and_overrun)
{
	char out[600], *text;
	struct tu_result r;

	if (!setup(_i))
		return;
	roster();
	ck_assert_int_eq(kesu_ok(&r, "work", "plan", "--id=W-001", "--target=顧客データ",
				 "--worker=佐藤 花子", "--time=2026-11-25 09:00-12:00",
				 "--content=移行テスト", NULL, NULL), 0);
	tu_result_free(&r);
	ck_assert_int_eq(kesu_ok(&r, "work", "plan", "--id=W-002", "--target=試験データ",
				 "--worker=鈴木次郎", "--time=2026年11月26日 13:00～17:00",
				 "--content=消去", NULL, NULL), 0);
	tu_result_free(&r);
	ck_assert_int_eq(kesu_ok(&r, "work", "approve", "W-001", "--approved-by=主管 担当",
				 "--approved-at=2026-11-24 17:00", NULL, NULL, NULL, NULL), 0);
	tu_result_free(&r);
	snprintf(out, sizeof(out), "%s/schedule.pdf", tu_tmpdir());
	ck_assert_int_eq(kesu_ok(&r, "report", "schedule", "-o", out, templates, NULL, NULL, NULL,
				 NULL), 0);
	tu_result_free(&r);
	text = pdf_text(out);
	ck_assert_ptr_nonnull(strstr(text, "承認"));
	ck_assert_ptr_nonnull(strstr(text, "主管 担当"));
	ck_assert_ptr_nonnull(strstr(text, "2026年11月24日"));
	ck_assert_ptr_nonnull(strstr(text, "未承認"));         /* W-002 */
	free(text);

	/* 持ち出しの有無 is 無 or 有 */
	ck_assert_int_eq(kesu_ok(&r, "work", "done", "--id=W-001",
				 "--actual-time=2026-11-25 09:00-11:30", "--result=正常",
				 "--taken-out=maybe", "--confirmer=山田 太郎", NULL, NULL),
			 KESU_EXIT_BAD_INPUT);
	ck_assert_ptr_nonnull(strstr(r.err, "無 or 有"));
	tu_result_free(&r);
	/* an overrun without its reason */
	ck_assert_int_eq(kesu_ok(&r, "work", "done", "--id=W-001",
				 "--actual-time=2026-11-25 09:00-12:40", "--result=正常",
				 "--taken-out=無", "--confirmer=山田 太郎", NULL, NULL),
			 KESU_EXIT_BAD_INPUT);
	ck_assert_ptr_nonnull(strstr(r.err, "--reason"));
	tu_result_free(&r);
	ck_assert_int_eq(kesu_ok(&r, "work", "done", "--id=W-001",
				 "--actual-time=2026-11-25 08:30-11:30", "--result=正常",
				 "--taken-out=無", "--confirmer=山田 太郎", NULL, NULL),
			 KESU_EXIT_BAD_INPUT);         /* began before the planned time */
	tu_result_free(&r);
	ck_assert_int_eq(kesu_ok(&r, "work", "done", "--id=W-001",
				 "--actual-time=2026-11-25 09:00-12:40", "--result=正常",
				 "--taken-out=無", "--confirmer=山田 太郎",
				 "--reason=対象データが予定より多かったため", NULL), 0);
	tu_result_free(&r);
	snprintf(out, sizeof(out), "%s/result.pdf", tu_tmpdir());
	ck_assert_int_eq(kesu_ok(&r, "report", "result", "--work=W-001", "-o", out, templates,
				 NULL, NULL, NULL), 0);
	tu_result_free(&r);
	text = pdf_text(out);
	ck_assert_ptr_nonnull(strstr(text, "予定時間を超えた理由"));
	ck_assert_ptr_nonnull(strstr(text, "対象データが予定より多かったため"));
	free(text);
	/* within the plan: no reason needed, no reason row */
	ck_assert_int_eq(kesu_ok(&r, "work", "done", "--id=W-002",
				 "--actual-time=2026-11-26 13:00-16:00", "--result=正常",
				 "--taken-out=無し", "--confirmer=山田太郎", NULL, NULL), 0);
	tu_result_free(&r);
	ck_assert_int_eq(kesu_ok(&r, "report", "result", "--work=W-002", "-o", out, templates,
				 NULL, NULL, NULL), 0);
	tu_result_free(&r);
	text = pdf_text(out);
	ck_assert_ptr_null(strstr(text, "予定時間を超えた理由"));
	free(text);
	ck_assert_int_eq(kesu_ok(&r, "ledger", "audit", NULL, NULL, NULL, NULL, NULL, NULL, NULL), 0);
	tu_result_free(&r);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("report");
	struct tu_case tests[] = {
		{ "return_plan_ledger", test_report_return_plan_and_ledger },
		{ "schedule_result", test_report_schedule_and_result },
		{ "check_cert_payload", test_report_check_by_certificate_payload },
		{ "roster", test_report_roster },
		{ "return_plan_approval", test_report_return_plan_approval },
		{ "work_approval_overrun", test_report_work_approval_and_overrun },
	};

	char why[256];
	int rc;

	if (pgfx_start(why, sizeof(why)))
		fprintf(stderr, "PostgreSQL: %s: the *_pg cases SKIP\n", why);
	PGFX_ADD_BOTH(s, tests, 120);
	rc = tu_main(s);
	pgfx_stop();
	return rc;
}
