/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Private to the reports (report.c, report_forms.c, report_rows.c) and the
 * completion judgement (completion.c): a report's content before it is
 * rendered.
 */
#ifndef KESU_REPORT_INT_H
#define KESU_REPORT_INT_H

#include "ledger_int.h"

#include <kesu/report.h>
#include <kesu/seal.h>

/* The report's content, independent of PDF or CSV. */
struct report {
	json_t *tpl;       /* the template */
	json_t *rows;      /* array of {key: text} */
	json_t *before;    /* array of lines between the heading and the table */
	json_t *after;     /* array of lines after the table */
	json_t *box;       /* PDF: the approval box, rows of cells (report_forms.h) */
	json_t *csv_tail;  /* CSV only: rows of cells after the table ([[label, value...]]) */
	json_t *reasons;   /* completion: why 否 (strings) */
	struct kesu_report_summary sum;
	/* the ledger's state the report was made from */
	int audit_rc;                  /* 0 or -KESU_E_VERIFY */
	struct kesu_seal_audit audit;
	int have_seal;                 /* seal is the seal the report names */
	int sealed;                    /* ... and it covers the head the report was made from */
	struct kesu_seal seal;
	char seal_note[512];           /* why no new seal was made ("" when one was) */
};

/* Rows (report_rows.c): row[key] = value ("" for NULL); a medium as {field key: text}. */
int rpt_row_set(json_t *row, const char *key, const char *value);
json_t *rpt_media_row(const struct kesu_media *m);
/* Append v (stolen) to arr; -ENOMEM when v is NULL or appending fails. */
int rpt_append(json_t *arr, json_t *v);

/* 作業完了報告書: rows, lines, reasons and r->sum from the plan and the evidence. */
int rpt_build_completion(struct kesu_ledger *lg, struct report *r,
			 const struct kesu_report_opts *o, struct kesu_errbuf *eb);

#endif
