/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A simulated NVMe controller behind the Linux NVMe ioctls: NVME_IOCTL_ID and
 * the admin passthrough (32- and 64-bit result variants). Return values as
 * the kernel gives them: 0, a positive NVMe status, or -1 with errno.
 */
#include "sim.h"

#include <errno.h>
#include <sys/ioctl.h>
#include <linux/nvme_ioctl.h>
#include <stdio.h>
#include <string.h>

#define SC_INVALID_OPCODE 0x01
#define SC_INVALID_FIELD 0x02
#define SC_INTERNAL 0x06
#define SC_INVALID_NS 0x0B
#define SC_SANITIZE_FAILED 0x1C
#define SC_SANITIZE_IN_PROGRESS 0x1D
#define SC_PROHIBITED_LOCKDOWN 0x23
#define SC_INVALID_LOG_PAGE 0x109
#define SC_INVALID_FORMAT 0x10A
#define DNR 0x4000

#define NSID_ALL 0xFFFFFFFFu

struct nvme_ctx {
	const struct sim_dev *d;
	const struct sim_nvme_cfg *cfg;
	struct sim_nvme_state *st;
	struct nvme_passthru_cmd *cmd;
	char note[128];
};

static void put16(uint8_t *b, size_t off, uint16_t v)
{
	b[off] = (uint8_t)v;
	b[off + 1] = (uint8_t)(v >> 8);
}

static void put32(uint8_t *b, size_t off, uint32_t v)
{
	put16(b, off, (uint16_t)v);
	put16(b, off + 2, (uint16_t)(v >> 16));
}

static void put64(uint8_t *b, size_t off, uint64_t v)
{
	put32(b, off, (uint32_t)v);
	put32(b, off + 4, (uint32_t)(v >> 32));
}

static void put_padded(uint8_t *b, size_t off, size_t len, const char *s)
{
	size_t n = strlen(s);

	memset(b + off, ' ', len);
	memcpy(b + off, s, n < len ? n : len);
}

static int ns_index(const struct sim_nvme_cfg *c, uint32_t nsid)
{
	for (unsigned i = 0; i < c->nns; i++)
		if (c->ns[i].nsid == nsid)
			return (int)i;
	return -1;
}

/* What a deallocated block reads back as (DLFEAT bits 2:0): 0xFF when it says so, else zeros. */
static enum sim_fill dealloc_fill(const struct sim_ns_cfg *ns)
{
	return (ns->dlfeat & 7) == 2 ? SIM_FILL_ONES : SIM_FILL_ZERO;
}

static unsigned lbaf_index(uint8_t flbas)
{
	return (flbas & 0xfu) | ((flbas >> 5) & 0x3u) << 4;
}

uint32_t sim_nvme_lba_size(const struct sim_dev *d, const struct sim_nvme_state *st, unsigned nsidx)
{
	unsigned i = lbaf_index(st->flbas[nsidx]);

	return 1u << d->nvme.ns[nsidx].lbaf[i < SIM_MAX_LBAF ? i : 0].lbads;
}

/* Copy a built page to the host buffer, as much as it asked for. */
static void to_host(struct nvme_ctx *x, const uint8_t *page, size_t len)
{
	size_t n = x->cmd->data_len < len ? x->cmd->data_len : len;

	if (x->cmd->addr && n)
		memcpy((void *)(uintptr_t)x->cmd->addr, page, n);
}

static void identify_ctrl(struct nvme_ctx *x, uint8_t *b)
{
	const struct sim_nvme_cfg *c = x->cfg;
	char nqn[256];

	put16(b, 0, c->vid);
	put16(b, 2, c->vid);
	put_padded(b, 4, 20, c->serial);
	put_padded(b, 24, 40, c->model);
	put_padded(b, 64, 8, c->firmware);
	b[72] = 6;
	b[77] = c->mdts;
	put16(b, 78, 1);
	put32(b, 80, 0x00010400);
	b[111] = 1;
	put16(b, 256, (uint16_t)(c->oacs | (x->d->opal.present ? 0x0001 : 0)));
	b[258] = 3;
	b[259] = 3;
	b[260] = 0x03;
	b[261] = 0x02;
	put16(b, 266, 343);
	put16(b, 268, 373);
	put32(b, 328, c->sanicap);
	b[512] = 0x66;
	b[513] = 0x44;
	put32(b, 516, c->nn);
	put16(b, 520, 0x000C);
	b[524] = c->fna;
	b[525] = 0x01;
	snprintf(nqn, sizeof(nqn), "nqn.2014-08.org.nvmexpress:kesu-sim:%s", c->serial);
	memcpy(b + 768, nqn, strlen(nqn));
	put16(b, 2048, 2500);
}

static void identify_ns(struct nvme_ctx *x, uint8_t *b, int idx)
{
	const struct sim_ns_cfg *ns = &x->cfg->ns[idx];
	uint64_t nsze = x->st->nsze[idx];
	uint8_t flbas = x->st->flbas[idx];

	put64(b, 0, nsze);
	put64(b, 8, nsze);
	put64(b, 16, nsze);
	b[25] = (uint8_t)(ns->nlbaf - 1);
	b[26] = flbas;
	b[33] = ns->dlfeat;
	put64(b, 48, nsze * sim_nvme_lba_size(x->d, x->st, (unsigned)idx));
	/* NGUID and EUI-64 derived from the serial and nsid, stable per device. */
	for (size_t i = 0, n = strlen(x->cfg->serial); i < 16; i++)
		b[104 + i] = (uint8_t)((n ? x->cfg->serial[i % n] : 0) ^ ns->nsid ^ i);
	memcpy(b + 120, b + 104, 8);
	for (unsigned i = 0; i < ns->nlbaf; i++) {
		put16(b, 128 + 4 * i, ns->lbaf[i].ms);
		b[128 + 4 * i + 2] = ns->lbaf[i].lbads;
		b[128 + 4 * i + 3] = ns->lbaf[i].rp & 3;
	}
}

static int identify(struct nvme_ctx *x)
{
	uint8_t b[4096] = { 0 };
	uint32_t nsid = x->cmd->nsid, cns = x->cmd->cdw10 & 0xff;
	int idx;

	snprintf(x->note, sizeof(x->note), " cns=%u", cns);
	switch (cns) {
	case 0:
		if (nsid == 0 || (nsid > x->cfg->nn && nsid != NSID_ALL))
			return SC_INVALID_NS | DNR;
		idx = ns_index(x->cfg, nsid == NSID_ALL ? x->cfg->ns[0].nsid : nsid);
		if (idx >= 0)
			identify_ns(x, b, idx);
		if (nsid == NSID_ALL)
			memset(b, 0, 24);  /* the common capabilities carry no sizes */
		break;
	case 1:
		identify_ctrl(x, b);
		break;
	case 2: {
		unsigned n = 0;

		for (unsigned i = 0; i < x->cfg->nns; i++)
			if (x->cfg->ns[i].nsid > nsid && nsid < 0xFFFFFFFE)
				put32(b, 4 * n++, x->cfg->ns[i].nsid);
		break;
	}
	case 3:
		if (ns_index(x->cfg, nsid) < 0)
			return SC_INVALID_NS | DNR;
		break;  /* no descriptors: an empty list */
	default:
		return SC_INVALID_FIELD | DNR;
	}
	to_host(x, b, sizeof(b));
	return 0;
}

static uint32_t est_seconds(double s)
{
	return s < 0 ? 0xFFFFFFFFu : (uint32_t)(s + 0.999);
}

static int get_log(struct nvme_ctx *x)
{
	uint8_t b[4096] = { 0 };
	uint32_t lid = x->cmd->cdw10 & 0xff;
	uint64_t numd = ((uint64_t)(x->cmd->cdw11 & 0xffff) << 16 | x->cmd->cdw10 >> 16) + 1;
	uint64_t off = (uint64_t)x->cmd->cdw13 << 32 | x->cmd->cdw12;
	size_t len = (size_t)numd * 4, size;

	snprintf(x->note, sizeof(x->note), " lid=0x%02x len=%zu", lid, len);
	switch (lid) {
	case 0x00: /* supported log pages */
		size = 1024;
		put32(b, 4 * 0x00, 1);
		put32(b, 4 * 0x01, 1);
		put32(b, 4 * 0x02, 1);
		put32(b, 4 * 0x03, 1);
		put32(b, 4 * 0x81, 1);
		break;
	case 0x01: /* error information: no entries */
		size = 64;
		break;
	case 0x02: /* SMART / health */
		size = 512;
		put16(b, 1, 300);
		b[3] = 100;
		b[4] = 10;
		break;
	case 0x03: /* firmware slots */
		size = 512;
		b[0] = 1;
		put_padded(b, 8, 8, x->cfg->firmware);
		break;
	case 0x81: /* sanitize status */
		size = 512;
		put16(b, 0, x->st->sprog);
		put16(b, 2, x->st->sstat);
		put32(b, 4, x->st->scdw10);
		put32(b, 8, est_seconds(x->cfg->san_seconds[1]));
		put32(b, 12, est_seconds(x->cfg->san_seconds[0]));
		put32(b, 16, est_seconds(x->cfg->san_seconds[2]));
		put32(b, 20, 0xFFFFFFFF);
		put32(b, 24, 0xFFFFFFFF);
		put32(b, 28, 0xFFFFFFFF);
		snprintf(x->note + strlen(x->note), sizeof(x->note) - strlen(x->note), " sstat=0x%04x sprog=0x%04x",
			 x->st->sstat, x->st->sprog);
		break;
	default:
		return SC_INVALID_LOG_PAGE | DNR;
	}
	if (off >= size)
		return SC_INVALID_FIELD | DNR;
	if (len > size - off)
		len = size - (size_t)off;
	to_host(x, b + off, len);
	return 0;
}

/* A stalled synchronous command: the kernel's timeout handling cancels it (EINTR). */
static int stall_timeout(struct nvme_ctx *x)
{
	double t = x->cmd->timeout_ms / 1000.0;

	if (t <= 0 || t > x->d->stall_max_seconds)
		t = x->d->stall_max_seconds;
	sim_sleep(t);
	strncat(x->note, " timed_out", sizeof(x->note) - strlen(x->note) - 1);
	return -EINTR;
}

static int format_nvm(struct nvme_ctx *x)
{
	const struct sim_nvme_cfg *c = x->cfg;
	uint32_t cdw10 = x->cmd->cdw10, nsid = x->cmd->nsid;
	unsigned lbaf = (cdw10 & 0xf) | ((cdw10 >> 12) & 0x3) << 4, ses = (cdw10 >> 9) & 7;
	bool all = nsid == NSID_ALL || (c->fna & 1) || (ses && (c->fna & 2));
	int idx = ns_index(c, nsid);

	snprintf(x->note, sizeof(x->note), " ses=%u lbaf=%u scope=%s", ses, lbaf, all ? "all" : "ns");
	if (!(c->oacs & 0x2))
		return SC_INVALID_OPCODE | DNR;
	if (x->st->in_progress)
		return SC_SANITIZE_IN_PROGRESS;
	if (x->st->failed)
		return SC_SANITIZE_FAILED;
	if (nsid == 0 || (nsid != NSID_ALL && idx < 0))
		return SC_INVALID_NS | DNR;
	if (ses > 2 || (ses == 2 && !(c->fna & 4)))
		return SC_INVALID_FIELD | DNR;
	for (unsigned i = 0; i < c->nns; i++)
		if ((all || (int)i == idx) && lbaf >= c->ns[i].nlbaf)
			return SC_INVALID_FORMAT | DNR;
	if (x->d->misbehave == SIM_MB_FROZEN)
		return SC_PROHIBITED_LOCKDOWN | DNR;
	if (x->d->misbehave == SIM_MB_ABORT)
		return SC_INVALID_FIELD | DNR;
	if (x->d->misbehave == SIM_MB_STALL)
		return stall_timeout(x);
	sim_sleep(c->format_seconds);
	for (unsigned i = 0; i < c->nns; i++) {
		const struct sim_ns_cfg *ns = &c->ns[i];
		uint32_t old = sim_nvme_lba_size(x->d, x->st, i);
		uint32_t new_size = 1u << ns->lbaf[lbaf].lbads;

		if (!all && (int)i != idx)
			continue;
		if (ns->media.present && sim_media_erase(x->d, ns->media.path, 0, ns->media.bytes, old,
							 ses == 2 ? SIM_FILL_RANDOM : dealloc_fill(ns), 0) < 0)
			return SC_INTERNAL | DNR;
		x->st->nsze[i] = ns->media.present ? ns->media.bytes / new_size : x->st->nsze[i] * old / new_size;
		x->st->flbas[i] = (uint8_t)((lbaf & 0xf) | ((lbaf >> 4) << 5));
	}
	if (x->d->misbehave == SIM_MB_FAIL_MIDWAY)
		return SC_INTERNAL | DNR;
	return 0;
}

/* An operation whose time is up completes: this is when the media's bytes change. */
void sim_nvme_tick(const struct sim_dev *d, struct sim_state *sst)
{
	struct sim_nvme_state *st = &sst->nvme;
	unsigned sanact = st->scdw10 & 7, passes = (st->scdw10 >> 4) & 0xf;
	enum sim_fill fill = sanact == 4 ? SIM_FILL_RANDOM : sanact == 3 ? SIM_FILL_PATTERN : SIM_FILL_ZERO;
	uint32_t pattern = 0;
	bool done, failed = false;
	double p;

	if (!st->in_progress)
		return;
	p = sim_progress(d, st->start, st->duration, &done);
	st->sprog = (uint16_t)(p * 65536.0 > 65535.0 ? 65535 : p * 65536.0);
	if (!done)
		return;
	if (passes == 0)
		passes = 16;
	if (sanact == 3) {
		/* The pattern of the last pass; OIPBP inverts it between passes. */
		pattern = (uint32_t)(st->start_pattern);
		if ((st->scdw10 & 0x100) && ((passes - 1) & 1))
			pattern = ~pattern;
	}
	for (unsigned i = 0; i < d->nvme.nns; i++) {
		const struct sim_ns_cfg *ns = &d->nvme.ns[i];

		enum sim_fill f = sanact == 2 ? dealloc_fill(ns) : fill;

		if (ns->media.present &&
		    sim_media_erase(d, ns->media.path, 0, ns->media.bytes, sim_nvme_lba_size(d, st, i), f, pattern) < 0)
			failed = true;
	}
	st->in_progress = false;
	st->sprog = 0xFFFF;
	if (failed || d->misbehave == SIM_MB_FAIL_MIDWAY) {
		st->sstat = 3;
		st->failed = true;
		st->failed_ause = st->scdw10 & 0x8;
	} else {
		st->sstat = (uint16_t)(((st->scdw10 & 0x200) ? 4 : 1) | (sanact == 3 ? (passes & 0x1f) << 3 : 0) | 0x100);
	}
	sim_log(d, "nvme SANITIZE_COMPLETE sanact=%u -> %s", sanact, st->failed ? "failed" : "ok");
}

static int sanitize(struct nvme_ctx *x)
{
	const struct sim_nvme_cfg *c = x->cfg;
	uint32_t cdw10 = x->cmd->cdw10;
	unsigned sanact = cdw10 & 7;
	static const uint32_t cap_bit[5] = { 0, 0, 0x2, 0x4, 0x1 };

	snprintf(x->note, sizeof(x->note), " sanact=%u ause=%u owpass=%u oipbp=%u ndas=%u ovrpat=0x%08x", sanact,
		 (cdw10 >> 3) & 1, (cdw10 >> 4) & 0xf, (cdw10 >> 8) & 1, (cdw10 >> 9) & 1, x->cmd->cdw11);
	if (!(c->sanicap & 0x7))
		return SC_INVALID_OPCODE | DNR;
	if (x->st->in_progress)
		return SC_SANITIZE_IN_PROGRESS;
	if (sanact == 1) {
		if (!x->st->failed)
			return 0;
		if (!x->st->failed_ause)
			return SC_SANITIZE_FAILED;
		x->st->failed = false;
		return 0;
	}
	if (sanact < 2 || sanact > 4 || !(c->sanicap & cap_bit[sanact]))
		return SC_INVALID_FIELD | DNR;
	if (x->d->misbehave == SIM_MB_FROZEN)
		return SC_PROHIBITED_LOCKDOWN | DNR;
	if (x->d->misbehave == SIM_MB_ABORT)
		return SC_INVALID_FIELD | DNR;
	x->st->in_progress = true;
	x->st->failed = false;
	x->st->sstat = 2;
	x->st->sprog = 0;
	x->st->scdw10 = cdw10;
	x->st->start_pattern = x->cmd->cdw11;
	x->st->start = sim_now();
	x->st->duration = c->san_seconds[sanact - 2] > 0 ? c->san_seconds[sanact - 2] : 0;
	return 0;
}

static const char *admin_name(uint8_t opc)
{
	switch (opc) {
	case 0x06: return "IDENTIFY";
	case 0x02: return "GET_LOG_PAGE";
	case 0x80: return "FORMAT_NVM";
	case 0x84: return "SANITIZE";
	case 0x0A: return "GET_FEATURES";
	case 0x82: return "SECURITY_RECEIVE";
	default: return "ADMIN";
	}
}

static int admin(struct nvme_ctx *x)
{
	switch (x->cmd->opcode) {
	case 0x06:
		return identify(x);
	case 0x02:
		return get_log(x);
	case 0x80:
		return format_nvm(x);
	case 0x84:
		return sanitize(x);
	case 0x0A:
		return SC_INVALID_FIELD | DNR;
	default:
		if (x->st->in_progress)
			return SC_SANITIZE_IN_PROGRESS;
		return SC_INVALID_OPCODE | DNR;
	}
}

/* Security Receive: protocol 1, ComID 1 (SPSP, CDW10 23:8) is Level 0 Discovery on a SED. */
static int security_receive(struct nvme_ctx *x, const struct sim_opal_state *op)
{
	unsigned secp = x->cmd->cdw10 >> 24, spsp = (x->cmd->cdw10 >> 8) & 0xffff;
	size_t len = x->cmd->cdw11 < x->cmd->data_len ? x->cmd->cdw11 : x->cmd->data_len;

	snprintf(x->note, sizeof(x->note), " secp=0x%02x spsp=0x%04x al=%u", secp, spsp, x->cmd->cdw11);
	if (!x->d->opal.present)
		return SC_INVALID_OPCODE | DNR;
	if (secp != 1 || spsp != 1 || !x->cmd->addr || len == 0)
		return SC_INVALID_FIELD | DNR;
	sim_opal_discovery(x->d, op, (uint8_t *)(uintptr_t)x->cmd->addr, len);
	return 0;
}

int sim_nvme_ioctl(const struct sim_dev *d, const struct sim_ns_cfg *ns, struct sim_state *st,
		   unsigned long req, void *arg)
{
	struct nvme_ctx x = { .d = d, .cfg = &d->nvme, .st = &st->nvme, .cmd = arg };
	int ret;

	if (req == NVME_IOCTL_ID) {
		sim_log(d, "nvme NVME_IOCTL_ID -> nsid=%u", ns->nsid);
		return (int)ns->nsid;
	}
	if (req != NVME_IOCTL_ADMIN_CMD && req != NVME_IOCTL_ADMIN64_CMD) {
		sim_log(d, "nvme %s -> ok", req == NVME_IOCTL_RESCAN ? "RESCAN" : "RESET");
		return 0;
	}
	if (!arg) {
		errno = EFAULT;
		return -1;
	}
	sim_nvme_tick(d, st);
	ret = x.cmd->opcode == 0x82 ? security_receive(&x, &st->opal) : admin(&x);
	if (ret >= 0) {
		/* The completion's DW0; 0 for every command simulated here. */
		if (req == NVME_IOCTL_ADMIN64_CMD)
			((struct nvme_passthru_cmd64 *)arg)->result = 0;
		else
			x.cmd->result = 0;
	}
	sim_log(d, "nvme %s opcode=0x%02x nsid=0x%x cdw10=0x%08x%s -> %s=0x%x", admin_name(x.cmd->opcode),
		x.cmd->opcode, x.cmd->nsid, x.cmd->cdw10, x.note, ret < 0 ? "errno" : "status", ret < 0 ? -ret : ret);
	if (ret < 0) {
		errno = -ret;
		return -1;
	}
	return ret;
}
