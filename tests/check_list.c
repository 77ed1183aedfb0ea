/* SPDX-License-Identifier: GPL-2.0-or-later */
/* `kesu list`: the table, --json and --all, on loop devices and a fake machine. */
#include <check.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>

#include "lib/fakesys.h"
#include "lib/testutil.h"

static const char *str_of(json_t *v)
{
	const char *s = json_string_value(v);

	return s ? s : "";
}

/* The device object whose KEY is VALUE in `kesu list --json` output. */
static json_t *find_device(json_t *root, const char *key, const char *value)
{
	json_t *devs = json_object_get(root, "devices"), *d;
	size_t i;

	ck_assert(json_is_array(devs));
	json_array_foreach(devs, i, d)
		if (!strcmp(str_of(json_object_get(d, key)), value))
			return d;
	return NULL;
}

static json_t *list_json(const char *const env[], const char *extra)
{
	struct tu_result r;
	json_t *root;
	json_error_t jerr;

	ck_assert_int_eq(tu_kesu_env(&r, env, "list", "--json", extra, NULL), 0);
	ck_assert_msg(r.status == 0, "exit %d: %s", r.status, r.err);
	root = json_loads(r.out, 0, &jerr);
	ck_assert_msg(root != NULL, "bad JSON: %s", jerr.text);
	tu_result_free(&r);
	return root;
}

/* The line of the text table that starts with name (and the header line). */
static char *table_row(const char *out, const char *name, char *buf, size_t len)
{
	const char *p = out;
	size_t nl = strlen(name);

	while (p && *p) {
		const char *end = strchr(p, '\n');
		size_t l = end ? (size_t)(end - p) : strlen(p);

		if (!strncmp(p, name, nl) && p[nl] == ' ') {
			snprintf(buf, len, "%.*s", (int)l, p);
			return buf;
		}
		p = end ? end + 1 : NULL;
	}
	return NULL;
}

static bool json_array_has(json_t *arr, const char *s)
{
	json_t *v;
	size_t i;

	json_array_foreach(arr, i, v)
		if (!strcmp(str_of(v), s))
			return true;
	return false;
}

START_TEST(test_list_json_loop_true_size)
{
	char dev[4096], img[4096];
	json_t *root, *d;

	if (tu_skip_unless_root("test_list_json_loop_true_size"))
		return;
	ck_assert_int_eq(tu_loop_create(12345 * 512, dev, sizeof(dev), img, sizeof(img)), 0);
	root = list_json(NULL, NULL);
	d = find_device(root, "path", dev);
	ck_assert_msg(d != NULL, "%s not listed", dev);
	ck_assert_int_eq(json_integer_value(json_object_get(d, "size")), 12345 * 512);
	ck_assert_str_eq(json_string_value(json_object_get(d, "transport")), "loop");
	ck_assert_str_eq(json_string_value(json_object_get(d, "name")), dev + 5);
	ck_assert_str_eq(json_string_value(json_object_get(d, "backing_file")), img);
	ck_assert(json_is_true(json_object_get(d, "safe")));
	ck_assert_uint_eq(json_array_size(json_object_get(d, "safety")), 0);
	ck_assert(json_is_false(json_object_get(d, "partition")));
	ck_assert_int_eq(json_integer_value(json_object_get(d, "logical_sector_size")), 512);
	json_decref(root);
}
END_TEST

START_TEST(test_list_mounted_loop_not_ok)
{
	char dev[4096], img[4096], mnt[4096], row[1024];
	struct tu_result r;
	json_t *root, *d;

	if (tu_skip_unless_root("test_list_mounted_loop_not_ok"))
		return;
	ck_assert_int_eq(tu_loop_create(16 << 20, dev, sizeof(dev), img, sizeof(img)), 0);
	ck_assert_int_eq(tu_sh("mkfs.ext4 -q -L kesulist %s", dev), 0);
	ck_assert_int_eq(tu_mount(dev, mnt, sizeof(mnt)), 0);

	ck_assert_int_eq(tu_kesu(&r, "list", NULL), 0);
	ck_assert_int_eq(r.status, 0);
	ck_assert_ptr_nonnull(table_row(r.out, dev + 5, row, sizeof(row)));
	ck_assert_msg(strstr(row, " mounted"), "row: %s", row);
	ck_assert_ptr_null(strstr(row, " ok"));
	tu_result_free(&r);

	root = list_json(NULL, NULL);
	d = find_device(root, "path", dev);
	ck_assert_ptr_nonnull(d);
	ck_assert(json_is_false(json_object_get(d, "safe")));
	ck_assert(json_array_has(json_object_get(d, "safety"), "mounted"));
	ck_assert_ptr_nonnull(strstr(json_string_value(json_object_get(d, "safety_detail")), mnt));
	json_decref(root);

	ck_assert_int_eq(umount(mnt), 0);
	ck_assert_int_eq(tu_kesu(&r, "list", NULL), 0);
	ck_assert_ptr_nonnull(table_row(r.out, dev + 5, row, sizeof(row)));
	ck_assert_msg(strstr(row, " ok"), "row: %s", row);
	tu_result_free(&r);
}
END_TEST

/* A loop device stacked on another: the lower one is held, mounted or not, and says by what. */
START_TEST(test_list_stacked_loop_held)
{
	char a[4096], b[4096], img[4096], mnt[4096], row[1024];
	struct tu_result r;
	json_t *root, *d;

	if (tu_skip_unless_root(__func__))
		return;
	ck_assert_int_eq(tu_loop_create(16 << 20, a, sizeof(a), img, sizeof(img)), 0);
	ck_assert_int_eq(tu_loop_attach(a, b, sizeof(b)), 0);
	ck_assert_int_eq(tu_kesu(&r, "list", NULL), 0);
	ck_assert_ptr_nonnull(table_row(r.out, a + 5, row, sizeof(row)));
	ck_assert_msg(strstr(row, " holders"), "row: %s", row);
	ck_assert_ptr_null(strstr(row, " ok"));
	ck_assert_ptr_nonnull(table_row(r.out, b + 5, row, sizeof(row)));
	ck_assert_msg(strstr(row, " ok"), "row: %s", row);
	tu_result_free(&r);
	ck_assert_int_eq(tu_sh("mkfs.ext4 -q %s", b), 0);
	ck_assert_int_eq(tu_mount(b, mnt, sizeof(mnt)), 0);
	root = list_json(NULL, NULL);
	d = find_device(root, "path", a);
	ck_assert_ptr_nonnull(d);
	ck_assert(json_is_false(json_object_get(d, "safe")));
	ck_assert(json_array_has(json_object_get(d, "safety"), "holders"));
	ck_assert(json_array_has(json_object_get(d, "safety"), "mounted"));
	ck_assert_ptr_nonnull(strstr(json_string_value(json_object_get(d, "safety_detail")), b + 5));
	json_decref(root);
}
END_TEST

static char ro_dev[4096];

static void ro_detach(void)
{
	if (ro_dev[0])
		tu_sh("losetup -d %s 2>/dev/null", ro_dev);
}

START_TEST(test_list_readonly_loop)
{
	char img[4096], row[1024], *out;
	struct tu_result r;
	json_t *root, *d;

	if (tu_skip_unless_root("test_list_readonly_loop"))
		return;
	ck_assert_int_eq(tu_image_create(2 << 20, img, sizeof(img)), 0);
	atexit(ro_detach);
	out = tu_sh_out("losetup -r -f --show '%s'", img);
	ck_assert_ptr_nonnull(out);
	out[strcspn(out, "\n")] = '\0';
	snprintf(ro_dev, sizeof(ro_dev), "%s", out);
	free(out);

	ck_assert_int_eq(tu_kesu(&r, "list", NULL), 0);
	ck_assert_ptr_nonnull(table_row(r.out, ro_dev + 5, row, sizeof(row)));
	ck_assert_msg(strstr(row, " read-only"), "row: %s", row);
	tu_result_free(&r);
	root = list_json(NULL, NULL);
	d = find_device(root, "path", ro_dev);
	ck_assert_ptr_nonnull(d);
	ck_assert(json_is_true(json_object_get(d, "readonly")));
	ck_assert(json_array_has(json_object_get(d, "safety"), "read-only"));
	json_decref(root);
}
END_TEST

static const char *fake_env[3];
static char env_sys[1100], env_proc[1100];

static void make_fake_env(void)
{
	struct fakesys fs;

	ck_assert_int_eq(fakesys_create(&fs), 0);
	snprintf(env_sys, sizeof(env_sys), "KESU_SYSFS_ROOT=%s", fs.sys);
	snprintf(env_proc, sizeof(env_proc), "KESU_PROC_ROOT=%s", fs.proc);
	fake_env[0] = env_sys;
	fake_env[1] = env_proc;
	fake_env[2] = NULL;
}

START_TEST(test_list_table_columns_follow_content)
{
	char hdr[1024], row[1024], row2[1024];
	struct tu_result r;
	size_t col;

	make_fake_env();
	ck_assert_int_eq(tu_kesu_env(&r, fake_env, "list", NULL), 0);
	ck_assert_int_eq(r.status, 0);
	ck_assert_ptr_nonnull(table_row(r.out, "NAME", hdr, sizeof(hdr)));
	ck_assert_ptr_nonnull(table_row(r.out, "sdz", row, sizeof(row)));
	ck_assert_ptr_nonnull(table_row(r.out, "vdb", row2, sizeof(row2)));
	ck_assert_ptr_nonnull(strstr(hdr, "TRAN"));
	ck_assert_ptr_nonnull(strstr(row, "sata"));
	ck_assert_ptr_nonnull(strstr(row, "KESU TEST DISK"));
	ck_assert_ptr_nonnull(strstr(row, "S3RIAL0001"));
	ck_assert_ptr_nonnull(strstr(row, "hdd"));
	/* Each column starts at the same offset in the header and the rows. */
	col = (size_t)(strstr(hdr, "SAFETY") - hdr);
	ck_assert_str_eq(row + col, "holders");
	ck_assert_str_eq(row2 + col, "ok");
	col = (size_t)(strstr(hdr, "SERIAL") - hdr);
	ck_assert_int_eq(strncmp(row + col, "S3RIAL0001", 10), 0);
	ck_assert_int_eq(strncmp(row2 + col, "VDSERIAL", 8), 0);
	/* Not listed by default: unattached loops, partitions, ram disks. */
	ck_assert_ptr_null(table_row(r.out, "loop5", row, sizeof(row)));
	ck_assert_ptr_null(table_row(r.out, "sdz1", row, sizeof(row)));
	ck_assert_ptr_null(table_row(r.out, "ram0", row, sizeof(row)));
	tu_result_free(&r);

	ck_assert_int_eq(tu_kesu_env(&r, fake_env, "list", "--all", NULL), 0);
	ck_assert_ptr_nonnull(table_row(r.out, "loop5", row, sizeof(row)));
	ck_assert_ptr_nonnull(table_row(r.out, "sdz1", row, sizeof(row)));
	ck_assert_ptr_null(table_row(r.out, "ram0", row, sizeof(row)));
	tu_result_free(&r);
}
END_TEST

START_TEST(test_list_json_keys_on_fake_machine)
{
	json_t *root, *d;

	make_fake_env();
	root = list_json(fake_env, NULL);
	d = find_device(root, "name", "sdz");
	ck_assert_ptr_nonnull(d);
	ck_assert_str_eq(json_string_value(json_object_get(d, "path")), "/dev/sdz");
	ck_assert_int_eq(json_integer_value(json_object_get(d, "size")), 1024000);
	ck_assert_str_eq(json_string_value(json_object_get(d, "model")), "KESU TEST DISK");
	ck_assert_str_eq(json_string_value(json_object_get(d, "serial")), "S3RIAL0001");
	ck_assert_str_eq(json_string_value(json_object_get(d, "firmware")), "1.0");
	ck_assert_int_eq(json_integer_value(json_object_get(d, "physical_sector_size")), 4096);
	ck_assert(json_is_true(json_object_get(d, "rotational")));
	ck_assert(json_is_false(json_object_get(d, "discard")));
	ck_assert(json_array_has(json_object_get(d, "safety"), "holders"));
	ck_assert_int_eq(json_integer_value(json_object_get(d, "major")), 8);
	ck_assert(json_is_null(json_object_get(d, "parent")));
	ck_assert(json_is_null(json_object_get(d, "wwid")));
	d = find_device(root, "name", "sdy");
	ck_assert(json_is_true(json_object_get(d, "removable")));
	ck_assert_str_eq(json_string_value(json_object_get(d, "transport")), "usb");
	ck_assert_str_eq(json_string_value(json_object_get(d, "serial")), "4C530001230419116394");
	d = find_device(root, "name", "sdx");
	ck_assert(json_is_null(json_object_get(d, "serial")));
	d = find_device(root, "name", "nvme0n1");
	ck_assert(json_is_true(json_object_get(d, "discard")));
	ck_assert_int_eq(json_integer_value(json_object_get(d, "discard_max_bytes")), 2147483648LL);
	ck_assert_ptr_null(find_device(root, "name", "sdz1"));
	json_decref(root);

	root = list_json(fake_env, "--all");
	d = find_device(root, "name", "sdz1");
	ck_assert_ptr_nonnull(d);
	ck_assert(json_is_true(json_object_get(d, "partition")));
	ck_assert_str_eq(json_string_value(json_object_get(d, "parent")), "sdz");
	ck_assert_int_eq(json_integer_value(json_object_get(d, "partition_number")), 1);
	json_decref(root);
}
END_TEST

START_TEST(test_list_usage)
{
	struct tu_result r;

	ck_assert_int_eq(tu_kesu(&r, "list", "--help", NULL), 0);
	ck_assert_int_eq(r.status, 0);
	ck_assert_ptr_nonnull(strstr(r.out, "--json"));
	tu_result_free(&r);
	ck_assert_int_eq(tu_kesu(&r, "list", "--bogus", NULL), 0);
	ck_assert_int_eq(r.status, 2);
	tu_result_free(&r);
	ck_assert_int_eq(tu_kesu(&r, "list", "/dev/sda", NULL), 0);
	ck_assert_int_eq(r.status, 2);
	ck_assert_ptr_nonnull(strstr(r.err, "kesu info"));
	tu_result_free(&r);
}
END_TEST

START_TEST(test_list_without_root)
{
	const char *argv[] = { "setpriv", "--reuid=65534", "--regid=65534", "--clear-groups",
			       tu_kesu_bin(), "list", "--json", NULL };
	struct tu_result r;
	json_t *root;

	if (tu_skip_unless_root("test_list_without_root (drops to nobody)"))
		return;
	ck_assert_int_eq(tu_runv(&r, NULL, NULL, argv), 0);
	ck_assert_msg(r.status == 0, "exit %d: %s", r.status, r.err);
	root = json_loads(r.out, 0, NULL);
	ck_assert_ptr_nonnull(root);
	ck_assert_int_gt(json_array_size(json_object_get(root, "devices")), 0);
	json_decref(root);
	tu_result_free(&r);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("list");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_list_json_loop_true_size);
	tcase_add_test(tc, test_list_mounted_loop_not_ok);
	tcase_add_test(tc, test_list_stacked_loop_held);
	tcase_add_test(tc, test_list_readonly_loop);
	tcase_add_test(tc, test_list_table_columns_follow_content);
	tcase_add_test(tc, test_list_json_keys_on_fake_machine);
	tcase_add_test(tc, test_list_usage);
	tcase_add_test(tc, test_list_without_root);
	suite_add_tcase(s, tc);
	return tu_main(s);
}
