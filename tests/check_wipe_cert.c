/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * kesu wipe ends with a signed certificate, and with --media-id/--db the
 * certificate is verified and linked to the ledger. Anything that would stop
 * the evidence (a named key that is missing, an unknown media ID) is found
 * before the device is touched.
 */
#include "overwrite_helpers.h"
#include "lib/fakesys.h"
#include "lib/simfx.h"

#include <sys/sysmacros.h>

#define DEV_SIZE (16 * MiB)

struct pki {
	char dir[PATH_MAX], root[PATH_MAX + 32], key[PATH_MAX + 32], cert[PATH_MAX + 32];
};

static void run_ok(struct tu_result *r)
{
	ck_assert_msg(r->status == 0, "exit %d\nstdout: %s\nstderr: %s", r->status, r->out, r->err);
}

/* A root CA and a signer certificate issued by it, made with kesu itself. */
static void make_pki(struct pki *p)
{
	char ca[PATH_MAX + 8], st[PATH_MAX + 8], csr[PATH_MAX + 32];
	struct tu_result r;

	snprintf(p->dir, sizeof(p->dir), "%s/pki", tu_tmpdir());
	ck_assert_int_eq(mkdir(p->dir, 0700), 0);
	snprintf(ca, sizeof(ca), "%s/ca", p->dir);
	snprintf(st, sizeof(st), "%s/st", p->dir);
	snprintf(csr, sizeof(csr), "%s/signer.csr", st);
	snprintf(p->root, sizeof(p->root), "%s/root.pem", ca);
	snprintf(p->key, sizeof(p->key), "%s/signer.key", st);
	snprintf(p->cert, sizeof(p->cert), "%s/signer.pem", st);
	ck_assert_int_eq(tu_kesu(&r, "ca", "init", "--dir", ca, "--subject", "/CN=Wipe Test Root",
				 NULL), 0);
	run_ok(&r);
	tu_result_free(&r);
	ck_assert_int_eq(tu_kesu(&r, "key", "init", "--dir", st, "--subject",
				 "/CN=佐藤 花子/O=検証株式会社", NULL), 0);
	run_ok(&r);
	tu_result_free(&r);
	ck_assert_int_eq(tu_kesu(&r, "ca", "sign", csr, "--dir", ca, NULL), 0);
	run_ok(&r);
	tu_result_free(&r);
}

static int find_cert(const char *dir, char *path, size_t len)
{
	char *s = tu_sh_out("ls %s/KC-*.json 2>/dev/null | head -1", dir);
	int ok = s && s[0];

	if (ok) {
		s[strcspn(s, "\n")] = '\0';
		snprintf(path, len, "%s", s);
	}
	free(s);
	return ok;
}

START_TEST(test_wipe_cert_signed_and_verifies_with_openssl)
{
	char dev[64], img[PATH_MAX], out[PATH_MAX], cert[PATH_MAX];
	struct pki p;
	struct tu_result r;
	json_t *doc, *rec;

	if (tu_skip_unless_root("test_wipe_cert_signed_and_verifies_with_openssl"))
		return;
	make_pki(&p);
	ck_assert_int_eq(tu_loop_create(DEV_SIZE, dev, sizeof(dev), img, sizeof(img)), 0);
	ow_out_dir(out, sizeof(out));
	ck_assert_int_eq(tu_kesu(&r, "wipe", dev, "--yes", "--quiet", "--pattern", "zero",
				 "--out", out, "--key", p.key, "--signer-cert", p.cert,
				 "--operator", "佐藤 花子", NULL), 0);
	run_ok(&r);
	ck_assert_ptr_nonnull(strstr(r.out, "certificate: "));
	tu_result_free(&r);

	ck_assert_msg(find_cert(out, cert, sizeof(cert)), "no certificate in %s", out);
	doc = json_load_file(cert, 0, NULL);
	ck_assert_ptr_nonnull(doc);
	ck_assert_str_eq(json_string_value(json_object_get(doc, "outcome")), "ERASED");
	rec = ow_load_record(out);
	ck_assert_ptr_nonnull(rec);
	ck_assert_str_eq(ow_str(doc, "record", "record_id"), ow_str(rec, "record_id", NULL));
	json_decref(rec);
	json_decref(doc);
	/* The client's check, with stock openssl against the root. */
	ck_assert_int_eq(tu_sh("openssl cms -verify -binary -inform PEM -in %s.p7s -content %s "
			       "-CAfile %s -out /dev/null 2>/dev/null", cert, cert, p.root), 0);
	ck_assert_int_eq(tu_kesu(&r, "cert", "verify", cert, "--ca", p.root, NULL), 0);
	run_ok(&r);
	tu_result_free(&r);
	ck_assert_int_eq(ow_first_diff_fixed(dev, (const unsigned char *)"\0", 1, DEV_SIZE), -1);
}
END_TEST

START_TEST(test_wipe_cert_missing_named_key_refused_untouched)
{
	char dev[64], img[PATH_MAX], out[PATH_MAX], before[80], after[80];
	struct tu_result r;

	if (tu_skip_unless_root("test_wipe_cert_missing_named_key_refused_untouched"))
		return;
	ck_assert_int_eq(tu_loop_create(DEV_SIZE, dev, sizeof(dev), img, sizeof(img)), 0);
	ow_fill_urandom(dev, DEV_SIZE);
	ow_sha256(dev, before, sizeof(before));
	ow_out_dir(out, sizeof(out));
	ck_assert_int_eq(tu_kesu(&r, "wipe", dev, "--yes", "--quiet", "--out", out, "--key",
				 "/nonexistent/signer.key", NULL), 0);
	ck_assert_int_eq(r.status, 12);
	ck_assert_ptr_nonnull(strstr(r.err, "nothing was touched"));
	tu_result_free(&r);
	ow_sha256(dev, after, sizeof(after));
	ck_assert_str_eq(before, after);
}
END_TEST

/* No key anywhere: the wipe warns, erases and leaves the record to certify later. */
START_TEST(test_wipe_cert_no_key_records_only)
{
	char dev[64], img[PATH_MAX], out[PATH_MAX], cert[PATH_MAX], keydir[PATH_MAX];
	const char *env[2];
	char envbuf[PATH_MAX + 16];
	struct tu_result r;
	json_t *rec;

	if (tu_skip_unless_root("test_wipe_cert_no_key_records_only"))
		return;
	snprintf(keydir, sizeof(keydir), "%s/empty-keys", tu_tmpdir());
	snprintf(envbuf, sizeof(envbuf), "KESU_KEY_DIR=%s", keydir);
	env[0] = envbuf;
	env[1] = NULL;
	ck_assert_int_eq(tu_loop_create(DEV_SIZE, dev, sizeof(dev), img, sizeof(img)), 0);
	ow_out_dir(out, sizeof(out));
	ck_assert_int_eq(tu_kesu_env(&r, env, "wipe", dev, "--yes", "--quiet", "--pattern", "one",
				     "--out", out, "--config", "/dev/null", NULL), 0);
	run_ok(&r);
	ck_assert_ptr_nonnull(strstr(r.err, "kesu cert issue"));
	tu_result_free(&r);
	ck_assert(!find_cert(out, cert, sizeof(cert)));
	rec = ow_load_record(out);
	ck_assert_ptr_nonnull(rec);
	ck_assert_str_eq(json_string_value(json_object_get(rec, "outcome")), "ERASED");
	json_decref(rec);
}
END_TEST

/* A string three members deep ("" when any is missing). */
static const char *at3(json_t *doc, const char *a, const char *b, const char *c)
{
	const char *s = json_string_value(json_object_get(json_object_get(json_object_get(doc, a),
									 b), c));

	return s ? s : "";
}

/* An image file to wipe (no root needed) and a fresh evidence directory. */
static void image_and_out(char *img, size_t ilen, char *out, size_t olen)
{
	static int seq;

	snprintf(img, ilen, "%s/disk%d.img", tu_tmpdir(), seq++);
	ck_assert_int_eq(tu_sh("truncate -s 4M '%s'", img), 0);
	ow_out_dir(out, olen);
}

static void ck_pdf_has(const char *cert_json, const char *text)
{
	char pdf[PATH_MAX];

	snprintf(pdf, sizeof(pdf), "%.*s.pdf", (int)(strlen(cert_json) - 5), cert_json);
	ck_assert_msg(tu_sh("pdftotext '%s' - | grep -qF '%s'", pdf, text) == 0,
		      "%s does not show '%s'", pdf, text);
}

START_TEST(test_wipe_cert_ledger_attach)
{
	char dev[64], img[PATH_MAX], out[PATH_MAX], db[PATH_MAX], before[80], after[80];
	char cert[PATH_MAX];
	struct pki p;
	struct tu_result r;
	json_t *doc;
	char *show;

	if (tu_skip_unless_root("test_wipe_cert_ledger_attach"))
		return;
	make_pki(&p);
	snprintf(db, sizeof(db), "%s/kesu.db", tu_tmpdir());
	ck_assert_int_eq(tu_kesu(&r, "ledger", "--db", db, "add", "M2026000042",
				 "--data-name", "顧客データ", "--medium", "HDD 64MB",
				 "--disposition", "消去", "--witness", "鈴木 一郎",
				 "--operator", "佐藤 花子", NULL), 0);
	run_ok(&r);
	tu_result_free(&r);
	ck_assert_int_eq(tu_loop_create(DEV_SIZE, dev, sizeof(dev), img, sizeof(img)), 0);
	ow_out_dir(out, sizeof(out));

	/* An unknown medium is refused before anything is touched. */
	ow_fill_urandom(dev, DEV_SIZE);
	ow_sha256(dev, before, sizeof(before));
	ck_assert_int_eq(tu_kesu(&r, "wipe", dev, "--yes", "--quiet", "--out", out, "--key", p.key,
				 "--signer-cert", p.cert, "--media-id", "M2026999999", "--db", db,
				 NULL), 0);
	ck_assert_int_ne(r.status, 0);
	tu_result_free(&r);
	ow_sha256(dev, after, sizeof(after));
	ck_assert_str_eq(before, after);

	ck_assert_int_eq(tu_kesu(&r, "wipe", dev, "--yes", "--quiet", "--out", out, "--key", p.key,
				 "--signer-cert", p.cert, "--ca", p.root, "--media-id",
				 "M2026000042", "--db", db, "--operator", "佐藤 花子", NULL), 0);
	run_ok(&r);
	ck_assert_ptr_nonnull(strstr(r.out, "ledger: M2026000042"));
	tu_result_free(&r);

	/* The certificate names the ledger's データ名, 記録媒体 and 立会者, and verifies. */
	ck_assert_msg(find_cert(out, cert, sizeof(cert)), "no certificate in %s", out);
	doc = json_load_file(cert, 0, NULL);
	ck_assert_ptr_nonnull(doc);
	ck_assert_str_eq(at3(doc, "nist", "media", "data_name"), "顧客データ");
	ck_assert_str_eq(at3(doc, "nist", "media", "type"), "HDD 64MB");
	ck_assert_str_eq(at3(doc, "nist", "media", "property_id"), "M2026000042");
	ck_assert_str_eq(ow_str(doc, "witness", "name"), "鈴木 一郎");
	ck_assert_str_eq(at3(doc, "nist", "person", "name"), "佐藤 花子");
	json_decref(doc);
	ck_assert_int_eq(tu_sh("openssl cms -verify -binary -inform PEM -in %s.p7s -content %s "
			       "-CAfile %s -out /dev/null 2>/dev/null", cert, cert, p.root), 0);
	ck_pdf_has(cert, "顧客データ");
	ck_pdf_has(cert, "HDD 64MB");
	ck_pdf_has(cert, "鈴木 一郎");
	ck_assert_int_eq(tu_kesu(&r, "cert", "show", cert, NULL), 0);
	run_ok(&r);
	ck_assert_ptr_nonnull(strstr(r.out, "顧客データ"));
	ck_assert_ptr_nonnull(strstr(r.out, "HDD 64MB"));
	ck_assert_ptr_nonnull(strstr(r.out, "鈴木 一郎"));
	tu_result_free(&r);
	show = tu_sh_out("%s ledger --db %s show M2026000042 --json", tu_kesu_bin(), db);
	ck_assert_ptr_nonnull(show);
	ck_assert_msg(strstr(show, "消去済"), "ledger entry not erased: %s", show);
	ck_assert_msg(strstr(show, "KC-"), "no certificate linked: %s", show);
	free(show);
	ck_assert_int_eq(tu_kesu(&r, "ledger", "--db", db, "audit", NULL), 0);
	run_ok(&r);
	tu_result_free(&r);

	/* --witness wins over the ledger's 立会者. */
	ck_assert_int_eq(tu_kesu(&r, "ledger", "--db", db, "add", "M2026000043", "--medium",
				 "HDD 64MB", "--witness", "鈴木 一郎", "--operator", "佐藤 花子",
				 NULL), 0);
	run_ok(&r);
	tu_result_free(&r);
	ow_out_dir(out, sizeof(out));
	ck_assert_int_eq(tu_kesu(&r, "wipe", dev, "--yes", "--quiet", "--verify", "none", "--out",
				 out, "--key", p.key, "--signer-cert", p.cert, "--ca", p.root,
				 "--media-id", "M2026000043", "--db", db, "--witness", "高橋 次郎",
				 NULL), 0);
	tu_result_free(&r);
	ck_assert(find_cert(out, cert, sizeof(cert)));
	doc = json_load_file(cert, 0, NULL);
	ck_assert_str_eq(ow_str(doc, "witness", "name"), "高橋 次郎");
	ck_assert_str_eq(ow_str(doc, "record", "witness"), "高橋 次郎");
	json_decref(doc);
}
END_TEST

/*
 * The certificate PDF shows the JSON's SHA-256 and the signer's fingerprint
 * whole: set in groups of 8, a line breaks only between groups, never with a
 * hyphen, so the text without its blanks holds each hash.
 */
static void ck_pdf_hashes_whole(const char *cert_json)
{
	char *sha = tu_sh_out("sha256sum '%s' | cut -c1-64", cert_json);
	char *text = tu_sh_out("pdftotext -raw '%.*s.pdf' - | tr -d ' \\n\\f'",
			       (int)(strlen(cert_json) - 5), cert_json);
	json_t *doc = json_load_file(cert_json, 0, NULL);
	const char *fp = ow_str(doc, "signer", "fingerprint");

	ck_assert_ptr_nonnull(sha);
	ck_assert_ptr_nonnull(text);
	sha[strcspn(sha, "\n")] = '\0';
	ck_assert_uint_eq(strlen(sha), 64);
	ck_assert_uint_eq(strlen(fp), 64);
	ck_assert_msg(strstr(text, sha), "the PDF does not show %s whole: %s", sha, text);
	ck_assert_msg(strstr(text, fp), "the PDF does not show %s whole: %s", fp, text);
	ck_assert_int_eq(tu_sh("pdftotext -raw '%.*s.pdf' - | grep -Eq '[0-9a-f]{4}-$'",
			       (int)(strlen(cert_json) - 5), cert_json), 1);
	json_decref(doc);
	free(text);
	free(sha);
}

/* The command line wins over the configuration: --operator is the certificate's 氏名. */
START_TEST(test_wipe_cert_operator_option_over_config)
{
	char img[PATH_MAX], out[PATH_MAX], cert[PATH_MAX], conf[PATH_MAX], rec[PATH_MAX];
	char out2[PATH_MAX];
	struct stat st;
	static const char text[] = "[operator]\nname = 設定 太郎\norganisation = 検証株式会社\n";
	struct pki p;
	struct tu_result r;
	json_t *doc;

	make_pki(&p);
	snprintf(conf, sizeof(conf), "%s/kesu.conf", tu_tmpdir());
	ck_assert_int_eq(tu_write_file(conf, text, strlen(text)), 0);

	image_and_out(img, sizeof(img), out, sizeof(out));
	ck_assert_int_eq(tu_kesu(&r, "wipe", img, "--yes", "--quiet", "--pattern", "zero",
				 "--verify", "none", "--out", out, "--config", conf, "--key", p.key,
				 "--signer-cert", p.cert, "--operator", "佐藤 花子",
				 "--witness", "鈴木 一郎", NULL), 0);
	ck_assert_msg(r.status == 1, "exit %d: %s", r.status, r.err);   /* UNVERIFIED */
	tu_result_free(&r);
	ck_assert_msg(find_cert(out, cert, sizeof(cert)), "no certificate in %s", out);
	doc = json_load_file(cert, 0, NULL);
	ck_assert_ptr_nonnull(doc);
	ck_assert_str_eq(at3(doc, "nist", "person", "name"), "佐藤 花子");
	ck_assert_str_eq(at3(doc, "nist", "person", "organisation"), "検証株式会社");
	ck_assert_str_eq(ow_str(doc, "witness", "name"), "鈴木 一郎");
	ck_assert_str_eq(ow_str(doc, "record", "operator"), "佐藤 花子");
	ck_assert_str_eq(ow_str(doc, "record", "witness"), "鈴木 一郎");
	json_decref(doc);
	ck_pdf_has(cert, "佐藤 花子");
	ck_pdf_has(cert, "鈴木 一郎");
	ck_pdf_hashes_whole(cert);
	ck_assert_int_eq(tu_sh("pdftotext '%.*s.pdf' - | grep -qF '設定 太郎'",
			       (int)(strlen(cert) - 5), cert), 1);

	/* Without the option, the configuration names the operator. */
	image_and_out(img, sizeof(img), out, sizeof(out));
	ck_assert_int_eq(tu_kesu(&r, "wipe", img, "--yes", "--quiet", "--pattern", "zero",
				 "--out", out, "--config", conf, "--key", p.key,
				 "--signer-cert", p.cert, NULL), 0);
	run_ok(&r);
	tu_result_free(&r);
	ck_assert(find_cert(out, cert, sizeof(cert)));
	doc = json_load_file(cert, 0, NULL);
	ck_assert_str_eq(at3(doc, "nist", "person", "name"), "設定 太郎");
	ck_assert_str_eq(ow_str(doc, "witness", "name"), "");
	json_decref(doc);

	/* kesu cert issue: its own --operator and --witness win over the record's. */
	doc = ow_load_suffix(out, ".record.json", rec, sizeof(rec));
	ck_assert_ptr_nonnull(doc);
	json_decref(doc);
	ck_assert_int_eq(stat(rec, &st), 0);
	ck_assert_int_eq(st.st_mode & 0777, 0600);
	snprintf(out2, sizeof(out2), "%s/reissued", tu_tmpdir());
	ck_assert_int_eq(mkdir(out2, 0700), 0);
	ck_assert_int_eq(tu_kesu(&r, "cert", "issue", rec, "--out", out2, "--config", conf, "--key",
				 p.key, "--cert", p.cert, "--operator", "田中 三郎", "--witness",
				 "高橋 次郎", "--no-pdf", NULL), 0);
	run_ok(&r);
	tu_result_free(&r);
	ck_assert(find_cert(out2, cert, sizeof(cert)));
	doc = json_load_file(cert, 0, NULL);
	ck_assert_str_eq(at3(doc, "nist", "person", "name"), "田中 三郎");
	ck_assert_str_eq(ow_str(doc, "witness", "name"), "高橋 次郎");
	json_decref(doc);
}
END_TEST

/*
 * A drive behind a USB bridge whose VPD page 0x80 reports the bridge's serial
 * and whose INQUIRY names the bridge: the record, the certificate and the
 * ledger check use the drive's own serial and model (ATA IDENTIFY through
 * SAT), and the bridge's are kept beside them. The drive is
 * the simulator on a loop device (vpd_serial: the bridge's), which a fake
 * sysfs shows as a USB disk whose device/vpd_pg80 holds what the kernel would
 * have read from that bridge.
 */
START_TEST(test_wipe_cert_drive_serial_behind_usb_bridge)
{
	char out[PATH_MAX], db[PATH_MAX], cert[PATH_MAX], devno[32], before[80], after[80];
	const char *wipe[] = { tu_kesu_bin(), "wipe", NULL, "--yes", "--quiet", "--pattern", "zero",
			       "--passes", "1", "--out", NULL, "--key", NULL, "--signer-cert", NULL,
			       "--ca", NULL, "--media-id", "M-USB-1", "--db", NULL, NULL };
	struct sim_fx f;
	struct fakesys fs;
	struct stat st;
	struct pki p;
	struct tu_result r;
	json_t *doc;

	if (tu_skip_unless_root(__func__))
		return;
	make_pki(&p);
	sim_fx_setup(&f, DEV_SIZE, "{\"devices\":[{\"path\":\"%s\",\"type\":\"ata\","
		     "\"serial\":\"S-DRIVE-0001\",\"vpd_serial\":\"BRIDGE-0042\","
		     "\"model\":\"KESU SIM HDD\"}]}");
	ck_assert_int_eq(stat(f.dev, &st), 0);
	snprintf(devno, sizeof(devno), "%u:%u", major(st.st_rdev), minor(st.st_rdev));
	ck_assert_int_eq(fakesys_create(&fs), 0);
	ck_assert_int_eq(fakesys_usb_bridge_disk(&fs, "sdw", devno, DEV_SIZE / 512,
						 "BRIDGE-0042"), 0);
	snprintf(db, sizeof(db), "%s/usb.db", tu_tmpdir());
	ow_out_dir(out, sizeof(out));
	wipe[2] = f.dev;
	wipe[10] = out;
	wipe[12] = p.key;
	wipe[14] = p.cert;
	wipe[16] = p.root;
	wipe[20] = db;

	/* The dry run shows the serial the wipe will record, and the bridge's. */
	{
		const char *dry[] = { tu_kesu_bin(), "wipe", "--dry-run", f.dev, NULL };

		const char *dry_fw[] = { tu_kesu_bin(), "wipe", "--dry-run", "--method",
					 "ata-secure-erase", f.dev, NULL };
		const char *dry_json[] = { tu_kesu_bin(), "wipe", "--dry-run", "--json", f.dev, NULL };
		json_t *dry_doc, *plan;

		sim_fx_run(&f, &r, NULL, dry);
		run_ok(&r);
		ck_assert_msg(strstr(r.out, "serial 'S-DRIVE-0001'") && strstr(r.out, "BRIDGE-0042"),
			      "dry run: %s", r.out);
		ck_assert_msg(strstr(r.out, "KESU SIM HDD, serial") &&
			      strstr(r.out, "USB bridge reports 'USB3.0 BRIDGE'"), "dry run: %s", r.out);
		tu_result_free(&r);
		sim_fx_run(&f, &r, NULL, dry_json);
		run_ok(&r);
		dry_doc = json_loads(r.out, 0, NULL);
		plan = json_array_get(json_object_get(dry_doc, "devices"), 0);
		ck_assert_msg(plan, "dry run --json: %s", r.out);
		ck_assert_str_eq(json_string_value(json_object_get(plan, "model")), "KESU SIM HDD");
		ck_assert_str_eq(json_string_value(json_object_get(plan, "bridge_model")),
				 "USB3.0 BRIDGE");
		ck_assert_str_eq(json_string_value(json_object_get(plan, "bridge_serial")),
				 "BRIDGE-0042");
		json_decref(dry_doc);
		tu_result_free(&r);
		sim_fx_run(&f, &r, NULL, dry_fw);
		ck_assert_msg(strstr(r.out, "serial 'S-DRIVE-0001'") && strstr(r.out, "BRIDGE-0042"),
			      "firmware dry run: %s%s", r.out, r.err);
		ck_assert_msg(strstr(r.out, "KESU SIM HDD, serial") &&
			      strstr(r.out, "USB bridge reports 'USB3.0 BRIDGE'"),
			      "firmware dry run: %s%s", r.out, r.err);
		tu_result_free(&r);
	}

	/* The ledger took the bridge's serial (what the block layer shows): refused, untouched. */
	ck_assert_int_eq(tu_kesu(&r, "ledger", "--db", db, "add", "M-USB-1", "--serial",
				 "BRIDGE-0042", "--medium", "HDD 16MB", "--operator", "佐藤 花子",
				 NULL), 0);
	run_ok(&r);
	tu_result_free(&r);
	sim_fx_fill_random(&f);
	ow_sha256(f.dev, before, sizeof(before));
	sim_fx_run(&f, &r, NULL, wipe);
	ck_assert_msg(r.status != 0, "a wipe against the bridge's serial went ahead: %s", r.out);
	ck_assert_msg(strstr(r.err, "USB bridge") && strstr(r.err, "S-DRIVE-0001"),
		      "stderr: %s", r.err);
	tu_result_free(&r);
	ow_sha256(f.dev, after, sizeof(after));
	ck_assert_str_eq(before, after);

	/* With the drive's serial in the ledger: erased, certified and linked. */
	ck_assert_int_eq(tu_kesu(&r, "ledger", "--db", db, "edit", "M-USB-1", "--serial",
				 "S-DRIVE-0001", "--operator", "佐藤 花子", NULL), 0);
	run_ok(&r);
	tu_result_free(&r);
	sim_fx_run(&f, &r, NULL, wipe);
	run_ok(&r);
	ck_assert_ptr_nonnull(strstr(r.out, "ledger: M-USB-1"));
	tu_result_free(&r);
	ck_assert(find_cert(out, cert, sizeof(cert)));
	doc = json_load_file(cert, 0, NULL);
	ck_assert_ptr_nonnull(doc);
	ck_assert_str_eq(at3(doc, "nist", "media", "serial"), "S-DRIVE-0001");
	ck_assert_str_eq(at3(doc, "nist", "media", "bridge_serial"), "BRIDGE-0042");
	ck_assert_str_eq(at3(doc, "record", "device", "serial"), "S-DRIVE-0001");
	ck_assert_str_eq(at3(doc, "record", "device", "bridge_serial"), "BRIDGE-0042");
	ck_assert_str_eq(at3(doc, "record", "device", "serial_source"), "ata-identify");
	ck_assert_str_eq(at3(doc, "nist", "media", "model"), "KESU SIM HDD");
	ck_assert_str_eq(at3(doc, "nist", "media", "bridge_model"), "USB3.0 BRIDGE");
	ck_assert_str_eq(at3(doc, "record", "device", "model"), "KESU SIM HDD");
	ck_assert_str_eq(at3(doc, "record", "device", "bridge_model"), "USB3.0 BRIDGE");
	ck_assert_str_eq(at3(doc, "record", "device", "transport"), "usb");
	json_decref(doc);
	ck_pdf_has(cert, "S-DRIVE-0001");
	ck_pdf_has(cert, "BRIDGE-0042");
	ck_pdf_has(cert, "USB3.0 BRIDGE");
	ck_assert_int_eq(tu_kesu(&r, "cert", "verify", cert, "--ca", p.root, NULL), 0);
	run_ok(&r);
	ck_assert_ptr_nonnull(strstr(r.out, "S-DRIVE-0001"));
	tu_result_free(&r);
	ck_assert_int_eq(ow_first_diff_fixed(f.dev, (const unsigned char *)"\0", 1, DEV_SIZE), -1);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("wipe_cert");
	TCase *tc = tcase_create("core");

	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_wipe_cert_signed_and_verifies_with_openssl);
	tcase_add_test(tc, test_wipe_cert_missing_named_key_refused_untouched);
	tcase_add_test(tc, test_wipe_cert_no_key_records_only);
	tcase_add_test(tc, test_wipe_cert_ledger_attach);
	tcase_add_test(tc, test_wipe_cert_operator_option_over_config);
	tcase_add_test(tc, test_wipe_cert_drive_serial_behind_usb_bridge);
	suite_add_tcase(s, tc);
	return tu_main(s);
}
