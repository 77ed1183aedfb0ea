/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The Japanese reports (include/kesu/report.h). Each report is built in two
 * steps: the data (rows of key -> text, lines before and after the table)
 * from the ledger, then the rendering by its template (reports/NAME.json)
 * into a PDF (include/kesu/pdf.h) or a CSV.
 */
#include "report_int.h"
#include "report_forms.h"

#include <kesu/clock.h>
#include <kesu/config.h>
#include <kesu/pdf.h>
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

static void report_release(struct report *r)
{
	json_decref(r->tpl);
	json_decref(r->rows);
	json_decref(r->before);
	json_decref(r->after);
	json_decref(r->box);
	json_decref(r->csv_tail);
	json_decref(r->reasons);
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

static json_t *work_row(const struct kesu_work *w)
{
	json_t *o = json_object();

	for (int i = 0; o && i < KESU_WF_COUNT; i++)
		if (rpt_row_set(o, kesu_work_field_info((enum kesu_work_field)i)->key,
			    kesu_work_get(w, (enum kesu_work_field)i)) < 0) {
			json_decref(o);
			return NULL;
		}
	return o;
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
		rc = rpt_append(r->rows, rpt_media_row(&l.items[i]));
	}
	kesu_media_list_release(&l);
	if (rc == 0 && plan_only && !json_array_size(r->rows))
		rc = kesu_err_set(eb, -KESU_E_NOT_FOUND,
				  "no medium is marked for 返却, 消去 or 廃棄: set --disposition with "
				  "'kesu ledger edit' first");
	return rc;
}

/*
 * データ返却等計画書: the media's plan now (or approved plan N) and its approval
 * box; the CSV carries the box below the items, so it says 未承認 as the PDF does.
 */
static int build_return_plan(struct kesu_ledger *lg, struct report *r, long plan_no,
			     struct kesu_errbuf *eb)
{
	int rc = plan_no > 0 ? rpt_plan_rows(lg, plan_no, r->rows, eb) : build_media(lg, r, 1, eb);

	if (rc == 0)
		rc = rpt_plan_box(lg, plan_no, r->rows, r->box, eb);
	if (rc == 0 && json_array_extend(r->csv_tail, r->box) < 0)
		rc = -ENOMEM;
	return rc;
}

static int build_schedule(struct kesu_ledger *lg, struct report *r, struct kesu_errbuf *eb)
{
	struct kesu_work_list l;
	int rc = kesu_work_list(lg, &l, eb);

	if (rc < 0)
		return rc;
	for (size_t i = 0; i < l.n && rc == 0; i++) {
		json_t *row = work_row(&l.items[i]);

		if ((rc = rpt_append(r->rows, row)) == 0)
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
		if ((rc = rpt_append(r->rows, row)) < 0)
			goto out;
	}
	rc = 0;
out:
	json_decref(w);
	kesu_work_release(&work);
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

/* Every page's footer names the seal that pins the ledger's state the report was made from. */
static void page_footer(struct kesu_pdf *pdf, const struct report *r, double w)
{
	struct kesu_pdf_style st = { .size = 6.5 };
	char text[512];

	if (r->have_seal)
		snprintf(text, sizeof(text), "台帳の封印 %s　事象 %ld　ヘッド %s%s", r->seal.seal_id,
			 r->seal.seq, r->seal.head, r->audit_rc < 0 ? "　(台帳の監査に失敗しました)" :
			 !r->sealed ? "　(その後の変更は封印されていません)" : "");
	else
		snprintf(text, sizeof(text), "台帳の封印 なし%s", r->audit_rc < 0 ?
			 "　(台帳の監査に失敗しました)" : "");
	kesu_pdf_text(pdf, MARGIN, KESU_PDF_A4_HEIGHT - MARGIN + 3, w, text, &st);
}

static void next_page(struct kesu_pdf *pdf, const struct report *r, double w)
{
	page_footer(pdf, r, w);
	kesu_pdf_new_page(pdf);
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
			next_page(pdf, r, w);
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
			next_page(pdf, r, w);
			y = MARGIN;
		}
		y += kesu_pdf_text(pdf, MARGIN, y, w, json_string_value(row), &body) + 3;
	}
	{
		const char *closing = json_string_value(json_object_get(r->tpl, "closing"));

		if (closing && *closing) {
			if (y + 20 > bottom) {
				next_page(pdf, r, w);
				y = MARGIN;
			}
			kesu_pdf_text(pdf, MARGIN, y + 6, w, closing, &body);
		}
	}
	page_footer(pdf, r, w);
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
	if (json_array_size(r->csv_tail))
		rc |= cb_add(&b, "\r\n", 2);
	json_array_foreach(r->csv_tail, i, row) {
		json_t *v;

		json_array_foreach(row, k, v)
			rc |= cb_field(&b, json_string_value(v), k == 0);
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

/*
 * Audit the ledger against its seals and, when that holds and a signer is
 * given, seal its head: the seal the report names. A failed audit is kept in
 * r (the completion report turns it into a reason); it is not an error.
 */
static int seal_state(struct kesu_ledger *lg, struct report *r, const struct kesu_report_opts *o,
		      struct kesu_errbuf *eb)
{
	struct kesu_seal_audit_opts ao = { .ca_path = o->ca_path, .dir = o->seal_dir };
	struct kesu_errbuf why = { "" };
	int rc;

	rc = kesu_ledger_seal_audit(lg, &ao, &r->audit, eb);
	if (rc < 0 && rc != -KESU_E_VERIFY)
		return rc;
	r->audit_rc = rc;
	if (rc < 0) {
		snprintf(r->seal_note, sizeof(r->seal_note), "台帳の監査に失敗したため封印しませんでした");
	} else if (o->signer) {
		rc = kesu_ledger_seal(lg, o->signer, o->seal_dir, KESU_SEAL_REUSE, &r->seal, &why);
		if (rc < 0)
			snprintf(r->seal_note, sizeof(r->seal_note), "封印できませんでした: %s", why.msg);
		r->sealed = rc == 0;
	} else {
		snprintf(r->seal_note, sizeof(r->seal_note), "署名鍵がないため封印しませんでした");
	}
	/* Without a new seal, the report names the latest one: it pins the state up to its event. */
	if (!r->sealed && r->audit.sealed) {
		r->seal = r->audit.latest;
		r->sealed = r->audit_rc == 0 && r->audit.after == 0;
	}
	r->have_seal = r->sealed || r->audit.sealed;
	return 0;
}

static int summary_fill(const struct report *r, struct kesu_report_summary *s)
{
	size_t i;
	json_t *e;

	*s = r->sum;
	s->audit_ok = r->audit_rc == 0;
	snprintf(s->audit_problem, sizeof(s->audit_problem), "%s", r->audit.problem);
	s->sealed = r->have_seal;
	snprintf(s->seal_id, sizeof(s->seal_id), "%s", r->seal.seal_id);
	s->seal_seq = r->seal.seq;
	snprintf(s->seal_head, sizeof(s->seal_head), "%s", r->seal.head);
	snprintf(s->seal_note, sizeof(s->seal_note), "%s", r->seal_note);
	s->reasons = NULL;
	s->n_reasons = 0;
	if (!json_array_size(r->reasons))
		return 0;
	if (!(s->reasons = calloc(json_array_size(r->reasons), sizeof(*s->reasons))))
		return -ENOMEM;
	json_array_foreach(r->reasons, i, e) {
		if (!(s->reasons[i] = strdup(json_string_value(e)))) {
			kesu_report_summary_release(s);
			return -ENOMEM;
		}
		s->n_reasons = i + 1;
	}
	return 0;
}

void kesu_report_summary_release(struct kesu_report_summary *s)
{
	for (size_t i = 0; i < s->n_reasons; i++)
		free(s->reasons[i]);
	free(s->reasons);
	s->reasons = NULL;
	s->n_reasons = 0;
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
	r.csv_tail = json_array();
	r.reasons = json_array();
	if (!r.rows || !r.before || !r.after || !r.box || !r.csv_tail || !r.reasons) {
		rc = -ENOMEM;
		goto out;
	}
	if ((rc = seal_state(lg, &r, o, eb)) < 0)
		goto out;
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
		rc = rpt_build_completion(lg, &r, o, eb);
	if (rc < 0)
		goto out;
	if (strcmp(o->type, "completion"))
		r.sum.items = json_array_size(r.rows);
	kesu_report_date_ja(o->date ? o->date : kesu_clock_now(), date, sizeof(date));
	rc = o->format == KESU_REPORT_CSV ? write_csv(&r, o, eb) : write_pdf(&r, o, date, eb);
	if (rc == 0 && summary)
		rc = summary_fill(&r, summary);
out:
	report_release(&r);
	return rc;
}
