/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * kesu unlock against the drive simulator (tests/sim): a drive left with a
 * user password (set, or LOCKED) by a failed security erase gets it removed
 * with the right password, from the command line or from the erase's record;
 * a wrong password, a record of another drive, a frozen drive, a dry run, an
 * NVMe drive and an unconfirmed run send no security command or leave the
 * drive as it was, and say so.
 *
 * Every run is the kesu binary with the simulator preloaded; the test checks
 * the exit code, the output, the simulator's log (what reached the drive) and
 * the drive's security state afterwards, read by this binary's
 * "--identify DEV" mode under the simulator.
 */
#include <check.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <kesu/ata.h>
#include <kesu/firmware.h>

#include "lib/simfx.h"
#include "lib/testutil.h"

#define DEV_SIZE (8 * 1024 * 1024)
#define PW "kesu-0011223344556677"

/* ---- fixtures ---- */

struct fx {
	struct sim_fx sim;           /* the drive: a loop device under the simulator */
	char out[4096];              /* kesu's evidence directory */
	struct tu_result r;          /* the last kesu run */
	bool have_r;
};

#define ATA(extra) "{\"devices\":[{\"path\":\"%s\",\"type\":\"ata\",\"serial\":\"S-UNLOCK\"" \
	extra "}]}"
#define LOCKED ",\"security\":{\"enabled\":true,\"locked\":true,\"user_password\":\"" PW "\"}"

static void fx_setup(struct fx *f, const char *tmpl)
{
	memset(f, 0, sizeof(*f));
	sim_fx_setup(&f->sim, DEV_SIZE, tmpl);
	snprintf(f->out, sizeof(f->out), "%s/evidence", tu_tmpdir());
	ck_assert_int_eq(tu_sh("mkdir -p %s", f->out), 0);
}

static void fx_free(struct fx *f)
{
	if (f->have_r)
		tu_result_free(&f->r);
	f->have_r = false;
}

/* Run kesu unlock DEV with up to four more arguments (NULL ends them); stdin is input. */
static int fx_unlock(struct fx *f, const char *input, const char *a1, const char *a2,
		     const char *a3, const char *a4)
{
	const char *argv[] = { tu_kesu_bin(), "unlock", f->sim.dev, a1, a2, a3, a4, NULL };

	fx_free(f);
	sim_fx_run(&f->sim, &f->r, input, argv);
	f->have_r = true;
	return f->r.status;
}

#define ck_status(f, want) \
	ck_assert_msg((f)->r.status == (want), "exit %d, expected %d\nstdout: %s\nstderr: %s", \
		      (f)->r.status, (want), (f)->r.out, (f)->r.err)
#define ck_err_has(f, s) \
	ck_assert_msg(strstr((f)->r.err, s), "expected '%s' on stderr:\n%s", s, (f)->r.err)
#define ck_out_has(f, s) \
	ck_assert_msg(strstr((f)->r.out, s), "expected '%s' on stdout:\n%s", s, (f)->r.out)

/* No security command reached the drive (IDENTIFY and the probe's reads may have). */
static void ck_nothing_sent(const struct fx *f)
{
	char *log = tu_read_file(f->sim.log, NULL);

	ck_assert_msg(!log || !strstr(log, " ata SEC_"), "a security command was sent:\n%s", log);
	free(log);
}

/* kesu unlock --json's document. */
static json_t *out_json(const struct fx *f)
{
	json_error_t je;
	json_t *doc = json_loads(f->r.out, 0, &je);

	ck_assert_msg(doc != NULL, "no JSON on stdout (%s): %s", je.text, f->r.out);
	return doc;
}

static int security_flag(json_t *doc, const char *state, const char *flag)
{
	json_t *v = json_object_get(json_object_get(doc, state), flag);

	ck_assert_msg(json_is_boolean(v), "no %s.%s in the JSON", state, flag);
	return json_is_true(v);
}

/* ---- the cases ---- */

START_TEST(test_unlock_locked_right_password)
{
	struct fx f;
	json_t *doc;
	char *before, *after;

	if (tu_skip_unless_root(__func__))
		return;
	fx_setup(&f, ATA(LOCKED));
	sim_fx_fill_random(&f.sim);
	before = tu_sh_out("sha256sum < %s", f.sim.dev);
	sim_fx_ck_security(&f.sim, "enabled=1 locked=1");
	fx_unlock(&f, NULL, "--password", PW, "--yes", "--json");
	ck_status(&f, 0);
	doc = out_json(&f);
	ck_assert_str_eq(json_string_value(json_object_get(doc, "result")), "unlocked");
	ck_assert_str_eq(json_string_value(json_object_get(doc, "serial")), "S-UNLOCK");
	ck_assert_int_eq(security_flag(doc, "security_before", "locked"), 1);
	ck_assert_int_eq(security_flag(doc, "security_after", "locked"), 0);
	ck_assert_int_eq(security_flag(doc, "security_after", "enabled"), 0);
	ck_assert_int_eq(json_array_size(json_object_get(doc, "commands")), 4);
	json_decref(doc);
	ck_assert(sim_fx_log_has(&f.sim, "SEC_UNLOCK command=0xf2 feature=0x0000 count=0x0001 "
				 "lba=0x000000000000 who=user -> ok"));
	ck_assert(sim_fx_log_has(&f.sim, "SEC_DISABLE_PASS command=0xf6 feature=0x0000 "
				 "count=0x0001 lba=0x000000000000 who=user -> ok"));
	sim_fx_ck_security(&f.sim, "enabled=0 locked=0");
	/* Nothing is erased. */
	after = tu_sh_out("sha256sum < %s", f.sim.dev);
	ck_assert_ptr_nonnull(before);
	ck_assert_ptr_nonnull(after);
	ck_assert_str_eq(before, after);
	free(before);
	free(after);
	/* Again: nothing left to do, nothing sent. */
	ck_assert_int_eq(tu_sh("rm -f %s", f.sim.log), 0);
	fx_unlock(&f, NULL, "--password", PW, "--yes", NULL);
	ck_status(&f, 0);
	ck_out_has(&f, "nothing to do");
	ck_nothing_sent(&f);
	fx_free(&f);
}
END_TEST

START_TEST(test_unlock_password_set_not_locked)
{
	struct fx f;

	if (tu_skip_unless_root(__func__))
		return;
	fx_setup(&f, ATA(",\"security\":{\"enabled\":true,\"user_password\":\"" PW "\"}"));
	fx_unlock(&f, NULL, "--password", PW, "--yes", NULL);
	ck_status(&f, 0);
	ck_out_has(&f, "SECURITY DISABLE PASSWORD  ok");
	ck_out_has(&f, "security after:  no password");
	ck_out_has(&f, "the user password removed");
	ck_assert(!sim_fx_log_has(&f.sim, "SEC_UNLOCK"));
	ck_assert(sim_fx_log_has(&f.sim, "SEC_DISABLE_PASS command=0xf6 feature=0x0000 "
				 "count=0x0001 lba=0x000000000000 who=user -> ok"));
	sim_fx_ck_security(&f.sim, "enabled=0 locked=0");
	fx_free(&f);
}
END_TEST

START_TEST(test_unlock_wrong_password)
{
	struct fx f;
	json_t *doc;

	if (tu_skip_unless_root(__func__))
		return;
	fx_setup(&f, ATA(LOCKED));
	fx_unlock(&f, NULL, "--password", "kesu-ffffffffffffffff", "--yes", NULL);
	ck_status(&f, 14);
	ck_err_has(&f, "still LOCKED");
	ck_err_has(&f, "master password");
	ck_err_has(&f, "hdparm --user-master m --security-unlock MASTER");
	ck_out_has(&f, "security after:  password set, LOCKED");
	ck_assert(sim_fx_log_has(&f.sim, "SEC_UNLOCK command=0xf2 feature=0x0000 count=0x0001 "
				 "lba=0x000000000000 who=user password=wrong -> abort"));
	sim_fx_ck_security(&f.sim, "enabled=1 locked=1");
	/* --json says the same. */
	fx_unlock(&f, NULL, "--password", "wrong", "--yes", "--json");
	ck_status(&f, 14);
	doc = out_json(&f);
	ck_assert_str_eq(json_string_value(json_object_get(doc, "result")), "still-locked");
	ck_assert_int_eq(security_flag(doc, "security_after", "locked"), 1);
	ck_assert_int_eq(json_integer_value(json_object_get(doc, "exit")), 14);
	ck_assert_ptr_nonnull(strstr(json_string_value(json_object_get(doc, "error")),
				     "still LOCKED"));
	json_decref(doc);
	/* The right one still works afterwards (two wrong tries, five allowed). */
	fx_unlock(&f, NULL, "--password", PW, "--yes", NULL);
	ck_status(&f, 0);
	sim_fx_ck_security(&f.sim, "enabled=0 locked=0");
	fx_free(&f);
}
END_TEST

START_TEST(test_unlock_wrong_password_not_locked)
{
	struct fx f;

	if (tu_skip_unless_root(__func__))
		return;
	fx_setup(&f, ATA(",\"security\":{\"enabled\":true,\"user_password\":\"" PW "\"}"));
	fx_unlock(&f, NULL, "--password", "nope", "--yes", NULL);
	ck_status(&f, 1);
	ck_err_has(&f, "still has a user password");
	sim_fx_ck_security(&f.sim, "enabled=1 locked=0");
	fx_free(&f);
}
END_TEST

START_TEST(test_unlock_count_expired)
{
	struct fx f;

	if (tu_skip_unless_root(__func__))
		return;
	fx_setup(&f, ATA(",\"security\":{\"enabled\":true,\"locked\":true,\"count_expired\":true,"
			 "\"user_password\":\"" PW "\"}"));
	fx_unlock(&f, NULL, "--password", PW, "--yes", NULL);
	ck_status(&f, 14);
	ck_err_has(&f, "power-cycled");
	ck_nothing_sent(&f);
	sim_fx_ck_security(&f.sim, "enabled=1 locked=1");
	fx_free(&f);
}
END_TEST

/* The password of a record: its secrets.ata_user_password, and nowhere else in it. */
static void record_password(json_t *rec, char *pw, size_t len)
{
	const char *p = json_string_value(json_object_get(json_object_get(rec, "secrets"),
							  "ata_user_password"));
	json_t *pub = json_deep_copy(rec);
	char *text;

	ck_assert_msg(p != NULL, "no secrets.ata_user_password in the record");
	ck_assert_uint_lt(strlen(p), len);
	snprintf(pw, len, "%s", p);
	/* Outside "secrets" (what a certificate carries) the password appears nowhere. */
	json_object_del(pub, "secrets");
	text = json_dumps(pub, JSON_SORT_KEYS);
	ck_assert_ptr_nonnull(text);
	ck_assert_msg(strstr(text, pw) == NULL, "the password is in the record's public part: %s",
		      text);
	free(text);
	json_decref(pub);
}

static void write_record(json_t *rec, const char *serial, const char *path)
{
	json_object_set_new(json_object_get(rec, "device"), "serial", json_string(serial));
	ck_assert_int_eq(json_dump_file(rec, path, JSON_SORT_KEYS | JSON_INDENT(2)), 0);
}

START_TEST(test_unlock_from_failed_erase_record)
{
	const char *wipe[] = { tu_kesu_bin(), "wipe", "--method", "ata-secure-erase", "--yes",
			       "--quiet", "--json", "--no-cert", "--out", NULL, NULL, NULL };
	char cfg[4096], pw[64], patched[4200];
	struct tu_result r;
	json_error_t je;
	json_t *doc, *rec;
	const char *rec_path;
	struct fx f;

	if (tu_skip_unless_root(__func__))
		return;
	/* A security erase whose ERASE UNIT aborts: outcome FAILED, its record names the password. */
	fx_setup(&f, ATA(",\"misbehave\":\"abort\""));
	wipe[9] = f.out;
	wipe[10] = f.sim.dev;
	ck_assert_int_eq(tu_runv(&r, f.sim.env, NULL, wipe), 0);
	ck_assert_msg(r.status == 1, "kesu wipe exited %d: %s", r.status, r.err);
	doc = json_loads(r.out, 0, &je);
	ck_assert_ptr_nonnull(doc);
	rec_path = json_string_value(json_object_get(json_array_get(json_object_get(doc, "results"),
								     0), "record"));
	ck_assert_ptr_nonnull(rec_path);
	rec = json_load_file(rec_path, 0, &je);
	ck_assert_msg(rec != NULL, "record %s: %s", rec_path, je.text);
	ck_assert_str_eq(json_string_value(json_object_get(rec, "outcome")), "FAILED");
	record_password(rec, pw, sizeof(pw));
	ck_assert_int_eq(strncmp(pw, "kesu-", 5), 0);
	/* kesu cleaned up; a power loss at that point would have left the drive locked instead. */
	sim_fx_ck_security(&f.sim, "enabled=0 locked=0");
	snprintf(cfg, sizeof(cfg), ATA(",\"security\":{\"enabled\":true,\"locked\":true,"
				       "\"user_password\":\"%s\"}"), "%s", pw);
	sim_fx_config(&f.sim, cfg);
	sim_fx_ck_security(&f.sim, "enabled=1 locked=1");

	/* The record names the drive by its own serial (IDENTIFY), though a loop device has none. */
	ck_assert_str_eq(json_string_value(json_object_get(json_object_get(rec, "device"),
							   "serial")), "S-UNLOCK");
	ck_assert_int_eq(tu_sh("test \"$(stat -c %%a '%s')\" = 600", rec_path), 0);
	/* A record without a serial cannot be matched to a drive. */
	snprintf(patched, sizeof(patched), "%s/noserial.record.json", tu_tmpdir());
	write_record(rec, "", patched);
	fx_unlock(&f, NULL, "--record", patched, "--yes", NULL);
	ck_status(&f, 4);
	ck_err_has(&f, "names no serial");
	ck_nothing_sent(&f);

	/* The record itself: the password from its secrets. */
	fx_unlock(&f, NULL, "--record", rec_path, "--yes", NULL);
	ck_status(&f, 0);
	ck_out_has(&f, "unlocked");
	ck_assert(sim_fx_log_has(&f.sim, "SEC_UNLOCK command=0xf2 feature=0x0000 count=0x0001 "
				 "lba=0x000000000000 who=user -> ok"));
	sim_fx_ck_security(&f.sim, "enabled=0 locked=0");
	json_decref(rec);
	json_decref(doc);
	tu_result_free(&r);
	fx_free(&f);
}
END_TEST

/* A self-signed signer in DIR (signer.key, signer.pem), made with kesu itself. */
static void self_signed_key(const char *dir)
{
	struct tu_result r;

	ck_assert_int_eq(tu_kesu(&r, "key", "init", "--dir", dir, "--subject", "/CN=Unlock Test",
				 NULL), 0);
	ck_assert_msg(r.status == 0, "key init: %s", r.err);
	tu_result_free(&r);
	ck_assert_int_eq(tu_kesu(&r, "key", "self-sign", "--dir", dir, NULL), 0);
	ck_assert_msg(r.status == 0, "key self-sign: %s", r.err);
	tu_result_free(&r);
}

/* The password is in none of the certificate's files, nor in the PDF's text. */
static void ck_not_in_certificate(const char *cert, const char *pw)
{
	char pdf[4200];

	snprintf(pdf, sizeof(pdf), "%.*s.pdf", (int)(strlen(cert) - 5), cert);
	ck_assert_int_eq(tu_sh("test -s '%s' && test -s '%s.p7s' && test -s '%s'", cert, cert, pdf),
			 0);
	ck_assert_msg(tu_sh("grep -qF '%s' '%s' '%s.p7s' '%s'", pw, cert, cert, pdf) == 1,
		      "the password is in %s or its signature or PDF", cert);
	ck_assert_msg(tu_sh("openssl cms -cmsout -print -inform PEM -in '%s.p7s' | grep -qF '%s'",
			    cert, pw) == 1, "the password is in the signature");
	ck_assert_msg(tu_sh("pdftotext '%s' - | grep -qF '%s'", pdf, pw) == 1,
		      "the password is in the PDF's text");
	ck_assert_msg(tu_sh("pdftotext '%s' - | grep -qF 'kesu-'", pdf) == 1,
		      "a kesu- password is in the PDF's text");
}

START_TEST(test_unlock_password_in_record_not_in_certificate)
{
	const char *wipe[] = { tu_kesu_bin(), "wipe", "--method", "ata-secure-erase", "--yes",
			       "--quiet", "--json", "--out", NULL, "--key", NULL, "--signer-cert",
			       NULL, NULL, NULL };
	char keydir[4200], key[4300], signer[4300], cfg[4096], pw[64], cert[4200];
	const char *rec_path, *cert_path;
	struct tu_result r;
	json_error_t je;
	json_t *doc, *issued, *rec, *res;
	struct fx f;

	if (tu_skip_unless_root(__func__))
		return;
	snprintf(keydir, sizeof(keydir), "%s/keys", tu_tmpdir());
	self_signed_key(keydir);
	snprintf(key, sizeof(key), "%s/signer.key", keydir);
	snprintf(signer, sizeof(signer), "%s/signer.pem", keydir);
	/* A security erase that works: ERASED, certified. */
	fx_setup(&f, ATA(""));
	sim_fx_fill_random(&f.sim);
	wipe[8] = f.out;
	wipe[10] = key;
	wipe[12] = signer;
	wipe[13] = f.sim.dev;
	ck_assert_int_eq(tu_runv(&r, f.sim.env, NULL, wipe), 0);
	ck_assert_msg(r.status == 0, "kesu wipe exited %d: %s", r.status, r.err);
	doc = json_loads(r.out, 0, &je);
	ck_assert_ptr_nonnull(doc);
	res = json_array_get(json_object_get(doc, "results"), 0);
	rec_path = json_string_value(json_object_get(res, "record"));
	cert_path = json_string_value(json_object_get(res, "certificate"));
	ck_assert_ptr_nonnull(rec_path);
	ck_assert_msg(cert_path && *cert_path, "no certificate: %s", r.out);
	snprintf(cert, sizeof(cert), "%s", cert_path);
	ck_assert(sim_fx_log_has(&f.sim, "SEC_ERASE_UNIT"));
	/* The local record keeps the password (mode 0600); the certificate does not. */
	ck_assert_int_eq(tu_sh("test \"$(stat -c %%a '%s')\" = 600", rec_path), 0);
	rec = json_load_file(rec_path, 0, &je);
	ck_assert_ptr_nonnull(rec);
	record_password(rec, pw, sizeof(pw));
	ck_assert_int_eq(strncmp(pw, "kesu-", 5), 0);
	ck_not_in_certificate(cert, pw);
	ck_assert_msg(strstr(r.out, pw) == NULL, "the password is in kesu wipe --json's output");
	tu_result_free(&r);
	/* The certificate still verifies: record_sha256 is over the record it carries. */
	ck_assert_int_eq(tu_sh("openssl cms -verify -binary -inform PEM -in '%s.p7s' -content '%s' "
			       "-CAfile '%s' -out /dev/null 2>/dev/null", cert, cert, signer), 0);
	ck_assert_int_eq(tu_kesu(&r, "cert", "verify", cert, "--ca", signer, NULL), 0);
	ck_assert_msg(r.status == 0, "cert verify: %s%s", r.out, r.err);
	tu_result_free(&r);
	/* kesu cert issue from the record later: the same. */
	ck_assert_int_eq(tu_kesu(&r, "cert", "issue", rec_path, "--out", f.out, "--key", key,
				 "--cert", signer, "--json", NULL), 0);
	ck_assert_msg(r.status == 0, "cert issue: %s", r.err);
	issued = json_loads(r.out, 0, &je);
	ck_assert_ptr_nonnull(issued);
	snprintf(cert, sizeof(cert), "%s/%s.json", f.out,
		 json_string_value(json_object_get(issued, "certificate_id")));
	json_decref(issued);
	tu_result_free(&r);
	ck_not_in_certificate(cert, pw);

	/* Had the drive stayed locked with it, kesu unlock reads it from the record. */
	snprintf(cfg, sizeof(cfg), ATA(",\"security\":{\"enabled\":true,\"locked\":true,"
				       "\"user_password\":\"%s\"}"), "%s", pw);
	sim_fx_config(&f.sim, cfg);
	fx_unlock(&f, NULL, "--record", rec_path, "--yes", NULL);
	ck_status(&f, 0);
	ck_out_has(&f, "unlocked");
	sim_fx_ck_security(&f.sim, "enabled=0 locked=0");
	json_decref(rec);
	json_decref(doc);       /* rec_path pointed into it */
	fx_free(&f);
}
END_TEST

/* A minimal record by hand: what kesu unlock reads of one. */
/* A record of an older kesu, the password only in method.details: the fixture made an ATA erase. */
static void hand_record(const char *path, const char *serial)
{
	char src[4200];
	json_t *rec, *dev, *method;

	snprintf(src, sizeof(src), "%s/tests/fixtures/record-overwrite.json", tu_srcdir());
	rec = json_load_file(src, 0, NULL);
	ck_assert_ptr_nonnull(rec);
	dev = json_object_get(rec, "device");
	method = json_object_get(rec, "method");
	json_object_set_new(rec, "record_id", json_string("R-20261126-0000ABCD"));
	json_object_set_new(rec, "outcome", json_string("FAILED"));
	json_object_set_new(dev, "serial", json_string(serial));
	json_object_set_new(dev, "model", json_string("KESU SIMULATED ATA SSD"));
	json_object_set_new(method, "name", json_string("ata-secure-erase"));
	json_object_set_new(method, "details", json_string("SECURITY SET PASSWORD, ERASE PREPARE, "
		"ERASE UNIT; temporary user password '" PW "' (recorded to unlock the drive should "
		"anything fail)"));
	ck_assert_int_eq(json_dump_file(rec, path, JSON_SORT_KEYS), 0);
	json_decref(rec);
}

START_TEST(test_unlock_record_of_another_drive)
{
	char other[4200], mine[4200], bad[4200];
	struct fx f;

	if (tu_skip_unless_root(__func__))
		return;
	fx_setup(&f, ATA(LOCKED));
	snprintf(other, sizeof(other), "%s/other.record.json", tu_tmpdir());
	snprintf(mine, sizeof(mine), "%s/mine.record.json", tu_tmpdir());
	snprintf(bad, sizeof(bad), "%s/bad.record.json", tu_tmpdir());
	hand_record(other, "S-OTHER");
	hand_record(mine, "S-UNLOCK");
	fx_unlock(&f, NULL, "--record", other, "--yes", NULL);
	ck_status(&f, 4);
	ck_err_has(&f, "another drive (serial 'S-OTHER'");
	ck_err_has(&f, "is serial 'S-UNLOCK'");
	ck_nothing_sent(&f);
	sim_fx_ck_security(&f.sim, "enabled=1 locked=1");
	/* A record that is no record. */
	ck_assert_int_eq(tu_write_file(bad, "{\"device\":{}}", 13), 0);
	fx_unlock(&f, NULL, "--record", bad, "--yes", NULL);
	ck_status(&f, 11);
	ck_err_has(&f, "not a kesu wipe record");
	ck_nothing_sent(&f);
	/* The same record with this drive's serial unlocks it. */
	fx_unlock(&f, NULL, "--record", mine, "--yes", NULL);
	ck_status(&f, 0);
	sim_fx_ck_security(&f.sim, "enabled=0 locked=0");
	fx_free(&f);
}
END_TEST

START_TEST(test_unlock_frozen_refused)
{
	struct fx f;

	if (tu_skip_unless_root(__func__))
		return;
	fx_setup(&f, ATA(",\"security\":{\"enabled\":true,\"frozen\":true,"
			 "\"user_password\":\"" PW "\"}"));
	fx_unlock(&f, NULL, "--password", PW, "--yes", NULL);
	ck_status(&f, 14);
	ck_err_has(&f, "FROZEN");
	ck_err_has(&f, "Suspend and resume");
	ck_err_has(&f, "hot-plug");
	ck_nothing_sent(&f);
	sim_fx_ck_security(&f.sim, "enabled=1 locked=0 frozen=1");
	fx_free(&f);
}
END_TEST

START_TEST(test_unlock_dry_run_sends_nothing)
{
	struct fx f;
	json_t *doc;

	if (tu_skip_unless_root(__func__))
		return;
	fx_setup(&f, ATA(LOCKED));
	fx_unlock(&f, NULL, "--password", PW, "--dry-run", NULL);
	ck_status(&f, 0);
	ck_out_has(&f, "security before: password set, LOCKED");
	ck_out_has(&f, "would send:      IDENTIFY DEVICE, SECURITY UNLOCK");
	ck_out_has(&f, "nothing was sent");
	ck_nothing_sent(&f);
	fx_unlock(&f, NULL, "--password", PW, "--dry-run", "--json");
	ck_status(&f, 0);
	doc = out_json(&f);
	ck_assert_str_eq(json_string_value(json_object_get(doc, "result")), "would-unlock");
	ck_assert_int_eq(json_array_size(json_object_get(doc, "commands")), 0);
	json_decref(doc);
	ck_nothing_sent(&f);
	sim_fx_ck_security(&f.sim, "enabled=1 locked=1");
	fx_free(&f);
}
END_TEST

START_TEST(test_unlock_not_ata_refused)
{
	struct fx f;

	if (tu_skip_unless_root(__func__))
		return;
	fx_setup(&f, "{\"devices\":[{\"path\":\"%s\",\"type\":\"nvme\"}]}");
	fx_unlock(&f, NULL, "--password", PW, "--yes", NULL);
	ck_status(&f, 8);
	ck_err_has(&f, "NVMe drive");
	ck_nothing_sent(&f);
	/* A device that answers no ATA at all (the simulator does not know it). */
	sim_fx_config(&f.sim, "{\"devices\":[{\"path\":\"%s-not-this-one\",\"type\":\"ata\"}]}");
	fx_unlock(&f, NULL, "--password", PW, "--yes", NULL);
	ck_status(&f, 8);
	ck_err_has(&f, "does not answer ATA commands");
	fx_free(&f);
}
END_TEST

START_TEST(test_unlock_needs_confirmation)
{
	char cmd[20000];
	const char *argv[] = { "script", "-qec", cmd, "/dev/null", NULL };
	struct tu_result r;
	struct fx f;

	if (tu_skip_unless_root(__func__))
		return;
	fx_setup(&f, ATA(LOCKED));
	/* No terminal and no --yes: refused, whatever stdin says. */
	fx_unlock(&f, "yes\n", "--password", PW, NULL, NULL);
	ck_status(&f, 13);
	ck_err_has(&f, "no terminal to confirm on");
	ck_nothing_sent(&f);
	/* On a terminal (script(1) gives one): anything but "yes" is no. */
	snprintf(cmd, sizeof(cmd), "env %s %s %s %s unlock %s --password %s", f.sim.env[0],
		 f.sim.env[1], f.sim.env[2], tu_kesu_bin(), f.sim.dev, PW);
	ck_assert_int_eq(tu_runv(&r, NULL, "y\n", argv), 0);
	ck_assert_msg(strstr(r.out, "Type 'yes' to unlock it"), "no prompt: %s", r.out);
	ck_assert_msg(strstr(r.out, "not confirmed; nothing was sent"), "%s", r.out);
	tu_result_free(&r);
	ck_nothing_sent(&f);
	sim_fx_ck_security(&f.sim, "enabled=1 locked=1");
	ck_assert_int_eq(tu_runv(&r, NULL, "yes\n", argv), 0);
	ck_assert_msg(strstr(r.out, "unlocked, and the user password removed"), "%s", r.out);
	tu_result_free(&r);
	sim_fx_ck_security(&f.sim, "enabled=0 locked=0");
	fx_free(&f);
}
END_TEST

START_TEST(test_unlock_unsafe_device_refused)
{
	char mnt[4096];
	struct fx f;

	if (tu_skip_unless_root(__func__))
		return;
	fx_setup(&f, ATA(LOCKED));
	ck_assert_int_eq(tu_sh("mkfs.ext4 -q -F %s >/dev/null 2>&1", f.sim.dev), 0);
	ck_assert_int_eq(tu_mount(f.sim.dev, mnt, sizeof(mnt)), 0);
	fx_unlock(&f, NULL, "--password", PW, "--yes", NULL);
	ck_status(&f, 4);
	ck_err_has(&f, "mounted");
	ck_nothing_sent(&f);
	fx_free(&f);
}
END_TEST

START_TEST(test_unlock_usage)
{
	struct tu_result r;

	ck_assert_int_eq(tu_kesu(&r, "unlock", "--help", NULL), 0);
	ck_assert_int_eq(r.status, 0);
	ck_assert_ptr_nonnull(strstr(r.out, "kesu unlock DEVICE --record FILE"));
	tu_result_free(&r);
	ck_assert_int_eq(tu_kesu(&r, "unlock", "/dev/null", NULL), 0);
	ck_assert_int_eq(r.status, 2);
	ck_assert_ptr_nonnull(strstr(r.err, "--password PW"));
	tu_result_free(&r);
	ck_assert_int_eq(tu_kesu(&r, "unlock", "/dev/null", "--password", "a", "--record", "b",
				 NULL), 0);
	ck_assert_int_eq(r.status, 2);
	tu_result_free(&r);
	ck_assert_int_eq(tu_kesu(&r, "unlock", "/dev/null", "--password",
				 "0123456789abcdef0123456789abcdefX", NULL), 0);
	ck_assert_int_eq(r.status, 2);
	ck_assert_ptr_nonnull(strstr(r.err, "at most 32 bytes"));
	tu_result_free(&r);
	ck_assert_int_eq(tu_kesu(&r, "unlock", "/dev/null", "--record", "/nonexistent.json",
				 NULL), 0);
	ck_assert_int_eq(r.status, 11);
	ck_assert_ptr_nonnull(strstr(r.err, "cannot read the record"));
	tu_result_free(&r);
}
END_TEST

/* The library's rule, which both kesu unlock and kesu_fw_ata_recover apply. */
START_TEST(test_unlock_library_rule)
{
	struct kesu_ata_security sec = { .supported = true, .enabled = true };
	struct kesu_errbuf eb;

	ck_assert_int_eq(kesu_fw_ata_recover_check(&sec, "/dev/sdz", &eb), 0);
	sec.locked = true;
	ck_assert_int_eq(kesu_fw_ata_recover_check(&sec, "/dev/sdz", &eb), 0);
	sec.count_expired = true;
	ck_assert_int_eq(kesu_fw_ata_recover_check(&sec, "/dev/sdz", &eb), -KESU_E_LOCKED);
	ck_assert_ptr_nonnull(strstr(eb.msg, "power-cycled"));
	sec.count_expired = false;
	sec.frozen = true;
	ck_assert_int_eq(kesu_fw_ata_recover_check(&sec, "/dev/sdz", &eb), -KESU_E_FROZEN);
	ck_assert_ptr_nonnull(strstr(eb.msg, "/dev/sdz"));
	ck_assert_ptr_nonnull(strstr(eb.msg, "hot-plug"));
	sec = (struct kesu_ata_security){ .supported = true };
	ck_assert_int_eq(kesu_fw_ata_recover_check(&sec, "/dev/sdz", &eb), 1);
	sec.supported = false;
	ck_assert_int_eq(kesu_fw_ata_recover_check(&sec, "/dev/sdz", &eb), -KESU_E_UNSUPPORTED);
}
END_TEST

int main(int argc, char **argv)
{
	const struct tu_case cases[] = {
		{ "locked_right_password", test_unlock_locked_right_password },
		{ "password_set_not_locked", test_unlock_password_set_not_locked },
		{ "wrong_password", test_unlock_wrong_password },
		{ "wrong_password_not_locked", test_unlock_wrong_password_not_locked },
		{ "count_expired", test_unlock_count_expired },
		{ "from_failed_erase_record", test_unlock_from_failed_erase_record },
		{ "password_in_record_not_in_certificate",
		  test_unlock_password_in_record_not_in_certificate },
		{ "record_of_another_drive", test_unlock_record_of_another_drive },
		{ "frozen_refused", test_unlock_frozen_refused },
		{ "dry_run_sends_nothing", test_unlock_dry_run_sends_nothing },
		{ "not_ata_refused", test_unlock_not_ata_refused },
		{ "needs_confirmation", test_unlock_needs_confirmation },
		{ "unsafe_device_refused", test_unlock_unsafe_device_refused },
		{ "usage", test_unlock_usage },
		{ "library_rule", test_unlock_library_rule },
	};
	Suite *s;

	if (argc > 2 && !strcmp(argv[1], SIM_FX_IDENTIFY_ARG))
		return sim_fx_identify_main(argv[2]);
	s = suite_create("unlock");
	TU_ADD_CASES(s, cases, 60);
	return tu_main(s);
}
