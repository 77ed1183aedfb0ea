/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The erase method catalogue: support, readiness and NIST SP 800-88 class per drive. */
#include <kesu/methods.h>

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static const char *const method_names[KESU_METHOD_COUNT] = {
	[KESU_METHOD_OVERWRITE] = "overwrite",
	[KESU_METHOD_ATA_SECURE_ERASE] = "ata-secure-erase",
	[KESU_METHOD_ATA_SECURE_ERASE_ENHANCED] = "ata-secure-erase-enhanced",
	[KESU_METHOD_ATA_SANITIZE_CRYPTO] = "ata-sanitize-crypto",
	[KESU_METHOD_ATA_SANITIZE_BLOCK] = "ata-sanitize-block",
	[KESU_METHOD_ATA_SANITIZE_OVERWRITE] = "ata-sanitize-overwrite",
	[KESU_METHOD_NVME_FORMAT] = "nvme-format",
	[KESU_METHOD_NVME_FORMAT_CRYPTO] = "nvme-format-crypto",
	[KESU_METHOD_NVME_SANITIZE_BLOCK] = "nvme-sanitize-block",
	[KESU_METHOD_NVME_SANITIZE_CRYPTO] = "nvme-sanitize-crypto",
	[KESU_METHOD_NVME_SANITIZE_OVERWRITE] = "nvme-sanitize-overwrite",
};

/* `auto`'s order of preference, strongest first; overwrite is the fallback. */
static const enum kesu_method auto_order[] = {
	KESU_METHOD_ATA_SANITIZE_BLOCK,
	KESU_METHOD_ATA_SANITIZE_CRYPTO,
	KESU_METHOD_ATA_SANITIZE_OVERWRITE,
	KESU_METHOD_ATA_SECURE_ERASE_ENHANCED,
	KESU_METHOD_ATA_SECURE_ERASE,
	KESU_METHOD_NVME_SANITIZE_BLOCK,
	KESU_METHOD_NVME_SANITIZE_CRYPTO,
	KESU_METHOD_NVME_SANITIZE_OVERWRITE,
	KESU_METHOD_NVME_FORMAT,
	KESU_METHOD_NVME_FORMAT_CRYPTO,
};

const char *kesu_method_name(enum kesu_method m)
{
	if ((unsigned)m >= KESU_METHOD_COUNT)
		return NULL;
	return method_names[m];
}

int kesu_method_parse(const char *name, enum kesu_method *m)
{
	for (unsigned i = 0; i < KESU_METHOD_COUNT; i++) {
		if (strcmp(name, method_names[i]) == 0) {
			*m = (enum kesu_method)i;
			return 0;
		}
	}
	return -KESU_E_BAD_INPUT;
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
	switch (m) {
	case KESU_METHOD_OVERWRITE:
		return KESU_CLASS_CLEAR;
	case KESU_METHOD_ATA_SECURE_ERASE:
	case KESU_METHOD_ATA_SECURE_ERASE_ENHANCED:
	case KESU_METHOD_ATA_SANITIZE_OVERWRITE:
		/* A Purge for magnetic media; on flash, remapped blocks escape an overwrite. */
		return media == KESU_MEDIA_HDD ? KESU_CLASS_PURGE : KESU_CLASS_CLEAR;
	case KESU_METHOD_ATA_SANITIZE_CRYPTO:
	case KESU_METHOD_ATA_SANITIZE_BLOCK:
	case KESU_METHOD_NVME_FORMAT:
	case KESU_METHOD_NVME_FORMAT_CRYPTO:
	case KESU_METHOD_NVME_SANITIZE_BLOCK:
	case KESU_METHOD_NVME_SANITIZE_CRYPTO:
	case KESU_METHOD_NVME_SANITIZE_OVERWRITE:
		return KESU_CLASS_PURGE;
	case KESU_METHOD_COUNT:
		break;
	}
	return KESU_CLASS_NONE;
}

static void say(struct kesu_method_eval *e, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void say(struct kesu_method_eval *e, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(e->reason, sizeof(e->reason), fmt, ap);
	va_end(ap);
}

/* Add a note after what the reason already says. */
static void add_note(struct kesu_method_eval *e, unsigned long long hidden)
{
	size_t n = strlen(e->reason);

	snprintf(e->reason + n, sizeof(e->reason) - n,
		 "%s%llu sectors hidden by HPA/AMAC stay unerased unless the native max is restored first",
		 n ? "; " : "", hidden);
}

static void set_support(struct kesu_method_eval *e, bool supported)
{
	e->supported = supported;
	e->ready = supported;
}

static void eval_overwrite(const struct kesu_drive *d, struct kesu_method_eval *e)
{
	set_support(e, true);
	e->passes = d->media == KESU_MEDIA_FLASH ? 2 : 1;
	if (d->proto == KESU_DRIVE_ATA && d->ata.security.locked) {
		e->ready = false;
		say(e, "the drive is security-locked: reads and writes abort until it is unlocked");
	} else if (d->media == KESU_MEDIA_FLASH) {
		say(e, "two passes, a pattern then its complement (NIST SP 800-88: Clear for flash media)");
	} else {
		say(e, "writes every addressable block through the normal interface");
	}
	if (e->ready && d->proto == KESU_DRIVE_ATA && d->hpa.hidden_sectors)
		add_note(e, (unsigned long long)d->hpa.hidden_sectors);
}

/* Security erase: supported per word 128, blocked by frozen/locked/a foreign password. */
static void eval_ata_security(const struct kesu_drive *d, bool enhanced, struct kesu_method_eval *e)
{
	const struct kesu_ata_security *s = &d->ata.security;

	if (!s->supported) {
		say(e, "the drive does not support the ATA Security feature set");
		return;
	}
	if (enhanced && !s->enhanced_erase) {
		say(e, "the drive does not support enhanced security erase");
		return;
	}
	set_support(e, true);
	if (s->frozen) {
		e->ready = false;
		say(e, "security is frozen: suspend and resume the machine, or hot-plug the drive, then retry");
	} else if (s->locked) {
		e->ready = false;
		say(e, "the drive is security-locked: unlock it with its password first");
	} else if (s->enabled) {
		e->ready = false;
		say(e, "a security password is already set: disable it before erasing");
	} else if (d->media != KESU_MEDIA_HDD) {
		say(e, "on flash media security erase counts only as Clear");
	} else {
		unsigned t = enhanced ? s->erase_time_enhanced_min : s->erase_time_normal_min;

		if (t)
			say(e, "the drive estimates %u minutes", t);
		else
			say(e, "the drive gives no time estimate");
	}
}

static void eval_ata_sanitize(const struct kesu_drive *d, enum kesu_method m,
			      struct kesu_method_eval *e)
{
	const struct kesu_ata_sanitize_caps *s = &d->ata.sanitize;
	bool has = false;

	if (!s->supported) {
		say(e, "the drive does not support the ATA Sanitize feature set");
		return;
	}
	if (m == KESU_METHOD_ATA_SANITIZE_CRYPTO)
		has = s->crypto;
	else if (m == KESU_METHOD_ATA_SANITIZE_BLOCK)
		has = s->block;
	else
		has = s->overwrite;
	if (!has) {
		say(e, "IDENTIFY word 59 does not list this sanitize action");
		return;
	}
	set_support(e, true);
	if (m == KESU_METHOD_ATA_SANITIZE_CRYPTO)
		say(e, "changes the media encryption key; counts only if all data was always encrypted");
	else if (m == KESU_METHOD_ATA_SANITIZE_OVERWRITE && d->media != KESU_MEDIA_HDD)
		say(e, "on flash media a sanitize overwrite counts only as Clear");
	else
		say(e, "sanitize reaches every user and spare area; it survives a power cycle");
}

static void eval_nvme(const struct kesu_drive *d, enum kesu_method m, struct kesu_method_eval *e)
{
	const struct kesu_nvme_ctrl *c = &d->nvme;

	switch (m) {
	case KESU_METHOD_NVME_FORMAT:
	case KESU_METHOD_NVME_FORMAT_CRYPTO:
		if (!c->oacs_format) {
			say(e, "the controller does not support Format NVM (OACS bit 1)");
			return;
		}
		if (m == KESU_METHOD_NVME_FORMAT_CRYPTO && !c->fna.crypto_erase) {
			say(e, "the controller does not support cryptographic erase (FNA bit 2)");
			return;
		}
		set_support(e, true);
		/* FNA bit 0: any format, bit 1: a secure-erase format (SES 1 or 2) is controller-wide. */
		if (c->fna.format_all_ns || c->fna.erase_all_ns)
			say(e, "erases every namespace of the controller (FNA)");
		else
			say(e, "erases this namespace only");
		return;
	case KESU_METHOD_NVME_SANITIZE_BLOCK:
		set_support(e, c->sanicap.block);
		break;
	case KESU_METHOD_NVME_SANITIZE_CRYPTO:
		set_support(e, c->sanicap.crypto);
		break;
	case KESU_METHOD_NVME_SANITIZE_OVERWRITE:
		set_support(e, c->sanicap.overwrite);
		break;
	default:
		return;
	}
	if (e->supported)
		say(e, "sanitize is controller-wide: every namespace is erased");
	else
		say(e, "SANICAP does not list this sanitize action");
}

void kesu_method_evaluate(const struct kesu_drive *d, enum kesu_method m,
			  struct kesu_method_eval *e)
{
	memset(e, 0, sizeof(*e));
	e->method = m;
	e->name = kesu_method_name(m);
	e->nist_class = kesu_method_class(m, d->media);
	switch (m) {
	case KESU_METHOD_OVERWRITE:
		eval_overwrite(d, e);
		return;
	case KESU_METHOD_ATA_SECURE_ERASE:
	case KESU_METHOD_ATA_SECURE_ERASE_ENHANCED:
	case KESU_METHOD_ATA_SANITIZE_CRYPTO:
	case KESU_METHOD_ATA_SANITIZE_BLOCK:
	case KESU_METHOD_ATA_SANITIZE_OVERWRITE:
		if (d->proto != KESU_DRIVE_ATA) {
			e->nist_class = KESU_CLASS_NONE;
			say(e, "not an ATA drive (no answer to ATA PASS-THROUGH IDENTIFY)");
			return;
		}
		if (m == KESU_METHOD_ATA_SECURE_ERASE || m == KESU_METHOD_ATA_SECURE_ERASE_ENHANCED)
			eval_ata_security(d, m == KESU_METHOD_ATA_SECURE_ERASE_ENHANCED, e);
		else
			eval_ata_sanitize(d, m, e);
		if (e->ready && d->hpa.hidden_sectors)
			add_note(e, (unsigned long long)d->hpa.hidden_sectors);
		return;
	case KESU_METHOD_NVME_FORMAT:
	case KESU_METHOD_NVME_FORMAT_CRYPTO:
	case KESU_METHOD_NVME_SANITIZE_BLOCK:
	case KESU_METHOD_NVME_SANITIZE_CRYPTO:
	case KESU_METHOD_NVME_SANITIZE_OVERWRITE:
		if (d->proto != KESU_DRIVE_NVME) {
			e->nist_class = KESU_CLASS_NONE;
			say(e, "not an NVMe drive");
			return;
		}
		eval_nvme(d, m, e);
		return;
	case KESU_METHOD_COUNT:
		break;
	}
	say(e, "unknown method");
}

void kesu_methods_evaluate(const struct kesu_drive *d, struct kesu_method_eval out[KESU_METHOD_COUNT])
{
	for (unsigned i = 0; i < KESU_METHOD_COUNT; i++)
		kesu_method_evaluate(d, (enum kesu_method)i, &out[i]);
}

enum kesu_method kesu_method_auto(const struct kesu_drive *d, char *why, size_t why_len)
{
	struct kesu_method_eval e;

	for (size_t i = 0; i < sizeof(auto_order) / sizeof(auto_order[0]); i++) {
		kesu_method_evaluate(d, auto_order[i], &e);
		if (!e.supported || e.nist_class != KESU_CLASS_PURGE)
			continue;
		if (why)
			snprintf(why, why_len, "%s, the strongest Purge this drive (%s) supports%s",
				 e.name, kesu_media_name(d->media),
				 e.ready ? "" : "; it is blocked now, see its reason");
		return e.method;
	}
	kesu_method_evaluate(d, KESU_METHOD_OVERWRITE, &e);
	if (why)
		snprintf(why, why_len,
			 "overwrite, %u pass%s: no Purge method is available on this device, so the erase is a Clear",
			 e.passes, e.passes == 1 ? "" : "es");
	return KESU_METHOD_OVERWRITE;
}
