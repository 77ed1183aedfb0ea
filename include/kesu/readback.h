/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The readback proof of a firmware erase. Never trust the drive's success
 * status alone (Wei et al., FAST 2011): before the erase, read every region
 * of the sampled-verification plan (verify.h, the same plan the overwrite
 * checks) and keep each region's SHA-256; afterwards read the same regions
 * and check them:
 *   zero / ones / pattern  every region holds exactly that content
 *                          (block erase, format, sanitize overwrite);
 *   zero-or-ones           the drive does not say what erased blocks read as:
 *                          each region all 0x00 or all 0xFF, and which is recorded;
 *   changed                every region differs from before (cryptographic
 *                          erases: the old key's data now reads as noise); a
 *                          region that read all 0x00 (or all 0xFF) before and
 *                          still does proves nothing and is not held against
 *                          the drive, but a sample identical as a whole fails.
 * A region that fails is a mismatch in the result (verification.mismatches);
 * the digests over all regions, before and after, go to the record.
 */
#ifndef KESU_READBACK_H
#define KESU_READBACK_H

#include <kesu/err.h>
#include <kesu/progress.h>
#include <kesu/record.h>
#include <kesu/verify.h>

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum kesu_rb_expect {
	KESU_RB_CHANGED = 0,
	KESU_RB_ZERO,
	KESU_RB_ONES,
	KESU_RB_ZERO_OR_ONES,
	KESU_RB_PATTERN32,            /* a 32-bit pattern, little-endian, repeated */
};

/* "changed", "zero", "one", "zero-or-one", "pattern" */
const char *kesu_rb_expect_name(enum kesu_rb_expect e);

#define KESU_RB_DIGEST_LEN 32

struct kesu_rb_region {
	uint8_t before[KESU_RB_DIGEST_LEN];
	uint8_t after[KESU_RB_DIGEST_LEN];
	uint8_t kind_before;          /* enum kesu_rb_kind */
	uint8_t kind_after;
};

/* What a region holds. */
enum kesu_rb_kind { KESU_RB_KIND_OTHER = 0, KESU_RB_KIND_ZERO, KESU_RB_KIND_ONES, KESU_RB_KIND_PATTERN };

struct kesu_readback {
	const struct kesu_verify_plan *plan;   /* not owned */
	enum kesu_rb_expect expect;
	uint32_t pattern;                      /* KESU_RB_PATTERN32 */
	struct kesu_rb_region *regions;        /* plan->n_extents */
	size_t n;
	char before_sha256[65];                /* over every region's bytes, in plan order */
	char after_sha256[65];
	uint64_t bytes;                        /* per pass */
	bool before_done, after_done;
	/* after the check */
	size_t unchanged, zero, ones, pattern_regions, other;
	size_t expected_before;                /* regions that already held the expected content */
	size_t failed;                         /* regions that fail the expectation */
};

/* Progress of a readback pass: bytes read of this pass's total. */
typedef void (*kesu_rb_tick_fn)(uint64_t done, uint64_t total, void *arg);

/* Zero rb and set what the check expects. */
void kesu_readback_init(struct kesu_readback *rb, const struct kesu_verify_plan *plan,
			enum kesu_rb_expect expect, uint32_t pattern);
void kesu_readback_release(struct kesu_readback *rb);

/*
 * One pass over the plan's regions on fd (sector aligned, O_DIRECT or not;
 * without O_DIRECT the page cache is dropped first). after=false keeps the
 * "before" digests; after=true keeps the "after" digests and then judges.
 * Returns 0, -KESU_E_INTERRUPTED when *stop was set, or an I/O error.
 */
int kesu_readback_pass(int fd, struct kesu_readback *rb, bool after,
		       const volatile sig_atomic_t *stop, kesu_rb_tick_fn tick, void *tick_arg,
		       struct kesu_errbuf *eb);

/*
 * Judge the after pass (run by kesu_readback_pass): fill the counters, add a
 * mismatch per failing region to r (may be NULL). Returns the number of
 * failing regions.
 */
size_t kesu_readback_judge(struct kesu_readback *rb, struct kesu_result *r);

/* One line: "2002 regions, 1 MiB...: all zero" or what failed. */
void kesu_readback_describe(const struct kesu_readback *rb, char *buf, size_t len);

#endif
