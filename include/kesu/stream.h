/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The I/O engine under overwrite and verification: a generator thread fills
 * a ring of aligned buffers with the pattern while I/O threads write them (or
 * read the device back and compare) with O_DIRECT, over a list of extents.
 * When verifying, the I/O threads read into the ring and regenerate the
 * pattern piece by piece (64 KiB, cache-resident) as they compare.
 * Memory: (threads + KESU_STREAM_AHEAD) chunks: 20 MiB writing, 24 MiB
 * verifying with the defaults.
 *
 * Failed I/O is retried in halves down to the logical sector; what still
 * fails is recorded in the result as a bad range and the run goes on. A
 * device that vanished (ENODEV/ENXIO, gone from sysfs, or every sector of
 * KESU_STREAM_DEAD_CHUNKS chunks in a row failing) stops the run.
 */
#ifndef KESU_STREAM_H
#define KESU_STREAM_H

#include <kesu/err.h>
#include <kesu/pattern.h>
#include <kesu/record.h>
#include <kesu/verify.h>

#include <signal.h>
#include <stddef.h>
#include <stdint.h>

enum kesu_stream_op { KESU_STREAM_WRITE = 0, KESU_STREAM_VERIFY };

#define KESU_STREAM_CHUNK   (4u * 1024 * 1024)
#define KESU_STREAM_THREADS 2   /* I/O threads writing: a queue depth of 2 */
#define KESU_STREAM_VERIFY_THREADS 3 /* reading: one more, as each also compares */
#define KESU_STREAM_AHEAD   3   /* ring buffers beyond one per I/O thread */
#define KESU_STREAM_DEAD_CHUNKS 8 /* whole chunks failing in a row: the device is gone */

struct kesu_stream_status {
	uint64_t done;        /* bytes of the extents done in this run */
	uint64_t total;       /* bytes of the extents */
	uint64_t watermark;   /* every extent byte below this offset is done */
	uint64_t checked;     /* verify: bytes compared */
	uint64_t accepted;    /* bytes the device accepted (write) or returned (read): done
				 less the failed sectors and any chunk a fatal error cut short */
};

/* Called from the calling thread every tick_ms while the I/O threads run. */
typedef void (*kesu_stream_tick_fn)(const struct kesu_stream_status *st, void *arg);

struct kesu_stream_opts {
	int fd;
	const char *dev_name;            /* kernel name for the sysfs "gone" check; NULL for images */
	uint32_t sector;                 /* logical sector size: alignment and retry unit */
	enum kesu_stream_op op;
	const struct kesu_pattern *pattern;
	const struct kesu_extent *extents; /* sorted, disjoint, sector aligned */
	size_t n_extents;
	size_t chunk;                    /* 0: KESU_STREAM_CHUNK */
	unsigned threads;                /* I/O threads; 0: KESU_STREAM_THREADS */
	const volatile sig_atomic_t *stop; /* set by a signal handler: stop soon */
	kesu_stream_tick_fn tick;
	void *tick_arg;
	unsigned tick_ms;                /* 0: 250 */
	struct kesu_result *result;      /* receives bad ranges and mismatches */
};

/*
 * Run to the end. Returns 0 when every extent was processed (bad ranges and
 * mismatches are in the result), -KESU_E_INTERRUPTED when *stop was set,
 * -KESU_E_GONE when the device vanished, or another negative error.
 * st (may be NULL) receives the final status.
 */
int kesu_stream_run(const struct kesu_stream_opts *o, struct kesu_stream_status *st,
		    struct kesu_errbuf *eb);

#endif
