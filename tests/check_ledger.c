/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The media ledger: round trips, bad input leaving the database unchanged,
 * CSV in UTF-8 and Shift_JIS, the audit trail against tampering, inventory,
 * kill -9 during an import, locked and corrupt databases.
 *
 * The cases that do not depend on SQLite's file run twice: on an SQLite
 * file, and as *_pg on a fresh database of a throwaway PostgreSQL cluster
 * this binary starts once (tests/lib/pgfx.c); those SKIP with the reason when
 * PostgreSQL cannot run here. The locked and kill -9 cases on a server are
 * in check_ledger_pg.
 */
#include <check.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <kesu/cli.h>
#include <kesu/ledger.h>

#include "lib/pgfx.h"
#include "lib/testutil.h"

#define OP "--operator=山田 太郎"

static char db[512];
static int pg;                  /* the current case runs on PostgreSQL */

/* A fresh ledger: an SQLite file, or (on_pg) a new database on the cluster. 0: skip. */
static int setup_db(int on_pg)
{
	char path[512];

	pg = on_pg;
	snprintf(path, sizeof(path), "%s/kesu.db", tu_tmpdir());
	return pgfx_ledger(on_pg, path, db, sizeof(db));
}

/* _i is Check's loop index: 1 for the *_pg cases (see main). */
#define SETUP_DB() do { if (!setup_db(_i)) return; } while (0)

/* Run SQL behind kesu's back, in the backend's own spelling; the exit status. */
static int raw_sql(const char *sqlite_sql, const char *pg_sql)
{
	if (pg)
		return pgfx_psql(db, pg_sql);
	return tu_sh("sqlite3 '%s' \"%s\" 2>/dev/null", db, sqlite_sql);
}

/* Run kesu ledger --db DB ARGS...; returns the exit status, output in r. */
#define LEDGER(r, ...) (tu_kesu((r), "ledger", "--db", db, __VA_ARGS__, NULL), (r)->status)

/* The whole database as text (on a server without the identity counters,
 * which a refused insert may advance: no data of the ledger). */
static char *dump(void)
{
	char *d = pg ? pgfx_dump(db) : tu_sh_out("sqlite3 '%s' .dump", db);

	ck_assert_ptr_nonnull(d);
	ck_assert_msg(strstr(d, "CREATE TABLE"), "no dump of %s: %s", db, d);
	return d;
}

/* The database is as it was: on a difference, the first line that differs. */
static void same_dump(const char *before, const char *after)
{
	size_t i = 0, line = 0;

	while (before[i] && before[i] == after[i])
		i++;
	if (!before[i] && !after[i])
		return;
	while (i > 0 && before[i - 1] != '\n')
		i--;
	line = i;
	ck_abort_msg("the database changed at: '%.160s' -> '%.160s'", before + line, after + line);
}

static long count_rows(const char *table)
{
	char *out = NULL, sql[128];
	long n;

	snprintf(sql, sizeof(sql), "SELECT count(*) FROM %s", table);
	out = pg ? pgfx_psql_out(db, sql) : tu_sh_out("sqlite3 '%s' '%s'", db, sql);

	ck_assert_ptr_nonnull(out);
	n = strtol(out, NULL, 10);
	free(out);
	return n;
}

static void add_ok(const char *id, const char *place)
{
	struct tu_result r;
	char opt[256];

	snprintf(opt, sizeof(opt), "--place=%s", place);
	ck_assert_msg(LEDGER(&r, OP, "add", id, "--data-name=顧客データ", "--medium=HDD 1TB", opt) == 0,
		      "add %s: %s", id, r.err);
	tu_result_free(&r);
}

START_TEST(test_ledger_add_edit_move_history)
{
	struct kesu_ledger *lg;
	struct kesu_media m = { 0 }, got;
	struct kesu_errbuf eb;
	struct tu_result r;
	long no;

	SETUP_DB();
	ck_assert_int_eq(kesu_ledger_open(db, KESU_LEDGER_CREATE, 1000, &lg, &eb), 0);
	ck_assert_int_eq(kesu_ledger_set_operator(lg, "山田 太郎"), 0);
	kesu_media_set(&m, KESU_MF_MEDIA_ID, "M-0001");
	kesu_media_set(&m, KESU_MF_DATA_NAME, "顧客データ");
	kesu_media_set(&m, KESU_MF_GIVEN_ON, "2026/1/5");
	kesu_media_set(&m, KESU_MF_PLACE, "金庫A");
	ck_assert_int_eq(kesu_ledger_add(lg, &m, &no, &eb), 0);
	ck_assert_int_eq(no, 1);
	ck_assert_int_eq(kesu_ledger_get_media(lg, "M-0001", &got, &eb), 0);
	ck_assert_str_eq(kesu_media_get(&got, KESU_MF_GIVEN_ON), "2026-01-05");
	ck_assert_str_eq(kesu_media_get(&got, KESU_MF_STATUS), "受領");
	kesu_media_release(&got);
	kesu_media_release(&m);
	kesu_ledger_close(lg);
	if (!pg) {
		struct stat sb;

		ck_assert_int_eq(stat(db, &sb), 0);
		ck_assert_int_eq(sb.st_mode & 0777, 0640);   /* names inside: not world-readable */
	}

	ck_assert_int_eq(LEDGER(&r, OP, "edit", "M-0001", "--status=保管中", "--storage=施錠保管"), 0);
	tu_result_free(&r);
	ck_assert_int_eq(LEDGER(&r, OP, "move", "M-0001", "金庫B"), 0);
	tu_result_free(&r);
	ck_assert_int_eq(LEDGER(&r, "show", "M-0001", "--json"), 0);
	ck_assert_ptr_nonnull(strstr(r.out, "\"place\": \"金庫B\""));
	ck_assert_ptr_nonnull(strstr(r.out, "\"status\": \"保管中\""));
	tu_result_free(&r);
	ck_assert_int_eq(LEDGER(&r, "history", "M-0001", "--json"), 0);
	ck_assert_ptr_nonnull(strstr(r.out, "\"action\": \"move\""));
	ck_assert_ptr_nonnull(strstr(r.out, "\"金庫A\""));     /* the old value is recorded */
	ck_assert_ptr_nonnull(strstr(r.out, "\"operator\": \"山田 太郎\""));
	tu_result_free(&r);
	ck_assert_int_eq(LEDGER(&r, "audit"), 0);
	ck_assert_ptr_nonnull(strstr(r.out, "3 events"));
	tu_result_free(&r);
	ck_assert_int_eq(LEDGER(&r, "list", "--place=金庫B", "--json"), 0);
	ck_assert_ptr_nonnull(strstr(r.out, "M-0001"));
	tu_result_free(&r);
	ck_assert_int_eq(LEDGER(&r, "list", "--place=金庫A", "--json"), 0);
	ck_assert_ptr_null(strstr(r.out, "M-0001"));
	tu_result_free(&r);
}
END_TEST

START_TEST(test_ledger_bad_ids_leave_db_unchanged)
{
	struct tu_result r;
	char *before, *after;

	SETUP_DB();
	add_ok("M-0001", "金庫A");
	before = dump();
	ck_assert_int_eq(LEDGER(&r, OP, "add", "M-0001"), KESU_EXIT_FAILURE);
	ck_assert_ptr_nonnull(strstr(r.err, "already in the ledger"));
	tu_result_free(&r);
	ck_assert_int_eq(LEDGER(&r, OP, "edit", "M-0404", "--place=X"), KESU_EXIT_FAILURE);
	ck_assert_ptr_nonnull(strstr(r.err, "no medium 'M-0404'"));
	tu_result_free(&r);
	ck_assert_int_eq(LEDGER(&r, OP, "move", "M-0404", "X"), KESU_EXIT_FAILURE);
	tu_result_free(&r);
	ck_assert_int_eq(LEDGER(&r, OP, "add", "m-lower"), KESU_EXIT_BAD_INPUT);
	ck_assert_ptr_nonnull(strstr(r.err, "uppercase"));
	tu_result_free(&r);
	ck_assert_int_eq(LEDGER(&r, OP, "edit", "M-0001", "--status=なくした"), KESU_EXIT_BAD_INPUT);
	tu_result_free(&r);
	/* no operator: changes are refused */
	ck_assert_int_eq(tu_kesu(&r, "ledger", "--db", db, "--config=/dev/null", "add", "M-0002",
				 NULL), 0);
	ck_assert_int_eq(r.status, KESU_EXIT_BAD_INPUT);
	ck_assert_ptr_nonnull(strstr(r.err, "operator"));
	tu_result_free(&r);
	after = dump();
	same_dump(before, after);
	free(before);
	free(after);
}
END_TEST

static const char csv_text[] =
	"項番,媒体ID,データ名,記録媒体,交付者,交付日,保管場所,使用目的\r\n"
	"1,M-0001,\"顧客データ, 2026年度\",HDD,日本 一郎,2026/11/01,金庫A,\"移行\"\"試験\"\"\"\r\n"
	"2,M-0002,試験データ,USBメモリ,日本 一郎,2026-11-02,金庫A,検証\r\n"
	"3,M-0003,ログ,SSD,日本 一郎,2026-11-02,金庫B,解析\r\n";

START_TEST(test_ledger_csv_sjis_round_trip)
{
	char utf[512], sjis[512], out[512];
	struct tu_result r;
	char *back;

	SETUP_DB();
	snprintf(utf, sizeof(utf), "%s/in.csv", tu_tmpdir());
	snprintf(sjis, sizeof(sjis), "%s/sjis.csv", tu_tmpdir());
	snprintf(out, sizeof(out), "%s/out.csv", tu_tmpdir());
	ck_assert_int_eq(tu_write_file(utf, csv_text, strlen(csv_text)), 0);
	ck_assert_int_eq(tu_sh("iconv -f UTF-8 -t CP932 '%s' > '%s'", utf, sjis), 0);
	ck_assert_int_eq(LEDGER(&r, OP, "import", sjis), 0);     /* auto-detected Shift_JIS */
	ck_assert_ptr_nonnull(strstr(r.out, "imported 3 rows"));
	tu_result_free(&r);
	ck_assert_int_eq(LEDGER(&r, "show", "M-0001", "--json"), 0);
	ck_assert_ptr_nonnull(strstr(r.out, "顧客データ, 2026年度"));
	ck_assert_ptr_nonnull(strstr(r.out, "移行\\\"試験\\\""));
	ck_assert_ptr_nonnull(strstr(r.out, "2026-11-01"));
	tu_result_free(&r);
	ck_assert_int_eq(LEDGER(&r, "export", "--encoding=sjis", "-o", out), 0);
	tu_result_free(&r);
	back = tu_sh_out("iconv -f CP932 -t UTF-8 '%s'", out);
	ck_assert_ptr_nonnull(back);
	ck_assert_ptr_nonnull(strstr(back, "項番,媒体ID,シリアル番号,データ名"));
	ck_assert_ptr_nonnull(strstr(back, "1,M-0001,,\"顧客データ, 2026年度\",HDD,日本 一郎,2026-11-01"));
	ck_assert_ptr_nonnull(strstr(back, "3,M-0003,,ログ,SSD"));
	free(back);
	/* the exported file imports again into a fresh ledger */
	SETUP_DB();
	ck_assert_int_eq(LEDGER(&r, OP, "import", "--encoding=sjis", out), 0);
	tu_result_free(&r);
	ck_assert_int_eq(count_rows("media"), 3);
}
END_TEST

/* export -o writes its file for its owner only (people's names; as JSON the whole chain),
 * whatever the umask and the mode of the file it replaces. */
START_TEST(test_ledger_export_file_private)
{
	static const char *const names[] = { "out.csv", "out.json" };
	struct tu_result r;
	struct stat st;

	SETUP_DB();
	ck_assert_int_eq(LEDGER(&r, OP, "add", "M-0001", "--giver=日本 一郎", "--receiver=山田 太郎"), 0);
	tu_result_free(&r);
	for (size_t i = 0; i < 2; i++) {
		char path[512];
		mode_t old = umask(0);

		snprintf(path, sizeof(path), "%s/%s", tu_tmpdir(), names[i]);
		ck_assert_int_eq(tu_write_file(path, "old", 3), 0);
		ck_assert_int_eq(chmod(path, 0666), 0);
		ck_assert_int_eq(LEDGER(&r, "export", "-o", path), 0);
		umask(old);
		tu_result_free(&r);
		ck_assert_int_eq(stat(path, &st), 0);
		ck_assert_msg((st.st_mode & 07777) == 0600, "%s has mode %o", names[i], (unsigned)(st.st_mode & 07777));
		ck_assert_int_eq(tu_sh("grep -q '日本 一郎' '%s'", path), 0);
	}
}
END_TEST

START_TEST(test_ledger_csv_malformed_rows_named_nothing_imported)
{
	static const char bad[] =
		"媒体ID,データ名,交付日\n"
		"M-0010,良い行,2026-11-01\n"
		"M-0011,日付が変,2026-13-01\n"
		"M-0001,既存,2026-11-01\n"
		"m-bad,小文字,\n"
		"M-0012,列が足りない\n"
		"M-0013,\"閉じない引用,2026-11-01\n";
	char path[512], *before, *after;
	struct tu_result r;

	SETUP_DB();
	add_ok("M-0001", "金庫A");
	before = dump();
	snprintf(path, sizeof(path), "%s/bad.csv", tu_tmpdir());
	ck_assert_int_eq(tu_write_file(path, bad, strlen(bad)), 0);
	ck_assert_int_eq(LEDGER(&r, OP, "import", path), KESU_EXIT_BAD_INPUT);
	ck_assert_ptr_nonnull(strstr(r.err, "bad.csv:3: 交付日"));
	ck_assert_ptr_nonnull(strstr(r.err, "bad.csv:4: media ID M-0001 is already"));
	ck_assert_ptr_nonnull(strstr(r.err, "bad.csv:5: media ID \"m-bad\" has lowercase"));
	ck_assert_ptr_nonnull(strstr(r.err, "bad.csv:6: 2 fields, but the header has 3"));
	ck_assert_ptr_nonnull(strstr(r.err, "bad.csv:7: a quoted field is not closed"));
	ck_assert_ptr_null(strstr(r.err, "bad.csv:2:"));
	ck_assert_ptr_nonnull(strstr(r.err, "5 malformed rows; nothing was imported"));
	tu_result_free(&r);
	after = dump();
	same_dump(before, after);
	free(before);
	free(after);
}
END_TEST

START_TEST(test_ledger_audit_detects_tampered_event)
{
	struct tu_result r;

	SETUP_DB();
	add_ok("M-0001", "金庫A");
	add_ok("M-0002", "金庫A");
	ck_assert_int_eq(LEDGER(&r, OP, "move", "M-0001", "金庫B"), 0);
	tu_result_free(&r);
	ck_assert_int_eq(LEDGER(&r, "audit"), 0);
	tu_result_free(&r);
	/* the trigger refuses an UPDATE of the events */
	ck_assert_int_ne(raw_sql("UPDATE events SET operator='誰か' WHERE seq=2",
				 "UPDATE events SET operator='誰か' WHERE seq=2"), 0);
	/* behind kesu's back: drop the trigger, then rewrite who made event 2 */
	ck_assert_int_eq(raw_sql("DROP TRIGGER events_no_update; "
				 "UPDATE events SET operator='誰か' WHERE seq=2",
				 "ALTER TABLE events DISABLE TRIGGER USER; "
				 "UPDATE events SET operator='誰か' WHERE seq=2"), 0);
	ck_assert_int_eq(LEDGER(&r, "audit"), KESU_EXIT_FAILURE);
	ck_assert_ptr_nonnull(strstr(r.err, "event 2 (add M-0002 by 誰か"));
	ck_assert_ptr_nonnull(strstr(r.err, "the history diverges at event 2"));
	tu_result_free(&r);
	ck_assert_int_eq(LEDGER(&r, "audit", "--json"), KESU_EXIT_FAILURE);
	ck_assert_ptr_nonnull(strstr(r.out, "\"first_bad\": 2"));
	tu_result_free(&r);
}
END_TEST

START_TEST(test_ledger_audit_detects_table_edit_and_deleted_event)
{
	struct tu_result r;

	SETUP_DB();
	add_ok("M-0001", "金庫A");
	ck_assert_int_eq(LEDGER(&r, OP, "move", "M-0001", "金庫B"), 0);
	tu_result_free(&r);
	ck_assert_int_eq(raw_sql("UPDATE media SET place='自宅' WHERE media_id='M-0001'",
				 "UPDATE media SET place='自宅' WHERE media_id='M-0001'"), 0);
	ck_assert_int_eq(LEDGER(&r, "audit"), KESU_EXIT_FAILURE);
	ck_assert_ptr_nonnull(strstr(r.err, "M-0001: place is '自宅' in the database"));
	tu_result_free(&r);
	/* put the row back, then remove the first event */
	ck_assert_int_eq(raw_sql("UPDATE media SET place='金庫B'; DROP TRIGGER events_no_delete; "
				 "DELETE FROM events WHERE seq=1",
				 "UPDATE media SET place='金庫B'; ALTER TABLE events DISABLE TRIGGER USER; "
				 "DELETE FROM events WHERE seq=1"), 0);
	ck_assert_int_eq(LEDGER(&r, "audit"), KESU_EXIT_FAILURE);
	ck_assert_ptr_nonnull(strstr(r.err, "event 1 is missing"));
	tu_result_free(&r);
}
END_TEST

START_TEST(test_ledger_check_missing_unexpected_misplaced)
{
	/* as a keyboard-wedge scanner types them: CR LF, spaces, lowercase */
	static const char scans[] =
		"KESU:M:M-0001\r\n"
		"  kesu:m:m-0002 \r\n"
		"KESU:M:M-0001\r\n"
		"KESU:M:M-0009\r\n"
		"\r\n"
		"KESU:M:M-0004\n";
	struct tu_result r;
	long events;

	SETUP_DB();
	add_ok("M-0001", "金庫A");
	add_ok("M-0002", "金庫A");
	add_ok("M-0003", "金庫A");
	add_ok("M-0004", "金庫B");
	events = count_rows("events");
	ck_assert_int_eq(tu_kesu_env(&r, NULL, "ledger", "--db", db, OP, "check", "--place=金庫A",
				     "--json", NULL), 0);
	tu_result_free(&r);
	{
		const char *argv[] = { tu_kesu_bin(), "ledger", "--db", db, OP, "check", "--place=金庫A",
				       NULL };

		ck_assert_int_eq(tu_runv(&r, NULL, scans, argv), 0);
	}
	ck_assert_int_eq(r.status, KESU_EXIT_FAILURE);
	ck_assert_ptr_nonnull(strstr(r.out, "present    M-0001"));
	ck_assert_ptr_nonnull(strstr(r.out, "present    M-0002"));
	ck_assert_ptr_nonnull(strstr(r.out, "missing    M-0003"));
	ck_assert_ptr_nonnull(strstr(r.out, "unexpected KESU:M:M-0009"));
	ck_assert_ptr_nonnull(strstr(r.out, "misplaced  M-0004  (the ledger says 金庫B)"));
	ck_assert_ptr_nonnull(strstr(r.out, "present 2, missing 1, unexpected 1, misplaced 1"));
	tu_result_free(&r);
	/* both checks are recorded as events, and the chain still holds */
	ck_assert_int_eq(count_rows("events"), events + 2);
	ck_assert_int_eq(LEDGER(&r, "history", "--json"), 0);
	ck_assert_ptr_nonnull(strstr(r.out, "\"missing\": [\n"));
	tu_result_free(&r);
	ck_assert_int_eq(LEDGER(&r, "audit"), 0);
	tu_result_free(&r);
}
END_TEST

START_TEST(test_ledger_parse_payload)
{
	char id[KESU_LEDGER_ID_MAX], sha[17];

	ck_assert_int_eq(kesu_ledger_parse_payload(" kesu:m:abc-1\r", id, sizeof(id), sha), 'M');
	ck_assert_str_eq(id, "ABC-1");
	ck_assert_int_eq(kesu_ledger_parse_payload("KESU:C:KC-20261125-0A1B2C3D:0123456789abcdef\n",
						   id, sizeof(id), sha), 'C');
	ck_assert_str_eq(id, "KC-20261125-0A1B2C3D");
	ck_assert_str_eq(sha, "0123456789ABCDEF");
	ck_assert_int_eq(kesu_ledger_parse_payload("KESU:C:X:0123", id, sizeof(id), sha),
			 -KESU_E_BAD_INPUT);
	ck_assert_int_eq(kesu_ledger_parse_payload("MEDIA:M-1", id, sizeof(id), sha),
			 -KESU_E_BAD_INPUT);
	ck_assert_int_eq(kesu_ledger_parse_payload("KESU:M:A B", id, sizeof(id), sha),
			 -KESU_E_BAD_INPUT);
}
END_TEST

/* 200k rows, SIGKILL once the import's transaction is writing: the database is as before. */
START_TEST(test_ledger_kill_during_large_import)
{
	char big[512], journal[600], *before_check;
	struct tu_result r;
	struct timespec ts = { 0, 5 * 1000 * 1000 };
	FILE *f;
	pid_t pid;
	int status, waited = 0;

	SETUP_DB();
	add_ok("M-0001", "金庫A");
	add_ok("M-0002", "金庫A");
	snprintf(big, sizeof(big), "%s/big.csv", tu_tmpdir());
	snprintf(journal, sizeof(journal), "%s-journal", db);
	f = fopen(big, "w");
	ck_assert_ptr_nonnull(f);
	fputs("媒体ID,データ名,記録媒体,保管場所\n", f);
	for (int i = 0; i < 200000; i++)
		fprintf(f, "B-%06d,大量データ %d,LTO,倉庫\n", i, i);
	ck_assert_int_eq(fclose(f), 0);

	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		execl(tu_kesu_bin(), "kesu", "ledger", "--db", db, OP, "import", big, (char *)NULL);
		_exit(127);
	}
	/* the journal appears with the first write of the transaction */
	while (access(journal, F_OK) != 0 && waited < 20000) {
		nanosleep(&ts, NULL);
		waited += 5;
	}
	ck_assert_msg(waited < 20000, "the import never started writing");
	ts.tv_nsec = 300 * 1000 * 1000;
	nanosleep(&ts, NULL);
	ck_assert_int_eq(kill(pid, SIGKILL), 0);
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert_msg(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL,
		      "the import finished before it was killed: make the file larger");

	before_check = tu_sh_out("sqlite3 '%s' 'PRAGMA integrity_check'", db);
	ck_assert_ptr_nonnull(before_check);
	ck_assert_str_eq(before_check, "ok\n");
	free(before_check);
	ck_assert_int_eq(count_rows("media"), 2);
	ck_assert_int_eq(count_rows("events"), 2);
	ck_assert_int_eq(LEDGER(&r, "audit"), 0);
	tu_result_free(&r);
}
END_TEST

/* Wait up to ms for path to exist. */
static int wait_for_file(const char *path, int ms)
{
	struct timespec ts = { 0, 10 * 1000 * 1000 };

	for (int waited = 0; waited < ms; waited += 10) {
		if (access(path, F_OK) == 0)
			return 0;
		nanosleep(&ts, NULL);
	}
	return -1;
}

START_TEST(test_ledger_locked_database)
{
	char ready[512], release[512], done[512], *before, *after;
	struct tu_result r;

	SETUP_DB();
	add_ok("M-0001", "金庫A");
	before = dump();
	snprintf(ready, sizeof(ready), "%s/locked", tu_tmpdir());
	snprintf(release, sizeof(release), "%s/release", tu_tmpdir());
	snprintf(done, sizeof(done), "%s/unlocked", tu_tmpdir());
	/* another process holds an exclusive lock until the test releases it */
	ck_assert_int_eq(tu_sh("( printf 'BEGIN EXCLUSIVE;\\n.shell touch %s\\n"
			       ".shell while [ ! -e %s ]; do sleep 0.05; done\\nCOMMIT;\\n' "
			       "| sqlite3 '%s' >/dev/null 2>&1; touch %s ) &", ready, release, db, done), 0);
	ck_assert_int_eq(wait_for_file(ready, 10000), 0);
	ck_assert_int_eq(LEDGER(&r, OP, "--wait=0.2", "add", "M-0002"), KESU_EXIT_UNSAFE);
	ck_assert_ptr_nonnull(strstr(r.err, "locked by another process"));
	tu_result_free(&r);
	ck_assert_int_eq(LEDGER(&r, "--wait=0", "list"), KESU_EXIT_UNSAFE);
	tu_result_free(&r);
	ck_assert_int_eq(tu_write_file(release, "", 0), 0);
	ck_assert_int_eq(wait_for_file(done, 10000), 0);
	after = dump();
	same_dump(before, after);
	free(before);
	free(after);
}
END_TEST

START_TEST(test_ledger_corrupt_database)
{
	struct tu_result r;
	char other[600];
	struct stat a, b;

	SETUP_DB();
	/* not an SQLite file at all */
	ck_assert_int_eq(tu_sh("head -c 65536 /dev/urandom > '%s'", db), 0);
	ck_assert_int_eq(stat(db, &a), 0);
	ck_assert_int_eq(LEDGER(&r, OP, "add", "M-0001"), KESU_EXIT_FAILURE);
	ck_assert_ptr_nonnull(strstr(r.err, "corrupt or not an SQLite database"));
	tu_result_free(&r);
	ck_assert_int_eq(stat(db, &b), 0);
	ck_assert_int_eq(a.st_size, b.st_size);
	ck_assert_int_eq(a.st_mtime, b.st_mtime);

	/* a real ledger with its pages damaged */
	SETUP_DB();
	{
		char csv[600];
		FILE *f;

		snprintf(csv, sizeof(csv), "%s/forty.csv", tu_tmpdir());
		ck_assert_ptr_nonnull(f = fopen(csv, "w"));
		fputs("媒体ID,データ名,保管場所\n", f);
		for (int i = 0; i < 40; i++)
			fprintf(f, "M-%04d,データ %d,金庫A\n", i, i);
		ck_assert_int_eq(fclose(f), 0);
		ck_assert_int_eq(LEDGER(&r, OP, "import", csv), 0);
		tu_result_free(&r);
	}
	ck_assert_int_eq(tu_sh("dd if=/dev/urandom of='%s' bs=1024 seek=6 count=6 conv=notrunc "
			       "2>/dev/null", db), 0);
	ck_assert_int_ne(LEDGER(&r, "list"), 0);
	ck_assert_ptr_nonnull(strstr(r.err, "corrupt"));
	tu_result_free(&r);

	/* an SQLite database that is not a ledger is not taken over */
	snprintf(other, sizeof(other), "%s/other.db", tu_tmpdir());
	ck_assert_int_eq(tu_sh("sqlite3 '%s' 'CREATE TABLE t(x)'", other), 0);
	ck_assert_int_eq(tu_kesu(&r, "ledger", "--db", other, OP, "add", "M-1", NULL), 0);
	ck_assert_int_eq(r.status, KESU_EXIT_FAILURE);
	ck_assert_ptr_nonnull(strstr(r.err, "not a kesu ledger"));
	tu_result_free(&r);

	/* no file: read commands do not create one */
	SETUP_DB();
	ck_assert_int_eq(LEDGER(&r, "list"), KESU_EXIT_NO_DEVICE);
	ck_assert_ptr_nonnull(strstr(r.err, "no ledger database"));
	tu_result_free(&r);
	ck_assert_int_ne(access(db, F_OK), 0);
}
END_TEST

START_TEST(test_ledger_work_plan_done)
{
	struct tu_result r;

	SETUP_DB();
	ck_assert_int_eq(tu_kesu(&r, "work", "--db", db, OP, "plan", "--id=W-001",
				 "--target=顧客データ", "--worker=佐藤 花子",
				 "--time=2026-11-25 09:00-12:00", "--content=移行テスト",
				 "--place=本社3階", NULL), 0);
	ck_assert_msg(r.status == 0, "%s", r.err);
	tu_result_free(&r);
	/* the result needs its four fields */
	ck_assert_int_eq(tu_kesu(&r, "work", "--db", db, OP, "done", "--id=W-001",
				 "--result=正常", NULL), 0);
	ck_assert_int_eq(r.status, KESU_EXIT_BAD_INPUT);
	ck_assert_ptr_nonnull(strstr(r.err, "実作業時間"));
	tu_result_free(&r);
	ck_assert_int_eq(tu_kesu(&r, "work", "--db", db, OP, "done", "--id=W-001",
				 "--actual-time=2026-11-25 09:00-12:30", "--result=正常",
				 "--taken-out=無し", "--confirmer=鈴木 次郎",
				 "--reason=データ量が予定より多かったため", NULL), 0);
	ck_assert_msg(r.status == 0, "%s", r.err);
	tu_result_free(&r);
	ck_assert_int_eq(tu_kesu(&r, "work", "--db", db, OP, "plan", "--id=W-001",
				 "--note=後から", NULL), 0);
	ck_assert_int_eq(r.status, KESU_EXIT_BAD_INPUT);
	tu_result_free(&r);
	ck_assert_int_eq(tu_kesu(&r, "work", "--db", db, "show", "--id=W-001", "--json", NULL), 0);
	ck_assert_ptr_nonnull(strstr(r.out, "\"state\": \"完了\""));
	ck_assert_ptr_nonnull(strstr(r.out, "\"confirmer\": \"鈴木 次郎\""));
	tu_result_free(&r);
	ck_assert_int_eq(LEDGER(&r, "audit"), 0);
	tu_result_free(&r);
}
END_TEST

START_TEST(test_ledger_attach_cert_refuses_unsigned)
{
	static const char cert[] =
		"{\"certificate_id\":\"KC-20261125-00000001\",\"outcome\":\"ERASED\","
		"\"nist\":{\"media\":{\"property_id\":\"M-0001\",\"serial\":\"S1\"}},"
		"\"record\":{\"device\":{\"serial\":\"S1\"}}}";
	char path[512], ca[512], *before, *after;
	struct tu_result r;

	SETUP_DB();
	add_ok("M-0001", "金庫A");
	snprintf(path, sizeof(path), "%s/KC-20261125-00000001.json", tu_tmpdir());
	snprintf(ca, sizeof(ca), "--ca=%s/none.pem", tu_tmpdir());
	ck_assert_int_eq(tu_write_file(path, cert, strlen(cert)), 0);
	before = dump();
	ck_assert_int_ne(LEDGER(&r, OP, "attach-cert", ca, path), 0);
	tu_result_free(&r);
	after = dump();
	same_dump(before, after);
	free(before);
	free(after);
}
END_TEST

/*
 * A spreadsheet's UTF-8 with a byte order mark, keys as headings, quoted
 * fields; a line break inside quotes is read as one field (RFC 4180) but
 * refused in the ledger, naming the line and the field.
 */
START_TEST(test_ledger_csv_bom_keys_multiline)
{
	static const char text[] =
		"\xef\xbb\xbfmedia_id,data_name,place,方法\r\n"
		"\r\n"
		"M-0100,\"名前, 引用符 \"\"付き\"\"\",金庫A,消去\r\n"
		"M-0101,普通,金庫B,\r\n";
	static const char two_lines[] =
		"media_id,data_name\r\n"
		"M-0103,\"二行の\r\nデータ名\"\r\n";
	char path[512];
	struct tu_result r;

	SETUP_DB();
	snprintf(path, sizeof(path), "%s/bom.csv", tu_tmpdir());
	ck_assert_int_eq(tu_write_file(path, text, strlen(text)), 0);
	ck_assert_msg(LEDGER(&r, OP, "import", "--encoding=utf-8", path) == 0, "%s", r.err);
	tu_result_free(&r);
	ck_assert_int_eq(LEDGER(&r, "show", "M-0100", "--json"), 0);
	ck_assert_ptr_nonnull(strstr(r.out, "名前, 引用符 \\\"付き\\\""));
	ck_assert_ptr_nonnull(strstr(r.out, "\"disposition\": \"消去\""));
	tu_result_free(&r);
	ck_assert_int_eq(LEDGER(&r, "list", "--csv", "--status=受領"), 0);
	ck_assert_ptr_nonnull(strstr(r.out, "\"名前, 引用符 \"\"付き\"\"\""));
	ck_assert_ptr_nonnull(strstr(r.out, "M-0101"));
	tu_result_free(&r);
	snprintf(path, sizeof(path), "%s/two-lines.csv", tu_tmpdir());
	ck_assert_int_eq(tu_write_file(path, two_lines, strlen(two_lines)), 0);
	ck_assert_int_eq(LEDGER(&r, OP, "import", path), KESU_EXIT_BAD_INPUT);
	ck_assert_ptr_nonnull(strstr(r.err, "two-lines.csv:2: データ名 (data_name) contains a "
				     "control character (U+000D"));
	tu_result_free(&r);
	snprintf(path, sizeof(path), "%s/bom.csv", tu_tmpdir());
	ck_assert_int_eq(LEDGER(&r, "history", "M-0101", "--json"), 0);
	ck_assert_ptr_nonnull(strstr(r.out, "\"action\": \"import\""));
	tu_result_free(&r);
	/* Shift_JIS named as UTF-8 is refused with advice */
	ck_assert_int_eq(tu_sh("printf 'media_id,data_name\\nM-0102,' > '%s' && printf '\\203\\146\\201\\133\\203\\136\\n' >> '%s'",
			       path, path), 0);
	ck_assert_int_eq(LEDGER(&r, OP, "import", "--encoding=utf-8", path), KESU_EXIT_BAD_INPUT);
	ck_assert_ptr_nonnull(strstr(r.err, "--encoding sjis"));
	tu_result_free(&r);
	ck_assert_int_eq(LEDGER(&r, OP, "import", path), 0);
	tu_result_free(&r);
	ck_assert_int_eq(LEDGER(&r, "show", "M-0102", "--json"), 0);
	ck_assert_ptr_nonnull(strstr(r.out, "データ"));
	tu_result_free(&r);
}
END_TEST

/*
 * Hostile rows: a NUL inside a field, a day that does not exist, the same
 * medium twice in one file, text with a control character, a bidi override
 * or past its limit. Each is named with its line and field; nothing is
 * imported.
 */
START_TEST(test_ledger_csv_hostile_rows)
{
	static const char text[] =
		"媒体ID,データ名,交付日,立会者\n"
		"M-0200,良い行,2026-02-28,山田 太郎\n"
		"M-0201,NUL\0入り,2026-11-01,\n"
		"M-0202,二月,2026-02-30,\n"
		"M-0200,重複,2026-11-01,\n"
		"M-0203,\x1b[2J消える,2026-11-01,\n"
		"M-0204,ok,2026-11-01,\xe2\x80\xae郎太 田山\n"
		"M-0205,NUL in the ID\n";
	char path[512], *csv, *before, *after, *longname;
	size_t n = sizeof(text) - 1;
	struct tu_result r;
	FILE *f;

	SETUP_DB();
	add_ok("M-0001", "金庫A");
	before = dump();
	snprintf(path, sizeof(path), "%s/hostile.csv", tu_tmpdir());
	ck_assert_int_eq(tu_write_file(path, text, n), 0);
	ck_assert_int_eq(LEDGER(&r, OP, "import", path), KESU_EXIT_BAD_INPUT);
	ck_assert_ptr_null(strstr(r.err, "hostile.csv:2:"));
	ck_assert_msg(strstr(r.err, "hostile.csv:3: field 2, データ名 (data_name): a NUL byte"), "%s",
		      r.err);
	ck_assert_ptr_nonnull(strstr(r.err, "hostile.csv:4: 交付日 (given_on) '2026-02-30' is not a "
				     "date of the calendar"));
	ck_assert_ptr_nonnull(strstr(r.err, "hostile.csv:5: 媒体ID (media_id) M-0200: a duplicate "
				     "of line 2"));
	ck_assert_ptr_null(strstr(r.err, "already in the ledger"));
	ck_assert_ptr_nonnull(strstr(r.err, "hostile.csv:6: データ名 (data_name) contains a control "
				     "character (U+001B"));
	ck_assert_ptr_nonnull(strstr(r.err, "hostile.csv:7: 立会者 (witness) contains a "
				     "bidirectional control (U+202E"));
	ck_assert_ptr_nonnull(strstr(r.err, "hostile.csv:8: 2 fields"));
	ck_assert_ptr_null(strchr(r.err, '\x1b'));
	ck_assert_ptr_nonnull(strstr(r.err, "6 malformed rows; nothing was imported"));
	tu_result_free(&r);
	/* a 10,000-character data name: refused naming the field and the limit */
	longname = malloc(10001);
	ck_assert_ptr_nonnull(longname);
	memset(longname, 'x', 10000);
	longname[10000] = '\0';
	f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	fprintf(f, "媒体ID,データ名\nM-0206,%s\n", longname);
	fclose(f);
	ck_assert_int_eq(LEDGER(&r, OP, "import", path), KESU_EXIT_BAD_INPUT);
	ck_assert_ptr_nonnull(strstr(r.err, "hostile.csv:2: データ名 (data_name) is 10000 characters "
				     "long; the limit is 256 characters"));
	tu_result_free(&r);
	free(longname);
	after = dump();
	same_dump(before, after);
	free(before);
	free(after);
	/* a NUL in the header is named, not cut at */
	csv = malloc(64);
	ck_assert_ptr_nonnull(csv);
	memcpy(csv, "media_id,data\0_name\nM-0207,x\n", 29);
	ck_assert_int_eq(tu_write_file(path, csv, 29), 0);
	free(csv);
	ck_assert_int_eq(LEDGER(&r, OP, "import", path), KESU_EXIT_BAD_INPUT);
	ck_assert_ptr_nonnull(strstr(r.err, "unknown heading 'data\\x00_name'"));
	tu_result_free(&r);
}
END_TEST

/*
 * Options of kesu ledger that reach the ledger: a 43-kanji witness fits, a
 * 10,000-character one and a control character are refused up front, an
 * operator with a newline too; a 33-character media ID is refused as
 * kesu label would refuse it.
 */
START_TEST(test_ledger_text_options)
{
	char opt[16000], *before, *after;
	struct tu_result r;
	size_t i;

	SETUP_DB();
	add_ok("M-0001", "金庫A");
	strcpy(opt, "--witness=");
	for (i = 0; i < 43; i++)
		strcat(opt, "山");
	ck_assert_msg(LEDGER(&r, OP, "edit", "M-0001", opt) == 0, "%s", r.err);
	tu_result_free(&r);
	ck_assert_int_eq(LEDGER(&r, "show", "M-0001", "--json"), 0);
	ck_assert_ptr_nonnull(strstr(r.out, opt + strlen("--witness=")));
	tu_result_free(&r);
	before = dump();
	memset(opt + 10, 'A', 10000);
	opt[10010] = '\0';
	ck_assert_int_eq(LEDGER(&r, OP, "edit", "M-0001", opt), KESU_EXIT_BAD_INPUT);
	ck_assert_ptr_nonnull(strstr(r.err, "立会者 (witness) is 10000 characters long; the limit is "
				     "64 characters"));
	tu_result_free(&r);
	ck_assert_int_eq(LEDGER(&r, OP, "edit", "M-0001", "--witness=A\nFAKE: ERASED"),
			 KESU_EXIT_BAD_INPUT);
	ck_assert_ptr_nonnull(strstr(r.err, "U+000A"));
	tu_result_free(&r);
	ck_assert_int_eq(LEDGER(&r, "--operator=A\nFAKE: ERASED", "add", "M-0300"),
			 KESU_EXIT_BAD_INPUT);
	ck_assert_ptr_nonnull(strstr(r.err, "--operator contains a control character"));
	tu_result_free(&r);
	ck_assert_int_eq(LEDGER(&r, OP, "add", "M-0123456789012345678901234567890"),
			 KESU_EXIT_BAD_INPUT);
	ck_assert_ptr_nonnull(strstr(r.err, "at most 32 characters"));
	tu_result_free(&r);
	after = dump();
	same_dump(before, after);
	free(before);
	free(after);
}
END_TEST

/* A certificate issued by kesu cert with keys from kesu ca/key: verified, linked, 消去済. */
/* A certificate signed by a fresh test PKI for the fixture record (serial
 * Z3TABC12), naming property_id (NULL: no medium): its path in json, and
 * "--ca=ROOT" for attach-cert in root. */
static void issue_test_cert(const char *property_id, char *root, size_t root_len, char *json,
			    size_t json_len)
{
	char dir[512], out[600], rec[600];
	struct tu_result r;
	struct tu_pki pki;
	char *id;

	snprintf(dir, sizeof(dir), "%s/pki", tu_tmpdir());
	snprintf(out, sizeof(out), "%s/out", dir);
	ck_assert_int_eq(tu_sh("mkdir -p '%s'", out), 0);
	tu_make_pki(dir, "/CN=Test Root", "/CN=山田 太郎", &pki);
	snprintf(root, root_len, "--ca=%s", pki.root);
	snprintf(rec, sizeof(rec), "%s/tests/fixtures/record-overwrite.json", tu_srcdir());
	tu_kesu(&r, "cert", "issue", rec, "--out", out, "--key", pki.key, "--cert", pki.cert,
		"--operator", "山田 太郎", "--config", "/dev/null", "--json",
		property_id ? "--property-id" : NULL, property_id, NULL);
	ck_assert_msg(r.status == 0, "%s", r.err);
	ck_assert_ptr_nonnull(id = strstr(r.out, "KC-"));
	snprintf(json, json_len, "%s/%.*s.json", out, (int)strcspn(id, "\""), id);
	tu_result_free(&r);
}

START_TEST(test_ledger_attach_cert_signed)
{
	char root[PATH_MAX + 8], json[900], *before, *after;
	struct tu_result r;

	SETUP_DB();
	issue_test_cert("M-0001", root, sizeof(root), json, sizeof(json));

	/* the ledger records another serial: refused, nothing linked */
	ck_assert_int_eq(LEDGER(&r, OP, "add", "M-0001", "--serial=OTHER", "--place=金庫A"), 0);
	tu_result_free(&r);
	before = dump();
	ck_assert_int_eq(LEDGER(&r, OP, "attach-cert", root, json), KESU_EXIT_BAD_INPUT);
	ck_assert_ptr_nonnull(strstr(r.err, "serial"));
	tu_result_free(&r);
	after = dump();
	same_dump(before, after);
	free(after);
	free(before);

	ck_assert_int_eq(LEDGER(&r, OP, "edit", "M-0001", "--serial=Z3TABC12"), 0);
	tu_result_free(&r);
	ck_assert_msg(LEDGER(&r, OP, "attach-cert", root, json) == 0, "%s", r.err);
	tu_result_free(&r);
	ck_assert_int_eq(LEDGER(&r, "show", "M-0001", "--json"), 0);
	ck_assert_ptr_nonnull(strstr(r.out, "\"status\": \"消去済\""));
	ck_assert_ptr_nonnull(strstr(r.out, "\"outcome\": \"ERASED\""));
	tu_result_free(&r);
	/* the same certificate twice is refused */
	ck_assert_int_eq(LEDGER(&r, OP, "attach-cert", root, json), KESU_EXIT_FAILURE);
	tu_result_free(&r);
	/* a changed byte: the signature fails and nothing is linked */
	ck_assert_int_eq(LEDGER(&r, OP, "add", "M-0002", "--place=金庫A"), 0);
	tu_result_free(&r);
	ck_assert_int_eq(tu_sh("sed -i 's/M-0001/M-0002/' '%s'", json), 0);
	before = dump();
	ck_assert_int_eq(LEDGER(&r, OP, "attach-cert", root, json), KESU_EXIT_SIGNATURE);
	ck_assert_ptr_nonnull(strstr(r.err, "does not verify"));
	tu_result_free(&r);
	after = dump();
	same_dump(before, after);
	free(after);
	free(before);
	ck_assert_int_eq(LEDGER(&r, "audit"), 0);
	tu_result_free(&r);
}
END_TEST

/* A certificate that names no medium (its station could not reach the ledger):
 * linked only with --media-id, and only on the ledger's serial for that medium. */
START_TEST(test_ledger_attach_cert_naming_no_medium)
{
	char root[PATH_MAX + 8], json[900], *before, *after;
	struct tu_result r;

	SETUP_DB();
	issue_test_cert(NULL, root, sizeof(root), json, sizeof(json));
	ck_assert_int_eq(LEDGER(&r, OP, "add", "M-0001", "--serial=Z3TABC12", "--place=金庫A"), 0);
	tu_result_free(&r);
	ck_assert_int_eq(LEDGER(&r, OP, "add", "M-0002", "--serial=OTHER", "--place=金庫A"), 0);
	tu_result_free(&r);
	ck_assert_int_eq(LEDGER(&r, OP, "add", "M-0003", "--place=金庫A"), 0);
	tu_result_free(&r);

	before = dump();
	/* no medium named: refused, naming the remedy */
	ck_assert_int_eq(LEDGER(&r, OP, "attach-cert", root, json), KESU_EXIT_BAD_INPUT);
	ck_assert_msg(strstr(r.err, "names no medium") && strstr(r.err, "--media-id"), "%s", r.err);
	tu_result_free(&r);
	/* another serial, or none in the ledger: refused */
	ck_assert_int_eq(LEDGER(&r, OP, "attach-cert", root, json, "--media-id=M-0002"),
			 KESU_EXIT_BAD_INPUT);
	ck_assert_msg(strstr(r.err, "serial OTHER"), "%s", r.err);
	tu_result_free(&r);
	ck_assert_int_eq(LEDGER(&r, OP, "attach-cert", root, json, "--media-id=M-0003"),
			 KESU_EXIT_BAD_INPUT);
	ck_assert_msg(strstr(r.err, "records no serial"), "%s", r.err);
	tu_result_free(&r);
	after = dump();
	same_dump(before, after);
	free(after);
	free(before);
	/* the medium whose serial it is */
	ck_assert_msg(LEDGER(&r, OP, "attach-cert", root, json, "--media-id=M-0001") == 0, "%s", r.err);
	ck_assert_ptr_nonnull(strstr(r.out, "to M-0001"));
	tu_result_free(&r);
	ck_assert_int_eq(LEDGER(&r, "show", "M-0001", "--json"), 0);
	ck_assert_ptr_nonnull(strstr(r.out, "\"status\": \"消去済\""));
	tu_result_free(&r);
	ck_assert_int_eq(LEDGER(&r, "audit"), 0);
	tu_result_free(&r);
}
END_TEST

/* --media-id never relinks a certificate that names its own medium. */
START_TEST(test_ledger_attach_cert_media_id_never_relinks)
{
	char root[PATH_MAX + 8], json[900];
	struct tu_result r;

	SETUP_DB();
	issue_test_cert("M-0001", root, sizeof(root), json, sizeof(json));
	ck_assert_int_eq(LEDGER(&r, OP, "add", "M-0001", "--serial=Z3TABC12"), 0);
	tu_result_free(&r);
	ck_assert_int_eq(LEDGER(&r, OP, "add", "M-0002", "--serial=Z3TABC12"), 0);
	tu_result_free(&r);
	ck_assert_int_eq(LEDGER(&r, OP, "attach-cert", root, json, "--media-id=M-0002"),
			 KESU_EXIT_BAD_INPUT);
	ck_assert_msg(strstr(r.err, "is for medium M-0001, not M-0002"), "%s", r.err);
	tu_result_free(&r);
	ck_assert_int_eq(LEDGER(&r, "show", "M-0002", "--json"), 0);
	ck_assert_ptr_nonnull(strstr(r.out, "\"certificates\": []"));
	tu_result_free(&r);
}
END_TEST

/*
 * An option that only other commands take is refused, not ignored, before the
 * ledger is opened (so nothing is created): --media-id on list used to be
 * accepted and did nothing.
 */
START_TEST(test_ledger_option_of_another_command)
{
	static const struct {
		const char *cmd, *arg, *option, *said;
	} cases[] = {
		{ "list", "--media-id=M-0001", "--media-id", "(it is for attach-cert)" },
		{ "show", "--seal=seal.json", "--seal", "(it is for audit and seal)" },
		{ "audit", "--approved-by=主管 一郎", "--approved-by", "(it is for approve-plan)" },
		{ "add", "--tsa-ca=tsa.pem", "--tsa-ca", "(it is for attach-cert)" },
		{ "history", "--csv", "--csv", "(it is for list and export)" },
		{ "seal", "--search=x", "--search", "(it is for list and export)" },
	};
	char path[512], want[160];
	struct tu_result r;

	snprintf(path, sizeof(path), "%s/none.db", tu_tmpdir());
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		tu_kesu(&r, "ledger", "--db", path, OP, cases[i].cmd, cases[i].arg, NULL);
		snprintf(want, sizeof(want), "%s is not an option of 'ledger %s' %s", cases[i].option,
			 cases[i].cmd, cases[i].said);
		ck_assert_msg(r.status == KESU_EXIT_USAGE && strstr(r.err, want), "%s %s: exit %d: %s",
			      cases[i].cmd, cases[i].arg, r.status, r.err);
		tu_result_free(&r);
		ck_assert_int_ne(access(path, F_OK), 0);
	}
	/* where it belongs it is taken */
	ck_assert_int_eq(tu_kesu(&r, "ledger", "--db", path, OP, "add", "M-0001", NULL), 0);
	ck_assert_msg(r.status == 0, "%s", r.err);
	tu_result_free(&r);
	tu_kesu(&r, "ledger", "--db", path, "list", "--csv", "--search=M-0001", NULL);
	ck_assert_msg(r.status == 0 && strstr(r.out, "M-0001"), "%s", r.err);
	tu_result_free(&r);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("ledger");
	struct tu_case both[] = {
		{ "roundtrip", test_ledger_add_edit_move_history },
		{ "bad_ids", test_ledger_bad_ids_leave_db_unchanged },
		{ "csv_sjis", test_ledger_csv_sjis_round_trip },
		{ "csv_bom_keys", test_ledger_csv_bom_keys_multiline },
		{ "csv_malformed", test_ledger_csv_malformed_rows_named_nothing_imported },
		{ "csv_hostile", test_ledger_csv_hostile_rows },
		{ "text_options", test_ledger_text_options },
		{ "audit_event", test_ledger_audit_detects_tampered_event },
		{ "audit_table", test_ledger_audit_detects_table_edit_and_deleted_event },
		{ "check", test_ledger_check_missing_unexpected_misplaced },
		{ "work", test_ledger_work_plan_done },
		{ "attach_unsigned", test_ledger_attach_cert_refuses_unsigned },
		{ "attach_signed", test_ledger_attach_cert_signed },
		{ "export_private", test_ledger_export_file_private },
		{ "attach_no_medium", test_ledger_attach_cert_naming_no_medium },
		{ "attach_no_relink", test_ledger_attach_cert_media_id_never_relinks },
	};
	/* SQLite's file itself: its journal, its locks, its pages */
	struct tu_case sqlite_only[] = {
		{ "payload", test_ledger_parse_payload },
		{ "kill_import", test_ledger_kill_during_large_import },
		{ "locked", test_ledger_locked_database },
		{ "corrupt", test_ledger_corrupt_database },
		{ "option_of_another_command", test_ledger_option_of_another_command },
	};
	char why[256];
	int rc;

	if (pgfx_start(why, sizeof(why)))
		fprintf(stderr, "PostgreSQL: %s: the *_pg cases SKIP\n", why);
	PGFX_ADD_BOTH(s, both, 120);
	TU_ADD_CASES(s, sqlite_only, 120);
	rc = tu_main(s);
	pgfx_stop();
	return rc;
}
