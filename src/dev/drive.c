/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Probe a device for NVMe and ATA identity; classify its media. */
#include <kesu/drive.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

const char *kesu_drive_proto_name(enum kesu_drive_proto p)
{
	switch (p) {
	case KESU_DRIVE_ATA: return "ata";
	case KESU_DRIVE_NVME: return "nvme";
	case KESU_DRIVE_MMC: return "mmc";
	case KESU_DRIVE_SCSI: return "scsi";
	case KESU_DRIVE_NONE: break;
	}
	return "none";
}

const char *kesu_media_name(enum kesu_media m)
{
	switch (m) {
	case KESU_MEDIA_HDD: return "hdd";
	case KESU_MEDIA_SSD: return "ssd";
	case KESU_MEDIA_FLASH: return "flash";
	case KESU_MEDIA_UNKNOWN: break;
	}
	return "unknown";
}

/* Keep the first error worth telling: "not this protocol" is not one. */
static void note_error(struct kesu_drive *d, int rc, const struct kesu_errbuf *eb)
{
	if (rc == -KESU_E_NO_TRANSPORT || d->probe_err)
		return;
	d->probe_err = rc;
	snprintf(d->probe_note, sizeof(d->probe_note), "%s", eb->msg[0] ? eb->msg : kesu_strerror(rc));
}

static int probe_nvme(int fd, struct kesu_drive *d)
{
	struct kesu_errbuf eb;
	int rc;

	kesu_err_clear(&eb);
	rc = kesu_nvme_probe(fd, &d->nsid, &eb);
	if (rc == 0)
		rc = kesu_nvme_identify_ctrl(fd, &d->nvme, NULL, &eb);
	if (rc) {
		note_error(d, rc, &eb);
		return rc;
	}
	d->proto = KESU_DRIVE_NVME;
	kesu_err_clear(&eb);
	rc = kesu_nvme_identify_ns(fd, d->nsid, &d->nvme_ns, NULL, &eb);
	if (rc)
		note_error(d, rc, &eb);
	d->nvme_ns_valid = rc == 0;
	return 0;
}

static void probe_dco(int fd, struct kesu_drive *d)
{
	uint8_t page[KESU_ATA_IDENTIFY_LEN];
	struct kesu_ata_cmd c;

	memset(page, 0, sizeof(page));
	kesu_ata_cmd_dco_identify(&c, page);
	/* A frozen DCO aborts the command: not an error for the probe. */
	if (kesu_sgio_ata(fd, &c, NULL, NULL) == 0)
		d->dco_valid = kesu_ata_dco_decode(page, &d->dco) == 0;
}

static int probe_ata(int fd, struct kesu_drive *d)
{
	struct kesu_errbuf eb;
	int rc;

	kesu_err_clear(&eb);
	rc = kesu_ata_identify(fd, d->ata_identify_raw, &d->ata, &eb);
	if (rc) {
		note_error(d, rc, &eb);
		return rc;
	}
	d->proto = KESU_DRIVE_ATA;
	if (d->ata.hpa_supported || d->ata.amac_supported)
		(void)kesu_ata_read_hpa(fd, &d->ata, &d->hpa, NULL);  /* hpa.valid says */
	if (d->ata.dco_supported)
		probe_dco(fd, d);
	return 0;
}

static int probe_mmc(int fd, const struct kesu_dev_identity *id, struct kesu_drive *d)
{
	struct kesu_errbuf eb;
	int rc;

	kesu_err_clear(&eb);
	rc = kesu_mmc_probe(fd, id->name, &d->mmc, &eb);
	if (rc) {
		note_error(d, rc, &eb);
		return rc;
	}
	d->proto = KESU_DRIVE_MMC;
	return 0;
}

/* A SCSI block device that is no ATA disk behind SAT (those answered IDENTIFY already). */
static int probe_scsi(int fd, struct kesu_drive *d)
{
	struct kesu_errbuf eb;
	int rc;

	kesu_err_clear(&eb);
	rc = kesu_scsi_probe(fd, &d->scsi, &eb);
	if (rc) {
		note_error(d, rc, &eb);
		return rc;
	}
	if (d->scsi.sat)
		return -KESU_E_NO_TRANSPORT;
	d->proto = KESU_DRIVE_SCSI;
	return 0;
}

/* Does the drive claim TCG security? ATA IDENTIFY word 48 bit 0 (bits 15:14 = 01b), NVMe OACS bit 0. */
static bool tcg_claimed(const struct kesu_drive *d)
{
	uint16_t w48 = (uint16_t)(d->ata_identify_raw[96] | d->ata_identify_raw[97] << 8);

	if (d->proto == KESU_DRIVE_NVME)
		return d->nvme.oacs & 1u;
	if (d->proto == KESU_DRIVE_ATA)
		return (w48 & 0xc000) == 0x4000 && (w48 & 1u);
	return false;
}

static void probe_opal(int fd, const struct kesu_dev_identity *id, struct kesu_drive *d)
{
	enum kesu_opal_transport tr = d->proto == KESU_DRIVE_NVME ? KESU_OPAL_TR_NVME :
				      d->proto == KESU_DRIVE_ATA ? KESU_OPAL_TR_ATA :
				      d->proto == KESU_DRIVE_MMC ? KESU_OPAL_TR_NONE : KESU_OPAL_TR_SCSI;

	(void)kesu_opal_probe(fd, id->is_image ? KESU_OPAL_TR_NONE : tr, tcg_claimed(d), &d->opal);
}

void kesu_drive_opal_refresh(int fd, const struct kesu_dev_identity *id, struct kesu_drive *d)
{
	probe_opal(fd, id, d);
}

int kesu_drive_probe(int fd, const struct kesu_dev_identity *id, struct kesu_drive *d)
{
	memset(d, 0, sizeof(*d));
	/* A regular file answers no device ioctl: nothing to ask. */
	if (!id->is_image) {
		if (probe_nvme(fd, d) != 0 && probe_ata(fd, d) != 0 && probe_mmc(fd, id, d) != 0)
			(void)probe_scsi(fd, d);
	}
	if (d->proto != KESU_DRIVE_NONE) {
		d->probe_err = 0;
		d->probe_note[0] = '\0';
	}
	probe_opal(fd, id, d);
	d->media = kesu_media_classify(id, d);
	return 0;
}

int kesu_drive_inspect(const struct kesu_dev_identity *id, struct kesu_drive *d)
{
	int fd = open(id->path, O_RDONLY | O_NONBLOCK | O_CLOEXEC), err;

	if (fd >= 0) {
		(void)kesu_drive_probe(fd, id, d);
		close(fd);
		return 0;
	}
	err = errno;
	memset(d, 0, sizeof(*d));
	d->probe_err = -err;
	snprintf(d->probe_note, sizeof(d->probe_note), "cannot open %.900s: %s", id->path,
		 strerror(err));
	d->media = kesu_media_classify(id, d);
	return -err;
}

/* The drive's own serial, model and their source as IDENTIFY gives them:
 * NVMe first, then ATA through SAT, then SCSI VPD 0x80 (serial only: the
 * block layer's model already is the SCSI INQUIRY's). */
static void drive_identity(int fd, char *serial, size_t serial_len, char *model,
			   size_t model_len, const char **source)
{
	struct kesu_nvme_ctrl c;
	struct kesu_ata_identify a;
	uint8_t page[KESU_ATA_IDENTIFY_LEN];
	uint32_t nsid;

	serial[0] = model[0] = '\0';
	*source = "";
	if (kesu_nvme_probe(fd, &nsid, NULL) == 0 && kesu_nvme_identify_ctrl(fd, &c, NULL, NULL) == 0) {
		snprintf(serial, serial_len, "%s", c.serial);
		snprintf(model, model_len, "%s", c.model);
		*source = "nvme-identify";
	} else if (kesu_ata_identify(fd, page, &a, NULL) == 0) {
		snprintf(serial, serial_len, "%s", a.serial);
		snprintf(model, model_len, "%s", a.model);
		*source = "ata-identify";
	} else if (kesu_scsi_serial(fd, serial, serial_len) == 0) {
		*source = "scsi-vpd80";
	}
}

/* The block layer's model is the drive's when it is the drive's cut short
 * (libata and many bridges pass the first 16 characters on as INQUIRY's). */
static bool same_model(const char *block_model, const char *drive_model)
{
	size_t n = strlen(block_model);

	while (n && block_model[n - 1] == ' ')
		n--;
	return n && !strncmp(block_model, drive_model, n);
}

void kesu_drive_adopt_identity_from(struct kesu_dev_identity *id, const char *serial,
				    const char *model, const char *source)
{
	if (serial && *serial) {
		if (id->serial[0] && strcmp(id->serial, serial))
			snprintf(id->bridge_serial, sizeof(id->bridge_serial), "%s", id->serial);
		snprintf(id->serial, sizeof(id->serial), "%s", serial);
		snprintf(id->serial_source, sizeof(id->serial_source), "%s", source);
	}
	if (model && *model) {
		if (id->model[0] && !same_model(id->model, model))
			snprintf(id->bridge_model, sizeof(id->bridge_model), "%s", id->model);
		snprintf(id->model, sizeof(id->model), "%s", model);
	}
}

void kesu_drive_adopt_identity(int fd, struct kesu_dev_identity *id)
{
	char serial[sizeof(id->serial)], model[sizeof(id->model)];
	const char *source;

	if (id->is_image)
		return;
	drive_identity(fd, serial, sizeof(serial), model, sizeof(model), &source);
	kesu_drive_adopt_identity_from(id, serial, model, source);
}

void kesu_drive_adopt_probed(struct kesu_dev_identity *id, const struct kesu_drive *d)
{
	switch (d->proto) {
	case KESU_DRIVE_NVME:
		kesu_drive_adopt_identity_from(id, d->nvme.serial, d->nvme.model, "nvme-identify");
		break;
	case KESU_DRIVE_ATA:
		kesu_drive_adopt_identity_from(id, d->ata.serial, d->ata.model, "ata-identify");
		break;
	case KESU_DRIVE_SCSI:
		kesu_drive_adopt_identity_from(id, d->scsi.serial, NULL, "scsi-vpd80");
		break;
	case KESU_DRIVE_MMC:
	case KESU_DRIVE_NONE:
		break;
	}
}

enum kesu_media kesu_media_classify(const struct kesu_dev_identity *id, const struct kesu_drive *d)
{
	switch (d->proto) {
	case KESU_DRIVE_NVME:
		return KESU_MEDIA_SSD;
	case KESU_DRIVE_ATA:
		/* Word 217: 1 = non-rotating; 0x0401..0xFFFE = rpm; else not reported. */
		if (d->ata.rotation_rate == 1)
			return KESU_MEDIA_SSD;
		if (d->ata.rotation_rate >= 0x0401 && d->ata.rotation_rate != 0xffff)
			return KESU_MEDIA_HDD;
		return id->rotational ? KESU_MEDIA_HDD : KESU_MEDIA_SSD;
	case KESU_DRIVE_MMC:
		return KESU_MEDIA_FLASH;
	case KESU_DRIVE_SCSI:
		/* A USB stick answers SCSI too: it stays flash. Else VPD 0xB1's rotation
		 * rate (coded as ATA word 217); without it, as a device that answered nothing. */
		if (id->transport == KESU_TR_USB && id->removable)
			return KESU_MEDIA_FLASH;
		if (d->scsi.bdc_valid && d->scsi.bdc.rotation_rate == 1)
			return KESU_MEDIA_SSD;
		if (d->scsi.bdc_valid && d->scsi.bdc.rotation_rate >= 0x0401 &&
		    d->scsi.bdc.rotation_rate != 0xffff)
			return KESU_MEDIA_HDD;
		break;
	case KESU_DRIVE_NONE:
		break;
	}
	/*
	 * No drive answered: a memory card, or a USB stick (they often claim
	 * rotational, and some say fixed but not rotating).
	 */
	if (id->transport == KESU_TR_MMC)
		return KESU_MEDIA_FLASH;
	if (id->transport == KESU_TR_USB && (id->removable || !id->rotational))
		return KESU_MEDIA_FLASH;
	return KESU_MEDIA_UNKNOWN;
}
