/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Device output shared by `kesu list` and `kesu info`. */
#include "devout.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

void devout_size_human(uint64_t bytes, char *buf, size_t len)
{
	static const char units[] = "BKMGTPE";
	double v = (double)bytes;
	size_t u = 0;

	while (v >= 1024.0 && u < sizeof(units) - 2) {
		v /= 1024.0;
		u++;
	}
	if (u == 0 || v == (double)(uint64_t)v)
		snprintf(buf, len, "%.0f%c", v, units[u]);
	else
		snprintf(buf, len, "%.1f%c", v, units[u]);
}

void devout_safety_text(const struct kesu_safety *s, char *buf, size_t len)
{
	size_t used = 0;

	if (!s) {
		snprintf(buf, len, "?");
		return;
	}
	if (!s->reasons) {
		snprintf(buf, len, "ok");
		return;
	}
	buf[0] = '\0';
	for (unsigned bit = 1; bit && used < len; bit <<= 1)
		if (s->reasons & bit)
			used += (size_t)snprintf(buf + used, len - used, "%s%s", used ? "," : "",
						 kesu_unsafe_name(bit));
}

/* A string, or null when empty (unknown). */
static json_t *str_or_null(const char *s)
{
	return s && *s ? json_string(s) : json_null();
}

static int set(json_t *o, const char *key, json_t *v)
{
	return v ? json_object_set_new(o, key, v) : -1;
}

static int add_safety(json_t *o, const struct kesu_safety *s, const char *safety_error)
{
	json_t *reasons;
	int rc = 0;

	if (!s) {
		rc |= set(o, "safe", json_null());
		rc |= set(o, "safety", json_null());
		rc |= set(o, "safety_detail", json_string(safety_error ? safety_error : ""));
		return rc;
	}
	reasons = json_array();
	if (!reasons)
		return -1;
	for (unsigned bit = 1; bit; bit <<= 1)
		if (s->reasons & bit)
			rc |= json_array_append_new(reasons, json_string(kesu_unsafe_name(bit)));
	rc |= set(o, "safe", json_boolean(s->reasons == 0));
	rc |= set(o, "safety", reasons);
	rc |= set(o, "safety_detail", json_string(s->detail));
	return rc;
}

json_t *devout_identity_json(const struct kesu_dev_identity *id, const struct kesu_safety *s,
			     const char *safety_error)
{
	json_t *o = json_object();
	int rc = 0;

	if (!o)
		return NULL;
	rc |= set(o, "name", json_string(id->name));
	rc |= set(o, "path", json_string(id->path));
	rc |= set(o, "transport", json_string(kesu_transport_name(id->transport)));
	rc |= set(o, "size", json_integer((json_int_t)id->size_bytes));
	rc |= set(o, "vendor", str_or_null(id->vendor));
	rc |= set(o, "model", str_or_null(id->model));
	rc |= set(o, "serial", str_or_null(id->serial));
	rc |= set(o, "firmware", str_or_null(id->firmware));
	rc |= set(o, "wwid", str_or_null(id->wwid));
	rc |= set(o, "logical_sector_size", json_integer(id->logical_sector_size));
	rc |= set(o, "physical_sector_size", json_integer(id->physical_sector_size));
	rc |= set(o, "discard", json_boolean(id->discard_max_bytes > 0));
	rc |= set(o, "discard_max_bytes", json_integer((json_int_t)id->discard_max_bytes));
	rc |= set(o, "rotational", json_boolean(id->rotational));
	rc |= set(o, "removable", json_boolean(id->removable));
	rc |= set(o, "readonly", json_boolean(id->readonly));
	rc |= set(o, "partition", json_boolean(id->is_partition));
	rc |= set(o, "parent", str_or_null(id->parent));
	rc |= set(o, "partition_number",
		  id->is_partition ? json_integer(id->partition_number) : json_null());
	rc |= set(o, "image", json_boolean(id->is_image));
	rc |= set(o, "major", id->is_image ? json_null() : json_integer(id->major));
	rc |= set(o, "minor", id->is_image ? json_null() : json_integer(id->minor));
	rc |= set(o, "backing_file", str_or_null(id->backing_file));
	rc |= add_safety(o, s, safety_error);
	if (rc) {
		json_decref(o);
		return NULL;
	}
	return o;
}

int devout_json_print(FILE *out, json_t *root)
{
	if (json_dumpf(root, out, JSON_INDENT(2) | JSON_SORT_KEYS) < 0 || fputc('\n', out) == EOF)
		return -EIO;
	return 0;
}

/* ---- tables ---- */

int devout_table_init(struct devout_table *t, size_t ncols, const char *const header[])
{
	memset(t, 0, sizeof(*t));
	t->ncols = ncols;
	return devout_table_add(t, header);
}

int devout_table_add(struct devout_table *t, const char *const row[])
{
	char **nc = realloc(t->cells, (t->nrows + 1) * t->ncols * sizeof(*t->cells));

	if (!nc)
		return -ENOMEM;
	t->cells = nc;
	for (size_t c = 0; c < t->ncols; c++) {
		const char *v = row[c] && *row[c] ? row[c] : "-";

		nc[t->nrows * t->ncols + c] = strdup(v);
		if (!nc[t->nrows * t->ncols + c]) {
			while (c-- > 0)
				free(nc[t->nrows * t->ncols + c]);
			return -ENOMEM;
		}
	}
	t->nrows++;
	return 0;
}

void devout_table_print(FILE *out, const struct devout_table *t, const char *indent)
{
	size_t *w = calloc(t->ncols ? t->ncols : 1, sizeof(*w));

	if (!w)
		return;
	for (size_t r = 0; r < t->nrows; r++)
		for (size_t c = 0; c < t->ncols; c++) {
			size_t l = strlen(t->cells[r * t->ncols + c]);

			if (l > w[c])
				w[c] = l;
		}
	for (size_t r = 0; r < t->nrows; r++) {
		fputs(indent ? indent : "", out);
		for (size_t c = 0; c < t->ncols; c++) {
			const char *cell = t->cells[r * t->ncols + c];

			if (c + 1 < t->ncols)
				fprintf(out, "%-*s  ", (int)w[c], cell);
			else
				fputs(cell, out);
		}
		fputc('\n', out);
	}
	free(w);
}

void devout_table_free(struct devout_table *t)
{
	for (size_t i = 0; i < t->nrows * t->ncols; i++)
		free(t->cells[i]);
	free(t->cells);
	memset(t, 0, sizeof(*t));
}

void devout_bridge_lines(FILE *out, const struct kesu_dev_identity *id)
{
	if (id->bridge_serial[0])
		fprintf(out, "  serial:       '%s' is the drive's own (IDENTIFY); the USB bridge "
			"reports '%s'\n", id->serial, id->bridge_serial);
	if (id->bridge_model[0])
		fprintf(out, "  model:        '%s' is the drive's own (IDENTIFY); the USB bridge "
			"reports '%s'\n", id->model, id->bridge_model);
}
