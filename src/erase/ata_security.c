/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * ATA Security Erase (SECURITY ERASE UNIT, normal or enhanced): a temporary
 * user password, ERASE PREPARE directly followed by ERASE UNIT (which blocks
 * for the whole erase: the timeout comes from IDENTIFY words 89/90), and then,
 * whatever happened, UNLOCK + DISABLE PASSWORD until IDENTIFY shows no
 * password, so the drive is never left locked by kesu. The password is a
 * secret of the local record (record.h: KESU_RECORD_SECRETS) so that an
 * operator can recover a drive kesu could not (kesu unlock --record); it is
 * never written into the command log, the details or the reasons, which a
 * certificate carries.
 */
#include "fw_int.h"

#include <kesu/util.h>

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>

static int sec_cmd(int fd, enum kesu_ata_security_op op, const struct kesu_ata_password *pw,
		   unsigned timeout_ms, const char *name, struct kesu_result *r,
		   struct kesu_errbuf *eb)
{
	char detail[160] = "";
	uint8_t page[KESU_ATA_IDENTIFY_LEN];
	struct kesu_ata_cmd c;
	struct kesu_errbuf local;
	int rc;

	kesu_err_clear(&local);
	memset(page, 0, sizeof(page));
	if (pw)
		kesu_ata_security_payload(op, pw, page);
	rc = kesu_ata_cmd_security(&c, op, pw ? page : NULL, timeout_ms);
	if (rc == 0)
		rc = kesu_sgio_ata(fd, &c, NULL, &local);
	if (pw)
		snprintf(detail, sizeof(detail), "user password%s",
			 op == KESU_ATA_SEC_SET_PASSWORD ? ", security level high" : "");
	if (timeout_ms)
		snprintf(detail + strlen(detail), sizeof(detail) - strlen(detail),
			 ", timeout %u min", timeout_ms / 60000);
	if (r)
		kesu_fw_log_command(r, name, rc, rc ? local.msg : detail);
	if (rc)
		kesu_err_set(eb, rc, "%s", local.msg[0] ? local.msg : kesu_strerror(rc));
	return rc;
}

static int identify(int fd, struct kesu_ata_identify *id, struct kesu_result *r,
		    struct kesu_errbuf *eb)
{
	uint8_t page[KESU_ATA_IDENTIFY_LEN];
	int rc = kesu_ata_identify(fd, page, id, eb);

	if (r)
		kesu_fw_log_command(r, "IDENTIFY DEVICE", rc, rc ? eb->msg :
				    id->security.locked ? "security: password set, LOCKED" :
				    id->security.enabled ? "security: password set" :
				    "security: no password");
	return rc;
}

int kesu_fw_ata_recover_check(const struct kesu_ata_security *s, const char *path,
			      struct kesu_errbuf *eb)
{
	if (!s->supported)
		return kesu_err_set(eb, -KESU_E_UNSUPPORTED, "%s does not support the ATA "
				    "Security feature set: it has no password to remove", path);
	if (!s->enabled && !s->locked)
		return 1;
	if (s->frozen)
		return kesu_err_set(eb, -KESU_E_FROZEN, "refusing to unlock %s: the drive's "
				    "security is FROZEN (set by the firmware or BIOS at power-on), and "
				    "a frozen drive refuses SECURITY UNLOCK and DISABLE PASSWORD. "
				    "Suspend and resume the machine, or unplug and re-plug the drive's "
				    "power (hot-plug), then run kesu unlock again", path);
	if (s->locked && s->count_expired)
		return kesu_err_set(eb, -KESU_E_LOCKED, "refusing to unlock %s: the drive has "
				    "counted too many wrong passwords and refuses SECURITY UNLOCK until "
				    "it is power-cycled. Power it off and on (or hot-plug it), then run "
				    "kesu unlock again with the right password", path);
	return 0;
}

/*
 * Leave the drive without kesu's password: UNLOCK when locked, DISABLE
 * PASSWORD while one is set, then IDENTIFY to see it is so. With check_path,
 * first refuse what kesu_fw_ata_recover_check refuses (the erase's own
 * clean-up tries regardless: it has nothing better to do).
 */
static int clear_password(int fd, const struct kesu_ata_password *user, const char *check_path,
			  struct kesu_result *r, struct kesu_errbuf *eb)
{
	struct kesu_ata_identify id;
	struct kesu_errbuf local;
	int rc;

	kesu_err_clear(&local);
	rc = identify(fd, &id, r, &local);
	if (rc == 0 && check_path) {
		int refused = kesu_fw_ata_recover_check(&id.security, check_path, eb);

		if (refused != 0)
			return refused < 0 ? refused : 0;
	}
	if (rc == 0 && id.security.locked)
		(void)sec_cmd(fd, KESU_ATA_SEC_UNLOCK, user, 0, "SECURITY UNLOCK", r, &local);
	if (rc == 0 && (id.security.locked || id.security.enabled)) {
		(void)sec_cmd(fd, KESU_ATA_SEC_DISABLE_PASSWORD, user, 0, "SECURITY DISABLE PASSWORD",
			      r, &local);
		rc = identify(fd, &id, r, &local);
	}
	if (rc == 0 && !id.security.enabled && !id.security.locked)
		return 0;
	return kesu_err_set(eb, rc ? rc : -KESU_E_LOCKED,
			    "the drive may still hold %s user password%s: unlock it with "
			    "'kesu unlock DEVICE --record RECORD' (the local record of this erase "
			    "keeps the password in %s.%s) or 'kesu unlock DEVICE --password PW'",
			    check_path ? "the" : "kesu's temporary",
			    id.security.locked ? " and is LOCKED" : "", KESU_RECORD_SECRETS,
			    KESU_RECORD_ATA_PASSWORD);
}

int kesu_fw_ata_recover(int fd, const char *path, const char *password, struct kesu_result *r,
			struct kesu_errbuf *eb)
{
	struct kesu_ata_password pw;

	if (kesu_ata_password_set(&pw, password, false) < 0)
		return kesu_err_set(eb, -KESU_E_BAD_INPUT, "an ATA password has at most 32 bytes");
	return clear_password(fd, &pw, path, r, eb);
}

static int refuse(struct fw_run *ru, int rc, bool enhanced)
{
	const char *path = ru->t->id.path;

	switch (rc) {
	case -KESU_E_FROZEN:
		return kesu_err_set(ru->eb, rc, "refusing security erase on %s: the drive's security "
				    "is FROZEN (set by the firmware or BIOS at power-on). Suspend and "
				    "resume the machine, or unplug and re-plug the drive's power "
				    "(hot-plug), then run kesu again", path);
	case -KESU_E_LOCKED:
		return kesu_err_set(ru->eb, rc, "refusing security erase on %s: the drive is "
				    "security-LOCKED with a password kesu does not know; unlock it "
				    "first", path);
	default:
		return kesu_err_set(ru->eb, rc, "%s does not support %ssecurity erase", path,
				    enhanced ? "enhanced " : "");
	}
}

static int new_password(struct fw_run *ru, struct kesu_ata_password *pw)
{
	uint8_t rnd[8];

	if (getrandom(rnd, sizeof(rnd), 0) != (ssize_t)sizeof(rnd))
		return kesu_err_set(ru->eb, -errno, "no random bytes for a password");
	snprintf(ru->password, sizeof(ru->password), "kesu-%02x%02x%02x%02x%02x%02x%02x%02x",
		 rnd[0], rnd[1], rnd[2], rnd[3], rnd[4], rnd[5], rnd[6], rnd[7]);
	return kesu_ata_password_set(pw, ru->password, false);
}

/* Into the local record's secrets, before the drive holds it: what kesu unlock --record reads. */
static void note_password(struct fw_run *ru)
{
	size_t n = strlen(ru->r->details);

	snprintf(ru->r->ata_password, sizeof(ru->r->ata_password), "%s", ru->password);
	snprintf(ru->r->details + n, sizeof(ru->r->details) - n,
		 "; a temporary user password (kept in the local record to unlock the drive "
		 "should anything fail, not in the certificate)");
}

/* Supported per word 128, blocked by frozen/locked/a foreign password. */
void fw_ata_security_check(const struct kesu_drive *d, const struct kesu_method_desc *m,
			   struct kesu_method_eval *e)
{
	const struct kesu_ata_security *s = &d->ata.security;
	bool enhanced = m->action != 0;

	if (!s->supported) {
		fw_say(e, "the drive does not support the ATA Security feature set");
		return;
	}
	if (enhanced && !s->enhanced_erase) {
		fw_say(e, "the drive does not support enhanced security erase");
		return;
	}
	fw_set_support(e, true);
	if (s->frozen) {
		e->ready = false;
		fw_say(e, "security is frozen: suspend and resume the machine (kesu unfreeze), or hot-plug the drive, then retry");
	} else if (s->locked) {
		e->ready = false;
		fw_say(e, "the drive is security-locked: unlock it with its password first");
	} else if (s->enabled) {
		e->ready = false;
		fw_say(e, "a security password is already set: disable it before erasing");
	} else if (d->media != KESU_MEDIA_HDD) {
		fw_say(e, "on flash media security erase counts only as Clear");
	} else {
		unsigned t = enhanced ? s->erase_time_enhanced_min : s->erase_time_normal_min;

		if (t)
			fw_say(e, "the drive estimates %u minutes", t);
		else
			fw_say(e, "the drive gives no time estimate");
	}
}

int fw_ata_security_run(struct fw_run *ru, const struct kesu_method_desc *m)
{
	bool enhanced = m->action != 0;
	const struct kesu_ata_identify *id = &ru->d.ata;
	struct kesu_ata_password pw;
	struct kesu_errbuf clear_eb;
	int fd = ru->t->fd, rc, crc;
	unsigned timeout_ms;
	uint64_t est_ms;

	rc = identify(fd, &ru->d.ata, ru->r, ru->eb);
	if (rc < 0)
		return rc;
	rc = kesu_ata_security_blocker(id, enhanced);
	if (rc < 0)
		return refuse(ru, rc, enhanced);
	if (id->security.enabled)
		return kesu_err_set(ru->eb, -KESU_E_LOCKED, "refusing security erase on %s: a user "
				    "password is already set; disable it first", ru->t->id.path);
	rc = new_password(ru, &pw);
	if (rc < 0)
		return rc;
	note_password(ru);
	timeout_ms = kesu_ata_security_erase_timeout_ms(id, enhanced);
	est_ms = (uint64_t)(enhanced ? id->security.erase_time_enhanced_min :
			    id->security.erase_time_normal_min) * 60000;
	ru->touched = true;
	rc = sec_cmd(fd, KESU_ATA_SEC_SET_PASSWORD, &pw, 0, "SECURITY SET PASSWORD", ru->r, ru->eb);
	if (rc == 0)
		rc = sec_cmd(fd, KESU_ATA_SEC_ERASE_PREPARE, NULL, 0, "SECURITY ERASE PREPARE",
			     ru->r, ru->eb);
	if (rc == 0) {
		struct kesu_ata_password erase = pw;

		erase.enhanced = enhanced;
		fw_ticker_start(ru, est_ms);
		rc = sec_cmd(fd, KESU_ATA_SEC_ERASE_UNIT, &erase, timeout_ms,
			     enhanced ? "SECURITY ERASE UNIT (enhanced)" : "SECURITY ERASE UNIT",
			     ru->r, ru->eb);
		fw_ticker_stop(ru);
	}
	if (rc < 0) {
		size_t n = strlen(ru->eb->msg);

		snprintf(ru->eb->msg + n, sizeof(ru->eb->msg) - n, "%s",
			 rc == -KESU_E_TIMEOUT ? " (the erase did not finish within the drive's "
			 "own estimate plus margin)" : "");
	}
	/* Success clears the password by itself (ACS: SEC1); check, and clean up either way. */
	kesu_err_clear(&clear_eb);
	crc = clear_password(fd, &pw, NULL, ru->r, &clear_eb);
	if (crc < 0) {
		kesu_result_add_reason(ru->r, "%s", clear_eb.msg);
		if (rc == 0)
			rc = kesu_err_set(ru->eb, crc, "%s", clear_eb.msg);
	}
	return rc;
}
