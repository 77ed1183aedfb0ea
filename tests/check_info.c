/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * `kesu info`: identity, partition tables and filesystems that the tests
 * create on loop devices and images, and the refusals with their exit codes.
 */
#include <check.h>
#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <kesu/cli.h>
#include <kesu/probe.h>

#include "lib/fakesys.h"
#include "lib/testutil.h"

#define MiB (1024 * 1024)

static const char *str_of(json_t *v)
{
	const char *s = json_string_value(v);

	return s ? s : "";
}

static json_t *info_json(const char *dev)
{
	struct tu_result r;
	json_error_t jerr;
	json_t *root;

	ck_assert_int_eq(tu_kesu(&r, "info", "--json", dev, NULL), 0);
	ck_assert_msg(r.status == 0, "exit %d: %s", r.status, r.err);
	root = json_loads(r.out, 0, &jerr);
	ck_assert_msg(root != NULL, "bad JSON: %s", jerr.text);
	tu_result_free(&r);
	return root;
}

/* An image with a GPT: partition 1 (1 MiB, 32 MiB) holds ext4 labelled label. */
static void make_gpt_image(char *img, size_t len, const char *label)
{
	ck_assert_int_eq(tu_image_create(64 * MiB, img, len), 0);
	ck_assert_int_eq(tu_sh("printf 'label: gpt\\nstart=2048, size=65536, type=L, name=kesudata\\n"
			       "type=L\\n' | sfdisk -q '%s' >/dev/null", img), 0);
	ck_assert_int_eq(tu_sh("mkfs.ext4 -q -F -L %s -E offset=%d '%s' 32M", label, MiB, img), 0);
}

START_TEST(test_info_loop_ext4_type_and_label)
{
	char dev[4096], img[4096], *uuid;
	struct tu_result r;
	json_t *root, *fs;

	if (tu_skip_unless_root("test_info_loop_ext4_type_and_label"))
		return;
	ck_assert_int_eq(tu_loop_create(16 * MiB, dev, sizeof(dev), img, sizeof(img)), 0);
	ck_assert_int_eq(tu_sh("mkfs.ext4 -q -L kesuinfo %s", dev), 0);
	uuid = tu_sh_out("blkid -p -s UUID -o value %s", dev);
	ck_assert_ptr_nonnull(uuid);
	uuid[strcspn(uuid, "\n")] = '\0';

	ck_assert_int_eq(tu_kesu(&r, "info", dev, NULL), 0);
	ck_assert_msg(r.status == 0, "exit %d: %s", r.status, r.err);
	ck_assert_ptr_nonnull(strstr(r.out, "ext4"));
	ck_assert_ptr_nonnull(strstr(r.out, "\"kesuinfo\""));
	ck_assert_ptr_nonnull(strstr(r.out, uuid));
	ck_assert_ptr_nonnull(strstr(r.out, "16777216 bytes"));
	tu_result_free(&r);

	root = info_json(dev);
	fs = json_object_get(root, "filesystem");
	ck_assert(json_is_object(fs));
	ck_assert_str_eq(str_of(json_object_get(fs, "type")), "ext4");
	ck_assert_str_eq(str_of(json_object_get(fs, "label")), "kesuinfo");
	ck_assert_str_eq(str_of(json_object_get(fs, "uuid")), uuid);
	ck_assert(json_is_null(json_object_get(root, "partition_table")));
	ck_assert_str_eq(str_of(json_object_get(root, "transport")), "loop");
	ck_assert_int_eq(json_integer_value(json_object_get(root, "size")), 16 * MiB);
	ck_assert_int_eq(json_integer_value(json_object_get(root, "logical_sector_size")), 512);
	ck_assert(json_is_boolean(json_object_get(root, "discard")));
	ck_assert(json_is_true(json_object_get(root, "safe")));
	json_decref(root);
	free(uuid);
}
END_TEST

START_TEST(test_info_image_gpt_partitions)
{
	char img[4096];
	struct tu_result r;
	json_t *root, *pt, *parts, *p1, *fs;

	make_gpt_image(img, sizeof(img), "kesupart");
	ck_assert_int_eq(tu_kesu(&r, "info", img, NULL), 0);
	ck_assert_msg(r.status == 0, "exit %d: %s", r.status, r.err);
	ck_assert_ptr_nonnull(strstr(r.out, "Partition table: gpt"));
	ck_assert_ptr_nonnull(strstr(r.out, "kesupart"));
	ck_assert_ptr_nonnull(strstr(r.out, "kesudata"));
	ck_assert_ptr_nonnull(strstr(r.out, "Linux filesystem"));
	tu_result_free(&r);

	root = info_json(img);
	ck_assert_str_eq(str_of(json_object_get(root, "transport")), "image");
	ck_assert(json_is_true(json_object_get(root, "image")));
	pt = json_object_get(root, "partition_table");
	ck_assert_str_eq(str_of(json_object_get(pt, "type")), "gpt");
	ck_assert_uint_gt(strlen(str_of(json_object_get(pt, "uuid"))), 0);
	parts = json_object_get(pt, "partitions");
	ck_assert_uint_eq(json_array_size(parts), 2);
	p1 = json_array_get(parts, 0);
	ck_assert_int_eq(json_integer_value(json_object_get(p1, "number")), 1);
	ck_assert_int_eq(json_integer_value(json_object_get(p1, "start")), MiB);
	ck_assert_int_eq(json_integer_value(json_object_get(p1, "size")), 32 * MiB);
	ck_assert_str_eq(str_of(json_object_get(p1, "name")), "kesudata");
	/* sfdisk's "L" is the Linux filesystem GUID. */
	ck_assert_str_eq(str_of(json_object_get(p1, "type")), "0fc63daf-8483-4772-8e79-3d69d8477de4");
	ck_assert_str_eq(str_of(json_object_get(p1, "type_name")), "Linux filesystem");
	fs = json_object_get(p1, "filesystem");
	ck_assert_str_eq(str_of(json_object_get(fs, "type")), "ext4");
	ck_assert_str_eq(str_of(json_object_get(fs, "label")), "kesupart");
	ck_assert(json_is_null(json_object_get(json_array_get(parts, 1), "filesystem")));
	json_decref(root);
}
END_TEST

START_TEST(test_info_loop_dos_partition_table)
{
	char dev[4096], img[4096];
	json_t *root, *pt, *p1;

	if (tu_skip_unless_root("test_info_loop_dos_partition_table"))
		return;
	ck_assert_int_eq(tu_image_create(16 * MiB, img, sizeof(img)), 0);
	ck_assert_int_eq(tu_sh("printf 'label: dos\\nstart=2048, size=8192, type=83\\n' | "
			       "sfdisk -q '%s' >/dev/null", img), 0);
	ck_assert_int_eq(tu_loop_attach(img, dev, sizeof(dev)), 0);
	root = info_json(dev);
	pt = json_object_get(root, "partition_table");
	ck_assert_str_eq(str_of(json_object_get(pt, "type")), "dos");
	ck_assert_uint_eq(json_array_size(json_object_get(pt, "partitions")), 1);
	p1 = json_array_get(json_object_get(pt, "partitions"), 0);
	ck_assert_str_eq(str_of(json_object_get(p1, "type")), "0x83");
	ck_assert_str_eq(str_of(json_object_get(p1, "type_name")), "Linux");
	ck_assert_int_eq(json_integer_value(json_object_get(p1, "size")), 8192 * 512);
	json_decref(root);
}
END_TEST

START_TEST(test_info_partition_outside_the_device)
{
	/* An MBR whose first entry starts far beyond the end of a 4 MiB image. */
	static const unsigned char entries[32] = {
		0, 0, 0, 0, 0x83, 0, 0, 0, 0xa0, 0x86, 0x01, 0x00, 0x00, 0x08, 0, 0,
		0, 0, 0, 0, 0x83, 0, 0, 0, 0x00, 0x08, 0x00, 0x00, 0x00, 0x10, 0, 0,
	};
	static const unsigned char sig[2] = { 0x55, 0xaa };
	char img[4096];
	json_t *root, *parts;
	FILE *f;

	ck_assert_int_eq(tu_image_create(4 * MiB, img, sizeof(img)), 0);
	f = fopen(img, "r+b");
	ck_assert_ptr_nonnull(f);
	ck_assert_int_eq(fseek(f, 0x1be, SEEK_SET), 0);
	ck_assert_uint_eq(fwrite(entries, 1, sizeof(entries), f), sizeof(entries));
	ck_assert_int_eq(fseek(f, 510, SEEK_SET), 0);
	ck_assert_uint_eq(fwrite(sig, 1, sizeof(sig), f), sizeof(sig));
	ck_assert_int_eq(fclose(f), 0);

	root = info_json(img);
	ck_assert(json_is_null(json_object_get(root, "probe_error")));
	parts = json_object_get(json_object_get(root, "partition_table"), "partitions");
	ck_assert_uint_eq(json_array_size(parts), 2);
	ck_assert_int_eq(json_integer_value(json_object_get(json_array_get(parts, 0), "start")),
			 100000LL * 512);
	ck_assert(json_is_null(json_object_get(json_array_get(parts, 0), "filesystem")));
	ck_assert_int_eq(json_integer_value(json_object_get(json_array_get(parts, 1), "size")),
			 4096 * 512);
	json_decref(root);
}
END_TEST

START_TEST(test_info_refusals_and_exit_codes)
{
	struct tu_result r;

	ck_assert_int_eq(tu_kesu(&r, "info", "/dev/null", NULL), 0);
	ck_assert_int_eq(r.status, KESU_EXIT_NOT_BLOCK);
	ck_assert_ptr_nonnull(strstr(r.err, "not a block device"));
	tu_result_free(&r);
	ck_assert_int_eq(tu_kesu(&r, "info", "/nonexistent/kesu-disk", NULL), 0);
	ck_assert_int_eq(r.status, KESU_EXIT_NO_DEVICE);
	ck_assert_ptr_nonnull(strstr(r.err, "/nonexistent/kesu-disk"));
	tu_result_free(&r);
	ck_assert_int_eq(tu_kesu(&r, "info", NULL), 0);
	ck_assert_int_eq(r.status, KESU_EXIT_USAGE);
	tu_result_free(&r);
	ck_assert_int_eq(tu_kesu(&r, "info", "--help", NULL), 0);
	ck_assert_int_eq(r.status, 0);
	ck_assert_ptr_nonnull(strstr(r.out, "DEVICE"));
	tu_result_free(&r);
}
END_TEST

START_TEST(test_info_partition_refused_on_fake_machine)
{
	struct fakesys fs;
	char e1[1100], e2[1100];
	const char *env[] = { e1, e2, NULL };
	struct tu_result r;

	ck_assert_int_eq(fakesys_create(&fs), 0);
	snprintf(e1, sizeof(e1), "KESU_SYSFS_ROOT=%s", fs.sys);
	snprintf(e2, sizeof(e2), "KESU_PROC_ROOT=%s", fs.proc);
	ck_assert_int_eq(tu_kesu_env(&r, env, "info", "sdz1", NULL), 0);
	ck_assert_int_eq(r.status, KESU_EXIT_NOT_DISK);
	ck_assert_ptr_nonnull(strstr(r.err, "kesu info /dev/sdz"));
	tu_result_free(&r);
	/* The whole disk is shown (its node does not exist: probing says so). */
	ck_assert_int_eq(tu_kesu_env(&r, env, "info", "sdz", NULL), 0);
	ck_assert_int_eq(r.status, 0);
	ck_assert_ptr_nonnull(strstr(r.out, "S3RIAL0001"));
	ck_assert_ptr_nonnull(strstr(r.out, "4096 physical"));
	ck_assert_ptr_nonnull(strstr(r.out, "holders"));
	tu_result_free(&r);
}
END_TEST

START_TEST(test_info_nvme_namespaces_of_the_controller)
{
	struct fakesys fs;
	char e1[1100], e2[1100];
	const char *env[] = { e1, e2, NULL };
	struct tu_result r;
	json_t *root, *ns;

	ck_assert_int_eq(fakesys_create(&fs), 0);
	ck_assert_int_eq(fakesys_mountinfo(&fs, "20 1 0:99 / / rw - tmpfs tmpfs rw\n"
					   "50 20 259:1 / /data rw - ext4 /dev/nvme0n2 rw\n"), 0);
	snprintf(e1, sizeof(e1), "KESU_SYSFS_ROOT=%s", fs.sys);
	snprintf(e2, sizeof(e2), "KESU_PROC_ROOT=%s", fs.proc);
	ck_assert_int_eq(tu_kesu_env(&r, env, "info", "nvme0n1", NULL), 0);
	ck_assert_int_eq(r.status, 0);
	ck_assert_ptr_nonnull(strstr(r.out, "nvme0n1, nvme0n2"));
	ck_assert_ptr_nonnull(strstr(r.out, "/dev/nvme0n2 mounted on /data"));
	tu_result_free(&r);

	ck_assert_int_eq(tu_kesu_env(&r, env, "info", "--json", "nvme0n1", NULL), 0);
	root = json_loads(r.out, 0, NULL);
	ck_assert_ptr_nonnull(root);
	ns = json_object_get(root, "controller_namespaces");
	ck_assert_uint_eq(json_array_size(ns), 2);
	ck_assert_str_eq(str_of(json_array_get(ns, 1)), "nvme0n2");
	ck_assert_str_eq(str_of(json_array_get(json_object_get(root, "controller_safety"), 0)),
			 "mounted");
	ck_assert(json_is_true(json_object_get(root, "safe"))); /* the namespace itself */
	json_decref(root);
	tu_result_free(&r);

	ck_assert_int_eq(tu_kesu_env(&r, env, "info", "--json", "sdz", NULL), 0);
	root = json_loads(r.out, 0, NULL);
	ck_assert_ptr_nonnull(root);
	ck_assert(json_is_null(json_object_get(root, "controller_namespaces")));
	json_decref(root);
	tu_result_free(&r);
}
END_TEST

START_TEST(test_info_real_partition_refused)
{
	char dev[4096], img[4096], part[4200], *out;
	struct tu_result r;

	if (tu_skip_unless_root("test_info_real_partition_refused"))
		return;
	ck_assert_int_eq(tu_image_create(16 * MiB, img, sizeof(img)), 0);
	ck_assert_int_eq(tu_sh("printf 'label: dos\\nstart=2048, size=8192, type=83\\n' | "
			       "sfdisk -q '%s' >/dev/null", img), 0);
	ck_assert_int_eq(tu_loop_attach(img, dev, sizeof(dev)), 0);
	/* Without udev the kernel makes the partition node only when asked: partx -u. */
	out = tu_sh_out("partx -u %s 2>&1; udevadm settle 2>/dev/null; true", dev);
	free(out);
	snprintf(part, sizeof(part), "%sp1", dev);
	ck_assert_msg(access(part, F_OK) == 0, "partx -u %s made no %s", dev, part);
	ck_assert_int_eq(tu_kesu(&r, "info", part, NULL), 0);
	ck_assert_int_eq(r.status, KESU_EXIT_NOT_DISK);
	ck_assert_ptr_nonnull(strstr(r.err, dev));
	tu_result_free(&r);
}
END_TEST

START_TEST(test_info_image_without_root)
{
	char dir[] = "/tmp/kesu-info-XXXXXX", img[4200];
	const char *argv[] = { "setpriv", "--reuid=65534", "--regid=65534", "--clear-groups",
			       tu_kesu_bin(), "info", "--json", img, NULL };
	struct tu_result r;
	json_t *root, *pt;
	int st;

	if (tu_skip_unless_root("test_info_image_without_root (drops to nobody)"))
		return;
	ck_assert_ptr_nonnull(mkdtemp(dir));
	chmod(dir, 0755);
	snprintf(img, sizeof(img), "%s/disk.img", dir);
	st = tu_sh("truncate -s 64M %s && printf 'label: gpt\\nsize=32M, type=L\\n' | "
		   "sfdisk -q %s >/dev/null && chmod 0644 %s", img, img, img);
	ck_assert_int_eq(tu_runv(&r, NULL, NULL, argv), 0);
	tu_sh("rm -rf %s", dir);
	ck_assert_int_eq(st, 0);
	ck_assert_msg(r.status == 0, "exit %d: %s", r.status, r.err);
	root = json_loads(r.out, 0, NULL);
	ck_assert_ptr_nonnull(root);
	pt = json_object_get(root, "partition_table");
	ck_assert_str_eq(str_of(json_object_get(pt, "type")), "gpt");
	json_decref(root);
	tu_result_free(&r);
}
END_TEST

START_TEST(test_info_probe_api_on_image)
{
	struct kesu_probe_result p;
	struct kesu_errbuf eb = { "" };
	char img[4096];

	make_gpt_image(img, sizeof(img), "apilabel");
	ck_assert_msg(kesu_probe(img, &p, &eb) == 0, "%s", eb.msg);
	ck_assert_str_eq(p.pttype, "gpt");
	ck_assert_uint_eq(p.nparts, 2);
	ck_assert(p.parts[0].fs.present);
	ck_assert_str_eq(p.parts[0].fs.label, "apilabel");
	ck_assert_str_eq(p.parts[0].fs.usage, "filesystem");
	ck_assert(!p.parts[1].fs.present);
	ck_assert_uint_eq(p.parts[1].start, (2048 + 65536) * 512ull);
	ck_assert(!p.fs.present);
	kesu_probe_free(&p);
	ck_assert_int_eq(kesu_probe("/nonexistent/img", &p, &eb), -ENOENT);
	ck_assert_str_eq(kesu_probe_part_type_name("C12A7328-F81F-11D2-BA4B-00A0C93EC93B"),
			 "EFI System");
	ck_assert_str_eq(kesu_probe_part_type_name("0x82"), "Linux swap");
	ck_assert_ptr_null(kesu_probe_part_type_name("0x99"));
	ck_assert_ptr_null(kesu_probe_part_type_name(NULL));
	kesu_probe_free(&p);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("info");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_info_loop_ext4_type_and_label);
	tcase_add_test(tc, test_info_image_gpt_partitions);
	tcase_add_test(tc, test_info_loop_dos_partition_table);
	tcase_add_test(tc, test_info_partition_outside_the_device);
	tcase_add_test(tc, test_info_refusals_and_exit_codes);
	tcase_add_test(tc, test_info_partition_refused_on_fake_machine);
	tcase_add_test(tc, test_info_nvme_namespaces_of_the_controller);
	tcase_add_test(tc, test_info_real_partition_refused);
	tcase_add_test(tc, test_info_image_without_root);
	tcase_add_test(tc, test_info_probe_api_on_image);
	suite_add_tcase(s, tc);
	return tu_main(s);
}
