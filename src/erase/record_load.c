/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Reading a result record back (record.h): the schema's lists
 * (record_schema.h) become tables of {key, kind, required, offset}, and one
 * walk checks a document against them and fills the typed struct. Strict:
 * integers and strings only, each member of its kind, the outcome one of
 * the names; every refusal names the member ("record.method.passes must be a
 * non-negative integer"). Members unknown to this kesu are left alone, so a
 * later kesu's record still loads here.
 */
#include <kesu/record.h>
#include <kesu/util.h>

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_DEPTH  12
#define MAX_STRING (64u << 10)   /* as a certificate (KESU_CERT_MAX_STRING) */

enum kind { K_STR, K_INT, K_U64, K_FLAG, K_ARR, K_OBJ };

struct field {
	const char *key;
	enum kind kind;
	bool required;
	size_t offset;
};

#define FIELD(st, member, key, kind, required) \
	{ key, K_##kind, required, offsetof(struct st, member) },
#define END { NULL, K_STR, false, 0 }

#define TOP_FIELD(member, key, kind, required) FIELD(kesu_record, member, key, kind, required)
static const struct field top_fields[] = { KESU_RECORD_TOP(TOP_FIELD) END };

/* One table per section: <member>_fields[]. */
#define SECTION_TABLE(member, key, required, fields) \
	static const struct field member##_fields[] = { fields(member##_FIELD) END };
#define tool_FIELD(m, k, t, r)         FIELD(kesu_record_tool, m, k, t, r)
#define host_FIELD(m, k, t, r)         FIELD(kesu_record_host, m, k, t, r)
#define device_FIELD(m, k, t, r)       FIELD(kesu_record_device, m, k, t, r)
#define method_FIELD(m, k, t, r)       FIELD(kesu_record_method, m, k, t, r)
#define verification_FIELD(m, k, t, r) FIELD(kesu_record_verification, m, k, t, r)
#define hidden_areas_FIELD(m, k, t, r) FIELD(kesu_record_hidden_areas, m, k, t, r)
#define bad_sectors_FIELD(m, k, t, r)  FIELD(kesu_record_bad_sectors, m, k, t, r)
#define time_FIELD(m, k, t, r)         FIELD(kesu_record_time, m, k, t, r)
#define secrets_FIELD(m, k, t, r)      FIELD(kesu_record_secrets, m, k, t, r)
KESU_RECORD_SECTIONS(SECTION_TABLE)

struct section {
	const char *key;
	bool required;
	size_t offset;
	const struct field *fields;
};

#define SECTION_ROW(member, key, required, fields) \
	{ key, required, offsetof(struct kesu_record, member), member##_fields },
static const struct section sections[] = { KESU_RECORD_SECTIONS(SECTION_ROW) };

#define POINT_FIELD(m, k, t, r)        FIELD(kesu_record_point, m, k, t, r)
#define BAD_RANGE_FIELD(m, k, t, r)    FIELD(kesu_record_bad_range, m, k, t, r)
#define INTERRUPTION_FIELD(m, k, t, r) FIELD(kesu_record_interruption, m, k, t, r)
static const struct field point_fields[] = { KESU_RECORD_POINT(POINT_FIELD) END };
static const struct field bad_range_fields[] = { KESU_RECORD_BAD_RANGE(BAD_RANGE_FIELD) END };
static const struct field interruption_fields[] = {
	KESU_RECORD_INTERRUPTION(INTERRUPTION_FIELD) END
};

#define OUTCOME_NAME(n) #n,
static const char *const outcome_names[] = { KESU_OUTCOMES(OUTCOME_NAME) };
#define N_OUTCOMES (sizeof(outcome_names) / sizeof(outcome_names[0]))

const char *kesu_outcome_name(enum kesu_outcome o)
{
	return (size_t)o < N_OUTCOMES ? outcome_names[o] : outcome_names[KESU_OUTCOME_FAILED];
}

int kesu_outcome_parse(const char *s, enum kesu_outcome *o)
{
	for (size_t i = 0; s && i < N_OUTCOMES; i++)
		if (!strcmp(s, outcome_names[i])) {
			*o = (enum kesu_outcome)i;
			return 0;
		}
	return -KESU_E_BAD_INPUT;
}

int kesu_outcome_is(const char *s, enum kesu_outcome o)
{
	return s && !strcmp(s, kesu_outcome_name(o));
}

/* ---- checking ---- */

static const char *kind_text(enum kind k)
{
	switch (k) {
	case K_STR:  return "a string";
	case K_INT:  return "an integer";
	case K_U64:  return "a non-negative integer";
	case K_FLAG: return "0 or 1";
	case K_ARR:  return "an array";
	case K_OBJ:  return "an object";
	}
	return "?";
}

static const char *json_kind_text(const json_t *v)
{
	switch (json_typeof(v)) {
	case JSON_OBJECT:  return "an object";
	case JSON_ARRAY:   return "an array";
	case JSON_STRING:  return "a string";
	case JSON_INTEGER: return "an integer";
	case JSON_REAL:    return "a real number";
	case JSON_TRUE:
	case JSON_FALSE:   return "true/false";
	case JSON_NULL:    return "null";
	}
	return "?";
}

/* Integers and strings only (the bytes must be reproducible), strings and depth capped. */
static int check_values(const json_t *v, int depth, const char *where, struct kesu_errbuf *eb)
{
	const char *key;
	json_t *member;
	size_t i;
	int rc = 0;

	if (depth > MAX_DEPTH)
		return kesu_err_set(eb, -KESU_E_BAD_INPUT, "%s: nested more than %d levels deep",
				    where, MAX_DEPTH);
	switch (json_typeof(v)) {
	case JSON_STRING:
		if (json_string_length(v) > MAX_STRING)
			rc = kesu_err_set(eb, -KESU_E_BAD_INPUT, "%s: a string longer than %u bytes",
					  where, MAX_STRING);
		return rc;
	case JSON_INTEGER:
		return 0;
	case JSON_OBJECT:
		json_object_foreach((json_t *)v, key, member)
			if ((rc = check_values(member, depth + 1, key, eb)) < 0)
				return rc;
		return 0;
	case JSON_ARRAY:
		json_array_foreach(v, i, member)
			if ((rc = check_values(member, depth + 1, where, eb)) < 0)
				return rc;
		return 0;
	default:
		return kesu_err_set(eb, -KESU_E_BAD_INPUT, "%s: only integers and strings are allowed "
				    "in a record (found %s)", where, json_kind_text(v));
	}
}

static bool kind_matches(const json_t *v, enum kind k)
{
	switch (k) {
	case K_STR:  return json_is_string(v);
	case K_INT:  return json_is_integer(v);
	case K_U64:  return json_is_integer(v) && json_integer_value(v) >= 0;
	case K_FLAG: return json_is_integer(v) && (json_integer_value(v) | 1) == 1;
	case K_ARR:  return json_is_array(v);
	case K_OBJ:  return json_is_object(v);
	}
	return false;
}

static void store(void *base, const struct field *f, const json_t *v)
{
	char *p = (char *)base + f->offset;

	switch (f->kind) {
	case K_STR:
		*(const char **)p = v ? json_string_value(v) : "";
		break;
	case K_INT:
		*(long long *)p = v ? (long long)json_integer_value(v) : 0;
		break;
	case K_U64:
		*(uint64_t *)p = v ? (uint64_t)json_integer_value(v) : 0;
		break;
	case K_FLAG:
		*(int *)p = v ? (int)json_integer_value(v) : 0;
		break;
	case K_ARR:
	case K_OBJ:
		*(const json_t **)p = v;
		break;
	}
}

/* Check obj's members against fields and fill base; where is "record.device." and the like. */
static int fill(const json_t *obj, const struct field *fields, void *base, const char *where,
		struct kesu_errbuf *eb)
{
	for (const struct field *f = fields; f->key; f++) {
		const json_t *v = json_object_get(obj, f->key);

		if (!v && f->required)
			return kesu_err_set(eb, -KESU_E_BAD_INPUT, "%s%s is missing", where, f->key);
		if (v && !kind_matches(v, f->kind) && json_is_integer(v) &&
		    (f->kind == K_U64 || f->kind == K_FLAG))
			return kesu_err_set(eb, -KESU_E_BAD_INPUT, "%s%s must be %s, not %lld", where,
					    f->key, kind_text(f->kind),
					    (long long)json_integer_value(v));
		if (v && !kind_matches(v, f->kind))
			return kesu_err_set(eb, -KESU_E_BAD_INPUT, "%s%s must be %s, not %s", where,
					    f->key, kind_text(f->kind), json_kind_text(v));
		store(base, f, v);
	}
	return 0;
}

/* Every element of the array (if any) is an object of fields. */
static int check_elements(const json_t *a, const char *name, const struct field *fields,
			  size_t size, struct kesu_errbuf *eb)
{
	unsigned char scratch[64];
	char where[64];
	const json_t *e;
	size_t i;
	int rc;

	if (size > sizeof(scratch))
		return -EINVAL;
	json_array_foreach(a, i, e) {
		snprintf(where, sizeof(where), "record.%s[%zu].", name, i);
		if (!json_is_object(e))
			return kesu_err_set(eb, -KESU_E_BAD_INPUT, "record.%s[%zu] must be an object",
					    name, i);
		if ((rc = fill(e, fields, scratch, where, eb)) < 0)
			return rc;
	}
	return 0;
}

static int check_arrays(const struct kesu_record *r, struct kesu_errbuf *eb)
{
	const json_t *e;
	size_t i;
	int rc;

	if ((rc = check_elements(r->timeline, "timeline", point_fields,
				 sizeof(struct kesu_record_point), eb)) < 0 ||
	    (rc = check_elements(r->bad_ranges, "bad_ranges", bad_range_fields,
				 sizeof(struct kesu_record_bad_range), eb)) < 0 ||
	    (rc = check_elements(r->interruptions, "interruptions", interruption_fields,
				 sizeof(struct kesu_record_interruption), eb)) < 0)
		return rc;
	json_array_foreach(r->outcome_reasons, i, e)
		if (!json_is_string(e))
			return kesu_err_set(eb, -KESU_E_BAD_INPUT, "record.outcome_reasons[%zu] must "
					    "be a string", i);
	return 0;
}

static int check_record(const json_t *doc, struct kesu_record *r, struct kesu_errbuf *eb)
{
	char where[48];
	int rc;

	if (!json_is_object(doc))
		return kesu_err_set(eb, -KESU_E_BAD_INPUT, "not a kesu result record: the document "
				    "is not a JSON object");
	if ((rc = check_values(doc, 1, "record", eb)) < 0 ||
	    (rc = fill(doc, top_fields, r, "record.", eb)) < 0)
		return rc;
	if (r->record_version != KESU_RECORD_VERSION)
		return kesu_err_set(eb, -KESU_E_BAD_INPUT, "record.record_version %lld is not %d: "
				    "not a record this kesu can read", r->record_version,
				    KESU_RECORD_VERSION);
	for (size_t i = 0; i < sizeof(sections) / sizeof(sections[0]); i++) {
		const struct section *s = &sections[i];
		const json_t *obj = json_object_get(doc, s->key);

		snprintf(where, sizeof(where), "record.%s.", s->key);
		if (!obj && s->required)
			return kesu_err_set(eb, -KESU_E_BAD_INPUT, "record.%s is missing", s->key);
		if (obj && !json_is_object(obj))
			return kesu_err_set(eb, -KESU_E_BAD_INPUT, "record.%s must be an object, "
					    "not %s", s->key, json_kind_text(obj));
		if (obj && (rc = fill(obj, s->fields, (char *)r + s->offset, where, eb)) < 0)
			return rc;
		for (const struct field *f = s->fields; !obj && f->key; f++)
			store((char *)r + s->offset, f, NULL);
	}
	if (kesu_outcome_parse(r->outcome_name, &r->outcome) < 0)
		return kesu_err_set(eb, -KESU_E_BAD_INPUT, "record.outcome \"%.32s\" is not one of "
				    KESU_OUTCOME_CHOICES, r->outcome_name);
	return check_arrays(r, eb);
}

int kesu_record_from_json(const json_t *doc, struct kesu_record *r, struct kesu_errbuf *eb)
{
	int rc;

	memset(r, 0, sizeof(*r));
	rc = check_record(doc, r, eb);
	if (rc < 0) {
		memset(r, 0, sizeof(*r));
		return rc;
	}
	r->doc = json_incref((json_t *)doc);  /* a reference, the document unchanged */
	return 0;
}

int kesu_record_load(const char *path, struct kesu_record *r, struct kesu_errbuf *eb)
{
	json_error_t jerr;
	json_t *doc;
	char *data = NULL;
	size_t len = 0;
	int rc;

	memset(r, 0, sizeof(*r));
	/* a regular file only: a FIFO named as the record is refused, not waited on */
	rc = kesu_read_file(path, KESU_RECORD_MAX_BYTES, &data, &len, eb);
	if (rc == -EFBIG)
		return kesu_err_set(eb, -KESU_E_BAD_INPUT, "%s: larger than %u bytes; not a record "
				    "kesu wrote", path, KESU_RECORD_MAX_BYTES);
	if (rc == -EISDIR)
		return kesu_err_set(eb, -KESU_E_BAD_INPUT, "%s: is a directory, not a record", path);
	if (rc < 0)
		return rc;
	doc = json_loadb(data, len, JSON_REJECT_DUPLICATES, &jerr);
	free(data);
	if (!doc)
		return kesu_err_set(eb, -KESU_E_BAD_INPUT, "%s: not valid JSON: %s (line %d, "
				    "column %d)", path, jerr.text, jerr.line, jerr.column);
	rc = kesu_record_from_json(doc, r, eb);
	json_decref(doc);
	if (rc < 0 && eb) {
		struct kesu_errbuf inner = *eb;

		kesu_err_set(eb, rc, "%s: %s", path, inner.msg);
	}
	return rc;
}

void kesu_record_release(struct kesu_record *r)
{
	json_decref(r->doc);
	memset(r, 0, sizeof(*r));
}

/* ---- the arrays' elements ---- */

static int element(const json_t *a, size_t i, const struct field *fields, void *out)
{
	const json_t *e = json_array_get(a, i);

	if (!e)
		return -ERANGE;
	return fill(e, fields, out, "", NULL);
}

int kesu_record_point_at(const struct kesu_record *r, size_t i, struct kesu_record_point *p)
{
	return element(r->timeline, i, point_fields, p);
}

int kesu_record_bad_range_at(const struct kesu_record *r, size_t i, struct kesu_record_bad_range *b)
{
	return element(r->bad_ranges, i, bad_range_fields, b);
}

int kesu_record_interruption_at(const struct kesu_record *r, size_t i,
				struct kesu_record_interruption *it)
{
	return element(r->interruptions, i, interruption_fields, it);
}

const char *kesu_record_reason(const struct kesu_record *r, size_t i)
{
	return json_string_value(json_array_get(r->outcome_reasons, i));
}
