/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Private to the ledger's files (ledger.c, ledger_audit.c, ledger_csv.c,
 * work.c, report.c): the handle, transactions and the event writer.
 * ledger_db.c holds what they all stand on (errors, statements,
 * transactions, field checks, changes, the event chain) and calls none of
 * them. The arrows run one way: ledger_audit.c -> ledger.c (lg_media_select)
 * -> work.c (lg_approval) -> staff.c (the roster, the operator check) ->
 * ledger_db.c, and each of them straight down to ledger_db.c.
 */
#ifndef KESU_LEDGER_INT_H
#define KESU_LEDGER_INT_H

#include <kesu/ledger.h>
#include <kesu/staff.h>
#include <kesu/store.h>

#include <jansson.h>
#include <time.h>

struct lg_staff_cache;

struct kesu_ledger {
	struct kesu_store *db;
	char *path;
	char *operator_name;
	int operator_checked;          /* the operator is on the roster, or none is kept */
	struct lg_staff_cache *staff;  /* the active roster, read on first use (staff.c) */
};

/* Turn a storage result code (KESU_STORE_*) into -KESU_E_* with a sentence that says what to do. */
int lg_db_err(struct kesu_ledger *lg, int rc, struct kesu_errbuf *eb, const char *what);

/* Run sql (no results); what names the step in the error. */
int lg_exec(struct kesu_ledger *lg, const char *sql, struct kesu_errbuf *eb, const char *what);
/* A write transaction (takes the writer lock now, so a busy database fails before any work). */
int lg_begin(struct kesu_ledger *lg, struct kesu_errbuf *eb);
/* A read transaction: one moment of the whole ledger (audit). End it with lg_end. */
int lg_begin_read(struct kesu_ledger *lg, struct kesu_errbuf *eb);
/* COMMIT when rc >= 0, else ROLLBACK; returns rc, or the commit's error. */
int lg_end(struct kesu_ledger *lg, int rc, struct kesu_errbuf *eb);

/* A field's value against the text rules and its limit (include/kesu/text.h; ledger_db.c). */
int lg_field_check(const struct kesu_field_info *fi, const char *value, struct kesu_errbuf *eb);

/*
 * Roster checks (staff.c). Every writer begins with lg_require_operator():
 * -KESU_E_BAD_INPUT unless an operator is set and, when a roster is kept, on
 * it (asked once per handle and name); lg_event_append() refuses an operator
 * not checked so. Drop the cached roster after a change and at close.
 */
int lg_require_operator(struct kesu_ledger *lg, struct kesu_errbuf *eb);
void lg_staff_forget(struct kesu_ledger *lg);

/*
 * Times people give (work.c), in local time unless they end in Z:
 * "2026-11-25 10:30", "2026/11/25T10:30:00", "2026年11月25日 10:30"; a date
 * alone is the end of that day (*date_only set), so it never makes an
 * approval look earlier than it was. -KESU_E_BAD_INPUT when unreadable.
 */
int lg_parse_time(const char *s, time_t *t, int *date_only);
/* A span: "2026-11-25 09:00-12:00" (also ~ ～ 〜), "... 22:00-02:00" (past
 * midnight) or "2026-11-25 22:00-2026-11-26 02:00". */
int lg_parse_interval(const char *s, time_t *from, time_t *to);
/* The approval time as stored (RFC 3339 UTC): given (not in the future) or now. */
int lg_approval_time(const char *given, char out[32], struct kesu_errbuf *eb);
/* An approval's who and when: the operator is there, the approver a 主管担当
 * on the roster (full, as recorded), the time as lg_approval_time. */
int lg_approval(struct kesu_ledger *lg, const char *what, const char *approver,
		const char *approved_at, char full[KESU_STAFF_NAME_MAX], char when[32],
		struct kesu_errbuf *eb);

/* Prepare sql: 0 or an error with eb filled. */
int lg_prepare(struct kesu_ledger *lg, const char *sql, struct kesu_store_stmt **st, struct kesu_errbuf *eb);

/* A column as a string ("" for NULL). */
const char *lg_col_text(struct kesu_store_stmt *st, int i);

/*
 * Append an event inside the caller's transaction. detail is borrowed; it is
 * an object, usually {"changes": {field: [old, new]}}. *seq may be NULL.
 */
int lg_event_append(struct kesu_ledger *lg, const char *action, const char *entity,
		    const char *key, json_t *detail, long *seq, struct kesu_errbuf *eb);

/* Add {field: [old, new]} to changes (a new reference is not taken from old/new; ledger_db.c). */
int lg_change_add(json_t *changes, const char *field, const char *old_value,
		  const char *new_value);

/* The prev_hash of the first event. */
extern const char lg_zero_hash[];

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

/* kesu_ledger_link_cert() recording a verified time stamp's time (ts_time, "" for none),
 * to want_media when the certificate names no medium (NULL: it must name one). */
int lg_link_cert(struct kesu_ledger *lg, const char *cert_path, const char *ts_time,
		 const char *want_media, char *media_id, struct kesu_errbuf *eb);

/* Fill m from a SELECT of all media columns in enum order. */
int lg_media_from_row(struct kesu_store_stmt *st, struct kesu_media *m);

/* The ledger's schema on a PostgreSQL server (ledger.c). */
extern const char lg_pg_schema[];
/* Its roles and grants: src/evidence/ledger-server.sql, made a C string by the Makefile. */
extern const char lg_server_sql[];

/* "SELECT no, media_id, ... FROM media" with the columns in enum order. */
extern const char lg_media_select[];

#endif
