/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A small A4 PDF layout helper on cairo + pango, shared by the erasure
 * certificate and the Japanese reports.
 *
 * Units are PDF points (1/72 inch); KESU_PDF_MM() converts millimetres. The
 * origin is the top-left corner of the page, y grows downwards. Text is laid
 * out by pango with a font family (IPAex fonts are embedded and subset by
 * cairo), wrapped at a box width.
 *
 * The document is written to a temp file beside the target path and renamed
 * over it by kesu_pdf_close() after fsync, so a reader never sees a partial
 * PDF; kesu_pdf_abort() discards it.
 *
 *   struct kesu_pdf *pdf;
 *   kesu_pdf_open("out.pdf", &pdf, eb);
 *   y += kesu_pdf_text(pdf, x, y, w, "データ消去証明書", &title_style);
 *   kesu_pdf_line(pdf, x, y, x + w, y, 0.5);
 *   kesu_pdf_close(pdf, eb);
 */
#ifndef KESU_PDF_H
#define KESU_PDF_H

#include <kesu/err.h>

#include <cairo.h>
#include <stddef.h>

#define KESU_PDF_A4_WIDTH  595.2756   /* 210 mm in points */
#define KESU_PDF_A4_HEIGHT 841.8898   /* 297 mm in points */
#define KESU_PDF_MM(mm)    ((mm) * 72.0 / 25.4)

#define KESU_PDF_GOTHIC "IPAexGothic"
#define KESU_PDF_MINCHO "IPAexMincho"

enum kesu_pdf_align { KESU_PDF_LEFT, KESU_PDF_CENTER, KESU_PDF_RIGHT };

/* How a run of text looks. A zeroed style is IPAexGothic 10 pt, left, black. */
struct kesu_pdf_style {
	const char *family;        /* font family; NULL = KESU_PDF_GOTHIC */
	double size;               /* points; 0 = 10 */
	enum kesu_pdf_align align;
	int bold;                  /* IPAex has no bold face: pango synthesises it */
	double r, g, b;            /* colour, 0..1 */
	int no_wrap;               /* 1: one line, ellipsised at the box width */
};

struct kesu_pdf;

/* Start an A4 document that will become path; the first page is open. */
int kesu_pdf_open(const char *path, struct kesu_pdf **pdf, struct kesu_errbuf *eb);

/* Title/author/subject/creator in the document information (any may be NULL). */
void kesu_pdf_set_info(struct kesu_pdf *pdf, const char *title, const char *author,
		       const char *subject);

/* The cairo context, for drawing the helper does not cover (charts, QR codes). */
cairo_t *kesu_pdf_cairo(struct kesu_pdf *pdf);

/* End the current page and start a new A4 page. */
void kesu_pdf_new_page(struct kesu_pdf *pdf);

/*
 * Hashes and keys are never hyphenated: in all text drawn here, a run of
 * KESU_PDF_HEX_RUN or more hex digits standing alone is shown in groups of
 * KESU_PDF_HEX_GROUP separated by spaces, lines break only between groups,
 * and pango inserts no hyphen where it breaks a word.
 */
#define KESU_PDF_HEX_RUN   32
#define KESU_PDF_HEX_GROUP 8

/*
 * Draw UTF-8 text in a box of width w with its top-left at (x, y), wrapping at
 * word (or, for Japanese, character) boundaries. Returns the height used.
 * kesu_pdf_text_height() measures without drawing.
 */
double kesu_pdf_text(struct kesu_pdf *pdf, double x, double y, double w, const char *text,
		     const struct kesu_pdf_style *style);
double kesu_pdf_text_height(struct kesu_pdf *pdf, double w, const char *text,
			    const struct kesu_pdf_style *style);

/*
 * One table row: n cells side by side starting at x, cell i widths[i] wide,
 * each cell's text inset by pad, cell borders drawn when border > 0 (line
 * width in points). styles may be one style for all (nstyles 1) or one per
 * cell (nstyles n). fills (may be NULL) gives a grey level 0..1 per cell, or
 * a negative value for no fill. Returns the row height (the tallest cell).
 */
double kesu_pdf_row(struct kesu_pdf *pdf, double x, double y, const double *widths,
		    const char *const *cells, size_t n, const struct kesu_pdf_style *styles,
		    size_t nstyles, const double *fills, double pad, double border);

/* A straight line / a rectangle outline (line width in points). */
void kesu_pdf_line(struct kesu_pdf *pdf, double x1, double y1, double x2, double y2, double width);
void kesu_pdf_rect(struct kesu_pdf *pdf, double x, double y, double w, double h, double width);
/* A filled rectangle, grey level 0 (black) .. 1 (white). */
void kesu_pdf_fill_rect(struct kesu_pdf *pdf, double x, double y, double w, double h, double grey);

/*
 * Finish the document, check cairo's status, fsync and rename it over the
 * target path. Frees pdf in every case.
 */
int kesu_pdf_close(struct kesu_pdf *pdf, struct kesu_errbuf *eb);

/* Discard the document: the temp file is removed, the target is untouched. */
void kesu_pdf_abort(struct kesu_pdf *pdf);

#endif
