/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * kesu tui driven on the host through tmux, as an operator would: find our own
 * devices among whatever else the host lists, select, confirm with the word on
 * screen, watch, read the outcome. Then the real results: the chosen device no
 * longer holds the pattern, the others still do, the certificate verifies with
 * stock openssl. Also what each drive holds, the label made and printed after
 * the wipe, a mistyped word, a stop, four drives on a small screen
 * (the list scrolls, outcomes fit) and no terminal at all. Under the sanitizer
 * build every kesu process (the TUI and its child wipes) logs reports to files,
 * and any report fails the test.
 */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <glob.h>
#include <kesu/cli.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "lib/pgfx.h"
#include "lib/testutil.h"
#include "overwrite_helpers.h"

#define DEV_SIZE (8 * MiB)
/* A device of DEV_SIZE whose writes take a while: the wipe is still running when the TUI first looks. */
#define SLOW_DEV "--filter=delay memory 8M wdelay=20ms"
#define WAIT_SHORT_MS 15000
#define WAIT_WIPE_MS 60000

/* 16 bytes, so a block is the pattern repeated exactly. */
static const char pattern[16] = "kesu-tui-check!\n";

/* One TUI in its own tmux server (-L), so nothing is shared with another tmux. */
struct tui_session {
	char sock[64];
	char dir[PATH_MAX / 2];   /* scratch: script, stderr, exit status, sanitizer logs */
	char out[PATH_MAX / 2];   /* --out */
};

/*
 * The tmux server is named after the test runner, which forks each test: a
 * failed assertion ends the test with _exit(), so the runner's teardown, not
 * the test, stops whatever the test left running.
 */
static pid_t runner_pid;

static void tmux_sock(char *buf, size_t len)
{
	snprintf(buf, len, "kesu-tui-%d", (int)runner_pid);
}

static void kill_tmux(void)
{
	char sock[64];

	tmux_sock(sock, sizeof(sock));
	tu_sh("tmux -L %s kill-server >/dev/null 2>&1", sock);
}

/*
 * The slow devices of the running test, "DEV MOUNT" a line. The test removes
 * the list once its own exit handlers have detached them; a list still there
 * means the test failed, and the runner detaches them (run.sh's sweep cannot
 * tell an nbdfuse-backed loop device from another test's).
 */
static void slow_list(char *buf, size_t len)
{
	const char *tmp = getenv("KESU_TEST_TMP");

	snprintf(buf, len, "%s/tui-%d.slow", tmp && *tmp ? tmp : "/tmp", (int)runner_pid);
}

static void forget_slow_devs(void)
{
	char list[PATH_MAX];

	slow_list(list, sizeof(list));
	unlink(list);
}

static void make_slow_dev(char *dev, size_t len)
{
	char list[PATH_MAX];
	FILE *f;

	atexit(forget_slow_devs);   /* before ow_nbd_create's handler, so it runs after it */
	ck_assert_int_eq(ow_nbd_create(SLOW_DEV, 512, dev, len), 0);
	slow_list(list, sizeof(list));
	f = fopen(list, "a");
	ck_assert_ptr_nonnull(f);
	fprintf(f, "%s %s\n", dev, ow_nbds[ow_n_nbds - 1].mnt);
	ck_assert_int_eq(fclose(f), 0);
}

/* The runner's teardown after each test: whatever a failed test left running or attached. */
static void teardown(void)
{
	char list[PATH_MAX], *text, *line, *save = NULL;

	kill_tmux();
	slow_list(list, sizeof(list));
	text = tu_read_file(list, NULL);
	if (!text)
		return;
	for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char dev[64], mnt[PATH_MAX];

		if (sscanf(line, "%63s %4095s", dev, mnt) != 2)
			continue;
		tu_sh("losetup -d %s 2>/dev/null; fusermount3 -u %s 2>/dev/null; umount -l %s 2>/dev/null; true",
		      dev, mnt, mnt);
	}
	free(text);
	unlink(list);
}

static bool have_tools(const char *test)
{
	if (tu_sh("(command -v tmux && command -v nbdkit && command -v nbdfuse) >/dev/null 2>&1") == 0)
		return true;
	fprintf(stderr, "SKIP %s: needs tmux, nbdkit and nbdfuse (tests/deps.sh)\n", test);
	return false;
}

static void sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

static long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

/* --- the device's bytes, read past the page cache --------------------- */

static void fill_pattern(const char *dev, size_t size)
{
	unsigned char *buf = NULL;
	const size_t chunk = MiB;
	int fd = open(dev, O_WRONLY | O_DIRECT);

	ck_assert_msg(fd >= 0, "open %s: %s", dev, strerror(errno));
	ck_assert_int_eq(posix_memalign((void **)&buf, 4096, chunk), 0);
	for (size_t i = 0; i < chunk; i += sizeof(pattern))
		memcpy(buf + i, pattern, sizeof(pattern));
	for (off_t off = 0; off < (off_t)size; off += (off_t)chunk)
		ck_assert_int_eq(pwrite(fd, buf, chunk, off), (ssize_t)chunk);
	ck_assert_int_eq(fsync(fd), 0);
	free(buf);
	close(fd);
}

/* The whole device of size bytes; caller frees. */
static unsigned char *read_dev(const char *dev, size_t size)
{
	unsigned char *buf = NULL;
	int fd = open(dev, O_RDONLY | O_DIRECT);

	ck_assert_msg(fd >= 0, "open %s: %s", dev, strerror(errno));
	ck_assert_int_eq(posix_memalign((void **)&buf, 4096, size), 0);
	for (size_t off = 0; off < size;) {
		ssize_t got = pread(fd, buf + off, size - off, (off_t)off);

		ck_assert_msg(got > 0, "read %s at %zu: %s", dev, off, got < 0 ? strerror(errno) : "EOF");
		off += (size_t)got;
	}
	close(fd);
	return buf;
}

/* Blocks of the device that are exactly the pattern. */
static size_t pattern_blocks(const char *dev, size_t size)
{
	unsigned char *buf = read_dev(dev, size);
	size_t n = 0;

	for (size_t off = 0; off < size; off += sizeof(pattern))
		n += memcmp(buf + off, pattern, sizeof(pattern)) == 0;
	free(buf);
	return n;
}

/* The pattern anywhere on the device, at any offset (even split across blocks). */
static bool pattern_anywhere(const char *dev, size_t size)
{
	unsigned char *buf = read_dev(dev, size);
	bool found = memmem(buf, size, pattern, sizeof(pattern)) != NULL;

	free(buf);
	return found;
}

/* --- the tmux session ---------------------------------------------------- */

/* Append a shell-quoted word (single quotes; a ' inside becomes '\''). */
/*
 * kesu started from here on talks to the drive simulator configured by
 * sim_config, and has no image build time to hold its clock against.
 */
static void use_simulator(const char *sim_config)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "%s/no-build-time", tu_tmpdir());
	ck_assert_int_eq(setenv("KESU_BUILD_TIME_FILE", path, 1), 0);
	ck_assert_int_eq(setenv("KESU_SIM_CONFIG", sim_config, 1), 0);
	ck_assert_int_eq(setenv("LD_PRELOAD", tu_sim_lib(), 1), 0);
}

static void put_quoted(FILE *f, const char *s)
{
	fputc('\'', f);
	for (; *s; s++) {
		if (*s == '\'')
			fputs("'\\''", f);
		else
			fputc(*s, f);
	}
	fputc('\'', f);
}

/* The sanitizer options as run.sh set them, plus a log file per process. */
static void put_san_env(FILE *f, const char *name, const char *dir)
{
	const char *v = getenv(name);
	char opt[PATH_MAX + 4096];

	snprintf(opt, sizeof(opt), "%s%slog_path=%s/san", v && *v ? v : "", v && *v ? ":" : "", dir);
	fprintf(f, "export %s=", name);
	put_quoted(f, opt);
	fputc('\n', f);
}

/*
 * Start `kesu tui --out OUT --config /dev/null EXTRA` in a detached tmux session
 * of 160 x rows; its stderr goes to DIR/stderr, its exit status to DIR/rc.
 * EXTRA: more options, as shell words.
 */
static void tui_start_with(struct tui_session *s, const char *key_dir, int rows, const char *extra)
{
	char script[PATH_MAX];
	FILE *f;

	tmux_sock(s->sock, sizeof(s->sock));
	snprintf(s->dir, sizeof(s->dir), "%s/tui", tu_tmpdir());
	snprintf(s->out, sizeof(s->out), "%s/evidence", tu_tmpdir());
	ck_assert_int_eq(mkdir(s->dir, 0700), 0);
	snprintf(script, sizeof(script), "%s/run.sh", s->dir);
	f = fopen(script, "w");
	ck_assert_ptr_nonnull(f);
	fprintf(f, "export KESU_KEY_DIR=");
	put_quoted(f, key_dir);
	fputc('\n', f);
	put_san_env(f, "ASAN_OPTIONS", s->dir);
	put_san_env(f, "LSAN_OPTIONS", s->dir);
	put_san_env(f, "UBSAN_OPTIONS", s->dir);
	/* ^C goes to the whole foreground group: the shell waits it out (a trap, not an ignore, so kesu starts with the default). */
	fputs("trap true INT\n", f);
	put_quoted(f, tu_kesu_bin());
	fputs(" tui --out ", f);
	put_quoted(f, s->out);
	fprintf(f, " --config /dev/null %s 2>'%s/stderr'\necho $? >'%s/rc'\n", extra ? extra : "", s->dir,
		s->dir);
	ck_assert_int_eq(fclose(f), 0);

	ck_assert_int_eq(tu_sh("tmux -L %s -f /dev/null new-session -d -s %s -x 160 -y %d 'sh %s'",
			       s->sock, s->sock, rows, script), 0);
}

static void tui_start(struct tui_session *s, const char *key_dir, int rows)
{
	tui_start_with(s, key_dir, rows, NULL);
}

/* The pane's text now (with escapes: attributes), malloc'd; "" when tmux is gone. */
static char *tui_screen(const struct tui_session *s, bool attrs)
{
	char *scr = tu_sh_out("tmux -L %s capture-pane -p %s -t %s 2>/dev/null", s->sock,
			      attrs ? "-e" : "", s->sock);

	return scr ? scr : strdup("");
}

/* Wait until the screen shows text; returns the screen (caller frees). Fails after ms. */
static char *tui_wait_for(const struct tui_session *s, const char *text, long ms)
{
	long until = now_ms() + ms;

	for (;;) {
		char *scr = tui_screen(s, false);

		if (strstr(scr, text))
			return scr;
		if (now_ms() > until) {
			ck_abort_msg("waited %ld ms for \"%s\"; the screen:\n%s", ms, text, scr);
			free(scr);
			return NULL;
		}
		free(scr);
		sleep_ms(100);
	}
}

static void tui_keys(const struct tui_session *s, const char *keys)
{
	ck_assert_int_eq(tu_sh("tmux -L %s send-keys -t %s %s", s->sock, s->sock, keys), 0);
}

/* Literal text, not key names. */
static void tui_type(const struct tui_session *s, const char *text)
{
	ck_assert_int_eq(tu_sh("tmux -L %s send-keys -t %s -l '%s'", s->sock, s->sock, text), 0);
}

/* True when the line starts with attributes that leave reverse video on (the cursor's row). */
static bool line_reversed(const char *line)
{
	bool rev = false;

	while (line[0] == '\033' && line[1] == '[') {
		const char *p = line + 2;

		while (*p && *p != 'm') {
			char *end;
			long v = strtol(p, &end, 10);

			if (end == p)
				v = 0;
			if (v == 0)
				rev = false;
			else if (v == 7)
				rev = true;
			else if (v == 27)
				rev = false;
			p = *end == ';' ? end + 1 : end;
			if (*p && *p != 'm' && *p != ';' && (*p < '0' || *p > '9'))
				break;
		}
		if (*p != 'm')
			break;
		line = p + 1;
	}
	return rev;
}

/* The cursor's row (with its attributes) as a new string; "" when none is shown. */
static char *cursor_line(const char *scr)
{
	for (const char *line = scr; *line;) {
		size_t len = strcspn(line, "\n");

		if (line_reversed(line))
			return strndup(line, len);
		line += len + (line[len] == '\n');
	}
	return strdup("");
}

/* The cursor's row once the screen shows one that differs from before ("" for any), malloc'd. */
static char *tui_wait_cursor(const struct tui_session *s, const char *before)
{
	long until = now_ms() + WAIT_SHORT_MS;

	for (;;) {
		char *scr = tui_screen(s, true), *cur = cursor_line(scr);

		free(scr);
		if (cur[0] && strcmp(cur, before) != 0)
			return cur;
		ck_assert_msg(now_ms() < until, "the cursor did not move from: %s", before);
		free(cur);
		sleep_ms(30);
	}
}

/*
 * Move the cursor down (j) until it is on name's row; the list is sorted and
 * may scroll. Each step waits for the cursor to move (a screen caught half
 * redrawn shows no cursor), so no row is skipped.
 */
static void tui_cursor_to(const struct tui_session *s, const char *name)
{
	char *cur = tui_wait_cursor(s, "");

	for (int presses = 0; presses < 256; presses++) {
		char key[80], *next;

		snprintf(key, sizeof(key), "] %s ", name);
		if (strstr(cur, key)) {
			free(cur);
			return;
		}
		tui_keys(s, "j");
		next = tui_wait_cursor(s, cur);
		free(cur);
		cur = next;
	}
	free(cur);
	ck_abort_msg("the cursor never reached %s", name);
}

/* The confirmation word on screen (ERASE- and four letters) into word. */
static void tui_read_word(const struct tui_session *s, char *word, size_t len)
{
	char *scr = tui_wait_for(s, "Type ERASE-", WAIT_SHORT_MS);
	const char *p = strstr(scr, "Type ERASE-") + 5;
	size_t n = 6;

	while (p[n] >= 'A' && p[n] <= 'Z')
		n++;
	ck_assert_msg(n == 10 && n < len, "odd confirmation word in: %s", scr);
	memcpy(word, p, n);
	word[n] = '\0';
	free(scr);
}

/* Quit from the drive list and wait for the TUI to end; its exit status (128+N: signal N). */
static int tui_quit(const struct tui_session *s)
{
	char rc_path[PATH_MAX];
	long until = now_ms() + WAIT_SHORT_MS;
	char *rc = NULL;
	int status;

	free(tui_wait_for(s, "Enter erase selected  q quit", WAIT_SHORT_MS));
	tui_keys(s, "q");
	snprintf(rc_path, sizeof(rc_path), "%s/rc", s->dir);
	while (!(rc = tu_read_file(rc_path, NULL)) || !strchr(rc, '\n')) {
		free(rc);
		ck_assert_msg(now_ms() < until, "the TUI did not end after q");
		sleep_ms(50);
	}
	status = atoi(rc);
	free(rc);
	kill_tmux();
	return status;
}

/* No sanitizer report from the TUI (its stderr) or any kesu it ran (the log files). */
static void assert_no_reports(const struct tui_session *s)
{
	static const char *const marks[] = { "AddressSanitizer", "runtime error", "LeakSanitizer" };
	char path[PATH_MAX];
	char *err;
	glob_t g;

	snprintf(path, sizeof(path), "%s/stderr", s->dir);
	err = tu_read_file(path, NULL);
	ck_assert_msg(err != NULL, "no stderr file");
	for (size_t i = 0; i < sizeof(marks) / sizeof(marks[0]); i++)
		ck_assert_msg(!strstr(err, marks[i]), "the TUI's stderr has a %s report:\n%s", marks[i], err);
	free(err);
	snprintf(path, sizeof(path), "%s/san*", s->dir);
	if (glob(path, 0, NULL, &g) == 0) {
		char *log = tu_read_file(g.gl_pathv[0], NULL);

		ck_abort_msg("sanitizer log %s:\n%s", g.gl_pathv[0], log ? log : "(unreadable)");
		free(log);
	}
	globfree(&g);
}

/* The files in dir whose names end with suffix. */
static size_t count_suffix(const char *dir, const char *suffix, char *first, size_t len)
{
	char pat[PATH_MAX];
	glob_t g;
	size_t n = 0;

	snprintf(pat, sizeof(pat), "%s/*%s", dir, suffix);
	if (glob(pat, 0, NULL, &g) == 0) {
		n = g.gl_pathc;
		if (first)
			snprintf(first, len, "%s", g.gl_pathv[0]);
	}
	globfree(&g);
	return n;
}

static const char *dev_name(const char *dev)
{
	const char *slash = strrchr(dev, '/');

	return slash ? slash + 1 : dev;
}

/* Select name's row with Space: it shows [x], and the footer counts n selected. */
static void tui_select(const struct tui_session *s, const char *name, int n)
{
	char want[80];

	tui_cursor_to(s, name);
	tui_keys(s, "Space");
	snprintf(want, sizeof(want), "[x] %s ", name);
	free(tui_wait_for(s, want, WAIT_SHORT_MS));
	snprintf(want, sizeof(want), "Selected: %d ", n);
	free(tui_wait_for(s, want, WAIT_SHORT_MS));
}

static int cmp_dev(const void *a, const void *b)
{
	return strverscmp((const char *)a, (const char *)b);
}

START_TEST(test_tui_erases_chosen_drive_only)
{
	char dev[64], other[64], img[PATH_MAX], pki_dir[PATH_MAX], word[16], row[128], cert[PATH_MAX];
	struct tui_session s;
	struct tu_pki p;
	char *scr;
	int rc;

	if (tu_skip_unless_root("test_tui_erases_chosen_drive_only") ||
	    !have_tools("test_tui_erases_chosen_drive_only"))
		return;
	snprintf(pki_dir, sizeof(pki_dir), "%s/pki", tu_tmpdir());
	ck_assert_int_eq(mkdir(pki_dir, 0700), 0);
	tu_make_pki(pki_dir, "/CN=TUI Test Root", "/CN=TUI Test Station", &p);
	make_slow_dev(dev, sizeof(dev));
	ck_assert_int_eq(tu_loop_create(DEV_SIZE, other, sizeof(other), img, sizeof(img)), 0);
	fill_pattern(dev, DEV_SIZE);
	fill_pattern(other, DEV_SIZE);

	tui_start(&s, p.st_dir, 50);
	free(tui_wait_for(&s, "Enter erase selected  q quit", WAIT_SHORT_MS));
	/* The TUI asks for the operator's name; it reaches the certificate. */
	free(tui_wait_for(&s, "Operator: not given", WAIT_SHORT_MS));
	tui_keys(&s, "o");
	free(tui_wait_for(&s, "Operator's full name", WAIT_SHORT_MS));
	tui_type(&s, "Sato Hanako");
	tui_keys(&s, "Enter");
	free(tui_wait_for(&s, "Operator: Sato Hanako", WAIT_SHORT_MS));
	/* ^C on the list does nothing, and must not stop the wipes started later. */
	tui_keys(&s, "C-c");
	tui_select(&s, dev_name(dev), 1);
	tui_keys(&s, "Enter");
	tui_read_word(&s, word, sizeof(word));
	scr = tui_screen(&s, false);
	ck_assert_msg(strstr(scr, "on the certificates): Sato Hanako"), "no operator on:\n%s", scr);
	snprintf(row, sizeof(row), "%s  ", other);   /* "PATH  MODEL  serial ...": not a prefix of dev's */
	ck_assert_msg(strstr(scr, dev) && !strstr(scr, row), "the confirmation lists:\n%s", scr);
	free(scr);
	tui_type(&s, word);
	tui_keys(&s, "Enter");
	scr = tui_wait_for(&s, "s: stop all", WAIT_SHORT_MS);
	ck_assert_msg(strstr(scr, " -  erasing") && strstr(scr, dev) && strstr(scr, " step ") && strstr(scr, "MB/s"),
		      "no progress shown:\n%s", scr);
	free(scr);

	/* The last line drawn: the rows above it are the finished screen's too. */
	scr = tui_wait_for(&s, "Finished. Enter: back", WAIT_WIPE_MS);
	snprintf(row, sizeof(row), "%-16s ERASED", dev);
	ck_assert_msg(strstr(scr, row), "no \"%s\" on the outcome screen:\n%s", row, scr);
	ck_assert_msg(strstr(scr, "Evidence in ") && strstr(scr, ".record.json") && strstr(scr, "KC-"),
		      "no evidence files listed:\n%s", scr);
	free(scr);
	tui_keys(&s, "Enter");
	rc = tui_quit(&s);
	assert_no_reports(&s);
	ck_assert_int_eq(rc, KESU_EXIT_OK);

	ck_assert_msg(!pattern_anywhere(dev, DEV_SIZE), "%s still holds the pattern", dev);
	ck_assert_uint_eq(pattern_blocks(other, DEV_SIZE), DEV_SIZE / sizeof(pattern));
	ck_assert_uint_eq(count_suffix(s.out, ".record.json", NULL, 0), 1);
	ck_assert_uint_eq(count_suffix(s.out, ".json.p7s", cert, sizeof(cert)), 1);
	cert[strlen(cert) - 4] = '\0';
	ck_assert_int_eq(tu_sh("openssl cms -verify -binary -inform PEM -in %s.p7s -content %s "
			       "-CAfile %s -out /dev/null 2>/dev/null", cert, cert, p.root), 0);
	ck_assert_int_eq(tu_sh("grep -q '\"outcome\": *\"ERASED\"' %s", cert), 0);
	ck_assert_int_eq(tu_sh("grep -q '\"person\":{[^}]*\"name\":\"Sato Hanako\"' %s", cert), 0);
}
END_TEST

/*
 * A wrong word erases nothing and says so. The screen is 13 rows, room for two
 * drives, and the drive is the last of three of ours: the list has to scroll.
 */
START_TEST(test_tui_wrong_word_erases_nothing)
{
	char devs[3][64], img[PATH_MAX], keys[PATH_MAX], word[16];
	const char *dev = NULL;
	struct tui_session s;
	char *scr;
	int rc;

	if (tu_skip_unless_root("test_tui_wrong_word_erases_nothing") ||
	    !have_tools("test_tui_wrong_word_erases_nothing"))
		return;
	snprintf(keys, sizeof(keys), "%s/no-keys", tu_tmpdir());
	for (int i = 0; i < 3; i++) {
		ck_assert_int_eq(tu_loop_create(DEV_SIZE, devs[i], sizeof(devs[i]), img, sizeof(img)), 0);
		if (!dev || strverscmp(devs[i], dev) > 0)
			dev = devs[i];
	}
	fill_pattern(dev, DEV_SIZE);

	tui_start(&s, keys, 13);
	free(tui_wait_for(&s, "Enter erase selected  q quit", WAIT_SHORT_MS));
	tui_select(&s, dev_name(dev), 1);
	free(tui_wait_for(&s, "Drives ", WAIT_SHORT_MS));
	tui_keys(&s, "Enter");
	tui_read_word(&s, word, sizeof(word));
	word[9] = word[9] == 'A' ? 'B' : 'A';
	tui_type(&s, word);
	tui_keys(&s, "Enter");
	scr = tui_wait_for(&s, "nothing was erased", WAIT_SHORT_MS);
	ck_assert_msg(strstr(scr, " -  confirm"), "not on the confirmation screen:\n%s", scr);
	free(scr);
	tui_keys(&s, "Escape");
	scr = tui_wait_for(&s, "Enter erase selected  q quit", WAIT_SHORT_MS);
	ck_assert_ptr_null(strstr(scr, "ERASED"));
	free(scr);
	rc = tui_quit(&s);
	assert_no_reports(&s);
	ck_assert_int_eq(rc, KESU_EXIT_OK);

	ck_assert_uint_eq(pattern_blocks(dev, DEV_SIZE), DEV_SIZE / sizeof(pattern));
	ck_assert_uint_eq(count_suffix(s.out, ".json", NULL, 0), 0);
}
END_TEST

/* s on the progress screen stops the wipe: INTERRUPTED, with the journal to resume from. */
START_TEST(test_tui_stop_is_resumable)
{
	char dev[64], keys[PATH_MAX], word[16], row[128];
	struct tui_session s;
	char *scr;
	int rc;

	if (tu_skip_unless_root("test_tui_stop_is_resumable") || !have_tools("test_tui_stop_is_resumable"))
		return;
	snprintf(keys, sizeof(keys), "%s/no-keys", tu_tmpdir());
	make_slow_dev(dev, sizeof(dev));
	fill_pattern(dev, DEV_SIZE);

	tui_start(&s, keys, 50);
	free(tui_wait_for(&s, "Enter erase selected  q quit", WAIT_SHORT_MS));
	tui_select(&s, dev_name(dev), 1);
	tui_keys(&s, "Enter");
	tui_read_word(&s, word, sizeof(word));
	tui_type(&s, word);
	tui_keys(&s, "Enter");
	free(tui_wait_for(&s, "s: stop all", WAIT_SHORT_MS));
	tui_keys(&s, "s");
	scr = tui_wait_for(&s, "Finished. Enter: back", WAIT_WIPE_MS);
	snprintf(row, sizeof(row), "%-16s INTERRUPTED", dev);
	ck_assert_msg(strstr(scr, row) && strstr(scr, "kesu wipe --resume ") && strstr(scr, ".journal.json"),
		      "not stopped with a journal:\n%s", scr);
	free(scr);
	tui_keys(&s, "Enter");
	rc = tui_quit(&s);
	assert_no_reports(&s);
	ck_assert_int_eq(rc, KESU_EXIT_OK);
	ck_assert_uint_eq(count_suffix(s.out, ".journal.json", NULL, 0), 1);
	ck_assert_int_eq(tu_sh("grep -q '\"outcome\": *\"INTERRUPTED\"' %s/*.record.json", s.out), 0);
}
END_TEST

/*
 * Four drives on an 11-row screen: the list scrolls to each, the confirmation
 * names one and "3 more", and the outcome of each is on screen (one row each).
 */
START_TEST(test_tui_four_drives_small_screen)
{
	char devs[4][64], img[PATH_MAX], keys[PATH_MAX], word[16], row[320];
	struct tui_session s;
	char *scr;
	int rc;

	if (tu_skip_unless_root("test_tui_four_drives_small_screen") ||
	    !have_tools("test_tui_four_drives_small_screen"))
		return;
	snprintf(keys, sizeof(keys), "%s/no-keys", tu_tmpdir());
	for (int i = 0; i < 4; i++) {
		ck_assert_int_eq(tu_loop_create(DEV_SIZE, devs[i], sizeof(devs[i]), img, sizeof(img)), 0);
		fill_pattern(devs[i], DEV_SIZE);
	}
	qsort(devs, 4, sizeof(devs[0]), cmp_dev);   /* the list's order: the cursor only goes down */

	tui_start(&s, keys, 11);
	free(tui_wait_for(&s, "Enter erase selected  q quit", WAIT_SHORT_MS));
	for (int i = 0; i < 4; i++)
		tui_select(&s, dev_name(devs[i]), i + 1);
	tui_keys(&s, "Enter");
	tui_read_word(&s, word, sizeof(word));
	scr = tui_screen(&s, false);
	ck_assert_msg(strstr(scr, devs[0]) && strstr(scr, "and 3 more"),
		      "the confirmation lists:\n%s", scr);
	free(scr);
	tui_type(&s, word);
	tui_keys(&s, "Enter");
	scr = tui_wait_for(&s, "Finished. Enter: back", WAIT_WIPE_MS);
	for (int i = 0; i < 4; i++) {
		snprintf(row, sizeof(row), "%-16s ERASED", devs[i]);
		ck_assert_msg(strstr(scr, row), "no \"%s\" on the outcome screen:\n%s", row, scr);
	}
	free(scr);
	tui_keys(&s, "Enter");
	rc = tui_quit(&s);
	assert_no_reports(&s);
	ck_assert_int_eq(rc, KESU_EXIT_OK);
	for (int i = 0; i < 4; i++)
		ck_assert_msg(!pattern_anywhere(devs[i], DEV_SIZE), "%s still holds the pattern", devs[i]);
	ck_assert_uint_eq(count_suffix(s.out, ".record.json", NULL, 0), 4);
}
END_TEST

START_TEST(test_tui_needs_terminal_and_has_help)
{
	char out[PATH_MAX];
	struct tu_result r;
	struct stat st;

	snprintf(out, sizeof(out), "%s/never", tu_tmpdir());
	/* stdin /dev/null, stdout a pipe: no terminal. */
	ck_assert_int_eq(tu_kesu(&r, "tui", "--out", out, NULL), 0);
	ck_assert_int_eq(r.status, KESU_EXIT_USAGE);
	ck_assert_msg(strstr(r.err, "needs a terminal") && strstr(r.err, "kesu wipe"), "stderr: %s", r.err);
	ck_assert_uint_eq(r.out_len, 0);
	tu_result_free(&r);
	ck_assert_int_eq(stat(out, &st), -1);

	ck_assert_int_eq(tu_kesu(&r, "tui", "--help", NULL), 0);
	ck_assert_int_eq(r.status, KESU_EXIT_OK);
	ck_assert_ptr_nonnull(strstr(r.out, "Usage: kesu tui"));
	ck_assert_ptr_nonnull(strstr(r.out, "--operator NAME"));
	ck_assert_ptr_nonnull(strstr(r.out, "--db PATH|URL"));
	tu_result_free(&r);

	ck_assert_int_eq(tu_kesu(&r, "tui", "--no-such-option", NULL), 0);
	ck_assert_int_eq(r.status, KESU_EXIT_USAGE);
	ck_assert_ptr_nonnull(strstr(r.err, "Usage: kesu tui"));
	tu_result_free(&r);
}
END_TEST

/*
 * A stand-in for a label printer: kesu label sends only to character devices,
 * so the printer is a pseudo-terminal's slave in raw mode (bytes pass as they
 * are) and the test reads what was printed from the master. The slave stays
 * open here so its raw mode holds. Returns the master, non-blocking.
 */
static int printer_open(char *path, size_t len, int *slave)
{
	struct termios tio;
	int master = posix_openpt(O_RDWR | O_NOCTTY);

	ck_assert_int_ge(master, 0);
	ck_assert_int_eq(grantpt(master), 0);
	ck_assert_int_eq(unlockpt(master), 0);
	ck_assert_int_eq(ptsname_r(master, path, len), 0);
	*slave = open(path, O_RDWR | O_NOCTTY);
	ck_assert_int_ge(*slave, 0);
	ck_assert_int_eq(tcgetattr(*slave, &tio), 0);
	cfmakeraw(&tio);
	ck_assert_int_eq(tcsetattr(*slave, TCSANOW, &tio), 0);
	ck_assert_int_eq(fcntl(master, F_SETFL, O_NONBLOCK), 0);
	return master;
}

/* Append what the printer got so far to *buf (grown as needed). */
static void printer_drain(int master, char **buf, size_t *len, size_t *cap)
{
	for (;;) {
		if (*cap - *len < 65536) {
			*cap = *cap * 2 + 65536;
			*buf = realloc(*buf, *cap);
			ck_assert_ptr_nonnull(*buf);
		}
		ssize_t n = read(master, *buf + *len, *cap - *len);

		if (n <= 0)
			return;
		*len += (size_t)n;
	}
}

/*
 * The repair case: the list says what each drive holds, so the disk with data
 * can be told from a blank one; after the wipe the certificate's label is
 * beside it (its QR code names the certificate and its hash), and p sends it
 * to the printer (a pseudo-terminal standing in for /dev/usb/lp0).
 */
START_TEST(test_tui_contents_labels_print)
{
	char dev[64], img[PATH_MAX], pki_dir[PATH_MAX], word[16], want[PATH_MAX + 64], cert[PATH_MAX];
	char printer[64], extra[128], *scr, *qr, *sha, *raster = NULL;
	static const char raster_start[] = "\x1b@\x1bia\x01";
	struct tui_session s;
	struct tu_pki p;
	size_t raster_len = 0, raster_cap = 0, at = 0;
	long until;
	int master, slave;

	if (tu_skip_unless_root("test_tui_contents_labels_print") ||
	    !have_tools("test_tui_contents_labels_print"))
		return;
	snprintf(pki_dir, sizeof(pki_dir), "%s/pki", tu_tmpdir());
	ck_assert_int_eq(mkdir(pki_dir, 0700), 0);
	tu_make_pki(pki_dir, "/CN=TUI Test Root", "/CN=TUI Test Station", &p);
	ck_assert_int_eq(tu_loop_create(DEV_SIZE, dev, sizeof(dev), img, sizeof(img)), 0);
	ck_assert_int_eq(tu_sh("mkfs.vfat -n KESUDATA %s >/dev/null 2>&1", dev), 0);
	master = printer_open(printer, sizeof(printer), &slave);
	snprintf(extra, sizeof(extra), "--printer '%s'", printer);

	tui_start_with(&s, p.st_dir, 50, extra);
	free(tui_wait_for(&s, "Enter erase selected  q quit", WAIT_SHORT_MS));
	/* Other loop devices may fill the first screen: the list scrolls to ours. */
	tui_cursor_to(&s, dev_name(dev));
	scr = tui_screen(&s, false);
	ck_assert_msg(strstr(scr, "holds: vfat 'KESUDATA' (no partition table)"),
		      "the list does not say what %s holds:\n%s", dev, scr);
	free(scr);
	tui_select(&s, dev_name(dev), 1);
	tui_keys(&s, "Enter");
	tui_read_word(&s, word, sizeof(word));
	tui_type(&s, word);
	tui_keys(&s, "Enter");
	snprintf(want, sizeof(want), "p: print the 1 label(s) on %s", printer);
	free(tui_wait_for(&s, want, WAIT_WIPE_MS));
	tui_keys(&s, "p");
	snprintf(want, sizeof(want), "1 label(s) sent to %s.", printer);
	/* The printer is read while kesu label writes to it: a pty holds only a few KiB. */
	for (until = now_ms() + WAIT_SHORT_MS;; sleep_ms(50)) {
		printer_drain(master, &raster, &raster_len, &raster_cap);
		scr = tui_screen(&s, false);
		if (strstr(scr, want) || (strstr(scr, "Printing on") && strstr(scr, "failed")) || now_ms() > until)
			break;
		free(scr);
	}
	ck_assert_msg(strstr(scr, want), "not printed; the screen:\n%s", scr);
	free(scr);
	printer_drain(master, &raster, &raster_len, &raster_cap);
	close(master);
	close(slave);
	tui_keys(&s, "Enter");
	ck_assert_int_eq(tui_quit(&s), KESU_EXIT_OK);
	assert_no_reports(&s);

	/* The file system is gone from the device. */
	ck_assert_int_ne(tu_sh("blkid -p %s >/dev/null 2>&1", dev), 0);
	/* The label: PDF and PNG beside the certificate, the QR code names both. */
	ck_assert_uint_eq(count_suffix(s.out, ".json.p7s", cert, sizeof(cert)), 1);
	cert[strlen(cert) - strlen(".json.p7s")] = '\0';
	snprintf(want, sizeof(want), "%s-label.pdf", cert);
	ck_assert_msg(access(want, R_OK) == 0, "no %s", want);
	qr = tu_sh_out("zbarimg --raw -q '%s-label.png' 2>/dev/null | tr -d '\\n'", cert);
	sha = tu_sh_out("sha256sum '%s.json' | cut -c1-16 | tr a-f A-F | tr -d '\\n'", cert);
	ck_assert_ptr_nonnull(qr);
	ck_assert_ptr_nonnull(sha);
	snprintf(want, sizeof(want), "KESU:C:%s:%s", strrchr(cert, '/') + 1, sha);
	ck_assert_str_eq(qr, want);
	free(qr);
	free(sha);
	/* The printer got Brother raster: the invalidate run of zeros, ESC @, ESC i a 1. */
	ck_assert_ptr_nonnull(raster);
	while (at < raster_len && raster[at] == 0)
		at++;
	ck_assert_msg(at > 0 && raster_len - at > sizeof(raster_start) &&
		      memcmp(raster + at, raster_start, sizeof(raster_start) - 1) == 0,
		      "the printer got %zu bytes that are not Brother raster", raster_len);
	free(raster);
}
END_TEST

/* Not TU_ADD_CASES: each tcase needs the runner's teardown. */

/*
 * A frozen ATA drive (the simulator, preloaded into the TUI through the tmux
 * server's environment) is marked on its row; selecting it says why and the
 * footer offers u; u on a machine that is not the boot image (or cannot
 * suspend) is refused with the reason, and nothing is suspended ($KESU_SUSPEND_CMD
 * names a harmless script all the same).
 */
START_TEST(test_tui_frozen_drive_unfreeze_key)
{
	char dev[64], img[PATH_MAX], cfg[PATH_MAX], json[PATH_MAX + 256], env[PATH_MAX + 64], marker[PATH_MAX];
	struct tui_session s;
	char *scr;

	if (tu_skip_unless_root("test_tui_frozen_drive_unfreeze_key") ||
	    !have_tools("test_tui_frozen_drive_unfreeze_key"))
		return;
	ck_assert_int_eq(tu_loop_create(DEV_SIZE, dev, sizeof(dev), img, sizeof(img)), 0);
	snprintf(cfg, sizeof(cfg), "%s/sim.json", tu_tmpdir());
	snprintf(json, sizeof(json), "{\"devices\":[{\"path\":\"%s\",\"type\":\"ata\",\"security\":"
		 "{\"frozen\":true}}]}", dev);
	ck_assert_int_eq(tu_write_file(cfg, json, strlen(json)), 0);
	snprintf(marker, sizeof(marker), "%s/suspended", tu_tmpdir());
	snprintf(env, sizeof(env), "%s/suspend.sh", tu_tmpdir());
	snprintf(json, sizeof(json), "#!/bin/sh\ntouch %s\n", marker);
	ck_assert_int_eq(tu_write_file(env, json, strlen(json)), 0);
	ck_assert_int_eq(chmod(env, 0755), 0);
	ck_assert_int_eq(setenv("KESU_SUSPEND_CMD", env, 1), 0);
	use_simulator(cfg);

	tui_start(&s, tu_tmpdir(), 50);
	free(tui_wait_for(&s, "security FROZEN (u: unfreeze)", WAIT_SHORT_MS));
	tui_select(&s, dev_name(dev), 1);
	scr = tui_wait_for(&s, "ATA security is frozen", WAIT_SHORT_MS);
	ck_assert_msg(strstr(scr, "u unfreeze"), "no u in the footer:\n%s", scr);
	free(scr);
	tui_keys(&s, "u");
	free(tui_wait_for(&s, "Not suspended: ", WAIT_SHORT_MS));
	ck_assert_int_ne(access(marker, F_OK), 0);
	ck_assert_int_eq(tui_quit(&s), 0);
	unsetenv("LD_PRELOAD");
	tu_loop_detach(dev);
}
END_TEST

/*
 * opal-psid-revert on a simulated self-encrypting drive: the TUI asks for the
 * drive's PSID, shows only stars and the count, refuses a malformed one, and
 * hands it to kesu wipe over a pipe; the drive's bytes change.
 */
START_TEST(test_tui_psid_revert)
{
	static const char psid[] = "KESUSIMPSID0123456789ABCDEFGHIJK";
	char dev[64], img[PATH_MAX], cfg[PATH_MAX], json[PATH_MAX + 256], word[16], row[128];
	struct tui_session s;
	char *scr;

	if (tu_skip_unless_root("test_tui_psid_revert") || !have_tools("test_tui_psid_revert"))
		return;
	ck_assert_int_eq(tu_loop_create(DEV_SIZE, dev, sizeof(dev), img, sizeof(img)), 0);
	fill_pattern(dev, DEV_SIZE);
	snprintf(cfg, sizeof(cfg), "%s/sim.json", tu_tmpdir());
	snprintf(json, sizeof(json), "{\"devices\":[{\"path\":\"%s\",\"type\":\"ata\",\"opal\":"
		 "{\"locking_enabled\":true}}]}", dev);
	ck_assert_int_eq(tu_write_file(cfg, json, strlen(json)), 0);
	use_simulator(cfg);

	tui_start(&s, tu_tmpdir(), 50);
	free(tui_wait_for(&s, "Enter erase selected  q quit", WAIT_SHORT_MS));
	tui_select(&s, dev_name(dev), 1);
	for (int i = 0; i < 40; i++) {
		scr = tui_screen(&s, false);
		bool there = strstr(scr, "Method: opal-psid-revert ") != NULL;

		free(scr);
		if (there)
			break;
		tui_keys(&s, "m");
		sleep_ms(100);
	}
	free(tui_wait_for(&s, "Method: opal-psid-revert ", WAIT_SHORT_MS));
	tui_keys(&s, "Enter");
	free(tui_wait_for(&s, "PSID of ", WAIT_SHORT_MS));
	tui_type(&s, "SHORT");
	tui_keys(&s, "Enter");
	free(tui_wait_for(&s, "32 characters", WAIT_SHORT_MS));
	for (int i = 0; i < 5; i++)
		tui_keys(&s, "BSpace");
	tui_type(&s, psid);
	scr = tui_wait_for(&s, "(32/32): ********************************", WAIT_SHORT_MS);
	ck_assert_msg(!strstr(scr, "KESUSIMPSID"), "the PSID is on screen:\n%s", scr);
	free(scr);
	tui_keys(&s, "Enter");
	tui_read_word(&s, word, sizeof(word));
	tui_type(&s, word);
	tui_keys(&s, "Enter");
	scr = tui_wait_for(&s, "Finished. Enter: back", WAIT_WIPE_MS);
	snprintf(row, sizeof(row), "%-16s ERASED", dev);
	ck_assert_msg(strstr(scr, row), "no \"%s\" on the outcome screen:\n%s", row, scr);
	ck_assert_msg(!strstr(scr, "KESUSIMPSID"), "the PSID is on screen:\n%s", scr);
	free(scr);
	tui_keys(&s, "Enter");
	ck_assert_int_eq(tui_quit(&s), 0);
	unsetenv("LD_PRELOAD");
	ck_assert_msg(!pattern_anywhere(dev, DEV_SIZE), "%s still holds the pattern", dev);
	ck_assert_int_eq(tu_sh("grep -r -a -q -F %s %s", psid, s.out), 1);
	tu_loop_detach(dev);
}
END_TEST

/* The ledger's command line for the tests: kesu ledger --db DB --config CFG ARGS... */
#define TUI_LEDGER(r, db, cfg, ...) tu_kesu((r), "ledger", "--db", (db), "--config", (cfg), __VA_ARGS__, NULL)

/* kesu ledger add ARGS..., which must succeed. */
#define LEDGER_ADD_OK(db, cfg, ...) do { \
		struct tu_result add_; \
		ck_assert_int_eq(TUI_LEDGER(&add_, db, cfg, "add", __VA_ARGS__), 0); \
		ck_assert_msg(add_.status == 0, "ledger add: %s", add_.err); \
		tu_result_free(&add_); \
	} while (0)

/* A configuration naming the operator, the ledger and the root that verifies the certificates. */
static void ledger_config(const char *cfg, const char *db, const struct tu_pki *p)
{
	char text[4 * PATH_MAX];

	snprintf(text, sizeof(text), "[operator]\nname = Sato Hanako\n[ledger]\ndb = %s\n[signing]\nroot = %s\n",
		 db, p->root);
	ck_assert_int_eq(tu_write_file(cfg, text, strlen(text)), 0);
}

/*
 * With a ledger ([ledger] db): two simulated ATA drives, one whose serial is
 * a medium's. The list and the confirmation say which medium each drive is,
 * or that it is not in the ledger; both are erased; the medium's certificate
 * is linked (the medium 消去済, the certificate under it, the audit holds),
 * the other drive's certificate is kept beside it, linked to nothing. On an
 * SQLite file, and as ledger_media_pg on a database of the PostgreSQL cluster.
 */
START_TEST(test_tui_ledger_media)
{
	char devs[2][64], img[PATH_MAX], sim[PATH_MAX], json[2 * PATH_MAX], pki_dir[PATH_MAX], db[PATH_MAX];
	char cfg[PATH_MAX], extra[PATH_MAX + 16], word[16], row[PATH_MAX + 64], *scr;
	struct tui_session s;
	struct tu_result r;
	struct tu_pki p;

	if (tu_skip_unless_root("test_tui_ledger_media") || !have_tools("test_tui_ledger_media"))
		return;
	snprintf(sim, sizeof(sim), "%s/kesu.db", tu_tmpdir());
	if (!pgfx_ledger(_i, sim, db, sizeof(db)))
		return;
	snprintf(pki_dir, sizeof(pki_dir), "%s/pki", tu_tmpdir());
	ck_assert_int_eq(mkdir(pki_dir, 0700), 0);
	tu_make_pki(pki_dir, "/CN=TUI Test Root", "/CN=TUI Test Station", &p);
	for (int i = 0; i < 2; i++) {
		ck_assert_int_eq(tu_loop_create(DEV_SIZE, devs[i], sizeof(devs[i]), img, sizeof(img)), 0);
		fill_pattern(devs[i], DEV_SIZE);
	}
	qsort(devs, 2, sizeof(devs[0]), cmp_dev);   /* the list's order: the cursor only goes down */
	snprintf(sim, sizeof(sim), "%s/sim.json", tu_tmpdir());
	snprintf(json, sizeof(json), "{\"devices\":[{\"path\":\"%s\",\"type\":\"ata\",\"serial\":\"KESUTUI-LEDGER-1\"},"
		 "{\"path\":\"%s\",\"type\":\"ata\",\"serial\":\"KESUTUI-NOT-IN-1\"}]}", devs[0], devs[1]);
	ck_assert_int_eq(tu_write_file(sim, json, strlen(json)), 0);
	snprintf(cfg, sizeof(cfg), "%s/kesu.conf", tu_tmpdir());
	ledger_config(cfg, db, &p);
	/* a medium with the first drive's serial, and one whose serial only contains the second's */
	LEDGER_ADD_OK(db, cfg, "TUI-M1", "--serial=KESUTUI-LEDGER-1", "--data-name=顧客データ",
		      "--medium=SSD");
	LEDGER_ADD_OK(db, cfg, "TUI-M2", "--serial=KESUTUI-NOT-IN-10", "--medium=SSD");
	use_simulator(sim);

	snprintf(extra, sizeof(extra), "--config '%s'", cfg);
	tui_start_with(&s, p.st_dir, 50, extra);
	scr = tui_wait_for(&s, "Enter erase selected  q quit", WAIT_SHORT_MS);
	free(scr);
	scr = tui_wait_for(&s, "Ledger ", WAIT_SHORT_MS);
	snprintf(row, sizeof(row), "Ledger %s: 1 drive found in it by serial", db);
	ck_assert_msg(strstr(scr, row), "no \"%s\" on:\n%s", row, scr);
	snprintf(row, sizeof(row), "serial KESUTUI-LEDGER-1  medium TUI-M1");
	ck_assert_msg(strstr(scr, row), "no \"%s\" on:\n%s", row, scr);
	snprintf(row, sizeof(row), "serial KESUTUI-NOT-IN-1  not in the ledger");
	ck_assert_msg(strstr(scr, row), "no \"%s\" on:\n%s", row, scr);
	free(scr);
	tui_select(&s, dev_name(devs[0]), 1);
	tui_select(&s, dev_name(devs[1]), 2);
	tui_keys(&s, "Enter");
	tui_read_word(&s, word, sizeof(word));
	scr = tui_screen(&s, false);
	ck_assert_msg(strstr(scr, "KESUTUI-LEDGER-1  medium TUI-M1") &&
		      strstr(scr, "KESUTUI-NOT-IN-1  not in the ledger"), "the confirmation lists:\n%s", scr);
	free(scr);
	tui_type(&s, word);
	tui_keys(&s, "Enter");
	scr = tui_wait_for(&s, "Finished. Enter: back", WAIT_WIPE_MS);
	for (int i = 0; i < 2; i++) {
		snprintf(row, sizeof(row), "%-16s ERASED", devs[i]);
		ck_assert_msg(strstr(scr, row), "no \"%s\" on the outcome screen:\n%s", row, scr);
	}
	ck_assert_msg(strstr(scr, "medium TUI-M1: certificate linked in the ledger") &&
		      strstr(scr, "not in the ledger: certificate kept, not linked"),
		      "the ledger's part is not on the outcome screen:\n%s", scr);
	free(scr);
	tui_keys(&s, "Enter");
	ck_assert_int_eq(tui_quit(&s), KESU_EXIT_OK);
	unsetenv("LD_PRELOAD");
	assert_no_reports(&s);
	for (int i = 0; i < 2; i++)
		ck_assert_msg(!pattern_anywhere(devs[i], DEV_SIZE), "%s still holds the pattern", devs[i]);
	ck_assert_uint_eq(count_suffix(s.out, ".json.p7s", NULL, 0), 2);

	/* the ledger: TUI-M1 erased with one certificate (the one naming it), TUI-M2 untouched */
	ck_assert_int_eq(TUI_LEDGER(&r, db, cfg, "show", "TUI-M1", "--json"), 0);
	ck_assert_msg(r.status == 0, "ledger show: %s", r.err);
	ck_assert_msg(strstr(r.out, "消去済") && strstr(r.out, "\"certificate_id\": \"KC-") &&
		      strstr(r.out, "KESUTUI-LEDGER-1"), "TUI-M1 in the ledger:\n%s", r.out);
	tu_result_free(&r);
	ck_assert_int_eq(TUI_LEDGER(&r, db, cfg, "show", "TUI-M2", "--json"), 0);
	ck_assert_msg(r.status == 0 && !strstr(r.out, "消去済") && !strstr(r.out, "KC-"), "TUI-M2 in the ledger:\n%s",
		      r.out);
	tu_result_free(&r);
	ck_assert_int_eq(tu_sh("grep -l '\"property_id\": *\"TUI-M1\"' %s/KC-*.json | grep -c -v p7s | grep -qx 1",
			       s.out), 0);
	ck_assert_int_eq(TUI_LEDGER(&r, db, cfg, "audit"), 0);
	ck_assert_msg(r.status == 0, "audit: %s%s", r.out, r.err);
	tu_result_free(&r);
	for (int i = 0; i < 2; i++)
		tu_loop_detach(devs[i]);
}
END_TEST

/*
 * The medium is found, but the ledger does not take the certificate (here:
 * the root it verifies against is another CA's): the drive is erased, the
 * screen says the certificate was not linked and how to link it, and
 * kesu ledger attach-cert with the right root links it later.
 */
START_TEST(test_tui_ledger_link_refused_kept)
{
	char dev[64], img[PATH_MAX], sim[PATH_MAX], json[2 * PATH_MAX], pki_dir[PATH_MAX], db[PATH_MAX];
	char cfg[PATH_MAX], extra[PATH_MAX + 16], word[16], row[128], cert[PATH_MAX], ca[PATH_MAX + 8], *scr;
	struct tui_session s;
	struct tu_result r;
	struct tu_pki p, other;

	if (tu_skip_unless_root("test_tui_ledger_link_refused_kept") ||
	    !have_tools("test_tui_ledger_link_refused_kept"))
		return;
	snprintf(pki_dir, sizeof(pki_dir), "%s/pki", tu_tmpdir());
	ck_assert_int_eq(mkdir(pki_dir, 0700), 0);
	tu_make_pki(pki_dir, "/CN=TUI Test Root", "/CN=TUI Test Station", &p);
	snprintf(pki_dir, sizeof(pki_dir), "%s/other", tu_tmpdir());
	ck_assert_int_eq(mkdir(pki_dir, 0700), 0);
	tu_make_pki(pki_dir, "/CN=Another Root", "/CN=Another Station", &other);
	ck_assert_int_eq(tu_loop_create(DEV_SIZE, dev, sizeof(dev), img, sizeof(img)), 0);
	fill_pattern(dev, DEV_SIZE);
	snprintf(sim, sizeof(sim), "%s/sim.json", tu_tmpdir());
	snprintf(json, sizeof(json), "{\"devices\":[{\"path\":\"%s\",\"type\":\"ata\",\"serial\":\"KESUTUI-LEDGER-2\"}]}",
		 dev);
	ck_assert_int_eq(tu_write_file(sim, json, strlen(json)), 0);
	snprintf(db, sizeof(db), "%s/kesu.db", tu_tmpdir());
	snprintf(cfg, sizeof(cfg), "%s/kesu.conf", tu_tmpdir());
	ledger_config(cfg, db, &other);
	LEDGER_ADD_OK(db, cfg, "TUI-M3", "--serial=KESUTUI-LEDGER-2", "--medium=SSD");
	use_simulator(sim);

	snprintf(extra, sizeof(extra), "--config '%s'", cfg);
	tui_start_with(&s, p.st_dir, 50, extra);
	free(tui_wait_for(&s, "serial KESUTUI-LEDGER-2  medium TUI-M3", WAIT_SHORT_MS));
	tui_select(&s, dev_name(dev), 1);
	tui_keys(&s, "Enter");
	tui_read_word(&s, word, sizeof(word));
	tui_type(&s, word);
	tui_keys(&s, "Enter");
	scr = tui_wait_for(&s, "Finished. Enter: back", WAIT_WIPE_MS);
	snprintf(row, sizeof(row), "%-16s ERASED", dev);
	ck_assert_msg(strstr(scr, row) && strstr(scr, "medium TUI-M3: certificate NOT linked, kept: kesu ledger attach-cert ") &&
		      strstr(scr, "/KC-"), "the outcome screen:\n%s", scr);
	free(scr);
	tui_keys(&s, "Enter");
	ck_assert_int_eq(tui_quit(&s), KESU_EXIT_OK);
	unsetenv("LD_PRELOAD");
	assert_no_reports(&s);
	ck_assert_msg(!pattern_anywhere(dev, DEV_SIZE), "%s still holds the pattern", dev);

	/* nothing linked yet; the certificate kept names the medium, and links with the right root */
	ck_assert_int_eq(TUI_LEDGER(&r, db, cfg, "show", "TUI-M3", "--json"), 0);
	ck_assert_msg(r.status == 0 && !strstr(r.out, "消去済") && !strstr(r.out, "KC-"), "TUI-M3:\n%s", r.out);
	tu_result_free(&r);
	ck_assert_uint_eq(count_suffix(s.out, ".json.p7s", cert, sizeof(cert)), 1);
	cert[strlen(cert) - 4] = '\0';
	snprintf(ca, sizeof(ca), "--ca=%s", p.root);
	ck_assert_int_eq(TUI_LEDGER(&r, db, cfg, "--operator=Sato Hanako", "attach-cert", ca, cert), 0);
	ck_assert_msg(r.status == 0, "attach-cert: %s", r.err);
	tu_result_free(&r);
	ck_assert_int_eq(TUI_LEDGER(&r, db, cfg, "show", "TUI-M3", "--json"), 0);
	ck_assert_msg(r.status == 0 && strstr(r.out, "消去済") && strstr(r.out, "KC-"), "TUI-M3:\n%s", r.out);
	tu_result_free(&r);
	tu_loop_detach(dev);
}
END_TEST

/*
 * A ledger but no signing key: kesu wipe --media-id would erase nothing (it
 * links a certificate), so the TUI says there is no key, hands no medium,
 * and the drive is erased with its record; the medium stays as it was.
 */
START_TEST(test_tui_ledger_no_signing_key)
{
	char dev[64], img[PATH_MAX], sim[PATH_MAX], json[2 * PATH_MAX], keys[PATH_MAX], db[PATH_MAX];
	char cfg[PATH_MAX], extra[PATH_MAX + 16], word[16], row[128], *scr;
	struct tui_session s;
	struct tu_result r;

	if (tu_skip_unless_root("test_tui_ledger_no_signing_key") || !have_tools("test_tui_ledger_no_signing_key"))
		return;
	snprintf(keys, sizeof(keys), "%s/no-keys", tu_tmpdir());
	ck_assert_int_eq(tu_loop_create(DEV_SIZE, dev, sizeof(dev), img, sizeof(img)), 0);
	fill_pattern(dev, DEV_SIZE);
	snprintf(sim, sizeof(sim), "%s/sim.json", tu_tmpdir());
	snprintf(json, sizeof(json), "{\"devices\":[{\"path\":\"%s\",\"type\":\"ata\",\"serial\":\"KESUTUI-LEDGER-4\"}]}",
		 dev);
	ck_assert_int_eq(tu_write_file(sim, json, strlen(json)), 0);
	snprintf(db, sizeof(db), "%s/kesu.db", tu_tmpdir());
	snprintf(cfg, sizeof(cfg), "%s/kesu.conf", tu_tmpdir());
	snprintf(json, sizeof(json), "[operator]\nname = Sato Hanako\n[ledger]\ndb = %s\n", db);
	ck_assert_int_eq(tu_write_file(cfg, json, strlen(json)), 0);
	LEDGER_ADD_OK(db, cfg, "TUI-M4", "--serial=KESUTUI-LEDGER-4", "--medium=SSD");
	use_simulator(sim);

	snprintf(extra, sizeof(extra), "--config '%s'", cfg);
	tui_start_with(&s, keys, 50, extra);
	scr = tui_wait_for(&s, "serial KESUTUI-LEDGER-4  medium TUI-M4", WAIT_SHORT_MS);
	ck_assert_msg(strstr(scr, "No signing key, so no certificate and no medium is linked: "),
		      "no word of the missing key:\n%s", scr);
	free(scr);
	tui_select(&s, dev_name(dev), 1);
	tui_keys(&s, "Enter");
	tui_read_word(&s, word, sizeof(word));
	tui_type(&s, word);
	tui_keys(&s, "Enter");
	scr = tui_wait_for(&s, "Finished. Enter: back", WAIT_WIPE_MS);
	snprintf(row, sizeof(row), "%-16s ERASED", dev);
	ck_assert_msg(strstr(scr, row) && strstr(scr, "medium TUI-M4: no signing key, not linked"),
		      "the outcome screen:\n%s", scr);
	free(scr);
	tui_keys(&s, "Enter");
	ck_assert_int_eq(tui_quit(&s), KESU_EXIT_OK);
	unsetenv("LD_PRELOAD");
	assert_no_reports(&s);
	ck_assert_msg(!pattern_anywhere(dev, DEV_SIZE), "%s still holds the pattern", dev);
	ck_assert_uint_eq(count_suffix(s.out, ".record.json", NULL, 0), 1);
	ck_assert_uint_eq(count_suffix(s.out, ".json.p7s", NULL, 0), 0);
	ck_assert_int_eq(TUI_LEDGER(&r, db, cfg, "show", "TUI-M4", "--json"), 0);
	ck_assert_msg(r.status == 0 && strstr(r.out, "受領") && !strstr(r.out, "KC-"), "TUI-M4:\n%s", r.out);
	tu_result_free(&r);
	tu_loop_detach(dev);
}
END_TEST

/*
 * A ledger that cannot be read (a server that refuses, its URL with a
 * password): the screen says so, without the password, and the drive is
 * erased all the same, its certificate kept for kesu ledger attach-cert.
 */
START_TEST(test_tui_ledger_unreadable)
{
	static const char url[] = "postgresql://station:TuiS3cretPw@127.0.0.1:1/kesu?password=TuiS3cretPw2";
	char dev[64], img[PATH_MAX], pki_dir[PATH_MAX], extra[256], word[16], row[128], path[PATH_MAX], *scr;
	struct tui_session s;
	struct tu_pki p;

	if (tu_skip_unless_root("test_tui_ledger_unreadable") || !have_tools("test_tui_ledger_unreadable"))
		return;
	snprintf(pki_dir, sizeof(pki_dir), "%s/pki", tu_tmpdir());
	ck_assert_int_eq(mkdir(pki_dir, 0700), 0);
	tu_make_pki(pki_dir, "/CN=TUI Test Root", "/CN=TUI Test Station", &p);
	ck_assert_int_eq(tu_loop_create(DEV_SIZE, dev, sizeof(dev), img, sizeof(img)), 0);
	fill_pattern(dev, DEV_SIZE);

	snprintf(extra, sizeof(extra), "--db '%s'", url);
	tui_start_with(&s, p.st_dir, 50, extra);
	scr = tui_wait_for(&s, "cannot be read:", WAIT_SHORT_MS);
	ck_assert_msg(strstr(scr, "Ledger postgresql://station@127.0.0.1:1/kesu cannot be read:\n") &&
		      strstr(scr, "kesu ledger attach-cert") && !strstr(scr, "TuiS3cret"),
		      "the ledger's line:\n%s", scr);
	free(scr);
	tui_select(&s, dev_name(dev), 1);
	tui_keys(&s, "Enter");
	tui_read_word(&s, word, sizeof(word));
	tui_type(&s, word);
	tui_keys(&s, "Enter");
	scr = tui_wait_for(&s, "Finished. Enter: back", WAIT_WIPE_MS);
	snprintf(row, sizeof(row), "%-16s ERASED", dev);
	ck_assert_msg(strstr(scr, row) && strstr(scr, "ledger not read: certificate kept, not linked") &&
		      !strstr(scr, "TuiS3cret"), "the outcome screen:\n%s", scr);
	free(scr);
	tui_keys(&s, "Enter");
	scr = tui_wait_for(&s, "cannot be read:", WAIT_SHORT_MS);
	ck_assert_msg(!strstr(scr, "TuiS3cret"), "the password is on screen:\n%s", scr);
	free(scr);
	ck_assert_int_eq(tui_quit(&s), KESU_EXIT_OK);
	assert_no_reports(&s);
	snprintf(path, sizeof(path), "%s/stderr", s.dir);
	ck_assert_int_eq(tu_sh("grep -r -q TuiS3cret '%s' %s", path, s.out), 1);
	ck_assert_msg(!pattern_anywhere(dev, DEV_SIZE), "%s still holds the pattern", dev);
	ck_assert_uint_eq(count_suffix(s.out, ".json.p7s", NULL, 0), 1);
	tu_loop_detach(dev);
}
END_TEST

int main(void)
{
	static const struct {
		const char *name;
		const TTest *const *test;
	} cases[] = {
		{ "erases_chosen_drive_only", &test_tui_erases_chosen_drive_only },
		{ "wrong_word_erases_nothing", &test_tui_wrong_word_erases_nothing },
		{ "stop_is_resumable", &test_tui_stop_is_resumable },
		{ "four_drives_small_screen", &test_tui_four_drives_small_screen },
		{ "needs_terminal_and_has_help", &test_tui_needs_terminal_and_has_help },
		{ "contents_labels_print", &test_tui_contents_labels_print },
		{ "frozen_drive_unfreeze_key", &test_tui_frozen_drive_unfreeze_key },
		{ "psid_revert", &test_tui_psid_revert },
		{ "ledger_media", &test_tui_ledger_media },
		{ "ledger_link_refused_kept", &test_tui_ledger_link_refused_kept },
		{ "ledger_no_signing_key", &test_tui_ledger_no_signing_key },
		{ "ledger_unreadable", &test_tui_ledger_unreadable },
	};
	Suite *s = suite_create("tui");
	TCase *tc;
	char why[256];
	int rc;

	runner_pid = getpid();
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		tc = tcase_create(cases[i].name);
		tcase_set_timeout(tc, 120);
		tcase_add_unchecked_fixture(tc, NULL, teardown);
		tcase_add_test(tc, *cases[i].test);
		suite_add_tcase(s, tc);
	}
	/* the ledger on PostgreSQL: Check's loop index 1 (pgfx.h) */
	tc = tcase_create("ledger_media_pg");
	tcase_set_timeout(tc, 120);
	tcase_add_unchecked_fixture(tc, NULL, teardown);
	tcase_add_loop_test(tc, test_tui_ledger_media, 1, 2);
	suite_add_tcase(s, tc);
	if (pgfx_start(why, sizeof(why)))
		fprintf(stderr, "PostgreSQL: %s: ledger_media_pg SKIPs\n", why);
	rc = tu_main(s);
	pgfx_stop();
	return rc;
}
