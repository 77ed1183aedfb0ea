/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The Japanese reports (include/kesu/report.h). Each report is built in two
 * steps: the data (rows of key -> text, lines before and after the table)
 * from the ledger, then the rendering by its template (reports/NAME.json)
 * into a PDF (include/kesu/pdf.h) or a CSV.
 */
#include "ledger_int.h"
#include "report_forms.h"

#include <kesu/clock.h>
#include <kesu/config.h>
#include <kesu/pdf.h>
#include <kesu/report.h>
#include <kesu/util.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define TEMPLATE_MAX_BYTES (256u << 10)

static const char *const report_types[] = {
	"ledger", "schedule", "result", "return-plan", "completion", "roster",
};

int kesu_report_type_valid(const char *type)
{
	for (size_t i = 0; i < sizeof(report_types) / sizeof(report_types[0]); i++)
		if (type && !strcmp(type, report_types[i]))
			return 1;
	return 0;
}

void kesu_report_date_ja(time_t t, char *buf, size_t len)
{
	kesu_time_paper(t, KESU_PAPER_DATE_JA, buf, len);
}

/* The report's content, independent of PDF or CSV. */
struct report {
	json_t *tpl;       /* the template */
	json_t *rows;      /* array of {key: text} */
	json_t *before;    /* array of lines between the heading and the table */
	json_t *after;     /* array of lines after the table */
	json_t *box;       /* PDF: the approval box, rows of cells (report_forms.h) */
	struct kesu_report_summary sum;
};

static void report_release(struct report *r)
{
	json_decref(r->tpl);
	json_decref(r->rows);
	json_decref(r->before);
	json_decref(r->after);
	json_decref(r->box);
}

static int load_template(const char *dir, const char *type, json_t **tpl, struct kesu_errbuf *eb)
{
	char path[4096], *data = NULL;
	json_error_t jerr;
	json_t *cols;
	size_t len, i;
	json_t *c;
	int rc;

	if ((size_t)snprintf(path, sizeof(path), "%s/%s.json", dir ? dir : ".", type) >= sizeof(path))
		return kesu_err_set(eb, -ENAMETOOLONG, "the templates directory name is too long");
	if ((rc = kesu_read_file(path, TEMPLATE_MAX_BYTES, &data, &len, eb)) < 0) {
		if (rc == -ENOENT)
			kesu_err_set(eb, rc, "no report template %s: install kesu's reports/ directory "
				     "or name it with --templates", path);
		return rc;
	}
	*tpl = json_loadb(data, len, JSON_REJECT_DUPLICATES, &jerr);
	free(data);
	if (!*tpl)
		return kesu_err_set(eb, -KESU_E_BAD_INPUT, "template %s: %s (line %d)", path,
				    jerr.text, jerr.line);
	cols = json_object_get(*tpl, "columns");
	if (!json_is_string(json_object_get(*tpl, "title")) || !json_is_array(cols) ||
	    !json_array_size(cols))
		goto bad;
	json_array_foreach(cols, i, c) {
		if (!json_is_string(json_object_get(c, "key")) ||
		    !json_is_string(json_object_get(c, "heading")) ||
		    !json_is_number(json_object_get(c, "width")) ||
		    json_number_value(json_object_get(c, "width")) <= 0)
			goto bad;
	}
	return 0;
bad:
	json_decref(*tpl);
	*tpl = NULL;
	return kesu_err_set(eb, -KESU_E_BAD_INPUT,
			    "template %s needs \"title\" and \"columns\": [{\"key\", \"heading\", "
			    "\"width\" (mm)}, ...]", path);
}

static int row_set(json_t *row, const char *key, const char *value)
{
	return json_object_set_new(row, key, json_string(value ? value : "")) < 0 ? -ENOMEM : 0;
}

json_t *rpt_media_row(const struct kesu_media *m)
{
	json_t *o = json_object();

	for (int i = 0; o && i < KESU_MF_COUNT; i++)
		if (row_set(o, kesu_media_field_info((enum kesu_media_field)i)->key,
			    kesu_media_get(m, (enum kesu_media_field)i)) < 0) {
			json_decref(o);
			return NULL;
		}
	return o;
}

static json_t *work_row(const struct kesu_work *w)
{
	json_t *o = json_object();

	for (int i = 0; o && i < KESU_WF_COUNT; i++)
		if (row_set(o, kesu_work_field_info((enum kesu_work_field)i)->key,
			    kesu_work_get(w, (enum kesu_work_field)i)) < 0) {
			json_decref(o);
			return NULL;
		}
	return o;
}

static int append(json_t *arr, json_t *v)
{
	return v && json_array_append_new(arr, v) == 0 ? 0 : -ENOMEM;
}

static int build_media(struct kesu_ledger *lg, struct report *r, int plan_only,
		       struct kesu_errbuf *eb)
{
	struct kesu_media_list l;
	int rc = kesu_ledger_list(lg, NULL, &l, eb);

	if (rc < 0)
		return rc;
	for (size_t i = 0; i < l.n && rc == 0; i++) {
		if (plan_only && !*kesu_media_get(&l.items[i], KESU_MF_DISPOSITION))
			continue;
		rc = append(r->rows, rpt_media_row(&l.items[i]));
	}
	kesu_media_list_release(&l);
	if (rc == 0 && plan_only && !json_array_size(r->rows))
		rc = kesu_err_set(eb, -KESU_E_NOT_FOUND,
				  "no medium is marked for 返却, 消去 or 廃棄: set --disposition with "
				  "'kesu ledger edit' first");
	return rc;
}

/* データ返却等計画書: the media's plan now (or approved plan N) and its approval box. */
static int build_return_plan(struct kesu_ledger *lg, struct report *r, long plan_no,
			     struct kesu_errbuf *eb)
{
	int rc = plan_no > 0 ? rpt_plan_rows(lg, plan_no, r->rows, eb) : build_media(lg, r, 1, eb);

	return rc < 0 ? rc : rpt_plan_box(lg, plan_no, r->rows, r->box, eb);
}

static int build_schedule(struct kesu_ledger *lg, struct report *r, struct kesu_errbuf *eb)
{
	struct kesu_work_list l;
	int rc = kesu_work_list(lg, &l, eb);

	if (rc < 0)
		return rc;
	for (size_t i = 0; i < l.n && rc == 0; i++) {
		json_t *row = work_row(&l.items[i]);

		if ((rc = append(r->rows, row)) == 0)
			rc = rpt_work_approval(row, &l.items[i]);
	}
	kesu_work_list_release(&l);
	return rc;
}

/* 作業結果報告書: one row per item of the template's "items" ({heading, key}). */
static int build_result(struct kesu_ledger *lg, struct report *r, const char *work_id,
			struct kesu_errbuf *eb)
{
	json_t *items = json_object_get(r->tpl, "items"), *it, *w = NULL;
	struct kesu_work work;
	size_t i;
	int rc;

	if (!work_id || !*work_id)
		return kesu_err_set(eb, -KESU_E_BAD_INPUT, "the result report needs --work WORK-ID");
	if (!json_is_array(items))
		return kesu_err_set(eb, -KESU_E_BAD_INPUT,
				    "the result template needs \"items\": [{\"heading\", \"key\"}]");
	if ((rc = kesu_work_fetch(lg, work_id, &work, eb)) < 0)
		return rc;
	if (strcmp(kesu_work_get(&work, KESU_WF_STATE), "完了")) {
		rc = kesu_err_set(eb, -KESU_E_BAD_INPUT,
				  "work %s has no result yet: record it with 'kesu work done --id %s ...'",
				  work_id, work_id);
		goto out;
	}
	if (!(w = work_row(&work))) {
		rc = -ENOMEM;
		goto out;
	}
	json_array_foreach(items, i, it) {
		const char *key = json_string_value(json_object_get(it, "key"));
		const char *value = key ? json_string_value(json_object_get(w, key)) : NULL;
		json_t *row;

		if (key && !strcmp(key, "reason") && (!value || !*value))
			continue;    /* 超過理由 only when the work ran over */
		const char *heading = json_string_value(json_object_get(it, "heading"));

		row = json_pack("{ss ss}", "label", heading ? heading : "", "value", value ? value : "");
		if ((rc = append(r->rows, row)) < 0)
			goto out;
	}
	rc = 0;
out:
	json_decref(w);
	kesu_work_release(&work);
	return rc;
}

/* Whether an item of the plan was carried out, and what to print for it. */
static int judge_item(struct kesu_ledger *lg, const struct kesu_media *planned, json_t *row,
		      json_t *exceptions, struct kesu_errbuf *eb)
{
	const char *id = kesu_media_get(planned, KESU_MF_MEDIA_ID);
	const char *method = kesu_media_get(planned, KESU_MF_DISPOSITION);
	struct kesu_cert_link *links = NULL, *erased = NULL, *last = NULL;
	struct kesu_media now;
	char why[512] = "";
	const char *status;
	size_t n = 0;
	int rc, ok = 0;

	rc = kesu_ledger_get_media(lg, id, &now, eb);
	if (rc == -KESU_E_NOT_FOUND) {
		snprintf(why, sizeof(why), "%s: 台帳にありません", id);
		goto judged;
	}
	if (rc < 0)
		return rc;
	if ((rc = kesu_ledger_cert_links(lg, id, &links, &n, eb)) < 0) {
		kesu_media_release(&now);
		return rc;
	}
	for (size_t i = 0; i < n; i++) {
		last = &links[i];
		if (!strcmp(links[i].outcome, "ERASED"))
			erased = &links[i];
	}
	status = kesu_media_get(&now, KESU_MF_STATUS);
	if (!strcmp(method, "返却")) {
		ok = !strcmp(status, "返却済");
		if (!ok)
			snprintf(why, sizeof(why), "%s: 返却の予定ですが状態は%sです", id, status);
	} else if (!strcmp(method, "消去") || !strcmp(method, "廃棄")) {
		const char *done = !strcmp(method, "消去") ? "消去済" : "廃棄済";

		ok = erased && !strcmp(status, done);
		if (!erased && last)
			snprintf(why, sizeof(why), "%s: 消去の結果は%sです (証明書 %s)", id, last->outcome,
				 last->cert_id);
		else if (!erased)
			snprintf(why, sizeof(why), "%s: 消去証明書がありません", id);
		else if (!ok)
			snprintf(why, sizeof(why), "%s: %sの予定ですが状態は%sです", id, method, status);
	} else {
		snprintf(why, sizeof(why), "%s: 方法が未定です", id);
	}
	rc = 0;
	if (erased || last) {
		const struct kesu_cert_link *c = erased ? erased : last;

		rc = row_set(row, "cert_id", c->cert_id) | row_set(row, "sha256", c->sha256) |
		     row_set(row, "outcome_code", c->outcome);
	}
	rc |= row_set(row, "status", status);
	free(links);
	kesu_media_release(&now);
	if (rc < 0)
		return -ENOMEM;
judged:
	if (row_set(row, "outcome", ok ? (!strcmp(method, "返却") ? "返却済" :
				      !strcmp(method, "消去") ? "消去・検証済" : "消去・検証済・廃棄済")
				   : "例外") < 0)
		return -ENOMEM;
	if (!ok && append(exceptions, json_string(why)) < 0)
		return -ENOMEM;
	return ok;
}

static int join_unique(char *buf, size_t len, const struct kesu_media_list *l,
		       enum kesu_media_field f)
{
	size_t off = 0;

	buf[0] = 0;
	for (size_t i = 0; i < l->n; i++) {
		const char *v = kesu_media_get(&l->items[i], f);
		int dup = 0;

		for (size_t j = 0; j < i && !dup; j++)
			dup = !strcmp(v, kesu_media_get(&l->items[j], f));
		if (dup || !*v)
			continue;
		off += (size_t)snprintf(buf + off, off < len ? len - off : 0, "%s%s", off ? "、" : "", v);
		if (off >= len)
			return -KESU_E_TOO_LONG;
	}
	return 0;
}

static int build_completion(struct kesu_ledger *lg, struct report *r, long plan_no,
			    struct kesu_errbuf *eb)
{
	struct kesu_plan plan;
	json_t *exc = json_array();
	char line[2048], names[1024], date[64];
	int rc;

	if (!exc)
		return -ENOMEM;
	if ((rc = kesu_ledger_get_plan(lg, plan_no, &plan, eb)) < 0)
		goto out;
	for (size_t i = 0; i < plan.items.n; i++) {
		json_t *row = rpt_media_row(&plan.items.items[i]);

		if (!row) {
			rc = -ENOMEM;
			goto out;
		}
		rc = judge_item(lg, &plan.items.items[i], row, exc, eb);
		if (rc < 0 || append(r->rows, row) < 0) {
			rc = rc < 0 ? rc : -ENOMEM;
			goto out;
		}
		r->sum.items++;
	}
	r->sum.exceptions = json_array_size(exc);
	r->sum.good = r->sum.items > 0 && r->sum.exceptions == 0;

	/* the approval date of the plan, in Japanese style */
	{
		struct tm tm = { 0 };

		if (strptime(plan.approved_at, "%Y-%m-%dT%H:%M:%SZ", &tm))
			kesu_report_date_ja(timegm(&tm), date, sizeof(date));
		else
			snprintf(date, sizeof(date), "%s", plan.approved_at);
	}
	snprintf(line, sizeof(line), "先に承認された「データ返却等計画書」(第%ld号、%s承認、承認者 %s)"
		 "の作業が終了いたしましたので、報告いたします。", plan.plan_no, date,
		 plan.approved_by);
	rc = append(r->before, json_string(line));
	snprintf(line, sizeof(line), "1 作業結果　%s", r->sum.good ? "良" : "否（下記の例外があります）");
	rc |= append(r->before, json_string(line));
	if (join_unique(names, sizeof(names), &plan.items, KESU_MF_RESPONSIBLE) < 0)
		snprintf(names, sizeof(names), "(多数)");
	snprintf(line, sizeof(line), "2 作業責任者及び立会者　作業責任者 %s", names);
	rc |= append(r->before, json_string(line));
	if (join_unique(names, sizeof(names), &plan.items, KESU_MF_WITNESS) < 0)
		snprintf(names, sizeof(names), "(多数)");
	snprintf(line, sizeof(line), "　　作業立会者 %s", names);
	rc |= append(r->before, json_string(line));
	if (rc < 0)
		goto out;
	if (r->sum.exceptions) {
		size_t i;
		json_t *e;

		rc = append(r->after, json_string("例外:"));
		json_array_foreach(exc, i, e)
			rc |= append(r->after, json_pack("s+", "・", json_string_value(e)));
		if (rc < 0)
			goto out;
	}
	rc = 0;
out:
	kesu_plan_release(&plan);
	json_decref(exc);
	return rc;
}

/* ---- rendering ---- */

static const char *cell(json_t *row, json_t *col)
{
	const char *v = json_string_value(json_object_get(row,
		json_string_value(json_object_get(col, "key"))));

	return v ? v : "";
}

#define MARGIN KESU_PDF_MM(15)

struct pdf_table {
	size_t n;
	double *widths;
	const char **cells;
	struct kesu_pdf_style style, head_style;
	double fill_head[64];
};

static double table_header(struct kesu_pdf *pdf, struct pdf_table *t, json_t *cols, double y)
{
	size_t i;
	json_t *c;

	json_array_foreach(cols, i, c)
		t->cells[i] = json_string_value(json_object_get(c, "heading"));
	return kesu_pdf_row(pdf, MARGIN, y, t->widths, t->cells, t->n, &t->head_style, 1,
			    t->fill_head, 2, 0.5);
}

static double lines_block(struct kesu_pdf *pdf, json_t *lines, double y, double w,
			  const struct kesu_pdf_style *st)
{
	size_t i;
	json_t *l;

	json_array_foreach(lines, i, l)
		y += kesu_pdf_text(pdf, MARGIN, y, w, json_string_value(l), st) + 3;
	return y;
}

static double pdf_heading(struct kesu_pdf *pdf, const struct report *r,
			  const struct kesu_report_opts *o, const char *date, double w)
{
	const char *contract = kesu_config_get_or(o->cfg, "contract", "name", "");
	const char *contractor = kesu_config_get_or(o->cfg, "contract", "contractor", "");
	const char *intro = json_string_value(json_object_get(r->tpl, "intro"));
	struct kesu_pdf_style right = { .size = 10, .align = KESU_PDF_RIGHT };
	struct kesu_pdf_style title = { .size = 16, .align = KESU_PDF_CENTER };
	struct kesu_pdf_style body = { .size = 10 };
	char line[1024];
	double y = MARGIN;

	y += kesu_pdf_text(pdf, MARGIN, y, w, date, &right) + 6;
	y += kesu_pdf_text(pdf, MARGIN, y, w, json_string_value(json_object_get(r->tpl, "title")),
			   &title) + 8;
	snprintf(line, sizeof(line), "委託業務名　%s", contract);
	y += kesu_pdf_text(pdf, MARGIN, y, w, line, &body) + 2;
	snprintf(line, sizeof(line), "受託者　%s", contractor);
	y += kesu_pdf_text(pdf, MARGIN, y, w, line, &body) + 8;
	if (intro && *intro)
		y += kesu_pdf_text(pdf, MARGIN, y, w, intro, &body) + 6;
	return lines_block(pdf, r->before, y, w, &body) + 4;
}

static int write_pdf(const struct report *r, const struct kesu_report_opts *o, const char *date,
		     struct kesu_errbuf *eb)
{
	json_t *cols = json_object_get(r->tpl, "columns"), *c, *row;
	double w = KESU_PDF_A4_WIDTH - 2 * MARGIN, bottom = KESU_PDF_A4_HEIGHT - MARGIN;
	double font = json_number_value(json_object_get(r->tpl, "font_size"));
	double total = 0, y;
	struct pdf_table t = { 0 };
	struct kesu_pdf *pdf = NULL;
	struct kesu_pdf_style body = { .size = 10 };
	size_t i;
	int rc;

	t.n = json_array_size(cols);
	if (t.n > sizeof(t.fill_head) / sizeof(t.fill_head[0]))
		return kesu_err_set(eb, -KESU_E_BAD_INPUT, "a template has at most 64 columns");
	t.widths = calloc(t.n, sizeof(*t.widths));
	t.cells = calloc(t.n, sizeof(*t.cells));
	if (!t.widths || !t.cells) {
		rc = -ENOMEM;
		goto out;
	}
	json_array_foreach(cols, i, c)
		total += json_number_value(json_object_get(c, "width"));
	/* widths are in mm; scale them to the printable width so a template cannot overflow */
	json_array_foreach(cols, i, c) {
		t.widths[i] = json_number_value(json_object_get(c, "width")) * w / total;
		t.fill_head[i] = 0.88;
	}
	t.style.size = font > 0 ? font : 8;
	t.head_style = t.style;
	t.head_style.align = KESU_PDF_CENTER;

	if ((rc = kesu_pdf_open(o->out_path, &pdf, eb)) < 0)
		goto out;
	kesu_pdf_set_info(pdf, json_string_value(json_object_get(r->tpl, "title")),
			  kesu_config_get_or(o->cfg, "contract", "contractor", NULL),
			  kesu_config_get_or(o->cfg, "contract", "name", NULL));
	y = pdf_heading(pdf, r, o, date, w);
	if (json_array_size(r->box))
		y += rpt_pdf_box(pdf, r->box, MARGIN + w, y) + 6;
	y += table_header(pdf, &t, cols, y);
	json_array_foreach(r->rows, i, row) {
		double h = 0;
		size_t k;

		json_array_foreach(cols, k, c) {
			double ch;

			t.cells[k] = cell(row, c);
			ch = kesu_pdf_text_height(pdf, t.widths[k] - 4, t.cells[k], &t.style) + 4;
			if (ch > h)
				h = ch;
		}
		if (y + h > bottom) {
			kesu_pdf_new_page(pdf);
			y = MARGIN + table_header(pdf, &t, cols, MARGIN);
			json_array_foreach(cols, k, c)
				t.cells[k] = cell(row, c);
		}
		y += kesu_pdf_row(pdf, MARGIN, y, t.widths, t.cells, t.n, &t.style, 1, NULL, 2, 0.5);
	}
	y += 8;
	json_array_foreach(r->after, i, row) {
		double h = kesu_pdf_text_height(pdf, w, json_string_value(row), &body);

		if (y + h > bottom) {
			kesu_pdf_new_page(pdf);
			y = MARGIN;
		}
		y += kesu_pdf_text(pdf, MARGIN, y, w, json_string_value(row), &body) + 3;
	}
	{
		const char *closing = json_string_value(json_object_get(r->tpl, "closing"));

		if (closing && *closing) {
			if (y + 20 > bottom) {
				kesu_pdf_new_page(pdf);
				y = MARGIN;
			}
			kesu_pdf_text(pdf, MARGIN, y + 6, w, closing, &body);
		}
	}
	rc = kesu_pdf_close(pdf, eb);
	pdf = NULL;
out:
	if (pdf)
		kesu_pdf_abort(pdf);
	free(t.widths);
	free(t.cells);
	return rc;
}

struct cbuf {
	char *s;
	size_t len, cap;
};

static int cb_add(struct cbuf *b, const char *v, size_t n)
{
	if (b->len + n + 1 > b->cap) {
		size_t ncap = b->cap ? b->cap * 2 : 4096;
		char *nb;

		while (b->len + n + 1 > ncap)
			ncap *= 2;
		if (!(nb = realloc(b->s, ncap)))
			return -ENOMEM;
		b->s = nb;
		b->cap = ncap;
	}
	memcpy(b->s + b->len, v, n);
	b->len += n;
	b->s[b->len] = 0;
	return 0;
}

/* Every field quoted: headings and names may hold commas. */
static int cb_field(struct cbuf *b, const char *v, int first)
{
	int rc = first ? 0 : cb_add(b, ",", 1);

	rc |= cb_add(b, "\"", 1);
	for (; *v && rc == 0; v++)
		rc = *v == '"' ? cb_add(b, "\"\"", 2) : cb_add(b, v, 1);
	rc |= cb_add(b, "\"", 1);
	return rc ? -ENOMEM : 0;
}

static int write_csv(const struct report *r, const struct kesu_report_opts *o,
		     struct kesu_errbuf *eb)
{
	json_t *cols = json_object_get(r->tpl, "columns"), *c, *row;
	struct cbuf b = { 0 };
	char *conv = NULL;
	size_t clen, i, k;
	int rc = 0;

	json_array_foreach(cols, k, c)
		rc |= cb_field(&b, json_string_value(json_object_get(c, "heading")), k == 0);
	rc |= cb_add(&b, "\r\n", 2);
	json_array_foreach(r->rows, i, row) {
		json_array_foreach(cols, k, c)
			rc |= cb_field(&b, cell(row, c), k == 0);
		rc |= cb_add(&b, "\r\n", 2);
	}
	if (rc) {
		rc = -ENOMEM;
		goto out;
	}
	if (o->encoding == KESU_CSV_SJIS) {
		if ((rc = kesu_csv_recode(b.s, b.len, KESU_CSV_UTF8, KESU_CSV_SJIS, &conv, &clen, eb)) < 0)
			goto out;
		rc = kesu_write_file_atomic(o->out_path, conv, clen, 0644, eb);
	} else {
		rc = kesu_write_file_atomic(o->out_path, b.s, b.len, 0644, eb);
	}
out:
	free(b.s);
	free(conv);
	return rc;
}

int kesu_report_write(struct kesu_ledger *lg, const struct kesu_report_opts *o,
		      struct kesu_report_summary *summary, struct kesu_errbuf *eb)
{
	struct report r = { 0 };
	char date[64];
	int rc;

	if (summary)
		memset(summary, 0, sizeof(*summary));
	if (!kesu_report_type_valid(o->type))
		return kesu_err_set(eb, -KESU_E_BAD_INPUT, "unknown report '%s': ledger, schedule, "
				    "result, return-plan, completion or roster", o->type ? o->type : "");
	if ((rc = load_template(o->templates_dir, o->type, &r.tpl, eb)) < 0)
		return rc;
	r.rows = json_array();
	r.before = json_array();
	r.after = json_array();
	r.box = json_array();
	if (!r.rows || !r.before || !r.after || !r.box) {
		rc = -ENOMEM;
		goto out;
	}
	if (!strcmp(o->type, "ledger"))
		rc = build_media(lg, &r, 0, eb);
	else if (!strcmp(o->type, "return-plan"))
		rc = build_return_plan(lg, &r, o->plan_no, eb);
	else if (!strcmp(o->type, "roster"))
		rc = rpt_roster_rows(lg, r.rows, eb);
	else if (!strcmp(o->type, "schedule"))
		rc = build_schedule(lg, &r, eb);
	else if (!strcmp(o->type, "result"))
		rc = build_result(lg, &r, o->work_id, eb);
	else
		rc = build_completion(lg, &r, o->plan_no, eb);
	if (rc < 0)
		goto out;
	if (strcmp(o->type, "completion"))
		r.sum.items = json_array_size(r.rows);
	kesu_report_date_ja(o->date ? o->date : kesu_clock_now(), date, sizeof(date));
	rc = o->format == KESU_REPORT_CSV ? write_csv(&r, o, eb) : write_pdf(&r, o, date, eb);
	if (rc == 0 && summary)
		*summary = r.sum;
out:
	report_release(&r);
	return rc;
}
