/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Progress lines for wipe and verify (progress_out.h). */
#include "progress_out.h"

#include <kesu/util.h>

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define LIVE_EVERY_MS  1000
#define LINES_EVERY_MS 5000

int progress_board_init(struct progress_board *b, size_t n, bool json, bool quiet)
{
	pthread_condattr_t ca;

	memset(b, 0, sizeof(*b));
	b->slots = calloc(n ? n : 1, sizeof(*b->slots));
	if (!b->slots)
		return -1;
	b->n = n;
	for (size_t i = 0; i < n; i++)
		b->slots[i].board = b;
	pthread_mutex_init(&b->lock, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&b->finished, &ca);
	pthread_condattr_destroy(&ca);
	if (quiet)
		b->style = PROGRESS_QUIET;
	else if (json)
		b->style = PROGRESS_JSON;
	else
		b->style = isatty(STDERR_FILENO) ? PROGRESS_LIVE : PROGRESS_LINES;
	b->last_print_ms = kesu_now_ms();
	return 0;
}

void progress_board_free(struct progress_board *b)
{
	pthread_cond_destroy(&b->finished);
	pthread_mutex_destroy(&b->lock);
	free(b->slots);
	b->slots = NULL;
}

void progress_board_update(const struct kesu_progress *p, void *arg)
{
	struct progress_slot *s = arg;

	pthread_mutex_lock(&s->board->lock);
	s->snap = *p;
	s->has_snap = true;
	pthread_mutex_unlock(&s->board->lock);
}

void progress_board_finish(struct progress_slot *s)
{
	pthread_mutex_lock(&s->board->lock);
	s->finished = true;
	pthread_cond_broadcast(&s->board->finished);
	pthread_mutex_unlock(&s->board->lock);
}

static void fmt_eta(int64_t s, char *buf, size_t len)
{
	if (s < 0)
		snprintf(buf, len, "--:--:--");
	else
		snprintf(buf, len, "%lld:%02lld:%02lld", (long long)(s / 3600),
			 (long long)(s / 60 % 60), (long long)(s % 60));
}

static double pct(uint64_t done, uint64_t total)
{
	return total ? 100.0 * (double)done / (double)total : 100.0;
}

static void print_json(const struct progress_slot *s)
{
	const struct kesu_progress *p = &s->snap;
	json_t *o = json_pack("{s:s, s:s, s:s, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:i}",
			      "event", "progress", "device", p->device ? p->device : "",
			      "phase", p->phase ? p->phase : "", "step", (json_int_t)p->step,
			      "steps", (json_int_t)p->steps, "done_bytes", (json_int_t)p->done,
			      "total_bytes", (json_int_t)p->total,
			      "rate_bps", (json_int_t)p->rate_bps, "eta_s", (json_int_t)p->eta_s,
			      "elapsed_ms", (json_int_t)p->elapsed_ms, "finished", s->finished ? 1 : 0);
	char *text = o ? json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;

	if (text)
		fprintf(stderr, "%s\n", text);
	free(text);
	json_decref(o);
}

static int slot_text(const struct progress_slot *s, char *buf, size_t len)
{
	const struct kesu_progress *p = &s->snap;
	char eta[32];

	fmt_eta(p->eta_s, eta, sizeof(eta));
	if (s->finished)
		return snprintf(buf, len, "%s done", s->name);
	return snprintf(buf, len, "%s %s %u/%u %5.1f%% %7.1f MB/s ETA %s", s->name, p->phase,
			p->step, p->steps, pct(p->done, p->total), (double)p->rate_bps / 1e6, eta);
}

static void print_board(struct progress_board *b)
{
	uint64_t done = 0, total = 0, rate = 0;
	int64_t eta = 0;
	char line[2048], part[256], etas[32];
	size_t used = 0, i;

	line[0] = '\0';
	for (i = 0; i < b->n; i++) {
		struct progress_slot *s = &b->slots[i];

		if (!s->has_snap)
			continue;
		done += s->snap.done;
		total += s->snap.total;
		if (!s->finished) {
			rate += s->snap.rate_bps;
			if (s->snap.eta_s < 0 || eta < 0)
				eta = -1;
			else if (s->snap.eta_s > eta)
				eta = s->snap.eta_s;
		}
		if (b->style == PROGRESS_JSON) {
			print_json(s);
			continue;
		}
		slot_text(s, part, sizeof(part));
		if (b->style == PROGRESS_LINES)
			fprintf(stderr, "kesu: %s\n", part);
		else if (used < sizeof(line))
			used += (size_t)snprintf(line + used, sizeof(line) - used, "%s%s",
						 used ? " | " : "", part);
	}
	if (b->style == PROGRESS_JSON || (b->style == PROGRESS_LINES && b->n < 2))
		return;
	fmt_eta(eta, etas, sizeof(etas));
	snprintf(part, sizeof(part), "all %5.1f%% %7.1f MB/s ETA %s", pct(done, total),
		 (double)rate / 1e6, etas);
	if (b->style == PROGRESS_LINES) {
		fprintf(stderr, "kesu: %s\n", part);
		return;
	}
	if (b->n > 1 && used < sizeof(line))
		used += (size_t)snprintf(line + used, sizeof(line) - used, " | %s", part);
	fprintf(stderr, "\r%s", line);
	if (used < b->live_width)
		fprintf(stderr, "%*s", (int)(b->live_width - used), "");
	b->live_width = used;
	fflush(stderr);
}

static uint64_t print_every_ms(const struct progress_board *b)
{
	return b->style == PROGRESS_LINES ? LINES_EVERY_MS : LIVE_EVERY_MS;
}

static bool all_finished(const struct progress_board *b)
{
	for (size_t i = 0; i < b->n; i++)
		if (!b->slots[i].finished)
			return false;
	return true;
}

void progress_board_wait(struct progress_board *b)
{
	uint64_t due;
	struct timespec ts;

	pthread_mutex_lock(&b->lock);
	due = b->last_print_ms + print_every_ms(b);
	ts.tv_sec = (time_t)(due / 1000);
	ts.tv_nsec = (long)(due % 1000) * 1000000L;
	while (!all_finished(b) && kesu_now_ms() < due &&
	       pthread_cond_timedwait(&b->finished, &b->lock, &ts) == 0)
		;
	pthread_mutex_unlock(&b->lock);
}

bool progress_board_print(struct progress_board *b, bool force)
{
	uint64_t now = kesu_now_ms();
	uint64_t every = print_every_ms(b);
	bool all;

	pthread_mutex_lock(&b->lock);
	all = all_finished(b);
	/* Quiet keeps the schedule too: progress_board_wait sleeps until the next due time. */
	if (force || now - b->last_print_ms >= every) {
		if (b->style != PROGRESS_QUIET)
			print_board(b);
		b->last_print_ms = now;
	}
	pthread_mutex_unlock(&b->lock);
	return all;
}

void progress_board_end(struct progress_board *b)
{
	if (b->style == PROGRESS_LIVE && b->live_width) {
		fputc('\n', stderr);
		b->live_width = 0;
	}
}
