/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "testutil.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

#define TU_MAX_CLEANUPS 64

enum tu_cleanup_kind { TU_LOOP, TU_MOUNT };

static struct {
	enum tu_cleanup_kind kind;
	char path[PATH_MAX];
} cleanups[TU_MAX_CLEANUPS];
static int n_cleanups;
static bool atexit_registered;

/* Partition nodes added with partx outlive the loop device's detach (the
 * kernel drops only those of a partscan device), and the next user of that
 * loop number would see them: remove them first. */
static void loop_release(const char *dev)
{
	tu_sh("partx -d %s 2>/dev/null; losetup -d %s 2>/dev/null", dev, dev);
}

static void tu_cleanup_all(void)
{
	/* Reverse order: unmount before detaching the loop device under it. */
	while (n_cleanups > 0) {
		n_cleanups--;
		if (!cleanups[n_cleanups].path[0])
			continue;
		if (cleanups[n_cleanups].kind == TU_MOUNT)
			umount2(cleanups[n_cleanups].path, MNT_DETACH);
		else
			loop_release(cleanups[n_cleanups].path);
	}
}

static void tu_register(enum tu_cleanup_kind kind, const char *path)
{
	if (!atexit_registered) {
		atexit(tu_cleanup_all);
		atexit_registered = true;
	}
	if (n_cleanups < TU_MAX_CLEANUPS) {
		cleanups[n_cleanups].kind = kind;
		snprintf(cleanups[n_cleanups].path, PATH_MAX, "%s", path);
		n_cleanups++;
	}
}

static const char *env_or(const char *name, const char *fallback)
{
	const char *v = getenv(name);

	return v && *v ? v : fallback;
}

const char *tu_kesu_bin(void) { return env_or("KESU_BIN", "build/kesu"); }
const char *tu_sim_lib(void) { return env_or("KESU_SIM", "build/libkesusim.so"); }
const char *tu_srcdir(void) { return env_or("KESU_SRCDIR", "."); }
bool tu_is_root(void) { return geteuid() == 0; }

const char *tu_tmpdir(void)
{
	static char dir[PATH_MAX];
	static pid_t owner;

	/* Each forked test gets its own directory. */
	if (!dir[0] || owner != getpid()) {
		snprintf(dir, sizeof(dir), "%s/t%d", env_or("KESU_TEST_TMP", "/tmp"), (int)getpid());
		mkdir(dir, 0700);
		owner = getpid();
	}
	return dir;
}

bool tu_skip_unless_root(const char *test)
{
	if (tu_is_root())
		return false;
	fprintf(stderr, "SKIP %s: needs root\n", test);
	return true;
}

/* Drain two pipes at once so neither child stream can block on a full pipe. */
static int drain(int fd_out, int fd_err, struct tu_result *r)
{
	struct pollfd p[2] = { { fd_out, POLLIN, 0 }, { fd_err, POLLIN, 0 } };
	char **buf[2] = { &r->out, &r->err };
	size_t *len[2] = { &r->out_len, &r->err_len };
	size_t cap[2] = { 0, 0 };
	int open_fds = 2;

	while (open_fds > 0) {
		if (poll(p, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		for (int i = 0; i < 2; i++) {
			char chunk[65536];
			ssize_t n;

			if (p[i].fd < 0 || !(p[i].revents & (POLLIN | POLLHUP | POLLERR)))
				continue;
			n = read(p[i].fd, chunk, sizeof(chunk));
			if (n <= 0) {
				close(p[i].fd);
				p[i].fd = -1;
				open_fds--;
				continue;
			}
			if (*len[i] + (size_t)n + 1 > cap[i]) {
				size_t ncap = (cap[i] ? cap[i] * 2 : 65536) + (size_t)n;
				char *nb = realloc(*buf[i], ncap);

				if (!nb)
					return -ENOMEM;
				*buf[i] = nb;
				cap[i] = ncap;
			}
			memcpy(*buf[i] + *len[i], chunk, (size_t)n);
			*len[i] += (size_t)n;
			(*buf[i])[*len[i]] = '\0';
		}
	}
	for (int i = 0; i < 2; i++)
		if (!*buf[i])
			*buf[i] = calloc(1, 1);
	return 0;
}

int tu_runv(struct tu_result *r, const char *const env[], const char *input,
	    const char *const argv[])
{
	int po[2], pe[2], pi[2] = { -1, -1 };
	pid_t pid;
	int wstatus, rc;

	memset(r, 0, sizeof(*r));
	if (pipe(po) || pipe(pe))
		return -errno;
	if (input && pipe(pi))
		return -errno;
	pid = fork();
	if (pid < 0)
		return -errno;
	if (pid == 0) {
		dup2(po[1], 1);
		dup2(pe[1], 2);
		if (input) {
			dup2(pi[0], 0);
		} else {
			int nul = open("/dev/null", O_RDONLY);
			dup2(nul, 0);
		}
		for (int fd = 3; fd < 256; fd++)
			close(fd);
		for (int i = 0; env && env[i]; i++)
			putenv((char *)env[i]);
		execvp(argv[0], (char *const *)argv);
		fprintf(stderr, "exec %s: %s\n", argv[0], strerror(errno));
		_exit(127);
	}
	close(po[1]);
	close(pe[1]);
	if (input) {
		size_t left = strlen(input);
		const char *p = input;

		close(pi[0]);
		/* Inputs are small; a test that needs a large stdin uses a file. */
		signal(SIGPIPE, SIG_IGN);
		while (left > 0) {
			ssize_t n = write(pi[1], p, left);
			if (n <= 0)
				break;
			p += n;
			left -= (size_t)n;
		}
		close(pi[1]);
	}
	rc = drain(po[0], pe[0], r);
	while (waitpid(pid, &wstatus, 0) < 0 && errno == EINTR)
		;
	r->status = WIFEXITED(wstatus) ? WEXITSTATUS(wstatus) : 128 + WTERMSIG(wstatus);
	return rc;
}

static int tu_kesu_va(struct tu_result *r, const char *const env[], va_list ap)
{
	const char *argv[128];
	int n = 0;
	const char *a;

	argv[n++] = tu_kesu_bin();
	while ((a = va_arg(ap, const char *)) && n < 127)
		argv[n++] = a;
	argv[n] = NULL;
	return tu_runv(r, env, NULL, argv);
}

int tu_kesu(struct tu_result *r, ...)
{
	va_list ap;
	int rc;

	va_start(ap, r);
	rc = tu_kesu_va(r, NULL, ap);
	va_end(ap);
	return rc;
}

int tu_kesu_env(struct tu_result *r, const char *const env[], ...)
{
	va_list ap;
	int rc;

	va_start(ap, env);
	rc = tu_kesu_va(r, env, ap);
	va_end(ap);
	return rc;
}

void tu_result_free(struct tu_result *r)
{
	free(r->out);
	free(r->err);
	memset(r, 0, sizeof(*r));
}

static char *vformat(const char *fmt, va_list ap)
{
	char *s = NULL;

	if (vasprintf(&s, fmt, ap) < 0)
		return NULL;
	return s;
}

int tu_sh(const char *fmt, ...)
{
	va_list ap;
	char *cmd;
	int st;

	va_start(ap, fmt);
	cmd = vformat(fmt, ap);
	va_end(ap);
	if (!cmd)
		return -1;
	st = system(cmd);
	free(cmd);
	if (st == -1)
		return -1;
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

char *tu_sh_out(const char *fmt, ...)
{
	va_list ap;
	char *cmd;
	struct tu_result r;
	const char *argv[4] = { "/bin/sh", "-c", NULL, NULL };

	va_start(ap, fmt);
	cmd = vformat(fmt, ap);
	va_end(ap);
	if (!cmd)
		return NULL;
	argv[2] = cmd;
	if (tu_runv(&r, NULL, NULL, argv) < 0 || r.status != 0) {
		free(cmd);
		tu_result_free(&r);
		return NULL;
	}
	free(cmd);
	free(r.err);
	return r.out;
}

int tu_image_create(uint64_t size, char *path, size_t len)
{
	static int seq;
	int fd;

	snprintf(path, len, "%s/img%d.raw", tu_tmpdir(), seq++);
	fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
	if (fd < 0)
		return -errno;
	if (ftruncate(fd, (off_t)size) < 0) {
		int e = -errno;
		close(fd);
		return e;
	}
	close(fd);
	return 0;
}

int tu_loop_attach(const char *image, char *dev, size_t len)
{
	char *out = tu_sh_out("losetup -f --show '%s'", image);
	char *nl;

	if (!out)
		return -EIO;
	nl = strchr(out, '\n');
	if (nl)
		*nl = '\0';
	snprintf(dev, len, "%s", out);
	free(out);
	tu_register(TU_LOOP, dev);
	/* Another program may have left partition nodes on this loop number. */
	tu_sh("partx -d %s 2>/dev/null; true", dev);
	/* udev may still be probing; let it settle so O_EXCL is ours. */
	tu_sh("command -v udevadm >/dev/null && udevadm settle 2>/dev/null; true");
	return 0;
}

int tu_loop_create(uint64_t size, char *dev, size_t devlen, char *image, size_t imglen)
{
	int rc = tu_image_create(size, image, imglen);

	if (rc < 0)
		return rc;
	return tu_loop_attach(image, dev, devlen);
}

void tu_loop_detach(const char *dev)
{
	for (int i = 0; i < n_cleanups; i++)
		if (cleanups[i].kind == TU_LOOP && !strcmp(cleanups[i].path, dev))
			cleanups[i].path[0] = '\0';
	loop_release(dev);
}

int tu_mount(const char *dev, char *mnt, size_t len)
{
	static int seq;

	snprintf(mnt, len, "%s/mnt%d", tu_tmpdir(), seq++);
	if (mkdir(mnt, 0700) < 0 && errno != EEXIST)
		return -errno;
	if (tu_sh("mount '%s' '%s'", dev, mnt) != 0)
		return -EIO;
	tu_register(TU_MOUNT, mnt);
	return 0;
}

int tu_mount_fs(const char *type, char *mnt, size_t len)
{
	static int seq;

	snprintf(mnt, len, "%s/fs%d", tu_tmpdir(), seq++);
	if (mkdir(mnt, 0700) < 0 && errno != EEXIST)
		return -errno;
	if (tu_sh("mount -t '%s' none '%s'", type, mnt) != 0)
		return -EIO;
	tu_register(TU_MOUNT, mnt);
	return 0;
}

char *tu_read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	size_t cap = 0, n = 0;

	if (!f)
		return NULL;
	for (;;) {
		if (n + 65536 + 1 > cap) {
			char *nb;
			cap = cap ? cap * 2 : 131072;
			nb = realloc(buf, cap);
			if (!nb) {
				free(buf);
				fclose(f);
				return NULL;
			}
			buf = nb;
		}
		size_t got = fread(buf + n, 1, 65536, f);
		n += got;
		if (got == 0)
			break;
	}
	fclose(f);
	buf[n] = '\0';
	if (len)
		*len = n;
	return buf;
}

int tu_write_file(const char *path, const void *data, size_t len)
{
	FILE *f = fopen(path, "wb");

	if (!f)
		return -errno;
	if (fwrite(data, 1, len, f) != len) {
		fclose(f);
		return -EIO;
	}
	return fclose(f) ? -errno : 0;
}

/* r is of a kesu run that must have exited 0; freed. */
static void exited_ok(struct tu_result *r, const char *what)
{
	ck_assert_msg(r->status == 0, "%s exited %d: %s%s", what, r->status, r->out, r->err);
	tu_result_free(r);
}

/* snprintf that fails the test instead of cutting a path short. */
#define TU_PATH(buf, ...) \
	ck_assert_msg((size_t)snprintf((buf), sizeof(buf), __VA_ARGS__) < sizeof(buf), "path too long")

void tu_make_pki(const char *dir, const char *root_subject, const char *signer_subject,
		 struct tu_pki *p)
{
	struct tu_result r;
	char csr[PATH_MAX];

	TU_PATH(p->ca_dir, "%s/ca", dir);
	TU_PATH(p->st_dir, "%s/st", dir);
	TU_PATH(p->root, "%s/root.pem", p->ca_dir);
	TU_PATH(p->key, "%s/signer.key", p->st_dir);
	TU_PATH(p->cert, "%s/signer.pem", p->st_dir);
	TU_PATH(csr, "%s/signer.csr", p->st_dir);
	ck_assert_int_eq(tu_kesu(&r, "ca", "init", "--dir", p->ca_dir, "--subject", root_subject,
				 NULL), 0);
	exited_ok(&r, "kesu ca init");
	ck_assert_int_eq(tu_kesu(&r, "key", "init", "--dir", p->st_dir, "--subject", signer_subject,
				 NULL), 0);
	exited_ok(&r, "kesu key init");
	ck_assert_int_eq(tu_kesu(&r, "ca", "sign", csr, "--dir", p->ca_dir, NULL), 0);
	exited_ok(&r, "kesu ca sign");
}

int tu_tsa_reply(const char *dir, const char *ca_dir, const char *req, const char *resp)
{
	return tu_sh("set -e; exec 2>/dev/null; cd '%s'; "
		     "[ -f tsa.pem ] || { "
		     "openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out tsa.key; "
		     "openssl req -new -key tsa.key -subj /CN=TestTSA -out tsa.csr; "
		     "printf 'extendedKeyUsage=critical,timeStamping\\nkeyUsage=critical,digitalSignature\\n' > tsa.ext; "
		     "openssl x509 -req -in tsa.csr -CA '%s/root.pem' -CAkey '%s/root.key' -set_serial 7 "
		     "-days 30 -extfile tsa.ext -out tsa.pem; "
		     "printf '[tsa]\\ndefault_tsa=t\\n[t]\\nserial=%s/tsaserial\\ncrypto_device=builtin\\n"
		     "signer_digest=sha256\\ndefault_policy=1.2.3.4.1\\ndigests=sha256\\n"
		     "ess_cert_id_alg=sha256\\n' > tsa.cnf; echo 01 > tsaserial; }; "
		     "openssl ts -reply -config tsa.cnf -queryfile '%s' -signer tsa.pem -inkey tsa.key "
		     "-out '%s'", dir, ca_dir, ca_dir, dir, req, resp);
}

void tu_add_cases(Suite *s, const struct tu_case *cases, size_t n, unsigned timeout)
{
	for (size_t i = 0; i < n; i++) {
		TCase *tc = tcase_create(cases[i].name);

		if (timeout)
			tcase_set_timeout(tc, timeout);
		tcase_add_test(tc, cases[i].test);
		suite_add_tcase(s, tc);
	}
}

int tu_main(Suite *s)
{
	SRunner *sr = srunner_create(s);
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
