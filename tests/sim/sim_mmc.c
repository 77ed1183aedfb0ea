/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A simulated eMMC (or SD card) behind the kernel's mmc block driver:
 * MMC_IOC_CMD and MMC_IOC_MULTI_CMD with CMD8 SEND_EXT_CSD, CMD13 SEND_STATUS,
 * CMD6 SWITCH (SANITIZE_START), CMD35/36/38 erase. Erases fill whole erase
 * groups of the user area or of a boot partition image.
 */
#include "sim.h"

#include <errno.h>
#include <sys/ioctl.h>
#include <linux/mmc/ioctl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define R1_TRAN  (4u << 9 | 1u << 8)   /* state tran, READY_FOR_DATA */
#define R1_OUT_OF_RANGE (1u << 31)
#define R1_ERASE_SEQ    (1u << 28)
#define R1_ERASE_PARAM  (1u << 27)
#define R1_ILLEGAL      (1u << 22)
#define R1_ERROR        (1u << 19)
#define R1_ERASE_RESET  (1u << 13)
#define R1_SWITCH_ERROR (1u << 7)

uint64_t sim_mmc_group_bytes(const struct sim_dev *d)
{
	return (uint64_t)d->mmc.hc_erase_grp_size * 512 * 1024;
}

static void ext_csd(const struct sim_dev *d, uint8_t *b)
{
	const struct sim_mmc_cfg *m = &d->mmc;

	memset(b, 0, 512);
	b[160] = 0x07;                 /* PARTITIONING_SUPPORT */
	b[175] = m->erase_group_def;   /* ERASE_GROUP_DEF */
	b[181] = m->erased_ones;       /* ERASED_MEM_CONT */
	b[168] = m->rpmb_size_mult;
	b[192] = m->rev;
	b[194] = 2;                    /* CSD_STRUCTURE */
	b[196] = 0x57;                 /* DEVICE_TYPE */
	for (int i = 0; i < 4; i++)
		b[212 + i] = (uint8_t)(m->sectors >> (8 * i));
	b[221] = 1;                    /* HC_WP_GRP_SIZE */
	b[222] = 1;                    /* REL_WR_SEC_C */
	b[223] = m->erase_timeout_mult;
	b[224] = m->hc_erase_grp_size;
	b[226] = m->boot_size_mult;
	b[228] = 0x07;                 /* BOOT_INFO */
	b[229] = 1;                    /* SEC_TRIM_MULT */
	b[230] = m->sec_erase_mult;
	b[231] = m->sec_feature;
	b[232] = 1;                    /* TRIM_MULT */
	b[504] = 1;                    /* S_CMD_SET */
}

/* The media of part and its size in bytes. */
static const struct sim_media *part_media(const struct sim_dev *d, unsigned part)
{
	return part == 0 ? &d->media : &d->mmc.boot[part - 1];
}

static uint64_t part_bytes(const struct sim_dev *d, unsigned part)
{
	return part == 0 ? d->mmc.sectors * 512 : part_media(d, part)->bytes;
}

/* Card addresses are bytes up to 2 GiB, 512-byte sectors above (the user area decides). */
static uint64_t addr_bytes(const struct sim_dev *d, uint32_t a)
{
	return d->mmc.sectors * 512 > (2ull << 30) ? (uint64_t)a * 512 : a;
}

/* CMD38: erase the whole groups that [start, end] touches, with the misbehaviour applied. */
static uint32_t do_erase(const struct sim_dev *d, unsigned part, struct sim_mmc_state *ms, uint32_t arg,
			 int *err)
{
	uint64_t g = sim_mmc_group_bytes(d), size = part_bytes(d, part);
	uint64_t from = addr_bytes(d, (uint32_t)ms->erase_start) / g * g;
	uint64_t to = (addr_bytes(d, (uint32_t)ms->erase_end) / g + 1) * g;
	enum sim_fill fill = d->mmc.erased_ones ? SIM_FILL_ONES : SIM_FILL_ZERO;
	const char *path = part_media(d, part)->path;
	uint32_t r1 = R1_TRAN;

	if (arg != 0 && arg != 1 && arg != 3 && arg != 0x80000000u)
		return R1_TRAN | R1_ERASE_PARAM;
	if (arg == 0x80000000u && !(d->mmc.sec_feature & 1))
		return R1_TRAN | R1_ERASE_PARAM;
	if (ms->erase_start > ms->erase_end || addr_bytes(d, (uint32_t)ms->erase_end) >= size)
		return R1_TRAN | R1_OUT_OF_RANGE;
	if (arg == 1 || arg == 3) {   /* TRIM, DISCARD: the blocks named, not whole groups */
		from = addr_bytes(d, (uint32_t)ms->erase_start);
		to = addr_bytes(d, (uint32_t)ms->erase_end) + 512;
	}
	if (to > size)
		to = size;
	switch (d->misbehave) {
	case SIM_MB_LIE:
		return r1;
	case SIM_MB_ABORT:
		return R1_TRAN | R1_ILLEGAL;
	case SIM_MB_FIRST_LBA_ONLY:
		/* Only the partition's first erase group ever changes. */
		if (to > g)
			to = g;
		if (from >= to)
			return r1;
		break;
	case SIM_MB_FAIL_MIDWAY:
		if (to > size / 2) {
			to = from < size / 2 ? size / 2 : from;
			r1 |= R1_ERROR;
		}
		break;
	case SIM_MB_STALL:
		sim_sleep(d->stall_max_seconds);
		*err = ETIMEDOUT;
		return 0;
	default:
		break;
	}
	if (sim_media_fill(path, from, to - from, fill, 0) < 0)
		r1 |= R1_ERROR;
	sim_log(d, "mmc ERASE part=%u arg=0x%08x bytes=%llu+%llu", part, arg,
		(unsigned long long)from, (unsigned long long)(to - from));
	return r1;
}

/* CMD6 SWITCH: only SANITIZE_START is taken. */
static uint32_t do_switch(const struct sim_dev *d, struct sim_mmc_state *ms, const struct mmc_ioc_cmd *c,
			  int *err)
{
	unsigned access = (c->arg >> 24) & 3, index = (c->arg >> 16) & 0xff, value = (c->arg >> 8) & 0xff;
	double secs = d->mmc.sanitize_seconds;

	if (access != 3 || index != 165 || value != 1)
		return R1_TRAN | R1_SWITCH_ERROR;
	if (!(d->mmc.sec_feature & 0x40) || d->mmc.rev < 6)
		return R1_TRAN | R1_SWITCH_ERROR;
	switch (d->misbehave) {
	case SIM_MB_ABORT:
		return R1_TRAN | R1_SWITCH_ERROR;
	case SIM_MB_STALL:
		sim_sleep(d->stall_max_seconds);
		*err = ETIMEDOUT;
		return 0;
	case SIM_MB_FAIL_MIDWAY:
		sim_sleep(secs / 2);
		*err = EIO;
		return 0;
	default:
		break;
	}
	if (c->cmd_timeout_ms && secs * 1000 > c->cmd_timeout_ms) {
		sim_sleep(c->cmd_timeout_ms / 1000.0);
		*err = ETIMEDOUT;
		return 0;
	}
	sim_sleep(secs);
	if (d->misbehave != SIM_MB_LIE)
		ms->sanitizes++;
	return R1_TRAN;
}

/* One command; 0 with c->response set, or -1 with errno (the kernel's failure). */
static int one_cmd(const struct sim_dev *d, unsigned part, struct sim_mmc_state *ms, struct mmc_ioc_cmd *c)
{
	uint32_t r1 = R1_TRAN;
	int err = 0;

	if (d->mmc.sd) {
		/* SD: CMD8 is SEND_IF_COND (no data), and the card's own RCA is not 1. */
		sim_log(d, "mmc CMD%u arg=0x%08x -> errno=ETIMEDOUT (sd)", c->opcode, c->arg);
		errno = ETIMEDOUT;
		return -1;
	}
	if (ms->erase_reset)
		r1 |= R1_ERASE_RESET;
	ms->erase_reset = false;
	if (ms->seq && c->opcode != 36 && c->opcode != 38 && c->opcode != 13) {
		ms->seq = 0;
		ms->erase_reset = true;
	}
	switch (c->opcode) {
	case 8:
		if (c->write_flag || c->blksz * c->blocks < 512 || !c->data_ptr) {
			err = EINVAL;
			break;
		}
		ext_csd(d, (uint8_t *)(uintptr_t)c->data_ptr);
		break;
	case 13:
		break;
	case 6:
		r1 = do_switch(d, ms, c, &err) | (r1 & R1_ERASE_RESET);
		break;
	case 35:
		ms->seq = 1;
		ms->seq_part = part;
		ms->erase_start = c->arg;
		break;
	case 36:
		if (ms->seq != 1 || ms->seq_part != part) {
			r1 |= R1_ERASE_SEQ;
			ms->seq = 0;
			break;
		}
		ms->seq = 2;
		ms->erase_end = c->arg;
		break;
	case 38:
		if (ms->seq != 2 || ms->seq_part != part) {
			r1 |= R1_ERASE_SEQ;
			ms->seq = 0;
			break;
		}
		ms->seq = 0;
		r1 = do_erase(d, part, ms, c->arg, &err);
		break;
	default:
		r1 |= R1_ILLEGAL;
		break;
	}
	sim_log(d, "mmc CMD%u part=%u arg=0x%08x -> %s%s r1=0x%08x", c->opcode, part, c->arg,
		err ? "errno=" : "ok", err ? strerror(err) : "", r1);
	if (err) {
		errno = err;
		return -1;
	}
	c->response[0] = r1;
	return 0;
}

int sim_mmc_ioctl(const struct sim_dev *d, unsigned part, struct sim_state *st, unsigned long req, void *arg)
{
	struct mmc_ioc_multi_cmd *m = arg;

	if (req == MMC_IOC_CMD)
		return one_cmd(d, part, &st->mmc, arg);
	if (m->num_of_cmds == 0 || m->num_of_cmds > MMC_IOC_MAX_CMDS) {
		errno = EINVAL;
		return -1;
	}
	for (uint64_t i = 0; i < m->num_of_cmds; i++)
		if (one_cmd(d, part, &st->mmc, &m->cmds[i]) < 0)
			return -1;
	return 0;
}
