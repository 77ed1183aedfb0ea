/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * eMMC and SD cards: EXT_CSD decoding (bytes built here), `kesu info` on a
 * simulated eMMC (with boot partitions) and SD card, and mmc-utils run
 * against the same simulated card as an independent reader of EXT_CSD and
 * client of its erase and sanitize.
 *
 * The boot partitions are loop devices of their own; the test names them
 * /dev/<loop>boot0 and boot1 (symlinks, as the kernel names an eMMC's), and
 * removes the names at the end.
 */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <kesu/mmc.h>

#include "lib/simfx.h"
#include "lib/testutil.h"

#define MIB (1024 * 1024)
#define DEV_SIZE (16 * MIB)
#define BOOT_SIZE (1 * MIB)

/* ---- EXT_CSD decoding ---- */

START_TEST(test_ext_csd_decode)
{
	uint8_t raw[KESU_MMC_EXT_CSD_LEN] = { 0 };
	struct kesu_mmc_ext_csd x;
	char rev[16];

	ck_assert_int_eq(kesu_mmc_ext_csd_decode(raw, &x), -KESU_E_UNSUPPORTED);
	raw[KESU_EXT_CSD_SEC_COUNT] = 0x00;
	raw[KESU_EXT_CSD_SEC_COUNT + 1] = 0x00;
	raw[KESU_EXT_CSD_SEC_COUNT + 2] = 0x3a;
	raw[KESU_EXT_CSD_SEC_COUNT + 3] = 0x01;      /* 0x013a0000 sectors: 10.5 GB */
	raw[KESU_EXT_CSD_REV] = 7;
	raw[KESU_EXT_CSD_SEC_FEATURE] = 0x55;
	raw[KESU_EXT_CSD_BOOT_SIZE_MULT] = 32;       /* 4 MiB */
	raw[KESU_EXT_CSD_RPMB_SIZE_MULT] = 4;        /* 512 KiB */
	raw[KESU_EXT_CSD_ERASE_GROUP_DEF] = 1;
	raw[KESU_EXT_CSD_HC_ERASE_GRP_SIZE] = 8;     /* 4 MiB */
	raw[KESU_EXT_CSD_ERASE_TIMEOUT_MULT] = 2;
	raw[KESU_EXT_CSD_SEC_ERASE_MULT] = 10;
	raw[KESU_EXT_CSD_ERASED_MEM_CONT] = 1;
	ck_assert_int_eq(kesu_mmc_ext_csd_decode(raw, &x), 0);
	ck_assert_uint_eq(x.sectors, 0x013a0000u);
	ck_assert(x.secure_erase && x.secure_gc && x.sanitize);
	ck_assert_uint_eq(x.boot_bytes, 4 * MIB);
	ck_assert_uint_eq(x.rpmb_bytes, 512 * 1024);
	ck_assert(x.hc_erase_groups);
	ck_assert_uint_eq(x.hc_erase_group_bytes, 4 * MIB);
	ck_assert_uint_eq(x.erase_timeout_ms, 600);
	ck_assert_uint_eq(x.sec_erase_mult, 10);
	ck_assert(x.erased_ones);
	ck_assert(kesu_mmc_sector_addressed(&x));
	ck_assert_str_eq(kesu_mmc_rev_name(x.rev, rev, sizeof(rev)), "5.0");
	/* Sanitize needs eMMC 4.5 (rev 6): the bit alone on 4.41 does not count. */
	raw[KESU_EXT_CSD_REV] = 5;
	ck_assert_int_eq(kesu_mmc_ext_csd_decode(raw, &x), 0);
	ck_assert(!x.sanitize);
	raw[KESU_EXT_CSD_SEC_COUNT + 3] = 0;
	raw[KESU_EXT_CSD_SEC_COUNT + 2] = 0x01;      /* 32 MiB: byte addresses */
	ck_assert_int_eq(kesu_mmc_ext_csd_decode(raw, &x), 0);
	ck_assert(!kesu_mmc_sector_addressed(&x));
}
END_TEST

START_TEST(test_cmd_builders)
{
	struct mmc_ioc_cmd c[3];
	uint8_t buf[KESU_MMC_EXT_CSD_LEN];

	kesu_mmc_cmd_ext_csd(&c[0], buf);
	ck_assert_uint_eq(c[0].opcode, 8);
	ck_assert_uint_eq(c[0].blksz * c[0].blocks, 512);
	ck_assert_int_eq(c[0].write_flag, 0);
	kesu_mmc_cmd_switch(&c[0], KESU_EXT_CSD_SANITIZE_START, 1, 1000);
	ck_assert_uint_eq(c[0].arg, 0x03a50100u);
	ck_assert(c[0].flags & KESU_MMC_RSP_BUSY);
	kesu_mmc_cmd_erase(c, 0, 0x7ff, KESU_MMC_SECURE_ERASE_ARG, 500);
	ck_assert_uint_eq(c[0].opcode, 35);
	ck_assert_uint_eq(c[1].opcode, 36);
	ck_assert_uint_eq(c[1].arg, 0x7ff);
	ck_assert_uint_eq(c[2].opcode, 38);
	ck_assert_uint_eq(c[2].arg, 0x80000000u);
	ck_assert(c[2].flags & KESU_MMC_RSP_BUSY);
}
END_TEST

/* ---- a simulated card ---- */

struct card {
	struct sim_fx sim;
	char boot_dev[2][256], boot_img[2][4096];
	char boot_name[2][300];      /* /dev/<loop>boot0/1: symlinks to the boot loop devices */
};

static const char *loop_name(const char *dev)
{
	const char *s = strrchr(dev, '/');

	return s ? s + 1 : dev;
}

/* The kernel-style names this process made: removed at exit too (a failed assertion ends the test). */
static char made_names[2][300];

static void remove_names(void)
{
	for (unsigned i = 0; i < 2; i++)
		if (made_names[i][0])
			unlink(made_names[i]);
}

/* A card of random content; boots: how many boot partitions (loop devices with kernel-style names). */
static void card_setup(struct card *c, const char *extra, unsigned boots)
{
	char json[8192], bootlist[1024] = "";
	static bool registered;

	memset(c, 0, sizeof(*c));
	sim_fx_loop(&c->sim, DEV_SIZE);
	for (unsigned i = 0; i < boots; i++) {
		ck_assert_int_eq(tu_loop_create(BOOT_SIZE, c->boot_dev[i], sizeof(c->boot_dev[i]),
						c->boot_img[i], sizeof(c->boot_img[i])), 0);
		snprintf(c->boot_name[i], sizeof(c->boot_name[i]), "/dev/%sboot%u", loop_name(c->sim.dev), i);
		unlink(c->boot_name[i]);
		ck_assert_int_eq(symlink(c->boot_dev[i], c->boot_name[i]), 0);
		snprintf(made_names[i], sizeof(made_names[i]), "%s", c->boot_name[i]);
		if (!registered)
			registered = atexit(remove_names) == 0;
		ck_assert_int_eq(tu_sh("head -c %d /dev/urandom > %s && sync", BOOT_SIZE, c->boot_dev[i]), 0);
		snprintf(bootlist + strlen(bootlist), sizeof(bootlist) - strlen(bootlist), "%s\"%s\"",
			 i ? "," : "", c->boot_dev[i]);
	}
	snprintf(json, sizeof(json), "{\"devices\":[{\"path\":\"%s\",\"type\":\"mmc\"%s%s%s%s}]}",
		 c->sim.dev, boots ? ",\"boot\":[" : "", bootlist, boots ? "]" : "", extra);
	sim_fx_use_config(&c->sim, json);
	sim_fx_fill_random(&c->sim);
}

static void card_teardown(struct card *c)
{
	for (unsigned i = 0; i < 2; i++) {
		if (c->boot_name[i][0])
			unlink(c->boot_name[i]);
		if (c->boot_dev[i][0])
			tu_loop_detach(c->boot_dev[i]);
	}
	tu_loop_detach(c->sim.dev);
}

static json_t *info_json(const struct card *c)
{
	const char *argv[] = { tu_kesu_bin(), "info", "--json", c->sim.dev, NULL };
	struct tu_result r;
	json_error_t je;
	json_t *doc;

	sim_fx_run(&c->sim, &r, NULL, argv);
	ck_assert_msg(r.status == 0, "kesu info: %d %s", r.status, r.err);
	doc = json_loads(r.out, 0, &je);
	ck_assert_msg(doc != NULL, "kesu info --json: %s: %s", je.text, r.out);
	tu_result_free(&r);
	return doc;
}

static char *info_text(const struct card *c)
{
	const char *argv[] = { tu_kesu_bin(), "info", c->sim.dev, NULL };
	struct tu_result r;
	char *out;

	sim_fx_run(&c->sim, &r, NULL, argv);
	ck_assert_msg(r.status == 0, "kesu info: %d %s", r.status, r.err);
	out = strdup(r.out);
	tu_result_free(&r);
	return out;
}

#define ck_has(text, s) ck_assert_msg(strstr(text, s), "expected '%s' in:\n%s", s, text)

START_TEST(test_info_emmc)
{
	struct card c;
	json_t *doc, *m;
	char *text;

	if (tu_skip_unless_root("test_info_emmc"))
		return;
	card_setup(&c, ",\"ext_csd_rev\":7,\"hc_erase_grp_size\":2,\"rpmb_size_mult\":4", 2);
	text = info_text(&c);
	ck_has(text, "eMMC (EXT_CSD through MMC_IOC_CMD, CMD8):");
	ck_has(text, "ext_csd rev:     7 (eMMC 5.0)");
	ck_has(text, "user area:       32768 sectors of 512 bytes");
	ck_has(text, "secure erase yes, secure trim yes, sanitize yes");
	ck_has(text, "erase group:     1024 KiB (EXT_CSD HC_ERASE_GRP_SIZE)");
	ck_has(text, "boot partitions: 2 x 1024 KiB:");
	ck_has(text, c.boot_name[0]);
	ck_has(text, c.boot_name[1]);
	ck_has(text, "rpmb:            512 KiB");
	free(text);

	doc = info_json(&c);
	ck_assert_str_eq(json_string_value(json_object_get(doc, "drive_protocol")), "mmc");
	ck_assert_str_eq(json_string_value(json_object_get(doc, "media")), "flash");
	m = json_object_get(doc, "mmc");
	ck_assert_str_eq(json_string_value(json_object_get(m, "kind")), "emmc");
	ck_assert_int_eq(json_integer_value(json_object_get(m, "sec_feature_support")), 0x55);
	ck_assert_int_eq(json_integer_value(json_object_get(m, "erase_group_bytes")), 2 * 512 * 1024);
	ck_assert_int_eq(json_integer_value(json_object_get(m, "boot_partition_bytes")), BOOT_SIZE);
	ck_assert_str_eq(json_string_value(json_array_get(json_object_get(m, "boot_partitions"), 1)),
			 c.boot_name[1]);
	json_decref(doc);
	card_teardown(&c);
}
END_TEST

START_TEST(test_info_emmc_no_features)
{
	struct card c;
	json_t *doc, *m;
	char *text;

	if (tu_skip_unless_root("test_info_emmc_no_features"))
		return;
	/* eMMC 4.41 without secure erase, the erase group from the CSD (ERASE_GROUP_DEF 0), no boot devices. */
	card_setup(&c, ",\"ext_csd_rev\":5,\"sec_feature\":0,\"erase_group_def\":false,"
		   "\"boot_size_mult\":8,\"erased_fill\":\"ones\"", 0);
	text = info_text(&c);
	ck_has(text, "ext_csd rev:     5 (eMMC 4.41)");
	ck_has(text, "secure erase no, secure trim no, sanitize no");
	ck_has(text, "erased reads:    0xFF");
	ck_has(text, "boot partitions: 2 x 1024 KiB: (no device) (no device)");
	free(text);
	doc = info_json(&c);
	m = json_object_get(doc, "mmc");
	ck_assert(json_is_false(json_object_get(m, "sanitize")));
	ck_assert_str_ne(json_string_value(json_object_get(m, "erase_group_source")),
			 "EXT_CSD HC_ERASE_GRP_SIZE");
	json_decref(doc);
	card_teardown(&c);
}
END_TEST

START_TEST(test_info_sd)
{
	struct card c;
	json_t *doc, *autom;
	char *text;

	if (tu_skip_unless_root("test_info_sd"))
		return;
	card_setup(&c, ",\"card\":\"sd\"", 0);
	text = info_text(&c);
	ck_has(text, "SD card (MMC_IOC_CMD):");
	ck_has(text, "SD cards have no sanitize or secure erase command");
	free(text);
	doc = info_json(&c);
	ck_assert_str_eq(json_string_value(json_object_get(doc, "drive_protocol")), "mmc");
	ck_assert_str_eq(json_string_value(json_object_get(json_object_get(doc, "mmc"), "kind")), "sd");
	autom = json_object_get(doc, "method_auto");
	ck_assert_str_eq(json_string_value(json_object_get(autom, "name")), "overwrite");
	json_decref(doc);
	card_teardown(&c);
}
END_TEST

/* A loop device without the simulator: not an mmc device, nothing about MMC in info. */
START_TEST(test_info_not_mmc)
{
	char dev[256], img[4096];
	struct tu_result r;

	if (tu_skip_unless_root("test_info_not_mmc"))
		return;
	ck_assert_int_eq(tu_loop_create(MIB, dev, sizeof(dev), img, sizeof(img)), 0);
	tu_kesu(&r, "info", "--json", dev, NULL);
	ck_assert_int_eq(r.status, 0);
	ck_assert_msg(strstr(r.out, "\"drive_protocol\": \"none\"") || strstr(r.out, "\"drive_protocol\":\"none\""),
		      "%s", r.out);
	ck_assert_ptr_null(strstr(r.out, "\"mmc\""));
	tu_result_free(&r);
	tu_loop_detach(dev);
}
END_TEST

/* ---- mmc-utils against the simulated card ---- */

static bool have_mmc_utils(const char *test)
{
	if (access("/usr/bin/mmc", X_OK) == 0)
		return true;
	fprintf(stderr, "%s: SKIP: mmc-utils (/usr/bin/mmc) is not installed (tests/deps.sh installs it)\n", test);
	return false;
}

/* The value mmc-utils prints after "[NAME: 0x..]" or "[NAME]: 0x..". */
static long mmc_field(const char *out, const char *name)
{
	char key[64];
	const char *p;

	snprintf(key, sizeof(key), "[%s", name);
	p = strstr(out, key);
	ck_assert_msg(p != NULL, "mmc extcsd read printed no %s:\n%s", name, out);
	p = strstr(p, "0x");
	ck_assert_ptr_nonnull(p);
	return strtol(p, NULL, 16);
}

START_TEST(test_mmc_utils_extcsd_agrees)
{
	const char *argv[] = { "/usr/bin/mmc", "extcsd", "read", NULL, NULL };
	struct tu_result r;
	struct card c;
	json_t *doc, *m;

	if (tu_skip_unless_root("test_mmc_utils_extcsd_agrees") ||
	    !have_mmc_utils("test_mmc_utils_extcsd_agrees"))
		return;
	card_setup(&c, ",\"ext_csd_rev\":8,\"sec_feature\":{\"secure_erase\":true,\"sanitize\":true},"
		   "\"hc_erase_grp_size\":4,\"rpmb_size_mult\":2", 2);
	argv[3] = c.sim.dev;
	sim_fx_run(&c.sim, &r, NULL, argv);
	ck_assert_msg(r.status == 0, "mmc extcsd read: %d %s", r.status, r.err);
	doc = info_json(&c);
	m = json_object_get(doc, "mmc");
	ck_has(r.out, "Extended CSD rev 1.8 (MMC 5.1)");
	ck_assert_int_eq(json_integer_value(json_object_get(m, "ext_csd_rev")), 8);
	ck_assert_int_eq(mmc_field(r.out, "SEC_FEATURE_SUPPORT"),
			 json_integer_value(json_object_get(m, "sec_feature_support")));
	ck_assert_int_eq(mmc_field(r.out, "SEC_FEATURE_SUPPORT"), 0x41);
	ck_assert_int_eq(mmc_field(r.out, "SEC_COUNT"), json_integer_value(json_object_get(m, "sectors")));
	ck_assert_int_eq(mmc_field(r.out, "BOOT_SIZE_MULTI") * 128 * 1024,
			 json_integer_value(json_object_get(m, "boot_partition_bytes")));
	ck_assert_int_eq(mmc_field(r.out, "RPMB_SIZE_MULT") * 128 * 1024,
			 json_integer_value(json_object_get(m, "rpmb_bytes")));
	ck_assert_int_eq(mmc_field(r.out, "HC_ERASE_GRP_SIZE") * 512 * 1024,
			 json_integer_value(json_object_get(m, "erase_group_bytes")));
	ck_assert_int_eq(mmc_field(r.out, "ERASE_GROUP_DEF"), 1);
	tu_result_free(&r);
	json_decref(doc);
	card_teardown(&c);
}
END_TEST

static bool region_is(const char *dev, long off, long len, int byte)
{
	uint8_t *buf = malloc((size_t)len);
	int fd = open(dev, O_RDONLY);
	bool ok = true;

	ck_assert_ptr_nonnull(buf);
	ck_assert_int_ge(fd, 0);
	posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED);
	ck_assert_int_eq(pread(fd, buf, (size_t)len, off), len);
	for (long i = 0; i < len && ok; i++)
		ok = buf[i] == byte;
	close(fd);
	free(buf);
	return ok;
}

/* mmc-utils' secure erase and sanitize reach the simulated card: whole erase groups change. */
START_TEST(test_mmc_utils_erase)
{
	const char *erase[] = { "/usr/bin/mmc", "erase", "secure-erase", "0", "0x100000", NULL, NULL };
	const char *san[] = { "/usr/bin/mmc", "sanitize", NULL, NULL };
	struct tu_result r;
	struct card c;

	if (tu_skip_unless_root("test_mmc_utils_erase") || !have_mmc_utils("test_mmc_utils_erase"))
		return;
	card_setup(&c, ",\"erased_fill\":\"ones\"", 0);
	erase[5] = c.sim.dev;
	sim_fx_run(&c.sim, &r, NULL, erase);
	ck_assert_msg(r.status == 0, "mmc erase: %d %s %s", r.status, r.out, r.err);
	tu_result_free(&r);
	/* 16 MiB: byte addresses; 0..0x100000 touches groups 0-2 of 512 KiB. */
	ck_assert(region_is(c.sim.dev, 0, 3 * 512 * 1024, 0xff));
	ck_assert(!region_is(c.sim.dev, 3 * 512 * 1024, 4096, 0xff));
	ck_assert(sim_fx_log_has(&c.sim, "mmc CMD38 part=0 arg=0x80000000 -> ok"));
	san[2] = c.sim.dev;
	sim_fx_run(&c.sim, &r, NULL, san);
	ck_assert_msg(r.status == 0, "mmc sanitize: %d %s", r.status, r.err);
	ck_assert(sim_fx_log_has(&c.sim, "mmc CMD6 part=0 arg=0x03a50101 -> ok"));
	tu_result_free(&r);
	card_teardown(&c);
}
END_TEST


/* ---- kesu wipe with the eMMC methods ---- */

struct wipe {
	int status;
	char outcome[32];
	char *text;                  /* reasons and stderr */
	json_t *record;
};

static void wipe_free(struct wipe *w)
{
	free(w->text);
	json_decref(w->record);
	memset(w, 0, sizeof(*w));
}

static void wipe_run(const struct card *c, const char *method, struct wipe *w)
{
	char out[4200];
	const char *argv[] = { tu_kesu_bin(), "wipe", "--method", method, "--yes", "--quiet", "--json",
			       "--out", out, c->sim.dev, NULL };
	struct tu_result r;
	json_error_t je;
	json_t *doc, *res, *v;
	size_t i, n;
	const char *rec;

	memset(w, 0, sizeof(*w));
	snprintf(out, sizeof(out), "%s/evidence", tu_tmpdir());
	ck_assert_int_eq(tu_sh("mkdir -p %s", out), 0);
	sim_fx_run(&c->sim, &r, NULL, argv);
	w->status = r.status;
	n = strlen(r.err) + 2;
	doc = json_loads(r.out, 0, &je);
	res = json_array_get(json_object_get(doc, "results"), 0);
	json_array_foreach(json_object_get(res, "reasons"), i, v)
		n += strlen(json_string_value(v)) + 1;
	w->text = calloc(1, n);
	ck_assert_ptr_nonnull(w->text);
	json_array_foreach(json_object_get(res, "reasons"), i, v) {
		strcat(w->text, json_string_value(v));
		strcat(w->text, "\n");
	}
	strcat(w->text, r.err);
	snprintf(w->outcome, sizeof(w->outcome), "%s", res ? json_string_value(json_object_get(res, "outcome")) : "none");
	rec = json_string_value(json_object_get(res, "record"));
	if (rec && rec[0])
		w->record = json_load_file(rec, 0, &je);
	json_decref(doc);
	tu_result_free(&r);
}

/* The record's command log has cmd with status ok. */
static bool rec_cmd_ok(const struct wipe *w, const char *cmd)
{
	json_t *e;
	size_t i;

	json_array_foreach(json_object_get(w->record, "commands"), i, e)
		if (!strcmp(json_string_value(json_object_get(e, "command")), cmd) &&
		    !strcmp(json_string_value(json_object_get(e, "status")), "ok"))
			return true;
	return false;
}

static void ck_erased(const struct card *c, const struct wipe *w, const char *method, int fill)
{
	ck_assert_msg(!strcmp(w->outcome, "ERASED"), "%s: %s (exit %d)\n%s", method, w->outcome,
		      w->status, w->text);
	ck_assert_int_eq(w->status, 0);
	ck_assert_str_eq(json_string_value(json_object_get(json_object_get(w->record, "method"), "name")),
			 method);
	ck_assert_str_eq(json_string_value(json_object_get(json_object_get(w->record, "method"),
							   "category")), "Purge");
	ck_assert(region_is(c->sim.dev, 0, DEV_SIZE, fill));
	for (unsigned i = 0; i < 2; i++)
		if (c->boot_dev[i][0])
			ck_assert_msg(region_is(c->boot_dev[i], 0, BOOT_SIZE, fill), "boot%u not erased", i);
	ck_assert(rec_cmd_ok(w, "readback after erase"));
}

START_TEST(test_wipe_sanitize)
{
	struct card c;
	struct wipe w;

	if (tu_skip_unless_root("test_wipe_sanitize"))
		return;
	card_setup(&c, "", 2);
	wipe_run(&c, "mmc-sanitize", &w);
	ck_erased(&c, &w, "mmc-sanitize", 0);
	ck_assert(rec_cmd_ok(&w, "ERASE user area"));
	ck_assert(rec_cmd_ok(&w, "ERASE boot0"));
	ck_assert(rec_cmd_ok(&w, "readback boot1"));
	ck_assert(rec_cmd_ok(&w, "SANITIZE"));
	ck_has(w.text, "RPMB partition (128 KiB) is not erased");
	ck_assert(sim_fx_log_has(&c.sim, "mmc CMD6 part=0 arg=0x03a50100 -> ok"));
	ck_assert(sim_fx_log_has(&c.sim, "mmc CMD38 part=1 arg=0x00000000 -> ok"));
	ck_assert(sim_fx_log_has(&c.sim, "mmc CMD38 part=2 arg=0x00000000 -> ok"));
	wipe_free(&w);
	card_teardown(&c);
}
END_TEST

START_TEST(test_wipe_secure_erase)
{
	struct card c;
	struct wipe w;

	if (tu_skip_unless_root("test_wipe_secure_erase"))
		return;
	/* 0xFF after an erase, an erase group of 2 MiB. */
	card_setup(&c, ",\"erased_fill\":\"ones\",\"hc_erase_grp_size\":4", 2);
	wipe_run(&c, "mmc-secure-erase", &w);
	ck_erased(&c, &w, "mmc-secure-erase", 0xff);
	ck_assert(rec_cmd_ok(&w, "SECURE ERASE user area"));
	ck_assert(!rec_cmd_ok(&w, "SANITIZE"));
	ck_assert(sim_fx_log_has(&c.sim, "mmc CMD38 part=0 arg=0x80000000 -> ok"));
	ck_assert(sim_fx_log_has(&c.sim, "mmc CMD38 part=2 arg=0x80000000 -> ok"));
	ck_assert_str_eq(json_string_value(json_object_get(json_object_get(w.record, "verification"),
							   "expect")), "one");
	wipe_free(&w);
	card_teardown(&c);
}
END_TEST

/* The method kesu info says auto takes for a card configured with extra. */
static void ck_auto_info(const char *extra, const char *want)
{
	struct card c;
	json_t *doc;
	const char *name;

	card_setup(&c, extra, 0);
	doc = info_json(&c);
	name = json_string_value(json_object_get(json_object_get(doc, "method_auto"), "name"));
	ck_assert_msg(name && !strcmp(name, want), "card%s: auto is %s, want %s", extra,
		      name ? name : "(none)", want);
	json_decref(doc);
	card_teardown(&c);
}

/* auto: sanitize when offered, else secure erase, else (and on SD) an overwrite that says why. */
START_TEST(test_wipe_auto)
{
	struct card c;
	struct wipe w;
	char *text;

	if (tu_skip_unless_root("test_wipe_auto"))
		return;
	/* Each kind of card: the documented choice (README, Firmware erase). */
	ck_auto_info("", "mmc-sanitize");
	ck_auto_info(",\"sec_feature\":{\"secure_erase\":false,\"secure_trim\":false,\"sanitize\":true}",
		     "mmc-sanitize");
	/* SANITIZE exists from eMMC 4.5 (EXT_CSD_REV 6): a 4.41 card's bit 6 does not count. */
	ck_auto_info(",\"ext_csd_rev\":5", "mmc-secure-erase");
	ck_auto_info(",\"sec_feature\":0", "overwrite");
	ck_auto_info(",\"card\":\"sd\"", "overwrite");
	card_setup(&c, ",\"sec_feature\":1", 0);
	text = info_text(&c);
	ck_has(text, "auto: mmc-secure-erase, the strongest Purge");
	free(text);
	wipe_run(&c, "auto", &w);
	ck_erased(&c, &w, "mmc-secure-erase", 0);
	ck_has(w.text, "no boot partitions");
	wipe_free(&w);
	card_teardown(&c);

	card_setup(&c, ",\"card\":\"sd\"", 0);
	wipe_run(&c, "auto", &w);
	ck_assert_msg(!strcmp(w.outcome, "ERASED"), "%s\n%s", w.outcome, w.text);
	ck_assert_str_eq(json_string_value(json_object_get(json_object_get(w.record, "method"), "name")),
			 "overwrite");
	ck_assert_str_eq(json_string_value(json_object_get(json_object_get(w.record, "method"),
							   "category")), "Clear");
	/* (The passes follow the transport: 2 on a real card reader, 1 on the loop device here.) */
	ck_has(w.text, "auto: overwrite");
	ck_has(w.text, "an SD card has no purge command");
	wipe_free(&w);
	card_teardown(&c);
}
END_TEST

static void ck_not_erased(const struct card *c, const char *method, const char *why)
{
	struct wipe w;

	wipe_run(c, method, &w);
	ck_assert_msg(!strcmp(w.outcome, "FAILED"), "%s: %s (exit %d), expected FAILED\n%s", method,
		      w.outcome, w.status, w.text);
	ck_assert_int_eq(w.status, 1);
	ck_has(w.text, why);
	wipe_free(&w);
}

/* Every misbehaviour gives FAILED, never ERASED. */
START_TEST(test_wipe_misbehaving)
{
	static const struct { const char *extra, *method, *why; } cases[] = {
		{ ",\"misbehave\":\"lie\"", "mmc-sanitize", "the readback fails" },
		{ ",\"misbehave\":\"lie\"", "mmc-secure-erase", "the readback fails" },
		{ ",\"misbehave\":\"first_lba_only\"", "mmc-secure-erase", "the readback fails" },
		{ ",\"misbehave\":\"fail_midway\"", "mmc-sanitize", "internal error" },
		{ ",\"misbehave\":\"abort\"", "mmc-secure-erase", "illegal command" },
		{ ",\"misbehave\":\"stall\",\"stall_max_seconds\":1", "mmc-sanitize", "did not answer CMD38" },
	};
	struct card c;

	if (tu_skip_unless_root("test_wipe_misbehaving"))
		return;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		card_setup(&c, cases[i].extra, 0);
		ck_not_erased(&c, cases[i].method, cases[i].why);
		card_teardown(&c);
	}
}
END_TEST

/* A sanitize that keeps the card busy (R1b) for a while: kesu waits inside the command. */
START_TEST(test_wipe_sanitize_busy)
{
	struct card c;
	struct wipe w;

	if (tu_skip_unless_root("test_wipe_sanitize_busy"))
		return;
	card_setup(&c, ",\"sanitize_seconds\":2", 0);
	wipe_run(&c, "mmc-sanitize", &w);
	ck_erased(&c, &w, "mmc-sanitize", 0);
	wipe_free(&w);
	card_teardown(&c);
}
END_TEST

/* Boot partitions that EXT_CSD lists but the kernel offers no device for: named, not ERASED. */
START_TEST(test_wipe_boot_missing)
{
	struct card c;

	if (tu_skip_unless_root("test_wipe_boot_missing"))
		return;
	card_setup(&c, ",\"boot_size_mult\":8", 0);
	ck_not_erased(&c, "mmc-secure-erase", "has no device /dev/");
	card_teardown(&c);
}
END_TEST

/* Methods the card does not offer are refused before anything is sent. */
START_TEST(test_wipe_refused)
{
	struct card c;
	struct wipe w;

	if (tu_skip_unless_root("test_wipe_refused"))
		return;
	card_setup(&c, ",\"ext_csd_rev\":5,\"sec_feature\":0", 0);
	wipe_run(&c, "mmc-sanitize", &w);
	ck_assert_int_eq(w.status, 8);
	ck_has(w.text, "does not offer sanitize");
	wipe_free(&w);
	wipe_run(&c, "mmc-secure-erase", &w);
	ck_assert_int_eq(w.status, 8);
	ck_has(w.text, "does not offer secure erase");
	wipe_free(&w);
	ck_assert(!sim_fx_log_has(&c.sim, "CMD38"));
	card_teardown(&c);

	card_setup(&c, ",\"card\":\"sd\"", 0);
	wipe_run(&c, "mmc-sanitize", &w);
	ck_assert_int_eq(w.status, 8);
	ck_has(w.text, "an SD card");
	wipe_free(&w);
	card_teardown(&c);
}
END_TEST

int main(void)
{
	const struct tu_case cases[] = {
		{ "ext_csd_decode", test_ext_csd_decode },
		{ "cmd_builders", test_cmd_builders },
		{ "info_emmc", test_info_emmc },
		{ "info_emmc_no_features", test_info_emmc_no_features },
		{ "info_sd", test_info_sd },
		{ "info_not_mmc", test_info_not_mmc },
		{ "mmc_utils_extcsd_agrees", test_mmc_utils_extcsd_agrees },
		{ "mmc_utils_erase", test_mmc_utils_erase },
		{ "wipe_sanitize", test_wipe_sanitize },
		{ "wipe_secure_erase", test_wipe_secure_erase },
		{ "wipe_auto", test_wipe_auto },
		{ "wipe_misbehaving", test_wipe_misbehaving },
		{ "wipe_sanitize_busy", test_wipe_sanitize_busy },
		{ "wipe_boot_missing", test_wipe_boot_missing },
		{ "wipe_refused", test_wipe_refused },
	};
	Suite *s = suite_create("mmc");

	tu_add_cases(s, cases, sizeof(cases) / sizeof(cases[0]), 120);
	return tu_main(s);
}
