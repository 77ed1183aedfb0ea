/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Verification plans (verify.h documents them so that anyone can rebuild the
 * same list of ranges from the seed).
 */
#include <kesu/verify.h>

#include <errno.h>
#include <openssl/sha.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

const char *kesu_verify_mode_name(enum kesu_verify_mode m)
{
	switch (m) {
	case KESU_VERIFY_SAMPLE: return "sample";
	case KESU_VERIFY_FULL:   return "full";
	case KESU_VERIFY_NONE:   return "none";
	}
	return "none";
}

int kesu_verify_mode_parse(const char *s, enum kesu_verify_mode *m)
{
	if (!strcmp(s, "sample"))
		*m = KESU_VERIFY_SAMPLE;
	else if (!strcmp(s, "full"))
		*m = KESU_VERIFY_FULL;
	else if (!strcmp(s, "none"))
		*m = KESU_VERIFY_NONE;
	else
		return -EINVAL;
	return 0;
}

struct extent_list {
	struct kesu_extent *v;
	size_t n, cap;
};

static int extent_add(struct extent_list *l, uint64_t offset, uint64_t length)
{
	if (!length)
		return 0;
	if (l->n == l->cap) {
		size_t cap = l->cap ? 2 * l->cap : 64;
		struct kesu_extent *v = realloc(l->v, cap * sizeof(*v));

		if (!v)
			return -ENOMEM;
		l->v = v;
		l->cap = cap;
	}
	l->v[l->n].offset = offset;
	l->v[l->n].length = length;
	l->n++;
	return 0;
}

static int extent_cmp(const void *a, const void *b)
{
	const struct kesu_extent *x = a, *y = b;

	return x->offset < y->offset ? -1 : x->offset > y->offset;
}

static void extents_merge(struct extent_list *l)
{
	size_t i, j = 0;

	if (!l->n)
		return;
	qsort(l->v, l->n, sizeof(*l->v), extent_cmp);
	for (i = 1; i < l->n; i++) {
		struct kesu_extent *last = &l->v[j];
		uint64_t end = last->offset + last->length;

		if (l->v[i].offset <= end) {
			uint64_t e2 = l->v[i].offset + l->v[i].length;

			if (e2 > end)
				last->length = e2 - last->offset;
		} else {
			l->v[++j] = l->v[i];
		}
	}
	l->n = j + 1;
}

/* The documented position rule: SHA-256(seed || section || half). */
static uint64_t sample_draw(uint64_t seed, uint64_t section, unsigned half)
{
	uint8_t in[17], md[SHA256_DIGEST_LENGTH];
	uint64_t v = 0;
	int i;

	for (i = 0; i < 8; i++) {
		in[i] = (uint8_t)(seed >> (56 - 8 * i));
		in[8 + i] = (uint8_t)(section >> (56 - 8 * i));
	}
	in[16] = (uint8_t)half;
	SHA256(in, sizeof(in), md);
	for (i = 0; i < 8; i++)
		v = v << 8 | md[i];
	return v;
}

static uint64_t round_down(uint64_t v, uint64_t unit)
{
	return v / unit * unit;
}

static int plan_samples(struct kesu_verify_plan *p, struct extent_list *l)
{
	uint64_t size = p->device_bytes, sec = p->sector, lbas = size / sec, i;
	int rc;

	p->sections = lbas / KESU_VERIFY_MIN_SECTION_LBAS;
	if (p->sections > KESU_VERIFY_SECTIONS)
		p->sections = KESU_VERIFY_SECTIONS;
	if (p->sections == 0)
		p->sections = 1;
	p->section_bytes = round_down(size / p->sections, sec);
	p->samples_per_section = KESU_VERIFY_SAMPLES_PER_SECTION;
	p->sample_bytes = round_down(p->section_bytes * KESU_VERIFY_SAMPLE_PERMILLE / 1000, sec);
	if (p->sample_bytes < sec)
		p->sample_bytes = sec;
	for (i = 0; i < p->sections; i++) {
		uint64_t start = i * p->section_bytes;
		uint64_t len = i + 1 == p->sections ? size - start : p->section_bytes;
		uint64_t half_len[2], half_start[2];
		unsigned h;

		half_len[0] = round_down(len / 2, sec);
		half_start[0] = start;
		half_start[1] = start + half_len[0];
		half_len[1] = round_down(len - half_len[0], sec);
		for (h = 0; h < 2; h++) {
			uint64_t n = p->sample_bytes <= half_len[h] ? p->sample_bytes : half_len[h];
			uint64_t slots = (half_len[h] - n) / sec + 1;
			uint64_t at = half_start[h] + (sample_draw(p->seed, i, h) % slots) * sec;

			rc = extent_add(l, at, n);
			if (rc < 0)
				return rc;
		}
	}
	return 0;
}

static uint64_t edge_bytes(uint64_t size, uint32_t sec)
{
	uint64_t n = size / 1000000 * KESU_VERIFY_EDGE_PPM;

	if (n < KESU_VERIFY_EDGE_MIN)
		n = KESU_VERIFY_EDGE_MIN;
	n = (n + sec - 1) / sec * sec;
	return n > size ? size : n;
}

int kesu_verify_plan_build(enum kesu_verify_mode mode, uint64_t size, uint32_t sector,
			   uint64_t seed, int seed_set, struct kesu_verify_plan *p,
			   struct kesu_errbuf *eb)
{
	struct extent_list l = { 0 };
	int rc = 0;

	memset(p, 0, sizeof(*p));
	p->mode = mode;
	p->device_bytes = size;
	p->sector = sector ? sector : 512;
	if (size % p->sector)
		return kesu_err_set(eb, -EINVAL, "device size %llu is not a multiple of its "
				    "%u-byte sectors", (unsigned long long)size, p->sector);
	if (!seed_set && mode == KESU_VERIFY_SAMPLE &&
	    getrandom(&seed, sizeof(seed), 0) != (ssize_t)sizeof(seed))
		return kesu_err_set(eb, -errno, "getrandom: %s", strerror(errno));
	p->seed = mode == KESU_VERIFY_SAMPLE ? seed : 0;
	if (mode == KESU_VERIFY_NONE || size == 0)
		return 0;
	if (mode == KESU_VERIFY_FULL) {
		rc = extent_add(&l, 0, size);
	} else {
		p->first_bytes = p->last_bytes = edge_bytes(size, p->sector);
		rc = extent_add(&l, 0, p->first_bytes);
		if (rc == 0)
			rc = extent_add(&l, size - p->last_bytes, p->last_bytes);
		if (rc == 0)
			rc = plan_samples(p, &l);
	}
	if (rc < 0) {
		free(l.v);
		return kesu_err_set(eb, rc, "out of memory for the verification plan");
	}
	extents_merge(&l);
	p->extents = l.v;
	p->n_extents = l.n;
	for (size_t i = 0; i < l.n; i++)
		p->planned_bytes += l.v[i].length;
	p->coverage_ppm = (uint64_t)((unsigned __int128)p->planned_bytes * 1000000 / size);
	return 0;
}

void kesu_verify_plan_release(struct kesu_verify_plan *p)
{
	free(p->extents);
	p->extents = NULL;
	p->n_extents = 0;
}
