/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Seals of the ledger's audit chain: 'kesu ledger seal' signs the head with
 * the station's key; stock 'openssl cms -verify' checks a seal file and
 * rejects a changed one; 'kesu ledger audit' catches, against a seal, the
 * newest events deleted, the chain rewritten with its hashes recomputed, an
 * older copy of the database put back, a seal deleted from the database and
 * a seal altered, naming the event where the history diverges. Changes that
 * approve a plan or attach a certificate seal by themselves.
 */
#include <check.h>
#include <jansson.h>
#include <limits.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <kesu/cli.h>
#include <kesu/util.h>

#include "lib/testutil.h"

#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wformat-truncation"
#endif

static struct tu_pki pki;
static char dir[PATH_MAX / 2], db[PATH_MAX], conf[PATH_MAX];

#define KESU(r, cmd, ...) (tu_kesu((r), cmd, "--db", db, "--config", conf, __VA_ARGS__, NULL), \
			   (r)->status)

static void ok(struct tu_result *r, int status, const char *what)
{
	ck_assert_msg(status == 0, "%s exited %d: %s%s", what, status, r->out, r->err);
	tu_result_free(r);
}

static void station(void)
{
	char cfg[4 * PATH_MAX];

	snprintf(dir, sizeof(dir), "%s", tu_tmpdir());
	tu_make_pki(dir, "/CN=Test Root/O=テスト株式会社", "/CN=山田 太郎/O=テスト株式会社", &pki);
	snprintf(db, sizeof(db), "%s/kesu.db", dir);
	snprintf(conf, sizeof(conf), "%s/kesu.conf", dir);
	snprintf(cfg, sizeof(cfg), "[operator]\nname = 山田 太郎\n"
		 "[signing]\nkey = %s\ncert = %s\nroot = %s\n", pki.key, pki.cert, pki.root);
	ck_assert_int_eq(tu_write_file(conf, cfg, strlen(cfg)), 0);
}

static void add(const char *id, const char *place)
{
	struct tu_result r;
	char opt[128];

	snprintf(opt, sizeof(opt), "--place=%s", place);
	ok(&r, KESU(&r, "ledger", "add", id, "--data-name=顧客データ", opt), "add");
}

/* Seal; the seal file's path into file. */
static void seal(char *file, size_t len)
{
	struct tu_result r;
	json_t *o;

	ck_assert_int_eq(KESU(&r, "ledger", "seal", "--json"), 0);
	o = json_loads(r.out, 0, NULL);
	ck_assert_ptr_nonnull(o);
	snprintf(file, len, "%s", json_string_value(json_object_get(o, "file")));
	json_decref(o);
	tu_result_free(&r);
}

/* audit must fail, saying what (in stderr) and the event where history diverges. */
static void audit_fails(const char *what, long diverge, const char *extra_seal)
{
	struct tu_result r;
	char at[64];
	int st = extra_seal ? KESU(&r, "ledger", "audit", "--seal", extra_seal) :
			      KESU(&r, "ledger", "audit");

	ck_assert_msg(st == KESU_EXIT_FAILURE, "audit exited %d: %s%s", st, r.out, r.err);
	ck_assert_msg(strstr(r.err, what), "'%s' not in: %s", what, r.err);
	if (diverge) {
		snprintf(at, sizeof(at), "diverges at event %ld", diverge);
		ck_assert_msg(strstr(r.err, at), "'%s' not in: %s", at, r.err);
	}
	tu_result_free(&r);
}

static void audit_ok(void)
{
	struct tu_result r;

	ok(&r, KESU(&r, "ledger", "audit"), "audit");
}

START_TEST(test_seal_openssl_verifies_and_rejects_change)
{
	char file[PATH_MAX], changed[PATH_MAX + 16];
	struct tu_result r;

	station();
	add("M-0001", "金庫A");
	add("M-0002", "金庫A");
	seal(file, sizeof(file));
	ck_assert_int_eq(tu_sh("openssl cms -verify -binary -inform PEM -in '%s.p7s' -content '%s' "
			       "-CAfile '%s' -out /dev/null 2>/dev/null", file, file, pki.root), 0);
	/* the seal says which ledger, which event, which head */
	{
		char *t = tu_read_file(file, NULL), *head;
		json_t *o = json_loads(t, 0, NULL);

		ck_assert_int_eq(json_integer_value(json_object_get(o, "seq")), 2);
		ck_assert_str_eq(json_string_value(json_object_get(o, "kind")), "kesu-ledger-seal");
		head = tu_sh_out("sqlite3 '%s' 'SELECT hash FROM events WHERE seq = 2'", db);
		ck_assert_int_eq(strncmp(head, json_string_value(json_object_get(o, "head")), 64), 0);
		free(head);
		json_decref(o);
		free(t);
	}
	snprintf(changed, sizeof(changed), "%s/changed.json", dir);
	ck_assert_int_eq(tu_sh("sed 's/\"seq\":2/\"seq\":1/' '%s' > '%s'", file, changed), 0);
	ck_assert_int_ne(tu_sh("openssl cms -verify -binary -inform PEM -in '%s.p7s' -content '%s' "
			       "-CAfile '%s' -out /dev/null 2>/dev/null", file, changed, pki.root), 0);
	ck_assert_int_ne(tu_sh("cmp -s '%s' '%s'", file, changed), 0);
	audit_ok();
	ck_assert_int_eq(KESU(&r, "ledger", "audit"), 0);
	ck_assert_ptr_nonnull(strstr(r.out, "latest seal KS-"));
	ck_assert_ptr_nonnull(strstr(r.out, "0 events after the latest seal"));
	tu_result_free(&r);
	add("M-0003", "金庫B");
	ck_assert_int_eq(KESU(&r, "ledger", "audit"), 0);
	ck_assert_ptr_nonnull(strstr(r.out, "1 event after the latest seal"));
	tu_result_free(&r);
}
END_TEST

/* The newest events deleted (with the tables put back to match): only a seal sees it. */
START_TEST(test_seal_catches_deleted_events)
{
	char file[PATH_MAX];

	station();
	add("M-0001", "金庫A");
	add("M-0002", "金庫A");
	add("M-0003", "金庫A");
	seal(file, sizeof(file));
	ck_assert_int_eq(tu_sh("sqlite3 '%s' \"DROP TRIGGER events_no_delete;"
			       " DELETE FROM events WHERE seq >= 3; DELETE FROM media WHERE"
			       " media_id = 'M-0003'\"", db), 0);
	audit_fails("the events after 2 were deleted", 3, NULL);
	/* the seal row deleted as well: the seal file beside the database remembers */
	ck_assert_int_eq(tu_sh("sqlite3 '%s' \"DROP TRIGGER seals_no_delete; DELETE FROM seals\"",
			       db), 0);
	audit_fails("the events after 2 were deleted", 3, NULL);
	/* ... and a seal file kept elsewhere, given with --seal */
	ck_assert_int_eq(tu_sh("mv '%s' '%s.p7s' '%s/'", file, file, dir), 0);
	ck_assert_int_eq(tu_sh("rm -rf '%s.seals'", db), 0);
	{
		struct tu_result r;

		ok(&r, KESU(&r, "ledger", "audit"), "audit without the seal");
	}
	snprintf(file, sizeof(file), "%s/%s", dir, strrchr(file, '/') + 1);
	audit_fails("the events after 2 were deleted", 3, file);
}
END_TEST

/* Canonical bytes of an event, as kesu hashes them. */
static char *canonical(sqlite3_stmt *st, const char *prev)
{
	json_t *detail = json_loads((const char *)sqlite3_column_text(st, 6), 0, NULL);
	json_t *o = json_pack("{sI ss ss ss ss ss so ss}", "seq",
			      (json_int_t)sqlite3_column_int64(st, 0),
			      "time", sqlite3_column_text(st, 1), "operator", sqlite3_column_text(st, 2),
			      "action", sqlite3_column_text(st, 3), "entity", sqlite3_column_text(st, 4),
			      "key", sqlite3_column_text(st, 5), "detail", detail, "prev", prev);
	char *s = json_dumps(o, JSON_SORT_KEYS | JSON_COMPACT);

	json_decref(o);
	return s;
}

/*
 * Rewrite history from event 2 on: its new place is 金庫X (and the table says
 * so), every hash from there recomputed. The chain is consistent again.
 */
static void rewrite_chain(void)
{
	sqlite3 *h;
	sqlite3_stmt *st, *up;
	char prev[65] = "0000000000000000000000000000000000000000000000000000000000000000";

	ck_assert_int_eq(sqlite3_open(db, &h), SQLITE_OK);
	ck_assert_int_eq(sqlite3_exec(h, "DROP TRIGGER events_no_update;"
				      "UPDATE events SET detail = replace(detail, '金庫A', '金庫X')"
				      " WHERE seq = 2;"
				      "UPDATE media SET place = '金庫X' WHERE media_id = 'M-0002'",
				      NULL, NULL, NULL), SQLITE_OK);
	ck_assert_int_eq(sqlite3_prepare_v2(h, "SELECT seq, time, operator, action, entity, key,"
					    " detail FROM events ORDER BY seq", -1, &st, NULL), SQLITE_OK);
	ck_assert_int_eq(sqlite3_prepare_v2(h, "UPDATE events SET prev_hash = ?1, hash = ?2"
					    " WHERE seq = ?3", -1, &up, NULL), SQLITE_OK);
	while (sqlite3_step(st) == SQLITE_ROW) {
		char *c = canonical(st, prev), hash[65];

		ck_assert_int_eq(kesu_sha256_hex(c, strlen(c), hash), 0);
		free(c);
		sqlite3_bind_text(up, 1, prev, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(up, 2, hash, -1, SQLITE_TRANSIENT);
		sqlite3_bind_int64(up, 3, sqlite3_column_int64(st, 0));
		ck_assert_int_eq(sqlite3_step(up), SQLITE_DONE);
		sqlite3_reset(up);
		memcpy(prev, hash, sizeof(prev));
	}
	sqlite3_finalize(st);
	sqlite3_finalize(up);
	sqlite3_close(h);
}

START_TEST(test_seal_catches_rewritten_chain)
{
	char file[PATH_MAX];
	struct tu_result r;

	station();
	add("M-0001", "金庫A");
	add("M-0002", "金庫A");
	add("M-0003", "金庫A");
	seal(file, sizeof(file));
	add("M-0004", "金庫A");
	rewrite_chain();
	/* the chain and the tables agree with each other again ... */
	ck_assert_int_eq(tu_sh("sqlite3 '%s' \"DROP TRIGGER seals_no_delete; DELETE FROM seals\"",
			       db), 0);
	ck_assert_int_eq(tu_sh("mv '%s.seals' '%s/kept'", db, dir), 0);
	ok(&r, KESU(&r, "ledger", "audit"), "audit of a rewritten chain without seals");
	/* ... but not with the seal */
	snprintf(file, sizeof(file), "%s/kept/%s", dir, strrchr(file, '/') + 1);
	audit_fails("the history was rewritten from event 2 on", 2, file);
}
END_TEST

/* A copy of the database taken earlier and put back: the newer seal's file remembers. */
START_TEST(test_seal_catches_restored_copy)
{
	char file[PATH_MAX];

	station();
	add("M-0001", "金庫A");
	seal(file, sizeof(file));
	ck_assert_int_eq(tu_sh("cp '%s' '%s/old.db'", db, dir), 0);
	add("M-0002", "金庫A");
	seal(file, sizeof(file));
	ck_assert_int_eq(tu_sh("cp '%s/old.db' '%s'", dir, db), 0);
	audit_fails("this is an older copy of the database", 2, NULL);
	/* new events added to the old copy do not hide it */
	add("M-0009", "金庫A");
	audit_fails("event 2 is not the event seal", 2, NULL);
}
END_TEST

/* A seal row altered, or replaced from another database, does not pass. */
START_TEST(test_seal_altered_or_foreign)
{
	char file[PATH_MAX];

	station();
	add("M-0001", "金庫A");
	seal(file, sizeof(file));
	ck_assert_int_eq(tu_sh("sqlite3 '%s' \"DROP TRIGGER seals_no_update;"
			       " UPDATE seals SET content = replace(content, '\\\"seq\\\":1', '\\\"seq\\\":0'),"
			       " seq = 0\"", db), 0);
	audit_fails("does not verify against", 0, NULL);
	/* a new database at the same path: the seal files beside it are of another ledger */
	ck_assert_int_eq(unlink(db), 0);
	add("M-0001", "金庫A");
	audit_fails("is of another ledger", 0, NULL);
}
END_TEST

/* approve-plan and attach-cert seal by themselves. */
START_TEST(test_seal_after_approve)
{
	struct tu_result r;

	station();
	ok(&r, KESU(&r, "ledger", "add", "M-0001", "--disposition=消去", "--disp-time=2026-12-01 10:00",
		    "--disp-place=本社", "--witness=鈴木 次郎", "--responsible=山田 太郎"), "add");
	ck_assert_int_eq(KESU(&r, "ledger", "approve-plan", "--approved-by=主管 担当"), 0);
	ck_assert_ptr_nonnull(strstr(r.err, "ledger sealed: KS-"));
	tu_result_free(&r);
	ck_assert_int_eq(KESU(&r, "ledger", "audit", "--json"), 0);
	{
		json_t *o = json_loads(r.out, 0, NULL);

		ck_assert(json_is_true(json_object_get(o, "sealed")));
		ck_assert_int_eq(json_integer_value(json_object_get(o, "events_after_seal")), 0);
		ck_assert_int_eq(json_integer_value(json_object_get(json_object_get(o, "latest_seal"),
								    "seq")), 2);
		json_decref(o);
	}
	tu_result_free(&r);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("seal");
	struct tu_case tests[] = {
		{ "openssl", test_seal_openssl_verifies_and_rejects_change },
		{ "deleted_events", test_seal_catches_deleted_events },
		{ "rewritten_chain", test_seal_catches_rewritten_chain },
		{ "restored_copy", test_seal_catches_restored_copy },
		{ "altered_foreign", test_seal_altered_or_foreign },
		{ "after_approve", test_seal_after_approve },
	};

	TU_ADD_CASES(s, tests, 120);
	return tu_main(s);
}
