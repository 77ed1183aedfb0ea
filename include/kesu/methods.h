/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The catalogue of erase methods: one descriptor per method
 * (struct kesu_method_desc, the table kesu_methods[] in src/erase/methods.c)
 * holds every fact about it: its name, the interface it goes through, its
 * NIST SP 800-88 / IEEE 2883 class per media, what it leaves on the media and
 * how that is read back, the check of a probed drive (struct kesu_drive), the
 * runner, its rank for `auto` and its help line. The CLI's help and errors,
 * the TUI's list, `kesu info`, `auto` and the record all read the table.
 *
 * Classes (NIST SP 800-88 Rev. 1 Appendix A, IEEE 2883):
 *   overwrite                    Clear on every medium (flash: two passes, pattern then complement)
 *   ata-secure-erase(-enhanced)  Purge on HDD, Clear on flash (SSD)
 *   ata-sanitize-crypto/-block   Purge
 *   ata-sanitize-overwrite       Purge on HDD; Clear on SSD (remapped flash blocks escape it)
 *   nvme-format(-crypto)         Purge (Format NVM SES=1 / SES=2)
 *   nvme-sanitize-*              Purge
 *   mmc-sanitize                 Purge (erase, then eMMC SANITIZE of the unmapped blocks)
 *   mmc-secure-erase             Purge (JESD84: the erased groups and every copy of them)
 *   opal-psid-revert, opal-revert Purge (a TCG revert to factory state: a new media key;
 *                                a cryptographic erase, SP 800-88 Table A-8 for SEDs)
 *
 * `auto` takes the strongest Purge the drive supports, sanitize before
 * format/security erase, block erase before crypto erase (its result can be
 * read back and checked; a crypto erase only counts if every byte was always
 * encrypted), and falls back to overwrite (Clear). It never chooses a TCG
 * revert: that needs the PSID from the drive's label or the owner's password.
 *
 * Adding a method: a value in enum kesu_method, its row in kesu_methods[],
 * and its own file in src/erase/ with the support check and the runner
 * (prototypes in src/erase/fw_int.h).
 */
#ifndef KESU_METHODS_H
#define KESU_METHODS_H

#include <kesu/drive.h>
#include <kesu/readback.h>

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
	KESU_METHOD_SCSI_SANITIZE_BLOCK,
	KESU_METHOD_SCSI_SANITIZE_CRYPTO,
	KESU_METHOD_SCSI_SANITIZE_OVERWRITE,
	KESU_METHOD_MMC_SANITIZE,
	KESU_METHOD_MMC_SECURE_ERASE,
	KESU_METHOD_OPAL_PSID_REVERT,
	KESU_METHOD_OPAL_REVERT,
	KESU_METHOD_COUNT
};

enum kesu_nist_class {
	KESU_CLASS_NONE = 0,
	KESU_CLASS_CLEAR,
	KESU_CLASS_PURGE,
};

/* The interface a method goes through. */
enum kesu_method_family {
	KESU_FAMILY_OVERWRITE = 0,  /* normal writes through the block device (kesu's own) */
	KESU_FAMILY_ATA,            /* ATA commands (SAT ATA PASS-THROUGH) */
	KESU_FAMILY_NVME,           /* NVMe admin commands */
	KESU_FAMILY_SCSI,           /* SCSI commands (SAS/FC/UAS disks, not ATA behind SAT) */
	KESU_FAMILY_MMC,            /* eMMC commands (MMC_IOC_CMD) */
	KESU_FAMILY_OPAL,           /* a TCG revert through the kernel's sed-opal (any protocol) */
	KESU_FAMILY_COUNT
};

/* What a method leaves on the media. */
enum kesu_method_leaves {
	KESU_LEAVES_PATTERN = 0,    /* kesu's pattern (random: regenerated from its key to verify) */
	KESU_LEAVES_ZERO,           /* binary zeros */
	KESU_LEAVES_ONE,            /* binary ones (0xFF) */
	KESU_LEAVES_ZERO_OR_ONE,    /* zeros or ones, the drive's choice */
	KESU_LEAVES_PATTERN32,      /* the 32-bit pattern of a firmware overwrite (--pattern) */
	KESU_LEAVES_DEALLOCATED,    /* deallocated blocks: they read as the drive says (DLFEAT) */
	KESU_LEAVES_CRYPTO,         /* data under a new media key: unreadable, every region changes */
	KESU_LEAVES_VENDOR,         /* a vendor pattern or a new media key (enhanced security erase) */
};

struct kesu_method_desc;
struct kesu_method_eval;
struct fw_run;                      /* inside the firmware runner (src/erase/fw_int.h) */

/*
 * The method's own check of a probed drive of its family: fill e->supported,
 * e->ready and e->reason (e is zeroed, named and classed; the family's
 * protocol has been checked, and the hidden-area note is added after).
 */
typedef void (*kesu_method_check_fn)(const struct kesu_drive *d, const struct kesu_method_desc *m,
				     struct kesu_method_eval *e);
/* The method's runner (firmware methods): 0 when the drive reports success. */
typedef int (*kesu_method_run_fn)(struct fw_run *ru, const struct kesu_method_desc *m);
/* Whether it erases every namespace of the controller, not just this device. */
typedef bool (*kesu_method_wide_fn)(const struct kesu_drive *d, const struct kesu_method_desc *m);

struct kesu_method_desc {
	enum kesu_method method;            /* its index in kesu_methods[] */
	const char *name;                   /* "ata-sanitize-block": --method, the record */
	enum kesu_method_family family;
	enum kesu_nist_class nist_hdd;      /* class on magnetic media */
	enum kesu_nist_class nist_flash;    /* class on SSD, flash and unknown media */
	enum kesu_method_leaves leaves;
	enum kesu_rb_expect readback;       /* firmware readback check (DEALLOCATED: narrowed by
					     * the drive, kesu_method_expect()) */
	unsigned action;                    /* the family's command code for the runner
					     * (sanitize action, SES, SANACT, enhanced) */
	const char *commands;               /* what is sent, for the plan and the record */
	kesu_method_check_fn check;         /* support and readiness on a probed drive */
	kesu_method_run_fn run;             /* NULL: overwrite, run by kesu_overwrite_run() */
	kesu_method_wide_fn controller_wide;/* NULL: only this device */
	unsigned auto_rank;                 /* `auto`: 1 first, 2 next...; 0: never chosen */
	bool menu;                          /* offered in the TUI's method list */
	const char *help;                   /* one line for --help */
};

/* The table, indexed by enum kesu_method. */
extern const struct kesu_method_desc kesu_methods[KESU_METHOD_COUNT];

/* The row for m; NULL for an unknown value. */
const struct kesu_method_desc *kesu_method_desc(enum kesu_method m);
/* The row named name; NULL for an unknown name (including "auto"). */
const struct kesu_method_desc *kesu_method_find(const char *name);
/*
 * The methods `auto` considers, in its order of preference (auto_rank),
 * at most n into out; returns how many there are.
 */
size_t kesu_methods_by_preference(enum kesu_method *out, size_t n);

/* "overwrite", "ATA", "NVMe" */
const char *kesu_method_family_name(enum kesu_method_family f);
/* "pattern", "zero", "one", "zero-or-one", "pattern32", "deallocated", "crypto", "vendor" */
const char *kesu_method_leaves_name(enum kesu_method_leaves l);

/* True for the methods the firmware runner runs (every family but overwrite). */
bool kesu_method_is_firmware(enum kesu_method m);
/* True for the firmware overwrites, which take --pattern (32 bits) and --passes. */
bool kesu_method_takes_pattern32(enum kesu_method m);
/* The readback check after m on d (deallocated blocks read as the drive reports). */
enum kesu_rb_expect kesu_method_expect(enum kesu_method m, const struct kesu_drive *d);
/* Whether m on d erases every namespace of the controller. */
bool kesu_method_controller_wide(enum kesu_method m, const struct kesu_drive *d);

/*
 * The pass rule: the overwrite passes when the operator names none, for a
 * probed drive: 2 on flash media (USB flash, memory cards: a pattern, then
 * its complement), 1 otherwise (a drive that answers ATA or NVMe is an SSD
 * or a hard disk, whatever bridge it sits behind). info, wipe, its dry run
 * and the TUI all use it.
 */
unsigned kesu_method_default_passes(const struct kesu_drive *d);

struct kesu_method_eval {
	enum kesu_method method;
	const char *name;                /* "ata-sanitize-block" */
	enum kesu_nist_class nist_class; /* for this drive's media; NONE: wrong protocol */
	bool supported;                  /* the drive implements it */
	bool ready;                      /* supported and nothing blocks it now (frozen, locked) */
	unsigned passes;                 /* overwrite: the passes this media needs (2 for flash), else 0 */
	char reason[256];                /* why (not) supported, what blocks it, notes on scope */
};

/* --method's choice of the strongest Purge, else overwrite (kesu_method_auto()). */
#define KESU_METHOD_AUTO_NAME "auto"

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
