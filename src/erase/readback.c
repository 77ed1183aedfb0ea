/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The readback proof of a firmware erase (readback.h). */
#include <kesu/readback.h>
#include <kesu/util.h>

#include <errno.h>
#include <fcntl.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define RB_CHUNK (4u * 1024 * 1024)
#define RB_ALIGN 4096
#define RB_TICK_MS 250

const char *kesu_rb_expect_name(enum kesu_rb_expect e)
{
	switch (e) {
	case KESU_RB_CHANGED: return "changed";
	case KESU_RB_ZERO: return "zero";
	case KESU_RB_ONES: return "one";
	case KESU_RB_ZERO_OR_ONES: return "zero-or-one";
	case KESU_RB_PATTERN32: return "pattern";
	}
	return "changed";
}

void kesu_readback_init(struct kesu_readback *rb, const struct kesu_verify_plan *plan,
			enum kesu_rb_expect expect, uint32_t pattern)
{
	memset(rb, 0, sizeof(*rb));
	rb->plan = plan;
	rb->expect = expect;
	rb->pattern = pattern;
}

void kesu_readback_release(struct kesu_readback *rb)
{
	free(rb->regions);
	rb->regions = NULL;
	rb->n = 0;
}

/* Which uniform content a buffer holds, narrowing what it may still be. */
struct kind_acc {
	bool zero, ones, pattern;
};

static void kind_update(struct kind_acc *k, const uint8_t *buf, size_t len, uint64_t offset,
			uint32_t pattern)
{
	uint8_t pat[4] = { (uint8_t)pattern, (uint8_t)(pattern >> 8), (uint8_t)(pattern >> 16),
			   (uint8_t)(pattern >> 24) };

	for (size_t i = 0; i < len && (k->zero || k->ones || k->pattern); i++) {
		if (buf[i] != 0)
			k->zero = false;
		if (buf[i] != 0xff)
			k->ones = false;
		if (buf[i] != pat[(offset + i) % 4])
			k->pattern = false;
	}
}

static uint8_t kind_of(const struct kind_acc *k)
{
	if (k->zero)
		return KESU_RB_KIND_ZERO;
	if (k->ones)
		return KESU_RB_KIND_ONES;
	if (k->pattern)
		return KESU_RB_KIND_PATTERN;
	return KESU_RB_KIND_OTHER;
}

struct pass {
	int fd;
	uint8_t *buf;
	EVP_MD_CTX *all, *one;
	uint64_t done, total, last_tick_ms;
	kesu_rb_tick_fn tick;
	void *tick_arg;
};

static int read_full(int fd, uint8_t *buf, size_t len, uint64_t off, struct kesu_errbuf *eb)
{
	size_t got = 0;

	while (got < len) {
		ssize_t n = pread(fd, buf + got, len - got, (off_t)(off + got));

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return kesu_err_set(eb, -errno, "reading back byte %llu: %s",
					    (unsigned long long)(off + got), strerror(errno));
		if (n == 0)
			return kesu_err_set(eb, -EIO, "reading back byte %llu: end of device",
					    (unsigned long long)(off + got));
		got += (size_t)n;
	}
	return 0;
}

static int region_pass(struct pass *p, const struct kesu_extent *e, uint32_t pattern,
		       uint8_t digest[KESU_RB_DIGEST_LEN], uint8_t *kind,
		       const volatile sig_atomic_t *stop, struct kesu_errbuf *eb)
{
	struct kind_acc k = { true, true, true };
	uint64_t off = 0;
	unsigned dlen = 0;
	int rc;

	if (EVP_DigestInit_ex(p->one, EVP_sha256(), NULL) != 1)
		return kesu_err_set(eb, -ENOMEM, "SHA-256 is not available");
	while (off < e->length) {
		size_t len = e->length - off > RB_CHUNK ? RB_CHUNK : (size_t)(e->length - off);

		if (stop && *stop)
			return -KESU_E_INTERRUPTED;
		rc = read_full(p->fd, p->buf, len, e->offset + off, eb);
		if (rc < 0)
			return rc;
		EVP_DigestUpdate(p->one, p->buf, len);
		EVP_DigestUpdate(p->all, p->buf, len);
		kind_update(&k, p->buf, len, e->offset + off, pattern);
		off += len;
		p->done += len;
		if (p->tick && kesu_now_ms() - p->last_tick_ms >= RB_TICK_MS) {
			p->tick(p->done, p->total, p->tick_arg);
			p->last_tick_ms = kesu_now_ms();
		}
	}
	EVP_DigestFinal_ex(p->one, digest, &dlen);
	*kind = kind_of(&k);
	return 0;
}

static void hex(const uint8_t *d, size_t n, char *out)
{
	for (size_t i = 0; i < n; i++)
		snprintf(out + 2 * i, 3, "%02x", d[i]);
}

int kesu_readback_pass(int fd, struct kesu_readback *rb, bool after,
		       const volatile sig_atomic_t *stop, kesu_rb_tick_fn tick, void *tick_arg,
		       struct kesu_errbuf *eb)
{
	const struct kesu_verify_plan *plan = rb->plan;
	struct pass p = { .fd = fd, .tick = tick, .tick_arg = tick_arg };
	uint8_t all[KESU_RB_DIGEST_LEN];
	unsigned dlen = 0;
	void *mem = NULL;
	int rc = 0;

	if (!rb->regions) {
		rb->regions = calloc(plan->n_extents ? plan->n_extents : 1, sizeof(*rb->regions));
		if (!rb->regions)
			return kesu_err_set(eb, -ENOMEM, "out of memory for %zu regions",
					    plan->n_extents);
		rb->n = plan->n_extents;
	}
	if (posix_memalign(&mem, RB_ALIGN, RB_CHUNK) != 0)
		return kesu_err_set(eb, -ENOMEM, "out of memory for the readback buffer");
	p.buf = mem;
	p.all = EVP_MD_CTX_new();
	p.one = EVP_MD_CTX_new();
	if (!p.all || !p.one || EVP_DigestInit_ex(p.all, EVP_sha256(), NULL) != 1) {
		rc = kesu_err_set(eb, -ENOMEM, "SHA-256 is not available");
		goto out;
	}
	/* Without O_DIRECT the page cache may still hold what was there before the erase. */
	if (!(fcntl(fd, F_GETFL) & O_DIRECT))
		(void)posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED);
	p.total = plan->planned_bytes;
	p.last_tick_ms = kesu_now_ms();
	for (size_t i = 0; i < rb->n && rc == 0; i++) {
		struct kesu_rb_region *g = &rb->regions[i];

		rc = region_pass(&p, &plan->extents[i], rb->pattern, after ? g->after : g->before,
				 after ? &g->kind_after : &g->kind_before, stop, eb);
	}
	if (rc < 0)
		goto out;
	EVP_DigestFinal_ex(p.all, all, &dlen);
	hex(all, sizeof(all), after ? rb->after_sha256 : rb->before_sha256);
	rb->bytes = p.done;
	if (after)
		rb->after_done = true;
	else
		rb->before_done = true;
	if (tick)
		tick(p.done, p.total, tick_arg);
out:
	EVP_MD_CTX_free(p.all);
	EVP_MD_CTX_free(p.one);
	free(mem);
	return rc;
}

static bool blank(uint8_t kind)
{
	return kind == KESU_RB_KIND_ZERO || kind == KESU_RB_KIND_ONES;
}

static bool region_ok(const struct kesu_readback *rb, const struct kesu_rb_region *g)
{
	switch (rb->expect) {
	case KESU_RB_CHANGED:
		/* A region blank before and after proves nothing either way (unwritten blocks). */
		return memcmp(g->before, g->after, KESU_RB_DIGEST_LEN) != 0 ||
		       (blank(g->kind_before) && g->kind_after == g->kind_before);
	case KESU_RB_ZERO:
		return g->kind_after == KESU_RB_KIND_ZERO ||
		       (g->kind_after == KESU_RB_KIND_PATTERN && rb->pattern == 0);
	case KESU_RB_ONES:
		return g->kind_after == KESU_RB_KIND_ONES;
	case KESU_RB_ZERO_OR_ONES:
		return g->kind_after == KESU_RB_KIND_ZERO || g->kind_after == KESU_RB_KIND_ONES;
	case KESU_RB_PATTERN32:
		/* The zero and all-ones patterns are classified as zero/ones first. */
		return g->kind_after == KESU_RB_KIND_PATTERN ||
		       (rb->pattern == 0 && g->kind_after == KESU_RB_KIND_ZERO) ||
		       (rb->pattern == 0xffffffffu && g->kind_after == KESU_RB_KIND_ONES);
	}
	return false;
}

static bool region_expected_before(const struct kesu_readback *rb, const struct kesu_rb_region *g)
{
	struct kesu_rb_region as_after = *g;

	if (rb->expect == KESU_RB_CHANGED)
		return blank(g->kind_before);
	as_after.kind_after = g->kind_before;
	return region_ok(rb, &as_after);
}

size_t kesu_readback_judge(struct kesu_readback *rb, struct kesu_result *r)
{
	rb->unchanged = rb->zero = rb->ones = rb->pattern_regions = rb->other = 0;
	rb->expected_before = rb->failed = 0;
	for (size_t i = 0; i < rb->n; i++) {
		const struct kesu_rb_region *g = &rb->regions[i];

		if (!memcmp(g->before, g->after, KESU_RB_DIGEST_LEN))
			rb->unchanged++;
		switch (g->kind_after) {
		case KESU_RB_KIND_ZERO: rb->zero++; break;
		case KESU_RB_KIND_ONES: rb->ones++; break;
		case KESU_RB_KIND_PATTERN: rb->pattern_regions++; break;
		default: rb->other++; break;
		}
		if (region_expected_before(rb, g))
			rb->expected_before++;
		if (!region_ok(rb, g)) {
			rb->failed++;
			if (r)
				kesu_result_add_mismatch(r, rb->plan->extents[i].offset,
							 rb->plan->extents[i].length);
		}
	}
	return rb->failed;
}

void kesu_readback_describe(const struct kesu_readback *rb, char *buf, size_t len)
{
	if (rb->failed == 0 && rb->expect == KESU_RB_CHANGED)
		snprintf(buf, len, "all %zu sampled regions differ from before the erase", rb->n);
	else if (rb->failed == 0 && rb->expect == KESU_RB_ZERO_OR_ONES)
		snprintf(buf, len, "all %zu sampled regions read as erased: %zu all zeros, %zu all 0xFF",
			 rb->n, rb->zero, rb->ones);
	else if (rb->failed == 0)
		snprintf(buf, len, "all %zu sampled regions hold the expected content (%s)", rb->n,
			 kesu_rb_expect_name(rb->expect));
	else if (rb->expect == KESU_RB_CHANGED)
		snprintf(buf, len, "%zu of %zu sampled regions are unchanged since before the erase",
			 rb->failed, rb->n);
	else
		snprintf(buf, len, "%zu of %zu sampled regions do not hold the expected content (%s); "
			 "%zu are unchanged since before the erase", rb->failed, rb->n,
			 kesu_rb_expect_name(rb->expect), rb->unchanged);
}
