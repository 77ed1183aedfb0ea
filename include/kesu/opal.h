/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Self-encrypting drives (TCG Storage: Opal, Opalite, Pyrite, Ruby,
 * Enterprise): detection and the revert commands.
 *
 * Detection has two sources:
 *   - the kernel's sed-opal interface (linux/sed-opal.h): IOC_OPAL_GET_STATUS
 *     on the block device, where the kernel drives the SED itself (NVMe
 *     namespaces, sd disks; SATA disks only with libata.allow_tpm=1);
 *   - kesu's own Level 0 Discovery: SECURITY PROTOCOL IN, protocol 0x01,
 *     ComID 0x0001, sent as ATA TRUSTED RECEIVE (0x5C, through SAT), NVMe
 *     Security Receive (admin 0x82) or SCSI SECURITY PROTOCOL IN (0xA2). It
 *     names the SSC, which the kernel's status does not.
 *
 * Level 0 Discovery response (TCG Storage Architecture Core 3.3.6): a 48-byte
 * header (bytes 0-3 length of the parameter data that follows that field,
 * big-endian; 4-7 data structure revision), then feature descriptors
 * {code (2 bytes), version (byte 2 bits 7:4), length of the data that follows
 * (byte 3)}. The parser checks every length against the buffer.
 *
 * Reverting goes only through the kernel (IOC_OPAL_PSID_REVERT_TPR,
 * IOC_OPAL_REVERT_TPR): kesu does not speak the TCG session protocol itself.
 * A revert resets the drive to its factory state and generates a new media
 * encryption key: every byte written before reads back as noise.
 */
#ifndef KESU_OPAL_H
#define KESU_OPAL_H

#include <kesu/err.h>

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Feature codes. */
#define KESU_OPAL_FEAT_TPER       0x0001
#define KESU_OPAL_FEAT_LOCKING    0x0002
#define KESU_OPAL_FEAT_GEOMETRY   0x0003
#define KESU_OPAL_FEAT_ENTERPRISE 0x0100
#define KESU_OPAL_FEAT_OPAL1      0x0200
#define KESU_OPAL_FEAT_SINGLE_USER 0x0201
#define KESU_OPAL_FEAT_DATASTORE  0x0202
#define KESU_OPAL_FEAT_OPAL2      0x0203
#define KESU_OPAL_FEAT_OPALITE    0x0301
#define KESU_OPAL_FEAT_PYRITE1    0x0302
#define KESU_OPAL_FEAT_PYRITE2    0x0303
#define KESU_OPAL_FEAT_RUBY       0x0304

#define KESU_OPAL_HEADER_LEN      48
#define KESU_OPAL_DISCOVERY_LEN   2048  /* what kesu asks for (4 sectors) */
#define KESU_OPAL_PSID_LEN        32
#define KESU_OPAL_KEY_MAX         255   /* struct opal_key's key_len is a byte */

/* Locking feature (0x0002) byte 4. */
#define KESU_OPAL_LOCK_SUPPORTED  0x01
#define KESU_OPAL_LOCK_ENABLED    0x02
#define KESU_OPAL_LOCK_LOCKED     0x04
#define KESU_OPAL_LOCK_MEDIA_ENC  0x08
#define KESU_OPAL_LOCK_MBR_ENABLED 0x10
#define KESU_OPAL_LOCK_MBR_DONE   0x20

enum kesu_opal_ssc {
	KESU_SSC_NONE = 0,
	KESU_SSC_ENTERPRISE,
	KESU_SSC_OPAL1,
	KESU_SSC_OPAL2,
	KESU_SSC_OPALITE,
	KESU_SSC_PYRITE1,
	KESU_SSC_PYRITE2,
	KESU_SSC_RUBY,
};

/* "none", "Enterprise", "Opal 1", "Opal 2", "Opalite", "Pyrite 1", "Pyrite 2", "Ruby" */
const char *kesu_opal_ssc_name(enum kesu_opal_ssc s);

/* What a Level 0 Discovery response says. */
struct kesu_opal_discovery {
	uint32_t length;            /* header: bytes of parameter data after the length field */
	uint32_t revision;          /* header: data structure revision */
	unsigned n_features;        /* descriptors parsed */
	bool tper;                  /* TPer feature present */
	uint8_t tper_flags;         /* its byte 4 (sync, async, ack/nak, buffer mgmt, streaming, ComID mgmt) */
	bool locking;               /* Locking feature present */
	uint8_t locking_flags;      /* its byte 4: KESU_OPAL_LOCK_* */
	enum kesu_opal_ssc ssc;     /* the SSC feature found (Opal 2 wins over Opal 1 when both appear) */
	uint16_t ssc_code;          /* its feature code, 0 when none */
	uint8_t ssc_version;
	uint16_t base_comid;        /* from the SSC feature */
	uint16_t num_comids;
	bool pin_indicator_valid;   /* Opal 2 family: initial C_PIN_SID and revert behaviour */
	uint8_t initial_sid_pin;    /* 0x00: C_PIN_SID is MSID; 0xFF: vendor-unique */
	uint8_t revert_sid_pin;     /* the same after a TPer revert */
};

/*
 * Parse a Level 0 Discovery response of len bytes. Returns 0, or -EINVAL
 * for a buffer that is shorter than its header, whose length field points
 * beyond the buffer, or whose descriptors run past the end.
 */
int kesu_opal_discovery_parse(const uint8_t *buf, size_t len, struct kesu_opal_discovery *out);

/* How kesu can reach a drive's security protocol. */
enum kesu_opal_transport {
	KESU_OPAL_TR_NONE = 0,      /* an image: nothing is sent */
	KESU_OPAL_TR_ATA,           /* TRUSTED RECEIVE through ATA PASS-THROUGH(16) */
	KESU_OPAL_TR_NVME,          /* NVMe Security Receive */
	KESU_OPAL_TR_SCSI,          /* SCSI SECURITY PROTOCOL IN */
};

/* The kernel's sed-opal status flags (OPAL_FL_* of linux/sed-opal.h). */
#define KESU_OPAL_FL_SUPPORTED         0x01
#define KESU_OPAL_FL_LOCKING_SUPPORTED 0x02
#define KESU_OPAL_FL_LOCKING_ENABLED   0x04
#define KESU_OPAL_FL_LOCKED            0x08
#define KESU_OPAL_FL_MBR_ENABLED       0x10
#define KESU_OPAL_FL_MBR_DONE          0x20

/* A device's SED state, merged from both sources. */
struct kesu_opal {
	bool checked;               /* a probe ran */
	bool sed;                   /* a TCG SSC or the kernel's OPAL_FL_SUPPORTED */
	/* the kernel's sed-opal */
	bool kernel;                /* IOC_OPAL_GET_STATUS answered for this device */
	uint32_t kernel_flags;
	/* kesu's own discovery */
	bool discovery;             /* a valid Level 0 Discovery came back */
	const char *discovery_via;  /* "ata-trusted-receive", "nvme-security-receive", "scsi-security-protocol-in" */
	struct kesu_opal_discovery disc;
	/* merged */
	bool locking_supported, locking_enabled, locked, mbr_enabled, mbr_done;
	/* the way to revert: only through the kernel's sed-opal */
	bool revert_path;
	char note[384];             /* why something is unknown or not possible (allow_tpm, root) */
};

/*
 * Probe fd for a self-encrypting drive: IOC_OPAL_GET_STATUS, then a Level 0
 * Discovery through tr (tcg_claimed: the drive's identify data claims the
 * TCG feature set: ATA IDENTIFY word 48 bit 0, NVMe OACS bit 0; a refusal
 * is then worth a note). Sends nothing that changes the drive. Always 0;
 * o says what was found.
 */
int kesu_opal_probe(int fd, enum kesu_opal_transport tr, bool tcg_claimed, struct kesu_opal *o);

/* One line for `kesu info`, --dry-run and refusals: "Opal 2, locking enabled, LOCKED, ..." */
void kesu_opal_describe(const struct kesu_opal *o, char *buf, size_t len);

/*
 * A PSID as printed on a drive's label: exactly 32 characters, letters and
 * digits only. 0, or -KESU_E_BAD_INPUT with eb's sentence (never the PSID).
 */
int kesu_opal_psid_check(const char *psid, struct kesu_errbuf *eb);

/* IOC_OPAL_GET_STATUS: 0 with *flags; -KESU_E_NO_TRANSPORT when the kernel has no sed-opal here. */
int kesu_opal_get_status(int fd, uint32_t *flags, struct kesu_errbuf *eb);

/*
 * Revert the TPer to factory state through the kernel: with the PSID
 * (IOC_OPAL_PSID_REVERT_TPR) or the owner's SID password
 * (IOC_OPAL_REVERT_TPR; key of len bytes, used verbatim). The key is wiped
 * from kesu's buffers afterwards and never appears in eb. *status (may be
 * NULL) gets the TCG method status the drive answered (0 success, 0x01
 * NOT_AUTHORIZED...), or -1 when the ioctl itself failed or was not sent.
 * Errors: -KESU_E_BAD_INPUT (a PSID that is not 32 letters and digits, an
 * empty or too long key: nothing sent), -KESU_E_NO_TRANSPORT (no sed-opal
 * for the device), -KESU_E_NOT_ROOT, -KESU_E_DEV_ABORT (the drive refused:
 * a wrong PSID or password, eb names the TCG status), -KESU_E_LOCKED (too
 * many wrong tries: power-cycle), -errno.
 */
int kesu_opal_psid_revert(int fd, const char *psid, int *status, struct kesu_errbuf *eb);
int kesu_opal_revert(int fd, const uint8_t *key, size_t len, int *status, struct kesu_errbuf *eb);

/* TCG method status NOT_AUTHORIZED: the PSID or password is wrong, nothing changed. */
#define KESU_OPAL_ST_NOT_AUTHORIZED 0x01
/* TCG method status AUTHORITY_LOCKED_OUT: too many wrong tries, nothing changed. */
#define KESU_OPAL_ST_LOCKED_OUT 0x12

/* A TCG method status (a positive sed-opal ioctl return) in words. */
const char *kesu_opal_status_name(int status);

#endif
