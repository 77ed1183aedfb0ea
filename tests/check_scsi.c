/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * SCSI (SAS) drives: byte-exact CDBs, sense data (fixed and descriptor, the
 * sanitize progress indication), INQUIRY/VPD/READ CAPACITY(16)/REPORT
 * SUPPORTED OPERATION CODES decoding on canned answers; then the simulated
 * SCSI disk: `kesu info` on it, and sg3_utils (sg_inq, sg_vpd, sg_readcap,
 * sg_opcodes, sg_requests, sg_sanitize) run against the same simulated drive
 * seeing what kesu sees.
 */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <kesu/scsi.h>

#include "lib/simfx.h"
#include "lib/testutil.h"

#define MIB (1024 * 1024)
#define DEV_SIZE (8 * MIB)

#define SCSI(extra) "{\"devices\":[{\"path\":\"%s\",\"type\":\"scsi\"" extra "}]}"

static void ck_bytes(const uint8_t *got, const uint8_t *want, size_t n)
{
	for (size_t i = 0; i < n; i++)
		ck_assert_msg(got[i] == want[i], "byte %zu: 0x%02x, want 0x%02x", i, got[i], want[i]);
}

/* ---- CDBs ---- */

START_TEST(test_scsi_cdbs)
{
	static const uint8_t inq[6] = { 0x12, 0x00, 0x00, 0x00, 0x60, 0x00 };
	static const uint8_t vpd[6] = { 0x12, 0x01, 0xB1, 0x00, 0xFC, 0x00 };
	static const uint8_t rc16[16] = { 0x9E, 0x10, 0, 0, 0, 0, 0, 0, 0, 0, 0x00, 0x00, 0x00, 0x20, 0, 0 };
	static const uint8_t rsoc_sa[12] = { 0xA3, 0x0C, 0x02, 0x48, 0x00, 0x03, 0x00, 0x00, 0x00, 0x40, 0, 0 };
	static const uint8_t rsoc_op[12] = { 0xA3, 0x0C, 0x01, 0x04, 0x00, 0x00, 0x00, 0x00, 0x00, 0x40, 0, 0 };
	static const uint8_t rs[6] = { 0x03, 0x01, 0x00, 0x00, 0x40, 0x00 };
	static const uint8_t block[10] = { 0x48, 0xA2, 0, 0, 0, 0, 0, 0x00, 0x00, 0x00 };
	static const uint8_t crypto[10] = { 0x48, 0x03, 0, 0, 0, 0, 0, 0x00, 0x00, 0x00 };
	static const uint8_t exitf[10] = { 0x48, 0x1F, 0, 0, 0, 0, 0, 0x00, 0x00, 0x00 };
	static const uint8_t ow[10] = { 0x48, 0xA1, 0, 0, 0, 0, 0, 0x00, 0x08, 0x00 };
	static const uint8_t ow_param[8] = { 0x83, 0x00, 0x00, 0x04, 0x78, 0x56, 0x34, 0x12 };
	struct kesu_scsi_sanitize_req req = { .sa = KESU_SCSI_SANITIZE_BLOCK_ERASE, .immed = true,
					      .ause = true };
	uint8_t buf[256], param[KESU_SCSI_SANITIZE_OW_PARAM_LEN];
	struct kesu_scsi_cmd c;

	kesu_scsi_cdb_inquiry(&c, false, 0, buf, 96);
	ck_assert_uint_eq(c.cdb_len, 6);
	ck_assert_int_eq(c.dir, KESU_SCSI_DIR_IN);
	ck_bytes(c.cdb, inq, 6);
	kesu_scsi_cdb_inquiry(&c, true, 0xB1, buf, 252);
	ck_bytes(c.cdb, vpd, 6);
	kesu_scsi_cdb_read_capacity16(&c, buf, 32);
	ck_assert_uint_eq(c.cdb_len, 16);
	ck_bytes(c.cdb, rc16, 16);
	kesu_scsi_cdb_rsoc_one(&c, 0x48, true, 0x03, buf, 64);
	ck_assert_uint_eq(c.cdb_len, 12);
	ck_bytes(c.cdb, rsoc_sa, 12);
	kesu_scsi_cdb_rsoc_one(&c, 0x04, false, 0, buf, 64);
	ck_bytes(c.cdb, rsoc_op, 12);
	kesu_scsi_cdb_request_sense(&c, true, buf, 64);
	ck_bytes(c.cdb, rs, 6);
	kesu_scsi_cdb_tur(&c);
	ck_assert_uint_eq(c.cdb_len, 6);
	ck_assert_int_eq(c.dir, KESU_SCSI_DIR_NONE);
	ck_assert_uint_eq(c.cdb[0], 0);

	ck_assert_int_eq(kesu_scsi_cdb_sanitize(&c, &req, param), 0);
	ck_assert_uint_eq(c.cdb_len, 10);
	ck_assert_int_eq(c.dir, KESU_SCSI_DIR_NONE);
	ck_bytes(c.cdb, block, 10);
	req = (struct kesu_scsi_sanitize_req){ .sa = KESU_SCSI_SANITIZE_CRYPTO_ERASE };
	ck_assert_int_eq(kesu_scsi_cdb_sanitize(&c, &req, NULL), 0);
	ck_bytes(c.cdb, crypto, 10);
	req = (struct kesu_scsi_sanitize_req){ .sa = KESU_SCSI_SANITIZE_EXIT_FAILURE };
	ck_assert_int_eq(kesu_scsi_cdb_sanitize(&c, &req, NULL), 0);
	ck_bytes(c.cdb, exitf, 10);
	req = (struct kesu_scsi_sanitize_req){ .sa = KESU_SCSI_SANITIZE_OVERWRITE, .immed = true,
					       .ause = true, .pattern = 0x12345678, .passes = 3,
					       .invert = true };
	ck_assert_int_eq(kesu_scsi_cdb_sanitize(&c, &req, param), 0);
	ck_bytes(c.cdb, ow, 10);
	ck_assert_int_eq(c.dir, KESU_SCSI_DIR_OUT);
	ck_assert_ptr_eq(c.data, param);
	ck_assert_uint_eq(c.len, 8);
	ck_bytes(param, ow_param, 8);
	/* OVERWRITE COUNT is 5 bits and never 0; unknown service actions are refused. */
	req.passes = 0;
	ck_assert_int_eq(kesu_scsi_cdb_sanitize(&c, &req, param), -EINVAL);
	req.passes = 32;
	ck_assert_int_eq(kesu_scsi_cdb_sanitize(&c, &req, param), -EINVAL);
	req.passes = 1;
	ck_assert_int_eq(kesu_scsi_cdb_sanitize(&c, &req, NULL), -EINVAL);
	req.sa = (enum kesu_scsi_sanitize_sa)0x04;
	ck_assert_int_eq(kesu_scsi_cdb_sanitize(&c, &req, param), -EINVAL);
}
END_TEST

/* ---- sense ---- */

START_TEST(test_scsi_sense_progress)
{
	/* Fixed: NOT READY, 04h/1Bh, SKSV with progress 0x4000 (25%). */
	static const uint8_t fixed[18] = { 0x70, 0, 0x02, 0, 0, 0, 0, 10, 0, 0, 0, 0, 0x04, 0x1B, 0,
					   0x80, 0x40, 0x00 };
	/* Descriptor: the same with a sense-key-specific descriptor (02h, 06h). */
	static const uint8_t desc[16] = { 0x72, 0x02, 0x04, 0x1B, 0, 0, 0, 8, 0x02, 0x06, 0, 0,
					  0x80, 0xC0, 0x00, 0 };
	static const uint8_t failed[8] = { 0x72, 0x03, 0x31, 0x03, 0, 0, 0, 0 };
	static const uint8_t none[18] = { 0x70, 0, 0, 0, 0, 0, 0, 10 };
	/* SKSV clear: the bytes are no progress indication. */
	static const uint8_t nosksv[18] = { 0x70, 0, 0x02, 0, 0, 0, 0, 10, 0, 0, 0, 0, 0x04, 0x1B, 0,
					    0x00, 0x40, 0x00 };
	static const uint8_t junk[4] = { 0x12, 0x34, 0x56, 0x78 };
	struct kesu_scsi_sense s;
	char text[160];

	ck_assert_int_eq(kesu_scsi_sense_decode(fixed, sizeof(fixed), &s), 0);
	ck_assert(s.present);
	ck_assert_uint_eq(s.key, 2);
	ck_assert(s.progress_valid);
	ck_assert_uint_eq(s.progress, 0x4000);
	ck_assert_int_eq(kesu_scsi_sanitize_state(&s), KESU_SCSI_SAN_IN_PROGRESS);
	kesu_scsi_sense_describe(&s, text, sizeof(text));
	ck_assert_str_eq(text, "NOT READY, logical unit not ready, SANITIZE IN PROGRESS (04h/1Bh)");

	ck_assert_int_eq(kesu_scsi_sense_decode(desc, sizeof(desc), &s), 0);
	ck_assert_uint_eq(s.response_code, 0x72);
	ck_assert(s.progress_valid);
	ck_assert_uint_eq(s.progress, 0xC000);
	ck_assert_int_eq(kesu_scsi_sanitize_state(&s), KESU_SCSI_SAN_IN_PROGRESS);

	ck_assert_int_eq(kesu_scsi_sense_decode(failed, sizeof(failed), &s), 0);
	ck_assert_int_eq(kesu_scsi_sanitize_state(&s), KESU_SCSI_SAN_FAILED);
	ck_assert(!s.progress_valid);
	kesu_scsi_sense_describe(&s, text, sizeof(text));
	ck_assert_str_eq(text, "MEDIUM ERROR, SANITIZE COMMAND FAILED (31h/03h)");

	ck_assert_int_eq(kesu_scsi_sense_decode(none, sizeof(none), &s), 0);
	ck_assert_int_eq(kesu_scsi_sanitize_state(&s), KESU_SCSI_SAN_IDLE);
	ck_assert_int_eq(kesu_scsi_sense_decode(nosksv, sizeof(nosksv), &s), 0);
	ck_assert(!s.progress_valid);
	ck_assert_int_eq(kesu_scsi_sense_decode(junk, sizeof(junk), &s), -EINVAL);
	ck_assert(!s.present);
	ck_assert_int_eq(kesu_scsi_sense_decode(fixed, 10, &s), -EINVAL);
}
END_TEST

START_TEST(test_scsi_judge)
{
	static const uint8_t bad_op[18] = { 0x70, 0, 0x05, 0, 0, 0, 0, 10, 0, 0, 0, 0, 0x20, 0x00 };
	static const uint8_t busy[8] = { 0x72, 0x02, 0x04, 0x1B, 0, 0, 0, 0 };
	static const uint8_t recovered[8] = { 0x72, 0x01, 0x00, 0x00, 0, 0, 0, 0 };
	struct kesu_scsi_outcome o = { 0 };
	struct kesu_scsi_sense s;

	ck_assert_int_eq(kesu_scsi_judge(&o, &s), 0);
	o.status = 0x02;
	ck_assert_int_eq(kesu_scsi_judge(&o, &s), -EIO);           /* CHECK CONDITION, no sense */
	o.sense = bad_op;
	o.sense_len = sizeof(bad_op);
	ck_assert_int_eq(kesu_scsi_judge(&o, &s), -KESU_E_UNSUPPORTED);
	o.sense = busy;
	o.sense_len = sizeof(busy);
	ck_assert_int_eq(kesu_scsi_judge(&o, &s), -KESU_E_DEV_ABORT);
	ck_assert_int_eq(kesu_scsi_sanitize_state(&s), KESU_SCSI_SAN_IN_PROGRESS);
	o.sense = recovered;
	o.sense_len = sizeof(recovered);
	ck_assert_int_eq(kesu_scsi_judge(&o, &s), 0);
	o.status = 0x08;
	ck_assert_int_eq(kesu_scsi_judge(&o, &s), -EBUSY);
	o.status = 0;
	o.host_status = 0x03;
	ck_assert_int_eq(kesu_scsi_judge(&o, &s), -KESU_E_TIMEOUT);
	o.host_status = 0x01;
	ck_assert_int_eq(kesu_scsi_judge(&o, &s), -KESU_E_GONE);
}
END_TEST

/* ---- decoders ---- */

START_TEST(test_scsi_inquiry_vpd)
{
	uint8_t inq[36] = { 0x00, 0x00, 0x06, 0x02, 31, 0x01 };
	static const uint8_t pages[8] = { 0x00, 0x00, 0x00, 0x04, 0x00, 0x80, 0x83, 0xB1 };
	static const uint8_t serial[12] = { 0x00, 0x80, 0x00, 0x08, ' ', ' ', 'Z', '1', 'X', '9', ' ', ' ' };
	/* A target-port NAA (association 01b, skipped), a T10 vendor id, then the LU's NAA. */
	static const uint8_t devid[] = { 0x00, 0x83, 0x00, 0x2C,
		0x01, 0x13, 0x00, 0x08, 0x50, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07,
		0x02, 0x01, 0x00, 0x0C, 'S', 'E', 'A', 'G', 'A', 'T', 'E', ' ', 'X', 'Y', 'Z', ' ',
		0x01, 0x03, 0x00, 0x08, 0x50, 0x00, 0xC5, 0x00, 0xA1, 0xB2, 0xC3, 0xD4 };
	static const uint8_t bdc[64] = { 0x00, 0xB1, 0x00, 0x3C, 0x3A, 0x98, 0x00, 0x02 };
	static const uint8_t bdc_ssd[64] = { 0x00, 0xB1, 0x00, 0x3C, 0x00, 0x01, 0x00, 0x03 };
	struct kesu_scsi_inquiry q;
	struct kesu_scsi_bdc b;
	uint8_t list[8];
	char text[80];

	memcpy(inq + 8, "SEAGATE ST1200MM0009    0004", 28);
	ck_assert_int_eq(kesu_scsi_inquiry_decode(inq, sizeof(inq), &q), 0);
	ck_assert_str_eq(q.vendor, "SEAGATE");
	ck_assert_str_eq(q.product, "ST1200MM0009");
	ck_assert_str_eq(q.revision, "0004");
	ck_assert_uint_eq(q.peripheral_type, 0);
	ck_assert(q.protect);
	ck_assert_int_eq(kesu_scsi_inquiry_decode(inq, 20, &q), -EINVAL);

	ck_assert_int_eq(kesu_scsi_vpd_pages_decode(pages, sizeof(pages), list, 8), 4);
	ck_assert_uint_eq(list[3], 0xB1);
	ck_assert_int_eq(kesu_scsi_vpd_pages_decode(serial, sizeof(serial), list, 8), -EINVAL);
	ck_assert_int_eq(kesu_scsi_vpd_serial_decode(serial, sizeof(serial), text, sizeof(text)), 0);
	ck_assert_str_eq(text, "Z1X9");
	ck_assert_int_eq(kesu_scsi_vpd_devid_decode(devid, sizeof(devid), text, sizeof(text)), 0);
	ck_assert_str_eq(text, "naa.5000c500a1b2c3d4");
	/* Without the NAA, the T10 vendor id (ASCII). */
	ck_assert_int_eq(kesu_scsi_vpd_devid_decode(devid, sizeof(devid) - 12, text, sizeof(text)), 0);
	ck_assert_str_eq(text, "SEAGATE XYZ");

	ck_assert_int_eq(kesu_scsi_vpd_bdc_decode(bdc, sizeof(bdc), &b), 0);
	ck_assert_uint_eq(b.rotation_rate, 15000);
	ck_assert_str_eq(kesu_scsi_form_factor_name(b.form_factor), "3.5 inch");
	ck_assert_int_eq(kesu_scsi_vpd_bdc_decode(bdc_ssd, sizeof(bdc_ssd), &b), 0);
	ck_assert_uint_eq(b.rotation_rate, 1);
	ck_assert_str_eq(kesu_scsi_form_factor_name(b.form_factor), "2.5 inch");
}
END_TEST

START_TEST(test_scsi_capacity_rsoc)
{
	/* 0x1_0000_0000 blocks of 520 bytes? No: 4096 bytes, type 2 protection, 8 per physical. */
	static const uint8_t rc[32] = { 0, 0, 0, 0, 0xFF, 0xFF, 0xFF, 0xFF, 0x00, 0x00, 0x10, 0x00,
					0x03, 0x03, 0x40, 0x00 };
	static const uint8_t plain[32] = { 0, 0, 0, 0, 0, 0, 0x7F, 0xFF, 0x00, 0x00, 0x02, 0x00 };
	static const uint8_t yes[14] = { 0x00, 0x03, 0x00, 0x0A, 0x48 };
	static const uint8_t vendor[14] = { 0x00, 0x85, 0x00, 0x0A, 0x48 };
	static const uint8_t no[4] = { 0x00, 0x01, 0x00, 0x00 };
	static const uint8_t unknown[4] = { 0x00, 0x00, 0x00, 0x00 };
	struct kesu_scsi_capacity cap;
	enum kesu_scsi_support sup;

	ck_assert_int_eq(kesu_scsi_read_capacity16_decode(rc, sizeof(rc), &cap), 0);
	ck_assert_uint_eq(cap.last_lba, 0xFFFFFFFFull);
	ck_assert_uint_eq(cap.block_len, 4096);
	ck_assert(cap.prot_en);
	ck_assert_uint_eq(cap.prot_type, 2);
	ck_assert_uint_eq(cap.lbppbe, 3);
	ck_assert(!cap.lbpme);
	ck_assert(cap.lbprz);
	ck_assert_int_eq(kesu_scsi_read_capacity16_decode(plain, sizeof(plain), &cap), 0);
	ck_assert(!cap.prot_en);
	ck_assert_uint_eq(cap.prot_type, 0);
	ck_assert_uint_eq(cap.last_lba, 0x7FFF);
	ck_assert_int_eq(kesu_scsi_read_capacity16_decode(rc, 8, &cap), -EINVAL);

	ck_assert_int_eq(kesu_scsi_rsoc_one_decode(yes, sizeof(yes), &sup), 0);
	ck_assert_int_eq(sup, KESU_SCSI_SUPPORT_YES);
	ck_assert_int_eq(kesu_scsi_rsoc_one_decode(vendor, sizeof(vendor), &sup), 0);
	ck_assert_int_eq(sup, KESU_SCSI_SUPPORT_YES);
	ck_assert_int_eq(kesu_scsi_rsoc_one_decode(no, sizeof(no), &sup), 0);
	ck_assert_int_eq(sup, KESU_SCSI_SUPPORT_NO);
	ck_assert_int_eq(kesu_scsi_rsoc_one_decode(unknown, sizeof(unknown), &sup), 0);
	ck_assert_int_eq(sup, KESU_SCSI_SUPPORT_UNKNOWN);
	ck_assert_int_eq(kesu_scsi_rsoc_one_decode(no, 2, &sup), -EINVAL);
}
END_TEST

START_TEST(test_scsi_loop_is_no_scsi)
{
	char dev[64], img[4096];
	struct kesu_scsi_info *info = calloc(1, sizeof(*info));
	struct kesu_errbuf eb;
	int fd;

	if (tu_skip_unless_root(__func__)) {
		free(info);
		return;
	}
	ck_assert_ptr_nonnull(info);
	ck_assert_int_eq(tu_loop_create(MIB, dev, sizeof(dev), img, sizeof(img)), 0);
	fd = open(dev, O_RDONLY);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(kesu_scsi_probe(fd, info, &eb), -KESU_E_NO_TRANSPORT);
	close(fd);
	tu_loop_detach(dev);
	free(info);
}
END_TEST

/* ---- the simulated disk: kesu info, and sg3_utils beside it ---- */

/* kesu info --json on the fixture's drive. */
static json_t *info_json(const struct sim_fx *f)
{
	const char *argv[] = { tu_kesu_bin(), "info", "--json", f->dev, NULL };
	struct tu_result r;
	json_error_t je;
	json_t *doc;

	sim_fx_run(f, &r, NULL, argv);
	ck_assert_msg(r.status == 0, "kesu info exited %d: %s", r.status, r.err);
	doc = json_loads(r.out, 0, &je);
	ck_assert_msg(doc != NULL, "kesu info --json: %s", je.text);
	tu_result_free(&r);
	return doc;
}

static const char *jstr(json_t *o, const char *a, const char *b)
{
	json_t *v = json_object_get(o, a);

	if (b)
		v = json_object_get(v, b);
	ck_assert_msg(json_is_string(v), "no string %s.%s", a, b ? b : "");
	return json_string_value(v);
}

static long long jint(json_t *o, const char *a, const char *b)
{
	json_t *v = json_object_get(json_object_get(o, a), b);

	ck_assert_msg(json_is_integer(v), "no integer %s.%s", a, b);
	return json_integer_value(v);
}

START_TEST(test_scsi_info_sim)
{
	struct sim_fx f;
	json_t *doc, *scsi;
	struct tu_result r;
	const char *argv[] = { tu_kesu_bin(), "info", f.dev, NULL };

	if (tu_skip_unless_root(__func__))
		return;
	sim_fx_setup(&f, DEV_SIZE, SCSI(",\"vendor\":\"HGST\",\"product\":\"HUC101818CS4200\","
					"\"serial\":\"0PJ1ABCD\",\"rotational\":true,\"rpm\":10020,"
					"\"form_factor\":3,\"protection_type\":1,\"lbppbe\":3,"
					"\"sanitize\":{\"crypto\":false}"));
	doc = info_json(&f);
	ck_assert_str_eq(jstr(doc, "drive_protocol", NULL), "scsi");
	ck_assert_str_eq(jstr(doc, "media", NULL), "hdd");
	scsi = json_object_get(doc, "scsi");
	ck_assert_str_eq(jstr(doc, "scsi", "vendor"), "HGST");
	ck_assert_str_eq(jstr(doc, "scsi", "product"), "HUC101818CS4200");
	ck_assert_str_eq(jstr(doc, "scsi", "serial"), "0PJ1ABCD");
	ck_assert_str_eq(jstr(doc, "scsi", "designator"), "naa.5000c50000000001");
	ck_assert_str_eq(jstr(doc, "scsi", "form_factor"), "2.5 inch");
	ck_assert_int_eq(jint(doc, "scsi", "rotation_rate"), 10020);
	ck_assert_int_eq(jint(doc, "scsi", "blocks"), DEV_SIZE / 512);
	ck_assert_int_eq(jint(doc, "scsi", "protection_type"), 1);
	ck_assert_int_eq(jint(doc, "scsi", "logical_per_physical"), 8);
	ck_assert_str_eq(jstr(json_object_get(scsi, "sanitize"), "block", NULL), "yes");
	ck_assert_str_eq(jstr(json_object_get(scsi, "sanitize"), "crypto", NULL), "no");
	ck_assert_str_eq(jstr(doc, "scsi", "sanitize_state"), "idle");
	ck_assert_str_eq(jstr(doc, "scsi", "format_unit"), "yes");
	json_decref(doc);
	/* The text says the same, and what it probed is in the simulator's log. */
	sim_fx_run(&f, &r, NULL, argv);
	ck_assert_ptr_nonnull(strstr(r.out, "SCSI (INQUIRY and VPD pages"));
	ck_assert_ptr_nonnull(strstr(r.out, "10020 rpm; form factor 2.5 inch"));
	ck_assert_ptr_nonnull(strstr(r.out, "type 1 protection information enabled"));
	ck_assert_ptr_nonnull(strstr(r.out, "overwrite yes, block erase yes, crypto erase no"));
	ck_assert_ptr_nonnull(strstr(r.out, "format unit:     yes\n"));
	tu_result_free(&r);
	ck_assert(sim_fx_log_has(&f, "scsi REPORT_SUPPORTED_OPCODES opcode=0xa3 options=2 requested=0x48/0x03 -> ok"));
	/* FORMAT UNIT is asked on its own (an opcode without service actions: reporting option 001b). */
	ck_assert(sim_fx_log_has(&f, "scsi REPORT_SUPPORTED_OPCODES opcode=0xa3 options=1 requested=0x04"));
	ck_assert(sim_fx_log_has(&f, "scsi READ_CAPACITY_16"));
	/* Nothing that changes the drive. */
	ck_assert(!sim_fx_log_has(&f, "scsi SANITIZE"));

	/* A device that does not answer REPORT SUPPORTED OPERATION CODES: support unknown, and why. */
	sim_fx_config(&f, SCSI(",\"report_opcodes\":false"));
	doc = info_json(&f);
	ck_assert_str_eq(jstr(doc, "drive_protocol", NULL), "scsi");
	ck_assert_str_eq(jstr(json_object_get(json_object_get(doc, "scsi"), "sanitize"), "block", NULL),
			 "not reported");
	ck_assert_ptr_nonnull(strstr(jstr(doc, "scsi", "note"), "refuses REPORT SUPPORTED OPERATION CODES"));
	ck_assert_str_eq(jstr(doc, "scsi", "format_unit"), "not reported");
	json_decref(doc);

	/* A device that does not list FORMAT UNIT: info says so, nothing else changes. */
	sim_fx_config(&f, SCSI(",\"format_unit\":false"));
	doc = info_json(&f);
	ck_assert_str_eq(jstr(doc, "scsi", "format_unit"), "no");
	ck_assert_str_eq(jstr(json_object_get(json_object_get(doc, "scsi"), "sanitize"), "block", NULL),
			 "yes");
	json_decref(doc);

	/* An SSD; and an ATA drive behind SAT stays an ATA drive. */
	sim_fx_config(&f, SCSI(",\"rotational\":false"));
	doc = info_json(&f);
	ck_assert_str_eq(jstr(doc, "media", NULL), "ssd");
	json_decref(doc);
	sim_fx_config(&f, "{\"devices\":[{\"path\":\"%s\",\"type\":\"ata\"}]}");
	doc = info_json(&f);
	ck_assert_str_eq(jstr(doc, "drive_protocol", NULL), "ata");
	json_decref(doc);
	sim_fx_config(&f, "{\"devices\":[{\"path\":\"%s\",\"type\":\"ata\",\"bridge\":\"refuse_ata\"}]}");
	doc = info_json(&f);
	ck_assert_str_eq(jstr(doc, "drive_protocol", NULL), "none");
	json_decref(doc);
	tu_loop_detach(f.dev);
}
END_TEST

static bool have(const char *tool)
{
	return tu_sh("command -v %s >/dev/null 2>&1", tool) == 0;
}

/* Run an sg3_utils tool on the fixture's drive; its stdout+stderr. */
static char *sg(const struct sim_fx *f, const char *tool, const char *a1, const char *a2)
{
	const char *argv[] = { tool, a1 ? a1 : f->dev, a1 ? (a2 ? a2 : f->dev) : NULL,
			       a1 && a2 ? f->dev : NULL, NULL };
	struct tu_result r;
	char *text;

	sim_fx_run(f, &r, NULL, argv);
	ck_assert_msg(r.status == 0, "%s exited %d: %s%s", tool, r.status, r.out, r.err);
	text = malloc(strlen(r.out) + strlen(r.err) + 1);
	ck_assert_ptr_nonnull(text);
	sprintf(text, "%s%s", r.out, r.err);
	tu_result_free(&r);
	return text;
}

#define ck_has(text, s) ck_assert_msg(strstr((text), (s)) != NULL, "expected '%s' in:\n%s", (s), (text))

START_TEST(test_scsi_sg3_utils_agree)
{
	struct sim_fx f;
	json_t *doc;
	char *t, want[128];

	if (tu_skip_unless_root(__func__))
		return;
	if (!have("sg_inq") || !have("sg_opcodes") || !have("sg_readcap") || !have("sg_vpd") ||
	    !have("sg_requests") || !have("sg_sanitize")) {
		fprintf(stderr, "%s: skipped: sg3_utils is not installed (Debian sg3-utils; "
			"tests/deps.sh installs it)\n", __func__);
		return;
	}
	sim_fx_setup(&f, DEV_SIZE, SCSI(",\"vendor\":\"SEAGATE\",\"product\":\"ST600MM0208\","
					"\"serial\":\"W0M1XYZ\",\"rotational\":true,\"rpm\":10000,"
					"\"protection_type\":2,\"lbppbe\":3,"
					"\"sanitize\":{\"overwrite\":false},\"sanitize_seconds\":3"));
	sim_fx_fill_random(&f);
	doc = info_json(&f);

	t = sg(&f, "sg_inq", NULL, NULL);
	snprintf(want, sizeof(want), "Vendor identification: %s", jstr(doc, "scsi", "vendor"));
	ck_has(t, want);
	snprintf(want, sizeof(want), "Product identification: %s", jstr(doc, "scsi", "product"));
	ck_has(t, want);
	snprintf(want, sizeof(want), "Unit serial number: %s", jstr(doc, "scsi", "serial"));
	ck_has(t, want);
	ck_has(t, "Protect=1");
	free(t);
	t = sg(&f, "sg_vpd", "--page=bdc", NULL);
	snprintf(want, sizeof(want), "Nominal rotation rate: %lld rpm", jint(doc, "scsi", "rotation_rate"));
	ck_has(t, want);
	snprintf(want, sizeof(want), "Nominal form factor: %s", jstr(doc, "scsi", "form_factor"));
	ck_has(t, want);
	free(t);
	t = sg(&f, "sg_vpd", "--page=di", NULL);
	snprintf(want, sizeof(want), "0x%s", jstr(doc, "scsi", "designator") + 4);
	ck_has(t, want);
	free(t);
	t = sg(&f, "sg_readcap", "--long", NULL);
	snprintf(want, sizeof(want), "Number of logical blocks=%lld", jint(doc, "scsi", "blocks"));
	ck_has(t, want);
	snprintf(want, sizeof(want), "[type %lld protection]", jint(doc, "scsi", "protection_type"));
	ck_has(t, want);
	ck_has(t, "Logical blocks per physical block exponent=3");
	free(t);
	/* sg_opcodes lists the service actions kesu reports, and not the one it does not. */
	t = sg(&f, "sg_opcodes", NULL, NULL);
	ck_assert_str_eq(jstr(json_object_get(json_object_get(doc, "scsi"), "sanitize"), "block", NULL), "yes");
	ck_has(t, "Sanitize, block erase");
	ck_has(t, "Sanitize, cryptographic erase");
	ck_has(t, "Sanitize, exit failure mode");
	ck_assert_str_eq(jstr(json_object_get(json_object_get(doc, "scsi"), "sanitize"), "overwrite", NULL), "no");
	ck_assert_ptr_null(strstr(t, "Sanitize, overwrite"));
	free(t);
	t = sg(&f, "sg_opcodes", "--opcode=0x48,2", NULL);
	ck_has(t, "Command is supported");
	free(t);
	/* FORMAT UNIT: kesu's "format_unit" is what sg_opcodes finds. */
	ck_assert_str_eq(jstr(doc, "scsi", "format_unit"), "yes");
	t = sg(&f, "sg_opcodes", "--opcode=0x04", NULL);
	ck_has(t, "Command is supported");
	free(t);
	json_decref(doc);

	/* A sanitize started by sg_sanitize: sg_requests and kesu info see it running, with progress. */
	t = sg(&f, "sg_sanitize", "--block", "--early");
	free(t);
	t = sg(&f, "sg_requests", NULL, NULL);
	ck_has(t, "sanitize in progress");
	ck_has(t, "Progress indication:");
	free(t);
	doc = info_json(&f);
	ck_assert_str_eq(jstr(doc, "scsi", "sanitize_state"), "in-progress");
	ck_assert_ptr_nonnull(strstr(jstr(doc, "scsi", "note"), "a sanitize is in progress"));
	json_decref(doc);
	sleep(3);
	t = sg(&f, "sg_requests", NULL, NULL);
	ck_has(t, "No additional sense information");
	free(t);
	ck_assert(sim_fx_log_has(&f, "scsi SANITIZE_COMPLETE sa=0x02 -> ok"));

	/* A drive that does not list FORMAT UNIT: neither kesu nor sg_opcodes finds it. */
	sim_fx_config(&f, SCSI(",\"format_unit\":false"));
	doc = info_json(&f);
	ck_assert_str_eq(jstr(doc, "scsi", "format_unit"), "no");
	json_decref(doc);
	t = sg(&f, "sg_opcodes", "--opcode=0x04", NULL);
	ck_has(t, "Command is NOT supported");
	free(t);
	tu_loop_detach(f.dev);
}
END_TEST


/* ---- the methods, end to end: kesu wipe under the simulator ---- */

struct wipe {
	int status;                  /* kesu's exit status */
	char outcome[16];            /* ERASED, FAILED, UNVERIFIED; "refused" before anything was sent */
	char *text;                  /* reasons, stderr */
	json_t *record;
};

static void wipe_free(struct wipe *w)
{
	free(w->text);
	json_decref(w->record);
	memset(w, 0, sizeof(*w));
}

static void append(struct wipe *w, const char *s)
{
	size_t n = w->text ? strlen(w->text) : 0;
	char *t = realloc(w->text, n + strlen(s) + 2);

	ck_assert_ptr_nonnull(t);
	sprintf(t + n, "%s\n", s);
	w->text = t;
}

/* kesu wipe --method method (extra options a1 a2) on the fixture's drive. */
static void wipe_run(const struct sim_fx *f, struct wipe *w, const char *method, const char *a1,
		     const char *a2)
{
	char out[4200];
	const char *argv[] = { tu_kesu_bin(), "wipe", "--method", method, "--yes", "--quiet", "--json",
			       "--out", out, f->dev, a1, a2, NULL };
	struct tu_result r;
	json_error_t je;
	json_t *doc, *res, *v;
	size_t i;

	snprintf(out, sizeof(out), "%s/evidence", tu_tmpdir());
	ck_assert_int_eq(tu_sh("mkdir -p %s", out), 0);
	memset(w, 0, sizeof(*w));
	sim_fx_run(f, &r, NULL, argv);
	w->status = r.status;
	snprintf(w->outcome, sizeof(w->outcome), "refused");
	doc = r.out[0] == '{' ? json_loads(r.out, 0, &je) : NULL;
	res = json_array_get(json_object_get(doc, "results"), 0);
	if (res) {
		const char *o = json_string_value(json_object_get(res, "outcome"));
		const char *rec = json_string_value(json_object_get(res, "record"));

		if (o && strcmp(o, "ERROR"))
			snprintf(w->outcome, sizeof(w->outcome), "%s", o);
		json_array_foreach(json_object_get(res, "reasons"), i, v)
			append(w, json_string_value(v));
		if (rec && rec[0])
			w->record = json_load_file(rec, 0, &je);
	}
	append(w, r.err);
	json_decref(doc);
	tu_result_free(&r);
}

#define ck_text(w, s) ck_assert_msg((w)->text && strstr((w)->text, (s)), "expected '%s' in:\n%s", \
				    (s), (w)->text ? (w)->text : "")

static const char *rec_get(const struct wipe *w, const char *a, const char *b)
{
	json_t *v = json_object_get(w->record, a);

	if (b)
		v = json_object_get(v, b);
	ck_assert_msg(json_is_string(v), "record has no %s.%s", a, b ? b : "");
	return json_string_value(v);
}

/* The record's command log mentions what. */
static bool cmds_have(const struct wipe *w, const char *what)
{
	char *t = json_dumps(json_object_get(w->record, "commands"), 0);
	bool has = t && strstr(t, what);

	free(t);
	return has;
}

/* The record's pattern "0xAABBCCDD" (bytes in media order) as the 32-bit word all_word() reads. */
static uint32_t rec_pattern(const struct wipe *w)
{
	unsigned b[4] = { 0 };

	ck_assert_int_eq(sscanf(rec_get(w, "method", "pattern"), "0x%2x%2x%2x%2x", &b[0], &b[1], &b[2],
				&b[3]), 4);
	return b[0] | b[1] << 8 | b[2] << 16 | (uint32_t)b[3] << 24;
}

static uint8_t *media(const struct sim_fx *f)
{
	int fd = open(f->dev, O_RDONLY);
	uint8_t *buf = malloc(DEV_SIZE);

	ck_assert_int_ge(fd, 0);
	ck_assert_ptr_nonnull(buf);
	posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED);
	ck_assert_int_eq(pread(fd, buf, DEV_SIZE, 0), DEV_SIZE);
	close(fd);
	return buf;
}

static bool all_word(const uint8_t *b, size_t len, uint32_t v)
{
	for (size_t i = 0; i + 4 <= len; i += 4)
		if ((uint32_t)(b[i] | b[i + 1] << 8 | b[i + 2] << 16 | (uint32_t)b[i + 3] << 24) != v)
			return false;
	return true;
}

static size_t same_blocks(const uint8_t *a, const uint8_t *b)
{
	size_t same = 0;

	for (size_t i = 0; i < DEV_SIZE; i += 4096)
		same += !memcmp(a + i, b + i, 4096);
	return same;
}

static void ck_erased(const struct wipe *w, const char *method, const char *category)
{
	ck_assert_msg(!strcmp(w->outcome, "ERASED"), "outcome %s, want ERASED:\n%s", w->outcome, w->text);
	ck_assert_str_eq(rec_get(w, "outcome", NULL), "ERASED");
	ck_assert_str_eq(rec_get(w, "method", "name"), method);
	ck_assert_str_eq(rec_get(w, "method", "category"), category);
	ck_assert_str_eq(rec_get(w, "verification", "result"), "passed");
}

static void ck_not_erased(const struct wipe *w)
{
	ck_assert_msg(strcmp(w->outcome, "ERASED") && strcmp(w->outcome, "UNVERIFIED"),
		      "outcome %s:\n%s", w->outcome, w->text);
	ck_assert_msg(!strcmp(w->outcome, "FAILED") || !strcmp(w->outcome, "refused"),
		      "outcome %s:\n%s", w->outcome, w->text);
}

START_TEST(test_scsi_methods_change_media)
{
	struct sim_fx f;
	struct wipe w;
	uint8_t *before, *after;

	if (tu_skip_unless_root(__func__))
		return;
	/* Block erase on a hard disk: zeros everywhere, Purge. */
	sim_fx_setup(&f, DEV_SIZE, SCSI(",\"rotational\":true,\"sanitize_seconds\":1.5"));
	sim_fx_fill_random(&f);
	wipe_run(&f, &w, "scsi-sanitize-block", NULL, NULL);
	ck_erased(&w, "scsi-sanitize-block", "Purge");
	after = media(&f);
	ck_assert(all_word(after, DEV_SIZE, 0));
	free(after);
	/* Polled with progress: REQUEST SENSE saw it running, the record names the protection. */
	ck_assert(sim_fx_log_has(&f, "scsi SANITIZE opcode=0x48 sa=0x02 immed=1 ause=1"));
	ck_assert(sim_fx_log_has(&f, "scsi REQUEST_SENSE opcode=0x03 desc=1 state=1"));
	ck_assert_ptr_nonnull(strstr(rec_get(&w, "method", "details"), "no protection information"));
	ck_assert_ptr_nonnull(strstr(rec_get(&w, "hidden_areas", "detail"), "over-provisioned"));
	ck_assert(cmds_have(&w, "SANITIZE BLOCK ERASE"));
	wipe_free(&w);

	/* A drive whose erased blocks read as ones. */
	sim_fx_config(&f, SCSI(",\"sanitize\":{\"block_fill\":\"ones\"}"));
	sim_fx_fill_random(&f);
	wipe_run(&f, &w, "scsi-sanitize-block", NULL, NULL);
	ck_erased(&w, "scsi-sanitize-block", "Purge");
	after = media(&f);
	ck_assert(all_word(after, DEV_SIZE, 0xFFFFFFFFu));
	free(after);
	wipe_free(&w);

	/* Crypto erase: new, random-looking content everywhere; protection information noted. */
	sim_fx_config(&f, SCSI(",\"protection_type\":2"));
	sim_fx_fill_random(&f);
	before = media(&f);
	wipe_run(&f, &w, "scsi-sanitize-crypto", NULL, NULL);
	ck_erased(&w, "scsi-sanitize-crypto", "Purge");
	after = media(&f);
	ck_assert_uint_eq(same_blocks(before, after), 0);
	ck_assert(!all_word(after, DEV_SIZE, 0));
	ck_assert_ptr_nonnull(strstr(rec_get(&w, "method", "details"),
				     "protection information type 2 enabled"));
	free(before);
	free(after);
	wipe_free(&w);

	/* Overwrite with kesu's pattern: the pattern everywhere; Purge on a hard disk, Clear on an SSD. */
	sim_fx_config(&f, SCSI(",\"rotational\":true"));
	sim_fx_fill_random(&f);
	wipe_run(&f, &w, "scsi-sanitize-overwrite", NULL, NULL);
	ck_erased(&w, "scsi-sanitize-overwrite", "Purge");
	after = media(&f);
	ck_assert(all_word(after, DEV_SIZE, rec_pattern(&w)));
	ck_assert(sim_fx_log_has(&f, "sa=0x01 immed=1 ause=1"));
	free(after);
	wipe_free(&w);
	sim_fx_config(&f, SCSI(""));
	sim_fx_fill_random(&f);
	wipe_run(&f, &w, "scsi-sanitize-overwrite", NULL, NULL);
	ck_erased(&w, "scsi-sanitize-overwrite", "Clear");
	wipe_free(&w);
	/* A device that gives fixed-format sense data only: the progress is read there too. */
	sim_fx_config(&f, SCSI(",\"sense\":\"fixed\",\"sanitize_seconds\":1.5"));
	sim_fx_fill_random(&f);
	wipe_run(&f, &w, "scsi-sanitize-block", NULL, NULL);
	ck_erased(&w, "scsi-sanitize-block", "Purge");
	ck_assert(sim_fx_log_has(&f, "scsi REQUEST_SENSE opcode=0x03 desc=0 state=1"));
	ck_assert_int_gt(json_array_size(json_object_get(w.record, "timeline")), 1);
	wipe_free(&w);
	tu_loop_detach(f.dev);
}
END_TEST

START_TEST(test_scsi_misbehaviour_never_erased)
{
	static const char *const mb[] = { "lie", "first_lba_only", "fail_midway", "abort" };
	struct sim_fx f;
	struct wipe w;
	char cfg[256];

	if (tu_skip_unless_root(__func__))
		return;
	sim_fx_loop(&f, DEV_SIZE);
	for (size_t i = 0; i < sizeof(mb) / sizeof(mb[0]); i++) {
		for (int m = 0; m < 3; m++) {
			const char *method = m == 0 ? "scsi-sanitize-block" : m == 1 ?
					     "scsi-sanitize-crypto" : "scsi-sanitize-overwrite";

			snprintf(cfg, sizeof(cfg), SCSI(",\"misbehave\":\"%s\""), "%s", mb[i]);
			sim_fx_config(&f, cfg);
			sim_fx_fill_random(&f);
			wipe_run(&f, &w, method, NULL, NULL);
			ck_not_erased(&w);
			ck_assert_msg(!strcmp(w.outcome, "FAILED"), "%s %s: %s\n%s", mb[i], method,
				      w.outcome, w.text);
			if (!strcmp(mb[i], "fail_midway")) {
				/* Reported with the way out, never cleared behind the operator's back. */
				ck_text(&w, "SANITIZE COMMAND FAILED");
				ck_text(&w, "EXIT FAILURE MODE");
				ck_text(&w, "kesu unlock");
				ck_assert(!sim_fx_log_has(&f, "exit_failure_mode"));
			}
			wipe_free(&w);
		}
	}
	/* A stall: progress stops, kesu stops watching and says so. */
	sim_fx_config(&f, SCSI(",\"misbehave\":\"stall\",\"sanitize_seconds\":20,\"stall_at\":0.1"));
	wipe_run(&f, &w, "scsi-sanitize-block", "--stall-timeout", "1");
	ck_assert_str_eq(w.outcome, "FAILED");
	ck_text(&w, "made no progress");
	wipe_free(&w);
	tu_loop_detach(f.dev);
}
END_TEST

START_TEST(test_scsi_refusals)
{
	struct sim_fx f;
	struct wipe w;

	if (tu_skip_unless_root(__func__))
		return;
	sim_fx_setup(&f, DEV_SIZE, SCSI(",\"sanitize\":{\"block\":false}"));
	wipe_run(&f, &w, "scsi-sanitize-block", NULL, NULL);
	ck_assert_str_eq(w.outcome, "refused");
	ck_text(&w, "REPORT SUPPORTED OPERATION CODES");
	ck_assert(!sim_fx_log_has(&f, "scsi SANITIZE"));
	wipe_free(&w);
	/* Support not reported: kesu sends no erase it cannot know is supported. */
	sim_fx_config(&f, SCSI(",\"report_opcodes\":false"));
	wipe_run(&f, &w, "scsi-sanitize-crypto", NULL, NULL);
	ck_assert_str_eq(w.outcome, "refused");
	ck_text(&w, "refuses REPORT SUPPORTED OPERATION CODES");
	ck_assert(!sim_fx_log_has(&f, "scsi SANITIZE"));
	wipe_free(&w);
	/* SCSI methods on an ATA drive, ATA methods on a SCSI drive. */
	sim_fx_config(&f, "{\"devices\":[{\"path\":\"%s\",\"type\":\"ata\"}]}");
	wipe_run(&f, &w, "scsi-sanitize-block", NULL, NULL);
	ck_assert_str_eq(w.outcome, "refused");
	wipe_free(&w);
	sim_fx_config(&f, SCSI(""));
	wipe_run(&f, &w, "ata-sanitize-block", NULL, NULL);
	ck_assert_str_eq(w.outcome, "refused");
	ck_assert(!sim_fx_log_has(&f, "scsi SANITIZE"));
	wipe_free(&w);
	tu_loop_detach(f.dev);
}
END_TEST

/* kesu wipe --dry-run --method auto: the method it would choose. */
static void ck_auto(struct sim_fx *f, const char *tmpl, const char *want)
{
	const char *argv[] = { tu_kesu_bin(), "wipe", "--dry-run", "--method", "auto", f->dev, NULL };
	struct tu_result r;
	char chosen[64] = "";
	const char *m;

	sim_fx_config(f, tmpl);
	sim_fx_run(f, &r, NULL, argv);
	ck_assert_msg(r.status == 0, "kesu wipe --dry-run exited %d: %s", r.status, r.err);
	m = strstr(r.out, "  method:       ");
	ck_assert_ptr_nonnull(m);
	sscanf(m, "  method:       %63s", chosen);
	ck_assert_msg(!strcmp(chosen, want), "auto chose %s, want %s:\n%s", chosen, want, r.out);
	tu_result_free(&r);
	ck_assert(!sim_fx_log_has(f, "scsi SANITIZE"));
}

START_TEST(test_scsi_auto)
{
	struct sim_fx f;

	if (tu_skip_unless_root(__func__))
		return;
	sim_fx_loop(&f, DEV_SIZE);
	ck_auto(&f, SCSI(""), "scsi-sanitize-block");
	ck_auto(&f, SCSI(",\"sanitize\":{\"block\":false}"), "scsi-sanitize-crypto");
	ck_auto(&f, SCSI(",\"rotational\":true,\"sanitize\":{\"block\":false,\"crypto\":false}"),
		"scsi-sanitize-overwrite");
	/* On an SSD a sanitize overwrite is only a Clear: kesu's own overwrite instead. */
	ck_auto(&f, SCSI(",\"sanitize\":{\"block\":false,\"crypto\":false}"), "overwrite");
	ck_auto(&f, SCSI(",\"report_opcodes\":false"), "overwrite");
	tu_loop_detach(f.dev);
}
END_TEST

START_TEST(test_scsi_waits_for_running_sanitize)
{
	const char *argv[] = { "sg_sanitize", "--crypto", "--early", NULL, NULL };
	struct tu_result r;
	struct sim_fx f;
	struct wipe w;

	if (tu_skip_unless_root(__func__))
		return;
	if (!have("sg_sanitize")) {
		fprintf(stderr, "%s: skipped: sg_sanitize is not installed (Debian sg3-utils)\n", __func__);
		return;
	}
	sim_fx_setup(&f, DEV_SIZE, SCSI(",\"sanitize_seconds\":1.5"));
	sim_fx_fill_random(&f);
	/* Someone else's crypto erase is running when kesu starts. */
	argv[3] = f.dev;
	sim_fx_run(&f, &r, NULL, argv);
	ck_assert_msg(r.status == 0, "sg_sanitize: %s", r.err);
	tu_result_free(&r);
	wipe_run(&f, &w, "scsi-sanitize-block", NULL, NULL);
	ck_erased(&w, "scsi-sanitize-block", "Purge");
	ck_assert(sim_fx_log_has(&f, "scsi SANITIZE_COMPLETE sa=0x03 -> ok"));
	ck_assert(sim_fx_log_has(&f, "scsi SANITIZE_COMPLETE sa=0x02 -> ok"));
	ck_assert(cmds_have(&w, "a sanitize started earlier is running"));
	wipe_free(&w);
	tu_loop_detach(f.dev);
}
END_TEST


/* kesu unlock --exit-failure-mode on the fixture's drive; its exit status, stdout+stderr in *text. */
static int unlock_efm(const struct sim_fx *f, const char *extra, char **text)
{
	const char *argv[] = { tu_kesu_bin(), "unlock", f->dev, "--exit-failure-mode", "--yes", extra, NULL };
	struct tu_result r;
	int status;

	sim_fx_run(f, &r, NULL, argv);
	status = r.status;
	*text = malloc(strlen(r.out) + strlen(r.err) + 1);
	ck_assert_ptr_nonnull(*text);
	sprintf(*text, "%s%s", r.out, r.err);
	tu_result_free(&r);
	return status;
}

START_TEST(test_scsi_exit_failure_mode)
{
	const char *sgargv[] = { "sg_sanitize", "--block", "--early", NULL, NULL };
	struct tu_result r;
	struct sim_fx f;
	struct wipe w;
	json_t *doc;
	char *t;

	if (tu_skip_unless_root(__func__))
		return;
	sim_fx_setup(&f, DEV_SIZE, SCSI(",\"misbehave\":\"fail_midway\""));
	/* Nothing to do on a healthy drive; nothing sent. */
	ck_assert_int_eq(unlock_efm(&f, NULL, &t), 0);
	ck_has(t, "not in sanitize failure mode");
	free(t);
	ck_assert(!sim_fx_log_has(&f, "scsi SANITIZE "));
	wipe_run(&f, &w, "scsi-sanitize-block", NULL, NULL);
	ck_assert_str_eq(w.outcome, "FAILED");
	wipe_free(&w);
	doc = info_json(&f);
	ck_assert_str_eq(jstr(doc, "scsi", "sanitize_state"), "failed");
	json_decref(doc);
	/* --dry-run says what it would send and sends nothing. */
	ck_assert_int_eq(unlock_efm(&f, "--dry-run", &t), 0);
	ck_has(t, "would send SANITIZE EXIT FAILURE MODE");
	free(t);
	ck_assert(!sim_fx_log_has(&f, "exit_failure_mode"));
	{
		const char *jargv[] = { tu_kesu_bin(), "unlock", f.dev, "--exit-failure-mode", "--dry-run",
					"--json", NULL };

		sim_fx_run(&f, &r, NULL, jargv);
		ck_assert_int_eq(r.status, 0);
		doc = json_loads(r.out, 0, NULL);
		ck_assert_ptr_nonnull(doc);
		ck_assert_str_eq(jstr(doc, "result", NULL), "would-exit-failure-mode");
		ck_assert_str_eq(jstr(doc, "would_send", NULL),
				 "REQUEST SENSE, SANITIZE EXIT FAILURE MODE, REQUEST SENSE");
		json_decref(doc);
		tu_result_free(&r);
	}
	ck_assert(!sim_fx_log_has(&f, "exit_failure_mode"));
	ck_assert_int_eq(unlock_efm(&f, NULL, &t), 0);
	ck_has(t, "sanitize failure mode ended");
	free(t);
	ck_assert(sim_fx_log_has(&f, "sa=0x1f immed=0 ause=0 znr=0 exit_failure_mode -> ok"));
	doc = info_json(&f);
	ck_assert_str_eq(jstr(doc, "scsi", "sanitize_state"), "idle");
	json_decref(doc);

	/* A sanitize that failed without AUSE: the device refuses EXIT FAILURE MODE, kesu says what is left. */
	if (!have("sg_sanitize")) {
		fprintf(stderr, "%s: part skipped: sg_sanitize is not installed\n", __func__);
	} else {
		sgargv[3] = f.dev;
		sim_fx_run(&f, &r, NULL, sgargv);
		tu_result_free(&r);
		ck_assert_int_eq(unlock_efm(&f, NULL, &t), 8);
		ck_has(t, "refuses EXIT FAILURE MODE");
		ck_has(t, "only a sanitize that succeeds");
		free(t);
	}
	/* An ATA drive has no sanitize failure mode of this kind. */
	sim_fx_config(&f, "{\"devices\":[{\"path\":\"%s\",\"type\":\"ata\"}]}");
	ck_assert_int_eq(unlock_efm(&f, NULL, &t), 8);
	ck_has(t, "not a SCSI drive");
	free(t);
	/* --help says what exit 8 means in both modes, as kesu-unlock(8) does. */
	{
		struct tu_result h;

		tu_kesu(&h, "unlock", "--help", NULL);
		ck_assert_int_eq(h.status, 0);
		ck_has(h.out, "8 not an ATA drive or no Security feature set");
		ck_has(h.out, "8 not a SCSI drive, or it refuses EXIT FAILURE MODE");
		tu_result_free(&h);
	}
	tu_loop_detach(f.dev);
}
END_TEST

int main(int argc, char **argv)
{
	const struct tu_case cases[] = {
		{ "cdbs", test_scsi_cdbs },
		{ "sense_progress", test_scsi_sense_progress },
		{ "judge", test_scsi_judge },
		{ "inquiry_vpd", test_scsi_inquiry_vpd },
		{ "capacity_rsoc", test_scsi_capacity_rsoc },
		{ "loop_is_no_scsi", test_scsi_loop_is_no_scsi },
		{ "info_sim", test_scsi_info_sim },
		{ "sg3_utils_agree", test_scsi_sg3_utils_agree },
		{ "methods_change_media", test_scsi_methods_change_media },
		{ "misbehaviour_never_erased", test_scsi_misbehaviour_never_erased },
		{ "refusals", test_scsi_refusals },
		{ "auto", test_scsi_auto },
		{ "waits_for_running_sanitize", test_scsi_waits_for_running_sanitize },
		{ "exit_failure_mode", test_scsi_exit_failure_mode },
	};
	Suite *s;

	if (argc > 2 && !strcmp(argv[1], SIM_FX_IDENTIFY_ARG))
		return sim_fx_identify_main(argv[2]);
	s = suite_create("scsi");
	TU_ADD_CASES(s, cases, 120);
	return tu_main(s);
}
