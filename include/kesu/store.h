/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The ledger's storage: one interface, two databases. A target that begins
 * with postgresql:// or postgres:// is a PostgreSQL server (libpq,
 * src/evidence/store_pg.c); anything else is an SQLite file
 * (src/evidence/store_sqlite.c), ":memory:" a private one in memory.
 *
 * SQL is written once, in SQLite's spelling of parameters (?1, ?2 ...; a
 * bare ? counts up): the PostgreSQL backend turns them into $1, $2 ... All
 * values travel as text; integers are bound and read as decimal strings on
 * PostgreSQL. Statements that differ between the two (schema, pragmas) ask
 * kesu_store_kind() first.
 *
 * Results are KESU_STORE_* codes (positive; never negative errno), so the
 * ledger turns them into sentences in one place (lg_db_err).
 *
 * This header does not include sqlite3.h or libpq-fe.h.
 */
#ifndef KESU_STORE_H
#define KESU_STORE_H

#include <stddef.h>
#include <stdint.h>

enum kesu_store_kind {
	KESU_STORE_SQLITE,
	KESU_STORE_PG,
};

enum kesu_store_rc {
	KESU_STORE_OK = 0,
	KESU_STORE_ERROR,        /* anything else: kesu_store_errmsg() says what */
	KESU_STORE_BUSY,         /* locked by another writer past the wait */
	KESU_STORE_NOMEM,
	KESU_STORE_READONLY,
	KESU_STORE_CORRUPT,      /* corrupt, or not a database of this kind */
	KESU_STORE_FULL,
	KESU_STORE_CANTOPEN,     /* the file or the server cannot be reached */
	KESU_STORE_UNIQUE,       /* a UNIQUE or PRIMARY KEY constraint */
	KESU_STORE_CONSTRAINT,   /* another constraint, or a trigger that refused */
	KESU_STORE_DENIED,       /* the server refused: permission, authentication */
	KESU_STORE_ROW = 100,    /* kesu_store_step: a row is there */
	KESU_STORE_DONE = 101,   /* kesu_store_step: no (more) rows */
};

struct kesu_store;
struct kesu_store_stmt;

/* 1 when target names a PostgreSQL server (postgresql:// or postgres://). */
int kesu_store_is_server(const char *target);

/*
 * Connect. memory: an SQLite database in memory. busy_ms: how long a write
 * waits for another writer. *out is set even on failure (for
 * kesu_store_errmsg); kesu_store_close() it in every case.
 */
int kesu_store_open(const char *target, int memory, int busy_ms, struct kesu_store **out);
void kesu_store_close(struct kesu_store *s);
enum kesu_store_kind kesu_store_kind(const struct kesu_store *s);
/* The last error's text from the database ("" when none). */
const char *kesu_store_errmsg(const struct kesu_store *s);

/* Run one or more statements without parameters or results. */
int kesu_store_exec(struct kesu_store *s, const char *sql);

/*
 * Transactions. A write transaction holds the ledger's single writer lock
 * from its start (SQLite BEGIN IMMEDIATE; PostgreSQL a transaction-level
 * advisory lock), so changes and their audit events are appended one
 * writer at a time and the chain never forks. A read transaction sees one
 * moment of the whole database.
 */
int kesu_store_begin(struct kesu_store *s, int write);
int kesu_store_commit(struct kesu_store *s);
void kesu_store_rollback(struct kesu_store *s);

/* The schema version kesu wrote (0 for none) and whether other tables exist. */
int kesu_store_get_version(struct kesu_store *s, long *version, long *tables);
int kesu_store_set_version(struct kesu_store *s, long version);
/* The database's own integrity check (SQLite quick_check; nothing on a server). */
int kesu_store_check(struct kesu_store *s, char *msg, size_t len);

int kesu_store_prepare(struct kesu_store *s, const char *sql, struct kesu_store_stmt **st);
/* Bind parameter i (1-based). The text is copied. */
int kesu_store_bind_text(struct kesu_store_stmt *st, int i, const char *v);
int kesu_store_bind_int64(struct kesu_store_stmt *st, int i, int64_t v);
/* KESU_STORE_ROW, KESU_STORE_DONE or an error code. */
int kesu_store_step(struct kesu_store_stmt *st);
/* A column of the current row: text ("" for NULL), valid until the next step. */
const char *kesu_store_text(struct kesu_store_stmt *st, int i);
int64_t kesu_store_int64(struct kesu_store_stmt *st, int i);
int kesu_store_columns(struct kesu_store_stmt *st);
const char *kesu_store_column_name(struct kesu_store_stmt *st, int i);
/* Run again from the start with the bindings kept. */
void kesu_store_reset(struct kesu_store_stmt *st);
void kesu_store_finalize(struct kesu_store_stmt *st);

#endif
