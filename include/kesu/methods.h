/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The catalogue of erase methods: for a probed drive (struct kesu_drive),
 * which methods it supports, which can run now, and each one's NIST SP 800-88
 * / IEEE 2883 class (Clear or Purge) for its media type.
 *
 * Classes (NIST SP 800-88 Rev. 1 Appendix A, IEEE 2883):
 *   overwrite                    Clear on every medium (flash: two passes, pattern then complement)
 *   ata-secure-erase(-enhanced)  Purge on HDD, Clear on flash (SSD)
 *   ata-sanitize-crypto/-block   Purge
 *   ata-sanitize-overwrite       Purge on HDD; Clear on SSD (remapped flash blocks escape it)
 *   nvme-format(-crypto)         Purge (Format NVM SES=1 / SES=2)
 *   nvme-sanitize-*              Purge
 *
 * `auto` takes the strongest Purge the drive supports, sanitize before
 * format/security erase, block erase before crypto erase (its result can be
 * read back and checked; a crypto erase only counts if every byte was always
 * encrypted), and falls back to overwrite (Clear).
 */
#ifndef KESU_METHODS_H
#define KESU_METHODS_H

#include <kesu/drive.h>

#include <stdbool.h>
#include <stddef.h>

enum kesu_method {
	KESU_METHOD_OVERWRITE = 0,
	KESU_METHOD_ATA_SECURE_ERASE,
	KESU_METHOD_ATA_SECURE_ERASE_ENHANCED,
	KESU_METHOD_ATA_SANITIZE_CRYPTO,
	KESU_METHOD_ATA_SANITIZE_BLOCK,
	KESU_METHOD_ATA_SANITIZE_OVERWRITE,
	KESU_METHOD_NVME_FORMAT,
	KESU_METHOD_NVME_FORMAT_CRYPTO,
	KESU_METHOD_NVME_SANITIZE_BLOCK,
	KESU_METHOD_NVME_SANITIZE_CRYPTO,
	KESU_METHOD_NVME_SANITIZE_OVERWRITE,
	KESU_METHOD_COUNT
};

enum kesu_nist_class {
	KESU_CLASS_NONE = 0,
	KESU_CLASS_CLEAR,
	KESU_CLASS_PURGE,
};

struct kesu_method_eval {
	enum kesu_method method;
	const char *name;                /* "ata-sanitize-block" */
	enum kesu_nist_class nist_class; /* for this drive's media; NONE: wrong protocol */
	bool supported;                  /* the drive implements it */
	bool ready;                      /* supported and nothing blocks it now (frozen, locked) */
	unsigned passes;                 /* overwrite: the passes this media needs (2 for flash), else 0 */
	char reason[256];                /* why (not) supported, what blocks it, notes on scope */
};

/* "overwrite", "ata-secure-erase", ...; NULL for an unknown value. */
const char *kesu_method_name(enum kesu_method m);
/* Name to method; -KESU_E_BAD_INPUT for an unknown name (including "auto"). */
int kesu_method_parse(const char *name, enum kesu_method *m);
/* "Clear", "Purge", "none" */
const char *kesu_nist_class_name(enum kesu_nist_class c);
/* The class a method has on a media type, whether or not a drive supports it. */
enum kesu_nist_class kesu_method_class(enum kesu_method m, enum kesu_media media);

/* Evaluate one method for d. */
void kesu_method_evaluate(const struct kesu_drive *d, enum kesu_method m,
			  struct kesu_method_eval *out);
/* Evaluate every method, out[i].method == i. */
void kesu_methods_evaluate(const struct kesu_drive *d, struct kesu_method_eval out[KESU_METHOD_COUNT]);

/*
 * The `auto` choice: the strongest supported Purge, else overwrite. why
 * (may be NULL) gets one sentence for --dry-run and the record. The chosen
 * method may still be blocked (frozen): check kesu_method_evaluate()'s ready.
 */
enum kesu_method kesu_method_auto(const struct kesu_drive *d, char *why, size_t why_len);

#endif
