/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * NVMe Sanitize (block erase, crypto erase, overwrite): controller-wide, so
 * kesu_fw_check() has checked every namespace is safe. SANICAP must list the
 * action. The Sanitize Status log first: a sanitize already in progress is
 * waited for; a failed one is left with Exit Failure Mode. The sanitize runs
 * with AUSE (so a failure can be exited), then the log is polled for
 * progress with the drive's estimated time, until it completes, fails (Exit
 * Failure Mode, recorded) or stalls.
 */
#include "fw_int.h"

#include <kesu/util.h>

#include <stdio.h>
#include <string.h>

static const char *action_name(enum kesu_nvme_sanact a)
{
	switch (a) {
	case KESU_NVME_SANACT_BLOCK: return "block erase";
	case KESU_NVME_SANACT_CRYPTO: return "crypto erase";
	case KESU_NVME_SANACT_OVERWRITE: return "overwrite";
	case KESU_NVME_SANACT_EXIT_FAILURE: return "exit failure mode";
	}
	return "?";
}

static bool listed(const struct kesu_nvme_sanicap *s, enum kesu_nvme_sanact a)
{
	if (a == KESU_NVME_SANACT_BLOCK)
		return s->block;
	if (a == KESU_NVME_SANACT_CRYPTO)
		return s->crypto;
	return s->overwrite;
}

/* The drive's estimate for the action, in seconds; 0 when not reported. */
static uint32_t estimate_s(const struct kesu_nvme_sanitize_log *l, enum kesu_nvme_sanact a)
{
	uint32_t v = a == KESU_NVME_SANACT_BLOCK ? l->etbe :
		     a == KESU_NVME_SANACT_CRYPTO ? l->etce : l->eto;

	return v == KESU_NVME_TIME_NOT_REPORTED ? 0 : v;
}

static int exit_failure(struct fw_run *ru)
{
	struct kesu_nvme_sanitize_req req = { .action = KESU_NVME_SANACT_EXIT_FAILURE };
	struct kesu_errbuf local;
	int rc;

	kesu_err_clear(&local);
	rc = kesu_nvme_sanitize(ru->t->fd, &req, &local);
	fw_log(ru, "Sanitize (exit failure mode)", rc, "%s", rc ? local.msg : "");
	return rc;
}

static int64_t eta(uint64_t elapsed_ms, uint32_t est_s, uint16_t sprog)
{
	if (est_s)
		return elapsed_ms / 1000 < est_s ? (int64_t)(est_s - elapsed_ms / 1000) : 0;
	return fw_eta_from_progress(elapsed_ms, sprog);
}

/* Poll the log until the sanitize is no longer in progress. */
static int poll(struct fw_run *ru, enum kesu_nvme_sanact a, bool ours)
{
	struct kesu_nvme_sanitize_log l;
	struct fw_watch w;
	uint64_t t0 = kesu_now_ms(), limit_ms = 0;
	int rc;

	fw_watch_init(&w, 0);
	for (;;) {
		rc = kesu_nvme_get_sanitize_log(ru->t->fd, &l, ru->eb);
		if (rc < 0)
			return rc;
		if (l.state != KESU_NVME_SAN_IN_PROGRESS)
			break;
		/* An overall limit: twice the drive's own estimate plus ten minutes. */
		if (!limit_ms && estimate_s(&l, a))
			limit_ms = 2000ull * estimate_s(&l, a) + 600000;
		if (ours)
			fw_progress(ru, l.sprog, eta(kesu_now_ms() - t0, estimate_s(&l, a), l.sprog));
		if (fw_watch_stalled(ru, &w, l.sprog))
			return kesu_err_set(ru->eb, -KESU_E_STALL, "the sanitize made no progress for "
					    "%u s (stuck at %.1f%%); it continues in the drive and "
					    "across resets; kesu stopped watching", ru->stall_s,
					    l.sprog * 100.0 / 65536);
		if (limit_ms && kesu_now_ms() - t0 > limit_ms)
			return kesu_err_set(ru->eb, -KESU_E_TIMEOUT, "the sanitize is still running "
					    "after twice the drive's estimate (%u s); kesu stopped "
					    "watching", estimate_s(&l, a));
		rc = fw_wait(ru);
		if (rc < 0)
			return kesu_err_set(ru->eb, rc, "stopped watching the sanitize; it continues "
					    "in the drive and cannot be aborted");
	}
	fw_log(ru, "Get Log Page (Sanitize Status)", 0, "state %u, %s after %llu s", l.state,
	       l.state == KESU_NVME_SAN_DONE || l.state == KESU_NVME_SAN_DONE_NO_DEALLOC ?
	       "completed" : l.state == KESU_NVME_SAN_FAILED ? "FAILED" : "never sanitized",
	       (unsigned long long)((kesu_now_ms() - t0) / 1000));
	if (l.state == KESU_NVME_SAN_FAILED) {
		int xrc = exit_failure(ru);

		if (!ours)
			return 0;
		return kesu_err_set(ru->eb, -KESU_E_SANITIZE_FAILED, "the drive reports the "
				    "sanitize FAILED%s", xrc == 0 ? "; Exit Failure Mode left the "
				    "failed state" : "; Exit Failure Mode was refused: start "
				    "another sanitize");
	}
	if (ours && l.state != KESU_NVME_SAN_DONE && l.state != KESU_NVME_SAN_DONE_NO_DEALLOC)
		return kesu_err_set(ru->eb, -KESU_E_SANITIZE_FAILED, "the Sanitize Status log does "
				    "not report a completed sanitize (state %u)", l.state);
	return 0;
}

/* Before starting: a sanitize in progress is waited for; a failed one is exited. */
static int prepare(struct fw_run *ru, enum kesu_nvme_sanact a)
{
	struct kesu_nvme_sanitize_log l;
	int rc = kesu_nvme_get_sanitize_log(ru->t->fd, &l, ru->eb);

	fw_log(ru, "Get Log Page (Sanitize Status)", rc, "%s", rc ? ru->eb->msg :
	       l.state == KESU_NVME_SAN_IN_PROGRESS ? "a sanitize is in progress; waiting for it" :
	       l.state == KESU_NVME_SAN_FAILED ? "an earlier sanitize failed" : "idle");
	if (rc < 0)
		return rc;
	if (l.state == KESU_NVME_SAN_IN_PROGRESS)
		return poll(ru, a, false);
	if (l.state == KESU_NVME_SAN_FAILED)
		(void)exit_failure(ru);   /* refused without AUSE; a new sanitize leaves it too */
	return 0;
}

bool fw_nvme_sanitize_wide(const struct kesu_drive *d, const struct kesu_method_desc *m)
{
	(void)d;
	(void)m;
	return true;   /* sanitize always reaches every namespace */
}

void fw_nvme_sanitize_check(const struct kesu_drive *d, const struct kesu_method_desc *m,
			    struct kesu_method_eval *e)
{
	fw_set_support(e, listed(&d->nvme.sanicap, (enum kesu_nvme_sanact)m->action));
	if (e->supported)
		fw_say(e, "sanitize is controller-wide: every namespace is erased");
	else
		fw_say(e, "SANICAP does not list this sanitize action");
}

int fw_nvme_sanitize_run(struct fw_run *ru, const struct kesu_method_desc *m)
{
	enum kesu_nvme_sanact action = (enum kesu_nvme_sanact)m->action;
	struct kesu_nvme_sanitize_req req = {
		.action = action,
		.ause = true,
		.passes = ru->o->overwrite_passes ? ru->o->overwrite_passes : 1,
		.pattern = ru->o->overwrite_pattern,
	};
	int rc;

	rc = kesu_nvme_identify_ctrl(ru->t->fd, &ru->d.nvme, NULL, ru->eb);
	if (rc < 0)
		return rc;
	if (!listed(&ru->d.nvme.sanicap, action))
		return kesu_err_set(ru->eb, -KESU_E_UNSUPPORTED, "%s: SANICAP does not list sanitize "
				    "%s", ru->t->id.path, action_name(action));
	rc = prepare(ru, action);
	if (rc < 0)
		return rc;
	ru->touched = true;
	rc = kesu_nvme_sanitize(ru->t->fd, &req, ru->eb);
	fw_log(ru, "Sanitize", rc, "%s, AUSE%s%s", action_name(action), rc ? ": " : "",
	       rc ? ru->eb->msg : "");
	if (rc < 0)
		return rc;
	return poll(ru, action, true);
}
