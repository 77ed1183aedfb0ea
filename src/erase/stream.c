/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The I/O engine (stream.h).
 *
 * NOTES ON THE DESIGN
 * 1. Work is handed out in chunks from one cursor over the sorted extents, so
 *    the device sees (nearly) sequential I/O at a queue depth of `threads`.
 * 2. A generator thread fills a ring of buffers in order; the I/O threads
 *    take them in the same order. Generation (AES-CTR, several GB/s on one
 *    core) thus overlaps I/O. Two I/O threads are the default: the device
 *    always has the next request queued while a completion wakes a thread
 *    (a single synchronous writer leaves the queue empty for that moment).
 *    Verification uses three: each reads into a slot, then checks it in small
 *    cache-resident pieces (the random stream by XOR with its key stream in
 *    place, fixed patterns against a regenerated piece), while the others
 *    wait for the device. More threads only contend on a single disk.
 * 3. The watermark is the lowest offset held by any slot (or the cursor): all
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
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#define COMPARE_PIECE (64u * 1024)    /* fits the L2 cache next to what it is compared with */
#define BUF_ALIGN (2u * 1024 * 1024)   /* huge-page aligned: cheaper to pin for O_DIRECT */

enum slot_state { SLOT_EMPTY = 0, SLOT_FILLING, SLOT_FILLED, SLOT_IO };

/* One buffer of the ring. */
struct slot {
	uint8_t *buf;
	uint64_t off;
	size_t len;
	enum slot_state state;
	bool fixed_valid;          /* a fixed pattern is already in buf ... */
	size_t fixed_phase, fixed_len; /* ... at this phase and length */
};

struct stream_ctx {
	const struct kesu_stream_opts *o;
	size_t chunk;
	size_t piece;              /* verification compares this much at a time */
	pthread_mutex_t lock;
	pthread_cond_t cond;       /* any slot changed state, or a thread ended */
	pthread_cond_t ended;      /* the last thread ended (CLOCK_MONOTONIC) */
	size_t ext_i;              /* cursor: extent index ... */
	uint64_t ext_pos;          /* ... and offset inside it */
	uint64_t end;              /* end of the last extent */
	struct slot *slots;
	size_t n_slots, gen_idx, io_idx;
	int gen_done;
	unsigned dead_chunks;      /* consecutive chunks in which every sector failed */
	uint64_t done, checked, accepted, total;
	unsigned running;
	int err;                   /* first fatal error */
	char errmsg[256];
};

/* An I/O buffer, backed by transparent huge pages where the kernel allows. */
static void *buf_alloc(size_t len)
{
	void *p = NULL;

	if (posix_memalign(&p, BUF_ALIGN, len) != 0)
		return NULL;
	madvise(p, len, MADV_HUGEPAGE); /* advice only: fine when refused */
	return p;
}

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
 * Do the I/O, splitting on failure; *unreadable counts the bytes of the
 * sectors that failed. For reads, gen regenerates the expected content of an
 * unreadable sector into buf, so the compare that follows does not report it
 * twice (it is a bad range already).
 */
static int io_split(struct stream_ctx *c, uint8_t *buf, struct kesu_pattern_gen *gen,
		    uint64_t off, size_t len, uint64_t *unreadable)
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
		*unreadable += len;
		if (gen) {
			kesu_pattern_gen_forget(gen);
			return kesu_pattern_fill(gen, off, buf, len);
		}
		return 0;
	}
	half = len / 2 / o->sector * o->sector;
	if (half == 0)
		half = o->sector;
	rc = io_split(c, buf, gen, off, half, unreadable);
	if (rc == 0)
		rc = io_split(c, buf + half, gen, off + half, len - half, unreadable);
	return rc;
}

/*
 * Whether every byte of p is v: p against itself one byte on, which runs at
 * memcmp's speed over one stream that is already in the cache.
 */
static bool all_bytes(const uint8_t *p, size_t len, uint8_t v)
{
	return len == 0 || (p[0] == v && memcmp(p, p + 1, len - 1) == 0);
}

/*
 * Report the sectors that differ as byte ranges: from expect, or (plain >= 0)
 * from a run of that byte value.
 */
static int report_runs(struct stream_ctx *c, const uint8_t *buf, const uint8_t *expect,
		       int plain, uint64_t off, size_t len)
{
	size_t sec = c->o->sector, i, run_start = 0;
	bool in_run = false;
	int rc;

	for (i = 0; i <= len; i += sec) {
		bool bad = i < len && (plain >= 0 ? !all_bytes(buf + i, sec, (uint8_t)plain)
					: memcmp(buf + i, expect + i, sec) != 0);

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

/*
 * The random stream: XOR what was read with the key stream in place, piece
 * by piece while it is in the cache; where the device holds the pattern only
 * the plaintext byte is left. Cheaper than regenerating the pattern and
 * comparing two buffers (the slot's data is not needed afterwards).
 */
static int compare_random(struct stream_ctx *c, struct kesu_pattern_gen *gen, uint8_t *buf,
			  uint64_t off, size_t len)
{
	uint8_t plain = kesu_pattern_plain_byte(c->o->pattern);
	size_t i, n;
	int rc;

	for (i = 0; i < len; i += n) {
		n = len - i < c->piece ? len - i : c->piece;
		rc = kesu_pattern_unmask(gen, off + i, buf + i, buf + i, n);
		if (rc < 0)
			return rc;
		if (!all_bytes(buf + i, n, plain)) {
			rc = report_runs(c, buf + i, NULL, plain, off + i, n);
			if (rc < 0)
				return rc;
		}
	}
	return 0;
}

/*
 * Compare what was read with the pattern. Fixed patterns are regenerated
 * piece by piece into a small buffer that stays in the cache: the expected
 * data never makes a round trip through memory.
 */
static int compare(struct stream_ctx *c, struct kesu_pattern_gen *gen, uint8_t *expect,
		   uint8_t *buf, uint64_t off, size_t len)
{
	size_t i, n;
	int rc;

	if (c->o->pattern->kind == KESU_PAT_RANDOM)
		return compare_random(c, gen, buf, off, len);
	for (i = 0; i < len; i += n) {
		n = len - i < c->piece ? len - i : c->piece;
		rc = kesu_pattern_fill(gen, off + i, expect, n);
		if (rc < 0)
			return rc;
		if (memcmp(buf + i, expect, n) != 0) {
			rc = report_runs(c, buf + i, expect, -1, off + i, n);
			if (rc < 0)
				return rc;
		}
	}
	return 0;
}

/* Take the next piece from the cursor (lock held); false at the end. */
static bool take_piece(struct stream_ctx *c, uint64_t *off, size_t *len)
{
	const struct kesu_stream_opts *o = c->o;
	const struct kesu_extent *e;
	uint64_t left;

	while (c->ext_i < o->n_extents && c->ext_pos >= o->extents[c->ext_i].length) {
		c->ext_i++;
		c->ext_pos = 0;
	}
	if (c->ext_i >= o->n_extents)
		return false;
	e = &o->extents[c->ext_i];
	left = e->length - c->ext_pos;
	*off = e->offset + c->ext_pos;
	*len = left < c->chunk ? (size_t)left : c->chunk;
	c->ext_pos += *len;
	return true;
}

/* A thread is done (lock held): wake the others, and the caller after the last. */
static void thread_ended(struct stream_ctx *c, unsigned n)
{
	c->running -= n;
	pthread_cond_broadcast(&c->cond);
	if (!c->running)
		pthread_cond_signal(&c->ended);
}

static bool must_stop(const struct stream_ctx *c)
{
	return c->err || (c->o->stop && *c->o->stop);
}

/* Fixed patterns are filled once per slot (and again only when the phase or length changes). */
static int fill_slot(struct stream_ctx *c, struct kesu_pattern_gen *gen, struct slot *s)
{
	const struct kesu_pattern *p = c->o->pattern;
	size_t phase = p->kind == KESU_PAT_BYTES ? (size_t)(s->off % p->len) : 0;
	int rc;

	if (p->kind == KESU_PAT_BYTES && s->fixed_valid && s->fixed_phase == phase &&
	    s->fixed_len == s->len)
		return 0;
	kesu_pattern_gen_forget(gen);
	rc = kesu_pattern_fill(gen, s->off, s->buf, s->len);
	s->fixed_valid = rc == 0 && p->kind == KESU_PAT_BYTES;
	s->fixed_phase = phase;
	s->fixed_len = s->len;
	return rc;
}

/* The generator: fills the ring in order, one chunk ahead of the I/O threads. */
static void *generator(void *arg)
{
	struct stream_ctx *c = arg;
	struct kesu_pattern_gen *gen = NULL;
	sigset_t all;
	int rc;

	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, NULL);
	rc = kesu_pattern_gen_new(c->o->pattern, &gen, NULL);
	if (rc < 0)
		set_fatal(c, rc, "cannot set up the pattern generator (%llu)", 0);
	pthread_mutex_lock(&c->lock);
	while (rc == 0) {
		struct slot *s = &c->slots[c->gen_idx];

		while (s->state != SLOT_EMPTY && !must_stop(c))
			pthread_cond_wait(&c->cond, &c->lock);
		if (must_stop(c) || !take_piece(c, &s->off, &s->len))
			break;
		s->state = SLOT_FILLING;
		c->gen_idx = (c->gen_idx + 1) % c->n_slots;
		pthread_mutex_unlock(&c->lock);
		/* Verification reads into the slot and regenerates as it compares. */
		rc = c->o->op == KESU_STREAM_WRITE ? fill_slot(c, gen, s) : 0;
		pthread_mutex_lock(&c->lock);
		if (rc < 0) {
			s->state = SLOT_EMPTY;
			if (!c->err)
				c->err = rc;
			snprintf(c->errmsg, sizeof(c->errmsg), "the pattern generator failed");
			break;
		}
		s->state = SLOT_FILLED;
		pthread_cond_broadcast(&c->cond);
	}
	c->gen_done = 1;
	thread_ended(c, 1);
	pthread_mutex_unlock(&c->lock);
	kesu_pattern_gen_free(gen);
	return NULL;
}

/*
 * A run of whole chunks in which every sector failed means the device
 * stopped answering (unplugged behind a bridge that still exists, a dead
 * drive): stop instead of trying every sector of the rest of the disk.
 */
static int note_failures(struct stream_ctx *c, const struct slot *s, uint64_t failed)
{
	int rc = 0;

	pthread_mutex_lock(&c->lock);
	if (failed < s->len || s->len < c->chunk)
		c->dead_chunks = 0;
	else if (++c->dead_chunks >= KESU_STREAM_DEAD_CHUNKS)
		rc = -KESU_E_GONE;
	pthread_mutex_unlock(&c->lock);
	return rc;
}

static int process_slot(struct stream_ctx *c, struct slot *s, struct kesu_pattern_gen *gen,
			uint8_t *expect, uint64_t *checked, uint64_t *accepted)
{
	uint64_t failed = 0;
	int rc;

	*checked = 0;
	if (c->o->op == KESU_STREAM_WRITE) {
		rc = io_split(c, s->buf, NULL, s->off, s->len, &failed);
	} else {
		s->fixed_valid = false; /* the slot now holds what was read */
		rc = io_split(c, s->buf, gen, s->off, s->len, &failed);
		if (rc == 0)
			rc = compare(c, gen, expect, s->buf, s->off, s->len);
		*checked = s->len - failed;
	}
	/* Every sector either went through or is a bad range; a cut-short chunk counts nothing. */
	*accepted = rc == 0 ? s->len - failed : 0;
	if (rc == 0)
		rc = note_failures(c, s, failed);
	return rc;
}

/* An I/O thread: takes slots in order, writes them, or reads into them and compares. */
static void *io_worker(void *arg)
{
	struct stream_ctx *c = arg;
	struct kesu_pattern_gen *gen = NULL;
	void *expect = NULL;
	uint64_t checked, accepted;
	sigset_t all;
	int rc = 0;

	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, NULL);
	if (c->o->op == KESU_STREAM_VERIFY) {
		rc = kesu_pattern_gen_new(c->o->pattern, &gen, NULL);
		if (rc == 0 && c->o->pattern->kind == KESU_PAT_BYTES &&
		    !(expect = malloc(c->piece)))
			rc = -ENOMEM;
		if (rc < 0)
			set_fatal(c, rc, "cannot set up a verification thread (%llu)", 0);
	}
	pthread_mutex_lock(&c->lock);
	while (rc == 0) {
		struct slot *s;

		/* Another I/O thread may take the slot first: look again after each wait. */
		for (;;) {
			s = &c->slots[c->io_idx];
			if (s->state == SLOT_FILLED || c->err || (c->gen_done && s->state == SLOT_EMPTY))
				break;
			pthread_cond_wait(&c->cond, &c->lock);
		}
		if (s->state != SLOT_FILLED || c->err)
			break;
		s->state = SLOT_IO;
		c->io_idx = (c->io_idx + 1) % c->n_slots;
		pthread_mutex_unlock(&c->lock);
		rc = process_slot(c, s, gen, expect, &checked, &accepted);
		if (rc == -KESU_E_GONE)
			set_fatal(c, rc, "the device disappeared or stopped answering at byte %llu",
				  s->off);
		else if (rc < 0)
			set_fatal(c, rc, "I/O failed at byte %llu", s->off);
		pthread_mutex_lock(&c->lock);
		c->done += s->len;
		c->checked += checked;
		c->accepted += accepted;
		s->state = SLOT_EMPTY;
		pthread_cond_broadcast(&c->cond);
	}
	thread_ended(c, 1);
	pthread_mutex_unlock(&c->lock);
	free(expect);
	kesu_pattern_gen_free(gen);
	return NULL;
}

static void status_of(struct stream_ctx *c, struct kesu_stream_status *st)
{
	const struct kesu_stream_opts *o = c->o;
	uint64_t wm;
	size_t i;

	pthread_mutex_lock(&c->lock);
	while (c->ext_i < o->n_extents && c->ext_pos >= o->extents[c->ext_i].length) {
		c->ext_i++;
		c->ext_pos = 0;
	}
	wm = c->ext_i < o->n_extents ? o->extents[c->ext_i].offset + c->ext_pos : c->end;
	for (i = 0; i < c->n_slots; i++)
		if (c->slots[i].state != SLOT_EMPTY && c->slots[i].off < wm)
			wm = c->slots[i].off;
	st->done = c->done;
	st->total = c->total;
	st->checked = c->checked;
	st->accepted = c->accepted;
	st->watermark = wm;
	pthread_mutex_unlock(&c->lock);
}

static void add_ms(struct timespec *ts, unsigned ms)
{
	ts->tv_sec += ms / 1000;
	ts->tv_nsec += (long)(ms % 1000) * 1000000L;
	if (ts->tv_nsec >= 1000000000L) {
		ts->tv_sec++;
		ts->tv_nsec -= 1000000000L;
	}
}

/* Sleep until the threads end, ticking every tick_ms while they run. */
static void wait_threads(struct stream_ctx *c, unsigned tick_ms)
{
	struct kesu_stream_status now;
	struct timespec due;

	pthread_mutex_lock(&c->lock);
	while (c->running) {
		clock_gettime(CLOCK_MONOTONIC, &due);
		add_ms(&due, tick_ms);
		while (c->running && pthread_cond_timedwait(&c->ended, &c->lock, &due) != ETIMEDOUT)
			;
		if (!c->running || !c->o->tick)
			continue;
		pthread_mutex_unlock(&c->lock);
		status_of(c, &now);
		c->o->tick(&now, c->o->tick_arg);
		pthread_mutex_lock(&c->lock);
	}
	pthread_mutex_unlock(&c->lock);
}

static int slots_alloc(struct stream_ctx *c, size_t n)
{
	c->slots = calloc(n, sizeof(*c->slots));
	if (!c->slots)
		return -ENOMEM;
	c->n_slots = n;
	for (size_t i = 0; i < n; i++)
		if (!(c->slots[i].buf = buf_alloc(c->chunk)))
			return -ENOMEM;
	return 0;
}

static void slots_free(struct stream_ctx *c)
{
	for (size_t i = 0; c->slots && i < c->n_slots; i++)
		free(c->slots[i].buf);
	free(c->slots);
}

int kesu_stream_run(const struct kesu_stream_opts *o, struct kesu_stream_status *st,
		    struct kesu_errbuf *eb)
{
	struct stream_ctx c = { .o = o };
	pthread_t *tids = NULL;
	struct kesu_stream_status now;
	unsigned n_io = o->threads ? o->threads : o->op == KESU_STREAM_VERIFY ?
			KESU_STREAM_VERIFY_THREADS : KESU_STREAM_THREADS;
	unsigned tick_ms = o->tick_ms ? o->tick_ms : 250, i, started = 0;
	pthread_condattr_t ca;
	int rc = 0;

	if (o->sector == 0)
		return kesu_err_set(eb, -EINVAL, "bad sector size");
	c.chunk = o->chunk ? o->chunk : KESU_STREAM_CHUNK;
	c.chunk = c.chunk / o->sector * o->sector;
	if (!c.chunk)
		return kesu_err_set(eb, -EINVAL, "bad chunk size");
	c.piece = COMPARE_PIECE > o->sector ? COMPARE_PIECE / o->sector * o->sector : o->sector;
	for (i = 0; i < o->n_extents; i++)
		c.total += o->extents[i].length;
	c.end = o->n_extents ? o->extents[o->n_extents - 1].offset +
		o->extents[o->n_extents - 1].length : 0;
	pthread_mutex_init(&c.lock, NULL);
	pthread_cond_init(&c.cond, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&c.ended, &ca);
	pthread_condattr_destroy(&ca);
	tids = calloc(n_io + 1, sizeof(*tids));
	if (!tids || slots_alloc(&c, n_io + KESU_STREAM_AHEAD) < 0) {
		rc = kesu_err_set(eb, -ENOMEM, "out of memory for I/O buffers");
		goto out;
	}
	c.running = n_io + 1;
	for (i = 0; i <= n_io; i++) {
		if (pthread_create(&tids[i], NULL, i ? io_worker : generator, &c) != 0) {
			pthread_mutex_lock(&c.lock);
			if (!c.err)
				c.err = -EAGAIN;
			snprintf(c.errmsg, sizeof(c.errmsg), "cannot start I/O threads");
			c.gen_done = c.gen_done || i == 0;
			thread_ended(&c, n_io + 1 - i);
			pthread_mutex_unlock(&c.lock);
			break;
		}
		started++;
	}
	wait_threads(&c, tick_ms);
	for (i = 0; i < started; i++)
		pthread_join(tids[i], NULL);
	status_of(&c, &now);
	if (st)
		*st = now;
	if (c.err)
		rc = kesu_err_set(eb, c.err, "%s: %s", c.errmsg, kesu_strerror(c.err));
	else if (now.done < now.total && o->stop && *o->stop)
		rc = kesu_err_set(eb, -KESU_E_INTERRUPTED, "stopped at byte %llu",
				  (unsigned long long)now.watermark);
out:
	free(tids);
	slots_free(&c);
	pthread_cond_destroy(&c.cond);
	pthread_cond_destroy(&c.ended);
	pthread_mutex_destroy(&c.lock);
	return rc;
}
