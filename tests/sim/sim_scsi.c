/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A simulated SCSI (SAS) disk: INQUIRY with VPD pages, READ CAPACITY(10/16),
 * REPORT SUPPORTED OPERATION CODES, TEST UNIT READY, REQUEST SENSE and
 * SANITIZE with its state machine (idle, in progress, failure mode), as
 * SPC-5/SBC-4 describe them. Everything else, ATA PASS-THROUGH included, is
 * INVALID COMMAND OPERATION CODE.
 */
#include "sim.h"

#include <errno.h>
#include <scsi/sg.h>
#include <stdio.h>
#include <string.h>

enum { SAN_IDLE = 0, SAN_RUNNING = 1, SAN_FAILED = 2 };

#define HOST_DID_TIME_OUT 0x03

struct scsi_ctx {
	const struct sim_dev *d;
	const struct sim_scsi_cfg *cfg;
	struct sim_scsi_state *st;
	sg_io_hdr_t *h;
	const uint8_t *cdb;
	const char *name;
	char note[128];
	uint8_t key, asc, ascq;   /* the CHECK CONDITION given, if key */
	bool checked;
};

static void put_be16(uint8_t *b, uint16_t v)
{
	b[0] = (uint8_t)(v >> 8);
	b[1] = (uint8_t)v;
}

static void put_be32(uint8_t *b, uint32_t v)
{
	put_be16(b, (uint16_t)(v >> 16));
	put_be16(b + 2, (uint16_t)v);
}

static uint64_t blocks(const struct sim_dev *d)
{
	return d->media.bytes / d->scsi.block_len;
}

static uint16_t progress_now(const struct scsi_ctx *x)
{
	bool done;
	double p = sim_progress(x->d, x->st->san_start, x->st->san_duration, &done);
	unsigned v = (unsigned)(p * 65536.0);

	return (uint16_t)(v > 0xFFFE ? 0xFFFE : v);
}

/* Sense data in the chosen format; progress (SKSV) when with_progress. */
static size_t build_sense(uint8_t *s, bool desc, uint8_t key, uint8_t asc, uint8_t ascq,
			  bool with_progress, uint16_t progress)
{
	if (desc) {
		memset(s, 0, 16);
		s[0] = 0x72;
		s[1] = key;
		s[2] = asc;
		s[3] = ascq;
		if (!with_progress)
			return 8;
		s[7] = 8;
		s[8] = 0x02;           /* sense key specific descriptor */
		s[9] = 0x06;
		s[12] = 0x80;          /* SKSV */
		put_be16(s + 13, progress);
		return 16;
	}
	memset(s, 0, 18);
	s[0] = 0x70;
	s[2] = key;
	s[7] = 10;
	s[12] = asc;
	s[13] = ascq;
	if (with_progress) {
		s[15] = 0x80;
		put_be16(s + 16, progress);
	}
	return 18;
}

static void check(struct scsi_ctx *x, uint8_t key, uint8_t asc, uint8_t ascq)
{
	sg_io_hdr_t *h = x->h;
	bool prog = key == 0x02 && asc == 0x04 && ascq == 0x1B;
	uint8_t s[18];
	size_t n = build_sense(s, !x->cfg->sense_fixed, key, asc, ascq, prog,
			       prog ? progress_now(x) : 0);

	if (n > h->mx_sb_len)
		n = h->mx_sb_len;
	if (h->sbp && n) {
		memcpy(h->sbp, s, n);
		h->sb_len_wr = (unsigned char)n;
	}
	h->status = 0x02;
	h->masked_status = 0x01;
	h->driver_status = 0x08;
	h->info |= SG_INFO_CHECK;
	x->checked = true;
	x->key = key;
	x->asc = asc;
	x->ascq = ascq;
}

/* Copy a response to the caller's buffer within the allocation length. */
static void data_in(struct scsi_ctx *x, const uint8_t *buf, size_t n, size_t alloc)
{
	sg_io_hdr_t *h = x->h;

	if (h->dxfer_direction != SG_DXFER_FROM_DEV || !h->dxferp) {
		n = 0;
	} else {
		if (n > alloc)
			n = alloc;
		if (n > h->dxfer_len)
			n = h->dxfer_len;
		memcpy(h->dxferp, buf, n);
	}
	h->resid = (int)(h->dxfer_len - n);
}

/* ---- the state machine ---- */

/* A sanitize whose time is up completes: this is when the media's bytes change. */
void sim_scsi_tick(const struct sim_dev *d, struct sim_scsi_state *st)
{
	enum sim_fill fill = d->scsi.block_fill;
	uint32_t pattern = st->san_pattern;
	bool done;
	int rc;

	if (st->san_state != SAN_RUNNING)
		return;
	sim_progress(d, st->san_start, st->san_duration, &done);
	if (!done)
		return;
	if (st->san_sa == 0x03) {
		fill = SIM_FILL_RANDOM;
	} else if (st->san_sa == 0x01) {
		fill = SIM_FILL_PATTERN;
		/* INVERT: every second pass is inverted, so an even count ends inverted. */
		if (st->san_invert && !(st->san_count & 1))
			pattern = ~pattern;
	}
	rc = sim_media_erase(d, d->media.path, 0, blocks(d) * d->scsi.block_len, d->scsi.block_len,
			     fill, pattern);
	st->san_state = rc < 0 || d->misbehave == SIM_MB_FAIL_MIDWAY ? SAN_FAILED : SAN_IDLE;
	sim_log(d, "scsi SANITIZE_COMPLETE sa=0x%02x -> %s", st->san_sa,
		st->san_state == SAN_IDLE ? "ok" : "failed");
}

/* ---- commands ---- */

static void inquiry(struct scsi_ctx *x)
{
	const struct sim_scsi_cfg *c = x->cfg;
	const uint8_t *cdb = x->cdb;
	size_t alloc = (size_t)(cdb[3] << 8 | cdb[4]), n = 0, sl;
	uint8_t b[96];

	memset(b, 0, sizeof(b));
	x->name = "INQUIRY";
	snprintf(x->note, sizeof(x->note), " evpd=%d page=0x%02x", cdb[1] & 1, cdb[2]);
	if (!(cdb[1] & 1)) {
		if (cdb[2]) {
			check(x, 0x05, 0x24, 0x00);
			return;
		}
		b[2] = 0x06;           /* SPC-4 */
		b[3] = 0x02;
		b[4] = 31;
		b[5] = c->prot_type ? 0x01 : 0x00;   /* PROTECT */
		memset(b + 8, ' ', 28);
		memcpy(b + 8, c->vendor, strlen(c->vendor));
		memcpy(b + 16, c->product, strlen(c->product));
		memcpy(b + 32, c->revision, strlen(c->revision));
		n = 36;
	} else if (cdb[2] == 0x00) {
		static const uint8_t pages[] = { 0x00, 0x80, 0x83, 0xB1 };

		b[1] = 0x00;
		b[3] = sizeof(pages);
		memcpy(b + 4, pages, sizeof(pages));
		n = 4 + sizeof(pages);
	} else if (cdb[2] == 0x80) {
		sl = strlen(c->serial);
		b[1] = 0x80;
		b[3] = (uint8_t)sl;
		memcpy(b + 4, c->serial, sl);
		n = 4 + sl;
	} else if (cdb[2] == 0x83) {
		b[1] = 0x83;
		b[3] = 12;
		b[4] = 0x01;           /* binary */
		b[5] = 0x03;           /* logical unit, NAA */
		b[7] = 8;
		for (int i = 0; i < 8; i++) {
			unsigned v = 0;

			sscanf(c->naa + 2 * i, "%2x", &v);
			b[8 + i] = (uint8_t)v;
		}
		n = 16;
	} else if (cdb[2] == 0xB1) {
		b[1] = 0xB1;
		b[3] = 0x3C;
		put_be16(b + 4, c->rotation);
		b[7] = c->form_factor;
		n = 64;
	} else {
		check(x, 0x05, 0x24, 0x00);
		return;
	}
	data_in(x, b, n, alloc);
}

static void read_capacity(struct scsi_ctx *x, bool sixteen)
{
	const struct sim_scsi_cfg *c = x->cfg;
	uint64_t last = blocks(x->d) - 1;
	uint8_t b[32];

	memset(b, 0, sizeof(b));
	x->name = sixteen ? "READ_CAPACITY_16" : "READ_CAPACITY_10";
	if (!sixteen) {
		put_be32(b, last > 0xFFFFFFFFull ? 0xFFFFFFFFu : (uint32_t)last);
		put_be32(b + 4, c->block_len);
		data_in(x, b, 8, 8);
		return;
	}
	put_be32(b, (uint32_t)(last >> 32));
	put_be32(b + 4, (uint32_t)last);
	put_be32(b + 8, c->block_len);
	if (c->prot_type)
		b[12] = (uint8_t)(((c->prot_type - 1) << 1) | 0x01);
	b[13] = c->lbppbe & 0x0f;
	data_in(x, b, 32, (size_t)x->cdb[10] << 24 | (size_t)x->cdb[11] << 16 |
		(size_t)x->cdb[12] << 8 | x->cdb[13]);
}

/* The commands the device reports: opcode, service action (or -1), CDB length, supported. */
struct op_desc { uint8_t op; int sa; uint8_t len; bool on; };

static size_t op_table(const struct sim_scsi_cfg *c, struct op_desc *t)
{
	size_t n = 0;

	t[n++] = (struct op_desc){ 0x00, -1, 6, true };
	t[n++] = (struct op_desc){ 0x03, -1, 6, true };
	t[n++] = (struct op_desc){ 0x04, -1, 6, c->format_unit };
	t[n++] = (struct op_desc){ 0x12, -1, 6, true };
	t[n++] = (struct op_desc){ 0x25, -1, 10, true };
	t[n++] = (struct op_desc){ 0x28, -1, 10, true };
	t[n++] = (struct op_desc){ 0x2A, -1, 10, true };
	t[n++] = (struct op_desc){ 0x48, 0x01, 10, c->san_overwrite };
	t[n++] = (struct op_desc){ 0x48, 0x02, 10, c->san_block };
	t[n++] = (struct op_desc){ 0x48, 0x03, 10, c->san_crypto };
	t[n++] = (struct op_desc){ 0x48, 0x1F, 10, c->san_exit };
	t[n++] = (struct op_desc){ 0x9E, 0x10, 16, true };
	t[n++] = (struct op_desc){ 0xA3, 0x0C, 12, true };
	return n;
}

static bool has_sa(uint8_t op) { return op == 0x48 || op == 0x9E || op == 0xA3; }

static void rsoc(struct scsi_ctx *x)
{
	const uint8_t *cdb = x->cdb;
	unsigned opt = cdb[2] & 0x07;
	uint8_t op = cdb[3];
	int sa = cdb[4] << 8 | cdb[5];
	size_t alloc = (size_t)cdb[6] << 24 | (size_t)cdb[7] << 16 | (size_t)cdb[8] << 8 | cdb[9];
	struct op_desc t[16];
	size_t nt = op_table(x->cfg, t), n = 0;
	uint8_t b[256];

	memset(b, 0, sizeof(b));
	x->name = "REPORT_SUPPORTED_OPCODES";
	snprintf(x->note, sizeof(x->note), " options=%u requested=0x%02x/0x%02x", opt, op, sa);
	if (!x->cfg->rsoc) {
		check(x, 0x05, 0x20, 0x00);
		return;
	}
	if (opt == 0) {
		n = 4;
		for (size_t i = 0; i < nt; i++) {
			if (!t[i].on)
				continue;
			b[n] = t[i].op;
			put_be16(b + n + 2, t[i].sa < 0 ? 0 : (uint16_t)t[i].sa);
			b[n + 5] = t[i].sa < 0 ? 0 : 0x01;   /* SERVACTV */
			put_be16(b + n + 6, t[i].len);
			n += 8;
		}
		put_be32(b, (uint32_t)(n - 4));
		data_in(x, b, n, alloc);
		return;
	}
	if (opt == 3)
		opt = has_sa(op) ? 2 : 1;
	if (opt > 2 || (opt == 1 && has_sa(op)) || (opt == 2 && !has_sa(op))) {
		check(x, 0x05, 0x24, 0x00);
		return;
	}
	b[1] = 0x01;                   /* not supported */
	for (size_t i = 0; i < nt; i++) {
		if (t[i].op != op || (opt == 2 && t[i].sa != sa) || !t[i].on)
			continue;
		b[1] = 0x03;           /* supported in conformance with a standard */
		put_be16(b + 2, t[i].len);
		b[4] = op;
		memset(b + 5, 0xFF, (size_t)t[i].len - 2);
		if (opt == 2)
			b[5] = (uint8_t)(0xE0 | sa);
		b[4 + t[i].len - 1] = 0x07;
		n = 4 + t[i].len;
	}
	if (!n)
		n = 4;
	data_in(x, b, n, alloc);
}

static void request_sense(struct scsi_ctx *x)
{
	bool desc = (x->cdb[1] & 1) && !x->cfg->sense_fixed;
	uint8_t s[18];
	size_t n;

	x->name = "REQUEST_SENSE";
	if (x->st->san_state == SAN_RUNNING)
		n = build_sense(s, desc, 0x02, 0x04, 0x1B, true, progress_now(x));
	else if (x->st->san_state == SAN_FAILED)
		n = build_sense(s, desc, 0x03, 0x31, 0x03, false, 0);
	else
		n = build_sense(s, desc, 0x00, 0x00, 0x00, false, 0);
	snprintf(x->note, sizeof(x->note), " desc=%d state=%d progress=0x%04x", desc,
		 x->st->san_state, x->st->san_state == SAN_RUNNING ? progress_now(x) : 0xFFFF);
	data_in(x, s, n, x->cdb[4]);
}

/* OVERWRITE's parameter list: 0 and the 32-bit pattern, or -1 (INVALID FIELD IN PARAMETER LIST). */
static int overwrite_params(struct scsi_ctx *x, unsigned plen)
{
	const sg_io_hdr_t *h = x->h;
	const uint8_t *p = h->dxferp;
	unsigned count, len;
	uint8_t pat[4];

	if (h->dxfer_direction != SG_DXFER_TO_DEV || !p || plen < 5 || h->dxfer_len < plen)
		return -1;
	count = p[0] & 0x1f;
	len = (unsigned)(p[2] << 8 | p[3]);
	if (count == 0 || (p[0] & 0x60) || len == 0 || len + 4 != plen || 4 % len)
		return -1;   /* the simulator takes patterns of 1, 2 or 4 bytes */
	for (unsigned i = 0; i < 4; i++)
		pat[i] = p[4 + i % len];
	x->st->san_count = count;
	x->st->san_invert = p[0] & 0x80;
	x->st->san_pattern = (uint32_t)pat[0] | (uint32_t)pat[1] << 8 | (uint32_t)pat[2] << 16 |
			     (uint32_t)pat[3] << 24;
	return 0;
}

static bool sa_supported(const struct sim_scsi_cfg *c, unsigned sa)
{
	return (sa == 0x01 && c->san_overwrite) || (sa == 0x02 && c->san_block) ||
	       (sa == 0x03 && c->san_crypto) || (sa == 0x1F && c->san_exit);
}

/* A synchronous SANITIZE (IMMED clear) holds the command until it ends, or times out. */
static void wait_sync(struct scsi_ctx *x)
{
	double limit = x->h->timeout ? x->h->timeout / 1000.0 : 60;

	if (x->d->misbehave == SIM_MB_STALL) {
		sim_sleep(x->d->stall_max_seconds < limit ? x->d->stall_max_seconds : limit);
		x->h->host_status = HOST_DID_TIME_OUT;
		strncat(x->note, " timed_out", sizeof(x->note) - strlen(x->note) - 1);
		return;
	}
	sim_sleep(x->st->san_duration < limit ? x->st->san_duration : limit);
	sim_scsi_tick(x->d, x->st);
	if (x->st->san_state == SAN_FAILED)
		check(x, 0x03, 0x31, 0x03);
}

static void sanitize(struct scsi_ctx *x)
{
	const struct sim_scsi_cfg *c = x->cfg;
	struct sim_scsi_state *st = x->st;
	unsigned sa = x->cdb[1] & 0x1f, plen = (unsigned)(x->cdb[7] << 8 | x->cdb[8]);
	bool immed = x->cdb[1] & 0x80, ause = x->cdb[1] & 0x20;

	x->name = "SANITIZE";
	snprintf(x->note, sizeof(x->note), " sa=0x%02x immed=%d ause=%d znr=%d", sa, immed, ause,
		 (x->cdb[1] >> 6) & 1);
	if (!c->san_overwrite && !c->san_block && !c->san_crypto && !c->san_exit) {
		check(x, 0x05, 0x20, 0x00);
		return;
	}
	if (!sa_supported(c, sa) || (sa != 0x01 && plen)) {
		check(x, 0x05, 0x24, 0x00);
		return;
	}
	if (sa == 0x1F) {
		if (st->san_state == SAN_FAILED && !st->san_ause) {
			check(x, 0x05, 0x24, 0x00);   /* the failed sanitize did not allow it */
			return;
		}
		if (st->san_state == SAN_FAILED)
			strncat(x->note, " exit_failure_mode", sizeof(x->note) - strlen(x->note) - 1);
		st->san_state = SAN_IDLE;
		return;
	}
	if (sa == 0x01 && overwrite_params(x, plen) < 0) {
		check(x, 0x05, 0x26, 0x00);
		return;
	}
	if (x->d->misbehave == SIM_MB_ABORT) {
		check(x, 0x0B, 0x00, 0x00);
		return;
	}
	st->san_state = SAN_RUNNING;
	st->san_sa = sa;
	st->san_ause = ause;
	st->san_start = sim_now();
	st->san_duration = c->san_seconds[sa - 1] > 0 ? c->san_seconds[sa - 1] : 0;
	if (!immed)
		wait_sync(x);
}

/* ---- dispatch ---- */

static bool allowed_while(const struct scsi_ctx *x)
{
	uint8_t op = x->cdb[0];

	if (op == 0x12 || op == 0x03 || op == 0xA0 || op == 0xA3)
		return true;
	/* failure mode: also SANITIZE */
	return x->st->san_state == SAN_FAILED && op == 0x48;
}

static void dispatch(struct scsi_ctx *x)
{
	const uint8_t *cdb = x->cdb;

	if (x->st->san_state == SAN_RUNNING && !allowed_while(x)) {
		x->name = "BUSY_SANITIZE";
		check(x, 0x02, 0x04, 0x1B);
		return;
	}
	if (x->st->san_state == SAN_FAILED && !allowed_while(x)) {
		x->name = "SANITIZE_FAILED";
		check(x, 0x03, 0x31, 0x03);
		return;
	}
	switch (cdb[0]) {
	case 0x00:
		x->name = "TEST_UNIT_READY";
		break;
	case 0x03:
		request_sense(x);
		break;
	case 0x12:
		inquiry(x);
		break;
	case 0x25:
		read_capacity(x, false);
		break;
	case 0x9E:
		if ((cdb[1] & 0x1f) == 0x10) {
			read_capacity(x, true);
		} else {
			x->name = "SERVICE_ACTION_IN";
			check(x, 0x05, 0x24, 0x00);
		}
		break;
	case 0xA3:
		if ((cdb[1] & 0x1f) == 0x0C) {
			rsoc(x);
		} else {
			x->name = "MAINTENANCE_IN";
			check(x, 0x05, 0x24, 0x00);
		}
		break;
	case 0x48:
		sanitize(x);
		break;
	default:
		/* ATA PASS-THROUGH included: a SAS disk has no SAT layer. FORMAT UNIT is not simulated. */
		x->name = "UNSUPPORTED";
		check(x, 0x05, 0x20, 0x00);
		break;
	}
}

int sim_scsi_sg_io(const struct sim_dev *d, struct sim_state *st, void *arg)
{
	sg_io_hdr_t *h = arg;
	struct scsi_ctx x = { .d = d, .cfg = &d->scsi, .st = &st->scsi, .h = h };
	uint8_t cdb[16] = { 0 };

	if (!h || h->interface_id != 'S' || h->iovec_count || !h->cmdp || h->cmd_len < 6 ||
	    h->cmd_len > 16) {
		errno = EINVAL;
		return -1;
	}
	memcpy(cdb, h->cmdp, h->cmd_len);
	x.cdb = cdb;
	h->status = h->masked_status = h->msg_status = 0;
	h->host_status = h->driver_status = 0;
	h->sb_len_wr = 0;
	h->info = 0;
	h->resid = (int)h->dxfer_len;
	h->duration = 1;
	sim_scsi_tick(d, x.st);
	dispatch(&x);
	if (x.checked)
		sim_log(d, "scsi %s opcode=0x%02x%s -> check key=0x%x asc=0x%02x ascq=0x%02x",
			x.name ? x.name : "?", cdb[0], x.note, x.key, x.asc, x.ascq);
	else
		sim_log(d, "scsi %s opcode=0x%02x%s -> %s", x.name ? x.name : "?", cdb[0], x.note,
			h->host_status ? "timeout" : "ok");
	return 0;
}
