/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Brother QL raster jobs (the command layout is in include/kesu/brother_ql.h). */
#include <kesu/brother_ql.h>

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define ESC 0x1B

struct buf {
	uint8_t *p;
	size_t len, cap;
	int err;
};

static void put(struct buf *b, const void *data, size_t n)
{
	if (b->err)
		return;
	if (b->len + n > b->cap) {
		size_t cap = b->cap ? b->cap : 4096;
		uint8_t *grown;

		while (cap < b->len + n)
			cap *= 2;
		grown = realloc(b->p, cap);
		if (!grown) {
			b->err = -ENOMEM;
			return;
		}
		b->p = grown;
		b->cap = cap;
	}
	memcpy(b->p + b->len, data, n);
	b->len += n;
}

static void put_bytes(struct buf *b, int n, ...)
{
	uint8_t tmp[16];
	va_list ap;
	int i;

	va_start(ap, n);
	for (i = 0; i < n && i < (int)sizeof(tmp); i++)
		tmp[i] = (uint8_t)va_arg(ap, int);
	va_end(ap);
	put(b, tmp, (size_t)i);
}

static void put_media_info(struct buf *b, const struct kesu_tpl_raster *r, uint32_t lines,
			   int page)
{
	put_bytes(b, 3, ESC, 'i', 'z');
	put_bytes(b, 4, 0xCE, 0x0A, r->tape_mm & 0xFF, 0);
	put_bytes(b, 4, lines & 0xFF, (lines >> 8) & 0xFF, (lines >> 16) & 0xFF, lines >> 24);
	put_bytes(b, 2, page ? 1 : 0, 0);
}

/* Raster line number `line` of a label: the label's column w-1-line, pins bottom-up. */
static void put_line(struct buf *b, const struct kesu_tpl_raster *r, const struct kesu_bitmap *bm,
		     int line)
{
	uint8_t row[KESU_QL_LINE_BYTES] = { 0 };
	int x = bm->w - 1 - line, pin;

	for (pin = 0; pin < bm->h; pin++) {
		int bit = r->pin_offset + pin;

		if (kesu_bitmap_get(bm, x, bm->h - 1 - pin))
			row[bit >> 3] |= (uint8_t)(0x80 >> (bit & 7));
	}
	put_bytes(b, 3, 'g', 0x00, KESU_QL_LINE_BYTES);
	put(b, row, sizeof(row));
}

int kesu_ql_raster(const struct kesu_tpl_raster *r, const struct kesu_bitmap *pages, size_t n,
		   uint8_t **out, size_t *out_len, struct kesu_errbuf *eb)
{
	static const uint8_t zeros[KESU_QL_INVALIDATE];
	struct buf b = { 0 };
	size_t i;

	*out = NULL;
	*out_len = 0;
	if (n == 0)
		return kesu_err_set(eb, -EINVAL, "no labels to print");
	for (i = 0; i < n; i++)
		if (pages[i].h != r->pins || pages[i].w <= 0 ||
		    r->pin_offset + r->pins > KESU_QL_LINE_BYTES * 8)
			return kesu_err_set(eb, -EINVAL,
					    "label %zu is %d dots across; the tape has %d pins", i + 1,
					    pages[i].h, r->pins);
	put(&b, zeros, sizeof(zeros));
	put_bytes(&b, 2, ESC, '@');
	put_bytes(&b, 4, ESC, 'i', 'a', 0x01);
	for (i = 0; i < n; i++) {
		int line;

		put_media_info(&b, r, (uint32_t)pages[i].w, i > 0);
		put_bytes(&b, 4, ESC, 'i', 'M', 0x40);
		put_bytes(&b, 4, ESC, 'i', 'A', 0x01);
		put_bytes(&b, 4, ESC, 'i', 'K', 0x08);
		put_bytes(&b, 5, ESC, 'i', 'd', r->feed_dots & 0xFF, (r->feed_dots >> 8) & 0xFF);
		for (line = 0; line < pages[i].w; line++)
			put_line(&b, r, &pages[i], line);
		put_bytes(&b, 1, i + 1 < n ? 0x0C : 0x1A);
	}
	if (b.err) {
		free(b.p);
		return kesu_err_set(eb, b.err, "building the raster job: out of memory");
	}
	*out = b.p;
	*out_len = b.len;
	return 0;
}

int kesu_ql_send(const char *device, const uint8_t *data, size_t len, struct kesu_errbuf *eb)
{
	struct stat st;
	size_t done = 0;
	int fd, rc = 0;

	fd = open(device, O_WRONLY | O_NOCTTY | O_CLOEXEC);
	if (fd < 0)
		return kesu_err_set(eb, -errno, "cannot open printer %s: %s", device, strerror(errno));
	if (fstat(fd, &st) < 0 || !S_ISCHR(st.st_mode)) {
		rc = kesu_err_set(eb, -EINVAL,
				  "%s is not a printer device (character device such as /dev/usb/lp0)",
				  device);
		goto out;
	}
	while (done < len) {
		ssize_t w = write(fd, data + done, len - done);

		if (w < 0) {
			if (errno == EINTR)
				continue;
			rc = kesu_err_set(eb, -errno, "writing to printer %s: %s", device,
					  strerror(errno));
			goto out;
		}
		done += (size_t)w;
	}
out:
	if (close(fd) < 0 && rc == 0)
		rc = kesu_err_set(eb, -errno, "closing printer %s: %s", device, strerror(errno));
	return rc;
}
