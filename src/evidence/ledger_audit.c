/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The ledger's audit trail: append-only, hash-chained events, their history,
 * and the audit that recomputes the chain and replays the recorded changes
 * against the tables.
 *
 * Why both: the chain shows that no event was changed, removed or inserted;
 * the replay shows that the tables say what the events say, so an UPDATE of
 * a media row behind kesu's back is found although no event was touched.
 * Removing the newest events is only visible against a head hash written
 * down elsewhere (audit prints it).
 */
#include "ledger_int.h"

#include <kesu/util.h>

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static void event_from_row(struct kesu_store_stmt *st, struct kesu_ledger_event *ev)
{
	ev->seq = (long)kesu_store_int64(st, 0);
	ev->time = lg_col_text(st, 1);
	ev->operator_name = lg_col_text(st, 2);
	ev->action = lg_col_text(st, 3);
	ev->entity = lg_col_text(st, 4);
	ev->key = lg_col_text(st, 5);
	ev->detail = lg_col_text(st, 6);
	ev->prev_hash = lg_col_text(st, 7);
	ev->hash = lg_col_text(st, 8);
}

#define EVENT_COLUMNS "SELECT seq, time, operator, action, entity, key, detail, prev_hash, hash FROM events"

int kesu_ledger_history(struct kesu_ledger *lg, const char *key, kesu_ledger_event_fn fn,
			void *ud, struct kesu_errbuf *eb)
{
	struct kesu_ledger_event ev;
	struct kesu_store_stmt *st;
	int rc;

	rc = lg_prepare(lg, key ? EVENT_COLUMNS " WHERE key = ?1 ORDER BY seq"
			: EVENT_COLUMNS " ORDER BY seq", &st, eb);
	if (rc < 0)
		return rc;
	if (key)
		kesu_store_bind_text(st, 1, key);
	while ((rc = kesu_store_step(st)) == KESU_STORE_ROW) {
		event_from_row(st, &ev);
		if (fn(&ev, ud)) {
			rc = KESU_STORE_DONE;
			break;
		}
	}
	rc = rc == KESU_STORE_DONE ? 0 : lg_db_err(lg, rc, eb, "reading the history");
	kesu_store_finalize(st);
	return rc;
}

/* ---- audit ---- */

static int audit_fail(struct kesu_audit_result *res, long seq, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int audit_fail(struct kesu_audit_result *res, long seq, const char *fmt, ...)
{
	va_list ap;

	res->first_bad = seq;
	va_start(ap, fmt);
	vsnprintf(res->problem, sizeof(res->problem), fmt, ap);
	va_end(ap);
	return -KESU_E_VERIFY;
}

/* Apply one event's changes to the replayed state, checking each old value. */
static int replay_event(json_t *state, const struct kesu_ledger_event *ev, json_t *detail,
			struct kesu_audit_result *res)
{
	json_t *changes = json_object_get(detail, "changes"), *ent, *row, *pair;
	const char *field;

	if (!strcmp(ev->entity, "check"))
		return 0;
	if (!json_is_object(changes))
		return audit_fail(res, ev->seq, "event %ld (%s %s) records no changes", ev->seq,
				  ev->action, ev->key);
	if (!(ent = json_object_get(state, ev->entity))) {
		if (!(ent = json_object()) || json_object_set_new(state, ev->entity, ent) < 0)
			return -ENOMEM;
	}
	if (!(row = json_object_get(ent, ev->key))) {
		if (!(row = json_object()) || json_object_set_new(ent, ev->key, row) < 0)
			return -ENOMEM;
	}
	json_object_foreach(changes, field, pair) {
		const char *oldv = json_string_value(json_array_get(pair, 0));
		const char *newv = json_string_value(json_array_get(pair, 1));
		const char *cur = json_string_value(json_object_get(row, field));

		if (!oldv || !newv)
			return audit_fail(res, ev->seq, "event %ld (%s %s): change of %s is malformed",
					  ev->seq, ev->action, ev->key, field);
		if (strcmp(cur ? cur : "", oldv))
			return audit_fail(res, ev->seq,
					  "event %ld (%s %s) changes %s from '%s', but the events "
					  "before it leave '%s': an event is missing or was altered",
					  ev->seq, ev->action, ev->key, field, oldv, cur ? cur : "");
		if (json_object_set_new(row, field, json_string(newv)) < 0)
			return -ENOMEM;
	}
	return 0;
}

static int audit_chain(struct kesu_ledger *lg, json_t *state, struct kesu_audit_result *res,
		       struct kesu_errbuf *eb)
{
	struct kesu_ledger_event ev;
	char prev[65], hash[KESU_SHA256_HEX_LEN + 1];
	struct kesu_store_stmt *st;
	long expect = 1;
	int rc;

	snprintf(prev, sizeof(prev), "%s", lg_zero_hash);
	if ((rc = lg_prepare(lg, EVENT_COLUMNS " ORDER BY seq", &st, eb)) < 0)
		return rc;
	while ((rc = kesu_store_step(st)) == KESU_STORE_ROW) {
		json_t *detail;
		char *canon;

		event_from_row(st, &ev);
		res->events++;
		if (ev.seq != expect) {
			rc = audit_fail(res, expect, "event %ld is missing (the next is %ld)", expect,
					ev.seq);
			break;
		}
		if (strcmp(ev.prev_hash, prev)) {
			rc = audit_fail(res, ev.seq, "event %ld does not follow event %ld: its previous "
					"hash differs (an event was removed, inserted or altered)",
					ev.seq, ev.seq - 1);
			break;
		}
		if (!(detail = json_loads(ev.detail, JSON_REJECT_DUPLICATES, NULL))) {
			rc = audit_fail(res, ev.seq, "event %ld (%s %s): its detail is not valid JSON",
					ev.seq, ev.action, ev.key);
			break;
		}
		canon = lg_event_canonical(ev.seq, ev.time, ev.operator_name, ev.action, ev.entity,
					   ev.key, detail, ev.prev_hash);
		rc = canon ? kesu_sha256_hex(canon, strlen(canon), hash) : -ENOMEM;
		free(canon);
		if (rc == 0 && strcmp(hash, ev.hash))
			rc = audit_fail(res, ev.seq, "event %ld (%s %s by %s at %s) was altered: its "
					"hash does not match its content", ev.seq, ev.action, ev.key,
					ev.operator_name, ev.time);
		if (rc == 0)
			rc = replay_event(state, &ev, detail, res);
		json_decref(detail);
		if (rc < 0)
			break;
		snprintf(prev, sizeof(prev), "%s", ev.hash);
		snprintf(res->head, sizeof(res->head), "%s", ev.hash);
		expect++;
	}
	if (rc == KESU_STORE_DONE)
		rc = 0;
	else if (rc > 0)
		rc = lg_db_err(lg, rc, eb, "reading the audit trail");
	kesu_store_finalize(st);
	return rc;
}

/* The tables the events describe: the entity, its key column and the SELECT (key first). */
static const struct {
	const char *entity;
	const char *sql;
} replayed[] = {
	{ "media", NULL },
	{ "work", "SELECT work_id, target, worker, planned_time, content, place, note, actual_time,"
		  " result, taken_out, confirmer, reason, state, approved_by, approved_at FROM work" },
	{ "cert", "SELECT cert_id, media_id, outcome, sha256, device_serial, attached_at, path,"
		  " timestamp FROM certs" },
	{ "plan", "SELECT plan_no, approved_by, approved_at, items FROM plans" },
	{ "staff", "SELECT staff_id, role, family_name, given_name, affiliation, title, note,"
		   " removed_at FROM staff" },
};

static int compare_table(struct kesu_ledger *lg, json_t *state, size_t t,
			 struct kesu_audit_result *res, struct kesu_errbuf *eb)
{
	json_t *ent = json_object_get(state, replayed[t].entity), *seen = json_object();
	const char *sql = replayed[t].sql, *key;
	struct kesu_store_stmt *st = NULL;
	int rc, keycol = 0;
	json_t *row;

	if (!seen)
		return -ENOMEM;
	if (!sql) {
		/* media: the key is media_id (column 1), 項番 is compared like the rest */
		sql = lg_media_select;
		keycol = 1;
	}
	if ((rc = lg_prepare(lg, sql, &st, eb)) < 0)
		goto out;
	while ((rc = kesu_store_step(st)) == KESU_STORE_ROW) {
		const char *k = lg_col_text(st, keycol);

		row = ent ? json_object_get(ent, k) : NULL;
		if (!row) {
			rc = audit_fail(res, 0, "%s %s is in the database but no event records it: it "
					"was added behind kesu's back", replayed[t].entity, k);
			goto out;
		}
		for (int c = 0; c < kesu_store_columns(st); c++) {
			const char *col = kesu_store_column_name(st, c), *v = lg_col_text(st, c);
			const char *rv = json_string_value(json_object_get(row, col));

			if (strcmp(v, rv ? rv : "")) {
				rc = audit_fail(res, 0, "%s %s: %s is '%s' in the database but the events "
						"record '%s': it was changed behind kesu's back",
						replayed[t].entity, k, col, v, rv ? rv : "");
				goto out;
			}
		}
		json_object_set_new(seen, k, json_true());
	}
	if (rc != KESU_STORE_DONE) {
		rc = lg_db_err(lg, rc, eb, "reading the ledger");
		goto out;
	}
	rc = 0;
	json_object_foreach(ent, key, row) {
		if (!json_object_get(seen, key)) {
			rc = audit_fail(res, 0, "%s %s is recorded by the events but missing from the "
					"database: it was deleted behind kesu's back",
					replayed[t].entity, key);
			break;
		}
	}
out:
	kesu_store_finalize(st);
	json_decref(seen);
	return rc;
}

int kesu_ledger_audit(struct kesu_ledger *lg, struct kesu_audit_result *res,
		      struct kesu_errbuf *eb)
{
	json_t *state = json_object();
	int rc;

	memset(res, 0, sizeof(*res));
	if (!state)
		return -ENOMEM;
	/* One read transaction: the chain and the tables are seen at one moment. */
	if ((rc = lg_begin_read(lg, eb)) < 0) {
		json_decref(state);
		return rc;
	}
	rc = audit_chain(lg, state, res, eb);
	for (size_t t = 0; rc == 0 && t < sizeof(replayed) / sizeof(replayed[0]); t++)
		rc = compare_table(lg, state, t, res, eb);
	kesu_store_rollback(lg->db);
	json_decref(state);
	return rc;
}
