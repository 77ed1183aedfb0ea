/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The ledger's storage on a PostgreSQL server (include/kesu/store.h), with
 * libpq.
 *
 * NOTES ON THE DESIGN
 * 1. Statements are sent with PQexecParams when first stepped, parameters
 *    and results as text; the whole result is kept and stepped through row
 *    by row. SQLite's ?1 / ? parameters become $1 / $n here (outside quoted
 *    strings and names).
 * 2. A write transaction takes one transaction-level advisory lock first:
 *    the writers of one ledger queue on it as they do on SQLite's write lock,
 *    so each reads the chain's head after the previous writer committed and
 *    the audit chain never forks. lock_timeout is the --wait (at least 1 ms:
 *    0 would mean forever), and a lock not had in time is KESU_STORE_BUSY.
 * 3. A read transaction is REPEATABLE READ READ ONLY: the audit sees the
 *    chain and the tables at one moment, as SQLite's BEGIN gives.
 * 4. An error inside a transaction aborts it on the server; COMMIT of an
 *    aborted transaction is reported as an error, never as success.
 */
#include "store_int.h"

#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The advisory lock key of the ledger's writers: "kesu" in ASCII. */
#define PG_WRITER_LOCK "SELECT pg_advisory_xact_lock(1801810805)"

struct pg_store {
	struct kesu_store base;
	PGconn *conn;
	char msg[512];
};

struct pg_stmt {
	struct kesu_store_stmt base;
	struct pg_store *s;
	char *sql;              /* with $n parameters */
	int nparams;
	char **params;          /* nparams values (NULL: SQL NULL) */
	PGresult *res;
	int row;                /* current row; -1 before the first step */
	int err;                /* a failed bind: step returns it */
};

static void set_msg(struct pg_store *s, const char *m)
{
	size_t n;

	snprintf(s->msg, sizeof(s->msg), "%s", m ? m : "");
	n = strlen(s->msg);
	while (n && (s->msg[n - 1] == '\n' || s->msg[n - 1] == ' '))
		s->msg[--n] = '\0';
}

/* The code for a failed result (res may be NULL: the connection failed). */
static int pg_fail(struct pg_store *s, const PGresult *res)
{
	const char *state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
	const char *prim = res ? PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY) : NULL;

	set_msg(s, prim ? prim : PQerrorMessage(s->conn));
	if (PQstatus(s->conn) != CONNECTION_OK)
		return KESU_STORE_CANTOPEN;
	if (!state)
		return KESU_STORE_ERROR;
	if (!strcmp(state, "23505"))
		return KESU_STORE_UNIQUE;
	if (!strncmp(state, "23", 2))
		return KESU_STORE_CONSTRAINT;
	if (!strcmp(state, "55P03") || !strcmp(state, "40001") || !strcmp(state, "40P01"))
		return KESU_STORE_BUSY;
	if (!strcmp(state, "42501") || !strncmp(state, "28", 2))
		return KESU_STORE_DENIED;
	if (!strcmp(state, "25006"))
		return KESU_STORE_READONLY;
	if (!strcmp(state, "53100"))
		return KESU_STORE_FULL;
	if (!strcmp(state, "53200"))
		return KESU_STORE_NOMEM;
	if (!strcmp(state, "XX001") || !strcmp(state, "XX002"))
		return KESU_STORE_CORRUPT;
	return KESU_STORE_ERROR;
}

static int result_rc(struct pg_store *s, PGresult *res)
{
	ExecStatusType t = res ? PQresultStatus(res) : PGRES_FATAL_ERROR;

	if (t == PGRES_COMMAND_OK || t == PGRES_TUPLES_OK)
		return KESU_STORE_OK;
	return pg_fail(s, res);
}

static void pg_close(struct kesu_store *base)
{
	struct pg_store *s = (struct pg_store *)base;

	if (s->conn)
		PQfinish(s->conn);
	free(s);
}

static const char *pg_errmsg(const struct kesu_store *base)
{
	return ((const struct pg_store *)base)->msg;
}

static int pg_exec(struct kesu_store *base, const char *sql)
{
	struct pg_store *s = (struct pg_store *)base;
	PGresult *res = PQexec(s->conn, sql);
	int rc = result_rc(s, res);

	PQclear(res);
	return rc;
}

static void pg_rollback(struct kesu_store *base)
{
	struct pg_store *s = (struct pg_store *)base;

	if (PQtransactionStatus(s->conn) != PQTRANS_IDLE)
		PQclear(PQexec(s->conn, "ROLLBACK"));
}

static int pg_begin(struct kesu_store *base, int write)
{
	int rc = pg_exec(base, write ? "BEGIN" : "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY");

	if (rc == KESU_STORE_OK && write && (rc = pg_exec(base, PG_WRITER_LOCK)) != KESU_STORE_OK)
		pg_rollback(base);
	return rc;
}

static int pg_commit(struct kesu_store *base)
{
	struct pg_store *s = (struct pg_store *)base;
	PGresult *res;
	int rc;

	if (PQtransactionStatus(s->conn) == PQTRANS_INERROR) {
		set_msg(s, "an earlier statement of the change failed");
		return KESU_STORE_ERROR;
	}
	res = PQexec(s->conn, "COMMIT");
	rc = result_rc(s, res);
	/* the server answers COMMIT of an aborted transaction with ROLLBACK */
	if (rc == KESU_STORE_OK && strcmp(PQcmdStatus(res), "COMMIT")) {
		set_msg(s, "the server rolled the change back");
		rc = KESU_STORE_ERROR;
	}
	PQclear(res);
	return rc;
}

/* One value from a query without parameters. */
static int query_long(struct pg_store *s, const char *sql, long *out)
{
	PGresult *res = PQexec(s->conn, sql);
	int rc = result_rc(s, res);

	if (rc == KESU_STORE_OK) {
		if (PQntuples(res) == 1 && PQnfields(res) >= 1) {
			*out = strtol(PQgetvalue(res, 0, 0), NULL, 10);
		} else {
			set_msg(s, "unexpected answer from the server");
			rc = KESU_STORE_ERROR;
		}
	}
	PQclear(res);
	return rc;
}

static int pg_get_version(struct kesu_store *base, long *version, long *tables)
{
	struct pg_store *s = (struct pg_store *)base;
	long have;
	int rc;

	*version = 0;
	rc = query_long(s, "SELECT count(*) FROM pg_catalog.pg_tables"
			" WHERE schemaname = current_schema()", tables);
	if (rc == KESU_STORE_OK)
		rc = query_long(s, "SELECT (to_regclass('kesu_schema') IS NOT NULL)::int", &have);
	if (rc == KESU_STORE_OK && have)
		rc = query_long(s, "SELECT version FROM kesu_schema", version);
	return rc;
}

static int pg_set_version(struct kesu_store *base, long version)
{
	char sql[64];

	snprintf(sql, sizeof(sql), "UPDATE kesu_schema SET version = %ld", version);
	return pg_exec(base, sql);
}

static int pg_check(struct kesu_store *base, char *msg, size_t len)
{
	(void)base;
	snprintf(msg, len, "ok");
	return KESU_STORE_OK;
}

/* ?N -> $N, ? -> $(next); quoted strings and names are copied as they are. */
static char *translate(const char *sql, int *nparams)
{
	size_t n = strlen(sql);
	char *out = malloc(n * 4 + 1), *o = out;
	int next = 0, max = 0;

	if (!out)
		return NULL;
	for (const char *p = sql; *p;) {
		if (*p == '\'' || *p == '"') {
			char q = *p;

			*o++ = *p++;
			while (*p && *p != q)
				*o++ = *p++;
			if (*p)
				*o++ = *p++;
			continue;
		}
		if (*p != '?') {
			*o++ = *p++;
			continue;
		}
		p++;
		if (*p >= '0' && *p <= '9') {
			char *end;

			next = (int)strtol(p, &end, 10);
			p = end;
		} else {
			next++;
		}
		if (next > max)
			max = next;
		o += sprintf(o, "$%d", next);
	}
	*o = '\0';
	*nparams = max;
	return out;
}

static int pg_prepare(struct kesu_store *base, const char *sql, struct kesu_store_stmt **out)
{
	struct pg_store *s = (struct pg_store *)base;
	struct pg_stmt *st;

	*out = NULL;
	if (!(st = calloc(1, sizeof(*st))))
		return KESU_STORE_NOMEM;
	st->base.store = base;
	st->s = s;
	st->row = -1;
	if (!(st->sql = translate(sql, &st->nparams)) ||
	    (st->nparams && !(st->params = calloc((size_t)st->nparams, sizeof(char *))))) {
		free(st->sql);
		free(st);
		return KESU_STORE_NOMEM;
	}
	*out = &st->base;
	return KESU_STORE_OK;
}

static int bind_copy(struct pg_stmt *st, int i, char *copy)
{
	if (i < 1 || i > st->nparams || !copy) {
		free(copy);
		if (!st->err) {
			st->err = copy ? KESU_STORE_ERROR : KESU_STORE_NOMEM;
			set_msg(st->s, copy ? "parameter out of range" : "out of memory");
		}
		return st->err;
	}
	free(st->params[i - 1]);
	st->params[i - 1] = copy;
	return KESU_STORE_OK;
}

static int pg_bind_text(struct kesu_store_stmt *base, int i, const char *v)
{
	return bind_copy((struct pg_stmt *)base, i, strdup(v ? v : ""));
}

static int pg_bind_int64(struct kesu_store_stmt *base, int i, int64_t v)
{
	char buf[32];

	snprintf(buf, sizeof(buf), "%lld", (long long)v);
	return bind_copy((struct pg_stmt *)base, i, strdup(buf));
}

static int pg_step(struct kesu_store_stmt *base)
{
	struct pg_stmt *st = (struct pg_stmt *)base;
	int rc;

	if (st->err)
		return st->err;
	if (!st->res) {
		st->res = PQexecParams(st->s->conn, st->sql, st->nparams, NULL,
				       (const char *const *)st->params, NULL, NULL, 0);
		if ((rc = result_rc(st->s, st->res)) != KESU_STORE_OK) {
			PQclear(st->res);
			st->res = NULL;
			return rc;
		}
	}
	if (PQresultStatus(st->res) != PGRES_TUPLES_OK)
		return KESU_STORE_DONE;
	if (st->row + 1 >= PQntuples(st->res)) {
		st->row = PQntuples(st->res);
		return KESU_STORE_DONE;
	}
	st->row++;
	return KESU_STORE_ROW;
}

static const char *pg_text(struct kesu_store_stmt *base, int i)
{
	struct pg_stmt *st = (struct pg_stmt *)base;

	if (!st->res || st->row < 0 || st->row >= PQntuples(st->res) || i < 0 ||
	    i >= PQnfields(st->res))
		return "";
	return PQgetvalue(st->res, st->row, i);
}

static int64_t pg_col_int64(struct kesu_store_stmt *base, int i)
{
	return (int64_t)strtoll(pg_text(base, i), NULL, 10);
}

static int pg_columns(struct kesu_store_stmt *base)
{
	struct pg_stmt *st = (struct pg_stmt *)base;

	return st->res ? PQnfields(st->res) : 0;
}

static const char *pg_column_name(struct kesu_store_stmt *base, int i)
{
	struct pg_stmt *st = (struct pg_stmt *)base;
	const char *n = st->res ? PQfname(st->res, i) : NULL;

	return n ? n : "";
}

static void pg_reset(struct kesu_store_stmt *base)
{
	struct pg_stmt *st = (struct pg_stmt *)base;

	PQclear(st->res);
	st->res = NULL;
	st->row = -1;
}

static void pg_finalize(struct kesu_store_stmt *base)
{
	struct pg_stmt *st = (struct pg_stmt *)base;

	PQclear(st->res);
	for (int i = 0; i < st->nparams; i++)
		free(st->params[i]);
	free(st->params);
	free(st->sql);
	free(st);
}

static const struct store_ops pg_ops = {
	.kind = KESU_STORE_PG,
	.close = pg_close,
	.errmsg = pg_errmsg,
	.exec = pg_exec,
	.begin = pg_begin,
	.commit = pg_commit,
	.rollback = pg_rollback,
	.get_version = pg_get_version,
	.set_version = pg_set_version,
	.check = pg_check,
	.prepare = pg_prepare,
	.bind_text = pg_bind_text,
	.bind_int64 = pg_bind_int64,
	.step = pg_step,
	.text = pg_text,
	.int64 = pg_col_int64,
	.columns = pg_columns,
	.column_name = pg_column_name,
	.reset = pg_reset,
	.finalize = pg_finalize,
};

static void quiet_notice(void *ud, const char *msg)
{
	(void)ud;
	(void)msg;
}

int store_pg_open(const char *url, int busy_ms, struct kesu_store **out)
{
	static const char *const keys[] = { "connect_timeout", "dbname", NULL };
	const char *values[] = { "10", url, NULL };
	struct pg_store *s;
	char sql[160];

	*out = NULL;
	if (!(s = calloc(1, sizeof(*s))))
		return KESU_STORE_NOMEM;
	s->base.ops = &pg_ops;
	*out = &s->base;
	/* A server that does not answer at all would hold a station (and the TUI's
	 * drive list) until TCP gives up: 10 s unless the URL says otherwise (the
	 * URL, expanded after it, wins). */
	s->conn = PQconnectdbParams(keys, values, 1);
	if (!s->conn) {
		set_msg(s, "out of memory");
		return KESU_STORE_NOMEM;
	}
	if (PQstatus(s->conn) != CONNECTION_OK) {
		set_msg(s, PQerrorMessage(s->conn));
		return KESU_STORE_CANTOPEN;
	}
	/* Text travels as UTF-8 whatever the server's default; notices stay quiet
	 * (the library never prints). */
	PQsetNoticeProcessor(s->conn, quiet_notice, NULL);
	snprintf(sql, sizeof(sql),
		 "SET client_encoding = 'UTF8'; SET lock_timeout = %d;"
		 " SET client_min_messages = warning", busy_ms < 1 ? 1 : busy_ms);
	return pg_exec(&s->base, sql);
}
