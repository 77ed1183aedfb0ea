/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The I/O engine (stream.h).
 *
 * NOTES ON THE DESIGN
 * 1. Work is handed out in chunks from one cursor over the sorted extents, so
 *    the device sees (nearly) sequential I/O at a queue depth of `threads`.
 * 2. Each thread owns its buffers and its pattern generator (a cipher context
 *    is not thread-safe); generating the next chunk overlaps the other
 *    threads' I/O, which is what keeps the drive busy.
 * 3. The watermark is the lowest offset still in flight (or the cursor): all
 *    bytes below it are done, so a journal can record it and a resume starts
 *    there without a gap.
 * 4. A chunk that fails is split in halves down to the logical sector; only
 *    sectors that fail on their own are recorded, and the run goes on.
 */
#include <kesu/dev.h>
#include <kesu/stream.h>

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define NONE UINT64_MAX
#define BUF_ALIGN 4096u

struct stream_ctx {
	const struct kesu_stream_opts *o;
	size_t chunk;
	pthread_mutex_t lock;
	size_t ext_i;              /* cursor: extent index ... */
	uint64_t ext_pos;          /* ... and offset inside it */
	uint64_t end;              /* end of the last extent */
	uint64_t *inflight;        /* per thread: offset being processed, or NONE */
	uint64_t done, checked, total;
	unsigned running;
	int err;                   /* first fatal error */
	char errmsg[256];
};

struct stream_thread {
	struct stream_ctx *c;
	unsigned id;
	pthread_t tid;
	int started;
};

static bool dev_gone(const struct stream_ctx *c)
{
	char buf[32];

	if (!c->o->dev_name || !c->o->dev_name[0])
		return false;
	return kesu_sysfs_read(c->o->dev_name, "size", buf, sizeof(buf)) == -ENOENT;
}

static int io_full(int fd, enum kesu_stream_op op, uint8_t *buf, size_t len, uint64_t off)
{
	size_t done = 0;

	while (done < len) {
		ssize_t n = op == KESU_STREAM_WRITE
			? pwrite(fd, buf + done, len - done, (off_t)(off + done))
			: pread(fd, buf + done, len - done, (off_t)(off + done));

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		if (n == 0)
			return -EIO; /* past the end: the device shrank */
		done += (size_t)n;
	}
	return 0;
}

static void set_fatal(struct stream_ctx *c, int err, const char *fmt, uint64_t off)
{
	pthread_mutex_lock(&c->lock);
	if (!c->err) {
		c->err = err;
		snprintf(c->errmsg, sizeof(c->errmsg), fmt, (unsigned long long)off);
	}
	pthread_mutex_unlock(&c->lock);
}

/*
 * Do the I/O, splitting on failure. For reads, expect is the expected
 * content of buf: an unreadable sector gets it copied in, so the compare
 * that follows does not report it twice; *unreadable counts those bytes.
 */
static int io_split(struct stream_ctx *c, uint8_t *buf, const uint8_t *expect, uint64_t off,
		    size_t len, uint64_t *unreadable)
{
	const struct kesu_stream_opts *o = c->o;
	size_t half;
	int rc = io_full(o->fd, o->op, buf, len, off);

	if (rc == 0)
		return 0;
	if (rc == -ENODEV || rc == -ENXIO || dev_gone(c))
		return -KESU_E_GONE;
	if (rc != -EIO && rc != -ENODATA && rc != -EILSEQ && rc != -ENOSPC && rc != -EREMOTEIO)
		return rc; /* not a medium error: EINVAL, EBADF... */
	if (len <= o->sector) {
		rc = kesu_result_add_bad(o->result, off / o->sector, len / o->sector,
					 o->op == KESU_STREAM_WRITE ? KESU_OP_WRITE : KESU_OP_READ);
		if (rc < 0)
			return rc;
		if (expect) {
			memcpy(buf, expect, len);
			*unreadable += len;
		}
		return 0;
	}
	half = len / 2 / o->sector * o->sector;
	if (half == 0)
		half = o->sector;
	rc = io_split(c, buf, expect, off, half, unreadable);
	if (rc == 0)
		rc = io_split(c, buf + half, expect ? expect + half : NULL, off + half, len - half,
			      unreadable);
	return rc;
}

/* Report the sectors of buf that differ from expect, as merged byte ranges. */
static int compare(struct stream_ctx *c, const uint8_t *buf, const uint8_t *expect,
		   uint64_t off, size_t len)
{
	size_t sec = c->o->sector, i, run_start = 0;
	bool in_run = false;
	int rc;

	if (memcmp(buf, expect, len) == 0)
		return 0;
	for (i = 0; i <= len; i += sec) {
		bool bad = i < len && memcmp(buf + i, expect + i, sec) != 0;

		if (bad && !in_run) {
			run_start = i;
			in_run = true;
		} else if (!bad && in_run) {
			rc = kesu_result_add_mismatch(c->o->result, off + run_start, i - run_start);
			if (rc < 0)
				return rc;
			in_run = false;
		}
	}
	return 0;
}

/* Take the next piece; false at the end or when told to stop. */
static bool take_piece(struct stream_ctx *c, unsigned id, uint64_t *off, size_t *len)
{
	const struct kesu_stream_opts *o = c->o;
	bool ok = false;

	pthread_mutex_lock(&c->lock);
	while (c->ext_i < o->n_extents && c->ext_pos >= o->extents[c->ext_i].length) {
		c->ext_i++;
		c->ext_pos = 0;
	}
	if (!c->err && !(o->stop && *o->stop) && c->ext_i < o->n_extents) {
		const struct kesu_extent *e = &o->extents[c->ext_i];
		uint64_t left = e->length - c->ext_pos;

		*off = e->offset + c->ext_pos;
		*len = left < c->chunk ? (size_t)left : c->chunk;
		c->ext_pos += *len;
		c->inflight[id] = *off;
		ok = true;
	}
	pthread_mutex_unlock(&c->lock);
	return ok;
}

static void piece_done(struct stream_ctx *c, unsigned id, size_t len, uint64_t checked)
{
	pthread_mutex_lock(&c->lock);
	c->done += len;
	c->checked += checked;
	c->inflight[id] = NONE;
	pthread_mutex_unlock(&c->lock);
}

static int process_piece(struct stream_ctx *c, struct kesu_pattern_gen *gen, uint8_t *wbuf,
			 uint8_t *rbuf, uint64_t off, size_t len, uint64_t *checked)
{
	uint64_t unreadable = 0;
	int rc = kesu_pattern_fill(gen, off, wbuf, len);

	*checked = 0;
	if (rc < 0)
		return rc;
	if (c->o->op == KESU_STREAM_WRITE)
		return io_split(c, wbuf, NULL, off, len, &unreadable);
	rc = io_split(c, rbuf, wbuf, off, len, &unreadable);
	if (rc == 0)
		rc = compare(c, rbuf, wbuf, off, len);
	*checked = len - unreadable;
	return rc;
}

static void *stream_worker(void *arg)
{
	struct stream_thread *t = arg;
	struct stream_ctx *c = t->c;
	struct kesu_pattern_gen *gen = NULL;
	void *wbuf = NULL, *rbuf = NULL;
	uint64_t off, checked;
	size_t len;
	sigset_t all;
	int rc;

	/* Signals are for the threads that decide what to do with them. */
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, NULL);
	rc = kesu_pattern_gen_new(c->o->pattern, &gen, NULL);
	if (rc == 0 && posix_memalign(&wbuf, BUF_ALIGN, c->chunk) != 0)
		rc = -ENOMEM;
	if (rc == 0 && c->o->op == KESU_STREAM_VERIFY &&
	    posix_memalign(&rbuf, BUF_ALIGN, c->chunk) != 0)
		rc = -ENOMEM;
	if (rc < 0)
		set_fatal(c, rc, "cannot set up an I/O thread (%llu)", 0);
	while (rc == 0 && take_piece(c, t->id, &off, &len)) {
		rc = process_piece(c, gen, wbuf, rbuf, off, len, &checked);
		if (rc == -KESU_E_GONE)
			set_fatal(c, rc, "the device disappeared at byte %llu", off);
		else if (rc < 0)
			set_fatal(c, rc, "I/O failed at byte %llu", off);
		piece_done(c, t->id, len, checked);
	}
	free(wbuf);
	free(rbuf);
	kesu_pattern_gen_free(gen);
	pthread_mutex_lock(&c->lock);
	c->running--;
	pthread_mutex_unlock(&c->lock);
	return NULL;
}

static void status_of(struct stream_ctx *c, struct kesu_stream_status *st)
{
	const struct kesu_stream_opts *o = c->o;
	unsigned i, n = o->threads ? o->threads : KESU_STREAM_THREADS;
	uint64_t wm;

	pthread_mutex_lock(&c->lock);
	while (c->ext_i < o->n_extents && c->ext_pos >= o->extents[c->ext_i].length) {
		c->ext_i++;
		c->ext_pos = 0;
	}
	wm = c->ext_i < o->n_extents ? o->extents[c->ext_i].offset + c->ext_pos : c->end;
	for (i = 0; i < n; i++)
		if (c->inflight[i] < wm)
			wm = c->inflight[i];
	st->done = c->done;
	st->total = c->total;
	st->checked = c->checked;
	st->watermark = wm;
	pthread_mutex_unlock(&c->lock);
}

static void sleep_ms(unsigned ms)
{
	struct timespec ts = { .tv_sec = ms / 1000, .tv_nsec = (long)(ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

static unsigned live_threads(struct stream_ctx *c)
{
	unsigned n;

	pthread_mutex_lock(&c->lock);
	n = c->running;
	pthread_mutex_unlock(&c->lock);
	return n;
}

int kesu_stream_run(const struct kesu_stream_opts *o, struct kesu_stream_status *st,
		    struct kesu_errbuf *eb)
{
	struct stream_ctx c = { .o = o };
	struct stream_thread *th = NULL;
	struct kesu_stream_status now;
	unsigned n = o->threads ? o->threads : KESU_STREAM_THREADS;
	unsigned tick_ms = o->tick_ms ? o->tick_ms : 250, i, waited = 0;
	int rc = 0;

	c.chunk = o->chunk ? o->chunk : KESU_STREAM_CHUNK;
	c.chunk = c.chunk / o->sector * o->sector;
	if (!c.chunk || o->sector == 0)
		return kesu_err_set(eb, -EINVAL, "bad chunk or sector size");
	for (i = 0; i < o->n_extents; i++)
		c.total += o->extents[i].length;
	c.end = o->n_extents ? o->extents[o->n_extents - 1].offset +
		o->extents[o->n_extents - 1].length : 0;
	pthread_mutex_init(&c.lock, NULL);
	c.inflight = malloc(n * sizeof(*c.inflight));
	th = calloc(n, sizeof(*th));
	if (!c.inflight || !th) {
		rc = kesu_err_set(eb, -ENOMEM, "out of memory");
		goto out;
	}
	for (i = 0; i < n; i++)
		c.inflight[i] = NONE;
	c.running = n;
	for (i = 0; i < n; i++) {
		th[i].c = &c;
		th[i].id = i;
		if (pthread_create(&th[i].tid, NULL, stream_worker, &th[i]) != 0) {
			pthread_mutex_lock(&c.lock);
			c.running -= n - i;
			if (!c.err)
				c.err = -EAGAIN;
			snprintf(c.errmsg, sizeof(c.errmsg), "cannot start I/O threads");
			pthread_mutex_unlock(&c.lock);
			break;
		}
		th[i].started = 1;
	}
	while (live_threads(&c)) {
		sleep_ms(20);
		waited += 20;
		if (waited >= tick_ms && o->tick) {
			waited = 0;
			status_of(&c, &now);
			o->tick(&now, o->tick_arg);
		}
	}
	for (i = 0; i < n; i++)
		if (th[i].started)
			pthread_join(th[i].tid, NULL);
	status_of(&c, &now);
	if (st)
		*st = now;
	if (c.err)
		rc = kesu_err_set(eb, c.err, "%s: %s", c.errmsg, kesu_strerror(c.err));
	else if (now.done < now.total && o->stop && *o->stop)
		rc = kesu_err_set(eb, -KESU_E_INTERRUPTED, "stopped at byte %llu",
				  (unsigned long long)now.watermark);
out:
	free(th);
	free(c.inflight);
	pthread_mutex_destroy(&c.lock);
	return rc;
}
