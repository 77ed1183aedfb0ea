/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Media labels: data, checks, layout and rendering (cairo + pango).
 *
 * Drawing happens in label coordinates (1 unit = 1 mm, origin at the label's
 * top-left corner). Outputs differ only in the surface and the transform:
 * PDF/SVG pages are in points (72/25.4 per mm); PNG and the QL raster draw on
 * an image surface at the template's dpi, cropped to the printable area for
 * tape printers and thresholded to 1 bit. Pango positions are not rounded
 * and font hinting is off, so a text measures the same on every surface and
 * a fit decided for the PDF holds for the PNG.
 */
#include <kesu/brother_ql.h>
#include <kesu/clock.h>
#include <kesu/label.h>
#include <kesu/ledger.h>
#include <kesu/parse.h>
#include <kesu/record.h>
#include <kesu/util.h>

#include <cairo-pdf.h>
#include <cairo-svg.h>
#include <cairo.h>
#include <ctype.h>
#include <errno.h>
#include <jansson.h>
#include <math.h>
#include <pango/pangocairo.h>
#include <png.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MM_TO_PT (72.0 / 25.4)
#define PT_TO_MM (25.4 / 72.0)
#define FIT_STEP_PT 0.5

const char *const kesu_label_field_names[] = {
	"media_id", "data_name", "owner", "description", "date", "serial",
	"outcome", "outcome_ja", "cert_id", "hash_prefix", NULL
};

/* ---- data ---------------------------------------------------------------- */

struct field_slot {
	const char *name;
	size_t offset, size;
};

#define SLOT(f) { #f, offsetof(struct kesu_label_data, f), sizeof(((struct kesu_label_data *)0)->f) }
static const struct field_slot slots[] = {
	SLOT(media_id), SLOT(data_name), SLOT(owner), SLOT(description), SLOT(date),
	SLOT(serial), SLOT(outcome), SLOT(cert_id), SLOT(hash_prefix),
};

static const struct field_slot *slot_for(const char *name)
{
	size_t i;

	for (i = 0; i < sizeof(slots) / sizeof(slots[0]); i++)
		if (!strcmp(slots[i].name, name))
			return &slots[i];
	return NULL;
}

/* A text field's limit: the ledger's for the same field (owner is the giver). */
static unsigned text_limit(const char *field)
{
	unsigned max = kesu_text_limit(field);

	return max ? max : KESU_TEXT_SHORT_MAX;   /* outcome: a word */
}

int kesu_label_data_set(struct kesu_label_data *d, const char *field, const char *value,
			struct kesu_errbuf *eb)
{
	const struct field_slot *s = slot_for(field);
	char *dst, date[11];
	size_t len;
	int rc = 0;

	if (!s)
		return kesu_err_set(eb, -EINVAL, "no label field \"%s\"", field);
	if (!value)
		value = "";
	if (*value && (!strcmp(field, "media_id") || !strcmp(field, "cert_id")))
		rc = kesu_id_check(field, value, eb);
	else if (*value && !strcmp(field, "date"))
		rc = kesu_parse_date(value, date, NULL, NULL, NULL) < 0 ?
		     kesu_err_set(eb, -KESU_E_BAD_INPUT, "date must be a day of the calendar as "
				  "YYYY-MM-DD") : 0;
	else
		rc = kesu_text_check_max(field, value, text_limit(field), eb);
	if (rc < 0)
		return rc;
	if (*value && !strcmp(field, "date"))
		value = date;
	len = strlen(value);
	/* the buffers hold each field's limit: a value that passed always fits */
	if (len >= s->size)
		return kesu_err_set(eb, -KESU_E_TOO_LONG, "%s is longer than %zu bytes", field,
				    s->size - 1);
	dst = (char *)d + s->offset;
	memcpy(dst, value, len + 1);
	return 0;
}

static const char *outcome_ja(const char *outcome)
{
	enum kesu_outcome o;

	if (kesu_outcome_parse(outcome, &o) < 0)
		return outcome;
	switch (o) {
	case KESU_OUTCOME_ERASED:      return "消去済";
	case KESU_OUTCOME_FAILED:      return "消去失敗";
	case KESU_OUTCOME_INTERRUPTED: return "中断";
	case KESU_OUTCOME_UNVERIFIED:  return "未検証";
	}
	return outcome;
}

const char *kesu_label_data_get(const struct kesu_label_data *d, const char *field)
{
	const struct field_slot *s;

	if (!strcmp(field, "outcome_ja"))
		return outcome_ja(d->outcome);
	s = slot_for(field);
	return s ? (const char *)d + s->offset : NULL;
}

/* A string at a path of object keys, or NULL. */
static const char *json_path_str(json_t *root, const char *a, const char *b, const char *c)
{
	json_t *v = json_object_get(root, a);

	if (v && b)
		v = json_object_get(v, b);
	if (v && c)
		v = json_object_get(v, c);
	return json_is_string(v) ? json_string_value(v) : NULL;
}

static int set_from_cert(struct kesu_label_data *d, const char *field, const char *key,
			 const char *value, const char *path, struct kesu_errbuf *eb)
{
	int rc;

	if (!value || !*value)
		return 0;
	rc = kesu_label_data_set(d, field, value, eb);
	if (rc < 0 && eb) {
		char msg[sizeof(eb->msg)];

		snprintf(msg, sizeof(msg), "%s", eb->msg);
		kesu_err_set(eb, rc, "%s: \"%s\": %s", path, key, msg);
	}
	return rc;
}

int kesu_label_data_from_cert(struct kesu_label_data *d, const char *cert_path,
			      struct kesu_errbuf *eb)
{
	char *bytes = NULL, sha[KESU_SHA256_HEX_LEN + 1], day[48] = "";
	const char *issued;
	time_t issued_t;
	json_error_t jerr;
	json_t *root = NULL;
	size_t len = 0;
	int rc, i;

	rc = kesu_read_file(cert_path, 8u << 20, &bytes, &len, eb);
	if (rc < 0)
		return rc;
	root = json_loadb(bytes, len, JSON_REJECT_DUPLICATES, &jerr);
	if (!root || !json_is_object(root)) {
		rc = kesu_err_set(eb, -KESU_E_BAD_INPUT, "%s: not a certificate (line %d: %s)",
				  cert_path, jerr.line, root ? "not an object" : jerr.text);
		goto out;
	}
	if (!json_path_str(root, "certificate_id", NULL, NULL) ||
	    !json_path_str(root, "outcome", NULL, NULL)) {
		rc = kesu_err_set(eb, -KESU_E_BAD_INPUT,
				  "%s: not a certificate (no \"certificate_id\" or \"outcome\")",
				  cert_path);
		goto out;
	}
	rc = kesu_sha256_hex(bytes, len, sha);
	if (rc < 0) {
		kesu_err_set(eb, rc, "%s: hashing failed", cert_path);
		goto out;
	}
	for (i = 0; i < 16; i++)
		d->hash_prefix[i] = (char)toupper((unsigned char)sha[i]);
	d->hash_prefix[16] = '\0';
	/* The label's date is the day in the paperwork zone, not UTC's. */
	issued = json_path_str(root, "issued_at", NULL, NULL);
	if (issued && !d->date[0] && kesu_time_parse_rfc3339(issued, &issued_t) == 0)
		kesu_time_paper(issued_t, KESU_PAPER_DATE, day, sizeof(day));
	if ((rc = set_from_cert(d, "cert_id", "certificate_id",
				json_path_str(root, "certificate_id", NULL, NULL), cert_path, eb)) < 0 ||
	    (rc = set_from_cert(d, "outcome", "outcome", json_path_str(root, "outcome", NULL, NULL),
				cert_path, eb)) < 0 ||
	    (rc = set_from_cert(d, "media_id", "nist.media.property_id",
				json_path_str(root, "nist", "media", "property_id"), cert_path, eb)) < 0 ||
	    (rc = set_from_cert(d, "serial", "nist.media.serial",
				json_path_str(root, "nist", "media", "serial"), cert_path, eb)) < 0 ||
	    (rc = set_from_cert(d, "date", "issued_at", day, cert_path, eb)) < 0)
		goto out;
out:
	json_decref(root);
	free(bytes);
	return rc;
}

/* Set field from a ledger value unless the caller set it already. */
static int set_if_empty(struct kesu_label_data *d, const char *field, const char *value,
			const char *media_id, struct kesu_errbuf *eb)
{
	const char *cur = kesu_label_data_get(d, field);
	char msg[sizeof(eb->msg)];
	int rc;

	if (!value || !*value || (cur && *cur))
		return 0;
	rc = kesu_label_data_set(d, field, value, eb);
	if (rc < 0 && eb) {
		snprintf(msg, sizeof(msg), "%s", eb->msg);
		kesu_err_set(eb, rc, "ledger entry %s: %s", media_id, msg);
	}
	return rc;
}

int kesu_label_data_from_ledger(struct kesu_label_data *d, struct kesu_ledger *lg,
				const char *media_id, struct kesu_errbuf *eb)
{
	static const struct { const char *label; enum kesu_media_field ledger; } map[] = {
		{ "media_id", KESU_MF_MEDIA_ID }, { "data_name", KESU_MF_DATA_NAME },
		{ "owner", KESU_MF_GIVER }, { "description", KESU_MF_MEDIUM },
		{ "serial", KESU_MF_SERIAL }, { "date", KESU_MF_GIVEN_ON },
	};
	struct kesu_media m;
	struct kesu_cert_link *links = NULL;
	size_t n = 0, i;
	int rc;

	memset(&m, 0, sizeof(m));
	rc = kesu_ledger_get_media(lg, media_id, &m, eb);
	if (rc < 0)
		return rc;
	for (i = 0; rc == 0 && i < sizeof(map) / sizeof(map[0]); i++)
		rc = set_if_empty(d, map[i].label, kesu_media_get(&m, map[i].ledger), media_id, eb);
	if (rc == 0)
		rc = kesu_ledger_cert_links(lg, media_id, &links, &n, eb);
	/* The latest certificate says what happened to the medium last. */
	if (rc == 0 && n > 0 && !d->cert_id[0]) {
		const struct kesu_cert_link *l = &links[n - 1];

		if ((rc = set_if_empty(d, "cert_id", l->cert_id, media_id, eb)) == 0 &&
		    (rc = set_if_empty(d, "outcome", l->outcome, media_id, eb)) == 0 &&
		    strlen(l->sha256) >= 16) {
			for (i = 0; i < 16; i++)
				d->hash_prefix[i] = (char)toupper((unsigned char)l->sha256[i]);
			d->hash_prefix[16] = '\0';
		}
	}
	free(links);
	kesu_media_release(&m);
	return rc;
}

int kesu_label_payload(const struct kesu_label_data *d, char *buf, size_t len,
		       struct kesu_errbuf *eb)
{
	enum kesu_label_qr_kind kind = d->qr;
	int rc;

	if (kind == KESU_LABEL_QR_AUTO)
		kind = d->cert_id[0] ? KESU_LABEL_QR_CERT : KESU_LABEL_QR_MEDIA;
	if (kind == KESU_LABEL_QR_CERT) {
		if (!d->cert_id[0] || strlen(d->hash_prefix) != 16)
			return kesu_err_set(eb, -KESU_E_BAD_INPUT,
					    "a certificate QR code needs a certificate (--cert)");
		rc = kesu_qr_payload_cert(buf, len, d->cert_id, d->hash_prefix);
	} else {
		if (!d->media_id[0])
			return kesu_err_set(eb, -KESU_E_BAD_INPUT,
					    "a label needs a media ID (--media-id, or a certificate "
					    "with nist.media.property_id)");
		rc = kesu_qr_payload_media(buf, len, d->media_id);
	}
	if (rc < 0)
		return kesu_err_set(eb, rc, "cannot build the QR payload: %s", kesu_strerror(rc));
	return 0;
}

int kesu_label_format_for_path(const char *path, enum kesu_label_format *fmt)
{
	static const struct { const char *ext; enum kesu_label_format fmt; } map[] = {
		{ ".png", KESU_LABEL_PNG }, { ".pdf", KESU_LABEL_PDF },
		{ ".svg", KESU_LABEL_SVG }, { ".bin", KESU_LABEL_QL },
	};
	const char *dot = path ? strrchr(path, '.') : NULL;
	size_t i;

	for (i = 0; dot && i < sizeof(map) / sizeof(map[0]); i++)
		if (!strcasecmp(dot, map[i].ext)) {
			*fmt = map[i].fmt;
			return 0;
		}
	return -KESU_E_BAD_INPUT;
}

const char *kesu_label_format_name(enum kesu_label_format fmt)
{
	switch (fmt) {
	case KESU_LABEL_PNG: return "png";
	case KESU_LABEL_PDF: return "pdf";
	case KESU_LABEL_SVG: return "svg";
	case KESU_LABEL_QL: return "brother-raster";
	}
	return "?";
}

/* ---- checks ---------------------------------------------------------------- */

static int tape_printer(const struct kesu_template *t)
{
	return t->printer != KESU_TPL_PRINTER_SHEET;
}

/*
 * The dark modules must lie in the printable area (the quiet zone may run
 * onto the unprinted tape edge, which is white). One dot of tolerance.
 */
static int check_symbol_printable(const struct kesu_template *t, const struct kesu_label_result *r,
				  struct kesu_errbuf *eb)
{
	const struct kesu_tpl_qr *q = &t->qr;
	double module = q->box.w / (r->modules + 2 * q->quiet), dot = 25.4 / t->dpi;
	double x0 = q->box.x + q->quiet * module, y0 = q->box.y + q->quiet * module;
	double x1 = x0 + r->modules * module, y1 = y0 + r->modules * module;
	const struct kesu_tpl_box *p = &t->printable;

	if (!tape_printer(t))
		return 0;
	if (x0 < p->x - dot || y0 < p->y - dot || x1 > p->x + p->w + dot || y1 > p->y + p->h + dot)
		return kesu_err_set(eb, -KESU_E_TOO_LONG,
				    "QR code version %d would run outside the printable area of "
				    "template %s; use a larger template or a shorter ID",
				    r->version, t->name);
	return 0;
}

static int template_mentions(const struct kesu_template *t, const char *placeholder)
{
	size_t i;

	for (i = 0; i < t->n_fields; i++)
		if (strstr(t->fields[i].format, placeholder))
			return 1;
	return 0;
}

/* An erased medium's label says so: outcome, certificate ID and hash prefix. */
static int check_erasure_fields(const struct kesu_template *t, const struct kesu_label_data *d,
				struct kesu_errbuf *eb)
{
	if (!d->cert_id[0])
		return 0;
	if ((template_mentions(t, "{outcome}") || template_mentions(t, "{outcome_ja}")) &&
	    template_mentions(t, "{cert_id}") && template_mentions(t, "{hash_prefix}"))
		return 0;
	return kesu_err_set(eb, -KESU_E_TOO_LONG,
			    "template %s has no room for the outcome, certificate ID and hash "
			    "prefix that a certified medium's label carries; use a larger template "
			    "(see --list-templates) or label the medium by --media-id", t->name);
}

static int check_one(const struct kesu_template *t, const struct kesu_label_data *d,
		     struct kesu_label_result *r, struct kesu_errbuf *eb)
{
	const struct kesu_tpl_qr *q = &t->qr;
	double size_dots = q->box.w / 25.4 * t->dpi;
	int rc;

	memset(r, 0, sizeof(*r));
	rc = kesu_label_payload(d, r->payload, sizeof(r->payload), eb);
	if (rc < 0)
		return rc;
	rc = kesu_qr_measure(r->payload, q->ecc, q->max_version, &r->modules, eb);
	if (rc == -KESU_E_TOO_LONG)
		return kesu_err_set(eb, rc,
				    "QR payload \"%s\" does not fit template %s: it needs a larger "
				    "code than version %d at ECC %s; use a larger template%s",
				    r->payload, t->name, q->max_version, kesu_qr_ecc_name(q->ecc),
				    d->cert_id[0] ? " or --qr media" : " or a shorter media ID");
	if (rc < 0)
		return rc;
	r->version = rc;
	r->module_dots = size_dots / (r->modules + 2 * q->quiet);
	/* Image output snaps modules to whole dots: that is what the printer gets. */
	if (floor(r->module_dots + 1e-6) < q->min_module_dots)
		return kesu_err_set(eb, -KESU_E_TOO_LONG,
				    "QR payload \"%s\" needs version %d (%d modules): %.1f dots per "
				    "module on template %s, below the %.0f the printer resolves; "
				    "use a larger template or a shorter ID",
				    r->payload, r->version, r->modules, r->module_dots, t->name,
				    q->min_module_dots);
	rc = check_symbol_printable(t, r, eb);
	if (rc < 0)
		return rc;
	return check_erasure_fields(t, d, eb);
}

static int check_counts(const struct kesu_template *t, size_t n, int start,
			enum kesu_label_format fmt, int *pages, struct kesu_errbuf *eb)
{
	int per_page = kesu_template_per_page(t);

	if (n == 0)
		return kesu_err_set(eb, -EINVAL, "no labels to render");
	if (start < 1 || start > per_page)
		return kesu_err_set(eb, -EINVAL, "start position %d: template %s has positions 1-%d",
				    start, t->name, per_page);
	if (n > 10000)
		return kesu_err_set(eb, -EINVAL, "more than 10000 labels in one run");
	*pages = (int)((start - 1 + n + (size_t)per_page - 1) / (size_t)per_page);
	if (fmt == KESU_LABEL_QL && !tape_printer(t))
		return kesu_err_set(eb, -KESU_E_UNSUPPORTED,
				    "template %s is not for a Brother QL or P-touch printer; write "
				    ".png, .pdf or .svg", t->name);
	if ((fmt == KESU_LABEL_PNG || fmt == KESU_LABEL_SVG) && *pages > 1)
		return kesu_err_set(eb, -EINVAL,
				    "%d labels need %d pages; %s holds one: write .pdf%s", (int)n,
				    *pages, kesu_label_format_name(fmt),
				    tape_printer(t) ? " or .bin" : "");
	return 0;
}

int kesu_label_check(const struct kesu_template *t, const struct kesu_label_data *labels, size_t n,
		     int start, struct kesu_label_result *results, struct kesu_errbuf *eb)
{
	int per_page = kesu_template_per_page(t);
	size_t i;
	int rc;

	if (n == 0 || start < 1 || start > per_page)
		return kesu_err_set(eb, -EINVAL, "start position %d: template %s has positions 1-%d",
				    start, t->name, per_page);
	for (i = 0; i < n; i++) {
		struct kesu_label_result r;
		size_t pos = (size_t)start - 1 + i;

		rc = check_one(t, &labels[i], &r, eb);
		if (rc < 0) {
			if (n > 1 && eb) {
				char msg[sizeof(eb->msg)];

				snprintf(msg, sizeof(msg), "%s", eb->msg);
				kesu_err_set(eb, rc, "label %zu: %s", i + 1, msg);
			}
			return rc;
		}
		r.page = (int)(pos / (size_t)per_page) + 1;
		r.position = (int)(pos % (size_t)per_page) + 1;
		if (results)
			results[i] = r;
	}
	return 0;
}

/* ---- text ---------------------------------------------------------------- */

/* Expand {placeholders}; *any_value says whether some placeholder was non-empty. */
static int expand(const struct kesu_tpl_field *f, const struct kesu_label_data *d, char *out,
		  size_t len, int *has_placeholder, int *any_value, struct kesu_errbuf *eb)
{
	const char *p = f->format;
	size_t o = 0;

	*has_placeholder = *any_value = 0;
	while (*p) {
		const char *close, *val;
		char key[32];
		size_t n;

		if (*p != '{') {
			if (o + 1 >= len)
				goto too_long;
			out[o++] = *p++;
			continue;
		}
		close = strchr(p, '}');
		n = close ? (size_t)(close - p - 1) : 0;
		if (!close || n == 0 || n >= sizeof(key))
			return kesu_err_set(eb, -KESU_E_BAD_INPUT, "field '%s': bad placeholder in \"%s\"",
					    f->name, f->format);
		memcpy(key, p + 1, n);
		key[n] = '\0';
		val = kesu_label_data_get(d, key);
		if (!val)
			return kesu_err_set(eb, -KESU_E_BAD_INPUT, "field '%s': unknown placeholder {%s}",
					    f->name, key);
		*has_placeholder = 1;
		*any_value |= *val != '\0';
		if (o + strlen(val) >= len)
			goto too_long;
		memcpy(out + o, val, strlen(val));
		o += strlen(val);
		p = close + 1;
	}
	out[o] = '\0';
	return 0;
too_long:
	return kesu_err_set(eb, -KESU_E_TOO_LONG, "field '%s' is too long", f->name);
}

static void set_font_options(PangoLayout *layout)
{
	PangoContext *ctx = pango_layout_get_context(layout);
	cairo_font_options_t *fo = cairo_font_options_create();

	cairo_font_options_set_hint_metrics(fo, CAIRO_HINT_METRICS_OFF);
	cairo_font_options_set_hint_style(fo, CAIRO_HINT_STYLE_NONE);
	cairo_font_options_set_antialias(fo, CAIRO_ANTIALIAS_GRAY);
	pango_cairo_context_set_font_options(ctx, fo);
	pango_context_set_round_glyph_positions(ctx, FALSE);
	cairo_font_options_destroy(fo);
	pango_layout_context_changed(layout);
}

/* Try the field at size pt, wrapped or not: fits in its box and line limit? */
static int try_size(PangoLayout *layout, PangoFontDescription *desc, const struct kesu_tpl_field *f,
		    double pt, int wrap)
{
	int w, h;

	pango_font_description_set_absolute_size(desc, pt * PT_TO_MM * PANGO_SCALE);
	pango_layout_set_font_description(layout, desc);
	pango_layout_set_width(layout, wrap ? (int)(f->box.w * PANGO_SCALE) : -1);
	pango_layout_get_size(layout, &w, &h);
	return w <= f->box.w * PANGO_SCALE + 1 && h <= f->box.h * PANGO_SCALE + 1 &&
	       pango_layout_get_line_count(layout) <= (wrap ? f->lines : 1);
}

/*
 * Lay out text in the field's box: the largest size from max_pt down to
 * min_pt on one line, else wrapped into up to f->lines lines, else refuse.
 */
static int fit_text(PangoLayout *layout, const struct kesu_tpl_field *f, const char *text,
		    const char *tpl_name, struct kesu_errbuf *eb)
{
	PangoFontDescription *desc = pango_font_description_from_string(f->font);
	int wrap, found = 0;
	double pt = f->max_pt;

	pango_font_description_set_weight(desc, f->bold ? PANGO_WEIGHT_BOLD : PANGO_WEIGHT_NORMAL);
	pango_layout_set_text(layout, text, -1);
	pango_layout_set_wrap(layout, PANGO_WRAP_WORD_CHAR);
	pango_layout_set_alignment(layout, f->align == KESU_TPL_ALIGN_CENTER ? PANGO_ALIGN_CENTER :
				   f->align == KESU_TPL_ALIGN_RIGHT ? PANGO_ALIGN_RIGHT :
				   PANGO_ALIGN_LEFT);
	for (wrap = 0; wrap <= (f->lines > 1) && !found; wrap++)
		for (pt = f->max_pt; pt >= f->min_pt - 1e-9 && !found; pt -= FIT_STEP_PT)
			found = try_size(layout, desc, f, pt, wrap);
	pango_font_description_free(desc);
	if (!found)
		return kesu_err_set(eb, -KESU_E_TOO_LONG,
				    "field '%s' (\"%.60s%s\") does not fit its %.1f x %.1f mm box on "
				    "template %s, even at %.1f pt in %d line%s; shorten it",
				    f->name, text, strlen(text) > 60 ? "..." : "", f->box.w, f->box.h,
				    tpl_name, f->min_pt, f->lines, f->lines > 1 ? "s" : "");
	return 0;
}

static int draw_field(cairo_t *cr, const struct kesu_template *t, const struct kesu_tpl_field *f,
		      const struct kesu_label_data *d, struct kesu_errbuf *eb)
{
	char text[KESU_LABEL_TEXT_MAX * 2];
	PangoLayout *layout;
	int has_ph, any, rc, w, h;
	double x;

	rc = expand(f, d, text, sizeof(text), &has_ph, &any, eb);
	if (rc < 0 || (has_ph && !any) || !text[0])
		return rc;
	layout = pango_cairo_create_layout(cr);
	set_font_options(layout);
	rc = fit_text(layout, f, text, t->name, eb);
	if (rc == 0) {
		pango_layout_get_size(layout, &w, &h);
		x = f->box.x;
		/* A wrapped layout aligns itself inside its width; a single line is placed here. */
		if (pango_layout_get_width(layout) < 0) {
			if (f->align == KESU_TPL_ALIGN_CENTER)
				x += (f->box.w - (double)w / PANGO_SCALE) / 2;
			else if (f->align == KESU_TPL_ALIGN_RIGHT)
				x += f->box.w - (double)w / PANGO_SCALE;
		}
		cairo_save(cr);
		cairo_set_source_rgb(cr, 0, 0, 0);
		cairo_move_to(cr, x, f->box.y + (f->box.h - (double)h / PANGO_SCALE) / 2);
		pango_cairo_show_layout(cr, layout);
		cairo_restore(cr);
	}
	g_object_unref(layout);
	return rc;
}

/* ---- one label ------------------------------------------------------------- */

static int draw_label(cairo_t *cr, const struct kesu_template *t, const struct kesu_label_data *d,
		      const struct kesu_label_result *r, struct kesu_errbuf *eb)
{
	size_t i;
	int rc;

	cairo_save(cr);
	cairo_rectangle(cr, 0, 0, t->width, t->height);
	cairo_clip(cr);
	rc = kesu_qr_draw(cr, t->qr.box.x, t->qr.box.y, t->qr.box.w, r->payload, t->qr.ecc,
			  t->qr.quiet, t->qr.max_version, eb);
	for (i = 0; rc >= 0 && i < t->n_fields; i++)
		rc = draw_field(cr, t, &t->fields[i], d, eb);
	cairo_restore(cr);
	if (rc >= 0 && cairo_status(cr) != CAIRO_STATUS_SUCCESS)
		rc = kesu_err_set(eb, -EIO, "drawing failed: %s",
				  cairo_status_to_string(cairo_status(cr)));
	return rc < 0 ? rc : 0;
}

/* ---- output buffers ---------------------------------------------------------- */

struct membuf {
	uint8_t *p;
	size_t len, cap;
	int failed;
};

static cairo_status_t membuf_write(void *closure, const unsigned char *data, unsigned int len)
{
	struct membuf *m = closure;

	if (m->len + len > m->cap) {
		size_t cap = m->cap ? m->cap : 65536;
		uint8_t *grown;

		while (cap < m->len + len)
			cap *= 2;
		grown = realloc(m->p, cap);
		if (!grown) {
			m->failed = 1;
			return CAIRO_STATUS_WRITE_ERROR;
		}
		m->p = grown;
		m->cap = cap;
	}
	memcpy(m->p + m->len, data, len);
	m->len += len;
	return CAIRO_STATUS_SUCCESS;
}

static int surface_done(cairo_surface_t *s, struct membuf *m, struct kesu_errbuf *eb)
{
	cairo_surface_finish(s);
	if (m->failed)
		return kesu_err_set(eb, -ENOMEM, "rendering the label: out of memory");
	if (cairo_surface_status(s) != CAIRO_STATUS_SUCCESS)
		return kesu_err_set(eb, -EIO, "rendering the label: %s",
				    cairo_status_to_string(cairo_surface_status(s)));
	return 0;
}

/* ---- vector output (PDF, SVG) ------------------------------------------------- */

static void label_origin(const struct kesu_template *t, int position, double *x, double *y)
{
	int idx = position - 1;

	*x = t->sheet.x0 + (idx % t->sheet.nx) * t->sheet.dx;
	*y = t->sheet.y0 + (idx / t->sheet.nx) * t->sheet.dy;
}

static int render_vector(const struct kesu_template *t, const struct kesu_label_data *labels,
			 const struct kesu_label_result *res, size_t n, enum kesu_label_format fmt,
			 struct membuf *m, struct kesu_errbuf *eb)
{
	double pw = t->sheet.page_w * MM_TO_PT, ph = t->sheet.page_h * MM_TO_PT;
	cairo_surface_t *s;
	cairo_t *cr;
	size_t i;
	int rc = 0, page = res[0].page;

	if (fmt == KESU_LABEL_PDF) {
		s = cairo_pdf_surface_create_for_stream(membuf_write, m, pw, ph);
		cairo_pdf_surface_set_metadata(s, CAIRO_PDF_METADATA_TITLE, "kesu media labels");
		cairo_pdf_surface_set_metadata(s, CAIRO_PDF_METADATA_CREATOR, "kesu " KESU_VERSION);
	} else {
		s = cairo_svg_surface_create_for_stream(membuf_write, m, pw, ph);
	}
	cr = cairo_create(s);
	cairo_scale(cr, MM_TO_PT, MM_TO_PT);
	for (i = 0; i < n && rc == 0; i++) {
		double x, y;

		if (res[i].page != page) {
			cairo_show_page(cr);
			page = res[i].page;
		}
		label_origin(t, res[i].position, &x, &y);
		cairo_save(cr);
		cairo_translate(cr, x, y);
		rc = draw_label(cr, t, &labels[i], &res[i], eb);
		cairo_restore(cr);
	}
	cairo_destroy(cr);
	if (rc == 0)
		rc = surface_done(s, m, eb);
	else
		cairo_surface_finish(s);
	cairo_surface_destroy(s);
	return rc;
}

/* ---- raster output (PNG, QL) ------------------------------------------------- */

/* Draw on an RGB image at the template's dpi: tape labels cropped to the printable area. */
static int render_image(const struct kesu_template *t, const struct kesu_label_data *labels,
			const struct kesu_label_result *res, size_t n, cairo_surface_t **out,
			struct kesu_errbuf *eb)
{
	double scale = t->dpi / 25.4;
	int w, h, rc = 0;
	cairo_surface_t *s;
	cairo_t *cr;
	size_t i;

	if (tape_printer(t)) {
		w = (int)lround(t->printable.w * scale);
		h = t->raster.pins;
	} else {
		w = (int)lround(t->sheet.page_w * scale);
		h = (int)lround(t->sheet.page_h * scale);
	}
	s = cairo_image_surface_create(CAIRO_FORMAT_RGB24, w, h);
	cr = cairo_create(s);
	cairo_set_source_rgb(cr, 1, 1, 1);
	cairo_paint(cr);
	cairo_scale(cr, scale, scale);
	if (tape_printer(t))
		cairo_translate(cr, -t->printable.x, -t->printable.y);
	for (i = 0; i < n && rc == 0; i++) {
		double x, y;

		label_origin(t, res[i].position, &x, &y);
		cairo_save(cr);
		cairo_translate(cr, x, y);
		rc = draw_label(cr, t, &labels[i], &res[i], eb);
		cairo_restore(cr);
	}
	cairo_destroy(cr);
	if (rc == 0 && cairo_surface_status(s) != CAIRO_STATUS_SUCCESS)
		rc = kesu_err_set(eb, -ENOMEM, "rendering the label: %s",
				  cairo_status_to_string(cairo_surface_status(s)));
	if (rc < 0) {
		cairo_surface_destroy(s);
		return rc;
	}
	cairo_surface_flush(s);
	*out = s;
	return 0;
}

static int is_ink(const uint8_t *row, int x)
{
	uint32_t px;

	memcpy(&px, row + (size_t)x * 4, 4);
	/* Rec. 601 luma of RGB24; below half is ink. */
	return (299 * ((px >> 16) & 0xFF) + 587 * ((px >> 8) & 0xFF) + 114 * (px & 0xFF)) < 127500;
}

/* Threshold to 1 bit: a kesu_bitmap (1 = ink) for the raster job. */
static int to_bitmap(cairo_surface_t *s, struct kesu_bitmap *bm)
{
	const uint8_t *data = cairo_image_surface_get_data(s);
	int stride = cairo_image_surface_get_stride(s), x, y;

	bm->w = cairo_image_surface_get_width(s);
	bm->h = cairo_image_surface_get_height(s);
	bm->stride = ((size_t)bm->w + 7) / 8;
	bm->data = calloc((size_t)bm->h, bm->stride);
	if (!bm->data)
		return -ENOMEM;
	for (y = 0; y < bm->h; y++)
		for (x = 0; x < bm->w; x++)
			if (is_ink(data + (size_t)y * (size_t)stride, x))
				bm->data[(size_t)y * bm->stride + (size_t)(x >> 3)] |=
					(uint8_t)(0x80 >> (x & 7));
	return 0;
}

static void png_write_cb(png_structp png, png_bytep data, png_size_t len)
{
	struct membuf *m = png_get_io_ptr(png);

	if (membuf_write(m, data, (unsigned int)len) != CAIRO_STATUS_SUCCESS)
		png_error(png, "out of memory");
}

static void png_flush_cb(png_structp png)
{
	(void)png;
}

/*
 * A 1-bit greyscale PNG (0 = black) with the printer's resolution in pHYs,
 * so printing tools size it right. libpng, because cairo writes A1 surfaces
 * as 8-bit.
 */
static int write_png_1bit(const struct kesu_bitmap *bm, int dpi, struct membuf *m)
{
	png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, NULL, NULL, NULL);
	png_infop info = png ? png_create_info_struct(png) : NULL;
	uint8_t *volatile row = malloc(bm->stride);
	int y;

	if (!png || !info || !row) {
		png_destroy_write_struct(&png, &info);
		free(row);
		return -ENOMEM;
	}
	if (setjmp(png_jmpbuf(png))) {
		png_destroy_write_struct(&png, &info);
		free(row);
		return -EIO;
	}
	png_set_write_fn(png, m, png_write_cb, png_flush_cb);
	png_set_IHDR(png, info, (png_uint_32)bm->w, (png_uint_32)bm->h, 1, PNG_COLOR_TYPE_GRAY,
		     PNG_INTERLACE_NONE, PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
	png_set_pHYs(png, info, (png_uint_32)lround(dpi / 0.0254), (png_uint_32)lround(dpi / 0.0254),
		     PNG_RESOLUTION_METER);
	png_write_info(png, info);
	for (y = 0; y < bm->h; y++) {
		size_t i;

		/* The bitmap's 1 is ink; in a grey PNG 1 is white. */
		for (i = 0; i < bm->stride; i++)
			row[i] = (uint8_t)~bm->data[(size_t)y * bm->stride + i];
		png_write_row(png, row);
	}
	png_write_end(png, info);
	png_destroy_write_struct(&png, &info);
	free(row);
	return 0;
}

static int render_png(const struct kesu_template *t, const struct kesu_label_data *labels,
		      const struct kesu_label_result *res, size_t n, struct membuf *m,
		      struct kesu_errbuf *eb)
{
	cairo_surface_t *s = NULL;
	struct kesu_bitmap bm = { 0 };
	cairo_status_t st;
	int rc;

	rc = render_image(t, labels, res, n, &s, eb);
	if (rc < 0)
		return rc;
	if (!tape_printer(t)) {
		st = cairo_surface_write_to_png_stream(s, membuf_write, m);
		if (st != CAIRO_STATUS_SUCCESS)
			rc = kesu_err_set(eb, m->failed ? -ENOMEM : -EIO, "writing PNG: %s",
					  cairo_status_to_string(st));
		goto out;
	}
	/* Tape printers print dots, not greys: give them exactly the dots they will print. */
	rc = to_bitmap(s, &bm);
	if (rc == 0)
		rc = write_png_1bit(&bm, t->dpi, m);
	if (rc < 0)
		kesu_err_set(eb, rc, "writing PNG: %s", kesu_strerror(rc));
out:
	free(bm.data);
	cairo_surface_destroy(s);
	return rc;
}

static int render_ql(const struct kesu_template *t, const struct kesu_label_data *labels,
		     const struct kesu_label_result *res, size_t n, uint8_t **out, size_t *out_len,
		     struct kesu_errbuf *eb)
{
	struct kesu_bitmap *pages = calloc(n, sizeof(*pages));
	size_t i;
	int rc = 0;

	if (!pages)
		return kesu_err_set(eb, -ENOMEM, "out of memory");
	for (i = 0; i < n && rc == 0; i++) {
		cairo_surface_t *s = NULL;

		rc = render_image(t, &labels[i], &res[i], 1, &s, eb);
		if (rc == 0) {
			if (to_bitmap(s, &pages[i]) < 0)
				rc = kesu_err_set(eb, -ENOMEM, "out of memory");
			cairo_surface_destroy(s);
		}
	}
	if (rc == 0)
		rc = t->printer == KESU_TPL_PRINTER_BROTHER_PT ?
		     kesu_pt_raster(&t->raster, pages, n, out, out_len, eb) :
		     kesu_ql_raster(&t->raster, pages, n, out, out_len, eb);
	for (i = 0; i < n; i++)
		free(pages[i].data);
	free(pages);
	return rc;
}

int kesu_label_render(const struct kesu_template *t, const struct kesu_label_data *labels, size_t n,
		      int start, enum kesu_label_format fmt, uint8_t **out, size_t *out_len,
		      struct kesu_label_result *results, struct kesu_errbuf *eb)
{
	struct kesu_label_result *res;
	struct membuf m = { 0 };
	int pages, rc;

	*out = NULL;
	*out_len = 0;
	rc = check_counts(t, n, start, fmt, &pages, eb);
	if (rc < 0)
		return rc;
	res = calloc(n, sizeof(*res));
	if (!res)
		return kesu_err_set(eb, -ENOMEM, "out of memory");
	rc = kesu_label_check(t, labels, n, start, res, eb);
	if (rc < 0)
		goto out;
	/* Tape labels are one page each: position 1 of page i. */
	if (!t->is_sheet) {
		size_t i;

		for (i = 0; i < n; i++) {
			res[i].page = (int)i + 1;
			res[i].position = 1;
		}
	}
	switch (fmt) {
	case KESU_LABEL_PDF:
	case KESU_LABEL_SVG:
		rc = render_vector(t, labels, res, n, fmt, &m, eb);
		break;
	case KESU_LABEL_PNG:
		rc = render_png(t, labels, res, n, &m, eb);
		break;
	case KESU_LABEL_QL:
		rc = render_ql(t, labels, res, n, out, out_len, eb);
		break;
	}
	if (rc == 0 && fmt != KESU_LABEL_QL) {
		*out = m.p;
		*out_len = m.len;
		m.p = NULL;
	}
	if (rc == 0 && results)
		memcpy(results, res, n * sizeof(*res));
out:
	free(m.p);
	free(res);
	return rc;
}
