/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Overwrite patterns: fixed bytes and the AES-128-CTR stream (pattern.h has
 * the exact definition, so that anyone can regenerate it with stock openssl).
 *
 * The stream comes from libgcrypt rather than OpenSSL's EVP: the two give the
 * same bytes (check_pattern compares with `openssl enc`), but libgcrypt's CTR
 * mode uses VAES where the CPU has it, about 1.8 times OpenSSL 3.0's AES-NI
 * speed here, and the cipher is what bounds an overwrite or a verification
 * on a fast device.
 */
#include <kesu/pattern.h>

#include <ctype.h>
#include <errno.h>
#include <gcrypt.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

/* Plaintext is fed in pieces this large: it stays in the L2 cache. */
#define PLAIN_BYTES (64 * 1024)

struct kesu_pattern_gen {
	struct kesu_pattern p;
	gcry_cipher_hd_t ctx;    /* keyed once; the counter runs on between fills */
	uint64_t next;           /* the stream offset at which ctx continues ... */
	bool at_next;            /* ... if it is positioned at all */
	uint8_t *plain;          /* PLAIN_BYTES of 0x00 (or 0xFF for the complement) */
	const void *cached_buf;  /* fixed patterns: what the last fill produced */
	size_t cached_len;
	size_t cached_phase;
};

static int hex_value(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = tolower(c);
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

static int parse_hex(const char *s, uint8_t *out, size_t max, size_t *n)
{
	size_t len = strlen(s), i;

	if (len == 0 || len % 2 || len / 2 > max)
		return -1;
	for (i = 0; i < len / 2; i++) {
		int hi = hex_value((unsigned char)s[2 * i]), lo = hex_value((unsigned char)s[2 * i + 1]);

		if (hi < 0 || lo < 0)
			return -1;
		out[i] = (uint8_t)(hi << 4 | lo);
	}
	*n = len / 2;
	return 0;
}

static int parse_key(const char *hex, struct kesu_pattern *p, const char *spec,
		     struct kesu_errbuf *eb)
{
	size_t n;

	if (parse_hex(hex, p->key, sizeof(p->key), &n) < 0 || n != KESU_RANDOM_KEY_BYTES)
		return kesu_err_set(eb, -KESU_E_BAD_INPUT, "'%s': the key must be %d hex digits "
				    "(from the wipe record's method.random_key)", spec,
				    2 * KESU_RANDOM_KEY_BYTES);
	p->has_key = true;
	return 0;
}

int kesu_pattern_parse(const char *spec, struct kesu_pattern *p, struct kesu_errbuf *eb)
{
	memset(p, 0, sizeof(*p));
	if (!strcmp(spec, "random")) {
		p->kind = KESU_PAT_RANDOM;
		return 0;
	}
	if (!strncmp(spec, "random:", 7)) {
		p->kind = KESU_PAT_RANDOM;
		return parse_key(spec + 7, p, spec, eb);
	}
	if (!strncmp(spec, "random-complement:", 18)) {
		p->kind = KESU_PAT_RANDOM;
		p->complement = true;
		return parse_key(spec + 18, p, spec, eb);
	}
	p->kind = KESU_PAT_BYTES;
	if (!strcmp(spec, "zero")) {
		p->bytes[0] = 0x00;
		p->len = 1;
		return 0;
	}
	if (!strcmp(spec, "one")) {
		p->bytes[0] = 0xFF;
		p->len = 1;
		return 0;
	}
	if ((spec[0] == '0' && (spec[1] == 'x' || spec[1] == 'X')) &&
	    parse_hex(spec + 2, p->bytes, sizeof(p->bytes), &p->len) == 0)
		return 0;
	return kesu_err_set(eb, -KESU_E_BAD_INPUT, "unknown pattern '%s': use random, zero, one "
			    "or 0xHH... (1 to %d bytes in hex)", spec, KESU_PATTERN_MAX_BYTES);
}

int kesu_pattern_new_key(struct kesu_pattern *p, struct kesu_errbuf *eb)
{
	size_t got = 0;

	while (got < sizeof(p->key)) {
		ssize_t n = getrandom(p->key + got, sizeof(p->key) - got, 0);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return kesu_err_set(eb, -errno, "getrandom: %s", strerror(errno));
		}
		got += (size_t)n;
	}
	p->has_key = true;
	return 0;
}

void kesu_pattern_complement(const struct kesu_pattern *in, struct kesu_pattern *out)
{
	*out = *in;
	if (in->kind == KESU_PAT_RANDOM) {
		out->complement = !in->complement;
		return;
	}
	for (size_t i = 0; i < in->len; i++)
		out->bytes[i] = (uint8_t)~in->bytes[i];
}

static void hex_string(const uint8_t *b, size_t n, char *buf, size_t len)
{
	size_t i;

	if (len == 0)
		return;
	buf[0] = '\0';
	for (i = 0; i < n && 2 * i + 2 < len; i++)
		snprintf(buf + 2 * i, 3, "%02x", b[i]);
}

void kesu_pattern_name(const struct kesu_pattern *p, char *buf, size_t len)
{
	char hex[2 * KESU_PATTERN_MAX_BYTES + 1];
	size_t i;

	if (p->kind == KESU_PAT_RANDOM) {
		snprintf(buf, len, "%s", p->complement ? "random-complement" : "random");
		return;
	}
	if (p->len == 1 && p->bytes[0] == 0x00) {
		snprintf(buf, len, "zero");
		return;
	}
	if (p->len == 1 && p->bytes[0] == 0xFF) {
		snprintf(buf, len, "one");
		return;
	}
	hex_string(p->bytes, p->len, hex, sizeof(hex));
	for (i = 0; hex[i]; i++)
		hex[i] = (char)toupper((unsigned char)hex[i]);
	snprintf(buf, len, "0x%s", hex);
}

void kesu_pattern_key_hex(const struct kesu_pattern *p, char *buf, size_t len)
{
	if (p->kind != KESU_PAT_RANDOM || !p->has_key) {
		snprintf(buf, len, "%s", "");
		return;
	}
	hex_string(p->key, sizeof(p->key), buf, len);
}

void kesu_pattern_spec(const struct kesu_pattern *p, char *buf, size_t len)
{
	char key[2 * KESU_RANDOM_KEY_BYTES + 1];

	if (p->kind != KESU_PAT_RANDOM) {
		kesu_pattern_name(p, buf, len);
		return;
	}
	kesu_pattern_key_hex(p, key, sizeof(key));
	snprintf(buf, len, "%s:%s", p->complement ? "random-complement" : "random", key);
}

static pthread_once_t gcrypt_once = PTHREAD_ONCE_INIT;
static bool gcrypt_ready;

/* libgcrypt wants one initialisation per process; kesu needs no secure memory from it. */
static void gcrypt_init(void)
{
	if (!gcry_control(GCRYCTL_INITIALIZATION_FINISHED_P)) {
		if (!gcry_check_version(GCRYPT_VERSION))
			return;
		gcry_control(GCRYCTL_DISABLE_SECMEM, 0);
		gcry_control(GCRYCTL_INITIALIZATION_FINISHED, 0);
	}
	gcrypt_ready = true;
}

static int cipher_open(struct kesu_pattern_gen *g)
{
	pthread_once(&gcrypt_once, gcrypt_init);
	if (!gcrypt_ready)
		return -EIO;
	if (gcry_cipher_open(&g->ctx, GCRY_CIPHER_AES128, GCRY_CIPHER_MODE_CTR, 0))
		return -EIO;
	/* The key schedule is set up once here; fills only move the counter. */
	if (gcry_cipher_setkey(g->ctx, g->p.key, sizeof(g->p.key)))
		return -EIO;
	return 0;
}

int kesu_pattern_gen_new(const struct kesu_pattern *p, struct kesu_pattern_gen **out,
			 struct kesu_errbuf *eb)
{
	struct kesu_pattern_gen *g;

	*out = NULL;
	if (p->kind == KESU_PAT_RANDOM && !p->has_key)
		return kesu_err_set(eb, -EINVAL, "random pattern without a key");
	if (p->kind == KESU_PAT_BYTES && (p->len == 0 || p->len > KESU_PATTERN_MAX_BYTES))
		return kesu_err_set(eb, -EINVAL, "empty pattern");
	g = calloc(1, sizeof(*g));
	if (!g)
		return -ENOMEM;
	g->p = *p;
	if (p->kind == KESU_PAT_RANDOM) {
		g->plain = malloc(PLAIN_BYTES);
		if (!g->plain) {
			kesu_pattern_gen_free(g);
			return kesu_err_set(eb, -ENOMEM, "out of memory for the cipher");
		}
		memset(g->plain, p->complement ? 0xFF : 0x00, PLAIN_BYTES);
		if (cipher_open(g) < 0) {
			kesu_pattern_gen_free(g);
			return kesu_err_set(eb, -EIO, "AES-128-CTR is not available (libgcrypt)");
		}
	}
	*out = g;
	return 0;
}

void kesu_pattern_gen_free(struct kesu_pattern_gen *g)
{
	if (!g)
		return;
	gcry_cipher_close(g->ctx); /* accepts NULL */
	free(g->plain);
	free(g);
}

void kesu_pattern_gen_forget(struct kesu_pattern_gen *g)
{
	g->cached_buf = NULL;
}

static void fill_bytes(struct kesu_pattern_gen *g, uint64_t offset, uint8_t *buf, size_t len)
{
	size_t phase = (size_t)(offset % g->p.len), done, i;

	if (g->cached_buf == buf && g->cached_len == len && g->cached_phase == phase)
		return;
	if (g->p.len == 1) {
		memset(buf, g->p.bytes[0], len);
	} else {
		/* One period, then double what is already there. */
		done = len < g->p.len ? len : g->p.len;
		for (i = 0; i < done; i++)
			buf[i] = g->p.bytes[(phase + i) % g->p.len];
		while (done < len) {
			size_t n = done <= len - done ? done : len - done;

			/* done is a whole number of periods, so the copy keeps the phase. */
			memcpy(buf + done, buf, n);
			done += n;
		}
	}
	g->cached_buf = buf;
	g->cached_len = len;
	g->cached_phase = phase;
}

/* Point the counter at a stream offset, unless the last fill ended there. */
static int seek_random(struct kesu_pattern_gen *g, uint64_t offset)
{
	uint8_t ctr[16] = { 0 }, skip[16];
	uint64_t block = offset / 16;
	size_t lead = (size_t)(offset % 16);
	int i;

	if (g->at_next && g->next == offset)
		return 0;
	g->at_next = false;
	for (i = 0; i < 8; i++)
		ctr[15 - i] = (uint8_t)(block >> (8 * i));
	if (gcry_cipher_setctr(g->ctx, ctr, sizeof(ctr)))
		return -EIO;
	/* CTR mode keeps the rest of a block's key stream for the next call */
	if (lead && gcry_cipher_encrypt(g->ctx, skip, lead, g->plain, lead))
		return -EIO;
	g->next = offset;
	g->at_next = true;
	return 0;
}

/* out = in XOR the key stream; in NULL: the plaintext (the pattern itself). */
static int run_stream(struct kesu_pattern_gen *g, uint64_t offset, const uint8_t *in,
		      uint8_t *out, size_t len)
{
	size_t done = 0;
	int rc = seek_random(g, offset);

	if (rc < 0)
		return rc;
	while (done < len) {
		size_t n = len - done < PLAIN_BYTES ? len - done : PLAIN_BYTES;
		gcry_error_t ge = in == out ? gcry_cipher_encrypt(g->ctx, out + done, n, NULL, 0)
			: gcry_cipher_encrypt(g->ctx, out + done, n, in ? in + done : g->plain, n);

		if (ge) {
			g->at_next = false;
			return -EIO;
		}
		done += n;
	}
	g->next = offset + len;
	return 0;
}

int kesu_pattern_unmask(struct kesu_pattern_gen *g, uint64_t offset, const void *in, void *out,
			size_t len)
{
	if (g->p.kind != KESU_PAT_RANDOM)
		return -EINVAL;
	return run_stream(g, offset, in, out, len);
}

uint8_t kesu_pattern_plain_byte(const struct kesu_pattern *p)
{
	return p->complement ? 0xFF : 0x00;
}

int kesu_pattern_fill(struct kesu_pattern_gen *g, uint64_t offset, void *buf, size_t len)
{
	if (g->p.kind == KESU_PAT_RANDOM)
		return run_stream(g, offset, NULL, buf, len);
	fill_bytes(g, offset, buf, len);
	return 0;
}
