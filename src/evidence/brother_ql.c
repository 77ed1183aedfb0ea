/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Brother QL and P-touch raster jobs (the command layout is in include/kesu/brother_ql.h). */
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

/* What differs between the two printer families. */
struct head {
	int line_bytes;
	int invalidate;
	uint8_t media_kind, flags;
	int pt;                  /* P-touch: 'G' PackBits lines, left end first, no ESC i A */
};

static const struct head ql_head = { KESU_QL_LINE_BYTES, KESU_QL_INVALIDATE, 0x0A, 0xCE, 0 };
static const struct head pt_head = { KESU_PT_LINE_BYTES, KESU_PT_INVALIDATE, 0x01, 0x86, 1 };

static void put_media_info(struct buf *b, const struct head *h, const struct kesu_tpl_raster *r,
			   uint32_t lines, int page)
{
	put_bytes(b, 3, ESC, 'i', 'z');
	put_bytes(b, 4, h->flags, h->media_kind, r->tape_mm & 0xFF, 0);
	put_bytes(b, 4, lines & 0xFF, (lines >> 8) & 0xFF, (lines >> 16) & 0xFF, lines >> 24);
	put_bytes(b, 2, page ? 1 : 0, 0);
}

/* One raster line: the label's column x, pins bottom-up from pin_offset. */
static void put_line(struct buf *b, const struct head *h, const struct kesu_tpl_raster *r,
		     const struct kesu_bitmap *bm, int x)
{
	uint8_t row[KESU_QL_LINE_BYTES] = { 0 };
	int pin;

	for (pin = 0; pin < bm->h; pin++) {
		int bit = r->pin_offset + pin;

		if (kesu_bitmap_get(bm, x, bm->h - 1 - pin))
			row[bit >> 3] |= (uint8_t)(0x80 >> (bit & 7));
	}
	if (h->pt) {
		/* PackBits, one literal run of line_bytes: header line_bytes - 1. */
		put_bytes(b, 4, 'G', h->line_bytes + 1, 0x00, h->line_bytes - 1);
	} else {
		put_bytes(b, 3, 'g', 0x00, h->line_bytes);
	}
	put(b, row, (size_t)h->line_bytes);
}

static int raster_job(const struct head *h, const struct kesu_tpl_raster *r,
		      const struct kesu_bitmap *pages, size_t n, uint8_t **out, size_t *out_len,
		      struct kesu_errbuf *eb)
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
		    r->pin_offset + r->pins > h->line_bytes * 8)
			return kesu_err_set(eb, -EINVAL,
					    "label %zu is %d dots across; the tape has %d pins from "
					    "pin %d of %d", i + 1, pages[i].h, r->pins, r->pin_offset,
					    h->line_bytes * 8);
	put(&b, zeros, (size_t)h->invalidate);
	put_bytes(&b, 2, ESC, '@');
	put_bytes(&b, 4, ESC, 'i', 'a', 0x01);
	for (i = 0; i < n; i++) {
		int line;

		put_media_info(&b, h, r, (uint32_t)pages[i].w, i > 0);
		put_bytes(&b, 4, ESC, 'i', 'M', 0x40);
		if (!h->pt)
			put_bytes(&b, 4, ESC, 'i', 'A', 0x01);
		put_bytes(&b, 4, ESC, 'i', 'K', 0x08);
		put_bytes(&b, 5, ESC, 'i', 'd', r->feed_dots & 0xFF, (r->feed_dots >> 8) & 0xFF);
		if (h->pt)
			put_bytes(&b, 2, 'M', 0x02);
		for (line = 0; line < pages[i].w; line++)
			put_line(&b, h, r, &pages[i], h->pt ? line : pages[i].w - 1 - line);
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

int kesu_ql_raster(const struct kesu_tpl_raster *r, const struct kesu_bitmap *pages, size_t n,
		   uint8_t **out, size_t *out_len, struct kesu_errbuf *eb)
{
	return raster_job(&ql_head, r, pages, n, out, out_len, eb);
}

int kesu_pt_raster(const struct kesu_tpl_raster *r, const struct kesu_bitmap *pages, size_t n,
		   uint8_t **out, size_t *out_len, struct kesu_errbuf *eb)
{
	return raster_job(&pt_head, r, pages, n, out, out_len, eb);
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
