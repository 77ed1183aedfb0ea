/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * kesu unfreeze against the drive simulator: two frozen ATA drives, one
 * whose power the resume cycles (it comes back unfrozen) and one whose power
 * the platform keeps (it stays frozen); the refusals (no suspend to RAM, not
 * the boot image); nothing suspended when nothing is frozen; and a security
 * erase refused on the frozen drive that succeeds after the unfreeze (the
 * wipes run without the fake sysfs tree, which knows no block devices).
 *
 * The machine is never suspended: $KESU_SUSPEND_CMD names a script that
 * announces a resume to the simulator (a line in <config>.resume) and notes
 * the mem_sleep choice it saw; /sys/power is a fake tree ($KESU_SYSFS_ROOT).
 */
#include <check.h>
#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/simfx.h"
#include "lib/testutil.h"

#define MIB (1024 * 1024)

struct fx {
	struct sim_fx a;              /* its config names both drives */
	char b_dev[256], b_img[4096];
	char sys[4096], script[4096], build[4096], resume[4200];
	char env_sys[4200], env_cmd[4200], env_build[4200];
	const char *env[8];
};

static void fx_setup(struct fx *f, bool a_frozen, const char *power_state)
{
	char json[2048], path[4200];

	memset(f, 0, sizeof(*f));
	sim_fx_loop(&f->a, 8 * MIB);
	ck_assert_int_eq(tu_loop_create(8 * MIB, f->b_dev, sizeof(f->b_dev), f->b_img, sizeof(f->b_img)), 0);
	snprintf(json, sizeof(json), "{\"devices\":["
		 "{\"path\":\"%s\",\"type\":\"ata\",\"serial\":\"UNFREEZE-A\",\"security\":{\"frozen\":%s}},"
		 "{\"path\":\"%s\",\"type\":\"ata\",\"serial\":\"UNFREEZE-B\",\"security\":{\"frozen\":true,"
		 "\"resume_unfreezes\":false}}]}", f->a.dev, a_frozen ? "true" : "false", f->b_dev);
	sim_fx_use_config(&f->a, json);
	snprintf(f->resume, sizeof(f->resume), "%s.resume", f->a.cfg);
	unlink(f->resume);

	snprintf(f->sys, sizeof(f->sys), "%s/sys", tu_tmpdir());
	ck_assert_int_eq(tu_sh("rm -rf %s && mkdir -p %s/power", f->sys, f->sys), 0);
	snprintf(path, sizeof(path), "%s/power/state", f->sys);
	ck_assert_int_eq(tu_write_file(path, power_state, strlen(power_state)), 0);
	snprintf(path, sizeof(path), "%s/power/mem_sleep", f->sys);
	ck_assert_int_eq(tu_write_file(path, "[s2idle] deep\n", 14), 0);
	snprintf(f->script, sizeof(f->script), "%s/suspend.sh", tu_tmpdir());
	snprintf(path, sizeof(path), "#!/bin/sh\necho \"seconds=$1 mem_sleep=$(cat %s/power/mem_sleep)\" >> "
		 "\"$KESU_SIM_CONFIG.resume\"\n", f->sys);
	ck_assert_int_eq(tu_write_file(f->script, path, strlen(path)), 0);
	ck_assert_int_eq(chmod(f->script, 0755), 0);
	snprintf(f->build, sizeof(f->build), "%s/kesu-build-time", tu_tmpdir());
	ck_assert_int_eq(tu_write_file(f->build, "2026-01-01T00:00:00Z\n", 21), 0);

	snprintf(f->env_sys, sizeof(f->env_sys), "KESU_SYSFS_ROOT=%s", f->sys);
	snprintf(f->env_cmd, sizeof(f->env_cmd), "KESU_SUSPEND_CMD=%s", f->script);
	snprintf(f->env_build, sizeof(f->env_build), "KESU_BUILD_TIME_FILE=%s", f->build);
	f->env[0] = f->a.env[0];
	f->env[1] = f->a.env[1];
	f->env[2] = f->a.env[2];
	f->env[3] = f->env_sys;
	f->env[4] = f->env_cmd;
	f->env[5] = f->env_build;
	f->env[6] = NULL;
}

static void fx_teardown(struct fx *f)
{
	tu_loop_detach(f->b_dev);
	tu_loop_detach(f->a.dev);
}

/* kesu unfreeze ARGS... on both drives under the fixture's environment. */
static void unfreeze(struct fx *f, struct tu_result *r, const char *opt)
{
	const char *argv[] = { tu_kesu_bin(), "unfreeze", "--seconds", "2", f->a.dev, f->b_dev, opt, NULL };

	ck_assert_int_eq(tu_runv(r, f->env, NULL, argv), 0);
}

static json_t *drive(json_t *doc, size_t i)
{
	return json_array_get(json_object_get(doc, "drives"), i);
}

#define ck_has(text, s) ck_assert_msg(strstr(text, s), "expected '%s' in:\n%s", s, text)

START_TEST(test_one_unfreezes_one_stays)
{
	struct tu_result r;
	json_error_t je;
	json_t *doc;
	char *resume, path[4200], *ms;
	struct fx f;

	if (tu_skip_unless_root("test_one_unfreezes_one_stays"))
		return;
	fx_setup(&f, true, "freeze mem disk\n");
	unfreeze(&f, &r, "--json");
	ck_assert_msg(r.status == 14, "exit %d: %s %s", r.status, r.out, r.err);
	doc = json_loads(r.out, 0, &je);
	ck_assert_ptr_nonnull(doc);
	ck_assert(json_is_true(json_object_get(doc, "suspended")));
	ck_assert_str_eq(json_string_value(json_object_get(doc, "mem_sleep")), "deep");
	ck_assert_int_eq(json_integer_value(json_object_get(doc, "still_frozen")), 1);
	ck_assert_str_eq(json_string_value(json_object_get(drive(doc, 0), "serial")), "UNFREEZE-A");
	ck_assert(json_is_true(json_object_get(drive(doc, 0), "frozen_before")));
	ck_assert(json_is_false(json_object_get(drive(doc, 0), "frozen_after")));
	ck_assert(json_is_true(json_object_get(drive(doc, 1), "frozen_before")));
	ck_assert(json_is_true(json_object_get(drive(doc, 1), "frozen_after")));
	json_decref(doc);
	tu_result_free(&r);

	/* The suspend ran once, with deep chosen for it; the old choice is back afterwards. */
	resume = tu_read_file(f.resume, NULL);
	ck_assert_ptr_nonnull(resume);
	ck_assert_str_eq(resume, "seconds=2 mem_sleep=deep\n");
	free(resume);
	snprintf(path, sizeof(path), "%s/power/mem_sleep", f.sys);
	ms = tu_read_file(path, NULL);
	ck_assert_str_eq(ms, "s2idle");
	free(ms);
	ck_assert(sim_fx_log_has(&f.a, "ata RESUME count=1 -> power cycled"));
	ck_assert(sim_fx_log_has(&f.a, "ata RESUME count=1 -> power kept (still frozen)"));

	/* The text names each drive's state and what to do for the one still frozen. */
	unfreeze(&f, &r, NULL);
	ck_assert_int_eq(r.status, 14);
	ck_has(r.out, "frozen before: no  after: no");
	ck_has(r.out, "frozen before: yes after: yes  STILL FROZEN");
	ck_has(r.out, "1 drive is still frozen: hot-plug the drive");
	ck_has(r.out, "ANTIFREEZE off");
	tu_result_free(&r);
	fx_teardown(&f);
}
END_TEST

/* Frozen: ata-secure-erase is refused (exit 14); after the unfreeze it erases. */
START_TEST(test_erase_after_unfreeze)
{
	const char *wipe[] = { tu_kesu_bin(), "wipe", "--method", "ata-secure-erase", "--yes", "--quiet",
			       "--out", NULL, NULL, NULL };
	const char *one[] = { tu_kesu_bin(), "unfreeze", "--seconds", "1", NULL, NULL };
	char out[4200];
	struct tu_result r;
	struct fx f;

	if (tu_skip_unless_root("test_erase_after_unfreeze"))
		return;
	fx_setup(&f, true, "freeze mem\n");
	sim_fx_fill_random(&f.a);
	snprintf(out, sizeof(out), "%s/evidence", tu_tmpdir());
	ck_assert_int_eq(tu_sh("mkdir -p %s", out), 0);
	wipe[7] = out;
	wipe[8] = f.a.dev;
	one[4] = f.a.dev;
	ck_assert_int_eq(tu_runv(&r, f.a.env, NULL, wipe), 0);
	ck_assert_msg(r.status == 14, "wipe on a frozen drive: %d %s", r.status, r.err);
	ck_has(r.err, "frozen");
	tu_result_free(&r);
	ck_assert_int_eq(tu_runv(&r, f.env, NULL, one), 0);
	ck_assert_msg(r.status == 0, "unfreeze: %d %s %s", r.status, r.out, r.err);
	ck_has(r.out, "unfrozen");
	tu_result_free(&r);
	ck_assert_int_eq(tu_runv(&r, f.a.env, NULL, wipe), 0);
	ck_assert_msg(r.status == 0, "wipe after the unfreeze: %d %s", r.status, r.err);
	tu_result_free(&r);
	sim_fx_ck_security(&f.a, "enabled=0 locked=0 frozen=0");
	fx_teardown(&f);
}
END_TEST

START_TEST(test_refusals)
{
	struct tu_result r;
	struct fx f;

	if (tu_skip_unless_root("test_refusals"))
		return;
	/* No "mem": nothing suspended, exit 8, the reason and the other remedies. */
	fx_setup(&f, true, "freeze disk\n");
	unfreeze(&f, &r, NULL);
	ck_assert_msg(r.status == 8, "exit %d: %s", r.status, r.err);
	ck_has(r.err, "cannot suspend to RAM");
	ck_has(r.err, "hot-plug");
	ck_assert_int_ne(access(f.resume, F_OK), 0);
	tu_result_free(&r);
	fx_teardown(&f);

	/* Not the boot image: refused (exit 4) unless --force. */
	fx_setup(&f, true, "freeze mem disk\n");
	snprintf(f.env_build, sizeof(f.env_build), "KESU_BUILD_TIME_FILE=%s/absent", tu_tmpdir());
	unfreeze(&f, &r, NULL);
	ck_assert_msg(r.status == 4, "exit %d: %s", r.status, r.err);
	ck_has(r.err, "not running kesu's boot image");
	ck_has(r.err, "--force");
	ck_assert_int_ne(access(f.resume, F_OK), 0);
	tu_result_free(&r);
	unfreeze(&f, &r, "--force");
	ck_assert_msg(r.status == 14, "--force: exit %d: %s", r.status, r.err);
	ck_assert_int_eq(access(f.resume, F_OK), 0);
	tu_result_free(&r);
	fx_teardown(&f);
}
END_TEST

/* Nothing frozen: no suspend at all. */
START_TEST(test_nothing_frozen)
{
	const char *argv[] = { tu_kesu_bin(), "unfreeze", NULL, NULL };
	struct tu_result r;
	struct fx f;

	if (tu_skip_unless_root("test_nothing_frozen"))
		return;
	fx_setup(&f, false, "freeze mem\n");
	argv[2] = f.a.dev;
	ck_assert_int_eq(tu_runv(&r, f.env, NULL, argv), 0);
	ck_assert_msg(r.status == 0, "exit %d: %s", r.status, r.err);
	ck_has(r.out, "No ATA drive is frozen: nothing was suspended.");
	ck_assert_int_ne(access(f.resume, F_OK), 0);
	tu_result_free(&r);
	/* A bad --seconds is a usage error. */
	tu_kesu(&r, "unfreeze", "--seconds", "0", NULL);
	ck_assert_int_eq(r.status, 2);
	tu_result_free(&r);
	fx_teardown(&f);
}
END_TEST

int main(int argc, char **argv)
{
	const struct tu_case cases[] = {
		{ "one_unfreezes_one_stays", test_one_unfreezes_one_stays },
		{ "erase_after_unfreeze", test_erase_after_unfreeze },
		{ "refusals", test_refusals },
		{ "nothing_frozen", test_nothing_frozen },
	};
	Suite *s;

	/* The identify helper runs as this binary: no suite to leak there. */
	if (argc == 3 && !strcmp(argv[1], SIM_FX_IDENTIFY_ARG))
		return sim_fx_identify_main(argv[2]);
	s = suite_create("unfreeze");
	tu_add_cases(s, cases, sizeof(cases) / sizeof(cases[0]), 120);
	return tu_main(s);
}
