/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * ATA commands: builders that fill a struct kesu_ata_cmd for kesu_sgio_ata(),
 * and decoders of what the drive answers. Decoders are pure functions on byte
 * arrays and register sets, so tests build the arrays.
 *
 * IDENTIFY DEVICE (ACS-3/ACS-4 word numbers; words are little-endian):
 *   10-19 serial, 23-26 firmware, 27-46 model (byte-swapped in each word);
 *   59 sanitize bits; 60-61 / 100-103 capacity; 82/83/85 security, HPA, DCO, 48-bit;
 *   89/90 security erase times; 106, 117-118 sector sizes; 119 AMAC;
 *   128 security state; 217 rotation rate; 255 integrity word.
 */
#ifndef KESU_ATA_H
#define KESU_ATA_H

#include <kesu/err.h>
#include <kesu/sgio.h>

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Opcodes. */
#define KESU_ATA_IDENTIFY_DEVICE        0xEC
#define KESU_ATA_READ_NATIVE_MAX        0xF8  /* 28-bit */
#define KESU_ATA_READ_NATIVE_MAX_EXT    0x27
#define KESU_ATA_SET_MAX_ADDRESS_EXT    0x37
#define KESU_ATA_ACCESSIBLE_MAX_ADDRESS 0x78  /* AMAC: feature 0 GET NATIVE MAX */
#define KESU_ATA_DCO                    0xB1  /* feature 0xC2 IDENTIFY, 0xC0 RESTORE */
#define KESU_ATA_SANITIZE               0xB4
#define KESU_ATA_SECURITY_SET_PASSWORD  0xF1
#define KESU_ATA_SECURITY_UNLOCK        0xF2
#define KESU_ATA_SECURITY_ERASE_PREPARE 0xF3
#define KESU_ATA_SECURITY_ERASE_UNIT    0xF4
#define KESU_ATA_SECURITY_FREEZE_LOCK   0xF5
#define KESU_ATA_SECURITY_DISABLE_PASSWORD 0xF6

#define KESU_ATA_IDENTIFY_LEN 512

enum kesu_ata_checksum {
	KESU_ATA_CHECKSUM_ABSENT = 0,  /* word 255 has no 0xA5 signature */
	KESU_ATA_CHECKSUM_OK,
	KESU_ATA_CHECKSUM_BAD,
};

struct kesu_ata_security {
	bool supported;                 /* word 82 bit 1 / word 128 bit 0 */
	bool enabled;                   /* a user password is set (128 bit 1) */
	bool locked;                    /* 128 bit 2 */
	bool frozen;                    /* 128 bit 3: security commands abort until a power cycle */
	bool count_expired;             /* 128 bit 4: too many unlock attempts */
	bool enhanced_erase;            /* 128 bit 5: enhanced erase supported */
	bool level_max;                 /* 128 bit 8: master password capability Maximum */
	unsigned erase_time_normal_min;   /* word 89, minutes; 0 = not reported */
	unsigned erase_time_enhanced_min; /* word 90, minutes; 0 = not reported */
};

struct kesu_ata_sanitize_caps {
	bool supported;                 /* word 59 bit 12 */
	bool crypto;                    /* bit 13 CRYPTO SCRAMBLE EXT */
	bool overwrite;                 /* bit 14 OVERWRITE EXT */
	bool block;                     /* bit 15 BLOCK ERASE EXT */
	bool antifreeze;                /* bit 10 ANTIFREEZE LOCK EXT */
};

/* Decoded IDENTIFY DEVICE data. */
struct kesu_ata_identify {
	char serial[21];                /* trimmed, NUL-terminated */
	char firmware[9];
	char model[41];
	bool lba48;                     /* word 83 bit 10 */
	uint64_t capacity_sectors;      /* user-addressable logical sectors (current max + 1) */
	uint32_t logical_sector_size;   /* bytes */
	uint32_t physical_sector_size;  /* bytes */
	uint16_t rotation_rate;         /* word 217: 0 not reported, 1 non-rotating, else rpm */
	struct kesu_ata_security security;
	struct kesu_ata_sanitize_caps sanitize;
	bool hpa_supported;             /* word 82 bit 10 */
	bool hpa_enabled;               /* word 85 bit 10 */
	bool dco_supported;             /* word 83 bit 11 */
	bool amac_supported;            /* word 119 bit 8 (ACS-3: replaces HPA and DCO) */
	enum kesu_ata_checksum checksum;
};

/*
 * Decode a 512-byte IDENTIFY DEVICE page. Returns 0, or -KESU_E_UNSUPPORTED
 * when word 0 bit 15 says this is no ATA device (ATAPI) or the page is all
 * zeros or all ones (a bridge that answered with nothing).
 */
int kesu_ata_identify_decode(const uint8_t page[KESU_ATA_IDENTIFY_LEN],
			     struct kesu_ata_identify *id);

/* The ATA string in words [first, first+nwords) of page, byte-swapped and trimmed, into out[2*nwords+1]. */
void kesu_ata_string(const uint8_t *page, unsigned first, unsigned nwords, char *out);

/* Words 89/90: minutes, with the bit-15 rule (extended format bits 14:0, else 7:0; unit 2 min). */
unsigned kesu_ata_erase_time_min(uint16_t word);

/* Hidden area: current max (IDENTIFY) against native max (READ NATIVE MAX / GET NATIVE MAX). */
struct kesu_ata_hpa {
	bool valid;                     /* native max was read */
	uint64_t current_max_lba;
	uint64_t native_max_lba;
	uint64_t hidden_sectors;        /* native - current; 0 when none */
};

/*
 * Combine IDENTIFY's capacity with the registers returned by READ NATIVE MAX
 * ADDRESS (EXT) or GET NATIVE MAX ADDRESS EXT. Returns 0, or -EINVAL when the
 * registers are missing or truncated (fixed-format sense without upper bytes).
 */
int kesu_ata_hpa_from_regs(uint64_t capacity_sectors, const struct kesu_ata_regs *regs,
			   struct kesu_ata_hpa *hpa);

/* DEVICE CONFIGURATION IDENTIFY page: the largest LBA the drive may be set to (words 3-6). */
struct kesu_ata_dco {
	uint16_t revision;              /* word 0 */
	uint64_t max_lba;               /* words 3-6 */
};
int kesu_ata_dco_decode(const uint8_t page[KESU_ATA_IDENTIFY_LEN], struct kesu_ata_dco *dco);

/* ---- Command builders: fill c for kesu_sgio_ata(). Buffers are the caller's. ---- */

void kesu_ata_cmd_identify(struct kesu_ata_cmd *c, uint8_t page[KESU_ATA_IDENTIFY_LEN]);
/* READ NATIVE MAX ADDRESS EXT (48-bit drives) or READ NATIVE MAX ADDRESS (28-bit). */
void kesu_ata_cmd_read_native_max(struct kesu_ata_cmd *c, bool lba48);
/* ACCESSIBLE MAX ADDRESS CONFIGURATION, GET NATIVE MAX ADDRESS EXT. */
void kesu_ata_cmd_get_native_max_amac(struct kesu_ata_cmd *c);
/* SET MAX ADDRESS EXT to max_lba (volatile unless keep); restores a hidden area when max_lba is native max. */
void kesu_ata_cmd_set_max_address_ext(struct kesu_ata_cmd *c, uint64_t max_lba, bool keep);
/* ACCESSIBLE MAX ADDRESS CONFIGURATION, SET ACCESSIBLE MAX ADDRESS EXT. */
void kesu_ata_cmd_set_accessible_max_amac(struct kesu_ata_cmd *c, uint64_t max_lba);
void kesu_ata_cmd_dco_identify(struct kesu_ata_cmd *c, uint8_t page[KESU_ATA_IDENTIFY_LEN]);
void kesu_ata_cmd_dco_restore(struct kesu_ata_cmd *c);

/* Security feature set. */
enum kesu_ata_security_op {
	KESU_ATA_SEC_SET_PASSWORD,
	KESU_ATA_SEC_UNLOCK,
	KESU_ATA_SEC_ERASE_PREPARE,
	KESU_ATA_SEC_ERASE_UNIT,
	KESU_ATA_SEC_FREEZE_LOCK,
	KESU_ATA_SEC_DISABLE_PASSWORD,
};

#define KESU_ATA_PASSWORD_LEN 32

struct kesu_ata_password {
	bool master;                    /* the master password, not the user password */
	bool enhanced;                  /* ERASE UNIT only: enhanced erase */
	bool level_max;                 /* SET PASSWORD (user) only: security level Maximum */
	uint8_t password[KESU_ATA_PASSWORD_LEN];  /* NUL padded */
};

/* Fill pw from a text password (at most 32 bytes; -EINVAL if longer). */
int kesu_ata_password_set(struct kesu_ata_password *pw, const char *text, bool master);

/* The 512-byte data-out page of SET PASSWORD/UNLOCK/ERASE UNIT/DISABLE PASSWORD. */
void kesu_ata_security_payload(enum kesu_ata_security_op op, const struct kesu_ata_password *pw,
			       uint8_t page[KESU_ATA_IDENTIFY_LEN]);

/*
 * A security command. Ops with a payload (set password, unlock, erase unit,
 * disable password) need page (from kesu_ata_security_payload()); erase
 * prepare and freeze lock take none (page NULL). timeout_ms matters for ERASE
 * UNIT, which blocks for the whole erase: see kesu_ata_security_erase_timeout_ms().
 */
int kesu_ata_cmd_security(struct kesu_ata_cmd *c, enum kesu_ata_security_op op,
			  uint8_t *page, unsigned timeout_ms);

/*
 * What stops a security erase now: -KESU_E_FROZEN, -KESU_E_LOCKED, or
 * -KESU_E_UNSUPPORTED (no Security feature set, or enhanced asked and not
 * supported); 0 when nothing does. A drive that aborts a security command
 * is re-identified and judged by this.
 */
int kesu_ata_security_blocker(const struct kesu_ata_identify *id, bool enhanced);

/* A timeout for ERASE UNIT: max(estimate + 60 min, capacity at 30 MB/s + 30 min), in ms (capped). */
unsigned kesu_ata_security_erase_timeout_ms(const struct kesu_ata_identify *id, bool enhanced);

/* SANITIZE DEVICE (0xB4) actions: the FEATURE values. */
enum kesu_ata_sanitize_action {
	KESU_ATA_SANITIZE_STATUS          = 0x0000,
	KESU_ATA_SANITIZE_CRYPTO_SCRAMBLE = 0x0011,
	KESU_ATA_SANITIZE_BLOCK_ERASE     = 0x0012,
	KESU_ATA_SANITIZE_OVERWRITE       = 0x0014,
	KESU_ATA_SANITIZE_FREEZE_LOCK     = 0x0020,
	KESU_ATA_SANITIZE_ANTIFREEZE_LOCK = 0x0040,
};

/* LBA keys that make an accidental sanitize impossible. */
#define KESU_ATA_SANITIZE_KEY_CRYPTO     0x43727970u  /* "Cryp" */
#define KESU_ATA_SANITIZE_KEY_BLOCK      0x426B4572u  /* "BkEr" */
#define KESU_ATA_SANITIZE_KEY_OVERWRITE  0x4F57u      /* "OW", in LBA 47:32 */
#define KESU_ATA_SANITIZE_KEY_FREEZE     0x46724C6Bu  /* "FrLk" */
#define KESU_ATA_SANITIZE_KEY_ANTIFREEZE 0x416E7469u  /* "Anti" */

struct kesu_ata_sanitize_req {
	enum kesu_ata_sanitize_action action;
	bool failure_mode;              /* COUNT bit 4: on failure, allow leaving the failed state by STATUS */
	bool clear_failure;             /* STATUS only: COUNT bit 0, leave a failed state */
	/* OVERWRITE only: */
	uint32_t pattern;
	unsigned passes;                /* 1..16 */
	bool invert;                    /* invert the pattern between passes */
};

/* Fill c for req; -EINVAL for an unknown action or passes outside 1..16. */
int kesu_ata_cmd_sanitize(struct kesu_ata_cmd *c, const struct kesu_ata_sanitize_req *req);

/* What SANITIZE STATUS (or any sanitize command) returned in the registers. */
struct kesu_ata_sanitize_status {
	bool completed_ok;              /* COUNT bit 15 */
	bool in_progress;               /* bit 14 */
	bool frozen;                    /* bit 13 */
	bool antifreeze;                /* bit 12 */
	uint16_t progress;              /* LBA 15:0, fraction of 65536 */
	bool failed;                    /* the drive set ERR */
	uint8_t reason;                 /* on failure: LBA 7:0, see enum below */
};

enum kesu_ata_sanitize_reason {
	KESU_ATA_SANITIZE_REASON_NONE        = 0,
	KESU_ATA_SANITIZE_REASON_FAILED      = 1,  /* last sanitize completed unsuccessfully */
	KESU_ATA_SANITIZE_REASON_UNSUPPORTED = 2,
	KESU_ATA_SANITIZE_REASON_FROZEN      = 3,
	KESU_ATA_SANITIZE_REASON_ANTIFREEZE  = 4,
};

/* Decode registers returned by a sanitize command; -EINVAL when regs are missing or truncated. */
int kesu_ata_sanitize_status_decode(const struct kesu_ata_regs *regs,
				    struct kesu_ata_sanitize_status *st);

/* ---- Convenience: send on fd (kesu_sgio_ata() underneath). ---- */

/* IDENTIFY DEVICE into page and decode it. -KESU_E_NO_TRANSPORT: not ATA. */
int kesu_ata_identify(int fd, uint8_t page[KESU_ATA_IDENTIFY_LEN], struct kesu_ata_identify *id,
		      struct kesu_errbuf *eb);

/* Read the native max address (AMAC first when supported, else HPA) into hpa. */
int kesu_ata_read_hpa(int fd, const struct kesu_ata_identify *id, struct kesu_ata_hpa *hpa,
		      struct kesu_errbuf *eb);

#endif
