/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Reading result records back (kesu_record_load, record_schema.h): the
 * record a real wipe wrote loads with every member typed; the writer and the
 * schema name the same members; malformed records are refused with the
 * member named, by the library and by the commands that read records.
 */
#include "overwrite_helpers.h"

#include <kesu/record.h>

#define DEV_SIZE (16 * MiB)

static void run_ok(struct tu_result *r)
{
	ck_assert_msg(r->status == 0, "exit %d\nstdout: %s\nstderr: %s", r->status, r->out, r->err);
}

/* ---- the schema against the writer ---- */

struct key_list {
	const char *keys[64];
	size_t n;
};

#define KEY_OF(member, key, kind, required) key,
#define SECTION_KEYS(member, key, required, fields) \
	{ key, { fields(KEY_OF) NULL } },

static const struct {
	const char *section;
	const char *keys[32];
} schema_sections[] = { KESU_RECORD_SECTIONS(SECTION_KEYS) };
static const char *const schema_top[] = { KESU_RECORD_TOP(KEY_OF) NULL };

static int listed(const char *const *keys, const char *key)
{
	for (; *keys; keys++)
		if (!strcmp(*keys, key))
			return 1;
	return 0;
}

static const char *const *section_keys(const char *name)
{
	for (size_t i = 0; i < sizeof(schema_sections) / sizeof(schema_sections[0]); i++)
		if (!strcmp(schema_sections[i].section, name))
			return schema_sections[i].keys;
	return NULL;
}

/* Every member of obj is in keys and every key is in obj. */
static void same_members(const json_t *obj, const char *const *keys, const char *where)
{
	const char *key;
	json_t *v;

	ck_assert_msg(json_is_object(obj), "%s is not an object", where);
	json_object_foreach((json_t *)obj, key, v)
		ck_assert_msg(listed(keys, key), "%s.%s is written but not in record_schema.h",
			      where, key);
	for (; *keys; keys++)
		ck_assert_msg(json_object_get(obj, *keys), "%s.%s is in record_schema.h but the "
			      "writer leaves it out", where, *keys);
}

/* A full result, as a firmware erase with a password fills it: every member present. */
static json_t *written_record(void)
{
	struct kesu_result r;
	json_t *doc = NULL;

	ck_assert_int_eq(kesu_result_init(&r), 0);
	ck_assert_int_eq(kesu_record_new_id(r.record_id, sizeof(r.record_id)), 0);
	snprintf(r.method_name, sizeof(r.method_name), "ata-secure-erase");
	snprintf(r.ata_password, sizeof(r.ata_password), "kesu-12345678");
	snprintf(r.time.source, sizeof(r.time.source), "system");
	r.outcome = KESU_OUTCOME_UNVERIFIED;
	kesu_timeline_add(&r.timeline, 0, 0);
	kesu_timeline_add(&r.timeline, 2000, 4096);
	ck_assert_int_eq(kesu_result_add_bad(&r, 8, 2, KESU_OP_WRITE), 0);
	ck_assert_int_eq(kesu_result_add_interruption(&r, "2026-12-05T00:00:00Z", 512, "test"), 0);
	ck_assert_int_eq(kesu_result_add_reason(&r, "a reason"), 0);
	ck_assert_int_eq(kesu_record_build(&r, &doc, NULL), 0);
	kesu_result_release(&r);
	return doc;
}

START_TEST(test_record_schema_matches_writer)
{
	json_t *doc = written_record();
	const char *key;
	json_t *v;
	struct kesu_record rec;
	struct kesu_record_point pt;
	struct kesu_record_bad_range br;
	struct kesu_record_interruption it;

	json_object_foreach(doc, key, v) {
		const char *const *keys = section_keys(key);

		if (keys)
			same_members(v, keys, key);
		else
			ck_assert_msg(listed(schema_top, key), "record.%s is written but not in "
				      "record_schema.h", key);
	}
	for (size_t i = 0; schema_top[i]; i++)
		ck_assert_msg(json_object_get(doc, schema_top[i]), "record.%s is not written",
			      schema_top[i]);
	for (size_t i = 0; i < sizeof(schema_sections) / sizeof(schema_sections[0]); i++)
		ck_assert_msg(json_object_get(doc, schema_sections[i].section),
			      "record.%s is not written", schema_sections[i].section);
	/* and it reads back typed */
	ck_assert_int_eq(kesu_record_from_json(doc, &rec, NULL), 0);
	ck_assert_int_eq(rec.outcome, KESU_OUTCOME_UNVERIFIED);
	ck_assert_str_eq(rec.method.name, "ata-secure-erase");
	ck_assert_str_eq(rec.secrets.ata_user_password, "kesu-12345678");
	ck_assert_str_eq(rec.time.source, "system");
	ck_assert_int_eq(kesu_record_point_at(&rec, 1, &pt), 0);
	ck_assert_uint_eq(pt.t_ms, 2000);
	ck_assert_uint_eq(pt.bytes, 4096);
	ck_assert_int_eq(kesu_record_point_at(&rec, 2, &pt), -ERANGE);
	ck_assert_int_eq(kesu_record_bad_range_at(&rec, 0, &br), 0);
	ck_assert_uint_eq(br.first_lba, 8);
	ck_assert_uint_eq(br.sectors, 2);
	ck_assert_str_eq(br.op, "write");
	ck_assert_uint_eq(rec.bad_sectors.write, 2);
	ck_assert_int_eq(kesu_record_interruption_at(&rec, 0, &it), 0);
	ck_assert_uint_eq(it.offset, 512);
	ck_assert_str_eq(kesu_record_reason(&rec, 0), "a reason");
	ck_assert_ptr_null(kesu_record_reason(&rec, 1));
	kesu_record_release(&rec);
	json_decref(doc);
}
END_TEST

START_TEST(test_record_outcome_names)
{
	char list[128] = "";
	enum kesu_outcome o;

#define APPEND(n) snprintf(list + strlen(list), sizeof(list) - strlen(list), "%s%s", \
			   list[0] ? ", " : "", #n);
	KESU_OUTCOMES(APPEND)
#undef APPEND
	ck_assert_str_eq(list, KESU_OUTCOME_CHOICES);
	ck_assert_str_eq(kesu_outcome_name(KESU_OUTCOME_ERASED), "ERASED");
	ck_assert_int_eq(kesu_outcome_parse("INTERRUPTED", &o), 0);
	ck_assert_int_eq(o, KESU_OUTCOME_INTERRUPTED);
	ck_assert_int_eq(kesu_outcome_parse("erased", &o), -KESU_E_BAD_INPUT);
	ck_assert_int_eq(kesu_outcome_parse(NULL, &o), -KESU_E_BAD_INPUT);
	ck_assert(kesu_outcome_is("ERASED", KESU_OUTCOME_ERASED));
	ck_assert(!kesu_outcome_is("FAILED", KESU_OUTCOME_ERASED));
}
END_TEST

/* ---- a record a real wipe wrote ---- */

START_TEST(test_record_round_trip_after_wipe)
{
	char dev[64], img[PATH_MAX], out[PATH_MAX], path[PATH_MAX], keydir[PATH_MAX];
	char envbuf[PATH_MAX + 16];
	const char *env[2] = { envbuf, NULL };
	struct kesu_record rec;
	struct kesu_record_point pt;
	struct kesu_errbuf eb;
	struct tu_result r;
	json_t *raw;

	if (tu_skip_unless_root(__func__))
		return;
	snprintf(keydir, sizeof(keydir), "%s/no-keys", tu_tmpdir());
	snprintf(envbuf, sizeof(envbuf), "KESU_KEY_DIR=%s", keydir);
	ck_assert_int_eq(tu_loop_create(DEV_SIZE, dev, sizeof(dev), img, sizeof(img)), 0);
	ow_out_dir(out, sizeof(out));
	ck_assert_int_eq(tu_kesu_env(&r, env, "wipe", dev, "--yes", "--quiet", "--pattern", "one",
				     "--out", out, "--config", "/dev/null", "--operator",
				     "佐藤 花子", NULL), 0);
	run_ok(&r);
	tu_result_free(&r);
	raw = ow_load_suffix(out, ".record.json", path, sizeof(path));
	ck_assert_ptr_nonnull(raw);

	ck_assert_msg(kesu_record_load(path, &rec, &eb) == 0, "%s", eb.msg);
	ck_assert_int_eq(rec.outcome, KESU_OUTCOME_ERASED);
	ck_assert_str_eq(rec.outcome_name, "ERASED");
	ck_assert_str_eq(rec.record_id, ow_str(raw, "record_id", NULL));
	ck_assert_uint_eq(rec.device.size_bytes, DEV_SIZE);
	ck_assert_str_eq(rec.device.path, dev);
	ck_assert_str_eq(rec.method.name, "overwrite");
	ck_assert_str_eq(rec.method.pattern, "one");
	ck_assert_uint_eq(rec.method.passes, 1);
	ck_assert_str_eq(rec.verification.result, "passed");
	ck_assert_uint_ge(rec.verification.bytes_checked, 1);
	ck_assert_uint_ge(rec.bytes_written, DEV_SIZE);
	ck_assert_str_eq(rec.operator_name, "佐藤 花子");
	ck_assert_str_eq(rec.tool.name, "kesu");
	ck_assert_str_eq(rec.secrets.ata_user_password, "");
	ck_assert_int_ge((int)json_array_size(rec.timeline), 1);
	ck_assert_int_eq(kesu_record_point_at(&rec, json_array_size(rec.timeline) - 1, &pt), 0);
	ck_assert_uint_gt(pt.bytes, 0);
	/* the document is the one on disk, member for member */
	ck_assert(json_equal(rec.doc, raw));
	kesu_record_release(&rec);
	json_decref(raw);
}
END_TEST

/* ---- malformed records ---- */

static json_t *fixture(void)
{
	char path[PATH_MAX];
	json_t *doc;

	snprintf(path, sizeof(path), "%s/tests/fixtures/record-overwrite.json", tu_srcdir());
	doc = json_load_file(path, JSON_REJECT_DUPLICATES, NULL);
	ck_assert_ptr_nonnull(doc);
	return doc;
}

/* doc (taken) is refused, and the message holds want. */
static void refused(json_t *doc, const char *want)
{
	struct kesu_record rec;
	struct kesu_errbuf eb;
	int rc = kesu_record_from_json(doc, &rec, &eb);

	ck_assert_msg(rc == -KESU_E_BAD_INPUT, "accepted (rc %d), expected '%s'", rc, want);
	ck_assert_msg(strstr(eb.msg, want), "'%s' does not say '%s'", eb.msg, want);
	ck_assert_ptr_null(rec.doc);
	json_decref(doc);
}

static json_t *with(json_t *doc, const char *section, const char *key, json_t *v)
{
	json_t *obj = section ? json_object_get(doc, section) : doc;

	if (v)
		json_object_set_new(obj, key, v);
	else
		json_object_del(obj, key);
	return doc;
}

START_TEST(test_record_malformed_refused)
{
	struct kesu_record rec;
	json_t *doc = fixture();

	/* the fixture itself, an older record without operator, time or secrets, loads */
	ck_assert_int_eq(kesu_record_from_json(doc, &rec, NULL), 0);
	ck_assert_str_eq(rec.operator_name, "");
	ck_assert_str_eq(rec.time.source, "");
	ck_assert_str_eq(rec.secrets.ata_user_password, "");
	kesu_record_release(&rec);
	json_decref(doc);

	refused(json_array(), "not a JSON object");
	refused(with(fixture(), "method", "passes", json_string("3")),
		"record.method.passes must be a non-negative integer, not a string");
	refused(with(fixture(), "device", "size_bytes", json_integer(-1)),
		"record.device.size_bytes must be a non-negative integer, not -1");
	refused(with(fixture(), "device", "rotational", json_integer(2)),
		"record.device.rotational must be 0 or 1, not 2");
	refused(with(fixture(), "device", "serial", json_integer(7)),
		"record.device.serial must be a string, not an integer");
	refused(with(fixture(), NULL, "device", NULL), "record.device is missing");
	refused(with(fixture(), NULL, "device", json_string("sda")),
		"record.device must be an object, not a string");
	refused(with(fixture(), "method", "category", NULL), "record.method.category is missing");
	refused(with(fixture(), NULL, "record_id", NULL), "record.record_id is missing");
	refused(with(fixture(), NULL, "outcome", json_string("DONE")),
		"record.outcome \"DONE\" is not one of ERASED, FAILED, INTERRUPTED, UNVERIFIED");
	refused(with(fixture(), NULL, "outcome", json_integer(0)),
		"record.outcome must be a string");
	refused(with(fixture(), NULL, "record_version", json_integer(2)),
		"record.record_version 2 is not 1");
	refused(with(fixture(), NULL, "duration_ms", json_real(1.5)),
		"only integers and strings are allowed");
	refused(with(fixture(), "host", "hostname", json_true()),
		"only integers and strings are allowed");
	refused(with(fixture(), NULL, "time", json_pack("{s:i}", "source", 1)),
		"record.time.source must be a string");
	refused(with(fixture(), NULL, "timeline", json_pack("[{s:i, s:s}]", "t_ms", 0, "bytes", "x")),
		"record.timeline[0].bytes must be a non-negative integer");
	refused(with(fixture(), NULL, "timeline", json_pack("[i]", 5)),
		"record.timeline[0] must be an object");
	refused(with(fixture(), NULL, "outcome_reasons", json_pack("[s, i]", "ok", 3)),
		"record.outcome_reasons[1] must be a string");
	refused(with(fixture(), NULL, "bad_ranges", json_pack("[{s:i, s:i}]", "first_lba", 1,
							      "sectors", 2)),
		"record.bad_ranges[0].op is missing");
}
END_TEST

/* Files: not JSON, duplicate keys, too large; and the commands that read records say why. */
START_TEST(test_record_files_refused)
{
	char path[PATH_MAX], big[PATH_MAX];
	struct kesu_record rec;
	struct kesu_errbuf eb;
	struct tu_result r;
	json_t *doc;
	char *text;

	snprintf(path, sizeof(path), "%s/bad.record.json", tu_tmpdir());
	ck_assert_int_eq(tu_write_file(path, "{\"record_id\": ", 14), 0);
	ck_assert_int_eq(kesu_record_load(path, &rec, &eb), -KESU_E_BAD_INPUT);
	ck_assert_ptr_nonnull(strstr(eb.msg, "not valid JSON"));
	ck_assert_ptr_nonnull(strstr(eb.msg, path));
	ck_assert_int_eq(tu_write_file(path, "{\"a\":1,\"a\":2}", 13), 0);
	ck_assert_int_eq(kesu_record_load(path, &rec, &eb), -KESU_E_BAD_INPUT);
	ck_assert_ptr_nonnull(strstr(eb.msg, "duplicate"));
	snprintf(big, sizeof(big), "%s/big.record.json", tu_tmpdir());
	ck_assert_int_eq(tu_sh("truncate -s %u '%s'", KESU_RECORD_MAX_BYTES + 1, big), 0);
	ck_assert_int_eq(kesu_record_load(big, &rec, &eb), -KESU_E_BAD_INPUT);
	ck_assert_ptr_nonnull(strstr(eb.msg, "larger than"));
	unlink(big);

	doc = with(fixture(), "method", "passes", json_string("3"));
	text = json_dumps(doc, JSON_SORT_KEYS);
	json_decref(doc);
	ck_assert_int_eq(tu_write_file(path, text, strlen(text)), 0);
	free(text);
	ck_assert_int_eq(tu_kesu(&r, "cert", "issue", path, "--out", tu_tmpdir(), "--config",
				 "/dev/null", "--no-pdf", NULL), 0);
	ck_assert_int_ne(r.status, 0);
	ck_assert_msg(strstr(r.err, "record.method.passes must be a non-negative integer"), "%s",
		      r.err);
	tu_result_free(&r);
	ck_assert_int_eq(tu_kesu(&r, "unlock", "/dev/null", "--record", path, "--dry-run", NULL), 0);
	ck_assert_int_eq(r.status, 11);
	ck_assert_msg(strstr(r.err, "not a kesu wipe record") &&
		      strstr(r.err, "record.method.passes"), "%s", r.err);
	tu_result_free(&r);
	unlink(path);
}
END_TEST

/* The certificate PDF of the fixture as method name/category/pattern: whether it has the chart. */
static int pdf_has_chart(const char *keydir, const char *name, const char *category,
			 const char *pattern)
{
	char rec_path[PATH_MAX], out[PATH_MAX], env_dir[PATH_MAX + 16];
	const char *env[2] = { env_dir, NULL };
	struct tu_result r;
	json_t *doc = fixture(), *o;
	char *text, *pdftext;
	int has;

	with(doc, "method", "name", json_string(name));
	with(doc, "method", "category", json_string(category));
	with(doc, "method", "pattern", json_string(pattern));
	snprintf(rec_path, sizeof(rec_path), "%s/chart.record.json", tu_tmpdir());
	snprintf(out, sizeof(out), "%s/chart-%s", tu_tmpdir(), name);
	ck_assert_int_eq(mkdir(out, 0700), 0);
	text = json_dumps(doc, JSON_SORT_KEYS);
	json_decref(doc);
	ck_assert_int_eq(tu_write_file(rec_path, text, strlen(text)), 0);
	free(text);
	snprintf(env_dir, sizeof(env_dir), "KESU_KEY_DIR=%s", keydir);
	ck_assert_int_eq(tu_kesu_env(&r, env, "cert", "issue", rec_path, "--out", out, "-c",
				     "/dev/null", "--json", NULL), 0);
	run_ok(&r);
	o = json_loads(r.out, 0, NULL);
	ck_assert_ptr_nonnull(o);
	pdftext = tu_sh_out("pdftotext '%s/%s.pdf' -", out,
			    json_string_value(json_object_get(o, "certificate_id")));
	json_decref(o);
	tu_result_free(&r);
	ck_assert_ptr_nonnull(pdftext);
	ck_assert_ptr_nonnull(strstr(pdftext, "Certificate of Sanitization"));
	has = strstr(pdftext, "Throughput over time") != NULL;
	free(pdftext);
	return has;
}

/* The chart follows what the method table says a method leaves, not its name's text. */
START_TEST(test_record_pdf_chart_by_method_table)
{
	char keydir[PATH_MAX];
	struct tu_result r;

	snprintf(keydir, sizeof(keydir), "%s/keys", tu_tmpdir());
	ck_assert_int_eq(tu_kesu(&r, "key", "init", "--dir", keydir, "-c", "/dev/null", NULL), 0);
	run_ok(&r);
	tu_result_free(&r);
	ck_assert_int_eq(tu_kesu(&r, "key", "self-sign", "--dir", keydir, "-c", "/dev/null",
				 NULL), 0);
	run_ok(&r);
	tu_result_free(&r);
	ck_assert(pdf_has_chart(keydir, "overwrite", "Clear", "zero"));
	ck_assert(pdf_has_chart(keydir, "nvme-sanitize-overwrite", "Purge", "0x00000000"));
	ck_assert(!pdf_has_chart(keydir, "nvme-sanitize-crypto", "Purge", ""));
	ck_assert(!pdf_has_chart(keydir, "ata-sanitize-block", "Purge", ""));
}
END_TEST

int main(void)
{
	Suite *s = suite_create("record");
	TCase *tc = tcase_create("core");

	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_record_schema_matches_writer);
	tcase_add_test(tc, test_record_outcome_names);
	tcase_add_test(tc, test_record_round_trip_after_wipe);
	tcase_add_test(tc, test_record_malformed_refused);
	tcase_add_test(tc, test_record_files_refused);
	tcase_add_test(tc, test_record_pdf_chart_by_method_table);
	suite_add_tcase(s, tc);
	return tu_main(s);
}
