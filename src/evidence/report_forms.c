/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What the forms say about people and approvals (report_forms.h): the
 * approval box of the データ返却等計画書, the 承認 column of the 作業予定表,
 * and the rows of the データ取扱者等名簿 (別紙2).
 *
 * A box says 承認 only for the plan that was approved: the media's plan as it
 * is now is compared with the latest approved snapshot, field by field of
 * the form, and any difference (an item added, dropped or changed) prints
 * 未承認, so a changed plan never carries an older approval.
 */
#include "report_forms.h"

#include <kesu/clock.h>
#include <kesu/report.h>
#include <kesu/staff.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* The fields of the form (別紙7) an approval covers. */
static const enum kesu_media_field plan_fields[] = {
	KESU_MF_MEDIA_ID, KESU_MF_DATA_NAME, KESU_MF_DISPOSITION, KESU_MF_DISP_TIME,
	KESU_MF_DISP_PLACE, KESU_MF_WITNESS, KESU_MF_RESPONSIBLE,
};

/*
 * "2026年11月30日 15:00" (local time) from a stored RFC 3339 time; the date
 * alone for an approval given as a date (kept as the end of that day) or
 * when with_time is 0; the text as it is when unreadable.
 */
static void approval_date(const char *rfc3339, int with_time, char *buf, size_t len)
{
	time_t t;

	if (kesu_time_parse_rfc3339(rfc3339, &t) < 0)
		snprintf(buf, len, "%s", rfc3339);
	else if (!with_time || (t + kesu_paper_tz_offset(t)) % 86400 == 86399)
		kesu_time_paper(t, KESU_PAPER_DATE_JA, buf, len);
	else
		kesu_time_paper(t, KESU_PAPER_DATETIME_JA, buf, len);
}

int rpt_plan_rows(struct kesu_ledger *lg, long plan_no, json_t *rows, struct kesu_errbuf *eb)
{
	struct kesu_plan plan;
	int rc = kesu_ledger_get_plan(lg, plan_no, &plan, eb);

	for (size_t i = 0; rc == 0 && i < plan.items.n; i++) {
		json_t *row = rpt_media_row(&plan.items.items[i]);

		if (!row || json_array_append_new(rows, row) < 0)
			rc = -ENOMEM;
	}
	if (rc != -KESU_E_NOT_FOUND)
		kesu_plan_release(&plan);
	return rc;
}

/* Whether rows hold exactly the plan's items in the fields an approval covers. */
static int same_plan(json_t *rows, const struct kesu_plan *plan)
{
	size_t i;
	json_t *row;

	if (json_array_size(rows) != plan->items.n)
		return 0;
	json_array_foreach(rows, i, row) {
		const char *id = json_string_value(json_object_get(row, "media_id"));
		const struct kesu_media *m = NULL;

		for (size_t k = 0; id && k < plan->items.n && !m; k++)
			if (!strcmp(id, kesu_media_get(&plan->items.items[k], KESU_MF_MEDIA_ID)))
				m = &plan->items.items[k];
		if (!m)
			return 0;
		for (size_t f = 0; f < sizeof(plan_fields) / sizeof(plan_fields[0]); f++) {
			const char *key = kesu_media_field_info(plan_fields[f])->key;
			const char *v = json_string_value(json_object_get(row, key));

			if (strcmp(v ? v : "", kesu_media_get(m, plan_fields[f])))
				return 0;
		}
	}
	return 1;
}

static int box_row(json_t *box, const char *a, const char *b)
{
	json_t *r = b ? json_pack("[ss]", a, b) : json_pack("[s]", a);

	return r && json_array_append_new(box, r) == 0 ? 0 : -ENOMEM;
}

int rpt_plan_box(struct kesu_ledger *lg, long plan_no, json_t *rows, json_t *box,
		 struct kesu_errbuf *eb)
{
	struct kesu_plan plan;
	char date[96], no[32], note[128];
	int rc = kesu_ledger_get_plan(lg, plan_no, &plan, eb);

	if (rc == -KESU_E_NOT_FOUND && plan_no == 0)
		return box_row(box, "未承認", NULL);
	if (rc < 0)
		return rc;
	if (plan_no == 0 && !same_plan(rows, &plan)) {
		snprintf(note, sizeof(note), "第%ld号の承認後に変更があります", plan.plan_no);
		rc = box_row(box, "未承認", NULL);
		if (rc == 0)
			rc = box_row(box, note, NULL);
	} else {
		approval_date(plan.approved_at, 1, date, sizeof(date));
		snprintf(no, sizeof(no), "第%ld号", plan.plan_no);
		rc = box_row(box, "承認者", plan.approved_by);
		if (rc == 0)
			rc = box_row(box, "承認日", date);
		if (rc == 0)
			rc = box_row(box, "計画書", no);
	}
	kesu_plan_release(&plan);
	return rc;
}

int rpt_work_approval(json_t *row, const struct kesu_work *w)
{
	const char *by = kesu_work_get(w, KESU_WF_APPROVED_BY);
	char date[96], cell[512];

	if (*by) {
		approval_date(kesu_work_get(w, KESU_WF_APPROVED_AT), 0, date, sizeof(date));
		snprintf(cell, sizeof(cell), "%s\n%s", by, date);
	} else {
		snprintf(cell, sizeof(cell), "未承認");
	}
	return json_object_set_new(row, "approval", json_string(cell)) < 0 ? -ENOMEM : 0;
}

int rpt_roster_rows(struct kesu_ledger *lg, json_t *rows, struct kesu_errbuf *eb)
{
	struct kesu_staff_list l;
	char name[KESU_STAFF_NAME_MAX];
	int rc = kesu_staff_list(lg, 0, &l, eb);

	for (size_t i = 0; rc == 0 && i < l.n; i++) {
		const struct kesu_staff *s = &l.items[i];
		json_t *row;

		if (kesu_staff_role_parse(kesu_staff_get(s, KESU_SF_ROLE)) == KESU_ROLE_OFFICER)
			continue;      /* the client's officers are not the contractor's handlers */
		kesu_staff_full_name(s, name, sizeof(name));
		row = json_pack("{ss ss ss ss ss}", "role", kesu_staff_get(s, KESU_SF_ROLE),
				"name", name, "affiliation", kesu_staff_get(s, KESU_SF_AFFILIATION),
				"title", kesu_staff_get(s, KESU_SF_TITLE),
				"note", kesu_staff_get(s, KESU_SF_NOTE));
		if (!row || json_array_append_new(rows, row) < 0)
			rc = -ENOMEM;
	}
	kesu_staff_list_release(&l);
	if (rc == 0 && !json_array_size(rows))
		rc = kesu_err_set(eb, -KESU_E_NOT_FOUND,
				  "the roster (データ取扱者等名簿) in %s has no データ取扱責任者 or "
				  "データ取扱者: add them with 'kesu staff add'", kesu_ledger_path(lg));
	return rc;
}

double rpt_pdf_box(struct kesu_pdf *pdf, json_t *box, double right, double y)
{
	const double one[1] = { KESU_PDF_MM(72) };
	const double two[2] = { KESU_PDF_MM(20), KESU_PDF_MM(52) };
	const double fills[2] = { 0.9, -1 };
	struct kesu_pdf_style st[2] = { { .size = 9, .align = KESU_PDF_CENTER }, { .size = 9 } };
	struct kesu_pdf_style big = { .size = 12, .align = KESU_PDF_CENTER };
	double top = y;
	size_t i;
	json_t *r;

	json_array_foreach(box, i, r) {
		const char *cells[2] = { json_string_value(json_array_get(r, 0)),
					 json_string_value(json_array_get(r, 1)) };

		if (json_array_size(r) == 2)
			y += kesu_pdf_row(pdf, right - one[0], y, two, cells, 2, st, 2, fills, 3, 0.6);
		else
			y += kesu_pdf_row(pdf, right - one[0], y, one, cells, 1,
					  i == 0 ? &big : &st[1], 1, NULL, 3, 0.6);
	}
	return y - top;
}
