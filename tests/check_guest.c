/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * kesu against real Linux drivers: one QEMU guest (TCG) with an NVMe, an AHCI
 * SATA, two USB (bulk-only and UAS), a virtio-scsi and a virtio-blk disk, each
 * backed by an image this test makes. The guest runs scripts from
 * tests/qemu/scripts/
 * (kesu list/info and friends) and reports on its second serial port; the
 * tests here read that report. The guest boots once, in an unchecked fixture,
 * and every test reads its results (tests/qemu/run-guest.sh, README "Tests in
 * QEMU guests").
 *
 * Without QEMU, busybox-static or a kernel package (no network), every test
 * prints SKIP and passes.
 */
#include <check.h>
#include <errno.h>
#include <inttypes.h>
#include <jansson.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "lib/testutil.h"

#define MIB (1024ull * 1024ull)

/* One emulated disk: how QEMU is told to make it, and what the guest should see. */
struct guest_disk {
	const char *id;          /* QEMU drive id */
	const char *transport;   /* as kesu names it */
	const char *serial;      /* the serial the kernel reports (VPD 0x80, NVMe, virtio) */
	const char *usb_serial;  /* USB bulk-only: the device's iSerial; the disk has none */
	const char *model;       /* NULL: QEMU's own */
	const char *block_model; /* the model the block layer shows (SCSI INQUIRY: 16 bytes) */
	uint64_t size;           /* distinct per disk */
	const char *fill;        /* the image holds this line repeated; NULL: zeros (sparse) */
	char image[PATH_MAX];
	char name[64];           /* kernel name in the guest, from the sysfs section */
};

static struct guest_disk disks[] = {
	{ "nvme", "nvme", "KESUNVME01", NULL, "QEMU NVMe Ctrl", "QEMU NVMe Ctrl", 64 * MIB,
	  "KESU-NVME-PATTERN", "", "" },
	{ "sata", "sata", "KESUSATA01", NULL, "KESU SATA TEST DISK", "KESU SATA TEST D", 80 * MIB,
	  "KESU-SATA-PATTERN", "", "" },
	{ "usb", "usb", NULL, "KESUUSB01", NULL, "QEMU HARDDISK", 48 * MIB, NULL, "", "" },
	{ "uas", "usb", "KESUUAS01", NULL, NULL, "QEMU HARDDISK", 56 * MIB, NULL, "", "" },
	{ "vscsi", "scsi", "KESUVSCSI01", NULL, NULL, "QEMU HARDDISK", 96 * MIB, NULL, "", "" },
	{ "vblk", "virtio", "KESUVBLK01", NULL, NULL, NULL, 40 * MIB, NULL, "", "" },
};
#define N_DISKS (sizeof(disks) / sizeof(disks[0]))

/*
 * The guest scripts, run in this order in the one boot. Scripts that only
 * read come first; a script that erases a disk appends itself here and checks
 * the disk's image from the host afterwards.
 */
static const char *const guest_scripts[] = { "identify.sh", "harness.sh", "firmware.sh", "unfreeze.sh",
					       NULL };

/* Filled by the fixture, in the parent process, before any test forks. */
static struct {
	bool ran;
	bool skipped;
	int status;          /* run-guest.sh's exit status */
	double seconds;      /* wall time of run-guest.sh */
	char dir[PATH_MAX];
	char *results;       /* results.log */
	char *harness_err;   /* run-guest.sh's stderr: timing, skip reason, failure */
} guest;

/* The QEMU arguments for disk d, appended to argv at *n. */
static void disk_args(const struct guest_disk *d, char args[][256], size_t *n)
{
	snprintf(args[(*n)++], 256, "-drive");
	snprintf(args[(*n)++], 256, "if=none,id=%s,format=raw,file=%s", d->id, d->image);
	if (!strcmp(d->id, "nvme")) {
		snprintf(args[(*n)++], 256, "-device");
		snprintf(args[(*n)++], 256, "nvme,id=n0,serial=%s", d->serial);
		snprintf(args[(*n)++], 256, "-device");
		snprintf(args[(*n)++], 256, "nvme-ns,bus=n0,drive=%s,nsid=1", d->id);
	} else if (!strcmp(d->id, "sata")) {
		snprintf(args[(*n)++], 256, "-device");
		snprintf(args[(*n)++], 256, "ahci,id=ahci");
		snprintf(args[(*n)++], 256, "-device");
		snprintf(args[(*n)++], 256, "ide-hd,bus=ahci.0,drive=%s,serial=%s,model=%s", d->id,
			 d->serial, d->model);
	} else if (!strcmp(d->id, "usb")) {
		snprintf(args[(*n)++], 256, "-device");
		snprintf(args[(*n)++], 256, "qemu-xhci,id=xhci");
		snprintf(args[(*n)++], 256, "-device");
		snprintf(args[(*n)++], 256, "usb-storage,bus=xhci.0,drive=%s,serial=%s", d->id,
			 d->usb_serial);
	} else if (!strcmp(d->id, "uas")) {   /* on the "usb" disk's xHCI controller */
		snprintf(args[(*n)++], 256, "-device");
		snprintf(args[(*n)++], 256, "usb-uas,bus=xhci.0,id=uas");
		snprintf(args[(*n)++], 256, "-device");
		snprintf(args[(*n)++], 256, "scsi-hd,bus=uas.0,drive=%s,serial=%s", d->id, d->serial);
	} else if (!strcmp(d->id, "vscsi")) {
		snprintf(args[(*n)++], 256, "-device");
		snprintf(args[(*n)++], 256, "virtio-scsi-pci,id=vs");
		snprintf(args[(*n)++], 256, "-device");
		snprintf(args[(*n)++], 256, "scsi-hd,bus=vs.0,drive=%s,serial=%s", d->id, d->serial);
	} else if (!strcmp(d->id, "vblk")) {
		snprintf(args[(*n)++], 256, "-device");
		snprintf(args[(*n)++], 256, "virtio-blk-pci,drive=%s,serial=%s", d->id, d->serial);
	}
}

/*
 * Text of section NAME in the results (malloc'd), its exit status in *rc.
 * NULL when the guest did not report it. The format is in tests/qemu/guest-lib.sh.
 */
static char *guest_section(const char *name, int *rc)
{
	char begin[256], end[256];
	const char *p, *start, *stop;
	char *text;

	if (!guest.results)
		return NULL;
	snprintf(begin, sizeof(begin), "@@KESU-BEGIN %s\n", name);
	snprintf(end, sizeof(end), "\n@@KESU-END %s rc=", name);
	for (p = guest.results; (p = strstr(p, begin)); p++)
		if (p == guest.results || p[-1] == '\n')
			break;
	if (!p)
		return NULL;
	start = p + strlen(begin);
	stop = strstr(start, end);
	if (!stop)
		return NULL;
	*rc = atoi(stop + strlen(end));
	text = strndup(start, (size_t)(stop - start));
	return text;
}

/* Section NAME parsed as JSON; fails the test unless it ran with status 0. */
static json_t *guest_json(const char *name)
{
	json_error_t jerr;
	char errname[256];
	char *text, *err;
	json_t *j;
	int rc = -1, erc;

	text = guest_section(name, &rc);
	ck_assert_msg(text, "the guest reported no section %s", name);
	snprintf(errname, sizeof(errname), "%s.stderr", name);
	err = guest_section(errname, &erc);
	ck_assert_msg(rc == 0, "%s: exit status %d, stderr: %s", name, rc, err ? err : "");
	free(err);
	j = json_loads(text, 0, &jerr);
	ck_assert_msg(j, "%s: not JSON (%s, line %d): %.400s", name, jerr.text, jerr.line, text);
	free(text);
	return j;
}

/* Value of KEY= in one block of the sysfs section (malloc'd, "" if absent). */
static char *fact(const char *block, const char *key)
{
	size_t kl = strlen(key);

	for (const char *l = block; l && *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL) {
		if (!strncmp(l, key, kl) && l[kl] == '=') {
			const char *v = l + kl + 1;

			return strndup(v, strcspn(v, "\n"));
		}
		if (*l == '\n')
			break;
	}
	return strdup("");
}

/* The sysfs block of the disk with this serial (or USB iSerial), or NULL. */
static const char *facts_block(const char *facts, const struct guest_disk *d)
{
	char want[160];

	if (d->serial)
		snprintf(want, sizeof(want), "\nserial=%s\n", d->serial);
	else
		snprintf(want, sizeof(want), "\nusb_serial=%s\n", d->usb_serial);
	for (const char *b = facts; b && *b;) {
		const char *next = strstr(b, "\n\n");
		size_t blen = next ? (size_t)(next - b) + 1 : strlen(b);
		char *blk = strndup(b, blen);
		bool hit = blk && strstr(blk, want);

		free(blk);
		if (hit)
			return b;
		b = next ? next + 2 : NULL;
	}
	return NULL;
}

/* Map each configured disk to its kernel name through the sysfs section. */
static void name_disks(void)
{
	int rc;
	char *facts = guest_section("sysfs", &rc);

	for (size_t i = 0; facts && i < N_DISKS; i++) {
		const char *b = facts_block(facts, &disks[i]);
		char *name = b ? fact(b, "name") : NULL;

		if (name)
			snprintf(disks[i].name, sizeof(disks[i].name), "%s", name);
		free(name);
	}
	free(facts);
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static pid_t boot_pid;

/* The images and the initramfs are large: remove them when this process ends
 * (not when a forked test ends; run.sh also sweeps $KESU_TEST_TMP). */
static void guest_cleanup(void)
{
	if (getpid() == boot_pid && guest.dir[0])
		tu_sh("rm -rf '%s'", guest.dir);
}

/* The fixture could not even start the guest: every test fails with why. */
static void guest_failed(const char *why)
{
	guest.status = -1;
	free(guest.harness_err);
	guest.harness_err = strdup(why);
}

/* The backing images: a pattern where the disk has a fill, else sparse zeros. */
static int make_images(void)
{
	for (size_t i = 0; i < N_DISKS; i++) {
		struct guest_disk *d = &disks[i];

		if (snprintf(d->image, sizeof(d->image), "%s/%s.img", guest.dir, d->id) >=
		    (int)sizeof(d->image))
			return -ENAMETOOLONG;
		if ((d->fill ? tu_sh("yes '%s' | head -c %" PRIu64 " >'%s'", d->fill, d->size, d->image)
			     : tu_sh("truncate -s %" PRIu64 " '%s'", d->size, d->image)) != 0)
			return -EIO;
	}
	return 0;
}

#define MAX_ARGS 160

/* run-guest.sh's command line: the scripts, then every disk's QEMU arguments. */
static void guest_argv(const char *argv[MAX_ARGS], char args[][256], char scripts[][PATH_MAX],
		       const char *out)
{
	size_t n = 0, a = 0;

	argv[a++] = "sh";
	snprintf(args[n], 256, "%s/tests/qemu/run-guest.sh", tu_srcdir());
	argv[a++] = args[n++];
	argv[a++] = "-o";
	argv[a++] = out;
	argv[a++] = "-k";
	argv[a++] = tu_kesu_bin();
	argv[a++] = "-d";
	snprintf(args[n], 256, "%zu", N_DISKS);
	argv[a++] = args[n++];
	for (size_t i = 0; guest_scripts[i]; i++) {
		snprintf(scripts[i], PATH_MAX, "%s/tests/qemu/scripts/%s", tu_srcdir(), guest_scripts[i]);
		argv[a++] = "-s";
		argv[a++] = scripts[i];
	}
	argv[a++] = "--";
	for (size_t i = 0; i < N_DISKS; i++) {
		size_t first = n;

		disk_args(&disks[i], args, &n);
		for (size_t k = first; k < n; k++)
			argv[a++] = args[k];
	}
	argv[a] = NULL;
}

#define N_SCRIPTS (sizeof(guest_scripts) / sizeof(guest_scripts[0]))

/* Make the images, boot the guest once, keep its results. */
static void guest_boot(void)
{
	char args[128][256], scripts[N_SCRIPTS][PATH_MAX], out[PATH_MAX], log[PATH_MAX];
	const char *argv[MAX_ARGS];
	struct tu_result r;
	double t0;

	if (guest.ran)
		return;
	guest.ran = true;
	snprintf(guest.dir, sizeof(guest.dir), "%s/guest", tu_tmpdir());
	mkdir(guest.dir, 0700);
	boot_pid = getpid();
	atexit(guest_cleanup);
	if (make_images() != 0 ||
	    snprintf(out, sizeof(out), "%s/run", guest.dir) >= (int)sizeof(out)) {
		guest_failed("cannot make the disk images\n");
		return;
	}
	guest_argv(argv, args, scripts, out);

	t0 = now();
	if (tu_runv(&r, NULL, NULL, argv) != 0) {
		guest_failed("cannot run tests/qemu/run-guest.sh\n");
		return;
	}
	guest.seconds = now() - t0;
	guest.status = r.status;
	guest.skipped = r.status == 77;
	guest.harness_err = r.err;
	r.err = NULL;
	tu_result_free(&r);

	if (snprintf(log, sizeof(log), "%s/results.log", out) < (int)sizeof(log))
		guest.results = tu_read_file(log, NULL);
	name_disks();
	printf("guest: run-guest.sh took %.1f s (status %d)\n%s", guest.seconds, guest.status,
	       guest.harness_err ? guest.harness_err : "");
	fflush(stdout);
}

/* True (after saying so) when the guest could not be had here. */
static bool guest_skip(const char *test)
{
	if (guest.skipped) {
		fprintf(stderr, "SKIP %s: %s", test, guest.harness_err ? guest.harness_err : "no QEMU guest\n");
		return true;
	}
	ck_assert_msg(guest.status == 0, "the guest did not run (status %d): %s", guest.status,
		      guest.harness_err ? guest.harness_err : "");
	return false;
}

static const char *jstr(const json_t *o, const char *key)
{
	const json_t *v = json_object_get(o, key);

	return json_is_string(v) ? json_string_value(v) : NULL;
}

/* The entry of `kesu list --json` for kernel name NAME. */
static json_t *list_entry(json_t *list, const char *name)
{
	json_t *devs = json_object_get(list, "devices"), *e;
	size_t i;

	ck_assert_msg(json_is_array(devs), "kesu list --json has no devices array");
	json_array_foreach(devs, i, e)
		if (jstr(e, "name") && !strcmp(jstr(e, "name"), name))
			return e;
	return NULL;
}

/* Transport, size and serial of one kesu device object against the configuration. */
static void assert_identity(const char *what, const json_t *e, const struct guest_disk *d)
{
	const char *tr = jstr(e, "transport"), *ser = jstr(e, "serial");
	json_t *size = json_object_get(e, "size");

	ck_assert_msg(tr && !strcmp(tr, d->transport), "%s %s: transport %s, want %s", what,
		      d->name, tr ? tr : "(none)", d->transport);
	ck_assert_msg(json_is_integer(size) && (uint64_t)json_integer_value(size) == d->size,
		      "%s %s: size %" JSON_INTEGER_FORMAT ", want %" PRIu64, what, d->name,
		      json_is_integer(size) ? json_integer_value(size) : -1, d->size);
	if (d->serial)
		ck_assert_msg(ser && !strcmp(ser, d->serial), "%s %s: serial %s, want %s", what,
			      d->name, ser ? ser : "(none)", d->serial);
	else if (d->usb_serial)  /* from the USB device's iSerialNumber */
		ck_assert_msg(ser && !strcmp(ser, d->usb_serial), "%s %s: serial %s, want %s", what,
			      d->name, ser ? ser : "(none)", d->usb_serial);
	if (d->block_model)
		ck_assert_msg(jstr(e, "model") && !strcmp(jstr(e, "model"), d->block_model),
			      "%s %s: model %s, want %s", what, d->name,
			      jstr(e, "model") ? jstr(e, "model") : "(none)", d->block_model);
}

/* The harness itself: the guest's kernel sees every disk as configured. */
START_TEST(test_guest_kernel_sees_disks)
{
	if (guest_skip("test_guest_kernel_sees_disks"))
		return;
	int rc = -1;
	char *facts = guest_section("sysfs", &rc);

	ck_assert_msg(facts && rc == 0, "no sysfs section from the guest");
	for (size_t i = 0; i < N_DISKS; i++) {
		const struct guest_disk *d = &disks[i];
		const char *b = facts_block(facts, d);
		char *tr, *size, *head, want[33];

		ck_assert_msg(b, "the guest has no disk with serial %s",
			      d->serial ? d->serial : d->usb_serial);
		tr = fact(b, "transport");
		size = fact(b, "size");
		head = fact(b, "head");
		ck_assert_str_eq(tr, d->transport);
		ck_assert_uint_eq(strtoull(size, NULL, 10), d->size);
		/* The guest reads the image's own first bytes. */
		for (size_t k = 0; k < 16; k++)
			snprintf(want + 2 * k, 3, "%02x", d->fill ? (unsigned char)d->fill[k] : 0);
		ck_assert_str_eq(head, want);
		free(tr);
		free(size);
		free(head);
	}
	free(facts);
}
END_TEST

START_TEST(test_guest_list_json)
{
	if (guest_skip("test_guest_list_json"))
		return;
	json_t *list = guest_json("list");

	for (size_t i = 0; i < N_DISKS; i++) {
		const struct guest_disk *d = &disks[i];
		json_t *e;

		ck_assert_msg(d->name[0], "disk %s not found in the guest", d->id);
		e = list_entry(list, d->name);
		ck_assert_msg(e, "kesu list --json does not list %s (%s)", d->name, d->id);
		assert_identity("kesu list", e, d);
		/* Nothing in the guest is mounted or held: every disk is safe. */
		ck_assert_msg(json_is_true(json_object_get(e, "safe")), "kesu list: %s not safe: %s",
			      d->name, jstr(e, "safety_detail") ? jstr(e, "safety_detail") : "");
	}
	json_decref(list);
}
END_TEST

START_TEST(test_guest_info_json_identity)
{
	if (guest_skip("test_guest_info_json_identity"))
		return;
	for (size_t i = 0; i < N_DISKS; i++) {
		const struct guest_disk *d = &disks[i];
		char sect[128];
		json_t *info;

		ck_assert_msg(d->name[0], "disk %s not found in the guest", d->id);
		snprintf(sect, sizeof(sect), "info.%s", d->name);
		info = guest_json(sect);
		assert_identity("kesu info", info, d);
		json_decref(info);
	}
}
END_TEST

static const struct guest_disk *disk_by_id(const char *id)
{
	for (size_t i = 0; i < N_DISKS; i++)
		if (!strcmp(disks[i].id, id))
			return &disks[i];
	ck_abort_msg("no disk %s", id);
	return NULL;
}

/* kesu info --json of the disk configured as ID; the caller json_decref()s it. */
static json_t *info_of(const char *id)
{
	const struct guest_disk *d = disk_by_id(id);
	char sect[128];

	ck_assert_msg(d->name[0], "disk %s not found in the guest", id);
	snprintf(sect, sizeof(sect), "info.%s", d->name);
	return guest_json(sect);
}

static bool jbool(const json_t *o, const char *path)
{
	char key[64];
	const char *dot = strchr(path, '.');

	if (dot) {
		snprintf(key, sizeof(key), "%.*s", (int)(dot - path), path);
		o = json_object_get(o, key);
		ck_assert_msg(json_is_object(o), "no object %s", key);
		return jbool(o, dot + 1);
	}
	ck_assert_msg(json_is_boolean(json_object_get(o, path)), "no boolean %s", path);
	return json_is_true(json_object_get(o, path));
}

/* The "methods" entry NAME of kesu info: whether kesu offers it (not listed: no). */
static bool method_supported(const json_t *info, const char *name)
{
	const json_t *ms = json_object_get(info, "methods"), *m;
	size_t i;

	ck_assert_msg(json_is_array(ms), "kesu info has no methods array");
	json_array_foreach(ms, i, m)
		if (jstr(m, "name") && !strcmp(jstr(m, "name"), name))
			return jbool(m, "supported");
	return false;
}

/*
 * QEMU's AHCI disk through the real libata SAT layer: kesu's ATA IDENTIFY
 * (SG_IO ATA PASS-THROUGH) gives the configured serial and the whole model
 * (the block layer's INQUIRY model is cut to 16 bytes), and QEMU implements
 * neither the security feature set nor SANITIZE.
 */
START_TEST(test_guest_info_ata_identify)
{
	if (guest_skip("test_guest_info_ata_identify"))
		return;
	const struct guest_disk *d = disk_by_id("sata");
	json_t *info = info_of("sata"), *ata = json_object_get(info, "ata");
	static const char *const ata_methods[] = {
		"ata-secure-erase", "ata-secure-erase-enhanced", "ata-sanitize-crypto",
		"ata-sanitize-block", "ata-sanitize-overwrite", NULL
	};

	ck_assert_msg(jstr(info, "drive_protocol") && !strcmp(jstr(info, "drive_protocol"), "ata"),
		      "drive_protocol %s, want ata", jstr(info, "drive_protocol"));
	ck_assert_msg(json_is_object(ata), "kesu info of the AHCI disk has no ata section");
	ck_assert_str_eq(jstr(ata, "serial"), d->serial);
	ck_assert_str_eq(jstr(ata, "model"), d->model);
	ck_assert_uint_eq((uint64_t)json_integer_value(json_object_get(ata, "capacity_bytes")), d->size);
	ck_assert(!jbool(ata, "security.supported"));
	ck_assert(!jbool(ata, "security.frozen"));
	ck_assert(!jbool(ata, "security.locked"));
	ck_assert(!jbool(ata, "sanitize.supported"));
	ck_assert(!jbool(ata, "sanitize.crypto"));
	ck_assert(!jbool(ata, "sanitize.block"));
	ck_assert(!jbool(ata, "sanitize.overwrite"));
	for (size_t i = 0; ata_methods[i]; i++)
		ck_assert_msg(!method_supported(info, ata_methods[i]), "%s supported on QEMU's AHCI disk",
			      ata_methods[i]);
	ck_assert(method_supported(info, "overwrite"));
	json_decref(info);
}
END_TEST

/*
 * QEMU's NVMe controller through the real nvme driver and libnvme: identity as
 * configured, Format NVM supported (OACS bit 1), no sanitize (SANICAP 0), no
 * crypto erase (FNA bit 2), one namespace of the image's size.
 */
START_TEST(test_guest_info_nvme_identify)
{
	if (guest_skip("test_guest_info_nvme_identify"))
		return;
	const struct guest_disk *d = disk_by_id("nvme");
	json_t *info = info_of("nvme"), *nvme = json_object_get(info, "nvme"), *ns, *lbaf;
	json_int_t nsze, in_use, bytes;

	ck_assert_msg(jstr(info, "drive_protocol") && !strcmp(jstr(info, "drive_protocol"), "nvme"),
		      "drive_protocol %s, want nvme", jstr(info, "drive_protocol"));
	ck_assert_msg(json_is_object(nvme), "kesu info of the NVMe disk has no nvme section");
	ck_assert_str_eq(jstr(nvme, "serial"), d->serial);
	ck_assert_str_eq(jstr(nvme, "model"), d->model);
	ck_assert(jbool(nvme, "oacs_format"));
	ck_assert_int_eq(json_integer_value(json_object_get(nvme, "oacs")) & 0x2, 0x2);
	ck_assert_int_eq(json_integer_value(json_object_get(json_object_get(nvme, "sanicap"), "raw")), 0);
	ck_assert(!jbool(nvme, "fna.crypto_erase"));

	ns = json_array_get(json_object_get(nvme, "namespaces"), 0);
	ck_assert_msg(json_is_object(ns), "no namespace in the nvme section");
	nsze = json_integer_value(json_object_get(ns, "nsze"));
	in_use = json_integer_value(json_object_get(ns, "lbaf_in_use"));
	lbaf = json_array_get(json_object_get(ns, "lbaf"), (size_t)in_use);
	bytes = json_integer_value(json_object_get(lbaf, "data_bytes"));
	ck_assert_uint_eq((uint64_t)(nsze * bytes), d->size);

	ck_assert(method_supported(info, "nvme-format"));
	ck_assert(!method_supported(info, "nvme-format-crypto"));
	ck_assert(!method_supported(info, "nvme-sanitize-block"));
	ck_assert(!method_supported(info, "nvme-sanitize-crypto"));
	ck_assert(!method_supported(info, "nvme-sanitize-overwrite"));
	json_decref(info);
}
END_TEST

/* Neither usb-storage, UAS, virtio-scsi nor virtio-blk passes ATA commands on (testbed.md). */
START_TEST(test_guest_info_no_ata_passthrough)
{
	if (guest_skip("test_guest_info_no_ata_passthrough"))
		return;
	static const char *const ids[] = { "usb", "uas", "vscsi", "vblk", NULL };

	for (size_t i = 0; ids[i]; i++) {
		json_t *info = info_of(ids[i]);
		const char *proto = jstr(info, "drive_protocol");

		ck_assert_msg(proto && strcmp(proto, "ata") && strcmp(proto, "nvme"),
			      "%s: drive_protocol %s", ids[i], proto ? proto : "(none)");
		ck_assert_msg(!json_object_get(info, "ata") && !json_object_get(info, "nvme"),
			      "%s: an ata or nvme section", ids[i]);
		ck_assert(!method_supported(info, "ata-secure-erase"));
		ck_assert(method_supported(info, "overwrite"));
		json_decref(info);
	}
}
END_TEST

/* What the guest wrote through the virtio-blk driver is in the image after poweroff. */
START_TEST(test_guest_writes_reach_image)
{
	if (guest_skip("test_guest_writes_reach_image"))
		return;
	const struct guest_disk *d = disk_by_id("vblk");
	static const char marker[] = "KESU-GUEST-MARKER ";
	char buf[sizeof(marker) - 1];
	char *out;
	int rc = -1;
	FILE *f;

	out = guest_section("harness.write", &rc);
	ck_assert_msg(out && rc == 0, "dd in the guest failed (%d)", rc);
	free(out);
	f = fopen(d->image, "rb");
	ck_assert_ptr_nonnull(f);
	ck_assert_int_eq(fseek(f, 1024 * 1024, SEEK_SET), 0);
	ck_assert_uint_eq(fread(buf, 1, sizeof(buf), f), sizeof(buf));
	fclose(f);
	ck_assert_msg(!memcmp(buf, marker, sizeof(buf)), "the marker is not at 1 MiB in %s", d->image);
}
END_TEST

/* The initramfs carries its own modules.dep: modprobe resolves in the guest. */
START_TEST(test_guest_modprobe_resolves)
{
	if (guest_skip("test_guest_modprobe_resolves"))
		return;
	int rc = -1;
	char *out = guest_section("harness.modprobe", &rc);

	ck_assert_msg(out && rc == 0, "modprobe -D sd_mod failed in the guest (%d)", rc);
	ck_assert_msg(strstr(out, "scsi_mod.ko") && strstr(out, "sd_mod.ko"),
		      "modprobe -D sd_mod: %s", out);
	free(out);
}
END_TEST

/* Issue 4: kesu wipe --method nvme-format in the guest erased the namespace (checked on the host). */
START_TEST(test_guest_nvme_format_erases)
{
	if (guest_skip("test_guest_nvme_format_erases"))
		return;
	json_t *res = guest_json("fw.nvme-format"), *rec, *r0, *cmds, *e;
	const struct guest_disk *d = &disks[0];
	bool formatted = false;
	size_t i, len = 0;
	char *img;

	r0 = json_array_get(json_object_get(res, "results"), 0);
	ck_assert_msg(jstr(r0, "outcome") && !strcmp(jstr(r0, "outcome"), "ERASED"),
		      "nvme-format in the guest: outcome %s", jstr(r0, "outcome"));
	rec = guest_json("fw.nvme-record");
	ck_assert_pstr_eq(jstr(json_object_get(rec, "method"), "name"), "nvme-format");
	ck_assert_pstr_eq(jstr(json_object_get(rec, "method"), "category"), "Purge");
	ck_assert_pstr_eq(jstr(json_object_get(rec, "verification"), "result"), "passed");
	cmds = json_object_get(rec, "commands");
	json_array_foreach(cmds, i, e)
		if (jstr(e, "command") && !strcmp(jstr(e, "command"), "Format NVM") &&
		    jstr(e, "status") && !strcmp(jstr(e, "status"), "ok"))
			formatted = true;
	ck_assert_msg(formatted, "the record has no successful Format NVM");
	/* The host reads the backing file: the pattern is gone, every byte is zero. */
	ck_assert_str_eq(d->id, "nvme");
	img = tu_read_file(d->image, &len);
	ck_assert_ptr_nonnull(img);
	ck_assert_uint_eq(len, d->size);
	for (i = 0; i < len; i++)
		if (img[i])
			break;
	ck_assert_msg(i == len, "%s: byte %zu is 0x%02x after the format", d->image, i,
		      (unsigned char)img[i < len ? i : 0]);
	free(img);
	json_decref(rec);
	json_decref(res);
}
END_TEST

/* Issue 4: QEMU's AHCI disk has no ATA Security feature set: kesu refuses, clearly, and writes nothing. */
START_TEST(test_guest_ata_secure_erase_refused)
{
	if (guest_skip("test_guest_ata_secure_erase_refused"))
		return;
	const struct guest_disk *d = &disks[1];
	int rc = -1, erc = -1;
	char *out = guest_section("fw.ata-secure-erase", &rc);
	char *err = guest_section("fw.ata-secure-erase.stderr", &erc);
	char *ls = guest_section("fw.ata-evidence", &erc);
	char head[32] = "";
	FILE *fp;

	ck_assert_msg(out && err, "the guest reported no fw.ata-secure-erase section");
	ck_assert_msg(rc == 8, "kesu wipe --method ata-secure-erase exited %d (want 8): %s", rc, err);
	ck_assert_msg(strstr(err, "does not support the ATA Security feature set"),
		      "unclear refusal: %s", err);
	ck_assert_msg(ls && !strstr(ls, ".record.json"), "a record was written: %s", ls ? ls : "");
	ck_assert_str_eq(d->id, "sata");
	fp = fopen(d->image, "rb");
	ck_assert_ptr_nonnull(fp);
	ck_assert_uint_eq(fread(head, 1, strlen(d->fill), fp), strlen(d->fill));
	fclose(fp);
	ck_assert_msg(!strncmp(head, d->fill, strlen(d->fill)), "the SATA image changed");
	free(out);
	free(err);
	free(ls);
}
END_TEST

/* QEMU's scsi-hd is a SCSI disk that reports no SANITIZE: kesu sees a SCSI drive and refuses clearly. */
START_TEST(test_guest_scsi_sanitize_refused)
{
	if (guest_skip("test_guest_scsi_sanitize_refused"))
		return;
	int rc = -1, erc = -1, irc = -1;
	char *info = guest_section("fw.scsi-info", &irc);
	char *out = guest_section("fw.scsi-sanitize", &rc);
	char *err = guest_section("fw.scsi-sanitize.stderr", &erc);
	char *ls = guest_section("fw.scsi-evidence", &erc);

	ck_assert_msg(info && irc == 0, "kesu info of the virtio-scsi disk failed (%d)", irc);
	ck_assert_msg(strstr(info, "\"drive_protocol\": \"scsi\""), "not probed as SCSI: %s", info);
	ck_assert_msg(strstr(info, "\"vendor\": \"QEMU\""), "no SCSI INQUIRY vendor: %s", info);
	ck_assert_msg(out && err, "the guest reported no fw.scsi-sanitize section");
	ck_assert_msg(rc == 8, "kesu wipe --method scsi-sanitize-block exited %d (want 8): %s", rc, err);
	ck_assert_msg(strstr(err, "cannot run scsi-sanitize-block") &&
		      strstr(err, "REPORT SUPPORTED OPERATION CODES"), "unclear refusal: %s", err);
	ck_assert_msg(ls && !strstr(ls, ".record.json"), "a record was written: %s", ls ? ls : "");
	free(info);
	free(out);
	free(err);
	free(ls);
}
END_TEST

/*
 * kesu unfreeze: the guest really suspends to RAM (S3 "deep"), the RTC alarm
 * wakes it, and kesu reads the AHCI disk's IDENTIFY again (QEMU's disk is never
 * frozen: the suspend is forced with --always).
 */
START_TEST(test_guest_unfreeze_suspends)
{
	if (guest_skip("test_guest_unfreeze_suspends"))
		return;
	int rc = -1, drc = -1;
	char *out = guest_section("unfreeze", &rc);
	char *dmesg = guest_section("unfreeze.dmesg", &drc);
	json_error_t je;
	json_t *doc, *drive;
	size_t i;
	int seen = 0;

	ck_assert_msg(out, "the guest reported no unfreeze section");
	ck_assert_msg(rc == 0, "kesu unfreeze exited %d: %s", rc, out);
	doc = json_loads(out, 0, &je);
	ck_assert_msg(doc, "kesu unfreeze --json: %s: %s", je.text, out);
	ck_assert_msg(json_is_true(json_object_get(doc, "suspended")), "not suspended: %s", out);
	ck_assert_str_eq(json_string_value(json_object_get(doc, "mem_sleep")), "deep");
	json_array_foreach(json_object_get(doc, "drives"), i, drive) {
		const char *sn = json_string_value(json_object_get(drive, "serial"));

		if (!sn || strcmp(sn, "KESUSATA01"))
			continue;
		seen = 1;
		ck_assert(json_is_true(json_object_get(drive, "ata")));
		ck_assert_msg(json_is_false(json_object_get(drive, "frozen_after")),
			      "IDENTIFY not read again after the resume: %s", out);
	}
	ck_assert_msg(seen, "the AHCI disk is not in kesu unfreeze's report: %s", out);
	ck_assert_int_eq(json_integer_value(json_object_get(doc, "still_frozen")), 0);
	/* The kernel's own word that it went to S3 and came back. */
	ck_assert_msg(dmesg && strstr(dmesg, "PM: suspend entry (deep)") &&
		      strstr(dmesg, "Waking up from system sleep state S3") &&
		      strstr(dmesg, "PM: suspend exit"), "no S3 round trip in dmesg");
	json_decref(doc);
	free(out);
	free(dmesg);
}
END_TEST

/* A tcase per behaviour; all share the one boot (the fixture is unchecked: it
 * runs in this process, and only the first call boots). */
static void add_case(Suite *s, const char *name, const TTest *test)
{
	TCase *tc = tcase_create(name);

	tcase_add_unchecked_fixture(tc, guest_boot, NULL);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test);
	suite_add_tcase(s, tc);
}

static Suite *guest_suite(void)
{
	Suite *s = suite_create("guest");

	add_case(s, "kernel_sees_disks", test_guest_kernel_sees_disks);
	add_case(s, "list_json", test_guest_list_json);
	add_case(s, "info_json_identity", test_guest_info_json_identity);
	add_case(s, "info_ata_identify", test_guest_info_ata_identify);
	add_case(s, "info_nvme_identify", test_guest_info_nvme_identify);
	add_case(s, "info_no_ata_passthrough", test_guest_info_no_ata_passthrough);
	add_case(s, "writes_reach_image", test_guest_writes_reach_image);
	add_case(s, "modprobe_resolves", test_guest_modprobe_resolves);
	add_case(s, "nvme_format_erases", test_guest_nvme_format_erases);
	add_case(s, "ata_secure_erase_refused", test_guest_ata_secure_erase_refused);
	add_case(s, "scsi_sanitize_refused", test_guest_scsi_sanitize_refused);
	add_case(s, "unfreeze_suspends", test_guest_unfreeze_suspends);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(guest_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
