/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Work records: the 作業予定表 rows planned per handler and, afterwards, what
 * was done (作業結果報告書). Stored in the ledger database with audit events
 * like every other change.
 */
#include "ledger_int.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const struct kesu_field_info work_fields[KESU_WF_COUNT] = {
	[KESU_WF_WORK_ID]      = { "work_id",      "作業ID",               "id" },
	[KESU_WF_TARGET]       = { "target",       "対象データ",           "target" },
	[KESU_WF_WORKER]       = { "worker",       "作業者氏名",           "worker" },
	[KESU_WF_PLANNED_TIME] = { "planned_time", "作業時間",             "time" },
	[KESU_WF_CONTENT]      = { "content",      "作業内容",             "content" },
	[KESU_WF_PLACE]        = { "place",        "作業場所",             "place" },
	[KESU_WF_NOTE]         = { "note",         "備考",                 "note" },
	[KESU_WF_ACTUAL_TIME]  = { "actual_time",  "実作業時間",           "actual-time" },
	[KESU_WF_RESULT]       = { "result",       "作業結果",             "result" },
	[KESU_WF_TAKEN_OUT]    = { "taken_out",    "データ持ち出しの有無", "taken-out" },
	[KESU_WF_CONFIRMER]    = { "confirmer",    "確認者",               "confirmer" },
	[KESU_WF_REASON]       = { "reason",       "超過理由",             "reason" },
	[KESU_WF_STATE]        = { "state",        "状態",                 "state" },
};

#define WORK_SELECT "SELECT work_id, target, worker, planned_time, content, place, note," \
	" actual_time, result, taken_out, confirmer, reason, state FROM work"

const struct kesu_field_info *kesu_work_field_info(enum kesu_work_field f)
{
	if ((int)f < 0 || f >= KESU_WF_COUNT)
		return NULL;
	return &work_fields[f];
}

int kesu_work_field_lookup(const char *name)
{
	for (int i = 0; i < KESU_WF_COUNT; i++)
		if (!strcmp(name, work_fields[i].key) || !strcmp(name, work_fields[i].heading) ||
		    !strcmp(name, work_fields[i].option))
			return i;
	return -1;
}

int kesu_work_set(struct kesu_work *w, enum kesu_work_field i, const char *value)
{
	char *v = NULL;

	if ((int)i < 0 || i >= KESU_WF_COUNT)
		return -EINVAL;
	if (value && !(v = strdup(value)))
		return -ENOMEM;
	free(w->f[i]);
	w->f[i] = v;
	return 0;
}

const char *kesu_work_get(const struct kesu_work *w, enum kesu_work_field i)
{
	if ((int)i < 0 || i >= KESU_WF_COUNT || !w->f[i])
		return "";
	return w->f[i];
}

void kesu_work_release(struct kesu_work *w)
{
	for (int i = 0; i < KESU_WF_COUNT; i++)
		free(w->f[i]);
	memset(w, 0, sizeof(*w));
}

void kesu_work_list_release(struct kesu_work_list *l)
{
	for (size_t i = 0; i < l->n; i++)
		kesu_work_release(&l->items[i]);
	free(l->items);
	memset(l, 0, sizeof(*l));
}

static int work_from_row(sqlite3_stmt *st, struct kesu_work *w)
{
	memset(w, 0, sizeof(*w));
	for (int i = 0; i < KESU_WF_COUNT; i++)
		if (kesu_work_set(w, (enum kesu_work_field)i, lg_col_text(st, i)) < 0) {
			kesu_work_release(w);
			return -ENOMEM;
		}
	return 0;
}

/* 1 with *w filled, 0 when absent, or an error. */
static int work_lookup(struct kesu_ledger *lg, const char *work_id, struct kesu_work *w,
		       struct kesu_errbuf *eb)
{
	sqlite3_stmt *st;
	int rc = lg_prepare(lg, WORK_SELECT " WHERE work_id = ?1", &st, eb);

	memset(w, 0, sizeof(*w));
	if (rc < 0)
		return rc;
	sqlite3_bind_text(st, 1, work_id, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		rc = work_from_row(st, w) < 0 ? -ENOMEM : 1;
	else if (rc == SQLITE_DONE)
		rc = 0;
	else
		rc = lg_db_err(lg, rc, eb, "reading work records");
	sqlite3_finalize(st);
	return rc;
}

int kesu_work_fetch(struct kesu_ledger *lg, const char *work_id, struct kesu_work *w,
		    struct kesu_errbuf *eb)
{
	int rc = work_lookup(lg, work_id, w, eb);

	if (rc == 0)
		return kesu_err_set(eb, -KESU_E_NOT_FOUND,
				    "no work %s in %s; plan it with 'kesu work plan --id %s ...'",
				    work_id, lg->path, work_id);
	return rc < 0 ? rc : 0;
}

int kesu_work_list(struct kesu_ledger *lg, struct kesu_work_list *out, struct kesu_errbuf *eb)
{
	sqlite3_stmt *st;
	size_t cap = 0;
	int rc;

	memset(out, 0, sizeof(*out));
	if ((rc = lg_prepare(lg, WORK_SELECT " ORDER BY rowid", &st, eb)) < 0)
		return rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (out->n == cap) {
			size_t ncap = cap ? cap * 2 : 16;
			struct kesu_work *n = realloc(out->items, ncap * sizeof(*n));

			if (!n) {
				rc = -ENOMEM;
				goto fail;
			}
			out->items = n;
			cap = ncap;
		}
		if ((rc = work_from_row(st, &out->items[out->n])) < 0)
			goto fail;
		out->n++;
	}
	if (rc != SQLITE_DONE) {
		rc = lg_db_err(lg, rc, eb, "reading work records");
		goto fail;
	}
	sqlite3_finalize(st);
	return 0;
fail:
	sqlite3_finalize(st);
	kesu_work_list_release(out);
	return rc;
}

/* Write the fields first..last of w that differ from cur (all of them when inserting). */
static int work_write(struct kesu_ledger *lg, const char *action, const char *work_id,
		      const struct kesu_work *cur, const struct kesu_work *w, int insert,
		      struct kesu_errbuf *eb)
{
	sqlite3_stmt *st = NULL;
	json_t *detail = NULL, *jc;
	char sql[160];
	int rc = -ENOMEM;

	if (!(detail = json_object()) || !(jc = json_object()) ||
	    json_object_set_new(detail, "changes", jc) < 0)
		goto out;
	if (insert) {
		if ((rc = lg_prepare(lg, "INSERT INTO work (work_id, state) VALUES (?1, '予定')", &st,
				     eb)) < 0)
			goto out;
		sqlite3_bind_text(st, 1, work_id, -1, SQLITE_STATIC);
		rc = sqlite3_step(st);
		sqlite3_finalize(st);
		st = NULL;
		if (rc != SQLITE_DONE) {
			rc = lg_db_err(lg, rc, eb, "planning work");
			goto out;
		}
		if (lg_change_add(jc, "work_id", "", work_id) < 0 ||
		    lg_change_add(jc, "state", "", "予定") < 0) {
			rc = -ENOMEM;
			goto out;
		}
	}
	for (int i = KESU_WF_TARGET; i < KESU_WF_COUNT; i++) {
		const char *nv = w->f[i], *ov = kesu_work_get(cur, (enum kesu_work_field)i);

		if (insert && i == KESU_WF_STATE)
			ov = "予定";
		if (!nv || !strcmp(nv, ov))
			continue;
		if (lg_change_add(jc, work_fields[i].key, ov, nv) < 0) {
			rc = -ENOMEM;
			goto out;
		}
		snprintf(sql, sizeof(sql), "UPDATE work SET %s = ?1 WHERE work_id = ?2",
			 work_fields[i].key);
		if ((rc = lg_prepare(lg, sql, &st, eb)) < 0)
			goto out;
		sqlite3_bind_text(st, 1, nv, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 2, work_id, -1, SQLITE_STATIC);
		rc = sqlite3_step(st);
		sqlite3_finalize(st);
		st = NULL;
		if (rc != SQLITE_DONE) {
			rc = lg_db_err(lg, rc, eb, "recording work");
			goto out;
		}
	}
	rc = 0;
	if (json_object_size(jc))
		rc = lg_event_append(lg, action, "work", work_id, detail, NULL, eb);
out:
	json_decref(detail);
	return rc;
}

static int plan_in_tx(struct kesu_ledger *lg, const struct kesu_work *w, struct kesu_errbuf *eb)
{
	static const enum kesu_work_field need[] = {
		KESU_WF_TARGET, KESU_WF_WORKER, KESU_WF_PLANNED_TIME, KESU_WF_CONTENT,
	};
	const char *id = w->f[KESU_WF_WORK_ID];
	struct kesu_work cur, plan = { 0 };
	int rc, exists;

	if ((exists = work_lookup(lg, id, &cur, eb)) < 0)
		return exists;
	if (exists && !strcmp(kesu_work_get(&cur, KESU_WF_STATE), "完了")) {
		rc = kesu_err_set(eb, -KESU_E_BAD_INPUT,
				  "work %s is already done; its plan cannot change any more", id);
		goto out;
	}
	for (size_t i = 0; !exists && i < sizeof(need) / sizeof(need[0]); i++)
		if (!w->f[need[i]] || !*w->f[need[i]]) {
			rc = kesu_err_set(eb, -KESU_E_BAD_INPUT, "a new work needs %s (--%s)",
					  work_fields[need[i]].heading, work_fields[need[i]].option);
			goto out;
		}
	/* only the plan's fields: the result comes with 'done' */
	for (int i = KESU_WF_TARGET; i <= KESU_WF_NOTE; i++)
		plan.f[i] = w->f[i];
	rc = work_write(lg, "work-plan", id, &cur, &plan, !exists, eb);
out:
	kesu_work_release(&cur);
	return rc;
}

int kesu_work_plan(struct kesu_ledger *lg, const struct kesu_work *w, struct kesu_errbuf *eb)
{
	const char *id = w->f[KESU_WF_WORK_ID];
	int rc;

	if ((rc = lg_require_operator(lg, eb)) < 0)
		return rc;
	if (!kesu_ledger_id_valid(id))
		return kesu_err_set(eb, -KESU_E_BAD_INPUT,
				    "work ID '%s' must be 1-64 characters of uppercase A-Z, 0-9 and '-'",
				    id ? id : "");
	if ((rc = lg_begin(lg, eb)) < 0)
		return rc;
	return lg_end(lg, plan_in_tx(lg, w, eb), eb);
}

static int done_in_tx(struct kesu_ledger *lg, const char *work_id, const struct kesu_work *w,
		      struct kesu_errbuf *eb)
{
	static const enum kesu_work_field need[] = {
		KESU_WF_ACTUAL_TIME, KESU_WF_RESULT, KESU_WF_TAKEN_OUT, KESU_WF_CONFIRMER,
	};
	struct kesu_work cur, res = { 0 };
	int rc;

	if ((rc = kesu_work_fetch(lg, work_id, &cur, eb)) < 0)
		return rc;
	if (!strcmp(kesu_work_get(&cur, KESU_WF_STATE), "完了")) {
		rc = kesu_err_set(eb, -KESU_E_EXISTS, "work %s is already recorded as done", work_id);
		goto out;
	}
	for (size_t i = 0; i < sizeof(need) / sizeof(need[0]); i++)
		if (!w->f[need[i]] || !*w->f[need[i]]) {
			rc = kesu_err_set(eb, -KESU_E_BAD_INPUT, "the result of work %s needs %s (--%s)",
					  work_id, work_fields[need[i]].heading,
					  work_fields[need[i]].option);
			goto out;
		}
	for (int i = KESU_WF_ACTUAL_TIME; i <= KESU_WF_REASON; i++)
		res.f[i] = w->f[i];
	res.f[KESU_WF_STATE] = (char *)"完了";
	rc = work_write(lg, "work-done", work_id, &cur, &res, 0, eb);
out:
	kesu_work_release(&cur);
	return rc;
}

int kesu_work_done(struct kesu_ledger *lg, const char *work_id, const struct kesu_work *w,
		   struct kesu_errbuf *eb)
{
	int rc;

	if ((rc = lg_require_operator(lg, eb)) < 0)
		return rc;
	if ((rc = lg_begin(lg, eb)) < 0)
		return rc;
	return lg_end(lg, done_in_tx(lg, work_id, w, eb), eb);
}
