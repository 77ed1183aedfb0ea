/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * libFuzzer target for what the kernel hands kesu as text or bytes:
 * /proc/self/mountinfo and /proc/swaps (safety checks, through a fake
 * KESU_PROC_ROOT) and the SCSI VPD page 0x80 in sysfs (the serial). A
 * corrupt or hostile tree may not crash, overread or leak.
 *
 * The first input byte chooses the file; the rest is its content.
 *   build-fuzz/fuzz_sysinfo -max_total_time=30
 */
#include <kesu/dev.h>
#include <kesu/safety.h>

#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char root[256], sys_dir[300], proc_dir[300];

static void write_file(const char *path, const void *data, size_t len)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);

	if (fd < 0)
		abort();
	if (len && write(fd, data, len) != (ssize_t)len)
		abort();
	close(fd);
}

static void remove_tree(void)
{
	char cmd[300];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
	if (system(cmd) != 0)
		fprintf(stderr, "fuzz_sysinfo: could not remove %s\n", root);
}

/* One fake disk, fz0 (8:0), with a partition fz0p1 (8:1). */
static void setup(void)
{
	static const char *const dirs[] = { "", "/sys", "/sys/class", "/sys/class/block",
					    "/sys/class/block/fz0", "/sys/class/block/fz0/device",
					    "/sys/class/block/fz0/holders",
					    "/sys/class/block/fz0/fz0p1", "/proc", "/proc/self",
					    NULL };
	char p[512];
	const char *base = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp";

	snprintf(root, sizeof(root), "%s/kesu-fuzz-sysinfo-%d", base, (int)getpid());
	atexit(remove_tree);
	for (size_t i = 0; dirs[i]; i++) {
		snprintf(p, sizeof(p), "%s%s", root, dirs[i]);
		mkdir(p, 0700);
	}
	snprintf(p, sizeof(p), "%s/sys/class/block/fz0/dev", root);
	write_file(p, "8:0\n", 4);
	snprintf(p, sizeof(p), "%s/sys/class/block/fz0/size", root);
	write_file(p, "2048\n", 5);
	snprintf(p, sizeof(p), "%s/sys/class/block/fz0/fz0p1/dev", root);
	write_file(p, "8:1\n", 4);
	snprintf(p, sizeof(p), "%s/sys/class/block/fz0/fz0p1/partition", root);
	write_file(p, "1\n", 2);
	snprintf(sys_dir, sizeof(sys_dir), "%s/sys", root);
	snprintf(proc_dir, sizeof(proc_dir), "%s/proc", root);
	setenv("KESU_SYSFS_ROOT", sys_dir, 1);
	setenv("KESU_PROC_ROOT", proc_dir, 1);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char mountinfo_ok[] = "1 0 8:1 / / rw - ext4 /dev/fz0p1 rw\n";
	static const char swaps_header[] = "Filename Type Size Used Priority\n";
	struct kesu_dev_identity id;
	struct kesu_safety s;
	char p[512];

	if (!root[0])
		setup();
	if (size < 1)
		return 0;
	snprintf(p, sizeof(p), "%s/self/mountinfo", proc_dir);
	write_file(p, data[0] % 3 == 0 ? data + 1 : (const uint8_t *)mountinfo_ok,
		   data[0] % 3 == 0 ? size - 1 : sizeof(mountinfo_ok) - 1);
	snprintf(p, sizeof(p), "%s/swaps", proc_dir);
	write_file(p, data[0] % 3 == 1 ? data + 1 : (const uint8_t *)swaps_header,
		   data[0] % 3 == 1 ? size - 1 : sizeof(swaps_header) - 1);
	snprintf(p, sizeof(p), "%s/class/block/fz0/device/vpd_pg80", sys_dir);
	write_file(p, data + 1, data[0] % 3 == 2 ? size - 1 : 0);

	if (kesu_dev_identify("fz0", false, &id, NULL) != 0)
		abort();
	if (strlen(id.serial) >= sizeof(id.serial))
		abort();
	if (kesu_safety_check(&id, &s, NULL) == 0) {
		(void)kesu_safety_error(&s);
		if (strlen(s.detail) >= sizeof(s.detail))
			abort();
	}
	return 0;
}
