/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The ledger's storage in an SQLite file (include/kesu/store.h): the
 * embedded default. The interface follows SQLite's own closely, so this is
 * mostly the mapping of result codes.
 */
#include "store_int.h"

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct sq_store {
	struct kesu_store base;
	sqlite3 *db;
	char msg[256];
};

struct sq_stmt {
	struct kesu_store_stmt base;
	sqlite3_stmt *st;
	struct sq_store *s;
	int err;                /* a failed bind: step returns it (binds need no checks) */
};

static int map_rc(int rc)
{
	switch (rc) {
	case SQLITE_OK:
		return KESU_STORE_OK;
	case SQLITE_ROW:
		return KESU_STORE_ROW;
	case SQLITE_DONE:
		return KESU_STORE_DONE;
	case SQLITE_CONSTRAINT_UNIQUE:
	case SQLITE_CONSTRAINT_PRIMARYKEY:
		return KESU_STORE_UNIQUE;
	default:
		break;
	}
	switch (rc & 0xff) {
	case SQLITE_BUSY:
	case SQLITE_LOCKED:
		return KESU_STORE_BUSY;
	case SQLITE_CORRUPT:
	case SQLITE_NOTADB:
		return KESU_STORE_CORRUPT;
	case SQLITE_CANTOPEN:
		return KESU_STORE_CANTOPEN;
	case SQLITE_READONLY:
		return KESU_STORE_READONLY;
	case SQLITE_FULL:
		return KESU_STORE_FULL;
	case SQLITE_NOMEM:
		return KESU_STORE_NOMEM;
	case SQLITE_CONSTRAINT:
		return KESU_STORE_CONSTRAINT;
	case SQLITE_AUTH:
	case SQLITE_PERM:
		return KESU_STORE_DENIED;
	default:
		return KESU_STORE_ERROR;
	}
}

/* Keep the database's sentence for the code rc (it is gone after the next call). */
static int sq_fail(struct sq_store *s, int rc)
{
	snprintf(s->msg, sizeof(s->msg), "%s", s->db ? sqlite3_errmsg(s->db) : sqlite3_errstr(rc));
	return map_rc(rc);
}

static void sq_close(struct kesu_store *base)
{
	struct sq_store *s = (struct sq_store *)base;

	if (s->db)
		sqlite3_close_v2(s->db);
	free(s);
}

static const char *sq_errmsg(const struct kesu_store *base)
{
	return ((const struct sq_store *)base)->msg;
}

static int sq_exec(struct kesu_store *base, const char *sql)
{
	struct sq_store *s = (struct sq_store *)base;
	int rc = sqlite3_exec(s->db, sql, NULL, NULL, NULL);

	return rc == SQLITE_OK ? KESU_STORE_OK : sq_fail(s, rc);
}

static int sq_begin(struct kesu_store *base, int write)
{
	return sq_exec(base, write ? "BEGIN IMMEDIATE" : "BEGIN");
}

static int sq_commit(struct kesu_store *base)
{
	return sq_exec(base, "COMMIT");
}

static void sq_rollback(struct kesu_store *base)
{
	struct sq_store *s = (struct sq_store *)base;

	if (!sqlite3_get_autocommit(s->db))
		sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
}

static int sq_prepare(struct kesu_store *base, const char *sql, struct kesu_store_stmt **out)
{
	struct sq_store *s = (struct sq_store *)base;
	struct sq_stmt *st;
	int rc;

	*out = NULL;
	if (!(st = calloc(1, sizeof(*st))))
		return KESU_STORE_NOMEM;
	st->s = s;
	st->base.store = base;
	rc = sqlite3_prepare_v2(s->db, sql, -1, &st->st, NULL);
	if (rc != SQLITE_OK) {
		free(st);
		return sq_fail(s, rc);
	}
	*out = &st->base;
	return KESU_STORE_OK;
}

static int sq_bind_text(struct kesu_store_stmt *base, int i, const char *v)
{
	struct sq_stmt *st = (struct sq_stmt *)base;
	int rc = sqlite3_bind_text(st->st, i, v ? v : "", -1, SQLITE_TRANSIENT);

	if (rc != SQLITE_OK && !st->err)
		st->err = sq_fail(st->s, rc);
	return rc == SQLITE_OK ? KESU_STORE_OK : st->err;
}

static int sq_bind_int64(struct kesu_store_stmt *base, int i, int64_t v)
{
	struct sq_stmt *st = (struct sq_stmt *)base;
	int rc = sqlite3_bind_int64(st->st, i, (sqlite3_int64)v);

	if (rc != SQLITE_OK && !st->err)
		st->err = sq_fail(st->s, rc);
	return rc == SQLITE_OK ? KESU_STORE_OK : st->err;
}

static int sq_step(struct kesu_store_stmt *base)
{
	struct sq_stmt *st = (struct sq_stmt *)base;
	int rc;

	if (st->err)
		return st->err;
	rc = sqlite3_step(st->st);
	if (rc == SQLITE_ROW || rc == SQLITE_DONE)
		return map_rc(rc);
	return sq_fail(st->s, rc);
}

static const char *sq_text(struct kesu_store_stmt *base, int i)
{
	const unsigned char *t = sqlite3_column_text(((struct sq_stmt *)base)->st, i);

	return t ? (const char *)t : "";
}

static int64_t sq_int64(struct kesu_store_stmt *base, int i)
{
	return (int64_t)sqlite3_column_int64(((struct sq_stmt *)base)->st, i);
}

static int sq_columns(struct kesu_store_stmt *base)
{
	return sqlite3_column_count(((struct sq_stmt *)base)->st);
}

static const char *sq_column_name(struct kesu_store_stmt *base, int i)
{
	const char *n = sqlite3_column_name(((struct sq_stmt *)base)->st, i);

	return n ? n : "";
}

static void sq_reset(struct kesu_store_stmt *base)
{
	sqlite3_reset(((struct sq_stmt *)base)->st);
}

static void sq_finalize(struct kesu_store_stmt *base)
{
	struct sq_stmt *st = (struct sq_stmt *)base;

	sqlite3_finalize(st->st);
	free(st);
}

static int query_long(struct sq_store *s, const char *sql, long *out)
{
	sqlite3_stmt *st;
	int rc = sqlite3_prepare_v2(s->db, sql, -1, &st, NULL);

	if (rc != SQLITE_OK)
		return sq_fail(s, rc);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		*out = (long)sqlite3_column_int64(st, 0);
		rc = KESU_STORE_OK;
	} else {
		rc = sq_fail(s, rc);
	}
	sqlite3_finalize(st);
	return rc;
}

static int sq_get_version(struct kesu_store *base, long *version, long *tables)
{
	struct sq_store *s = (struct sq_store *)base;
	int rc = query_long(s, "PRAGMA user_version", version);

	if (rc == KESU_STORE_OK)
		rc = query_long(s, "SELECT count(*) FROM sqlite_master", tables);
	return rc;
}

static int sq_set_version(struct kesu_store *base, long version)
{
	char sql[64];

	snprintf(sql, sizeof(sql), "PRAGMA user_version = %ld", version);
	return sq_exec(base, sql);
}

static int sq_check(struct kesu_store *base, char *msg, size_t len)
{
	struct sq_store *s = (struct sq_store *)base;
	sqlite3_stmt *st;
	int rc = sqlite3_prepare_v2(s->db, "PRAGMA quick_check", -1, &st, NULL);

	if (rc != SQLITE_OK)
		return sq_fail(s, rc);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		const unsigned char *res = sqlite3_column_text(st, 0);

		snprintf(msg, len, "%s", res ? (const char *)res : "");
		rc = strcmp(msg, "ok") ? KESU_STORE_CORRUPT : KESU_STORE_OK;
	} else {
		rc = sq_fail(s, rc);
	}
	sqlite3_finalize(st);
	return rc;
}

static const struct store_ops sq_ops = {
	.kind = KESU_STORE_SQLITE,
	.close = sq_close,
	.errmsg = sq_errmsg,
	.exec = sq_exec,
	.begin = sq_begin,
	.commit = sq_commit,
	.rollback = sq_rollback,
	.get_version = sq_get_version,
	.set_version = sq_set_version,
	.check = sq_check,
	.prepare = sq_prepare,
	.bind_text = sq_bind_text,
	.bind_int64 = sq_bind_int64,
	.step = sq_step,
	.text = sq_text,
	.int64 = sq_int64,
	.columns = sq_columns,
	.column_name = sq_column_name,
	.reset = sq_reset,
	.finalize = sq_finalize,
};

int store_sqlite_open(const char *path, int memory, int busy_ms, struct kesu_store **out)
{
	struct sq_store *s;
	int rc, flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_FULLMUTEX;

	*out = NULL;
	if (!(s = calloc(1, sizeof(*s))))
		return KESU_STORE_NOMEM;
	s->base.ops = &sq_ops;
	*out = &s->base;
	if (memory)
		flags |= SQLITE_OPEN_MEMORY;
	rc = sqlite3_open_v2(path, &s->db, flags, NULL);
	if (rc != SQLITE_OK)
		return sq_fail(s, rc);
	sqlite3_extended_result_codes(s->db, 1);
	sqlite3_busy_timeout(s->db, busy_ms < 0 ? 0 : busy_ms);
	/* A large cache keeps a big import's pages in memory: in rollback-journal mode a
	 * cache spill syncs the journal each time, which made 200k-row imports crawl. */
	return sq_exec(&s->base, "PRAGMA foreign_keys = ON; PRAGMA cache_size = -65536");
}
