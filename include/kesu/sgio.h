/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The one seam that sends ATA commands to a drive: SG_IO with a SCSI/ATA
 * Translation ATA PASS-THROUGH(16) CDB (SAT, opcode 0x85).
 *
 * A command is a struct kesu_ata_cmd (the taskfile kesu wants the drive to
 * see); kesu_sgio_ata() builds the CDB, sends it, checks every status layer
 * (ioctl, host, driver, SCSI status, sense, ATA status) and returns the ATA
 * registers the drive gave back. The CDB builder and the sense parser are
 * pure functions so tests can feed them byte arrays.
 *
 * SG_IO needs root (CAP_SYS_RAWIO). It answers ENOTTY/EINVAL on devices that
 * are not SCSI (loop, virtio-blk, NVMe): that is -KESU_E_NO_TRANSPORT, "not
 * this protocol", not an error worth showing.
 */
#ifndef KESU_SGIO_H
#define KESU_SGIO_H

#include <kesu/err.h>

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define KESU_SAT_ATA_PASS_THROUGH_16 0x85
#define KESU_ATA_SECTOR 512u

/* SAT protocol field values (CDB byte 1 bits 4:1). */
enum kesu_ata_protocol {
	KESU_ATA_PROTO_NON_DATA = 3,
	KESU_ATA_PROTO_PIO_IN   = 4,
	KESU_ATA_PROTO_PIO_OUT  = 5,
	KESU_ATA_PROTO_DMA      = 6,   /* data-in (device to host) only */
};

/* ATA status register bits. */
#define KESU_ATA_STATUS_ERR  0x01
#define KESU_ATA_STATUS_DF   0x20
#define KESU_ATA_STATUS_DRDY 0x40
#define KESU_ATA_STATUS_BSY  0x80
/* ATA error register bit: command aborted. */
#define KESU_ATA_ERROR_ABRT  0x04

/* One ATA command as the drive should see it. */
struct kesu_ata_cmd {
	uint8_t command;          /* ATA opcode, e.g. 0xEC IDENTIFY DEVICE */
	uint16_t feature;         /* 8 bits unless ext */
	uint16_t count;           /* 8 bits unless ext */
	uint64_t lba;             /* 48 bits if ext, else 28 (bits 27:24 go to device) */
	uint8_t device;           /* 0x40: LBA mode */
	bool ext;                 /* a 48-bit (EXT) command: SAT EXTEND bit */
	enum kesu_ata_protocol protocol;
	void *data;               /* PIO in/out buffer: exactly COUNT 512-byte sectors */
	size_t data_len;
	bool want_registers;      /* CK_COND: have the registers returned in sense data */
	unsigned timeout_ms;      /* 0: 15 s */
};

/* The registers a drive returned (ATA Status Return descriptor or fixed sense). */
struct kesu_ata_regs {
	bool valid;               /* the drive's registers were present in the sense data */
	bool ext;                 /* EXTEND: upper bytes are meaningful */
	bool upper_unknown;       /* fixed-format sense: count/LBA upper bytes nonzero but not given */
	uint8_t status;
	uint8_t error;
	uint8_t device;
	uint16_t count;
	uint64_t lba;
};

/* What a sense buffer says. */
struct kesu_sense {
	uint8_t response_code;    /* 0x70/0x71 fixed, 0x72/0x73 descriptor */
	uint8_t key;
	uint8_t asc;
	uint8_t ascq;
	struct kesu_ata_regs regs;
};

/*
 * Fill cdb[16] for cmd. Returns 0, or -EINVAL when the command cannot be
 * expressed (a data length other than COUNT sectors, a 28-bit LBA too big).
 */
int kesu_ata_cdb16(const struct kesu_ata_cmd *cmd, uint8_t cdb[16]);

/*
 * Parse a sense buffer of len bytes, descriptor format (0x72/0x73, with the
 * ATA Status Return descriptor 0x09) or fixed format (0x70/0x71, SAT's ATA
 * fields in INFORMATION and COMMAND-SPECIFIC INFORMATION). Returns 0 (out->regs.valid
 * says whether registers were found) or -EINVAL for a buffer that is no sense data.
 */
int kesu_sense_parse(const uint8_t *sense, size_t len, struct kesu_sense *out);

/* True when the sense says "ATA PASS-THROUGH INFORMATION AVAILABLE" (RECOVERED ERROR, 00/1D). */
bool kesu_sense_is_ata_info(const struct kesu_sense *s);

/* What came back from SG_IO, for kesu_sgio_check(). */
struct kesu_sgio_outcome {
	uint8_t status;           /* SCSI status byte: 0x00 GOOD, 0x02 CHECK CONDITION */
	uint16_t host_status;     /* 0: DID_OK */
	uint16_t driver_status;   /* 0, or 0x08 DRIVER_SENSE */
	const uint8_t *sense;
	size_t sense_len;         /* sb_len_wr */
};

/*
 * Judge an SG_IO outcome for an ATA PASS-THROUGH command (every layer: host,
 * driver, SCSI status, sense, ATA status); fill regs (may be NULL) with any
 * returned registers. Returns what kesu_sgio_ata() returns, without eb.
 */
int kesu_sgio_check(const struct kesu_sgio_outcome *o, struct kesu_ata_regs *regs);

/*
 * Send cmd on fd through SG_IO; regs (may be NULL) gets the returned registers
 * whenever the drive returned them, also when it aborted the command.
 * Returns 0 on success;
 *   -KESU_E_NO_TRANSPORT  not a SCSI device (ENOTTY/EINVAL) or the SATL refuses ATA_16;
 *   -KESU_E_NOT_ROOT      EPERM/EACCES;
 *   -KESU_E_DEV_ABORT     the drive set ERR or DF (regs->error tells why);
 *   -KESU_E_TIMEOUT, -KESU_E_GONE, -EIO, -errno  transport failures.
 * eb says which command failed and how.
 */
int kesu_sgio_ata(int fd, const struct kesu_ata_cmd *cmd, struct kesu_ata_regs *regs,
		  struct kesu_errbuf *eb);

#endif
