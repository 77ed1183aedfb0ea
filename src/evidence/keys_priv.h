/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * OpenSSL-typed helpers shared by keys.c, sign.c and cert.c inside the
 * evidence layer. Not part of the public API (include/kesu/keys.h is).
 */
#ifndef KESU_KEYS_PRIV_H
#define KESU_KEYS_PRIV_H

#include <kesu/err.h>

#include <openssl/evp.h>
#include <openssl/x509.h>
#include <stddef.h>

/* The last OpenSSL error as text (thread-local buffer); clears the queue. */
const char *kesu_ossl_err(void);

/* Load a PEM private key: mode checked (0600), never prompts. */
int kesu_key_load_pkey(const char *key_path, const char *passphrase_file, EVP_PKEY **key,
		       struct kesu_errbuf *eb);

/* Load the first PEM certificate of a file. */
int kesu_x509_load(const char *path, X509 **cert, struct kesu_errbuf *eb);

/* Hex SHA-256 of the certificate's DER. */
int kesu_x509_fingerprint(X509 *cert, char out[65]);

/* RFC 2253 one-line name, UTF-8 kept. */
void kesu_x509_name_str(const X509_NAME *name, char *buf, size_t len);

/* ASN1_TIME as RFC 3339 UTC ("" when absent or unparsable). */
void kesu_asn1_time_str(const ASN1_TIME *t, char *buf, size_t len);

#endif
