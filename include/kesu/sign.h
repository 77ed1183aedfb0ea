/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Detached CMS signatures (OpenSSL, ECDSA P-256) and RFC 3161 time stamps.
 *
 * A signature is PEM ("-----BEGIN CMS-----"), made with
 * CMS_sign(cert, key, chain, data, CMS_BINARY|CMS_DETACHED): the signer
 * certificate and its chain travel inside, the signingTime attribute is set.
 * Verification mirrors `openssl cms -verify -binary -CAfile ROOT`: purpose
 * S/MIME signing, the root given is the only trust anchor. It reports the
 * signature, the chain and the validity period separately, so an expired
 * signer certificate is named as such rather than as a broken signature.
 *
 * No OpenSSL types in this header: callers need not include OpenSSL.
 */
#ifndef KESU_SIGN_H
#define KESU_SIGN_H

#include <kesu/err.h>

#include <stddef.h>

/* A loaded signing identity: private key, its certificate, intermediates. */
struct kesu_signer;

/*
 * Load a signer. The key file must not be readable by group or others
 * (-KESU_E_KEY, "chmod 600 FILE"); an encrypted key needs passphrase_file
 * (first line). The certificate must match the key. chain_path may be NULL.
 */
int kesu_signer_load(const char *key_path, const char *cert_path, const char *chain_path,
		     const char *passphrase_file, struct kesu_signer **signer,
		     struct kesu_errbuf *eb);
void kesu_signer_free(struct kesu_signer *signer);

/* The signer certificate's subject (RFC 2253, UTF-8) and hex SHA-256 of its DER. */
int kesu_signer_subject(const struct kesu_signer *signer, char *buf, size_t len);
int kesu_signer_fingerprint(const struct kesu_signer *signer, char out[65]);

/* Sign data; *pem is a malloc'd NUL-terminated PEM CMS, *pem_len its length. */
int kesu_sign_detached(const struct kesu_signer *signer, const void *data, size_t len,
		       char **pem, size_t *pem_len, struct kesu_errbuf *eb);

struct kesu_sig_result {
	int signature_ok;        /* the signature is over exactly these bytes */
	int chain_ok;            /* the signer chains to the root, purpose S/MIME (time not considered) */
	int expired;             /* a certificate of the chain is past notAfter */
	int not_yet_valid;       /* a certificate of the chain is before notBefore */
	char subject[512];       /* the signer certificate's subject */
	char fingerprint[65];    /* hex SHA-256 of the signer certificate's DER */
	char not_after[32];      /* the signer certificate's notAfter, RFC 3339 */
	char signing_time[32];   /* the signingTime attribute, RFC 3339 ("" if absent) */
	char problem[256];       /* why something failed, for people */
};

/*
 * Verify a detached signature (PEM, or DER) over data against the root(s) in
 * ca_path (NULL: no chain check). Returns 0 when the signature, chain and
 * validity all hold; -KESU_E_SIGNATURE when one fails (r says which);
 * -KESU_E_BAD_INPUT when p7s is not a CMS signed-data signature with exactly
 * one signer; -ENOENT/-EIO for an unreadable ca_path.
 */
int kesu_sign_verify_detached(const void *data, size_t len, const void *p7s, size_t p7s_len,
			      const char *ca_path, struct kesu_sig_result *r,
			      struct kesu_errbuf *eb);

/* An RFC 3161 request over data (SHA-256 imprint, nonce, certificate requested), DER. */
int kesu_ts_request(const void *data, size_t len, unsigned char **der, size_t *der_len,
		    struct kesu_errbuf *eb);

enum kesu_ts_status {
	KESU_TS_NONE = 0,        /* no time stamp response */
	KESU_TS_OK,              /* over this data; the TSA chains to a trusted root */
	KESU_TS_MISMATCH,        /* it is not over this data, is not granted, or is malformed */
	KESU_TS_TSA_UNVERIFIED,  /* it is over this data, but the TSA certificate does not verify */
};

/*
 * Check a DER time stamp response (.tsr) against data and the root(s) in
 * ca_path plus the system's trusted roots (public TSAs chain to those).
 * gen_time (32 bytes, may be NULL) gets the TSA's time, RFC 3339.
 * problem (256 bytes, may be NULL) says what failed. Returns the status.
 */
enum kesu_ts_status kesu_ts_check(const void *data, size_t len, const void *tsr, size_t tsr_len,
				  const char *ca_path, char *gen_time, char *problem);
/*
 * The same with the TSA's own root: when tsa_ca_path is given, the TSA must
 * chain to it alone (the system's roots do not count); NULL behaves as
 * kesu_ts_check().
 */
enum kesu_ts_status kesu_ts_check_trust(const void *data, size_t len, const void *tsr,
					size_t tsr_len, const char *ca_path, const char *tsa_ca_path,
					char *gen_time, char *problem);

#endif
