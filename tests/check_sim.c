/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The drive simulator (tests/sim/), tested on its own: Debian's hdparm and
 * nvme-cli run with the simulator preloaded against loop devices, and raw
 * SG_IO / NVMe ioctls go through the simulator's ioctl() (dlopen'd into the
 * test process). The media's bytes are checked from here.
 */
#include <check.h>
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/nvme_ioctl.h>
#include <pthread.h>
#include <scsi/sg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lib/simfx.h"
#include "lib/testutil.h"

#define MIB (1024 * 1024)
#define DEV_SIZE (4 * MIB)

typedef int (*ioctl_fn)(int, unsigned long, ...);

/* One simulated device per test: its loop device (or image), config and log. */
struct fx {
	struct sim_fx sim;
	ioctl_fn sim_ioctl;
	int fd;
};

static void fx_loop(struct fx *f)
{
	memset(f, 0, sizeof(*f));
	f->fd = -1;
	sim_fx_loop(&f->sim, DEV_SIZE);
}

static char *fmt_config(const char *tmpl, const char *path)
{
	size_t n = strlen(tmpl) + strlen(path) * 4 + 1;
	char *out = malloc(n);

	ck_assert_ptr_nonnull(out);
	snprintf(out, n, tmpl, path);
	return out;
}

static void fx_setup(struct fx *f, const char *tmpl)
{
	fx_loop(f);
	sim_fx_config(&f->sim, tmpl);
}

/* The simulator's ioctl() inside this process, for raw commands. */
static void fx_direct(struct fx *f, const char *path)
{
	void *h;

	setenv("KESU_SIM_CONFIG", f->sim.cfg, 1);
	setenv("KESU_SIM_LOG", f->sim.log, 1);
	h = dlopen(tu_sim_lib(), RTLD_NOW | RTLD_LOCAL);
	ck_assert_msg(h != NULL, "dlopen %s: %s", tu_sim_lib(), dlerror());
	f->sim_ioctl = (ioctl_fn)(uintptr_t)dlsym(h, "ioctl");
	ck_assert_ptr_nonnull((void *)(uintptr_t)f->sim_ioctl);
	f->fd = open(path ? path : f->sim.dev, O_RDWR);
	ck_assert_int_ge(f->fd, 0);
}

/* Run a tool with the simulator preloaded; returns its stdout (caller frees). */
static char *run_tool(struct fx *f, int want_status, const char *const argv[])
{
	struct tu_result r;
	char *out;

	ck_assert_int_eq(tu_runv(&r, f->sim.env, NULL, argv), 0);
	ck_assert_msg(r.status == want_status, "%s exited %d: %s%s", argv[0], r.status, r.out, r.err);
	out = r.out;
	r.out = NULL;
	tu_result_free(&r);
	return out;
}

static uint8_t *media_of(const char *path, size_t *len)
{
	int fd = open(path, O_RDONLY);
	uint8_t *buf = malloc(DEV_SIZE);
	ssize_t n;

	ck_assert_int_ge(fd, 0);
	ck_assert_ptr_nonnull(buf);
	/* Drop cached pages so the bytes come from the media. */
	posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED);
	n = pread(fd, buf, DEV_SIZE, 0);
	close(fd);
	ck_assert_int_gt(n, 0);
	*len = (size_t)n;
	return buf;
}

static uint8_t *media(struct fx *f, size_t *len)
{
	return media_of(f->sim.dev, len);
}

static bool all_byte(const uint8_t *b, size_t off, size_t len, uint8_t v)
{
	for (size_t i = off; i < off + len; i++)
		if (b[i] != v)
			return false;
	return true;
}

/* ---- raw ATA PASS-THROUGH(16) ---- */

struct ata_res {
	int scsi_status;
	bool err;
	uint8_t status, error, device;
	uint16_t count;
	uint64_t lba;
	uint8_t sense[32];
};

enum { PIO_NONE = 3, PIO_IN = 4, PIO_OUT = 5 };

static void ata16(struct fx *f, uint8_t cmd, uint16_t feature, uint16_t count, uint64_t lba, int proto,
		  void *buf, struct ata_res *r)
{
	uint8_t cdb[16] = { 0x85 };
	sg_io_hdr_t h;
	const uint8_t *d;

	memset(r, 0, sizeof(*r));
	cdb[1] = (uint8_t)(proto << 1 | 1);
	cdb[2] = proto == PIO_NONE ? 0x20 : (uint8_t)(0x20 | 0x06 | (proto == PIO_IN ? 0x08 : 0));
	cdb[3] = (uint8_t)(feature >> 8);
	cdb[4] = (uint8_t)feature;
	cdb[5] = (uint8_t)(count >> 8);
	cdb[6] = (uint8_t)count;
	cdb[7] = (uint8_t)(lba >> 24);
	cdb[8] = (uint8_t)lba;
	cdb[9] = (uint8_t)(lba >> 32);
	cdb[10] = (uint8_t)(lba >> 8);
	cdb[11] = (uint8_t)(lba >> 40);
	cdb[12] = (uint8_t)(lba >> 16);
	cdb[13] = 0x40;
	cdb[14] = cmd;
	memset(&h, 0, sizeof(h));
	h.interface_id = 'S';
	h.cmd_len = 16;
	h.cmdp = cdb;
	h.sbp = r->sense;
	h.mx_sb_len = sizeof(r->sense);
	h.timeout = 2000;
	h.dxfer_direction = proto == PIO_IN ? SG_DXFER_FROM_DEV : proto == PIO_OUT ? SG_DXFER_TO_DEV : SG_DXFER_NONE;
	h.dxferp = buf;
	h.dxfer_len = buf ? 512 : 0;
	ck_assert_int_eq(f->sim_ioctl(f->fd, SG_IO, &h), 0);
	r->scsi_status = h.status;
	if (r->sense[0] == 0x72) {
		d = r->sense + 8;
		ck_assert_int_eq(d[0], 0x09);
		r->error = d[3];
		r->count = (uint16_t)(d[4] << 8 | d[5]);
		r->lba = (uint64_t)d[7] | (uint64_t)d[9] << 8 | (uint64_t)d[11] << 16 | (uint64_t)d[6] << 24 |
			 (uint64_t)d[8] << 32 | (uint64_t)d[10] << 40;
		r->device = d[12];
		r->status = d[13];
	} else if (r->sense[0] == 0x70) {
		r->error = r->sense[3];
		r->status = r->sense[4];
		r->device = r->sense[5];
		r->count = r->sense[6];
		r->lba = (uint64_t)r->sense[9] | (uint64_t)r->sense[10] << 8 | (uint64_t)r->sense[11] << 16;
	}
	r->err = r->status & 0x01;
}

static void ata_ok(struct fx *f, uint8_t cmd, uint16_t feature, uint16_t count, uint64_t lba, int proto, void *buf,
		   struct ata_res *r)
{
	ata16(f, cmd, feature, count, lba, proto, buf, r);
	ck_assert_msg(!r->err && r->scsi_status == 0x02, "command 0x%02x feature 0x%04x: status 0x%02x error 0x%02x",
		      cmd, feature, r->status, r->error);
}

static void ata_aborts(struct fx *f, uint8_t cmd, uint16_t feature, uint16_t count, uint64_t lba, int proto,
		       void *buf, struct ata_res *r)
{
	ata16(f, cmd, feature, count, lba, proto, buf, r);
	ck_assert_msg(r->err && r->error == 0x04, "command 0x%02x feature 0x%04x was not aborted", cmd, feature);
}

static void sec_payload(uint8_t *b, bool master, bool enhanced, const char *pw)
{
	memset(b, 0, 512);
	b[0] = (uint8_t)((master ? 1 : 0) | (enhanced ? 2 : 0));
	memcpy(b + 2, pw, strlen(pw));
}

static uint16_t id_word(struct fx *f, unsigned w)
{
	uint8_t id[512];
	struct ata_res r;

	ata_ok(f, 0xEC, 0, 1, 0, PIO_IN, id, &r);
	return (uint16_t)(id[2 * w] | id[2 * w + 1] << 8);
}

#define KEY_BLOCK 0x426B4572ull
#define KEY_CRYPTO 0x43727970ull
#define KEY_OVERWRITE (0x4F57ull << 32)

/* Poll SANITIZE STATUS until "completed without error" or failure; returns the last result. */
static void wait_sanitize(struct fx *f, double max_seconds, struct ata_res *r)
{
	for (int i = 0; i < (int)(max_seconds * 20); i++) {
		ata16(f, 0xB4, 0, 0, 0, PIO_NONE, NULL, r);
		if (r->err || (r->count & 0x8000))
			return;
		usleep(50000);
	}
}

/* ---- ATA through hdparm ---- */

static const char ata_cfg[] =
	"{\"devices\":[{\"path\":\"%s\",\"type\":\"ata\",\"serial\":\"SIMSER-42\",\"model\":\"KESU TEST DRIVE 9000\","
	"\"firmware\":\"FW7\",\"security\":{\"erase_time_normal_min\":4,\"erase_time_enhanced_min\":10,"
	"\"frozen\":%s},\"sanitize\":{\"crypto\":true,\"block\":true,\"overwrite\":false},"
	"\"hpa\":{\"current_max_lba\":6000},\"dco\":false}]}";

START_TEST(test_sim_ata_identity_hdparm)
{
	struct fx f;
	const char *argv[] = { "hdparm", "-I", NULL, NULL };
	const char *argn[] = { "hdparm", "-N", NULL, NULL };
	char json[2048], *out;

	if (tu_skip_unless_root(__func__))
		return;
	fx_loop(&f);
	snprintf(json, sizeof(json), ata_cfg, f.sim.dev, "true");
	sim_fx_use_config(&f.sim, json);
	argv[2] = argn[2] = f.sim.dev;
	out = run_tool(&f, 0, argv);
	ck_assert_ptr_nonnull(strstr(out, "Model Number:       KESU TEST DRIVE 9000"));
	ck_assert_ptr_nonnull(strstr(out, "Serial Number:      SIMSER-42"));
	ck_assert_ptr_nonnull(strstr(out, "Firmware Revision:  FW7"));
	ck_assert_ptr_nonnull(strstr(out, "LBA48  user addressable sectors:"));
	ck_assert_int_eq(atoll(strstr(out, "LBA48  user addressable sectors:") + 32), 6001);
	ck_assert_ptr_nonnull(strstr(out, "4min for SECURITY ERASE UNIT. 10min for ENHANCED SECURITY ERASE UNIT."));
	ck_assert_ptr_nonnull(strstr(out, "\t\tfrozen"));
	ck_assert_ptr_nonnull(strstr(out, "CRYPTO_SCRAMBLE_EXT command"));
	ck_assert_ptr_nonnull(strstr(out, "BLOCK_ERASE_EXT command"));
	ck_assert_ptr_null(strstr(out, "OVERWRITE_EXT command"));
	ck_assert_ptr_nonnull(strstr(out, "Checksum: correct"));
	free(out);
	out = run_tool(&f, 0, argn);
	ck_assert_ptr_nonnull(strstr(out, "max sectors   = 6001/8192, HPA is enabled"));
	free(out);
	ck_assert(sim_fx_log_has(&f.sim, "ata IDENTIFY command=0xec"));
	ck_assert(sim_fx_log_has(&f.sim, "ata READ_NATIVE_MAX_EXT"));
}
END_TEST

START_TEST(test_sim_passthrough_without_config)
{
	struct fx f;
	struct tu_result r;
	char pre[4200];
	const char *env[] = { pre, "KESU_SIM_CONFIG=/nonexistent/sim.json", NULL };
	const char *env_none[] = { pre, NULL };
	const char *argv[] = { "hdparm", "-I", NULL, NULL };
	const char *size[] = { "blockdev", "--getsize64", NULL, NULL };

	if (tu_skip_unless_root(__func__))
		return;
	fx_loop(&f);
	snprintf(pre, sizeof(pre), "LD_PRELOAD=%s", tu_sim_lib());
	argv[2] = size[2] = f.sim.dev;
	/* No config: a loop device answers no ATA command, exactly as without the simulator. */
	ck_assert_int_eq(tu_runv(&r, env_none, NULL, argv), 0);
	ck_assert_ptr_null(strstr(r.out, "Model Number"));
	tu_result_free(&r);
	/* A config that cannot be read: a warning, and everything passes through. */
	ck_assert_int_eq(tu_runv(&r, env, NULL, argv), 0);
	ck_assert_ptr_nonnull(strstr(r.err, "kesu-sim: /nonexistent/sim.json"));
	ck_assert_ptr_null(strstr(r.out, "Model Number"));
	tu_result_free(&r);
	ck_assert_int_eq(tu_runv(&r, env, NULL, size), 0);
	ck_assert_int_eq(r.status, 0);
	ck_assert_int_eq(atoll(r.out), DEV_SIZE);
	tu_result_free(&r);
	/* A misspelt key turns the simulator off with the reason, instead of a silent default. */
	fx_setup(&f, "{\"devices\":[{\"path\":\"%s\",\"type\":\"ata\",\"security\":{\"frozn\":true}}]}");
	argv[2] = f.sim.dev;
	ck_assert_int_eq(tu_runv(&r, f.sim.env, NULL, argv), 0);
	ck_assert_ptr_nonnull(strstr(r.err, "security: unknown key \"frozn\""));
	ck_assert_ptr_null(strstr(r.out, "Model Number"));
	tu_result_free(&r);
}
END_TEST

START_TEST(test_sim_ata_security_erase_hdparm)
{
	struct fx f;
	const char *setpw[] = { "hdparm", "--user-master", "u", "--security-set-pass", "kesu", NULL, NULL };
	const char *erase[] = { "hdparm", "--user-master", "u", "--security-erase", "kesu", NULL, NULL };
	const char *ident[] = { "hdparm", "-I", NULL, NULL };
	uint8_t *b;
	size_t len;
	char *out;

	if (tu_skip_unless_root(__func__))
		return;
	fx_setup(&f, "{\"devices\":[{\"path\":\"%s\",\"type\":\"ata\"}]}");
	setpw[5] = erase[5] = ident[2] = f.sim.dev;
	sim_fx_fill_random(&f.sim);
	free(run_tool(&f, 0, setpw));
	out = run_tool(&f, 0, ident);
	ck_assert_ptr_nonnull(strstr(out, "\t\tenabled"));
	free(out);
	free(run_tool(&f, 0, erase));
	b = media(&f, &len);
	ck_assert_uint_eq(len, DEV_SIZE);
	ck_assert(all_byte(b, 0, len, 0));
	free(b);
	out = run_tool(&f, 0, ident);
	ck_assert_ptr_nonnull(strstr(out, "not\tenabled"));
	free(out);
	ck_assert(sim_fx_log_has(&f.sim, "ata SEC_ERASE_PREPARE"));
	ck_assert(sim_fx_log_has(&f.sim, "ata SEC_ERASE_UNIT command=0xf4"));
	ck_assert(sim_fx_log_has(&f.sim, "who=user mode=normal -> ok"));
}
END_TEST

/* ---- ATA state machines through raw commands ---- */

START_TEST(test_sim_ata_erase_unit_needs_prepare)
{
	struct fx f;
	struct ata_res r;
	uint8_t pl[512];
	uint8_t *b;
	size_t len;

	if (tu_skip_unless_root(__func__))
		return;
	fx_setup(&f, "{\"devices\":[{\"path\":\"%s\",\"type\":\"ata\",\"security\":{\"enhanced_fill\":\"ones\"}}]}");
	sim_fx_fill_random(&f.sim);
	fx_direct(&f, NULL);
	sec_payload(pl, false, false, "pw");
	ata_aborts(&f, 0xF4, 0, 1, 0, PIO_OUT, pl, &r);          /* no password set yet */
	ata_ok(&f, 0xF1, 0, 1, 0, PIO_OUT, pl, &r);
	ck_assert_uint_eq(id_word(&f, 128) & 0x3, 0x3);          /* supported, enabled */
	ata_aborts(&f, 0xF4, 0, 1, 0, PIO_OUT, pl, &r);          /* no ERASE PREPARE */
	ata_ok(&f, 0xF3, 0, 0, 0, PIO_NONE, NULL, &r);
	id_word(&f, 0);                                          /* something in between */
	ata_aborts(&f, 0xF4, 0, 1, 0, PIO_OUT, pl, &r);
	sec_payload(pl, false, true, "wrong");
	ata_ok(&f, 0xF3, 0, 0, 0, PIO_NONE, NULL, &r);
	ata_aborts(&f, 0xF4, 0, 1, 0, PIO_OUT, pl, &r);
	b = media(&f, &len);
	ck_assert(!all_byte(b, 0, 512, 0xff));
	free(b);
	sec_payload(pl, false, true, "pw");
	ata_ok(&f, 0xF3, 0, 0, 0, PIO_NONE, NULL, &r);
	ata_ok(&f, 0xF4, 0, 1, 0, PIO_OUT, pl, &r);              /* enhanced: the configured fill */
	b = media(&f, &len);
	ck_assert(all_byte(b, 0, len, 0xff));
	free(b);
	ck_assert_uint_eq(id_word(&f, 128) & 0x6, 0);            /* not enabled, not locked */
	ck_assert(sim_fx_log_has(&f.sim, "not_prepared"));
	ck_assert(sim_fx_log_has(&f.sim, "password=wrong"));
}
END_TEST

START_TEST(test_sim_ata_frozen_refuses)
{
	struct fx f;
	struct ata_res r;
	uint8_t pl[512];

	if (tu_skip_unless_root(__func__))
		return;
	fx_setup(&f, "{\"devices\":[{\"path\":\"%s\",\"type\":\"ata\"}]}");
	fx_direct(&f, NULL);
	ck_assert_uint_eq(id_word(&f, 128) & 0x8, 0);
	ata_ok(&f, 0xF5, 0, 0, 0, PIO_NONE, NULL, &r);           /* SECURITY FREEZE LOCK */
	ck_assert_uint_eq(id_word(&f, 128) & 0x8, 0x8);
	sec_payload(pl, false, false, "pw");
	ata_aborts(&f, 0xF1, 0, 1, 0, PIO_OUT, pl, &r);
	ata_aborts(&f, 0xF3, 0, 0, 0, PIO_NONE, NULL, &r);
	/* Sanitize has its own freeze: SD1, and actions abort with reason 3. */
	ata_ok(&f, 0xB4, 0x0020, 0, 0x46724C6Bull, PIO_NONE, NULL, &r);
	ata_ok(&f, 0xB4, 0, 0, 0, PIO_NONE, NULL, &r);
	ck_assert_uint_eq(r.count & 0x2000, 0x2000);
	ata_aborts(&f, 0xB4, 0x0012, 0, KEY_BLOCK, PIO_NONE, NULL, &r);
	ck_assert_uint_eq(r.lba & 0xff, 3);
}
END_TEST

START_TEST(test_sim_ata_sanitize_progress)
{
	struct fx f;
	const char *status[] = { "hdparm", "--sanitize-status", NULL, NULL };
	char *out;
	struct ata_res r;
	uint8_t pl[512], *b;
	uint64_t p1, p2;
	size_t len;

	if (tu_skip_unless_root(__func__))
		return;
	fx_setup(&f, "{\"devices\":[{\"path\":\"%s\",\"type\":\"ata\",\"sanitize_seconds\":{\"block\":3},"
		     "\"sanitize\":{\"block_fill\":\"ones\"}}]}");
	status[2] = f.sim.dev;
	sim_fx_fill_random(&f.sim);
	fx_direct(&f, NULL);
	ck_assert_uint_eq(id_word(&f, 59) & 0xF000, 0xF000);
	ata_aborts(&f, 0xB4, 0x0012, 0, 0x12345678, PIO_NONE, NULL, &r);   /* wrong key */
	ata_ok(&f, 0xB4, 0x0012, 0, KEY_BLOCK, PIO_NONE, NULL, &r);
	ata_ok(&f, 0xB4, 0, 0, 0, PIO_NONE, NULL, &r);
	ck_assert_uint_eq(r.count & 0xC000, 0x4000);               /* in progress */
	p1 = r.lba & 0xffff;
	usleep(300000);
	ata_ok(&f, 0xB4, 0, 0, 0, PIO_NONE, NULL, &r);
	p2 = r.lba & 0xffff;
	ck_assert_uint_eq(r.count & 0xC000, 0x4000);
	ck_assert_uint_gt(p2, p1);
	/* SD2: IDENTIFY and SANITIZE STATUS only. */
	id_word(&f, 0);
	sec_payload(pl, false, false, "pw");
	ata_aborts(&f, 0xF1, 0, 1, 0, PIO_OUT, pl, &r);
	ata_aborts(&f, 0xB4, 0x0011, 0, KEY_CRYPTO, PIO_NONE, NULL, &r);
	b = media(&f, &len);
	ck_assert(!all_byte(b, 0, 4096, 0));                      /* bytes change at completion */
	free(b);
	out = run_tool(&f, 0, status);   /* another process sees the same operation */
	ck_assert_ptr_nonnull(strstr(out, "SD2 Sanitize operation In Process"));
	free(out);
	wait_sanitize(&f, 6, &r);
	ck_assert(!r.err);
	ck_assert_uint_eq(r.count & 0xC000, 0x8000);               /* completed without error */
	b = media(&f, &len);
	ck_assert(all_byte(b, 0, len, 0xff));                      /* the configured block_fill */
	free(b);
	out = run_tool(&f, 0, status);
	ck_assert_ptr_nonnull(strstr(out, "SD0 Sanitize Idle"));
	ck_assert_ptr_nonnull(strstr(out, "Last Sanitize Operation Completed Without Error"));
	free(out);
	ck_assert(sim_fx_log_has(&f.sim, "ata SANITIZE_COMPLETE feature=0x0012 -> ok"));
}
END_TEST

START_TEST(test_sim_ata_sanitize_overwrite_and_crypto)
{
	struct fx f;
	const char *getsize[] = { "blockdev", "--getsize64", NULL, NULL };
	struct ata_res r;
	uint8_t *before, *b;
	size_t len;

	if (tu_skip_unless_root(__func__))
		return;
	fx_setup(&f, "{\"devices\":[{\"path\":\"%s\",\"type\":\"ata\",\"sanitize_seconds\":{\"crypto\":0.3}}]}");
	getsize[2] = f.sim.dev;
	sim_fx_fill_random(&f.sim);
	fx_direct(&f, NULL);
	ata_ok(&f, 0xB4, 0x0014, 0x0001, KEY_OVERWRITE | 0xA5C3E1F0ull, PIO_NONE, NULL, &r);
	wait_sanitize(&f, 3, &r);
	ck_assert_uint_eq(r.count & 0x8000, 0x8000);
	b = media(&f, &len);
	for (size_t i = 0; i < len; i += 4)
		ck_assert(b[i] == 0xF0 && b[i + 1] == 0xE1 && b[i + 2] == 0xC3 && b[i + 3] == 0xA5);
	before = b;
	ata_ok(&f, 0xB4, 0x0011, 0, KEY_CRYPTO, PIO_NONE, NULL, &r);
	usleep(400000);
	/* Any ioctl on the device, here BLKGETSIZE64 from another process, completes it. */
	free(run_tool(&f, 0, getsize));
	ck_assert(sim_fx_log_has(&f.sim, "ata SANITIZE_COMPLETE feature=0x0011 -> ok"));
	b = media(&f, &len);
	ck_assert(memcmp(b, before, 4096) != 0);
	free(b);
	ata_ok(&f, 0xB4, 0, 0, 0, PIO_NONE, NULL, &r);
	ck_assert_uint_eq(r.count & 0xC000, 0x8000);
	b = media(&f, &len);
	for (size_t off = 0; off < len; off += 4096)
		ck_assert(memcmp(b + off, before + off, 4096) != 0 && !all_byte(b, off, 4096, 0));
	free(b);
	free(before);
}
END_TEST

START_TEST(test_sim_ata_hidden_areas_fixed_sense)
{
	struct fx f;
	struct ata_res r;
	uint8_t dco[512];
	char *json;

	if (tu_skip_unless_root(__func__))
		return;
	/* A regular image file as the media, fixed-format sense, HPA over a DCO restriction. */
	fx_loop(&f);
	json = fmt_config("{\"devices\":[{\"path\":\"%s\",\"type\":\"ata\",\"sense\":\"fixed\",\"dco\":true,"
			  "\"amac\":true,\"hpa\":{\"native_max_lba\":7000,\"current_max_lba\":5000}}]}", f.sim.image);
	sim_fx_use_config(&f.sim, json);
	free(json);
	fx_direct(&f, f.sim.image);
	ata_ok(&f, 0x27, 0, 0, 0, PIO_NONE, NULL, &r);
	ck_assert_uint_eq(r.sense[0], 0x70);
	ck_assert_uint_eq(r.lba, 7000);
	ck_assert_uint_eq(id_word(&f, 100), 5001);
	ata_aborts(&f, 0x37, 0, 0, 6000, PIO_NONE, NULL, &r);      /* not right after READ NATIVE MAX */
	ata_aborts(&f, 0xB1, 0xC0, 0, 0, PIO_NONE, NULL, &r);       /* DCO RESTORE with an HPA set */
	ata_ok(&f, 0x27, 0, 0, 0, PIO_NONE, NULL, &r);
	ata_aborts(&f, 0x37, 0, 0, 7001, PIO_NONE, NULL, &r);      /* beyond native max */
	ata_ok(&f, 0x27, 0, 0, 0, PIO_NONE, NULL, &r);
	ata_ok(&f, 0x37, 0, 0, 7000, PIO_NONE, NULL, &r);
	ck_assert_uint_eq(id_word(&f, 100), 7001);
	ata_ok(&f, 0xB1, 0xC2, 0, 0, PIO_IN, dco, &r);
	ck_assert_uint_eq(dco[6] | dco[7] << 8 | dco[8] << 16, DEV_SIZE / 512 - 1);
	ata_ok(&f, 0xB1, 0xC0, 0, 0, PIO_NONE, NULL, &r);
	ata_ok(&f, 0x78, 0, 0, 0, PIO_NONE, NULL, &r);             /* AMAC GET NATIVE MAX */
	ck_assert_uint_eq(r.lba, DEV_SIZE / 512 - 1);
	ck_assert_uint_eq(id_word(&f, 100), DEV_SIZE / 512);
	ata_ok(&f, 0x78, 2, 0, 0, PIO_NONE, NULL, &r);             /* AMAC FREEZE */
	ata_aborts(&f, 0x78, 1, 0, 100, PIO_NONE, NULL, &r);
}
END_TEST

/* ---- misbehaviours ---- */

START_TEST(test_sim_misbehave_lie)
{
	struct fx f;
	const char *setpw[] = { "hdparm", "--security-set-pass", "p", NULL, NULL };
	const char *erase[] = { "hdparm", "--security-erase", "p", NULL, NULL };
	uint8_t *before, *after;
	size_t len;

	if (tu_skip_unless_root(__func__))
		return;
	fx_setup(&f, "{\"devices\":[{\"path\":\"%s\",\"type\":\"ata\",\"misbehave\":\"lie\"}]}");
	setpw[3] = erase[3] = f.sim.dev;
	sim_fx_fill_random(&f.sim);
	before = media(&f, &len);
	free(run_tool(&f, 0, setpw));
	free(run_tool(&f, 0, erase));
	ck_assert(sim_fx_log_has(&f.sim, "ata SEC_ERASE_UNIT command=0xf4"));
	ck_assert(sim_fx_log_has(&f.sim, "-> ok"));
	after = media(&f, &len);
	ck_assert(memcmp(before, after, len) == 0);
	free(before);
	free(after);
}
END_TEST

START_TEST(test_sim_misbehave_first_lba_only)
{
	struct fx f;
	struct ata_res r;
	uint8_t *before, *after;
	size_t len;

	if (tu_skip_unless_root(__func__))
		return;
	fx_setup(&f, "{\"devices\":[{\"path\":\"%s\",\"type\":\"ata\",\"misbehave\":\"first_lba_only\"}]}");
	sim_fx_fill_random(&f.sim);
	before = media(&f, &len);
	fx_direct(&f, NULL);
	ata_ok(&f, 0xB4, 0x0012, 0, KEY_BLOCK, PIO_NONE, NULL, &r);
	wait_sanitize(&f, 3, &r);
	ck_assert_uint_eq(r.count & 0x8000, 0x8000);
	after = media(&f, &len);
	ck_assert(all_byte(after, 0, 512, 0));
	ck_assert(memcmp(before + 512, after + 512, len - 512) == 0);
	free(before);
	free(after);
}
END_TEST

START_TEST(test_sim_misbehave_stall)
{
	struct fx f;
	struct ata_res r;
	uint64_t p1;

	if (tu_skip_unless_root(__func__))
		return;
	fx_setup(&f, "{\"devices\":[{\"path\":\"%s\",\"type\":\"ata\",\"misbehave\":\"stall\",\"stall_at\":0.25,"
		     "\"stall_max_seconds\":0.3,\"sanitize_seconds\":0.2}]}");
	fx_direct(&f, NULL);
	ata_ok(&f, 0xB4, 0x0012, 0, KEY_BLOCK, PIO_NONE, NULL, &r);
	usleep(400000);
	ata_ok(&f, 0xB4, 0, 0, 0, PIO_NONE, NULL, &r);
	p1 = r.lba & 0xffff;
	ck_assert_uint_eq(p1, 0x4000);
	usleep(300000);
	ata_ok(&f, 0xB4, 0, 0, 0, PIO_NONE, NULL, &r);
	ck_assert_uint_eq(r.count & 0xC000, 0x4000);               /* still in progress */
	ck_assert_uint_eq(r.lba & 0xffff, p1);
	ck_assert(!sim_fx_log_has(&f.sim, "SANITIZE_COMPLETE"));
}
END_TEST

START_TEST(test_sim_misbehave_fail_midway)
{
	struct fx f;
	struct ata_res r;
	uint8_t pl[512], *before, *after;
	size_t len;

	if (tu_skip_unless_root(__func__))
		return;
	fx_setup(&f, "{\"devices\":[{\"path\":\"%s\",\"type\":\"ata\",\"misbehave\":\"fail_midway\"}]}");
	sim_fx_fill_random(&f.sim);
	before = media(&f, &len);
	fx_direct(&f, NULL);
	/* Sanitize with FAILURE MODE: ends in SD3, which a STATUS with CLEAR may leave. */
	ata_ok(&f, 0xB4, 0x0012, 0x0010, KEY_BLOCK, PIO_NONE, NULL, &r);
	wait_sanitize(&f, 3, &r);
	ck_assert(r.err);
	ck_assert_uint_eq(r.lba & 0xff, 1);
	after = media(&f, &len);
	ck_assert(all_byte(after, 0, len / 2, 0));
	ck_assert(memcmp(before + len / 2, after + len / 2, len / 2) == 0);
	free(before);
	free(after);
	ata_aborts(&f, 0xF5, 0, 0, 0, PIO_NONE, NULL, &r);         /* SD3 refuses other commands */
	ata_ok(&f, 0xB4, 0, 1, 0, PIO_NONE, NULL, &r);             /* clear the failure */
	ck_assert_uint_eq(r.count & 0x8000, 0);
	/* Security erase: aborts and leaves the drive locked with the password set. */
	sec_payload(pl, false, false, "pw");
	ata_ok(&f, 0xF1, 0, 1, 0, PIO_OUT, pl, &r);
	ata_ok(&f, 0xF3, 0, 0, 0, PIO_NONE, NULL, &r);
	ata_aborts(&f, 0xF4, 0, 1, 0, PIO_OUT, pl, &r);
	ck_assert_uint_eq(id_word(&f, 128) & 0x6, 0x6);            /* enabled, locked */
	ata_aborts(&f, 0xF6, 0, 1, 0, PIO_OUT, pl, &r);            /* locked: disable refused */
	ata_ok(&f, 0xF2, 0, 1, 0, PIO_OUT, pl, &r);                /* unlock */
	ata_ok(&f, 0xF6, 0, 1, 0, PIO_OUT, pl, &r);                /* disable password */
	ck_assert_uint_eq(id_word(&f, 128) & 0x6, 0);
	ck_assert(sim_fx_log_has(&f.sim, "ata SEC_DISABLE_PASS command=0xf6 feature=0x0000 count=0x0001 lba=0x000000000000 who=user -> ok"));
}
END_TEST

START_TEST(test_sim_misbehave_frozen)
{
	struct fx f;
	struct ata_res r;
	uint8_t pl[512];

	if (tu_skip_unless_root(__func__))
		return;
	fx_setup(&f, "{\"devices\":[{\"path\":\"%s\",\"type\":\"ata\",\"misbehave\":\"frozen\"}]}");
	fx_direct(&f, NULL);
	ck_assert_uint_eq(id_word(&f, 128) & 0x8, 0);              /* IDENTIFY does not tell */
	sec_payload(pl, false, false, "pw");
	ata_aborts(&f, 0xF1, 0, 1, 0, PIO_OUT, pl, &r);
	ata_aborts(&f, 0xB4, 0x0011, 0, KEY_CRYPTO, PIO_NONE, NULL, &r);
	ck_assert_uint_eq(r.lba & 0xff, 3);
}
END_TEST

START_TEST(test_sim_misbehave_abort)
{
	struct fx f;
	struct ata_res r;
	uint8_t pl[512];

	if (tu_skip_unless_root(__func__))
		return;
	fx_setup(&f, "{\"devices\":[{\"path\":\"%s\",\"type\":\"ata\",\"misbehave\":\"abort\"}]}");
	fx_direct(&f, NULL);
	sec_payload(pl, false, false, "pw");
	ata_ok(&f, 0xF1, 0, 1, 0, PIO_OUT, pl, &r);
	ata_ok(&f, 0xF3, 0, 0, 0, PIO_NONE, NULL, &r);
	ata_aborts(&f, 0xF4, 0, 1, 0, PIO_OUT, pl, &r);
	ata_aborts(&f, 0xB4, 0x0012, 0, KEY_BLOCK, PIO_NONE, NULL, &r);
	ck_assert_uint_eq(id_word(&f, 128) & 0x6, 0x2);            /* password still set: kesu must disable it */
}
END_TEST

/* ---- NVMe ---- */

static const char nvme_cfg[] =
	"{\"devices\":[{\"path\":\"%s\",\"type\":\"nvme\",\"serial\":\"NVSIM-7\",\"model\":\"KESU NVME 1TB\","
	"\"firmware\":\"NV2\",\"sanicap\":{\"crypto\":true,\"block\":true,\"overwrite\":false},"
	"\"fna\":{\"crypto_erase\":true},\"sanitize_seconds\":{\"block\":3,\"crypto\":0},"
	"\"namespaces\":[{\"lbaf\":[{\"lbads\":9},{\"lbads\":12,\"rp\":1}],\"dlfeat\":9}]}]}";

static char *json_field(const char *out, const char *key)
{
	const char *p = strstr(out, key);

	ck_assert_msg(p != NULL, "%s missing in %s", key, out);
	return strndup(p, strcspn(p, ",\n}"));
}

#define ASSERT_FIELD(out, key, want) do { \
	char *v_ = json_field(out, key); \
	ck_assert_str_eq(v_, want); \
	free(v_); \
} while (0)

START_TEST(test_sim_nvme_identify_nvmecli)
{
	struct fx f;
	const char *ctrl[] = { "nvme", "id-ctrl", NULL, "-o", "json", NULL };
	const char *ns[] = { "nvme", "id-ns", NULL, "-o", "json", NULL };
	char *out;

	if (tu_skip_unless_root(__func__))
		return;
	fx_setup(&f, nvme_cfg);
	ctrl[2] = ns[2] = f.sim.dev;
	out = run_tool(&f, 0, ctrl);
	ASSERT_FIELD(out, "\"sn\"", "\"sn\":\"NVSIM-7             \"");
	ASSERT_FIELD(out, "\"mn\"", "\"mn\":\"KESU NVME 1TB                           \"");
	ASSERT_FIELD(out, "\"fr\"", "\"fr\":\"NV2     \"");
	ASSERT_FIELD(out, "\"oacs\"", "\"oacs\":2");
	ASSERT_FIELD(out, "\"sanicap\"", "\"sanicap\":3");
	ASSERT_FIELD(out, "\"fna\"", "\"fna\":4");
	ASSERT_FIELD(out, "\"nn\"", "\"nn\":1");
	free(out);
	out = run_tool(&f, 0, ns);
	ASSERT_FIELD(out, "\"nsze\"", "\"nsze\":8192");
	ASSERT_FIELD(out, "\"nlbaf\"", "\"nlbaf\":1");
	ASSERT_FIELD(out, "\"flbas\"", "\"flbas\":0");
	ASSERT_FIELD(out, "\"dlfeat\"", "\"dlfeat\":9");
	ck_assert_ptr_nonnull(strstr(out, "\"ds\":12"));
	free(out);
	ck_assert(sim_fx_log_has(&f.sim, "nvme NVME_IOCTL_ID -> nsid=1"));
}
END_TEST

START_TEST(test_sim_nvme_format_ses)
{
	struct fx f;
	const char *fmt1[] = { "nvme", "format", NULL, "--ses=1", "--force", NULL };
	const char *fmt2[] = { "nvme", "format", NULL, "--ses=2", "--lbaf=1", "--force", NULL };
	const char *ns[] = { "nvme", "id-ns", NULL, "-o", "json", NULL };
	uint8_t *before, *b;
	size_t len;
	char *out;

	if (tu_skip_unless_root(__func__))
		return;
	fx_setup(&f, nvme_cfg);
	fmt1[2] = fmt2[2] = ns[2] = f.sim.dev;
	sim_fx_fill_random(&f.sim);
	free(run_tool(&f, 0, fmt1));
	b = media(&f, &len);
	ck_assert(all_byte(b, 0, len, 0));
	before = b;
	free(run_tool(&f, 0, fmt2));
	b = media(&f, &len);
	for (size_t off = 0; off < len; off += 4096)
		ck_assert(!all_byte(b, off, 4096, 0));
	free(b);
	free(before);
	out = run_tool(&f, 0, ns);
	ASSERT_FIELD(out, "\"flbas\"", "\"flbas\":1");
	ASSERT_FIELD(out, "\"nsze\"", "\"nsze\":1024");
	free(out);
	ck_assert(sim_fx_log_has(&f.sim, "ses=1"));
	ck_assert(sim_fx_log_has(&f.sim, "ses=2 lbaf=1"));
}
END_TEST

START_TEST(test_sim_nvme_sanitize_progress)
{
	struct fx f;
	const char *san[] = { "nvme", "sanitize", NULL, "-a", "2", NULL };
	const char *crypto[] = { "nvme", "sanitize", NULL, "-a", "4", NULL };
	const char *over[] = { "nvme", "sanitize", NULL, "-a", "3", NULL };
	const char *slog[] = { "nvme", "sanitize-log", NULL, "-o", "json", NULL };
	struct nvme_passthru_cmd64 cmd;
	unsigned p1, p2;
	uint8_t *b;
	size_t len;
	char *out;
	int i;

	if (tu_skip_unless_root(__func__))
		return;
	fx_setup(&f, nvme_cfg);
	san[2] = crypto[2] = over[2] = slog[2] = f.sim.dev;
	sim_fx_fill_random(&f.sim);
	free(run_tool(&f, 0, san));
	out = run_tool(&f, 0, slog);
	ck_assert_ptr_nonnull(strstr(out, "\"status\":\"(2)"));
	p1 = (unsigned)atoi(strstr(out, "\"sprog\":") + 8);
	ck_assert_ptr_nonnull(strstr(out, "\"time_block_erase\":3"));
	free(out);
	/* While it runs: another sanitize or a format gets Sanitize In Progress (0x1d). */
	fx_direct(&f, NULL);
	memset(&cmd, 0, sizeof(cmd));
	cmd.opcode = 0x80;
	cmd.nsid = 1;
	cmd.cdw10 = 1 << 9;
	ck_assert_int_eq(f.sim_ioctl(f.fd, NVME_IOCTL_ADMIN64_CMD, &cmd), 0x1d);
	ck_assert_int_eq(f.sim_ioctl(f.fd, NVME_IOCTL_ID), 1);
	usleep(500000);
	out = run_tool(&f, 0, slog);
	p2 = (unsigned)atoi(strstr(out, "\"sprog\":") + 8);
	ck_assert_uint_gt(p2, p1);
	free(out);
	for (i = 0; i < 60; i++) {
		out = run_tool(&f, 0, slog);
		if (strstr(out, "\"status\":\"(1)"))
			break;
		free(out);
		out = NULL;
		usleep(100000);
	}
	ck_assert_ptr_nonnull(out);
	ck_assert_ptr_nonnull(strstr(out, "\"global_erased\":1"));
	free(out);
	b = media(&f, &len);
	ck_assert(all_byte(b, 0, len, 0));
	free(b);
	/* Crypto erase (0 s): random bytes; overwrite is not in SANICAP: refused. */
	free(run_tool(&f, 0, crypto));
	free(run_tool(&f, 0, slog));
	b = media(&f, &len);
	ck_assert(!all_byte(b, 0, 4096, 0));
	free(b);
	free(run_tool(&f, 1, over));
	ck_assert(sim_fx_log_has(&f.sim, "nvme SANITIZE opcode=0x84 nsid=0x0 cdw10=0x00000003"));
	ck_assert(sim_fx_log_has(&f.sim, "status=0x4002"));
}
END_TEST

START_TEST(test_sim_nvme_fail_midway)
{
	struct fx f;
	struct nvme_passthru_cmd cmd;
	uint8_t logpage[512];

	if (tu_skip_unless_root(__func__))
		return;
	fx_setup(&f, "{\"devices\":[{\"path\":\"%s\",\"type\":\"nvme\",\"misbehave\":\"fail_midway\"}]}");
	fx_direct(&f, NULL);
	/* Sanitize block erase with AUSE: fails; Exit Failure Mode is then allowed. */
	memset(&cmd, 0, sizeof(cmd));
	cmd.opcode = 0x84;
	cmd.cdw10 = 2 | 1 << 3;
	ck_assert_int_eq(f.sim_ioctl(f.fd, NVME_IOCTL_ADMIN_CMD, &cmd), 0);
	memset(&cmd, 0, sizeof(cmd));
	cmd.opcode = 0x02;
	cmd.nsid = 0xFFFFFFFF;
	cmd.addr = (uint64_t)(uintptr_t)logpage;
	cmd.data_len = sizeof(logpage);
	cmd.cdw10 = 0x81 | (127u << 16);
	ck_assert_int_eq(f.sim_ioctl(f.fd, NVME_IOCTL_ADMIN_CMD, &cmd), 0);
	ck_assert_uint_eq(logpage[2] & 7, 3);                    /* failed */
	memset(&cmd, 0, sizeof(cmd));
	cmd.opcode = 0x80;
	cmd.nsid = 1;
	ck_assert_int_eq(f.sim_ioctl(f.fd, NVME_IOCTL_ADMIN_CMD, &cmd), 0x1c);  /* Sanitize Failed */
	memset(&cmd, 0, sizeof(cmd));
	cmd.opcode = 0x84;
	cmd.cdw10 = 1;
	ck_assert_int_eq(f.sim_ioctl(f.fd, NVME_IOCTL_ADMIN_CMD, &cmd), 0);     /* Exit Failure Mode */
	cmd.opcode = 0x80;
	cmd.nsid = 1;
	cmd.cdw10 = 0;
	ck_assert_int_eq(f.sim_ioctl(f.fd, NVME_IOCTL_ADMIN_CMD, &cmd), 0x4006);  /* format: half, then fails */
}
END_TEST

START_TEST(test_sim_nvme_stall)
{
	struct fx f;
	struct nvme_passthru_cmd cmd;

	if (tu_skip_unless_root(__func__))
		return;
	/* A format blocks for the timeout, then fails as a cancelled command (EINTR). */
	fx_setup(&f, "{\"devices\":[{\"path\":\"%s\",\"type\":\"nvme\",\"misbehave\":\"stall\","
		     "\"stall_max_seconds\":0.2}]}");
	fx_direct(&f, NULL);
	memset(&cmd, 0, sizeof(cmd));
	cmd.opcode = 0x80;
	cmd.nsid = 1;
	cmd.cdw10 = 1 << 9;
	errno = 0;
	ck_assert_int_eq(f.sim_ioctl(f.fd, NVME_IOCTL_ADMIN_CMD, &cmd), -1);
	ck_assert_int_eq(errno, EINTR);
	/* A sanitize stops at stall_at (0.5) and never completes. */
	{
		uint8_t lp[512];
		unsigned sprog;

		memset(&cmd, 0, sizeof(cmd));
		cmd.opcode = 0x84;
		cmd.cdw10 = 2;
		ck_assert_int_eq(f.sim_ioctl(f.fd, NVME_IOCTL_ADMIN_CMD, &cmd), 0);
		usleep(200000);
		memset(&cmd, 0, sizeof(cmd));
		cmd.opcode = 0x02;
		cmd.nsid = 0xFFFFFFFF;
		cmd.addr = (uint64_t)(uintptr_t)lp;
		cmd.data_len = sizeof(lp);
		cmd.cdw10 = 0x81 | (127u << 16);
		ck_assert_int_eq(f.sim_ioctl(f.fd, NVME_IOCTL_ADMIN_CMD, &cmd), 0);
		sprog = (unsigned)(lp[0] | lp[1] << 8);
		ck_assert_uint_eq(sprog, 0x8000);
		ck_assert_uint_eq(lp[2] & 7, 2);
	}
}
END_TEST

/* A raw CDB through the simulator; returns the SCSI status, sense in sense[]. */
static int scsi(struct fx *f, const uint8_t *cdb, unsigned cdb_len, void *buf, unsigned len, uint8_t sense[32])
{
	sg_io_hdr_t h;

	memset(&h, 0, sizeof(h));
	memset(sense, 0, 32);
	h.interface_id = 'S';
	h.cmd_len = (unsigned char)cdb_len;
	h.cmdp = (unsigned char *)(uintptr_t)cdb;
	h.sbp = sense;
	h.mx_sb_len = 32;
	h.timeout = 2000;
	h.dxfer_direction = buf ? SG_DXFER_FROM_DEV : SG_DXFER_NONE;
	h.dxferp = buf;
	h.dxfer_len = len;
	ck_assert_int_eq(f->sim_ioctl(f->fd, SG_IO, &h), 0);
	return h.status;
}

/* A USB bridge that reports its own serial in VPD page 0x80; IDENTIFY still says the drive's. */
START_TEST(test_sim_bridge_vpd_serial)
{
	struct fx f;
	const uint8_t ata12[12] = { 0xA1, 4 << 1, 0x0e, 0, 1, 0, 0, 0, 0x40, 0xEC, 0, 0 };
	const uint8_t vpd80[6] = { 0x12, 1, 0x80, 0, 64, 0 };
	uint8_t id[512], sense[32];

	if (tu_skip_unless_root(__func__))
		return;
	fx_setup(&f, "{\"devices\":[{\"path\":\"%s\",\"type\":\"ata\",\"serial\":\"AB12\","
		 "\"vpd_serial\":\"BRIDGE-77\"}]}");
	fx_direct(&f, NULL);
	memset(id, 0, sizeof(id));
	ck_assert_int_eq(scsi(&f, vpd80, sizeof(vpd80), id, 64, sense), 0);
	ck_assert(id[1] == 0x80 && id[3] == 9 && memcmp(id + 4, "BRIDGE-77", 9) == 0);
	ck_assert_int_eq(scsi(&f, ata12, sizeof(ata12), id, sizeof(id), sense), 0);
	ck_assert(memcmp(id + 20, "BA21", 4) == 0);                                  /* AB12 */
	close(f.fd);
}
END_TEST

START_TEST(test_sim_ata_pass_through_12_and_scsi)
{
	struct fx f;
	const uint8_t ata12[12] = { 0xA1, 4 << 1, 0x0e, 0, 1, 0, 0, 0, 0x40, 0xEC, 0, 0 };
	const uint8_t inq[6] = { 0x12, 0, 0, 0, 36, 0 };
	const uint8_t vpd80[6] = { 0x12, 1, 0x80, 0, 64, 0 };
	const uint8_t read10[10] = { 0x28 };
	uint8_t id[512], sense[32];

	if (tu_skip_unless_root(__func__))
		return;
	fx_setup(&f, "{\"devices\":[{\"path\":\"%s\",\"type\":\"ata\",\"serial\":\"AB12\",\"model\":\"M12\"}]}");
	fx_direct(&f, NULL);
	ck_assert_int_eq(scsi(&f, ata12, sizeof(ata12), id, sizeof(id), sense), 0);  /* no CK_COND: GOOD */
	ck_assert(memcmp(id + 20, "BA21", 4) == 0);                                  /* byte-swapped words */
	ck_assert_uint_eq(id[510], 0xA5);
	memset(id, 0, sizeof(id));
	ck_assert_int_eq(scsi(&f, inq, sizeof(inq), id, 36, sense), 0);
	ck_assert(memcmp(id + 8, "ATA     M12 ", 12) == 0);
	ck_assert_int_eq(scsi(&f, vpd80, sizeof(vpd80), id, 64, sense), 0);
	ck_assert(id[1] == 0x80 && id[3] == 4 && memcmp(id + 4, "AB12", 4) == 0);

	ck_assert_int_eq(scsi(&f, read10, sizeof(read10), NULL, 0, sense), 0x02);
	ck_assert(sense[2] == 0x05 && sense[12] == 0x20);                            /* invalid opcode */
	/* Scatter-gather: IDENTIFY into two halves. */
	{
		uint8_t lo[256], hi[256];
		sg_iovec_t iov[2] = { { lo, sizeof(lo) }, { hi, sizeof(hi) } };
		sg_io_hdr_t h;

		memset(&h, 0, sizeof(h));
		h.interface_id = 'S';
		h.cmd_len = sizeof(ata12);
		h.cmdp = (unsigned char *)(uintptr_t)ata12;
		h.dxfer_direction = SG_DXFER_FROM_DEV;
		h.iovec_count = 2;
		h.dxferp = iov;
		h.dxfer_len = 512;
		ck_assert_int_eq(f.sim_ioctl(f.fd, SG_IO, &h), 0);
		ck_assert_int_eq(h.status, 0);
		ck_assert(memcmp(lo + 20, "BA21", 4) == 0);
		ck_assert_uint_eq(hi[254], 0xA5);
		ck_assert(h.dxferp == iov);
	}
}
END_TEST

START_TEST(test_sim_ata_bridge_refuses_pass_through)
{
	struct fx f;
	const uint8_t identify[16] = { 0x85, 4 << 1, 0x0e, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0x40, 0xEC };
	uint8_t id[512], sense[32];

	if (tu_skip_unless_root(__func__))
		return;
	fx_setup(&f, "{\"devices\":[{\"path\":\"%s\",\"type\":\"ata\",\"bridge\":\"refuse_ata\"}]}");
	fx_direct(&f, NULL);
	ck_assert_int_eq(scsi(&f, identify, sizeof(identify), id, sizeof(id), sense), 0x02);
	ck_assert(sense[2] == 0x05 && sense[12] == 0x20);
	ck_assert(sim_fx_log_has(&f.sim, "REFUSED_BY_BRIDGE"));
}
END_TEST

START_TEST(test_sim_ata_bridge_without_registers)
{
	struct fx f;
	/* READ NATIVE MAX EXT and SECURITY ERASE UNIT (PIO-out, no PREPARE), both with CK_COND. */
	const uint8_t native[16] = { 0x85, 3 << 1 | 1, 0x20, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x40, 0x27 };
	const uint8_t erase[16] = { 0x85, 5 << 1, 0x26, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0x40, 0xF4 };
	uint8_t pl[512], sense[32];
	sg_io_hdr_t h;

	if (tu_skip_unless_root(__func__))
		return;
	fx_setup(&f, "{\"devices\":[{\"path\":\"%s\",\"type\":\"ata\",\"bridge\":\"no_registers\","
		     "\"hpa\":{}}]}");
	fx_direct(&f, NULL);
	ck_assert_int_eq(scsi(&f, native, sizeof(native), NULL, 0, sense), 0);    /* GOOD, no registers */
	ck_assert_uint_eq(sense[0], 0);
	sec_payload(pl, false, false, "x");
	memset(&h, 0, sizeof(h));
	h.interface_id = 'S';
	h.cmd_len = 16;
	h.cmdp = (unsigned char *)(uintptr_t)erase;
	h.sbp = sense;
	h.mx_sb_len = sizeof(sense);
	h.dxfer_direction = SG_DXFER_TO_DEV;
	h.dxferp = pl;
	h.dxfer_len = sizeof(pl);
	memset(sense, 0, sizeof(sense));
	ck_assert_int_eq(f.sim_ioctl(f.fd, SG_IO, &h), 0);
	ck_assert_int_eq(h.status, 0x02);
	ck_assert(sense[0] == 0x70 && sense[2] == 0x0B && sense[3] == 0 && sense[4] == 0);  /* no ATA status */
	ck_assert(sim_fx_log_has(&f.sim, "ata SEC_ERASE_UNIT"));
}
END_TEST

START_TEST(test_sim_nvme_namespaces)
{
	struct fx f;
	char dev2[256], img2[4096], *json;
	struct nvme_passthru_cmd cmd;
	uint32_t list[1024];
	uint8_t *b1, *b2, *a1, *a2;
	size_t len;
	int fd2;

	if (tu_skip_unless_root(__func__))
		return;
	fx_loop(&f);
	ck_assert_int_eq(tu_loop_create(DEV_SIZE, dev2, sizeof(dev2), img2, sizeof(img2)), 0);
	json = malloc(2048);
	ck_assert_ptr_nonnull(json);
	snprintf(json, 2048, "{\"devices\":[{\"path\":\"%s\",\"type\":\"nvme\",\"fna\":0,"
		 "\"namespaces\":[{\"nsid\":1},{\"nsid\":2,\"path\":\"%s\",\"dlfeat\":10}]}]}", f.sim.dev, dev2);
	sim_fx_use_config(&f.sim, json);
	free(json);
	sim_fx_fill_random(&f.sim);
	ck_assert_int_eq(tu_sh("head -c %d /dev/urandom > %s && sync", DEV_SIZE, dev2), 0);
	b1 = media(&f, &len);
	b2 = media_of(dev2, &len);
	fx_direct(&f, NULL);
	fd2 = open(dev2, O_RDWR);
	ck_assert_int_ge(fd2, 0);
	ck_assert_int_eq(f.sim_ioctl(f.fd, NVME_IOCTL_ID), 1);
	ck_assert_int_eq(f.sim_ioctl(fd2, NVME_IOCTL_ID), 2);
	memset(&cmd, 0, sizeof(cmd));
	cmd.opcode = 0x06;
	cmd.cdw10 = 2;
	cmd.addr = (uint64_t)(uintptr_t)list;
	cmd.data_len = sizeof(list);
	ck_assert_int_eq(f.sim_ioctl(f.fd, NVME_IOCTL_ADMIN_CMD, &cmd), 0);
	ck_assert(list[0] == 1 && list[1] == 2 && list[2] == 0);
	/* Format of namespace 2 only (FNA 0): namespace 1 keeps its bytes. */
	memset(&cmd, 0, sizeof(cmd));
	cmd.opcode = 0x80;
	cmd.nsid = 2;
	cmd.cdw10 = 1 << 9;
	ck_assert_int_eq(f.sim_ioctl(fd2, NVME_IOCTL_ADMIN_CMD, &cmd), 0);
	a1 = media(&f, &len);
	a2 = media_of(dev2, &len);
	ck_assert(memcmp(a1, b1, len) == 0);
	ck_assert(all_byte(a2, 0, len, 0xff));          /* DLFEAT 010b: deallocated reads 0xFF */
	free(a1);
	free(a2);
	/* Sanitize is controller-wide: both namespaces change. */
	memset(&cmd, 0, sizeof(cmd));
	cmd.opcode = 0x84;
	cmd.cdw10 = 4;
	ck_assert_int_eq(f.sim_ioctl(f.fd, NVME_IOCTL_ADMIN_CMD, &cmd), 0);
	cmd.opcode = 0x06;
	cmd.cdw10 = 1;
	cmd.addr = (uint64_t)(uintptr_t)list;
	cmd.data_len = sizeof(list);
	ck_assert_int_eq(f.sim_ioctl(f.fd, NVME_IOCTL_ADMIN_CMD, &cmd), 0);   /* completes it */
	a1 = media(&f, &len);
	a2 = media_of(dev2, &len);
	for (size_t off = 0; off < len; off += 4096)
		ck_assert(memcmp(a1 + off, b1 + off, 4096) != 0 && !all_byte(a2, off, 4096, 0));
	free(a1);
	free(a2);
	free(b1);
	free(b2);
	close(fd2);
}
END_TEST

struct worker {
	struct fx *f;
	int failures;
};

static void *identify_worker(void *arg)
{
	struct worker *w = arg;
	uint8_t cdb[16] = { 0x85, 4 << 1, 0x0e, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0x40, 0xEC };
	uint8_t id[512];
	sg_io_hdr_t h;

	for (int i = 0; i < 25; i++) {
		memset(&h, 0, sizeof(h));
		memset(id, 0, sizeof(id));
		h.interface_id = 'S';
		h.cmd_len = 16;
		h.cmdp = cdb;
		h.dxfer_direction = SG_DXFER_FROM_DEV;
		h.dxferp = id;
		h.dxfer_len = sizeof(id);
		if (w->f->sim_ioctl(w->f->fd, SG_IO, &h) != 0 || h.status != 0 || id[510] != 0xA5)
			w->failures++;
	}
	return NULL;
}

START_TEST(test_sim_concurrent_callers)
{
	struct fx f;
	struct worker w[4];
	pthread_t t[4];
	const char *argv[] = { "hdparm", "-I", NULL, NULL };
	pid_t kids[3];
	char *log, *p;
	int n = 0, status;

	if (tu_skip_unless_root(__func__))
		return;
	fx_setup(&f, "{\"devices\":[{\"path\":\"%s\",\"type\":\"ata\"}]}");
	argv[2] = f.sim.dev;
	fx_direct(&f, NULL);
	/* Threads here and whole processes at once; every answer whole, the state file intact. */
	for (int i = 0; i < 3; i++) {
		kids[i] = fork();
		ck_assert_int_ge(kids[i], 0);
		if (kids[i] == 0) {
			struct tu_result r;
			int bad = 0;

			for (int k = 0; k < 3; k++) {
				if (tu_runv(&r, f.sim.env, NULL, argv) || r.status || !strstr(r.out, "Checksum: correct"))
					bad = 1;
				tu_result_free(&r);
			}
			_exit(bad);
		}
	}
	for (int i = 0; i < 4; i++) {
		w[i].f = &f;
		w[i].failures = 0;
		ck_assert_int_eq(pthread_create(&t[i], NULL, identify_worker, &w[i]), 0);
	}
	for (int i = 0; i < 4; i++) {
		pthread_join(t[i], NULL);
		ck_assert_int_eq(w[i].failures, 0);
	}
	for (int i = 0; i < 3; i++) {
		ck_assert_int_eq(waitpid(kids[i], &status, 0), kids[i]);
		ck_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	}
	log = tu_read_file(f.sim.log, NULL);
	ck_assert_ptr_nonnull(log);
	for (p = log; (p = strstr(p, " ata IDENTIFY ")) != NULL; p++)
		n++;
	ck_assert_int_eq(n, 4 * 25 + 3 * 3);
	free(log);
	log = tu_read_file(strcat(f.sim.cfg, ".state"), NULL);
	ck_assert_ptr_nonnull(log);
	ck_assert_ptr_nonnull(strstr(log, "\"ata.san_state\": 0"));
	free(log);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("sim");
	struct tu_case cases[] = {
		{ "ata_identity_hdparm", test_sim_ata_identity_hdparm },
		{ "passthrough", test_sim_passthrough_without_config },
		{ "ata_security_erase_hdparm", test_sim_ata_security_erase_hdparm },
		{ "ata_erase_unit_needs_prepare", test_sim_ata_erase_unit_needs_prepare },
		{ "ata_frozen", test_sim_ata_frozen_refuses },
		{ "ata_sanitize_progress", test_sim_ata_sanitize_progress },
		{ "ata_sanitize_overwrite_crypto", test_sim_ata_sanitize_overwrite_and_crypto },
		{ "ata_hidden_areas", test_sim_ata_hidden_areas_fixed_sense },
		{ "ata_pass_through_12_and_scsi", test_sim_ata_pass_through_12_and_scsi },
		{ "bridge_vpd_serial", test_sim_bridge_vpd_serial },
		{ "ata_bridge_refuses", test_sim_ata_bridge_refuses_pass_through },
		{ "ata_bridge_no_registers", test_sim_ata_bridge_without_registers },
		{ "misbehave_lie", test_sim_misbehave_lie },
		{ "misbehave_first_lba_only", test_sim_misbehave_first_lba_only },
		{ "misbehave_stall", test_sim_misbehave_stall },
		{ "misbehave_fail_midway", test_sim_misbehave_fail_midway },
		{ "misbehave_frozen", test_sim_misbehave_frozen },
		{ "misbehave_abort", test_sim_misbehave_abort },
		{ "concurrent_callers", test_sim_concurrent_callers },
		{ "nvme_identify", test_sim_nvme_identify_nvmecli },
		{ "nvme_format", test_sim_nvme_format_ses },
		{ "nvme_sanitize", test_sim_nvme_sanitize_progress },
		{ "nvme_namespaces", test_sim_nvme_namespaces },
		{ "nvme_fail_midway", test_sim_nvme_fail_midway },
		{ "nvme_stall", test_sim_nvme_stall },
	};

	TU_ADD_CASES(s, cases, 60);
	return tu_main(s);
}
