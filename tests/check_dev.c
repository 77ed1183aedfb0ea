/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Device identity and enumeration (src/dev/sysfs.c): against a fake sysfs
 * tree describing disks this machine lacks, and against real loop devices and
 * image files.
 */
#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <kesu/dev.h>
#include <kesu/drive.h>
#include <kesu/overwrite.h>

#include "lib/fakesys.h"
#include "lib/testutil.h"

static struct fakesys fake;

static void identify_fake(const char *name, struct kesu_dev_identity *id)
{
	struct kesu_errbuf eb = { "" };

	ck_assert_int_eq(fakesys_create(&fake), 0);
	ck_assert_msg(kesu_dev_identify(name, false, id, &eb) == 0, "%s: %s", name, eb.msg);
}

START_TEST(test_dev_sata_identity_from_sysfs_and_vpd)
{
	struct kesu_dev_identity id;

	identify_fake("sdz", &id);
	ck_assert_str_eq(id.name, "sdz");
	ck_assert_str_eq(id.path, "/dev/sdz");
	ck_assert_int_eq(id.transport, KESU_TR_SATA);
	ck_assert_str_eq(kesu_transport_name(id.transport), "sata");
	ck_assert_uint_eq(id.size_bytes, 2000ull * 512);
	ck_assert_str_eq(id.vendor, "ATA");
	ck_assert_str_eq(id.model, "KESU TEST DISK");
	ck_assert_str_eq(id.firmware, "1.0");
	ck_assert_str_eq(id.serial, "S3RIAL0001"); /* from vpd_pg80, trimmed */
	ck_assert_uint_eq(id.logical_sector_size, 512);
	ck_assert_uint_eq(id.physical_sector_size, 4096);
	ck_assert_uint_eq(id.discard_max_bytes, 0);
	ck_assert(id.rotational);
	ck_assert(!id.removable && !id.readonly && !id.is_partition && !id.is_image);
	ck_assert_uint_eq(id.major, 8);
	ck_assert_uint_eq(id.minor, 0);
}
END_TEST

START_TEST(test_dev_vpd_length_beyond_data)
{
	/* A page whose length field claims more than the file holds. */
	static const unsigned char pg80[] = { 0x00, 0x80, 0x00, 0xff, 'A', 'B', 'C', ' ' };
	struct kesu_dev_identity id;

	ck_assert_int_eq(fakesys_create(&fake), 0);
	ck_assert_int_eq(fakesys_write(&fake, "devices/pci0000:00/0000:00:1f.2/ata1/host0/"
				       "target0:0:0/0:0:0:0/vpd_pg80", pg80, sizeof(pg80)), 0);
	ck_assert_int_eq(kesu_dev_identify("sdz", false, &id, NULL), 0);
	ck_assert_str_eq(id.serial, "ABC");
}
END_TEST

START_TEST(test_dev_transports_and_serial_sources)
{
	struct kesu_dev_identity id;

	identify_fake("nvme0n1", &id);
	ck_assert_int_eq(id.transport, KESU_TR_NVME);
	ck_assert_str_eq(id.serial, "NVSERIAL42");
	ck_assert_str_eq(id.model, "KESU NVME");
	ck_assert_str_eq(id.firmware, "2.0");
	ck_assert_uint_eq(id.discard_max_bytes, 2147483648ull);

	ck_assert_int_eq(kesu_dev_identify("sdy", false, &id, NULL), 0);
	ck_assert_int_eq(id.transport, KESU_TR_USB);
	ck_assert(id.removable);
	ck_assert_str_eq(id.model, "USB DISK");
	ck_assert_str_eq(id.serial, "4C530001230419116394");

	ck_assert_int_eq(kesu_dev_identify("sdx", false, &id, NULL), 0);
	ck_assert_int_eq(id.transport, KESU_TR_SCSI);

	ck_assert_int_eq(kesu_dev_identify("vdb", false, &id, NULL), 0);
	ck_assert_int_eq(id.transport, KESU_TR_VIRTIO);
	ck_assert_str_eq(id.serial, "VDSERIAL");

	ck_assert_int_eq(kesu_dev_identify("mmcblk0", false, &id, NULL), 0);
	ck_assert_int_eq(id.transport, KESU_TR_MMC);
	ck_assert_str_eq(id.model, "SD32G");
	ck_assert_str_eq(id.serial, "0x1234abcd");

	ck_assert_int_eq(kesu_dev_identify("loop6", false, &id, NULL), 0);
	ck_assert_int_eq(id.transport, KESU_TR_LOOP);
	ck_assert_str_eq(id.backing_file, "/var/tmp/x.img");

	ck_assert_int_eq(kesu_dev_identify("dm-7", false, &id, NULL), 0);
	ck_assert_int_eq(id.transport, KESU_TR_UNKNOWN);
	ck_assert_str_eq(kesu_transport_name(id.transport), "unknown");
}
END_TEST

START_TEST(test_dev_partition_identity)
{
	struct kesu_dev_identity id;

	identify_fake("sdz1", &id);
	ck_assert(id.is_partition);
	ck_assert_int_eq(id.partition_number, 1);
	ck_assert_str_eq(id.parent, "sdz");
	ck_assert_uint_eq(id.size_bytes, 1000ull * 512);
	/* Disk-wide facts come from the parent. */
	ck_assert_int_eq(id.transport, KESU_TR_SATA);
	ck_assert_uint_eq(id.physical_sector_size, 4096);
	ck_assert_str_eq(id.serial, "S3RIAL0001");
}
END_TEST

START_TEST(test_dev_partitions_and_holders_walk)
{
	struct kesu_name_list l;

	ck_assert_int_eq(fakesys_create(&fake), 0);
	ck_assert_int_eq(kesu_dev_partitions("sdz", &l), 0);
	ck_assert_uint_eq(l.n, 2);
	ck_assert_str_eq(l.names[0], "sdz1");
	ck_assert_str_eq(l.names[1], "sdz2");
	kesu_name_list_free(&l);

	/* sdz1 <- md9 <- dm-8: the walk follows holders of holders. */
	ck_assert_int_eq(kesu_dev_holders("sdz1", &l), 0);
	ck_assert_uint_eq(l.n, 2);
	ck_assert_str_eq(l.names[0], "md9");
	ck_assert_str_eq(l.names[1], "dm-8");
	kesu_name_list_free(&l);

	ck_assert_int_eq(kesu_dev_holders("sdz2", &l), 0);
	ck_assert_uint_eq(l.n, 0);
	kesu_name_list_free(&l);
}
END_TEST

START_TEST(test_dev_holders_cycle_terminates)
{
	struct kesu_name_list l;
	char a[8192], b[8192];

	ck_assert_int_eq(fakesys_create(&fake), 0);
	/* A malformed tree where dm-8 also "holds" md9: each name once, no loop. */
	snprintf(a, sizeof(a), "%s/devices/virtual/block/dm-8/holders/md9", fake.sys);
	snprintf(b, sizeof(b), "%s/devices/virtual/block/md9", fake.sys);
	ck_assert_int_eq(symlink(b, a), 0);
	ck_assert_int_eq(kesu_dev_holders("md9", &l), 0);
	ck_assert_uint_eq(l.n, 2);
	kesu_name_list_free(&l);
}
END_TEST

static bool listed(const struct kesu_dev_identity *ids, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(ids[i].name, name))
			return true;
	return false;
}

START_TEST(test_dev_list_whole_disks_and_all)
{
	struct kesu_dev_identity *ids;
	size_t n;

	ck_assert_int_eq(fakesys_create(&fake), 0);
	ck_assert_int_eq(kesu_dev_list(0, &ids, &n, NULL), 0);
	ck_assert(listed(ids, n, "sdz") && listed(ids, n, "nvme0n1") && listed(ids, n, "loop6"));
	ck_assert(!listed(ids, n, "ram0"));
	ck_assert(!listed(ids, n, "loop5")); /* unattached */
	ck_assert(!listed(ids, n, "sdz1"));
	/* Sorted naturally. */
	for (size_t i = 1; i < n; i++)
		ck_assert_int_lt(strverscmp(ids[i - 1].name, ids[i].name), 0);
	free(ids);

	ck_assert_int_eq(kesu_dev_list(KESU_DEV_LIST_ALL, &ids, &n, NULL), 0);
	ck_assert(listed(ids, n, "loop5"));
	ck_assert(!listed(ids, n, "ram0"));
	for (size_t i = 0; i + 2 < n; i++)
		if (!strcmp(ids[i].name, "sdz")) {
			/* Partitions follow their disk. */
			ck_assert_str_eq(ids[i + 1].name, "sdz1");
			ck_assert_str_eq(ids[i + 2].name, "sdz2");
			ck_assert(ids[i + 1].is_partition);
		}
	ck_assert(listed(ids, n, "sdz1"));
	free(ids);
}
END_TEST

START_TEST(test_dev_missing_and_not_block)
{
	struct kesu_dev_identity id;
	struct kesu_errbuf eb = { "" };
	char img[4096];

	ck_assert_int_eq(kesu_dev_identify("/nonexistent/kesu-disk", false, &id, &eb), -ENOENT);
	ck_assert_ptr_nonnull(strstr(eb.msg, "/nonexistent/kesu-disk"));
	ck_assert_int_eq(kesu_dev_identify("/dev/null", false, &id, &eb), -KESU_E_NOT_BLOCK);
	ck_assert_ptr_nonnull(strstr(eb.msg, "character device"));
	ck_assert_int_eq(kesu_dev_identify("/tmp", true, &id, &eb), -KESU_E_NOT_BLOCK);
	ck_assert_int_eq(tu_image_create(1 << 20, img, sizeof(img)), 0);
	ck_assert_int_eq(kesu_dev_identify(img, false, &id, &eb), -KESU_E_NOT_BLOCK);
	ck_assert_ptr_nonnull(strstr(eb.msg, "regular file"));
	ck_assert_int_eq(kesu_dev_identify("", false, &id, &eb), -ENOENT);
}
END_TEST

START_TEST(test_dev_image_identity)
{
	struct kesu_dev_identity id;
	char img[4096];

	ck_assert_int_eq(tu_image_create(3 << 20, img, sizeof(img)), 0);
	ck_assert_int_eq(kesu_dev_identify(img, true, &id, NULL), 0);
	ck_assert(id.is_image);
	ck_assert_int_eq(id.transport, KESU_TR_IMAGE);
	ck_assert_str_eq(kesu_transport_name(id.transport), "image");
	ck_assert_uint_eq(id.size_bytes, 3u << 20);
	ck_assert_uint_eq(id.logical_sector_size, 512);
	ck_assert_str_eq(id.path, img);
	ck_assert_ptr_nonnull(strstr(img, id.name));
}
END_TEST

START_TEST(test_dev_loop_identity)
{
	struct kesu_dev_identity id;
	char dev[4096], img[4096];

	if (tu_skip_unless_root("test_dev_loop_identity"))
		return;
	ck_assert_int_eq(tu_loop_create(5 << 20, dev, sizeof(dev), img, sizeof(img)), 0);
	ck_assert_int_eq(kesu_dev_identify(dev, false, &id, NULL), 0);
	ck_assert_int_eq(id.transport, KESU_TR_LOOP);
	ck_assert_uint_eq(id.size_bytes, 5u << 20);
	ck_assert_str_eq(id.backing_file, img);
	ck_assert_str_eq(id.path, dev);
	ck_assert_str_eq(id.name, strrchr(dev, '/') + 1);
	ck_assert(!id.is_partition && !id.readonly);
	ck_assert_uint_eq(id.major, 7);
}
END_TEST

/*
 * The drive's own serial and model replace the block layer's. libata (and
 * many bridges) pass only the model's first 16 characters on: that is the
 * same model, not a bridge's. A product name of its own is kept beside it.
 */
START_TEST(test_dev_adopt_drive_identity)
{
	struct kesu_dev_identity sata = { .model = "Samsung SSD 860 ", .serial = "S3Z9NB0K" };
	struct kesu_dev_identity usb = { .model = "USB3.0 BRIDGE", .serial = "BRIDGE-0042" };
	struct kesu_dev_identity quiet = { .model = "QEMU HARDDISK", .serial = "QM00001" };

	kesu_drive_adopt_identity_from(&sata, "S3Z9NB0K", "Samsung SSD 860 EVO 500GB", "ata-identify");
	ck_assert_str_eq(sata.model, "Samsung SSD 860 EVO 500GB");
	ck_assert_str_eq(sata.bridge_model, "");
	ck_assert_str_eq(sata.bridge_serial, "");
	ck_assert_str_eq(sata.serial_source, "ata-identify");

	kesu_drive_adopt_identity_from(&usb, "S-DRIVE-0001", "KESU SIM HDD", "ata-identify");
	ck_assert_str_eq(usb.model, "KESU SIM HDD");
	ck_assert_str_eq(usb.bridge_model, "USB3.0 BRIDGE");
	ck_assert_str_eq(usb.serial, "S-DRIVE-0001");
	ck_assert_str_eq(usb.bridge_serial, "BRIDGE-0042");

	/* A SCSI drive answers its serial only: the model stays the block layer's. */
	kesu_drive_adopt_identity_from(&quiet, "QM00001", NULL, "scsi-vpd80");
	ck_assert_str_eq(quiet.model, "QEMU HARDDISK");
	ck_assert_str_eq(quiet.bridge_model, "");
}
END_TEST

/* A journal written before kesu took the drive's own model still resumes on that drive, and only there. */
START_TEST(test_dev_journal_matches_older_model)
{
	struct kesu_dev_identity id = { .model = "USB3.0 BRIDGE", .serial = "BRIDGE-0042",
					.size_bytes = 1u << 20 };
	struct kesu_journal j = { .device_size = 1u << 20 };
	struct kesu_errbuf eb = { "" };

	kesu_drive_adopt_identity_from(&id, "S-DRIVE-0001", "Samsung SSD 860 EVO 500GB",
				       "ata-identify");
	snprintf(j.device_serial, sizeof(j.device_serial), "S-DRIVE-0001");
	snprintf(j.device_model, sizeof(j.device_model), "Samsung SSD 860 EVO 500GB");
	ck_assert_int_eq(kesu_journal_matches(&j, &id, &eb), 0);
	snprintf(j.device_model, sizeof(j.device_model), "USB3.0 BRIDGE");   /* the bridge's */
	ck_assert_int_eq(kesu_journal_matches(&j, &id, &eb), 0);
	snprintf(j.device_model, sizeof(j.device_model), "Samsung SSD 860 ");  /* libata's cut */
	ck_assert_int_eq(kesu_journal_matches(&j, &id, &eb), 0);
	snprintf(j.device_model, sizeof(j.device_model), "WDC WD10EZEX");
	ck_assert_int_lt(kesu_journal_matches(&j, &id, &eb), 0);
	ck_assert_ptr_nonnull(strstr(eb.msg, "WDC WD10EZEX"));
}
END_TEST

int main(void)
{
	Suite *s = suite_create("dev");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_dev_sata_identity_from_sysfs_and_vpd);
	tcase_add_test(tc, test_dev_vpd_length_beyond_data);
	tcase_add_test(tc, test_dev_transports_and_serial_sources);
	tcase_add_test(tc, test_dev_partition_identity);
	tcase_add_test(tc, test_dev_partitions_and_holders_walk);
	tcase_add_test(tc, test_dev_holders_cycle_terminates);
	tcase_add_test(tc, test_dev_list_whole_disks_and_all);
	tcase_add_test(tc, test_dev_missing_and_not_block);
	tcase_add_test(tc, test_dev_image_identity);
	tcase_add_test(tc, test_dev_loop_identity);
	tcase_add_test(tc, test_dev_adopt_drive_identity);
	tcase_add_test(tc, test_dev_journal_matches_older_model);
	suite_add_tcase(s, tc);
	return tu_main(s);
}
