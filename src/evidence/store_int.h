/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Private to the storage backends (store.c, store_sqlite.c, store_pg.c):
 * each fills a table of operations; store.c dispatches.
 */
#ifndef KESU_STORE_INT_H
#define KESU_STORE_INT_H

#include <kesu/store.h>

#include <stddef.h>

struct store_ops {
	enum kesu_store_kind kind;
	void (*close)(struct kesu_store *s);
	const char *(*errmsg)(const struct kesu_store *s);
	int (*exec)(struct kesu_store *s, const char *sql);
	int (*begin)(struct kesu_store *s, int write);
	int (*commit)(struct kesu_store *s);
	void (*rollback)(struct kesu_store *s);
	int (*get_version)(struct kesu_store *s, long *version, long *tables);
	int (*set_version)(struct kesu_store *s, long version);
	int (*check)(struct kesu_store *s, char *msg, size_t len);
	int (*prepare)(struct kesu_store *s, const char *sql, struct kesu_store_stmt **st);
	int (*bind_text)(struct kesu_store_stmt *st, int i, const char *v);
	int (*bind_int64)(struct kesu_store_stmt *st, int i, int64_t v);
	int (*step)(struct kesu_store_stmt *st);
	const char *(*text)(struct kesu_store_stmt *st, int i);
	int64_t (*int64)(struct kesu_store_stmt *st, int i);
	int (*columns)(struct kesu_store_stmt *st);
	const char *(*column_name)(struct kesu_store_stmt *st, int i);
	void (*reset)(struct kesu_store_stmt *st);
	void (*finalize)(struct kesu_store_stmt *st);
};

struct kesu_store {
	const struct store_ops *ops;
};

struct kesu_store_stmt {
	struct kesu_store *store;
};

int store_sqlite_open(const char *path, int memory, int busy_ms, struct kesu_store **out);
int store_pg_open(const char *url, int busy_ms, struct kesu_store **out);

#endif
