/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Private to the ledger's files (ledger.c, ledger_audit.c, ledger_csv.c,
 * work.c, report.c): the handle, transactions and the event writer.
 */
#ifndef KESU_LEDGER_INT_H
#define KESU_LEDGER_INT_H

#include <kesu/ledger.h>

#include <jansson.h>
#include <sqlite3.h>

struct kesu_ledger {
	sqlite3 *db;
	char *path;
	char *operator_name;
};

/* Turn an SQLite result code into -KESU_E_* with a sentence that says what to do. */
int lg_db_err(struct kesu_ledger *lg, int rc, struct kesu_errbuf *eb, const char *what);

/* BEGIN IMMEDIATE (takes the write lock now, so a busy database fails before any work). */
int lg_begin(struct kesu_ledger *lg, struct kesu_errbuf *eb);
/* COMMIT when rc >= 0, else ROLLBACK; returns rc, or the commit's error. */
int lg_end(struct kesu_ledger *lg, int rc, struct kesu_errbuf *eb);

/* -KESU_E_BAD_INPUT unless an operator is set. */
int lg_require_operator(struct kesu_ledger *lg, struct kesu_errbuf *eb);

/* Prepare sql: 0 or an error with eb filled. */
int lg_prepare(struct kesu_ledger *lg, const char *sql, sqlite3_stmt **st, struct kesu_errbuf *eb);

/* A column as a string ("" for NULL). */
const char *lg_col_text(sqlite3_stmt *st, int i);

/*
 * Append an event inside the caller's transaction. detail is borrowed; it is
 * an object, usually {"changes": {field: [old, new]}}. *seq may be NULL.
 */
int lg_event_append(struct kesu_ledger *lg, const char *action, const char *entity,
		    const char *key, json_t *detail, long *seq, struct kesu_errbuf *eb);

/* Add {field: [old, new]} to changes (a new reference is not taken from old/new). */
int lg_change_add(json_t *changes, const char *field, const char *old_value,
		  const char *new_value);

/* The canonical bytes of an event (what its hash is over); free(). */
char *lg_event_canonical(long seq, const char *time, const char *op, const char *action,
			 const char *entity, const char *key, json_t *detail, const char *prev);

/* Insert a media row inside a transaction, recorded as action ("add", "import"). */
int lg_media_insert(struct kesu_ledger *lg, const char *action, const struct kesu_media *m,
		    long *no, struct kesu_errbuf *eb);
/* Check and normalise a row for insertion into a copy (release it). */
int lg_media_validate(const struct kesu_media *in, struct kesu_media *out,
		      struct kesu_errbuf *eb);

/* Change the non-NULL fields (validated) of a medium inside a transaction, recorded as action. */
int lg_media_update(struct kesu_ledger *lg, const char *action, const char *media_id,
		    const struct kesu_media *changes, struct kesu_errbuf *eb);

/* Fill m from a SELECT of all media columns in enum order. */
int lg_media_from_row(sqlite3_stmt *st, struct kesu_media *m);

/* "SELECT no, media_id, ... FROM media" with the columns in enum order. */
extern const char lg_media_select[];

#endif
