/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * NVMe: the Identify Controller and Identify Namespace decoders on 4096-byte
 * buffers the tests build, status mapping, and NVME_IOCTL_ID on a loop device.
 */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include <kesu/nvme.h>

#include "lib/testutil.h"

static uint8_t buf[KESU_NVME_IDENTIFY_LEN];

static void put16(size_t off, uint16_t v)
{
	buf[off] = (uint8_t)v;
	buf[off + 1] = (uint8_t)(v >> 8);
}

static void put32(size_t off, uint32_t v)
{
	put16(off, (uint16_t)v);
	put16(off + 2, (uint16_t)(v >> 16));
}

static void put64(size_t off, uint64_t v)
{
	put32(off, (uint32_t)v);
	put32(off + 4, (uint32_t)(v >> 32));
}

/* Space-padded ASCII, as NVMe stores sn/mn/fr (no byte swapping). */
static void put_ascii(size_t off, size_t len, const char *s)
{
	size_t n = strlen(s);

	memset(buf + off, ' ', len);
	memcpy(buf + off, s, n < len ? n : len);
}

static void ctrl_base(void)
{
	memset(buf, 0, sizeof(buf));
	put16(0, 0x144d);
	put_ascii(4, 20, "S4EWNX0R123456");
	put_ascii(24, 40, "Samsung SSD 980 PRO 1TB");
	put_ascii(64, 8, "5B2QGXA7");
	buf[77] = 9;
	put32(80, 0x00010400);
	put32(516, 1);
}

START_TEST(test_nvme_ctrl_identity)
{
	struct kesu_nvme_ctrl c;

	ctrl_base();
	ck_assert_int_eq(kesu_nvme_ctrl_decode(buf, &c), 0);
	ck_assert_uint_eq(c.vid, 0x144d);
	ck_assert_str_eq(c.serial, "S4EWNX0R123456");
	ck_assert_str_eq(c.model, "Samsung SSD 980 PRO 1TB");
	ck_assert_str_eq(c.firmware, "5B2QGXA7");
	ck_assert_uint_eq(c.mdts, 9);
	ck_assert_uint_eq(c.version, 0x00010400);
	ck_assert_uint_eq(c.nn, 1);
	ck_assert(!c.oacs_format && !c.sanicap.crypto && !c.fna.crypto_erase);
}
END_TEST

START_TEST(test_nvme_ctrl_oacs)
{
	struct kesu_nvme_ctrl c;

	ctrl_base();
	put16(256, 0x0002);
	ck_assert_int_eq(kesu_nvme_ctrl_decode(buf, &c), 0);
	ck_assert(c.oacs_format && !c.oacs_ns_mgmt);
	put16(256, 0x0008 | 0x0001 | 0x0004);          /* everything but Format */
	ck_assert_int_eq(kesu_nvme_ctrl_decode(buf, &c), 0);
	ck_assert(!c.oacs_format && c.oacs_ns_mgmt);
	ck_assert_uint_eq(c.oacs, 0x000d);
}
END_TEST

START_TEST(test_nvme_ctrl_sanicap)
{
	struct kesu_nvme_ctrl c;

	ctrl_base();
	put32(328, 1u << 0);
	ck_assert_int_eq(kesu_nvme_ctrl_decode(buf, &c), 0);
	ck_assert(c.sanicap.crypto && !c.sanicap.block && !c.sanicap.overwrite);
	put32(328, 1u << 1);
	ck_assert_int_eq(kesu_nvme_ctrl_decode(buf, &c), 0);
	ck_assert(!c.sanicap.crypto && c.sanicap.block && !c.sanicap.overwrite);
	put32(328, 1u << 2);
	ck_assert_int_eq(kesu_nvme_ctrl_decode(buf, &c), 0);
	ck_assert(!c.sanicap.crypto && !c.sanicap.block && c.sanicap.overwrite);
	put32(328, 1u << 29 | 2u << 30);
	ck_assert_int_eq(kesu_nvme_ctrl_decode(buf, &c), 0);
	ck_assert(c.sanicap.ndi && !c.sanicap.crypto);
	ck_assert_uint_eq(c.sanicap.nodmmas, 2);
	ck_assert_uint_eq(c.sanicap.raw, 0xa0000000u);
	/* A neighbouring field must not leak in. */
	put32(328, 0);
	buf[327] = 0xff;
	buf[332] = 0xff;
	ck_assert_int_eq(kesu_nvme_ctrl_decode(buf, &c), 0);
	ck_assert_uint_eq(c.sanicap.raw, 0);
}
END_TEST

START_TEST(test_nvme_ctrl_fna)
{
	struct kesu_nvme_ctrl c;

	ctrl_base();
	for (unsigned b = 0; b < 3; b++) {
		buf[524] = (uint8_t)(1u << b);
		ck_assert_int_eq(kesu_nvme_ctrl_decode(buf, &c), 0);
		ck_assert_int_eq(c.fna.format_all_ns, b == 0);
		ck_assert_int_eq(c.fna.erase_all_ns, b == 1);
		ck_assert_int_eq(c.fna.crypto_erase, b == 2);
	}
	buf[524] = 0x07;
	ck_assert_int_eq(kesu_nvme_ctrl_decode(buf, &c), 0);
	ck_assert_uint_eq(c.fna.raw, 7);
}
END_TEST

START_TEST(test_nvme_ctrl_rejects_empty)
{
	struct kesu_nvme_ctrl c;
	struct kesu_nvme_ns ns;

	memset(buf, 0, sizeof(buf));
	ck_assert_int_eq(kesu_nvme_ctrl_decode(buf, &c), -EINVAL);
	ck_assert_int_eq(kesu_nvme_ns_decode(buf, &ns), -EINVAL);
}
END_TEST

static void ns_base(void)
{
	memset(buf, 0, sizeof(buf));
	put64(0, 2000409264ull);
	put64(8, 2000409264ull);
	put64(16, 123456);
	buf[25] = 3;                                   /* four formats */
	buf[33] = 0x09;                                /* DLFEAT: reads zeros, bit 3 */
	/* lbaf[0] 512+0, [1] 4096+0 rp 0, [2] 512+8 rp 2, [3] 4096+64 rp 3 */
	put16(128 + 0, 0);   buf[128 + 2] = 9;  buf[128 + 3] = 1;
	put16(132 + 0, 0);   buf[132 + 2] = 12; buf[132 + 3] = 0;
	put16(136 + 0, 8);   buf[136 + 2] = 9;  buf[136 + 3] = 2;
	put16(140 + 0, 64);  buf[140 + 2] = 12; buf[140 + 3] = 0xff;  /* only bits 1:0 count */
}

START_TEST(test_nvme_ns_lbaf_list)
{
	struct kesu_nvme_ns ns;

	ns_base();
	buf[26] = 0x01;
	ck_assert_int_eq(kesu_nvme_ns_decode(buf, &ns), 0);
	ck_assert_uint_eq(ns.nsze, 2000409264ull);
	ck_assert_uint_eq(ns.ncap, 2000409264ull);
	ck_assert_uint_eq(ns.nuse, 123456);
	ck_assert_uint_eq(ns.nlbaf, 3);
	ck_assert_uint_eq(ns.lbaf_count, 4);
	ck_assert_uint_eq(ns.lbaf_in_use, 1);
	ck_assert_uint_eq(ns.lbaf[0].data_bytes, 512);
	ck_assert_uint_eq(ns.lbaf[0].rp, 1);
	ck_assert_uint_eq(ns.lbaf[1].data_bytes, 4096);
	ck_assert_uint_eq(ns.lbaf[2].ms, 8);
	ck_assert_uint_eq(ns.lbaf[2].rp, 2);
	ck_assert_uint_eq(ns.lbaf[3].ms, 64);
	ck_assert_uint_eq(ns.lbaf[3].ds, 12);
	ck_assert_uint_eq(ns.lbaf[3].rp, 3);
	ck_assert_uint_eq(ns.lbaf[4].data_bytes, 0);
	ck_assert_uint_eq(ns.dlfeat, 0x09);
	ck_assert_uint_eq(ns.dealloc_read, 1);
	ck_assert(!ns.metadata_extended);
}
END_TEST

START_TEST(test_nvme_ns_flbas_upper_bits)
{
	struct kesu_nvme_ns ns;

	ns_base();
	buf[25] = 19;                                  /* 20 formats */
	/* FLBAS: bits 3:0 = 2, bit 4 extended metadata, bits 6:5 = 01 -> index 16 + 2. */
	buf[26] = 0x02 | 0x10 | 0x20;
	ck_assert_int_eq(kesu_nvme_ns_decode(buf, &ns), 0);
	ck_assert_uint_eq(ns.lbaf_count, 20);
	ck_assert_uint_eq(ns.lbaf_in_use, 18);
	ck_assert(ns.metadata_extended);

	buf[26] = 0x0f | 0x40;                         /* bits 6:5 = 10 -> 32 + 15 */
	ck_assert_int_eq(kesu_nvme_ns_decode(buf, &ns), 0);
	ck_assert_uint_eq(ns.lbaf_in_use, 47);
	ck_assert(!ns.metadata_extended);

	buf[25] = 0xff;                                /* nonsense count: capped */
	ck_assert_int_eq(kesu_nvme_ns_decode(buf, &ns), 0);
	ck_assert_uint_eq(ns.lbaf_count, KESU_NVME_MAX_LBAF);
}
END_TEST

START_TEST(test_nvme_status_mapping)
{
	ck_assert_int_eq(kesu_nvme_status_error(0, 0), 0);
	ck_assert_int_eq(kesu_nvme_status_error(-1, ENOTTY), -ENOTTY);
	ck_assert_int_eq(kesu_nvme_status_error(-1, 0), -EIO);
	ck_assert_int_eq(kesu_nvme_status_error(0x0001, 0), -KESU_E_UNSUPPORTED);
	/* DNR (bit 14) and More (bit 13) are masked before comparing. */
	ck_assert_int_eq(kesu_nvme_status_error(0x4002, 0), -KESU_E_UNSUPPORTED);
	ck_assert_int_eq(kesu_nvme_status_error(0x001d, 0), -KESU_E_DEV_ABORT);
	ck_assert_int_eq(kesu_nvme_status_error(0x0281, 0), -KESU_E_DEV_ABORT);
	/* -1/EINTR: the kernel cancelled a command that did not complete in time. */
	ck_assert_int_eq(kesu_nvme_status_error(-1, EINTR), -KESU_E_STALL);
}
END_TEST

/* Every status has words: libnvme's name, a newer value's name, or its type and code. */
START_TEST(test_nvme_status_names)
{
	char words[256];

	kesu_nvme_status_string(0x402A, words, sizeof(words));
	ck_assert_msg(strstr(words, "Invalid Placement Handle List") && strstr(words, "0x402a") &&
		      strstr(words, "do not retry"), "%s", words);
	kesu_nvme_status_string(0x4023, words, sizeof(words));
	ck_assert_msg(strstr(words, "Command Prohibited by Command and Feature Lockdown"), "%s", words);
	kesu_nvme_status_string(0x0002, words, sizeof(words));
	ck_assert_msg(strstr(words, "Invalid Field in Command") && !strstr(words, "retry"), "%s", words);
	kesu_nvme_status_string(0x002C, words, sizeof(words));
	ck_assert_msg(strstr(words, "Sanitize Namespace In Progress"), "%s", words);
	kesu_nvme_status_string(0x407F, words, sizeof(words));
	ck_assert_msg(strstr(words, "generic status 0x7f") && strstr(words, "0x407f"), "%s", words);
	ck_assert_ptr_null(strstr(words, "unrecognized"));
	kesu_nvme_status_string(0x0412, words, sizeof(words));
	ck_assert_msg(strstr(words, "reserved type 4 status 0x12"), "%s", words);
	ck_assert_ptr_null(strstr(words, "Unknown"));
}
END_TEST

START_TEST(test_nvme_format_cdw10)
{
	struct kesu_nvme_format_req r = { .nsid = 1, .lbaf = 1, .ses = KESU_NVME_SES_USER_DATA };

	ck_assert_uint_eq(kesu_nvme_format_cdw10(&r), 0x0201);
	r.ses = KESU_NVME_SES_CRYPTO;
	r.lbaf = 18;                                   /* 0x12: low nibble 2, upper bits 01 */
	r.metadata_extended = true;
	ck_assert_uint_eq(kesu_nvme_format_cdw10(&r), 0x1000 | 0x0400 | 0x10 | 0x2);
}
END_TEST

START_TEST(test_nvme_sanitize_cdw10)
{
	struct kesu_nvme_sanitize_req r = { .action = KESU_NVME_SANACT_CRYPTO };
	uint32_t v;

	ck_assert_int_eq(kesu_nvme_sanitize_cdw10(&r, &v), 0);
	ck_assert_uint_eq(v, 0x4);
	r.action = KESU_NVME_SANACT_BLOCK;
	r.ause = true;
	r.no_dealloc = true;
	ck_assert_int_eq(kesu_nvme_sanitize_cdw10(&r, &v), 0);
	ck_assert_uint_eq(v, 0x2 | 0x8 | 0x200);

	r = (struct kesu_nvme_sanitize_req){ .action = KESU_NVME_SANACT_OVERWRITE, .passes = 3,
					     .invert = true };
	ck_assert_int_eq(kesu_nvme_sanitize_cdw10(&r, &v), 0);
	ck_assert_uint_eq(v, 0x3 | 0x30 | 0x100);
	r.passes = 16;                                 /* encoded as 0 */
	ck_assert_int_eq(kesu_nvme_sanitize_cdw10(&r, &v), 0);
	ck_assert_uint_eq(v & 0xf0, 0);
	r.passes = 0;
	ck_assert_int_eq(kesu_nvme_sanitize_cdw10(&r, &v), -EINVAL);
	r.action = (enum kesu_nvme_sanact)5;
	r.passes = 1;
	ck_assert_int_eq(kesu_nvme_sanitize_cdw10(&r, &v), -EINVAL);
}
END_TEST

START_TEST(test_nvme_sanitize_log_decode)
{
	struct kesu_nvme_sanitize_log log;

	memset(buf, 0, sizeof(buf));
	put16(0, 0x8000);                              /* half done */
	put16(2, 0x0002 | 2u << 3 | 1u << 8);          /* in progress, 2 passes, global erased */
	put32(4, 0x00000004);
	put32(8, 0xffffffff);
	put32(12, 120);
	put32(16, 5);
	ck_assert_int_eq(kesu_nvme_sanitize_log_decode(buf, &log), 0);
	ck_assert_uint_eq(log.sprog, 0x8000);
	ck_assert_uint_eq(log.state, KESU_NVME_SAN_IN_PROGRESS);
	ck_assert_uint_eq(log.passes_done, 2);
	ck_assert(log.global_data_erased);
	ck_assert_uint_eq(log.scdw10, 4);
	ck_assert_uint_eq(log.eto, KESU_NVME_TIME_NOT_REPORTED);
	ck_assert_uint_eq(log.etbe, 120);
	ck_assert_uint_eq(log.etce, 5);

	put16(2, 0x0007);                              /* no such state */
	ck_assert_int_eq(kesu_nvme_sanitize_log_decode(buf, &log), -EINVAL);
}
END_TEST

START_TEST(test_nvme_probe_loop_not_nvme)
{
	char dev[64], img[4096];
	struct kesu_errbuf eb;
	uint32_t nsid = 99;
	int fd;

	if (tu_skip_unless_root(__func__))
		return;
	ck_assert_int_eq(tu_loop_create(8u << 20, dev, sizeof(dev), img, sizeof(img)), 0);
	fd = open(dev, O_RDONLY | O_NONBLOCK);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(kesu_nvme_probe(fd, &nsid, &eb), -KESU_E_NO_TRANSPORT);
	ck_assert_uint_eq(nsid, 0);
	close(fd);

	fd = open(img, O_RDONLY);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(kesu_nvme_probe(fd, &nsid, &eb), -KESU_E_NO_TRANSPORT);
	close(fd);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("nvme");
	struct tu_case tests[] = {
		{ "ctrl_identity", test_nvme_ctrl_identity },
		{ "ctrl_oacs", test_nvme_ctrl_oacs },
		{ "ctrl_sanicap", test_nvme_ctrl_sanicap },
		{ "ctrl_fna", test_nvme_ctrl_fna },
		{ "ctrl_rejects_empty", test_nvme_ctrl_rejects_empty },
		{ "ns_lbaf_list", test_nvme_ns_lbaf_list },
		{ "ns_flbas_upper_bits", test_nvme_ns_flbas_upper_bits },
		{ "status_mapping", test_nvme_status_mapping },
		{ "status_names", test_nvme_status_names },
		{ "format_cdw10", test_nvme_format_cdw10 },
		{ "sanitize_cdw10", test_nvme_sanitize_cdw10 },
		{ "sanitize_log_decode", test_nvme_sanitize_log_decode },
		{ "probe_loop_not_nvme", test_nvme_probe_loop_not_nvme },
	};

	TU_ADD_CASES(s, tests, 0);
	return tu_main(s);
}
