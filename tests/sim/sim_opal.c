/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A self-encrypting drive: Level 0 Discovery (answered through ATA TRUSTED
 * RECEIVE and NVMe Security Receive by sim_ata.c / sim_nvme.c) and the
 * kernel's sed-opal ioctls on the device: IOC_OPAL_GET_STATUS,
 * IOC_OPAL_PSID_REVERT_TPR and IOC_OPAL_REVERT_TPR. A revert replaces the
 * media key: the media becomes random bytes and locking turns off.
 */
#include "sim.h"

#include <errno.h>
#include <linux/sed-opal.h>
#include <string.h>
#include <sys/ioctl.h>

#define TCG_NOT_AUTHORIZED 0x01

static void be16(uint8_t *b, uint16_t v)
{
	b[0] = (uint8_t)(v >> 8);
	b[1] = (uint8_t)v;
}

static uint8_t locking_byte(const struct sim_opal_state *st)
{
	return (uint8_t)(0x01 | 0x08 | (st->locking_enabled ? 0x02 : 0) | (st->locked ? 0x04 : 0) |
			 (st->mbr_enabled ? 0x10 : 0) | (st->mbr_done ? 0x20 : 0));
}

size_t sim_opal_discovery(const struct sim_dev *d, const struct sim_opal_state *st, uint8_t *buf, size_t len)
{
	uint8_t r[128];
	size_t n = 48;

	memset(r, 0, sizeof(r));
	be16(r + 6, 0x0001);                     /* data structure revision 1 */
	/* TPer: sync, streaming */
	be16(r + n, 0x0001); r[n + 2] = 0x10; r[n + 3] = 12; r[n + 4] = 0x11; n += 16;
	/* Locking */
	be16(r + n, 0x0002); r[n + 2] = 0x10; r[n + 3] = 12; r[n + 4] = locking_byte(st); n += 16;
	/* The SSC: base ComID 0x07FE, one ComID; Opal 2 family: C_PIN_SID indicators 0 (MSID). */
	be16(r + n, d->opal.ssc); r[n + 2] = 0x10; r[n + 3] = 16;
	be16(r + n + 4, 0x07FE); be16(r + n + 6, 1);
	n += 20;
	r[0] = 0; r[1] = 0;
	be16(r + 2, (uint16_t)(n - 4));
	memset(buf, 0, len);
	memcpy(buf, r, n < len ? n : len);
	return n;
}

bool sim_opal_is_request(unsigned long req)
{
	return req == IOC_OPAL_GET_STATUS || req == IOC_OPAL_PSID_REVERT_TPR || req == IOC_OPAL_REVERT_TPR ||
	       (((req >> 8) & 0xff) == 'p' && ((req & 0xff) >= 220 && (req & 0xff) <= 240));
}

static bool key_matches(const struct opal_key *k, const char *want)
{
	size_t n = strlen(want);

	return n && k->key_len == n && !memcmp(k->key, want, n);
}

/* Every namespace (or the ATA device) with media gets random bytes: the old key is gone. */
static void new_key(const struct sim_dev *d)
{
	if (d->type == SIM_NVME) {
		for (unsigned i = 0; i < d->nvme.nns; i++)
			if (d->nvme.ns[i].media.present)
				sim_media_fill(d->nvme.ns[i].media.path, 0, d->nvme.ns[i].media.bytes,
					       SIM_FILL_RANDOM, 0);
		return;
	}
	sim_media_fill(d->media.path, 0, d->media.bytes, SIM_FILL_RANDOM, 0);
}

static int revert(const struct sim_dev *d, struct sim_opal_state *st, const struct opal_key *k, bool psid)
{
	const char *name = psid ? "PSID_REVERT_TPR" : "REVERT_TPR";
	const char *what = d->opal.revert == SIM_OPAL_REVERT_LIE ? " revert=lie" :
			   d->opal.revert == SIM_OPAL_REVERT_KEEP_LOCKING ? " revert=keep_locking" : "";

	if (!k) {
		errno = EFAULT;
		return -1;
	}
	if (!key_matches(k, psid ? d->opal.psid : d->opal.sid_password)) {
		sim_log(d, "opal %s key=wrong -> status=0x%02x", name, TCG_NOT_AUTHORIZED);
		return TCG_NOT_AUTHORIZED;
	}
	if (d->opal.revert != SIM_OPAL_REVERT_LIE)
		new_key(d);
	if (d->opal.revert != SIM_OPAL_REVERT_KEEP_LOCKING) {
		st->locking_enabled = st->locked = st->mbr_enabled = st->mbr_done = false;
	}
	st->reverts++;
	sim_log(d, "opal %s%s -> ok", name, what);
	return 0;
}

int sim_opal_ioctl(const struct sim_dev *d, struct sim_state *st, unsigned long req, void *arg)
{
	if (req == IOC_OPAL_GET_STATUS) {
		struct opal_status *s = arg;

		if (!s) {
			errno = EFAULT;
			return -1;
		}
		memset(s, 0, sizeof(*s));
		s->flags = OPAL_FL_SUPPORTED | OPAL_FL_LOCKING_SUPPORTED |
			   (st->opal.locking_enabled ? OPAL_FL_LOCKING_ENABLED : 0) |
			   (st->opal.locked ? OPAL_FL_LOCKED : 0) |
			   (st->opal.mbr_enabled ? OPAL_FL_MBR_ENABLED : 0) |
			   (st->opal.mbr_done ? OPAL_FL_MBR_DONE : 0);
		sim_log(d, "opal GET_STATUS flags=0x%02x -> ok", s->flags);
		return 0;
	}
	if (req == IOC_OPAL_PSID_REVERT_TPR || req == IOC_OPAL_REVERT_TPR)
		return revert(d, &st->opal, arg, req == IOC_OPAL_PSID_REVERT_TPR);
	sim_log(d, "opal request=0x%lx -> errno=EOPNOTSUPP", req);
	errno = EOPNOTSUPP;
	return -1;
}
