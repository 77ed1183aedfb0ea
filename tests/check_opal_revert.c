/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The TCG revert methods (opal-psid-revert, opal-revert) end to end: kesu
 * wipe against the drive simulator's self-encrypting drive. The media's
 * bytes really change; a wrong PSID or password is refused with the drive's
 * status and nothing written; a drive that lies (success, data unchanged)
 * or keeps locking on ends FAILED; a locked drive ends UNVERIFIED (nothing
 * could be read before); the PSID and the password appear in no file kesu
 * wrote (record, certificate, its signature and PDF) and on no output;
 * --dry-run says what would happen and sends nothing; `auto` never chooses
 * a revert.
 */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/simfx.h"
#include "lib/testutil.h"

#define MIB (1024 * 1024)
#define DEV_SIZE (4 * MIB)
#define BLOCK 4096
#define PSID "KESUSIMPSID0123456789ABCDEFGHIJK"
#define WRONG_PSID "WRONGPSID0123456789ABCDEFGHIJKLM"
#define PASSWORD "owner-Secret-42"

#define ATA(extra) "{\"devices\":[{\"path\":\"%s\",\"type\":\"ata\",\"opal\":{" extra "}}]}"
#define NVME(extra) "{\"devices\":[{\"path\":\"%s\",\"type\":\"nvme\",\"opal\":{" extra "}}]}"

struct wipe {
	int status;
	char outcome[16];            /* ERASED, FAILED, UNVERIFIED; "refused": no result */
	char *out, *err;
	json_t *record;
};

static void wipe_free(struct wipe *w)
{
	free(w->out);
	free(w->err);
	json_decref(w->record);
	memset(w, 0, sizeof(*w));
}

static const char *evidence_dir(void)
{
	static char out[4200];

	snprintf(out, sizeof(out), "%s/evidence", tu_tmpdir());
	return out;
}

/* kesu wipe --yes --json --out EVIDENCE DEV [extra...] under the simulator, stdin from input. */
static void wipe_run(const struct sim_fx *f, struct wipe *w, const char *input,
		     const char *const extra[])
{
	const char *argv[24] = { tu_kesu_bin(), "wipe", "--yes", "--quiet", "--json", "--out",
				 evidence_dir(), f->dev };
	size_t n = 8;
	struct tu_result r;
	json_error_t je;
	json_t *doc, *res;

	for (size_t i = 0; extra[i] && n + 1 < sizeof(argv) / sizeof(argv[0]); i++)
		argv[n++] = extra[i];
	argv[n] = NULL;
	memset(w, 0, sizeof(*w));
	sim_fx_run(f, &r, input, argv);
	w->status = r.status;
	w->out = strdup(r.out);
	w->err = strdup(r.err);
	snprintf(w->outcome, sizeof(w->outcome), "refused");
	doc = r.out[0] == '{' ? json_loads(r.out, 0, &je) : NULL;
	res = json_array_get(json_object_get(doc, "results"), 0);
	if (res) {
		const char *o = json_string_value(json_object_get(res, "outcome"));
		const char *rec = json_string_value(json_object_get(res, "record"));

		if (o && strcmp(o, "ERROR"))
			snprintf(w->outcome, sizeof(w->outcome), "%s", o);
		if (rec && rec[0])
			w->record = json_load_file(rec, 0, &je);
	}
	json_decref(doc);
	tu_result_free(&r);
}

#define WIPE(f, w, input, ...) wipe_run((f), (w), (input), (const char *const[]){ __VA_ARGS__, NULL })

static uint8_t *media(const struct sim_fx *f)
{
	int fd = open(f->dev, O_RDONLY);
	uint8_t *buf = malloc(DEV_SIZE);

	ck_assert_int_ge(fd, 0);
	ck_assert_ptr_nonnull(buf);
	posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED);
	ck_assert_int_eq(pread(fd, buf, DEV_SIZE, 0), DEV_SIZE);
	close(fd);
	return buf;
}

/* 4 KiB blocks that read the same in a and b. */
static size_t same_blocks(const uint8_t *a, const uint8_t *b)
{
	size_t same = 0;

	for (size_t i = 0; i < DEV_SIZE; i += BLOCK)
		same += !memcmp(a + i, b + i, BLOCK);
	return same;
}

/* The secret is in no file under dir (PDFs read as text) and not in the outputs. */
static void ck_secret_absent(const char *secret, const struct wipe *w, const char *dir)
{
	ck_assert_msg(!strstr(w->out, secret) && !strstr(w->err, secret), "secret on the output");
	/* grep exits 1: no file holds it */
	ck_assert_int_eq(tu_sh("grep -r -a -l -F -- '%s' %s", secret, dir), 1);
	ck_assert_int_eq(tu_sh("for p in %s/*.pdf; do [ -e \"$p\" ] || continue; "
			       "pdftotext \"$p\" - | grep -q -F -- '%s' && exit 0; done; exit 1",
			       dir, secret), 1);
}

static const char *rec_str(const struct wipe *w, const char *a, const char *b)
{
	json_t *v = json_object_get(w->record, a);

	if (b)
		v = json_object_get(v, b);
	ck_assert_msg(json_is_string(v), "record has no %s.%s", a, b ? b : "");
	return json_string_value(v);
}

static bool reasons_have(const struct wipe *w, const char *what)
{
	char *t = json_dumps(json_object_get(w->record, "outcome_reasons"), 0);
	bool has = t && strstr(t, what);

	free(t);
	return has;
}

static size_t files_in(const char *dir)
{
	char *n = tu_sh_out("ls -A %s 2>/dev/null | wc -l", dir);
	size_t k = n ? strtoul(n, NULL, 10) : 0;

	free(n);
	return k;
}

static void fresh_evidence(void)
{
	ck_assert_int_eq(tu_sh("rm -rf %s && mkdir -p %s", evidence_dir(), evidence_dir()), 0);
}

/* ---- the PSID revert: bytes change, a certificate, no PSID anywhere ---- */

START_TEST(test_psid_revert_erases)
{
	struct sim_fx f;
	struct tu_pki p;
	struct wipe w;
	uint8_t *before, *after;
	char pki[4200];
	struct tu_result r;

	if (tu_skip_unless_root(__func__))
		return;
	snprintf(pki, sizeof(pki), "%s/pki", tu_tmpdir());
	ck_assert_int_eq(tu_sh("mkdir -p %s", pki), 0);
	tu_make_pki(pki, "/CN=kesu test root", "/CN=kesu test station", &p);
	sim_fx_setup(&f, DEV_SIZE, ATA("\"locking_enabled\":true"));
	sim_fx_fill_random(&f);
	before = media(&f);
	fresh_evidence();
	WIPE(&f, &w, NULL, "--method", "opal-psid-revert", "--psid", PSID, "--key", p.key,
	     "--signer-cert", p.cert);
	ck_assert_msg(!strcmp(w.outcome, "ERASED"), "outcome %s: %s %s", w.outcome, w.out, w.err);
	ck_assert_int_eq(w.status, 0);
	after = media(&f);
	ck_assert_uint_eq(same_blocks(before, after), 0);
	ck_assert_str_eq(rec_str(&w, "method", "name"), "opal-psid-revert");
	ck_assert_str_eq(rec_str(&w, "method", "category"), "Purge");
	ck_assert_str_eq(rec_str(&w, "verification", "result"), "passed");
	ck_assert_ptr_nonnull(strstr(rec_str(&w, "method", "details"), "a PSID was given"));
	ck_assert(sim_fx_log_has(&f, "opal PSID_REVERT_TPR -> ok"));
	/* the record, the certificate, its signature and PDF: no PSID */
	ck_assert_int_eq(tu_sh("ls %s/*.p7s %s/*.pdf >/dev/null", evidence_dir(), evidence_dir()), 0);
	ck_secret_absent(PSID, &w, evidence_dir());
	ck_assert(!sim_fx_log_has(&f, PSID));
	wipe_free(&w);
	/* locking is off afterwards, as the drive now says */
	{
		const char *argv[] = { tu_kesu_bin(), "info", f.dev, NULL };

		sim_fx_run(&f, &r, NULL, argv);
		ck_assert_msg(strstr(r.out, "supported yes, enabled no, locked no"), "%s", r.out);
		tu_result_free(&r);
	}
	free(before);
	free(after);
}
END_TEST

/* ---- a wrong PSID: the drive's status, nothing changed, nothing written ---- */

START_TEST(test_psid_wrong_refused)
{
	struct sim_fx f;
	struct wipe w;
	uint8_t *before, *after;

	if (tu_skip_unless_root(__func__))
		return;
	sim_fx_setup(&f, DEV_SIZE, ATA("\"locking_enabled\":true"));
	sim_fx_fill_random(&f);
	before = media(&f);
	fresh_evidence();
	WIPE(&f, &w, NULL, "--method", "opal-psid-revert", "--psid", WRONG_PSID);
	ck_assert_str_eq(w.outcome, "refused");
	ck_assert_int_ne(w.status, 0);
	ck_assert_msg(strstr(w.out, "NOT_AUTHORIZED") && strstr(w.out, "nothing was changed"),
		      "%s", w.out);
	ck_assert_ptr_null(w.record);
	ck_assert_uint_eq(files_in(evidence_dir()), 0);
	ck_assert(sim_fx_log_has(&f, "opal PSID_REVERT_TPR key=wrong -> status=0x01"));
	ck_secret_absent(WRONG_PSID, &w, evidence_dir());
	after = media(&f);
	ck_assert_uint_eq(same_blocks(before, after), DEV_SIZE / BLOCK);
	free(after);
	wipe_free(&w);

	/* malformed: refused before anything is sent, and not echoed */
	WIPE(&f, &w, NULL, "--method", "opal-psid-revert", "--psid", "KESUSIMPSID0123456789ABCDEF-HIJK");
	ck_assert_int_eq(w.status, 2);
	ck_assert_msg(strstr(w.err, "letters and digits"), "%s", w.err);
	ck_assert_ptr_null(strstr(w.err, "KESUSIMPSID"));
	wipe_free(&w);
	/* missing, and given to another method */
	WIPE(&f, &w, NULL, "--method", "opal-psid-revert");
	ck_assert_int_eq(w.status, 2);
	ck_assert_msg(strstr(w.out, "--psid") || strstr(w.err, "--psid"), "%s %s", w.out, w.err);
	wipe_free(&w);
	WIPE(&f, &w, NULL, "--method", "overwrite", "--psid", PSID);
	ck_assert_int_eq(w.status, 2);
	ck_assert_ptr_null(strstr(w.err, PSID));
	wipe_free(&w);
	after = media(&f);
	ck_assert_uint_eq(same_blocks(before, after), DEV_SIZE / BLOCK);
	ck_assert(!sim_fx_log_has(&f, "PSID_REVERT_TPR -> ok"));
	free(before);
	free(after);
}
END_TEST

/* ---- drives that lie: FAILED, never ERASED ---- */

START_TEST(test_revert_lies_fail)
{
	static const char *const cfgs[] = {
		ATA("\"revert\":\"lie\""),
		ATA("\"revert\":\"keep_locking\",\"locking_enabled\":true"),
		NVME("\"revert\":\"lie\",\"locked\":false"),
	};
	static const char *const why[] = { "identical before and after", "locking is still",
					   "identical before and after" };
	struct sim_fx f;
	struct wipe w;

	if (tu_skip_unless_root(__func__))
		return;
	sim_fx_loop(&f, DEV_SIZE);
	for (size_t i = 0; i < sizeof(cfgs) / sizeof(cfgs[0]); i++) {
		sim_fx_config(&f, cfgs[i]);
		sim_fx_fill_random(&f);
		fresh_evidence();
		WIPE(&f, &w, NULL, "--method", "opal-psid-revert", "--psid", PSID);
		ck_assert_msg(!strcmp(w.outcome, "FAILED"), "%zu: outcome %s: %s %s", i, w.outcome,
			      w.out, w.err);
		ck_assert_int_eq(w.status, 1);
		ck_assert_str_eq(rec_str(&w, "outcome", NULL), "FAILED");
		ck_assert_msg(reasons_have(&w, why[i]), "%zu: %s", i, w.out);
		ck_assert(sim_fx_log_has(&f, "PSID_REVERT_TPR revert="));
		ck_secret_absent(PSID, &w, evidence_dir());
		wipe_free(&w);
	}
}
END_TEST

/* ---- a locked drive: reverted, but nothing to compare with: UNVERIFIED ---- */

START_TEST(test_psid_revert_locked_unverified)
{
	struct sim_fx f;
	struct wipe w;
	uint8_t *before, *after;

	if (tu_skip_unless_root(__func__))
		return;
	sim_fx_setup(&f, DEV_SIZE, ATA("\"locked\":true,\"mbr_enabled\":true"));
	sim_fx_fill_random(&f);
	before = media(&f);
	fresh_evidence();
	WIPE(&f, &w, NULL, "--method", "opal-psid-revert", "--psid", PSID);
	ck_assert_msg(!strcmp(w.outcome, "UNVERIFIED"), "outcome %s: %s %s", w.outcome, w.out, w.err);
	ck_assert_int_eq(w.status, 1);
	ck_assert(reasons_have(&w, "was LOCKED"));
	ck_assert_str_eq(rec_str(&w, "verification", "result"), "not-run");
	after = media(&f);
	ck_assert_uint_eq(same_blocks(before, after), 0);
	wipe_free(&w);
	free(before);
	free(after);
	/* unlocked now: an erase of its own proves the drive (auto: never a revert) */
	fresh_evidence();
	WIPE(&f, &w, NULL, "--method", "auto");
	ck_assert_msg(!strcmp(w.outcome, "ERASED"), "outcome %s: %s %s", w.outcome, w.out, w.err);
	ck_assert_str_ne(rec_str(&w, "method", "name"), "opal-psid-revert");
	wipe_free(&w);
}
END_TEST

/* ---- the owner's revert on NVMe, the password from a file and from stdin ---- */

START_TEST(test_owner_revert_nvme)
{
	struct sim_fx f;
	struct wipe w;
	uint8_t *before, *after;
	char pw[4200], bad[4200];

	if (tu_skip_unless_root(__func__))
		return;
	snprintf(pw, sizeof(pw), "%s/owner.pw", tu_tmpdir());
	snprintf(bad, sizeof(bad), "%s/wrong.pw", tu_tmpdir());
	ck_assert_int_eq(tu_sh("printf '%%s\\n' '%s' > %s && printf 'nope\\n' > %s", PASSWORD, pw,
			       bad), 0);
	sim_fx_setup(&f, DEV_SIZE, NVME("\"sid_password\":\"" PASSWORD "\",\"locking_enabled\":true"));
	sim_fx_fill_random(&f);
	before = media(&f);
	fresh_evidence();
	WIPE(&f, &w, NULL, "--method", "opal-revert", "--password-file", bad);
	ck_assert_str_eq(w.outcome, "refused");
	ck_assert_msg(strstr(w.out, "NOT_AUTHORIZED"), "%s", w.out);
	ck_assert_uint_eq(files_in(evidence_dir()), 0);
	wipe_free(&w);
	after = media(&f);
	ck_assert_uint_eq(same_blocks(before, after), DEV_SIZE / BLOCK);
	free(after);

	WIPE(&f, &w, PASSWORD "\n", "--method", "opal-revert", "--password-file", "-");
	ck_assert_msg(!strcmp(w.outcome, "ERASED"), "outcome %s: %s %s", w.outcome, w.out, w.err);
	ck_assert_ptr_nonnull(strstr(rec_str(&w, "method", "details"), "password was given"));
	ck_assert(sim_fx_log_has(&f, "opal REVERT_TPR -> ok"));
	ck_secret_absent(PASSWORD, &w, evidence_dir());
	after = media(&f);
	ck_assert_uint_eq(same_blocks(before, after), 0);
	wipe_free(&w);
	free(before);
	free(after);
}
END_TEST

/* ---- --dry-run: what would happen, nothing sent ---- */

START_TEST(test_dry_run)
{
	struct sim_fx f;
	struct tu_result r;
	json_t *doc, *dev;
	uint8_t *before, *after;

	if (tu_skip_unless_root(__func__))
		return;
	sim_fx_setup(&f, DEV_SIZE, ATA("\"locked\":true"));
	sim_fx_fill_random(&f);
	before = media(&f);
	{
		const char *argv[] = { tu_kesu_bin(), "wipe", "--dry-run", "--method",
				       "opal-psid-revert", "--psid", PSID, f.dev, NULL };

		sim_fx_run(&f, &r, NULL, argv);
		ck_assert_msg(r.status == 0, "%s %s", r.out, r.err);
		ck_assert_msg(strstr(r.out, "IOC_OPAL_PSID_REVERT_TPR") &&
			      strstr(r.out, "psid:         given (not shown") &&
			      strstr(r.out, "ready:        yes") && strstr(r.out, "UNVERIFIED at best") &&
			      strstr(r.out, "nothing was written"), "%s", r.out);
		ck_assert_ptr_null(strstr(r.out, PSID));
		tu_result_free(&r);
	}
	{
		const char *argv[] = { tu_kesu_bin(), "wipe", "--dry-run", "--json", "--method",
				       "opal-psid-revert", f.dev, NULL };

		sim_fx_run(&f, &r, NULL, argv);
		doc = json_loads(r.out, 0, NULL);
		ck_assert_msg(doc != NULL, "%s", r.out);
		dev = json_array_get(json_object_get(doc, "devices"), 0);
		ck_assert_str_eq(json_string_value(json_object_get(dev, "psid")), "not given");
		ck_assert_int_eq(json_integer_value(json_object_get(dev, "ready")), 0);
		ck_assert_ptr_nonnull(strstr(json_string_value(json_object_get(dev, "refusal")),
					     "--psid"));
		json_decref(doc);
		tu_result_free(&r);
	}
	{
		/* a drive that is no SED: the method is refused with the reason */
		const char *argv[] = { tu_kesu_bin(), "wipe", "--dry-run", "--method",
				       "opal-psid-revert", "--psid", PSID, f.dev, NULL };

		sim_fx_config(&f, "{\"devices\":[{\"path\":\"%s\",\"type\":\"ata\"}]}");
		sim_fx_run(&f, &r, NULL, argv);
		ck_assert_msg(strstr(r.out, "ready:        no") &&
			      strstr(r.out, "not a self-encrypting drive"), "%s", r.out);
		tu_result_free(&r);
		sim_fx_config(&f, ATA("\"kernel\":false"));
		sim_fx_run(&f, &r, NULL, argv);
		ck_assert_msg(strstr(r.out, "ready:        no") && strstr(r.out, "sed-opal"), "%s",
			      r.out);
		tu_result_free(&r);
	}
	ck_assert(!sim_fx_log_has(&f, "REVERT_TPR"));
	after = media(&f);
	ck_assert_uint_eq(same_blocks(before, after), DEV_SIZE / BLOCK);
	free(before);
	free(after);
}
END_TEST

/* ---- auto never chooses a revert, also on a SED that supports nothing else ---- */

START_TEST(test_auto_skips_revert)
{
	struct sim_fx f;
	struct tu_result r;

	if (tu_skip_unless_root(__func__))
		return;
	sim_fx_setup(&f, DEV_SIZE, "{\"devices\":[{\"path\":\"%s\",\"type\":\"ata\","
		     "\"security\":{\"supported\":false},\"sanitize\":{\"crypto\":false,"
		     "\"block\":false,\"overwrite\":false},\"opal\":{}}]}");
	{
		const char *argv[] = { tu_kesu_bin(), "wipe", "--dry-run", "--method", "auto",
				       f.dev, NULL };

		sim_fx_run(&f, &r, NULL, argv);
		ck_assert_msg(strstr(r.out, "method:       overwrite"), "%s", r.out);
		tu_result_free(&r);
	}
	{
		const char *argv[] = { tu_kesu_bin(), "info", f.dev, NULL };

		sim_fx_run(&f, &r, NULL, argv);
		ck_assert_msg(strstr(r.out, "opal-psid-revert"), "%s", r.out);
		tu_result_free(&r);
	}
}
END_TEST

int main(int argc, char **argv)
{
	const struct tu_case cases[] = {
		{ "psid_revert_erases", test_psid_revert_erases },
		{ "psid_wrong_refused", test_psid_wrong_refused },
		{ "revert_lies_fail", test_revert_lies_fail },
		{ "psid_revert_locked_unverified", test_psid_revert_locked_unverified },
		{ "owner_revert_nvme", test_owner_revert_nvme },
		{ "dry_run", test_dry_run },
		{ "auto_skips_revert", test_auto_skips_revert },
	};
	Suite *s;

	(void)argc;
	(void)argv;
	s = suite_create("opal_revert");
	TU_ADD_CASES(s, cases, 180);
	return tu_main(s);
}
