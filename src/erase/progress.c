/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Rate, ETA and the bounded throughput timeline. */
#include <kesu/progress.h>

#include <string.h>
#include <time.h>

uint64_t kesu_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

void kesu_rate_init(struct kesu_rate *r)
{
	memset(r, 0, sizeof(*r));
}

uint64_t kesu_rate_add(struct kesu_rate *r, uint64_t t_ms, uint64_t bytes)
{
	size_t oldest;
	uint64_t dt, db;

	r->t_ms[r->head] = t_ms;
	r->bytes[r->head] = bytes;
	r->head = (r->head + 1) % KESU_RATE_SAMPLES;
	if (r->n < KESU_RATE_SAMPLES)
		r->n++;
	if (r->n < 2)
		return 0;
	oldest = (r->head + KESU_RATE_SAMPLES - r->n) % KESU_RATE_SAMPLES;
	dt = t_ms - r->t_ms[oldest];
	db = bytes >= r->bytes[oldest] ? bytes - r->bytes[oldest] : 0;
	return dt ? db * 1000 / dt : 0;
}

int64_t kesu_eta_s(uint64_t remaining, uint64_t rate_bps)
{
	if (!rate_bps)
		return remaining ? -1 : 0;
	return (int64_t)((remaining + rate_bps - 1) / rate_bps);
}

void kesu_timeline_init(struct kesu_timeline *tl, uint64_t step_ms)
{
	tl->n = 0;
	tl->step_ms = step_ms ? step_ms : 1000;
}

static void timeline_halve(struct kesu_timeline *tl)
{
	size_t i, j = 0;

	for (i = 0; i < tl->n; i += 2)
		tl->pts[j++] = tl->pts[i];
	tl->n = j;
	tl->step_ms *= 2;
}

/*
 * Keep one point per step_ms, and always the latest: a point closer than
 * step_ms to the one before the last replaces the last.
 */
void kesu_timeline_add(struct kesu_timeline *tl, uint64_t t_ms, uint64_t bytes)
{
	if (tl->n >= 2 && t_ms < tl->pts[tl->n - 2].t_ms + tl->step_ms) {
		tl->pts[tl->n - 1].t_ms = t_ms;
		tl->pts[tl->n - 1].bytes = bytes;
		return;
	}
	if (tl->n == KESU_TIMELINE_MAX)
		timeline_halve(tl);
	tl->pts[tl->n].t_ms = t_ms;
	tl->pts[tl->n].bytes = bytes;
	tl->n++;
}
