/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A4 PDF layout helper on cairo + pango (see include/kesu/pdf.h).
 *
 * cairo writes the document into memory; kesu_pdf_close() hands the bytes to
 * kesu_write_file_atomic(), so the target is replaced whole or not at all.
 */
#include <kesu/pdf.h>
#include <kesu/util.h>

#include <cairo-pdf.h>
#include <ctype.h>
#include <errno.h>
#include <pango/pangocairo.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

struct kesu_pdf {
	char *path;
	cairo_surface_t *surface;
	cairo_t *cr;
	unsigned char *buf;
	size_t len, cap;
	int oom;
};

static cairo_status_t pdf_sink(void *closure, const unsigned char *data, unsigned int length)
{
	struct kesu_pdf *pdf = closure;

	if (pdf->len + length > pdf->cap) {
		size_t ncap = pdf->cap ? pdf->cap : 65536;
		unsigned char *nb;

		while (ncap < pdf->len + length)
			ncap *= 2;
		nb = realloc(pdf->buf, ncap);
		if (!nb) {
			pdf->oom = 1;
			return CAIRO_STATUS_WRITE_ERROR;
		}
		pdf->buf = nb;
		pdf->cap = ncap;
	}
	memcpy(pdf->buf + pdf->len, data, length);
	pdf->len += length;
	return CAIRO_STATUS_SUCCESS;
}

static void pdf_free(struct kesu_pdf *pdf)
{
	if (!pdf)
		return;
	if (pdf->cr)
		cairo_destroy(pdf->cr);
	if (pdf->surface)
		cairo_surface_destroy(pdf->surface);
	free(pdf->buf);
	free(pdf->path);
	free(pdf);
}

int kesu_pdf_open(const char *path, struct kesu_pdf **out, struct kesu_errbuf *eb)
{
	struct kesu_pdf *pdf;

	*out = NULL;
	pdf = calloc(1, sizeof(*pdf));
	if (!pdf || !(pdf->path = strdup(path))) {
		free(pdf);
		return kesu_err_set(eb, -ENOMEM, "out of memory");
	}
	pdf->surface = cairo_pdf_surface_create_for_stream(pdf_sink, pdf, KESU_PDF_A4_WIDTH,
							   KESU_PDF_A4_HEIGHT);
	pdf->cr = cairo_create(pdf->surface);
	if (cairo_status(pdf->cr) != CAIRO_STATUS_SUCCESS) {
		int rc = kesu_err_set(eb, -ENOMEM, "cannot start a PDF: %s",
				      cairo_status_to_string(cairo_status(pdf->cr)));
		pdf_free(pdf);
		return rc;
	}
	cairo_pdf_surface_set_metadata(pdf->surface, CAIRO_PDF_METADATA_CREATOR,
				       "kesu " KESU_VERSION);
	*out = pdf;
	return 0;
}

void kesu_pdf_set_info(struct kesu_pdf *pdf, const char *title, const char *author,
		       const char *subject)
{
	if (title)
		cairo_pdf_surface_set_metadata(pdf->surface, CAIRO_PDF_METADATA_TITLE, title);
	if (author)
		cairo_pdf_surface_set_metadata(pdf->surface, CAIRO_PDF_METADATA_AUTHOR, author);
	if (subject)
		cairo_pdf_surface_set_metadata(pdf->surface, CAIRO_PDF_METADATA_SUBJECT, subject);
}

cairo_t *kesu_pdf_cairo(struct kesu_pdf *pdf)
{
	return pdf->cr;
}

void kesu_pdf_new_page(struct kesu_pdf *pdf)
{
	cairo_show_page(pdf->cr);
}

static bool is_hex(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

/* Length of the run of hex digits at s. */
static size_t hex_run(const char *s)
{
	size_t n = 0;

	while (is_hex(s[n]))
		n++;
	return n;
}

/*
 * text with every run of KESU_PDF_HEX_RUN or more hex digits (a hash, a key)
 * cut into groups of KESU_PDF_HEX_GROUP separated by spaces, so that a line
 * breaks only between groups; a newly allocated string (g_free), or NULL
 * when text holds no such run (use it as it is).
 */
static char *group_hex(const char *text)
{
	GString *out = NULL;
	const char *p = text, *done = text;

	while (*p) {
		size_t n = hex_run(p);

		if (n < KESU_PDF_HEX_RUN || (p > text && isalnum((unsigned char)p[-1])) ||
		    isalnum((unsigned char)p[n])) {
			p += n ? n : 1;
			continue;
		}
		if (!out)
			out = g_string_new(NULL);
		g_string_append_len(out, done, p - done);
		for (size_t i = 0; i < n; i += KESU_PDF_HEX_GROUP) {
			if (i)
				g_string_append_c(out, ' ');
			g_string_append_len(out, p + i, (gssize)(n - i < KESU_PDF_HEX_GROUP ?
								n - i : KESU_PDF_HEX_GROUP));
		}
		p += n;
		done = p;
	}
	if (!out)
		return NULL;
	g_string_append(out, done);
	return g_string_free(out, FALSE);
}

/* A pango layout for text in a box w wide (w <= 0: no wrapping). */
static PangoLayout *make_layout(cairo_t *cr, double w, const char *text,
				const struct kesu_pdf_style *st)
{
	static const struct kesu_pdf_style plain;
	PangoLayout *layout = pango_cairo_create_layout(cr);
	PangoFontDescription *fd = pango_font_description_new();
	PangoAlignment align = PANGO_ALIGN_LEFT;
	PangoAttrList *attrs = pango_attr_list_new();
	char *grouped = text ? group_hex(text) : NULL;

	if (!st)
		st = &plain;
	pango_font_description_set_family(fd, st->family ? st->family : KESU_PDF_GOTHIC);
	pango_font_description_set_absolute_size(fd, (st->size > 0 ? st->size : 10) * PANGO_SCALE);
	if (st->bold)
		pango_font_description_set_weight(fd, PANGO_WEIGHT_BOLD);
	pango_layout_set_font_description(layout, fd);
	pango_font_description_free(fd);
	if (w > 0) {
		pango_layout_set_width(layout, (int)(w * PANGO_SCALE));
		if (st->no_wrap)
			pango_layout_set_ellipsize(layout, PANGO_ELLIPSIZE_END);
		else
			pango_layout_set_wrap(layout, PANGO_WRAP_WORD_CHAR);
	}
	if (st->align == KESU_PDF_CENTER)
		align = PANGO_ALIGN_CENTER;
	else if (st->align == KESU_PDF_RIGHT)
		align = PANGO_ALIGN_RIGHT;
	pango_layout_set_alignment(layout, align);
	/* A line broken inside a word gets no hyphen: a hash copied from paper stays right. */
	pango_attr_list_insert(attrs, pango_attr_insert_hyphens_new(FALSE));
	pango_layout_set_attributes(layout, attrs);
	pango_attr_list_unref(attrs);
	pango_layout_set_text(layout, grouped ? grouped : text ? text : "", -1);
	g_free(grouped);
	return layout;
}

double kesu_pdf_text_height(struct kesu_pdf *pdf, double w, const char *text,
			    const struct kesu_pdf_style *style)
{
	PangoLayout *layout = make_layout(pdf->cr, w, text, style);
	int pw, ph;

	pango_layout_get_size(layout, &pw, &ph);
	g_object_unref(layout);
	return (double)ph / PANGO_SCALE;
}

double kesu_pdf_text(struct kesu_pdf *pdf, double x, double y, double w, const char *text,
		     const struct kesu_pdf_style *style)
{
	PangoLayout *layout = make_layout(pdf->cr, w, text, style);
	int pw, ph;

	cairo_save(pdf->cr);
	if (style)
		cairo_set_source_rgb(pdf->cr, style->r, style->g, style->b);
	else
		cairo_set_source_rgb(pdf->cr, 0, 0, 0);
	cairo_move_to(pdf->cr, x, y);
	pango_cairo_show_layout(pdf->cr, layout);
	cairo_restore(pdf->cr);
	pango_layout_get_size(layout, &pw, &ph);
	g_object_unref(layout);
	return (double)ph / PANGO_SCALE;
}

double kesu_pdf_row(struct kesu_pdf *pdf, double x, double y, const double *widths,
		    const char *const *cells, size_t n, const struct kesu_pdf_style *styles,
		    size_t nstyles, const double *fills, double pad, double border)
{
	double h = 0, cx = x;
	size_t i;

	for (i = 0; i < n; i++) {
		const struct kesu_pdf_style *st = styles ? &styles[nstyles > 1 ? i : 0] : NULL;
		double ch = kesu_pdf_text_height(pdf, widths[i] - 2 * pad, cells[i], st);

		if (ch + 2 * pad > h)
			h = ch + 2 * pad;
	}
	for (i = 0; i < n; i++) {
		const struct kesu_pdf_style *st = styles ? &styles[nstyles > 1 ? i : 0] : NULL;

		if (fills && fills[i] >= 0)
			kesu_pdf_fill_rect(pdf, cx, y, widths[i], h, fills[i]);
		kesu_pdf_text(pdf, cx + pad, y + pad, widths[i] - 2 * pad, cells[i], st);
		if (border > 0)
			kesu_pdf_rect(pdf, cx, y, widths[i], h, border);
		cx += widths[i];
	}
	return h;
}

void kesu_pdf_line(struct kesu_pdf *pdf, double x1, double y1, double x2, double y2, double width)
{
	cairo_save(pdf->cr);
	cairo_set_source_rgb(pdf->cr, 0, 0, 0);
	cairo_set_line_width(pdf->cr, width);
	cairo_move_to(pdf->cr, x1, y1);
	cairo_line_to(pdf->cr, x2, y2);
	cairo_stroke(pdf->cr);
	cairo_restore(pdf->cr);
}

void kesu_pdf_rect(struct kesu_pdf *pdf, double x, double y, double w, double h, double width)
{
	cairo_save(pdf->cr);
	cairo_set_source_rgb(pdf->cr, 0, 0, 0);
	cairo_set_line_width(pdf->cr, width);
	cairo_rectangle(pdf->cr, x, y, w, h);
	cairo_stroke(pdf->cr);
	cairo_restore(pdf->cr);
}

void kesu_pdf_fill_rect(struct kesu_pdf *pdf, double x, double y, double w, double h, double grey)
{
	cairo_save(pdf->cr);
	cairo_set_source_rgb(pdf->cr, grey, grey, grey);
	cairo_rectangle(pdf->cr, x, y, w, h);
	cairo_fill(pdf->cr);
	cairo_restore(pdf->cr);
}

int kesu_pdf_close(struct kesu_pdf *pdf, struct kesu_errbuf *eb)
{
	cairo_status_t st;
	int rc;

	cairo_destroy(pdf->cr);
	pdf->cr = NULL;
	cairo_surface_finish(pdf->surface);
	st = cairo_surface_status(pdf->surface);
	if (st != CAIRO_STATUS_SUCCESS || pdf->oom) {
		rc = kesu_err_set(eb, pdf->oom ? -ENOMEM : -EIO, "rendering %s: %s", pdf->path,
				  cairo_status_to_string(st));
		goto out;
	}
	rc = kesu_write_file_atomic(pdf->path, pdf->buf, pdf->len, 0644, eb);
out:
	pdf_free(pdf);
	return rc;
}

void kesu_pdf_abort(struct kesu_pdf *pdf)
{
	pdf_free(pdf);
}
