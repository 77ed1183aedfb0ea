/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Firmware erase methods: ATA Security Erase, ATA Sanitize, NVMe Format NVM,
 * NVMe Sanitize, SCSI Sanitize, eMMC erase and sanitize, TCG Opal revert, run on an opened target (safety.h) and a probed drive
 * (drive.h), with a readback proof (readback.h) and hidden-area handling
 * (hidden.h). The runner fills the same struct kesu_result as the overwrite.
 *
 * Order of a run:
 *   1. preflight from a fresh IDENTIFY: refuse frozen (with the remedy),
 *      locked, unsupported, an unsafe sibling namespace (controller-wide
 *      operations); nothing has been sent that changes the drive;
 *   2. hidden areas: --unhide restores the native max (recorded), else the
 *      hidden sectors are named and the outcome cannot be ERASED;
 *   3. readback before: hash every region of the sampled-verification plan
 *      (not on a LOCKED self-encrypting drive before its revert: it reads
 *      nothing, so the outcome of the revert can be UNVERIFIED at best);
 *   4. the method, with progress, ETA, stall detection and timeouts;
 *   5. readback after: the same regions, checked against what the method
 *      leaves (zeros, ones, the pattern, or "every region changed" for
 *      cryptographic erases).
 *
 * Record: method.name/category/details, "commands" [{command, status, at,
 * detail, ...}] including the two readback steps with their SHA-256 digests,
 * the progress timeline, verification (plan, result, mismatching regions,
 * expect), hidden_areas, outcome and reasons.
 */
#ifndef KESU_FIRMWARE_H
#define KESU_FIRMWARE_H

#include <kesu/drive.h>
#include <kesu/err.h>
#include <kesu/methods.h>
#include <kesu/progress.h>
#include <kesu/record.h>
#include <kesu/run.h>
#include <kesu/safety.h>
#include <kesu/verify.h>

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define KESU_FW_STALL_DEFAULT_S 600     /* no progress for 10 minutes: stalled */
#define KESU_FW_POLL_DEFAULT_MS 1000
#define KESU_FW_FORMAT_TIMEOUT_MS (4u * 3600 * 1000)  /* Format NVM has no estimate */

struct kesu_fw_opts {
	enum kesu_method method;            /* a firmware method, not overwrite */
	bool unhide;                        /* restore HPA/DCO/AMAC to the native max first */
	uint32_t overwrite_pattern;         /* sanitize overwrite: the 32-bit pattern */
	unsigned overwrite_passes;          /* sanitize overwrite: 1..16; 0 means 1 */
	unsigned stall_timeout_s;           /* 0: KESU_FW_STALL_DEFAULT_S */
	unsigned poll_ms;                   /* 0: KESU_FW_POLL_DEFAULT_MS */
	const char *chosen_why;             /* `auto`: why this method (goes to the details) */
	const struct kesu_run *run;         /* verification, operator, stop, progress (run.h) */
	const char *opal_psid;              /* opal-psid-revert: the label's PSID (never recorded) */
	const uint8_t *opal_password;       /* opal-revert: the owner's SID password (never recorded) */
	size_t opal_password_len;
};

/* True for the methods kesu_fw_run() runs (everything but overwrite). */
bool kesu_fw_is_firmware(enum kesu_method m);

/*
 * Resolve a --method name: a method name or "auto" (kesu_method_auto()). why
 * gets the reason for an auto choice ("" otherwise). -KESU_E_BAD_INPUT for an
 * unknown name.
 */
int kesu_fw_choose(const char *name, const struct kesu_drive *d, enum kesu_method *m,
		   char *why, size_t why_len);

/* One paragraph for --dry-run and the record: what will be sent, the class, the scope, the proof. */
void kesu_fw_describe(const struct kesu_drive *d, const struct kesu_fw_opts *o, char *buf,
		      size_t len);

/*
 * Preflight, sending nothing that changes the drive: the method must suit the
 * drive's protocol and be supported and ready (not frozen: eb names the
 * remedy; not locked; no foreign password); a controller-wide NVMe operation
 * needs every namespace of the controller safe. Errors: -KESU_E_UNSUPPORTED,
 * -KESU_E_FROZEN, -KESU_E_LOCKED, -KESU_E_MOUNTED..., with eb's sentence.
 */
int kesu_fw_check(const struct kesu_target *t, const struct kesu_drive *d,
		  const struct kesu_fw_opts *o, struct kesu_errbuf *eb);

/*
 * A self-encrypting drive whose locking range is locked cannot be
 * overwritten or sanitized meaningfully (writes fail or land under a key no
 * one reads back; reads return nothing to verify). 0 when d is no locked
 * SED or m is a revert; -KESU_E_LOCKED with eb naming the remedy (unlock,
 * or opal-psid-revert with the label's PSID). Sends nothing.
 */
int kesu_fw_sed_check(const char *path, const struct kesu_drive *d, enum kesu_method m,
		      struct kesu_errbuf *eb);

/*
 * Run the method on t (d is t's probe). r must be kesu_result_init()ed.
 * Returns 0 when the run reached an outcome (r->outcome: ERASED, FAILED,
 * UNVERIFIED), or a negative error when it was refused before anything that
 * changes the drive was sent (no record to write then).
 */
int kesu_fw_run(struct kesu_target *t, const struct kesu_drive *d, const struct kesu_fw_opts *o,
		struct kesu_result *r, struct kesu_errbuf *eb);

/*
 * Append {command, status, at, detail} to r->commands. status is "ok" for
 * rc 0, else the error's text. Returns the entry (owned by r) so callers can
 * add fields, or NULL when out of memory.
 */
json_t *kesu_fw_log_command(struct kesu_result *r, const char *command, int rc,
				   const char *detail);

/*
 * Whether a drive in security state s can have its password removed now.
 * 0: yes; 1: no password is set, nothing to do; -KESU_E_UNSUPPORTED (no
 * Security feature set), -KESU_E_FROZEN (UNLOCK and DISABLE PASSWORD abort
 * until a power cycle), -KESU_E_LOCKED (locked and the wrong-password count
 * expired), each with the sentence for path in eb.
 */
int kesu_fw_ata_recover_check(const struct kesu_ata_security *s, const char *path,
			      struct kesu_errbuf *eb);

/*
 * Recover an ATA drive (path names it in messages) that a failed security
 * erase left with kesu's temporary password: IDENTIFY, refuse what
 * kesu_fw_ata_recover_check refuses, UNLOCK (when locked), DISABLE PASSWORD,
 * IDENTIFY to confirm. The password is in the record's details. r (may be
 * NULL) receives the commands.
 */
int kesu_fw_ata_recover(int fd, const char *path, const char *password, struct kesu_result *r,
			struct kesu_errbuf *eb);

/*
 * Leave the sanitize failure mode a failed SCSI sanitize left fd's device in
 * (path names it): REQUEST SENSE, SANITIZE EXIT FAILURE MODE, REQUEST SENSE to
 * confirm. 0: left; 1: the device is not in failure mode, nothing was sent;
 * -EBUSY a sanitize is still running; -KESU_E_UNSUPPORTED the device refuses
 * it (the failed sanitize had no AUSE); other errors with eb. r (may be NULL)
 * receives the commands. The data is in an unknown state afterwards.
 */
int kesu_fw_scsi_exit_failure(int fd, const char *path, struct kesu_result *r,
			      struct kesu_errbuf *eb);

#endif
