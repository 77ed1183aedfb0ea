/* SPDX-License-Identifier: GPL-2.0-or-later */
/* `kesu info`: what an eMMC's EXT_CSD says, or that the card is SD (no EXT_CSD, no purge). */
#include "info_fw.h"

#include <kesu/drive.h>

#include <errno.h>
#include <inttypes.h>

static const char *yes_no(bool b)
{
	return b ? "yes" : "no";
}

static void print_boot(FILE *out, const struct kesu_mmc_card *c)
{
	if (!c->ext.boot_bytes) {
		fprintf(out, "  boot partitions: none\n");
		return;
	}
	fprintf(out, "  boot partitions: 2 x %" PRIu64 " KiB:", c->ext.boot_bytes / 1024);
	for (unsigned i = 0; i < 2; i++)
		fprintf(out, " %s", c->boot[i].path[0] ? c->boot[i].path : "(no device)");
	fprintf(out, "\n");
}

void info_mmc_print(FILE *out, const struct kesu_drive *d)
{
	const struct kesu_mmc_card *c = &d->mmc;
	const struct kesu_mmc_ext_csd *x = &c->ext;
	char rev[16];

	if (c->kind == KESU_MMC_SD) {
		fprintf(out, "SD card (MMC_IOC_CMD):\n");
		fprintf(out, "  ext_csd:         none: %s\n", c->note);
		fprintf(out, "  purge:           SD cards have no sanitize or secure erase command; kesu overwrites them\n");
		return;
	}
	fprintf(out, "eMMC (EXT_CSD through MMC_IOC_CMD, CMD8):\n");
	fprintf(out, "  ext_csd rev:     %u (eMMC %s)\n", x->rev, kesu_mmc_rev_name(x->rev, rev, sizeof(rev)));
	fprintf(out, "  user area:       %" PRIu64 " sectors of 512 bytes (%" PRIu64 " bytes)\n",
		x->sectors, x->sectors * 512);
	fprintf(out, "  sec_feature:     0x%02x; secure erase %s, secure trim %s, sanitize %s\n",
		x->sec_feature, yes_no(x->secure_erase), yes_no(x->secure_gc), yes_no(x->sanitize));
	fprintf(out, "  erase group:     %" PRIu64 " KiB (%s)\n", c->erase_group_bytes / 1024,
		c->erase_group_source);
	fprintf(out, "  erased reads:    %s (ERASED_MEM_CONT)\n", x->erased_ones ? "0xFF" : "zeros");
	print_boot(out, c);
	if (x->rpmb_bytes)
		fprintf(out, "  rpmb:            %" PRIu64 " KiB (authenticated writes only: no erase reaches it)\n",
			x->rpmb_bytes / 1024);
	else
		fprintf(out, "  rpmb:            none\n");
}

static void put(json_t *obj, const char *key, json_t *val, int *rc)
{
	if (!val || json_object_set_new(obj, key, val) != 0)
		*rc = -ENOMEM;
}

json_t *info_mmc_json(const struct kesu_drive *d, int *rc)
{
	const struct kesu_mmc_card *c = &d->mmc;
	const struct kesu_mmc_ext_csd *x = &c->ext;
	json_t *o = json_object(), *boot;

	if (!o) {
		*rc = -ENOMEM;
		return NULL;
	}
	put(o, "kind", json_string(kesu_mmc_kind_name(c->kind)), rc);
	if (c->kind == KESU_MMC_SD) {
		put(o, "note", json_string(c->note), rc);
		return o;
	}
	put(o, "ext_csd_rev", json_integer(x->rev), rc);
	put(o, "sectors", json_integer((json_int_t)x->sectors), rc);
	put(o, "sec_feature_support", json_integer(x->sec_feature), rc);
	put(o, "secure_erase", json_boolean(x->secure_erase), rc);
	put(o, "secure_trim", json_boolean(x->secure_gc), rc);
	put(o, "sanitize", json_boolean(x->sanitize), rc);
	put(o, "erase_group_bytes", json_integer((json_int_t)c->erase_group_bytes), rc);
	put(o, "erase_group_source", json_string(c->erase_group_source), rc);
	put(o, "erased_ones", json_boolean(x->erased_ones), rc);
	put(o, "boot_partition_bytes", json_integer((json_int_t)x->boot_bytes), rc);
	put(o, "rpmb_bytes", json_integer((json_int_t)x->rpmb_bytes), rc);
	boot = json_array();
	for (unsigned i = 0; boot && x->boot_bytes && i < 2; i++)
		if (json_array_append_new(boot, c->boot[i].path[0] ? json_string(c->boot[i].path) :
					  json_null()) != 0)
			*rc = -ENOMEM;
	put(o, "boot_partitions", boot, rc);
	return o;
}
