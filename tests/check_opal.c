/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Self-encrypting drives (opal.h): Level 0 Discovery parsed for every SSC
 * and refused when malformed; against the drive simulator, `kesu info`
 * (text and --json) on ATA and NVMe SEDs, and a locked SED refused by
 * `kesu wipe` and its dry run before anything is written.
 */
#include <check.h>
#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <kesu/opal.h>

#include "lib/simfx.h"
#include "lib/testutil.h"

#define MIB (1024 * 1024)
#define DEV_SIZE (4 * MIB)
#define PSID "KESUSIMPSID0123456789ABCDEFGHIJK"

#define ATA(extra) "{\"devices\":[{\"path\":\"%s\",\"type\":\"ata\"" extra "}]}"
#define NVME(extra) "{\"devices\":[{\"path\":\"%s\",\"type\":\"nvme\"" extra "}]}"

/* ---- Level 0 Discovery ---- */

static size_t put_feature(uint8_t *b, size_t at, uint16_t code, uint8_t len, uint8_t first)
{
	b[at] = (uint8_t)(code >> 8);
	b[at + 1] = (uint8_t)code;
	b[at + 2] = 0x10;
	b[at + 3] = len;
	if (len)
		b[at + 4] = first;
	return at + 4 + len;
}

/* A response: TPer, Locking (flags), the SSC feature; returns its length. */
static size_t make_discovery(uint8_t *b, size_t cap, uint16_t ssc, uint8_t lock_flags)
{
	size_t n = KESU_OPAL_HEADER_LEN;

	memset(b, 0, cap);
	n = put_feature(b, n, KESU_OPAL_FEAT_TPER, 12, 0x11);
	n = put_feature(b, n, KESU_OPAL_FEAT_LOCKING, 12, lock_flags);
	n = put_feature(b, n, ssc, 16, 0x07);
	b[n - 16 + 1] = 0xFE;           /* base ComID 0x07FE */
	b[n - 16 + 3] = 1;
	b[n - 16 + 9] = 0xFF;           /* initial C_PIN_SID: vendor unique */
	b[3] = (uint8_t)(n - 4);
	b[7] = 1;
	return n;
}

START_TEST(test_opal_discovery_every_ssc)
{
	static const struct { uint16_t code; enum kesu_opal_ssc ssc; const char *name; } t[] = {
		{ KESU_OPAL_FEAT_OPAL1, KESU_SSC_OPAL1, "Opal 1" },
		{ KESU_OPAL_FEAT_OPAL2, KESU_SSC_OPAL2, "Opal 2" },
		{ KESU_OPAL_FEAT_OPALITE, KESU_SSC_OPALITE, "Opalite" },
		{ KESU_OPAL_FEAT_PYRITE1, KESU_SSC_PYRITE1, "Pyrite 1" },
		{ KESU_OPAL_FEAT_PYRITE2, KESU_SSC_PYRITE2, "Pyrite 2" },
		{ KESU_OPAL_FEAT_ENTERPRISE, KESU_SSC_ENTERPRISE, "Enterprise" },
		{ KESU_OPAL_FEAT_RUBY, KESU_SSC_RUBY, "Ruby" },
	};
	uint8_t b[512];

	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		struct kesu_opal_discovery d;
		size_t n = make_discovery(b, sizeof(b), t[i].code, 0x1F);

		ck_assert_int_eq(kesu_opal_discovery_parse(b, n, &d), 0);
		ck_assert_int_eq(d.n_features, 3);
		ck_assert(d.tper);
		ck_assert(d.locking);
		ck_assert_int_eq(d.locking_flags, 0x1F);
		ck_assert_int_eq(d.ssc, t[i].ssc);
		ck_assert_str_eq(kesu_opal_ssc_name(d.ssc), t[i].name);
		ck_assert_int_eq(d.base_comid, 0x07FE);
		ck_assert_int_eq(d.num_comids, 1);
		ck_assert_int_eq(d.pin_indicator_valid, t[i].ssc != KESU_SSC_OPAL1 &&
				 t[i].ssc != KESU_SSC_ENTERPRISE);
		/* a bigger buffer (the 2048 bytes kesu asks for): the length field decides */
		ck_assert_int_eq(kesu_opal_discovery_parse(b, sizeof(b), &d), 0);
		ck_assert_int_eq(d.n_features, 3);
	}
}
END_TEST

START_TEST(test_opal_discovery_malformed)
{
	struct kesu_opal_discovery d;
	uint8_t b[512];
	size_t n = make_discovery(b, sizeof(b), KESU_OPAL_FEAT_OPAL2, 0x07);

	ck_assert_int_eq(kesu_opal_discovery_parse(NULL, 0, &d), -EINVAL);
	ck_assert_int_eq(kesu_opal_discovery_parse(b, 47, &d), -EINVAL);
	/* the length field points past the bytes given */
	ck_assert_int_eq(kesu_opal_discovery_parse(b, n - 1, &d), -EINVAL);
	/* a descriptor longer than what is left */
	b[KESU_OPAL_HEADER_LEN + 3] = 200;
	ck_assert_int_eq(kesu_opal_discovery_parse(b, n, &d), -EINVAL);
	/* a length that does not even cover the header */
	make_discovery(b, sizeof(b), KESU_OPAL_FEAT_OPAL2, 0x07);
	b[3] = 10;
	ck_assert_int_eq(kesu_opal_discovery_parse(b, n, &d), -EINVAL);
	/* half a descriptor header at the end */
	n = make_discovery(b, sizeof(b), KESU_OPAL_FEAT_OPAL2, 0x07);
	b[3] = (uint8_t)(n - 4 + 2);
	ck_assert_int_eq(kesu_opal_discovery_parse(b, n + 2, &d), -EINVAL);
	/* only the header: valid, no features */
	memset(b, 0, sizeof(b));
	b[3] = 44;
	ck_assert_int_eq(kesu_opal_discovery_parse(b, 48, &d), 0);
	ck_assert_int_eq(d.n_features, 0);
	ck_assert_int_eq(d.ssc, KESU_SSC_NONE);
}
END_TEST

START_TEST(test_opal_psid_check)
{
	struct kesu_errbuf eb;

	ck_assert_int_eq(kesu_opal_psid_check(PSID, &eb), 0);
	ck_assert_int_eq(kesu_opal_psid_check("SHORT", &eb), -KESU_E_BAD_INPUT);
	ck_assert_ptr_nonnull(strstr(eb.msg, "32 characters"));
	ck_assert_int_eq(kesu_opal_psid_check("KESUSIMPSID0123456789ABCDEFGHIJ-", &eb), -KESU_E_BAD_INPUT);
	ck_assert_ptr_null(strstr(eb.msg, "KESUSIM"));   /* never echoed */
	ck_assert_int_eq(kesu_opal_psid_check(NULL, &eb), -KESU_E_BAD_INPUT);
}
END_TEST

/* ---- kesu info against the simulator ---- */

static void run(const struct sim_fx *f, struct tu_result *r, const char *const argv[])
{
	sim_fx_run(f, r, NULL, argv);
}

START_TEST(test_opal_info_ata_and_nvme)
{
	struct sim_fx f;
	struct tu_result r;
	json_error_t je;
	json_t *doc, *o;

	if (tu_skip_unless_root(__func__))
		return;
	sim_fx_setup(&f, DEV_SIZE, ATA(",\"opal\":{\"ssc\":\"opal2\",\"locked\":true,\"mbr_enabled\":true}"));
	{
		const char *argv[] = { tu_kesu_bin(), "info", f.dev, NULL };

		run(&f, &r, argv);
		ck_assert_msg(r.status == 0, "kesu info: %s", r.err);
		ck_assert_msg(strstr(r.out, "ssc:             Opal 2"), "%s", r.out);
		ck_assert_msg(strstr(r.out, "supported yes, enabled yes, locked yes"), "%s", r.out);
		ck_assert_msg(strstr(r.out, "enabled, not done"), "%s", r.out);
		ck_assert_msg(strstr(r.out, "opal-psid-revert --psid PSID"), "%s", r.out);
		ck_assert_msg(strstr(r.out, "LOCKED"), "%s", r.out);
		tu_result_free(&r);
	}
	ck_assert(sim_fx_log_has(&f, "ata TRUSTED_RECEIVE"));
	ck_assert(sim_fx_log_has(&f, "opal GET_STATUS"));

	sim_fx_config(&f, NVME(",\"opal\":{\"ssc\":\"pyrite2\",\"kernel\":false}"));
	{
		const char *argv[] = { tu_kesu_bin(), "info", "--json", f.dev, NULL };

		run(&f, &r, argv);
		ck_assert_msg(r.status == 0, "kesu info --json: %s", r.err);
		doc = json_loads(r.out, 0, &je);
		ck_assert_msg(doc != NULL, "%s", r.out);
		o = json_object_get(json_array_get(json_object_get(doc, "devices"), 0), "opal");
		if (!o)
			o = json_object_get(doc, "opal");
		ck_assert_msg(o != NULL, "%s", r.out);
		ck_assert_str_eq(json_string_value(json_object_get(o, "ssc")), "Pyrite 2");
		ck_assert(json_is_true(json_object_get(o, "sed")));
		ck_assert(json_is_false(json_object_get(o, "kernel_sed_opal")));
		ck_assert(json_is_false(json_object_get(o, "revert_path")));
		ck_assert(json_is_false(json_object_get(o, "locked")));
		ck_assert_str_eq(json_string_value(json_object_get(o, "discovery_via")),
				 "nvme-security-receive");
		json_decref(doc);
		tu_result_free(&r);
	}
	ck_assert(sim_fx_log_has(&f, "nvme SECURITY_RECEIVE opcode=0x82"));
}
END_TEST

/* ---- a locked SED is refused before anything is written ---- */

static char *media_sha(const struct sim_fx *f)
{
	return tu_sh_out("sha256sum < %s | cut -c1-64", f->dev);
}

START_TEST(test_opal_locked_refused)
{
	static const char *const methods[] = { "overwrite", "auto", "ata-sanitize-block" };
	struct sim_fx f;
	struct tu_result r;
	char *before, *after, out[4200];

	if (tu_skip_unless_root(__func__))
		return;
	sim_fx_setup(&f, DEV_SIZE, ATA(",\"opal\":{\"locked\":true}"));
	sim_fx_fill_random(&f);
	before = media_sha(&f);
	snprintf(out, sizeof(out), "%s/evidence", tu_tmpdir());
	for (size_t i = 0; i < sizeof(methods) / sizeof(methods[0]); i++) {
		const char *argv[] = { tu_kesu_bin(), "wipe", "--method", methods[i], "--yes",
				       "--quiet", "--out", out, f.dev, NULL };
		const char *dry[] = { tu_kesu_bin(), "wipe", "--dry-run", "--method", methods[i],
				      f.dev, NULL };

		run(&f, &r, argv);
		ck_assert_msg(r.status != 0, "%s: a locked SED was not refused", methods[i]);
		ck_assert_msg(strstr(r.err, "LOCKED") && strstr(r.err, "opal-psid-revert"),
			      "%s: %s", methods[i], r.err);
		tu_result_free(&r);
		run(&f, &r, dry);
		ck_assert_msg(strstr(r.out, "LOCKED") && strstr(r.out, "opal-psid-revert"),
			      "dry run %s: %s", methods[i], r.out);
		tu_result_free(&r);
	}
	after = media_sha(&f);
	ck_assert_str_eq(before, after);
	ck_assert(!sim_fx_log_has(&f, "SANITIZE_BLOCK"));
	free(before);
	free(after);
}
END_TEST

int main(int argc, char **argv)
{
	const struct tu_case cases[] = {
		{ "discovery_every_ssc", test_opal_discovery_every_ssc },
		{ "discovery_malformed", test_opal_discovery_malformed },
		{ "psid_check", test_opal_psid_check },
		{ "info", test_opal_info_ata_and_nvme },
		{ "locked_refused", test_opal_locked_refused },
	};
	Suite *s;

	(void)argc;
	(void)argv;
	s = suite_create("opal");
	TU_ADD_CASES(s, cases, 120);
	return tu_main(s);
}
