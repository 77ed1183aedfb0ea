/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * libFuzzer target for what drives send back: sense data (descriptor and
 * fixed format, through kesu_sgio_check), IDENTIFY DEVICE and DCO pages, NVMe
 * Identify Controller/Namespace pages and the Sanitize Status log. A drive
 * or a bridge can return anything; nothing may crash, overread or leak.
 *
 * The first input byte chooses the decoder; the rest is the data (short
 * pages are zero-padded, as a short transfer would leave them).
 *   build-fuzz/fuzz_drive -max_total_time=30
 */
#include <kesu/ata.h>
#include <kesu/nvme.h>
#include <kesu/sgio.h>

#include <stddef.h>
#include <stdint.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void fuzz_sense(const uint8_t *d, size_t n, uint8_t status)
{
	struct kesu_sgio_outcome o = { .status = status, .sense = d, .sense_len = n };
	struct kesu_ata_sanitize_status st;
	struct kesu_ata_regs regs;
	struct kesu_ata_hpa hpa;

	(void)kesu_sgio_check(&o, &regs);
	(void)kesu_ata_sanitize_status_decode(&regs, &st);
	(void)kesu_ata_hpa_from_regs(1000, &regs, &hpa);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t page[KESU_NVME_IDENTIFY_LEN];
	struct kesu_ata_identify id;
	struct kesu_ata_dco dco;
	struct kesu_nvme_ctrl ctrl;
	struct kesu_nvme_ns ns;
	struct kesu_nvme_sanitize_log log;
	size_t n;

	if (size < 1)
		return 0;
	n = size - 1;
	memset(page, 0, sizeof(page));
	memcpy(page, data + 1, n < sizeof(page) ? n : sizeof(page));
	switch (data[0] % 6) {
	case 0:
		fuzz_sense(data + 1, n, 0x02);  /* exact length: the parser must not overread */
		break;
	case 1:
		fuzz_sense(data + 1, n, 0x00);
		break;
	case 2:
		(void)kesu_ata_identify_decode(page, &id);
		(void)kesu_ata_dco_decode(page, &dco);
		break;
	case 3:
		(void)kesu_nvme_ctrl_decode(page, &ctrl);
		break;
	case 4:
		(void)kesu_nvme_ns_decode(page, &ns);
		break;
	default:
		(void)kesu_nvme_sanitize_log_decode(page, &log);
		break;
	}
	return 0;
}
