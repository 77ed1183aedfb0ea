/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Verification plans: which byte ranges a readback checks.
 *
 * full:   the whole device.
 * sample: the first and the last region (0.1% of the device each, at least
 *         1 MiB, capped at the device), plus the device cut into `sections`
 *         equal sections (1000, fewer on small devices so that each section
 *         holds at least 32 logical sectors), with two samples in each: one in
 *         the first half, one in the second half of the section (so they never
 *         overlap), each 5% of the section rounded down to whole logical
 *         sectors (at least one sector). Together about 10% of the device,
 *         the sampling figures given for NIST SP 800-88 Rev. 1.
 *         The sample position inside half h (0 or 1) of section i is
 *         reproducible from the 64-bit seed: take the first 8 bytes of
 *         SHA-256(seed as 8 bytes big-endian || i as 8 bytes big-endian ||
 *         h as 1 byte) as a big-endian integer, modulo the number of
 *         sector-aligned start positions that keep the sample inside that half.
 * none:   nothing is read.
 *
 * Overlapping ranges are merged, so the plan is a sorted list of disjoint extents.
 */
#ifndef KESU_VERIFY_H
#define KESU_VERIFY_H

#include <kesu/err.h>
#include <kesu/pattern.h>

#include <stddef.h>
#include <stdint.h>

enum kesu_verify_mode {
	KESU_VERIFY_NONE = 0,
	KESU_VERIFY_SAMPLE,
	KESU_VERIFY_FULL,
};

/* "none", "sample", "full" */
const char *kesu_verify_mode_name(enum kesu_verify_mode m);
int kesu_verify_mode_parse(const char *s, enum kesu_verify_mode *m);

struct kesu_extent {
	uint64_t offset;
	uint64_t length;
};

#define KESU_VERIFY_SECTIONS        1000
#define KESU_VERIFY_MIN_SECTION_LBAS 32
#define KESU_VERIFY_SAMPLES_PER_SECTION 2
#define KESU_VERIFY_SAMPLE_PERMILLE 50      /* of the section, per sample */
#define KESU_VERIFY_EDGE_PPM        1000    /* first / last region: 0.1% */
#define KESU_VERIFY_EDGE_MIN        (1024 * 1024)

struct kesu_verify_plan {
	enum kesu_verify_mode mode;
	uint64_t seed;
	uint64_t device_bytes;
	uint32_t sector;
	uint64_t sections;
	uint64_t section_bytes;     /* the last section also takes the remainder */
	uint64_t samples_per_section;
	uint64_t sample_bytes;
	uint64_t first_bytes, last_bytes;
	uint64_t planned_bytes;     /* sum of the extents */
	uint64_t coverage_ppm;      /* planned_bytes per million device bytes */
	struct kesu_extent *extents;
	size_t n_extents;
};

/*
 * Build the plan for a device of size bytes and logical sector size sector.
 * With seed_set false a fresh seed comes from getrandom.
 */
int kesu_verify_plan_build(enum kesu_verify_mode mode, uint64_t size, uint32_t sector,
			   uint64_t seed, int seed_set, struct kesu_verify_plan *plan,
			   struct kesu_errbuf *eb);
void kesu_verify_plan_release(struct kesu_verify_plan *plan);

#endif
