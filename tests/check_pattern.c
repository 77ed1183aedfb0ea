/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Patterns, the result record and the journal, without devices: the random
 * stream is standard AES-128-CTR (checked against the openssl command) and
 * seekable; the record holds only integers and strings; a journal survives
 * a save/load round trip.
 */
#include <check.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <kesu/journal.h>
#include <kesu/pattern.h>
#include <kesu/progress.h>
#include <kesu/record.h>

#include "lib/testutil.h"

static const char *KEY_HEX = "000102030405060708090a0b0c0d0e0f";

static void random_pattern(struct kesu_pattern *p, int complement)
{
	char spec[80];

	snprintf(spec, sizeof(spec), "%s:%s", complement ? "random-complement" : "random", KEY_HEX);
	ck_assert_int_eq(kesu_pattern_parse(spec, p, NULL), 0);
}

START_TEST(test_pattern_random_matches_openssl)
{
	struct kesu_pattern p;
	struct kesu_pattern_gen *g;
	const size_t n = 1 << 20;
	unsigned char *buf = malloc(n), *ref;
	char path[PATH_MAX];
	size_t len;

	for (int complement = 0; complement < 2; complement++) {
		random_pattern(&p, complement);
		ck_assert_int_eq(kesu_pattern_gen_new(&p, &g, NULL), 0);
		ck_assert_int_eq(kesu_pattern_fill(g, 0, buf, n), 0);
		kesu_pattern_gen_free(g);
		snprintf(path, sizeof(path), "%s/ref%d", tu_tmpdir(), complement);
		ck_assert_int_eq(tu_sh("%s | head -c %zu | openssl enc -aes-128-ctr -K %s -iv "
				       "00000000000000000000000000000000 -out %s", complement ?
				       "tr '\\000' '\\377' </dev/zero" : "cat /dev/zero", n, KEY_HEX,
				       path), 0);
		ref = (unsigned char *)tu_read_file(path, &len);
		ck_assert_uint_eq(len, n);
		ck_assert_int_eq(memcmp(buf, ref, n), 0);
		free(ref);
	}
	free(buf);
}
END_TEST

START_TEST(test_pattern_random_is_seekable)
{
	struct kesu_pattern p;
	struct kesu_pattern_gen *g;
	unsigned char whole[8192], part[5000];
	const uint64_t offs[] = { 0, 1, 15, 16, 17, 4096, 3000 };

	random_pattern(&p, 0);
	ck_assert_int_eq(kesu_pattern_gen_new(&p, &g, NULL), 0);
	ck_assert_int_eq(kesu_pattern_fill(g, 0, whole, sizeof(whole)), 0);
	for (size_t i = 0; i < sizeof(offs) / sizeof(offs[0]); i++) {
		size_t n = sizeof(whole) - offs[i] < sizeof(part) ? sizeof(whole) - offs[i] : sizeof(part);

		ck_assert_int_eq(kesu_pattern_fill(g, offs[i], part, n), 0);
		ck_assert_int_eq(memcmp(part, whole + offs[i], n), 0);
	}
	kesu_pattern_gen_free(g);
}
END_TEST

/*
 * The generator keeps its counter running between fills: a long run, the
 * same bytes in consecutive pieces of odd sizes, and pieces asked for out of
 * order all give the same stream.
 */
START_TEST(test_pattern_random_pieces_equal_long_run)
{
	const size_t n = (8u << 20) + 1000, sizes[] = { 1, 15, 16, 17, 4096, 65535, 65536, 65537,
							   300000, 1 << 20 };
	const uint64_t base = 3;
	struct kesu_pattern p;
	struct kesu_pattern_gen *g, *h;
	unsigned char *whole = malloc(n), *piece = malloc(n);
	size_t at, k;

	for (int complement = 0; complement < 2; complement++) {
		random_pattern(&p, complement);
		ck_assert_int_eq(kesu_pattern_gen_new(&p, &g, NULL), 0);
		ck_assert_int_eq(kesu_pattern_gen_new(&p, &h, NULL), 0);
		ck_assert_int_eq(kesu_pattern_fill(g, base, whole, n), 0);
		for (at = 0, k = 0; at < n; at += sizes[k % 10], k++) {
			size_t len = n - at < sizes[k % 10] ? n - at : sizes[k % 10];

			ck_assert_int_eq(kesu_pattern_fill(h, base + at, piece + at, len), 0);
		}
		ck_assert_int_eq(memcmp(whole, piece, n), 0);
		/* Backwards, 64 KiB and one byte at a time, through the same generator. */
		for (at = n; at > 0; at -= k) {
			k = at < 65537 ? at : 65537;
			ck_assert_int_eq(kesu_pattern_fill(h, base + at - k, piece, k), 0);
			ck_assert_int_eq(memcmp(whole + at - k, piece, k), 0);
		}
		kesu_pattern_gen_free(g);
		kesu_pattern_gen_free(h);
	}
	free(whole);
	free(piece);
}
END_TEST

/* XOR with the key stream leaves the plaintext byte where the data is the pattern. */
START_TEST(test_pattern_unmask_leaves_the_plain_byte)
{
	struct kesu_pattern p;
	struct kesu_pattern_gen *g;
	unsigned char buf[70000], out[70000];

	for (int complement = 0; complement < 2; complement++) {
		random_pattern(&p, complement);
		ck_assert_int_eq(kesu_pattern_plain_byte(&p), complement ? 0xFF : 0x00);
		ck_assert_int_eq(kesu_pattern_gen_new(&p, &g, NULL), 0);
		ck_assert_int_eq(kesu_pattern_fill(g, 4099, buf, sizeof(buf)), 0);
		buf[12345] ^= 0x10;
		ck_assert_int_eq(kesu_pattern_unmask(g, 4099, buf, out, sizeof(out)), 0);
		ck_assert_int_eq(kesu_pattern_unmask(g, 4099, buf, buf, sizeof(buf)), 0); /* in place */
		ck_assert_int_eq(memcmp(buf, out, sizeof(out)), 0);
		for (size_t i = 0; i < sizeof(out); i++)
			ck_assert_uint_eq(out[i], (complement ? 0xFF : 0x00) ^ (i == 12345 ? 0x10 : 0));
		kesu_pattern_gen_free(g);
	}
	ck_assert_int_eq(kesu_pattern_parse("zero", &p, NULL), 0);
	ck_assert_int_eq(kesu_pattern_gen_new(&p, &g, NULL), 0);
	ck_assert_int_eq(kesu_pattern_unmask(g, 0, buf, out, 16), -EINVAL);
	kesu_pattern_gen_free(g);
}
END_TEST

/* Far into the device, across the carry out of the low 32 bits of the counter. */
START_TEST(test_pattern_random_far_offset_matches_openssl)
{
	const uint64_t block = 0xfffffffeull, off = block * 16 + 7;
	const size_t n = 1 << 20;
	struct kesu_pattern p;
	struct kesu_pattern_gen *g;
	unsigned char *buf = malloc(n), *ref;
	char path[PATH_MAX];
	size_t len;

	random_pattern(&p, 0);
	ck_assert_int_eq(kesu_pattern_gen_new(&p, &g, NULL), 0);
	ck_assert_int_eq(kesu_pattern_fill(g, off - 1000, buf, 1000), 0);
	ck_assert_int_eq(kesu_pattern_fill(g, off, buf, n), 0); /* a jump forward */
	kesu_pattern_gen_free(g);
	snprintf(path, sizeof(path), "%s/far", tu_tmpdir());
	ck_assert_int_eq(tu_sh("head -c %zu /dev/zero | openssl enc -aes-128-ctr -K %s -iv "
			       "%032llx | tail -c +8 | head -c %zu >%s", n + 16, KEY_HEX,
			       (unsigned long long)block, n, path), 0);
	ref = (unsigned char *)tu_read_file(path, &len);
	ck_assert_uint_eq(len, n);
	ck_assert_int_eq(memcmp(buf, ref, n), 0);
	free(ref);
	free(buf);
}
END_TEST

START_TEST(test_pattern_fixed_and_complement)
{
	struct kesu_pattern p, c;
	struct kesu_pattern_gen *g;
	unsigned char buf[1000];
	char name[KESU_PATTERN_NAME_MAX];

	ck_assert_int_eq(kesu_pattern_parse("0x12ab34", &p, NULL), 0);
	kesu_pattern_name(&p, name, sizeof(name));
	ck_assert_str_eq(name, "0x12AB34");
	ck_assert_int_eq(kesu_pattern_gen_new(&p, &g, NULL), 0);
	ck_assert_int_eq(kesu_pattern_fill(g, 7, buf, sizeof(buf)), 0);
	for (size_t i = 0; i < sizeof(buf); i++)
		ck_assert_uint_eq(buf[i], p.bytes[(7 + i) % 3]);
	kesu_pattern_gen_free(g);

	kesu_pattern_complement(&p, &c);
	kesu_pattern_name(&c, name, sizeof(name));
	ck_assert_str_eq(name, "0xED54CB");
	ck_assert_int_eq(kesu_pattern_parse("zero", &p, NULL), 0);
	kesu_pattern_complement(&p, &c);
	kesu_pattern_name(&c, name, sizeof(name));
	ck_assert_str_eq(name, "one");
	random_pattern(&p, 0);
	kesu_pattern_complement(&p, &c);
	kesu_pattern_spec(&c, name, sizeof(name));
	ck_assert_str_eq(name, "random-complement:000102030405060708090a0b0c0d0e0f");
}
END_TEST

START_TEST(test_pattern_rejects_junk)
{
	struct kesu_pattern p;
	struct kesu_errbuf eb;
	const char *bad[] = { "", "0x", "0x1", "0xZZ", "rand", "random:00", "random:xyz",
			      "0x" "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff"
			      "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff00" };

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		ck_assert_int_eq(kesu_pattern_parse(bad[i], &p, &eb), -KESU_E_BAD_INPUT);
	ck_assert_int_eq(kesu_pattern_parse("random", &p, NULL), 0);
	ck_assert(!p.has_key);
	ck_assert_int_eq(kesu_pattern_new_key(&p, NULL), 0);
	ck_assert(p.has_key);
}
END_TEST

/* Only objects, arrays, integers and strings; object keys come out sorted. */
static void assert_int_str_only(json_t *v)
{
	const char *k;
	json_t *e;
	size_t i;

	switch (json_typeof(v)) {
	case JSON_OBJECT:
		json_object_foreach(v, k, e)
			assert_int_str_only(e);
		break;
	case JSON_ARRAY:
		json_array_foreach(v, i, e)
			assert_int_str_only(e);
		break;
	case JSON_INTEGER:
	case JSON_STRING:
		break;
	default:
		ck_abort_msg("the record holds a value that is neither integer nor string");
	}
}

static void fill_result(struct kesu_result *r)
{
	ck_assert_int_eq(kesu_result_init(r), 0);
	ck_assert_int_eq(kesu_record_new_id(r->record_id, sizeof(r->record_id)), 0);
	snprintf(r->method_name, sizeof(r->method_name), "overwrite");
	snprintf(r->pattern, sizeof(r->pattern), "random");
	r->passes = 1;
	r->dev.size_bytes = 1 << 20;
	r->dev.logical_sector_size = 512;
	ck_assert_int_eq(kesu_verify_plan_build(KESU_VERIFY_SAMPLE, 1 << 20, 512, 7, 1, &r->plan,
						NULL), 0);
	ck_assert_int_eq(kesu_result_add_bad(r, 10, 2, KESU_OP_WRITE), 0);
	ck_assert_int_eq(kesu_result_add_bad(r, 12, 3, KESU_OP_WRITE), 0); /* merges */
	ck_assert_int_eq(kesu_result_add_bad(r, 100, 1, KESU_OP_READ), 0);
	ck_assert_int_eq(kesu_result_add_mismatch(r, 4096, 512), 0);
	ck_assert_int_eq(kesu_result_add_interruption(r, "2026-11-25T10:00:00Z", 8192, "test"), 0);
	ck_assert_int_eq(kesu_result_add_reason(r, "reason %d", 1), 0);
	kesu_timeline_add(&r->timeline, 0, 0);
	kesu_timeline_add(&r->timeline, 1500, 4096);
	r->outcome = KESU_OUTCOME_FAILED;
}

START_TEST(test_record_integers_and_strings_only)
{
	struct kesu_result r;
	json_t *doc;
	char *a, *b;
	const char *keys[] = { "record_version", "record_id", "tool", "host", "device", "method",
			       "verification", "bad_ranges", "hidden_areas", "interruptions",
			       "timeline", "commands", "started_at", "finished_at", "duration_ms",
			       "bytes_written", "throughput_bps", "outcome", "outcome_reasons" };

	fill_result(&r);
	ck_assert_int_eq(kesu_record_build(&r, &doc, NULL), 0);
	assert_int_str_only(doc);
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		ck_assert_msg(json_object_get(doc, keys[i]) != NULL, "missing %s", keys[i]);
	ck_assert_str_eq(json_string_value(json_object_get(doc, "outcome")), "FAILED");
	ck_assert_int_eq(json_array_size(json_object_get(doc, "bad_ranges")), 2);
	ck_assert_int_eq(json_integer_value(json_object_get(json_array_get(
		json_object_get(doc, "bad_ranges"), 0), "sectors")), 5);
	a = json_dumps(doc, JSON_SORT_KEYS);
	b = json_dumps(doc, JSON_SORT_KEYS);
	ck_assert_str_eq(a, b);
	free(a);
	free(b);
	json_decref(doc);
	kesu_result_release(&r);
}
END_TEST

START_TEST(test_journal_round_trip)
{
	struct kesu_result r, back;
	struct kesu_journal j = { 0 }, k;
	struct kesu_errbuf eb;

	fill_result(&r);
	snprintf(j.path, sizeof(j.path), "%s/j.journal.json", tu_tmpdir());
	snprintf(j.record_id, sizeof(j.record_id), "%s", r.record_id);
	snprintf(j.state, sizeof(j.state), "running");
	snprintf(j.device_path, sizeof(j.device_path), "/dev/loop9");
	snprintf(j.device_serial, sizeof(j.device_serial), "S123");
	j.device_size = 1 << 20;
	snprintf(j.method, sizeof(j.method), "overwrite");
	snprintf(j.pattern, sizeof(j.pattern), "random:%s", KEY_HEX);
	j.passes = 2;
	snprintf(j.verify, sizeof(j.verify), "sample");
	j.seed = 18446744073709551615ull;
	j.step = 1;
	j.offset = 65536;
	ck_assert_int_eq(kesu_journal_save(&j, &r, &eb), 0);
	ck_assert_int_eq(kesu_result_init(&back), 0);
	ck_assert_int_eq(kesu_journal_load(j.path, &k, &back, &eb), 0);
	ck_assert_str_eq(k.record_id, j.record_id);
	ck_assert_str_eq(k.pattern, j.pattern);
	ck_assert_uint_eq(k.seed, j.seed);
	ck_assert_uint_eq(k.step, 1);
	ck_assert_uint_eq(k.offset, 65536);
	ck_assert_uint_eq(k.passes, 2);
	ck_assert_uint_eq(back.n_bad, 2);
	ck_assert_uint_eq(back.n_interruptions, 1);
	ck_assert_uint_eq(back.timeline.n, 2);
	kesu_result_release(&back);
	kesu_result_release(&r);

	ck_assert_int_eq(tu_write_file(j.path, "{\"journal_version\":1}", 21), 0);
	ck_assert_int_eq(kesu_journal_load(j.path, &k, NULL, &eb), -KESU_E_BAD_INPUT);
}
END_TEST

START_TEST(test_timeline_stays_bounded)
{
	static struct kesu_timeline tl;
	uint64_t t;

	kesu_timeline_init(&tl, 1000);
	for (t = 0; t <= 100ull * 3600 * 1000; t += 250)  /* 100 hours, a sample every 250 ms */
		kesu_timeline_add(&tl, t, t * 10);
	ck_assert_uint_le(tl.n, KESU_TIMELINE_MAX);
	ck_assert_uint_ge(tl.n, KESU_TIMELINE_MAX / 2);
	ck_assert_uint_eq(tl.pts[0].t_ms, 0);
	ck_assert_uint_eq(tl.pts[tl.n - 1].t_ms, 100ull * 3600 * 1000);
	for (size_t i = 1; i < tl.n; i++)
		ck_assert_uint_gt(tl.pts[i].t_ms, tl.pts[i - 1].t_ms);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("pattern");
	TCase *tc = tcase_create("core");
	SRunner *sr;
	int failed;

	tcase_add_test(tc, test_pattern_random_matches_openssl);
	tcase_add_test(tc, test_pattern_random_is_seekable);
	tcase_add_test(tc, test_pattern_random_pieces_equal_long_run);
	tcase_add_test(tc, test_pattern_random_far_offset_matches_openssl);
	tcase_add_test(tc, test_pattern_unmask_leaves_the_plain_byte);
	tcase_add_test(tc, test_pattern_fixed_and_complement);
	tcase_add_test(tc, test_pattern_rejects_junk);
	tcase_add_test(tc, test_record_integers_and_strings_only);
	tcase_add_test(tc, test_journal_round_trip);
	tcase_add_test(tc, test_timeline_stays_bounded);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
