/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What an overwrite writes: a fixed byte pattern or a seekable random stream.
 *
 * The random stream is standard AES-128-CTR over an all-zero plaintext with
 * the 128-bit big-endian counter starting at 0: the byte at device offset o is
 * byte (o mod 16) of AES_K(o / 16). So
 *
 *   openssl enc -aes-128-ctr -K KEY -iv 00000000000000000000000000000000 </dev/zero
 *
 * reproduces the device from offset 0, and any offset can be regenerated on
 * its own (resume, sampled verification). The key is not secret: it lets a
 * second person re-verify the device. Its complement (all bits inverted) is
 * the same stream over an all-0xFF plaintext.
 *
 * A fixed pattern of L bytes puts byte (o mod L) at device offset o.
 */
#ifndef KESU_PATTERN_H
#define KESU_PATTERN_H

#include <kesu/err.h>

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define KESU_PATTERN_MAX_BYTES 64
#define KESU_RANDOM_KEY_BYTES  16
#define KESU_PATTERN_NAME_MAX  (2 + 2 * KESU_PATTERN_MAX_BYTES + 1)
/* "random-complement:" + 32 hex digits, or a fixed pattern's name */
#define KESU_PATTERN_SPEC_MAX  (KESU_PATTERN_NAME_MAX + 32)

enum kesu_pattern_kind {
	KESU_PAT_RANDOM = 0,
	KESU_PAT_BYTES,
};

struct kesu_pattern {
	enum kesu_pattern_kind kind;
	uint8_t bytes[KESU_PATTERN_MAX_BYTES]; /* KESU_PAT_BYTES */
	size_t len;
	uint8_t key[KESU_RANDOM_KEY_BYTES];     /* KESU_PAT_RANDOM */
	bool has_key;
	bool complement;                        /* KESU_PAT_RANDOM: every bit inverted */
};

/*
 * Parse "random" (no key yet), "zero", "one" (0xFF), "0xHH..." (1 to 64
 * bytes), and the verification forms "random:KEYHEX" and
 * "random-complement:KEYHEX". -KESU_E_BAD_INPUT with a sentence otherwise.
 */
int kesu_pattern_parse(const char *spec, struct kesu_pattern *p, struct kesu_errbuf *eb);

/* A fresh random key from getrandom(2). */
int kesu_pattern_new_key(struct kesu_pattern *p, struct kesu_errbuf *eb);

/* The bitwise complement of a pattern (0x55 -> 0xAA, random -> random-complement). */
void kesu_pattern_complement(const struct kesu_pattern *in, struct kesu_pattern *out);

/* "random", "zero", "one" or "0x55AA": the record's method.pattern. */
void kesu_pattern_name(const struct kesu_pattern *p, char *buf, size_t len);

/* Lowercase hex key (32 digits), "" for fixed patterns. */
void kesu_pattern_key_hex(const struct kesu_pattern *p, char *buf, size_t len);

/* The --expect argument of `kesu verify` that checks this content. */
void kesu_pattern_spec(const struct kesu_pattern *p, char *buf, size_t len);

/* A generator: one per thread (it holds a cipher context). */
struct kesu_pattern_gen;

int kesu_pattern_gen_new(const struct kesu_pattern *p, struct kesu_pattern_gen **g,
			 struct kesu_errbuf *eb);
void kesu_pattern_gen_free(struct kesu_pattern_gen *g);

/*
 * Fill buf with the pattern's bytes for device offsets [offset, offset+len).
 * For fixed patterns the generator remembers the last fill and skips it when
 * asked again for the same buffer, length and phase: callers that change such
 * a buffer themselves must call kesu_pattern_gen_forget() first. The random
 * stream is keyed once per generator; a fill that starts where the last one
 * ended lets the counter run on, any other offset repositions it.
 */
int kesu_pattern_fill(struct kesu_pattern_gen *g, uint64_t offset, void *buf, size_t len);
void kesu_pattern_gen_forget(struct kesu_pattern_gen *g);

/*
 * The random stream only: out = in XOR the key stream at device offsets
 * [offset, offset+len) (in == out is allowed). Where in holds the pattern,
 * every byte of out is kesu_pattern_plain_byte(): verification checks one
 * byte value instead of comparing two buffers. -EINVAL for fixed patterns.
 */
int kesu_pattern_unmask(struct kesu_pattern_gen *g, uint64_t offset, const void *in, void *out,
			size_t len);
/* 0x00, or 0xFF for the complement. */
uint8_t kesu_pattern_plain_byte(const struct kesu_pattern *p);

#endif
