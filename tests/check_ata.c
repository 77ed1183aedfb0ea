/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * ATA: IDENTIFY decoding, HPA from READ NATIVE MAX registers, the SAT CDB
 * builder, sense parsing (descriptor and fixed) and the SG_IO status checks,
 * all on byte arrays the tests build; and SG_IO on a loop device (not ATA).
 */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include <kesu/ata.h>
#include <kesu/sgio.h>

#include "lib/testutil.h"

static uint8_t page[512];

static void page_reset(void)
{
	memset(page, 0, sizeof(page));
	page[0] = 0x40;   /* word 0: an ATA device (bit 15 clear), not blank */
}

static void set_word(unsigned w, uint16_t v)
{
	page[2 * w] = (uint8_t)v;
	page[2 * w + 1] = (uint8_t)(v >> 8);
}

/* An ATA string: two characters per word, the first in the high byte; space padded. */
static void set_string(unsigned first, unsigned nwords, const char *s)
{
	size_t len = strlen(s);

	for (unsigned i = 0; i < nwords * 2; i++) {
		char c = i < len ? s[i] : ' ';
		unsigned byte = 2 * first + (i ^ 1);

		page[byte] = (uint8_t)c;
	}
}

static void set_checksum(void)
{
	uint8_t sum = 0;

	page[510] = 0xa5;
	for (unsigned i = 0; i < 511; i++)
		sum = (uint8_t)(sum + page[i]);
	page[511] = (uint8_t)(0x100 - sum);
}

START_TEST(test_ata_identify_strings)
{
	struct kesu_ata_identify id;

	page_reset();
	set_string(10, 10, "  WD-WCC4E1234567");
	set_string(23, 4, "82.00A82");
	set_string(27, 20, "WDC WD10EZEX-08WN4A0");
	ck_assert_int_eq(kesu_ata_identify_decode(page, &id), 0);
	ck_assert_str_eq(id.serial, "WD-WCC4E1234567");
	ck_assert_str_eq(id.firmware, "82.00A82");
	ck_assert_str_eq(id.model, "WDC WD10EZEX-08WN4A0");
	/* The raw bytes really are swapped: word 27 holds 'W' in its high byte. */
	ck_assert_int_eq(page[54], 'D');
	ck_assert_int_eq(page[55], 'W');
}
END_TEST

START_TEST(test_ata_identify_capacity)
{
	struct kesu_ata_identify id;

	page_reset();
	set_word(83, 0x4000 | 1u << 10);             /* 48-bit supported */
	set_word(100, 0x6789);
	set_word(101, 0x2345);
	set_word(102, 0x0001);
	set_word(60, 0xffff);                        /* 28-bit field: ignored */
	set_word(61, 0x0fff);
	ck_assert_int_eq(kesu_ata_identify_decode(page, &id), 0);
	ck_assert(id.lba48);
	ck_assert_uint_eq(id.capacity_sectors, 0x123456789ull);
	ck_assert_uint_eq(id.logical_sector_size, 512);
	ck_assert_uint_eq(id.physical_sector_size, 512);

	/* Without 48-bit support, words 60-61. */
	set_word(83, 0x4000);
	ck_assert_int_eq(kesu_ata_identify_decode(page, &id), 0);
	ck_assert(!id.lba48);
	ck_assert_uint_eq(id.capacity_sectors, 0x0fffffffull);
}
END_TEST

START_TEST(test_ata_identify_sector_sizes)
{
	struct kesu_ata_identify id;

	page_reset();
	/* Word 106 valid, logical > 256 words, 2^3 logical per physical. */
	set_word(106, 0x4000 | 1u << 12 | 1u << 13 | 3);
	set_word(117, 2048);                          /* in words: 4096 bytes */
	set_word(118, 0);
	ck_assert_int_eq(kesu_ata_identify_decode(page, &id), 0);
	ck_assert_uint_eq(id.logical_sector_size, 4096);
	ck_assert_uint_eq(id.physical_sector_size, 32768);

	/* An invalid word 106 (bits 15:14 not 01) is ignored. */
	set_word(106, 0x8000 | 1u << 12);
	ck_assert_int_eq(kesu_ata_identify_decode(page, &id), 0);
	ck_assert_uint_eq(id.logical_sector_size, 512);
}
END_TEST

START_TEST(test_ata_identify_security_bits)
{
	struct kesu_ata_identify id;
	const unsigned bits[] = { 1, 2, 3, 4, 5, 8 };

	page_reset();
	ck_assert_int_eq(kesu_ata_identify_decode(page, &id), 0);
	ck_assert(!id.security.supported);

	for (unsigned i = 0; i < sizeof(bits) / sizeof(bits[0]); i++) {
		page_reset();
		set_word(82, 1u << 1);
		set_word(128, (uint16_t)(1u << 0 | 1u << bits[i]));
		ck_assert_int_eq(kesu_ata_identify_decode(page, &id), 0);
		ck_assert(id.security.supported);
		ck_assert_int_eq(id.security.enabled, bits[i] == 1);
		ck_assert_int_eq(id.security.locked, bits[i] == 2);
		ck_assert_int_eq(id.security.frozen, bits[i] == 3);
		ck_assert_int_eq(id.security.count_expired, bits[i] == 4);
		ck_assert_int_eq(id.security.enhanced_erase, bits[i] == 5);
		ck_assert_int_eq(id.security.level_max, bits[i] == 8);
	}
}
END_TEST

START_TEST(test_ata_erase_time_bit15)
{
	struct kesu_ata_identify id;

	/* Short format: bits 7:0 only, units of 2 minutes. */
	ck_assert_uint_eq(kesu_ata_erase_time_min(0x001e), 60);
	ck_assert_uint_eq(kesu_ata_erase_time_min(0x7f1e), 60);
	/* Extended format (bit 15): bits 14:0. */
	ck_assert_uint_eq(kesu_ata_erase_time_min(0x8000 | 300), 600);
	ck_assert_uint_eq(kesu_ata_erase_time_min(0x0000), 0);

	page_reset();
	set_word(82, 1u << 1);
	set_word(128, 1u << 0 | 1u << 5);
	set_word(89, 0x0101);                         /* short: 0x01 -> 2 min */
	set_word(90, 0x8101);                         /* extended: 0x101 -> 514 min */
	ck_assert_int_eq(kesu_ata_identify_decode(page, &id), 0);
	ck_assert_uint_eq(id.security.erase_time_normal_min, 2);
	ck_assert_uint_eq(id.security.erase_time_enhanced_min, 514);
}
END_TEST

START_TEST(test_ata_identify_sanitize_bits)
{
	struct kesu_ata_identify id;

	page_reset();
	set_word(59, 1u << 13 | 1u << 14 | 1u << 15 | 1u << 10);  /* bit 12 clear: none counts */
	ck_assert_int_eq(kesu_ata_identify_decode(page, &id), 0);
	ck_assert(!id.sanitize.supported);
	ck_assert(!id.sanitize.crypto && !id.sanitize.block && !id.sanitize.overwrite);

	for (unsigned b = 10; b <= 15; b++) {
		if (b == 11 || b == 12)
			continue;
		page_reset();
		set_word(59, (uint16_t)(1u << 12 | 1u << b));
		ck_assert_int_eq(kesu_ata_identify_decode(page, &id), 0);
		ck_assert(id.sanitize.supported);
		ck_assert_int_eq(id.sanitize.antifreeze, b == 10);
		ck_assert_int_eq(id.sanitize.crypto, b == 13);
		ck_assert_int_eq(id.sanitize.overwrite, b == 14);
		ck_assert_int_eq(id.sanitize.block, b == 15);
	}
}
END_TEST

START_TEST(test_ata_identify_hidden_area_bits)
{
	struct kesu_ata_identify id;

	page_reset();
	set_word(82, 1u << 10);
	set_word(83, 0x4000 | 1u << 11);
	set_word(85, 1u << 10);
	set_word(119, 0x4000 | 1u << 8);
	set_word(217, 1);
	ck_assert_int_eq(kesu_ata_identify_decode(page, &id), 0);
	ck_assert(id.hpa_supported && id.hpa_enabled && id.dco_supported && id.amac_supported);
	ck_assert_uint_eq(id.rotation_rate, 1);

	page_reset();
	set_word(83, 1u << 11);                       /* word 83 not valid: DCO not claimed */
	set_word(119, 1u << 8);
	set_word(217, 7200);
	ck_assert_int_eq(kesu_ata_identify_decode(page, &id), 0);
	ck_assert(!id.hpa_supported && !id.dco_supported && !id.amac_supported);
	ck_assert_uint_eq(id.rotation_rate, 7200);
}
END_TEST

START_TEST(test_ata_identify_rejects_non_ata)
{
	struct kesu_ata_identify id;

	memset(page, 0, sizeof(page));
	ck_assert_int_eq(kesu_ata_identify_decode(page, &id), -KESU_E_UNSUPPORTED);
	memset(page, 0xff, sizeof(page));
	ck_assert_int_eq(kesu_ata_identify_decode(page, &id), -KESU_E_UNSUPPORTED);
	page_reset();
	set_word(0, 0x8580);                          /* ATAPI */
	ck_assert_int_eq(kesu_ata_identify_decode(page, &id), -KESU_E_UNSUPPORTED);
}
END_TEST

START_TEST(test_ata_identify_checksum)
{
	struct kesu_ata_identify id;

	page_reset();
	set_string(27, 20, "MODEL");
	ck_assert_int_eq(kesu_ata_identify_decode(page, &id), 0);
	ck_assert_int_eq(id.checksum, KESU_ATA_CHECKSUM_ABSENT);
	set_checksum();
	ck_assert_int_eq(kesu_ata_identify_decode(page, &id), 0);
	ck_assert_int_eq(id.checksum, KESU_ATA_CHECKSUM_OK);
	page[100] ^= 0x01;
	ck_assert_int_eq(kesu_ata_identify_decode(page, &id), 0);
	ck_assert_int_eq(id.checksum, KESU_ATA_CHECKSUM_BAD);
}
END_TEST

static size_t build_descriptor_sense(uint8_t *sb, uint8_t key, uint8_t asc, uint8_t ascq,
				     uint8_t status, uint8_t error, bool ext);

START_TEST(test_ata_hpa_from_native_max)
{
	struct kesu_ata_regs r = { .valid = true, .ext = true, .status = 0x50 };
	struct kesu_ata_hpa h;

	/* IDENTIFY says 1,000,000 sectors; READ NATIVE MAX says the last LBA is 1,000,999. */
	r.lba = 1000999;
	ck_assert_int_eq(kesu_ata_hpa_from_regs(1000000, &r, &h), 0);
	ck_assert(h.valid);
	ck_assert_uint_eq(h.current_max_lba, 999999);
	ck_assert_uint_eq(h.native_max_lba, 1000999);
	ck_assert_uint_eq(h.hidden_sectors, 1000);

	r.lba = 999999;
	ck_assert_int_eq(kesu_ata_hpa_from_regs(1000000, &r, &h), 0);
	ck_assert_uint_eq(h.hidden_sectors, 0);

	r.upper_unknown = true;
	ck_assert_int_eq(kesu_ata_hpa_from_regs(1000000, &r, &h), -EINVAL);
	ck_assert(!h.valid);
	r.upper_unknown = false;
	r.valid = false;
	ck_assert_int_eq(kesu_ata_hpa_from_regs(1000000, &r, &h), -EINVAL);

	/* From the bytes a SATL returns for READ NATIVE MAX ADDRESS EXT: LBA 0x665544332211. */
	uint8_t sb[64];
	struct kesu_sense sense;
	size_t n = build_descriptor_sense(sb, 0x01, 0x00, 0x1d, 0x50, 0x00, true);

	ck_assert_int_eq(kesu_sense_parse(sb, n, &sense), 0);
	ck_assert_int_eq(kesu_ata_hpa_from_regs(0x665544332212ull - 4096, &sense.regs, &h), 0);
	ck_assert_uint_eq(h.native_max_lba, 0x665544332211ull);
	ck_assert_uint_eq(h.hidden_sectors, 4096);
}
END_TEST

START_TEST(test_ata_dco_decode)
{
	struct kesu_ata_dco dco;

	page_reset();
	set_word(0, 0x0002);
	set_word(3, 0x5678);
	set_word(4, 0x1234);
	set_checksum();
	ck_assert_int_eq(kesu_ata_dco_decode(page, &dco), 0);
	ck_assert_uint_eq(dco.revision, 2);
	ck_assert_uint_eq(dco.max_lba, 0x12345678ull);
	page[7] ^= 0x10;
	ck_assert_int_eq(kesu_ata_dco_decode(page, &dco), -EINVAL);
}
END_TEST

START_TEST(test_ata_cdb_identify)
{
	static const uint8_t want[16] = { 0x85, 0x08, 0x0e, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0xec, 0 };
	struct kesu_ata_cmd c;
	uint8_t buf[512], cdb[16];

	kesu_ata_cmd_identify(&c, buf);
	ck_assert_int_eq(kesu_ata_cdb16(&c, cdb), 0);
	ck_assert_mem_eq(cdb, want, 16);

	c.data_len = 100;                             /* not whole sectors */
	ck_assert_int_eq(kesu_ata_cdb16(&c, cdb), -EINVAL);
}
END_TEST

START_TEST(test_ata_cdb_read_native_max_ext)
{
	static const uint8_t want[16] = { 0x85, 0x07, 0x20, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x40, 0x27, 0 };
	struct kesu_ata_cmd c;
	uint8_t cdb[16];

	kesu_ata_cmd_read_native_max(&c, true);
	ck_assert_int_eq(kesu_ata_cdb16(&c, cdb), 0);
	ck_assert_mem_eq(cdb, want, 16);
}
END_TEST

START_TEST(test_ata_cdb_sanitize_block_and_crypto)
{
	/* BLOCK ERASE EXT: feature 0x0012, LBA "BkEr" = 0x426B4572, 48-bit non-data. */
	static const uint8_t block[16] = { 0x85, 0x07, 0x20, 0x00, 0x12, 0x00, 0x00,
					   0x42, 0x72, 0x00, 0x45, 0x00, 0x6b, 0x40, 0xb4, 0 };
	struct kesu_ata_sanitize_req req = { .action = KESU_ATA_SANITIZE_CRYPTO_SCRAMBLE };
	struct kesu_ata_cmd c;
	uint8_t cdb[16];

	req.action = KESU_ATA_SANITIZE_BLOCK_ERASE;
	ck_assert_int_eq(kesu_ata_cmd_sanitize(&c, &req), 0);
	ck_assert_int_eq(kesu_ata_cdb16(&c, cdb), 0);
	ck_assert_mem_eq(cdb, block, 16);

	req.action = KESU_ATA_SANITIZE_CRYPTO_SCRAMBLE;
	req.failure_mode = true;
	ck_assert_int_eq(kesu_ata_cmd_sanitize(&c, &req), 0);
	ck_assert_uint_eq(c.lba, KESU_ATA_SANITIZE_KEY_CRYPTO);
	ck_assert_uint_eq(c.feature, 0x0011);
	ck_assert_uint_eq(c.count, 0x0010);

	req.action = KESU_ATA_SANITIZE_STATUS;
	req.failure_mode = false;
	req.clear_failure = true;
	ck_assert_int_eq(kesu_ata_cmd_sanitize(&c, &req), 0);
	ck_assert_uint_eq(c.feature, 0);
	ck_assert_uint_eq(c.count, 0x0001);
	ck_assert(c.want_registers);

	req.action = (enum kesu_ata_sanitize_action)0x99;
	ck_assert_int_eq(kesu_ata_cmd_sanitize(&c, &req), -EINVAL);
}
END_TEST

START_TEST(test_ata_cdb_sanitize_overwrite)
{
	struct kesu_ata_sanitize_req req = {
		.action = KESU_ATA_SANITIZE_OVERWRITE, .pattern = 0xa5a5a5a5, .passes = 3, .invert = true,
	};
	struct kesu_ata_cmd c;
	uint8_t cdb[16];

	ck_assert_int_eq(kesu_ata_cmd_sanitize(&c, &req), 0);
	ck_assert_uint_eq(c.count, 0x0083);
	ck_assert_int_eq(kesu_ata_cdb16(&c, cdb), 0);
	ck_assert_uint_eq(cdb[4], 0x14);
	ck_assert_uint_eq(cdb[6], 0x83);
	ck_assert_uint_eq(cdb[11], 0x4f);             /* LBA 47:40 */
	ck_assert_uint_eq(cdb[9], 0x57);              /* LBA 39:32 */
	ck_assert_uint_eq(cdb[7], 0xa5);
	ck_assert_uint_eq(cdb[8], 0xa5);

	req.passes = 16;                              /* encoded as 0 */
	ck_assert_int_eq(kesu_ata_cmd_sanitize(&c, &req), 0);
	ck_assert_uint_eq(c.count & 0x0f, 0);
	req.passes = 0;
	ck_assert_int_eq(kesu_ata_cmd_sanitize(&c, &req), -EINVAL);
	req.passes = 17;
	ck_assert_int_eq(kesu_ata_cmd_sanitize(&c, &req), -EINVAL);
}
END_TEST

START_TEST(test_ata_security_erase_unit)
{
	struct kesu_ata_password pw;
	struct kesu_ata_identify id;
	struct kesu_ata_cmd c;
	uint8_t buf[512], cdb[16];

	ck_assert_int_eq(kesu_ata_password_set(&pw, "kesu-temp", false), 0);
	pw.enhanced = true;
	kesu_ata_security_payload(KESU_ATA_SEC_ERASE_UNIT, &pw, buf);
	ck_assert_uint_eq(buf[0], 0x02);               /* user password, enhanced */
	ck_assert_uint_eq(buf[1], 0x00);
	ck_assert_mem_eq(buf + 2, "kesu-temp", 9);
	ck_assert_uint_eq(buf[11], 0);

	ck_assert_int_eq(kesu_ata_cmd_security(&c, KESU_ATA_SEC_ERASE_UNIT, buf, 3600000), 0);
	ck_assert_int_eq(kesu_ata_cdb16(&c, cdb), 0);
	ck_assert_uint_eq(cdb[0], 0x85);
	ck_assert_uint_eq(cdb[1], 5 << 1);             /* PIO data-out, 28-bit */
	ck_assert_uint_eq(cdb[2], 0x26);               /* CK_COND, BYT_BLOK, length in COUNT, to device */
	ck_assert_uint_eq(cdb[6], 1);
	ck_assert_uint_eq(cdb[14], 0xf4);
	ck_assert_uint_eq(c.timeout_ms, 3600000);

	/* SET PASSWORD, master: identifier bit 0; ERASE PREPARE takes no data. */
	ck_assert_int_eq(kesu_ata_password_set(&pw, "m", true), 0);
	kesu_ata_security_payload(KESU_ATA_SEC_SET_PASSWORD, &pw, buf);
	ck_assert_uint_eq(buf[0], 0x01);
	ck_assert_int_eq(kesu_ata_cmd_security(&c, KESU_ATA_SEC_ERASE_PREPARE, NULL, 0), 0);
	ck_assert_int_eq(kesu_ata_cdb16(&c, cdb), 0);
	ck_assert_uint_eq(cdb[1], 3 << 1);
	ck_assert_uint_eq(cdb[14], 0xf3);
	ck_assert_int_eq(kesu_ata_cmd_security(&c, KESU_ATA_SEC_UNLOCK, NULL, 0), -EINVAL);
	ck_assert_int_eq(kesu_ata_password_set(&pw, "0123456789012345678901234567890123", false),
			 -EINVAL);

	/* What blocks an erase, from IDENTIFY. */
	memset(&id, 0, sizeof(id));
	ck_assert_int_eq(kesu_ata_security_blocker(&id, false), -KESU_E_UNSUPPORTED);
	id.security.supported = true;
	ck_assert_int_eq(kesu_ata_security_blocker(&id, false), 0);
	ck_assert_int_eq(kesu_ata_security_blocker(&id, true), -KESU_E_UNSUPPORTED);
	id.security.enhanced_erase = true;
	id.security.locked = true;
	ck_assert_int_eq(kesu_ata_security_blocker(&id, true), -KESU_E_LOCKED);
	id.security.frozen = true;
	ck_assert_int_eq(kesu_ata_security_blocker(&id, true), -KESU_E_FROZEN);

	/* Timeout: the estimate plus an hour, or capacity at 30 MB/s plus 30 min. */
	memset(&id, 0, sizeof(id));
	id.capacity_sectors = 1000000;                 /* 512 MB */
	id.logical_sector_size = 512;
	id.security.erase_time_enhanced_min = 120;
	ck_assert_uint_eq(kesu_ata_security_erase_timeout_ms(&id, true), 180u * 60000);
	ck_assert_uint_eq(kesu_ata_security_erase_timeout_ms(&id, false), 60u * 60000);
}
END_TEST

START_TEST(test_ata_sanitize_status_decode)
{
	struct kesu_ata_regs r = { .valid = true, .ext = true, .status = 0x50 };
	struct kesu_ata_sanitize_status st;

	r.count = 0x8000;
	ck_assert_int_eq(kesu_ata_sanitize_status_decode(&r, &st), 0);
	ck_assert(st.completed_ok && !st.in_progress && !st.failed);

	r.count = 0x4000;
	r.lba = 0x8000;
	ck_assert_int_eq(kesu_ata_sanitize_status_decode(&r, &st), 0);
	ck_assert(st.in_progress && !st.completed_ok);
	ck_assert_uint_eq(st.progress, 0x8000);

	r.count = 0x2000;
	r.status = 0x51;
	r.lba = KESU_ATA_SANITIZE_REASON_FROZEN;
	ck_assert_int_eq(kesu_ata_sanitize_status_decode(&r, &st), 0);
	ck_assert(st.failed && st.frozen);
	ck_assert_uint_eq(st.reason, KESU_ATA_SANITIZE_REASON_FROZEN);

	r.upper_unknown = true;
	ck_assert_int_eq(kesu_ata_sanitize_status_decode(&r, &st), -EINVAL);
}
END_TEST

/* Descriptor sense: header, then an Information descriptor, then ATA Status Return. */
static size_t build_descriptor_sense(uint8_t *sb, uint8_t key, uint8_t asc, uint8_t ascq,
				     uint8_t status, uint8_t error, bool ext)
{
	memset(sb, 0, 64);
	sb[0] = 0x72;
	sb[1] = key;
	sb[2] = asc;
	sb[3] = ascq;
	sb[7] = 12 + 14;
	sb[8] = 0x00;                                  /* Information descriptor */
	sb[9] = 0x0a;
	uint8_t *d = sb + 20;
	d[0] = 0x09;
	d[1] = 0x0c;
	d[2] = ext ? 1 : 0;
	d[3] = error;
	d[4] = 0x80;                                   /* count 15:8 */
	d[5] = 0x01;
	d[6] = 0x44;                                   /* LBA 31:24 */
	d[7] = 0x11;
	d[8] = 0x55;                                   /* 39:32 */
	d[9] = 0x22;
	d[10] = 0x66;                                  /* 47:40 */
	d[11] = 0x33;
	d[12] = 0x40;
	d[13] = status;
	return 34;
}

START_TEST(test_ata_sense_descriptor)
{
	struct kesu_sense s;
	uint8_t sb[64];
	size_t n = build_descriptor_sense(sb, 0x01, 0x00, 0x1d, 0x50, 0x00, true);

	ck_assert_int_eq(kesu_sense_parse(sb, n, &s), 0);
	ck_assert_uint_eq(s.response_code, 0x72);
	ck_assert(kesu_sense_is_ata_info(&s));
	ck_assert(s.regs.valid && s.regs.ext);
	ck_assert_uint_eq(s.regs.status, 0x50);
	ck_assert_uint_eq(s.regs.count, 0x8001);
	ck_assert_uint_eq(s.regs.lba, 0x665544332211ull);
	ck_assert_uint_eq(s.regs.device, 0x40);

	/* Cut off inside the ATA descriptor: no registers, no overread. */
	ck_assert_int_eq(kesu_sense_parse(sb, 30, &s), 0);
	ck_assert(!s.regs.valid);

	/* No ATA Status Return descriptor at all. */
	sb[7] = 12;
	ck_assert_int_eq(kesu_sense_parse(sb, n, &s), 0);
	ck_assert(!s.regs.valid);

	/* A 28-bit result: no EXTEND, LBA 27:24 in the device register. */
	n = build_descriptor_sense(sb, 0x01, 0x00, 0x1d, 0x50, 0x00, false);
	sb[20 + 4] = sb[20 + 6] = sb[20 + 8] = sb[20 + 10] = 0;
	sb[20 + 12] = 0x4a;
	ck_assert_int_eq(kesu_sense_parse(sb, n, &s), 0);
	ck_assert(s.regs.valid && !s.regs.ext);
	ck_assert_uint_eq(s.regs.lba, 0x0a332211ull);
	ck_assert_uint_eq(s.regs.count, 0x01);

	ck_assert_int_eq(kesu_sense_parse(sb, 4, &s), -EINVAL);
	sb[0] = 0x7f;
	ck_assert_int_eq(kesu_sense_parse(sb, n, &s), -EINVAL);
}
END_TEST

START_TEST(test_ata_sense_fixed)
{
	struct kesu_sense s;
	uint8_t sb[18];

	memset(sb, 0, sizeof(sb));
	sb[0] = 0x80 | 0x70;                           /* VALID, current, fixed */
	sb[2] = 0x01;                                  /* RECOVERED ERROR */
	sb[3] = 0x00;                                  /* error */
	sb[4] = 0x50;                                  /* status */
	sb[5] = 0x40;                                  /* device */
	sb[6] = 0x07;                                  /* count 7:0 */
	sb[7] = 10;
	sb[8] = 0x80;                                  /* EXTEND */
	sb[9] = 0x11;
	sb[10] = 0x22;
	sb[11] = 0x33;
	sb[12] = 0x00;
	sb[13] = 0x1d;
	ck_assert_int_eq(kesu_sense_parse(sb, sizeof(sb), &s), 0);
	ck_assert_uint_eq(s.response_code, 0x70);
	ck_assert(kesu_sense_is_ata_info(&s));
	ck_assert(s.regs.valid && s.regs.ext && !s.regs.upper_unknown);
	ck_assert_uint_eq(s.regs.status, 0x50);
	ck_assert_uint_eq(s.regs.count, 0x07);
	ck_assert_uint_eq(s.regs.lba, 0x332211);

	/* Upper LBA bytes nonzero but not given: flagged, not invented. */
	sb[8] = 0x80 | 0x20;
	ck_assert_int_eq(kesu_sense_parse(sb, sizeof(sb), &s), 0);
	ck_assert(s.regs.upper_unknown);

	/* An ILLEGAL REQUEST without VALID: no ATA registers. */
	sb[0] = 0x70;
	sb[2] = 0x05;
	sb[12] = 0x20;
	sb[13] = 0x00;
	ck_assert_int_eq(kesu_sense_parse(sb, sizeof(sb), &s), 0);
	ck_assert(!s.regs.valid);
	ck_assert_uint_eq(s.key, 0x05);
	ck_assert_uint_eq(s.asc, 0x20);

	ck_assert_int_eq(kesu_sense_parse(sb, 10, &s), -EINVAL);
}
END_TEST

START_TEST(test_ata_sgio_status_checks)
{
	struct kesu_sgio_outcome o;
	struct kesu_ata_regs r;
	uint8_t sb[64];
	size_t n;

	memset(&o, 0, sizeof(o));
	ck_assert_int_eq(kesu_sgio_check(&o, &r), 0);          /* GOOD, nothing more */
	ck_assert(!r.valid);

	n = build_descriptor_sense(sb, 0x01, 0x00, 0x1d, 0x50, 0x00, true);
	o.status = 0x02;
	o.driver_status = 0x08;                                 /* DRIVER_SENSE: fine */
	o.sense = sb;
	o.sense_len = n;
	ck_assert_int_eq(kesu_sgio_check(&o, &r), 0);
	ck_assert(r.valid);
	ck_assert_uint_eq(r.lba, 0x665544332211ull);

	/* The drive aborted: ERR in status, ABRT in error; registers still returned. */
	n = build_descriptor_sense(sb, 0x0b, 0x00, 0x00, 0x51, 0x04, true);
	o.sense_len = n;
	ck_assert_int_eq(kesu_sgio_check(&o, &r), -KESU_E_DEV_ABORT);
	ck_assert(r.valid);
	ck_assert_uint_eq(r.error, 0x04);

	/* A SATL that refuses ATA PASS-THROUGH: ILLEGAL REQUEST, invalid opcode, no registers. */
	memset(sb, 0, sizeof(sb));
	sb[0] = 0x72;
	sb[1] = 0x05;
	sb[2] = 0x20;
	o.sense_len = 8;
	ck_assert_int_eq(kesu_sgio_check(&o, &r), -KESU_E_NO_TRANSPORT);

	/* CHECK CONDITION without sense data. */
	o.sense_len = 0;
	ck_assert_int_eq(kesu_sgio_check(&o, &r), -EIO);

	/* Fixed-format sense with the drive's registers (VALID set): an abort is an abort. */
	memset(sb, 0, sizeof(sb));
	sb[0] = 0xf0;
	sb[2] = 0x0b;
	sb[3] = 0x04;                                           /* error: ABRT */
	sb[4] = 0x51;                                           /* status: ERR */
	sb[7] = 10;
	o.sense_len = 18;
	ck_assert_int_eq(kesu_sgio_check(&o, &r), -KESU_E_DEV_ABORT);
	ck_assert(r.valid);
	ck_assert_uint_eq(r.error, 0x04);

	/* Transport layers. */
	o.status = 0;
	o.host_status = 0x03;
	ck_assert_int_eq(kesu_sgio_check(&o, &r), -KESU_E_TIMEOUT);
	o.host_status = 0x01;
	ck_assert_int_eq(kesu_sgio_check(&o, &r), -KESU_E_GONE);
	o.host_status = 0x07;
	ck_assert_int_eq(kesu_sgio_check(&o, &r), -EIO);
	o.host_status = 0;
	o.driver_status = 0x06;
	ck_assert_int_eq(kesu_sgio_check(&o, &r), -KESU_E_TIMEOUT);
	o.driver_status = 0;
	o.status = 0x08;
	ck_assert_int_eq(kesu_sgio_check(&o, &r), -EBUSY);
}
END_TEST

/* A loop device and an image file take no SCSI commands: "not ATA", not an error. */
START_TEST(test_ata_sgio_loop_not_ata)
{
	char dev[64], img[4096];
	struct kesu_ata_identify id;
	struct kesu_errbuf eb;
	uint8_t buf[512];
	int fd;

	if (tu_skip_unless_root(__func__))
		return;
	ck_assert_int_eq(tu_loop_create(8u << 20, dev, sizeof(dev), img, sizeof(img)), 0);
	fd = open(dev, O_RDONLY | O_NONBLOCK);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(kesu_ata_identify(fd, buf, &id, &eb), -KESU_E_NO_TRANSPORT);
	close(fd);

	fd = open(img, O_RDONLY);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(kesu_ata_identify(fd, buf, &id, &eb), -KESU_E_NO_TRANSPORT);
	close(fd);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("ata");
	struct tu_case tests[] = {
		{ "identify_strings", test_ata_identify_strings },
		{ "identify_capacity", test_ata_identify_capacity },
		{ "identify_sector_sizes", test_ata_identify_sector_sizes },
		{ "identify_security_bits", test_ata_identify_security_bits },
		{ "erase_time_bit15", test_ata_erase_time_bit15 },
		{ "identify_sanitize_bits", test_ata_identify_sanitize_bits },
		{ "identify_hidden_area_bits", test_ata_identify_hidden_area_bits },
		{ "identify_rejects_non_ata", test_ata_identify_rejects_non_ata },
		{ "identify_checksum", test_ata_identify_checksum },
		{ "hpa_from_native_max", test_ata_hpa_from_native_max },
		{ "dco_decode", test_ata_dco_decode },
		{ "cdb_identify", test_ata_cdb_identify },
		{ "cdb_read_native_max_ext", test_ata_cdb_read_native_max_ext },
		{ "cdb_sanitize_block_and_crypto", test_ata_cdb_sanitize_block_and_crypto },
		{ "cdb_sanitize_overwrite", test_ata_cdb_sanitize_overwrite },
		{ "security_erase_unit", test_ata_security_erase_unit },
		{ "sanitize_status_decode", test_ata_sanitize_status_decode },
		{ "sense_descriptor", test_ata_sense_descriptor },
		{ "sense_fixed", test_ata_sense_fixed },
		{ "sgio_status_checks", test_ata_sgio_status_checks },
		{ "sgio_loop_not_ata", test_ata_sgio_loop_not_ata },
	};

	TU_ADD_CASES(s, tests, 0);
	return tu_main(s);
}
