/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Signing keys and a small organisation's offline root CA (OpenSSL).
 *
 * Keys are ECDSA P-256 in PEM (PKCS#8), mode 0600, optionally encrypted with
 * AES-256 under a passphrase read from a file (never from the command line).
 * A key readable by group or others is refused: -KESU_E_KEY, "chmod 600 FILE".
 *
 * Default locations (kesu_key_default_dir()): $KESU_KEY_DIR when set (the
 * boot image points it at the evidence stick), else /etc/kesu when run as
 * root, else $XDG_CONFIG_HOME/kesu or ~/.config/kesu:
 *   signer.key  signer.csr  signer.pem (signer certificate)  chain.pem
 *   ca/root.key ca/root.pem (the offline root; keep it off the erasure station)
 *
 * Certificates issued here:
 *   root CA:  basicConstraints critical CA:TRUE, keyUsage critical keyCertSign cRLSign,
 *             subjectKeyIdentifier; ~20 years
 *   signer:   basicConstraints critical CA:FALSE, keyUsage critical digitalSignature
 *             nonRepudiation, extendedKeyUsage emailProtection (the S/MIME purpose
 *             stock `openssl cms -verify` checks), SKI/AKI; ~2 years; random serial
 * Subjects are written like openssl's -subj: "/CN=Name/O=Organisation" (UTF-8).
 */
#ifndef KESU_KEYS_H
#define KESU_KEYS_H

#include <kesu/err.h>

#include <stddef.h>
#include <time.h>

#define KESU_KEY_FILE    "signer.key"
#define KESU_CSR_FILE    "signer.csr"
#define KESU_SIGNER_FILE "signer.pem"
#define KESU_CHAIN_FILE  "chain.pem"
#define KESU_CA_KEY_FILE "ca/root.key"
#define KESU_CA_FILE     "ca/root.pem"

#define KESU_SIGNER_DAYS 730
#define KESU_CA_DAYS     7305

/* Validity of a certificate to issue; zeros: from now for the default days. */
struct kesu_validity {
	time_t not_before;
	time_t not_after;
};

/* The default key directory (see above) into buf. */
int kesu_key_default_dir(char *buf, size_t len);
/* dir + "/" + name into buf; -ENAMETOOLONG when it does not fit. */
int kesu_key_path(char *buf, size_t len, const char *dir, const char *name);

/*
 * Open a private key as OpenSSH's StrictModes would let it be used, and
 * return the descriptor: -KESU_E_KEY when it is not a regular file (a
 * FIFO, /dev/null), belongs to someone other than the user running kesu or
 * root, is readable or writable by group or others, or when a directory
 * from its own up to / (symbolic links resolved) belongs to someone else
 * or is writable by group or others without the sticky bit; -errno when
 * missing. The checks are made on the descriptor that is then read.
 */
int kesu_key_open(const char *path, struct kesu_errbuf *eb);

/* The same checks without keeping the descriptor. */
int kesu_key_check_mode(const char *path, struct kesu_errbuf *eb);

/* The first line of a passphrase file (at most len-1 bytes, newline removed). */
int kesu_passphrase_read(const char *path, char *buf, size_t len, struct kesu_errbuf *eb);

/*
 * Generate a P-256 key into key_path (mode 0600; -EEXIST if it exists),
 * encrypted when passphrase_file is given.
 */
int kesu_key_generate(const char *key_path, const char *passphrase_file, struct kesu_errbuf *eb);

/* 0 when subject parses ("/CN=.../O=..."); -KESU_E_BAD_INPUT with a sentence otherwise. */
int kesu_key_subject_check(const char *subject, struct kesu_errbuf *eb);

/* Write a CSR for the key at key_path with subject (e.g. "/CN=Yamada/O=Example"). */
int kesu_key_write_csr(const char *key_path, const char *passphrase_file, const char *subject,
		       const char *csr_path, struct kesu_errbuf *eb);

/* A self-signed signer certificate (single-person setup): it is its own root. */
int kesu_key_self_sign(const char *key_path, const char *passphrase_file, const char *subject,
		       const struct kesu_validity *validity, const char *cert_path,
		       struct kesu_errbuf *eb);

/* Create the root: a new key at ca_key_path and a self-signed CA certificate. */
int kesu_ca_init(const char *ca_key_path, const char *passphrase_file, const char *subject,
		 const struct kesu_validity *validity, const char *ca_cert_path,
		 struct kesu_errbuf *eb);

/*
 * Issue a signer certificate for the CSR (its signature is checked; only its
 * subject and public key are used) under the root; written to out_path.
 */
int kesu_ca_sign_csr(const char *ca_key_path, const char *passphrase_file,
		     const char *ca_cert_path, const char *csr_path,
		     const struct kesu_validity *validity, const char *out_path,
		     struct kesu_errbuf *eb);

/* What `kesu key show` prints about a certificate or key file. */
struct kesu_key_info {
	int is_cert;                 /* 1: a certificate; 0: a key or CSR */
	int is_ca;
	char subject[512];
	char issuer[512];
	char not_before[32], not_after[32];
	char serial[80];             /* hex */
	char cert_sha256[65];        /* of the certificate's DER (what verifiers pin) */
	char pubkey_sha256[65];      /* of the SubjectPublicKeyInfo DER */
	char key_type[32];           /* "EC P-256" */
};

/* Describe a PEM certificate, CSR or private key (keys: mode checked, passphrase_file if encrypted). */
int kesu_key_info_file(const char *path, const char *passphrase_file, struct kesu_key_info *info,
		       struct kesu_errbuf *eb);

#endif
