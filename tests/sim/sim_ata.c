/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A simulated ATA drive behind a SAT layer: ATA PASS-THROUGH(16)/(12) in an
 * SG_IO request, the drive's registers returned in sense data as libata does.
 * Security (ACS SEC1..SEC6), SANITIZE (SD0..SD4), HPA, DCO and AMAC.
 */
#include "sim.h"

#include <errno.h>
#include <scsi/sg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ST_DRDY 0x40
#define ST_DSC 0x10
#define ST_ERR 0x01
#define ER_ABRT 0x04

#define SEC_PW_LEN 32

/* Sanitize Device error reasons (LBA 7:0 of an aborted SANITIZE). */
enum { SAN_REASON_NONE = 0, SAN_REASON_FAILED = 1, SAN_REASON_UNSUPPORTED = 2, SAN_REASON_FROZEN = 3,
       SAN_REASON_ANTIFREEZE = 4 };

enum { SD0 = 0, SD1, SD2, SD3, SD4 };

struct ata_cmd {
	unsigned proto;
	bool ext, ck_cond;
	uint16_t feature, count;
	uint64_t lba;
	uint8_t device, command;
};

struct ata_out {
	bool error;
	uint8_t status, error_reg, device;
	uint16_t count;
	uint64_t lba;
	size_t xfer;        /* bytes moved to or from the host */
	const char *name;   /* for the log */
	char note[96];
};

/* Everything one command needs. */
struct ata_ctx {
	const struct sim_opal_state *opal;
	const struct sim_dev *d;
	const struct sim_ata_cfg *cfg;
	struct sim_ata_state *st;
	sg_io_hdr_t *h;
	struct ata_cmd c;
	struct ata_out o;
};

static void ata_abort(struct ata_ctx *x)
{
	x->o.error = true;
	x->o.status = ST_DRDY | ST_ERR;
	x->o.error_reg = ER_ABRT;
}

static bool frozen_mb(const struct ata_ctx *x) { return x->d->misbehave == SIM_MB_FROZEN; }

/* ---- SCSI side of the SAT layer ---- */

static void put_sense(sg_io_hdr_t *h, const uint8_t *sense, size_t len)
{
	size_t n = len < h->mx_sb_len ? len : h->mx_sb_len;

	if (h->sbp && n) {
		memcpy(h->sbp, sense, n);
		h->sb_len_wr = (unsigned char)n;
	}
	h->status = 0x02;        /* CHECK CONDITION */
	h->masked_status = 0x01;
	h->driver_status = 0x08; /* DRIVER_SENSE */
	h->info |= SG_INFO_CHECK;
}

static void scsi_error(sg_io_hdr_t *h, uint8_t key, uint8_t asc, uint8_t ascq)
{
	uint8_t s[18] = { 0x70, 0, 0, 0, 0, 0, 0, 10 };

	s[2] = key;
	s[12] = asc;
	s[13] = ascq;
	put_sense(h, s, sizeof(s));
}

static void ata_sense(struct ata_ctx *x)
{
	const struct ata_out *o = &x->o;
	uint8_t key = o->error ? 0x0B : 0x01, ascq = o->error ? 0x00 : 0x1D;
	uint8_t s[22] = { 0 };

	if (!x->cfg->sense_fixed) {
		uint8_t *dsc = s + 8;

		s[0] = 0x72;
		s[1] = key;
		s[3] = ascq;
		s[7] = 14;
		dsc[0] = 0x09;
		dsc[1] = 0x0c;
		dsc[2] = x->c.ext ? 1 : 0;
		dsc[3] = o->error_reg;
		dsc[4] = (uint8_t)(o->count >> 8);
		dsc[5] = (uint8_t)o->count;
		dsc[6] = (uint8_t)(o->lba >> 24);
		dsc[7] = (uint8_t)o->lba;
		dsc[8] = (uint8_t)(o->lba >> 32);
		dsc[9] = (uint8_t)(o->lba >> 8);
		dsc[10] = (uint8_t)(o->lba >> 40);
		dsc[11] = (uint8_t)(o->lba >> 16);
		dsc[12] = o->device;
		dsc[13] = o->status;
		put_sense(x->h, s, 22);
		return;
	}
	/* Fixed format (SAT): the upper register bytes survive only as flags. */
	s[0] = 0x70;
	s[2] = key;
	s[3] = o->error_reg;
	s[4] = o->status;
	s[5] = o->device;
	s[6] = (uint8_t)o->count;
	s[7] = 10;
	s[8] = (uint8_t)((x->c.ext ? 0x80 : 0) | ((o->count >> 8) ? 0x40 : 0) | ((o->lba >> 24) ? 0x20 : 0));
	s[9] = (uint8_t)o->lba;
	s[10] = (uint8_t)(o->lba >> 8);
	s[11] = (uint8_t)(o->lba >> 16);
	s[12] = 0;
	s[13] = ascq;
	put_sense(x->h, s, 18);
}

static int parse_cdb(const uint8_t *cdb, unsigned len, struct ata_cmd *c)
{
	memset(c, 0, sizeof(*c));
	if (cdb[0] == 0x85 && len >= 16) {
		c->proto = (cdb[1] >> 1) & 0xf;
		c->ext = cdb[1] & 1;
		c->ck_cond = cdb[2] & 0x20;
		c->feature = (uint16_t)(c->ext ? (cdb[3] << 8 | cdb[4]) : cdb[4]);
		c->count = (uint16_t)(c->ext ? (cdb[5] << 8 | cdb[6]) : cdb[6]);
		c->lba = (uint64_t)cdb[8] | (uint64_t)cdb[10] << 8 | (uint64_t)cdb[12] << 16;
		if (c->ext)
			c->lba |= (uint64_t)cdb[7] << 24 | (uint64_t)cdb[9] << 32 | (uint64_t)cdb[11] << 40;
		else
			c->lba |= (uint64_t)(cdb[13] & 0xf) << 24;
		c->device = cdb[13];
		c->command = cdb[14];
		return 0;
	}
	if (cdb[0] == 0xA1 && len >= 12) {
		c->proto = (cdb[1] >> 1) & 0xf;
		c->ck_cond = cdb[2] & 0x20;
		c->feature = cdb[3];
		c->count = cdb[4];
		c->lba = (uint64_t)cdb[5] | (uint64_t)cdb[6] << 8 | (uint64_t)cdb[7] << 16 |
			 (uint64_t)(cdb[8] & 0xf) << 24;
		c->device = cdb[8];
		c->command = cdb[9];
		return 0;
	}
	return -1;
}

/* INQUIRY as a SAT layer answers it; anything else that is not ATA PASS-THROUGH is refused. */
static void scsi_other(struct ata_ctx *x, const uint8_t *cdb)
{
	sg_io_hdr_t *h = x->h;
	uint8_t buf[64] = { 0 };
	size_t n = 0;

	if (cdb[0] == 0x00) {          /* TEST UNIT READY */
		sim_log(x->d, "scsi TEST_UNIT_READY -> ok");
		return;
	}
	if (cdb[0] != 0x12 || h->dxfer_direction != SG_DXFER_FROM_DEV || !h->dxferp) {
		sim_log(x->d, "scsi opcode=0x%02x -> illegal_request", cdb[0]);
		scsi_error(h, 0x05, 0x20, 0x00);
		return;
	}
	if (!(cdb[1] & 1)) {
		buf[2] = 0x05;
		buf[3] = 0x02;
		buf[4] = 31;
		memcpy(buf + 8, "ATA     ", 8);
		memset(buf + 16, ' ', 20);
		memcpy(buf + 16, x->cfg->model, strnlen(x->cfg->model, 16));
		memcpy(buf + 32, x->cfg->firmware, strnlen(x->cfg->firmware, 4));
		n = 36;
	} else if (cdb[2] == 0x00) {
		buf[3] = 2;
		buf[5] = 0x80;
		n = 6;
	} else if (cdb[2] == 0x80) {
		size_t sl = strlen(x->cfg->vpd_serial);   /* at most 60: fits buf */

		buf[1] = 0x80;
		buf[3] = (uint8_t)sl;
		memcpy(buf + 4, x->cfg->vpd_serial, sl);
		n = 4 + sl;
	} else {
		sim_log(x->d, "scsi INQUIRY page=0x%02x -> illegal_request", cdb[2]);
		scsi_error(h, 0x05, 0x24, 0x00);
		return;
	}
	if (n > h->dxfer_len)
		n = h->dxfer_len;
	memcpy(h->dxferp, buf, n);
	h->resid = (int)(h->dxfer_len - n);
	sim_log(x->d, "scsi INQUIRY evpd=%d page=0x%02x -> ok", cdb[1] & 1, cdb[2]);
}

/* ---- data phases ---- */

static uint8_t *data_in(struct ata_ctx *x)
{
	if (x->h->dxfer_direction != SG_DXFER_FROM_DEV || x->h->dxfer_len < 512 || !x->h->dxferp)
		return NULL;
	x->o.xfer = 512;
	return x->h->dxferp;
}

static const uint8_t *data_out(struct ata_ctx *x)
{
	if (x->h->dxfer_direction != SG_DXFER_TO_DEV || x->h->dxfer_len < 512 || !x->h->dxferp)
		return NULL;
	x->o.xfer = 512;
	return x->h->dxferp;
}

static void put_word(uint8_t *b, unsigned w, uint16_t v)
{
	b[2 * w] = (uint8_t)v;
	b[2 * w + 1] = (uint8_t)(v >> 8);
}

/* ATA strings: space padded, the two bytes of each word swapped. */
static void put_string(uint8_t *b, unsigned w, unsigned words, const char *s)
{
	size_t len = strlen(s);

	for (unsigned i = 0; i < words * 2; i++) {
		char ch = i < len ? s[i] : ' ';

		b[2 * w + (i ^ 1)] = (uint8_t)ch;
	}
}

static void put_checksum(uint8_t *b)
{
	uint8_t sum = 0;

	b[510] = 0xA5;
	for (int i = 0; i < 511; i++)
		sum = (uint8_t)(sum + b[i]);
	b[511] = (uint8_t)(0x100 - sum);
}

static uint16_t erase_time_word(unsigned minutes)
{
	unsigned v = (minutes + 1) / 2;

	if (minutes == 0)
		return 0;
	if (v <= 254)
		return (uint16_t)v;
	return (uint16_t)(0x8000 | (v > 0x7fff ? 0x7fff : v));
}

static bool security_frozen(const struct ata_ctx *x) { return x->st->sec_frozen; }

static void identify(struct ata_ctx *x)
{
	const struct sim_ata_cfg *a = x->cfg;
	const struct sim_ata_state *st = x->st;
	uint8_t *b = data_in(x);
	uint64_t cap = st->current_max + 1;
	uint16_t w;

	x->o.name = "IDENTIFY";
	if (!b) {
		ata_abort(x);
		return;
	}
	memset(b, 0, 512);
	put_word(b, 0, 0x0040);
	put_word(b, 1, 16383);
	put_word(b, 3, 16);
	put_word(b, 6, 63);
	put_string(b, 10, 10, a->serial);
	put_string(b, 23, 4, a->firmware);
	put_string(b, 27, 20, a->model);
	put_word(b, 47, 0x8010);
	put_word(b, 48, (uint16_t)(0x4000 | (x->d->opal.present ? 0x0001 : 0)));
	put_word(b, 49, 0x0300);
	put_word(b, 53, 0x0006);
	w = 0x0110;
	if (a->san_crypto || a->san_block || a->san_overwrite)
		w |= 1u << 12;
	if (a->san_crypto)
		w |= 1u << 13;
	if (a->san_overwrite)
		w |= 1u << 14;
	if (a->san_block)
		w |= 1u << 15;
	if (a->san_antifreeze)
		w |= 1u << 10;
	put_word(b, 59, w);
	put_word(b, 60, (uint16_t)(cap > 0x0FFFFFFF ? 0xFFFF : cap));
	put_word(b, 61, (uint16_t)(cap > 0x0FFFFFFF ? 0x0FFF : cap >> 16));
	put_word(b, 63, 0x0007);
	put_word(b, 64, 0x0003);
	for (unsigned i = 65; i <= 68; i++)
		put_word(b, i, 120);
	put_word(b, 75, 31);
	put_word(b, 76, 0x010E);
	put_word(b, 80, 0x07F0);
	put_word(b, 82, (uint16_t)(0x4000 | 0x0060 | 0x0001 | (a->sec_supported ? 0x0002 : 0) | (a->hpa ? 0x0400 : 0)));
	put_word(b, 83, (uint16_t)(0x4000 | 0x3000 | 0x0400 | (a->dco ? 0x0800 : 0)));
	put_word(b, 84, 0x4000);
	put_word(b, 85, (uint16_t)(0x4000 | 0x0060 | 0x0001 | (st->sec_enabled ? 0x0002 : 0) | (a->hpa ? 0x0400 : 0)));
	put_word(b, 86, (uint16_t)(0x8000 | 0x3000 | 0x0400 | (a->dco ? 0x0800 : 0)));
	put_word(b, 87, 0x4000);
	put_word(b, 88, 0x007F);
	if (a->sec_supported) {
		put_word(b, 89, erase_time_word(a->erase_min_normal));
		put_word(b, 90, a->sec_enhanced ? erase_time_word(a->erase_min_enhanced) : 0);
		put_word(b, 92, st->master_id);
	}
	put_word(b, 100, (uint16_t)cap);
	put_word(b, 101, (uint16_t)(cap >> 16));
	put_word(b, 102, (uint16_t)(cap >> 32));
	put_word(b, 103, (uint16_t)(cap >> 48));
	put_word(b, 106, 0x4000);
	put_word(b, 119, (uint16_t)(0x4000 | (a->amac ? 0x0100 : 0)));
	put_word(b, 120, 0x4000);
	if (a->sec_supported) {
		w = 0x0001;
		if (st->sec_enabled)
			w |= 0x0002;
		if (st->sec_locked)
			w |= 0x0004;
		if (security_frozen(x))
			w |= 0x0008;
		if (st->sec_count_expired)
			w |= 0x0010;
		if (a->sec_enhanced)
			w |= 0x0020;
		if (st->sec_level_max)
			w |= 0x0100;
		put_word(b, 128, w);
	}
	put_word(b, 217, a->rotation);
	put_word(b, 222, 0x103F);
	put_checksum(b);
}

/* ---- hidden areas ---- */

static uint64_t factory_max(const struct ata_ctx *x) { return x->cfg->sectors - 1; }

static void read_native_max(struct ata_ctx *x, bool ext)
{
	x->o.name = ext ? "READ_NATIVE_MAX_EXT" : "READ_NATIVE_MAX";
	if (!x->cfg->hpa) {
		ata_abort(x);
		return;
	}
	x->st->native_read = true;
	if (ext) {
		x->o.lba = x->st->native_max;
	} else {
		uint64_t m = x->st->native_max > 0x0FFFFFFE ? 0x0FFFFFFE : x->st->native_max;

		x->o.lba = m & 0xFFFFFF;
		x->o.device = (uint8_t)(0x40 | ((m >> 24) & 0xf));
	}
	snprintf(x->o.note, sizeof(x->o.note), " native_max=%llu", (unsigned long long)x->st->native_max);
}

static void set_max(struct ata_ctx *x, bool ext, bool after_native_read)
{
	x->o.name = ext ? "SET_MAX_EXT" : "SET_MAX";
	if (!x->cfg->hpa || !after_native_read || x->st->sec_locked || (!ext && x->c.feature != 0) ||
	    x->c.lba > x->st->native_max) {
		ata_abort(x);
		return;
	}
	x->st->current_max = x->c.lba;
	snprintf(x->o.note, sizeof(x->o.note), " max=%llu volatile=%d", (unsigned long long)x->c.lba,
		 x->c.count & 1);
	x->o.lba = x->c.lba;
}

static void dco(struct ata_ctx *x)
{
	const struct sim_ata_cfg *a = x->cfg;
	uint8_t *b;

	if (x->c.feature == 0xC2) {
		x->o.name = "DCO_IDENTIFY";
		b = data_in(x);
		if (!a->dco || !b) {
			ata_abort(x);
			return;
		}
		memset(b, 0, 512);
		put_word(b, 0, 0x0002);
		put_word(b, 1, 0x0007);
		put_word(b, 2, 0x007F);
		put_word(b, 3, (uint16_t)factory_max(x));
		put_word(b, 4, (uint16_t)(factory_max(x) >> 16));
		put_word(b, 5, (uint16_t)(factory_max(x) >> 32));
		put_word(b, 6, (uint16_t)(factory_max(x) >> 48));
		put_word(b, 7, (uint16_t)(0x00C1 | (a->sec_supported ? 0x0008 : 0) | (a->hpa ? 0x0100 : 0)));
		put_checksum(b);
		snprintf(x->o.note, sizeof(x->o.note), " real_max=%llu", (unsigned long long)factory_max(x));
		return;
	}
	if (x->c.feature == 0xC0) {
		x->o.name = "DCO_RESTORE";
		/* ACS: aborted while a SET MAX restriction (HPA) is in place. */
		if (!a->dco || x->st->sec_locked || x->st->current_max < x->st->native_max) {
			ata_abort(x);
			return;
		}
		x->st->native_max = x->st->current_max = factory_max(x);
		return;
	}
	x->o.name = x->c.feature == 0xC1 ? "DCO_FREEZE" : "DCO_OTHER";
	if (!a->dco || x->c.feature != 0xC1)
		ata_abort(x);
}

static void amac(struct ata_ctx *x)
{
	struct sim_ata_state *st = x->st;

	x->o.name = x->c.feature == 0 ? "AMAC_GET_NATIVE_MAX" : x->c.feature == 1 ? "AMAC_SET_ACCESSIBLE_MAX"
		    : x->c.feature == 2 ? "AMAC_FREEZE" : "AMAC_OTHER";
	if (!x->cfg->amac || x->c.feature > 2) {
		ata_abort(x);
		return;
	}
	if (x->c.feature == 0) {
		x->o.lba = st->native_max;
	} else if (x->c.feature == 1) {
		if (st->amac_frozen || st->sec_locked || x->c.lba > st->native_max) {
			ata_abort(x);
			return;
		}
		st->current_max = x->c.lba;
		snprintf(x->o.note, sizeof(x->o.note), " max=%llu", (unsigned long long)x->c.lba);
	} else {
		st->amac_frozen = true;
	}
}

/* ---- security ---- */

struct sec_payload {
	bool master, enhanced, level_max;
	uint8_t pw[SEC_PW_LEN];
	uint16_t master_id;
};

static bool read_payload(struct ata_ctx *x, struct sec_payload *p)
{
	const uint8_t *b = data_out(x);

	if (!b)
		return false;
	p->master = b[0] & 1;
	p->enhanced = b[0] & 2;
	p->level_max = b[1] & 1;
	memcpy(p->pw, b + 2, SEC_PW_LEN);
	p->master_id = (uint16_t)(b[34] | b[35] << 8);
	snprintf(x->o.note, sizeof(x->o.note), " who=%s%s", p->master ? "master" : "user",
		 x->c.command == 0xF4 ? (p->enhanced ? " mode=enhanced" : " mode=normal") : "");
	return true;
}

/* A wrong password counts toward the five attempts ACS allows. */
static bool password_ok(struct ata_ctx *x, const struct sec_payload *p)
{
	struct sim_ata_state *st = x->st;
	const uint8_t *want = p->master ? st->master_pw : st->user_pw;

	if (!memcmp(want, p->pw, SEC_PW_LEN))
		return true;
	if (st->unlock_tries > 0 && --st->unlock_tries == 0)
		st->sec_count_expired = true;
	strncat(x->o.note, " password=wrong", sizeof(x->o.note) - strlen(x->o.note) - 1);
	return false;
}

static uint64_t erase_bytes(const struct ata_ctx *x)
{
	uint64_t last = x->cfg->hpa_erase_hidden ? factory_max(x) : x->st->current_max;

	return (last + 1) * 512;
}

/* A stalled synchronous command: block for the host's timeout (capped), then time out. */
static void stall_timeout(struct ata_ctx *x)
{
	double t = x->h->timeout / 1000.0;

	if (t <= 0 || t > x->d->stall_max_seconds)
		t = x->d->stall_max_seconds;
	sim_sleep(t);
	x->h->host_status = 0x03;   /* DID_TIME_OUT */
	x->h->driver_status = 0x06; /* DRIVER_TIMEOUT */
	x->h->info |= SG_INFO_CHECK;
	strncat(x->o.note, " timed_out", sizeof(x->o.note) - strlen(x->o.note) - 1);
}

static void erase_unit(struct ata_ctx *x, bool prepared)
{
	struct sim_ata_state *st = x->st;
	const struct sim_ata_cfg *a = x->cfg;
	struct sec_payload p;
	int rc;

	x->o.name = "SEC_ERASE_UNIT";
	if (!read_payload(x, &p) || !prepared || st->sec_count_expired || (p.enhanced && !a->sec_enhanced) ||
	    (!st->sec_enabled && !p.master) || !password_ok(x, &p)) {
		if (!prepared)
			strncat(x->o.note, " not_prepared", sizeof(x->o.note) - strlen(x->o.note) - 1);
		ata_abort(x);
		return;
	}
	if (x->d->misbehave == SIM_MB_ABORT) {
		ata_abort(x);
		return;
	}
	if (x->d->misbehave == SIM_MB_STALL) {
		stall_timeout(x);
		st->sec_locked = st->sec_enabled;
		return;
	}
	sim_sleep(a->erase_seconds);
	rc = sim_media_erase(x->d, x->d->media.path, 0, erase_bytes(x), 512,
			     p.enhanced ? a->fill_enhanced : a->fill_normal, 0);
	if (rc < 0 || x->d->misbehave == SIM_MB_FAIL_MIDWAY) {
		/* Interrupted: the password stays set and the drive comes back locked. */
		st->sec_locked = st->sec_enabled;
		ata_abort(x);
		return;
	}
	st->sec_enabled = st->sec_locked = false;
	memset(st->user_pw, 0, SEC_PW_LEN);
	st->unlock_tries = 5;
}

static void security(struct ata_ctx *x, bool prepared)
{
	static const char *const names[] = { "SEC_SET_PASS", "SEC_UNLOCK", "SEC_ERASE_PREPARE",
					     "SEC_ERASE_UNIT", "SEC_FREEZE_LOCK", "SEC_DISABLE_PASS" };
	struct sim_ata_state *st = x->st;
	struct sec_payload p;
	bool frozen = security_frozen(x) || frozen_mb(x);

	x->o.name = names[x->c.command - 0xF1];
	if (!x->cfg->sec_supported) {
		ata_abort(x);
		return;
	}
	switch (x->c.command) {
	case 0xF1: /* SET PASSWORD: SEC1/SEC5 only */
		if (!read_payload(x, &p) || frozen || st->sec_locked) {
			ata_abort(x);
			return;
		}
		if (p.master) {
			memcpy(st->master_pw, p.pw, SEC_PW_LEN);
			if (p.master_id != 0 && p.master_id != 0xFFFF)
				st->master_id = p.master_id;
		} else {
			memcpy(st->user_pw, p.pw, SEC_PW_LEN);
			st->sec_enabled = true;
			st->sec_level_max = p.level_max;
		}
		return;
	case 0xF2: /* UNLOCK */
		if (!read_payload(x, &p) || frozen || !st->sec_enabled || st->sec_count_expired ||
		    (p.master && st->sec_level_max) || !password_ok(x, &p)) {
			ata_abort(x);
			return;
		}
		st->sec_locked = false;
		st->unlock_tries = 5;
		return;
	case 0xF3: /* ERASE PREPARE: arms ERASE UNIT for the very next command */
		if (frozen) {
			ata_abort(x);
			return;
		}
		st->erase_prepared = true;
		return;
	case 0xF4:
		if (frozen) {
			ata_abort(x);
			return;
		}
		erase_unit(x, prepared);
		return;
	case 0xF5: /* FREEZE LOCK */
		if (st->sec_locked || frozen_mb(x)) {
			ata_abort(x);
			return;
		}
		st->sec_frozen = true;
		return;
	default: /* 0xF6 DISABLE PASSWORD: SEC5 only */
		if (!read_payload(x, &p) || frozen || st->sec_locked || !st->sec_enabled || !password_ok(x, &p)) {
			ata_abort(x);
			return;
		}
		st->sec_enabled = false;
		memset(st->user_pw, 0, SEC_PW_LEN);
		return;
	}
}

/* ---- sanitize ---- */

static void san_abort(struct ata_ctx *x, uint8_t reason)
{
	ata_abort(x);
	x->o.lba = reason;
	snprintf(x->o.note + strlen(x->o.note), sizeof(x->o.note) - strlen(x->o.note), " reason=%u", reason);
}

/*
 * The machine was suspended and resumed. Where the platform cut the drive's
 * power (resume_unfreezes), that is a power-on reset: FROZEN and a sanitize
 * freeze are gone, an armed ERASE PREPARE too, and a drive with a user
 * password comes up locked. A sanitize in progress continues (SD2 survives).
 */
void sim_ata_resume(const struct sim_dev *d, struct sim_ata_state *st, unsigned resumes)
{
	if (resumes <= st->resumes)
		return;
	st->resumes = resumes;
	sim_log(d, "ata RESUME count=%u -> %s", resumes,
		d->ata.resume_unfreezes ? "power cycled" : "power kept (still frozen)");
	if (!d->ata.resume_unfreezes)
		return;
	st->sec_frozen = false;
	st->erase_prepared = false;
	st->native_read = false;
	st->sec_locked = st->sec_enabled;
	if (st->san_state == SD1)
		st->san_state = SD0;
}

/* An operation whose time is up completes: this is when the media's bytes change. */
void sim_ata_tick(const struct sim_dev *d, struct sim_ata_state *st)
{
	uint64_t bytes = ((d->ata.hpa_erase_hidden ? d->ata.sectors - 1 : st->current_max) + 1) * 512;
	enum sim_fill fill = d->ata.san_block_fill;
	uint32_t pattern = 0;
	bool done;
	int rc;

	if (st->san_state != SD2)
		return;
	sim_progress(d, st->san_start, st->san_duration, &done);
	if (!done)
		return;
	if (st->san_feature == 0x0011) {
		fill = SIM_FILL_RANDOM;
	} else if (st->san_feature == 0x0014) {
		unsigned passes = (st->san_count & 0xf) ? (st->san_count & 0xf) : 16;

		fill = SIM_FILL_PATTERN;
		pattern = (uint32_t)st->san_lba;
		if ((st->san_count & 0x80) && ((passes - 1) & 1))
			pattern = ~pattern;
	}
	rc = sim_media_erase(d, d->media.path, 0, bytes, 512, fill, pattern);
	if (rc < 0 || d->misbehave == SIM_MB_FAIL_MIDWAY) {
		st->san_state = SD3;
		st->san_last_ok = false;
	} else {
		st->san_state = SD4;
		st->san_last_ok = true;
	}
	sim_log(d, "ata SANITIZE_COMPLETE feature=0x%04x -> %s", st->san_feature,
		st->san_state == SD4 ? "ok" : "failed");
}

static void sanitize_status(struct ata_ctx *x)
{
	struct sim_ata_state *st = x->st;
	bool done;

	x->o.name = "SANITIZE_STATUS";
	if (st->san_state == SD3) {
		if ((x->c.count & 1) && st->san_failure_mode) {
			st->san_state = SD0;
			strncat(x->o.note, " cleared", sizeof(x->o.note) - strlen(x->o.note) - 1);
		} else {
			san_abort(x, SAN_REASON_FAILED);
			return;
		}
	}
	x->o.count = (uint16_t)((st->san_last_ok ? 0x8000 : 0) | (st->san_state == SD2 ? 0x4000 : 0) |
				(st->san_state == SD1 || frozen_mb(x) ? 0x2000 : 0) |
				(st->san_antifreeze ? 0x1000 : 0));
	x->o.lba = 0xFFFF;
	if (st->san_state == SD2) {
		double p = sim_progress(x->d, st->san_start, st->san_duration, &done);

		x->o.lba = (uint64_t)(p * 65536.0);
		if (x->o.lba > 0xFFFE)
			x->o.lba = 0xFFFE;
	}
	snprintf(x->o.note + strlen(x->o.note), sizeof(x->o.note) - strlen(x->o.note), " state=SD%d progress=0x%04llx",
		 st->san_state, (unsigned long long)x->o.lba);
}

static void sanitize(struct ata_ctx *x)
{
	const struct sim_ata_cfg *a = x->cfg;
	struct sim_ata_state *st = x->st;
	uint32_t key32 = (uint32_t)x->c.lba;
	bool supported = false, key_ok = false;
	int idx = -1;

	switch (x->c.feature) {
	case 0x0000:
		sanitize_status(x);
		return;
	case 0x0011:
		x->o.name = "SANITIZE_CRYPTO";
		supported = a->san_crypto;
		key_ok = key32 == 0x43727970;
		idx = 0;
		break;
	case 0x0012:
		x->o.name = "SANITIZE_BLOCK";
		supported = a->san_block;
		key_ok = key32 == 0x426B4572;
		idx = 1;
		break;
	case 0x0014:
		x->o.name = "SANITIZE_OVERWRITE";
		supported = a->san_overwrite;
		key_ok = ((x->c.lba >> 32) & 0xffff) == 0x4F57;
		idx = 2;
		break;
	case 0x0020:
		x->o.name = "SANITIZE_FREEZE_LOCK";
		supported = a->san_crypto || a->san_block || a->san_overwrite;
		key_ok = key32 == 0x46724C6B;
		break;
	case 0x0040:
		x->o.name = "SANITIZE_ANTIFREEZE_LOCK";
		supported = a->san_antifreeze;
		key_ok = key32 == 0x416E7469;
		break;
	default:
		x->o.name = "SANITIZE_OTHER";
		break;
	}
	if (!supported) {
		san_abort(x, SAN_REASON_UNSUPPORTED);
		return;
	}
	if (!key_ok) {
		san_abort(x, SAN_REASON_NONE);
		return;
	}
	if (x->c.feature == 0x0020) {
		if (st->san_antifreeze)
			san_abort(x, SAN_REASON_ANTIFREEZE);
		else
			st->san_state = SD1;
		return;
	}
	if (st->san_state == SD1 || frozen_mb(x)) {
		san_abort(x, SAN_REASON_FROZEN);
		return;
	}
	if (x->c.feature == 0x0040) {
		st->san_antifreeze = true;
		return;
	}
	if (st->sec_locked || x->d->misbehave == SIM_MB_ABORT) {
		san_abort(x, SAN_REASON_FAILED);
		return;
	}
	snprintf(x->o.note, sizeof(x->o.note), " failure_mode=%d", (x->c.count >> 4) & 1);
	st->san_state = SD2;
	st->san_last_ok = false;
	st->san_feature = x->c.feature;
	st->san_count = x->c.count;
	st->san_lba = x->c.lba;
	st->san_failure_mode = (x->c.count >> 4) & 1;
	st->san_start = sim_now();
	st->san_duration = a->san_seconds[idx] > 0 ? a->san_seconds[idx] : 0;
}

/* READ LOG EXT: only the General Purpose log directory, which lists no logs. */
static void read_log(struct ata_ctx *x)
{
	uint8_t *b;

	x->o.name = "READ_LOG_EXT";
	snprintf(x->o.note, sizeof(x->o.note), " log=0x%02x", (unsigned)(x->c.lba & 0xff));
	if ((x->c.lba & 0xff) != 0 || !(b = data_in(x))) {
		ata_abort(x);
		return;
	}
	memset(b, 0, 512);
	put_word(b, 0, 0x0001);
}

/* TRUSTED RECEIVE (PIO): protocol 1, ComID 1 is Level 0 Discovery on a self-encrypting drive. */
static void trusted_receive(struct ata_ctx *x)
{
	unsigned proto = x->c.feature & 0xff, comid = (unsigned)((x->c.lba >> 8) & 0xffff);
	size_t blocks = (x->c.count & 0xff) | (size_t)(x->c.lba & 0xff) << 8;
	size_t len = blocks * 512;

	x->o.name = "TRUSTED_RECEIVE";
	snprintf(x->o.note, sizeof(x->o.note), " protocol=0x%02x comid=0x%04x", proto, comid);
	if (!x->d->opal.present || proto != 1 || comid != 1 || len == 0 ||
	    x->h->dxfer_direction != SG_DXFER_FROM_DEV || x->h->dxfer_len < len || !x->h->dxferp) {
		ata_abort(x);
		return;
	}
	sim_opal_discovery(x->d, x->opal, x->h->dxferp, len);
	x->o.xfer = len;
}

/* ---- dispatch ---- */

static void dispatch(struct ata_ctx *x)
{
	struct sim_ata_state *st = x->st;
	bool prepared = st->erase_prepared, native_read = st->native_read;
	uint8_t cmd = x->c.command;

	/* ERASE PREPARE and READ NATIVE MAX arm only the very next command. */
	st->erase_prepared = false;
	st->native_read = false;
	if ((st->san_state == SD2 || st->san_state == SD3) && cmd != 0xEC && cmd != 0xB4) {
		x->o.name = "BUSY_SANITIZE";
		snprintf(x->o.note, sizeof(x->o.note), " command=0x%02x", cmd);
		ata_abort(x);
		return;
	}
	if (st->san_state == SD2 && cmd == 0xB4 && x->c.feature != 0) {
		x->o.name = "SANITIZE_BUSY";
		san_abort(x, SAN_REASON_FAILED);
		return;
	}
	switch (cmd) {
	case 0xEC:
		identify(x);
		break;
	case 0x27:
		read_native_max(x, true);
		break;
	case 0xF8:
		read_native_max(x, false);
		break;
	case 0x37:
		set_max(x, true, native_read);
		break;
	case 0xF9:
		set_max(x, false, native_read);
		break;
	case 0xF1: case 0xF2: case 0xF3: case 0xF4: case 0xF5: case 0xF6:
		security(x, prepared);
		break;
	case 0xB4:
		sanitize(x);
		break;
	case 0xB1:
		dco(x);
		break;
	case 0x78:
		amac(x);
		break;
	case 0x2F: case 0x47:
		read_log(x);
		break;
	case 0xE7: case 0xEA:
		x->o.name = "FLUSH_CACHE";
		break;
	case 0x5C:
		trusted_receive(x);
		break;
	case 0xE5:
		x->o.name = "CHECK_POWER_MODE";
		x->o.count = 0xFF;
		break;
	default:
		x->o.name = "UNSUPPORTED";
		snprintf(x->o.note, sizeof(x->o.note), " command=0x%02x", cmd);
		ata_abort(x);
		break;
	}
}

static int sg_io_flat(const struct sim_dev *d, struct sim_state *st, sg_io_hdr_t *h)
{
	struct ata_ctx x = { .opal = &st->opal, .d = d, .cfg = &d->ata, .st = &st->ata, .h = h };
	uint8_t cdb[16] = { 0 };

	if (!h->cmdp || h->cmd_len == 0 || h->cmd_len > 16) {
		errno = EINVAL;
		return -1;
	}
	memcpy(cdb, h->cmdp, h->cmd_len);
	h->status = h->masked_status = h->msg_status = 0;
	h->host_status = h->driver_status = 0;
	h->sb_len_wr = 0;
	h->info = 0;
	h->resid = 0;
	h->duration = 1;
	if (parse_cdb(cdb, h->cmd_len, &x.c) < 0) {
		scsi_other(&x, cdb);
		return 0;
	}
	if (x.cfg->bridge == SIM_BRIDGE_REFUSE_ATA) {
		/* A USB bridge without SAT pass-through: INVALID COMMAND OPERATION CODE. */
		sim_log(d, "ata REFUSED_BY_BRIDGE command=0x%02x -> illegal_request", x.c.command);
		scsi_error(h, 0x05, 0x20, 0x00);
		return 0;
	}
	sim_ata_tick(d, x.st);
	x.o.status = ST_DRDY | ST_DSC;
	x.o.device = x.c.device;
	dispatch(&x);
	h->resid = (int)(h->dxfer_len - x.o.xfer);
	if (h->host_status || !(x.o.error || x.c.ck_cond))
		;
	else if (x.cfg->bridge != SIM_BRIDGE_NO_REGISTERS)
		ata_sense(&x);
	else if (x.o.error)
		scsi_error(h, 0x0B, 0x00, 0x00);  /* a bridge that returns no registers */
	sim_log(d, "ata %s command=0x%02x feature=0x%04x count=0x%04x lba=0x%012llx%s -> %s status=0x%02x error=0x%02x",
		x.o.name ? x.o.name : "?", x.c.command, x.c.feature, x.c.count, (unsigned long long)x.c.lba,
		x.o.note, h->host_status ? "timeout" : x.o.error ? "abort" : "ok", x.o.status, x.o.error_reg);
	return 0;
}

/* A scatter-gather request runs on a bounce buffer. */
static int sg_io_iovec(const struct sim_dev *d, struct sim_state *st, sg_io_hdr_t *h)
{
	const sg_iovec_t *iov = h->dxferp;
	sg_io_hdr_t flat = *h;
	size_t total = 0, done = 0;
	uint8_t *buf;
	int ret;

	if (!iov) {
		errno = EFAULT;
		return -1;
	}
	for (unsigned i = 0; i < h->iovec_count; i++)
		total += iov[i].iov_len;
	if (total > h->dxfer_len)
		total = h->dxfer_len;
	buf = calloc(1, total ? total : 1);
	if (!buf) {
		errno = ENOMEM;
		return -1;
	}
	for (unsigned i = 0; i < h->iovec_count && h->dxfer_direction == SG_DXFER_TO_DEV && done < total; i++) {
		size_t n = iov[i].iov_len < total - done ? iov[i].iov_len : total - done;

		memcpy(buf + done, iov[i].iov_base, n);
		done += n;
	}
	flat.iovec_count = 0;
	flat.dxferp = buf;
	flat.dxfer_len = (unsigned)total;
	ret = sg_io_flat(d, st, &flat);
	done = 0;
	for (unsigned i = 0; i < h->iovec_count && h->dxfer_direction == SG_DXFER_FROM_DEV && done < total; i++) {
		size_t n = iov[i].iov_len < total - done ? iov[i].iov_len : total - done;

		memcpy(iov[i].iov_base, buf + done, n);
		done += n;
	}
	free(buf);
	flat.iovec_count = h->iovec_count;
	flat.dxferp = h->dxferp;
	flat.dxfer_len = h->dxfer_len;
	*h = flat;
	return ret;
}

int sim_ata_sg_io(const struct sim_dev *d, struct sim_state *st, void *arg)
{
	sg_io_hdr_t *h = arg;

	if (!h || h->interface_id != 'S') {
		errno = EINVAL;
		return -1;
	}
	return h->iovec_count ? sg_io_iovec(d, st, h) : sg_io_flat(d, st, h);
}
