/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * SCSI SANITIZE (overwrite, block erase, cryptographic erase) on SAS/FC/UAS
 * disks: REPORT SUPPORTED OPERATION CODES must list the service action;
 * REQUEST SENSE first (a sanitize already running is waited for; failure
 * mode left by an earlier one is noted, and a successful sanitize leaves
 * it); then SANITIZE with IMMED and AUSE, and REQUEST SENSE polled for the
 * progress indication (NOT READY, 04h/1Bh) until it ends, fails (MEDIUM
 * ERROR, 31h/03h: reported, with EXIT FAILURE MODE offered, never left
 * silently) or stalls.
 */
#include "fw_int.h"

#include <kesu/scsi.h>
#include <kesu/util.h>

#include <errno.h>
#include <stdio.h>
#include <string.h>

/* SANITIZE with IMMED returns at once; the device still checks the CDB and parameter list. */
#define START_TIMEOUT_MS 60000u

static int sense_error(struct fw_run *ru, int rc, const char *what, const struct kesu_scsi_sense *s)
{
	char text[160];

	kesu_scsi_sense_describe(s, text, sizeof(text));
	return kesu_err_set(ru->eb, rc, "%s: %s", what, s->present ? text : kesu_strerror(rc));
}

/* The failure mode a failed sanitize leaves: say so, and how to leave it. */
static int failed(struct fw_run *ru, bool ours)
{
	const char *path = ru->t->id.path;

	fw_log(ru, "REQUEST SENSE", -KESU_E_SANITIZE_FAILED, "MEDIUM ERROR, SANITIZE COMMAND FAILED "
	       "(31h/03h): the device is in sanitize failure mode");
	return kesu_err_set(ru->eb, -KESU_E_SANITIZE_FAILED, "the device reports the sanitize "
			    "FAILED (MEDIUM ERROR, SANITIZE COMMAND FAILED 31h/03h) and stays in "
			    "sanitize failure mode, refusing reads and writes. Run the wipe again "
			    "(a sanitize that succeeds ends failure mode), or send EXIT FAILURE MODE "
			    "with 'kesu unlock %s'%s: the data is then in an unknown state, partly "
			    "erased", path, ours ? " (allowed: kesu started the sanitize with AUSE)" :
			    " (refused by the device unless the failed sanitize had AUSE)");
}

static int state_now(struct fw_run *ru, enum kesu_scsi_sanitize_state *st,
		     struct kesu_scsi_sense *s)
{
	int rc = kesu_scsi_request_sense(ru->t->fd, st, s, ru->eb);

	if (rc < 0)
		return sense_error(ru, rc, "REQUEST SENSE", s);
	return 0;
}

/*
 * Poll REQUEST SENSE until the sanitize ends: 0 when it ended without
 * failure. ours: kesu started it (progress counts), else one started
 * earlier is waited for.
 */
static int poll(struct fw_run *ru, bool ours)
{
	enum kesu_scsi_sanitize_state st;
	struct kesu_scsi_sense s;
	struct fw_watch w;
	uint64_t t0 = kesu_now_ms();
	bool seen_progress = false;
	int rc;

	fw_watch_init(&w, 0xFFFFFFFFu);
	for (;;) {
		rc = fw_wait(ru);
		if (rc < 0)
			return kesu_err_set(ru->eb, rc, "stopped watching the sanitize; it continues "
					    "in the device (it cannot be aborted): check with 'kesu "
					    "info %s'", ru->t->id.path);
		rc = state_now(ru, &st, &s);
		if (rc < 0)
			return rc;
		if (st == KESU_SCSI_SAN_FAILED)
			return failed(ru, ours);
		if (st == KESU_SCSI_SAN_OTHER)
			return sense_error(ru, -KESU_E_DEV_ABORT, "REQUEST SENSE during the sanitize", &s);
		if (st != KESU_SCSI_SAN_IN_PROGRESS)
			break;
		seen_progress |= s.progress_valid;
		if (ours && s.progress_valid)
			fw_progress(ru, s.progress, fw_eta_from_progress(kesu_now_ms() - t0, s.progress));
		if (fw_watch_stalled(ru, &w, s.progress_valid ? s.progress : 0xFFFFFFFFu))
			return kesu_err_set(ru->eb, -KESU_E_STALL, "the sanitize made no progress for "
					    "%u s (%s); the device stays in the sanitize state, "
					    "refuses other commands and resumes after a power cycle; "
					    "kesu stopped watching", ru->stall_s, s.progress_valid ?
					    "its progress indication did not move" :
					    "it reports no progress indication");
	}
	fw_log(ru, "REQUEST SENSE", 0, "no sanitize in progress any more, no failure after %llu s%s",
	       (unsigned long long)((kesu_now_ms() - t0) / 1000),
	       seen_progress || !ours ? "" : " (no progress indication was seen)");
	return 0;
}

/* Before starting: a sanitize running, or failure mode from an earlier one. */
static int prepare(struct fw_run *ru)
{
	enum kesu_scsi_sanitize_state st;
	struct kesu_scsi_sense s;
	char text[160];
	int rc;

	rc = state_now(ru, &st, &s);
	if (rc < 0)
		return rc;
	kesu_scsi_sense_describe(&s, text, sizeof(text));
	switch (st) {
	case KESU_SCSI_SAN_IN_PROGRESS:
		fw_log(ru, "REQUEST SENSE", 0, "a sanitize started earlier is running (%s); waiting "
		       "for it to end", text);
		return poll(ru, false);
	case KESU_SCSI_SAN_FAILED:
		fw_log(ru, "REQUEST SENSE", 0, "%s: an earlier sanitize failed; the new sanitize "
		       "ends failure mode when it succeeds", text);
		return 0;
	case KESU_SCSI_SAN_OTHER:
		fw_log(ru, "REQUEST SENSE", 0, "%s", text);
		return 0;
	case KESU_SCSI_SAN_IDLE:
		break;
	}
	return 0;
}

static int start(struct fw_run *ru, enum kesu_scsi_sanitize_sa sa)
{
	struct kesu_scsi_sanitize_req req = {
		.sa = sa, .immed = true, .ause = true,
		.pattern = ru->o->overwrite_pattern,
		.passes = ru->o->overwrite_passes ? ru->o->overwrite_passes : 1,
	};
	struct kesu_scsi_sense s;
	char what[96];
	int rc;

	snprintf(what, sizeof(what), "%s", kesu_scsi_sanitize_name(sa));
	ru->touched = true;
	rc = kesu_scsi_sanitize(ru->t->fd, &req, START_TIMEOUT_MS, &s, ru->eb);
	if (sa == KESU_SCSI_SANITIZE_OVERWRITE)
		fw_log(ru, what, rc, "IMMED, AUSE; pattern 0x%08x, %u pass%s%s%s", req.pattern,
		       req.passes, req.passes > 1 ? "es" : "", rc ? "; " : "", rc ? ru->eb->msg : "");
	else
		fw_log(ru, what, rc, "IMMED, AUSE%s%s", rc ? "; " : "", rc ? ru->eb->msg : "");
	if (rc == -KESU_E_UNSUPPORTED)
		return sense_error(ru, rc, "the device refuses it although REPORT SUPPORTED "
				   "OPERATION CODES lists it", &s);
	if (rc < 0 && kesu_scsi_sanitize_state(&s) == KESU_SCSI_SAN_FAILED)
		return failed(ru, true);
	if (rc < 0)
		return sense_error(ru, rc, what, &s);
	return 0;
}

static int sanitize(struct fw_run *ru, enum kesu_scsi_sanitize_sa sa)
{
	int rc;

	if (ru->d.proto != KESU_DRIVE_SCSI ||
	    kesu_scsi_sanitize_support(&ru->d.scsi, sa) != KESU_SCSI_SUPPORT_YES)
		return kesu_err_set(ru->eb, -KESU_E_UNSUPPORTED, "%s: REPORT SUPPORTED OPERATION "
				    "CODES does not list %s", ru->t->id.path,
				    kesu_scsi_sanitize_name(sa));
	rc = prepare(ru);
	if (rc < 0)
		return rc;
	rc = start(ru, sa);
	if (rc < 0)
		return rc;
	return poll(ru, true);
}

static void record_notes(struct fw_run *ru)
{
	const struct kesu_scsi_info *s = &ru->d.scsi;
	struct kesu_result *r = ru->r;
	size_t n = strlen(r->details);

	snprintf(r->hidden_status, sizeof(r->hidden_status), "none");
	snprintf(r->hidden_detail, sizeof(r->hidden_detail), "SCSI disks have no HPA/DCO/AMAC. "
		 "SANITIZE applies to every physical block (SBC-4), reallocated and "
		 "over-provisioned ones included; the readback samples addressable blocks only, so "
		 "those are taken on the device's word");
	if (!s->cap_valid)
		snprintf(r->details + n, sizeof(r->details) - n, "; protection information: not "
			 "known (READ CAPACITY(16) refused)");
	else if (s->cap.prot_en)
		snprintf(r->details + n, sizeof(r->details) - n, "; protection information type %u "
			 "enabled (8 bytes per block beside the data, which kesu does not read: the "
			 "readback checks the user data only)",
			 s->cap.prot_type);
	else
		snprintf(r->details + n, sizeof(r->details) - n, "; no protection information enabled");
}

void fw_scsi_sanitize_check(const struct kesu_drive *d, const struct kesu_method_desc *m,
			    struct kesu_method_eval *e)
{
	enum kesu_scsi_sanitize_sa sa = (enum kesu_scsi_sanitize_sa)m->action;
	const struct kesu_scsi_info *s = &d->scsi;

	if (s->san_state == KESU_SCSI_SAN_IN_PROGRESS && !s->rsoc) {
		fw_say(e, "a sanitize is in progress (%.1f%%) and the device answers little else "
		       "until it ends: wait, then run kesu again ('kesu info' shows the progress)",
		       s->san_progress * 100.0 / 65536);
		return;
	}
	if (!s->rsoc) {
		fw_say(e, "%s; kesu sends no erase the device has not said it supports",
		       s->note[0] ? s->note : "the device does not report its commands");
		return;
	}
	switch (kesu_scsi_sanitize_support(s, sa)) {
	case KESU_SCSI_SUPPORT_YES:
		break;
	case KESU_SCSI_SUPPORT_NO:
		fw_say(e, "REPORT SUPPORTED OPERATION CODES says %s is not supported",
		       kesu_scsi_sanitize_name(sa));
		return;
	case KESU_SCSI_SUPPORT_UNKNOWN:
		fw_say(e, "REPORT SUPPORTED OPERATION CODES gives no answer for %s",
		       kesu_scsi_sanitize_name(sa));
		return;
	}
	fw_set_support(e, true);
	if (sa == KESU_SCSI_SANITIZE_CRYPTO_ERASE)
		fw_say(e, "changes the media encryption key; counts only if all data was always encrypted");
	else if (sa == KESU_SCSI_SANITIZE_OVERWRITE && d->media != KESU_MEDIA_HDD)
		fw_say(e, "on flash media a sanitize overwrite counts only as Clear");
	else
		fw_say(e, "sanitize reaches every physical block, reallocated and over-provisioned "
		       "ones included; it survives a power cycle");
	if (s->san_state == KESU_SCSI_SAN_FAILED) {
		size_t n = strlen(e->reason);

		snprintf(e->reason + n, sizeof(e->reason) - n, "; the device is in sanitize failure "
			 "mode from an earlier sanitize, which a sanitize that succeeds ends");
	}
}

int fw_scsi_sanitize_run(struct fw_run *ru, const struct kesu_method_desc *m)
{
	record_notes(ru);
	return sanitize(ru, (enum kesu_scsi_sanitize_sa)m->action);
}

int kesu_fw_scsi_exit_failure(int fd, const char *path, struct kesu_result *r,
			      struct kesu_errbuf *eb)
{
	struct kesu_scsi_sanitize_req req = { .sa = KESU_SCSI_SANITIZE_EXIT_FAILURE };
	enum kesu_scsi_sanitize_state st;
	struct kesu_scsi_sense s;
	char text[160];
	int rc;

	rc = kesu_scsi_request_sense(fd, &st, &s, eb);
	kesu_scsi_sense_describe(&s, text, sizeof(text));
	if (r)
		kesu_fw_log_command(r, "REQUEST SENSE", rc, rc ? eb->msg : text);
	if (rc < 0)
		return rc;
	if (st == KESU_SCSI_SAN_IN_PROGRESS)
		return kesu_err_set(eb, -EBUSY, "%s: a sanitize is in progress (%.1f%%); it cannot be "
				    "stopped: wait for it to end", path, s.progress * 100.0 / 65536);
	if (st != KESU_SCSI_SAN_FAILED)
		return 1;
	rc = kesu_scsi_sanitize(fd, &req, 0, &s, eb);
	if (r)
		kesu_fw_log_command(r, kesu_scsi_sanitize_name(req.sa), rc, rc ? eb->msg : "");
	if (rc == -KESU_E_UNSUPPORTED)
		return kesu_err_set(eb, rc, "%s refuses EXIT FAILURE MODE: the failed sanitize did not "
				    "allow it (AUSE clear) or the device does not support it; only a "
				    "sanitize that succeeds ends failure mode: run kesu wipe with a "
				    "scsi-sanitize method", path);
	if (rc < 0)
		return rc;
	rc = kesu_scsi_request_sense(fd, &st, &s, eb);
	kesu_scsi_sense_describe(&s, text, sizeof(text));
	if (r)
		kesu_fw_log_command(r, "REQUEST SENSE", rc, rc ? eb->msg : text);
	if (rc < 0)
		return rc;
	if (st == KESU_SCSI_SAN_FAILED)
		return kesu_err_set(eb, -KESU_E_SANITIZE_FAILED, "%s accepted EXIT FAILURE MODE but "
				    "still reports %s", path, text);
	return 0;
}
