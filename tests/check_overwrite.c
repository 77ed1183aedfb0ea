/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * kesu wipe --method overwrite end to end on loop devices: after each
 * pattern the test reads every byte itself (fixed patterns in C, the random
 * stream with stock openssl); faulty and slow devices come from nbdkit; every
 * refusal leaves the device byte-for-byte unchanged.
 */
#include "overwrite_helpers.h"

#include <kesu/overwrite.h>

#include <kesu/record.h>

#include <pthread.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>

#define DEV_SIZE (16 * MiB)

static void make_loop(char *dev, size_t len)
{
	char img[PATH_MAX];

	ck_assert_int_eq(tu_loop_create(DEV_SIZE, dev, len, img, sizeof(img)), 0);
}

/* Wipe with the given extra arguments (NULL-terminated after the device) and expect rc. */
static json_t *wipe_ok(const char *dev, const char *out, int want_rc, const char *a1,
		       const char *a2, const char *a3, const char *a4)
{
	struct tu_result r;
	json_t *rec;

	ck_assert_int_eq(tu_kesu(&r, "wipe", dev, "--yes", "--out", out, "-q",
				 a1, a2, a3, a4, NULL), 0);
	if (r.status != want_rc)
		fprintf(stderr, "wipe exit %d\nstdout: %s\nstderr: %s\n", r.status, r.out, r.err);
	ck_assert_int_eq(r.status, want_rc);
	tu_result_free(&r);
	rec = ow_load_record(out);
	ck_assert_ptr_nonnull(rec);
	return rec;
}

static void assert_fixed(const char *dev, const unsigned char *pat, size_t n)
{
	ck_assert_int_eq(ow_first_diff_fixed(dev, pat, n, DEV_SIZE), -1);
}

START_TEST(test_overwrite_random_default)
{
	char dev[64], out[PATH_MAX];
	json_t *rec;

	if (tu_skip_unless_root(__func__))
		return;
	make_loop(dev, sizeof(dev));
	ow_fill_urandom(dev, DEV_SIZE);
	ow_out_dir(out, sizeof(out));
	rec = wipe_ok(dev, out, 0, NULL, NULL, NULL, NULL);
	ck_assert_str_eq(ow_str(rec, "outcome", NULL), "ERASED");
	ck_assert_int_eq(ow_int(rec, "record_version", NULL), 1);
	ck_assert_str_eq(ow_str(rec, "method", "name"), "overwrite");
	ck_assert_str_eq(ow_str(rec, "method", "category"), "Clear");
	ck_assert_str_eq(ow_str(rec, "method", "pattern"), "random");
	ck_assert_int_eq(ow_int(rec, "method", "passes"), 1);
	ck_assert_int_eq(ow_int(rec, "device", "size_bytes"), (long long)DEV_SIZE);
	ck_assert_str_eq(ow_str(rec, "verification", "mode"), "sample");
	ck_assert_str_eq(ow_str(rec, "verification", "result"), "passed");
	ck_assert_int_eq(ow_int(rec, "bytes_written", NULL), (long long)DEV_SIZE);
	ck_assert_uint_eq(strlen(ow_str(rec, "method", "random_key")), 32);
	ck_assert_int_eq(ow_check_random(dev, ow_str(rec, "method", "random_key"), 0, DEV_SIZE), 0);
	json_decref(rec);
}
END_TEST

START_TEST(test_overwrite_fixed_patterns)
{
	static const struct { const char *arg; unsigned char pat[4]; size_t n; const char *name; } cases[] = {
		{ "zero", { 0x00 }, 1, "zero" },
		{ "one", { 0xFF }, 1, "one" },
		{ "0x5a", { 0x5A }, 1, "0x5A" },
		{ "0xDEADBE", { 0xDE, 0xAD, 0xBE }, 3, "0xDEADBE" },
	};
	char dev[64], out[PATH_MAX];

	if (tu_skip_unless_root(__func__))
		return;
	make_loop(dev, sizeof(dev));
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		json_t *rec;

		ow_fill_urandom(dev, DEV_SIZE);
		ow_out_dir(out, sizeof(out));
		rec = wipe_ok(dev, out, 0, "--pattern", cases[i].arg, "--verify", "full");
		ck_assert_str_eq(ow_str(rec, "outcome", NULL), "ERASED");
		ck_assert_str_eq(ow_str(rec, "method", "pattern"), cases[i].name);
		ck_assert_str_eq(ow_str(rec, "method", "random_key"), "");
		ck_assert_int_eq(ow_int(rec, "verification", "bytes_checked"), (long long)DEV_SIZE);
		assert_fixed(dev, cases[i].pat, cases[i].n);
		json_decref(rec);
	}
}
END_TEST

START_TEST(test_overwrite_two_passes_complement)
{
	static const unsigned char aa[] = { 0xAA, 0x0F };
	char dev[64], out[PATH_MAX];
	json_t *rec;

	if (tu_skip_unless_root(__func__))
		return;
	make_loop(dev, sizeof(dev));
	ow_out_dir(out, sizeof(out));
	rec = wipe_ok(dev, out, 0, "--pattern", "0x55F0", "--passes", "2");
	ck_assert_str_eq(ow_str(rec, "outcome", NULL), "ERASED");
	ck_assert_int_eq(ow_int(rec, "method", "passes"), 2);
	ck_assert_int_eq(ow_int(rec, "bytes_written", NULL), (long long)(2 * DEV_SIZE));
	ck_assert_str_eq(ow_str(rec, "verification", "expect"), "0xAA0F");
	assert_fixed(dev, aa, 2);
	json_decref(rec);

	/* Random then its complement: the device holds the inverted stream. */
	ow_out_dir(out, sizeof(out));
	rec = wipe_ok(dev, out, 0, "--passes", "2", NULL, NULL);
	ck_assert_str_eq(ow_str(rec, "outcome", NULL), "ERASED");
	ck_assert_int_eq(ow_check_random(dev, ow_str(rec, "method", "random_key"), 1, DEV_SIZE), 0);
	ck_assert_int_ne(ow_check_random(dev, ow_str(rec, "method", "random_key"), 0, DEV_SIZE), 0);
	json_decref(rec);
}
END_TEST

START_TEST(test_overwrite_final_zero)
{
	static const unsigned char zero[] = { 0 };
	char dev[64], out[PATH_MAX];
	json_t *rec;

	if (tu_skip_unless_root(__func__))
		return;
	make_loop(dev, sizeof(dev));
	ow_fill_urandom(dev, DEV_SIZE);
	ow_out_dir(out, sizeof(out));
	rec = wipe_ok(dev, out, 0, "--final-zero", "--verify", "full", NULL);
	ck_assert_str_eq(ow_str(rec, "outcome", NULL), "ERASED");
	ck_assert_int_eq(ow_int(rec, "method", "final_zero"), 1);
	ck_assert_str_eq(ow_str(rec, "verification", "expect"), "zero");
	ck_assert_int_eq(ow_int(rec, "bytes_written", NULL), (long long)(2 * DEV_SIZE));
	assert_fixed(dev, zero, 1);
	json_decref(rec);
}
END_TEST

START_TEST(test_overwrite_verify_none_is_unverified)
{
	char dev[64], out[PATH_MAX];
	json_t *rec;

	if (tu_skip_unless_root(__func__))
		return;
	make_loop(dev, sizeof(dev));
	ow_out_dir(out, sizeof(out));
	rec = wipe_ok(dev, out, 1, "--verify", "none", "--pattern", "zero");
	ck_assert_str_eq(ow_str(rec, "outcome", NULL), "UNVERIFIED");
	ck_assert_str_eq(ow_str(rec, "verification", "result"), "not-run");
	json_decref(rec);
}
END_TEST

/* Every write fails: FAILED with the bad ranges, never ERASED. */
START_TEST(test_overwrite_faulty_device_fails)
{
	char dev[64], out[PATH_MAX], args[PATH_MAX * 2], trig[PATH_MAX];
	json_t *rec, *bad;
	long long sectors = 0;
	size_t i;

	if (tu_skip_unless_root(__func__))
		return;
	snprintf(trig, sizeof(trig), "%s/trigger-w-%d", tu_tmpdir(), (int)getpid());
	ck_assert_int_eq(tu_write_file(trig, "", 0), 0);
	snprintf(args, sizeof(args), "--filter=error memory 2M error=EIO error-pwrite-rate=100%% "
		 "error-pwrite-file=%s", trig);
	ck_assert_int_eq(ow_nbd_create(args, 4096, dev, sizeof(dev)), 0);
	ow_out_dir(out, sizeof(out));
	rec = wipe_ok(dev, out, 1, "--pattern", "zero", NULL, NULL);
	ck_assert_str_eq(ow_str(rec, "outcome", NULL), "FAILED");
	bad = json_object_get(rec, "bad_ranges");
	ck_assert_int_ge(json_array_size(bad), 1);
	for (i = 0; i < json_array_size(bad); i++) {
		json_t *b = json_array_get(bad, i);

		ck_assert_str_eq(json_string_value(json_object_get(b, "op")), "write");
		sectors += json_integer_value(json_object_get(b, "sectors"));
	}
	/* Each 4096-byte sector of the 2 MiB disk was tried on its own and failed. */
	ck_assert_int_eq(sectors, 512);
	ck_assert_int_eq(ow_int(rec, "bad_sectors", "write"), 512);
	ck_assert_int_eq(ow_int(rec, "bytes_written", NULL), 0);
	ck_assert_int_ge(json_array_size(json_object_get(rec, "outcome_reasons")), 1);
	json_decref(rec);
}
END_TEST

/* A disk where every sector fails stops after a few whole chunks, not at the end. */
START_TEST(test_overwrite_dead_device_stops)
{
	char dev[64], out[PATH_MAX];
	json_t *rec, *bad;
	long long sectors = 0;
	char *reasons;
	size_t i;

	if (tu_skip_unless_root(__func__))
		return;
	ck_assert_int_eq(ow_nbd_create("--filter=error memory 64M error=EIO error-pwrite-rate=100%",
				       4096, dev, sizeof(dev)), 0);
	ow_out_dir(out, sizeof(out));
	rec = wipe_ok(dev, out, 1, "--chunk", "256K", "--threads", "1");
	ck_assert_str_eq(ow_str(rec, "outcome", NULL), "FAILED");
	bad = json_object_get(rec, "bad_ranges");
	for (i = 0; i < json_array_size(bad); i++)
		sectors += json_integer_value(json_object_get(json_array_get(bad, i), "sectors"));
	ck_assert_int_eq(sectors, 8 * 64); /* 8 chunks of 64 sectors, then it stopped */
	ck_assert_int_eq(ow_int(rec, "bytes_written", NULL), 0);
	reasons = json_dumps(json_object_get(rec, "outcome_reasons"), 0);
	ck_assert_ptr_nonnull(strstr(reasons, "stopped answering"));
	free(reasons);
	json_decref(rec);
}
END_TEST

static pid_t spawn_kesu(const char *const argv[])
{
	pid_t pid = fork();

	if (pid == 0) {
		int fd = open("/dev/null", O_RDWR);

		dup2(fd, 0);
		dup2(fd, 1);
		dup2(fd, 2);
		execv(argv[0], (char *const *)argv);
		_exit(127);
	}
	return pid;
}

/* Wait until the journal shows progress inside the first pass. */
static void wait_for_progress(const char *out, long long min_offset)
{
	char path[PATH_MAX];
	int i;

	for (i = 0; i < 600; i++) {
		json_t *j = ow_load_suffix(out, ".journal.json", path, sizeof(path));
		long long off = j ? ow_int(j, "offset", NULL) : -1;

		json_decref(j);
		if (off >= min_offset)
			return;
		usleep(50000);
	}
	ck_abort_msg("the journal never showed progress");
}

START_TEST(test_overwrite_kill9_then_resume)
{
	char dev[64], out[PATH_MAX], jpath[PATH_MAX];
	const char *argv[10];
	struct tu_result r;
	json_t *j, *rec;
	int status;
	pid_t pid;

	if (tu_skip_unless_root(__func__))
		return;
	/* A slow disk: every write waits, so the wipe takes seconds. */
	ck_assert_int_eq(ow_nbd_create("--filter=delay memory 32M wdelay=40ms", 512, dev,
				       sizeof(dev)), 0);
	ow_out_dir(out, sizeof(out));
	argv[0] = tu_kesu_bin();
	argv[1] = "wipe";
	argv[2] = dev;
	argv[3] = "--yes";
	argv[4] = "--out";
	argv[5] = out;
	argv[6] = "--chunk";
	argv[7] = "256K";
	argv[8] = NULL;
	pid = spawn_kesu(argv);
	ck_assert_int_gt(pid, 0);
	wait_for_progress(out, 1);
	kill(pid, SIGKILL);
	waitpid(pid, &status, 0);
	ck_assert(WIFSIGNALED(status));
	j = ow_load_suffix(out, ".journal.json", jpath, sizeof(jpath));
	ck_assert_ptr_nonnull(j);
	ck_assert_str_eq(ow_str(j, "state", NULL), "running");
	ck_assert_int_lt(ow_int(j, "offset", NULL), (long long)(32 * MiB));
	json_decref(j);
	ck_assert_ptr_null(ow_load_record(out));

	ck_assert_int_eq(tu_kesu(&r, "wipe", "--resume", jpath, "--yes", "-q", NULL), 0);
	if (r.status)
		fprintf(stderr, "%s\n%s\n", r.out, r.err);
	ck_assert_int_eq(r.status, 0);
	tu_result_free(&r);
	rec = ow_load_record(out);
	ck_assert_ptr_nonnull(rec);
	ck_assert_str_eq(ow_str(rec, "outcome", NULL), "ERASED");
	ck_assert_int_eq(json_array_size(json_object_get(rec, "interruptions")), 1);
	ck_assert_ptr_nonnull(strstr(json_string_value(json_object_get(json_array_get(
		json_object_get(rec, "interruptions"), 0), "reason")), "without finishing"));
	ck_assert_int_eq(ow_check_random(dev, ow_str(rec, "method", "random_key"), 0, 32 * MiB), 0);
	json_decref(rec);
}
END_TEST

START_TEST(test_overwrite_sigint_interrupts_then_resume)
{
	char dev[64], out[PATH_MAX], jpath[PATH_MAX];
	const char *argv[10];
	struct tu_result r;
	json_t *rec, *j;
	int status;
	pid_t pid;

	if (tu_skip_unless_root(__func__))
		return;
	ck_assert_int_eq(ow_nbd_create("--filter=delay memory 16M wdelay=40ms", 512, dev,
				       sizeof(dev)), 0);
	ow_out_dir(out, sizeof(out));
	argv[0] = tu_kesu_bin();
	argv[1] = "wipe";
	argv[2] = dev;
	argv[3] = "--yes";
	argv[4] = "--out";
	argv[5] = out;
	argv[6] = "--pattern";
	argv[7] = "0x33";
	argv[8] = NULL;
	pid = spawn_kesu(argv);
	wait_for_progress(out, 0);
	usleep(300000);
	kill(pid, SIGINT);
	waitpid(pid, &status, 0);
	ck_assert(WIFEXITED(status));
	ck_assert_int_eq(WEXITSTATUS(status), 9);
	rec = ow_load_record(out);
	ck_assert_ptr_nonnull(rec);
	ck_assert_str_eq(ow_str(rec, "outcome", NULL), "INTERRUPTED");
	ck_assert_int_eq(json_array_size(json_object_get(rec, "interruptions")), 1);
	json_decref(rec);
	j = ow_load_suffix(out, ".journal.json", jpath, sizeof(jpath));
	ck_assert_str_eq(ow_str(j, "state", NULL), "interrupted");
	json_decref(j);

	ck_assert_int_eq(tu_kesu(&r, "wipe", "--resume", jpath, "--yes", "-q", NULL), 0);
	ck_assert_int_eq(r.status, 0);
	tu_result_free(&r);
	rec = ow_load_record(out);
	ck_assert_str_eq(ow_str(rec, "outcome", NULL), "ERASED");
	ck_assert_int_eq(json_array_size(json_object_get(rec, "interruptions")), 1);
	{
		static const unsigned char p33[] = { 0x33 };

		ck_assert_int_eq(ow_first_diff_fixed(dev, p33, 1, 16 * MiB), -1);
	}
	json_decref(rec);
	/* A finished journal is not resumed again. */
	ck_assert_int_eq(tu_kesu(&r, "wipe", "--resume", jpath, "--yes", "-q", NULL), 0);
	ck_assert_int_eq(r.status, 11);
	tu_result_free(&r);
}
END_TEST

/*
 * A quiet wipe of a slow disk waits, it does not spin: the main thread used to
 * poll the progress board without sleeping once a second had passed with
 * nothing printed (-q), burning a core for the whole wipe.
 */
START_TEST(test_overwrite_quiet_slow_disk_sleeps)
{
	char dev[64], out[PATH_MAX];
	const char *argv[] = { tu_kesu_bin(), "wipe", dev, "--yes", "-q", "--verify", "none",
			       "--out", out, "--chunk", "256K", NULL };
	struct timespec t0, t1;
	struct rusage ru;
	double wall, cpu;
	int status;
	pid_t pid;

	if (tu_skip_unless_root(__func__))
		return;
	ck_assert_int_eq(ow_nbd_create("--filter=delay memory 16M wdelay=40ms", 512, dev,
				       sizeof(dev)), 0);
	ow_out_dir(out, sizeof(out));
	clock_gettime(CLOCK_MONOTONIC, &t0);
	pid = spawn_kesu(argv);
	ck_assert_int_gt(pid, 0);
	ck_assert_int_eq(wait4(pid, &status, 0, &ru), pid);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	ck_assert(WIFEXITED(status));
	wall = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
	cpu = (double)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
	      (double)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
	/* 64 writes of 40 ms, two at a time: well over a second of waiting */
	ck_assert_msg(wall >= 1.2, "the slow disk took only %.2f s", wall);
	ck_assert_msg(cpu < wall / 2, "%.2f CPU-s in %.2f s: kesu spun while it waited", cpu, wall);
}
END_TEST

START_TEST(test_overwrite_two_devices_in_parallel)
{
	char d1[64], d2[64], out[PATH_MAX], path[PATH_MAX];
	struct tu_result r;
	DIR *dir;
	struct dirent *e;
	int n = 0;

	if (tu_skip_unless_root(__func__))
		return;
	make_loop(d1, sizeof(d1));
	make_loop(d2, sizeof(d2));
	ow_out_dir(out, sizeof(out));
	ck_assert_int_eq(tu_kesu(&r, "wipe", d1, d2, "--yes", "--out", out, "--json", "-q", NULL), 0);
	ck_assert_int_eq(r.status, 0);
	ck_assert_ptr_nonnull(strstr(r.out, "\"results\""));
	tu_result_free(&r);
	dir = opendir(out);
	ck_assert_ptr_nonnull(dir);
	while ((e = readdir(dir))) {
		json_t *rec;
		const char *devpath;

		if (!strstr(e->d_name, ".record.json"))
			continue;
		if (snprintf(path, sizeof(path), "%s/%s", out, e->d_name) >= (int)sizeof(path))
			continue;
		rec = json_load_file(path, 0, NULL);
		ck_assert_ptr_nonnull(rec);
		ck_assert_str_eq(ow_str(rec, "outcome", NULL), "ERASED");
		devpath = ow_str(rec, "device", "path");
		ck_assert(!strcmp(devpath, d1) || !strcmp(devpath, d2));
		ck_assert_int_eq(ow_check_random(devpath, ow_str(rec, "method", "random_key"), 0,
						 DEV_SIZE), 0);
		json_decref(rec);
		n++;
	}
	closedir(dir);
	ck_assert_int_eq(n, 2);
}
END_TEST

/*
 * Run kesu with args and check the exit code, that dev did not change and
 * (needle not NULL) that the output says needle; the output goes to said.
 */
static void refused_saying(const char *dev, int want, const char *needle, char *said,
			   size_t said_len, const char *const *args)
{
	char before[80], after[80];
	const char *argv[16];
	struct tu_result r;
	int i = 0;

	ow_sha256(dev, before, sizeof(before));
	argv[i++] = tu_kesu_bin();
	for (; *args && i < 15; args++)
		argv[i++] = *args;
	argv[i] = NULL;
	ck_assert_int_eq(tu_runv(&r, NULL, NULL, argv), 0);
	if (r.status != want)
		fprintf(stderr, "exit %d: %s%s\n", r.status, r.out, r.err);
	ck_assert_int_eq(r.status, want);
	ck_assert_uint_gt(strlen(r.err) + strlen(r.out), 0);
	if (needle)
		ck_assert_msg(strstr(r.err, needle) || strstr(r.out, needle), "no '%s' in: %s%s",
			      needle, r.out, r.err);
	if (said)
		snprintf(said, said_len, "%s%s", r.out, r.err);
	tu_result_free(&r);
	ow_sha256(dev, after, sizeof(after));
	ck_assert_str_eq(before, after);
}

static void assert_refused_unchanged(const char *dev, int want, const char *const *args)
{
	refused_saying(dev, want, NULL, NULL, 0, args);
}

START_TEST(test_overwrite_refusals_touch_nothing)
{
	char dev[64], mnt[PATH_MAX], out[PATH_MAX];

	if (tu_skip_unless_root(__func__))
		return;
	make_loop(dev, sizeof(dev));
	ow_fill_urandom(dev, DEV_SIZE);
	ow_out_dir(out, sizeof(out));
	{
		const char *a[] = { "wipe", dev, "--out", out, NULL };       /* no --yes, no terminal */

		assert_refused_unchanged(dev, 13, a);
	}
	{
		const char *a[] = { "wipe", dev, "--yes", "--method", "shred-it", "--out", out, NULL };

		assert_refused_unchanged(dev, 2, a);
	}
	{
		const char *a[] = { "wipe", dev, "--yes", "--pattern", "0xZZ", "--out", out, NULL };

		assert_refused_unchanged(dev, 2, a);
	}
	{
		const char *a[] = { "wipe", dev, "--dry-run", "--out", out, NULL };

		assert_refused_unchanged(dev, 0, a);
	}
	ck_assert_int_ne(access(out, F_OK), 0); /* nothing written, not even the directory */

	/* No lazy initialisation: the mounted file system must not write in the background. */
	ck_assert_int_eq(tu_sh("mkfs.ext4 -q -F -E lazy_itable_init=0,lazy_journal_init=0 %s "
			       ">/dev/null 2>&1", dev), 0);
	ck_assert_int_eq(tu_mount(dev, mnt, sizeof(mnt)), 0);
	{
		const char *a[] = { "wipe", dev, "--yes", "--out", out, NULL };

		assert_refused_unchanged(dev, 4, a);
	}
}
END_TEST

START_TEST(test_overwrite_resume_refuses_another_device)
{
	char d1[64], d2[64], img[PATH_MAX], out[PATH_MAX], jpath[PATH_MAX];
	json_t *j, *rec;

	if (tu_skip_unless_root(__func__))
		return;
	make_loop(d1, sizeof(d1));
	ck_assert_int_eq(tu_loop_create(8 * MiB, d2, sizeof(d2), img, sizeof(img)), 0);
	ow_fill_urandom(d2, 8 * MiB);
	ow_out_dir(out, sizeof(out));
	rec = wipe_ok(d1, out, 1, "--verify", "none", "--pattern", "zero");
	json_decref(rec);
	/* Make its journal look like a crashed wipe, then aim it at the other device. */
	j = ow_load_suffix(out, ".journal.json", jpath, sizeof(jpath));
	ck_assert_ptr_nonnull(j);
	json_object_set_new(j, "state", json_string("running"));
	ck_assert_int_eq(json_dump_file(j, jpath, JSON_SORT_KEYS), 0);
	json_decref(j);
	{
		const char *a[] = { "wipe", "--resume", jpath, "--yes", d2, NULL };

		assert_refused_unchanged(d2, 4, a);
	}
}
END_TEST

START_TEST(test_overwrite_dry_run_prints_plan)
{
	char dev[64];
	struct tu_result r;

	if (tu_skip_unless_root(__func__))
		return;
	make_loop(dev, sizeof(dev));
	ck_assert_int_eq(tu_kesu(&r, "wipe", dev, "--dry-run", "--verify", "sample", NULL), 0);
	ck_assert_int_eq(r.status, 0);
	ck_assert_ptr_nonnull(strstr(r.out, "1000 sections"));
	ck_assert_ptr_nonnull(strstr(r.out, "random"));
	tu_result_free(&r);
}
END_TEST

/*
 * Two names of one medium are refused before anything is opened or written:
 * the same path twice, a hard link, a symlink, a disk and its partition, a
 * /dev path and the kernel name.
 */
START_TEST(test_overwrite_named_twice)
{
	char img[PATH_MAX], hard[PATH_MAX + 8], sym[PATH_MAX + 8], out[PATH_MAX], dev[64], p1[80];
	char pimg[PATH_MAX];

	ck_assert_int_eq(tu_image_create(4 * MiB, img, sizeof(img)), 0);
	ow_fill_urandom(img, 4 * MiB);
	snprintf(hard, sizeof(hard), "%s.hard", img);
	snprintf(sym, sizeof(sym), "%s.sym", img);
	ck_assert_int_eq(link(img, hard), 0);
	ck_assert_int_eq(symlink(img, sym), 0);
	ow_out_dir(out, sizeof(out));
	{
		const char *a[] = { "wipe", "--yes", "--out", out, img, img, NULL };

		refused_saying(img, 2, "named twice", NULL, 0, a);
	}
	{
		const char *a[] = { "wipe", "--yes", "--out", out, img, hard, NULL };

		refused_saying(img, 2, "named twice", NULL, 0, a);
	}
	{
		const char *a[] = { "wipe", "--yes", "--out", out, sym, img, NULL };

		refused_saying(img, 2, "named twice", NULL, 0, a);
	}
	{
		const char *a[] = { "wipe", "--dry-run", hard, img, NULL };

		refused_saying(img, 2, "named twice", NULL, 0, a);
	}
	ck_assert_int_ne(access(out, F_OK), 0);
	if (tu_skip_unless_root(__func__))
		return;
	/* A real partition: sfdisk, then partx makes the node. */
	ck_assert_int_eq(tu_image_create(DEV_SIZE, pimg, sizeof(pimg)), 0);
	ck_assert_int_eq(tu_sh("printf 'label: dos\\nstart=2048, type=83\\n' | sfdisk -q '%s' "
			       ">/dev/null", pimg), 0);
	ck_assert_int_eq(tu_loop_attach(pimg, dev, sizeof(dev)), 0);
	ck_assert_int_eq(tu_sh("partx -u %s", dev), 0);
	snprintf(p1, sizeof(p1), "%sp1", dev);
	ck_assert_int_eq(access(p1, F_OK), 0);
	{
		const char *a[] = { "wipe", "--yes", "--out", out, dev, dev, NULL };

		refused_saying(dev, 2, "named twice", NULL, 0, a);
	}
	{
		const char *a[] = { "wipe", "--yes", "--out", out, dev, p1, NULL };

		refused_saying(dev, 2, "named twice", NULL, 0, a);
	}
	{
		const char *a[] = { "wipe", "--yes", "--out", out, dev + 5, dev, NULL };

		refused_saying(dev, 2, "named twice", NULL, 0, a);
	}
	ck_assert_int_ne(access(out, F_OK), 0);
}
END_TEST

/* --out naming a regular file is an evidence directory error like the others: exit 10, nothing touched. */
START_TEST(test_overwrite_out_not_a_directory)
{
	char img[PATH_MAX], file[PATH_MAX + 8], sub[PATH_MAX + 16];

	ck_assert_int_eq(tu_image_create(1 * MiB, img, sizeof(img)), 0);
	ow_fill_urandom(img, 1 * MiB);
	snprintf(file, sizeof(file), "%s.out", img);
	snprintf(sub, sizeof(sub), "%s/sub", file);
	ck_assert_int_eq(tu_write_file(file, "x", 1), 0);
	{
		const char *a[] = { "wipe", "--yes", "--no-cert", "--out", file, img, NULL };

		refused_saying(img, 10, "Not a directory", NULL, 0, a);
	}
	{
		const char *a[] = { "wipe", "--yes", "--no-cert", "--out", sub, img, NULL };

		refused_saying(img, 10, "Not a directory", NULL, 0, a);
	}
	{
		const char *a[] = { "wipe", "--dry-run", "--out", file, img, NULL };

		refused_saying(img, 10, "Not a directory", NULL, 0, a);
	}
}
END_TEST

/* The dry run's safety line and exit status are the real run's refusal, word for word. */
static void dry_equals_real(const char *target, const char *out)
{
	char dry[8192], real[8192], *line, *end;

	{
		const char *a[] = { "wipe", "--dry-run", target, NULL };

		refused_saying(target, 4, "refusing", dry, sizeof(dry), a);
	}
	{
		const char *a[] = { "wipe", "--yes", "--out", out, target, NULL };

		refused_saying(target, 4, "refusing", real, sizeof(real), a);
	}
	line = strstr(dry, "safety:");
	ck_assert_ptr_nonnull(line);
	line = strstr(line, "refusing");
	end = strchr(line, '\n');
	ck_assert_ptr_nonnull(end);
	*end = '\0';
	ck_assert_msg(strstr(real, line), "dry run said '%s', the wipe said: %s", line, real);
}

START_TEST(test_overwrite_dry_run_equals_real_run)
{
	char img[PATH_MAX], a[64], b[64], out[PATH_MAX], mnt[PATH_MAX];

	if (tu_skip_unless_root(__func__))
		return;
	ck_assert_int_eq(tu_image_create(DEV_SIZE, img, sizeof(img)), 0);
	ow_fill_urandom(img, DEV_SIZE);
	ow_out_dir(out, sizeof(out));
	/* An image a loop device uses: the dry run said "ok" and the wipe refused. */
	ck_assert_int_eq(tu_loop_attach(img, a, sizeof(a)), 0);
	dry_equals_real(img, out);
	/* A loop device stacked on the disk, unused, then mounted. */
	ck_assert_int_eq(tu_loop_attach(a, b, sizeof(b)), 0);
	dry_equals_real(a, out);
	ck_assert_int_eq(tu_sh("mkfs.ext4 -q -E lazy_itable_init=0,lazy_journal_init=0 %s", b), 0);
	ck_assert_int_eq(tu_mount(b, mnt, sizeof(mnt)), 0);
	dry_equals_real(a, out);
	ck_assert_int_ne(access(out, F_OK), 0);
}
END_TEST

/* Bad ranges are merged as they come, from any thread, and every bad sector is counted. */
static void *add_every_fourth(void *arg)
{
	struct { struct kesu_result *r; unsigned first; } *w = arg;

	for (unsigned i = w->first; i < 4000; i += 4)
		kesu_result_add_bad(w->r, 1000 + i, 1, KESU_OP_READ);
	return NULL;
}

START_TEST(test_overwrite_bad_ranges_merged_and_counted)
{
	struct kesu_result r;
	struct { struct kesu_result *r; unsigned first; } w[4];
	pthread_t t[4];
	json_t *doc;

	ck_assert_int_eq(kesu_result_init(&r), 0);
	/* Four threads, interleaved sectors: one range. */
	for (unsigned i = 0; i < 4; i++) {
		w[i].r = &r;
		w[i].first = i;
		ck_assert_int_eq(pthread_create(&t[i], NULL, add_every_fourth, &w[i]), 0);
	}
	for (unsigned i = 0; i < 4; i++)
		pthread_join(t[i], NULL);
	ck_assert_uint_eq(r.n_bad, 1);
	ck_assert_uint_eq(r.bad[0].first_lba, 1000);
	ck_assert_uint_eq(r.bad[0].sectors, 4000);
	ck_assert_uint_eq(r.bad_sectors[KESU_OP_READ], 4000);
	/* Overlaps count each sector once; a range bridging two merges them. */
	ck_assert_int_eq(kesu_result_add_bad(&r, 900, 200, KESU_OP_READ), 0);
	ck_assert_int_eq(kesu_result_add_bad(&r, 6000, 10, KESU_OP_READ), 0);
	ck_assert_uint_eq(r.n_bad, 2);
	ck_assert_uint_eq(r.bad_sectors[KESU_OP_READ], 4110);
	ck_assert_int_eq(kesu_result_add_bad(&r, 4990, 1020, KESU_OP_READ), 0);
	ck_assert_uint_eq(r.n_bad, 1);
	ck_assert_uint_eq(r.bad[0].first_lba, 900);
	ck_assert_uint_eq(r.bad[0].sectors, 5110);
	ck_assert_uint_eq(r.bad_sectors[KESU_OP_READ], 5110);
	/* Writes are their own list, before the reads. */
	ck_assert_int_eq(kesu_result_add_bad(&r, 950, 100, KESU_OP_WRITE), 0);
	ck_assert_uint_eq(r.n_bad, 2);
	ck_assert_int_eq(r.bad[0].op, KESU_OP_WRITE);
	ck_assert_uint_eq(r.bad_sectors[KESU_OP_WRITE], 100);
	/* More ranges than the list holds: the rest counted, ranges and sectors. */
	for (unsigned i = 0; i < KESU_BAD_RANGE_MAX + 100; i++)
		ck_assert_int_eq(kesu_result_add_bad(&r, 100000 + 2ull * i, 1, KESU_OP_READ), 0);
	ck_assert_uint_eq(r.n_bad, KESU_BAD_RANGE_MAX);
	ck_assert_uint_eq(r.bad_not_listed[KESU_OP_READ], 102);
	ck_assert_uint_eq(r.bad_sectors[KESU_OP_READ], 5110 + KESU_BAD_RANGE_MAX + 100);
	/* A full list still grows a listed range that a new one touches. */
	ck_assert_int_eq(kesu_result_add_bad(&r, 900 + 5110, 5, KESU_OP_READ), 0);
	ck_assert_uint_eq(r.bad_not_listed[KESU_OP_READ], 102);
	ck_assert_uint_eq(r.bad_sectors[KESU_OP_READ], 5115 + KESU_BAD_RANGE_MAX + 100);
	ck_assert_int_eq(kesu_record_build(&r, &doc, NULL), 0);
	ck_assert_int_eq(ow_int(doc, "bad_ranges_not_listed", NULL), 102);
	ck_assert_int_eq(ow_int(doc, "bad_sectors", "read"), 5115 + KESU_BAD_RANGE_MAX + 100);
	ck_assert_int_eq(ow_int(doc, "bad_sectors", "write"), 100);
	ck_assert_uint_eq(json_array_size(json_object_get(doc, "bad_ranges")), KESU_BAD_RANGE_MAX);
	json_decref(doc);
	kesu_result_drop_bad(&r, KESU_OP_READ);
	ck_assert_uint_eq(r.n_bad, 1);
	ck_assert_uint_eq(r.bad_sectors[KESU_OP_READ], 0);
	ck_assert_uint_eq(r.bad_not_listed[KESU_OP_READ], 0);
	kesu_result_release(&r);
}
END_TEST

/*
 * Every read fails (nbdkit's error filter, the loop device in direct I/O so
 * that the page cache does not answer): every sampled sector is a bad one,
 * counted and listed, across the three verification threads.
 */
START_TEST(test_overwrite_all_reads_fail_counted)
{
	char dev[64], out[PATH_MAX];
	json_t *rec, *bad;
	long long listed = 0, planned;

	if (tu_skip_unless_root(__func__))
		return;
	ck_assert_int_eq(ow_nbd_create_opts("--filter=error memory 64M error=EIO "
					    "error-pread-rate=100%", 512, "--direct-io=on", dev,
					    sizeof(dev)), 0);
	ow_out_dir(out, sizeof(out));
	rec = wipe_ok(dev, out, 1, NULL, NULL, NULL, NULL);
	ck_assert_str_eq(ow_str(rec, "outcome", NULL), "FAILED");
	planned = json_integer_value(json_object_get(json_object_get(json_object_get(rec,
			"verification"), "plan"), "planned_bytes")) / 512;
	ck_assert_int_gt(planned, 15000);
	bad = json_object_get(rec, "bad_ranges");
	for (size_t i = 0; i < json_array_size(bad); i++)
		listed += json_integer_value(json_object_get(json_array_get(bad, i), "sectors"));
	ck_assert_int_eq(ow_int(rec, "bad_sectors", "read"), planned);
	ck_assert_int_eq(ow_int(rec, "bad_ranges_not_listed", NULL), 0);
	ck_assert_int_eq(listed, planned);
	ck_assert_int_eq(ow_int(rec, "bytes_written", NULL), 64 * MiB);
	json_decref(rec);
}
END_TEST

/* A 1 MiB region refuses writes (an nbdkit sh plugin): bytes_written is what the rest took. */
START_TEST(test_overwrite_bytes_written_is_what_was_accepted)
{
	char dev[64], out[PATH_MAX], script[PATH_MAX], img[PATH_MAX], args[PATH_MAX * 2];
	json_t *rec, *bad;
	FILE *f;

	if (tu_skip_unless_root(__func__))
		return;
	ck_assert_int_eq(tu_image_create(4 * MiB, img, sizeof(img)), 0);
	snprintf(script, sizeof(script), "%s/badregion-%d.sh", tu_tmpdir(), (int)getpid());
	f = fopen(script, "w");
	ck_assert_ptr_nonnull(f);
	fprintf(f, "#!/bin/sh\n"
		"case \"$1\" in\n"
		"get_size) echo %d ;;\n"
		"can_write|can_flush|flush) exit 0 ;;\n"
		"pread) exec dd if='%s' skip=\"$4\" count=\"$3\" iflag=skip_bytes,count_bytes "
		"status=none ;;\n"
		"pwrite) if [ \"$4\" -lt %d ] && [ $(($4 + $3)) -gt %d ]; then\n"
		"  cat >/dev/null; echo 'EIO a bad region' >&2; exit 1; fi\n"
		"  exec dd of='%s' seek=\"$4\" oflag=seek_bytes conv=notrunc status=none ;;\n"
		"*) exit 2 ;;\n"
		"esac\n", (int)(4 * MiB), img, (int)(2 * MiB), (int)(1 * MiB), img);
	fclose(f);
	ck_assert_int_eq(chmod(script, 0755), 0);
	snprintf(args, sizeof(args), "sh %s", script);
	ck_assert_int_eq(ow_nbd_create(args, 4096, dev, sizeof(dev)), 0);
	ow_out_dir(out, sizeof(out));
	rec = wipe_ok(dev, out, 1, "--verify", "none", "--chunk", "1M");
	ck_assert_str_eq(ow_str(rec, "outcome", NULL), "FAILED");
	ck_assert_int_eq(ow_int(rec, "bytes_written", NULL), 3 * MiB);
	ck_assert_int_eq(ow_int(rec, "bad_sectors", "write"), 256);
	bad = json_object_get(rec, "bad_ranges");
	ck_assert_uint_eq(json_array_size(bad), 1);
	ck_assert_int_eq(json_integer_value(json_object_get(json_array_get(bad, 0), "first_lba")),
			 256);
	ck_assert_int_eq(json_integer_value(json_object_get(json_array_get(bad, 0), "sectors")),
			 256);
	json_decref(rec);
}
END_TEST

START_TEST(test_overwrite_image_file)
{
	char img[PATH_MAX], out[PATH_MAX];
	static const unsigned char ff[] = { 0xFF };
	json_t *rec;

	ck_assert_int_eq(tu_image_create(4 * MiB, img, sizeof(img)), 0);
	ow_out_dir(out, sizeof(out));
	rec = wipe_ok(img, out, 0, "--pattern", "one", "--verify", "full");
	ck_assert_str_eq(ow_str(rec, "device", "transport"), "image");
	ck_assert_int_eq(ow_first_diff_fixed(img, ff, 1, 4 * MiB), -1);
	json_decref(rec);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("overwrite");
	SRunner *sr;
	int failed;
	struct { const char *name; const TTest *t; } tests[] = {
		{ "random_default", test_overwrite_random_default },
		{ "fixed_patterns", test_overwrite_fixed_patterns },
		{ "two_passes_complement", test_overwrite_two_passes_complement },
		{ "final_zero", test_overwrite_final_zero },
		{ "verify_none_is_unverified", test_overwrite_verify_none_is_unverified },
		{ "faulty_device_fails", test_overwrite_faulty_device_fails },
		{ "dead_device_stops", test_overwrite_dead_device_stops },
		{ "kill9_then_resume", test_overwrite_kill9_then_resume },
		{ "sigint_interrupts_then_resume", test_overwrite_sigint_interrupts_then_resume },
		{ "quiet_slow_disk_sleeps", test_overwrite_quiet_slow_disk_sleeps },
		{ "two_devices_in_parallel", test_overwrite_two_devices_in_parallel },
		{ "refusals_touch_nothing", test_overwrite_refusals_touch_nothing },
		{ "resume_refuses_another_device", test_overwrite_resume_refuses_another_device },
		{ "dry_run_prints_plan", test_overwrite_dry_run_prints_plan },
		{ "image_file", test_overwrite_image_file },
		{ "named_twice", test_overwrite_named_twice },
		{ "out_not_a_directory", test_overwrite_out_not_a_directory },
		{ "dry_run_equals_real_run", test_overwrite_dry_run_equals_real_run },
		{ "bad_ranges_merged_and_counted", test_overwrite_bad_ranges_merged_and_counted },
		{ "all_reads_fail_counted", test_overwrite_all_reads_fail_counted },
		{ "bytes_written_is_what_was_accepted", test_overwrite_bytes_written_is_what_was_accepted },
	};

	for (size_t i = 0; i < sizeof(tests) / sizeof(tests[0]); i++) {
		TCase *tc = tcase_create(tests[i].name);

		tcase_set_timeout(tc, 120);
		tcase_add_test(tc, tests[i].t);
		suite_add_tcase(s, tc);
	}
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
