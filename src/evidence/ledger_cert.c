/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Links from ledger entries to erasure certificates (CERT-ID.json). The
 * signature is checked by kesu_ledger_attach_cert() (ledger_attach.c); this
 * file records the link: which medium, the outcome, the SHA-256 of the file's
 * exact bytes (what the certificate's QR payload carries) and the serial.
 */
#include "ledger_int.h"

#include <kesu/record.h>
#include <kesu/util.h>

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define CERT_MAX_BYTES (8u << 20)

/* What the ledger keeps of a certificate. */
struct cert_facts {
	char cert_id[64];
	char outcome[16];
	char media_id[KESU_LEDGER_ID_MAX];
	char serial[128];
	char sha256[KESU_SHA256_HEX_LEN + 1];
	int medium_named_here;   /* the certificate names none: the caller named it */
};

static const char *jpath(json_t *root, const char *a, const char *b, const char *c)
{
	json_t *v = json_object_get(root, a);

	if (b)
		v = json_object_get(v, b);
	if (c)
		v = json_object_get(v, c);
	return json_string_value(v);
}

/*
 * The medium: the certificate's own, or, for one that names none (its
 * station could not reach the ledger before the erase), the one the caller
 * names; a certificate that names another is never relinked.
 */
static int cert_medium(const char *id, const char *named, const char *want, struct cert_facts *cf,
		       struct kesu_errbuf *eb)
{
	int rc = -KESU_E_BAD_INPUT;

	if (named && *named && want && *want && strcmp(named, want))
		return kesu_err_set(eb, rc, "certificate %s is for medium %s, not %s", id, named, want);
	if ((!named || !*named) && want && *want) {
		named = want;
		cf->medium_named_here = 1;
	}
	if (!named || !*named)
		return kesu_err_set(eb, rc, "certificate %s names no medium (nist.media.property_id is "
				    "empty): name it with --media-id MEDIA-ID (its serial %s must be "
				    "the ledger's for that medium)", id, *cf->serial ? cf->serial : "(none)");
	if (!kesu_ledger_id_valid(named))
		return kesu_err_set(eb, rc, "certificate %s names media ID '%s', which is not a valid ID",
				    id, named);
	snprintf(cf->media_id, sizeof(cf->media_id), "%s", named);
	return 0;
}

static int cert_read_facts(const char *path, const char *want, struct cert_facts *cf,
			   struct kesu_errbuf *eb)
{
	const char *id, *outcome, *media, *serial;
	char *data = NULL;
	json_error_t jerr;
	json_t *root = NULL;
	size_t len;
	int rc;

	memset(cf, 0, sizeof(*cf));
	if ((rc = kesu_read_file(path, CERT_MAX_BYTES, &data, &len, eb)) < 0)
		return rc;
	if ((rc = kesu_sha256_hex(data, len, cf->sha256)) < 0)
		goto out;
	if (!(root = json_loadb(data, len, JSON_REJECT_DUPLICATES, &jerr))) {
		rc = kesu_err_set(eb, -KESU_E_BAD_INPUT, "%s is not a certificate: %s (line %d)", path,
				  jerr.text, jerr.line);
		goto out;
	}
	id = json_string_value(json_object_get(root, "certificate_id"));
	outcome = json_string_value(json_object_get(root, "outcome"));
	media = jpath(root, "nist", "media", "property_id");
	serial = jpath(root, "record", "device", "serial");
	if (!serial || !*serial)
		serial = jpath(root, "nist", "media", "serial");
	rc = -KESU_E_BAD_INPUT;
	if (!id || !kesu_ledger_id_valid(id) || strlen(id) >= sizeof(cf->cert_id)) {
		kesu_err_set(eb, rc, "%s has no valid certificate_id", path);
		goto out;
	}
	if (!outcome || strlen(outcome) >= sizeof(cf->outcome)) {
		kesu_err_set(eb, rc, "certificate %s has no outcome", id);
		goto out;
	}
	snprintf(cf->cert_id, sizeof(cf->cert_id), "%s", id);
	snprintf(cf->outcome, sizeof(cf->outcome), "%s", outcome);
	snprintf(cf->serial, sizeof(cf->serial), "%s", serial ? serial : "");
	rc = cert_medium(id, media, want, cf, eb);
out:
	json_decref(root);
	free(data);
	return rc;
}

/*
 * On a server: 消去済 through the server's function (which holds it to an
 * ERASED certificate of the medium), recorded as lg_media_update() would.
 */
static int media_erased_pg(struct kesu_ledger *lg, const struct kesu_media *m,
			   struct kesu_errbuf *eb)
{
	const char *old = kesu_media_get(m, KESU_MF_STATUS);
	struct kesu_store_stmt *st;
	json_t *detail, *jc;
	int rc;

	if (!strcmp(old, "消去済"))
		return 0;
	if ((rc = lg_prepare(lg, "SELECT kesu_media_erased(?1)", &st, eb)) < 0)
		return rc;
	kesu_store_bind_text(st, 1, kesu_media_get(m, KESU_MF_MEDIA_ID));
	rc = kesu_store_step(st);
	kesu_store_finalize(st);
	if (rc != KESU_STORE_ROW && rc != KESU_STORE_DONE)
		return lg_db_err(lg, rc, eb, "marking the medium erased");
	rc = -ENOMEM;
	if ((detail = json_object()) && (jc = json_object()) &&
	    json_object_set_new(detail, "changes", jc) == 0 &&
	    lg_change_add(jc, "status", old, "消去済") == 0)
		rc = lg_event_append(lg, "erased", "media", kesu_media_get(m, KESU_MF_MEDIA_ID),
				     detail, NULL, eb);
	json_decref(detail);
	return rc;
}

static int cert_insert(struct kesu_ledger *lg, const struct cert_facts *cf, const char *path,
		       const char *ts_time, struct kesu_errbuf *eb)
{
	struct kesu_media m = { 0 }, ch = { 0 };
	struct kesu_store_stmt *st = NULL;
	json_t *detail = NULL, *jc;
	char now[32];
	const char *ledger_serial;
	int rc, pg = kesu_store_kind(lg->db) == KESU_STORE_PG;

	if ((rc = kesu_ledger_get_media(lg, cf->media_id, &m, eb)) < 0) {
		if (rc == -KESU_E_NOT_FOUND)
			kesu_err_set(eb, rc, "certificate %s is for medium %s, which is not in the ledger "
				     "%s: add it first with 'kesu ledger add %s ...'", cf->cert_id,
				     cf->media_id, lg->path, cf->media_id);
		return rc;
	}
	ledger_serial = kesu_media_get(&m, KESU_MF_SERIAL);
	/* A medium the certificate does not name itself is linked on the serial alone. */
	if (cf->medium_named_here && (!*ledger_serial || !*cf->serial)) {
		rc = kesu_err_set(eb, -KESU_E_BAD_INPUT,
				  "certificate %s names no medium, and %s: it cannot be linked to %s; "
				  "nothing was linked", cf->cert_id,
				  *cf->serial ? "the ledger records no serial for that medium" :
						"it records no device serial", cf->media_id);
		goto out;
	}
	if (*ledger_serial && *cf->serial && strcmp(ledger_serial, cf->serial)) {
		rc = kesu_err_set(eb, -KESU_E_BAD_INPUT,
				  "certificate %s is for serial %s but the ledger records serial %s for "
				  "%s: check which drive was wiped; nothing was linked", cf->cert_id,
				  cf->serial, ledger_serial, cf->media_id);
		goto out;
	}
	kesu_time_rfc3339(time(NULL), now, sizeof(now));
	/* a server checks the certificate's row in its own function (a station may
	 * not write the tables) */
	if ((rc = lg_prepare(lg, pg ? "SELECT kesu_link_cert(?1,?2,?3,?4,?5,?6,?7,?8)" :
			     "INSERT INTO certs (cert_id, media_id, outcome, sha256, device_serial,"
			     " attached_at, path, timestamp) VALUES (?1,?2,?3,?4,?5,?6,?7,?8)", &st, eb)) < 0)
		goto out;
	kesu_store_bind_text(st, 1, cf->cert_id);
	kesu_store_bind_text(st, 2, cf->media_id);
	kesu_store_bind_text(st, 3, cf->outcome);
	kesu_store_bind_text(st, 4, cf->sha256);
	kesu_store_bind_text(st, 5, cf->serial);
	kesu_store_bind_text(st, 6, now);
	kesu_store_bind_text(st, 7, path);
	kesu_store_bind_text(st, 8, ts_time);
	rc = kesu_store_step(st);
	if (rc == KESU_STORE_UNIQUE) {
		rc = kesu_err_set(eb, -KESU_E_EXISTS, "certificate %s is already linked", cf->cert_id);
		goto out;
	}
	if (rc != KESU_STORE_DONE && rc != KESU_STORE_ROW) {
		rc = lg_db_err(lg, rc, eb, "linking the certificate");
		goto out;
	}
	rc = -ENOMEM;
	if (!(detail = json_object()) || !(jc = json_object()) ||
	    json_object_set_new(detail, "changes", jc) < 0 ||
	    lg_change_add(jc, "cert_id", "", cf->cert_id) < 0 ||
	    lg_change_add(jc, "media_id", "", cf->media_id) < 0 ||
	    lg_change_add(jc, "outcome", "", cf->outcome) < 0 ||
	    lg_change_add(jc, "sha256", "", cf->sha256) < 0 ||
	    lg_change_add(jc, "device_serial", "", cf->serial) < 0 ||
	    lg_change_add(jc, "attached_at", "", now) < 0 ||
	    lg_change_add(jc, "path", "", path) < 0)
		goto out;
	/* only when there is one: the replay reads an absent field as "" */
	if (*ts_time && lg_change_add(jc, "timestamp", "", ts_time) < 0)
		goto out;
	if ((rc = lg_event_append(lg, "link-cert", "cert", cf->cert_id, detail, NULL, eb)) < 0)
		goto out;
	/* Only a verified erasure changes the status; a FAILED certificate is linked as evidence. */
	if (kesu_outcome_is(cf->outcome, KESU_OUTCOME_ERASED)) {
		if (pg) {
			rc = media_erased_pg(lg, &m, eb);
			goto out;
		}
		if ((rc = kesu_media_set(&ch, KESU_MF_STATUS, "消去済")) < 0)
			goto out;
		rc = lg_media_update(lg, "erased", cf->media_id, &ch, eb);
	}
out:
	kesu_store_finalize(st);
	json_decref(detail);
	kesu_media_release(&m);
	kesu_media_release(&ch);
	return rc;
}

int kesu_ledger_link_cert(struct kesu_ledger *lg, const char *cert_path, char *media_id,
			  struct kesu_errbuf *eb)
{
	return lg_link_cert(lg, cert_path, "", NULL, media_id, eb);
}

int lg_link_cert(struct kesu_ledger *lg, const char *cert_path, const char *ts_time,
		 const char *want_media, char *media_id, struct kesu_errbuf *eb)
{
	struct cert_facts cf;
	char abs_path[PATH_MAX];
	int rc;

	if ((rc = lg_require_operator(lg, eb)) < 0)
		return rc;
	if ((rc = cert_read_facts(cert_path, want_media, &cf, eb)) < 0)
		return rc;
	/* keep where the file is, absolute, so the link still finds it from elsewhere */
	if (!realpath(cert_path, abs_path))
		snprintf(abs_path, sizeof(abs_path), "%s", cert_path);
	if ((rc = lg_begin(lg, eb)) < 0)
		return rc;
	rc = lg_end(lg, cert_insert(lg, &cf, abs_path, ts_time ? ts_time : "", eb), eb);
	if (rc == 0 && media_id)
		snprintf(media_id, KESU_LEDGER_ID_MAX, "%s", cf.media_id);
	return rc;
}

int kesu_ledger_cert_links(struct kesu_ledger *lg, const char *media_id,
			   struct kesu_cert_link **links, size_t *n, struct kesu_errbuf *eb)
{
	struct kesu_store_stmt *st;
	struct kesu_cert_link *v = NULL;
	size_t cap = 0;
	int rc;

	*links = NULL;
	*n = 0;
	rc = lg_prepare(lg, media_id ?
			"SELECT cert_id, media_id, outcome, sha256, device_serial, attached_at, path,"
			" timestamp FROM certs WHERE media_id = ?1 ORDER BY attached_at, rowid" :
			"SELECT cert_id, media_id, outcome, sha256, device_serial, attached_at, path,"
			" timestamp FROM certs ORDER BY attached_at, rowid", &st, eb);
	if (rc < 0)
		return rc;
	if (media_id)
		kesu_store_bind_text(st, 1, media_id);
	while ((rc = kesu_store_step(st)) == KESU_STORE_ROW) {
		struct kesu_cert_link *l;

		if (*n == cap) {
			size_t ncap = cap ? cap * 2 : 8;
			struct kesu_cert_link *nv = realloc(v, ncap * sizeof(*nv));

			if (!nv) {
				rc = -ENOMEM;
				goto fail;
			}
			v = nv;
			cap = ncap;
		}
		l = &v[(*n)++];
		memset(l, 0, sizeof(*l));
		snprintf(l->cert_id, sizeof(l->cert_id), "%s", lg_col_text(st, 0));
		snprintf(l->media_id, sizeof(l->media_id), "%s", lg_col_text(st, 1));
		snprintf(l->outcome, sizeof(l->outcome), "%s", lg_col_text(st, 2));
		snprintf(l->sha256, sizeof(l->sha256), "%s", lg_col_text(st, 3));
		snprintf(l->device_serial, sizeof(l->device_serial), "%s", lg_col_text(st, 4));
		snprintf(l->attached_at, sizeof(l->attached_at), "%s", lg_col_text(st, 5));
		snprintf(l->path, sizeof(l->path), "%s", lg_col_text(st, 6));
		snprintf(l->timestamp, sizeof(l->timestamp), "%s", lg_col_text(st, 7));
	}
	if (rc != KESU_STORE_DONE) {
		rc = lg_db_err(lg, rc, eb, "reading certificate links");
		goto fail;
	}
	kesu_store_finalize(st);
	*links = v;
	return 0;
fail:
	kesu_store_finalize(st);
	free(v);
	*n = 0;
	return rc;
}
