/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Erasure certificates: build from a result record, sign, parse strictly and
 * verify (see include/kesu/cert.h for the file set and the schema).
 */
#include <kesu/cert.h>
#include <kesu/config.h>
#include <kesu/keys.h>
#include <kesu/record.h>
#include <kesu/sign.h>
#include <kesu/util.h>

#include <errno.h>
#include <jansson.h>
#include <limits.h>
#include <openssl/crypto.h>
#include <openssl/rand.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define JSON_FLAGS       (JSON_SORT_KEYS | JSON_COMPACT)
#define MAX_DEPTH        12
#define P7S_MAX_BYTES    (1u << 20)
#define TSR_MAX_BYTES    (1u << 20)

/* A string member or "" (absent, or not a string). */
static const char *jstr(const json_t *obj, const char *key)
{
	const char *s = json_string_value(json_object_get(obj, key));

	return s ? s : "";
}

/* A file too large or not a regular file is malformed input, not a system error. */
static int as_bad_input(int rc, const char *path, size_t max, struct kesu_errbuf *eb)
{
	if (rc == -EFBIG)
		return kesu_err_set(eb, -KESU_E_BAD_INPUT, "%s: larger than %zu bytes; not what "
				    "kesu writes", path, max);
	if (rc == -EISDIR)
		return kesu_err_set(eb, -KESU_E_BAD_INPUT, "%s: is a directory, not a file", path);
	return rc;
}

/*
 * Integers and strings only (in objects and arrays), strings capped, depth
 * capped: the bytes must be reproducible and the parser's output small.
 */
static int check_types(const json_t *v, int depth, const char *where, struct kesu_errbuf *eb)
{
	const char *key;
	json_t *member;
	size_t i;

	if (depth > MAX_DEPTH)
		return kesu_err_set(eb, -KESU_E_BAD_INPUT, "%s: nested more than %d levels deep",
				    where, MAX_DEPTH);
	switch (json_typeof(v)) {
	case JSON_STRING:
		if (json_string_length(v) > KESU_CERT_MAX_STRING)
			return kesu_err_set(eb, -KESU_E_BAD_INPUT, "%s: a string longer than %u bytes",
					    where, KESU_CERT_MAX_STRING);
		return 0;
	case JSON_INTEGER:
		return 0;
	case JSON_OBJECT:
		json_object_foreach((json_t *)v, key, member) {
			int rc = check_types(member, depth + 1, key, eb);

			if (rc)
				return rc;
		}
		return 0;
	case JSON_ARRAY:
		json_array_foreach(v, i, member) {
			int rc = check_types(member, depth + 1, where, eb);

			if (rc)
				return rc;
		}
		return 0;
	default:
		return kesu_err_set(eb, -KESU_E_BAD_INPUT, "%s: only integers and strings are allowed "
				    "(found a %s)", where,
				    json_is_real(v) ? "real number" :
				    json_is_null(v) ? "null" : "true/false");
	}
}

static int need_type(const json_t *obj, const char *key, json_type type, const char *where,
		     struct kesu_errbuf *eb)
{
	static const char *const names[] = { "an object", "an array", "a string", "an integer",
					     "a number", "true", "false", "null" };
	const json_t *v = json_object_get(obj, key);

	if (!v)
		return kesu_err_set(eb, -KESU_E_BAD_INPUT, "%s%s is missing", where, key);
	if (json_typeof(v) != type)
		return kesu_err_set(eb, -KESU_E_BAD_INPUT, "%s%s must be %s", where, key,
				    names[type]);
	return 0;
}

/* Every key in keys[] is a string member of obj. */
static int need_strings(const json_t *obj, const char *const *keys, const char *where,
			struct kesu_errbuf *eb)
{
	int rc = 0;

	for (; *keys && !rc; keys++)
		rc = need_type(obj, *keys, JSON_STRING, where, eb);
	return rc;
}

/* A member the schema needs: its key and JSON type. */
struct member {
	const char *key;
	json_type type;
};

/* Every member of members[] (up to a NULL key) is in obj with its type. */
static int need_members(const json_t *obj, const struct member *members, const char *where,
			struct kesu_errbuf *eb)
{
	int rc = 0;

	for (; members->key && !rc; members++)
		rc = need_type(obj, members->key, members->type, where, eb);
	return rc;
}

static int id_valid(const char *id)
{
	size_t n = 0;

	for (; id[n]; n++)
		if (!((id[n] >= '0' && id[n] <= '9') || (id[n] >= 'A' && id[n] <= 'Z') || id[n] == '-'))
			return 0;
	return n > 0 && n < KESU_CERT_ID_MAX;
}

static int hex64_valid(const char *s)
{
	size_t n;

	for (n = 0; s[n]; n++)
		if (!((s[n] >= '0' && s[n] <= '9') || (s[n] >= 'a' && s[n] <= 'f')))
			return 0;
	return n == 64;
}

int kesu_cert_record_sha256(const json_t *record, char out[65])
{
	char *s = json_dumps(record, JSON_FLAGS);
	int rc;

	if (!s)
		return -ENOMEM;
	rc = kesu_sha256_hex(s, strlen(s), out);
	free(s);
	return rc;
}

const char *const kesu_cert_person_keys[] = { "name", "title", "organisation", "location",
					      "contact", NULL };
const char *const kesu_cert_media_keys[] = { "make", "model", "serial", "property_id", "type",
					     "source", "classification", "data_backed_up",
					     "backup_location", NULL };
const char *const kesu_cert_sanitization_keys[] = { "category", "method", "details", "tool",
						    "tool_version", "verification_method",
						    "verification_result",
						    "post_classification", "notes", NULL };
const char *const kesu_cert_validation_keys[] = { "name", "title", "organisation", "location",
						  "contact", "date", "signature", NULL };
const char *const kesu_cert_contract_keys[] = { "name", "client", "contractor", NULL };
const char *const kesu_cert_signer_keys[] = { "subject", "fingerprint", NULL };
const char *const kesu_cert_media_added_keys[] = { "data_name", "bridge_serial", "bridge_model",
						   NULL };
const char *const kesu_cert_witness_keys[] = { "name", NULL };

/* Members added after the first certificates: absent is fine, present must be strings. */
static int added_members_valid(const json_t *c, struct kesu_errbuf *eb)
{
	const json_t *media = json_object_get(json_object_get(c, "nist"), "media");
	const json_t *witness = json_object_get(c, "witness");
	const char *const *k;
	int rc = 0;

	for (k = kesu_cert_media_added_keys; *k && !rc; k++)
		if (json_object_get(media, *k))
			rc = need_type(media, *k, JSON_STRING, "nist.media.", eb);
	if (rc || !witness)
		return rc;
	if (!json_is_object(witness))
		return kesu_err_set(eb, -KESU_E_BAD_INPUT, "witness must be an object");
	return need_strings(witness, kesu_cert_witness_keys, "witness.", eb);
}

/* The schema every certificate follows (cert.h). */
static int cert_validate(const json_t *c, struct kesu_errbuf *eb)
{
	static const struct member top[] = {
		{ "certificate_id", JSON_STRING }, { "issued_at", JSON_STRING },
		{ "outcome", JSON_STRING }, { "record_sha256", JSON_STRING },
		{ "nist", JSON_OBJECT }, { "contract", JSON_OBJECT }, { "host", JSON_OBJECT },
		{ "record", JSON_OBJECT }, { "signer", JSON_OBJECT },
		{ "certificate_version", JSON_INTEGER }, { NULL, JSON_NULL },
	};
	static const struct member nist_members[] = {
		{ "person", JSON_OBJECT }, { "media", JSON_OBJECT },
		{ "sanitization", JSON_OBJECT }, { "validation", JSON_OBJECT },
		{ "destination", JSON_STRING }, { NULL, JSON_NULL },
	};
	/* The sections made only of strings: in nist or at the top. */
	static const struct {
		bool in_nist;
		const char *name, *where;
		const char *const *keys;
	} sections[] = {
		{ true, "person", "nist.person.", kesu_cert_person_keys },
		{ true, "media", "nist.media.", kesu_cert_media_keys },
		{ true, "sanitization", "nist.sanitization.", kesu_cert_sanitization_keys },
		{ true, "validation", "nist.validation.", kesu_cert_validation_keys },
		{ false, "contract", "contract.", kesu_cert_contract_keys },
		{ false, "signer", "signer.", kesu_cert_signer_keys },
	};
	enum kesu_outcome outcome;
	const json_t *nist;
	int rc;

	if (!json_is_object(c))
		return kesu_err_set(eb, -KESU_E_BAD_INPUT, "the certificate is not a JSON object");
	rc = check_types(c, 0, "certificate", eb);
	if (rc)
		return rc;
	rc = need_members(c, top, "", eb);
	if (rc)
		return rc;
	if (json_integer_value(json_object_get(c, "certificate_version")) != KESU_CERT_VERSION)
		return kesu_err_set(eb, -KESU_E_BAD_INPUT, "certificate_version %lld is not %d",
				    (long long)json_integer_value(json_object_get(c,
						"certificate_version")), KESU_CERT_VERSION);
	if (!id_valid(jstr(c, "certificate_id")))
		return kesu_err_set(eb, -KESU_E_BAD_INPUT, "certificate_id must be 1-%d characters "
				    "of 0-9 A-Z -", KESU_CERT_ID_MAX - 1);
	if (kesu_outcome_parse(jstr(c, "outcome"), &outcome) < 0)
		return kesu_err_set(eb, -KESU_E_BAD_INPUT, "outcome is not one of "
				    KESU_OUTCOME_CHOICES);
	if (!hex64_valid(jstr(c, "record_sha256")))
		return kesu_err_set(eb, -KESU_E_BAD_INPUT, "record_sha256 is not 64 lowercase hex digits");
	nist = json_object_get(c, "nist");
	rc = need_members(nist, nist_members, "nist.", eb);
	for (size_t i = 0; !rc && i < sizeof(sections) / sizeof(sections[0]); i++)
		rc = need_strings(json_object_get(sections[i].in_nist ? nist : c, sections[i].name),
				  sections[i].keys, sections[i].where, eb);
	if (!rc)
		rc = added_members_valid(c, eb);
	return rc;
}

int kesu_cert_parse(const char *data, size_t len, json_t **out, struct kesu_errbuf *eb)
{
	json_error_t jerr;
	json_t *c;
	int rc;

	*out = NULL;
	if (len > KESU_CERT_MAX_BYTES)
		return kesu_err_set(eb, -KESU_E_BAD_INPUT, "the certificate is larger than %u bytes",
				    KESU_CERT_MAX_BYTES);
	c = json_loadb(data, len, JSON_REJECT_DUPLICATES, &jerr);
	if (!c)
		return kesu_err_set(eb, -KESU_E_BAD_INPUT, "not valid JSON: %s (line %d, column %d)",
				    jerr.text, jerr.line, jerr.column);
	rc = cert_validate(c, eb);
	if (rc) {
		json_decref(c);
		return rc;
	}
	*out = c;
	return 0;
}

int kesu_cert_load(const char *json_path, json_t **cert, char **bytes, size_t *len,
		   struct kesu_errbuf *eb)
{
	char *data = NULL;
	size_t n = 0;
	int rc;

	*cert = NULL;
	if (bytes)
		*bytes = NULL;
	rc = kesu_read_file(json_path, KESU_CERT_MAX_BYTES, &data, &n, eb);
	rc = as_bad_input(rc, json_path, KESU_CERT_MAX_BYTES, eb);
	if (rc)
		return rc;
	rc = kesu_cert_parse(data, n, cert, eb);
	if (rc) {
		if (eb) {
			struct kesu_errbuf inner = *eb;

			kesu_err_set(eb, rc, "%s: %s", json_path, inner.msg);
		}
		free(data);
		return rc;
	}
	if (bytes) {
		*bytes = data;
		*len = n;
	} else {
		free(data);
	}
	return 0;
}

/* The loader, then the time rule (cert_time.c, which calls nothing here). */
int kesu_cert_file_time_doubt(const char *path, char *why, size_t len)
{
	json_t *c = NULL;
	const char *d;
	int rc = kesu_cert_load(path, &c, NULL, NULL, NULL);

	if (rc < 0)
		return rc;
	d = kesu_cert_time_doubt(c);
	if (d)
		snprintf(why, len, "%s", d);
	json_decref(c);
	return d != NULL;
}

/* ---- issuing ---- */

static const char *cfg_get(const struct kesu_config *cfg, const char *sec, const char *key,
			   const char *fallback)
{
	return cfg ? kesu_config_get_or(cfg, sec, key, fallback) : fallback;
}

static int make_cert_id(time_t now, char *id, size_t len)
{
	unsigned char rnd[4];
	struct tm tm;
	char day[16];
	int n;

	if (RAND_bytes(rnd, sizeof(rnd)) != 1)
		return -EIO;
	gmtime_r(&now, &tm);
	strftime(day, sizeof(day), "%Y%m%d", &tm);
	n = snprintf(id, len, "KC-%s-%02X%02X%02X%02X", day, rnd[0], rnd[1], rnd[2], rnd[3]);
	return n < 0 || (size_t)n >= len ? -ENAMETOOLONG : 0;
}

static bool given(const char *s)
{
	return s && *s;
}

/*
 * The ledger's 記録媒体 for a linked wipe, else the configuration's [media]
 * type, else an "SSD (NVMe)"-style type from the record.
 */
static void media_type(const struct kesu_record_device *dev, const struct kesu_config *cfg,
		       const char *medium, char *buf, size_t len)
{
	const char *t = dev->transport;

	if (given(medium)) {
		snprintf(buf, len, "%s", medium);
	} else if (*cfg_get(cfg, "media", "type", "")) {
		snprintf(buf, len, "%s", cfg_get(cfg, "media", "type", ""));
	} else if (!strcmp(t, "nvme")) {
		snprintf(buf, len, "NVMe SSD");
	} else if (!strcmp(t, "usb") || !strcmp(t, "mmc")) {
		snprintf(buf, len, "%s flash media", !strcmp(t, "usb") ? "USB" : "memory card");
	} else {
		snprintf(buf, len, "%s%s%s%s", dev->rotational ? "hard disk" : "SSD",
			 *t ? " (" : "", t, *t ? ")" : "");
	}
}

static json_t *string_obj(const struct kesu_config *cfg, const char *section,
			  const char *const *keys)
{
	json_t *o = json_object();

	/* json_string() refuses text that is not UTF-8: then the whole build fails. */
	for (; o && *keys; keys++)
		if (json_object_set_new(o, *keys, json_string(cfg_get(cfg, section, *keys, "")))) {
			json_decref(o);
			return NULL;
		}
	return o;
}

/*
 * nist.person: [operator] of the configuration, but the name is the command
 * line's, else the record's (kesu wipe --operator), else the configuration's.
 */
static json_t *build_person(const struct kesu_record *rec, const struct kesu_cert_issue_opts *o)
{
	static const char *const person_keys[] = { "name", "title", "organisation", "location",
						   "contact", NULL };
	json_t *person = string_obj(o->cfg, "operator", person_keys);
	const char *name = given(o->operator_name) ? o->operator_name : rec->operator_name;

	if (person && *name && json_object_set_new(person, "name", json_string(name))) {
		json_decref(person);
		return NULL;
	}
	return person;
}

static json_t *build_nist(const struct kesu_record *rec, const struct kesu_cert_issue_opts *o)
{
	const struct kesu_config *cfg = o->cfg;
	static const char *const validation[] = { "name", "title", "organisation", "location",
						  "contact", "date", "signature", NULL };
	const struct kesu_record_device *dev = &rec->device;
	const struct kesu_record_method *method = &rec->method;
	const struct kesu_record_verification *ver = &rec->verification;
	char type[128];
	json_t *validation_o = json_object();
	size_t i;

	media_type(dev, cfg, o->medium, type, sizeof(type));
	/* The validation block stays empty until a second person validates. */
	for (i = 0; validation_o && validation[i]; i++)
		json_object_set_new(validation_o, validation[i], json_string(""));
	return json_pack("{s:o, s:{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s},"
			 " s:{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s}, s:s, s:o}",
		"person", build_person(rec, o),
		"media",
		"make", dev->vendor, "model", dev->model,
		"serial", dev->serial, "bridge_serial", dev->bridge_serial,
		"bridge_model", dev->bridge_model,
		"data_name", given(o->data_name) ? o->data_name : "",
		"property_id", cfg_get(cfg, "media", "property_id", ""),
		"type", type,
		"source", cfg_get(cfg, "media", "source", ""),
		"classification", cfg_get(cfg, "media", "classification", ""),
		"data_backed_up", cfg_get(cfg, "media", "data_backed_up", "unknown"),
		"backup_location", cfg_get(cfg, "media", "backup_location", ""),
		"sanitization",
		"category", method->category, "method", method->name,
		"details", method->details,
		"tool", *rec->tool.name ? rec->tool.name : "kesu",
		"tool_version", rec->tool.version,
		"verification_method", ver->mode,
		"verification_result", ver->result,
		"post_classification", cfg_get(cfg, "sanitization", "post_classification", ""),
		"notes", cfg_get(cfg, "sanitization", "notes", ""),
		"destination", cfg_get(cfg, "media", "destination", ""),
		"validation", validation_o);
}

/*
 * The record as the certificate carries it: without "secrets" (the ATA
 * temporary password stays in the local record only). A new reference.
 */
static json_t *public_record(const json_t *rec)
{
	json_t *copy = json_deep_copy(rec);

	if (copy)
		json_object_del(copy, KESU_RECORD_SECRETS);
	return copy;
}

static json_t *build_cert(const struct kesu_record *rec, const struct kesu_cert_issue_opts *o,
			  const char *id, time_t now, const char *signer_subject,
			  const char *signer_fp)
{
	static const char *const contract[] = { "name", "client", "contractor", NULL };
	const char *witness = given(o->witness) ? o->witness : rec->witness;
	char issued[32], rsha[65];
	json_t *rec_copy, *host_copy;

	rec_copy = public_record(rec->doc);
	if (!rec_copy || kesu_cert_record_sha256(rec_copy, rsha)) {
		json_decref(rec_copy);
		return NULL;
	}
	kesu_time_rfc3339(now, issued, sizeof(issued));
	host_copy = json_deep_copy(json_object_get(rec->doc, "host"));
	return json_pack("{s:s, s:i, s:s, s:s, s:o, s:o, s:o, s:o, s:s, s:{s:s, s:s}, s:{s:s}}",
			 "certificate_id", id, "certificate_version", KESU_CERT_VERSION,
			 "issued_at", issued, "outcome", kesu_outcome_name(rec->outcome),
			 "nist", build_nist(rec, o),
			 "contract", string_obj(o->cfg, "contract", contract),
			 "host", host_copy, "record", rec_copy, "record_sha256", rsha,
			 "signer", "subject", signer_subject, "fingerprint", signer_fp,
			 "witness", "name", witness);
}

struct signing_paths {
	char key[PATH_MAX], cert[PATH_MAX], chain[PATH_MAX];
	const char *pass;
	int have_chain;
};

static int pick(char *dst, size_t len, const char *opt, const char *conf, const char *dir,
		const char *name)
{
	if (opt && *opt)
		return snprintf(dst, len, "%s", opt) >= (int)len ? -ENAMETOOLONG : 0;
	if (conf && *conf)
		return snprintf(dst, len, "%s", conf) >= (int)len ? -ENAMETOOLONG : 0;
	return kesu_key_path(dst, len, dir, name);
}

/* Where the key, certificate and chain are: the options, else [signing], else the key directory. */
static int resolve_paths(const struct kesu_cert_issue_opts *o, struct signing_paths *p)
{
	const struct kesu_config *cfg = o->cfg;
	char dir[PATH_MAX - 32];
	int rc;

	rc = kesu_key_default_dir(dir, sizeof(dir));
	if (!rc)
		rc = pick(p->key, sizeof(p->key), o->key_path, cfg_get(cfg, "signing", "key", NULL),
			  dir, KESU_KEY_FILE);
	if (!rc)
		rc = pick(p->cert, sizeof(p->cert), o->cert_path,
			  cfg_get(cfg, "signing", "cert", NULL), dir, KESU_SIGNER_FILE);
	if (!rc)
		rc = pick(p->chain, sizeof(p->chain), o->chain_path,
			  cfg_get(cfg, "signing", "chain", NULL), dir, KESU_CHAIN_FILE);
	return rc;
}

int kesu_cert_signer_paths(const struct kesu_cert_issue_opts *opts, char *key, size_t key_len,
			   char *cert, size_t cert_len)
{
	static const struct kesu_cert_issue_opts none;
	struct signing_paths p;
	int rc = resolve_paths(opts ? opts : &none, &p);

	if (!rc && ((size_t)snprintf(key, key_len, "%s", p.key) >= key_len ||
		    (size_t)snprintf(cert, cert_len, "%s", p.cert) >= cert_len))
		rc = -ENAMETOOLONG;
	return rc;
}

static int signing_paths(const struct kesu_cert_issue_opts *o, struct signing_paths *p,
			 struct kesu_errbuf *eb)
{
	const struct kesu_config *cfg = o->cfg;
	int rc = resolve_paths(o, p);

	if (rc)
		return kesu_err_set(eb, rc, "signing key path too long");
	/* An explicit chain must exist; the default one is optional. */
	p->have_chain = (o->chain_path && *o->chain_path) ||
			*cfg_get(cfg, "signing", "chain", "") || access(p->chain, F_OK) == 0;
	p->pass = o->passphrase_file ? o->passphrase_file :
		  cfg_get(cfg, "signing", "passphrase_file", NULL);
	if (p->pass && !*p->pass)
		p->pass = NULL;
	if (access(p->key, F_OK) != 0)
		return kesu_err_set(eb, -KESU_E_KEY, "no signing key at %s; create one with "
				    "'kesu key init' or name it with --key or [signing] key", p->key);
	if (access(p->cert, F_OK) != 0)
		return kesu_err_set(eb, -KESU_E_KEY, "no signer certificate at %s; make one with "
				    "'kesu key self-sign' or 'kesu ca sign', or name it with --signer-cert",
				    p->cert);
	return 0;
}

int kesu_cert_signer_open(const struct kesu_cert_issue_opts *opts, struct kesu_signer **signer,
			  struct kesu_errbuf *eb)
{
	static const struct kesu_cert_issue_opts none;
	const struct kesu_cert_issue_opts *o = opts ? opts : &none;
	struct signing_paths sp;
	int rc;

	*signer = NULL;
	rc = signing_paths(o, &sp, eb);
	if (!rc)
		rc = kesu_signer_load(sp.key, sp.cert, sp.have_chain ? sp.chain : NULL, sp.pass,
				      signer, eb);
	return rc;
}

int kesu_cert_signer_check(const struct kesu_cert_issue_opts *opts, char *subject,
			   size_t subject_len, struct kesu_errbuf *eb)
{
	struct kesu_signer *signer = NULL;
	int rc;

	rc = kesu_cert_signer_open(opts, &signer, eb);
	if (!rc && subject)
		kesu_signer_subject(signer, subject, subject_len);
	kesu_signer_free(signer);
	return rc;
}

int kesu_cert_signer_named(const struct kesu_cert_issue_opts *opts)
{
	if (!opts)
		return 0;
	return (opts->key_path && *opts->key_path) || (opts->cert_path && *opts->cert_path) ||
	       *cfg_get(opts->cfg, "signing", "key", "") || *cfg_get(opts->cfg, "signing", "cert", "");
}

struct out_paths {
	char json[PATH_MAX], p7s[PATH_MAX], pdf[PATH_MAX];
};

static int out_paths(const char *dir, const char *id, struct out_paths *p)
{
	if (snprintf(p->json, sizeof(p->json), "%s/%s.json", dir, id) >= (int)sizeof(p->json) ||
	    snprintf(p->p7s, sizeof(p->p7s), "%s/%s.json.p7s", dir, id) >= (int)sizeof(p->p7s) ||
	    snprintf(p->pdf, sizeof(p->pdf), "%s/%s.pdf", dir, id) >= (int)sizeof(p->pdf))
		return -ENAMETOOLONG;
	return 0;
}

/*
 * Write the set: the PDF and the signature first, the JSON last, so a JSON
 * that exists always has its signature; on failure nothing of the set stays.
 */
static int write_set(const struct out_paths *p, const char *json, const char *p7s,
		     size_t p7s_len, const json_t *cert, const char *json_sha, int no_pdf,
		     struct kesu_errbuf *eb)
{
	int rc = 0;

	if (!no_pdf)
		rc = kesu_cert_pdf_write(cert, json_sha, p->pdf, eb);
	if (!rc)
		rc = kesu_write_file_atomic(p->p7s, p7s, p7s_len, 0644, eb);
	if (!rc)
		rc = kesu_write_file_atomic(p->json, json, strlen(json), 0644, eb);
	if (rc) {
		unlink(p->pdf);
		unlink(p->p7s);
		unlink(p->json);
	}
	return rc;
}

static int issue(const struct kesu_record *record, const struct kesu_cert_issue_opts *opts,
		 char *cert_id, size_t cert_id_len, struct kesu_errbuf *eb)
{
	static const struct kesu_cert_issue_opts none;
	const struct kesu_cert_issue_opts *o = opts ? opts : &none;
	const char *dir = o->out_dir ? o->out_dir : ".";
	struct kesu_signer *signer = NULL;
	struct signing_paths sp;
	struct out_paths op;
	char id[KESU_CERT_ID_MAX], subject[512], fp[65], json_sha[65];
	char *json = NULL, *p7s = NULL;
	size_t p7s_len = 0;
	json_t *cert = NULL;
	time_t now = o->now ? o->now : time(NULL);
	struct stat st;
	int rc;

	if (stat(dir, &st) < 0 || !S_ISDIR(st.st_mode))
		return kesu_err_set(eb, -ENOENT, "output directory %s does not exist; create it or "
				    "give another with --out", dir);
	rc = signing_paths(o, &sp, eb);
	if (rc)
		return rc;
	rc = kesu_signer_load(sp.key, sp.cert, sp.have_chain ? sp.chain : NULL, sp.pass, &signer, eb);
	if (rc)
		return rc;
	kesu_signer_subject(signer, subject, sizeof(subject));
	kesu_signer_fingerprint(signer, fp);
	if (make_cert_id(now, id, sizeof(id)) || out_paths(dir, id, &op)) {
		rc = kesu_err_set(eb, -ENAMETOOLONG, "%s: output directory path too long", dir);
		goto out;
	}
	if (access(op.json, F_OK) == 0) {
		rc = kesu_err_set(eb, -EEXIST, "%s already exists", op.json);
		goto out;
	}
	cert = build_cert(record, o, id, now, subject, fp);
	json = cert ? json_dumps(cert, JSON_FLAGS) : NULL;
	if (!json) {
		rc = kesu_err_set(eb, -KESU_E_BAD_INPUT, "cannot build the certificate: a field "
				  "(operator, witness, contract, media options) is not valid UTF-8");
		goto out;
	}
	/* Never sign what kesu's own verifier would reject. */
	rc = cert_validate(cert, eb);
	if (rc)
		goto out;
	kesu_sha256_hex(json, strlen(json), json_sha);
	rc = kesu_sign_detached(signer, json, strlen(json), &p7s, &p7s_len, eb);
	if (!rc)
		rc = write_set(&op, json, p7s, p7s_len, cert, json_sha, o->no_pdf, eb);
	if (!rc && (size_t)snprintf(cert_id, cert_id_len, "%s", id) >= cert_id_len)
		rc = kesu_err_set(eb, -ENAMETOOLONG, "certificate ID buffer too small");
out:
	free(p7s);
	free(json);
	json_decref(cert);
	kesu_signer_free(signer);
	return rc;
}

int kesu_cert_issue(const json_t *record, const struct kesu_cert_issue_opts *opts,
		    char *cert_id, size_t cert_id_len, struct kesu_errbuf *eb)
{
	struct kesu_record rec;
	int rc = kesu_record_from_json(record, &rec, eb);

	if (rc)
		return rc;
	rc = issue(&rec, opts, cert_id, cert_id_len, eb);
	kesu_record_release(&rec);
	return rc;
}

int kesu_cert_issue_file(const char *record_path, const struct kesu_cert_issue_opts *opts,
			 char *cert_id, size_t cert_id_len, struct kesu_errbuf *eb)
{
	struct kesu_record rec;
	int rc = kesu_record_load(record_path, &rec, eb);

	if (rc)
		return rc;
	rc = issue(&rec, opts, cert_id, cert_id_len, eb);
	kesu_record_release(&rec);
	return rc;
}

/* ---- verification ---- */

int kesu_cert_verify_ok(const struct kesu_cert_verify *v)
{
	return v->parsed && v->signature_ok && v->chain_ok && v->hashes_ok && !v->expired &&
	       !v->not_yet_valid && v->timestamp != KESU_TS_MISMATCH &&
	       v->timestamp != KESU_TS_TSA_UNVERIFIED;
}

/* Copy text, cut to fit. */
static void set_text(char *dst, size_t len, const char *src)
{
	size_t n = strlen(src);

	if (n >= len)
		n = len - 1;
	memcpy(dst, src, n);
	dst[n] = '\0';
}

static void problem(struct kesu_cert_verify *v, const char *text)
{
	if (!v->problem[0])
		set_text(v->problem, sizeof(v->problem), text);
}

/* The certificate's own cross-checks: hashes and copies of the record agree. */
static void internal_checks(const json_t *c, struct kesu_cert_verify *v)
{
	const json_t *rec = json_object_get(c, "record");
	const json_t *nist = json_object_get(c, "nist");
	const json_t *dev = json_object_get(rec, "device");
	const json_t *method = json_object_get(rec, "method");
	char rsha[65];

	if (kesu_cert_record_sha256(rec, rsha) || strcmp(rsha, jstr(c, "record_sha256")))
		return problem(v, "record_sha256 does not match the record inside the certificate");
	if (strcmp(jstr(c, "outcome"), jstr(rec, "outcome")))
		return problem(v, "the outcome differs from the record's outcome");
	if (strcmp(jstr(json_object_get(nist, "media"), "serial"), jstr(dev, "serial")))
		return problem(v, "nist.media.serial differs from the record's device serial");
	if (strcmp(jstr(json_object_get(nist, "sanitization"), "category"), jstr(method, "category")))
		return problem(v, "nist.sanitization.category differs from the record's method");
	v->hashes_ok = 1;
}

static void copy_fields(const json_t *c, struct kesu_cert_verify *v)
{
	snprintf(v->certificate_id, sizeof(v->certificate_id), "%s", jstr(c, "certificate_id"));
	snprintf(v->outcome, sizeof(v->outcome), "%s", jstr(c, "outcome"));
	snprintf(v->issued_at, sizeof(v->issued_at), "%s", jstr(c, "issued_at"));
	snprintf(v->media_serial, sizeof(v->media_serial), "%s",
		 jstr(json_object_get(json_object_get(c, "nist"), "media"), "serial"));
}

int kesu_cert_verify_mem(const char *json, size_t json_len, const char *p7s, size_t p7s_len,
			 const char *tsr, size_t tsr_len, const char *ca_path,
			 struct kesu_cert_verify *v, struct kesu_errbuf *eb)
{
	const struct kesu_cert_trust t = { .ca_path = ca_path };

	return kesu_cert_verify_mem_trust(json, json_len, p7s, p7s_len, tsr, tsr_len, &t, v, eb);
}

int kesu_cert_verify_mem_trust(const char *json, size_t json_len, const char *p7s,
			       size_t p7s_len, const char *tsr, size_t tsr_len,
			       const struct kesu_cert_trust *trust, struct kesu_cert_verify *v,
			       struct kesu_errbuf *eb)
{
	const char *ca_path = trust ? trust->ca_path : NULL;
	struct kesu_sig_result sr;
	struct kesu_errbuf parse_eb;
	json_t *c = NULL;
	const json_t *signer;
	char tsproblem[256];
	int rc, src;

	memset(v, 0, sizeof(*v));
	kesu_sha256_hex(json, json_len, v->json_sha256);
	rc = kesu_cert_parse(json, json_len, &c, &parse_eb);
	if (!rc) {
		v->parsed = 1;
		copy_fields(c, v);
		internal_checks(c, v);
	} else {
		snprintf(v->problem, sizeof(v->problem), "malformed certificate: %.480s", parse_eb.msg);
	}
	src = kesu_sign_verify_detached(json, json_len, p7s, p7s_len, ca_path, &sr, eb);
	if (src == -KESU_E_BAD_INPUT) {
		problem(v, eb ? eb->msg : "the signature is not a CMS signature");
		rc = rc ? rc : src;
		goto out;
	}
	if (src && src != -KESU_E_SIGNATURE) {
		problem(v, eb ? eb->msg : kesu_strerror(src));
		rc = rc ? rc : src;
		goto out;
	}
	v->signature_ok = sr.signature_ok;
	v->chain_ok = sr.chain_ok;
	v->expired = sr.expired;
	v->not_yet_valid = sr.not_yet_valid;
	snprintf(v->signer_subject, sizeof(v->signer_subject), "%s", sr.subject);
	snprintf(v->signer_fingerprint, sizeof(v->signer_fingerprint), "%s", sr.fingerprint);
	snprintf(v->signer_not_after, sizeof(v->signer_not_after), "%s", sr.not_after);
	snprintf(v->signing_time, sizeof(v->signing_time), "%s", sr.signing_time);
	if (sr.problem[0])
		problem(v, sr.problem);
	signer = json_object_get(c, "signer");
	if (c && v->hashes_ok && strcmp(jstr(signer, "fingerprint"), sr.fingerprint)) {
		v->hashes_ok = 0;
		problem(v, "signer.fingerprint names a different certificate than the one that signed");
	}
	v->timestamp = kesu_ts_check_trust(p7s, p7s_len, tsr, tsr_len, ca_path,
					   trust ? trust->tsa_ca_path : NULL, v->timestamp_time,
					   tsproblem);
	set_text(v->timestamp_problem, sizeof(v->timestamp_problem), tsproblem);
	if (v->timestamp == KESU_TS_MISMATCH || v->timestamp == KESU_TS_TSA_UNVERIFIED)
		problem(v, tsproblem);
	if (rc)
		goto out;
	if (!kesu_cert_verify_ok(v))
		rc = -KESU_E_SIGNATURE;
out:
	if (rc && eb)
		kesu_err_set(eb, rc, "%s", v->problem[0] ? v->problem : kesu_strerror(rc));
	else
		kesu_err_clear(eb);
	json_decref(c);
	return rc;
}

static int read_optional(const char *path, size_t max, char **data, size_t *len,
			 struct kesu_errbuf *eb)
{
	int rc = kesu_read_file(path, max, data, len, eb);

	if (rc == -ENOENT) {
		kesu_err_clear(eb);
		*data = NULL;
		*len = 0;
		return 0;
	}
	return as_bad_input(rc, path, max, eb);
}

int kesu_cert_verify_file(const char *json_path, const char *ca_path,
			  struct kesu_cert_verify *v, struct kesu_errbuf *eb)
{
	const struct kesu_cert_trust t = { .ca_path = ca_path };

	return kesu_cert_verify_file_trust(json_path, &t, v, eb);
}

int kesu_cert_verify_file_trust(const char *json_path, const struct kesu_cert_trust *trust,
				struct kesu_cert_verify *v, struct kesu_errbuf *eb)
{
	char p7s_path[PATH_MAX], tsr_path[PATH_MAX];
	char *json = NULL, *p7s = NULL, *tsr = NULL;
	size_t json_len = 0, p7s_len = 0, tsr_len = 0;
	int rc;

	memset(v, 0, sizeof(*v));
	if (snprintf(p7s_path, sizeof(p7s_path), "%s.p7s", json_path) >= (int)sizeof(p7s_path) ||
	    snprintf(tsr_path, sizeof(tsr_path), "%s.p7s.tsr", json_path) >= (int)sizeof(tsr_path))
		return kesu_err_set(eb, -ENAMETOOLONG, "%s: path too long", json_path);
	rc = kesu_read_file(json_path, KESU_CERT_MAX_BYTES, &json, &json_len, eb);
	rc = as_bad_input(rc, json_path, KESU_CERT_MAX_BYTES, eb);
	if (rc)
		goto fail;
	rc = kesu_read_file(p7s_path, P7S_MAX_BYTES, &p7s, &p7s_len, eb);
	if (rc == -ENOENT)
		rc = kesu_err_set(eb, -ENOENT, "%s: no signature beside the certificate; it cannot "
				  "be verified", p7s_path);
	else
		rc = as_bad_input(rc, p7s_path, P7S_MAX_BYTES, eb);
	if (!rc)
		rc = read_optional(tsr_path, TSR_MAX_BYTES, &tsr, &tsr_len, eb);
	if (rc)
		goto fail;
	rc = kesu_cert_verify_mem_trust(json, json_len, p7s, p7s_len, tsr, tsr_len, trust, v, eb);
	goto out;
fail:
	set_text(v->problem, sizeof(v->problem), eb ? eb->msg : kesu_strerror(rc));
out:
	free(json);
	free(p7s);
	free(tsr);
	return rc;
}

int kesu_cert_timestamp_request(const char *json_path, char *tsq_path, size_t tsq_len,
				struct kesu_errbuf *eb)
{
	char p7s_path[PATH_MAX];
	char *p7s = NULL;
	unsigned char *der = NULL;
	size_t p7s_len = 0, der_len = 0;
	int rc;

	if (snprintf(p7s_path, sizeof(p7s_path), "%s.p7s", json_path) >= (int)sizeof(p7s_path) ||
	    (size_t)snprintf(tsq_path, tsq_len, "%s.p7s.tsq", json_path) >= tsq_len)
		return kesu_err_set(eb, -ENAMETOOLONG, "%s: path too long", json_path);
	rc = kesu_read_file(p7s_path, P7S_MAX_BYTES, &p7s, &p7s_len, eb);
	if (!rc)
		rc = kesu_ts_request(p7s, p7s_len, &der, &der_len, eb);
	if (!rc)
		rc = kesu_write_file_atomic(tsq_path, der, der_len, 0644, eb);
	free(p7s);
	OPENSSL_free(der);
	return rc;
}
