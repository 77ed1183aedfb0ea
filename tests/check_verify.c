/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Verification: plans are reproducible from their seed, and readback catches
 * a region altered after the wipe: `kesu verify --full` names exactly the
 * corrupted block; a sampled verify names a corrupted region its plan covers.
 */
#include "overwrite_helpers.h"

#include <kesu/verify.h>

#define DEV_SIZE (32 * MiB)

static json_t *wipe_random(char *dev, size_t len, char *out, size_t outlen)
{
	char img[PATH_MAX];
	struct tu_result r;
	json_t *rec;

	ck_assert_int_eq(tu_loop_create(DEV_SIZE, dev, len, img, sizeof(img)), 0);
	ow_out_dir(out, outlen);
	ck_assert_int_eq(tu_kesu(&r, "wipe", dev, "--yes", "-q", "--out", out, NULL), 0);
	ck_assert_int_eq(r.status, 0);
	tu_result_free(&r);
	rec = ow_load_record(out);
	ck_assert_ptr_nonnull(rec);
	return rec;
}

static void corrupt(const char *dev, unsigned long long off, unsigned long long len)
{
	ck_assert_int_eq(tu_sh("head -c %llu /dev/urandom | dd of=%s bs=%llu seek=%llu "
			       "oflag=direct,seek_bytes iflag=fullblock conv=notrunc status=none",
			       len, dev, len, off), 0);
}

START_TEST(test_verify_full_names_the_corrupted_block)
{
	char dev[64], out[PATH_MAX], expect[128];
	const unsigned long long off = 5 * MiB + 8192, len = 4096;
	struct tu_result r;
	json_t *rec, *res, *mm;

	if (tu_skip_unless_root(__func__))
		return;
	rec = wipe_random(dev, sizeof(dev), out, sizeof(out));
	snprintf(expect, sizeof(expect), "%s", ow_str(rec, "verification", "expect"));
	ck_assert_str_eq(expect + strlen("random:"), ow_str(rec, "method", "random_key"));
	json_decref(rec);

	ck_assert_int_eq(tu_kesu(&r, "verify", dev, "--expect", expect, "--full", "-q", NULL), 0);
	ck_assert_int_eq(r.status, 0);
	ck_assert_ptr_nonnull(strstr(r.out, "MATCHES"));
	tu_result_free(&r);

	corrupt(dev, off, len);
	ck_assert_int_eq(tu_kesu(&r, "verify", dev, "--expect", expect, "--full", "--json", "-q",
				 NULL), 0);
	ck_assert_int_eq(r.status, 1);
	res = json_loads(r.out, 0, NULL);
	ck_assert_ptr_nonnull(res);
	ck_assert_str_eq(ow_str(res, "result", NULL), "failed");
	ck_assert_int_eq(ow_int(res, "bytes_checked", NULL), (long long)DEV_SIZE);
	mm = json_object_get(res, "mismatches");
	ck_assert_int_eq(json_array_size(mm), 1);
	ck_assert_int_eq(json_integer_value(json_object_get(json_array_get(mm, 0), "offset")),
			 (long long)off);
	ck_assert_int_eq(json_integer_value(json_object_get(json_array_get(mm, 0), "length")),
			 (long long)len);
	ck_assert_int_eq(json_integer_value(json_object_get(json_array_get(mm, 0), "first_lba")),
			 (long long)(off / 512));
	json_decref(res);
	tu_result_free(&r);

	/* The wrong expectation fails too. */
	ck_assert_int_eq(tu_kesu(&r, "verify", dev, "--expect", "zero", "-q", NULL), 0);
	ck_assert_int_eq(r.status, 1);
	tu_result_free(&r);
}
END_TEST

START_TEST(test_verify_sample_finds_a_covered_corruption)
{
	char dev[64], out[PATH_MAX], expect[128], seed_s[32];
	struct kesu_verify_plan plan;
	struct tu_result r;
	unsigned long long seed, target;
	json_t *rec, *res, *mm;
	size_t i, pick;

	if (tu_skip_unless_root(__func__))
		return;
	rec = wipe_random(dev, sizeof(dev), out, sizeof(out));
	snprintf(expect, sizeof(expect), "%s", ow_str(rec, "verification", "expect"));
	snprintf(seed_s, sizeof(seed_s), "%s",
		 ow_str(json_object_get(rec, "verification"), "plan", "seed"));
	seed = strtoull(seed_s, NULL, 10);
	/* The record's plan, rebuilt from its documented rule and seed. */
	ck_assert_int_eq(kesu_verify_plan_build(KESU_VERIFY_SAMPLE, DEV_SIZE, 512, seed, 1, &plan,
						NULL), 0);
	ck_assert_int_eq((long long)plan.n_extents,
			 ow_int(json_object_get(rec, "verification"), "plan", "regions"));
	ck_assert_int_eq((long long)plan.planned_bytes,
			 ow_int(rec, "verification", "bytes_checked"));
	json_decref(rec);

	/* A region in the middle of the device, not the first or last one. */
	pick = plan.n_extents / 2;
	target = plan.extents[pick].offset + plan.extents[pick].length / 512 / 2 * 512;
	corrupt(dev, target, 512);
	for (i = 0; i < plan.n_extents; i++)
		ck_assert(!(plan.extents[i].offset <= target &&
			    target < plan.extents[i].offset + plan.extents[i].length) || i == pick);
	kesu_verify_plan_release(&plan);

	ck_assert_int_eq(tu_kesu(&r, "verify", dev, "--expect", expect, "--sample", "--seed",
				 seed_s, "--json", "-q", NULL), 0);
	ck_assert_int_eq(r.status, 1);
	res = json_loads(r.out, 0, NULL);
	ck_assert_ptr_nonnull(res);
	mm = json_object_get(res, "mismatches");
	ck_assert_int_eq(json_array_size(mm), 1);
	ck_assert_int_eq(json_integer_value(json_object_get(json_array_get(mm, 0), "offset")),
			 (long long)target);
	ck_assert_int_eq(json_integer_value(json_object_get(json_array_get(mm, 0), "length")), 512);
	ck_assert_str_eq(ow_str(json_object_get(res, "plan"), "seed", NULL), seed_s);
	json_decref(res);
	tu_result_free(&r);
}
END_TEST

/*
 * The complement of the random stream, written with stock openssl: a full
 * verify matches, then names corruptions that straddle a 4 MiB chunk (and
 * 64 KiB piece) boundary and the device's last sector, to the byte.
 */
START_TEST(test_verify_full_complement_at_boundaries)
{
	static const char *key = "00112233445566778899aabbccddeeff";
	const unsigned long long off1 = 8 * MiB - 512, len1 = 1024, off2 = DEV_SIZE - 512;
	char dev[64], img[PATH_MAX], expect[128];
	unsigned long long total = 0;
	struct tu_result r;
	json_t *res, *mm, *e;
	size_t i;

	if (tu_skip_unless_root(__func__))
		return;
	ck_assert_int_eq(tu_loop_create(DEV_SIZE, dev, sizeof(dev), img, sizeof(img)), 0);
	ck_assert_int_eq(tu_sh("tr '\\000' '\\377' </dev/zero | head -c %llu | openssl enc "
			       "-aes-128-ctr -K %s -iv 00000000000000000000000000000000 | dd of=%s "
			       "bs=1M iflag=fullblock oflag=direct status=none",
			       (unsigned long long)DEV_SIZE, key, dev), 0);
	snprintf(expect, sizeof(expect), "random-complement:%s", key);
	ck_assert_int_eq(tu_kesu(&r, "verify", dev, "--expect", expect, "--full", "-q", NULL), 0);
	ck_assert_int_eq(r.status, 0);
	tu_result_free(&r);

	corrupt(dev, off1, len1);
	corrupt(dev, off2, 512);
	ck_assert_int_eq(tu_kesu(&r, "verify", dev, "--expect", expect, "--full", "--json", "-q",
				 NULL), 0);
	ck_assert_int_eq(r.status, 1);
	res = json_loads(r.out, 0, NULL);
	ck_assert_ptr_nonnull(res);
	mm = json_object_get(res, "mismatches");
	ck_assert_uint_ge(json_array_size(mm), 2);
	json_array_foreach(mm, i, e) {
		unsigned long long o = (unsigned long long)json_integer_value(json_object_get(e, "offset"));
		unsigned long long l = (unsigned long long)json_integer_value(json_object_get(e, "length"));

		ck_assert((o >= off1 && o + l <= off1 + len1) || (o == off2 && l == 512));
		total += l;
	}
	ck_assert_uint_eq(total, len1 + 512);
	json_decref(res);
	tu_result_free(&r);
}
END_TEST

START_TEST(test_verify_reads_only)
{
	char dev[64], img[PATH_MAX], before[80], after[80];
	struct tu_result r;

	if (tu_skip_unless_root(__func__))
		return;
	ck_assert_int_eq(tu_loop_create(4 * MiB, dev, sizeof(dev), img, sizeof(img)), 0);
	ow_fill_urandom(dev, 4 * MiB);
	ow_sha256(dev, before, sizeof(before));
	ck_assert_int_eq(tu_kesu(&r, "verify", dev, "--expect", "zero", "--full", "-q", NULL), 0);
	ck_assert_int_eq(r.status, 1);
	ck_assert_ptr_nonnull(strstr(r.out, "DIFFERS"));
	tu_result_free(&r);
	ow_sha256(dev, after, sizeof(after));
	ck_assert_str_eq(before, after);
	/* A random expectation without its key is a usage error. */
	ck_assert_int_eq(tu_kesu(&r, "verify", dev, "--expect", "random", NULL), 0);
	ck_assert_int_eq(r.status, 2);
	tu_result_free(&r);
}
END_TEST

START_TEST(test_verify_plan_is_reproducible)
{
	struct kesu_verify_plan a, b, c;
	const uint64_t size = 1000ull * 1000 * 1000 * 1000; /* 1 TB, never touched */
	size_t i;

	ck_assert_int_eq(kesu_verify_plan_build(KESU_VERIFY_SAMPLE, size, 4096, 42, 1, &a, NULL), 0);
	ck_assert_int_eq(kesu_verify_plan_build(KESU_VERIFY_SAMPLE, size, 4096, 42, 1, &b, NULL), 0);
	ck_assert_int_eq(kesu_verify_plan_build(KESU_VERIFY_SAMPLE, size, 4096, 43, 1, &c, NULL), 0);
	ck_assert_uint_eq(a.n_extents, b.n_extents);
	ck_assert_int_eq(memcmp(a.extents, b.extents, a.n_extents * sizeof(*a.extents)), 0);
	ck_assert(a.n_extents != c.n_extents ||
		  memcmp(a.extents, c.extents, a.n_extents * sizeof(*a.extents)) != 0);
	ck_assert_uint_eq(a.sections, 1000);
	ck_assert_uint_eq(a.extents[0].offset, 0);
	ck_assert_uint_eq(a.extents[a.n_extents - 1].offset + a.extents[a.n_extents - 1].length, size);
	/* About 10% sampled plus 0.2% at the ends. */
	ck_assert_uint_ge(a.coverage_ppm, 100000);
	ck_assert_uint_le(a.coverage_ppm, 103000);
	for (i = 0; i < a.n_extents; i++) {
		ck_assert_uint_eq(a.extents[i].offset % 4096, 0);
		ck_assert_uint_eq(a.extents[i].length % 4096, 0);
		if (i)
			ck_assert_uint_gt(a.extents[i].offset,
					  a.extents[i - 1].offset + a.extents[i - 1].length - 1);
	}
	kesu_verify_plan_release(&a);
	kesu_verify_plan_release(&b);
	kesu_verify_plan_release(&c);
	ck_assert_int_eq(kesu_verify_plan_build(KESU_VERIFY_FULL, 8192, 512, 0, 1, &a, NULL), 0);
	ck_assert_uint_eq(a.n_extents, 1);
	ck_assert_uint_eq(a.planned_bytes, 8192);
	ck_assert_uint_eq(a.coverage_ppm, 1000000);
	kesu_verify_plan_release(&a);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("verify");
	SRunner *sr;
	int failed;
	struct { const char *name; const TTest *t; } tests[] = {
		{ "full_names_the_corrupted_block", test_verify_full_names_the_corrupted_block },
		{ "sample_finds_a_covered_corruption", test_verify_sample_finds_a_covered_corruption },
		{ "full_complement_at_boundaries", test_verify_full_complement_at_boundaries },
		{ "reads_only", test_verify_reads_only },
		{ "plan_is_reproducible", test_verify_plan_is_reproducible },
	};

	for (size_t i = 0; i < sizeof(tests) / sizeof(tests[0]); i++) {
		TCase *tc = tcase_create(tests[i].name);

		tcase_set_timeout(tc, 120);
		tcase_add_test(tc, tests[i].t);
		suite_add_tcase(s, tc);
	}
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
