/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Suspend to RAM with an RTC wake-up, and IDENTIFY before and after: does ATA security unfreeze? */
#include <kesu/ata.h>
#include <kesu/clock.h>
#include <kesu/dev.h>
#include <kesu/unfreeze.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

const char *kesu_unfreeze_advice(void)
{
	return "hot-plug the drive (unplug and replug its SATA power or data cable while the "
	       "machine runs, on a port that allows it), or use ATA sanitize (ata-sanitize-*) "
	       "if the drive supports it with ANTIFREEZE off: a security freeze does not block "
	       "sanitize";
}

/* <sysfs>/power/NAME into buf (trimmed); "" when absent. */
static void power_read(const char *name, char *buf, size_t len)
{
	char path[PATH_MAX];
	ssize_t n = -1;
	int fd;

	buf[0] = '\0';
	snprintf(path, sizeof(path), "%s/power/%s", kesu_sysfs_root(), name);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd >= 0) {
		n = read(fd, buf, len - 1);
		close(fd);
	}
	buf[n > 0 ? n : 0] = '\0';
	while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == ' '))
		buf[--n] = '\0';
}

static int power_write(const char *name, const char *value)
{
	char path[PATH_MAX];
	size_t len = strlen(value);
	int fd, rc = 0;

	snprintf(path, sizeof(path), "%s/power/%s", kesu_sysfs_root(), name);
	fd = open(path, O_WRONLY | O_TRUNC | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (write(fd, value, len) != (ssize_t)len)
		rc = -errno;
	close(fd);
	return rc;
}

/* Whether word is one of the space-separated words of list (brackets mark the choice: "[deep]"). */
static bool has_word(const char *list, const char *word, bool *chosen)
{
	size_t wl = strlen(word);

	for (const char *p = list; *p;) {
		size_t n;
		bool br = *p == '[';

		p += br;
		n = strcspn(p, " ]");
		if (n == wl && !strncmp(p, word, wl)) {
			if (chosen)
				*chosen = br;
			return true;
		}
		p += n;
		p += strspn(p, " ]");
	}
	return false;
}

int kesu_unfreeze_check(bool force, struct kesu_errbuf *eb)
{
	char state[128];
	time_t built;

	power_read("state", state, sizeof(state));
	if (!has_word(state, "mem", NULL))
		return kesu_err_set(eb, -KESU_E_UNSUPPORTED, "this machine cannot suspend to RAM "
				    "(%s/power/state offers '%s', no 'mem'), and unfreezing needs a "
				    "suspend and resume. Instead: %s", kesu_sysfs_root(), state,
				    kesu_unfreeze_advice());
	if (!force && kesu_image_build_time(&built) < 0)
		return kesu_err_set(eb, -KESU_E_ROOTFS, "refusing to suspend this machine: it is "
				    "not running kesu's boot image (no /etc/kesu-build-time), and a "
				    "suspend stops the host's own services and network for a while. "
				    "Use --force to suspend it anyway");
	return 0;
}

/* ---- drives ---- */

static void identify(struct kesu_unfreeze_drive *dr, bool after)
{
	uint8_t page[KESU_ATA_IDENTIFY_LEN];
	struct kesu_ata_identify id;
	struct kesu_errbuf eb = { "" };
	int fd = open(dr->path, O_RDONLY | O_NONBLOCK | O_CLOEXEC), rc;

	if (fd < 0) {
		snprintf(dr->note, sizeof(dr->note), "cannot open: %s", strerror(errno));
		return;
	}
	rc = kesu_ata_identify(fd, page, &id, &eb);
	close(fd);
	if (rc < 0) {
		snprintf(dr->note, sizeof(dr->note), "%s", eb.msg[0] ? eb.msg : kesu_strerror(rc));
		return;
	}
	dr->note[0] = '\0';
	if (after) {
		dr->identified_after = true;
		dr->frozen_after = id.security.frozen;
		return;
	}
	dr->ata = true;
	dr->frozen_before = id.security.frozen;
	snprintf(dr->serial, sizeof(dr->serial), "%s", id.serial);
	snprintf(dr->model, sizeof(dr->model), "%s", id.model);
}

static int add_drive(struct kesu_unfreeze_report *r, const char *path)
{
	struct kesu_unfreeze_drive *d = realloc(r->drives, (r->n + 1) * sizeof(*d));

	if (!d)
		return -ENOMEM;
	r->drives = d;
	d += r->n++;
	memset(d, 0, sizeof(*d));
	snprintf(d->path, sizeof(d->path), "%s", path);
	identify(d, false);
	return 0;
}

static int gather(const struct kesu_unfreeze_opts *o, struct kesu_unfreeze_report *r,
		  struct kesu_errbuf *eb)
{
	struct kesu_dev_identity *ids = NULL;
	size_t n = 0;
	int rc = 0;

	for (size_t i = 0; i < o->npaths && rc == 0; i++)
		rc = add_drive(r, o->paths[i]);
	if (o->npaths)
		return rc < 0 ? kesu_err_set(eb, rc, "out of memory") : 0;
	rc = kesu_dev_list(0, &ids, &n, eb);
	if (rc < 0)
		return rc;
	for (size_t i = 0; i < n && rc == 0; i++) {
		if (ids[i].is_image || ids[i].transport == KESU_TR_LOOP)
			continue;
		rc = add_drive(r, ids[i].path);
		/* Only ATA drives can be frozen: leave the others out of the report. */
		if (rc == 0 && !r->drives[r->n - 1].ata)
			r->n--;
	}
	free(ids);
	return rc < 0 ? kesu_err_set(eb, rc, "out of memory") : 0;
}

/* ---- the suspend ---- */

/* Run argv, waiting for it; its output (first line) goes to out. */
static int run(char *const argv[], char *out, size_t outlen)
{
	posix_spawn_file_actions_t fa;
	int pfd[2], status = 0, rc;
	pid_t pid;
	ssize_t n;
	size_t got = 0;

	out[0] = '\0';
	if (pipe2(pfd, O_CLOEXEC) < 0)
		return -errno;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
	posix_spawn_file_actions_adddup2(&fa, pfd[1], STDOUT_FILENO);
	posix_spawn_file_actions_adddup2(&fa, pfd[1], STDERR_FILENO);
	rc = posix_spawnp(&pid, argv[0], &fa, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	close(pfd[1]);
	if (rc != 0) {
		close(pfd[0]);
		return -rc;
	}
	while ((n = read(pfd[0], out + got, outlen - 1 - got)) > 0 || (n < 0 && errno == EINTR))
		if (n > 0 && (got += (size_t)n) >= outlen - 1)
			break;
	out[got] = '\0';
	out[strcspn(out, "\n")] = '\0';
	close(pfd[0]);
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return -errno;
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		return 0;
	return -EIO;
}

static int rtc_alarm(unsigned seconds)
{
	char path[PATH_MAX], v[32];
	int fd, rc = 0;

	snprintf(path, sizeof(path), "%s/class/rtc/rtc0/wakealarm", kesu_sysfs_root());
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	/* An alarm already set must be cleared first. */
	snprintf(v, sizeof(v), "+%u", seconds);
	if (pwrite(fd, "0", 1, 0) != 1 || pwrite(fd, v, strlen(v), 0) != (ssize_t)strlen(v))
		rc = -errno;
	close(fd);
	return rc;
}

static int suspend(unsigned seconds, struct kesu_unfreeze_report *r, struct kesu_errbuf *eb)
{
	const char *test_cmd = getenv("KESU_SUSPEND_CMD");
	char secs[16], out[256];
	int rc;

	snprintf(secs, sizeof(secs), "%u", seconds);
	if (test_cmd && *test_cmd) {
		char *const argv[] = { (char *)test_cmd, secs, NULL };

		snprintf(r->how, sizeof(r->how), "%.100s %s (KESU_SUSPEND_CMD)", test_cmd, secs);
		rc = run(argv, out, sizeof(out));
	} else {
		char *const argv[] = { "rtcwake", "-m", "mem", "-s", secs, NULL };

		snprintf(r->how, sizeof(r->how), "rtcwake -m mem -s %s", secs);
		rc = run(argv, out, sizeof(out));
		if (rc == -ENOENT) {
			/* No rtcwake: the RTC alarm and the kernel's power state by hand. */
			snprintf(r->how, sizeof(r->how), "rtc0 wakealarm +%s, mem > power/state", secs);
			rc = rtc_alarm(seconds);
			if (rc == 0)
				rc = power_write("state", "mem");
			if (rc < 0)
				snprintf(out, sizeof(out), "%s", strerror(-rc));
		}
	}
	if (rc < 0)
		return kesu_err_set(eb, rc,
				    "the suspend (%s) failed%s%s", r->how, out[0] ? ": " : "", out);
	r->suspended = true;
	return 0;
}

/* After the resume the kernel revalidates the disks: ask again until they answer (10 s at most). */
static void identify_after(struct kesu_unfreeze_report *r)
{
	for (int tries = 0; tries < 20; tries++) {
		bool missing = false;

		for (size_t i = 0; i < r->n; i++) {
			if (r->drives[i].ata && !r->drives[i].identified_after)
				identify(&r->drives[i], true);
			missing |= r->drives[i].ata && !r->drives[i].identified_after;
		}
		if (!missing)
			return;
		nanosleep(&(struct timespec){ 0, 500 * 1000000L }, NULL);
	}
}

int kesu_unfreeze_run(const struct kesu_unfreeze_opts *o, struct kesu_unfreeze_report *r,
		      struct kesu_errbuf *eb)
{
	char sleep_modes[128], before[16] = "";
	bool deep_chosen = false, frozen = false;
	int rc;

	memset(r, 0, sizeof(*r));
	rc = gather(o, r, eb);
	if (rc < 0)
		return rc;
	for (size_t i = 0; i < r->n; i++)
		frozen |= r->drives[i].frozen_before;
	if (!frozen && !o->always)
		return 0;
	rc = kesu_unfreeze_check(o->force, eb);
	if (rc < 0)
		return rc;
	power_read("mem_sleep", sleep_modes, sizeof(sleep_modes));
	if (strchr(sleep_modes, '['))
		sscanf(strchr(sleep_modes, '[') + 1, "%15[^]]", before);
	if (has_word(sleep_modes, "deep", &deep_chosen)) {
		snprintf(r->mem_sleep, sizeof(r->mem_sleep), "deep");
		if (!deep_chosen && power_write("mem_sleep", "deep") < 0)
			snprintf(r->mem_sleep, sizeof(r->mem_sleep), "s2idle");
	} else if (has_word(sleep_modes, "s2idle", NULL)) {
		snprintf(r->mem_sleep, sizeof(r->mem_sleep), "s2idle");
	}
	if (!strcmp(r->mem_sleep, "s2idle"))
		snprintf(r->warning, sizeof(r->warning), "this machine offers only s2idle, which "
			 "usually keeps the drives powered: they may stay frozen");
	rc = suspend(o->seconds ? o->seconds : KESU_UNFREEZE_SECONDS_DEFAULT, r, eb);
	if (!strcmp(r->mem_sleep, "deep") && !deep_chosen && before[0])
		(void)power_write("mem_sleep", before);   /* the choice it had before */
	if (rc < 0)
		return rc;
	identify_after(r);
	for (size_t i = 0; i < r->n; i++)
		if (r->drives[i].ata && r->drives[i].identified_after && r->drives[i].frozen_after)
			snprintf(r->drives[i].note, sizeof(r->drives[i].note), "still frozen");
	return 0;
}

size_t kesu_unfreeze_still_frozen(const struct kesu_unfreeze_report *r)
{
	size_t n = 0;

	for (size_t i = 0; i < r->n; i++) {
		const struct kesu_unfreeze_drive *d = &r->drives[i];

		if (!d->ata)
			continue;
		if (r->suspended ? (!d->identified_after || d->frozen_after) : d->frozen_before)
			n++;
	}
	return n;
}

void kesu_unfreeze_report_free(struct kesu_unfreeze_report *r)
{
	free(r->drives);
	r->drives = NULL;
	r->n = 0;
}
