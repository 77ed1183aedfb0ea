/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The roster (データ取扱者等名簿): add, edit and remove are audit events that
 * `kesu ledger audit` replays; once a roster is kept, a name outside it is
 * refused by the ledger, the work records, approve-plan and kesu wipe
 * --media-id --db (before the device is touched); a given name alone never
 * matches, a full name with or without the space does. Without a roster a
 * note says once that names are not checked. A ledger of schema 1 opens.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <kesu/cli.h>
#include <kesu/ledger.h>
#include <kesu/staff.h>

#include "lib/testutil.h"

static char db[512], conf[512];

#define OP "--operator=山田 太郎"

static void setup(void)
{
	static const char cfg[] = "[operator]\nname = 山田 太郎\n";

	snprintf(db, sizeof(db), "%s/kesu.db", tu_tmpdir());
	snprintf(conf, sizeof(conf), "%s/kesu.conf", tu_tmpdir());
	unlink(db);
	ck_assert_int_eq(tu_write_file(conf, cfg, strlen(cfg)), 0);
}

/* kesu CMD --db DB --config CONF ARGS...; the exit status, output in r. */
#define KESU(r, cmd, ...) \
	(tu_kesu((r), cmd, "--db", db, "--config", conf, __VA_ARGS__, NULL), (r)->status)

static void ok(struct tu_result *r, int status)
{
	ck_assert_msg(status == 0, "exit %d: %s", status, r->err);
	tu_result_free(r);
}

/* Refused with status, a message that holds want, and nothing else. */
static void refused(struct tu_result *r, int status, int want_status, const char *want)
{
	ck_assert_msg(status == want_status, "exit %d (want %d): %s", status, want_status, r->err);
	ck_assert_msg(strstr(r->err, want), "'%s' not in: %s", want, r->err);
	tu_result_free(r);
}

static void roster(void)
{
	struct tu_result r;

	ok(&r, KESU(&r, "staff", "add", "--role=データ取扱責任者", "--family-name=山田",
		    "--given-name=太郎", "--affiliation=××事業部", "--title=課長",
		    "--note=△△訓練修了"));
	ok(&r, KESU(&r, "staff", "add", "--role=handler", "--family-name=佐藤",
		    "--given-name=花子", "--affiliation=××グループ", "--title=SE",
		    "--note=××資格保持"));
	ok(&r, KESU(&r, "staff", "add", "--role=主管担当", "--family-name=主管",
		    "--given-name=一郎"));
}

START_TEST(test_staff_add_edit_remove_audited)
{
	struct tu_result r;
	char *out;

	setup();
	roster();
	/* 姓 and 名 are both required; the same person twice is refused */
	refused(&r, KESU(&r, "staff", "add", "--role=handler", "--family-name=鈴木"),
		KESU_EXIT_BAD_INPUT, "名 (--given-name) is required");
	refused(&r, KESU(&r, "staff", "add", "--role=handler", "--given-name=次郎"),
		KESU_EXIT_BAD_INPUT, "姓 (--family-name) is required");
	refused(&r, KESU(&r, "staff", "add", "--role=boss", "--family-name=鈴木",
			 "--given-name=次郎"), KESU_EXIT_BAD_INPUT, "担当 (--role)");
	refused(&r, KESU(&r, "staff", "add", "--role=handler", "--family-name=佐藤",
			 "--given-name=花子"), KESU_EXIT_FAILURE, "already on the roster");

	ok(&r, KESU(&r, "staff", "edit", "佐藤花子", "--title=主任", "--note=情報セキュリティ研修修了"));
	ok(&r, KESU(&r, "staff", "add", "--role=handler", "--family-name=鈴木", "--given-name=次郎"));
	ok(&r, KESU(&r, "staff", "remove", "STAFF-4"));
	refused(&r, KESU(&r, "staff", "edit", "鈴木 次郎", "--title=x"), KESU_EXIT_FAILURE,
		"nobody named");

	ck_assert_int_eq(KESU(&r, "staff", "list", "--json"), 0);
	ck_assert_ptr_nonnull(strstr(r.out, "\"full_name\": \"佐藤 花子\""));
	ck_assert_ptr_nonnull(strstr(r.out, "\"title\": \"主任\""));
	ck_assert_ptr_null(strstr(r.out, "鈴木"));
	tu_result_free(&r);
	ck_assert_int_eq(KESU(&r, "staff", "list", "--all"), 0);
	ck_assert_ptr_nonnull(strstr(r.out, "鈴木 次郎"));
	ck_assert_ptr_nonnull(strstr(r.out, "removed"));
	tu_result_free(&r);

	/* every change is an event, and the audit replays them against the table */
	ck_assert_int_eq(KESU(&r, "ledger", "history"), 0);
	ck_assert_ptr_nonnull(strstr(r.out, "staff-add"));
	ck_assert_ptr_nonnull(strstr(r.out, "staff-edit   STAFF-2"));
	ck_assert_ptr_nonnull(strstr(r.out, "役職: SE -> 主任"));
	ck_assert_ptr_nonnull(strstr(r.out, "staff-remove STAFF-4"));
	tu_result_free(&r);
	ok(&r, KESU(&r, "ledger", "audit"));

	/* a change behind kesu's back is named */
	ck_assert_int_eq(tu_sh("sqlite3 '%s' \"UPDATE staff SET title = '部長' WHERE staff_id = "
			       "'STAFF-2'\"", db), 0);
	ck_assert_int_eq(KESU(&r, "ledger", "audit"), KESU_EXIT_FAILURE);
	ck_assert_ptr_nonnull(strstr(r.err, "staff STAFF-2: title is '部長'"));
	tu_result_free(&r);
	out = tu_sh_out("sqlite3 '%s' 'SELECT count(*) FROM staff'", db);
	ck_assert_ptr_nonnull(out);
	ck_assert_int_eq(atoi(out), 4);
	free(out);
}
END_TEST

START_TEST(test_staff_names_checked_in_ledger_and_work)
{
	struct tu_result r;

	setup();
	roster();
	/* the ledger: 受領者, 立会者, 作業責任者 */
	refused(&r, KESU(&r, "ledger", "add", "M-0001", "--receiver=花子"), KESU_EXIT_BAD_INPUT,
		"kesu staff add");
	refused(&r, KESU(&r, "ledger", "add", "M-0001", "--witness=佐藤"), KESU_EXIT_BAD_INPUT,
		"立会者 '佐藤' is not on the roster");
	refused(&r, KESU(&r, "ledger", "add", "M-0001", "--responsible=田中 三郎"),
		KESU_EXIT_BAD_INPUT, "作業責任者 '田中 三郎'");
	ok(&r, KESU(&r, "ledger", "add", "M-0001", "--receiver=佐藤 花子", "--witness=主管　一郎",
		    "--responsible=山田太郎", "--data-name=顧客データ", "--disposition=消去",
		    "--disp-time=2026-12-01 10:00", "--disp-place=本社"));
	refused(&r, KESU(&r, "ledger", "edit", "M-0001", "--witness=一郎"), KESU_EXIT_BAD_INPUT,
		"kesu staff add");
	/* the operator */
	refused(&r, KESU(&r, "ledger", "--operator=田中 三郎", "edit", "M-0001", "--place=金庫B"),
		KESU_EXIT_BAD_INPUT, "the operator");
	refused(&r, KESU(&r, "ledger", "--operator=太郎", "edit", "M-0001", "--place=金庫B"),
		KESU_EXIT_BAD_INPUT, "kesu staff add");
	ok(&r, KESU(&r, "ledger", "--operator=佐藤花子", "edit", "M-0001", "--place=金庫B"));
	ck_assert_int_eq(KESU(&r, "ledger", "history", "M-0001"), 0);
	ck_assert_ptr_nonnull(strstr(r.out, "佐藤 花子"));       /* recorded as on the roster */
	tu_result_free(&r);

	/* approve-plan: the approver is a 主管担当 on the roster */
	refused(&r, KESU(&r, "ledger", "approve-plan", "--approved-by=主管 担当"),
		KESU_EXIT_BAD_INPUT, "承認者 (--approved-by) '主管 担当' is not a 主管担当");
	refused(&r, KESU(&r, "ledger", "approve-plan", "--approved-by=佐藤 花子"),
		KESU_EXIT_BAD_INPUT, "on the roster as データ取扱者");
	refused(&r, KESU(&r, "ledger", "--operator=一郎", "approve-plan", "--approved-by=主管 一郎"),
		KESU_EXIT_BAD_INPUT, "the operator");
	ok(&r, KESU(&r, "ledger", "approve-plan", "--approved-by=主管一郎"));

	/* work: the worker, the confirmer (データ取扱責任者) and the approver */
	refused(&r, KESU(&r, "work", "plan", "--id=W-1", "--target=顧客データ", "--worker=花子",
			 "--time=2026-11-25 09:00-12:00", "--content=移行"), KESU_EXIT_BAD_INPUT,
		"kesu staff add");
	ok(&r, KESU(&r, "work", "plan", "--id=W-1", "--target=顧客データ", "--worker=佐藤 花子",
		    "--time=2026-11-25 09:00-12:00", "--content=移行"));
	refused(&r, KESU(&r, "work", "approve", "W-1", "--approved-by=山田 太郎"),
		KESU_EXIT_BAD_INPUT, "must be a 主管担当");
	refused(&r, KESU(&r, "work", "done", "--id=W-1", "--actual-time=2026-11-25 09:00-11:00",
			 "--result=正常", "--taken-out=無", "--confirmer=佐藤 花子"),
		KESU_EXIT_BAD_INPUT, "データ取扱責任者");
	refused(&r, KESU(&r, "work", "done", "--id=W-1", "--actual-time=2026-11-25 09:00-11:00",
			 "--result=正常", "--taken-out=無", "--confirmer=太郎"),
		KESU_EXIT_BAD_INPUT, "kesu staff add");
	ok(&r, KESU(&r, "work", "done", "--id=W-1", "--actual-time=2026-11-25 09:00-11:00",
		    "--result=正常", "--taken-out=無", "--confirmer=山田 太郎"));
	ok(&r, KESU(&r, "ledger", "audit"));
}
END_TEST

START_TEST(test_staff_no_roster_note_once)
{
	struct tu_result r;
	const char *note = "keeps no roster";

	setup();
	ck_assert_int_eq(KESU(&r, "ledger", "add", "M-0001", "--receiver=花子",
			      "--witness=誰か"), 0);
	ck_assert_ptr_nonnull(strstr(r.err, note));
	ck_assert_ptr_null(strstr(strstr(r.err, note) + 1, note));
	tu_result_free(&r);
	ck_assert_int_eq(KESU(&r, "work", "plan", "--id=W-1", "--target=x", "--worker=花子",
			      "--time=2026-11-25 09:00-12:00", "--content=y"), 0);
	ck_assert_ptr_nonnull(strstr(r.err, note));
	tu_result_free(&r);
	/* reading says nothing */
	ck_assert_int_eq(KESU(&r, "ledger", "list"), 0);
	ck_assert_ptr_null(strstr(r.err, note));
	tu_result_free(&r);
	ck_assert_int_eq(KESU(&r, "staff", "list"), 0);
	ck_assert_ptr_nonnull(strstr(r.out, "is empty"));
	tu_result_free(&r);
}
END_TEST

/* An import is all or nothing: a row naming someone outside the roster is named by its line. */
START_TEST(test_staff_import_names_checked)
{
	static const char csv[] = "媒体ID,データ名,受領者,立会者\r\n"
				  "M-0001,顧客データ,佐藤 花子,主管 一郎\r\n"
				  "M-0002,試験データ,花子,\r\n";
	char path[600];
	struct tu_result r;

	setup();
	roster();
	snprintf(path, sizeof(path), "%s/in.csv", tu_tmpdir());
	ck_assert_int_eq(tu_write_file(path, csv, strlen(csv)), 0);
	ck_assert_int_eq(KESU(&r, "ledger", "import", path), KESU_EXIT_BAD_INPUT);
	ck_assert_msg(strstr(r.err, "in.csv:3: 受領者 '花子'"), "%s", r.err);
	tu_result_free(&r);
	ck_assert_int_eq(KESU(&r, "ledger", "list", "--json"), 0);
	ck_assert_ptr_null(strstr(r.out, "M-0001"));
	tu_result_free(&r);
}
END_TEST

/* An approval is of the plan as approved, and comes before the work. */
START_TEST(test_staff_work_approval_rules)
{
	struct tu_result r;

	setup();
	roster();
	ok(&r, KESU(&r, "work", "plan", "--id=W-1", "--target=顧客データ", "--worker=佐藤花子",
		    "--time=2026-11-25 09:00-12:00", "--content=移行"));
	ok(&r, KESU(&r, "work", "approve", "W-1", "--approved-by=主管 一郎",
		    "--approved-at=2026-11-24 17:00"));
	refused(&r, KESU(&r, "work", "approve", "W-1", "--approved-by=主管 一郎"), KESU_EXIT_FAILURE,
		"already approved");
	ck_assert_int_eq(KESU(&r, "work", "show", "W-1", "--json"), 0);
	ck_assert_ptr_nonnull(strstr(r.out, "\"approved_by\": \"主管 一郎\""));
	ck_assert_ptr_nonnull(strstr(r.out, "\"worker\": \"佐藤 花子\""));    /* as on the roster */
	tu_result_free(&r);
	/* a changed plan is no longer the approved one */
	ok(&r, KESU(&r, "work", "plan", "--id=W-1", "--time=2026-11-25 13:00-17:00"));
	ck_assert_int_eq(KESU(&r, "work", "show", "W-1", "--json"), 0);
	ck_assert_ptr_nonnull(strstr(r.out, "\"approved_by\": \"\""));
	tu_result_free(&r);
	refused(&r, KESU(&r, "work", "plan", "--id=W-1", "--time=午後"), KESU_EXIT_BAD_INPUT,
		"is not a time span");
	/* done, then an approval dated after the work began is not a prior approval */
	ok(&r, KESU(&r, "work", "done", "--id=W-1", "--actual-time=2026-11-25 13:00-16:00",
		    "--result=正常", "--taken-out=無", "--confirmer=山田 太郎"));
	refused(&r, KESU(&r, "work", "approve", "W-1", "--approved-by=主管 一郎",
			 "--approved-at=2026-11-25"), KESU_EXIT_BAD_INPUT, "before this approval");
	ok(&r, KESU(&r, "work", "approve", "W-1", "--approved-by=主管 一郎",
		    "--approved-at=2026-11-25 12:00"));
	ok(&r, KESU(&r, "ledger", "audit"));
}
END_TEST

/* The library's check, directly: the forms a name may take. */
START_TEST(test_staff_check_name_forms)
{
	struct kesu_ledger *lg;
	struct kesu_staff s = { 0 };
	struct kesu_errbuf eb;
	char full[KESU_STAFF_NAME_MAX];

	ck_assert_int_eq(kesu_ledger_open(":memory:", KESU_LEDGER_CREATE, 0, &lg, &eb), 0);
	ck_assert_int_eq(kesu_ledger_set_operator(lg, "佐藤 花子"), 0);
	ck_assert_int_eq(kesu_staff_check_name(lg, KESU_STAFF_ANYONE, "x", "花子", full, sizeof(full),
					       &eb), KESU_STAFF_NO_ROSTER);
	kesu_staff_set(&s, KESU_SF_ROLE, "データ取扱者");
	kesu_staff_set(&s, KESU_SF_FAMILY, "佐藤");
	kesu_staff_set(&s, KESU_SF_GIVEN, "花子");
	ck_assert_msg(kesu_staff_add(lg, &s, NULL, &eb) == 0, "%s", eb.msg);
	kesu_staff_release(&s);
	ck_assert_int_eq(kesu_staff_check_name(lg, KESU_STAFF_ANYONE, "x", "佐藤 花子", full,
					       sizeof(full), &eb), 0);
	ck_assert_str_eq(full, "佐藤 花子");
	ck_assert_int_eq(kesu_staff_check_name(lg, KESU_STAFF_ANYONE, "x", "佐藤花子", full,
					       sizeof(full), &eb), 0);
	ck_assert_str_eq(full, "佐藤 花子");
	ck_assert_int_eq(kesu_staff_check_name(lg, KESU_STAFF_HANDLER, "x", " 佐藤　花子　", NULL, 0,
					       &eb), 0);
	ck_assert_int_eq(kesu_staff_check_name(lg, KESU_STAFF_ANYONE, "x", "花子", NULL, 0, &eb),
			 -KESU_E_BAD_INPUT);
	ck_assert_ptr_nonnull(strstr(eb.msg, "kesu staff add"));
	ck_assert_int_eq(kesu_staff_check_name(lg, KESU_STAFF_ANYONE, "x", "佐藤", NULL, 0, &eb),
			 -KESU_E_BAD_INPUT);
	ck_assert_int_eq(kesu_staff_check_name(lg, KESU_STAFF_ANYONE, "x", "佐藤  花子", NULL, 0, &eb),
			 -KESU_E_BAD_INPUT);
	ck_assert_int_eq(kesu_staff_check_name(lg, KESU_STAFF_ANYONE, "x", "佐 藤花子", NULL, 0, &eb),
			 -KESU_E_BAD_INPUT);
	ck_assert_int_eq(kesu_staff_check_name(lg, KESU_STAFF_MANAGER, "x", "佐藤 花子", NULL, 0, &eb),
			 -KESU_E_BAD_INPUT);
	ck_assert_int_eq(kesu_staff_check_name(lg, KESU_STAFF_ANYONE, "x", "", NULL, 0, &eb),
			 -KESU_E_BAD_INPUT);
	kesu_ledger_close(lg);
}
END_TEST

/* A ledger written by a kesu of schema 1 opens, gains the roster, and still audits. */
START_TEST(test_staff_schema1_ledger_migrates)
{
	struct tu_result r;

	setup();
	ok(&r, KESU(&r, "ledger", "add", "M-0001", "--data-name=顧客データ"));
	ok(&r, KESU(&r, "work", "plan", "--id=W-1", "--target=x", "--worker=佐藤 花子",
		    "--time=2026-11-25 09:00-12:00", "--content=y"));
	/* back to schema 1: without what schemas 2 (roster) and 3 (seals) added */
	ck_assert_int_eq(tu_sh("sqlite3 '%s' 'DROP TABLE staff; ALTER TABLE work DROP COLUMN "
			       "approved_by; ALTER TABLE work DROP COLUMN approved_at; "
			       "DROP TABLE meta; DROP TABLE seals; ALTER TABLE certs DROP COLUMN "
			       "timestamp; PRAGMA user_version = 1'", db), 0);
	ok(&r, KESU(&r, "ledger", "audit"));
	ck_assert_int_eq(tu_sh("test \"$(sqlite3 '%s' 'PRAGMA user_version')\" = %d", db,
			       KESU_LEDGER_SCHEMA), 0);
	roster();
	ok(&r, KESU(&r, "ledger", "audit"));
}
END_TEST

/* kesu wipe --media-id --db refuses an operator outside the roster before touching the device. */
START_TEST(test_staff_wipe_operator_outside_roster)
{
	char dev[64], img[PATH_MAX], out[PATH_MAX], *before, *after;
	struct tu_pki p;
	struct tu_result r;

	if (tu_skip_unless_root(__func__))
		return;
	setup();
	tu_make_pki(tu_tmpdir(), "/CN=Root", "/CN=山田 太郎", &p);
	roster();
	ok(&r, KESU(&r, "ledger", "add", "M-0001", "--data-name=顧客データ"));
	ck_assert_int_eq(tu_loop_create(8u << 20, dev, sizeof(dev), img, sizeof(img)), 0);
	ck_assert_int_eq(tu_sh("dd if=/dev/urandom of=%s bs=1M count=8 status=none", dev), 0);
	before = tu_sh_out("sha256sum < %s", dev);
	snprintf(out, sizeof(out), "%s/ev", tu_tmpdir());
	ck_assert_int_eq(tu_sh("mkdir -p %s", out), 0);
	ck_assert_int_eq(tu_kesu(&r, "wipe", dev, "--yes", "-q", "--out", out, "--key", p.key,
				 "--signer-cert", p.cert, "--ca", p.root, "--config", conf,
				 "--media-id", "M-0001", "--db", db, "--operator", "花子", NULL), 0);
	ck_assert_int_ne(r.status, 0);
	ck_assert_msg(strstr(r.err, "kesu staff add"), "%s", r.err);
	tu_result_free(&r);
	after = tu_sh_out("sha256sum < %s", dev);
	ck_assert_str_eq(before, after);
	free(before);
	free(after);
	/* the full name, without the space, is the roster's */
	ck_assert_int_eq(tu_kesu(&r, "wipe", dev, "--yes", "-q", "--out", out, "--key", p.key,
				 "--signer-cert", p.cert, "--ca", p.root, "--config", conf,
				 "--media-id", "M-0001", "--db", db, "--operator", "佐藤花子", NULL), 0);
	ck_assert_msg(r.status == 0, "%s", r.err);
	tu_result_free(&r);
	ok(&r, KESU(&r, "ledger", "audit"));
}
END_TEST

int main(void)
{
	Suite *s = suite_create("staff");
	struct tu_case tests[] = {
		{ "add_edit_remove", test_staff_add_edit_remove_audited },
		{ "names_checked", test_staff_names_checked_in_ledger_and_work },
		{ "no_roster_note", test_staff_no_roster_note_once },
		{ "check_name_forms", test_staff_check_name_forms },
		{ "import_names", test_staff_import_names_checked },
		{ "work_approval_rules", test_staff_work_approval_rules },
		{ "schema1_migrates", test_staff_schema1_ledger_migrates },
		{ "wipe_operator", test_staff_wipe_operator_outside_roster },
	};

	TU_ADD_CASES(s, tests, 120);
	return tu_main(s);
}
