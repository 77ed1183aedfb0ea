/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * libFuzzer target for what people type: the free-text rule (UTF-8, refused
 * characters, limits in characters), the escape for text kesu did not write,
 * IDs, and the strict number and date parsers. Besides not crashing, each
 * must keep its promise:
 *   - escaped text is always accepted text (nothing refused survives it), and
 *     accepted text without a backslash comes out of the escape unchanged;
 *   - an accepted text's length in characters is within the limit;
 *   - a number that parses lies in its range, and prints back as the input;
 *   - a date that parses is YYYY-MM-DD of a day that exists.
 *
 * Run: build-fuzz/fuzz_text -max_total_time=30
 */
#include <kesu/parse.h>
#include <kesu/text.h>

#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_text(const char *s, size_t len, unsigned max)
{
	struct kesu_errbuf eb = { "" };
	size_t chars = 0;
	char *esc = kesu_text_escape_buf(s, len);
	int rc = kesu_text_check_buf("fuzz", s, len, max, &chars, &eb);

	if (!esc)
		abort();
	/* The escape's output is printable on one line of a form, whatever came in. */
	if (kesu_text_check_max("escaped", esc, KESU_TEXT_OTHER_MAX * 8, &eb) != 0)
		abort();
	if (rc == 0) {
		if (chars > max)
			abort();
		if (!memchr(s, '\\', len) && (strlen(esc) != len || memcmp(esc, s, len)))
			abort();
	}
	free(esc);
}

static void check_numbers(const char *s)
{
	uint64_t v, ms;
	unsigned u;
	long l;
	char back[32], date[11];
	int y, m, d;

	if (kesu_parse_u64(s, 0, UINT64_MAX, &v) == 0) {
		snprintf(back, sizeof(back), "%" PRIu64, v);
		/* Leading zeros are the only other spelling of the same value. */
		if (strcmp(back, s + strspn(s, "0")) && strcmp(back, "0"))
			abort();
	}
	if (kesu_parse_uint(s, 3, 1000, &u) == 0 && (u < 3 || u > 1000))
		abort();
	if (kesu_parse_long(s, 1, 86400, &l) == 0 && (l < 1 || l > 86400))
		abort();
	if (kesu_parse_ms(s, 3600000, &ms) == 0 && ms > 3600000)
		abort();
	if (kesu_parse_date(s, date, &y, &m, &d) == 0) {
		static const int mdays[] = { 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
		int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;

		if (y < 1900 || y > 9999 || m < 1 || m > 12 || d < 1 || d > mdays[m - 1] ||
		    (m == 2 && d == 29 && !leap) || strlen(date) != 10)
			abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct kesu_errbuf eb = { "" };
	char *s;

	if (size < 1 || size > 8192)
		return 0;
	check_text((const char *)data + 1, size - 1, 1u + data[0] % 64);
	s = malloc(size);
	if (!s)
		return 0;
	memcpy(s, data + 1, size - 1);
	s[size - 1] = '\0';
	check_numbers(s);
	if (kesu_id_check("id", s, &eb) == 0 && !kesu_id_valid(s))
		abort();
	free(s);
	return 0;
}
