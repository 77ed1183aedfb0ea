/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What the erase methods share (fw_int.h): the command log, progress,
 * polling, stall detection, the ticker of a blocking command, and the
 * sentences of a support check. It calls nothing above it: the runner
 * (firmware.c), the table (methods.c) and the method files call in.
 */
#include "fw_int.h"

#include <kesu/util.h>

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

/* ---- support checks ---- */

void fw_say(struct kesu_method_eval *e, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(e->reason, sizeof(e->reason), fmt, ap);
	va_end(ap);
}

void fw_set_support(struct kesu_method_eval *e, bool supported)
{
	e->supported = supported;
	e->ready = supported;
}

/* ---- the command log ---- */

json_t *kesu_fw_log_command(struct kesu_result *r, const char *command, int rc,
			    const char *detail)
{
	char at[32];
	json_t *e;

	kesu_time_rfc3339(time(NULL), at, sizeof(at));
	e = json_pack("{s:s, s:s, s:s, s:s}", "command", command,
		      "status", rc == 0 ? "ok" : kesu_strerror(rc), "at", at,
		      "detail", detail ? detail : "");
	if (!e)
		return NULL;
	pthread_mutex_lock(&r->lock);
	if (!r->commands)
		r->commands = json_array();
	if (!r->commands || json_array_append_new(r->commands, e) < 0)
		e = NULL;
	pthread_mutex_unlock(&r->lock);
	return e;
}

void fw_log(struct fw_run *ru, const char *command, int rc, const char *fmt, ...)
{
	char detail[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(detail, sizeof(detail), fmt, ap);
	va_end(ap);
	kesu_fw_log_command(ru->r, command, rc, detail);
}

/* ---- progress, polling, stalls ---- */

void fw_report(struct fw_run *ru)
{
	ru->prog.elapsed_ms = kesu_now_ms() - ru->t0_ms;
	if (ru->o->run->progress)
		ru->o->run->progress(&ru->prog, ru->o->run->progress_arg);
}

void fw_progress(struct fw_run *ru, uint32_t frac, int64_t eta_s)
{
	uint64_t done;

	if (frac > 65536)
		frac = 65536;
	ru->last_frac = frac;
	done = ru->erase_base + ru->erase_span * frac / 65536;
	ru->prog.phase = "erase";
	ru->prog.step = 2;
	ru->prog.done = done;
	ru->prog.eta_s = eta_s;
	ru->prog.rate_bps = 0;
	pthread_mutex_lock(&ru->r->lock);
	/* The timeline counts the device bytes the drive has erased so far. */
	kesu_timeline_add(&ru->r->timeline, kesu_now_ms() - ru->t0_ms,
			  ru->t->id.size_bytes * frac / 65536);
	pthread_mutex_unlock(&ru->r->lock);
	fw_report(ru);
}

int fw_wait(struct fw_run *ru)
{
	uint64_t end = kesu_now_ms() + ru->poll_ms;

	while (kesu_now_ms() < end) {
		struct timespec ts = { 0, 20 * 1000000L };

		if (ru->o->run->stop && *ru->o->run->stop)
			return -KESU_E_INTERRUPTED;
		nanosleep(&ts, NULL);
	}
	return 0;
}

void fw_watch_init(struct fw_watch *w, uint32_t value)
{
	w->since_ms = kesu_now_ms();
	w->value = value;
}

bool fw_watch_stalled(struct fw_run *ru, struct fw_watch *w, uint32_t value)
{
	if (value != w->value) {
		fw_watch_init(w, value);
		return false;
	}
	return kesu_now_ms() - w->since_ms >= (uint64_t)ru->stall_s * 1000;
}

int64_t fw_eta_from_progress(uint64_t elapsed_ms, uint32_t frac)
{
	if (frac == 0 || frac >= 65536)
		return frac >= 65536 ? 0 : -1;
	return (int64_t)(elapsed_ms * (65536 - frac) / frac / 1000);
}

static void *ticker_main(void *arg)
{
	struct fw_run *ru = arg;
	uint64_t start = kesu_now_ms();

	pthread_mutex_lock(&ru->tick_lock);
	while (!ru->ticker_quit) {
		struct timespec ts;
		uint64_t el = kesu_now_ms() - start;
		uint32_t frac = 0;
		int64_t eta = -1;

		/* Elapsed against the estimate; never 100% while the command runs. */
		if (ru->tick_estimate_ms) {
			uint64_t f = el * 65536 / ru->tick_estimate_ms;

			frac = (uint32_t)(f > 65000 ? 65000 : f);
			eta = el < ru->tick_estimate_ms ? (int64_t)((ru->tick_estimate_ms - el) / 1000) : -1;
		}
		pthread_mutex_unlock(&ru->tick_lock);
		fw_progress(ru, frac, eta);
		pthread_mutex_lock(&ru->tick_lock);
		clock_gettime(CLOCK_REALTIME, &ts);
		ts.tv_sec += 1;
		if (!ru->ticker_quit)
			pthread_cond_timedwait(&ru->tick_cond, &ru->tick_lock, &ts);
	}
	pthread_mutex_unlock(&ru->tick_lock);
	return NULL;
}

void fw_ticker_start(struct fw_run *ru, uint64_t estimate_ms)
{
	ru->tick_estimate_ms = estimate_ms;
	ru->ticker_quit = false;
	ru->ticker_on = pthread_create(&ru->ticker, NULL, ticker_main, ru) == 0;
}

void fw_ticker_stop(struct fw_run *ru)
{
	if (!ru->ticker_on)
		return;
	pthread_mutex_lock(&ru->tick_lock);
	ru->ticker_quit = true;
	pthread_cond_signal(&ru->tick_cond);
	pthread_mutex_unlock(&ru->tick_lock);
	pthread_join(ru->ticker, NULL);
	ru->ticker_on = false;
}
