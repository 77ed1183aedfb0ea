/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Detached CMS signatures and RFC 3161 time stamps (see include/kesu/sign.h).
 *
 * Verification is split in three so that people learn what is wrong: the
 * signature over the bytes (CMS_verify without chain building), the chain to
 * the given root with purpose S/MIME and the time check switched off, and the
 * validity periods of the chain's certificates against the current time.
 */
#include <kesu/sign.h>
#include <kesu/util.h>

#include "keys_priv.h"

#include <errno.h>
#include <openssl/pem.h>
#include <openssl/cms.h>
#include <openssl/err.h>
#include <openssl/rand.h>
#include <openssl/ts.h>
#include <openssl/x509v3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CHAIN_FILE_MAX (1u << 20)

struct kesu_signer {
	EVP_PKEY *key;
	X509 *cert;
	STACK_OF(X509) *chain;
};

void kesu_signer_free(struct kesu_signer *s)
{
	if (!s)
		return;
	EVP_PKEY_free(s->key);
	X509_free(s->cert);
	sk_X509_pop_free(s->chain, X509_free);
	free(s);
}

/* Every PEM certificate in path. */
static int load_chain(const char *path, STACK_OF(X509) **out, struct kesu_errbuf *eb)
{
	STACK_OF(X509) *sk = sk_X509_new_null();
	char *data = NULL;
	size_t len = 0;
	BIO *bio = NULL;
	X509 *x;
	int rc;

	*out = NULL;
	if (!sk)
		return kesu_err_set(eb, -ENOMEM, "out of memory");
	rc = kesu_read_file(path, CHAIN_FILE_MAX, &data, &len, eb);
	if (rc)
		goto out;
	bio = BIO_new_mem_buf(data, (int)len);
	while (bio && (x = PEM_read_bio_X509(bio, NULL, NULL, NULL)))
		if (!sk_X509_push(sk, x)) {
			X509_free(x);
			rc = kesu_err_set(eb, -ENOMEM, "out of memory");
			goto out;
		}
	ERR_clear_error(); /* the end of the file reads as an error */
	if (sk_X509_num(sk) == 0) {
		rc = kesu_err_set(eb, -KESU_E_BAD_INPUT, "%s: no PEM certificate in it", path);
		goto out;
	}
	*out = sk;
	sk = NULL;
out:
	sk_X509_pop_free(sk, X509_free);
	BIO_free(bio);
	free(data);
	return rc;
}

/*
 * Every PEM certificate in path into store as trusted. Read through
 * kesu_read_file like every file kesu reads (a FIFO is refused, never
 * waited on), not by OpenSSL's own file loading.
 */
static int store_add_file(X509_STORE *store, const char *path, struct kesu_errbuf *eb)
{
	STACK_OF(X509) *sk = NULL;
	int rc = load_chain(path, &sk, eb), i;

	for (i = 0; !rc && i < sk_X509_num(sk); i++)
		if (!X509_STORE_add_cert(store, sk_X509_value(sk, i)))
			rc = kesu_err_set(eb, -ENOMEM, "%s: %s", path, kesu_ossl_err());
	sk_X509_pop_free(sk, X509_free);
	return rc;
}

int kesu_signer_load(const char *key_path, const char *cert_path, const char *chain_path,
		     const char *passphrase_file, struct kesu_signer **out,
		     struct kesu_errbuf *eb)
{
	struct kesu_signer *s = calloc(1, sizeof(*s));
	int rc;

	*out = NULL;
	if (!s)
		return kesu_err_set(eb, -ENOMEM, "out of memory");
	rc = kesu_key_load_pkey(key_path, passphrase_file, &s->key, eb);
	if (!rc)
		rc = kesu_x509_load(cert_path, &s->cert, eb);
	if (!rc && X509_check_private_key(s->cert, s->key) != 1)
		rc = kesu_err_set(eb, -KESU_E_KEY, "the signer certificate %s does not belong to "
				  "the key %s", cert_path, key_path);
	if (!rc && chain_path)
		rc = load_chain(chain_path, &s->chain, eb);
	if (rc) {
		kesu_signer_free(s);
		return rc;
	}
	*out = s;
	return 0;
}

int kesu_signer_subject(const struct kesu_signer *s, char *buf, size_t len)
{
	kesu_x509_name_str(X509_get_subject_name(s->cert), buf, len);
	return 0;
}

int kesu_signer_fingerprint(const struct kesu_signer *s, char out[65])
{
	return kesu_x509_fingerprint(s->cert, out);
}

int kesu_sign_detached(const struct kesu_signer *s, const void *data, size_t len,
		       char **pem, size_t *pem_len, struct kesu_errbuf *eb)
{
	BIO *in = BIO_new_mem_buf(data, (int)len);
	BIO *mem = BIO_new(BIO_s_mem());
	CMS_ContentInfo *cms = NULL;
	char *p;
	long n;
	int rc = 0;

	*pem = NULL;
	if (!in || !mem || len > (size_t)INT32_MAX) {
		rc = kesu_err_set(eb, -ENOMEM, "out of memory");
		goto out;
	}
	cms = CMS_sign(s->cert, s->key, s->chain, in, CMS_BINARY | CMS_DETACHED);
	if (!cms || !PEM_write_bio_CMS(mem, cms)) {
		rc = kesu_err_set(eb, -KESU_E_SIGNATURE, "signing: %s", kesu_ossl_err());
		goto out;
	}
	n = BIO_get_mem_data(mem, &p);
	*pem = malloc((size_t)n + 1);
	if (!*pem) {
		rc = kesu_err_set(eb, -ENOMEM, "out of memory");
		goto out;
	}
	memcpy(*pem, p, (size_t)n);
	(*pem)[n] = '\0';
	*pem_len = (size_t)n;
out:
	CMS_ContentInfo_free(cms);
	BIO_free(mem);
	BIO_free(in);
	return rc;
}

/* PEM first (what kesu writes), then DER. */
static CMS_ContentInfo *parse_cms(const void *p7s, size_t len)
{
	CMS_ContentInfo *cms = NULL;
	BIO *bio;

	if (len == 0 || len > (size_t)INT32_MAX)
		return NULL;
	bio = BIO_new_mem_buf(p7s, (int)len);
	if (!bio)
		return NULL;
	if (len > 10 && memchr(p7s, '-', len < 64 ? len : 64))
		cms = PEM_read_bio_CMS(bio, NULL, NULL, NULL);
	if (!cms) {
		const unsigned char *p = p7s;

		cms = d2i_CMS_ContentInfo(NULL, &p, (long)len);
	}
	BIO_free(bio);
	ERR_clear_error();
	return cms;
}

static void signing_time(CMS_SignerInfo *si, char *buf, size_t len)
{
	int idx = CMS_signed_get_attr_by_NID(si, NID_pkcs9_signingTime, -1);
	X509_ATTRIBUTE *attr;
	ASN1_TYPE *t;

	buf[0] = '\0';
	if (idx < 0 || !(attr = CMS_signed_get_attr(si, idx)) ||
	    !(t = X509_ATTRIBUTE_get0_type(attr, 0)))
		return;
	if (t->type == V_ASN1_UTCTIME || t->type == V_ASN1_GENERALIZEDTIME)
		kesu_asn1_time_str((const ASN1_TIME *)t->value.asn1_string, buf, len);
}

/* Builds the chain to the root ignoring time; then checks each certificate's period. */
static int check_chain(X509 *signer, STACK_OF(X509) *untrusted, const char *ca_path,
		       struct kesu_sig_result *r, struct kesu_errbuf *eb)
{
	X509_STORE *store = X509_STORE_new();
	X509_STORE_CTX *ctx = X509_STORE_CTX_new();
	STACK_OF(X509) *chain = NULL;
	int rc = 0, i;

	if (!store || !ctx) {
		rc = kesu_err_set(eb, -ENOMEM, "out of memory");
		goto out;
	}
	rc = store_add_file(store, ca_path, eb);
	if (rc == -KESU_E_BAD_INPUT && eb && strstr(eb->msg, "no PEM certificate"))
		rc = kesu_err_set(eb, -KESU_E_BAD_INPUT, "%s: cannot read the root certificate(s) "
				  "(PEM expected)", ca_path);
	if (rc)
		goto out;
	if (!X509_STORE_CTX_init(ctx, store, signer, untrusted) ||
	    !X509_STORE_CTX_set_default(ctx, "smime_sign")) {
		rc = kesu_err_set(eb, -ENOMEM, "chain check: %s", kesu_ossl_err());
		goto out;
	}
	X509_VERIFY_PARAM_set_flags(X509_STORE_CTX_get0_param(ctx), X509_V_FLAG_NO_CHECK_TIME);
	if (X509_verify_cert(ctx) != 1) {
		snprintf(r->problem, sizeof(r->problem), "the signer certificate does not chain to "
			 "the root in %s: %s", ca_path,
			 X509_verify_cert_error_string(X509_STORE_CTX_get_error(ctx)));
		ERR_clear_error();
		goto out;
	}
	r->chain_ok = 1;
	chain = X509_STORE_CTX_get1_chain(ctx);
	for (i = 0; chain && i < sk_X509_num(chain); i++) {
		X509 *c = sk_X509_value(chain, i);
		char when[32], who[160];

		kesu_x509_name_str(X509_get_subject_name(c), who, sizeof(who));
		if (X509_cmp_current_time(X509_get0_notAfter(c)) < 0 && !r->expired) {
			r->expired = 1;
			kesu_asn1_time_str(X509_get0_notAfter(c), when, sizeof(when));
			if (!r->problem[0])
				snprintf(r->problem, sizeof(r->problem),
					 "certificate \"%s\" expired on %s", who, when);
		}
		if (X509_cmp_current_time(X509_get0_notBefore(c)) > 0 && !r->not_yet_valid) {
			r->not_yet_valid = 1;
			kesu_asn1_time_str(X509_get0_notBefore(c), when, sizeof(when));
			if (!r->problem[0])
				snprintf(r->problem, sizeof(r->problem),
					 "certificate \"%s\" is not valid before %s", who, when);
		}
	}
out:
	sk_X509_pop_free(chain, X509_free);
	X509_STORE_CTX_free(ctx);
	X509_STORE_free(store);
	return rc;
}

int kesu_sign_verify_detached(const void *data, size_t len, const void *p7s, size_t p7s_len,
			      const char *ca_path, struct kesu_sig_result *r,
			      struct kesu_errbuf *eb)
{
	CMS_ContentInfo *cms = NULL;
	STACK_OF(CMS_SignerInfo) *sis;
	STACK_OF(X509) *certs = NULL, *signers = NULL;
	BIO *content = NULL, *mem = NULL;
	X509 *signer;
	int rc = 0;

	memset(r, 0, sizeof(*r));
	cms = parse_cms(p7s, p7s_len);
	if (!cms) {
		rc = kesu_err_set(eb, -KESU_E_BAD_INPUT, "the signature file is not a CMS signature "
				  "(PEM or DER)");
		goto out;
	}
	if (OBJ_obj2nid(CMS_get0_type(cms)) != NID_pkcs7_signed || CMS_is_detached(cms) != 1) {
		rc = kesu_err_set(eb, -KESU_E_BAD_INPUT, "the signature file is not a detached CMS "
				  "signed-data signature");
		goto out;
	}
	sis = CMS_get0_SignerInfos(cms);
	if (!sis || sk_CMS_SignerInfo_num(sis) != 1) {
		rc = kesu_err_set(eb, -KESU_E_BAD_INPUT, "the signature must have exactly one signer "
				  "(it has %d)", sis ? sk_CMS_SignerInfo_num(sis) : 0);
		goto out;
	}
	/*
	 * The memory BIO sits under a pass-through filter: OpenSSL 3.0's
	 * CMS_verify copies a bare memory BIO into a temporary one and, with
	 * CMS_BINARY, leaks that copy when the signature's content cannot be
	 * set up (a malformed signer info).
	 */
	if (len > (size_t)INT32_MAX || !(content = BIO_new(BIO_f_null())) ||
	    !(mem = BIO_new_mem_buf(data, (int)len))) {
		rc = kesu_err_set(eb, -ENOMEM, "out of memory");
		goto out;
	}
	content = BIO_push(content, mem);
	mem = NULL;
	if (CMS_verify(cms, NULL, NULL, content, NULL, CMS_BINARY | CMS_NO_SIGNER_CERT_VERIFY) == 1) {
		r->signature_ok = 1;
	} else {
		snprintf(r->problem, sizeof(r->problem), "the signature does not match the "
			 "certificate's bytes (%s)", kesu_ossl_err());
	}
	ERR_clear_error();
	signers = CMS_get0_signers(cms);
	if (!signers || sk_X509_num(signers) != 1) {
		if (!r->problem[0])
			snprintf(r->problem, sizeof(r->problem), "the signer certificate is not inside "
				 "the signature");
		rc = -KESU_E_SIGNATURE;
		goto out;
	}
	signer = sk_X509_value(signers, 0);
	kesu_x509_name_str(X509_get_subject_name(signer), r->subject, sizeof(r->subject));
	kesu_x509_fingerprint(signer, r->fingerprint);
	kesu_asn1_time_str(X509_get0_notAfter(signer), r->not_after, sizeof(r->not_after));
	signing_time(sk_CMS_SignerInfo_value(sis, 0), r->signing_time, sizeof(r->signing_time));
	if (ca_path) {
		certs = CMS_get1_certs(cms);
		rc = check_chain(signer, certs, ca_path, r, eb);
		if (rc)
			goto out;
	} else if (!r->problem[0]) {
		snprintf(r->problem, sizeof(r->problem), "no root given: the chain was not checked "
			 "(give --ca ROOT.pem)");
	}
	if (!r->signature_ok || !r->chain_ok || r->expired || r->not_yet_valid)
		rc = -KESU_E_SIGNATURE;
out:
	sk_X509_free(signers);
	sk_X509_pop_free(certs, X509_free);
	BIO_free_all(content);
	BIO_free(mem);
	CMS_ContentInfo_free(cms);
	ERR_clear_error();
	return rc;
}

int kesu_ts_request(const void *data, size_t len, unsigned char **der, size_t *der_len,
		    struct kesu_errbuf *eb)
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;
	TS_REQ *req = TS_REQ_new();
	TS_MSG_IMPRINT *imprint = TS_MSG_IMPRINT_new();
	X509_ALGOR *algo = X509_ALGOR_new();
	ASN1_INTEGER *nonce = NULL;
	BIGNUM *bn = BN_new();
	int n, rc = 0;

	*der = NULL;
	if (!req || !imprint || !algo || !bn ||
	    !EVP_Digest(data, len, md, &mdlen, EVP_sha256(), NULL) ||
	    !X509_ALGOR_set0(algo, OBJ_nid2obj(NID_sha256), V_ASN1_NULL, NULL) ||
	    !TS_MSG_IMPRINT_set_algo(imprint, algo) ||
	    !TS_MSG_IMPRINT_set_msg(imprint, md, (int)mdlen) ||
	    !TS_REQ_set_version(req, 1) || !TS_REQ_set_msg_imprint(req, imprint) ||
	    !BN_rand(bn, 64, BN_RAND_TOP_ANY, BN_RAND_BOTTOM_ANY) ||
	    !(nonce = BN_to_ASN1_INTEGER(bn, NULL)) || !TS_REQ_set_nonce(req, nonce) ||
	    !TS_REQ_set_cert_req(req, 1)) {
		rc = kesu_err_set(eb, -ENOMEM, "building the time stamp request: %s", kesu_ossl_err());
		goto out;
	}
	n = i2d_TS_REQ(req, der);
	if (n <= 0) {
		rc = kesu_err_set(eb, -ENOMEM, "encoding the time stamp request: %s", kesu_ossl_err());
		goto out;
	}
	*der_len = (size_t)n;
out:
	BN_free(bn);
	ASN1_INTEGER_free(nonce);
	X509_ALGOR_free(algo);
	TS_MSG_IMPRINT_free(imprint);
	TS_REQ_free(req);
	return rc;
}

static void set_problem(char *problem, const char *fmt, const char *detail)
{
	if (problem)
		snprintf(problem, 256, fmt, detail);
}

/*
 * Verify resp against the imprint of data with the given checks; 1 when it
 * holds. The TSA is trusted when it chains to tsa_ca_path alone, or (without
 * one) to ca_path or the system's roots.
 */
static int ts_verify(TS_RESP *resp, const unsigned char *md, unsigned int mdlen,
		     const char *ca_path, const char *tsa_ca_path, int flags)
{
	TS_VERIFY_CTX *ctx = TS_VERIFY_CTX_new();
	unsigned char *imprint = OPENSSL_malloc(mdlen);
	X509_STORE *store = NULL;
	int ok = 0;

	if (!ctx || !imprint)
		goto out;
	memcpy(imprint, md, mdlen);
	TS_VERIFY_CTX_set_imprint(ctx, imprint, mdlen); /* ctx owns it now */
	imprint = NULL;
	if (flags & TS_VFY_SIGNATURE) {
		/* Public TSAs chain to public roots: the system's trust store counts too. */
		store = X509_STORE_new();
		if (store && !tsa_ca_path)
			X509_STORE_set_default_paths(store);
		if (tsa_ca_path)
			ca_path = tsa_ca_path;
		if (!store || (ca_path && store_add_file(store, ca_path, NULL) < 0)) {
			X509_STORE_free(store);
			goto out;
		}
		TS_VERIFY_CTX_set_store(ctx, store); /* ctx owns it now */
	}
	TS_VERIFY_CTX_set_flags(ctx, flags);
	ok = TS_RESP_verify_response(ctx, resp) == 1;
out:
	OPENSSL_free(imprint);
	TS_VERIFY_CTX_free(ctx);
	ERR_clear_error();
	return ok;
}

enum kesu_ts_status kesu_ts_check(const void *data, size_t len, const void *tsr, size_t tsr_len,
				  const char *ca_path, char *gen_time, char *problem)
{
	return kesu_ts_check_trust(data, len, tsr, tsr_len, ca_path, NULL, gen_time, problem);
}

enum kesu_ts_status kesu_ts_check_trust(const void *data, size_t len, const void *tsr,
					size_t tsr_len, const char *ca_path, const char *tsa_ca_path,
					char *gen_time, char *problem)
{
	const unsigned char *p = tsr;
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;
	TS_RESP *resp = NULL;
	TS_TST_INFO *info;
	enum kesu_ts_status st;

	if (gen_time)
		gen_time[0] = '\0';
	if (problem)
		problem[0] = '\0';
	if (!tsr || tsr_len == 0)
		return KESU_TS_NONE;
	if (tsr_len > (1u << 20) || !(resp = d2i_TS_RESP(NULL, &p, (long)tsr_len)) ||
	    !EVP_Digest(data, len, md, &mdlen, EVP_sha256(), NULL)) {
		set_problem(problem, "%s", "the time stamp response is not an RFC 3161 response");
		st = KESU_TS_MISMATCH;
		goto out;
	}
	info = TS_RESP_get_tst_info(resp);
	if (info && gen_time)
		kesu_asn1_time_str(TS_TST_INFO_get_time(info), gen_time, 32);
	if (ts_verify(resp, md, mdlen, ca_path, tsa_ca_path,
		      TS_VFY_VERSION | TS_VFY_IMPRINT | TS_VFY_SIGNATURE)) {
		st = KESU_TS_OK;
	} else if (ts_verify(resp, md, mdlen, NULL, NULL, TS_VFY_VERSION | TS_VFY_IMPRINT)) {
		if (tsa_ca_path)
			set_problem(problem, "the time stamp is over this signature, but the TSA "
				    "certificate does not chain to the TSA root %s", tsa_ca_path);
		else
			set_problem(problem, "the time stamp is over this signature, but the TSA "
				    "certificate does not chain to %s or the system's trusted roots "
				    "(name the TSA's root with --tsa-ca)",
				    ca_path ? ca_path : "(no root given)");
		st = KESU_TS_TSA_UNVERIFIED;
	} else {
		set_problem(problem, "%s", "the time stamp is not over this signature (or was not "
			    "granted)");
		st = KESU_TS_MISMATCH;
	}
out:
	TS_RESP_free(resp);
	ERR_clear_error();
	return st;
}
