/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Signing keys, CSRs, a self-signed signer and a small offline root CA
 * (see include/kesu/keys.h). Everything cryptographic is OpenSSL's.
 */
#include <kesu/keys.h>
#include <kesu/util.h>

#include "keys_priv.h"

#include <errno.h>
#include <limits.h>
#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define KEY_FILE_MAX (64u << 10)

/* The last OpenSSL error as text, for messages. */
const char *kesu_ossl_err(void)
{
	static __thread char buf[256];
	unsigned long e = ERR_peek_last_error();

	if (!e)
		return "unknown OpenSSL error";
	ERR_error_string_n(e, buf, sizeof(buf));
	ERR_clear_error();
	return buf;
}

int kesu_key_default_dir(char *buf, size_t len)
{
	const char *over = getenv("KESU_KEY_DIR");
	const char *xdg = getenv("XDG_CONFIG_HOME");
	const char *home = getenv("HOME");
	int n;

	if (over && *over)
		n = snprintf(buf, len, "%s", over);
	else if (geteuid() == 0)
		n = snprintf(buf, len, "/etc/kesu");
	else if (xdg && *xdg)
		n = snprintf(buf, len, "%s/kesu", xdg);
	else
		n = snprintf(buf, len, "%s/.config/kesu", home && *home ? home : ".");
	return n < 0 || (size_t)n >= len ? -ENAMETOOLONG : 0;
}

int kesu_key_path(char *buf, size_t len, const char *dir, const char *name)
{
	int n = snprintf(buf, len, "%s/%s", dir, name);

	return n < 0 || (size_t)n >= len ? -ENAMETOOLONG : 0;
}

/* "uid 65534 (nobody)" */
static void owner_name(uid_t uid, char *buf, size_t len)
{
	struct passwd pw, *res = NULL;
	char tmp[1024];

	if (getpwuid_r(uid, &pw, tmp, sizeof(tmp), &res) == 0 && res)
		snprintf(buf, len, "uid %u (%s)", (unsigned)uid, res->pw_name);
	else
		snprintf(buf, len, "uid %u", (unsigned)uid);
}

/* The key's own checks on its fstat: a file of ours (or root's) that only we can read. */
static int key_stat_ok(const char *path, const struct stat *st, struct kesu_errbuf *eb)
{
	char who[300];

	if (st->st_uid != geteuid() && st->st_uid != 0) {
		owner_name(st->st_uid, who, sizeof(who));
		return kesu_err_set(eb, -KESU_E_KEY,
				    "%s: the private key belongs to %s, not to the user running kesu "
				    "(uid %u) or root; kesu signs only with a key its user owns",
				    path, who, (unsigned)geteuid());
	}
	if (st->st_mode & 077)
		return kesu_err_set(eb, -KESU_E_KEY,
				    "%s: private key is accessible by group or others (mode %03o); "
				    "run: chmod 600 %s", path, (unsigned)(st->st_mode & 0777), path);
	return 0;
}

/*
 * Every directory from the key's up to /, after symbolic links are
 * resolved, as OpenSSH's StrictModes: owned by the user or root, and not
 * writable by group or others, else someone else could replace the key. A
 * sticky directory (like /tmp, mode 1777) is allowed when its owner is root
 * or the user: there nobody can rename or remove a file they do not own.
 */
static int key_dirs_ok(const char *path, struct kesu_errbuf *eb)
{
	char real[PATH_MAX], who[300];
	struct stat st;
	char *slash;

	if (!realpath(path, real))
		return kesu_err_set(eb, -errno, "%s: %s", path, strerror(errno));
	while ((slash = strrchr(real, '/')) != NULL) {
		if (slash == real)
			slash[1] = '\0';      /* "/" itself, last */
		else
			*slash = '\0';
		if (stat(real, &st) < 0)
			return kesu_err_set(eb, -errno, "%s: %s", real, strerror(errno));
		if (st.st_uid != geteuid() && st.st_uid != 0) {
			owner_name(st.st_uid, who, sizeof(who));
			return kesu_err_set(eb, -KESU_E_KEY,
					    "%s: the key's directory %s belongs to %s, not to the user "
					    "running kesu or root; move the key to a directory of yours",
					    path, real, who);
		}
		if ((st.st_mode & 022) && !(st.st_mode & S_ISVTX))
			return kesu_err_set(eb, -KESU_E_KEY,
					    "%s: others can write to the key's directory %s (mode %03o), "
					    "so they could replace the key; run: chmod go-w %s",
					    path, real, (unsigned)(st.st_mode & 0777), real);
		if (slash == real)
			break;
	}
	return 0;
}

int kesu_key_open(const char *path, struct kesu_errbuf *eb)
{
	struct stat st;
	int fd, rc;

	fd = kesu_open_regular(path, &st, eb);
	if (fd == -KESU_E_BAD_INPUT) {
		struct kesu_errbuf inner = eb ? *eb : (struct kesu_errbuf){ "" };

		return kesu_err_set(eb, -KESU_E_KEY, "%s; a private key must be a regular file",
				    inner.msg[0] ? inner.msg : path);
	}
	if (fd < 0)
		return fd;
	rc = key_stat_ok(path, &st, eb);
	if (!rc)
		rc = key_dirs_ok(path, eb);
	if (rc) {
		close(fd);
		return rc;
	}
	return fd;
}

int kesu_key_check_mode(const char *path, struct kesu_errbuf *eb)
{
	int fd = kesu_key_open(path, eb);

	if (fd < 0)
		return fd;
	close(fd);
	return 0;
}

int kesu_passphrase_read(const char *path, char *buf, size_t len, struct kesu_errbuf *eb)
{
	char *data = NULL;
	size_t n = 0, i;
	int rc;

	rc = kesu_read_file(path, 4096, &data, &n, eb);
	if (rc)
		return rc;
	for (i = 0; i < n && data[i] != '\n' && data[i] != '\r'; i++)
		;
	if (i == 0) {
		rc = kesu_err_set(eb, -KESU_E_KEY, "%s: the passphrase file's first line is empty", path);
	} else if (i >= len) {
		rc = kesu_err_set(eb, -KESU_E_KEY, "%s: passphrase longer than %zu bytes", path, len - 1);
	} else {
		memcpy(buf, data, i);
		buf[i] = '\0';
	}
	OPENSSL_cleanse(data, n);
	free(data);
	return rc;
}

/* PEM password callback: the passphrase or, without one, a refusal (never a prompt). */
static int pass_cb(char *buf, int size, int rwflag, void *u)
{
	const char *pass = u;
	size_t n;

	(void)rwflag;
	if (!pass || !*pass)
		return -1;
	n = strlen(pass);
	if (n > (size_t)size)
		return -1;
	memcpy(buf, pass, n);
	return (int)n;
}

static int write_bio_atomic(BIO *mem, const char *path, mode_t mode, struct kesu_errbuf *eb)
{
	char *p;
	long n = BIO_get_mem_data(mem, &p);

	if (n <= 0)
		return kesu_err_set(eb, -EIO, "%s: nothing to write", path);
	return kesu_write_file_atomic(path, p, (size_t)n, mode, eb);
}

int kesu_key_load_pkey(const char *key_path, const char *passphrase_file, EVP_PKEY **out,
		       struct kesu_errbuf *eb)
{
	char pass[1024] = "";
	char *data = NULL;
	size_t len = 0;
	BIO *bio = NULL;
	int rc, fd;

	*out = NULL;
	/* one descriptor for the checks and the read: nothing can swap the file between */
	fd = kesu_key_open(key_path, eb);
	if (fd < 0)
		return fd;
	if (passphrase_file && (rc = kesu_passphrase_read(passphrase_file, pass, sizeof(pass), eb)))
		goto out;
	rc = kesu_read_fd(fd, key_path, KEY_FILE_MAX, &data, &len, eb);
	if (rc)
		goto out;
	bio = BIO_new_mem_buf(data, (int)len);
	if (!bio) {
		rc = kesu_err_set(eb, -ENOMEM, "out of memory");
		goto out;
	}
	*out = PEM_read_bio_PrivateKey(bio, NULL, pass_cb, pass);
	if (!*out) {
		if (strstr(data, "ENCRYPTED") && !passphrase_file)
			rc = kesu_err_set(eb, -KESU_E_KEY, "%s: the key is encrypted; give --passphrase-file",
					  key_path);
		else
			rc = kesu_err_set(eb, -KESU_E_KEY, "%s: cannot read the private key "
					  "(wrong passphrase or not a PEM key): %s", key_path,
					  kesu_ossl_err());
	}
out:
	close(fd);
	OPENSSL_cleanse(pass, sizeof(pass));
	if (data)
		OPENSSL_cleanse(data, len);
	free(data);
	BIO_free(bio);
	return rc;
}

static int write_key(EVP_PKEY *key, const char *key_path, const char *passphrase_file,
		     struct kesu_errbuf *eb)
{
	char pass[1024] = "";
	BIO *mem = BIO_new(BIO_s_mem());
	int rc, ok;

	if (!mem)
		return kesu_err_set(eb, -ENOMEM, "out of memory");
	if (passphrase_file && (rc = kesu_passphrase_read(passphrase_file, pass, sizeof(pass), eb)))
		goto out;
	if (passphrase_file)
		ok = PEM_write_bio_PKCS8PrivateKey(mem, key, EVP_aes_256_cbc(), NULL, 0, NULL, pass);
	else
		ok = PEM_write_bio_PKCS8PrivateKey(mem, key, NULL, NULL, 0, NULL, NULL);
	if (!ok) {
		rc = kesu_err_set(eb, -KESU_E_KEY, "encoding the key: %s", kesu_ossl_err());
		goto out;
	}
	rc = write_bio_atomic(mem, key_path, 0600, eb);
out:
	OPENSSL_cleanse(pass, sizeof(pass));
	BIO_free(mem);
	return rc;
}

static int new_key(const char *key_path, const char *passphrase_file, EVP_PKEY **out,
		   struct kesu_errbuf *eb)
{
	EVP_PKEY *key;
	int rc;

	*out = NULL;
	if (access(key_path, F_OK) == 0)
		return kesu_err_set(eb, -EEXIST, "%s already exists; kesu never overwrites a key "
				    "(move it away first)", key_path);
	key = EVP_EC_gen("P-256");
	if (!key)
		return kesu_err_set(eb, -KESU_E_KEY, "generating a P-256 key: %s", kesu_ossl_err());
	rc = write_key(key, key_path, passphrase_file, eb);
	if (rc) {
		EVP_PKEY_free(key);
		return rc;
	}
	*out = key;
	return 0;
}

int kesu_key_generate(const char *key_path, const char *passphrase_file, struct kesu_errbuf *eb)
{
	EVP_PKEY *key;
	int rc = new_key(key_path, passphrase_file, &key, eb);

	EVP_PKEY_free(key);
	return rc;
}

/* "/CN=a/O=b" into name; UTF-8 values; "\/" stands for a slash in a value. */
static int parse_subject(const char *subject, X509_NAME **out, struct kesu_errbuf *eb)
{
	X509_NAME *name = X509_NAME_new();
	char *copy = strdup(subject ? subject : "");
	char *p, *field, *eq;
	int rc = 0, entries = 0;

	*out = NULL;
	if (!name || !copy) {
		rc = kesu_err_set(eb, -ENOMEM, "out of memory");
		goto out;
	}
	if (copy[0] != '/') {
		rc = kesu_err_set(eb, -KESU_E_BAD_INPUT, "subject \"%s\" must look like "
				  "\"/CN=Name/O=Organisation\"", subject ? subject : "");
		goto out;
	}
	p = copy + 1;
	while (*p) {
		char *w;

		field = p;
		for (w = p; *p && *p != '/'; p++) {
			if (*p == '\\' && p[1])
				p++;
			*w++ = *p;
		}
		if (*p == '/')
			p++;
		*w = '\0';
		eq = strchr(field, '=');
		if (!eq || eq == field || !eq[1]) {
			rc = kesu_err_set(eb, -KESU_E_BAD_INPUT, "subject field \"%s\" is not NAME=VALUE",
					  field);
			goto out;
		}
		*eq = '\0';
		if (!X509_NAME_add_entry_by_txt(name, field, MBSTRING_UTF8,
						(const unsigned char *)(eq + 1), -1, -1, 0)) {
			rc = kesu_err_set(eb, -KESU_E_BAD_INPUT, "subject field %s: %s", field,
					  kesu_ossl_err());
			goto out;
		}
		entries++;
	}
	if (!entries) {
		rc = kesu_err_set(eb, -KESU_E_BAD_INPUT, "empty subject; give e.g. \"/CN=Name/O=Org\"");
		goto out;
	}
	*out = name;
	name = NULL;
out:
	X509_NAME_free(name);
	free(copy);
	return rc;
}

int kesu_key_subject_check(const char *subject, struct kesu_errbuf *eb)
{
	X509_NAME *name = NULL;
	int rc = parse_subject(subject, &name, eb);

	X509_NAME_free(name);
	return rc;
}

int kesu_key_write_csr(const char *key_path, const char *passphrase_file, const char *subject,
		       const char *csr_path, struct kesu_errbuf *eb)
{
	EVP_PKEY *key = NULL;
	X509_NAME *name = NULL;
	X509_REQ *req = NULL;
	BIO *mem = NULL;
	int rc;

	rc = parse_subject(subject, &name, eb);
	if (rc)
		return rc;
	rc = kesu_key_load_pkey(key_path, passphrase_file, &key, eb);
	if (rc)
		goto out;
	req = X509_REQ_new();
	mem = BIO_new(BIO_s_mem());
	if (!req || !mem || !X509_REQ_set_version(req, 0) || !X509_REQ_set_subject_name(req, name) ||
	    !X509_REQ_set_pubkey(req, key) || !X509_REQ_sign(req, key, EVP_sha256()) ||
	    !PEM_write_bio_X509_REQ(mem, req)) {
		rc = kesu_err_set(eb, -KESU_E_KEY, "making the CSR: %s", kesu_ossl_err());
		goto out;
	}
	rc = write_bio_atomic(mem, csr_path, 0644, eb);
out:
	BIO_free(mem);
	X509_REQ_free(req);
	X509_NAME_free(name);
	EVP_PKEY_free(key);
	return rc;
}

static int add_ext(X509 *cert, X509 *issuer, int nid, const char *value)
{
	X509V3_CTX ctx;
	X509_EXTENSION *ext;
	int ok;

	X509V3_set_ctx(&ctx, issuer, cert, NULL, NULL, 0);
	ext = X509V3_EXT_conf_nid(NULL, &ctx, nid, value);
	if (!ext)
		return 0;
	ok = X509_add_ext(cert, ext, -1);
	X509_EXTENSION_free(ext);
	return ok;
}

static int random_serial(X509 *cert)
{
	BIGNUM *bn = BN_new();
	ASN1_INTEGER *ai = NULL;
	int ok = 0;

	/* 127 random bits: positive, unique without a serial file. */
	if (bn && BN_rand(bn, 127, BN_RAND_TOP_ANY, BN_RAND_BOTTOM_ANY) &&
	    (ai = BN_to_ASN1_INTEGER(bn, NULL)) && X509_set_serialNumber(cert, ai))
		ok = 1;
	ASN1_INTEGER_free(ai);
	BN_free(bn);
	return ok;
}

static void validity_span(const struct kesu_validity *v, long default_days, time_t *nb, time_t *na)
{
	time_t now = time(NULL);

	*nb = v && v->not_before ? v->not_before : now - 300; /* a little slack for clock skew */
	*na = v && v->not_after ? v->not_after : now + default_days * 86400L;
}

enum cert_kind { CERT_SIGNER, CERT_CA };

/*
 * Build and sign a certificate for pubkey/subject, issued by issuer (NULL:
 * self-issued) with issuer_key.
 */
static int issue_cert(EVP_PKEY *pubkey, const X509_NAME *subject, X509 *issuer,
		      EVP_PKEY *issuer_key, enum cert_kind kind, const struct kesu_validity *v,
		      X509 **out, struct kesu_errbuf *eb)
{
	X509 *cert = X509_new();
	time_t nb, na;
	int ok;

	*out = NULL;
	validity_span(v, kind == CERT_CA ? KESU_CA_DAYS : KESU_SIGNER_DAYS, &nb, &na);
	ok = cert && X509_set_version(cert, 2) && random_serial(cert) &&
	     X509_set_subject_name(cert, subject) &&
	     X509_set_issuer_name(cert, issuer ? X509_get_subject_name(issuer) : subject) &&
	     X509_time_adj_ex(X509_getm_notBefore(cert), 0, 0, &nb) &&
	     X509_time_adj_ex(X509_getm_notAfter(cert), 0, 0, &na) &&
	     X509_set_pubkey(cert, pubkey);
	if (ok && kind == CERT_CA)
		ok = add_ext(cert, cert, NID_basic_constraints, "critical,CA:TRUE") &&
		     add_ext(cert, cert, NID_key_usage, "critical,keyCertSign,cRLSign") &&
		     add_ext(cert, cert, NID_subject_key_identifier, "hash");
	else if (ok)
		ok = add_ext(cert, issuer ? issuer : cert, NID_basic_constraints, "critical,CA:FALSE") &&
		     add_ext(cert, issuer ? issuer : cert, NID_key_usage,
			     "critical,digitalSignature,nonRepudiation") &&
		     add_ext(cert, issuer ? issuer : cert, NID_ext_key_usage, "emailProtection") &&
		     add_ext(cert, issuer ? issuer : cert, NID_subject_key_identifier, "hash");
	if (ok && issuer)
		ok = add_ext(cert, issuer, NID_authority_key_identifier, "keyid:always");
	if (ok)
		ok = X509_sign(cert, issuer_key, EVP_sha256()) > 0;
	if (!ok) {
		X509_free(cert);
		return kesu_err_set(eb, -KESU_E_KEY, "issuing the certificate: %s", kesu_ossl_err());
	}
	*out = cert;
	return 0;
}

static int write_cert(X509 *cert, const char *path, struct kesu_errbuf *eb)
{
	BIO *mem = BIO_new(BIO_s_mem());
	int rc;

	if (!mem || !PEM_write_bio_X509(mem, cert))
		rc = kesu_err_set(eb, -ENOMEM, "encoding the certificate: %s", kesu_ossl_err());
	else
		rc = write_bio_atomic(mem, path, 0644, eb);
	BIO_free(mem);
	return rc;
}

int kesu_key_self_sign(const char *key_path, const char *passphrase_file, const char *subject,
		       const struct kesu_validity *validity, const char *cert_path,
		       struct kesu_errbuf *eb)
{
	EVP_PKEY *key = NULL;
	X509_NAME *name = NULL;
	X509 *cert = NULL;
	int rc;

	rc = parse_subject(subject, &name, eb);
	if (!rc)
		rc = kesu_key_load_pkey(key_path, passphrase_file, &key, eb);
	if (!rc)
		rc = issue_cert(key, name, NULL, key, CERT_SIGNER, validity, &cert, eb);
	if (!rc)
		rc = write_cert(cert, cert_path, eb);
	X509_free(cert);
	X509_NAME_free(name);
	EVP_PKEY_free(key);
	return rc;
}

int kesu_ca_init(const char *ca_key_path, const char *passphrase_file, const char *subject,
		 const struct kesu_validity *validity, const char *ca_cert_path,
		 struct kesu_errbuf *eb)
{
	EVP_PKEY *key = NULL;
	X509_NAME *name = NULL;
	X509 *cert = NULL;
	int rc;

	rc = parse_subject(subject, &name, eb);
	if (!rc && access(ca_cert_path, F_OK) == 0)
		rc = kesu_err_set(eb, -EEXIST, "%s already exists; kesu never overwrites a root",
				  ca_cert_path);
	if (!rc)
		rc = new_key(ca_key_path, passphrase_file, &key, eb);
	if (!rc)
		rc = issue_cert(key, name, NULL, key, CERT_CA, validity, &cert, eb);
	if (!rc)
		rc = write_cert(cert, ca_cert_path, eb);
	X509_free(cert);
	X509_NAME_free(name);
	EVP_PKEY_free(key);
	return rc;
}

int kesu_x509_load(const char *path, X509 **out, struct kesu_errbuf *eb)
{
	char *data = NULL;
	size_t len = 0;
	BIO *bio;
	int rc;

	*out = NULL;
	rc = kesu_read_file(path, KEY_FILE_MAX, &data, &len, eb);
	if (rc)
		return rc;
	bio = BIO_new_mem_buf(data, (int)len);
	if (bio)
		*out = PEM_read_bio_X509(bio, NULL, NULL, NULL);
	if (!*out)
		rc = kesu_err_set(eb, -KESU_E_BAD_INPUT, "%s: not a PEM certificate", path);
	BIO_free(bio);
	free(data);
	return rc;
}

static int load_csr(const char *path, X509_REQ **out, struct kesu_errbuf *eb)
{
	char *data = NULL;
	size_t len = 0;
	BIO *bio;
	EVP_PKEY *pub;
	int rc;

	*out = NULL;
	rc = kesu_read_file(path, KEY_FILE_MAX, &data, &len, eb);
	if (rc)
		return rc;
	bio = BIO_new_mem_buf(data, (int)len);
	if (bio)
		*out = PEM_read_bio_X509_REQ(bio, NULL, NULL, NULL);
	BIO_free(bio);
	free(data);
	if (!*out)
		return kesu_err_set(eb, -KESU_E_BAD_INPUT, "%s: not a PEM certificate request", path);
	pub = X509_REQ_get0_pubkey(*out);
	if (!pub || X509_REQ_verify(*out, pub) != 1) {
		X509_REQ_free(*out);
		*out = NULL;
		return kesu_err_set(eb, -KESU_E_SIGNATURE, "%s: the request's own signature does "
				    "not verify", path);
	}
	return 0;
}

int kesu_ca_sign_csr(const char *ca_key_path, const char *passphrase_file,
		     const char *ca_cert_path, const char *csr_path,
		     const struct kesu_validity *validity, const char *out_path,
		     struct kesu_errbuf *eb)
{
	EVP_PKEY *ca_key = NULL;
	X509 *ca = NULL, *cert = NULL;
	X509_REQ *req = NULL;
	int rc;

	rc = load_csr(csr_path, &req, eb);
	if (!rc)
		rc = kesu_x509_load(ca_cert_path, &ca, eb);
	if (!rc)
		rc = kesu_key_load_pkey(ca_key_path, passphrase_file, &ca_key, eb);
	if (!rc && X509_check_private_key(ca, ca_key) != 1)
		rc = kesu_err_set(eb, -KESU_E_KEY, "%s does not belong to %s", ca_key_path,
				  ca_cert_path);
	if (!rc)
		rc = issue_cert(X509_REQ_get0_pubkey(req), X509_REQ_get_subject_name(req), ca,
				ca_key, CERT_SIGNER, validity, &cert, eb);
	if (!rc)
		rc = write_cert(cert, out_path, eb);
	X509_free(cert);
	X509_free(ca);
	X509_REQ_free(req);
	EVP_PKEY_free(ca_key);
	return rc;
}

int kesu_x509_fingerprint(X509 *cert, char out[65])
{
	unsigned char *der = NULL;
	int n = i2d_X509(cert, &der);
	int rc;

	if (n <= 0)
		return -KESU_E_BAD_INPUT;
	rc = kesu_sha256_hex(der, (size_t)n, out);
	OPENSSL_free(der);
	return rc;
}

static int pubkey_fingerprint(EVP_PKEY *key, char out[65])
{
	unsigned char *der = NULL;
	int n = i2d_PUBKEY(key, &der);
	int rc;

	if (n <= 0)
		return -KESU_E_BAD_INPUT;
	rc = kesu_sha256_hex(der, (size_t)n, out);
	OPENSSL_free(der);
	return rc;
}

void kesu_x509_name_str(const X509_NAME *name, char *buf, size_t len)
{
	BIO *mem = BIO_new(BIO_s_mem());
	char *p;
	long n;

	buf[0] = '\0';
	if (!mem)
		return;
	if (X509_NAME_print_ex(mem, name, 0, XN_FLAG_RFC2253 & ~ASN1_STRFLGS_ESC_MSB) >= 0) {
		n = BIO_get_mem_data(mem, &p);
		if (n > 0) {
			if ((size_t)n >= len)
				n = (long)len - 1;
			memcpy(buf, p, (size_t)n);
			buf[n] = '\0';
		}
	}
	BIO_free(mem);
}

void kesu_asn1_time_str(const ASN1_TIME *t, char *buf, size_t len)
{
	struct tm tm;

	buf[0] = '\0';
	if (t && ASN1_TIME_to_tm(t, &tm))
		strftime(buf, len, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

static void key_type(EVP_PKEY *key, char *buf, size_t len)
{
	char group[64] = "";
	size_t glen = 0;

	if (EVP_PKEY_get_base_id(key) == EVP_PKEY_EC &&
	    EVP_PKEY_get_group_name(key, group, sizeof(group), &glen))
		snprintf(buf, len, "EC %s", strcmp(group, "prime256v1") ? group : "P-256");
	else
		snprintf(buf, len, "%s", OBJ_nid2sn(EVP_PKEY_get_base_id(key)));
}

static void describe_cert(X509 *cert, struct kesu_key_info *info)
{
	const ASN1_INTEGER *serial = X509_get0_serialNumber(cert);
	BIGNUM *bn = ASN1_INTEGER_to_BN(serial, NULL);
	char *hex = bn ? BN_bn2hex(bn) : NULL;

	info->is_cert = 1;
	info->is_ca = X509_check_ca(cert) > 0;
	kesu_x509_name_str(X509_get_subject_name(cert), info->subject, sizeof(info->subject));
	kesu_x509_name_str(X509_get_issuer_name(cert), info->issuer, sizeof(info->issuer));
	kesu_asn1_time_str(X509_get0_notBefore(cert), info->not_before, sizeof(info->not_before));
	kesu_asn1_time_str(X509_get0_notAfter(cert), info->not_after, sizeof(info->not_after));
	snprintf(info->serial, sizeof(info->serial), "%s", hex ? hex : "");
	kesu_x509_fingerprint(cert, info->cert_sha256);
	if (X509_get0_pubkey(cert)) {
		pubkey_fingerprint(X509_get0_pubkey(cert), info->pubkey_sha256);
		key_type(X509_get0_pubkey(cert), info->key_type, sizeof(info->key_type));
	}
	OPENSSL_free(hex);
	BN_free(bn);
}

int kesu_key_info_file(const char *path, const char *passphrase_file, struct kesu_key_info *info,
		       struct kesu_errbuf *eb)
{
	char *data = NULL;
	size_t len = 0;
	BIO *bio = NULL;
	X509 *cert = NULL;
	X509_REQ *req = NULL;
	EVP_PKEY *key = NULL;
	int rc;

	memset(info, 0, sizeof(*info));
	rc = kesu_read_file(path, KEY_FILE_MAX, &data, &len, eb);
	if (rc)
		return rc;
	bio = BIO_new_mem_buf(data, (int)len);
	if (!bio) {
		rc = kesu_err_set(eb, -ENOMEM, "out of memory");
		goto out;
	}
	if (strstr(data, "-----BEGIN CERTIFICATE-----") &&
	    (cert = PEM_read_bio_X509(bio, NULL, NULL, NULL))) {
		describe_cert(cert, info);
	} else if (strstr(data, "CERTIFICATE REQUEST-----") &&
		   (req = PEM_read_bio_X509_REQ(bio, NULL, NULL, NULL))) {
		kesu_x509_name_str(X509_REQ_get_subject_name(req), info->subject,
				   sizeof(info->subject));
		if (X509_REQ_get0_pubkey(req)) {
			pubkey_fingerprint(X509_REQ_get0_pubkey(req), info->pubkey_sha256);
			key_type(X509_REQ_get0_pubkey(req), info->key_type, sizeof(info->key_type));
		}
	} else if (strstr(data, "PRIVATE KEY-----")) {
		rc = kesu_key_load_pkey(path, passphrase_file, &key, eb);
		if (rc)
			goto out;
		pubkey_fingerprint(key, info->pubkey_sha256);
		key_type(key, info->key_type, sizeof(info->key_type));
	} else {
		rc = kesu_err_set(eb, -KESU_E_BAD_INPUT, "%s: not a PEM certificate, request or key",
				  path);
	}
out:
	EVP_PKEY_free(key);
	X509_REQ_free(req);
	X509_free(cert);
	BIO_free(bio);
	if (data)
		OPENSSL_cleanse(data, len);
	free(data);
	return rc;
}
