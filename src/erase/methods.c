/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The erase method table (methods.h): one row per method, and what reads it:
 * names, classes, support and readiness per drive, `auto`, the pass rule.
 * Each method's support check and runner live in its own file (fw_int.h).
 */
#include "fw_int.h"

#include <kesu/methods.h>

#include <stdio.h>
#include <string.h>

static void ow_check(const struct kesu_drive *d, const struct kesu_method_desc *m,
		     struct kesu_method_eval *e);

#define ROW(m) [m] = { .method = m

const struct kesu_method_desc kesu_methods[KESU_METHOD_COUNT] = {
	ROW(KESU_METHOD_OVERWRITE), .name = "overwrite", .family = KESU_FAMILY_OVERWRITE,
		.nist_hdd = KESU_CLASS_CLEAR, .nist_flash = KESU_CLASS_CLEAR,
		.leaves = KESU_LEAVES_PATTERN, .readback = KESU_RB_CHANGED,
		.commands = "normal writes of every addressable block",
		.check = ow_check, .menu = true,
		.help = "a pattern over every block (Clear; the default)" },
	ROW(KESU_METHOD_ATA_SECURE_ERASE), .name = "ata-secure-erase", .family = KESU_FAMILY_ATA,
		.nist_hdd = KESU_CLASS_PURGE, .nist_flash = KESU_CLASS_CLEAR,
		/* ACS: a normal erase writes binary zeros or ones. */
		.leaves = KESU_LEAVES_ZERO_OR_ONE, .readback = KESU_RB_ZERO_OR_ONES,
		.commands = "SECURITY SET PASSWORD (temporary user password), ERASE PREPARE, "
			    "ERASE UNIT (normal), then the password is gone or disabled",
		.check = fw_ata_security_check, .run = fw_ata_security_run,
		.auto_rank = 5, .menu = true,
		.help = "SECURITY ERASE UNIT (Purge on HDD, Clear on SSD)" },
	ROW(KESU_METHOD_ATA_SECURE_ERASE_ENHANCED), .name = "ata-secure-erase-enhanced",
		.family = KESU_FAMILY_ATA, .nist_hdd = KESU_CLASS_PURGE, .nist_flash = KESU_CLASS_CLEAR,
		.leaves = KESU_LEAVES_VENDOR, .readback = KESU_RB_CHANGED, .action = 1,
		.commands = "SECURITY SET PASSWORD (temporary user password), ERASE PREPARE, "
			    "ERASE UNIT (enhanced: vendor pattern or new media key)",
		.check = fw_ata_security_check, .run = fw_ata_security_run,
		.auto_rank = 4, .menu = true,
		.help = "the same, enhanced (Purge on HDD, Clear on SSD)" },
	ROW(KESU_METHOD_ATA_SANITIZE_CRYPTO), .name = "ata-sanitize-crypto", .family = KESU_FAMILY_ATA,
		.nist_hdd = KESU_CLASS_PURGE, .nist_flash = KESU_CLASS_PURGE,
		.leaves = KESU_LEAVES_CRYPTO, .readback = KESU_RB_CHANGED,
		.action = KESU_ATA_SANITIZE_CRYPTO_SCRAMBLE,
		.commands = "SANITIZE CRYPTO SCRAMBLE EXT, then SANITIZE STATUS EXT polled",
		.check = fw_ata_sanitize_check, .run = fw_ata_sanitize_run,
		.auto_rank = 2, .menu = true,
		.help = "SANITIZE CRYPTO SCRAMBLE, a new key (Purge)" },
	ROW(KESU_METHOD_ATA_SANITIZE_BLOCK), .name = "ata-sanitize-block", .family = KESU_FAMILY_ATA,
		.nist_hdd = KESU_CLASS_PURGE, .nist_flash = KESU_CLASS_PURGE,
		.leaves = KESU_LEAVES_ZERO_OR_ONE, .readback = KESU_RB_ZERO_OR_ONES,
		.action = KESU_ATA_SANITIZE_BLOCK_ERASE,
		.commands = "SANITIZE BLOCK ERASE EXT, then SANITIZE STATUS EXT polled",
		.check = fw_ata_sanitize_check, .run = fw_ata_sanitize_run,
		.auto_rank = 1, .menu = true,
		.help = "SANITIZE BLOCK ERASE (Purge)" },
	ROW(KESU_METHOD_ATA_SANITIZE_OVERWRITE), .name = "ata-sanitize-overwrite",
		.family = KESU_FAMILY_ATA, .nist_hdd = KESU_CLASS_PURGE, .nist_flash = KESU_CLASS_CLEAR,
		.leaves = KESU_LEAVES_PATTERN32, .readback = KESU_RB_PATTERN32,
		.action = KESU_ATA_SANITIZE_OVERWRITE,
		.commands = "SANITIZE OVERWRITE EXT, then SANITIZE STATUS EXT polled",
		.check = fw_ata_sanitize_check, .run = fw_ata_sanitize_run,
		.auto_rank = 3,
		.help = "SANITIZE OVERWRITE with --pattern (Purge on HDD)" },
	ROW(KESU_METHOD_NVME_FORMAT), .name = "nvme-format", .family = KESU_FAMILY_NVME,
		.nist_hdd = KESU_CLASS_PURGE, .nist_flash = KESU_CLASS_PURGE,
		.leaves = KESU_LEAVES_DEALLOCATED, .readback = KESU_RB_ZERO_OR_ONES,
		.action = KESU_NVME_SES_USER_DATA,
		.commands = "Format NVM, SES=1 (user data erase), same LBA format; partition rescan",
		.check = fw_nvme_format_check, .run = fw_nvme_format_run,
		.controller_wide = fw_nvme_format_wide, .auto_rank = 9, .menu = true,
		.help = "Format NVM, user data erase (Purge)" },
	ROW(KESU_METHOD_NVME_FORMAT_CRYPTO), .name = "nvme-format-crypto", .family = KESU_FAMILY_NVME,
		.nist_hdd = KESU_CLASS_PURGE, .nist_flash = KESU_CLASS_PURGE,
		.leaves = KESU_LEAVES_CRYPTO, .readback = KESU_RB_CHANGED,
		.action = KESU_NVME_SES_CRYPTO,
		.commands = "Format NVM, SES=2 (cryptographic erase), same LBA format; partition rescan",
		.check = fw_nvme_format_check, .run = fw_nvme_format_run,
		.controller_wide = fw_nvme_format_wide, .auto_rank = 10, .menu = true,
		.help = "Format NVM, cryptographic erase (Purge)" },
	ROW(KESU_METHOD_NVME_SANITIZE_BLOCK), .name = "nvme-sanitize-block", .family = KESU_FAMILY_NVME,
		.nist_hdd = KESU_CLASS_PURGE, .nist_flash = KESU_CLASS_PURGE,
		.leaves = KESU_LEAVES_DEALLOCATED, .readback = KESU_RB_ZERO_OR_ONES,
		.action = KESU_NVME_SANACT_BLOCK,
		.commands = "Sanitize (block erase, AUSE), Sanitize Status log polled",
		.check = fw_nvme_sanitize_check, .run = fw_nvme_sanitize_run,
		.controller_wide = fw_nvme_sanitize_wide, .auto_rank = 6, .menu = true,
		.help = "Sanitize block erase, every namespace (Purge)" },
	ROW(KESU_METHOD_NVME_SANITIZE_CRYPTO), .name = "nvme-sanitize-crypto",
		.family = KESU_FAMILY_NVME, .nist_hdd = KESU_CLASS_PURGE, .nist_flash = KESU_CLASS_PURGE,
		.leaves = KESU_LEAVES_CRYPTO, .readback = KESU_RB_CHANGED,
		.action = KESU_NVME_SANACT_CRYPTO,
		.commands = "Sanitize (crypto erase, AUSE), Sanitize Status log polled",
		.check = fw_nvme_sanitize_check, .run = fw_nvme_sanitize_run,
		.controller_wide = fw_nvme_sanitize_wide, .auto_rank = 7, .menu = true,
		.help = "Sanitize crypto erase, every namespace (Purge)" },
	ROW(KESU_METHOD_NVME_SANITIZE_OVERWRITE), .name = "nvme-sanitize-overwrite",
		.family = KESU_FAMILY_NVME, .nist_hdd = KESU_CLASS_PURGE, .nist_flash = KESU_CLASS_PURGE,
		.leaves = KESU_LEAVES_PATTERN32, .readback = KESU_RB_PATTERN32,
		.action = KESU_NVME_SANACT_OVERWRITE,
		.commands = "Sanitize (overwrite, AUSE), Sanitize Status log polled",
		.check = fw_nvme_sanitize_check, .run = fw_nvme_sanitize_run,
		.controller_wide = fw_nvme_sanitize_wide, .auto_rank = 8,
		.help = "Sanitize overwrite, --pattern, --passes (Purge)" },
	ROW(KESU_METHOD_SCSI_SANITIZE_BLOCK), .name = "scsi-sanitize-block", .family = KESU_FAMILY_SCSI,
		.nist_hdd = KESU_CLASS_PURGE, .nist_flash = KESU_CLASS_PURGE,
		.leaves = KESU_LEAVES_ZERO_OR_ONE, .readback = KESU_RB_ZERO_OR_ONES,
		.action = KESU_SCSI_SANITIZE_BLOCK_ERASE,
		.commands = "SANITIZE BLOCK ERASE (IMMED, AUSE), then REQUEST SENSE polled",
		.check = fw_scsi_sanitize_check, .run = fw_scsi_sanitize_run,
		.auto_rank = 11, .menu = true,
		.help = "SCSI SANITIZE BLOCK ERASE (Purge)" },
	ROW(KESU_METHOD_SCSI_SANITIZE_CRYPTO), .name = "scsi-sanitize-crypto", .family = KESU_FAMILY_SCSI,
		.nist_hdd = KESU_CLASS_PURGE, .nist_flash = KESU_CLASS_PURGE,
		.leaves = KESU_LEAVES_CRYPTO, .readback = KESU_RB_CHANGED,
		.action = KESU_SCSI_SANITIZE_CRYPTO_ERASE,
		.commands = "SANITIZE CRYPTOGRAPHIC ERASE (IMMED, AUSE), then REQUEST SENSE polled",
		.check = fw_scsi_sanitize_check, .run = fw_scsi_sanitize_run,
		.auto_rank = 12, .menu = true,
		.help = "SCSI SANITIZE CRYPTOGRAPHIC ERASE (Purge)" },
	ROW(KESU_METHOD_SCSI_SANITIZE_OVERWRITE), .name = "scsi-sanitize-overwrite",
		.family = KESU_FAMILY_SCSI, .nist_hdd = KESU_CLASS_PURGE, .nist_flash = KESU_CLASS_CLEAR,
		.leaves = KESU_LEAVES_PATTERN32, .readback = KESU_RB_PATTERN32,
		.action = KESU_SCSI_SANITIZE_OVERWRITE,
		.commands = "SANITIZE OVERWRITE (IMMED, AUSE, the 4-byte pattern), then REQUEST SENSE polled",
		.check = fw_scsi_sanitize_check, .run = fw_scsi_sanitize_run,
		.auto_rank = 13,
		.help = "SCSI SANITIZE OVERWRITE, --pattern (Purge on HDD)" },
	ROW(KESU_METHOD_MMC_SANITIZE), .name = "mmc-sanitize", .family = KESU_FAMILY_MMC,
		.nist_hdd = KESU_CLASS_PURGE, .nist_flash = KESU_CLASS_PURGE,
		.leaves = KESU_LEAVES_ZERO_OR_ONE, .readback = KESU_RB_ZERO_OR_ONES, .action = 0,
		.commands = "ERASE (CMD35/36/38) over the user area and both boot partitions in "
			    "erase groups, then SANITIZE (CMD6 SANITIZE_START) of the unmapped blocks",
		.check = fw_mmc_check, .run = fw_mmc_run, .auto_rank = 14, .menu = true,
		.help = "eMMC erase, then SANITIZE, boot areas too (Purge)" },
	ROW(KESU_METHOD_MMC_SECURE_ERASE), .name = "mmc-secure-erase", .family = KESU_FAMILY_MMC,
		.nist_hdd = KESU_CLASS_PURGE, .nist_flash = KESU_CLASS_PURGE,
		.leaves = KESU_LEAVES_ZERO_OR_ONE, .readback = KESU_RB_ZERO_OR_ONES, .action = 1,
		.commands = "secure ERASE (CMD35/36/38, argument 0x80000000) over the user area and "
			    "both boot partitions in erase groups",
		.check = fw_mmc_check, .run = fw_mmc_run, .auto_rank = 15, .menu = true,
		.help = "eMMC secure erase, boot partitions too (Purge)" },
	/* A TCG revert needs what only the operator has (the label's PSID, the owner's
	 * password): `auto` never chooses it. */
	ROW(KESU_METHOD_OPAL_PSID_REVERT), .name = "opal-psid-revert", .family = KESU_FAMILY_OPAL,
		.nist_hdd = KESU_CLASS_PURGE, .nist_flash = KESU_CLASS_PURGE,
		.leaves = KESU_LEAVES_CRYPTO, .readback = KESU_RB_CHANGED, .action = 0,
		.commands = "TCG revert of the TPer to factory state with the PSID "
			    "(IOC_OPAL_PSID_REVERT_TPR): a new media encryption key; then the "
			    "locking state read again (IOC_OPAL_GET_STATUS, Level 0 Discovery)",
		.check = fw_opal_check, .run = fw_opal_run, .menu = true,
		.help = "TCG revert with the label's PSID, --psid (Purge)" },
	ROW(KESU_METHOD_OPAL_REVERT), .name = "opal-revert", .family = KESU_FAMILY_OPAL,
		.nist_hdd = KESU_CLASS_PURGE, .nist_flash = KESU_CLASS_PURGE,
		.leaves = KESU_LEAVES_CRYPTO, .readback = KESU_RB_CHANGED, .action = 1,
		.commands = "TCG revert of the TPer to factory state with the owner's SID password "
			    "(IOC_OPAL_REVERT_TPR): a new media encryption key; then the locking "
			    "state read again (IOC_OPAL_GET_STATUS, Level 0 Discovery)",
		.check = fw_opal_check, .run = fw_opal_run,
		.help = "TCG revert, owner's password, --password-file" },
};

/* What a family needs the drive to answer, and what to say when it does not. */
static const struct {
	const char *name;
	enum kesu_drive_proto proto;
	const char *not_this;
} families[KESU_FAMILY_COUNT] = {
	[KESU_FAMILY_OVERWRITE] = { "overwrite", KESU_DRIVE_NONE, NULL },
	[KESU_FAMILY_ATA] = { "ATA", KESU_DRIVE_ATA,
			      "not an ATA drive (no answer to ATA PASS-THROUGH IDENTIFY)" },
	[KESU_FAMILY_NVME] = { "NVMe", KESU_DRIVE_NVME, "not an NVMe drive" },
	[KESU_FAMILY_SCSI] = { "SCSI", KESU_DRIVE_SCSI,
			       "not a SCSI drive (no SCSI INQUIRY answer, or an ATA disk behind SAT)" },
	[KESU_FAMILY_MMC] = { "MMC", KESU_DRIVE_MMC, "not an eMMC (no answer to MMC_IOC_CMD)" },
	/* any protocol: the method's check asks for a self-encrypting drive */
	[KESU_FAMILY_OPAL] = { "TCG", KESU_DRIVE_NONE, NULL },
};

static const char *const leaves_names[] = {
	[KESU_LEAVES_PATTERN] = "pattern", [KESU_LEAVES_ZERO] = "zero", [KESU_LEAVES_ONE] = "one",
	[KESU_LEAVES_ZERO_OR_ONE] = "zero-or-one", [KESU_LEAVES_PATTERN32] = "pattern32",
	[KESU_LEAVES_DEALLOCATED] = "deallocated", [KESU_LEAVES_CRYPTO] = "crypto",
	[KESU_LEAVES_VENDOR] = "vendor",
};

const struct kesu_method_desc *kesu_method_desc(enum kesu_method m)
{
	if ((unsigned)m >= KESU_METHOD_COUNT || !kesu_methods[m].name)
		return NULL;
	return &kesu_methods[m];
}

const struct kesu_method_desc *kesu_method_find(const char *name)
{
	for (unsigned i = 0; i < KESU_METHOD_COUNT; i++)
		if (kesu_methods[i].name && !strcmp(name, kesu_methods[i].name))
			return &kesu_methods[i];
	return NULL;
}

size_t kesu_methods_by_preference(enum kesu_method *out, size_t n)
{
	size_t k = 0;

	/* Ranks are small: walk them in order, table order breaks ties. */
	for (unsigned rank = 1; rank <= KESU_METHOD_COUNT * 4; rank++)
		for (unsigned i = 0; i < KESU_METHOD_COUNT; i++)
			if (kesu_methods[i].auto_rank == rank) {
				if (k < n)
					out[k] = (enum kesu_method)i;
				k++;
			}
	return k;
}

const char *kesu_method_name(enum kesu_method m)
{
	const struct kesu_method_desc *md = kesu_method_desc(m);

	return md ? md->name : NULL;
}

int kesu_method_parse(const char *name, enum kesu_method *m)
{
	const struct kesu_method_desc *md = kesu_method_find(name);

	if (!md)
		return -KESU_E_BAD_INPUT;
	*m = md->method;
	return 0;
}

const char *kesu_method_family_name(enum kesu_method_family f)
{
	return (unsigned)f < KESU_FAMILY_COUNT ? families[f].name : "?";
}

const char *kesu_method_leaves_name(enum kesu_method_leaves l)
{
	return (unsigned)l < sizeof(leaves_names) / sizeof(leaves_names[0]) ? leaves_names[l] : "?";
}

const char *kesu_nist_class_name(enum kesu_nist_class c)
{
	switch (c) {
	case KESU_CLASS_CLEAR: return "Clear";
	case KESU_CLASS_PURGE: return "Purge";
	case KESU_CLASS_NONE: break;
	}
	return "none";
}

enum kesu_nist_class kesu_method_class(enum kesu_method m, enum kesu_media media)
{
	const struct kesu_method_desc *md = kesu_method_desc(m);

	if (!md)
		return KESU_CLASS_NONE;
	/* On flash, remapped blocks escape an overwrite: the weaker class unless magnetic. */
	return media == KESU_MEDIA_HDD ? md->nist_hdd : md->nist_flash;
}

bool kesu_method_is_firmware(enum kesu_method m)
{
	const struct kesu_method_desc *md = kesu_method_desc(m);

	return md && md->family != KESU_FAMILY_OVERWRITE;
}

bool kesu_method_takes_pattern32(enum kesu_method m)
{
	const struct kesu_method_desc *md = kesu_method_desc(m);

	return md && md->leaves == KESU_LEAVES_PATTERN32;
}

enum kesu_rb_expect kesu_method_expect(enum kesu_method m, const struct kesu_drive *d)
{
	const struct kesu_method_desc *md = kesu_method_desc(m);

	if (!md)
		return KESU_RB_CHANGED;
	if (md->leaves != KESU_LEAVES_DEALLOCATED)
		return md->readback;
	/* DLFEAT bits 2:0: 1 reads zeros, 2 reads ones, else not reported. */
	if (d->nvme_ns_valid && d->nvme_ns.dealloc_read == 1)
		return KESU_RB_ZERO;
	if (d->nvme_ns_valid && d->nvme_ns.dealloc_read == 2)
		return KESU_RB_ONES;
	return md->readback;
}

bool kesu_method_controller_wide(enum kesu_method m, const struct kesu_drive *d)
{
	const struct kesu_method_desc *md = kesu_method_desc(m);

	return md && md->controller_wide && md->controller_wide(d, md);
}

unsigned kesu_method_default_passes(const struct kesu_drive *d)
{
	return d->media == KESU_MEDIA_FLASH ? 2 : 1;
}

/* The overwrite's check: every device can be overwritten unless an ATA lock stops writes. */
static void ow_check(const struct kesu_drive *d, const struct kesu_method_desc *m,
		     struct kesu_method_eval *e)
{
	(void)m;
	e->supported = e->ready = true;
	e->passes = kesu_method_default_passes(d);
	if (d->proto == KESU_DRIVE_ATA && d->ata.security.locked) {
		e->ready = false;
		snprintf(e->reason, sizeof(e->reason), "the drive is security-locked: reads and "
			 "writes abort until it is unlocked");
	} else if (e->passes > 1) {
		snprintf(e->reason, sizeof(e->reason), "two passes, a pattern then its complement "
			 "(NIST SP 800-88: Clear for flash media)");
	} else {
		snprintf(e->reason, sizeof(e->reason), "writes every addressable block through the "
			 "normal interface");
	}
}

/* Add a note after what the reason already says. */
static void add_hidden_note(struct kesu_method_eval *e, unsigned long long hidden)
{
	size_t n = strlen(e->reason);

	snprintf(e->reason + n, sizeof(e->reason) - n,
		 "%s%llu sectors hidden by HPA/AMAC stay unerased unless the native max is restored first",
		 n ? "; " : "", hidden);
}

void kesu_method_evaluate(const struct kesu_drive *d, enum kesu_method m,
			  struct kesu_method_eval *e)
{
	const struct kesu_method_desc *md = kesu_method_desc(m);

	memset(e, 0, sizeof(*e));
	e->method = m;
	if (!md) {
		snprintf(e->reason, sizeof(e->reason), "unknown method");
		return;
	}
	e->name = md->name;
	e->nist_class = kesu_method_class(m, d->media);
	if (families[md->family].not_this && d->proto != families[md->family].proto) {
		e->nist_class = KESU_CLASS_NONE;
		snprintf(e->reason, sizeof(e->reason), "%s", families[md->family].not_this);
		return;
	}
	md->check(d, md, e);
	/* A revert is the remedy for a locked SED, not something the lock blocks. */
	if (e->ready && d->opal.locked && md->family != KESU_FAMILY_OPAL) {
		e->ready = false;
		snprintf(e->reason, sizeof(e->reason), "the self-encrypting drive is LOCKED: unlock "
			 "it, or use opal-psid-revert with the label's PSID");
	}
	if (e->ready && d->proto == KESU_DRIVE_ATA && d->hpa.hidden_sectors)
		add_hidden_note(e, (unsigned long long)d->hpa.hidden_sectors);
}

void kesu_methods_evaluate(const struct kesu_drive *d, struct kesu_method_eval out[KESU_METHOD_COUNT])
{
	for (unsigned i = 0; i < KESU_METHOD_COUNT; i++)
		kesu_method_evaluate(d, (enum kesu_method)i, &out[i]);
}

enum kesu_method kesu_method_auto(const struct kesu_drive *d, char *why, size_t why_len)
{
	enum kesu_method order[KESU_METHOD_COUNT];
	size_t n = kesu_methods_by_preference(order, KESU_METHOD_COUNT);
	struct kesu_method_eval e;

	for (size_t i = 0; i < n && i < KESU_METHOD_COUNT; i++) {
		kesu_method_evaluate(d, order[i], &e);
		if (!e.supported || e.nist_class != KESU_CLASS_PURGE)
			continue;
		if (why)
			snprintf(why, why_len, "%s, the strongest Purge this drive (%s) supports%s",
				 e.name, kesu_media_name(d->media),
				 e.ready ? "" : "; it is blocked now, see its reason");
		return e.method;
	}
	kesu_method_evaluate(d, KESU_METHOD_OVERWRITE, &e);
	if (why && d->proto == KESU_DRIVE_MMC && d->mmc.kind == KESU_MMC_SD)
		snprintf(why, why_len, "overwrite, %u pass%s: an SD card has no purge command (no "
			 "sanitize, no secure erase), so the erase is a Clear",
			 e.passes, e.passes == 1 ? "" : "es");
	else if (why)
		snprintf(why, why_len,
			 "overwrite, %u pass%s: no Purge method is available on this device, so the erase is a Clear",
			 e.passes, e.passes == 1 ? "" : "es");
	return KESU_METHOD_OVERWRITE;
}
