/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * eMMC purge through MMC_IOC_MULTI_CMD (mmc.h):
 *
 *   mmc-secure-erase  CMD35/CMD36/CMD38 with the secure argument (0x80000000)
 *                     over the whole user area, a whole number of erase groups
 *                     per request, then the same over both boot partitions;
 *   mmc-sanitize      the same with the plain ERASE argument (it unmaps every
 *                     block), then CMD6 SWITCH SANITIZE_START, which purges
 *                     the unmapped blocks physically (JESD84: sanitize acts on
 *                     unmapped data only, so the erase must come first).
 *
 * The boot partitions (mmcblkNboot0/1) are erased through their own devices
 * (the kernel switches the card to the partition), with force_ro lifted for
 * the time and restored; each is then read back whole and must read as all
 * zeros or all 0xFF. One that does not exist as a device, cannot be opened
 * or still holds data is named in the record and the outcome cannot be
 * ERASED. RPMB is written only with authenticated frames: the record says it
 * is not erased.
 */
#include "fw_int.h"

#include <kesu/mmc.h>
#include <kesu/util.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MMC_STEPS 64                    /* user-area requests, at most (progress) */
#define MMC_MIN_TIMEOUT_MS 60000u

void fw_mmc_check(const struct kesu_drive *d, const struct kesu_method_desc *m,
		  struct kesu_method_eval *e)
{
	const struct kesu_mmc_card *c = &d->mmc;

	if (c->kind == KESU_MMC_SD) {
		fw_say(e, "an SD card: SD has no sanitize or secure erase command");
		return;
	}
	if (m->action == 0 && !c->ext.sanitize) {
		fw_say(e, "EXT_CSD does not offer sanitize (SEC_FEATURE_SUPPORT bit 6, eMMC 4.5 or later)");
		return;
	}
	if (m->action == 1 && !c->ext.secure_erase) {
		fw_say(e, "EXT_CSD does not offer secure erase (SEC_FEATURE_SUPPORT bit 0)");
		return;
	}
	fw_set_support(e, true);
	fw_say(e, "erase groups of %llu KiB; %s%s", (unsigned long long)(c->erase_group_bytes / 1024),
	       c->ext.boot_bytes ? "the two boot partitions are erased too" : "no boot partitions",
	       c->ext.rpmb_bytes ? "; RPMB cannot be erased (authenticated writes only)" : "");
}

/* The card address of byte offset off. */
static uint32_t card_addr(const struct kesu_mmc_ext_csd *x, uint64_t off)
{
	return (uint32_t)(kesu_mmc_sector_addressed(x) ? off / 512 : off);
}

/* Erase [from, to) of the partition behind fd (whole groups), one request. */
static int erase_range(struct fw_run *ru, int fd, uint64_t from, uint64_t to, uint32_t arg)
{
	const struct kesu_mmc_card *c = &ru->d.mmc;
	uint64_t groups = (to - from + c->erase_group_bytes - 1) / c->erase_group_bytes;
	uint64_t per = (uint64_t)(c->ext.erase_timeout_ms ? c->ext.erase_timeout_ms : 300) *
		       (arg == KESU_MMC_SECURE_ERASE_ARG && c->ext.sec_erase_mult ? c->ext.sec_erase_mult : 1);
	uint64_t timeout = groups * per * 2;
	struct mmc_ioc_cmd cmd[3];

	if (timeout < MMC_MIN_TIMEOUT_MS)
		timeout = MMC_MIN_TIMEOUT_MS;
	if (timeout > 0xffffffffu)
		timeout = 0xffffffffu;
	kesu_mmc_cmd_erase(cmd, card_addr(&c->ext, from), card_addr(&c->ext, to - 512), arg,
			   (unsigned)timeout);
	return kesu_mmc_send_multi(fd, cmd, 3, ru->eb);
}

static int erase_user_area(struct fw_run *ru, uint32_t arg)
{
	const struct kesu_mmc_card *c = &ru->d.mmc;
	uint64_t total = c->ext.sectors * 512, g = c->erase_group_bytes, step, off;
	int rc = 0;

	step = (total / MMC_STEPS + g - 1) / g * g;
	if (step < g)
		step = g;
	ru->touched = true;
	for (off = 0; off < total; off += step) {
		uint64_t end = off + step < total ? off + step : total;

		rc = erase_range(ru, ru->t->fd, off, end, arg);
		if (rc < 0)
			break;
		fw_progress(ru, (uint32_t)(end * 60000 / total), -1);
		if (ru->o->run->stop && *ru->o->run->stop) {
			rc = kesu_err_set(ru->eb, -KESU_E_INTERRUPTED, "stopped by the operator");
			break;
		}
	}
	fw_log(ru, arg == KESU_MMC_SECURE_ERASE_ARG ? "SECURE ERASE user area" : "ERASE user area", rc,
	       "CMD35/CMD36/CMD38 arg 0x%08x over bytes 0-%llu in requests of %llu bytes (erase group "
	       "%llu, %s)%s%s", arg, (unsigned long long)(rc < 0 ? off : total),
	       (unsigned long long)step, (unsigned long long)g, c->erase_group_source,
	       rc < 0 ? ": " : "", rc < 0 ? ru->eb->msg : "");
	return rc;
}

/* Whether all of fd's len bytes read as one value (0x00 or 0xFF); *val gets it. */
static int read_uniform(int fd, uint64_t len, int *val, struct kesu_errbuf *eb)
{
	uint8_t *buf = malloc(1 << 16);
	int rc = 0;

	*val = -1;
	if (!buf)
		return kesu_err_set(eb, -ENOMEM, "out of memory");
	posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED);
	for (uint64_t off = 0; off < len && rc == 0; off += 1 << 16) {
		size_t n = len - off < (1 << 16) ? (size_t)(len - off) : 1 << 16;
		ssize_t got = pread(fd, buf, n, (off_t)off);

		if (got != (ssize_t)n) {
			rc = kesu_err_set(eb, got < 0 ? -errno : -EIO, "reading at %llu: %s",
					  (unsigned long long)off, got < 0 ? strerror(errno) : "short read");
			break;
		}
		if (*val < 0)
			*val = buf[0];
		for (size_t i = 0; i < n; i++)
			if (buf[i] != *val || (*val != 0 && *val != 0xff)) {
				*val = -2;   /* data left */
				break;
			}
		if (*val == -2)
			break;
	}
	free(buf);
	return rc;
}

static void unreached(struct fw_run *ru, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void unreached(struct fw_run *ru, const char *fmt, ...)
{
	size_t n = strlen(ru->unreached);
	va_list ap;

	if (n)
		n += (size_t)snprintf(ru->unreached + n, sizeof(ru->unreached) - n, "; ");
	va_start(ap, fmt);
	if (n < sizeof(ru->unreached))
		vsnprintf(ru->unreached + n, sizeof(ru->unreached) - n, fmt, ap);
	va_end(ap);
}

static void erase_boot(struct fw_run *ru, unsigned i, uint32_t arg)
{
	const struct kesu_mmc_boot *b = &ru->d.mmc.boot[i];
	uint64_t size = b->bytes ? b->bytes : ru->d.mmc.ext.boot_bytes;
	bool was_ro = false;
	int fd, rc, ro, val = -1;

	if (!b->path[0]) {
		unreached(ru, "boot partition %u (%llu KiB, EXT_CSD) has no device /dev/%sboot%u: "
			  "not erased", i, (unsigned long long)ru->d.mmc.ext.boot_bytes / 1024,
			  ru->t->id.name, i);
		return;
	}
	ro = kesu_mmc_boot_force_ro(b->path, false, &was_ro);
	fd = open(b->path, O_RDONLY | O_EXCL | O_CLOEXEC);
	if (fd < 0) {
		unreached(ru, "%s cannot be opened exclusively (%s): not erased", b->path,
			  strerror(errno));
		goto restore;
	}
	rc = erase_range(ru, fd, 0, size, arg);
	fw_log(ru, i ? "ERASE boot1" : "ERASE boot0", rc, "%s: CMD35/CMD36/CMD38 arg 0x%08x over "
	       "%llu bytes%s%s", b->path, arg, (unsigned long long)size, rc ? ": " : "",
	       rc ? ru->eb->msg : "");
	if (rc == 0)
		rc = read_uniform(fd, size, &val, ru->eb);
	close(fd);
	if (rc < 0)
		unreached(ru, "%s: %s", b->path, ru->eb->msg);
	else if (val < 0)
		unreached(ru, "%s still holds data after the erase", b->path);
	fw_log(ru, i ? "readback boot1" : "readback boot0", rc, "%s: %s", b->path,
	       rc < 0 ? ru->eb->msg : val == 0 ? "every byte reads 0x00" : val == 0xff ?
	       "every byte reads 0xFF" : "data left");
	kesu_err_clear(ru->eb);
restore:
	if (ro == 0 && was_ro)
		(void)kesu_mmc_boot_force_ro(b->path, true, NULL);
}

static int sanitize(struct fw_run *ru)
{
	struct mmc_ioc_cmd cmd;
	/* No estimate in EXT_CSD: 30 minutes, plus the user area at 20 MB/s. */
	uint64_t t = 30ull * 60 * 1000 + ru->d.mmc.ext.sectors * 512 / (20ull * 1000);
	int rc;

	kesu_mmc_cmd_switch(&cmd, KESU_EXT_CSD_SANITIZE_START, 1, (unsigned)(t > 0xffffffffu ? 0xffffffffu : t));
	fw_ticker_start(ru, 0);
	rc = kesu_mmc_send(ru->t->fd, &cmd, ru->eb);
	fw_ticker_stop(ru);
	fw_log(ru, "SANITIZE", rc, "CMD6 SWITCH SANITIZE_START (EXT_CSD[165] = 1), timeout %llu ms%s%s",
	       (unsigned long long)t, rc ? ": " : "", rc ? ru->eb->msg : "");
	return rc;
}

int fw_mmc_run(struct fw_run *ru, const struct kesu_method_desc *m)
{
	struct kesu_mmc_card *c = &ru->d.mmc;
	uint32_t arg = m->action == 1 ? KESU_MMC_SECURE_ERASE_ARG : KESU_MMC_ERASE_ARG, r1 = 0;
	int rc;

	rc = kesu_mmc_probe(ru->t->fd, ru->t->id.name, c, ru->eb);
	if (rc == 0 && c->kind != KESU_MMC_EMMC)
		rc = kesu_err_set(ru->eb, -KESU_E_UNSUPPORTED, "%s: no EXT_CSD (an SD card)", ru->t->id.path);
	if (rc == 0 && (m->action == 1 ? !c->ext.secure_erase : !c->ext.sanitize))
		rc = kesu_err_set(ru->eb, -KESU_E_UNSUPPORTED, "%s: EXT_CSD no longer offers %s",
				  ru->t->id.path, m->name);
	fw_log(ru, "SEND_EXT_CSD", rc, "CMD8: rev %u, SEC_FEATURE_SUPPORT 0x%02x, %llu sectors, "
	       "erase group %llu bytes, boot partitions %llu bytes each, RPMB %llu bytes",
	       c->ext.rev, c->ext.sec_feature, (unsigned long long)c->ext.sectors,
	       (unsigned long long)c->erase_group_bytes, (unsigned long long)c->ext.boot_bytes,
	       (unsigned long long)c->ext.rpmb_bytes);
	if (rc < 0)
		return rc;
	if (c->ext.sectors * 512 != ru->t->id.size_bytes)
		kesu_result_add_reason(ru->r, "note: EXT_CSD SEC_COUNT gives %llu bytes, the kernel "
				       "%llu; the erase covers SEC_COUNT",
				       (unsigned long long)c->ext.sectors * 512,
				       (unsigned long long)ru->t->id.size_bytes);
	rc = erase_user_area(ru, arg);
	if (rc < 0)
		return rc;
	for (unsigned i = 0; c->ext.boot_bytes && i < 2; i++)
		erase_boot(ru, i, arg);
	if (m->action == 0) {
		rc = sanitize(ru);
		if (rc < 0)
			return rc;
	}
	rc = kesu_mmc_status(ru->t->fd, &r1, ru->eb);
	fw_log(ru, "SEND_STATUS", rc, "CMD13: R1 0x%08x%s%s", r1, rc ? ": " : "", rc ? ru->eb->msg : "");
	if (rc < 0)
		return rc;
	if (c->ext.rpmb_bytes)
		kesu_result_add_reason(ru->r, "note: the RPMB partition (%llu KiB) is not erased: it is "
				       "written only with authenticated frames and holds no user data",
				       (unsigned long long)c->ext.rpmb_bytes / 1024);
	if (!c->ext.boot_bytes)
		kesu_result_add_reason(ru->r, "note: the card has no boot partitions (BOOT_SIZE_MULT 0)");
	return 0;
}
