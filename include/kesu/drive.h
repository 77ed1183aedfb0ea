/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What the drive itself reports: probe a device descriptor for NVMe
 * (NVME_IOCTL_ID, Identify), ATA (SG_IO IDENTIFY DEVICE, native max
 * address, DCO), eMMC/SD (MMC_IOC_CMD, EXT_CSD) and then SCSI (INQUIRY, VPD,
 * READ CAPACITY(16), REPORT SUPPORTED OPERATION CODES: an sd device that is
 * no ATA disk behind SAT), and classify the media (HDD, SSD, flash) for the erase
 * methods' NIST SP 800-88 classes.
 *
 * Every device that is not a regular file is probed with real ioctls; one
 * that answers neither protocol (a loop device, virtio, a USB stick without
 * SAT) gets proto KESU_DRIVE_NONE, which is not an error.
 */
#ifndef KESU_DRIVE_H
#define KESU_DRIVE_H

#include <kesu/ata.h>
#include <kesu/dev.h>
#include <kesu/err.h>
#include <kesu/mmc.h>
#include <kesu/nvme.h>
#include <kesu/scsi.h>
#include <kesu/opal.h>

#include <stdbool.h>
#include <stdint.h>

enum kesu_drive_proto {
	KESU_DRIVE_NONE = 0,
	KESU_DRIVE_ATA,
	KESU_DRIVE_NVME,
	KESU_DRIVE_MMC,           /* eMMC or SD card: MMC_IOC_CMD answered */
	KESU_DRIVE_SCSI,          /* SAS/FC/UAS: answers SCSI, not ATA behind SAT */
};

/* The media classes of NIST SP 800-88 Appendix A that kesu tells apart. */
enum kesu_media {
	KESU_MEDIA_UNKNOWN = 0,   /* loop, virtio, image, SCSI without ATA: overwrite only */
	KESU_MEDIA_HDD,           /* magnetic */
	KESU_MEDIA_SSD,           /* ATA or NVMe flash behind a controller */
	KESU_MEDIA_FLASH,         /* USB flash stick, memory card: no purge via the interface */
};

struct kesu_drive {
	enum kesu_drive_proto proto;
	enum kesu_media media;

	/* proto ATA */
	struct kesu_ata_identify ata;
	uint8_t ata_identify_raw[KESU_ATA_IDENTIFY_LEN];
	struct kesu_ata_hpa hpa;         /* hpa.valid when the native max was read */
	bool dco_valid;
	struct kesu_ata_dco dco;

	/* proto NVME */
	uint32_t nsid;
	struct kesu_nvme_ctrl nvme;
	struct kesu_nvme_ns nvme_ns;     /* the namespace of this block device */
	bool nvme_ns_valid;

	/* proto MMC */
	struct kesu_mmc_card mmc;

	/* proto SCSI */
	struct kesu_scsi_info scsi;

	/* Self-encrypting drive (TCG Opal family), any protocol */
	struct kesu_opal opal;

	/* Why a protocol did not answer when that is worth telling (needs root, aborted). */
	int probe_err;                   /* 0, or -KESU_E_* / -errno */
	char probe_note[1024];
};

/* "none", "ata", "nvme", "mmc", "scsi" */
const char *kesu_drive_proto_name(enum kesu_drive_proto p);
/* "unknown", "hdd", "ssd", "flash" */
const char *kesu_media_name(enum kesu_media m);

/*
 * Probe fd (the device id describes, opened by the caller, read-only is
 * enough) and fill d. Returns 0 whether or not a protocol answered; d->proto
 * says which did, d->probe_err/probe_note why none did when that matters.
 */
int kesu_drive_probe(int fd, const struct kesu_dev_identity *id, struct kesu_drive *d);

/*
 * Ask the self-encrypting drive's state again (d->opal: IOC_OPAL_GET_STATUS
 * and a Level 0 Discovery through d's protocol), e.g. after a revert. Sends
 * nothing that changes the drive.
 */
void kesu_drive_opal_refresh(int fd, const struct kesu_dev_identity *id, struct kesu_drive *d);

/*
 * What the drive says it is, without claiming it (kesu info, the TUI's list,
 * dry runs): open id->path read-only and shared (O_NONBLOCK: an empty card
 * reader does not wait), kesu_drive_probe(), close. Returns 0, or -errno when
 * the path cannot be opened: then d->probe_err and d->probe_note say so and
 * d->media comes from the identity alone.
 */
int kesu_drive_inspect(const struct kesu_dev_identity *id, struct kesu_drive *d);

/*
 * The drive's own serial and model into id: ask fd (opened on the device id
 * describes) for NVMe Identify Controller, else ATA IDENTIFY DEVICE through
 * SAT, else SCSI VPD page 0x80 (serial only). When the drive answers, its
 * serial and model replace what the block layer reported, which moves to
 * id->bridge_serial and id->bridge_model where it differs (a USB bridge's
 * own serial and product name; a model the block layer only cut short is
 * the same model). Sends only IDENTIFY-class commands; a device that answers
 * none (loop, virtio, a bridge without SAT) keeps its identity.
 */
void kesu_drive_adopt_identity(int fd, struct kesu_dev_identity *id);
/* The same with a probe's answers (kesu_drive_inspect()). */
void kesu_drive_adopt_probed(struct kesu_dev_identity *id, const struct kesu_drive *d);
/* The same with a serial and model already read; "" or NULL leaves that one as it is. */
void kesu_drive_adopt_identity_from(struct kesu_dev_identity *id, const char *serial,
				    const char *model, const char *source);

/* The media class from the probe (rotation rate, NVMe) and the identity (transport, removable, rotational). */
enum kesu_media kesu_media_classify(const struct kesu_dev_identity *id, const struct kesu_drive *d);

#endif
