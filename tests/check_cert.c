/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Erasure certificates: issued from a record with keys made by kesu key/ca,
 * verified by kesu and by stock openssl; tampering, foreign and expired
 * signers, the PDF (fonts, text, QR), malformed input, unsafe keys.
 */
#include <check.h>
#include <errno.h>
#include <jansson.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <kesu/cert.h>
#include <kesu/config.h>
#include <kesu/record.h>
#include <kesu/keys.h>
#include <kesu/sign.h>
#include <kesu/util.h>

#include "lib/testutil.h"

/* Test paths live under a short scratch directory; truncation cannot happen. */
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wformat-truncation"
#endif

/* A root CA, a station key with a certificate from it, an empty config. */
struct pki {
	char dir[PATH_MAX - 64];
	char root[PATH_MAX], key[PATH_MAX], cert[PATH_MAX], config[PATH_MAX], out[PATH_MAX];
};

static void run_ok(struct tu_result *r)
{
	if (r->status != 0)
		fprintf(stderr, "kesu failed (%d): %s%s\n", r->status, r->out, r->err);
	ck_assert_int_eq(r->status, 0);
}

static void make_pki(struct pki *p, const char *name)
{
	struct tu_pki made;

	snprintf(p->dir, sizeof(p->dir), "%s/%s", tu_tmpdir(), name);
	ck_assert_int_eq(mkdir(p->dir, 0700), 0);
	snprintf(p->config, sizeof(p->config), "%s/kesu.conf", p->dir);
	snprintf(p->out, sizeof(p->out), "%s/out", p->dir);
	ck_assert_int_eq(mkdir(p->out, 0700), 0);
	ck_assert_int_eq(tu_write_file(p->config, "[contract]\nname = 検証業務\n", strlen("[contract]\nname = 検証業務\n")), 0);
	tu_make_pki(p->dir, "/CN=Test Root/O=テスト株式会社", "/CN=山田 太郎/O=テスト株式会社", &made);
	snprintf(p->root, sizeof(p->root), "%s", made.root);
	snprintf(p->key, sizeof(p->key), "%s", made.key);
	snprintf(p->cert, sizeof(p->cert), "%s", made.cert);
}

/*
 * One PKI made before the tests fork, shared by the tests that only read it
 * (each gets its own output directory); tests that change keys make their own.
 */
static struct pki shared;

static void use_shared(struct pki *p)
{
	*p = shared;
	snprintf(p->out, sizeof(p->out), "%s/out", tu_tmpdir());
	ck_assert_int_eq(mkdir(p->out, 0700), 0);
}

static const char *fixture(void)
{
	static char path[PATH_MAX];

	snprintf(path, sizeof(path), "%s/tests/fixtures/record-overwrite.json", tu_srcdir());
	return path;
}

/* The certificate's path in out from the --json output r of 'kesu cert issue'. */
static void issued_path(const char *out, const struct tu_result *r, char *json, size_t len)
{
	json_t *o = json_loads(r->out, 0, NULL);

	ck_assert_ptr_nonnull(o);
	snprintf(json, len, "%s/%s.json", out, json_string_value(json_object_get(o, "certificate_id")));
	json_decref(o);
}

/* The certificate json verifies against root with 'kesu cert verify' and with openssl cms. */
static void verifies_with_kesu_and_openssl(const char *json, const char *root)
{
	struct tu_result r;

	ck_assert_int_eq(tu_kesu(&r, "cert", "verify", json, "--ca", root, NULL), 0);
	run_ok(&r);
	tu_result_free(&r);
	ck_assert_int_eq(tu_sh("openssl cms -verify -binary -inform PEM -in '%s.p7s' -content '%s' "
			       "-CAfile '%s' -out /dev/null 2>/dev/null", json, json, root), 0);
}

/* Issue a certificate for record with p's signer; json path into json. */
static void issue(const struct pki *p, const char *record, char *json, size_t len)
{
	struct tu_result r;

	ck_assert_int_eq(tu_kesu(&r, "cert", "issue", record, "--out", p->out, "--config", p->config,
				 "--key", p->key, "--cert", p->cert, "--operator", "山田 太郎",
				 "--organisation", "テスト株式会社", "--property-id", "M2025000123",
				 "--json", NULL), 0);
	run_ok(&r);
	issued_path(p->out, &r, json, len);
	tu_result_free(&r);
}

START_TEST(test_cert_verifies_with_kesu_and_openssl)
{
	struct kesu_cert_verify v;
	struct kesu_errbuf eb;
	struct tu_result r;
	struct pki p;
	char json[PATH_MAX], *bytes, sha[65];
	json_t *c;
	size_t len;

	use_shared(&p);
	issue(&p, fixture(), json, sizeof(json));

	ck_assert_int_eq(kesu_cert_verify_file(json, p.root, &v, &eb), 0);
	ck_assert(kesu_cert_verify_ok(&v));
	ck_assert_str_eq(v.outcome, "ERASED");
	ck_assert_str_eq(v.media_serial, "Z3TABC12");
	ck_assert_ptr_nonnull(strstr(v.signer_subject, "山田 太郎"));
	ck_assert_int_eq((int)strlen(v.signing_time), 20);

	ck_assert_int_eq(tu_kesu(&r, "cert", "verify", json, "--ca", p.root, NULL), 0);
	run_ok(&r);
	ck_assert_ptr_nonnull(strstr(r.out, "VERIFIED"));
	ck_assert_ptr_nonnull(strstr(r.out, "ERASED"));
	ck_assert_ptr_nonnull(strstr(r.out, "山田 太郎"));
	tu_result_free(&r);

	ck_assert_int_eq(tu_kesu(&r, "cert", "verify", json, "--ca", p.root, "--json", NULL), 0);
	run_ok(&r);
	c = json_loads(r.out, 0, NULL);
	ck_assert_ptr_nonnull(c);
	ck_assert(json_is_true(json_object_get(c, "ok")));
	ck_assert(json_is_true(json_object_get(c, "chain_ok")));
	ck_assert_str_eq(json_string_value(json_object_get(c, "outcome")), "ERASED");
	json_decref(c);
	tu_result_free(&r);

	ck_assert_int_eq(tu_sh("openssl cms -verify -binary -inform PEM -in '%s.p7s' -content '%s' "
			       "-CAfile '%s' -out /dev/null 2>/dev/null", json, json, p.root), 0);

	/* The root from [signing] root when --ca is not given. */
	{
		char conf[PATH_MAX], text[PATH_MAX + 32];

		snprintf(conf, sizeof(conf), "%s/verify.conf", tu_tmpdir());
		snprintf(text, sizeof(text), "[signing]\nroot = %s\n", p.root);
		ck_assert_int_eq(tu_write_file(conf, text, strlen(text)), 0);
		ck_assert_int_eq(tu_kesu(&r, "cert", "verify", json, "--config", conf, NULL), 0);
		run_ok(&r);
		tu_result_free(&r);
	}

	/* The keys labels and the ledger read, and the certificate's own form. */
	bytes = tu_read_file(json, &len);
	ck_assert_ptr_nonnull(bytes);
	c = json_loadb(bytes, len, JSON_REJECT_DUPLICATES, NULL);
	ck_assert_ptr_nonnull(c);
	ck_assert_str_eq(json_string_value(json_object_get(c, "outcome")), "ERASED");
	ck_assert_str_eq(json_string_value(json_object_get(json_object_get(json_object_get(c, "nist"),
					   "media"), "serial")), "Z3TABC12");
	ck_assert_str_eq(json_string_value(json_object_get(json_object_get(json_object_get(c, "nist"),
					   "media"), "property_id")), "M2025000123");
	ck_assert_str_eq(json_string_value(json_object_get(json_object_get(c, "contract"), "name")),
			 "検証業務");
	{
		char *again = json_dumps(c, JSON_SORT_KEYS | JSON_COMPACT);

		ck_assert_str_eq(again, bytes); /* sorted, compact: reproducible bytes */
		free(again);
	}
	ck_assert_int_eq(kesu_cert_record_sha256(json_object_get(c, "record"), sha), 0);
	ck_assert_str_eq(sha, json_string_value(json_object_get(c, "record_sha256")));
	ck_assert(strncmp(json_string_value(json_object_get(c, "certificate_id")), "KC-", 3) == 0);
	json_decref(c);
	free(bytes);
}
END_TEST

static void flip_file_byte(const char *src, const char *dst, size_t pos)
{
	size_t len;
	char *b = tu_read_file(src, &len);

	ck_assert_ptr_nonnull(b);
	b[pos] ^= 0x01;
	ck_assert_int_eq(tu_write_file(dst, b, len), 0);
	free(b);
}

START_TEST(test_cert_every_changed_byte_fails)
{
	struct kesu_cert_verify v;
	struct pki p;
	char json[PATH_MAX], p7s_path[PATH_MAX], copy[PATH_MAX];
	char *bytes, *p7s;
	size_t len, p7s_len, i, step;

	use_shared(&p);
	issue(&p, fixture(), json, sizeof(json));
	bytes = tu_read_file(json, &len);
	snprintf(p7s_path, sizeof(p7s_path), "%s.p7s", json);
	p7s = tu_read_file(p7s_path, &p7s_len);
	ck_assert_ptr_nonnull(bytes);
	ck_assert_ptr_nonnull(p7s);
	ck_assert_int_eq(kesu_cert_verify_mem(bytes, len, p7s, p7s_len, NULL, 0, p.root, &v, NULL), 0);

	/* Every position, with kesu's verifier. */
	for (i = 0; i < len; i++) {
		bytes[i] ^= 0x01;
		ck_assert_msg(kesu_cert_verify_mem(bytes, len, p7s, p7s_len, NULL, 0, p.root, &v,
						   NULL) != 0, "byte %zu changed, still verifies", i);
		ck_assert(!kesu_cert_verify_ok(&v));
		ck_assert(!v.signature_ok);
		bytes[i] ^= 0x01;
	}

	/* A sample of positions with stock openssl (slower). */
	snprintf(copy, sizeof(copy), "%s/tampered.json", p.dir);
	step = len / 12;
	for (i = 0; i < len; i += step) {
		flip_file_byte(json, copy, i);
		ck_assert_msg(tu_sh("openssl cms -verify -binary -inform PEM -in '%s' -content '%s' "
				    "-CAfile '%s' -out /dev/null 2>/dev/null", p7s_path, copy,
				    p.root) != 0, "openssl accepted byte %zu changed", i);
	}
	free(bytes);
	free(p7s);
}
END_TEST

START_TEST(test_cert_foreign_signer_fails)
{
	struct kesu_cert_verify v;
	struct tu_result r;
	struct pki ours, theirs;
	char json[PATH_MAX];

	use_shared(&ours);
	make_pki(&theirs, "theirs");
	issue(&theirs, fixture(), json, sizeof(json));

	ck_assert_int_eq(kesu_cert_verify_file(json, ours.root, &v, NULL), -KESU_E_SIGNATURE);
	ck_assert(v.signature_ok);
	ck_assert(!v.chain_ok);
	ck_assert_int_eq(tu_kesu(&r, "cert", "verify", json, "--ca", ours.root, NULL), 0);
	ck_assert_int_eq(r.status, 12);
	ck_assert_ptr_nonnull(strstr(r.err, "does not chain"));
	tu_result_free(&r);
	ck_assert_int_eq(tu_kesu(&r, "cert", "verify", json, "--ca", ours.root, "--json", NULL), 0);
	ck_assert_int_eq(r.status, 12);
	{
		json_t *o = json_loads(r.out, 0, NULL);

		ck_assert_ptr_nonnull(o);
		ck_assert(json_is_false(json_object_get(o, "ok")));
		ck_assert(json_is_false(json_object_get(o, "chain_ok")));
		ck_assert(json_is_true(json_object_get(o, "signature_ok")));
		json_decref(o);
	}
	tu_result_free(&r);
	ck_assert_int_ne(tu_sh("openssl cms -verify -binary -inform PEM -in '%s.p7s' -content '%s' "
			       "-CAfile '%s' -out /dev/null 2>/dev/null", json, json, ours.root), 0);
}
END_TEST

START_TEST(test_cert_expired_signer_reported)
{
	struct kesu_validity past = { time(NULL) - 10 * 86400, time(NULL) - 86400 };
	struct kesu_cert_verify v;
	struct tu_result r;
	struct pki p;
	char json[PATH_MAX], csr[PATH_MAX], ca_key[PATH_MAX];

	make_pki(&p, "pki");
	snprintf(csr, sizeof(csr), "%s/st/signer.csr", p.dir);
	snprintf(ca_key, sizeof(ca_key), "%s/ca/root.key", p.dir);
	ck_assert_int_eq(kesu_ca_sign_csr(ca_key, NULL, p.root, csr, &past, p.cert, NULL), 0);
	issue(&p, fixture(), json, sizeof(json));

	ck_assert_int_eq(kesu_cert_verify_file(json, p.root, &v, NULL), -KESU_E_SIGNATURE);
	ck_assert(v.signature_ok);
	ck_assert(v.chain_ok);
	ck_assert(v.expired);
	ck_assert_ptr_nonnull(strstr(v.problem, "expired"));
	ck_assert_int_eq(tu_kesu(&r, "cert", "verify", json, "--ca", p.root, NULL), 0);
	ck_assert_int_eq(r.status, 12);
	ck_assert_ptr_nonnull(strstr(r.out, "EXPIRED"));
	tu_result_free(&r);
}
END_TEST

START_TEST(test_cert_pdf_fonts_text_qr)
{
	struct pki p;
	char json[PATH_MAX], pdf[PATH_MAX], want[128], sha[65], *out, *bytes;
	const char *id;
	size_t len, n;

	use_shared(&p);
	issue(&p, fixture(), json, sizeof(json));
	n = strlen(json);
	snprintf(pdf, sizeof(pdf), "%.*s.pdf", (int)(n - 5), json);
	id = strrchr(json, '/') + 1;

	out = tu_sh_out("pdffonts '%s'", pdf);
	ck_assert_ptr_nonnull(out);
	ck_assert_msg(tu_sh("pdffonts '%s' | grep IPAex | grep -q ' yes yes '", pdf) == 0,
		      "IPAex not embedded: %s", out);
	free(out);

	out = tu_sh_out("pdftotext '%s' -", pdf);
	ck_assert_ptr_nonnull(out);
	ck_assert_ptr_nonnull(strstr(out, "ERASED"));
	ck_assert_ptr_nonnull(strstr(out, "Z3TABC12"));
	ck_assert_ptr_nonnull(strstr(out, "データ消去証明書"));
	snprintf(want, sizeof(want), "%.*s", (int)(strlen(id) - 5), id);
	ck_assert_ptr_nonnull(strstr(out, want));
	free(out);

	bytes = tu_read_file(json, &len);
	ck_assert_ptr_nonnull(bytes);
	{
		char sha_up[17];
		size_t i;

		kesu_sha256_hex(bytes, len, sha);
		for (i = 0; i < 16; i++)
			sha_up[i] = (char)(sha[i] >= 'a' ? sha[i] - 32 : sha[i]);
		sha_up[16] = '\0';
		snprintf(want, sizeof(want), "QR-Code:KESU:C:%.*s:%s", (int)(strlen(id) - 5), id,
			 sha_up);
	}
	free(bytes);
	ck_assert_int_eq(tu_sh("pdftoppm -r 300 -png -f 1 -l 1 '%s' '%s/page'", pdf, p.dir), 0);
	out = tu_sh_out("zbarimg -q '%s/page-1.png' 2>/dev/null", p.dir);
	ck_assert_ptr_nonnull(out);
	ck_assert_msg(strstr(out, want), "QR decoded as '%s', want '%s'", out, want);
	free(out);
}
END_TEST

/* Run `kesu cert verify` on a crafted file; returns the exit status. */
static int verify_status(const char *json, const char *root, const char *expect_err)
{
	struct tu_result r;
	int st;

	ck_assert_int_eq(tu_kesu(&r, "cert", "verify", json, "--ca", root, NULL), 0);
	st = r.status;
	ck_assert_msg(st < 128, "kesu crashed (status %d): %s", st, r.err);
	if (expect_err)
		ck_assert_msg(strstr(r.err, expect_err), "stderr '%s' lacks '%s'", r.err, expect_err);
	tu_result_free(&r);
	return st;
}

/* Replace the first occurrence of from with to in the certificate; re-sign nothing. */
static void write_variant(const char *src, const char *dst, const char *from, const char *to)
{
	size_t len;
	char *b = tu_read_file(src, &len), *at, *n;

	ck_assert_ptr_nonnull(b);
	at = strstr(b, from);
	ck_assert_ptr_nonnull(at);
	n = malloc(len + strlen(to) + 1);
	ck_assert_ptr_nonnull(n);
	memcpy(n, b, (size_t)(at - b));
	strcpy(n + (at - b), to);
	strcat(n, at + strlen(from));
	ck_assert_int_eq(tu_write_file(dst, n, strlen(n)), 0);
	free(n);
	free(b);
}

START_TEST(test_cert_malformed_input)
{
	struct pki p;
	char json[PATH_MAX], bad[PATH_MAX], p7s[PATH_MAX], badp7s[PATH_MAX];
	char *b, *huge;
	size_t len, i;
	FILE *f;

	use_shared(&p);
	issue(&p, fixture(), json, sizeof(json));
	snprintf(p7s, sizeof(p7s), "%s.p7s", json);
	snprintf(bad, sizeof(bad), "%s/bad.json", p.dir);
	snprintf(badp7s, sizeof(badp7s), "%s/bad.json.p7s", p.dir);
	ck_assert_int_eq(tu_sh("cp '%s' '%s'", p7s, badp7s), 0);

	/* truncated JSON */
	b = tu_read_file(json, &len);
	ck_assert_int_eq(tu_write_file(bad, b, len / 2), 0);
	ck_assert_int_eq(verify_status(bad, p.root, "not valid JSON"), 11);
	/* wrong types */
	write_variant(json, bad, "\"certificate_version\":1", "\"certificate_version\":\"1\"");
	ck_assert_int_eq(verify_status(bad, p.root, "certificate_version"), 11);
	write_variant(json, bad, "\"duration_ms\":3000", "\"duration_ms\":3.5");
	ck_assert_int_eq(verify_status(bad, p.root, "integers and strings"), 11);
	write_variant(json, bad, "\"nist\":{", "\"nist\":[],\"x\":{");
	ck_assert_int_eq(verify_status(bad, p.root, "nist"), 11);
	/* duplicate keys */
	write_variant(json, bad, "\"outcome\":\"ERASED\"", "\"outcome\":\"FAILED\",\"outcome\":\"ERASED\"");
	ck_assert_int_eq(verify_status(bad, p.root, "duplicate"), 11);
	/* a huge field */
	huge = malloc(200000);
	ck_assert_ptr_nonnull(huge);
	memset(huge, 'A', 199998);
	huge[0] = '"';
	huge[199998] = '"';
	huge[199999] = '\0';
	write_variant(json, bad, "\"Z3TABC12\"", huge);
	ck_assert_int_eq(verify_status(bad, p.root, "longer than"), 11);
	free(huge);
	/* a huge file */
	f = fopen(bad, "w");
	ck_assert_ptr_nonnull(f);
	for (i = 0; i < (9u << 20) / 4096; i++) {
		char block[4096];

		memset(block, ' ', sizeof(block));
		fwrite(block, 1, sizeof(block), f);
	}
	fclose(f);
	ck_assert_int_eq(verify_status(bad, p.root, "larger than"), 11);
	/* a .p7s that is not CMS, with the genuine JSON */
	ck_assert_int_eq(tu_write_file(bad, b, len), 0);
	ck_assert_int_eq(tu_write_file(badp7s, "-----BEGIN CMS-----\nAAAA\n-----END CMS-----\n", 42), 0);
	ck_assert_int_eq(verify_status(bad, p.root, "not a CMS"), 11);
	ck_assert_int_eq(tu_write_file(badp7s, b, len), 0);
	ck_assert_int_eq(verify_status(bad, p.root, "not a CMS"), 11);
	/* missing files */
	unlink(badp7s);
	ck_assert_int_eq(verify_status(bad, p.root, "no signature"), 3);
	ck_assert_int_eq(verify_status("/nonexistent/x.json", p.root, "No such file"), 3);
	/* a directory where the certificate should be */
	ck_assert_int_eq(verify_status(p.out, p.root, "directory"), 11);
	/* a root that is not a certificate */
	ck_assert_int_eq(verify_status(json, bad, "root"), 11);
	free(b);
}
END_TEST

START_TEST(test_cert_world_readable_key_refused)
{
	struct tu_result r;
	struct pki p;

	make_pki(&p, "pki");
	ck_assert_int_eq(chmod(p.key, 0644), 0);
	ck_assert_int_eq(tu_kesu(&r, "cert", "issue", fixture(), "--out", p.out, "--config",
				 p.config, "--key", p.key, "--cert", p.cert, NULL), 0);
	ck_assert_int_eq(r.status, 12);
	ck_assert_msg(strstr(r.err, "chmod 600"), "stderr: %s", r.err);
	tu_result_free(&r);
	ck_assert_int_eq(tu_sh("ls '%s' | grep -q json", p.out), 1); /* nothing written */
}
END_TEST

START_TEST(test_cert_record_rejected)
{
	struct tu_result r;
	struct pki p;
	char rec[PATH_MAX];

	use_shared(&p);
	snprintf(rec, sizeof(rec), "%s/rec.json", p.dir);
	write_variant(fixture(), rec, "\"outcome\": \"ERASED\"", "\"outcome\": \"DONE\"");
	ck_assert_int_eq(tu_kesu(&r, "cert", "issue", rec, "--out", p.out, "--config", p.config,
				 "--key", p.key, "--cert", p.cert, NULL), 0);
	ck_assert_int_eq(r.status, 11);
	ck_assert_ptr_nonnull(strstr(r.err, "outcome"));
	tu_result_free(&r);
	write_variant(fixture(), rec, "\"rotational\": 1", "\"rotational\": true");
	ck_assert_int_eq(tu_kesu(&r, "cert", "issue", rec, "--out", p.out, "--config", p.config,
				 "--key", p.key, "--cert", p.cert, NULL), 0);
	ck_assert_int_eq(r.status, 11);
	ck_assert_ptr_nonnull(strstr(r.err, "integers and strings"));
	tu_result_free(&r);
}
END_TEST

START_TEST(test_cert_failed_outcome_copied)
{
	struct kesu_cert_verify v;
	struct pki p;
	char rec[PATH_MAX], json[PATH_MAX];

	use_shared(&p);
	snprintf(rec, sizeof(rec), "%s/rec.json", p.dir);
	write_variant(fixture(), rec, "\"outcome\": \"ERASED\"", "\"outcome\": \"FAILED\"");
	issue(&p, rec, json, sizeof(json));
	ck_assert_int_eq(kesu_cert_verify_file(json, p.root, &v, NULL), 0);
	ck_assert_str_eq(v.outcome, "FAILED");
}
END_TEST

START_TEST(test_cert_self_signed_and_passphrase)
{
	struct tu_result r;
	struct pki p;
	char st[PATH_MAX], pass[PATH_MAX], json[PATH_MAX];

	snprintf(p.dir, sizeof(p.dir), "%s/solo", tu_tmpdir());
	ck_assert_int_eq(mkdir(p.dir, 0700), 0);
	snprintf(st, sizeof(st), "%s/st", p.dir);
	snprintf(pass, sizeof(pass), "%s/pass", p.dir);
	snprintf(p.key, sizeof(p.key), "%s/signer.key", st);
	snprintf(p.cert, sizeof(p.cert), "%s/signer.pem", st);
	snprintf(p.root, sizeof(p.root), "%s/signer.pem", st);
	snprintf(p.config, sizeof(p.config), "%s/kesu.conf", p.dir);
	snprintf(p.out, sizeof(p.out), "%s", p.dir);
	ck_assert_int_eq(tu_write_file(p.config, "", 0), 0);
	ck_assert_int_eq(tu_write_file(pass, "correct horse\n", 14), 0);

	ck_assert_int_eq(tu_kesu(&r, "key", "init", "--dir", st, "--passphrase-file", pass, NULL), 0);
	run_ok(&r);
	tu_result_free(&r);
	ck_assert_int_eq(tu_sh("grep -q 'ENCRYPTED PRIVATE KEY' '%s'", p.key), 0);
	ck_assert_int_eq(tu_kesu(&r, "key", "self-sign", "--dir", st, NULL), 0);
	ck_assert_int_eq(r.status, 12);
	ck_assert_ptr_nonnull(strstr(r.err, "--passphrase-file"));
	tu_result_free(&r);
	ck_assert_int_eq(tu_kesu(&r, "key", "self-sign", "--dir", st, "--passphrase-file", pass,
				 "--subject", "/CN=Solo Operator", NULL), 0);
	run_ok(&r);
	tu_result_free(&r);

	ck_assert_int_eq(tu_kesu(&r, "cert", "issue", fixture(), "--out", p.out, "--config", p.config,
				 "--key", p.key, "--cert", p.cert, "--passphrase-file", pass,
				 "--no-pdf", "--json", NULL), 0);
	run_ok(&r);
	issued_path(p.out, &r, json, sizeof(json));
	tu_result_free(&r);
	verifies_with_kesu_and_openssl(json, p.root);
}
END_TEST

/* Without --ca or [signing] root, verify trusts the key directory's root.pem,
 * else its ca/root.pem (kesu ca init --dir KEYDIR/ca), else nothing. */
START_TEST(test_cert_default_root_in_key_dir)
{
	struct tu_result r;
	struct pki p;
	char json[PATH_MAX], kd[PATH_MAX], env[PATH_MAX + 16];
	const char *const envv[] = { env, NULL };

	use_shared(&p);
	issue(&p, fixture(), json, sizeof(json));
	snprintf(kd, sizeof(kd), "%s/keydir", tu_tmpdir());
	snprintf(env, sizeof(env), "KESU_KEY_DIR=%s", kd);
	ck_assert_int_eq(tu_sh("mkdir -p '%s/ca' && cp '%s' '%s/ca/root.pem'", kd, p.root, kd), 0);

	ck_assert_int_eq(tu_kesu_env(&r, envv, "cert", "verify", json, "--config", p.config, NULL), 0);
	run_ok(&r);
	tu_result_free(&r);

	ck_assert_int_eq(tu_sh("mv '%s/ca/root.pem' '%s/root.pem'", kd, kd), 0);
	ck_assert_int_eq(tu_kesu_env(&r, envv, "cert", "verify", json, "--config", p.config, NULL), 0);
	run_ok(&r);
	tu_result_free(&r);

	ck_assert_int_eq(tu_sh("rm '%s/root.pem'", kd), 0);
	ck_assert_int_eq(tu_kesu_env(&r, envv, "cert", "verify", json, "--config", p.config, NULL), 0);
	ck_assert_int_ne(r.status, 0);
	tu_result_free(&r);
}
END_TEST

START_TEST(test_cert_show_pdf_and_timestamp_request)
{
	struct tu_result r;
	struct pki p;
	char json[PATH_MAX], pdf[PATH_MAX], tsq[PATH_MAX];
	char *bytes;
	json_t *shown, *orig;
	size_t len;

	use_shared(&p);
	issue(&p, fixture(), json, sizeof(json));

	ck_assert_int_eq(tu_kesu(&r, "cert", "show", json, "--json", NULL), 0);
	run_ok(&r);
	shown = json_loads(r.out, 0, NULL);
	bytes = tu_read_file(json, &len);
	orig = json_loadb(bytes, len, 0, NULL);
	ck_assert(json_equal(shown, orig));
	json_decref(shown);
	json_decref(orig);
	free(bytes);
	tu_result_free(&r);

	ck_assert_int_eq(tu_kesu(&r, "cert", "show", json, NULL), 0);
	run_ok(&r);
	ck_assert_ptr_nonnull(strstr(r.out, "Z3TABC12"));
	tu_result_free(&r);

	snprintf(pdf, sizeof(pdf), "%s/again.pdf", p.dir);
	ck_assert_int_eq(tu_kesu(&r, "cert", "pdf", json, "-o", pdf, NULL), 0);
	run_ok(&r);
	tu_result_free(&r);
	ck_assert_int_eq(tu_sh("pdftotext '%s' - | grep -q Z3TABC12", pdf), 0);

	ck_assert_int_eq(tu_kesu(&r, "cert", "timestamp-request", json, NULL), 0);
	run_ok(&r);
	tu_result_free(&r);
	snprintf(tsq, sizeof(tsq), "%s.p7s.tsq", json);
	/* The request's imprint is the SHA-256 of the signature file. */
	ck_assert_int_eq(tu_sh("d=$(sha256sum '%s.p7s' | cut -c1-64); "
			       "openssl asn1parse -inform DER -in '%s' | grep -qi \"HEX DUMP.:$d\"", json, tsq), 0);
}
END_TEST

/* A TSA under the test's root, made with the openssl CLI; answers req into resp. */
static int tsa_reply(const struct pki *p, const char *req, const char *resp)
{
	char ca[PATH_MAX];

	snprintf(ca, sizeof(ca), "%s/ca", p->dir);
	return tu_tsa_reply(p->dir, ca, req, resp);
}

START_TEST(test_cert_timestamp_checked)
{
	struct kesu_cert_verify v;
	struct tu_result r;
	struct pki p, other;
	char json[PATH_MAX], tsq[PATH_MAX], tsr[PATH_MAX], wrong[PATH_MAX];

	use_shared(&p);
	make_pki(&other, "other");
	issue(&p, fixture(), json, sizeof(json));
	ck_assert_int_eq(tu_kesu(&r, "cert", "timestamp-request", json, NULL), 0);
	run_ok(&r);
	tu_result_free(&r);
	snprintf(tsq, sizeof(tsq), "%s.p7s.tsq", json);
	snprintf(tsr, sizeof(tsr), "%s.p7s.tsr", json);
	ck_assert_int_eq(tsa_reply(&p, tsq, tsr), 0);

	ck_assert_int_eq(kesu_cert_verify_file(json, p.root, &v, NULL), 0);
	ck_assert_int_eq(v.timestamp, KESU_TS_OK);
	ck_assert_int_eq((int)strlen(v.timestamp_time), 20);
	ck_assert_int_eq(tu_kesu(&r, "cert", "verify", json, "--ca", p.root, NULL), 0);
	run_ok(&r);
	ck_assert_ptr_nonnull(strstr(r.out, "time stamp:   verified"));
	tu_result_free(&r);

	/* A TSA the root does not know: a time stamp that is there must be true, so the
	 * certificate does not verify, and 'kesu cert verify' says why and exits 12. */
	ck_assert_int_eq(tsa_reply(&other, tsq, tsr), 0);
	ck_assert_int_eq(kesu_cert_verify_file(json, p.root, &v, NULL), -KESU_E_SIGNATURE);
	ck_assert_int_eq(v.timestamp, KESU_TS_TSA_UNVERIFIED);
	ck_assert(!kesu_cert_verify_ok(&v));
	ck_assert_ptr_nonnull(strstr(v.timestamp_problem, "TSA certificate"));
	ck_assert_int_eq(tu_kesu(&r, "cert", "verify", json, "--ca", p.root, NULL), 0);
	ck_assert_int_eq(r.status, 12);
	ck_assert_ptr_nonnull(strstr(r.out, "TSA NOT VERIFIED"));
	ck_assert_ptr_nonnull(strstr(r.out, "NOT VERIFIED"));
	ck_assert_ptr_nonnull(strstr(r.err, "TSA certificate"));
	tu_result_free(&r);
	/* Named with --tsa-ca, that TSA's root is trusted for the time stamp (and only it). */
	ck_assert_int_eq(tu_kesu(&r, "cert", "verify", json, "--ca", p.root, "--tsa-ca", other.root,
				 NULL), 0);
	run_ok(&r);
	ck_assert_ptr_nonnull(strstr(r.out, "time stamp:   verified"));
	tu_result_free(&r);
	ck_assert_int_eq(tsa_reply(&p, tsq, tsr), 0);
	ck_assert_int_eq(tu_kesu(&r, "cert", "verify", json, "--ca", p.root, "--tsa-ca", other.root,
				 NULL), 0);
	ck_assert_int_eq(r.status, 12);
	tu_result_free(&r);

	/* A time stamp over other data fails the certificate. */
	snprintf(wrong, sizeof(wrong), "%s/wrong.tsq", p.dir);
	ck_assert_int_eq(tu_sh("openssl ts -query -data '%s' -sha256 -cert -out '%s' 2>/dev/null",
			       json, wrong), 0);
	ck_assert_int_eq(tsa_reply(&p, wrong, tsr), 0);
	ck_assert_int_eq(kesu_cert_verify_file(json, p.root, &v, NULL), -KESU_E_SIGNATURE);
	ck_assert_int_eq(v.timestamp, KESU_TS_MISMATCH);
	ck_assert_int_eq(tu_kesu(&r, "cert", "verify", json, "--ca", p.root, NULL), 0);
	ck_assert_int_eq(r.status, 12);
	ck_assert_ptr_nonnull(strstr(r.err, "time stamp"));
	tu_result_free(&r);
	/* Junk in the .tsr */
	ck_assert_int_eq(tu_write_file(tsr, "junk", 4), 0);
	ck_assert_int_eq(kesu_cert_verify_file(json, p.root, &v, NULL), -KESU_E_SIGNATURE);
	ck_assert_int_eq(v.timestamp, KESU_TS_MISMATCH);
}
END_TEST

/* The entry point kesu wipe uses: a record built by the erase layer, as a json_t. */
START_TEST(test_cert_issue_from_result_record)
{
	struct kesu_cert_issue_opts o = { 0 };
	struct kesu_cert_verify v;
	struct kesu_result res;
	struct kesu_config *cfg = NULL;
	struct kesu_errbuf eb;
	struct pki p;
	char id[KESU_CERT_ID_MAX], json[PATH_MAX], *bytes;
	json_t *rec = NULL, *c;
	size_t len;

	use_shared(&p);
	ck_assert_int_eq(kesu_result_init(&res), 0);
	ck_assert_int_eq(kesu_record_new_id(res.record_id, sizeof(res.record_id)), 0);
	snprintf(res.dev.name, sizeof(res.dev.name), "loop7");
	snprintf(res.dev.path, sizeof(res.dev.path), "/dev/loop7");
	snprintf(res.dev.serial, sizeof(res.dev.serial), "SN-LOOP-7");
	res.dev.size_bytes = 1 << 20;
	res.dev.logical_sector_size = 512;
	snprintf(res.method_name, sizeof(res.method_name), "overwrite");
	snprintf(res.category, sizeof(res.category), "Clear");
	snprintf(res.verify_result, sizeof(res.verify_result), "passed");
	snprintf(res.operator_name, sizeof(res.operator_name), "佐藤 花子");
	res.bytes_written = 1 << 20;
	res.duration_ms = 10;
	res.outcome = KESU_OUTCOME_ERASED;
	ck_assert_int_eq(kesu_record_build(&res, &rec, &eb), 0);

	ck_assert_int_eq(kesu_config_load(p.config, &cfg, &eb), 0);
	ck_assert_int_eq(kesu_config_set(cfg, "media", "property_id", "M2025000999"), 0);
	o.cfg = cfg;
	o.out_dir = p.out;
	o.key_path = p.key;
	o.cert_path = p.cert;
	ck_assert_msg(kesu_cert_issue(rec, &o, id, sizeof(id), &eb) == 0, "%s", eb.msg);
	snprintf(json, sizeof(json), "%s/%s.json", p.out, id);
	ck_assert_int_eq(kesu_cert_verify_file(json, p.root, &v, &eb), 0);
	ck_assert_str_eq(v.certificate_id, id);
	ck_assert_str_eq(v.media_serial, "SN-LOOP-7");

	bytes = tu_read_file(json, &len);
	c = json_loadb(bytes, len, 0, NULL);
	ck_assert_str_eq(json_string_value(json_object_get(json_object_get(json_object_get(c, "nist"),
					   "person"), "name")), "佐藤 花子");
	ck_assert_str_eq(json_string_value(json_object_get(json_object_get(json_object_get(c, "nist"),
					   "media"), "property_id")), "M2025000999");
	ck_assert(json_equal(json_object_get(c, "record"), rec));
	json_decref(c);
	free(bytes);
	json_decref(rec);
	kesu_config_free(cfg);
	kesu_result_release(&res);
}
END_TEST

START_TEST(test_cert_long_and_bad_fields)
{
	struct kesu_cert_verify v;
	struct tu_result r;
	struct pki p;
	char rec[PATH_MAX], json[PATH_MAX], *long_details, *pdftext;
	size_t i, n = 60000;

	use_shared(&p);
	snprintf(rec, sizeof(rec), "%s/rec.json", p.dir);
	long_details = malloc(n + 32);
	ck_assert_ptr_nonnull(long_details);
	strcpy(long_details, "\"details\": \"");
	for (i = strlen(long_details); i < n; i += 3)
		memcpy(long_details + i, "消", 3);
	strcpy(long_details + i, "\"");
	write_variant(fixture(), rec, "\"details\": \"1 pass of zeros over all 131072 sectors\"",
		      long_details);
	free(long_details);
	issue(&p, rec, json, sizeof(json));
	ck_assert_int_eq(kesu_cert_verify_file(json, p.root, &v, NULL), 0);
	pdftext = tu_sh_out("pdftotext '%.*s.pdf' - | grep -c 'Z3TABC12'", (int)(strlen(json) - 5), json);
	ck_assert_ptr_nonnull(pdftext);
	ck_assert_int_ge(atoi(pdftext), 1);
	free(pdftext);

	/* An operator name that is not UTF-8 is refused, not written. */
	ck_assert_int_eq(tu_kesu(&r, "cert", "issue", fixture(), "--out", p.out, "--config", p.config,
				 "--key", p.key, "--cert", p.cert, "--operator", "\x8e\x52\x93\x63", NULL), 0);
	ck_assert_int_eq(r.status, 11);
	ck_assert_ptr_nonnull(strstr(r.err, "UTF-8"));
	tu_result_free(&r);
}
END_TEST

/* Signed by the right key, but the record inside was changed before signing. */
START_TEST(test_cert_internal_hash_checked)
{
	struct kesu_cert_verify v;
	struct tu_result r;
	struct pki p;
	char json[PATH_MAX], bad[PATH_MAX];

	use_shared(&p);
	issue(&p, fixture(), json, sizeof(json));
	snprintf(bad, sizeof(bad), "%s/resigned.json", p.dir);
	write_variant(json, bad, "\"duration_ms\":3000", "\"duration_ms\":3001");
	ck_assert_int_eq(tu_sh("openssl cms -sign -binary -in '%s' -signer '%s' -inkey '%s' "
			       "-outform PEM -out '%s.p7s'", bad, p.cert, p.key, bad), 0);
	ck_assert_int_eq(kesu_cert_verify_file(bad, p.root, &v, NULL), -KESU_E_SIGNATURE);
	ck_assert(v.signature_ok);
	ck_assert(v.chain_ok);
	ck_assert(!v.hashes_ok);
	ck_assert_ptr_nonnull(strstr(v.problem, "record_sha256"));
	ck_assert_int_eq(tu_kesu(&r, "cert", "verify", bad, "--ca", p.root, NULL), 0);
	ck_assert_int_eq(r.status, 12);
	tu_result_free(&r);

	/* Nor can the outcome be raised above the record's. */
	{
		char rec[PATH_MAX], failed[PATH_MAX];

		snprintf(rec, sizeof(rec), "%s/rec.json", p.dir);
		write_variant(fixture(), rec, "\"outcome\": \"ERASED\"", "\"outcome\": \"FAILED\"");
		issue(&p, rec, failed, sizeof(failed));
		write_variant(failed, bad, "\"outcome\":\"FAILED\",\"record\"",
			      "\"outcome\":\"ERASED\",\"record\"");
	}
	ck_assert_int_eq(tu_sh("openssl cms -sign -binary -in '%s' -signer '%s' -inkey '%s' "
			       "-outform PEM -out '%s.p7s'", bad, p.cert, p.key, bad), 0);
	ck_assert_int_eq(kesu_cert_verify_file(bad, p.root, &v, NULL), -KESU_E_SIGNATURE);
	ck_assert(v.signature_ok);
	ck_assert_ptr_nonnull(strstr(v.problem, "outcome differs"));
}
END_TEST

START_TEST(test_cert_parse_fixture_variants)
{
	json_t *c = NULL;
	struct kesu_errbuf eb;

	ck_assert_int_eq(kesu_cert_parse("", 0, &c, &eb), -KESU_E_BAD_INPUT);
	ck_assert_int_eq(kesu_cert_parse("[]", 2, &c, &eb), -KESU_E_BAD_INPUT);
	ck_assert_int_eq(kesu_cert_parse("{}", 2, &c, &eb), -KESU_E_BAD_INPUT);
	ck_assert_ptr_nonnull(strstr(eb.msg, "missing"));
	ck_assert_int_eq(kesu_cert_parse("{\"a\":null}", 10, &c, &eb), -KESU_E_BAD_INPUT);
	ck_assert_ptr_null(c);
}
END_TEST

/* root -> intermediate (made with openssl) -> signer: the chain travels in the signature. */
START_TEST(test_cert_intermediate_chain)
{
	struct tu_result r;
	struct pki p;
	char inter[PATH_MAX], csr[PATH_MAX], chain[PATH_MAX], json[PATH_MAX];

	p = shared;
	snprintf(p.dir, sizeof(p.dir), "%s", tu_tmpdir());
	snprintf(p.out, sizeof(p.out), "%s/out", tu_tmpdir());
	snprintf(p.key, sizeof(p.key), "%s/st/signer.key", tu_tmpdir());
	snprintf(p.cert, sizeof(p.cert), "%s/st/signer.pem", tu_tmpdir());
	snprintf(inter, sizeof(inter), "%s/inter", tu_tmpdir());
	snprintf(csr, sizeof(csr), "%s/st/signer.csr", tu_tmpdir());
	snprintf(chain, sizeof(chain), "%s/root.pem", inter);
	ck_assert_int_eq(mkdir(p.out, 0700), 0);
	ck_assert_int_eq(mkdir(inter, 0700), 0);
	ck_assert_int_eq(tu_sh("set -e; exec 2>/dev/null; cd '%s'; "
			       "openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out root.key; "
			       "chmod 600 root.key; "
			       "openssl req -new -key root.key -subj /CN=Intermediate -out i.csr; "
			       "printf 'basicConstraints=critical,CA:TRUE,pathlen:0\\n"
			       "keyUsage=critical,keyCertSign,cRLSign\\n' > i.ext; "
			       "openssl x509 -req -in i.csr -CA '%s' -CAkey '%s/ca/root.key' -set_serial 9 "
			       "-days 30 -extfile i.ext -out root.pem", inter, shared.root, shared.dir), 0);
	{
		char st[PATH_MAX];

		snprintf(st, sizeof(st), "%s/st", tu_tmpdir());
		ck_assert_int_eq(tu_kesu(&r, "key", "init", "--dir", st, "--subject", "/CN=Via Intermediate",
					 NULL), 0);
		run_ok(&r);
		tu_result_free(&r);
	}
	/* kesu ca sign works with any CA directory holding root.key + root.pem. */
	ck_assert_int_eq(tu_kesu(&r, "ca", "sign", csr, "--dir", inter, NULL), 0);
	run_ok(&r);
	tu_result_free(&r);

	ck_assert_int_eq(tu_kesu(&r, "cert", "issue", fixture(), "--out", p.out, "--config", p.config,
				 "--key", p.key, "--cert", p.cert, "--chain", chain, "--no-pdf", "--json",
				 NULL), 0);
	run_ok(&r);
	issued_path(p.out, &r, json, sizeof(json));
	tu_result_free(&r);
	verifies_with_kesu_and_openssl(json, shared.root);

	/* Without the intermediate inside, the chain cannot be built. */
	ck_assert_int_eq(tu_kesu(&r, "cert", "issue", fixture(), "--out", p.out, "--config", p.config,
				 "--key", p.key, "--cert", p.cert, "--no-pdf", "--json", NULL), 0);
	run_ok(&r);
	issued_path(p.out, &r, json, sizeof(json));
	tu_result_free(&r);
	ck_assert_int_eq(tu_kesu(&r, "cert", "verify", json, "--ca", shared.root, NULL), 0);
	ck_assert_int_eq(r.status, 12);
	tu_result_free(&r);
}
END_TEST

static void setup_shared(void)
{
	if (!shared.dir[0])
		make_pki(&shared, "shared");
}

int main(void)
{
	Suite *s = suite_create("cert");
	TCase *tc = tcase_create("cert");

	/* Unchecked: made once in the parent, before the tests fork. */
	tcase_add_unchecked_fixture(tc, setup_shared, NULL);
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_cert_verifies_with_kesu_and_openssl);
	tcase_add_test(tc, test_cert_every_changed_byte_fails);
	tcase_add_test(tc, test_cert_foreign_signer_fails);
	tcase_add_test(tc, test_cert_expired_signer_reported);
	tcase_add_test(tc, test_cert_pdf_fonts_text_qr);
	tcase_add_test(tc, test_cert_malformed_input);
	tcase_add_test(tc, test_cert_world_readable_key_refused);
	tcase_add_test(tc, test_cert_record_rejected);
	tcase_add_test(tc, test_cert_failed_outcome_copied);
	tcase_add_test(tc, test_cert_self_signed_and_passphrase);
	tcase_add_test(tc, test_cert_default_root_in_key_dir);
	tcase_add_test(tc, test_cert_show_pdf_and_timestamp_request);
	tcase_add_test(tc, test_cert_parse_fixture_variants);
	tcase_add_test(tc, test_cert_timestamp_checked);
	tcase_add_test(tc, test_cert_issue_from_result_record);
	tcase_add_test(tc, test_cert_long_and_bad_fields);
	tcase_add_test(tc, test_cert_internal_hash_checked);
	tcase_add_test(tc, test_cert_intermediate_chain);
	suite_add_tcase(s, tc);
	return tu_main(s);
}
