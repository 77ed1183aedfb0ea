/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The erase method catalogue: which methods each kind of drive supports, their
 * NIST SP 800-88 class for its media, and the `auto` choice; media
 * classification; and a real probe of a loop device (no ATA, no NVMe).
 */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include <kesu/cli.h>
#include <kesu/drive.h>
#include <kesu/methods.h>

#include "lib/fakesys.h"
#include "lib/simfx.h"
#include "lib/testutil.h"

#include <sys/stat.h>
#include <sys/sysmacros.h>

static struct kesu_drive drive;
static struct kesu_method_eval ev[KESU_METHOD_COUNT];

static void ata_drive(enum kesu_media media)
{
	memset(&drive, 0, sizeof(drive));
	drive.proto = KESU_DRIVE_ATA;
	drive.media = media;
	drive.ata.capacity_sectors = 1000000;
	drive.ata.logical_sector_size = 512;
}

static void nvme_drive(void)
{
	memset(&drive, 0, sizeof(drive));
	drive.proto = KESU_DRIVE_NVME;
	drive.media = KESU_MEDIA_SSD;
	drive.nsid = 1;
}

/* Exactly the methods in want[] are supported, each with its class. */
static void expect_supported(const enum kesu_method *want, const enum kesu_nist_class *cls, size_t n)
{
	kesu_methods_evaluate(&drive, ev);
	for (unsigned m = 0; m < KESU_METHOD_COUNT; m++) {
		bool expected = false;

		ck_assert_uint_eq(ev[m].method, m);
		ck_assert_str_eq(ev[m].name, kesu_method_name((enum kesu_method)m));
		ck_assert(ev[m].reason[0] != '\0');
		for (size_t i = 0; i < n; i++) {
			if (want[i] != m)
				continue;
			expected = true;
			ck_assert_msg(ev[m].nist_class == cls[i], "%s: class %s", ev[m].name,
				      kesu_nist_class_name(ev[m].nist_class));
		}
		ck_assert_msg(ev[m].supported == expected, "%s: supported %d", ev[m].name,
			      ev[m].supported);
	}
}

static void expect_auto(enum kesu_method want)
{
	char why[256];
	enum kesu_method got = kesu_method_auto(&drive, why, sizeof(why));

	ck_assert_msg(got == want, "auto chose %s: %s", kesu_method_name(got), why);
	ck_assert_ptr_nonnull(strstr(why, kesu_method_name(want)));
}

START_TEST(test_methods_ata_hdd_enhanced)
{
	const enum kesu_method want[] = { KESU_METHOD_OVERWRITE, KESU_METHOD_ATA_SECURE_ERASE,
					  KESU_METHOD_ATA_SECURE_ERASE_ENHANCED };
	const enum kesu_nist_class cls[] = { KESU_CLASS_CLEAR, KESU_CLASS_PURGE, KESU_CLASS_PURGE };

	ata_drive(KESU_MEDIA_HDD);
	drive.ata.security.supported = true;
	drive.ata.security.enhanced_erase = true;
	drive.ata.security.erase_time_enhanced_min = 122;
	expect_supported(want, cls, 3);
	ck_assert(ev[KESU_METHOD_ATA_SECURE_ERASE_ENHANCED].ready);
	ck_assert_ptr_nonnull(strstr(ev[KESU_METHOD_ATA_SECURE_ERASE_ENHANCED].reason, "122"));
	ck_assert_uint_eq(ev[KESU_METHOD_OVERWRITE].passes, 1);
	expect_auto(KESU_METHOD_ATA_SECURE_ERASE_ENHANCED);

	/* Without enhanced erase: normal security erase, still a Purge on magnetic media. */
	drive.ata.security.enhanced_erase = false;
	expect_auto(KESU_METHOD_ATA_SECURE_ERASE);
}
END_TEST

START_TEST(test_methods_hidden_area_noted)
{
	ata_drive(KESU_MEDIA_HDD);
	drive.ata.sanitize.supported = true;
	drive.ata.sanitize.overwrite = true;
	drive.hpa.valid = true;
	drive.hpa.current_max_lba = 999999;
	drive.hpa.native_max_lba = 1000999;
	drive.hpa.hidden_sectors = 1000;
	kesu_methods_evaluate(&drive, ev);
	ck_assert_ptr_nonnull(strstr(ev[KESU_METHOD_ATA_SANITIZE_OVERWRITE].reason, "1000 sectors hidden"));
	ck_assert_ptr_nonnull(strstr(ev[KESU_METHOD_OVERWRITE].reason, "1000 sectors hidden"));
	/* Methods of the other protocol have no class here. */
	ck_assert_int_eq(ev[KESU_METHOD_NVME_FORMAT].nist_class, KESU_CLASS_NONE);
	ck_assert_int_eq(ev[KESU_METHOD_ATA_SANITIZE_OVERWRITE].nist_class, KESU_CLASS_PURGE);
}
END_TEST

START_TEST(test_methods_ata_frozen_blocks)
{
	ata_drive(KESU_MEDIA_HDD);
	drive.ata.security.supported = true;
	drive.ata.security.enhanced_erase = true;
	drive.ata.security.frozen = true;
	kesu_methods_evaluate(&drive, ev);
	ck_assert(ev[KESU_METHOD_ATA_SECURE_ERASE_ENHANCED].supported);
	ck_assert(!ev[KESU_METHOD_ATA_SECURE_ERASE_ENHANCED].ready);
	ck_assert_ptr_nonnull(strstr(ev[KESU_METHOD_ATA_SECURE_ERASE_ENHANCED].reason, "suspend"));
	ck_assert(ev[KESU_METHOD_OVERWRITE].ready);
	/* auto keeps the Purge (the wipe then refuses with the remedy) rather than silently downgrading. */
	expect_auto(KESU_METHOD_ATA_SECURE_ERASE_ENHANCED);

	drive.ata.security.frozen = false;
	drive.ata.security.locked = true;
	kesu_methods_evaluate(&drive, ev);
	ck_assert(!ev[KESU_METHOD_ATA_SECURE_ERASE].ready);
	ck_assert(!ev[KESU_METHOD_OVERWRITE].ready);
}
END_TEST

START_TEST(test_methods_ata_ssd_sanitize)
{
	const enum kesu_method want[] = { KESU_METHOD_OVERWRITE, KESU_METHOD_ATA_SECURE_ERASE,
					  KESU_METHOD_ATA_SECURE_ERASE_ENHANCED,
					  KESU_METHOD_ATA_SANITIZE_CRYPTO, KESU_METHOD_ATA_SANITIZE_BLOCK };
	const enum kesu_nist_class cls[] = { KESU_CLASS_CLEAR, KESU_CLASS_CLEAR, KESU_CLASS_CLEAR,
					     KESU_CLASS_PURGE, KESU_CLASS_PURGE };

	ata_drive(KESU_MEDIA_SSD);
	drive.ata.security.supported = true;
	drive.ata.security.enhanced_erase = true;
	drive.ata.sanitize.supported = true;
	drive.ata.sanitize.block = true;
	drive.ata.sanitize.crypto = true;
	expect_supported(want, cls, 5);
	expect_auto(KESU_METHOD_ATA_SANITIZE_BLOCK);

	drive.ata.sanitize.block = false;
	expect_auto(KESU_METHOD_ATA_SANITIZE_CRYPTO);

	/* Sanitize overwrite alone on flash is a Clear: auto falls back to overwrite. */
	drive.ata.sanitize.crypto = false;
	drive.ata.sanitize.overwrite = true;
	kesu_methods_evaluate(&drive, ev);
	ck_assert(ev[KESU_METHOD_ATA_SANITIZE_OVERWRITE].supported);
	ck_assert_int_eq(ev[KESU_METHOD_ATA_SANITIZE_OVERWRITE].nist_class, KESU_CLASS_CLEAR);
	expect_auto(KESU_METHOD_OVERWRITE);
}
END_TEST

START_TEST(test_methods_ata_ssd_security_only_is_clear)
{
	char why[256];

	ata_drive(KESU_MEDIA_SSD);
	drive.ata.security.supported = true;
	drive.ata.security.enhanced_erase = true;
	ck_assert_int_eq(kesu_method_auto(&drive, why, sizeof(why)), KESU_METHOD_OVERWRITE);
	ck_assert_ptr_nonnull(strstr(why, "Clear"));
}
END_TEST

START_TEST(test_methods_nvme_sanicap_crypto)
{
	const enum kesu_method want[] = { KESU_METHOD_OVERWRITE, KESU_METHOD_NVME_FORMAT,
					  KESU_METHOD_NVME_SANITIZE_CRYPTO };
	const enum kesu_nist_class cls[] = { KESU_CLASS_CLEAR, KESU_CLASS_PURGE, KESU_CLASS_PURGE };

	nvme_drive();
	drive.nvme.oacs_format = true;
	drive.nvme.sanicap.crypto = true;
	expect_supported(want, cls, 3);
	ck_assert_ptr_nonnull(strstr(ev[KESU_METHOD_NVME_SANITIZE_CRYPTO].reason, "every namespace"));
	ck_assert_ptr_nonnull(strstr(ev[KESU_METHOD_NVME_FORMAT].reason, "this namespace"));
	expect_auto(KESU_METHOD_NVME_SANITIZE_CRYPTO);

	/* FNA: crypto format needs bit 2; bit 0 makes a format controller-wide. */
	drive.nvme.fna.crypto_erase = true;
	drive.nvme.fna.format_all_ns = true;
	kesu_methods_evaluate(&drive, ev);
	ck_assert(ev[KESU_METHOD_NVME_FORMAT_CRYPTO].supported);
	ck_assert_ptr_nonnull(strstr(ev[KESU_METHOD_NVME_FORMAT].reason, "every namespace"));

	/* No sanitize at all: Format NVM (user data erase) is the Purge. */
	drive.nvme.sanicap.crypto = false;
	expect_auto(KESU_METHOD_NVME_FORMAT);
	drive.nvme.sanicap.block = true;
	expect_auto(KESU_METHOD_NVME_SANITIZE_BLOCK);

	/* No Format, no sanitize: overwrite. */
	memset(&drive.nvme, 0, sizeof(drive.nvme));
	expect_auto(KESU_METHOD_OVERWRITE);
}
END_TEST

START_TEST(test_methods_usb_flash)
{
	const enum kesu_method want[] = { KESU_METHOD_OVERWRITE };
	const enum kesu_nist_class cls[] = { KESU_CLASS_CLEAR };
	struct kesu_dev_identity id;

	memset(&id, 0, sizeof(id));
	id.transport = KESU_TR_USB;
	id.removable = true;
	id.rotational = true;                          /* USB sticks often claim it */
	memset(&drive, 0, sizeof(drive));
	drive.media = kesu_media_classify(&id, &drive);
	ck_assert_int_eq(drive.media, KESU_MEDIA_FLASH);
	expect_supported(want, cls, 1);
	ck_assert_uint_eq(ev[KESU_METHOD_OVERWRITE].passes, 2);
	ck_assert_ptr_nonnull(strstr(ev[KESU_METHOD_OVERWRITE].reason, "complement"));
	expect_auto(KESU_METHOD_OVERWRITE);

	id.transport = KESU_TR_MMC;
	id.removable = false;
	ck_assert_int_eq(kesu_media_classify(&id, &drive), KESU_MEDIA_FLASH);
}
END_TEST

START_TEST(test_methods_media_classify)
{
	struct kesu_dev_identity id;

	memset(&id, 0, sizeof(id));
	ata_drive(KESU_MEDIA_UNKNOWN);
	drive.ata.rotation_rate = 1;
	ck_assert_int_eq(kesu_media_classify(&id, &drive), KESU_MEDIA_SSD);
	drive.ata.rotation_rate = 7200;
	ck_assert_int_eq(kesu_media_classify(&id, &drive), KESU_MEDIA_HDD);
	drive.ata.rotation_rate = 0;                   /* not reported: sysfs decides */
	id.rotational = true;
	ck_assert_int_eq(kesu_media_classify(&id, &drive), KESU_MEDIA_HDD);
	id.rotational = false;
	ck_assert_int_eq(kesu_media_classify(&id, &drive), KESU_MEDIA_SSD);

	/* An ATA drive in a USB enclosure is classified by the drive, not the bus. */
	id.transport = KESU_TR_USB;
	id.removable = true;
	drive.ata.rotation_rate = 5400;
	ck_assert_int_eq(kesu_media_classify(&id, &drive), KESU_MEDIA_HDD);

	nvme_drive();
	ck_assert_int_eq(kesu_media_classify(&id, &drive), KESU_MEDIA_SSD);

	memset(&drive, 0, sizeof(drive));
	id.transport = KESU_TR_VIRTIO;
	ck_assert_int_eq(kesu_media_classify(&id, &drive), KESU_MEDIA_UNKNOWN);
}
END_TEST

START_TEST(test_methods_names)
{
	enum kesu_method m;

	for (unsigned i = 0; i < KESU_METHOD_COUNT; i++) {
		ck_assert_int_eq(kesu_method_parse(kesu_method_name((enum kesu_method)i), &m), 0);
		ck_assert_uint_eq(m, i);
	}
	ck_assert_int_eq(kesu_method_parse("auto", &m), -KESU_E_BAD_INPUT);
	ck_assert_int_eq(kesu_method_parse("ata-secure", &m), -KESU_E_BAD_INPUT);
	ck_assert_ptr_null(kesu_method_name(KESU_METHOD_COUNT));
	ck_assert_str_eq(kesu_nist_class_name(KESU_CLASS_PURGE), "Purge");
	ck_assert_str_eq(kesu_nist_class_name(KESU_CLASS_CLEAR), "Clear");
	ck_assert_int_eq(kesu_method_class(KESU_METHOD_ATA_SECURE_ERASE, KESU_MEDIA_HDD), KESU_CLASS_PURGE);
	ck_assert_int_eq(kesu_method_class(KESU_METHOD_ATA_SECURE_ERASE, KESU_MEDIA_SSD), KESU_CLASS_CLEAR);
}
END_TEST

/*
 * The table is whole: every row names itself, has a family, a check, a help
 * line and (firmware) a runner; names and `auto` ranks are unique; `auto`'s
 * order is every ranked row; kesu wipe --help and its error list every
 * firmware method, and the TUI needs nothing else.
 */
START_TEST(test_methods_table_complete)
{
	enum kesu_method order[KESU_METHOD_COUNT];
	size_t ranked = 0, n;
	struct tu_result r;

	for (unsigned i = 0; i < KESU_METHOD_COUNT; i++) {
		const struct kesu_method_desc *md = kesu_method_desc((enum kesu_method)i);

		ck_assert_msg(md != NULL, "row %u is empty", i);
		ck_assert_uint_eq(md->method, i);
		ck_assert_ptr_nonnull(md->check);
		ck_assert_msg(md->help && md->help[0] && strlen(md->help) <= 50,
			      "%s: help line missing or longer than 50 characters (80 columns in --help)", md->name);
		ck_assert_msg(strlen(md->name) <= 25, "%s: name longer than --help's column", md->name);
		ck_assert_ptr_nonnull(md->commands);
		ck_assert_str_ne(kesu_method_family_name(md->family), "?");
		ck_assert_str_ne(kesu_method_leaves_name(md->leaves), "?");
		ck_assert_int_ne(md->nist_hdd, KESU_CLASS_NONE);
		ck_assert_int_ne(md->nist_flash, KESU_CLASS_NONE);
		ck_assert(kesu_method_find(md->name) == md);
		ck_assert(kesu_method_is_firmware(md->method) == (md->run != NULL));
		ck_assert(kesu_method_takes_pattern32(md->method) ==
			  (md->leaves == KESU_LEAVES_PATTERN32));
		if (md->auto_rank) {
			ranked++;
			for (unsigned j = 0; j < i; j++)
				ck_assert_msg(kesu_methods[j].auto_rank != md->auto_rank,
					      "%s and %s share auto rank %u", kesu_methods[j].name,
					      md->name, md->auto_rank);
		}
	}
	ck_assert_ptr_null(kesu_method_find(KESU_METHOD_AUTO_NAME));
	ck_assert_uint_eq(kesu_methods[KESU_METHOD_OVERWRITE].auto_rank, 0);
	n = kesu_methods_by_preference(order, KESU_METHOD_COUNT);
	ck_assert_uint_eq(n, ranked);
	for (size_t i = 1; i < n; i++)
		ck_assert_uint_lt(kesu_method_desc(order[i - 1])->auto_rank,
				  kesu_method_desc(order[i])->auto_rank);

	ck_assert_int_eq(tu_kesu(&r, "wipe", "--help", NULL), 0);
	ck_assert_int_eq(r.status, 0);
	for (unsigned i = 0; i < KESU_METHOD_COUNT; i++)
		if (kesu_method_is_firmware((enum kesu_method)i))
			ck_assert_msg(strstr(r.out, kesu_methods[i].name) &&
				      strstr(r.out, kesu_methods[i].help), "--help lacks %s",
				      kesu_methods[i].name);
	tu_result_free(&r);
	ck_assert_int_eq(tu_kesu(&r, "wipe", "--method", "no-such-method", "/dev/null", NULL), 0);
	ck_assert_int_eq(r.status, KESU_EXIT_USAGE);
	for (unsigned i = 0; i < KESU_METHOD_COUNT; i++)
		ck_assert_msg(strstr(r.err, kesu_methods[i].name), "the error lacks %s",
			      kesu_methods[i].name);
	tu_result_free(&r);
}
END_TEST

/* A real loop device answers neither NVMe nor ATA: overwrite only. */
START_TEST(test_methods_loop_device_probe)
{
	const enum kesu_method want[] = { KESU_METHOD_OVERWRITE };
	const enum kesu_nist_class cls[] = { KESU_CLASS_CLEAR };
	struct kesu_dev_identity id;
	char dev[64], img[4096];
	int fd;

	if (tu_skip_unless_root(__func__))
		return;
	ck_assert_int_eq(tu_loop_create(8u << 20, dev, sizeof(dev), img, sizeof(img)), 0);
	memset(&id, 0, sizeof(id));
	snprintf(id.path, sizeof(id.path), "%s", dev);
	id.transport = KESU_TR_LOOP;
	fd = open(dev, O_RDONLY | O_NONBLOCK);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(kesu_drive_probe(fd, &id, &drive), 0);
	close(fd);
	ck_assert_int_eq(drive.proto, KESU_DRIVE_NONE);
	ck_assert_int_eq(drive.media, KESU_MEDIA_UNKNOWN);
	ck_assert_int_eq(drive.probe_err, 0);          /* "not this protocol" is no error */
	expect_supported(want, cls, 1);
	ck_assert_uint_eq(ev[KESU_METHOD_OVERWRITE].passes, 1);
	expect_auto(KESU_METHOD_OVERWRITE);
}
END_TEST

/* `kesu info` on a plain loop device: no drive section, overwrite the only method. */
START_TEST(test_methods_info_loop_device)
{
	char dev[64], img[4096];
	struct tu_result r;
	json_t *root, *methods, *m;
	json_error_t jerr;
	size_t i;
	int overwrite_seen = 0;

	if (tu_skip_unless_root(__func__))
		return;
	ck_assert_int_eq(tu_loop_create(8u << 20, dev, sizeof(dev), img, sizeof(img)), 0);
	ck_assert_int_eq(tu_kesu(&r, "info", "--json", dev, NULL), 0);
	ck_assert_msg(r.status == 0, "kesu info --json: %d %s", r.status, r.err);
	root = json_loads(r.out, 0, &jerr);
	ck_assert_msg(root != NULL, "not JSON: %s", jerr.text);
	ck_assert_str_eq(json_string_value(json_object_get(root, "drive_protocol")), "none");
	ck_assert_str_eq(json_string_value(json_object_get(root, "media")), "unknown");
	ck_assert_ptr_null(json_object_get(root, "ata"));
	ck_assert_ptr_null(json_object_get(root, "nvme"));
	methods = json_object_get(root, "methods");
	ck_assert_uint_eq(json_array_size(methods), KESU_METHOD_COUNT);
	json_array_foreach(methods, i, m) {
		const char *name = json_string_value(json_object_get(m, "name"));
		bool supported = json_is_true(json_object_get(m, "supported"));

		ck_assert_ptr_nonnull(json_string_value(json_object_get(m, "reason")));
		if (!strcmp(name, "overwrite")) {
			overwrite_seen++;
			ck_assert(supported);
			ck_assert_str_eq(json_string_value(json_object_get(m, "class")), "Clear");
		} else {
			ck_assert_msg(!supported, "%s supported on a loop device", name);
		}
	}
	ck_assert_int_eq(overwrite_seen, 1);
	ck_assert_str_eq(json_string_value(json_object_get(json_object_get(root, "method_auto"), "name")),
			 "overwrite");
	json_decref(root);
	tu_result_free(&r);

	ck_assert_int_eq(tu_kesu(&r, "info", dev, NULL), 0);
	ck_assert_int_eq(r.status, 0);
	ck_assert_ptr_nonnull(strstr(r.out, "auto: overwrite"));
	ck_assert_ptr_null(strstr(r.out, "ata-secure-erase"));
	tu_result_free(&r);
}
END_TEST

/* The pass rule: USB flash and memory cards get a pattern and its complement by default. */
static unsigned passes_for(const struct kesu_dev_identity *id, enum kesu_drive_proto proto)
{
	memset(&drive, 0, sizeof(drive));
	drive.proto = proto;
	drive.media = kesu_media_classify(id, &drive);
	return kesu_method_default_passes(&drive);
}

START_TEST(test_methods_pass_rule)
{
	struct kesu_dev_identity id;

	memset(&id, 0, sizeof(id));
	id.transport = KESU_TR_SATA;
	id.rotational = true;
	ck_assert_uint_eq(passes_for(&id, KESU_DRIVE_ATA), 1);
	id.transport = KESU_TR_NVME;
	id.rotational = false;
	ck_assert_uint_eq(passes_for(&id, KESU_DRIVE_NVME), 1);
	id.transport = KESU_TR_USB;
	id.removable = true;
	ck_assert_uint_eq(passes_for(&id, KESU_DRIVE_NONE), 2);
	id.removable = false;               /* a USB stick that says fixed */
	ck_assert_uint_eq(passes_for(&id, KESU_DRIVE_NONE), 2);
	/* An SSD behind a USB-SATA bridge that answers ATA is an SSD, whatever the bus. */
	ck_assert_uint_eq(passes_for(&id, KESU_DRIVE_ATA), 1);
	id.rotational = true;               /* a USB hard disk */
	ck_assert_uint_eq(passes_for(&id, KESU_DRIVE_NONE), 1);
	id.transport = KESU_TR_MMC;
	ck_assert_uint_eq(passes_for(&id, KESU_DRIVE_NONE), 2);
}
END_TEST

/* The overwrite's passes in `kesu info --json DEV`. */
static long info_passes(const struct sim_fx *f, const char *dev)
{
	const char *argv[] = { tu_kesu_bin(), "info", "--json", dev, NULL };
	struct tu_result r;
	json_t *root, *m;
	long passes = -1;
	size_t i;

	sim_fx_run(f, &r, NULL, argv);
	ck_assert_msg(r.status == 0, "kesu info --json: %d %s", r.status, r.err);
	root = json_loads(r.out, 0, NULL);
	ck_assert_msg(root != NULL, "not JSON: %s", r.out);
	json_array_foreach(json_object_get(root, "methods"), i, m)
		if (!strcmp(json_string_value(json_object_get(m, "name")), "overwrite"))
			passes = (long)json_integer_value(json_object_get(m, "passes"));
	json_decref(root);
	tu_result_free(&r);
	return passes;
}

/* The passes in `kesu wipe --dry-run --json DEV`. */
static long dry_run_passes(const struct sim_fx *f, const char *dev)
{
	const char *argv[] = { tu_kesu_bin(), "wipe", "--dry-run", "--json", dev, NULL };
	struct tu_result r;
	json_t *root, *plan;
	long passes;

	sim_fx_run(f, &r, NULL, argv);
	ck_assert_msg(r.status == 0, "kesu wipe --dry-run --json: %d %s", r.status, r.err);
	root = json_loads(r.out, 0, NULL);
	ck_assert_msg(root != NULL, "not JSON: %s", r.out);
	plan = json_is_array(root) ? json_array_get(root, 0) : root;
	if (json_is_array(json_object_get(plan, "devices")))
		plan = json_array_get(json_object_get(plan, "devices"), 0);
	ck_assert_msg(json_is_integer(json_object_get(plan, "passes")), "no passes: %s", r.out);
	passes = (long)json_integer_value(json_object_get(plan, "passes"));
	json_decref(root);
	tu_result_free(&r);
	return passes;
}

/*
 * One pass rule for info and wipe: an SSD behind a USB-SATA bridge that
 * answers ATA (the simulator on a loop device that a fake sysfs shows as a
 * USB disk, not removable, not rotating) is an SSD: one pass in both. The
 * same disk when no drive answers, and removable, is a USB stick: two.
 */
START_TEST(test_methods_passes_info_equal_wipe_dry_run)
{
	char devno[32];
	struct sim_fx f;
	struct fakesys fs;
	struct stat st;

	if (tu_skip_unless_root(__func__))
		return;
	sim_fx_setup(&f, 16u << 20, "{\"devices\":[{\"path\":\"%s\",\"type\":\"ata\","
		     "\"serial\":\"S-USB-SSD-1\",\"model\":\"KESU SIM SSD\"}]}");
	ck_assert_int_eq(stat(f.dev, &st), 0);
	snprintf(devno, sizeof(devno), "%u:%u", major(st.st_rdev), minor(st.st_rdev));
	ck_assert_int_eq(fakesys_create(&fs), 0);
	ck_assert_int_eq(fakesys_usb_bridge_disk(&fs, "sdw", devno, (16u << 20) / 512,
						 "BRIDGE-0001"), 0);
	ck_assert_int_eq(info_passes(&f, f.dev), 1);
	ck_assert_int_eq(dry_run_passes(&f, f.dev), 1);

	/* No drive behind the bridge, and the disk says removable: a USB stick. */
	sim_fx_use_config(&f, "{\"devices\":[]}");
	ck_assert_int_eq(fakesys_write(&fs, "class/block/sdw/removable", "1\n", 2), 0);
	ck_assert_int_eq(info_passes(&f, f.dev), 2);
	ck_assert_int_eq(dry_run_passes(&f, f.dev), 2);
	unsetenv("KESU_SYSFS_ROOT");
	unsetenv("KESU_PROC_ROOT");
}
END_TEST

int main(void)
{
	Suite *s = suite_create("methods");
	struct tu_case tests[] = {
		{ "ata_hdd_enhanced", test_methods_ata_hdd_enhanced },
		{ "hidden_area_noted", test_methods_hidden_area_noted },
		{ "ata_frozen_blocks", test_methods_ata_frozen_blocks },
		{ "ata_ssd_sanitize", test_methods_ata_ssd_sanitize },
		{ "ata_ssd_security_only_is_clear", test_methods_ata_ssd_security_only_is_clear },
		{ "nvme_sanicap_crypto", test_methods_nvme_sanicap_crypto },
		{ "usb_flash", test_methods_usb_flash },
		{ "media_classify", test_methods_media_classify },
		{ "names", test_methods_names },
		{ "table_complete", test_methods_table_complete },
		{ "loop_device_probe", test_methods_loop_device_probe },
		{ "info_loop_device", test_methods_info_loop_device },
		{ "pass_rule", test_methods_pass_rule },
		{ "passes_info_equal_wipe_dry_run", test_methods_passes_info_equal_wipe_dry_run },
	};

	TU_ADD_CASES(s, tests, 0);
	return tu_main(s);
}
