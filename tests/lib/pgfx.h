/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A throwaway PostgreSQL cluster for the ledger's tests: Debian's
 * postgresql (initdb, pg_ctl) run as the postgres user in a directory of
 * its own, listening only on a Unix socket there, trust authentication for
 * the local superuser. One cluster per test binary.
 */
#ifndef KESU_TEST_PGFX_H
#define KESU_TEST_PGFX_H

#include <check.h>
#include <stddef.h>

#include "testutil.h"

/* Start the cluster: 0, or -1 with why (for the SKIP message). */
int pgfx_start(char *why, size_t len);
/* Stop it and remove its directory (safe to call twice, and when it never started). */
void pgfx_stop(void);
/* Create a fresh database name and write its URL to url. 0 or -1. */
int pgfx_new_db(const char *name, char *url, size_t len);
/* Run SQL with psql against url (as the cluster's superuser unless the URL says
 * otherwise); the exit status. */
int pgfx_psql(const char *url, const char *sql);
/* The same, its output (tuples only, unaligned); free(). NULL on failure. */
char *pgfx_psql_out(const char *url, const char *sql);
/* The whole database as pg_dump's text, without the identity counters' setval
 * lines (a refused insert advances them, no row changes) and the random key of
 * its \restrict lines; free(). NULL on failure. */
char *pgfx_dump(const char *url);

/*
 * The same cases on both backends. pgfx_add_both adds each case twice: NAME,
 * run with Check's loop index _i = 0 (SQLite), and NAME_pg with _i = 1
 * (PostgreSQL). In the case, pgfx_ledger(_i, path, db, len) names its fresh
 * ledger: path (an SQLite file, removed first) or a new database on the
 * cluster started by pgfx_start; it returns 0, after a SKIP line saying why,
 * when the cluster did not start (the case then returns).
 */
void pgfx_add_both(Suite *s, const struct tu_case *cases, size_t n, unsigned timeout);
#define PGFX_ADD_BOTH(s, cases, timeout) \
	pgfx_add_both((s), (cases), sizeof(cases) / sizeof((cases)[0]), (timeout))
int pgfx_ledger(int on_pg, const char *sqlite_path, char *db, size_t len);

#endif
