/* SPDX-License-Identifier: GPL-2.0-or-later */
/* HPA, DCO and AMAC: detect sectors hidden from the host, and restore them (hidden.h). */
#include <kesu/firmware.h>
#include <kesu/hidden.h>

#include <stdio.h>
#include <string.h>

void kesu_hidden_detect(const struct kesu_drive *d, struct kesu_hidden *h)
{
	const struct kesu_ata_identify *a = &d->ata;
	bool can_hide;

	memset(h, 0, sizeof(*h));
	if (d->proto != KESU_DRIVE_ATA || a->capacity_sectors == 0)
		return;
	can_hide = a->hpa_supported || a->amac_supported || a->dco_supported;
	h->current_max_lba = a->capacity_sectors - 1;
	h->native_max_lba = h->current_max_lba;
	h->amac = a->amac_supported;
	if (d->hpa.valid) {
		h->native_max_lba = d->hpa.native_max_lba;
		h->hpa = d->hpa.native_max_lba > h->current_max_lba;
	}
	h->factory_max_lba = h->native_max_lba;
	if (d->dco_valid && d->dco.max_lba > h->native_max_lba) {
		h->factory_max_lba = d->dco.max_lba;
		h->dco = true;
	}
	/* A drive with a hiding feature whose native max could not be read: unknown. */
	h->checked = !can_hide || d->hpa.valid || d->dco_valid;
	if (h->factory_max_lba > h->current_max_lba) {
		h->hidden_first_lba = h->current_max_lba + 1;
		h->hidden_sectors = h->factory_max_lba - h->current_max_lba;
	}
}

void kesu_hidden_describe(const struct kesu_hidden *h, char *buf, size_t len)
{
	if (!h->checked) {
		snprintf(buf, len, "the drive supports HPA/DCO/AMAC but its native max could not be read");
		return;
	}
	if (!h->hidden_sectors) {
		snprintf(buf, len, "none");
		return;
	}
	snprintf(buf, len, "LBA %llu..%llu (%llu sectors) hidden by %s%s%s",
		 (unsigned long long)h->hidden_first_lba, (unsigned long long)h->factory_max_lba,
		 (unsigned long long)h->hidden_sectors,
		 h->hpa ? (h->amac ? "AMAC" : "HPA") : "",
		 h->hpa && h->dco ? " and " : "", h->dco ? "DCO" : "");
}

static int send(int fd, struct kesu_ata_cmd *c, const char *name, struct kesu_result *r,
		const char *detail, struct kesu_errbuf *eb)
{
	int rc = kesu_sgio_ata(fd, c, NULL, eb);

	if (r)
		kesu_fw_log_command(r, name, rc, detail);
	return rc;
}

static int restore_hpa(int fd, const struct kesu_drive *d, const struct kesu_hidden *h,
		       struct kesu_result *r, struct kesu_errbuf *eb)
{
	struct kesu_ata_cmd c;
	char detail[96];
	int rc;

	snprintf(detail, sizeof(detail), "max LBA %llu (was %llu)",
		 (unsigned long long)h->native_max_lba, (unsigned long long)h->current_max_lba);
	if (h->amac) {
		kesu_ata_cmd_set_accessible_max_amac(&c, h->native_max_lba);
		return send(fd, &c, "SET ACCESSIBLE MAX ADDRESS EXT", r, detail, eb);
	}
	if (!d->ata.lba48)
		return kesu_err_set(eb, -KESU_E_UNSUPPORTED,
				    "the drive has a 28-bit HPA; kesu restores 48-bit drives only");
	/* SET MAX must directly follow READ NATIVE MAX. Volatile: a power cycle brings the old limit back. */
	kesu_ata_cmd_read_native_max(&c, true);
	rc = send(fd, &c, "READ NATIVE MAX ADDRESS EXT", r, "", eb);
	if (rc == 0) {
		kesu_ata_cmd_set_max_address_ext(&c, h->native_max_lba, false);
		rc = send(fd, &c, "SET MAX ADDRESS EXT", r, detail, eb);
	}
	return rc;
}

static void reprobe(int fd, struct kesu_drive *d, struct kesu_errbuf *eb)
{
	uint8_t page[KESU_ATA_IDENTIFY_LEN];
	struct kesu_ata_cmd c;

	if (kesu_ata_identify(fd, d->ata_identify_raw, &d->ata, eb) != 0)
		return;
	memset(&d->hpa, 0, sizeof(d->hpa));
	if (d->ata.hpa_supported || d->ata.amac_supported)
		(void)kesu_ata_read_hpa(fd, &d->ata, &d->hpa, NULL);
	d->dco_valid = false;
	if (d->ata.dco_supported) {
		memset(page, 0, sizeof(page));
		kesu_ata_cmd_dco_identify(&c, page);
		if (kesu_sgio_ata(fd, &c, NULL, NULL) == 0)
			d->dco_valid = kesu_ata_dco_decode(page, &d->dco) == 0;
	}
}

int kesu_hidden_restore(int fd, struct kesu_drive *d, struct kesu_hidden *h,
			struct kesu_result *r, struct kesu_errbuf *eb)
{
	struct kesu_ata_cmd c;
	char desc[160];
	int rc = 0;

	if (h->hpa)
		rc = restore_hpa(fd, d, h, r, eb);
	if (rc == 0 && h->dco) {
		kesu_ata_cmd_dco_restore(&c);
		rc = send(fd, &c, "DEVICE CONFIGURATION RESTORE", r, "factory capacity", eb);
	}
	reprobe(fd, d, NULL);
	kesu_hidden_detect(d, h);
	if (rc < 0)
		return rc;
	if (h->hidden_sectors) {
		kesu_hidden_describe(h, desc, sizeof(desc));
		return kesu_err_set(eb, -KESU_E_HIDDEN_AREA, "after restoring, still %s", desc);
	}
	return 0;
}
