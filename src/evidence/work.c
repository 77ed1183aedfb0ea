/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Work records: the 作業予定表 rows planned per handler and, afterwards, what
 * was done (作業結果報告書). Stored in the ledger database with audit events
 * like every other change.
 */
#include "ledger_int.h"

#include <kesu/clock.h>
#include <kesu/staff.h>
#include <kesu/util.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

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
	[KESU_WF_APPROVED_BY]  = { "approved_by",  "承認者",               "approved-by" },
	[KESU_WF_APPROVED_AT]  = { "approved_at",  "承認日時",             "approved-at" },
};

#define WORK_SELECT "SELECT work_id, target, worker, planned_time, content, place, note," \
	" actual_time, result, taken_out, confirmer, reason, state, approved_by, approved_at FROM work"

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

static int work_from_row(struct kesu_store_stmt *st, struct kesu_work *w)
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
	struct kesu_store_stmt *st;
	int rc = lg_prepare(lg, WORK_SELECT " WHERE work_id = ?1", &st, eb);

	memset(w, 0, sizeof(*w));
	if (rc < 0)
		return rc;
	kesu_store_bind_text(st, 1, work_id);
	rc = kesu_store_step(st);
	if (rc == KESU_STORE_ROW)
		rc = work_from_row(st, w) < 0 ? -ENOMEM : 1;
	else if (rc == KESU_STORE_DONE)
		rc = 0;
	else
		rc = lg_db_err(lg, rc, eb, "reading work records");
	kesu_store_finalize(st);
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
	struct kesu_store_stmt *st;
	size_t cap = 0;
	int rc;

	memset(out, 0, sizeof(*out));
	if ((rc = lg_prepare(lg, WORK_SELECT " ORDER BY rowid", &st, eb)) < 0)
		return rc;
	while ((rc = kesu_store_step(st)) == KESU_STORE_ROW) {
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
	if (rc != KESU_STORE_DONE) {
		rc = lg_db_err(lg, rc, eb, "reading work records");
		goto fail;
	}
	kesu_store_finalize(st);
	return 0;
fail:
	kesu_store_finalize(st);
	kesu_work_list_release(out);
	return rc;
}

/* Write the fields first..last of w that differ from cur (all of them when inserting). */
static int work_write(struct kesu_ledger *lg, const char *action, const char *work_id,
		      const struct kesu_work *cur, const struct kesu_work *w, int insert,
		      struct kesu_errbuf *eb)
{
	struct kesu_store_stmt *st = NULL;
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
		kesu_store_bind_text(st, 1, work_id);
		rc = kesu_store_step(st);
		kesu_store_finalize(st);
		st = NULL;
		if (rc != KESU_STORE_DONE) {
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
		kesu_store_bind_text(st, 1, nv);
		kesu_store_bind_text(st, 2, work_id);
		rc = kesu_store_step(st);
		kesu_store_finalize(st);
		st = NULL;
		if (rc != KESU_STORE_DONE) {
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

/* ---- times ---- */

/* "年" "月" -> '-', "日" dropped, full-width digits are not expected. */
static void time_ascii(const char *in, char *out, size_t len)
{
	size_t o = 0;

	while (*in && o + 1 < len) {
		if (!strncmp(in, "年", 3) || !strncmp(in, "月", 3)) {
			out[o++] = '-';
			in += 3;
		} else if (!strncmp(in, "日", 3)) {
			in += 3;
		} else {
			out[o++] = *in++;
		}
	}
	out[o] = 0;
}

/*
 * A time in the paperwork zone (clock.h; with Z, UTC) to time_t; -1 when the
 * fields are not a real time.
 */
static time_t make_time(int y, int mo, int d, int h, int mi, int sec, int utc)
{
	struct tm tm = { .tm_year = y - 1900, .tm_mon = mo - 1, .tm_mday = d, .tm_hour = h,
			 .tm_min = mi, .tm_sec = sec };
	time_t t;

	if (y < 1970 || y > 9999 || mo < 1 || mo > 12 || d < 1 || d > 31 || h < 0 || h > 23 ||
	    mi < 0 || mi > 59 || sec < 0 || sec > 59)
		return -1;
	t = timegm(&tm);
	/* timegm moves 2026-02-30 to March: not a date */
	if (t == (time_t)-1 || tm.tm_mday != d || tm.tm_mon != mo - 1)
		return -1;
	if (!utc)
		t -= kesu_paper_tz_offset(t - kesu_paper_tz_offset(t));
	return t;
}

/* "YYYY-MM-DD" or "YYYY/MM/DD" at *p; advances *p. */
static int parse_date(const char **p, int *y, int *mo, int *d)
{
	char s1, s2;
	int n = 0;

	if (sscanf(*p, "%4d%c%2d%c%2d%n", y, &s1, mo, &s2, d, &n) != 5 || s1 != s2 ||
	    (s1 != '-' && s1 != '/'))
		return -1;
	*p += n;
	return 0;
}

/* "HH:MM" or "HH:MM:SS" at *p; advances *p. */
static int parse_clock(const char **p, int *h, int *mi, int *sec)
{
	int n = 0, m = 0;

	*sec = 0;
	if (sscanf(*p, "%2d:%2d%n", h, mi, &n) != 2 || n < 4)
		return -1;
	*p += n;
	if (**p == ':' && sscanf(*p, ":%2d%n", sec, &m) == 1)
		*p += m;
	return 0;
}

static const char *skip_spaces(const char *p)
{
	while (*p == ' ' || *p == '\t' || *p == 'T')
		p++;
	return p;
}

int lg_parse_time(const char *s, time_t *t, int *date_only)
{
	char buf[128];
	const char *p = buf;
	int y, mo, d, h = 23, mi = 59, sec = 59, utc = 0;

	time_ascii(s, buf, sizeof(buf));
	p = skip_spaces(p);
	if (parse_date(&p, &y, &mo, &d) < 0)
		return -KESU_E_BAD_INPUT;
	p = skip_spaces(p);
	*date_only = !*p;
	if (*p && parse_clock(&p, &h, &mi, &sec) < 0)
		return -KESU_E_BAD_INPUT;
	if (*p == 'Z')
		utc = 1, p++;
	if (*skip_spaces(p) || (*t = make_time(y, mo, d, h, mi, sec, utc)) == (time_t)-1)
		return -KESU_E_BAD_INPUT;
	return 0;
}

/* One of the range marks: - ~ ～ 〜 (with spaces around); advances *p. */
static int range_mark(const char **p)
{
	static const char *const marks[] = { "-", "~", "～", "〜", "–" };
	const char *q = skip_spaces(*p);

	for (size_t i = 0; i < sizeof(marks) / sizeof(marks[0]); i++)
		if (!strncmp(q, marks[i], strlen(marks[i]))) {
			*p = skip_spaces(q + strlen(marks[i]));
			return 0;
		}
	return -1;
}

int lg_parse_interval(const char *s, time_t *from, time_t *to)
{
	char buf[256];
	const char *p = buf;
	int y, mo, d, h, mi, sec, y2, mo2, d2, h2, mi2, sec2;

	time_ascii(s, buf, sizeof(buf));
	p = skip_spaces(p);
	if (parse_date(&p, &y, &mo, &d) < 0)
		return -KESU_E_BAD_INPUT;
	p = skip_spaces(p);
	if (parse_clock(&p, &h, &mi, &sec) < 0 || range_mark(&p) < 0)
		return -KESU_E_BAD_INPUT;
	y2 = y, mo2 = mo, d2 = d;
	if (strchr(p, '-') || strchr(p, '/')) {
		if (parse_date(&p, &y2, &mo2, &d2) < 0)
			return -KESU_E_BAD_INPUT;
		p = skip_spaces(p);
	}
	if (parse_clock(&p, &h2, &mi2, &sec2) < 0 || *skip_spaces(p))
		return -KESU_E_BAD_INPUT;
	*from = make_time(y, mo, d, h, mi, sec, 0);
	*to = make_time(y2, mo2, d2, h2, mi2, sec2, 0);
	if (*from == (time_t)-1 || *to == (time_t)-1)
		return -KESU_E_BAD_INPUT;
	if (*to <= *from && y2 == y && mo2 == mo && d2 == d)
		*to += 24 * 3600;      /* "22:00-02:00": past midnight */
	return *to > *from ? 0 : -KESU_E_BAD_INPUT;
}

int lg_approval_time(const char *given, char out[32], struct kesu_errbuf *eb)
{
	time_t now = kesu_clock_now(), t = now;
	int date_only;

	if (given && *given) {
		if (lg_parse_time(given, &t, &date_only) < 0)
			return kesu_err_set(eb, -KESU_E_BAD_INPUT,
					    "--approved-at '%s' is not a time like \"2026-11-25 10:30\" "
					    "(or a date: it then counts as the end of that day)", given);
		if (t > now + 300)
			return kesu_err_set(eb, -KESU_E_BAD_INPUT,
					    "--approved-at '%s' is in the future: record an approval "
					    "once it is given", given);
	}
	kesu_time_rfc3339(t, out, 32);
	return 0;
}

int lg_approval(struct kesu_ledger *lg, const char *what, const char *approver,
		const char *approved_at, char full[KESU_STAFF_NAME_MAX], char when[32],
		struct kesu_errbuf *eb)
{
	int rc;

	if ((rc = lg_require_operator(lg, eb)) < 0)
		return rc;
	if (!approver || !*approver)
		return kesu_err_set(eb, -KESU_E_BAD_INPUT,
				    "who approved the %s? Give the 主管担当's full name with --approved-by",
				    what);
	/* recorded as on the roster when one is kept */
	if ((rc = kesu_staff_check_name(lg, KESU_STAFF_OFFICER, "承認者 (--approved-by)", approver,
					full, KESU_STAFF_NAME_MAX, eb)) < 0)
		return rc;
	return lg_approval_time(approved_at, when, eb);
}

static int interval_err(struct kesu_errbuf *eb, const char *what, const char *opt, const char *v)
{
	return kesu_err_set(eb, -KESU_E_BAD_INPUT,
			    "%s (--%s) '%s' is not a time span like \"2026-11-25 09:00-12:00\" "
			    "(or \"2026-11-25 22:00-2026-11-26 02:00\")", what, opt, v);
}

/* ---- plan, done, approve ---- */

static int plan_in_tx(struct kesu_ledger *lg, const struct kesu_work *w, struct kesu_errbuf *eb)
{
	static const enum kesu_work_field need[] = {
		KESU_WF_TARGET, KESU_WF_WORKER, KESU_WF_PLANNED_TIME, KESU_WF_CONTENT,
	};
	const char *id = w->f[KESU_WF_WORK_ID];
	struct kesu_work cur, plan = { 0 };
	char worker[KESU_STAFF_NAME_MAX];
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
	if (w->f[KESU_WF_WORKER] &&
	    (rc = kesu_staff_check_name(lg, KESU_STAFF_HANDLER, "作業者氏名 (--worker)",
					w->f[KESU_WF_WORKER], worker, sizeof(worker), eb)) < 0)
		goto out;
	if (w->f[KESU_WF_PLANNED_TIME]) {
		time_t a, b;

		if (lg_parse_interval(w->f[KESU_WF_PLANNED_TIME], &a, &b) < 0) {
			rc = interval_err(eb, work_fields[KESU_WF_PLANNED_TIME].heading, "time",
					  w->f[KESU_WF_PLANNED_TIME]);
			goto out;
		}
	}
	/* only the plan's fields: the result comes with 'done' */
	for (int i = KESU_WF_TARGET; i <= KESU_WF_NOTE; i++)
		plan.f[i] = w->f[i];
	if (w->f[KESU_WF_WORKER])
		plan.f[KESU_WF_WORKER] = worker;     /* as on the roster when one is kept */
	/* an approval covers the plan as approved: a changed plan needs a new one */
	for (int i = KESU_WF_TARGET; exists && i <= KESU_WF_NOTE; i++)
		if (plan.f[i] && strcmp(plan.f[i], kesu_work_get(&cur, (enum kesu_work_field)i)) &&
		    *kesu_work_get(&cur, KESU_WF_APPROVED_BY)) {
			plan.f[KESU_WF_APPROVED_BY] = (char *)"";
			plan.f[KESU_WF_APPROVED_AT] = (char *)"";
		}
	rc = work_write(lg, "work-plan", id, &cur, &plan, !exists, eb);
out:
	kesu_work_release(&cur);
	return rc;
}

/* Every field but the ID against the text rules and its limit. */
static int work_text_check(const struct kesu_work *w, struct kesu_errbuf *eb)
{
	int rc;

	for (int i = 0; i < KESU_WF_COUNT; i++)
		if (i != KESU_WF_WORK_ID && w->f[i] &&
		    (rc = lg_field_check(&work_fields[i], w->f[i], eb)) < 0)
			return rc;
	return 0;
}

int kesu_work_plan(struct kesu_ledger *lg, const struct kesu_work *w, struct kesu_errbuf *eb)
{
	const char *id = w->f[KESU_WF_WORK_ID];
	int rc;

	if ((rc = lg_require_operator(lg, eb)) < 0)
		return rc;
	if ((rc = kesu_id_check("work ID", id, eb)) < 0)
		return rc;
	if ((rc = work_text_check(w, eb)) < 0)
		return rc;
	if ((rc = lg_begin(lg, eb)) < 0)
		return rc;
	return lg_end(lg, plan_in_tx(lg, w, eb), eb);
}

/* 無 or 有; the spellings 無し and 有り that kesu documented before are taken as them. */
static const char *taken_out_canonical(const char *v)
{
	if (!strcmp(v, "無") || !strcmp(v, "無し"))
		return "無";
	if (!strcmp(v, "有") || !strcmp(v, "有り"))
		return "有";
	return NULL;
}

/*
 * The result's rules: 持ち出しの有無 is 無 or 有, the confirmer is the
 * roster's データ取扱責任者, and work that ran outside its planned time
 * (began earlier or ended later) needs the reason (4(2)ウ(オ)).
 */
static int check_result(struct kesu_ledger *lg, const struct kesu_work *cur, struct kesu_work *res,
			char confirmer[KESU_STAFF_NAME_MAX], struct kesu_errbuf *eb)
{
	const char *planned = kesu_work_get(cur, KESU_WF_PLANNED_TIME);
	const char *actual = res->f[KESU_WF_ACTUAL_TIME];
	const char *reason = res->f[KESU_WF_REASON];
	const char *taken = taken_out_canonical(res->f[KESU_WF_TAKEN_OUT]);
	time_t pa, pb, aa, ab;
	int rc;

	if (!taken)
		return kesu_err_set(eb, -KESU_E_BAD_INPUT,
				    "データ持ち出しの有無 (--taken-out) is 無 or 有, not '%s'",
				    res->f[KESU_WF_TAKEN_OUT]);
	res->f[KESU_WF_TAKEN_OUT] = (char *)taken;
	if ((rc = kesu_staff_check_name(lg, KESU_STAFF_MANAGER, "確認者 (--confirmer)",
					res->f[KESU_WF_CONFIRMER], confirmer, KESU_STAFF_NAME_MAX,
					eb)) < 0)
		return rc;
	res->f[KESU_WF_CONFIRMER] = confirmer;
	if (lg_parse_interval(actual, &aa, &ab) < 0)
		return interval_err(eb, work_fields[KESU_WF_ACTUAL_TIME].heading, "actual-time",
				    actual);
	if (lg_parse_interval(planned, &pa, &pb) < 0)
		return kesu_err_set(eb, -KESU_E_BAD_INPUT,
				    "the planned 作業時間 '%s' of work %s cannot be read, so an overrun "
				    "cannot be told: correct it first with 'kesu work plan --id %s "
				    "--time \"2026-11-25 09:00-12:00\"'", planned,
				    kesu_work_get(cur, KESU_WF_WORK_ID), kesu_work_get(cur, KESU_WF_WORK_ID));
	if ((ab > pb || aa < pa) && (!reason || !*reason))
		return kesu_err_set(eb, -KESU_E_BAD_INPUT,
				    "work %s ran outside its planned time (planned %s, actual %s): "
				    "give the reason with --reason (作業結果報告書 4(2)ウ(オ))",
				    kesu_work_get(cur, KESU_WF_WORK_ID), planned, actual);
	return 0;
}

static int done_in_tx(struct kesu_ledger *lg, const char *work_id, const struct kesu_work *w,
		      struct kesu_errbuf *eb)
{
	static const enum kesu_work_field need[] = {
		KESU_WF_ACTUAL_TIME, KESU_WF_RESULT, KESU_WF_TAKEN_OUT, KESU_WF_CONFIRMER,
	};
	struct kesu_work cur, res = { 0 };
	char confirmer[KESU_STAFF_NAME_MAX];
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
	if ((rc = check_result(lg, &cur, &res, confirmer, eb)) < 0)
		goto out;
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
	if ((rc = work_text_check(w, eb)) < 0)
		return rc;
	if ((rc = lg_begin(lg, eb)) < 0)
		return rc;
	return lg_end(lg, done_in_tx(lg, work_id, w, eb), eb);
}

static int approve_in_tx(struct kesu_ledger *lg, const char *work_id, const char *approver,
			 const char *when, struct kesu_errbuf *eb)
{
	struct kesu_work cur, ch = { 0 };
	time_t aa, ab, at;
	int rc, date_only;

	if ((rc = kesu_work_fetch(lg, work_id, &cur, eb)) < 0)
		return rc;
	if (*kesu_work_get(&cur, KESU_WF_APPROVED_BY)) {
		rc = kesu_err_set(eb, -KESU_E_EXISTS, "work %s is already approved by %s (%s)",
				  work_id, kesu_work_get(&cur, KESU_WF_APPROVED_BY),
				  kesu_work_get(&cur, KESU_WF_APPROVED_AT));
		goto out;
	}
	/* prior approval: not after the work began */
	if (!strcmp(kesu_work_get(&cur, KESU_WF_STATE), "完了") &&
	    lg_parse_interval(kesu_work_get(&cur, KESU_WF_ACTUAL_TIME), &aa, &ab) == 0 &&
	    lg_parse_time(when, &at, &date_only) == 0 && at > aa) {
		rc = kesu_err_set(eb, -KESU_E_BAD_INPUT,
				  "work %s began at %s, before this approval (%s): the 作業予定表 is "
				  "approved before the work (4(2)ウ(ウ)); give the time it was approved "
				  "with --approved-at", work_id, kesu_work_get(&cur, KESU_WF_ACTUAL_TIME),
				  when);
		goto out;
	}
	ch.f[KESU_WF_APPROVED_BY] = (char *)approver;
	ch.f[KESU_WF_APPROVED_AT] = (char *)when;
	rc = work_write(lg, "work-approve", work_id, &cur, &ch, 0, eb);
out:
	kesu_work_release(&cur);
	return rc;
}

int kesu_work_approve(struct kesu_ledger *lg, const char *work_id, const char *approver,
		      const char *approved_at, struct kesu_errbuf *eb)
{
	char when[32], full[KESU_STAFF_NAME_MAX];
	int rc;

	if ((rc = lg_approval(lg, "work", approver, approved_at, full, when, eb)) < 0)
		return rc;
	if ((rc = lg_begin(lg, eb)) < 0)
		return rc;
	return lg_end(lg, approve_in_tx(lg, work_id, full, when, eb), eb);
}
