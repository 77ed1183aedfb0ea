/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A throwaway PostgreSQL cluster for the ledger's tests: Debian's
 * postgresql (initdb, pg_ctl) run as the postgres user in a directory of
 * its own, listening only on a Unix socket there, trust authentication for
 * the local superuser. One cluster per test binary.
 */
#ifndef KESU_TEST_PGFX_H
#define KESU_TEST_PGFX_H

#include <stddef.h>

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

#endif
