/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Private to the reports (report.c, report_forms.c): the parts of the forms
 * that show who approved what, and the roster (別紙2).
 */
#ifndef KESU_REPORT_FORMS_H
#define KESU_REPORT_FORMS_H

#include "ledger_int.h"

#include <kesu/pdf.h>

/* A medium as a report row {field key: text} (report_rows.c). */
json_t *rpt_media_row(const struct kesu_media *m);

/* データ返却等計画書 --plan N: the items of approved plan N, as approved. */
int rpt_plan_rows(struct kesu_ledger *lg, long plan_no, json_t *rows, struct kesu_errbuf *eb);

/*
 * The approval box of the データ返却等計画書, as rows of cells into box:
 * [[承認者, NAME], [承認日, DATE], [計画書, 第N号]] when rows are plan plan_no
 * (plan_no > 0) or, with plan_no 0, when rows (the media's plan now) are
 * what the latest approved plan holds; else [[未承認]] and a note.
 */
int rpt_plan_box(struct kesu_ledger *lg, long plan_no, json_t *rows, json_t *box,
		 struct kesu_errbuf *eb);

/* 作業予定表: row's "approval" cell from the work's 承認者 and 承認日時, or 未承認. */
int rpt_work_approval(json_t *row, const struct kesu_work *w);

/* データ取扱者等名簿: the roster's handlers as rows {role, name, affiliation, title, note}. */
int rpt_roster_rows(struct kesu_ledger *lg, json_t *rows, struct kesu_errbuf *eb);

/* Draw box (rows of 1 or 2 cells) with its right edge at right, top at y; its height. */
double rpt_pdf_box(struct kesu_pdf *pdf, json_t *box, double right, double y);

#endif
