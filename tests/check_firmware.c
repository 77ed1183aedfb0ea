/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Firmware erase methods (firmware.h) against the drive simulator: every
 * method on a drive that supports it (the loop device's bytes are read back
 * from here), `auto`'s choice per drive, every misbehaviour (FAILED or
 * refused, never ERASED), hidden areas, and the ATA password never left set.
 *
 * Every erase is `kesu wipe` end to end with the simulator preloaded; the
 * test process checks the media, the record and the simulator's log. This
 * binary's "--identify DEV" (run under the simulator) reads the drive's
 * security state afterwards.
 */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <kesu/firmware.h>
#include <kesu/hidden.h>
#include <kesu/readback.h>
#include <kesu/util.h>

#include "lib/simfx.h"
#include "lib/testutil.h"

#define MIB (1024 * 1024)
#define DEV_SIZE (8 * MIB)

/* ---- fixtures ---- */

struct fx {
	struct sim_fx sim;           /* the drive: a loop device under the simulator */
	char out[4096];              /* kesu's evidence directory */
	char *stdout_text;           /* a transcript: outcome=, reason=, refused=, error= lines */
	json_t *record;
	int status;                  /* kesu's exit status */
};

/* A drive of random content under the simulator configured by tmpl (one %s: the device). */
static void fx_setup(struct fx *f, const char *tmpl)
{
	memset(f, 0, sizeof(*f));
	sim_fx_setup(&f->sim, DEV_SIZE, tmpl);
	sim_fx_fill_random(&f->sim);
	snprintf(f->out, sizeof(f->out), "%s/evidence", tu_tmpdir());
	ck_assert_int_eq(tu_sh("mkdir -p %s", f->out), 0);
}

static void fx_free(struct fx *f)
{
	free(f->stdout_text);
	json_decref(f->record);
	f->stdout_text = NULL;
	f->record = NULL;
}

/* Append to the transcript. */
static void say(struct fx *f, const char *key, const char *value)
{
	size_t n = f->stdout_text ? strlen(f->stdout_text) : 0;
	char *t = realloc(f->stdout_text, n + strlen(key) + strlen(value) + 3);

	ck_assert_ptr_nonnull(t);
	sprintf(t + n, "%s=%s\n", key, value);
	f->stdout_text = t;
}

/* kesu wipe --json's result for the one device, as a transcript; the record loaded. */
static void take_result(struct fx *f, const char *out)
{
	json_error_t je;
	json_t *doc = json_loads(out, 0, &je), *res, *reasons, *v;
	const char *outcome, *rec;
	size_t i;

	ck_assert_msg(doc != NULL, "kesu wipe --json printed no JSON: %s", out);
	res = json_array_get(json_object_get(doc, "results"), 0);
	outcome = json_string_value(json_object_get(res, "outcome"));
	ck_assert_ptr_nonnull(outcome);
	reasons = json_object_get(res, "reasons");
	/* ERROR: refused before anything that changes the drive was sent; no record. */
	say(f, !strcmp(outcome, "ERROR") ? "refused" : "outcome", outcome);
	json_array_foreach(reasons, i, v)
		say(f, !strcmp(outcome, "ERROR") ? "error" : "reason", json_string_value(v));
	rec = json_string_value(json_object_get(res, "record"));
	if (rec && rec[0]) {
		f->record = json_load_file(rec, 0, &je);
		ck_assert_msg(f->record != NULL, "record %s: %s", rec, je.text);
	}
	json_decref(doc);
}

/* Run kesu wipe with the simulator; returns the transcript (kept in f). */
static const char *fx_run(struct fx *f, const char *method, const char *extra1, const char *extra2)
{
	const char *argv[] = { tu_kesu_bin(), "wipe", "--method", method, "--yes", "--quiet", "--json",
			       "--out", f->out, f->sim.dev, extra1, extra2, NULL };
	struct tu_result r;
	char st[16];

	fx_free(f);
	sim_fx_run(&f->sim, &r, NULL, argv);
	f->status = r.status;
	snprintf(st, sizeof(st), "%d", r.status);
	if (r.out[0] == '{')
		take_result(f, r.out);
	else
		say(f, "refused", st);   /* refused while planning: only stderr says why */
	say(f, "exit", st);
	say(f, "stderr", r.err);
	tu_result_free(&r);
	return f->stdout_text;
}

/* kesu wipe --dry-run: the method line and the rest of the plan, in the transcript. */
static const char *fx_plan(struct fx *f, const char *method)
{
	const char *argv[] = { tu_kesu_bin(), "wipe", "--dry-run", "--method", method, f->sim.dev, NULL };
	struct tu_result r;
	char chosen[64] = "";
	const char *m;

	fx_free(f);
	ck_assert_int_eq(tu_runv(&r, f->sim.env, NULL, argv), 0);
	ck_assert_msg(r.status == 0, "kesu wipe --dry-run exited %d: %s", r.status, r.err);
	m = strstr(r.out, "  method:       ");
	ck_assert_ptr_nonnull(m);
	sscanf(m, "  method:       %63s", chosen);
	say(f, "chosen", chosen);
	say(f, "plan", r.out);
	tu_result_free(&r);
	return f->stdout_text;
}

static bool out_has(const struct fx *f, const char *s)
{
	return f->stdout_text && strstr(f->stdout_text, s);
}

#define ck_out(f, s) ck_assert_msg(out_has(f, s), "expected '%s' in:\n%s", s, (f)->stdout_text)

static uint8_t *media(const struct fx *f)
{
	int fd = open(f->sim.dev, O_RDONLY);
	uint8_t *buf = malloc(DEV_SIZE);

	ck_assert_int_ge(fd, 0);
	ck_assert_ptr_nonnull(buf);
	posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED);
	ck_assert_int_eq(pread(fd, buf, DEV_SIZE, 0), DEV_SIZE);
	close(fd);
	return buf;
}

static bool all_byte(const uint8_t *b, size_t len, uint8_t v)
{
	for (size_t i = 0; i < len; i++)
		if (b[i] != v)
			return false;
	return true;
}

/* Not all zero, not all ones, and not what it was: random-looking new content. */
static bool changed_everywhere(const uint8_t *before, const uint8_t *after)
{
	size_t same = 0;

	for (size_t i = 0; i < DEV_SIZE; i += 4096)
		same += !memcmp(before + i, after + i, 4096);
	return same == 0;
}

static const char *rec_str(const struct fx *f, const char *path)
{
	json_t *v = f->record;
	char key[128];
	const char *p = path;

	ck_assert_ptr_nonnull(v);
	while (*p) {
		size_t n = strcspn(p, ".");

		snprintf(key, sizeof(key), "%.*s", (int)n, p);
		v = json_object_get(v, key);
		ck_assert_msg(v != NULL, "record has no %s", path);
		p += n + (p[n] == '.');
	}
	return json_string_value(v);
}

/* The command log holds a command whose name starts with cmd and whose status is status. */
static json_t *rec_command(const struct fx *f, const char *cmd, const char *status)
{
	json_t *cmds = json_object_get(f->record, "commands"), *e;
	size_t i;

	json_array_foreach(cmds, i, e) {
		const char *c = json_string_value(json_object_get(e, "command"));
		const char *s = json_string_value(json_object_get(e, "status"));

		if (c && s && !strncmp(c, cmd, strlen(cmd)) && (!status || !strcmp(s, status)))
			return e;
	}
	return NULL;
}

static void check_password_clear(struct fx *f)
{
	sim_fx_ck_security(&f->sim, "security enabled=0 locked=0");
}

/* Erased: the record says so, the readback digests are there and differ. */
static void check_erased(struct fx *f, const char *method, const char *category)
{
	json_t *before, *after;

	ck_out(f, "outcome=ERASED");
	ck_assert_str_eq(rec_str(f, "outcome"), "ERASED");
	ck_assert_str_eq(rec_str(f, "method.name"), method);
	ck_assert_str_eq(rec_str(f, "method.category"), category);
	ck_assert_str_eq(rec_str(f, "verification.result"), "passed");
	before = rec_command(f, "readback before erase", "ok");
	after = rec_command(f, "readback after erase", "ok");
	ck_assert_ptr_nonnull(before);
	ck_assert_ptr_nonnull(after);
	ck_assert_str_ne(json_string_value(json_object_get(before, "sha256")),
			 json_string_value(json_object_get(after, "sha256")));
	ck_assert_int_eq(json_integer_value(json_object_get(after, "failed_regions")), 0);
	ck_assert_int_gt(json_integer_value(json_object_get(after, "regions")), 2);
}

/* Erase with method; the record says ERASED with nist_class and the media
 * holds new, random-looking content everywhere. */
static void erase_scrambles(struct fx *f, const char *method, const char *nist_class)
{
	uint8_t *before = media(f), *after;

	fx_run(f, method, NULL, NULL);
	check_erased(f, method, nist_class);
	after = media(f);
	ck_assert(changed_everywhere(before, after));
	free(before);
	free(after);
}

static void check_failed(struct fx *f)
{
	ck_out(f, "outcome=FAILED");
	ck_assert_str_eq(rec_str(f, "outcome"), "FAILED");
}

#define ATA(extra) "{\"devices\":[{\"path\":\"%s\",\"type\":\"ata\"" extra "}]}"
#define NVME(extra) "{\"devices\":[{\"path\":\"%s\",\"type\":\"nvme\"" extra "}]}"

/* ---- every method ---- */

START_TEST(test_firmware_ata_secure_erase)
{
	struct fx f;
	uint8_t *m;

	if (tu_skip_unless_root(__func__))
		return;
	fx_setup(&f, ATA(",\"rotational\":true"));
	fx_run(&f, "ata-secure-erase", NULL, NULL);
	check_erased(&f, "ata-secure-erase", "Purge");
	m = media(&f);
	ck_assert(all_byte(m, DEV_SIZE, 0));
	free(m);
	ck_assert_ptr_nonnull(rec_command(&f, "SECURITY SET PASSWORD", "ok"));
	ck_assert_ptr_nonnull(rec_command(&f, "SECURITY ERASE UNIT", "ok"));
	/* The password is a secret of the local record, and only there. */
	ck_assert_int_eq(strncmp(rec_str(&f, "secrets.ata_user_password"), "kesu-", 5), 0);
	ck_assert_ptr_nonnull(strstr(rec_str(&f, "method.details"), "temporary user password"));
	ck_assert_ptr_null(strstr(rec_str(&f, "method.details"), "kesu-"));
	ck_assert_ptr_null(strstr(rec_str(&f, "method.details"),
				  rec_str(&f, "secrets.ata_user_password")));
	/* The record names the drive by its IDENTIFY serial (a loop device has none of its own). */
	ck_assert_str_eq(rec_str(&f, "device.serial"), "KESUSIM-ATA-0001");
	ck_assert_str_eq(rec_str(&f, "device.serial_source"), "ata-identify");
	ck_assert(sim_fx_log_has(&f.sim, "SEC_ERASE_PREPARE"));
	check_password_clear(&f);
	fx_free(&f);
}
END_TEST

START_TEST(test_firmware_ata_secure_erase_enhanced)
{
	struct fx f;

	if (tu_skip_unless_root(__func__))
		return;
	fx_setup(&f, ATA(""));
	/* Flash: security erase is a Clear there. */
	erase_scrambles(&f, "ata-secure-erase-enhanced", "Clear");
	ck_assert(sim_fx_log_has(&f.sim, "mode=enhanced"));
	check_password_clear(&f);
	fx_free(&f);
}
END_TEST

START_TEST(test_firmware_ata_sanitize_block_ones)
{
	struct fx f;
	uint8_t *m;

	if (tu_skip_unless_root(__func__))
		return;
	fx_setup(&f, ATA(",\"sanitize\":{\"block_fill\":\"ones\"},\"sanitize_seconds\":0.4"));
	fx_run(&f, "ata-sanitize-block", NULL, NULL);
	check_erased(&f, "ata-sanitize-block", "Purge");
	m = media(&f);
	ck_assert(all_byte(m, DEV_SIZE, 0xff));
	free(m);
	/* The drive does not say what erased blocks read as: which it was is recorded. */
	ck_out(&f, "all 0xFF");
	ck_assert(sim_fx_log_has(&f.sim, "SANITIZE_BLOCK"));
	ck_assert(sim_fx_log_has(&f.sim, "SANITIZE_STATUS"));
	ck_assert_int_ge(json_array_size(json_object_get(f.record, "timeline")), 2);
	fx_free(&f);
}
END_TEST

START_TEST(test_firmware_ata_sanitize_crypto)
{
	struct fx f;

	if (tu_skip_unless_root(__func__))
		return;
	fx_setup(&f, ATA(""));
	erase_scrambles(&f, "ata-sanitize-crypto", "Purge");
	ck_out(&f, "differ from before the erase");
	fx_free(&f);
}
END_TEST

START_TEST(test_firmware_ata_sanitize_overwrite)
{
	struct fx f;
	uint8_t *m;
	const uint8_t pat[4] = { 0x3c, 0xc3, 0xa5, 0x5a };

	if (tu_skip_unless_root(__func__))
		return;
	fx_setup(&f, ATA(",\"rotational\":true"));
	fx_run(&f, "ata-sanitize-overwrite", "--pattern", "0x3cc3a55a");
	check_erased(&f, "ata-sanitize-overwrite", "Purge");
	m = media(&f);
	for (size_t i = 0; i < DEV_SIZE; i += 4)
		ck_assert_msg(!memcmp(m + i, pat, 4), "byte %zu", i);
	free(m);
	ck_assert_str_eq(rec_str(&f, "verification.expect"), "0x3cc3a55a");
	fx_free(&f);
}
END_TEST

START_TEST(test_firmware_nvme_format)
{
	struct fx f;
	uint8_t *m;

	if (tu_skip_unless_root(__func__))
		return;
	fx_setup(&f, NVME(""));
	fx_run(&f, "nvme-format", NULL, NULL);
	check_erased(&f, "nvme-format", "Purge");
	m = media(&f);
	ck_assert(all_byte(m, DEV_SIZE, 0));
	free(m);
	ck_assert(sim_fx_log_has(&f.sim, "FORMAT_NVM"));
	ck_assert(sim_fx_log_has(&f.sim, "ses=1"));
	ck_assert_ptr_nonnull(rec_command(&f, "BLKRRPART", NULL));
	ck_assert_str_eq(rec_str(&f, "verification.expect"), "zero");
	/* Without a readback the drive's word is all there is: not ERASED. */
	fx_run(&f, "nvme-format", "--verify", "none");
	ck_out(&f, "outcome=UNVERIFIED");
	ck_assert_ptr_null(rec_command(&f, "readback", NULL));
	fx_free(&f);
}
END_TEST

START_TEST(test_firmware_nvme_format_crypto_all_namespaces)
{
	struct fx f;

	if (tu_skip_unless_root(__func__))
		return;
	/* FNA: secure erase applies to every namespace, crypto erase supported. */
	fx_setup(&f, NVME(",\"fna\":6"));
	erase_scrambles(&f, "nvme-format-crypto", "Purge");
	ck_assert(sim_fx_log_has(&f.sim, "ses=2"));
	ck_assert(sim_fx_log_has(&f.sim, "nsid=0xffffffff"));
	fx_free(&f);
}
END_TEST

START_TEST(test_firmware_nvme_sanitize_block_ones)
{
	struct fx f;
	uint8_t *m;

	if (tu_skip_unless_root(__func__))
		return;
	/* DLFEAT 2: deallocated blocks read as 0xFF. */
	fx_setup(&f, NVME(",\"sanitize_seconds\":0.5,\"namespaces\":[{\"dlfeat\":10}]"));
	fx_run(&f, "nvme-sanitize-block", NULL, NULL);
	check_erased(&f, "nvme-sanitize-block", "Purge");
	m = media(&f);
	ck_assert(all_byte(m, DEV_SIZE, 0xff));
	free(m);
	ck_assert_str_eq(rec_str(&f, "verification.expect"), "one");
	ck_assert(sim_fx_log_has(&f.sim, "SANITIZE opcode=0x84"));
	ck_assert(sim_fx_log_has(&f.sim, "lid=0x81"));
	fx_free(&f);
}
END_TEST

START_TEST(test_firmware_nvme_sanitize_crypto_and_overwrite)
{
	struct fx f;
	uint8_t *after;

	if (tu_skip_unless_root(__func__))
		return;
	fx_setup(&f, NVME(""));
	erase_scrambles(&f, "nvme-sanitize-crypto", "Purge");
	fx_run(&f, "nvme-sanitize-overwrite", "--pattern", "0x44332211");
	check_erased(&f, "nvme-sanitize-overwrite", "Purge");
	after = media(&f);
	ck_assert(after[0] == 0x44 && after[1] == 0x33 && after[2] == 0x22 && after[3] == 0x11);
	ck_assert(!memcmp(after + DEV_SIZE - 4, after, 4));
	free(after);
	fx_free(&f);
}
END_TEST

START_TEST(test_firmware_nvme_sanitize_waits_for_running_one)
{
	const char *argv[] = { "nvme", "sanitize", NULL, "-a", "2", NULL };
	struct tu_result r;
	struct fx f;
	uint8_t *before, *after;

	if (tu_skip_unless_root(__func__))
		return;
	fx_setup(&f, NVME(",\"sanitize_seconds\":1.5"));
	before = media(&f);
	/* Someone else's block erase is running when kesu starts. */
	argv[2] = f.sim.dev;
	ck_assert_int_eq(tu_runv(&r, f.sim.env, NULL, argv), 0);
	ck_assert_msg(r.status == 0, "nvme sanitize: %s", r.err);
	tu_result_free(&r);
	fx_run(&f, "nvme-sanitize-crypto", NULL, NULL);
	check_erased(&f, "nvme-sanitize-crypto", "Purge");
	ck_assert_ptr_nonnull(strstr(json_string_value(json_object_get(
		rec_command(&f, "Get Log Page (Sanitize Status)", "ok"), "detail")), "in progress"));
	ck_assert(sim_fx_log_has(&f.sim, "sanact=4"));
	after = media(&f);
	ck_assert(changed_everywhere(before, after));
	free(before);
	free(after);
	fx_free(&f);
}
END_TEST

/* ---- auto ---- */

static void check_auto(const char *tmpl, const char *want)
{
	struct fx f;
	char line[128];

	fx_setup(&f, tmpl);
	fx_plan(&f, "auto");
	snprintf(line, sizeof(line), "chosen=%s\n", want);
	ck_out(&f, line);
	if (!strcmp(want, "overwrite"))
		ck_out(&f, "no Purge method is available");
	else
		ck_out(&f, "the strongest Purge this drive");
	fx_free(&f);
}

START_TEST(test_firmware_auto_choice)
{
	if (tu_skip_unless_root(__func__))
		return;
	/* Sanitize block erase before crypto, before security erase. */
	check_auto(ATA(""), "ata-sanitize-block");
	check_auto(ATA(",\"sanitize\":{\"block\":false}"), "ata-sanitize-crypto");
	/* A hard disk without sanitize: enhanced security erase is a Purge there. */
	check_auto(ATA(",\"rotational\":true,\"sanitize\":{\"block\":false,\"crypto\":false,"
		       "\"overwrite\":false}"), "ata-secure-erase-enhanced");
	/* An SSD without sanitize: security erase is only a Clear: overwrite, and it says so. */
	check_auto(ATA(",\"sanitize\":{\"block\":false,\"crypto\":false,\"overwrite\":false}"),
		   "overwrite");
	check_auto(NVME(""), "nvme-sanitize-block");
	check_auto(NVME(",\"sanicap\":0"), "nvme-format");
	check_auto(NVME(",\"sanicap\":0,\"oacs_format\":false"), "overwrite");
}
END_TEST

/* ---- refusals and misbehaviour ---- */

START_TEST(test_firmware_refuses_frozen_with_remedy)
{
	struct fx f;

	if (tu_skip_unless_root(__func__))
		return;
	fx_setup(&f, ATA(",\"security\":{\"frozen\":true},\"sanitize\":{\"frozen\":true}"));
	fx_run(&f, "ata-secure-erase", NULL, NULL);
	ck_out(&f, "refused=");
	ck_out(&f, "suspend and resume");
	ck_assert_int_eq(f.status, 14);
	ck_assert(!sim_fx_log_has(&f.sim, "SEC_SET_PASS"));
	fx_run(&f, "ata-sanitize-block", NULL, NULL);
	ck_out(&f, "refused=");
	ck_out(&f, "hot-plug");
	ck_assert(!sim_fx_log_has(&f.sim, "SANITIZE_BLOCK"));
	check_password_clear(&f);
	fx_free(&f);
}
END_TEST

START_TEST(test_firmware_misbehaving_frozen)
{
	struct fx f;

	if (tu_skip_unless_root(__func__))
		return;
	/* IDENTIFY says not frozen, but every security and sanitize command aborts. */
	fx_setup(&f, ATA(",\"misbehave\":\"frozen\""));
	fx_run(&f, "ata-secure-erase", NULL, NULL);
	ck_assert(!out_has(&f, "outcome=ERASED"));
	check_password_clear(&f);
	fx_run(&f, "ata-sanitize-crypto", NULL, NULL);
	ck_assert(!out_has(&f, "outcome=ERASED"));
	ck_out(&f, "FROZEN");
	fx_free(&f);
}
END_TEST

START_TEST(test_firmware_refuses_locked)
{
	struct fx f;

	if (tu_skip_unless_root(__func__))
		return;
	fx_setup(&f, ATA(",\"security\":{\"enabled\":true,\"locked\":true,\"user_password\":\"secret\"}"));
	fx_run(&f, "ata-secure-erase", NULL, NULL);
	ck_out(&f, "refused=");
	ck_out(&f, "locked");
	fx_run(&f, "ata-sanitize-block", NULL, NULL);
	ck_out(&f, "refused=");
	ck_assert(!sim_fx_log_has(&f.sim, "SEC_SET_PASS"));
	ck_assert(!sim_fx_log_has(&f.sim, "SANITIZE_BLOCK"));
	fx_free(&f);
}
END_TEST

START_TEST(test_firmware_refuses_unsupported)
{
	struct fx f;

	if (tu_skip_unless_root(__func__))
		return;
	fx_setup(&f, ATA(",\"security\":{\"supported\":false,\"enhanced\":false},"
			 "\"sanitize\":{\"block\":false}"));
	fx_run(&f, "ata-secure-erase", NULL, NULL);
	ck_out(&f, "refused=");
	fx_run(&f, "ata-sanitize-block", NULL, NULL);
	ck_out(&f, "refused=");
	ck_out(&f, "kesu info");
	ck_assert_int_eq(f.status, 8);
	fx_run(&f, "nvme-format", NULL, NULL);
	ck_out(&f, "not an NVMe drive");
	fx_free(&f);
	fx_setup(&f, NVME(",\"sanicap\":1"));
	fx_run(&f, "nvme-sanitize-block", NULL, NULL);
	ck_out(&f, "refused=");
	ck_out(&f, "SANICAP");
	fx_free(&f);
}
END_TEST

START_TEST(test_firmware_stall)
{
	struct fx f;

	if (tu_skip_unless_root(__func__))
		return;
	fx_setup(&f, ATA(",\"misbehave\":\"stall\",\"sanitize_seconds\":20,\"stall_at\":0.1,"
			 "\"stall_max_seconds\":1"));
	fx_run(&f, "ata-sanitize-block", "--stall-timeout", "1");
	check_failed(&f);
	ck_out(&f, "no progress");
	fx_free(&f);
	/* A stalled ERASE UNIT times out and leaves the drive locked: kesu unlocks it. */
	fx_setup(&f, ATA(",\"misbehave\":\"stall\",\"stall_max_seconds\":1"));
	fx_run(&f, "ata-secure-erase", "--stall-timeout", "1");
	check_failed(&f);
	check_password_clear(&f);
	fx_free(&f);
	fx_setup(&f, NVME(",\"misbehave\":\"stall\",\"sanitize_seconds\":20,\"stall_at\":0.1"));
	fx_run(&f, "nvme-sanitize-crypto", "--stall-timeout", "1");
	check_failed(&f);
	ck_out(&f, "no progress");
	fx_free(&f);
}
END_TEST

/*
 * The drive's refusal is named (the lockdown status libnvme knows), never
 * "unrecognized"; a Format the kernel cancels after its timeout is "stalled",
 * not "Interrupted system call".
 */
START_TEST(test_firmware_nvme_messages)
{
	struct fx f;

	if (tu_skip_unless_root(__func__))
		return;
	fx_setup(&f, NVME(",\"misbehave\":\"frozen\""));
	fx_run(&f, "nvme-format", NULL, NULL);
	check_failed(&f);
	ck_out(&f, "Command Prohibited by Command and Feature Lockdown");
	ck_out(&f, "0x4023");
	ck_assert(!out_has(&f, "unrecognized"));
	fx_free(&f);
	fx_setup(&f, NVME(",\"misbehave\":\"stall\",\"stall_max_seconds\":1"));
	fx_run(&f, "nvme-format", NULL, NULL);
	check_failed(&f);
	ck_out(&f, "stalled");
	ck_assert(!out_has(&f, "Interrupted system call"));
	fx_free(&f);
}
END_TEST

START_TEST(test_firmware_fail_midway)
{
	struct fx f;

	if (tu_skip_unless_root(__func__))
		return;
	fx_setup(&f, ATA(",\"misbehave\":\"fail_midway\""));
	fx_run(&f, "ata-sanitize-block", NULL, NULL);
	check_failed(&f);
	ck_out(&f, "FAILED");
	ck_out(&f, "cleared");
	fx_run(&f, "ata-secure-erase", NULL, NULL);
	check_failed(&f);
	check_password_clear(&f);
	ck_assert(sim_fx_log_has(&f.sim, "SEC_UNLOCK"));
	ck_assert(sim_fx_log_has(&f.sim, "SEC_DISABLE_PASS"));
	fx_free(&f);
	fx_setup(&f, NVME(",\"misbehave\":\"fail_midway\""));
	fx_run(&f, "nvme-sanitize-block", NULL, NULL);
	check_failed(&f);
	ck_assert(sim_fx_log_has(&f.sim, "sanact=1"));
	fx_run(&f, "nvme-format", NULL, NULL);
	check_failed(&f);
	fx_free(&f);
}
END_TEST

START_TEST(test_firmware_abort_leaves_no_password)
{
	struct fx f;

	if (tu_skip_unless_root(__func__))
		return;
	fx_setup(&f, ATA(",\"misbehave\":\"abort\""));
	fx_run(&f, "ata-secure-erase-enhanced", NULL, NULL);
	check_failed(&f);
	check_password_clear(&f);
	fx_free(&f);
}
END_TEST

START_TEST(test_firmware_lie_is_failed)
{
	static const char *const ata_methods[] = { "ata-secure-erase", "ata-sanitize-block",
						   "ata-sanitize-crypto" };
	static const char *const nvme_methods[] = { "nvme-format", "nvme-sanitize-crypto" };
	struct fx f;

	if (tu_skip_unless_root(__func__))
		return;
	fx_setup(&f, ATA(",\"misbehave\":\"lie\""));
	for (size_t i = 0; i < 3; i++) {
		fx_run(&f, ata_methods[i], NULL, NULL);
		check_failed(&f);
		ck_out(&f, "identical before and after");
		ck_assert_str_eq(rec_str(&f, "verification.result"), "failed");
		ck_assert_int_gt(json_array_size(json_object_get(json_object_get(f.record,
			"verification"), "mismatches")), 0);
	}
	check_password_clear(&f);
	fx_free(&f);
	fx_setup(&f, NVME(",\"misbehave\":\"lie\""));
	for (size_t i = 0; i < 2; i++) {
		fx_run(&f, nvme_methods[i], NULL, NULL);
		check_failed(&f);
	}
	fx_free(&f);
}
END_TEST

START_TEST(test_firmware_first_lba_only_is_failed)
{
	struct fx f;
	uint8_t *m;

	if (tu_skip_unless_root(__func__))
		return;
	fx_setup(&f, ATA(",\"misbehave\":\"first_lba_only\""));
	fx_run(&f, "ata-sanitize-block", NULL, NULL);
	check_failed(&f);
	m = media(&f);
	ck_assert(all_byte(m, 512, 0));
	ck_assert(!all_byte(m + 512, 512, 0));
	free(m);
	fx_run(&f, "ata-secure-erase", NULL, NULL);
	check_failed(&f);
	check_password_clear(&f);
	fx_free(&f);
	fx_setup(&f, NVME(",\"misbehave\":\"first_lba_only\""));
	fx_run(&f, "nvme-sanitize-crypto", NULL, NULL);
	check_failed(&f);
	ck_out(&f, "unchanged since before the erase");
	fx_free(&f);
}
END_TEST

/* ---- hidden areas ---- */

START_TEST(test_firmware_hidden_area)
{
	struct fx f;

	if (tu_skip_unless_root(__func__))
		return;
	/* 16384 sectors, 1000 of them hidden by an HPA; erases reach them only when restored. */
	fx_setup(&f, ATA(",\"hpa\":{\"current_max_lba\":15383}"));
	fx_run(&f, "ata-sanitize-block", NULL, NULL);
	check_failed(&f);
	ck_assert_str_eq(rec_str(&f, "hidden_areas.status"), "present");
	ck_assert_ptr_nonnull(strstr(rec_str(&f, "hidden_areas.detail"),
				     "LBA 15384..16383 (1000 sectors) hidden by HPA"));
	ck_out(&f, "rerun with --unhide");
	fx_run(&f, "ata-sanitize-block", "--unhide", NULL);
	check_erased(&f, "ata-sanitize-block", "Purge");
	ck_assert_str_eq(rec_str(&f, "hidden_areas.status"), "restored");
	ck_assert_ptr_nonnull(rec_command(&f, "SET MAX ADDRESS EXT", "ok"));
	ck_assert(sim_fx_log_has(&f.sim, "SET_MAX_EXT"));
	fx_free(&f);
}
END_TEST

START_TEST(test_firmware_hidden_dco_and_amac)
{
	struct fx f;

	if (tu_skip_unless_root(__func__))
		return;
	/* An HPA below a DCO restriction: SET MAX to the native max, then DCO RESTORE. */
	fx_setup(&f, ATA(",\"hpa\":{\"native_max_lba\":15000,\"current_max_lba\":14000},"
			 "\"dco\":true"));
	fx_run(&f, "ata-sanitize-crypto", "--unhide", NULL);
	check_erased(&f, "ata-sanitize-crypto", "Purge");
	ck_assert_ptr_nonnull(strstr(rec_str(&f, "hidden_areas.detail"),
				     "LBA 14001..16383 (2383 sectors) hidden by HPA and DCO"));
	ck_assert_ptr_nonnull(rec_command(&f, "DEVICE CONFIGURATION RESTORE", "ok"));
	ck_assert(sim_fx_log_has(&f.sim, "DCO_RESTORE"));
	fx_free(&f);
	/* AMAC: SET ACCESSIBLE MAX ADDRESS instead of SET MAX. */
	fx_setup(&f, ATA(",\"amac\":true,\"hpa\":{\"current_max_lba\":16000}"));
	fx_run(&f, "ata-sanitize-block", "--unhide", NULL);
	check_erased(&f, "ata-sanitize-block", "Purge");
	ck_assert_str_eq(rec_str(&f, "hidden_areas.status"), "restored");
	ck_assert_ptr_nonnull(strstr(rec_str(&f, "hidden_areas.detail"), "hidden by AMAC"));
	ck_assert(sim_fx_log_has(&f.sim, "AMAC_SET_ACCESSIBLE_MAX"));
	fx_free(&f);
}
END_TEST

START_TEST(test_firmware_hidden_detect)
{
	struct kesu_drive d;
	struct kesu_hidden h;
	char buf[160];

	memset(&d, 0, sizeof(d));
	d.proto = KESU_DRIVE_ATA;
	d.ata.capacity_sectors = 1000;
	d.ata.hpa_supported = d.ata.dco_supported = true;
	d.hpa = (struct kesu_ata_hpa){ .valid = true, .current_max_lba = 999, .native_max_lba = 1499,
				       .hidden_sectors = 500 };
	d.dco_valid = true;
	d.dco.max_lba = 1999;
	kesu_hidden_detect(&d, &h);
	ck_assert(h.checked && h.hpa && h.dco);
	ck_assert_uint_eq(h.hidden_first_lba, 1000);
	ck_assert_uint_eq(h.hidden_sectors, 1000);
	kesu_hidden_describe(&h, buf, sizeof(buf));
	ck_assert_str_eq(buf, "LBA 1000..1999 (1000 sectors) hidden by HPA and DCO");
	d.hpa.valid = d.dco_valid = false;
	kesu_hidden_detect(&d, &h);
	ck_assert(!h.checked);
}
END_TEST

/* ---- the readback on an image file (no simulator needed) ---- */

START_TEST(test_firmware_readback_judges)
{
	struct kesu_verify_plan plan;
	struct kesu_readback rb;
	char img[4096];
	uint8_t *zero = calloc(1, MIB);
	int fd;

	ck_assert_ptr_nonnull(zero);
	ck_assert_int_eq(tu_image_create(4 * MIB, img, sizeof(img)), 0);
	ck_assert_int_eq(tu_sh("head -c %d /dev/urandom > %s", 4 * MIB, img), 0);
	fd = open(img, O_RDWR);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(kesu_verify_plan_build(KESU_VERIFY_SAMPLE, 4 * MIB, 512, 7, 1, &plan, NULL), 0);
	/* Crypto: a drive that changed nothing fails every region. */
	kesu_readback_init(&rb, &plan, KESU_RB_CHANGED, 0);
	ck_assert_int_eq(kesu_readback_pass(fd, &rb, false, NULL, NULL, NULL, NULL), 0);
	ck_assert_int_eq(kesu_readback_pass(fd, &rb, true, NULL, NULL, NULL, NULL), 0);
	ck_assert_uint_eq(kesu_readback_judge(&rb, NULL), plan.n_extents);
	ck_assert_str_eq(rb.before_sha256, rb.after_sha256);
	/* Zeros everywhere: a zero expectation passes, and so does "changed". */
	for (int i = 0; i < 4; i++)
		ck_assert_int_eq(pwrite(fd, zero, MIB, (off_t)i * MIB), MIB);
	ck_assert_int_eq(kesu_readback_pass(fd, &rb, true, NULL, NULL, NULL, NULL), 0);
	ck_assert_uint_eq(kesu_readback_judge(&rb, NULL), 0);
	rb.expect = KESU_RB_ZERO_OR_ONES;
	ck_assert_uint_eq(kesu_readback_judge(&rb, NULL), 0);
	ck_assert_uint_eq(rb.zero, plan.n_extents);
	rb.expect = KESU_RB_ONES;
	ck_assert_uint_eq(kesu_readback_judge(&rb, NULL), plan.n_extents);
	kesu_readback_release(&rb);
	kesu_verify_plan_release(&plan);
	close(fd);
	free(zero);
}
END_TEST

int main(int argc, char **argv)
{
	const struct tu_case cases[] = {
		{ "ata_secure_erase", test_firmware_ata_secure_erase },
		{ "ata_secure_erase_enhanced", test_firmware_ata_secure_erase_enhanced },
		{ "ata_sanitize_block", test_firmware_ata_sanitize_block_ones },
		{ "ata_sanitize_crypto", test_firmware_ata_sanitize_crypto },
		{ "ata_sanitize_overwrite", test_firmware_ata_sanitize_overwrite },
		{ "nvme_format", test_firmware_nvme_format },
		{ "nvme_format_crypto", test_firmware_nvme_format_crypto_all_namespaces },
		{ "nvme_sanitize_block", test_firmware_nvme_sanitize_block_ones },
		{ "nvme_sanitize_crypto_overwrite", test_firmware_nvme_sanitize_crypto_and_overwrite },
		{ "nvme_sanitize_in_progress", test_firmware_nvme_sanitize_waits_for_running_one },
		{ "auto", test_firmware_auto_choice },
		{ "frozen", test_firmware_refuses_frozen_with_remedy },
		{ "misbehaving_frozen", test_firmware_misbehaving_frozen },
		{ "locked", test_firmware_refuses_locked },
		{ "unsupported", test_firmware_refuses_unsupported },
		{ "stall", test_firmware_stall },
		{ "nvme_messages", test_firmware_nvme_messages },
		{ "fail_midway", test_firmware_fail_midway },
		{ "abort", test_firmware_abort_leaves_no_password },
		{ "lie", test_firmware_lie_is_failed },
		{ "first_lba_only", test_firmware_first_lba_only_is_failed },
		{ "hidden_area", test_firmware_hidden_area },
		{ "hidden_dco_amac", test_firmware_hidden_dco_and_amac },
		{ "hidden_detect", test_firmware_hidden_detect },
		{ "readback", test_firmware_readback_judges },
	};
	Suite *s;

	if (argc > 2 && !strcmp(argv[1], SIM_FX_IDENTIFY_ARG))
		return sim_fx_identify_main(argv[2]);
	s = suite_create("firmware");
	TU_ADD_CASES(s, cases, 120);
	return tu_main(s);
}
