/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "pgfx.h"
#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define PGBIN "/usr/lib/postgresql/15/bin"

static char dir[256];
static int running;
static char not_running[256] = "pgfx_start was not called";
static int dbno;

static int start(char *why, size_t len);

int pgfx_start(char *why, size_t len)
{
	int rc = start(why, len);

	if (rc)
		snprintf(not_running, sizeof(not_running), "%s", why);
	return rc;
}

static int start(char *why, size_t len)
{
	char tmpl[] = "/tmp/kesu-pg.XXXXXX";

	if (access(PGBIN "/initdb", X_OK) || access(PGBIN "/pg_ctl", X_OK)) {
		snprintf(why, len, "PostgreSQL 15 is not installed (" PGBIN "/initdb)");
		return -1;
	}
	if (getuid() != 0 || tu_sh("id postgres >/dev/null 2>&1") != 0) {
		snprintf(why, len, "the cluster runs as the postgres user: needs root and that user");
		return -1;
	}
	if (!mkdtemp(tmpl)) {
		snprintf(why, len, "mkdtemp failed");
		return -1;
	}
	snprintf(dir, sizeof(dir), "%s", tmpl);
	/* initdb and postgres refuse root: the postgres user owns the directory */
	if (tu_sh("chown postgres '%s' && cd / && runuser -u postgres -- " PGBIN "/initdb -D '%s/data'"
		  " -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 >'%s/initdb.log' 2>&1",
		  dir, dir, dir) != 0) {
		snprintf(why, len, "initdb failed (see %s/initdb.log)", dir);
		return -1;
	}
	if (tu_sh("cd / && runuser -u postgres -- " PGBIN "/pg_ctl -D '%s/data' -l '%s/log' -w -t 60"
		  " -o \"-c listen_addresses='' -k %s -c fsync=off -c max_connections=40\" start"
		  " >/dev/null 2>&1", dir, dir, dir) != 0) {
		snprintf(why, len, "the server did not start (see %s/log)", dir);
		return -1;
	}
	running = 1;
	return 0;
}

void pgfx_stop(void)
{
	if (!dir[0])
		return;
	if (running)
		tu_sh("cd / && runuser -u postgres -- " PGBIN "/pg_ctl -D '%s/data' -m immediate -w stop"
		      " >/dev/null 2>&1", dir);
	running = 0;
	tu_sh("rm -rf '%s'", dir);
	dir[0] = '\0';
}

static void base_url(const char *db, char *url, size_t len)
{
	snprintf(url, len, "postgresql:///%s?host=%s&user=postgres", db, dir);
}

int pgfx_new_db(const char *name, char *url, size_t len)
{
	char admin[512], sql[256];

	base_url("postgres", admin, sizeof(admin));
	snprintf(sql, sizeof(sql), "DROP DATABASE IF EXISTS %s", name);
	if (pgfx_psql(admin, sql) != 0)
		return -1;
	snprintf(sql, sizeof(sql), "CREATE DATABASE %s", name);
	if (pgfx_psql(admin, sql) != 0)
		return -1;
	base_url(name, url, len);
	return 0;
}

int pgfx_psql(const char *url, const char *sql)
{
	return tu_sh(PGBIN "/psql -X -q -v ON_ERROR_STOP=1 '%s' -c \"%s\" >/dev/null 2>&1", url, sql);
}

char *pgfx_psql_out(const char *url, const char *sql)
{
	return tu_sh_out(PGBIN "/psql -X -q -t -A -v ON_ERROR_STOP=1 '%s' -c \"%s\" 2>&1", url, sql);
}

char *pgfx_dump(const char *url)
{
	/* pg_dump's \restrict lines carry a random key of each run */
	return tu_sh_out(PGBIN "/pg_dump -d '%s' | grep -v -e '^SELECT pg_catalog.setval'"
			 " -e '^.restrict ' -e '^.unrestrict '", url);
}

void pgfx_add_both(Suite *s, const struct tu_case *cases, size_t n, unsigned timeout)
{
	/* Check keeps the pointers to the names until the runner is freed */
	static char names[128][48];
	static size_t used;

	for (size_t c = 0; c < n; c++) {
		for (int i = 0; i < 2; i++) {
			TCase *tc;

			if (used == sizeof(names) / sizeof(names[0])) {
				fprintf(stderr, "pgfx_add_both: more than %zu cases\n", used);
				abort();
			}
			snprintf(names[used], sizeof(names[used]), "%s%s", cases[c].name, i ? "_pg" : "");
			tc = tcase_create(names[used++]);
			if (timeout)
				tcase_set_timeout(tc, timeout);
			tcase_add_loop_test(tc, cases[c].test, i, i + 1);
			suite_add_tcase(s, tc);
		}
	}
}

int pgfx_ledger(int on_pg, const char *sqlite_path, char *db, size_t len)
{
	char name[40];

	if (!on_pg) {
		snprintf(db, len, "%s", sqlite_path);
		unlink(db);
		return 1;
	}
	if (!running) {
		fprintf(stderr, "SKIP: the PostgreSQL case: %s\n", not_running);
		return 0;
	}
	snprintf(name, sizeof(name), "l%d_%d", (int)getpid(), ++dbno);
	ck_assert_int_eq(pgfx_new_db(name, db, len), 0);
	return 1;
}
