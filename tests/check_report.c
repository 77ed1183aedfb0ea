/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The Japanese reports from the ledger, read back with pdftotext: headed by
 * the contract and the contractor, dated in Japanese style; the completion
 * report lists every item of the approved plan and says 良 only when every
 * item passed. Certificates are linked through the library with fixture
 * files (their signatures are the certificate module's tests).
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <kesu/cli.h>
#include <kesu/ledger.h>
#include <kesu/util.h>

#include "lib/testutil.h"

static char db[512], conf[512], templates[512];

#define OP "--operator=山田 太郎"

static void setup(void)
{
	static const char cfg[] =
		"[operator]\nname = 山田 太郎\n"
		"[contract]\nname = ○○システム運用業務の委託\ncontractor = 株式会社サンプル\n";

	snprintf(db, sizeof(db), "%s/kesu.db", tu_tmpdir());
	snprintf(conf, sizeof(conf), "%s/kesu.conf", tu_tmpdir());
	snprintf(templates, sizeof(templates), "--templates=%s/reports", tu_srcdir());
	unlink(db);
	ck_assert_int_eq(tu_write_file(conf, cfg, strlen(cfg)), 0);
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

static void approve(void)
{
	struct tu_result r;

	ck_assert_int_eq(kesu_ok(&r, "ledger", "approve-plan", "--approved-by=主管 担当", NULL,
				 NULL, NULL, NULL, NULL, NULL), 0);
	tu_result_free(&r);
}

START_TEST(test_report_completion_good)
{
	char out[600], sha1[65], sha2[65], *text;
	struct tu_result r;

	setup();
	add_planned("M-0001", "顧客データ", "消去");
	add_planned("M-0002", "試験データ", "消去");
	add_planned("M-0003", "貸与媒体", "返却");
	approve();
	link_cert("KC-20261201-00000001", "M-0001", "ERASED", sha1);
	link_cert("KC-20261201-00000002", "M-0002", "ERASED", sha2);
	ck_assert_int_eq(kesu_ok(&r, "ledger", "edit", "M-0003", "--status=返却済", NULL, NULL,
				 NULL, NULL, NULL), 0);
	tu_result_free(&r);
	snprintf(out, sizeof(out), "%s/completion.pdf", tu_tmpdir());
	ck_assert_msg(kesu_ok(&r, "report", "completion", "-o", out, templates, "--date=2026-12-02",
			      NULL, NULL, NULL) == 0, "%s", r.err);
	ck_assert_ptr_nonnull(strstr(r.out, "作業結果 良"));
	tu_result_free(&r);
	text = pdf_text(out);
	ck_assert_ptr_nonnull(strstr(text, "作業完了報告書"));
	ck_assert_ptr_nonnull(strstr(text, "○○システム運用業務の委託"));
	ck_assert_ptr_nonnull(strstr(text, "株式会社サンプル"));
	ck_assert_ptr_nonnull(strstr(text, "2026年12月02日"));
	ck_assert_ptr_nonnull(strstr(text, "1 作業結果 良"));
	ck_assert_ptr_null(strstr(text, "例外"));
	ck_assert_ptr_nonnull(strstr(text, "M-0001"));
	ck_assert_ptr_nonnull(strstr(text, "M-0002"));
	ck_assert_ptr_nonnull(strstr(text, "M-0003"));
	ck_assert_ptr_nonnull(strstr(text, "KC-20261201-00000001"));
	ck_assert_ptr_nonnull(strstr(text, "KC-20261201-00000002"));
	sha1[16] = sha2[16] = 0;        /* the column wraps the hash: look for its start */
	ck_assert_ptr_nonnull(strstr(text, sha1));
	ck_assert_ptr_nonnull(strstr(text, sha2));
	ck_assert_ptr_nonnull(strstr(text, "作業責任者 山田 太郎"));
	ck_assert_ptr_nonnull(strstr(text, "作業立会者 鈴木 次郎"));
	free(text);
}
END_TEST

START_TEST(test_report_completion_lists_exceptions)
{
	char out[600], sha[65], *text;
	struct tu_result r;

	setup();
	add_planned("M-0001", "顧客データ", "消去");
	add_planned("M-0002", "試験データ", "消去");
	add_planned("M-0003", "貸与媒体", "返却");
	approve();
	link_cert("KC-20261201-00000001", "M-0001", "ERASED", sha);
	link_cert("KC-20261201-00000002", "M-0002", "FAILED", sha);
	/* M-0003 was never returned */
	snprintf(out, sizeof(out), "%s/completion.pdf", tu_tmpdir());
	ck_assert_int_eq(kesu_ok(&r, "report", "completion", "-o", out, templates, NULL, NULL, NULL,
				 NULL), KESU_EXIT_FAILURE);
	ck_assert_ptr_nonnull(strstr(r.out, "作業結果 否"));
	tu_result_free(&r);
	text = pdf_text(out);
	ck_assert_ptr_nonnull(strstr(text, "1 作業結果 否"));
	ck_assert_ptr_null(strstr(text, "作業結果 良"));
	ck_assert_ptr_nonnull(strstr(text, "M-0002: 消去の結果は"));
	ck_assert_ptr_nonnull(strstr(text, "FAILED"));
	ck_assert_ptr_nonnull(strstr(text, "M-0003: 返却の予定ですが状態は受領です"));
	ck_assert_ptr_null(strstr(text, "M-0001:"));
	ck_assert_ptr_nonnull(strstr(text, "KC-20261201-00000002"));
	free(text);
}
END_TEST

START_TEST(test_report_return_plan_and_ledger)
{
	char out[600], csv[600], *text;
	struct tu_result r;

	setup();
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

	setup();
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

	setup();
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

int main(void)
{
	Suite *s = suite_create("report");
	struct tu_case tests[] = {
		{ "completion_good", test_report_completion_good },
		{ "completion_exceptions", test_report_completion_lists_exceptions },
		{ "return_plan_ledger", test_report_return_plan_and_ledger },
		{ "schedule_result", test_report_schedule_and_result },
		{ "check_cert_payload", test_report_check_by_certificate_payload },
	};

	TU_ADD_CASES(s, tests, 120);
	return tu_main(s);
}
