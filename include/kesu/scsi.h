/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * SCSI (SAS, FC, UAS) block devices: kesu's own command layer over SG_IO.
 * CDB builders, response and sense decoders are pure functions on byte arrays
 * so tests feed them canned data; kesu_scsi_exec() sends one command and
 * judges every status layer (ioctl, host, driver, SCSI status, sense).
 *
 * Commands (SPC-5, SBC-4):
 *   INQUIRY 0x12: standard data, VPD 0x00 (supported pages), 0x80 (unit
 *     serial), 0x83 (device identification), 0xB1 (block device
 *     characteristics: rotation rate, form factor);
 *   READ CAPACITY(16) 0x9E/0x10: last LBA, block length, protection
 *     information (P_TYPE, PROT_EN), logical blocks per physical block;
 *   REPORT SUPPORTED OPERATION CODES 0xA3/0x0C, one command at a time:
 *     SANITIZE 0x48 service actions 01h OVERWRITE, 02h BLOCK ERASE,
 *     03h CRYPTOGRAPHIC ERASE, 1Fh EXIT FAILURE MODE; FORMAT UNIT 0x04;
 *   SANITIZE 0x48 (IMMED, AUSE); REQUEST SENSE 0x03; TEST UNIT READY 0x00.
 *
 * While a sanitize runs the device answers NOT READY, 04h/1Bh (SANITIZE IN
 * PROGRESS) with the progress indication in the sense-key-specific field
 * (of 65536); a failed sanitize leaves it in failure mode: MEDIUM ERROR,
 * 31h/03h (SANITIZE COMMAND FAILED), until a sanitize succeeds or EXIT
 * FAILURE MODE is accepted (only when the failed sanitize had AUSE set).
 *
 * A SATA disk behind libata also takes these commands (vendor "ATA" in
 * INQUIRY): it is an ATA drive (SAT does not translate SANITIZE), and the
 * probe says so in kesu_scsi_info.sat.
 */
#ifndef KESU_SCSI_H
#define KESU_SCSI_H

#include <kesu/err.h>

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define KESU_SCSI_TEST_UNIT_READY 0x00
#define KESU_SCSI_REQUEST_SENSE   0x03
#define KESU_SCSI_FORMAT_UNIT     0x04
#define KESU_SCSI_INQUIRY         0x12
#define KESU_SCSI_SANITIZE        0x48
#define KESU_SCSI_SAI_16          0x9E  /* SERVICE ACTION IN(16); 0x10 READ CAPACITY(16) */
#define KESU_SCSI_SAI_READ_CAP_16 0x10
#define KESU_SCSI_MAINT_IN        0xA3  /* MAINTENANCE IN; 0x0C REPORT SUPPORTED OPERATION CODES */
#define KESU_SCSI_MI_RSOC         0x0C

/* SANITIZE service actions (CDB byte 1 bits 4:0). */
enum kesu_scsi_sanitize_sa {
	KESU_SCSI_SANITIZE_OVERWRITE    = 0x01,
	KESU_SCSI_SANITIZE_BLOCK_ERASE  = 0x02,
	KESU_SCSI_SANITIZE_CRYPTO_ERASE = 0x03,
	KESU_SCSI_SANITIZE_EXIT_FAILURE = 0x1F,
};

/* Sense keys, additional sense codes. */
#define KESU_SK_NO_SENSE        0x0
#define KESU_SK_RECOVERED_ERROR 0x1
#define KESU_SK_NOT_READY       0x2
#define KESU_SK_MEDIUM_ERROR    0x3
#define KESU_SK_ILLEGAL_REQUEST 0x5
#define KESU_SK_UNIT_ATTENTION  0x6
#define KESU_SK_ABORTED_COMMAND 0xB

enum kesu_scsi_dir { KESU_SCSI_DIR_NONE = 0, KESU_SCSI_DIR_IN, KESU_SCSI_DIR_OUT };

/* One command: a CDB and its data. */
struct kesu_scsi_cmd {
	uint8_t cdb[16];
	uint8_t cdb_len;
	enum kesu_scsi_dir dir;
	void *data;
	size_t len;
	unsigned timeout_ms;       /* 0: 15 s */
	size_t resid;              /* out: bytes not transferred */
};

/* Decoded sense data (fixed 0x70/0x71 or descriptor 0x72/0x73). */
struct kesu_scsi_sense {
	bool present;
	uint8_t response_code;
	uint8_t key, asc, ascq;
	bool sks_valid;            /* SKSV: the sense-key-specific bytes are meaningful */
	uint8_t sks[3];
	bool progress_valid;       /* NOT READY or NO SENSE with SKSV: a progress indication */
	uint16_t progress;         /* of 65536 */
	bool info_valid;
	uint64_t info;
};

/* Parse len bytes of sense data; -EINVAL when it is none of the four formats. */
int kesu_scsi_sense_decode(const uint8_t *sb, size_t len, struct kesu_scsi_sense *s);

/* "NOT READY, SANITIZE IN PROGRESS (04h/1Bh)", ...: key and code in words, into buf. */
void kesu_scsi_sense_describe(const struct kesu_scsi_sense *s, char *buf, size_t len);

/* What a SCSI command came back with, for kesu_scsi_judge(). */
struct kesu_scsi_outcome {
	uint8_t status;            /* SCSI status byte: 0x00 GOOD, 0x02 CHECK CONDITION, 0x08 BUSY */
	uint16_t host_status;
	uint16_t driver_status;
	const uint8_t *sense;
	size_t sense_len;
};

/*
 * Judge an outcome; s (never NULL) gets the sense data. Returns 0 (GOOD, or
 * CHECK CONDITION with NO SENSE/RECOVERED ERROR), -KESU_E_UNSUPPORTED
 * (ILLEGAL REQUEST, INVALID COMMAND OPERATION CODE 20h or INVALID FIELD IN
 * CDB 24h), -KESU_E_DEV_ABORT (any other CHECK CONDITION: s says what),
 * -EBUSY, -KESU_E_TIMEOUT, -KESU_E_GONE, -EIO.
 */
int kesu_scsi_judge(const struct kesu_scsi_outcome *o, struct kesu_scsi_sense *s);

/*
 * Send c on fd through SG_IO (sg v3). s (may be NULL) gets the sense data.
 * Returns kesu_scsi_judge()'s codes, or -KESU_E_NO_TRANSPORT (the device
 * takes no SCSI commands: loop, virtio, NVMe), -KESU_E_NOT_ROOT, -errno.
 */
int kesu_scsi_exec(int fd, struct kesu_scsi_cmd *c, struct kesu_scsi_sense *s,
		   struct kesu_errbuf *eb);

/* ---- CDB builders (byte-exact; data buffers are the caller's) ---- */

void kesu_scsi_cdb_tur(struct kesu_scsi_cmd *c);
/* INQUIRY: evpd false gives standard data (page must be 0). */
void kesu_scsi_cdb_inquiry(struct kesu_scsi_cmd *c, bool evpd, uint8_t page, void *buf,
			   uint16_t len);
void kesu_scsi_cdb_read_capacity16(struct kesu_scsi_cmd *c, void *buf, uint32_t len);
/* REPORT SUPPORTED OPERATION CODES for one command: with_sa uses reporting option 010b. */
void kesu_scsi_cdb_rsoc_one(struct kesu_scsi_cmd *c, uint8_t opcode, bool with_sa, uint16_t sa,
			    void *buf, uint32_t len);
/* REQUEST SENSE; desc asks for descriptor-format sense data. */
void kesu_scsi_cdb_request_sense(struct kesu_scsi_cmd *c, bool desc, void *buf, uint8_t len);

/* SANITIZE parameters. */
struct kesu_scsi_sanitize_req {
	enum kesu_scsi_sanitize_sa sa;
	bool immed;                /* return at once; progress through REQUEST SENSE */
	bool ause;                 /* allow EXIT FAILURE MODE after a failure */
	/* OVERWRITE only: */
	uint32_t pattern;          /* 4-byte initialization pattern, sent as pattern's bytes LSB first */
	unsigned passes;           /* OVERWRITE COUNT 1..31 */
	bool invert;               /* INVERT between passes */
};

#define KESU_SCSI_SANITIZE_OW_PARAM_LEN 8   /* header 4 + pattern 4 */

/*
 * SANITIZE: fill c (and param, 8 bytes, for OVERWRITE). -EINVAL for an
 * unknown service action or passes outside 1..31.
 */
int kesu_scsi_cdb_sanitize(struct kesu_scsi_cmd *c, const struct kesu_scsi_sanitize_req *req,
			   uint8_t param[KESU_SCSI_SANITIZE_OW_PARAM_LEN]);

/* ---- response decoders ---- */

struct kesu_scsi_inquiry {
	uint8_t peripheral_qualifier;  /* byte 0 bits 7:5 */
	uint8_t peripheral_type;       /* byte 0 bits 4:0: 0x00 direct access block device */
	uint8_t version;               /* byte 2 */
	bool protect;                  /* byte 5 bit 0: protection information supported */
	char vendor[9], product[17], revision[5];   /* trimmed */
};
int kesu_scsi_inquiry_decode(const uint8_t *b, size_t len, struct kesu_scsi_inquiry *q);

/* VPD 0x00: the supported page codes, at most max. Returns the count or -EINVAL. */
int kesu_scsi_vpd_pages_decode(const uint8_t *b, size_t len, uint8_t *pages, size_t max);
/* VPD 0x80: the unit serial number, trimmed, into out[outlen]. -EINVAL on a malformed page. */
int kesu_scsi_vpd_serial_decode(const uint8_t *b, size_t len, char *out, size_t outlen);
/*
 * VPD 0x83: the logical unit's best designator (NAA, then EUI-64, then
 * SCSI name string, then T10 vendor id) as text: "naa.5000c500a1b2c3d4".
 * -ENOENT when the page names none for the logical unit.
 */
int kesu_scsi_vpd_devid_decode(const uint8_t *b, size_t len, char *out, size_t outlen);

/* VPD 0xB1 Block Device Characteristics. */
struct kesu_scsi_bdc {
	uint16_t rotation_rate;        /* 0 not reported, 1 non-rotating, 0x401..0xFFFE rpm */
	uint8_t form_factor;           /* 0 not reported, 1 5.25", 2 3.5", 3 2.5", 4 1.8", 5 < 1.8" */
};
int kesu_scsi_vpd_bdc_decode(const uint8_t *b, size_t len, struct kesu_scsi_bdc *bdc);
/* "2.5 inch", "not reported", ... */
const char *kesu_scsi_form_factor_name(uint8_t ff);

/* READ CAPACITY(16) parameter data (32 bytes). */
struct kesu_scsi_capacity {
	uint64_t last_lba;
	uint32_t block_len;
	bool prot_en;                  /* protection information enabled */
	uint8_t prot_type;             /* 0 none, else 1..3 (P_TYPE + 1) */
	uint8_t p_i_exponent;
	uint8_t lbppbe;                /* logical blocks per physical block exponent */
	bool lbpme, lbprz;             /* thin provisioning, unmapped blocks read zero */
};
int kesu_scsi_read_capacity16_decode(const uint8_t *b, size_t len, struct kesu_scsi_capacity *cap);

/* One command's support, from REPORT SUPPORTED OPERATION CODES. */
enum kesu_scsi_support {
	KESU_SCSI_SUPPORT_UNKNOWN = 0, /* not asked, or the device does not report it */
	KESU_SCSI_SUPPORT_NO,
	KESU_SCSI_SUPPORT_YES,
};
/*
 * The one-command format: SUPPORT field (byte 1 bits 2:0): 011b/101b
 * supported, 001b not supported, 000b not available (unknown). -EINVAL when
 * too short.
 */
int kesu_scsi_rsoc_one_decode(const uint8_t *b, size_t len, enum kesu_scsi_support *sup);
const char *kesu_scsi_support_name(enum kesu_scsi_support s);

/* The state of a sanitize as REQUEST SENSE (or any CHECK CONDITION) tells it. */
enum kesu_scsi_sanitize_state {
	KESU_SCSI_SAN_IDLE = 0,        /* no sense worth noting: nothing running, not failed */
	KESU_SCSI_SAN_IN_PROGRESS,     /* NOT READY 04h/1Bh (progress in sense->progress) */
	KESU_SCSI_SAN_FAILED,          /* MEDIUM ERROR 31h/03h: sanitize failure mode */
	KESU_SCSI_SAN_OTHER,           /* some other condition (see the sense) */
};
enum kesu_scsi_sanitize_state kesu_scsi_sanitize_state(const struct kesu_scsi_sense *s);

/* ---- the probe ---- */

#define KESU_SCSI_MAX_VPD 32

struct kesu_scsi_info {
	struct kesu_scsi_inquiry inq;
	bool sat;                      /* vendor "ATA": a SATA disk behind a SAT layer */
	uint8_t vpd[KESU_SCSI_MAX_VPD];
	unsigned nvpd;
	char serial[64];               /* VPD 0x80; "" when absent */
	char designator[80];           /* VPD 0x83; "" when absent */
	bool bdc_valid;
	struct kesu_scsi_bdc bdc;      /* VPD 0xB1 */
	bool cap_valid;
	struct kesu_scsi_capacity cap;
	bool rsoc;                     /* REPORT SUPPORTED OPERATION CODES answered */
	enum kesu_scsi_support sanitize_overwrite, sanitize_block, sanitize_crypto,
		sanitize_exit_failure, format_unit;
	enum kesu_scsi_sanitize_state san_state;   /* REQUEST SENSE at probe time */
	uint16_t san_progress;
	char note[256];                /* why support is unknown, what REQUEST SENSE said */
};

/*
 * Probe fd with INQUIRY and, for a SCSI block device that is not SAT,
 * the VPD pages, READ CAPACITY(16), REPORT SUPPORTED OPERATION CODES and
 * REQUEST SENSE. Sends nothing that changes the device. Returns 0 (info->sat
 * says a SATA disk answered), -KESU_E_NO_TRANSPORT (no SCSI), -KESU_E_UNSUPPORTED
 * (not a direct-access block device), or an error with eb.
 */
int kesu_scsi_probe(int fd, struct kesu_scsi_info *info, struct kesu_errbuf *eb);

/*
 * The unit serial number (VPD 0x80) of a SCSI block device that is not ATA
 * behind SAT: INQUIRY and that page only. -ENOENT when there is none.
 */
int kesu_scsi_serial(int fd, char *serial, size_t len);

/* The support of service action sa in info. */
enum kesu_scsi_support kesu_scsi_sanitize_support(const struct kesu_scsi_info *info,
						  enum kesu_scsi_sanitize_sa sa);
/* "SANITIZE OVERWRITE", "SANITIZE BLOCK ERASE", ... */
const char *kesu_scsi_sanitize_name(enum kesu_scsi_sanitize_sa sa);

/*
 * REQUEST SENSE (descriptor format asked; either accepted) and what it says
 * about a sanitize: *state, and s (may be NULL) the sense data.
 */
int kesu_scsi_request_sense(int fd, enum kesu_scsi_sanitize_state *state,
			    struct kesu_scsi_sense *s, struct kesu_errbuf *eb);

/* SANITIZE on fd; the device's refusal comes back with s filled (may be NULL). */
int kesu_scsi_sanitize(int fd, const struct kesu_scsi_sanitize_req *req, unsigned timeout_ms,
		       struct kesu_scsi_sense *s, struct kesu_errbuf *eb);

#endif
