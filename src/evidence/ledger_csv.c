/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * CSV import and export of the ledger (RFC 4180: quoted fields, "" for a
 * quote, line breaks inside quotes), in UTF-8 or in the Shift_JIS that
 * spreadsheets in Japan write (CP932, converted with iconv).
 *
 * Import is all or nothing: every row is checked and inserted inside one
 * transaction, errors are collected with their line numbers, and any error
 * rolls the whole file back.
 */
#include "ledger_int.h"

#include <kesu/text.h>
#include <kesu/util.h>

#include <errno.h>
#include <iconv.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define CSV_MAX_BYTES (512u << 20)

int kesu_csv_encoding_parse(const char *name)
{
	if (!strcasecmp(name, "auto"))
		return KESU_CSV_AUTO;
	if (!strcasecmp(name, "utf-8") || !strcasecmp(name, "utf8"))
		return KESU_CSV_UTF8;
	if (!strcasecmp(name, "sjis") || !strcasecmp(name, "shift_jis") ||
	    !strcasecmp(name, "shift-jis") || !strcasecmp(name, "cp932") ||
	    !strcasecmp(name, "windows-31j"))
		return KESU_CSV_SJIS;
	return -1;
}

static const char *iconv_name(enum kesu_csv_encoding e)
{
	return e == KESU_CSV_SJIS ? "CP932" : "UTF-8";
}

int kesu_csv_recode(const char *in, size_t len, enum kesu_csv_encoding from,
		    enum kesu_csv_encoding to, char **out, size_t *out_len, struct kesu_errbuf *eb)
{
	iconv_t cd;
	size_t cap = len * 2 + 16, left_in = len, left_out;
	char *buf, *ip = (char *)in, *op;
	int rc = 0;

	*out = NULL;
	*out_len = 0;
	if ((cd = iconv_open(iconv_name(to), iconv_name(from))) == (iconv_t)-1)
		return kesu_err_set(eb, -errno, "iconv cannot convert %s to %s", iconv_name(from),
				    iconv_name(to));
	if (!(buf = malloc(cap))) {
		iconv_close(cd);
		return -ENOMEM;
	}
	op = buf;
	left_out = cap - 1;
	while (left_in) {
		if (iconv(cd, &ip, &left_in, &op, &left_out) != (size_t)-1)
			continue;
		if (errno == E2BIG) {
			size_t used = (size_t)(op - buf);
			char *nb = realloc(buf, cap * 2);

			if (!nb) {
				rc = -ENOMEM;
				break;
			}
			buf = nb;
			cap *= 2;
			op = buf + used;
			left_out = cap - used - 1;
			continue;
		}
		rc = kesu_err_set(eb, -KESU_E_BAD_INPUT,
				  "byte %zu is not valid %s (or has no %s equivalent)",
				  (size_t)(ip - in), iconv_name(from), iconv_name(to));
		break;
	}
	iconv_close(cd);
	if (rc < 0) {
		free(buf);
		return rc;
	}
	*op = 0;
	*out = buf;
	*out_len = (size_t)(op - buf);
	return 0;
}

/* Strict UTF-8 check (no overlongs, no surrogates). */
static int utf8_valid(const unsigned char *s, size_t n)
{
	size_t i = 0;

	while (i < n) {
		unsigned c = s[i];
		size_t k;
		unsigned cp;

		if (c < 0x80) {
			i++;
			continue;
		}
		if (c >= 0xc2 && c <= 0xdf) {
			k = 1;
			cp = c & 0x1f;
		} else if (c >= 0xe0 && c <= 0xef) {
			k = 2;
			cp = c & 0x0f;
		} else if (c >= 0xf0 && c <= 0xf4) {
			k = 3;
			cp = c & 0x07;
		} else {
			return 0;
		}
		if (i + k >= n)
			return 0;
		for (size_t j = 1; j <= k; j++) {
			if ((s[i + j] & 0xc0) != 0x80)
				return 0;
			cp = (cp << 6) | (s[i + j] & 0x3f);
		}
		if ((k == 2 && (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff))) ||
		    (k == 3 && (cp < 0x10000 || cp > 0x10ffff)))
			return 0;
		i += k + 1;
	}
	return 1;
}

/* ---- the parser ---- */

struct csv_row {
	size_t line;      /* where the record starts */
	size_t n, cap;
	char **fields;
	size_t *lens;     /* each field's bytes: a NUL inside one is seen, not cut at */
};

struct csv_parser {
	const char *p, *end;
	size_t line;
};

static void row_release(struct csv_row *r)
{
	for (size_t i = 0; i < r->n; i++)
		free(r->fields[i]);
	free(r->fields);
	free(r->lens);
	memset(r, 0, sizeof(*r));
}

static int row_push(struct csv_row *r, const char *s, size_t len)
{
	char *f;

	if (r->n == r->cap) {
		size_t ncap = r->cap ? r->cap * 2 : 16;
		char **nf = realloc(r->fields, ncap * sizeof(*nf));
		size_t *nl;

		if (!nf)
			return -ENOMEM;
		r->fields = nf;
		if (!(nl = realloc(r->lens, ncap * sizeof(*nl))))
			return -ENOMEM;
		r->lens = nl;
		r->cap = ncap;
	}
	if (!(f = malloc(len + 1)))
		return -ENOMEM;
	memcpy(f, s, len);
	f[len] = 0;
	r->lens[r->n] = len;
	r->fields[r->n++] = f;
	return 0;
}

/*
 * Read one record. Returns 1 with a row, 0 at the end, -KESU_E_BAD_INPUT for
 * a malformed quote (msg says why), -ENOMEM.
 */
static int csv_next(struct csv_parser *ps, struct csv_row *r, char *msg, size_t msg_len)
{
	char *buf = NULL;
	size_t blen = 0, bcap = 0;
	int rc = 0;

	memset(r, 0, sizeof(*r));
	if (ps->p >= ps->end)
		return 0;
	r->line = ps->line;
	for (;;) {
		int quoted = 0;

		blen = 0;
		if (ps->p < ps->end && *ps->p == '"') {
			quoted = 1;
			ps->p++;
		}
		for (;;) {
			char c;

			if (ps->p >= ps->end) {
				if (quoted) {
					snprintf(msg, msg_len, "a quoted field is not closed");
					rc = -KESU_E_BAD_INPUT;
					goto out;
				}
				break;
			}
			c = *ps->p;
			if (quoted) {
				if (c == '"') {
					if (ps->p + 1 < ps->end && ps->p[1] == '"') {
						ps->p++;
					} else {
						ps->p++;
						quoted = 0;
						if (ps->p < ps->end && *ps->p != ',' && *ps->p != '\r' &&
						    *ps->p != '\n') {
							snprintf(msg, msg_len,
								 "text after a closing quote in field %zu",
								 r->n + 1);
							rc = -KESU_E_BAD_INPUT;
							goto out;
						}
						continue;
					}
				} else if (c == '\n') {
					ps->line++;
				}
			} else if (c == ',' || c == '\r' || c == '\n') {
				break;
			} else if (c == '"') {
				snprintf(msg, msg_len, "a quote inside unquoted field %zu", r->n + 1);
				rc = -KESU_E_BAD_INPUT;
				goto out;
			}
			if (blen + 1 >= bcap) {
				size_t ncap = bcap ? bcap * 2 : 64;
				char *nb = realloc(buf, ncap);

				if (!nb) {
					rc = -ENOMEM;
					goto out;
				}
				buf = nb;
				bcap = ncap;
			}
			buf[blen++] = c;
			ps->p++;
		}
		if ((rc = row_push(r, buf ? buf : "", blen)) < 0)
			goto out;
		if (ps->p < ps->end && *ps->p == ',') {
			ps->p++;
			continue;
		}
		/* end of record: CRLF, LF, CR or the end of the text */
		if (ps->p < ps->end && *ps->p == '\r')
			ps->p++;
		if (ps->p < ps->end && *ps->p == '\n')
			ps->p++;
		ps->line++;
		rc = 1;
		break;
	}
out:
	free(buf);
	if (rc <= 0) {
		/* skip to the end of the broken line so the next record can be checked */
		while (rc < 0 && ps->p < ps->end && *ps->p != '\n')
			ps->p++;
		if (rc < 0 && ps->p < ps->end) {
			ps->p++;
			ps->line++;
		}
		row_release(r);
	}
	return rc;
}

static int row_blank(const struct csv_row *r)
{
	return r->n == 1 && !*r->fields[0];
}

/* ---- import ---- */

struct import_ctx {
	struct kesu_ledger *lg;
	kesu_csv_error_fn on_error;
	void *ud;
	size_t errors;
	int map[64];           /* CSV column -> media field, -1 ignored */
	size_t ncols;
	struct seen_id {       /* the media IDs this file added, and their lines */
		char *id;
		size_t line;
	} *seen;
	size_t n_seen, cap_seen;
};

static int seen_add(struct import_ctx *c, const char *id, size_t line)
{
	if (c->n_seen == c->cap_seen) {
		size_t ncap = c->cap_seen ? c->cap_seen * 2 : 64;
		struct seen_id *ns = realloc(c->seen, ncap * sizeof(*ns));

		if (!ns)
			return -ENOMEM;
		c->seen = ns;
		c->cap_seen = ncap;
	}
	if (!(c->seen[c->n_seen].id = strdup(id)))
		return -ENOMEM;
	c->seen[c->n_seen++].line = line;
	return 0;
}

/* The line of this file that already added id, or 0. */
static size_t seen_line(const struct import_ctx *c, const char *id)
{
	for (size_t i = 0; i < c->n_seen; i++)
		if (!strcmp(c->seen[i].id, id))
			return c->seen[i].line;
	return 0;
}

static void seen_release(struct import_ctx *c)
{
	for (size_t i = 0; i < c->n_seen; i++)
		free(c->seen[i].id);
	free(c->seen);
	c->seen = NULL;
	c->n_seen = c->cap_seen = 0;
}

static void import_error(struct import_ctx *c, size_t line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void import_error(struct import_ctx *c, size_t line, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	c->errors++;
	if (c->on_error)
		c->on_error(c->ud, line, msg);
}

static int import_header(struct import_ctx *c, const struct csv_row *r)
{
	int have_id = 0;

	if (r->n > sizeof(c->map) / sizeof(c->map[0])) {
		import_error(c, r->line, "the header has %zu columns, more than kesu knows", r->n);
		return -KESU_E_BAD_INPUT;
	}
	c->ncols = r->n;
	for (size_t i = 0; i < r->n; i++) {
		char name[256];
		const char *h = r->fields[i];
		int f;

		if (i == 0 && !strncmp(h, "\xef\xbb\xbf", 3))
			h += 3;     /* a UTF-8 byte order mark from a spreadsheet */
		kesu_strtrim_copy(name, sizeof(name), h);
		f = strlen(r->fields[i]) == r->lens[i] && strlen(h) < sizeof(name) ?
		    kesu_media_field_lookup(name) : -1;
		if (f < 0) {
			char *shown = kesu_text_escape_buf(r->fields[i], r->lens[i]);

			import_error(c, r->line, "column %zu: unknown heading '%s' (see "
				     "kesu-ledger(8) for the columns)", i + 1, shown ? shown : "?");
			free(shown);
			return -KESU_E_BAD_INPUT;
		}
		for (size_t j = 0; j < i; j++)
			if (c->map[j] == f && f != KESU_MF_NO) {
				import_error(c, r->line, "column %zu: '%s' appears twice", i + 1, name);
				return -KESU_E_BAD_INPUT;
			}
		c->map[i] = f == KESU_MF_NO ? -1 : f;   /* 項番 is assigned by the ledger */
		have_id |= f == KESU_MF_MEDIA_ID;
	}
	if (!have_id) {
		import_error(c, r->line, "the header has no 媒体ID (media_id) column");
		return -KESU_E_BAD_INPUT;
	}
	return 0;
}

static int import_row(struct import_ctx *c, const struct csv_row *r, size_t *imported)
{
	struct kesu_media m = { 0 }, v;
	struct kesu_errbuf eb;
	size_t dup;
	int rc;

	if (r->n != c->ncols) {
		import_error(c, r->line, "%zu fields, but the header has %zu", r->n, c->ncols);
		return 0;
	}
	for (size_t i = 0; i < r->n; i++) {
		char *val;
		size_t n = strlen(r->fields[i]) + 1;

		if (c->map[i] < 0)
			continue;
		/* a NUL would cut the value short: refuse the row, naming the field */
		if (n - 1 != r->lens[i]) {
			const struct kesu_field_info *fi = kesu_media_field_info(c->map[i]);

			import_error(c, r->line, "field %zu, %s (%s): a NUL byte at byte %zu; "
				     "the row was not imported", i + 1, fi->heading, fi->key, n);
			kesu_media_release(&m);
			return 0;
		}
		if (!(val = malloc(n))) {
			kesu_media_release(&m);
			return -ENOMEM;
		}
		kesu_strtrim_copy(val, n, r->fields[i]);
		m.f[c->map[i]] = val;
	}
	kesu_err_clear(&eb);
	rc = lg_media_validate(&m, &v, &eb);
	kesu_media_release(&m);
	if (rc == -ENOMEM)
		return rc;
	if (rc < 0) {
		import_error(c, r->line, "%s", eb.msg);
		return 0;
	}
	dup = seen_line(c, v.f[KESU_MF_MEDIA_ID]);
	if (dup) {
		import_error(c, r->line, "媒体ID (media_id) %s: a duplicate of line %zu",
			     v.f[KESU_MF_MEDIA_ID], dup);
		kesu_media_release(&v);
		return 0;
	}
	rc = lg_media_insert(c->lg, "import", &v, NULL, &eb);
	if (rc == 0)
		rc = seen_add(c, v.f[KESU_MF_MEDIA_ID], r->line);
	kesu_media_release(&v);
	if (rc == -KESU_E_EXISTS || rc == -KESU_E_BAD_INPUT) {
		import_error(c, r->line, "%s", eb.msg);
		return 0;
	}
	if (rc < 0)
		return rc;
	(*imported)++;
	return 0;
}

static int import_text(struct import_ctx *c, const char *text, size_t len, size_t *imported)
{
	struct csv_parser ps = { text, text + len, 1 };
	struct csv_row r;
	char msg[256];
	int rc, have_header = 0;

	for (;;) {
		size_t start = ps.line;

		if ((rc = csv_next(&ps, &r, msg, sizeof(msg))) == 0)
			break;
		if (rc == -ENOMEM)
			return rc;
		if (rc < 0) {
			import_error(c, start, "%s", msg);
			if (!have_header)
				return -KESU_E_BAD_INPUT;
			continue;
		}
		if (row_blank(&r)) {
			row_release(&r);
			continue;
		}
		if (!have_header) {
			have_header = 1;
			rc = import_header(c, &r);
		} else {
			rc = import_row(c, &r, imported);
		}
		row_release(&r);
		if (rc < 0)
			return rc;
	}
	if (!have_header) {
		import_error(c, 1, "the file is empty: a header row is needed");
		return -KESU_E_BAD_INPUT;
	}
	return 0;
}

int kesu_ledger_import_csv(struct kesu_ledger *lg, const char *path, enum kesu_csv_encoding enc,
			   kesu_csv_error_fn on_error, void *ud, size_t *imported,
			   struct kesu_errbuf *eb)
{
	struct import_ctx c = { .lg = lg, .on_error = on_error, .ud = ud };
	char *raw = NULL, *text = NULL;
	size_t len, tlen, count = 0;
	int rc;

	if (imported)
		*imported = 0;
	if ((rc = lg_require_operator(lg, eb)) < 0)
		return rc;
	if ((rc = kesu_read_file(path, CSV_MAX_BYTES, &raw, &len, eb)) < 0)
		return rc;
	if (enc == KESU_CSV_AUTO)
		enc = utf8_valid((const unsigned char *)raw, len) ? KESU_CSV_UTF8 : KESU_CSV_SJIS;
	if (enc == KESU_CSV_SJIS) {
		struct kesu_errbuf why;

		if ((rc = kesu_csv_recode(raw, len, KESU_CSV_SJIS, KESU_CSV_UTF8, &text, &tlen, &why)) < 0) {
			kesu_err_set(eb, rc, "%s: %s; name the encoding with --encoding", path, why.msg);
			goto out;
		}
	} else {
		if (!utf8_valid((const unsigned char *)raw, len)) {
			rc = kesu_err_set(eb, -KESU_E_BAD_INPUT,
					  "%s is not valid UTF-8: try --encoding sjis", path);
			goto out;
		}
		text = raw;
		raw = NULL;
		tlen = len;
	}
	if ((rc = lg_begin(lg, eb)) < 0)
		goto out;
	rc = import_text(&c, text, tlen, &count);
	seen_release(&c);
	if (rc >= 0 && c.errors)
		rc = kesu_err_set(eb, -KESU_E_BAD_INPUT,
				  "%s: %zu malformed row%s; nothing was imported", path, c.errors,
				  c.errors == 1 ? "" : "s");
	else if (rc == -KESU_E_BAD_INPUT)
		kesu_err_set(eb, rc, "%s: the header is malformed; nothing was imported", path);
	rc = lg_end(lg, rc, eb);
	if (rc == 0 && imported)
		*imported = count;
out:
	free(raw);
	free(text);
	return rc;
}

/* ---- export ---- */

struct sbuf {
	char *s;
	size_t len, cap;
};

static int sb_add(struct sbuf *b, const char *s, size_t n)
{
	if (b->len + n + 1 > b->cap) {
		size_t ncap = b->cap ? b->cap : 4096;
		char *ns;

		while (b->len + n + 1 > ncap)
			ncap *= 2;
		if (!(ns = realloc(b->s, ncap)))
			return -ENOMEM;
		b->s = ns;
		b->cap = ncap;
	}
	memcpy(b->s + b->len, s, n);
	b->len += n;
	b->s[b->len] = 0;
	return 0;
}

static int sb_field(struct sbuf *b, const char *v, int first)
{
	int quote = strpbrk(v, ",\"\r\n") != NULL || (*v && (v[0] == ' ' || v[strlen(v) - 1] == ' '));
	int rc = first ? 0 : sb_add(b, ",", 1);

	if (rc < 0 || !quote)
		return rc < 0 ? rc : sb_add(b, v, strlen(v));
	if ((rc = sb_add(b, "\"", 1)) < 0)
		return rc;
	for (const char *p = v; *p; p++)
		if ((rc = sb_add(b, p, 1)) < 0 || (*p == '"' && (rc = sb_add(b, "\"", 1)) < 0))
			return rc;
	return sb_add(b, "\"", 1);
}

int kesu_ledger_export_csv(struct kesu_ledger *lg, const struct kesu_media_filter *filter,
			   enum kesu_csv_encoding enc, char **out, size_t *len,
			   struct kesu_errbuf *eb)
{
	struct kesu_media_list l;
	struct sbuf b = { 0 };
	int rc;

	*out = NULL;
	*len = 0;
	if ((rc = kesu_ledger_list(lg, filter, &l, eb)) < 0)
		return rc;
	for (int i = 0; i < KESU_MF_COUNT && rc == 0; i++)
		rc = sb_field(&b, kesu_media_field_info((enum kesu_media_field)i)->heading, i == 0);
	if (rc == 0)
		rc = sb_add(&b, "\r\n", 2);
	for (size_t r = 0; r < l.n && rc == 0; r++) {
		for (int i = 0; i < KESU_MF_COUNT && rc == 0; i++)
			rc = sb_field(&b, kesu_media_get(&l.items[r], (enum kesu_media_field)i), i == 0);
		if (rc == 0)
			rc = sb_add(&b, "\r\n", 2);
	}
	kesu_media_list_release(&l);
	if (rc < 0) {
		free(b.s);
		return rc;
	}
	if (enc == KESU_CSV_SJIS) {
		struct kesu_errbuf why;

		rc = kesu_csv_recode(b.s ? b.s : "", b.len, KESU_CSV_UTF8, KESU_CSV_SJIS, out, len, &why);
		if (rc < 0)
			kesu_err_set(eb, rc, "the ledger holds text that Shift_JIS cannot write (%s); "
				     "export in UTF-8 instead", why.msg);
		free(b.s);
		return rc;
	}
	*out = b.s;
	*len = b.len;
	return 0;
}
