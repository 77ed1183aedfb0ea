/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Label templates: strict parsing of labels/NAME.json (jansson) and the
 * directory search. Unknown keys are refused so that a typo in a template
 * ("max_verison") is an error, not a silently ignored limit; keys starting
 * with "_" are comments.
 */
#include <kesu/template.h>
#include <kesu/util.h>

#include <dirent.h>
#include <errno.h>
#include <jansson.h>
#include <libgen.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define QL_HEAD_PINS 720

int kesu_template_per_page(const struct kesu_template *t)
{
	return t->sheet.nx * t->sheet.ny;
}

/* A key list per object: anything else (not starting with '_') is refused. */
static int check_keys(json_t *obj, const char *where, const char *const allowed[],
		      struct kesu_errbuf *eb)
{
	const char *key;
	json_t *val;

	json_object_foreach(obj, key, val) {
		size_t i;
		int ok = key[0] == '_';

		for (i = 0; !ok && allowed[i]; i++)
			ok = !strcmp(key, allowed[i]);
		if (!ok)
			return kesu_err_set(eb, -KESU_E_BAD_INPUT, "%s: unknown key \"%s\"", where, key);
	}
	return 0;
}

static int get_object(json_t *parent, const char *key, int required, json_t **out,
		      struct kesu_errbuf *eb)
{
	json_t *v = json_object_get(parent, key);

	*out = NULL;
	if (!v)
		return required ? kesu_err_set(eb, -KESU_E_BAD_INPUT, "missing \"%s\"", key) : 0;
	if (!json_is_object(v))
		return kesu_err_set(eb, -KESU_E_BAD_INPUT, "\"%s\" must be an object", key);
	*out = v;
	return 0;
}

static int get_num(json_t *obj, const char *where, const char *key, int required, double def,
		   double min, double max, double *out, struct kesu_errbuf *eb)
{
	json_t *v = json_object_get(obj, key);

	if (!v) {
		if (required)
			return kesu_err_set(eb, -KESU_E_BAD_INPUT, "%s: missing \"%s\"", where, key);
		*out = def;
		return 0;
	}
	if (!json_is_number(v))
		return kesu_err_set(eb, -KESU_E_BAD_INPUT, "%s: \"%s\" must be a number", where, key);
	*out = json_number_value(v);
	if (!(*out >= min && *out <= max))
		return kesu_err_set(eb, -KESU_E_BAD_INPUT, "%s: \"%s\" = %g is outside %g..%g",
				    where, key, *out, min, max);
	return 0;
}

static int get_int(json_t *obj, const char *where, const char *key, int required, int def,
		   int min, int max, int *out, struct kesu_errbuf *eb)
{
	json_t *v = json_object_get(obj, key);

	if (!v) {
		if (required)
			return kesu_err_set(eb, -KESU_E_BAD_INPUT, "%s: missing \"%s\"", where, key);
		*out = def;
		return 0;
	}
	if (!json_is_integer(v) || json_integer_value(v) < min || json_integer_value(v) > max)
		return kesu_err_set(eb, -KESU_E_BAD_INPUT, "%s: \"%s\" must be an integer %d..%d",
				    where, key, min, max);
	*out = (int)json_integer_value(v);
	return 0;
}

static int get_str(json_t *obj, const char *where, const char *key, int required,
		   const char *def, char *out, size_t len, struct kesu_errbuf *eb)
{
	json_t *v = json_object_get(obj, key);

	if (!v) {
		if (required)
			return kesu_err_set(eb, -KESU_E_BAD_INPUT, "%s: missing \"%s\"", where, key);
		snprintf(out, len, "%s", def);
		return 0;
	}
	if (!json_is_string(v))
		return kesu_err_set(eb, -KESU_E_BAD_INPUT, "%s: \"%s\" must be a string", where, key);
	if (json_string_length(v) >= len)
		return kesu_err_set(eb, -KESU_E_BAD_INPUT, "%s: \"%s\" is longer than %zu bytes",
				    where, key, len - 1);
	memcpy(out, json_string_value(v), json_string_length(v) + 1);
	return 0;
}

static int get_box(json_t *obj, const char *where, struct kesu_tpl_box *b, struct kesu_errbuf *eb)
{
	int rc;

	if ((rc = get_num(obj, where, "x", 1, 0, 0, 1000, &b->x, eb)) < 0 ||
	    (rc = get_num(obj, where, "y", 1, 0, 0, 1000, &b->y, eb)) < 0 ||
	    (rc = get_num(obj, where, "w", 1, 0, 0.5, 1000, &b->w, eb)) < 0 ||
	    (rc = get_num(obj, where, "h", 1, 0, 0.5, 1000, &b->h, eb)) < 0)
		return rc;
	return 0;
}

static int box_inside(const struct kesu_tpl_box *b, double w, double h)
{
	const double eps = 1e-6;

	return b->x >= -eps && b->y >= -eps && b->x + b->w <= w + eps && b->y + b->h <= h + eps;
}

static int parse_printer(const char *s, enum kesu_tpl_printer *p)
{
	if (!strcmp(s, "sheet"))
		*p = KESU_TPL_PRINTER_SHEET;
	else if (!strcmp(s, "brother-ql"))
		*p = KESU_TPL_PRINTER_BROTHER_QL;
	else if (!strcmp(s, "brother-pt"))
		*p = KESU_TPL_PRINTER_BROTHER_PT;
	else
		return -KESU_E_BAD_INPUT;
	return 0;
}

static int parse_label(json_t *root, struct kesu_template *t, struct kesu_errbuf *eb)
{
	static const char *const keys[] = { "width", "height", "corner", NULL };
	json_t *o;
	int rc;

	if ((rc = get_object(root, "label", 1, &o, eb)) < 0 ||
	    (rc = check_keys(o, "label", keys, eb)) < 0 ||
	    (rc = get_num(o, "label", "width", 1, 0, 5, 1000, &t->width, eb)) < 0 ||
	    (rc = get_num(o, "label", "height", 1, 0, 5, 1000, &t->height, eb)) < 0 ||
	    (rc = get_num(o, "label", "corner", 0, 0, 0, 20, &t->corner, eb)) < 0)
		return rc;
	if ((rc = get_object(root, "printable", 0, &o, eb)) < 0)
		return rc;
	if (!o) {
		t->printable = (struct kesu_tpl_box){ 0, 0, t->width, t->height };
		return 0;
	}
	static const char *const bkeys[] = { "x", "y", "w", "h", NULL };
	if ((rc = check_keys(o, "printable", bkeys, eb)) < 0 ||
	    (rc = get_box(o, "printable", &t->printable, eb)) < 0)
		return rc;
	if (!box_inside(&t->printable, t->width, t->height))
		return kesu_err_set(eb, -KESU_E_BAD_INPUT, "printable area lies outside the label");
	return 0;
}

static int parse_raster(json_t *root, struct kesu_template *t, struct kesu_errbuf *eb)
{
	static const char *const keys[] = { "tape_mm", "pins", "pin_offset", "feed_dots", NULL };
	struct kesu_tpl_raster *r = &t->raster;
	json_t *o;
	double pins_mm;
	int rc;

	if ((rc = get_object(root, "raster", t->printer != KESU_TPL_PRINTER_SHEET, &o, eb)) < 0)
		return rc;
	if (!o)
		return 0;
	if ((rc = check_keys(o, "raster", keys, eb)) < 0 ||
	    (rc = get_int(o, "raster", "tape_mm", 1, 0, 3, 255, &r->tape_mm, eb)) < 0 ||
	    (rc = get_int(o, "raster", "pins", 1, 0, 8, QL_HEAD_PINS, &r->pins, eb)) < 0 ||
	    (rc = get_int(o, "raster", "pin_offset", 0, 0, 0, QL_HEAD_PINS, &r->pin_offset, eb)) < 0 ||
	    (rc = get_int(o, "raster", "feed_dots", 0, 35, 0, 1000, &r->feed_dots, eb)) < 0)
		return rc;
	if (t->printer == KESU_TPL_PRINTER_BROTHER_QL && r->pin_offset + r->pins > QL_HEAD_PINS)
		return kesu_err_set(eb, -KESU_E_BAD_INPUT,
				    "raster: pin_offset + pins exceeds the %d-pin head", QL_HEAD_PINS);
	/* The bitmap is printable.h tall at dpi: it must be the pins, give or take a dot. */
	pins_mm = t->printable.h * t->dpi / 25.4;
	if (fabs(pins_mm - r->pins) > 1.5)
		return kesu_err_set(eb, -KESU_E_BAD_INPUT,
				    "raster: %d pins but the printable height is %.1f dots at %d dpi",
				    r->pins, pins_mm, t->dpi);
	return 0;
}

static int parse_qr(json_t *root, struct kesu_template *t, struct kesu_errbuf *eb)
{
	static const char *const keys[] = { "x", "y", "size", "quiet", "ecc", "max_version",
					    "min_module_dots", NULL };
	struct kesu_tpl_qr *q = &t->qr;
	char ecc[4];
	json_t *o;
	int rc;

	if ((rc = get_object(root, "qr", 1, &o, eb)) < 0 ||
	    (rc = check_keys(o, "qr", keys, eb)) < 0 ||
	    (rc = get_num(o, "qr", "x", 1, 0, 0, 1000, &q->box.x, eb)) < 0 ||
	    (rc = get_num(o, "qr", "y", 1, 0, 0, 1000, &q->box.y, eb)) < 0 ||
	    (rc = get_num(o, "qr", "size", 1, 0, 3, 1000, &q->box.w, eb)) < 0 ||
	    (rc = get_int(o, "qr", "quiet", 0, 4, 1, 10, &q->quiet, eb)) < 0 ||
	    (rc = get_str(o, "qr", "ecc", 0, "M", ecc, sizeof(ecc), eb)) < 0 ||
	    (rc = get_int(o, "qr", "max_version", 0, 10, 1, 40, &q->max_version, eb)) < 0 ||
	    (rc = get_num(o, "qr", "min_module_dots", 0, 3, 1, 50, &q->min_module_dots, eb)) < 0)
		return rc;
	q->box.h = q->box.w;
	if (kesu_qr_ecc_parse(ecc, &q->ecc) < 0)
		return kesu_err_set(eb, -KESU_E_BAD_INPUT, "qr: \"ecc\" must be L, M, Q or H");
	if (!box_inside(&q->box, t->width, t->height))
		return kesu_err_set(eb, -KESU_E_BAD_INPUT, "qr: the code's box lies outside the label");
	return 0;
}

static int parse_align(const char *s, enum kesu_tpl_align *a)
{
	if (!strcmp(s, "left"))
		*a = KESU_TPL_ALIGN_LEFT;
	else if (!strcmp(s, "center"))
		*a = KESU_TPL_ALIGN_CENTER;
	else if (!strcmp(s, "right"))
		*a = KESU_TPL_ALIGN_RIGHT;
	else
		return -KESU_E_BAD_INPUT;
	return 0;
}

static int parse_field(json_t *o, size_t idx, struct kesu_template *t, struct kesu_tpl_field *f,
		       struct kesu_errbuf *eb)
{
	static const char *const keys[] = { "name", "text", "x", "y", "w", "h", "font", "bold",
					    "max_pt", "min_pt", "lines", "align", NULL };
	char where[64], align[16];
	json_t *bold;
	int rc;

	if (!json_is_object(o))
		return kesu_err_set(eb, -KESU_E_BAD_INPUT, "fields[%zu] must be an object", idx);
	snprintf(where, sizeof(where), "fields[%zu]", idx);
	if ((rc = get_str(o, where, "name", 1, "", f->name, sizeof(f->name), eb)) < 0)
		return rc;
	snprintf(where, sizeof(where), "field '%s'", f->name);
	if ((rc = check_keys(o, where, keys, eb)) < 0 ||
	    (rc = get_str(o, where, "text", 1, "", f->format, sizeof(f->format), eb)) < 0 ||
	    (rc = get_box(o, where, &f->box, eb)) < 0 ||
	    (rc = get_str(o, where, "font", 0, "IPAexGothic", f->font, sizeof(f->font), eb)) < 0 ||
	    (rc = get_num(o, where, "max_pt", 1, 0, 2, 200, &f->max_pt, eb)) < 0 ||
	    (rc = get_num(o, where, "min_pt", 0, f->max_pt, 2, 200, &f->min_pt, eb)) < 0 ||
	    (rc = get_int(o, where, "lines", 0, 1, 1, 20, &f->lines, eb)) < 0 ||
	    (rc = get_str(o, where, "align", 0, "left", align, sizeof(align), eb)) < 0)
		return rc;
	bold = json_object_get(o, "bold");
	if (bold && !json_is_boolean(bold))
		return kesu_err_set(eb, -KESU_E_BAD_INPUT, "%s: \"bold\" must be true or false", where);
	f->bold = bold && json_is_true(bold);
	if (f->min_pt > f->max_pt)
		return kesu_err_set(eb, -KESU_E_BAD_INPUT, "%s: min_pt is above max_pt", where);
	if (parse_align(align, &f->align) < 0)
		return kesu_err_set(eb, -KESU_E_BAD_INPUT, "%s: \"align\" must be left, center or right",
				    where);
	if (!box_inside(&f->box, t->width, t->height))
		return kesu_err_set(eb, -KESU_E_BAD_INPUT, "%s: the box lies outside the label", where);
	if (t->printer != KESU_TPL_PRINTER_SHEET) {
		struct kesu_tpl_box b = f->box;

		b.x -= t->printable.x;
		b.y -= t->printable.y;
		if (!box_inside(&b, t->printable.w, t->printable.h))
			return kesu_err_set(eb, -KESU_E_BAD_INPUT,
					    "%s: the box lies outside the printable area", where);
	}
	return 0;
}

static int parse_fields(json_t *root, struct kesu_template *t, struct kesu_errbuf *eb)
{
	json_t *arr = json_object_get(root, "fields"), *o;
	size_t i;
	int rc;

	if (!arr || !json_is_array(arr) || json_array_size(arr) == 0)
		return kesu_err_set(eb, -KESU_E_BAD_INPUT, "\"fields\" must be a non-empty array");
	if (json_array_size(arr) > KESU_TPL_MAX_FIELDS)
		return kesu_err_set(eb, -KESU_E_BAD_INPUT, "more than %d fields", KESU_TPL_MAX_FIELDS);
	json_array_foreach(arr, i, o) {
		if ((rc = parse_field(o, i, t, &t->fields[i], eb)) < 0)
			return rc;
	}
	t->n_fields = json_array_size(arr);
	return 0;
}

static int parse_sheet(json_t *root, struct kesu_template *t, struct kesu_errbuf *eb)
{
	static const char *const keys[] = { "page_width", "page_height", "nx", "ny", "x0", "y0",
					    "dx", "dy", NULL };
	struct kesu_tpl_sheet *s = &t->sheet;
	json_t *o;
	int rc;

	if ((rc = get_object(root, "sheet", t->printer == KESU_TPL_PRINTER_SHEET, &o, eb)) < 0)
		return rc;
	if (!o) {
		*s = (struct kesu_tpl_sheet){ t->width, t->height, 1, 1, 0, 0, t->width, t->height };
		return 0;
	}
	if (t->printer != KESU_TPL_PRINTER_SHEET)
		return kesu_err_set(eb, -KESU_E_BAD_INPUT, "\"sheet\" is only for printer \"sheet\"");
	if ((rc = check_keys(o, "sheet", keys, eb)) < 0 ||
	    (rc = get_num(o, "sheet", "page_width", 1, 0, 20, 2000, &s->page_w, eb)) < 0 ||
	    (rc = get_num(o, "sheet", "page_height", 1, 0, 20, 2000, &s->page_h, eb)) < 0 ||
	    (rc = get_int(o, "sheet", "nx", 1, 0, 1, 50, &s->nx, eb)) < 0 ||
	    (rc = get_int(o, "sheet", "ny", 1, 0, 1, 100, &s->ny, eb)) < 0 ||
	    (rc = get_num(o, "sheet", "x0", 1, 0, 0, 2000, &s->x0, eb)) < 0 ||
	    (rc = get_num(o, "sheet", "y0", 1, 0, 0, 2000, &s->y0, eb)) < 0 ||
	    (rc = get_num(o, "sheet", "dx", 0, t->width, 0, 2000, &s->dx, eb)) < 0 ||
	    (rc = get_num(o, "sheet", "dy", 0, t->height, 0, 2000, &s->dy, eb)) < 0)
		return rc;
	if (s->dx < t->width - 1e-6 || s->dy < t->height - 1e-6)
		return kesu_err_set(eb, -KESU_E_BAD_INPUT, "sheet: dx/dy are smaller than the label");
	if (s->x0 + (s->nx - 1) * s->dx + t->width > s->page_w + 1e-6 ||
	    s->y0 + (s->ny - 1) * s->dy + t->height > s->page_h + 1e-6)
		return kesu_err_set(eb, -KESU_E_BAD_INPUT, "sheet: the grid runs off the page");
	t->is_sheet = 1;
	return 0;
}

static int valid_name(const char *s)
{
	size_t n = 0;

	for (; s[n]; n++)
		if (!((s[n] >= 'a' && s[n] <= 'z') || (s[n] >= '0' && s[n] <= '9') || s[n] == '-'))
			return 0;
	return n > 0 && n < KESU_TPL_NAME_MAX;
}

static int parse_root(json_t *root, struct kesu_template *t, struct kesu_errbuf *eb)
{
	static const char *const keys[] = { "name", "description", "printer", "dpi", "label",
					    "printable", "raster", "qr", "fields", "sheet", NULL };
	char printer[16];
	int rc;

	if (!json_is_object(root))
		return kesu_err_set(eb, -KESU_E_BAD_INPUT, "a template is a JSON object");
	if ((rc = check_keys(root, "template", keys, eb)) < 0 ||
	    (rc = get_str(root, "template", "name", 1, "", t->name, sizeof(t->name), eb)) < 0 ||
	    (rc = get_str(root, "template", "description", 0, "", t->description,
			  sizeof(t->description), eb)) < 0 ||
	    (rc = get_str(root, "template", "printer", 1, "", printer, sizeof(printer), eb)) < 0 ||
	    (rc = get_int(root, "template", "dpi", 1, 0, 72, 2400, &t->dpi, eb)) < 0)
		return rc;
	if (!valid_name(t->name))
		return kesu_err_set(eb, -KESU_E_BAD_INPUT, "template name \"%s\" is not [a-z0-9-]",
				    t->name);
	if (parse_printer(printer, &t->printer) < 0)
		return kesu_err_set(eb, -KESU_E_BAD_INPUT,
				    "\"printer\" must be sheet, brother-ql or brother-pt");
	if ((rc = parse_label(root, t, eb)) < 0 || (rc = parse_raster(root, t, eb)) < 0 ||
	    (rc = parse_qr(root, t, eb)) < 0 || (rc = parse_fields(root, t, eb)) < 0 ||
	    (rc = parse_sheet(root, t, eb)) < 0)
		return rc;
	return 0;
}

int kesu_template_parse(const char *json, size_t len, struct kesu_template *t,
			struct kesu_errbuf *eb)
{
	json_error_t jerr;
	json_t *root;
	int rc;

	memset(t, 0, sizeof(*t));
	if (len > KESU_TPL_MAX_BYTES)
		return kesu_err_set(eb, -KESU_E_BAD_INPUT, "template larger than %u bytes",
				    KESU_TPL_MAX_BYTES);
	root = json_loadb(json, len, JSON_REJECT_DUPLICATES, &jerr);
	if (!root)
		return kesu_err_set(eb, -KESU_E_BAD_INPUT, "line %d: %s", jerr.line, jerr.text);
	rc = parse_root(root, t, eb);
	json_decref(root);
	return rc;
}

int kesu_template_load_file(const char *path, struct kesu_template *t, struct kesu_errbuf *eb)
{
	char *data = NULL;
	size_t len = 0;
	int rc;

	rc = kesu_read_file(path, KESU_TPL_MAX_BYTES, &data, &len, eb);
	if (rc < 0)
		return rc;
	rc = kesu_template_parse(data, len, t, eb);
	if (rc < 0) {
		char msg[sizeof(eb->msg)];

		if (eb) {
			snprintf(msg, sizeof(msg), "%s", eb->msg);
			kesu_err_set(eb, rc, "template %s: %s", path, msg);
		}
		goto out;
	}
	snprintf(t->path, sizeof(t->path), "%s", path);
out:
	free(data);
	return rc;
}

static size_t add_dir(char dirs[][512], size_t n, size_t max, const char *d)
{
	size_t i;

	if (!d || !*d || n >= max)
		return n;
	for (i = 0; i < n; i++)
		if (!strcmp(dirs[i], d))
			return n;
	snprintf(dirs[n], 512, "%s", d);
	return n + 1;
}

size_t kesu_template_dirs(const char *dir, char dirs[][512], size_t max)
{
	char exe[PATH_MAX], up[PATH_MAX + 16];
	ssize_t len;
	size_t n = 0;

	n = add_dir(dirs, n, max, dir);
	n = add_dir(dirs, n, max, getenv("KESU_LABEL_DIR"));
	n = add_dir(dirs, n, max, "/etc/kesu/labels");
	n = add_dir(dirs, n, max, KESU_DATADIR "/labels");
	/* An uninstalled build/kesu finds the source tree's labels/. */
	len = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (len > 0) {
		exe[len] = '\0';
		snprintf(up, sizeof(up), "%s/../labels", dirname(exe));
		if (access(up, R_OK | X_OK) == 0) {
			char real[PATH_MAX];

			if (realpath(up, real))
				n = add_dir(dirs, n, max, real);
		}
	}
	return n;
}

int kesu_template_find(const char *name, const char *dir, struct kesu_template *t,
		       struct kesu_errbuf *eb)
{
	char dirs[8][512], path[600], where[2048] = "";
	size_t n, i;

	if (!name || !valid_name(name))
		return kesu_err_set(eb, -KESU_E_BAD_INPUT,
				    "template name \"%s\" is not [a-z0-9-]; see --list-templates",
				    name ? name : "");
	n = kesu_template_dirs(dir, dirs, 8);
	for (i = 0; i < n; i++) {
		snprintf(path, sizeof(path), "%s/%s.json", dirs[i], name);
		if (access(path, F_OK) == 0)
			return kesu_template_load_file(path, t, eb);
		snprintf(where + strlen(where), sizeof(where) - strlen(where), "%s%s", i ? ", " : "",
			 dirs[i]);
	}
	return kesu_err_set(eb, -KESU_E_NOT_FOUND,
			    "unknown template \"%s\" (looked in %s); see kesu label --list-templates",
			    name, where);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

void kesu_template_names_free(char **names, size_t n)
{
	size_t i;

	if (!names)
		return;
	for (i = 0; i < n; i++)
		free(names[i]);
	free(names);
}

static int names_add(char ***names, size_t *n, const char *name)
{
	char **grown;
	size_t i;

	for (i = 0; i < *n; i++)
		if (!strcmp((*names)[i], name))
			return 0;
	grown = realloc(*names, (*n + 1) * sizeof(*grown));
	if (!grown)
		return -ENOMEM;
	*names = grown;
	grown[*n] = strdup(name);
	if (!grown[*n])
		return -ENOMEM;
	(*n)++;
	return 0;
}

int kesu_template_names(const char *dir, char ***names, size_t *n, struct kesu_errbuf *eb)
{
	char dirs[8][512];
	size_t nd, i;
	int rc = 0;

	*names = NULL;
	*n = 0;
	nd = kesu_template_dirs(dir, dirs, 8);
	for (i = 0; i < nd && rc == 0; i++) {
		DIR *d = opendir(dirs[i]);
		struct dirent *e;

		if (!d)
			continue;
		while (rc == 0 && (e = readdir(d))) {
			char base[KESU_TPL_NAME_MAX + 8];
			size_t len = strlen(e->d_name);

			if (len < 6 || len - 5 >= KESU_TPL_NAME_MAX ||
			    strcmp(e->d_name + len - 5, ".json"))
				continue;
			memcpy(base, e->d_name, len - 5);
			base[len - 5] = '\0';
			if (valid_name(base))
				rc = names_add(names, n, base);
		}
		closedir(d);
	}
	if (rc < 0) {
		kesu_template_names_free(*names, *n);
		*names = NULL;
		*n = 0;
		return kesu_err_set(eb, rc, "listing templates: out of memory");
	}
	qsort(*names, *n, sizeof(**names), cmp_str);
	return 0;
}
