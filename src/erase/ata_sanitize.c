/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * ATA Sanitize (crypto scramble, block erase, overwrite): IDENTIFY word 59
 * must list the action; SANITIZE STATUS first (frozen: refuse with the
 * remedy; a sanitize already running: wait for it; a failed one: clear it);
 * then the action with FAILURE MODE set, and SANITIZE STATUS polled for
 * progress until it completes, fails (the failed state is cleared so the
 * drive is usable) or stalls.
 */
#include "fw_int.h"

#include <kesu/util.h>

#include <stdio.h>
#include <string.h>

static const char *action_name(enum kesu_ata_sanitize_action a)
{
	switch (a) {
	case KESU_ATA_SANITIZE_CRYPTO_SCRAMBLE: return "SANITIZE CRYPTO SCRAMBLE EXT";
	case KESU_ATA_SANITIZE_BLOCK_ERASE: return "SANITIZE BLOCK ERASE EXT";
	case KESU_ATA_SANITIZE_OVERWRITE: return "SANITIZE OVERWRITE EXT";
	default: return "SANITIZE STATUS EXT";
	}
}

static bool listed(const struct kesu_ata_sanitize_caps *s, enum kesu_ata_sanitize_action a)
{
	if (!s->supported)
		return false;
	if (a == KESU_ATA_SANITIZE_CRYPTO_SCRAMBLE)
		return s->crypto;
	if (a == KESU_ATA_SANITIZE_BLOCK_ERASE)
		return s->block;
	return s->overwrite;
}

/*
 * Send req; decode the registers into st whether the drive succeeded or
 * aborted. Returns 0, -KESU_E_DEV_ABORT (st says why), or a transport error.
 */
static int sanitize_cmd(struct fw_run *ru, const struct kesu_ata_sanitize_req *req,
			struct kesu_ata_sanitize_status *st, bool log, struct kesu_errbuf *eb)
{
	struct kesu_ata_cmd c;
	struct kesu_ata_regs regs;
	int rc;

	memset(&regs, 0, sizeof(regs));
	memset(st, 0, sizeof(*st));
	rc = kesu_ata_cmd_sanitize(&c, req);
	if (rc == 0)
		rc = kesu_sgio_ata(ru->t->fd, &c, &regs, eb);
	if ((rc == 0 || rc == -KESU_E_DEV_ABORT) && kesu_ata_sanitize_status_decode(&regs, st) < 0)
		rc = kesu_err_set(eb, -KESU_E_NO_TRANSPORT, "%s: the registers did not come back in "
				  "full (a USB bridge?), so kesu cannot follow the sanitize",
				  action_name(req->action));
	if (log)
		fw_log(ru, action_name(req->action), rc, "%s%s", rc ? eb->msg : "",
		       st->frozen ? " frozen" : st->in_progress ? " in progress" :
		       st->completed_ok ? " completed without error" : "");
	return rc;
}

static int status(struct fw_run *ru, bool clear, struct kesu_ata_sanitize_status *st, bool log,
		  struct kesu_errbuf *eb)
{
	struct kesu_ata_sanitize_req req = { .action = KESU_ATA_SANITIZE_STATUS,
					     .clear_failure = clear };

	return sanitize_cmd(ru, &req, st, log, eb);
}

static int frozen_error(struct fw_run *ru)
{
	return kesu_err_set(ru->eb, -KESU_E_FROZEN, "refusing sanitize on %s: SANITIZE is FROZEN "
			    "(SANITIZE FREEZE LOCK, usually by the firmware or BIOS at power-on). "
			    "Suspend and resume the machine, or hot-plug the drive, then run kesu "
			    "again", ru->t->id.path);
}

/* The drive reports the sanitize failed (SD3): clear the failed state and say so. */
static int failed(struct fw_run *ru, const struct kesu_ata_sanitize_status *st)
{
	struct kesu_ata_sanitize_status cst;
	struct kesu_errbuf local;
	int crc;

	kesu_err_clear(&local);
	crc = status(ru, true, &cst, true, &local);
	return kesu_err_set(ru->eb, -KESU_E_SANITIZE_FAILED, "the drive reports the sanitize "
			    "FAILED (reason %u)%s", st->reason, crc == 0 ?
			    "; its failed state was cleared and the drive is usable again" :
			    "; its failed state could not be cleared: start another sanitize");
}

/*
 * Poll until the sanitize ends: 0 when it completed without error. ours:
 * kesu started it (else one started earlier is waited for).
 */
static int poll(struct fw_run *ru, bool ours)
{
	struct kesu_ata_sanitize_status st;
	struct fw_watch w;
	uint64_t t0 = kesu_now_ms();
	int rc;

	fw_watch_init(&w, 0);
	for (;;) {
		rc = fw_wait(ru);
		if (rc < 0)
			return kesu_err_set(ru->eb, rc, "stopped watching the sanitize; it continues "
					    "in the drive (it cannot be aborted and survives power "
					    "cycles): check with 'kesu info %s'", ru->t->id.path);
		rc = status(ru, false, &st, false, ru->eb);
		if (rc == -KESU_E_DEV_ABORT && st.failed)
			return ours ? failed(ru, &st) : 0;
		if (rc < 0)
			return rc;
		if (!st.in_progress)
			break;
		if (ours)
			fw_progress(ru, st.progress, fw_eta_from_progress(kesu_now_ms() - t0,
									   st.progress));
		if (fw_watch_stalled(ru, &w, st.progress))
			return kesu_err_set(ru->eb, -KESU_E_STALL, "the sanitize made no progress for "
					    "%u s (stuck at %.1f%%); the drive stays in the sanitize "
					    "state, refuses other commands and resumes after a power "
					    "cycle; kesu stopped watching", ru->stall_s,
					    st.progress * 100.0 / 65536);
	}
	fw_log(ru, "SANITIZE STATUS EXT", 0, "%s after %llu s",
	       st.completed_ok ? "completed without error" : "no longer in progress",
	       (unsigned long long)((kesu_now_ms() - t0) / 1000));
	if (ours && !st.completed_ok)
		return kesu_err_set(ru->eb, -KESU_E_SANITIZE_FAILED, "the sanitize ended, but the "
				    "drive does not report that it completed without error");
	return 0;
}

/* Before starting: frozen, already running, failed. */
static int prepare(struct fw_run *ru)
{
	struct kesu_ata_sanitize_status st;
	int rc;

	rc = status(ru, false, &st, true, ru->eb);
	if (rc == -KESU_E_DEV_ABORT && st.failed && st.reason == KESU_ATA_SANITIZE_REASON_FAILED) {
		struct kesu_errbuf local;

		/* An earlier sanitize failed: leave SD3 if it allows; a new action does too. */
		kesu_err_clear(&local);
		(void)status(ru, true, &st, true, &local);
		kesu_err_clear(ru->eb);
		return 0;
	}
	if (rc < 0)
		return rc;
	if (st.frozen)
		return frozen_error(ru);
	if (st.in_progress) {
		fw_log(ru, "SANITIZE STATUS EXT", 0, "a sanitize started earlier is running; "
		       "waiting for it to end");
		return poll(ru, false);
	}
	return 0;
}

static int start_error(struct fw_run *ru, enum kesu_ata_sanitize_action a,
		       const struct kesu_ata_sanitize_status *st)
{
	switch (st->reason) {
	case KESU_ATA_SANITIZE_REASON_FROZEN:
	case KESU_ATA_SANITIZE_REASON_ANTIFREEZE:
		return frozen_error(ru);
	case KESU_ATA_SANITIZE_REASON_UNSUPPORTED:
		return kesu_err_set(ru->eb, -KESU_E_UNSUPPORTED, "the drive refuses %s as "
				    "unsupported, although IDENTIFY lists it", action_name(a));
	default:
		return kesu_err_set(ru->eb, -KESU_E_DEV_ABORT, "the drive aborted %s (reason %u)",
				    action_name(a), st->reason);
	}
}

void fw_ata_sanitize_check(const struct kesu_drive *d, const struct kesu_method_desc *m,
			   struct kesu_method_eval *e)
{
	enum kesu_ata_sanitize_action a = (enum kesu_ata_sanitize_action)m->action;

	if (!d->ata.sanitize.supported) {
		fw_say(e, "the drive does not support the ATA Sanitize feature set");
		return;
	}
	if (!listed(&d->ata.sanitize, a)) {
		fw_say(e, "IDENTIFY word 59 does not list this sanitize action");
		return;
	}
	fw_set_support(e, true);
	if (a == KESU_ATA_SANITIZE_CRYPTO_SCRAMBLE)
		fw_say(e, "changes the media encryption key; counts only if all data was always encrypted");
	else if (a == KESU_ATA_SANITIZE_OVERWRITE && d->media != KESU_MEDIA_HDD)
		fw_say(e, "on flash media a sanitize overwrite counts only as Clear");
	else
		fw_say(e, "sanitize reaches every user and spare area; it survives a power cycle");
}

int fw_ata_sanitize_run(struct fw_run *ru, const struct kesu_method_desc *m)
{
	enum kesu_ata_sanitize_action action = (enum kesu_ata_sanitize_action)m->action;
	uint8_t page[KESU_ATA_IDENTIFY_LEN];
	struct kesu_ata_sanitize_status st;
	struct kesu_ata_sanitize_req req = {
		.action = action,
		.failure_mode = true,
		.pattern = ru->o->overwrite_pattern,
		.passes = ru->o->overwrite_passes ? ru->o->overwrite_passes : 1,
	};
	int rc;

	rc = kesu_ata_identify(ru->t->fd, page, &ru->d.ata, ru->eb);
	if (rc < 0)
		return rc;
	if (!listed(&ru->d.ata.sanitize, action))
		return kesu_err_set(ru->eb, -KESU_E_UNSUPPORTED, "%s: IDENTIFY word 59 does not list "
				    "%s", ru->t->id.path, action_name(action));
	if (ru->d.ata.security.locked)
		return kesu_err_set(ru->eb, -KESU_E_LOCKED, "refusing sanitize on %s: the drive is "
				    "security-LOCKED; unlock it first", ru->t->id.path);
	rc = prepare(ru);
	if (rc < 0)
		return rc;
	ru->touched = true;
	rc = sanitize_cmd(ru, &req, &st, true, ru->eb);
	if (rc == -KESU_E_DEV_ABORT)
		return start_error(ru, action, &st);
	if (rc < 0)
		return rc;
	return poll(ru, true);
}
