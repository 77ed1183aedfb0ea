/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Label templates: declarative JSON files in labels/ (kesu-label(8) and the
 * README's "Labels" section describe the format). A template gives the label's
 * physical size and printable area in mm, the printer's dpi, the QR code's
 * box, ECC level and limits, the text fields' boxes and fonts, and for A4
 * sheets the grid (like gLabels: nx ny x0 y0 dx dy).
 *
 * Coordinates are mm from the label's top-left corner, the label read the
 * way its text runs (a tape label is wider than tall).
 */
#ifndef KESU_TEMPLATE_H
#define KESU_TEMPLATE_H

#include <kesu/err.h>
#include <kesu/qr.h>

#include <stddef.h>

#define KESU_TPL_NAME_MAX   48
#define KESU_TPL_MAX_FIELDS 16
#define KESU_TPL_MAX_BYTES  (256u << 10)   /* larger template files are refused */

enum kesu_tpl_printer {
	KESU_TPL_PRINTER_SHEET,      /* office printer, A4 label sheets: PDF */
	KESU_TPL_PRINTER_BROTHER_QL, /* Brother QL, 300 dpi, 720-pin head: raster .bin */
	KESU_TPL_PRINTER_BROTHER_PT, /* Brother P-touch, 180 dpi: PNG for ptouch-print/CUPS */
};

enum kesu_tpl_align { KESU_TPL_ALIGN_LEFT, KESU_TPL_ALIGN_CENTER, KESU_TPL_ALIGN_RIGHT };

struct kesu_tpl_box {
	double x, y, w, h;           /* mm */
};

struct kesu_tpl_field {
	char name[32];               /* named in messages: "field 'data_name' ..." */
	char format[160];            /* text with {placeholders}, e.g. "所有者 {owner}" */
	char font[64];               /* pango family, default "IPAexGothic" */
	int bold;
	double max_pt, min_pt;       /* shrink from max_pt down to min_pt */
	int lines;                   /* then wrap up to this many lines */
	enum kesu_tpl_align align;
	struct kesu_tpl_box box;
};

struct kesu_tpl_qr {
	struct kesu_tpl_box box;     /* square: the whole code including its quiet zone */
	int quiet;                   /* quiet zone in modules each side */
	enum kesu_qr_ecc ecc;
	int max_version;             /* refuse payloads that need a larger symbol */
	double min_module_dots;      /* refuse when a module is fewer printer dots */
};

/* Brother raster geometry, for tape printers. */
struct kesu_tpl_raster {
	int tape_mm;                 /* media width for ESC i z */
	int pins;                    /* printable pins across the tape */
	int pin_offset;              /* first printable pin, counted from the raster line's start */
	int feed_dots;               /* ESC i d feed margin */
};

/* Sheets: labels on a page, like gLabels' <Layout nx ny x0 y0 dx dy>. */
struct kesu_tpl_sheet {
	double page_w, page_h;       /* mm */
	int nx, ny;
	double x0, y0, dx, dy;       /* mm */
};

struct kesu_template {
	char name[KESU_TPL_NAME_MAX];
	char description[160];
	char path[512];              /* the file it came from */
	enum kesu_tpl_printer printer;
	int dpi;                     /* the printer's resolution; PNG output uses it */
	double width, height;        /* label size, mm */
	double corner;               /* corner radius for the outline in previews, mm */
	struct kesu_tpl_box printable;
	struct kesu_tpl_raster raster;
	struct kesu_tpl_qr qr;
	struct kesu_tpl_field fields[KESU_TPL_MAX_FIELDS];
	size_t n_fields;
	int is_sheet;
	struct kesu_tpl_sheet sheet; /* nx = ny = 1 for single labels */
};

/* Labels per page (nx * ny). */
int kesu_template_per_page(const struct kesu_template *t);

/* Parse a template from bytes / a file. -KESU_E_BAD_INPUT names the key at fault. */
int kesu_template_parse(const char *json, size_t len, struct kesu_template *t,
			struct kesu_errbuf *eb);
int kesu_template_load_file(const char *path, struct kesu_template *t, struct kesu_errbuf *eb);

/*
 * The directories searched for NAME.json, in order: dir (if not NULL), then
 * $KESU_LABEL_DIR, /etc/kesu/labels, KESU_DATADIR/labels, and labels/ beside
 * an uninstalled build (../labels from the executable's directory). Fills
 * dirs[] with up to max entries and returns how many.
 */
size_t kesu_template_dirs(const char *dir, char dirs[][512], size_t max);

/*
 * Load the template called name ([a-z0-9-], no path): -KESU_E_NOT_FOUND
 * listing where it looked when no directory has it.
 */
int kesu_template_find(const char *name, const char *dir, struct kesu_template *t,
		       struct kesu_errbuf *eb);

/* Names of every template found (first directory wins), sorted; free with kesu_template_names_free. */
int kesu_template_names(const char *dir, char ***names, size_t *n, struct kesu_errbuf *eb);
void kesu_template_names_free(char **names, size_t n);

#endif
