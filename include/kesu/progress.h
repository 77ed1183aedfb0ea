/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Progress of a long erase: what the erase layer reports through a callback
 * (the CLI prints it), the rate and ETA arithmetic, and the bounded timeline
 * the result record keeps for a throughput chart.
 */
#ifndef KESU_PROGRESS_H
#define KESU_PROGRESS_H

#include <stddef.h>
#include <stdint.h>

/* One snapshot for one drive. */
struct kesu_progress {
	const char *device;      /* path */
	const char *phase;       /* "write", "verify" */
	unsigned step;           /* 1-based: pass number, then the verification */
	unsigned steps;          /* passes (+ final zero) + 1 when verifying */
	uint64_t done;           /* bytes done over all steps */
	uint64_t total;          /* bytes over all steps */
	uint64_t rate_bps;       /* recent bytes per second */
	int64_t eta_s;           /* seconds left, -1 when unknown */
	uint64_t elapsed_ms;
};

/* Called from the drive's worker thread, about every 250 ms; must be quick. */
typedef void (*kesu_progress_fn)(const struct kesu_progress *p, void *arg);

/* Rate over a sliding window of recent samples. */
#define KESU_RATE_SAMPLES 16

struct kesu_rate {
	uint64_t t_ms[KESU_RATE_SAMPLES];
	uint64_t bytes[KESU_RATE_SAMPLES];
	size_t n, head;
};

void kesu_rate_init(struct kesu_rate *r);
/* Add a sample (monotonic ms, cumulative bytes); returns bytes per second (0 when unknown). */
uint64_t kesu_rate_add(struct kesu_rate *r, uint64_t t_ms, uint64_t bytes);
/* Seconds for remaining bytes at rate_bps; -1 when the rate is 0. */
int64_t kesu_eta_s(uint64_t remaining, uint64_t rate_bps);

/* The timeline: at most KESU_TIMELINE_MAX samples; when full, every other one is
 * dropped and the interval doubles, so any length of wipe fits; the last
 * point is always the latest sample. */
#define KESU_TIMELINE_MAX 512

struct kesu_timeline_point {
	uint64_t t_ms;
	uint64_t bytes;
};

struct kesu_timeline {
	struct kesu_timeline_point pts[KESU_TIMELINE_MAX];
	size_t n;
	uint64_t step_ms;        /* minimum interval between samples */
};

void kesu_timeline_init(struct kesu_timeline *tl, uint64_t step_ms);
void kesu_timeline_add(struct kesu_timeline *tl, uint64_t t_ms, uint64_t bytes);

/* CLOCK_MONOTONIC in milliseconds. */
uint64_t kesu_now_ms(void);

#endif
