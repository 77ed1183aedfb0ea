/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * TCG revert of a self-encrypting drive (Opal, Opalite, Pyrite, Ruby) to its
 * factory state, through the kernel's sed-opal: with the PSID printed on the
 * drive's label (IOC_OPAL_PSID_REVERT_TPR) or with the owner's SID password
 * (IOC_OPAL_REVERT_TPR). The revert generates a new media encryption key: a
 * cryptographic erase, proven by the readback (every sampled region differs
 * from before). Afterwards the locking state is read again (the kernel's
 * IOC_OPAL_GET_STATUS and kesu's own Level 0 Discovery): a drive in factory
 * state has locking off, so a drive that still reports locking enabled has
 * not reverted, whatever it answered.
 *
 * The PSID and the password go to the kernel only: never into the record,
 * the command log, an error sentence or the progress.
 */
#include "fw_int.h"

#include <kesu/opal.h>

#include <stdio.h>
#include <string.h>

#define OPAL_ACTION_PSID 0u

static bool psid_method(const struct kesu_method_desc *m)
{
	return m->action == OPAL_ACTION_PSID;
}

void fw_opal_check(const struct kesu_drive *d, const struct kesu_method_desc *m,
		   struct kesu_method_eval *e)
{
	const struct kesu_opal *o = &d->opal;
	size_t n;

	if (!o->sed) {
		fw_say(e, "not a self-encrypting drive (no TCG SSC in Level 0 Discovery, no "
		       "sed-opal in the kernel)%s%s", o->note[0] ? ": " : "", o->note);
		return;
	}
	if (!o->revert_path) {
		fw_say(e, "a self-encrypting drive, but kesu reverts only through the kernel's "
		       "sed-opal, which is not offered for it%s%s", o->note[0] ? ": " : "", o->note);
		return;
	}
	/* Pyrite has no media encryption: its revert replaces no key (Pyrite 1 keeps the data). */
	if (o->discovery && o->disc.locking && !(o->disc.locking_flags & KESU_OPAL_LOCK_MEDIA_ENC)) {
		fw_say(e, "the drive reports no media encryption (%s): a revert replaces no key, so "
		       "it is no cryptographic erase; use another method", kesu_opal_ssc_name(o->disc.ssc));
		return;
	}
	fw_set_support(e, true);
	fw_say(e, "factory state with a new media key (a crypto erase); needs %s",
	       psid_method(m) ? "the PSID on the drive's label" : "the owner's SID password");
	n = strlen(e->reason);
	if (o->locked)
		snprintf(e->reason + n, sizeof(e->reason) - n, "; LOCKED: nothing can be read "
			 "before the revert, so the outcome is UNVERIFIED at best (erase it again "
			 "afterwards for a verified record)");
	else if (o->mbr_enabled && !o->mbr_done)
		snprintf(e->reason + n, sizeof(e->reason) - n, "; MBR shadowing is on: the first "
			 "blocks read as the shadow MBR before the revert");
}

/* What the record says about the key: that one was given, never what it was. */
static void record_notes(struct fw_run *ru, const struct kesu_method_desc *m)
{
	struct kesu_result *r = ru->r;
	size_t n = strlen(r->details);

	snprintf(r->details + n, sizeof(r->details) - n, "; %s", psid_method(m) ?
		 "a PSID was given (the one on the drive's label; not recorded)" :
		 "the owner's SID password was given (not recorded)");
}

/* A refusal that changed nothing: the drive never took the key. */
static bool nothing_changed(int rc, int status)
{
	return rc == -KESU_E_BAD_INPUT || rc == -KESU_E_NO_TRANSPORT || rc == -KESU_E_NOT_ROOT ||
	       status == KESU_OPAL_ST_NOT_AUTHORIZED || status == KESU_OPAL_ST_LOCKED_OUT;
}

static int revert(struct fw_run *ru, const struct kesu_method_desc *m, const char *what)
{
	int status = -1, rc;

	if (psid_method(m))
		rc = kesu_opal_psid_revert(ru->t->fd, ru->o->opal_psid, &status, ru->eb);
	else if (!ru->o->opal_password || !ru->o->opal_password_len)
		rc = kesu_err_set(ru->eb, -KESU_E_BAD_INPUT, "opal-revert needs the owner's SID "
				  "password: give --password-file FILE");
	else
		rc = kesu_opal_revert(ru->t->fd, ru->o->opal_password, ru->o->opal_password_len,
				      &status, ru->eb);
	if (!nothing_changed(rc, status))
		ru->touched = true;
	if (rc < 0) {
		fw_log(ru, what, rc, "%s", ru->eb->msg);
		if (status == KESU_OPAL_ST_NOT_AUTHORIZED)
			return kesu_err_set(ru->eb, rc, "the drive refused the %s: "
					    "NOT_AUTHORIZED (TCG status 0x01); nothing was changed. "
					    "Check it (%s) and try again; drives lock the authority "
					    "out after a few wrong tries until a power cycle",
					    psid_method(m) ? "PSID" : "password",
					    psid_method(m) ? "32 letters and digits on the drive's "
					    "label, often under a 2D code marked PSID" :
					    "--password-file, used as the kernel takes it: verbatim");
		return rc;
	}
	fw_log(ru, what, 0, "the drive reports success (TCG status 0x00, SUCCESS)");
	return 0;
}

/* Read the locking state again: a reverted drive has locking off. */
static int check_after(struct fw_run *ru)
{
	struct kesu_opal *o = &ru->d.opal;
	char desc[384];

	kesu_drive_opal_refresh(ru->t->fd, &ru->t->id, &ru->d);
	kesu_opal_describe(o, desc, sizeof(desc));
	if (!o->kernel && !o->discovery) {
		fw_log(ru, "IOC_OPAL_GET_STATUS, Level 0 Discovery", -KESU_E_DEV_ABORT,
		       "no answer after the revert");
		return kesu_err_set(ru->eb, -KESU_E_VERIFY, "the drive reports the revert done, but "
				    "its locking state could not be read afterwards (neither the "
				    "kernel's status nor a Level 0 Discovery answered): not proven");
	}
	fw_log(ru, "IOC_OPAL_GET_STATUS, Level 0 Discovery", 0, "after the revert: %s", desc);
	if (o->locking_enabled || o->locked)
		return kesu_err_set(ru->eb, -KESU_E_VERIFY, "the drive reports the revert done, but "
				    "locking is still %s afterwards (%s): a drive in its factory "
				    "state has locking off, so it did not revert", o->locked ?
				    "on and the range LOCKED" : "enabled", desc);
	return 0;
}

int fw_opal_run(struct fw_run *ru, const struct kesu_method_desc *m)
{
	int rc;

	record_notes(ru, m);
	rc = revert(ru, m, psid_method(m) ? "IOC_OPAL_PSID_REVERT_TPR" : "IOC_OPAL_REVERT_TPR");
	if (rc < 0)
		return rc;
	return check_after(ru);
}
