/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Strict numbers and dates (include/kesu/parse.h). */
#include <kesu/parse.h>

#include <errno.h>
#include <stdio.h>
#include <string.h>

int kesu_parse_u64(const char *s, uint64_t min, uint64_t max, uint64_t *out)
{
	uint64_t v = 0;
	const char *p;

	if (!s || !*s)
		return -EINVAL;
	for (p = s; *p; p++)
		if (*p < '0' || *p > '9')
			return -EINVAL;
	for (p = s; *p; p++) {
		unsigned d = (unsigned)(*p - '0');

		if (v > (UINT64_MAX - d) / 10)
			return -ERANGE;
		v = v * 10 + d;
	}
	if (v < min || v > max)
		return -ERANGE;
	*out = v;
	return 0;
}

int kesu_parse_uint(const char *s, unsigned min, unsigned max, unsigned *out)
{
	uint64_t v;
	int rc = kesu_parse_u64(s, min, max, &v);

	if (!rc)
		*out = (unsigned)v;
	return rc;
}

int kesu_parse_long(const char *s, long min, long max, long *out)
{
	uint64_t v;
	int rc;

	if (min < 0 || max < min)
		return -EINVAL;
	rc = kesu_parse_u64(s, (uint64_t)min, (uint64_t)max, &v);
	if (!rc)
		*out = (long)v;
	return rc;
}

int kesu_parse_ms(const char *s, uint64_t max_ms, uint64_t *ms)
{
	char whole[24], frac[4] = "000";
	const char *dot;
	uint64_t w, f;
	size_t wl;
	int rc;

	if (!s || !*s)
		return -EINVAL;
	dot = strchr(s, '.');
	wl = dot ? (size_t)(dot - s) : strlen(s);
	if (wl == 0)
		return -EINVAL;
	if (wl >= sizeof(whole))
		return strspn(s, "0123456789") >= wl ? -ERANGE : -EINVAL;
	memcpy(whole, s, wl);
	whole[wl] = '\0';
	if (dot) {
		size_t fl = strlen(dot + 1);

		if (fl == 0 || fl > 3)
			return -EINVAL;
		memcpy(frac, dot + 1, fl);
	}
	if (kesu_parse_u64(frac, 0, 999, &f))
		return -EINVAL;
	rc = kesu_parse_u64(whole, 0, UINT64_MAX / 1000 - 1, &w);
	if (rc)
		return rc;
	w = w * 1000 + f;
	if (w > max_ms)
		return -ERANGE;
	*ms = w;
	return 0;
}

static int days_in_month(int y, int m)
{
	static const int days[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };

	if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
		return 29;
	return days[m - 1];
}

/* 1..max digits at *p as a number; advances *p. -1 when none or too many. */
static int take_digits(const char **p, size_t min, size_t max)
{
	size_t n = strspn(*p, "0123456789");
	int v = 0;

	if (n < min || n > max)
		return -1;
	for (size_t i = 0; i < n; i++)
		v = v * 10 + ((*p)[i] - '0');
	*p += n;
	return v;
}

int kesu_parse_date(const char *s, char out[11], int *yp, int *mp, int *dp)
{
	const char *p = s;
	int y, m, d;
	char sep;

	if (!s)
		return -EINVAL;
	if ((y = take_digits(&p, 4, 4)) < 0)
		return -EINVAL;
	sep = *p;
	if (sep != '-' && sep != '/')
		return -EINVAL;
	p++;
	if ((m = take_digits(&p, 1, 2)) < 0 || *p != sep)
		return -EINVAL;
	p++;
	if ((d = take_digits(&p, 1, 2)) < 0 || *p)
		return -EINVAL;
	if (y < 1900 || m < 1 || m > 12 || d < 1 || d > days_in_month(y, m))
		return -EINVAL;
	if (out)
		snprintf(out, 11, "%04u-%02u-%02u", (unsigned)y % 10000u, (unsigned)m % 100u,
			 (unsigned)d % 100u);
	if (yp)
		*yp = y;
	if (mp)
		*mp = m;
	if (dp)
		*dp = d;
	return 0;
}
