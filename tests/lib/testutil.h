/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Shared test fixtures: run the kesu binary and capture its output, make
 * image files and loop devices that are always cleaned up.
 *
 * Tests run in Check's fork mode. Every fixture registers its cleanup with
 * atexit() in the test process (a failed ck_assert exits through exit()), and
 * tests/run.sh sweeps whatever a crash left behind under $KESU_TEST_TMP.
 */
#ifndef KESU_TESTUTIL_H
#define KESU_TESTUTIL_H

#include <check.h>
#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct tu_result {
	int status;      /* exit code, or 128 + signal */
	char *out;       /* NUL-terminated stdout */
	char *err;       /* NUL-terminated stderr */
	size_t out_len, err_len;
};

/* Paths from the environment tests/run.sh sets (with fallbacks for a manual run). */
const char *tu_kesu_bin(void);
const char *tu_sim_lib(void);
const char *tu_srcdir(void);
const char *tu_tmpdir(void);          /* a per-process scratch dir under $KESU_TEST_TMP */
bool tu_is_root(void);

/*
 * Run argv (NULL-terminated) with extra environment entries env[] ("K=V",
 * NULL-terminated; may be NULL) and optional stdin text. stdin is /dev/null
 * when input is NULL. Returns 0 when the program ran (see r->status).
 */
int tu_runv(struct tu_result *r, const char *const env[], const char *input,
	    const char *const argv[]);

/* Run kesu with the arguments that follow, NULL-terminated. */
int tu_kesu(struct tu_result *r, ...);
/* The same with extra environment entries. */
int tu_kesu_env(struct tu_result *r, const char *const env[], ...);

void tu_result_free(struct tu_result *r);

/* Run a shell command (printf-style); returns its exit status. */
int tu_sh(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Run a shell command and capture its stdout into a malloc'd string (NULL on failure). */
char *tu_sh_out(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Create a sparse image file of size bytes in tu_tmpdir(); path into buf. */
int tu_image_create(uint64_t size, char *path, size_t len);

/* Attach an image to a free loop device; device path into dev. Detached at exit. */
int tu_loop_attach(const char *image, char *dev, size_t len);
/* Image + loop device in one step. */
int tu_loop_create(uint64_t size, char *dev, size_t devlen, char *image, size_t imglen);
void tu_loop_detach(const char *dev);

/* Mount dev on a fresh directory under tu_tmpdir(); unmounted at exit. */
int tu_mount(const char *dev, char *mnt, size_t len);
/* Mount a fresh file system of type (ramfs, tmpfs) on a directory under tu_tmpdir(); unmounted at exit. */
int tu_mount_fs(const char *type, char *mnt, size_t len);

/* Read a whole file into a malloc'd NUL-terminated buffer. */
char *tu_read_file(const char *path, size_t *len);
/* Write a whole file. */
int tu_write_file(const char *path, const void *data, size_t len);

/* Print why a test was skipped (Check has no skip) and return true if not root. */
bool tu_skip_unless_root(const char *test);

/* A root CA and a station key with a certificate from it, as kesu ca and kesu key make them. */
struct tu_pki {
	char ca_dir[PATH_MAX / 2], st_dir[PATH_MAX / 2];  /* DIR/ca, DIR/st */
	char root[PATH_MAX], key[PATH_MAX], cert[PATH_MAX]; /* root.pem, signer.key, signer.pem */
};

/*
 * Make p in the existing directory dir: kesu ca init with root_subject, kesu
 * key init with signer_subject, kesu ca sign. Asserts each step succeeds.
 */
void tu_make_pki(const char *dir, const char *root_subject, const char *signer_subject,
		 struct tu_pki *p);

/*
 * A time stamp authority in dir (made once: tsa.key, tsa.pem issued by the
 * CA in ca_dir, root.pem/root.key), answering the RFC 3161 request req into
 * resp with stock `openssl ts -reply`. Returns the shell's status.
 */
int tu_tsa_reply(const char *dir, const char *ca_dir, const char *req, const char *resp);

/* One test of a table: its tcase name and the test. */
struct tu_case {
	const char *name;
	const TTest *test;
};

/* Add each case as its own tcase; timeout in seconds, 0 keeps Check's default. */
void tu_add_cases(Suite *s, const struct tu_case *cases, size_t n, unsigned timeout);
#define TU_ADD_CASES(s, cases, timeout) \
	tu_add_cases((s), (cases), sizeof(cases) / sizeof((cases)[0]), (timeout))

/* Run every test of s (CK_NORMAL) and free the runner: a test binary's main(). 0 when all passed, else 1. */
int tu_main(Suite *s);

#endif
