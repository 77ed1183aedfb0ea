/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What every file of the ledger stands on (ledger_int.h): storage errors in
 * words, statements and transactions, a field's text check, a change's
 * {field: [old, new]}, and the writer of the hash-chained audit events (by
 * an operator the roster check, staff.c, has passed). ledger.c (the media
 * rows), ledger_audit.c (history and audit), staff.c and work.c call down
 * into this file; it calls none of them.
 */
#include "ledger_int.h"

#include <kesu/text.h>
#include <kesu/util.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* ---- the database handle ---- */

int lg_db_err(struct kesu_ledger *lg, int rc, struct kesu_errbuf *eb, const char *what)
{
	const char *path = lg && lg->path ? lg->path : "the ledger";
	const char *msg = lg && lg->db ? kesu_store_errmsg(lg->db) : "";

	switch (rc) {
	case KESU_STORE_BUSY:
		return kesu_err_set(eb, -KESU_E_BUSY,
				    "%s: the ledger database %s is locked by another process; nothing was "
				    "changed. Try again when it has finished (or wait longer with --wait)",
				    what, path);
	case KESU_STORE_CORRUPT:
		return kesu_err_set(eb, -KESU_E_DB,
				    "%s: %s is corrupt or not an SQLite database (%s); nothing was changed. "
				    "Restore it from a backup", what, path, msg);
	case KESU_STORE_CANTOPEN:
		return kesu_err_set(eb, -ENOENT, "%s: cannot open %s (%s)", what, path, msg);
	case KESU_STORE_READONLY:
		return kesu_err_set(eb, -EACCES, "%s: %s is read-only (%s)", what, path, msg);
	case KESU_STORE_DENIED:
		return kesu_err_set(eb, -EACCES, "%s: %s refused it (%s)", what, path, msg);
	case KESU_STORE_FULL:
		return kesu_err_set(eb, -ENOSPC, "%s: disk full writing %s", what, path);
	case KESU_STORE_NOMEM:
		return kesu_err_set(eb, -ENOMEM, "%s: out of memory", what);
	default:
		return kesu_err_set(eb, -KESU_E_DB, "%s: %s: %s", what, path, msg);
	}
}

int lg_prepare(struct kesu_ledger *lg, const char *sql, struct kesu_store_stmt **st,
	       struct kesu_errbuf *eb)
{
	int rc = kesu_store_prepare(lg->db, sql, st);

	if (rc != KESU_STORE_OK) {
		*st = NULL;
		return lg_db_err(lg, rc, eb, "reading the ledger");
	}
	return 0;
}

const char *lg_col_text(struct kesu_store_stmt *st, int i)
{
	return kesu_store_text(st, i);
}

int lg_exec(struct kesu_ledger *lg, const char *sql, struct kesu_errbuf *eb, const char *what)
{
	int rc = kesu_store_exec(lg->db, sql);

	return rc == KESU_STORE_OK ? 0 : lg_db_err(lg, rc, eb, what);
}

int lg_begin(struct kesu_ledger *lg, struct kesu_errbuf *eb)
{
	int rc = kesu_store_begin(lg->db, 1);

	return rc == KESU_STORE_OK ? 0 : lg_db_err(lg, rc, eb, "starting a change");
}

int lg_begin_read(struct kesu_ledger *lg, struct kesu_errbuf *eb)
{
	int rc = kesu_store_begin(lg->db, 0);

	return rc == KESU_STORE_OK ? 0 : lg_db_err(lg, rc, eb, "reading the ledger");
}

int lg_end(struct kesu_ledger *lg, int rc, struct kesu_errbuf *eb)
{
	int crc;

	if (rc < 0) {
		kesu_store_rollback(lg->db);
		return rc;
	}
	crc = kesu_store_commit(lg->db);
	if (crc != KESU_STORE_OK) {
		crc = lg_db_err(lg, crc, eb, "saving the change");
		kesu_store_rollback(lg->db);
		return crc;
	}
	return rc;
}

/* ---- what a writer records ---- */

int lg_field_check(const struct kesu_field_info *fi, const char *value, struct kesu_errbuf *eb)
{
	char label[128];

	snprintf(label, sizeof(label), "%s (%s)", fi->heading, fi->key);
	return kesu_text_check_max(label, value, kesu_text_limit(fi->key), eb);
}

int lg_change_add(json_t *changes, const char *field, const char *old_value,
		  const char *new_value)
{
	json_t *pair = json_pack("[ss]", old_value ? old_value : "", new_value ? new_value : "");

	if (!pair || json_object_set_new(changes, field, pair) < 0)
		return -ENOMEM;
	return 0;
}

/* ---- the audit events ---- */

const char lg_zero_hash[] =
	"0000000000000000000000000000000000000000000000000000000000000000";

char *lg_event_canonical(long seq, const char *time_s, const char *op, const char *action,
			 const char *entity, const char *key, json_t *detail, const char *prev)
{
	json_t *o = json_pack("{sI ss ss ss ss ss sO ss}", "seq", (json_int_t)seq, "time", time_s,
			      "operator", op, "action", action, "entity", entity, "key", key,
			      "detail", detail, "prev", prev);
	char *s;

	if (!o)
		return NULL;
	s = json_dumps(o, JSON_SORT_KEYS | JSON_COMPACT);
	json_decref(o);
	return s;
}

/* The last event's seq and hash (0 and zeros when there is none). */
static int chain_tail(struct kesu_ledger *lg, long *seq, char prev[65], struct kesu_errbuf *eb)
{
	struct kesu_store_stmt *st;
	int rc = lg_prepare(lg, "SELECT seq, hash FROM events ORDER BY seq DESC LIMIT 1", &st, eb);

	if (rc < 0)
		return rc;
	*seq = 0;
	snprintf(prev, 65, "%s", lg_zero_hash);
	rc = kesu_store_step(st);
	if (rc == KESU_STORE_ROW) {
		*seq = (long)kesu_store_int64(st, 0);
		snprintf(prev, 65, "%s", lg_col_text(st, 1));
		rc = 0;
	} else if (rc == KESU_STORE_DONE) {
		rc = 0;
	} else {
		rc = lg_db_err(lg, rc, eb, "reading the audit trail");
	}
	kesu_store_finalize(st);
	return rc;
}

int lg_event_append(struct kesu_ledger *lg, const char *action, const char *entity,
		    const char *key, json_t *detail, long *seq_out, struct kesu_errbuf *eb)
{
	struct kesu_store_stmt *st = NULL;
	char prev[65], hash[KESU_SHA256_HEX_LEN + 1], now[32];
	char *canon = NULL, *detail_text = NULL;
	long seq;
	int rc;

	/* Every writer asks lg_require_operator() (staff.c) before it begins. */
	if (!lg->operator_checked || !lg->operator_name || !*lg->operator_name)
		return kesu_err_set(eb, -EINVAL, "no audit event without a checked operator");
	if ((rc = chain_tail(lg, &seq, prev, eb)) < 0)
		return rc;
	seq++;
	kesu_time_rfc3339(time(NULL), now, sizeof(now));
	rc = -ENOMEM;
	canon = lg_event_canonical(seq, now, lg->operator_name, action, entity, key, detail, prev);
	detail_text = json_dumps(detail, JSON_SORT_KEYS | JSON_COMPACT);
	if (!canon || !detail_text)
		goto out;
	if ((rc = kesu_sha256_hex(canon, strlen(canon), hash)) < 0)
		goto out;
	/* A server takes events only through its function, which checks the chain,
	 * the hash and the content (src/evidence/ledger-server.sql). */
	if ((rc = lg_prepare(lg, kesu_store_kind(lg->db) == KESU_STORE_PG ?
			     "SELECT kesu_append_event(?1,?2,?3,?4,?5,?6,?7,?8,?9,?10)" :
			     "INSERT INTO events (seq, time, operator, action, entity, key,"
			     " detail, prev_hash, hash) VALUES (?1,?2,?3,?4,?5,?6,?7,?8,?9)",
			     &st, eb)) < 0)
		goto out;
	kesu_store_bind_int64(st, 1, seq);
	kesu_store_bind_text(st, 2, now);
	kesu_store_bind_text(st, 3, lg->operator_name);
	kesu_store_bind_text(st, 4, action);
	kesu_store_bind_text(st, 5, entity);
	kesu_store_bind_text(st, 6, key);
	kesu_store_bind_text(st, 7, detail_text);
	kesu_store_bind_text(st, 8, prev);
	kesu_store_bind_text(st, 9, hash);
	if (kesu_store_kind(lg->db) == KESU_STORE_PG)
		kesu_store_bind_text(st, 10, canon);
	rc = kesu_store_step(st);
	rc = rc == KESU_STORE_DONE || rc == KESU_STORE_ROW ? 0 :
		lg_db_err(lg, rc, eb, "recording the change");
	if (rc == 0 && seq_out)
		*seq_out = seq;
out:
	kesu_store_finalize(st);
	free(canon);
	free(detail_text);
	return rc;
}
