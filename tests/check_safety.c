/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Safety (src/dev/safety.c): the reasons a device must not be erased and the
 * exclusive target open. The root/boot/holder cases run against a fake
 * machine (fakesys.h); mounts, read-only, O_EXCL, swap, loop devices stacked
 * on loop devices and on real partitions (sfdisk, partx) against real loop
 * devices the tests create.
 */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/swap.h>
#include <unistd.h>

#include <kesu/safety.h>

#include "lib/fakesys.h"
#include "lib/testutil.h"

static struct fakesys fake;

/* Safety of a fake device after replacing mountinfo. */
static struct kesu_safety fake_safety(const char *name, const char *mountinfo)
{
	struct kesu_dev_identity id;
	struct kesu_safety s;
	struct kesu_errbuf eb = { "" };

	ck_assert_int_eq(fakesys_create(&fake), 0);
	if (mountinfo)
		ck_assert_int_eq(fakesys_mountinfo(&fake, mountinfo), 0);
	ck_assert_int_eq(kesu_dev_identify(name, false, &id, NULL), 0);
	ck_assert_msg(kesu_safety_check(&id, &s, &eb) == 0, "%s", eb.msg);
	return s;
}

/* Safety of a fake device on the machine as it is now (no rebuild). */
static struct kesu_safety fake_safety_again(const char *name)
{
	struct kesu_dev_identity id;
	struct kesu_safety s;
	struct kesu_errbuf eb = { "" };

	ck_assert_int_eq(kesu_dev_identify(name, false, &id, NULL), 0);
	ck_assert_msg(kesu_safety_check(&id, &s, &eb) == 0, "%s", eb.msg);
	return s;
}

START_TEST(test_safety_holders_walked_through_partitions)
{
	struct kesu_safety s = fake_safety("sdz", NULL);

	/* dm-7 holds sdz; md9 holds sdz1 and dm-8 holds md9. */
	ck_assert_uint_eq(s.reasons, KESU_UNSAFE_HOLDERS);
	ck_assert_int_eq(kesu_safety_error(&s), -KESU_E_HOLDERS);
	ck_assert_ptr_nonnull(strstr(s.detail, "dm-7"));
	ck_assert_ptr_nonnull(strstr(s.detail, "md9"));
	ck_assert_ptr_nonnull(strstr(s.detail, "dm-8"));

	s = fake_safety("sdz2", NULL);
	ck_assert_uint_eq(s.reasons, 0);
	ck_assert_int_eq(kesu_safety_error(&s), 0);
	s = fake_safety("nvme0n1", NULL);
	ck_assert_uint_eq(s.reasons, 0);
}
END_TEST

START_TEST(test_safety_mount_of_a_holder_counts)
{
	struct kesu_safety s = fake_safety("sdz", "20 1 0:99 / / rw - tmpfs tmpfs rw\n"
					   "30 20 253:8 / /srv rw shared:5 - xfs /dev/dm-8 rw\n");

	ck_assert(s.reasons & KESU_UNSAFE_MOUNTED);
	ck_assert(s.reasons & KESU_UNSAFE_HOLDERS);
	ck_assert_int_eq(kesu_safety_error(&s), -KESU_E_MOUNTED);
	ck_assert_ptr_nonnull(strstr(s.detail, "/dev/dm-8 mounted on /srv"));
	s = fake_safety("nvme0n1", "30 20 253:8 / /srv rw - xfs /dev/dm-8 rw\n");
	ck_assert_uint_eq(s.reasons, 0);
}
END_TEST

START_TEST(test_safety_rootfs_on_a_partition)
{
	static const char mi[] = "20 1 8:2 / / rw - ext4 /dev/sdz2 rw\n";
	struct kesu_safety s = fake_safety("sdz", mi);

	ck_assert(s.reasons & KESU_UNSAFE_ROOTFS);
	ck_assert(s.reasons & KESU_UNSAFE_MOUNTED);
	/* The root filesystem outranks every other reason. */
	ck_assert_int_eq(kesu_safety_error(&s), -KESU_E_ROOTFS);
	ck_assert_ptr_nonnull(strstr(s.detail, "/dev/sdz2 holds the root filesystem"));
	s = fake_safety("sdz2", mi);
	ck_assert(s.reasons & KESU_UNSAFE_ROOTFS);
	s = fake_safety("vdb", mi);
	ck_assert_uint_eq(s.reasons, 0);
}
END_TEST

START_TEST(test_safety_live_system_overlay_root_and_medium)
{
	/* A live system: / is an overlay whose lower dir is on nvme0n1; the medium on sdy. */
	static const char mi[] =
		"20 1 0:30 / /run/live/medium ro - iso9660 /dev/sdy ro\n"
		"21 1 259:0 / /run/live/rootfs/fs ro - squashfs /dev/nvme0n1 ro\n"
		"22 1 0:31 / /run/live/overlay rw - tmpfs tmpfs rw\n"
		"23 1 0:32 / / rw - overlay overlay rw,lowerdir=/run/live/rootfs/fs,"
		"upperdir=/run/live/overlay/rw,workdir=/run/live/overlay/work\n";
	struct kesu_safety s = fake_safety("nvme0n1", mi);

	ck_assert(s.reasons & KESU_UNSAFE_ROOTFS);
	/* iso9660 reports an anonymous 0:30 device with /dev/sdy as source: no
	 * /dev/sdy node here, so only the named boot point can match sdy. */
	s = fake_safety("sdy", "20 1 8:16 / /run/live/medium ro - iso9660 /dev/sdy ro\n"
			"23 1 0:32 / / rw - tmpfs tmpfs rw\n");
	ck_assert(s.reasons & KESU_UNSAFE_BOOT);
	ck_assert_int_eq(kesu_safety_error(&s), -KESU_E_BOOT_MEDIUM);
	ck_assert_ptr_nonnull(strstr(s.detail, "/run/live/medium"));
}
END_TEST

START_TEST(test_safety_esp_is_boot_medium)
{
	struct kesu_safety s = fake_safety("sdz", "20 1 0:99 / / rw - tmpfs tmpfs rw\n"
					   "31 20 8:1 / /boot/efi rw - vfat /dev/sdz1 rw\n");

	ck_assert(s.reasons & KESU_UNSAFE_BOOT);
	ck_assert(s.reasons & KESU_UNSAFE_MOUNTED);
	ck_assert_int_eq(kesu_safety_error(&s), -KESU_E_BOOT_MEDIUM);
}
END_TEST

START_TEST(test_safety_escaped_mount_point)
{
	struct kesu_safety s = fake_safety("sdz2", "20 1 0:99 / / rw - tmpfs tmpfs rw\n"
					   "40 20 8:2 / /mnt/my\\040disk rw - ext4 /dev/sdz2 rw\n");

	ck_assert_uint_eq(s.reasons, KESU_UNSAFE_MOUNTED);
	ck_assert_ptr_nonnull(strstr(s.detail, "/mnt/my disk"));
}
END_TEST

START_TEST(test_safety_nvme_controller_wide)
{
	static const char mi[] = "20 1 0:99 / / rw - tmpfs tmpfs rw\n"
				 "50 20 259:1 / /data rw - ext4 /dev/nvme0n2 rw\n";
	struct kesu_dev_identity id;
	struct kesu_safety s;
	struct kesu_name_list ns;
	struct kesu_target t;
	struct kesu_errbuf eb = { "" };

	s = fake_safety("nvme0n1", mi);
	ck_assert_uint_eq(s.reasons, 0); /* the namespace itself is not in use */
	ck_assert_int_eq(kesu_dev_controller_namespaces("nvme0n1", &ns), 0);
	ck_assert_uint_eq(ns.n, 2);
	ck_assert_str_eq(ns.names[0], "nvme0n1");
	ck_assert_str_eq(ns.names[1], "nvme0n2");
	kesu_name_list_free(&ns);
	ck_assert_int_eq(kesu_dev_controller_namespaces("sdz", &ns), 0);
	ck_assert_uint_eq(ns.n, 1);
	kesu_name_list_free(&ns);

	/* Sanitize erases every namespace: the mounted sibling makes it unsafe. */
	ck_assert_int_eq(kesu_dev_identify("nvme0n1", false, &id, NULL), 0);
	ck_assert_int_eq(kesu_safety_check_controller(&id, &s, &eb), 0);
	ck_assert_uint_eq(s.reasons, KESU_UNSAFE_MOUNTED);
	ck_assert_ptr_nonnull(strstr(s.detail, "/dev/nvme0n2 mounted on /data"));
	if (geteuid() != 0)
		return;
	/* No /dev node here, so the open fails; the refusal still names the reason. */
	ck_assert_int_eq(kesu_target_open("nvme0n1", KESU_TARGET_CONTROLLER, &t, &eb),
			 -KESU_E_MOUNTED);
	ck_assert_ptr_nonnull(strstr(eb.msg, "nvme0n2"));
}
END_TEST

START_TEST(test_safety_loop_backed_by_a_disk_holds_it)
{
	struct kesu_safety s;

	/* loop5 uses vdb itself as its backing file; loop6 sits on loop5's partition. */
	ck_assert_int_eq(fakesys_create(&fake), 0);
	ck_assert_int_eq(fakesys_write(&fake, "devices/virtual/block/loop5/loop/backing_file",
				       "/dev/vdb\n", 9), 0);
	ck_assert_int_eq(fakesys_write(&fake, "devices/virtual/block/loop5/size", "2048\n", 5), 0);
	s = fake_safety_again("vdb");
	ck_assert_uint_eq(s.reasons, KESU_UNSAFE_HOLDERS);
	ck_assert_ptr_nonnull(strstr(s.detail, "held by loop5"));
	/* A loop device over a partition holds the disk too. */
	ck_assert_int_eq(fakesys_write(&fake, "devices/virtual/block/loop5/loop/backing_file",
				       "/dev/sdz2\n", 10), 0);
	s = fake_safety_again("sdz2");
	ck_assert_uint_eq(s.reasons, KESU_UNSAFE_HOLDERS);
	ck_assert_ptr_nonnull(strstr(s.detail, "loop5"));
	s = fake_safety_again("sdz");
	ck_assert_ptr_nonnull(strstr(s.detail, "loop5"));
	s = fake_safety_again("vdb");
	ck_assert_uint_eq(s.reasons, 0);
	/* A loop over a file is no holder of the disk the file lives on (loop6). */
	s = fake_safety_again("loop6");
	ck_assert_uint_eq(s.reasons, 0);
}
END_TEST

START_TEST(test_safety_names_and_order)
{
	struct kesu_safety s = { 0 };

	ck_assert_str_eq(kesu_unsafe_name(KESU_UNSAFE_MOUNTED), "mounted");
	ck_assert_str_eq(kesu_unsafe_name(KESU_UNSAFE_ROOTFS), "rootfs");
	ck_assert_str_eq(kesu_unsafe_name(KESU_UNSAFE_BOOT), "boot");
	ck_assert_str_eq(kesu_unsafe_name(KESU_UNSAFE_SWAP), "swap");
	ck_assert_str_eq(kesu_unsafe_name(KESU_UNSAFE_HOLDERS), "holders");
	ck_assert_str_eq(kesu_unsafe_name(KESU_UNSAFE_READONLY), "read-only");
	ck_assert_str_eq(kesu_unsafe_name(KESU_UNSAFE_BUSY), "busy");
	s.reasons = KESU_UNSAFE_READONLY | KESU_UNSAFE_SWAP;
	ck_assert_int_eq(kesu_safety_error(&s), -KESU_E_SWAP);
	s.reasons = KESU_UNSAFE_BUSY;
	ck_assert_int_eq(kesu_safety_error(&s), -KESU_E_BUSY);
}
END_TEST

START_TEST(test_safety_partition_refused)
{
	struct kesu_target t;
	struct kesu_errbuf eb = { "" };

	ck_assert_int_eq(fakesys_create(&fake), 0);
	ck_assert_int_eq(kesu_target_open("sdz1", 0, &t, &eb), -KESU_E_PARTITION);
	ck_assert_ptr_nonnull(strstr(eb.msg, "whole disk /dev/sdz"));
	ck_assert_int_eq(t.fd, -1);
	kesu_target_close(&t);
}
END_TEST

START_TEST(test_safety_bad_paths_refused)
{
	struct kesu_target t;
	struct kesu_errbuf eb = { "" };
	char img[4096];

	ck_assert_int_eq(kesu_target_open("/dev/null", 0, &t, &eb), -KESU_E_NOT_BLOCK);
	ck_assert_int_eq(kesu_target_open("/nonexistent/disk", 0, &t, &eb), -ENOENT);
	ck_assert_int_eq(tu_image_create(1 << 20, img, sizeof(img)), 0);
	ck_assert_int_eq(kesu_target_open(img, 0, &t, &eb), -KESU_E_NOT_BLOCK);
	kesu_target_close(&t);
}
END_TEST

START_TEST(test_safety_close_of_unopened_target_is_harmless)
{
	struct kesu_target t;

	memset(&t, 0, sizeof(t)); /* fd 0 in a zeroed struct must not be closed */
	kesu_target_close(&t);
	ck_assert_int_ge(fcntl(0, F_GETFD), 0);
	ck_assert_int_eq(t.fd, -1);
}
END_TEST

START_TEST(test_safety_image_target)
{
	struct kesu_target t;
	struct kesu_errbuf eb = { "" };
	char img[4096], dev[4096];

	ck_assert_int_eq(tu_image_create(2 << 20, img, sizeof(img)), 0);
	ck_assert_msg(kesu_target_open(img, KESU_TARGET_ALLOW_IMAGE, &t, &eb) == 0, "%s", eb.msg);
	ck_assert_int_ge(t.fd, 0);
	ck_assert(t.id.is_image);
	ck_assert_int_eq(pwrite(t.fd, "x", 1, 0), 1);
	kesu_target_close(&t);
	ck_assert_int_eq(t.fd, -1);
	if (tu_skip_unless_root("test_safety_image_target (attached image)"))
		return;
	/* An image in use as a loop device's backing file is refused. */
	ck_assert_int_eq(tu_loop_attach(img, dev, sizeof(dev)), 0);
	ck_assert_int_eq(kesu_target_open(img, KESU_TARGET_ALLOW_IMAGE, &t, &eb),
			 -KESU_E_HOLDERS);
	ck_assert_ptr_nonnull(strstr(eb.msg, dev + 5));
	tu_loop_detach(dev);
	ck_assert_int_eq(kesu_target_open(img, KESU_TARGET_ALLOW_IMAGE, &t, &eb), 0);
	kesu_target_close(&t);
}
END_TEST

START_TEST(test_safety_loop_open_is_exclusive)
{
	struct kesu_target t, t2;
	struct kesu_errbuf eb = { "" };
	char dev[4096], img[4096];

	if (tu_skip_unless_root("test_safety_loop_open_is_exclusive"))
		return;
	ck_assert_int_eq(tu_loop_create(4 << 20, dev, sizeof(dev), img, sizeof(img)), 0);
	ck_assert_msg(kesu_target_open(dev, KESU_TARGET_DIRECT, &t, &eb) == 0, "%s", eb.msg);
	ck_assert_int_ge(t.fd, 0);
	ck_assert_uint_eq(t.id.size_bytes, 4u << 20);
	/* While kesu holds it, nobody gets it exclusively: not even kesu again. */
	ck_assert_int_eq(kesu_target_open(dev, 0, &t2, &eb), -KESU_E_BUSY);
	ck_assert_ptr_nonnull(strstr(eb.msg, dev));
	ck_assert_int_ne(tu_sh("mkfs.ext4 -q %s 2>/dev/null", dev), 0);
	kesu_target_close(&t);
	ck_assert_int_eq(kesu_target_open(dev, 0, &t2, &eb), 0);
	kesu_target_close(&t2);
}
END_TEST

START_TEST(test_safety_mounted_loop_refused_until_unmounted)
{
	struct kesu_dev_identity id;
	struct kesu_safety s;
	struct kesu_target t;
	struct kesu_errbuf eb = { "" };
	char dev[4096], img[4096], mnt[4096];

	if (tu_skip_unless_root("test_safety_mounted_loop_refused_until_unmounted"))
		return;
	ck_assert_int_eq(tu_loop_create(16 << 20, dev, sizeof(dev), img, sizeof(img)), 0);
	ck_assert_int_eq(tu_sh("mkfs.ext4 -q -L kesusafe %s", dev), 0);
	ck_assert_int_eq(tu_mount(dev, mnt, sizeof(mnt)), 0);
	ck_assert_int_eq(kesu_dev_identify(dev, false, &id, NULL), 0);
	ck_assert_int_eq(kesu_safety_check(&id, &s, &eb), 0);
	ck_assert_uint_eq(s.reasons, KESU_UNSAFE_MOUNTED);
	ck_assert_ptr_nonnull(strstr(s.detail, mnt));
	ck_assert_int_eq(kesu_target_open(dev, 0, &t, &eb), -KESU_E_MOUNTED);
	ck_assert_ptr_nonnull(strstr(eb.msg, mnt));
	ck_assert_ptr_nonnull(strstr(eb.msg, "unmount"));
	ck_assert_int_eq(umount(mnt), 0);
	ck_assert_int_eq(kesu_safety_check(&id, &s, &eb), 0);
	ck_assert_uint_eq(s.reasons, 0);
	ck_assert_msg(kesu_target_open(dev, 0, &t, &eb) == 0, "%s", eb.msg);
	kesu_target_close(&t);
}
END_TEST

/* A partition table with one partition on a loop device, and its /dev node (partx). */
static void loop_with_partition(uint64_t size, char *dev, size_t devlen, char *part,
				size_t partlen)
{
	char img[4096];

	ck_assert_int_eq(tu_image_create(size, img, sizeof(img)), 0);
	ck_assert_int_eq(tu_sh("printf 'label: dos\\nstart=2048, type=83\\n' | sfdisk -q '%s' "
			       ">/dev/null", img), 0);
	ck_assert_int_eq(tu_loop_attach(img, dev, devlen), 0);
	ck_assert_int_eq(tu_sh("partx -u %s", dev), 0);
	snprintf(part, partlen, "%sp1", dev);
	ck_assert_msg(access(part, F_OK) == 0, "partx -u %s made no %s", dev, part);
}

/*
 * A loop device stacked on a disk (losetup /dev/loopA) takes no O_EXCL claim
 * and appears in no holders/: the disk is held all the same, whatever sits on
 * the upper device, over as many levels as there are.
 */
START_TEST(test_safety_stacked_loop_holds_the_disk)
{
	struct kesu_target t;
	struct kesu_errbuf eb = { "" };
	char a[4096], b[4096], c[4096], img[4096];

	if (tu_skip_unless_root(__func__))
		return;
	ck_assert_int_eq(tu_loop_create(8 << 20, a, sizeof(a), img, sizeof(img)), 0);
	ck_assert_int_eq(tu_loop_attach(a, b, sizeof(b)), 0);
	ck_assert_int_eq(kesu_target_open(a, 0, &t, &eb), -KESU_E_HOLDERS);
	ck_assert_ptr_nonnull(strstr(eb.msg, b + 5));
	ck_assert_ptr_nonnull(strstr(eb.msg, "losetup -d"));
	ck_assert_int_eq(t.fd, -1);
	/* Two levels: A is held by B and by C on top of B. */
	ck_assert_int_eq(tu_loop_attach(b, c, sizeof(c)), 0);
	ck_assert_int_eq(kesu_target_open(a, 0, &t, &eb), -KESU_E_HOLDERS);
	ck_assert_ptr_nonnull(strstr(eb.msg, b + 5));
	ck_assert_ptr_nonnull(strstr(eb.msg, c + 5));
	ck_assert_int_eq(kesu_target_open(b, 0, &t, &eb), -KESU_E_HOLDERS);
	ck_assert_ptr_nonnull(strstr(eb.msg, c + 5));
	ck_assert_msg(kesu_target_open(c, 0, &t, &eb) == 0, "%s", eb.msg);
	kesu_target_close(&t);
	tu_loop_detach(c);
	tu_loop_detach(b);
	ck_assert_msg(kesu_target_open(a, 0, &t, &eb) == 0, "%s", eb.msg);
	kesu_target_close(&t);
}
END_TEST

/* The same with a file system on the upper device, mounted: the lower disk is held and mounted. */
START_TEST(test_safety_stacked_loop_mounted)
{
	struct kesu_dev_identity id;
	struct kesu_safety s;
	struct kesu_target t;
	struct kesu_errbuf eb = { "" };
	char a[4096], b[4096], img[4096], mnt[4096];

	if (tu_skip_unless_root(__func__))
		return;
	ck_assert_int_eq(tu_loop_create(16 << 20, a, sizeof(a), img, sizeof(img)), 0);
	ck_assert_int_eq(tu_loop_attach(a, b, sizeof(b)), 0);
	ck_assert_int_eq(tu_sh("mkfs.ext4 -q %s", b), 0);
	ck_assert_int_eq(tu_mount(b, mnt, sizeof(mnt)), 0);
	ck_assert_int_eq(kesu_dev_identify(a, false, &id, NULL), 0);
	ck_assert_int_eq(kesu_safety_check(&id, &s, &eb), 0);
	ck_assert(s.reasons & KESU_UNSAFE_HOLDERS);
	ck_assert(s.reasons & KESU_UNSAFE_MOUNTED);
	ck_assert_ptr_nonnull(strstr(s.detail, mnt));
	ck_assert_int_eq(kesu_target_open(a, 0, &t, &eb), -KESU_E_MOUNTED);
	ck_assert_ptr_nonnull(strstr(eb.msg, b + 5));
	ck_assert_int_eq(umount(mnt), 0);
	ck_assert_int_eq(kesu_target_open(a, 0, &t, &eb), -KESU_E_HOLDERS);
}
END_TEST

/* A loop device over a real partition (losetup, sfdisk, partx) holds the whole disk. */
START_TEST(test_safety_loop_on_a_real_partition)
{
	struct kesu_target t;
	struct kesu_errbuf eb = { "" };
	char a[4096], p1[4200], b[4096];

	if (tu_skip_unless_root(__func__))
		return;
	loop_with_partition(16 << 20, a, sizeof(a), p1, sizeof(p1));
	ck_assert_int_eq(kesu_target_open(p1, 0, &t, &eb), -KESU_E_PARTITION);
	ck_assert_ptr_nonnull(strstr(eb.msg, a));
	ck_assert_int_eq(tu_loop_attach(p1, b, sizeof(b)), 0);
	ck_assert_int_eq(kesu_target_open(a, 0, &t, &eb), -KESU_E_HOLDERS);
	ck_assert_ptr_nonnull(strstr(eb.msg, b + 5));
	tu_loop_detach(b);
	ck_assert_msg(kesu_target_open(a, 0, &t, &eb) == 0, "%s", eb.msg);
	kesu_target_close(&t);
}
END_TEST

/* The dry run's question: the same answer as the open, nothing held afterwards. */
START_TEST(test_safety_probe_decides_as_the_open)
{
	struct kesu_target t, t2;
	struct kesu_errbuf eb = { "" }, eb2 = { "" };
	char a[4096], b[4096], img[4096];

	ck_assert_int_eq(tu_image_create(1 << 20, img, sizeof(img)), 0);
	ck_assert_int_eq(kesu_target_probe(img, KESU_TARGET_ALLOW_IMAGE, &t, &eb), 0);
	ck_assert_int_eq(t.fd, -1);
	ck_assert(!t.is_open);
	ck_assert(t.id.is_image);
	if (tu_skip_unless_root(__func__))
		return;
	ck_assert_int_eq(tu_loop_attach(img, a, sizeof(a)), 0);
	ck_assert_int_eq(kesu_target_probe(img, KESU_TARGET_ALLOW_IMAGE, &t, &eb), -KESU_E_HOLDERS);
	ck_assert_int_eq(kesu_target_open(img, KESU_TARGET_ALLOW_IMAGE, &t2, &eb2), -KESU_E_HOLDERS);
	ck_assert_str_eq(eb.msg, eb2.msg);
	ck_assert_int_eq(tu_loop_attach(a, b, sizeof(b)), 0);
	ck_assert_int_eq(kesu_target_probe(a, 0, &t, &eb), -KESU_E_HOLDERS);
	ck_assert_int_eq(kesu_target_open(a, 0, &t2, &eb2), -KESU_E_HOLDERS);
	ck_assert_str_eq(eb.msg, eb2.msg);
	ck_assert_str_eq(t.id.path, a);
	/* The probe of a free device leaves it free. */
	ck_assert_msg(kesu_target_probe(b, KESU_TARGET_DIRECT, &t, &eb) == 0, "%s", eb.msg);
	ck_assert_int_eq(t.fd, -1);
	ck_assert_msg(kesu_target_open(b, KESU_TARGET_DIRECT, &t2, &eb2) == 0, "%s", eb2.msg);
	/* ... and a held one is busy for the probe as for the open. */
	ck_assert_int_eq(kesu_target_probe(b, 0, &t, &eb), -KESU_E_BUSY);
	kesu_target_close(&t2);
}
END_TEST

static char ro_dev[4096];

static void ro_detach(void)
{
	if (ro_dev[0])
		tu_sh("losetup -d %s 2>/dev/null", ro_dev);
}

START_TEST(test_safety_readonly_loop)
{
	struct kesu_target t;
	struct kesu_errbuf eb = { "" };
	char img[4096], *out;

	if (tu_skip_unless_root("test_safety_readonly_loop"))
		return;
	ck_assert_int_eq(tu_image_create(4 << 20, img, sizeof(img)), 0);
	atexit(ro_detach);
	out = tu_sh_out("losetup -r -f --show '%s'", img);
	ck_assert_ptr_nonnull(out);
	out[strcspn(out, "\n")] = '\0';
	snprintf(ro_dev, sizeof(ro_dev), "%s", out);
	free(out);
	ck_assert_int_eq(kesu_target_open(ro_dev, 0, &t, &eb), -KESU_E_READONLY);
	ck_assert_ptr_nonnull(strstr(eb.msg, "read-only"));
	/* Verification only reads: a read-only device is fine for it. */
	ck_assert_msg(kesu_target_open(ro_dev, KESU_TARGET_READONLY, &t, &eb) == 0, "%s", eb.msg);
	kesu_target_close(&t);
}
END_TEST

START_TEST(test_safety_not_root_refused)
{
	struct kesu_target t;
	struct kesu_errbuf eb = { "" };
	char dev[4096], img[4096];

	if (tu_skip_unless_root("test_safety_not_root_refused"))
		return;
	ck_assert_int_eq(tu_loop_create(1 << 20, dev, sizeof(dev), img, sizeof(img)), 0);
	ck_assert_int_eq(seteuid(65534), 0);
	ck_assert_int_eq(kesu_target_open(dev, 0, &t, &eb), -KESU_E_NOT_ROOT);
	ck_assert_ptr_nonnull(strstr(eb.msg, "root"));
	ck_assert_int_eq(seteuid(0), 0);
}
END_TEST

static char swap_dev[4096];

static void swap_off(void)
{
	if (swap_dev[0])
		swapoff(swap_dev);
}

START_TEST(test_safety_active_swap)
{
	struct kesu_target t;
	struct kesu_errbuf eb = { "" };
	char img[4096];

	if (tu_skip_unless_root("test_safety_active_swap"))
		return;
	ck_assert_int_eq(tu_loop_create(8 << 20, swap_dev, sizeof(swap_dev), img, sizeof(img)), 0);
	ck_assert_int_eq(tu_sh("mkswap -q %s >/dev/null", swap_dev), 0);
	atexit(swap_off); /* runs before the loop device is detached */
	if (swapon(swap_dev, 0) < 0) {
		fprintf(stderr, "SKIP test_safety_active_swap: swapon: %s\n", strerror(errno));
		return;
	}
	ck_assert_int_eq(kesu_target_open(swap_dev, 0, &t, &eb), -KESU_E_SWAP);
	ck_assert_ptr_nonnull(strstr(eb.msg, "swap"));
	ck_assert_int_eq(swapoff(swap_dev), 0);
	ck_assert_msg(kesu_target_open(swap_dev, 0, &t, &eb) == 0, "%s", eb.msg);
	kesu_target_close(&t);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("safety");
	TCase *fake_tc = tcase_create("fake");
	TCase *real_tc = tcase_create("loop");

	tcase_add_test(fake_tc, test_safety_holders_walked_through_partitions);
	tcase_add_test(fake_tc, test_safety_mount_of_a_holder_counts);
	tcase_add_test(fake_tc, test_safety_rootfs_on_a_partition);
	tcase_add_test(fake_tc, test_safety_live_system_overlay_root_and_medium);
	tcase_add_test(fake_tc, test_safety_esp_is_boot_medium);
	tcase_add_test(fake_tc, test_safety_escaped_mount_point);
	tcase_add_test(fake_tc, test_safety_nvme_controller_wide);
	tcase_add_test(fake_tc, test_safety_loop_backed_by_a_disk_holds_it);
	tcase_add_test(fake_tc, test_safety_names_and_order);
	tcase_add_test(fake_tc, test_safety_partition_refused);
	tcase_add_test(real_tc, test_safety_bad_paths_refused);
	tcase_add_test(real_tc, test_safety_close_of_unopened_target_is_harmless);
	tcase_add_test(real_tc, test_safety_image_target);
	tcase_add_test(real_tc, test_safety_loop_open_is_exclusive);
	tcase_add_test(real_tc, test_safety_mounted_loop_refused_until_unmounted);
	tcase_add_test(real_tc, test_safety_readonly_loop);
	tcase_add_test(real_tc, test_safety_not_root_refused);
	tcase_add_test(real_tc, test_safety_active_swap);
	tcase_add_test(real_tc, test_safety_stacked_loop_holds_the_disk);
	tcase_add_test(real_tc, test_safety_stacked_loop_mounted);
	tcase_add_test(real_tc, test_safety_loop_on_a_real_partition);
	tcase_add_test(real_tc, test_safety_probe_decides_as_the_open);
	suite_add_tcase(s, fake_tc);
	suite_add_tcase(s, real_tc);
	return tu_main(s);
}
