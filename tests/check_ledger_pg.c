/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The ledger on PostgreSQL: the same commands as on SQLite against a real
 * server (a throwaway cluster this binary starts and stops, tests/lib/pgfx.c):
 * media, work, the roster and the return plan, a signed certificate attached,
 * the append-only events and an edit behind kesu's back found by the audit,
 * eight stations writing at once leaving one chain, a locked ledger, the
 * inventory, export/import both ways, and init-server's roles. SKIP with the reason
 * when PostgreSQL cannot run here.
 */
#include <check.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <kesu/cli.h>
#include <kesu/ledger.h>

#include "lib/pgfx.h"
#include "lib/testutil.h"

#define OP "--operator=山田 太郎"

static int have_pg;
static char why[256];
static char db[512], conf[512];
static int dbno;

/* A fresh database on the cluster; 0 when the test must skip. */
static int setup(void)
{
	static const char cfg[] = "[operator]\nname = 山田 太郎\n";
	char name[32];

	if (!have_pg) {
		fprintf(stderr, "SKIP: %s\n", why);
		return 0;
	}
	snprintf(name, sizeof(name), "t%d_%d", (int)getpid(), ++dbno);
	ck_assert_int_eq(pgfx_new_db(name, db, sizeof(db)), 0);
	snprintf(conf, sizeof(conf), "%s/kesu.conf", tu_tmpdir());
	ck_assert_int_eq(tu_write_file(conf, cfg, strlen(cfg)), 0);
	return 1;
}

#define KESU(r, cmd, ...) \
	(tu_kesu((r), cmd, "--db", db, "--config", conf, __VA_ARGS__, NULL), (r)->status)

static void ok(struct tu_result *r, int status)
{
	ck_assert_msg(status == 0, "exit %d: %s", status, r->err);
	tu_result_free(r);
}

static long count_rows(const char *sql)
{
	char *out = pgfx_psql_out(db, sql);
	long n;

	ck_assert_ptr_nonnull(out);
	n = strtol(out, NULL, 10);
	free(out);
	return n;
}

START_TEST(test_pg_media_roundtrip)
{
	struct tu_result r;
	char csv[600];

	if (!setup())
		return;
	ok(&r, KESU(&r, "ledger", OP, "add", "M-0001", "--data-name=顧客データ",
		    "--medium=HDD 1TB", "--place=金庫A", "--given-on=2026/1/5"));
	ok(&r, KESU(&r, "ledger", OP, "add", "M-0002", "--data-name=人事データ", "--place=金庫A"));
	/* the same media ID twice: refused, nothing written */
	ck_assert_int_eq(KESU(&r, "ledger", OP, "add", "M-0001"), KESU_EXIT_FAILURE);
	ck_assert_msg(strstr(r.err, "already in the ledger"), "%s", r.err);
	tu_result_free(&r);
	ok(&r, KESU(&r, "ledger", OP, "move", "M-0001", "金庫B"));
	ok(&r, KESU(&r, "ledger", OP, "edit", "M-0002", "--status=保管中"));
	ck_assert_int_eq(KESU(&r, "ledger", "list", "--search=人事", "--json"), 0);
	ck_assert_ptr_nonnull(strstr(r.out, "M-0002"));
	ck_assert_ptr_null(strstr(r.out, "M-0001"));
	tu_result_free(&r);
	ck_assert_int_eq(KESU(&r, "ledger", "show", "M-0001", "--json"), 0);
	ck_assert_ptr_nonnull(strstr(r.out, "\"given_on\": \"2026-01-05\""));
	ck_assert_ptr_nonnull(strstr(r.out, "\"place\": \"金庫B\""));
	tu_result_free(&r);
	/* CSV out and back in (another ID) */
	snprintf(csv, sizeof(csv), "%s/pg.csv", tu_tmpdir());
	ok(&r, KESU(&r, "ledger", "export", "-o", csv));
	ck_assert_int_eq(tu_sh("sed -i 's/M-000/N-000/' '%s'", csv), 0);
	ok(&r, KESU(&r, "ledger", OP, "import", csv));
	ck_assert_int_eq(count_rows("SELECT count(*) FROM media"), 4);
	ck_assert_int_eq(KESU(&r, "ledger", "history", "M-0001"), 0);
	ck_assert_ptr_nonnull(strstr(r.out, "move"));
	tu_result_free(&r);
	ck_assert_int_eq(KESU(&r, "ledger", "audit"), 0);
	ck_assert_msg(strstr(r.out, "6 events"), "%s", r.out);
	tu_result_free(&r);
}
END_TEST

START_TEST(test_pg_roster_work_plan)
{
	struct tu_result r;

	if (!setup())
		return;
	ok(&r, KESU(&r, "staff", "add", "--role=データ取扱責任者", "--family-name=山田",
		    "--given-name=太郎"));
	ok(&r, KESU(&r, "staff", "add", "--role=handler", "--family-name=佐藤",
		    "--given-name=花子"));
	ok(&r, KESU(&r, "staff", "add", "--role=主管担当", "--family-name=主管",
		    "--given-name=一郎"));
	ck_assert_int_eq(KESU(&r, "ledger", "add", "M-0001", "--witness=佐藤"), KESU_EXIT_BAD_INPUT);
	tu_result_free(&r);
	ok(&r, KESU(&r, "ledger", "add", "M-0001", "--receiver=佐藤 花子", "--witness=主管　一郎",
		    "--responsible=山田太郎", "--data-name=顧客データ", "--disposition=消去",
		    "--disp-time=2026-12-01 10:00", "--disp-place=本社"));
	ok(&r, KESU(&r, "ledger", "approve-plan", "--approved-by=主管一郎"));
	ok(&r, KESU(&r, "work", "plan", "--id=W-001", "--target=顧客データ", "--worker=佐藤 花子",
		    "--time=2026-11-25 09:00-12:00", "--content=移行テスト", "--place=本社3階"));
	ok(&r, KESU(&r, "work", "done", "--id=W-001", "--actual-time=2026-11-25 09:00-12:30",
		    "--result=正常", "--taken-out=無し", "--confirmer=山田 太郎",
		    "--reason=データ量が予定より多かったため"));
	ck_assert_int_eq(KESU(&r, "work", "show", "--id=W-001", "--json"), 0);
	ck_assert_ptr_nonnull(strstr(r.out, "\"state\": \"完了\""));
	tu_result_free(&r);
	ck_assert_int_eq(KESU(&r, "staff", "list", "--json"), 0);
	ck_assert_ptr_nonnull(strstr(r.out, "STAFF-3"));
	tu_result_free(&r);
	ok(&r, KESU(&r, "ledger", "audit"));
	/* a change to the roster behind kesu's back is named */
	ck_assert_int_eq(pgfx_psql(db, "UPDATE staff SET title = '部長' WHERE staff_id = 'STAFF-2'"), 0);
	ck_assert_int_eq(KESU(&r, "ledger", "audit"), KESU_EXIT_FAILURE);
	ck_assert_msg(strstr(r.err, "staff STAFF-2: title is '部長'"), "%s", r.err);
	tu_result_free(&r);
}
END_TEST

START_TEST(test_pg_events_append_only)
{
	struct tu_result r;

	if (!setup())
		return;
	ok(&r, KESU(&r, "ledger", OP, "add", "M-0001", "--place=金庫A"));
	ok(&r, KESU(&r, "ledger", OP, "add", "M-0002", "--place=金庫A"));
	/* the server refuses changes to the events */
	ck_assert_int_ne(pgfx_psql(db, "UPDATE events SET operator = '誰か' WHERE seq = 2"), 0);
	ck_assert_int_ne(pgfx_psql(db, "DELETE FROM events WHERE seq = 2"), 0);
	ck_assert_int_ne(pgfx_psql(db, "TRUNCATE events"), 0);
	ck_assert_int_eq(count_rows("SELECT count(*) FROM events"), 2);
	/* behind kesu's back, with the triggers off: the audit names the event */
	ck_assert_int_eq(pgfx_psql(db, "ALTER TABLE events DISABLE TRIGGER USER;"
				   " UPDATE events SET operator = '誰か' WHERE seq = 2"), 0);
	ck_assert_int_eq(KESU(&r, "ledger", "audit"), KESU_EXIT_FAILURE);
	ck_assert_msg(strstr(r.err, "event 2 (add M-0002 by 誰か"), "%s", r.err);
	tu_result_free(&r);
}
END_TEST

START_TEST(test_pg_attach_cert_signed)
{
	char dir[512], root[PATH_MAX + 8], out[600], rec[600], json[900];
	struct tu_result r;
	struct tu_pki pki;
	char *id;

	if (!setup())
		return;
	snprintf(dir, sizeof(dir), "%s/pki", tu_tmpdir());
	snprintf(out, sizeof(out), "%s/out", dir);
	ck_assert_int_eq(tu_sh("rm -rf '%s' && mkdir -p '%s'", dir, out), 0);
	tu_make_pki(dir, "/CN=Test Root", "/CN=山田 太郎", &pki);
	snprintf(root, sizeof(root), "--ca=%s", pki.root);
	snprintf(rec, sizeof(rec), "%s/tests/fixtures/record-overwrite.json", tu_srcdir());
	ck_assert_int_eq(tu_kesu(&r, "cert", "issue", rec, "--out", out, "--key", pki.key,
				 "--cert", pki.cert, "--operator", "山田 太郎", "--property-id",
				 "M-0001", "--config", "/dev/null", "--json", NULL), 0);
	ck_assert_msg(r.status == 0, "%s", r.err);
	id = strstr(r.out, "KC-");
	ck_assert_ptr_nonnull(id);
	snprintf(json, sizeof(json), "%s/%.*s.json", out, (int)strcspn(id, "\""), id);
	tu_result_free(&r);

	ok(&r, KESU(&r, "ledger", OP, "add", "M-0001", "--serial=Z3TABC12", "--place=金庫A"));
	ok(&r, KESU(&r, "ledger", OP, "attach-cert", root, json));
	ck_assert_int_eq(KESU(&r, "ledger", "show", "M-0001", "--json"), 0);
	ck_assert_ptr_nonnull(strstr(r.out, "\"status\": \"消去済\""));
	ck_assert_ptr_nonnull(strstr(r.out, "\"outcome\": \"ERASED\""));
	tu_result_free(&r);
	/* the same certificate twice: refused, nothing written */
	ck_assert_int_eq(KESU(&r, "ledger", OP, "attach-cert", root, json), KESU_EXIT_FAILURE);
	tu_result_free(&r);
	/* a changed byte: the signature fails */
	ok(&r, KESU(&r, "ledger", OP, "add", "M-0002", "--place=金庫A"));
	ck_assert_int_eq(tu_sh("sed -i 's/M-0001/M-0002/' '%s'", json), 0);
	ck_assert_int_eq(KESU(&r, "ledger", OP, "attach-cert", root, json), KESU_EXIT_SIGNATURE);
	tu_result_free(&r);
	ck_assert_int_eq(count_rows("SELECT count(*) FROM certs"), 1);
	ok(&r, KESU(&r, "ledger", "audit"));
}
END_TEST

/* Eight stations add media at once: every change lands, the chain stays one. */
START_TEST(test_pg_eight_writers_one_chain)
{
	enum { WRITERS = 8, EACH = 5 };
	struct tu_result r;
	pid_t pids[WRITERS];

	if (!setup())
		return;
	for (int w = 0; w < WRITERS; w++) {
		pids[w] = fork();
		ck_assert_int_ge(pids[w], 0);
		if (pids[w] == 0) {
			for (int i = 0; i < EACH; i++) {
				char id[32];

				snprintf(id, sizeof(id), "S%d-%04d", w, i);
				if (KESU(&r, "ledger", OP, "--wait=60", "add", id, "--place=金庫A") != 0) {
					fprintf(stderr, "writer %d: %s\n", w, r.err);
					_exit(1);
				}
				tu_result_free(&r);
			}
			_exit(0);
		}
	}
	for (int w = 0; w < WRITERS; w++) {
		int st;

		ck_assert_int_eq(waitpid(pids[w], &st, 0), pids[w]);
		ck_assert_msg(WIFEXITED(st) && WEXITSTATUS(st) == 0, "writer %d failed", w);
	}
	ck_assert_int_eq(count_rows("SELECT count(*) FROM media"), WRITERS * EACH);
	ck_assert_int_eq(count_rows("SELECT count(DISTINCT prev_hash) FROM events"), WRITERS * EACH);
	ck_assert_int_eq(count_rows("SELECT max(seq) FROM events"), WRITERS * EACH);
	ck_assert_int_eq(KESU(&r, "ledger", "audit"), 0);
	ck_assert_msg(strstr(r.out, "40 events, the chain holds"), "%s", r.out);
	tu_result_free(&r);
}
END_TEST

/* A ledger with a seal moves SQLite -> PostgreSQL -> SQLite whole: audit and seals hold. */
START_TEST(test_pg_export_import_round_trip)
{
	char dir[400], cfg[4 * PATH_MAX], sq1[600], sq2[600], j1[600], j2[600], j3[600];
	struct tu_result r;
	struct tu_pki pki;
	char *a, *b;

	if (!setup())
		return;
	snprintf(dir, sizeof(dir), "%s/rt", tu_tmpdir());
	ck_assert_int_eq(tu_sh("rm -rf '%s' && mkdir -p '%s'", dir, dir), 0);
	tu_make_pki(dir, "/CN=Test Root", "/CN=山田 太郎", &pki);
	snprintf(conf, sizeof(conf), "%s/kesu.conf", dir);
	snprintf(cfg, sizeof(cfg), "[operator]\nname = 山田 太郎\n"
		 "[signing]\nkey = %s\ncert = %s\nroot = %s\n", pki.key, pki.cert, pki.root);
	ck_assert_int_eq(tu_write_file(conf, cfg, strlen(cfg)), 0);
	snprintf(sq1, sizeof(sq1), "%s/a.db", dir);
	snprintf(sq2, sizeof(sq2), "%s/b.db", dir);
	snprintf(j1, sizeof(j1), "%s/a.json", dir);
	snprintf(j2, sizeof(j2), "%s/pg.json", dir);
	snprintf(j3, sizeof(j3), "%s/b.json", dir);

	ck_assert_int_eq(tu_kesu(&r, "ledger", "--db", sq1, "--config", conf, "add", "M-0001",
				 "--place=金庫A", "--disposition=消去", "--disp-time=2026-12-01 10:00",
				 "--disp-place=本社", "--witness=鈴木 次郎", "--responsible=山田 太郎",
				 NULL), 0);
	tu_result_free(&r);
	ck_assert_int_eq(tu_kesu(&r, "work", "--db", sq1, "--config", conf, "plan", "--id=W-001",
				 "--target=顧客データ", "--worker=佐藤 花子",
				 "--time=2026-11-25 09:00-12:00", NULL), 0);
	tu_result_free(&r);
	ck_assert_int_eq(tu_kesu(&r, "ledger", "--db", sq1, "--config", conf, "approve-plan",
				 "--approved-by=主管 一郎", NULL), 0);
	ck_assert_msg(r.status == 0, "%s", r.err);
	tu_result_free(&r);
	ck_assert_int_eq(tu_kesu(&r, "ledger", "--db", sq1, "--config", conf, "seal", NULL), 0);
	ck_assert_msg(r.status == 0, "%s", r.err);
	tu_result_free(&r);
	ck_assert_int_eq(tu_kesu(&r, "ledger", "--db", sq1, "--config", conf, "export", "-o", j1,
				 NULL), 0);
	tu_result_free(&r);

	/* into the server: the audit holds against the seal copied with it */
	ok(&r, KESU(&r, "ledger", "import", j1));
	ck_assert_int_eq(KESU(&r, "ledger", "audit"), 0);
	ck_assert_msg(strstr(r.out, "seals checked; 0 events after"), "%s", r.out);
	tu_result_free(&r);
	/* the same file again: refused, the server's ledger is not empty */
	ck_assert_int_ne(KESU(&r, "ledger", "import", j1), 0);
	tu_result_free(&r);
	/* new numbers continue after the copied ones */
	ok(&r, KESU(&r, "ledger", OP, "add", "M-0002"));
	ck_assert_int_eq(count_rows("SELECT no FROM media WHERE media_id = 'M-0002'"), 2);
	ok(&r, KESU(&r, "ledger", "seal"));
	ok(&r, KESU(&r, "ledger", "export", "-o", j2));

	/* and back into a new SQLite file */
	ck_assert_int_eq(tu_kesu(&r, "ledger", "--db", sq2, "--config", conf, "import", j2, NULL), 0);
	ck_assert_msg(r.status == 0, "%s", r.err);
	tu_result_free(&r);
	ck_assert_int_eq(tu_kesu(&r, "ledger", "--db", sq2, "--config", conf, "audit", NULL), 0);
	ck_assert_msg(r.status == 0 && strstr(r.out, "seals checked; 0 events after"), "%s%s", r.out, r.err);
	tu_result_free(&r);
	ck_assert_int_eq(tu_kesu(&r, "ledger", "--db", sq2, "--config", conf, "export", "-o", j3,
				 NULL), 0);
	tu_result_free(&r);
	a = tu_read_file(j2, NULL);
	b = tu_read_file(j3, NULL);
	ck_assert_ptr_nonnull(a);
	ck_assert_ptr_nonnull(b);
	ck_assert_str_eq(a, b);
	free(a);
	free(b);
}
END_TEST

/* Issue a signed certificate for M-0001 (serial Z3TABC12): its path into json, --ca=ROOT into root. */
static void issue_cert(char *json, size_t jlen, char *root, size_t rlen)
{
	char dir[400], out[600], rec[600];
	struct tu_result r;
	struct tu_pki pki;
	char *id;

	snprintf(dir, sizeof(dir), "%s/pki2", tu_tmpdir());
	snprintf(out, sizeof(out), "%s/out", dir);
	ck_assert_int_eq(tu_sh("rm -rf '%s' && mkdir -p '%s'", dir, out), 0);
	tu_make_pki(dir, "/CN=Test Root", "/CN=山田 太郎", &pki);
	snprintf(root, rlen, "--ca=%s", pki.root);
	snprintf(rec, sizeof(rec), "%s/tests/fixtures/record-overwrite.json", tu_srcdir());
	ck_assert_int_eq(tu_kesu(&r, "cert", "issue", rec, "--out", out, "--key", pki.key,
				 "--cert", pki.cert, "--operator", "山田 太郎", "--property-id",
				 "M-0001", "--config", "/dev/null", "--json", NULL), 0);
	ck_assert_msg(r.status == 0, "%s", r.err);
	id = strstr(r.out, "KC-");
	ck_assert_ptr_nonnull(id);
	snprintf(json, jlen, "%s/%.*s.json", out, (int)strcspn(id, "\""), id);
	tu_result_free(&r);
}

/* The ledger's URL for another login. */
static void url_as(const char *user, char *url, size_t len)
{
	const char *u = strstr(db, "user=postgres");

	ck_assert_ptr_nonnull(u);
	snprintf(url, len, "%.*suser=%s", (int)(u - db), db, user);
}

#define KESU_AS(r, url, cmd, ...) \
	(tu_kesu((r), cmd, "--db", url, "--config", conf, __VA_ARGS__, NULL), (r)->status)

/* init-server's roles: a station attaches certificates and nothing else; the officer reads. */
START_TEST(test_pg_server_roles)
{
	char json[900], root[PATH_MAX + 8], mgr[600], sta[600], off[600];
	struct tu_result r;

	if (!setup())
		return;
	ok(&r, KESU(&r, "ledger", "init-server"));
	ok(&r, KESU(&r, "ledger", "init-server"));   /* again: nothing changes */
	ck_assert_int_eq(pgfx_psql(db, "CREATE ROLE mgr LOGIN IN ROLE kesu_manager;"
				   " CREATE ROLE station1 LOGIN IN ROLE kesu_station;"
				   " CREATE ROLE officer1 LOGIN IN ROLE kesu_officer"), 0);
	url_as("mgr", mgr, sizeof(mgr));
	url_as("station1", sta, sizeof(sta));
	url_as("officer1", off, sizeof(off));
	issue_cert(json, sizeof(json), root, sizeof(root));

	ok(&r, KESU_AS(&r, mgr, "ledger", OP, "add", "M-0001", "--serial=Z3TABC12", "--place=金庫A"));
	ok(&r, KESU_AS(&r, mgr, "ledger", OP, "move", "M-0001", "金庫B"));
	/* the station: no medium of its own, no edits */
	ck_assert_int_ne(KESU_AS(&r, sta, "ledger", OP, "add", "M-0002"), 0);
	ck_assert_msg(strstr(r.err, "permission denied"), "%s", r.err);
	tu_result_free(&r);
	ck_assert_int_ne(KESU_AS(&r, sta, "ledger", OP, "move", "M-0001", "自宅"), 0);
	tu_result_free(&r);
	/* but it attaches a certificate, through the server's functions */
	ok(&r, KESU_AS(&r, sta, "ledger", OP, "attach-cert", root, json));
	ck_assert_int_eq(KESU_AS(&r, off, "ledger", "show", "M-0001", "--json"), 0);
	ck_assert_ptr_nonnull(strstr(r.out, "\"status\": \"消去済\""));
	tu_result_free(&r);
	/* the tables themselves are out of its reach */
	ck_assert_int_ne(pgfx_psql(sta, "UPDATE events SET operator = '誰か' WHERE seq = 1"), 0);
	ck_assert_int_ne(pgfx_psql(sta, "INSERT INTO events VALUES (9, '', '', '', '', '', '{}', '', '')"), 0);
	ck_assert_int_ne(pgfx_psql(sta, "UPDATE media SET place = '自宅'"), 0);
	ck_assert_int_ne(pgfx_psql(sta, "DELETE FROM certs"), 0);
	/* and the event function checks what it is given */
	ck_assert_int_ne(pgfx_psql(sta, "SELECT kesu_append_event(4, '2026-01-01T00:00:00Z', 'x',"
				   " 'add', 'media', 'M-9', '{}', repeat('0', 64), repeat('0', 64), '{}')"), 0);
	ck_assert_int_eq(count_rows("SELECT count(*) FROM events"), 4);
	/* the officer reads and audits, and changes nothing */
	ok(&r, KESU_AS(&r, off, "ledger", "audit"));
	ck_assert_int_ne(KESU_AS(&r, off, "ledger", OP, "add", "M-0003"), 0);
	tu_result_free(&r);
	ck_assert_int_ne(pgfx_psql(off, "UPDATE media SET place = '自宅'"), 0);
	ok(&r, KESU(&r, "ledger", "audit"));
}
END_TEST

/* Inventory from scanned labels, recorded as events, on the server. */
START_TEST(test_pg_inventory_check)
{
	static const char scans[] = "KESU:M:M-0001\r\n  kesu:m:m-0002 \r\nKESU:M:M-0009\r\n"
				    "KESU:M:M-0004\n";
	const char *argv[] = { tu_kesu_bin(), "ledger", "--db", db, "--config", conf, OP, "check",
			       "--place=金庫A", NULL };
	struct tu_result r;

	if (!setup())
		return;
	ok(&r, KESU(&r, "ledger", OP, "add", "M-0001", "--place=金庫A"));
	ok(&r, KESU(&r, "ledger", OP, "add", "M-0002", "--place=金庫A"));
	ok(&r, KESU(&r, "ledger", OP, "add", "M-0003", "--place=金庫A"));
	ok(&r, KESU(&r, "ledger", OP, "add", "M-0004", "--place=金庫B"));
	ck_assert_int_eq(tu_runv(&r, NULL, scans, argv), 0);
	ck_assert_int_eq(r.status, KESU_EXIT_FAILURE);
	ck_assert_msg(strstr(r.out, "present 2, missing 1, unexpected 1, misplaced 1"), "%s", r.out);
	tu_result_free(&r);
	ck_assert_int_eq(count_rows("SELECT count(*) FROM events WHERE action = 'check'"), 1);
	ok(&r, KESU(&r, "ledger", "audit"));
}
END_TEST

/* A writer that holds the ledger: another waits --wait, then gives up, nothing written. */
START_TEST(test_pg_locked_ledger)
{
	char done[512], cmd[1400];
	struct tu_result r;
	int i;

	if (!setup())
		return;
	ok(&r, KESU(&r, "ledger", OP, "add", "M-0001", "--place=金庫A"));
	snprintf(done, sizeof(done), "%s/unlocked", tu_tmpdir());
	unlink(done);
	/* The holder keeps the lock until the test cancels it, however slow this machine is. */
	snprintf(cmd, sizeof(cmd), "( /usr/lib/postgresql/15/bin/psql -X -q '%s' -c "
		 "'BEGIN; SELECT pg_advisory_xact_lock(1801810805); SELECT pg_sleep(120); COMMIT'"
		 " >/dev/null 2>&1; touch '%s' ) &", db, done);
	ck_assert_int_eq(tu_sh("%s", cmd), 0);
	for (i = 0; i < 1500 && count_rows("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory'"
					  " AND granted") == 0; i++)
		usleep(20000);
	ck_assert_int_lt(i, 1500);
	ck_assert_int_eq(KESU(&r, "ledger", OP, "--wait=0.2", "add", "M-0002"), KESU_EXIT_UNSAFE);
	ck_assert_msg(strstr(r.err, "locked by another process"), "%s", r.err);
	tu_result_free(&r);
	/* readers are not held up on a server */
	ok(&r, KESU(&r, "ledger", "--wait=0", "list"));
	ck_assert_int_eq(count_rows("SELECT count(*) FROM (SELECT pg_cancel_backend(pid) FROM pg_locks"
				    " WHERE locktype = 'advisory' AND granted) c"), 1);
	for (i = 0; i < 1500 && access(done, F_OK) != 0; i++)
		usleep(20000);
	ck_assert_int_lt(i, 1500);
	ck_assert_int_eq(count_rows("SELECT count(*) FROM media"), 1);
	/* and once it is free, the change goes in */
	ok(&r, KESU(&r, "ledger", OP, "--wait=10", "add", "M-0002"));
	ok(&r, KESU(&r, "ledger", "audit"));
}
END_TEST

/* A password in the URL, as user:password@ or password=, is never shown back. */
START_TEST(test_pg_password_never_shown)
{
	static const char *const urls[] = {
		"postgresql://mgr:Pw-0f-the-ledger@127.0.0.1:1/kesu?sslmode=disable",
		"postgresql://mgr@127.0.0.1:1/kesu?password=Pw-0f-the-ledger&sslmode=disable",
		"postgres://127.0.0.1:1/kesu?sslmode=disable&password=Pw-0f-the-ledger",
	};
	char url[700];
	struct tu_result r;

	for (size_t i = 0; i < sizeof(urls) / sizeof(urls[0]); i++) {
		tu_kesu(&r, "ledger", "--db", urls[i], "list", NULL);
		ck_assert_int_ne(r.status, 0);
		ck_assert_msg(strstr(r.err, "127.0.0.1:1/kesu") && !strstr(r.err, "Pw-0f"), "%s", r.err);
		ck_assert_msg(strstr(r.err, "sslmode=disable"), "%s", r.err);
		tu_result_free(&r);
	}
	if (!setup())
		return;
	/* a server that answers: a database it does not have */
	snprintf(url, sizeof(url), "%.*s_none?password=Pw-0f-the-ledger&%s", (int)(strchr(db, '?') - db), db,
		 strchr(db, '?') + 1);
	tu_kesu(&r, "ledger", "--db", url, "list", NULL);
	ck_assert_int_ne(r.status, 0);
	ck_assert_msg(strstr(r.err, "_none") && !strstr(r.err, "Pw-0f"), "%s", r.err);
	tu_result_free(&r);
}
END_TEST

/* kesu ledger list on url, failing; how long it took, in seconds. */
static double failed_list_seconds(struct tu_result *r, const char *url)
{
	struct timespec t0, t1;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	tu_kesu(r, "ledger", "--db", url, "list", NULL);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	ck_assert_int_ne(r->status, 0);
	return (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
}

/* A server that takes the connection and never answers: kesu gives up after
 * 10 s by default, or after the URL's connect_timeout, instead of waiting forever.
 * libpq counts that timeout on a whole-second clock (time()), so it ends
 * between N-1 and N seconds after the connection starts. */
START_TEST(test_pg_silent_server_times_out)
{
	struct sockaddr_in a = { .sin_family = AF_INET };
	socklen_t al = sizeof(a);
	char url[200];
	struct tu_result r;
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	double secs;

	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(bind(fd, (struct sockaddr *)&a, sizeof(a)), 0);
	ck_assert_int_eq(listen(fd, 8), 0);   /* the kernel completes the handshake; nobody reads */
	ck_assert_int_eq(getsockname(fd, (struct sockaddr *)&a, &al), 0);

	snprintf(url, sizeof(url), "postgresql://mgr@127.0.0.1:%u/kesu?connect_timeout=2",
		 ntohs(a.sin_port));
	secs = failed_list_seconds(&r, url);
	ck_assert_msg(secs >= 0.9 && secs < 8, "%.1f s: %s", secs, r.err);
	ck_assert_msg(strstr(r.err, "timeout"), "%s", r.err);
	tu_result_free(&r);

	snprintf(url, sizeof(url), "postgresql://mgr@127.0.0.1:%u/kesu", ntohs(a.sin_port));
	secs = failed_list_seconds(&r, url);
	ck_assert_msg(secs >= 8.9 && secs < 30, "%.1f s: %s", secs, r.err);
	ck_assert_msg(strstr(r.err, "timeout"), "%s", r.err);
	tu_result_free(&r);
	close(fd);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("ledger_pg");
	struct tu_case tests[] = {
		{ "media", test_pg_media_roundtrip },
		{ "roster_work_plan", test_pg_roster_work_plan },
		{ "append_only", test_pg_events_append_only },
		{ "attach_signed", test_pg_attach_cert_signed },
		{ "eight_writers", test_pg_eight_writers_one_chain },
		{ "export_import", test_pg_export_import_round_trip },
		{ "server_roles", test_pg_server_roles },
		{ "inventory", test_pg_inventory_check },
		{ "locked", test_pg_locked_ledger },
		{ "password_never_shown", test_pg_password_never_shown },
		{ "silent_server", test_pg_silent_server_times_out },
	};
	int rc;

	have_pg = pgfx_start(why, sizeof(why)) == 0;
	TU_ADD_CASES(s, tests, 180);
	rc = tu_main(s);
	pgfx_stop();
	return rc;
}
