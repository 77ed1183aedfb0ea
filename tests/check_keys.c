/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Signing keys and the offline root: kesu key init/self-sign/show, kesu ca
 * init/sign, checked with the openssl CLI.
 */
#include <check.h>
#include <ctype.h>
#include <jansson.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <kesu/keys.h>

#include "lib/testutil.h"

/* Test paths live under a short scratch directory; truncation cannot happen. */
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wformat-truncation"
#endif

static void path(char *buf, size_t len, const char *name)
{
	snprintf(buf, len, "%s/%s", tu_tmpdir(), name);
}

static int kesu_status(struct tu_result *r, int want)
{
	if (r->status != want)
		fprintf(stderr, "kesu exit %d (want %d): %s%s\n", r->status, want, r->out, r->err);
	return r->status;
}

static void kesu_ok(const char *a1, const char *a2, const char *a3, const char *a4,
		    const char *a5, const char *a6, const char *a7)
{
	struct tu_result r;

	ck_assert_int_eq(tu_kesu(&r, a1, a2, a3, a4, a5, a6, a7, NULL), 0);
	ck_assert_int_eq(kesu_status(&r, 0), 0);
	tu_result_free(&r);
}

static mode_t file_mode(const char *p)
{
	struct stat st;

	ck_assert_int_eq(stat(p, &st), 0);
	return st.st_mode & 0777;
}

START_TEST(test_keys_init_makes_p256_key_and_csr)
{
	struct tu_result r;
	char dir[PATH_MAX], key[PATH_MAX], csr[PATH_MAX], *before, *after;

	path(dir, sizeof(dir), "st");
	snprintf(key, sizeof(key), "%s/signer.key", dir);
	snprintf(csr, sizeof(csr), "%s/signer.csr", dir);
	kesu_ok("key", "init", "--dir", dir, "--subject", "/CN=山田 太郎/O=テスト株式会社", NULL);
	ck_assert_int_eq(file_mode(key), 0600);
	ck_assert_int_eq(tu_sh("openssl pkey -in '%s' -noout -text 2>/dev/null | grep -q 'NIST CURVE: P-256'",
			       key), 0);
	ck_assert_int_eq(tu_sh("openssl req -in '%s' -noout -verify 2>&1 | grep -q 'verify OK'", csr), 0);
	ck_assert_int_eq(tu_sh("openssl req -in '%s' -noout -subject -nameopt utf8 | grep -q '山田 太郎'",
			       csr), 0);

	/* A second init never replaces the key. */
	before = tu_read_file(key, NULL);
	ck_assert_int_eq(tu_kesu(&r, "key", "init", "--dir", dir, NULL), 0);
	ck_assert_int_eq(r.status, 1);
	ck_assert_ptr_nonnull(strstr(r.err, "already exists"));
	tu_result_free(&r);
	after = tu_read_file(key, NULL);
	ck_assert_str_eq(before, after);
	free(before);
	free(after);
}
END_TEST

START_TEST(test_keys_ca_issues_smime_signer)
{
	char ca[PATH_MAX], st[PATH_MAX], csr[PATH_MAX], root[PATH_MAX], signer[PATH_MAX];
	char other[PATH_MAX], *s1, *s2;

	path(ca, sizeof(ca), "ca");
	path(st, sizeof(st), "st");
	snprintf(csr, sizeof(csr), "%s/signer.csr", st);
	snprintf(root, sizeof(root), "%s/root.pem", ca);
	snprintf(signer, sizeof(signer), "%s/signer.pem", st);
	snprintf(other, sizeof(other), "%s/other.pem", st);
	kesu_ok("ca", "init", "--dir", ca, "--subject", "/CN=Test Root/O=Example", NULL);
	ck_assert_int_eq(file_mode(ca), 0700);
	snprintf(other, sizeof(other), "%s/root.key", ca);
	ck_assert_int_eq(file_mode(other), 0600);
	ck_assert_int_eq(tu_sh("openssl x509 -in '%s' -noout -text | grep -q 'CA:TRUE'", root), 0);
	ck_assert_int_eq(tu_sh("openssl x509 -in '%s' -noout -text | "
			       "grep -q 'Certificate Sign, CRL Sign'", root), 0);

	kesu_ok("key", "init", "--dir", st, "--subject", "/CN=Station 1/O=Example", NULL);
	kesu_ok("ca", "sign", csr, "--dir", ca, NULL, NULL);
	ck_assert_int_eq(tu_sh("openssl x509 -in '%s' -noout -text | grep -q 'E-mail Protection'",
			       signer), 0);
	ck_assert_int_eq(tu_sh("openssl x509 -in '%s' -noout -text | "
			       "grep -q 'Digital Signature, Non Repudiation'", signer), 0);
	ck_assert_int_eq(tu_sh("openssl x509 -in '%s' -noout -text | grep -q 'CA:FALSE'", signer), 0);
	ck_assert_int_eq(tu_sh("openssl verify -CAfile '%s' -purpose smimesign '%s' >/dev/null",
			       root, signer), 0);
	/* About two years. */
	ck_assert_int_eq(tu_sh("openssl x509 -in '%s' -noout -checkend %d >/dev/null", signer,
			       700 * 86400), 0);
	ck_assert_int_ne(tu_sh("openssl x509 -in '%s' -noout -checkend %d >/dev/null", signer,
			       740 * 86400), 0);
	/* Random serials: a second signing gives another. */
	snprintf(other, sizeof(other), "%s/other.pem", st);
	kesu_ok("ca", "sign", csr, "--dir", ca, "--out", other);
	s1 = tu_sh_out("openssl x509 -in '%s' -noout -serial", signer);
	s2 = tu_sh_out("openssl x509 -in '%s' -noout -serial", other);
	ck_assert_ptr_nonnull(s1);
	ck_assert_ptr_nonnull(s2);
	ck_assert_str_ne(s1, s2);
	free(s1);
	free(s2);
}
END_TEST

START_TEST(test_keys_show_fingerprints)
{
	struct tu_result r;
	char st[PATH_MAX], cert[PATH_MAX], want[80], *fp, *p, *q;
	json_t *arr;

	path(st, sizeof(st), "st");
	snprintf(cert, sizeof(cert), "%s/signer.pem", st);
	kesu_ok("key", "init", "--dir", st, "--subject", "/CN=Solo", NULL);
	kesu_ok("key", "self-sign", "--dir", st, NULL, NULL, NULL);
	fp = tu_sh_out("openssl x509 -in '%s' -noout -fingerprint -sha256", cert);
	ck_assert_ptr_nonnull(fp);
	/* "sha256 Fingerprint=AB:CD:..." -> "abcd..." */
	for (p = strchr(fp, '=') + 1, q = want; *p && q < want + 64; p++)
		if (isxdigit((unsigned char)*p))
			*q++ = (char)tolower((unsigned char)*p);
	*q = '\0';
	free(fp);
	ck_assert_int_eq((int)strlen(want), 64);

	ck_assert_int_eq(tu_kesu(&r, "key", "show", "--dir", st, NULL), 0);
	ck_assert_int_eq(kesu_status(&r, 0), 0);
	ck_assert_ptr_nonnull(strstr(r.out, want));
	tu_result_free(&r);
	ck_assert_int_eq(tu_kesu(&r, "key", "show", cert, "--json", NULL), 0);
	ck_assert_int_eq(kesu_status(&r, 0), 0);
	arr = json_loads(r.out, 0, NULL);
	ck_assert_ptr_nonnull(arr);
	ck_assert_str_eq(json_string_value(json_object_get(json_array_get(arr, 0), "cert_sha256")),
			 want);
	json_decref(arr);
	tu_result_free(&r);
	/* A self-signed signer verifies as its own root for S/MIME. */
	ck_assert_int_eq(tu_sh("openssl verify -CAfile '%s' -purpose smimesign '%s' >/dev/null",
			       cert, cert), 0);
}
END_TEST

START_TEST(test_keys_readable_key_refused)
{
	struct tu_result r;
	struct kesu_errbuf eb;
	char st[PATH_MAX], ca[PATH_MAX], key[PATH_MAX], rootkey[PATH_MAX], csr[PATH_MAX];

	path(st, sizeof(st), "st");
	path(ca, sizeof(ca), "ca");
	snprintf(key, sizeof(key), "%s/signer.key", st);
	snprintf(csr, sizeof(csr), "%s/signer.csr", st);
	snprintf(rootkey, sizeof(rootkey), "%s/root.key", ca);
	kesu_ok("key", "init", "--dir", st, "--subject", "/CN=x", NULL);
	kesu_ok("ca", "init", "--dir", ca, NULL, NULL, NULL);

	ck_assert_int_eq(chmod(key, 0644), 0);
	ck_assert_int_eq(kesu_key_check_mode(key, &eb), -KESU_E_KEY);
	ck_assert_ptr_nonnull(strstr(eb.msg, "chmod 600"));
	ck_assert_int_eq(tu_kesu(&r, "key", "self-sign", "--dir", st, NULL), 0);
	ck_assert_int_eq(r.status, 12);
	ck_assert_ptr_nonnull(strstr(r.err, "chmod 600"));
	tu_result_free(&r);
	ck_assert_int_eq(chmod(key, 0600), 0);
	ck_assert_int_eq(kesu_key_check_mode(key, &eb), 0);

	ck_assert_int_eq(chmod(rootkey, 0640), 0);
	ck_assert_int_eq(tu_kesu(&r, "ca", "sign", csr, "--dir", ca, NULL), 0);
	ck_assert_int_eq(r.status, 12);
	ck_assert_ptr_nonnull(strstr(r.err, "chmod 600"));
	tu_result_free(&r);
}
END_TEST

START_TEST(test_keys_bad_input)
{
	struct tu_result r;
	char st[PATH_MAX], pass[PATH_MAX], wrong[PATH_MAX], junk[PATH_MAX];

	path(st, sizeof(st), "st");
	path(pass, sizeof(pass), "pass");
	path(wrong, sizeof(wrong), "wrong");
	path(junk, sizeof(junk), "junk.csr");
	ck_assert_int_eq(tu_write_file(pass, "secret\n", 7), 0);
	ck_assert_int_eq(tu_write_file(wrong, "not it\n", 7), 0);
	ck_assert_int_eq(tu_write_file(junk, "hello\n", 6), 0);

	ck_assert_int_eq(tu_kesu(&r, "key", "init", "--dir", st, "--subject", "CN=no-slash", NULL), 0);
	ck_assert_int_eq(r.status, 11);
	ck_assert_ptr_nonnull(strstr(r.err, "/CN="));
	tu_result_free(&r);

	kesu_ok("key", "init", "--dir", st, "--passphrase-file", pass, NULL);
	ck_assert_int_eq(tu_kesu(&r, "key", "self-sign", "--dir", st, "--passphrase-file", wrong,
				 NULL), 0);
	ck_assert_int_eq(r.status, 12);
	ck_assert_ptr_nonnull(strstr(r.err, "passphrase"));
	tu_result_free(&r);

	ck_assert_int_eq(tu_kesu(&r, "ca", "sign", junk, "--dir", st, NULL), 0);
	ck_assert_int_eq(r.status, 11);
	ck_assert_ptr_nonnull(strstr(r.err, "not a PEM certificate request"));
	tu_result_free(&r);

	ck_assert_int_eq(tu_kesu(&r, "key", "frobnicate", NULL), 0);
	ck_assert_int_eq(r.status, 2);
	tu_result_free(&r);
	ck_assert_int_eq(tu_kesu(&r, "key", "--help", NULL), 0);
	ck_assert_int_eq(r.status, 0);
	ck_assert_ptr_nonnull(strstr(r.out, "kesu-key(8)"));
	tu_result_free(&r);
}
END_TEST

/*
 * StrictModes: a key another user owns, a key in a directory others can
 * write (or a parent of it), and anything that is not a regular file are
 * refused before they are read; a sticky directory owned by root or the
 * user (like /tmp) is fine.
 */
START_TEST(test_keys_strict_modes)
{
	struct tu_result r;
	struct kesu_errbuf eb;
	char st[PATH_MAX], key[PATH_MAX], sub[PATH_MAX], fifo[PATH_MAX];

	if (tu_skip_unless_root("keys_strict_modes (chown)"))
		return;
	path(st, sizeof(st), "st");
	path(sub, sizeof(sub), "st/inner");
	snprintf(key, sizeof(key), "%s/signer.key", st);
	kesu_ok("key", "init", "--dir", st, "--subject", "/CN=x", NULL);
	ck_assert_int_eq(kesu_key_check_mode(key, &eb), 0);

	/* another user's key, even at mode 0600 */
	ck_assert_int_eq(chown(key, 65534, 65534), 0);
	ck_assert_int_eq(kesu_key_check_mode(key, &eb), -KESU_E_KEY);
	ck_assert_ptr_nonnull(strstr(eb.msg, "belongs to uid 65534"));
	ck_assert_int_eq(tu_kesu(&r, "key", "self-sign", "--dir", st, NULL), 0);
	ck_assert_int_eq(r.status, 12);
	ck_assert_ptr_nonnull(strstr(r.err, "not to the user running kesu"));
	tu_result_free(&r);
	ck_assert_int_eq(chown(key, 0, 0), 0);

	/* a directory others can write, or one of its parents */
	ck_assert_int_eq(chmod(st, 0777), 0);
	ck_assert_int_eq(kesu_key_check_mode(key, &eb), -KESU_E_KEY);
	ck_assert_ptr_nonnull(strstr(eb.msg, "others can write to the key's directory"));
	ck_assert_ptr_nonnull(strstr(eb.msg, "chmod go-w"));
	ck_assert_int_eq(tu_kesu(&r, "key", "self-sign", "--dir", st, NULL), 0);
	ck_assert_int_eq(r.status, 12);
	tu_result_free(&r);
	ck_assert_int_eq(chmod(st, 0775), 0);
	ck_assert_int_eq(kesu_key_check_mode(key, &eb), -KESU_E_KEY);
	ck_assert_int_eq(chmod(st, 01777), 0);    /* sticky, owned by the user: like /tmp */
	ck_assert_int_eq(kesu_key_check_mode(key, &eb), 0);
	ck_assert_int_eq(chmod(st, 0700), 0);
	ck_assert_int_eq(mkdir(sub, 0700), 0);
	snprintf(fifo, sizeof(fifo), "%s/signer.key", sub);   /* the key, one level down */
	ck_assert_int_eq(rename(key, fifo), 0);
	ck_assert_int_eq(chmod(st, 0757), 0);     /* the parent of the key's directory */
	ck_assert_int_eq(kesu_key_check_mode(fifo, &eb), -KESU_E_KEY);
	ck_assert_ptr_nonnull(strstr(eb.msg, st));
	ck_assert_int_eq(chown(st, 65534, 65534), 0);
	ck_assert_int_eq(chmod(st, 0755), 0);     /* a parent owned by someone else */
	ck_assert_int_eq(kesu_key_check_mode(fifo, &eb), -KESU_E_KEY);
	ck_assert_ptr_nonnull(strstr(eb.msg, "belongs to uid 65534"));
	ck_assert_int_eq(chown(st, 0, 0), 0);
	ck_assert_int_eq(kesu_key_check_mode(fifo, &eb), 0);

	/* not a regular file: no chmod advice */
	ck_assert_int_eq(kesu_key_check_mode("/dev/null", &eb), -KESU_E_KEY);
	ck_assert_ptr_nonnull(strstr(eb.msg, "not a regular file"));
	ck_assert_ptr_null(strstr(eb.msg, "chmod"));
	snprintf(fifo, sizeof(fifo), "%s/key.fifo", st);
	ck_assert_int_eq(mkfifo(fifo, 0600), 0);
	alarm(10);
	ck_assert_int_eq(kesu_key_check_mode(fifo, &eb), -KESU_E_KEY);
	alarm(0);
	ck_assert_ptr_nonnull(strstr(eb.msg, "not a regular file (a FIFO)"));
}
END_TEST

int main(void)
{
	Suite *s = suite_create("keys");
	struct tu_case tests[] = {
		{ "init", test_keys_init_makes_p256_key_and_csr },
		{ "ca", test_keys_ca_issues_smime_signer },
		{ "show", test_keys_show_fingerprints },
		{ "mode", test_keys_readable_key_refused },
		{ "bad", test_keys_bad_input },
		{ "strict_modes", test_keys_strict_modes },
	};

	TU_ADD_CASES(s, tests, 0);
	return tu_main(s);
}
