/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Erasure certificates: a result record plus the NIST SP 800-88 certificate
 * fields, signed with a detached CMS signature, rendered as a Japanese PDF.
 *
 * Files, in an output directory, all written atomically:
 *   CERT-ID.json      the certificate: UTF-8, keys sorted, compact, integers
 *                     and strings only (json_dumps JSON_SORT_KEYS|JSON_COMPACT)
 *   CERT-ID.json.p7s  detached CMS signature (PEM, ECDSA P-256) over the exact
 *                     bytes of CERT-ID.json, signer certificate and chain inside
 *   CERT-ID.pdf       the human-readable certificate
 *   CERT-ID.json.p7s.tsq / .tsr   an RFC 3161 request / response (optional)
 *
 * Stock check:  openssl cms -verify -binary -inform PEM -in CERT-ID.json.p7s \
 *                 -content CERT-ID.json -CAfile root.pem -out /dev/null
 *
 * Top-level keys of CERT-ID.json:
 *   certificate_id ("KC-YYYYMMDD-XXXXXXXX", [0-9A-Z-]), certificate_version (1),
 *   issued_at (RFC 3339), outcome (the record's: ERASED|FAILED|INTERRUPTED|UNVERIFIED),
 *   nist {person{name,title,organisation,location,contact},
 *         media{make,model,serial,property_id,type,source,classification,
 *               data_backed_up,backup_location[,data_name,bridge_serial,
 *               bridge_model]},
 *         sanitization{category,method,details,tool,tool_version,
 *               verification_method,verification_result,post_classification,notes},
 *         destination,
 *         validation{name,title,organisation,location,contact,date,signature}},
 *   contract{name,client,contractor}, host{...the record's host}, record{...},
 *   record_sha256 (hex SHA-256 of the record serialized like the certificate),
 *   signer{subject, fingerprint (hex SHA-256 of the signer certificate's DER)}
 *   [witness{name}]  (立会者)
 *
 * Members in [] were added later: certificates issued before them lack them
 * and still verify; when present they are strings. nist.media.serial and
 * model are the drive's own (ATA or NVMe IDENTIFY when kesu could ask the
 * drive); bridge_serial and bridge_model are what a USB bridge reported
 * instead, "" when none.
 * nist.media.data_name and type come from the ledger entry of a linked wipe
 * (データ名, 記録媒体).
 *
 * The record inside a certificate is the result record without its
 * "secrets" member (the local record keeps the ATA temporary password
 * there, for kesu unlock); record_sha256 is over that copy.
 *
 * This header does not include jansson.h (it clashes with json-c in one
 * translation unit); json_t is jansson's struct json_t.
 */
#ifndef KESU_CERT_H
#define KESU_CERT_H

#include <kesu/err.h>
#include <kesu/sign.h>

#include <stddef.h>
#include <time.h>

struct json_t;
struct kesu_config;

#define KESU_CERT_VERSION    1
#define KESU_CERT_ID_MAX     32              /* buffer size for an ID incl. NUL */
#define KESU_CERT_MAX_BYTES  (8u << 20)      /* larger certificate files are refused */
#define KESU_CERT_MAX_STRING (64u << 10)     /* longest string value accepted */

/*
 * What issuing needs besides the record. Every pointer may be NULL; the
 * operator fields come from cfg ([operator], [contract], [media], [signing];
 * see kesu-cert(8)), and the key/cert/chain paths here override [signing].
 */
struct kesu_cert_issue_opts {
	const struct kesu_config *cfg;
	const char *out_dir;          /* NULL: "." */
	const char *key_path;         /* signer private key (PEM, mode 0600) */
	const char *cert_path;        /* signer certificate (PEM) */
	const char *chain_path;       /* intermediate certificates (PEM), optional */
	const char *passphrase_file;  /* first line is the key's passphrase */
	time_t now;                   /* 0: time(NULL) */
	int no_pdf;                   /* 1: JSON and signature only */
	/*
	 * What the command line and the ledger say (NULL or "": not given); each
	 * wins over the record and over cfg. The precedence, for every field:
	 * command line, then the ledger entry (kesu wipe --media-id), then the
	 * record, then the configuration.
	 */
	const char *operator_name;    /* nist.person.name (else record.operator, else [operator] name) */
	const char *witness;          /* witness.name, 立会者 (else record.witness) */
	const char *data_name;        /* nist.media.data_name, データ名 of the ledger entry */
	const char *medium;           /* nist.media.type: the ledger's 記録媒体 (else [media] type) */
};

/*
 * Certify a result record: build CERT-ID.json, sign it, render the PDF and
 * write all three into opts->out_dir. The ID goes to cert_id (KESU_CERT_ID_MAX).
 * The record must follow the result record schema (record_id, device, method,
 * outcome, ...): -KESU_E_BAD_INPUT otherwise; -KESU_E_KEY for an unusable or
 * unsafe key.
 */
int kesu_cert_issue(const struct json_t *record, const struct kesu_cert_issue_opts *opts,
		    char *cert_id, size_t cert_id_len, struct kesu_errbuf *eb);
/*
 * Resolve and load the signer opts would use, then let it go: run before an
 * erase so that a missing, unsafe or locked key is found before anything is
 * destroyed. subject (may be NULL) gets the signer's subject.
 */
int kesu_cert_signer_check(const struct kesu_cert_issue_opts *opts, char *subject,
			   size_t subject_len, struct kesu_errbuf *eb);
/*
 * The signing key and signer certificate a signature would be made with:
 * opts->key_path / cert_path, else [signing] key / cert, else signer.key and
 * signer.pem in the key directory (kesu_key_default_dir). Nothing is read.
 */
int kesu_cert_signer_paths(const struct kesu_cert_issue_opts *opts, char *key, size_t key_len,
			   char *cert, size_t cert_len);

/* 1 when opts or its config name a signing key or certificate explicitly. */
int kesu_cert_signer_named(const struct kesu_cert_issue_opts *opts);

/* The same from a <record_id>.record.json file. */
int kesu_cert_issue_file(const char *record_path, const struct kesu_cert_issue_opts *opts,
			 char *cert_id, size_t cert_id_len, struct kesu_errbuf *eb);

/*
 * The string members each section of a certificate must have (NULL-terminated):
 * nist.person, nist.media, nist.sanitization, nist.validation, contract, signer.
 */
extern const char *const kesu_cert_person_keys[];
extern const char *const kesu_cert_media_keys[];
extern const char *const kesu_cert_sanitization_keys[];
extern const char *const kesu_cert_validation_keys[];
extern const char *const kesu_cert_contract_keys[];
extern const char *const kesu_cert_signer_keys[];
/* Members added later, present in newer certificates only (NULL-terminated). */
extern const char *const kesu_cert_media_added_keys[];   /* data_name, bridge_serial, bridge_model */
extern const char *const kesu_cert_witness_keys[];       /* name */

/*
 * Parse certificate bytes strictly: size and string caps, duplicate keys
 * rejected, integers and strings only, every required key present with the
 * right type. On success *cert is a new reference (json_decref it).
 * -KESU_E_BAD_INPUT with a sentence otherwise. Never crashes on any input.
 */
int kesu_cert_parse(const char *data, size_t len, struct json_t **cert, struct kesu_errbuf *eb);

/* Read and parse CERT.json; *bytes (may be NULL) gets the raw bytes (free()). */
int kesu_cert_load(const char *json_path, struct json_t **cert, char **bytes, size_t *len,
		   struct kesu_errbuf *eb);

/*
 * Why a certificate's times cannot be relied on (its record.time says the
 * clock was not confirmed at boot, or the erasure is dated before the boot
 * image was built), or NULL. Certificates without record.time: NULL.
 */
const char *kesu_cert_time_doubt(const struct json_t *cert);
/* The same for CERT.json: 1 in doubt (why gets the sentence), 0 not, -errno unreadable. */
int kesu_cert_file_time_doubt(const char *path, char *why, size_t len);

/* Lowercase hex SHA-256 of a record's canonical serialization (record_sha256). */
int kesu_cert_record_sha256(const struct json_t *record, char out[65]);

/* What kesu_cert_verify_file() found. Strings are "" when unknown. */
struct kesu_cert_verify {
	int parsed;              /* the JSON is a well-formed certificate */
	int signature_ok;        /* the CMS signature is over these exact bytes */
	int chain_ok;            /* the signer chains to the root (time not considered) */
	int hashes_ok;           /* record_sha256 and the other internal cross-checks hold */
	int expired;             /* a certificate in the chain is past notAfter now */
	int not_yet_valid;       /* ... or before notBefore */
	enum kesu_ts_status timestamp;  /* MISMATCH and TSA_UNVERIFIED fail */
	char timestamp_time[32]; /* the TSA's genTime, RFC 3339 */
	char timestamp_problem[256];    /* why the time stamp does not count, for people */
	char certificate_id[KESU_CERT_ID_MAX];
	char outcome[16];
	char issued_at[32];
	char media_serial[128];
	char signer_subject[512];     /* one-line RFC 2253 form */
	char signer_fingerprint[65];  /* hex SHA-256 of the signer certificate's DER */
	char signer_not_after[32];
	char signing_time[32];        /* the CMS signingTime attribute, RFC 3339 */
	char json_sha256[65];         /* of CERT.json's bytes */
	char problem[512];            /* the first thing that failed, for people */
};

/*
 * All checks hold: parsed, signature, chain, hashes, not expired, not early,
 * and, when a time stamp is present, it is over this signature and its TSA
 * is trusted (a time stamp that is there must be true, or it says nothing).
 */
int kesu_cert_verify_ok(const struct kesu_cert_verify *v);

/*
 * Verify CERT.json against CERT.json.p7s beside it (and CERT.json.p7s.tsr
 * when present) with ca_path as the only trusted root (PEM; NULL: the
 * [signing] root is not consulted, the chain check fails). Fills v in every
 * case as far as it got. Returns 0 when kesu_cert_verify_ok(v), -ENOENT for a
 * missing file, -KESU_E_BAD_INPUT for malformed input, -KESU_E_SIGNATURE when
 * the signature, chain, hashes or validity period fail (v->problem says which).
 */
int kesu_cert_verify_file(const char *json_path, const char *ca_path,
			  struct kesu_cert_verify *v, struct kesu_errbuf *eb);

/*
 * The same over bytes in memory: the certificate, its signature and an
 * optional time stamp response (tsr NULL / tsr_len 0: none). For tests,
 * the fuzzer and callers that hold the files already.
 */
int kesu_cert_verify_mem(const char *json, size_t json_len, const char *p7s, size_t p7s_len,
			 const char *tsr, size_t tsr_len, const char *ca_path,
			 struct kesu_cert_verify *v, struct kesu_errbuf *eb);

/* Whom verification trusts. */
struct kesu_cert_trust {
	const char *ca_path;       /* the signers' root(s), PEM */
	const char *tsa_ca_path;   /* the TSA's root(s), PEM; NULL: ca_path and the system's roots */
};

/* kesu_cert_verify_file() and kesu_cert_verify_mem() with the TSA's root named too. */
int kesu_cert_verify_file_trust(const char *json_path, const struct kesu_cert_trust *trust,
				struct kesu_cert_verify *v, struct kesu_errbuf *eb);
int kesu_cert_verify_mem_trust(const char *json, size_t json_len, const char *p7s,
			       size_t p7s_len, const char *tsr, size_t tsr_len,
			       const struct kesu_cert_trust *trust, struct kesu_cert_verify *v,
			       struct kesu_errbuf *eb);

/*
 * Load the signer opts would use (the same resolution as kesu_cert_issue():
 * options, then [signing], then the default key directory). Free it with
 * kesu_signer_free(). Used for what else the station signs (ledger seals).
 */
int kesu_cert_signer_open(const struct kesu_cert_issue_opts *opts, struct kesu_signer **signer,
			  struct kesu_errbuf *eb);

/* Render the PDF for a parsed certificate; json_sha256 is of its file's bytes. */
int kesu_cert_pdf_write(const struct json_t *cert, const char *json_sha256,
			const char *pdf_path, struct kesu_errbuf *eb);

/* Write CERT.json.p7s.tsq: an RFC 3161 request over the signature file (SHA-256, cert requested). */
int kesu_cert_timestamp_request(const char *json_path, char *tsq_path, size_t tsq_len,
				struct kesu_errbuf *eb);

#endif
