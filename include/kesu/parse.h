/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Strict parsers for what people type: numbers and dates. One parser serves
 * every option of every command, so "5", and only "5", means five.
 *
 * A number is decimal digits only: no sign, no blank, no "0x", no suffix, no
 * leading "+", within the caller's range. " 5", "+5", "5x", "" and a value
 * past the range (or past 64 bits) are refused.
 */
#ifndef KESU_PARSE_H
#define KESU_PARSE_H

#include <stdint.h>

/*
 * Decimal digits s as a value in [min, max]. -EINVAL when s is not digits
 * only, -ERANGE when it is outside the range (overflow included).
 */
int kesu_parse_u64(const char *s, uint64_t min, uint64_t max, uint64_t *out);
int kesu_parse_uint(const char *s, unsigned min, unsigned max, unsigned *out);
int kesu_parse_long(const char *s, long min, long max, long *out);   /* min >= 0 */

/*
 * Seconds with up to three decimals ("2", "0.5", "1.25") as milliseconds in
 * [0, max_ms]. Same refusals as the integers.
 */
int kesu_parse_ms(const char *s, uint64_t max_ms, uint64_t *ms);

/*
 * A calendar date: YYYY-MM-DD, also YYYY/MM/DD and the short YYYY/M/D
 * (one separator throughout), year 1900-9999, a day that exists in that
 * month (2026-02-30 is refused, 2028-02-29 is taken). out (11 bytes) gets
 * YYYY-MM-DD; y, m, d (may be NULL) the numbers. -EINVAL otherwise.
 */
int kesu_parse_date(const char *s, char out[11], int *y, int *m, int *d);

#endif
