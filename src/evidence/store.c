/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The ledger's storage interface (include/kesu/store.h): chooses the
 * backend by the target's form and passes each call on.
 */
#include "store_int.h"

#include <string.h>

int kesu_store_is_server(const char *target)
{
	return target && (!strncmp(target, "postgresql://", 13) || !strncmp(target, "postgres://", 11));
}

int kesu_store_open(const char *target, int memory, int busy_ms, struct kesu_store **out)
{
	if (kesu_store_is_server(target))
		return store_pg_open(target, busy_ms, out);
	return store_sqlite_open(target, memory, busy_ms, out);
}

void kesu_store_close(struct kesu_store *s)
{
	if (s)
		s->ops->close(s);
}

enum kesu_store_kind kesu_store_kind(const struct kesu_store *s)
{
	return s->ops->kind;
}

const char *kesu_store_errmsg(const struct kesu_store *s)
{
	return s ? s->ops->errmsg(s) : "out of memory";
}

int kesu_store_exec(struct kesu_store *s, const char *sql)
{
	return s->ops->exec(s, sql);
}

int kesu_store_begin(struct kesu_store *s, int write)
{
	return s->ops->begin(s, write);
}

int kesu_store_commit(struct kesu_store *s)
{
	return s->ops->commit(s);
}

void kesu_store_rollback(struct kesu_store *s)
{
	s->ops->rollback(s);
}

int kesu_store_get_version(struct kesu_store *s, long *version, long *tables)
{
	return s->ops->get_version(s, version, tables);
}

int kesu_store_set_version(struct kesu_store *s, long version)
{
	return s->ops->set_version(s, version);
}

int kesu_store_check(struct kesu_store *s, char *msg, size_t len)
{
	return s->ops->check(s, msg, len);
}

int kesu_store_prepare(struct kesu_store *s, const char *sql, struct kesu_store_stmt **st)
{
	return s->ops->prepare(s, sql, st);
}

int kesu_store_bind_text(struct kesu_store_stmt *st, int i, const char *v)
{
	return st->store->ops->bind_text(st, i, v);
}

int kesu_store_bind_int64(struct kesu_store_stmt *st, int i, int64_t v)
{
	return st->store->ops->bind_int64(st, i, v);
}

int kesu_store_step(struct kesu_store_stmt *st)
{
	return st->store->ops->step(st);
}

const char *kesu_store_text(struct kesu_store_stmt *st, int i)
{
	return st->store->ops->text(st, i);
}

int64_t kesu_store_int64(struct kesu_store_stmt *st, int i)
{
	return st->store->ops->int64(st, i);
}

int kesu_store_columns(struct kesu_store_stmt *st)
{
	return st->store->ops->columns(st);
}

const char *kesu_store_column_name(struct kesu_store_stmt *st, int i)
{
	return st->store->ops->column_name(st, i);
}

void kesu_store_reset(struct kesu_store_stmt *st)
{
	st->store->ops->reset(st);
}

void kesu_store_finalize(struct kesu_store_stmt *st)
{
	if (st)
		st->store->ops->finalize(st);
}
