/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Error codes to text. */
#include <kesu/err.h>

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

/* A switch with no default: -Wswitch flags a code added without its text. */
static const char *kesu_code_text(enum kesu_err code)
{
	switch (code) {
	case KESU_E_BASE: return "no error";
	case KESU_E_NOT_BLOCK: return "not a block device";
	case KESU_E_PARTITION: return "a partition, not a whole disk";
	case KESU_E_MOUNTED: return "mounted";
	case KESU_E_ROOTFS: return "holds the root filesystem";
	case KESU_E_BOOT_MEDIUM: return "the boot/live medium";
	case KESU_E_SWAP: return "in use as swap";
	case KESU_E_HOLDERS: return "held by md/dm/LVM";
	case KESU_E_READONLY: return "read-only";
	case KESU_E_BUSY: return "in use by another process";
	case KESU_E_NOT_ROOT: return "needs root";
	case KESU_E_UNSUPPORTED: return "not supported by the device";
	case KESU_E_DEV_ABORT: return "the device aborted the command";
	case KESU_E_FROZEN: return "security/sanitize frozen";
	case KESU_E_LOCKED: return "security locked";
	case KESU_E_VERIFY: return "verification failed";
	case KESU_E_STALL: return "no progress (stalled)";
	case KESU_E_INTERRUPTED: return "interrupted";
	case KESU_E_BAD_INPUT: return "malformed input";
	case KESU_E_SIGNATURE: return "signature does not verify";
	case KESU_E_KEY: return "key missing, unreadable or unsafe";
	case KESU_E_NO_TRANSPORT: return "no pass-through path to the drive";
	case KESU_E_TIMEOUT: return "timed out";
	case KESU_E_GONE: return "the device disappeared";
	case KESU_E_DB: return "ledger database error";
	case KESU_E_NOT_FOUND: return "not found";
	case KESU_E_EXISTS: return "already exists";
	case KESU_E_TOO_LONG: return "too long for its field";
	case KESU_E_SANITIZE_FAILED: return "the drive reports the sanitize failed";
	case KESU_E_HIDDEN_AREA: return "hidden area (HPA/DCO/AMAC) present";
	case KESU_E_LAST: break;
	}
	return "unknown error";
}

const char *kesu_strerror(int err)
{
	int code = err < 0 ? -err : err;

	if (code > KESU_E_BASE && code < KESU_E_LAST)
		return kesu_code_text((enum kesu_err)code);
	if (code == 0)
		return "success";
	return strerror(code);
}

int kesu_err_set(struct kesu_errbuf *eb, int err, const char *fmt, ...)
{
	va_list ap;

	if (!eb)
		return err;
	va_start(ap, fmt);
	vsnprintf(eb->msg, sizeof(eb->msg), fmt, ap);
	va_end(ap);
	return err;
}

void kesu_err_clear(struct kesu_errbuf *eb)
{
	if (eb)
		eb->msg[0] = '\0';
}
