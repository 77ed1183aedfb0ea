/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Brother QL raster: the byte stream a QL-500/5xx/7xx/8xx printer (300 dpi,
 * 720-pin head, 90 bytes per raster line) prints from, written to a file or
 * straight to the printer's character device (/dev/usb/lp0).
 *
 * The stream, per job:
 *   200 x 0x00                 invalidate: flush a half-received command
 *   ESC @                      initialise
 *   ESC i a 0x01               switch to raster mode
 * then per page:
 *   ESC i z f t w l n4 p 0     media info: validity flags 0xCE (kind, width,
 *                              length, quality), kind 0x0A continuous tape,
 *                              width mm, length 0 (continuous), raster line
 *                              count 32-bit little-endian, page (0 first, 1
 *                              later), 0
 *   ESC i M 0x40               auto cut on
 *   ESC i A 0x01               cut after every label
 *   ESC i K 0x08               cut at the end
 *   ESC i d n2                 feed margin in dots, 16-bit little-endian
 *   g 0x00 90 <90 bytes>       one raster line per dot along the tape,
 *                              uncompressed (no M command: every QL model
 *                              accepts uncompressed lines; PackBits is not
 *                              supported by the QL-500/550)
 *   0x0C (next page) or 0x1A (print, last page)
 *
 * Bit i of a raster line (MSB of byte 0 first) is pin i; the tape's printable
 * pins are pin_offset .. pin_offset + pins - 1, and the label's bottom edge
 * (as read) is at pin_offset. The label's right end is printed first.
 *
 * Brother P-touch (PT-P700/P750W/E550W/P710BT: 180 dpi, 128 pins, 16 bytes
 * per line) takes the same job with these differences: 100 x 0x00 to
 * invalidate, media kind 0x01 (laminated TZe tape), validity flags 0x86, no
 * ESC i A, "M 0x02" (TIFF compression, which the E550W needs for cutting),
 * and each line as "G n_lo n_hi" + PackBits data (one literal run:
 * 0x0F + 16 bytes); the label's left end is printed first. The pin layout
 * matches ptouch-print's (12 mm tape: 70 pins from pin 29).
 */
#ifndef KESU_BROTHER_QL_H
#define KESU_BROTHER_QL_H

#include <kesu/err.h>
#include <kesu/template.h>

#include <stddef.h>
#include <stdint.h>

#define KESU_QL_LINE_BYTES 90
#define KESU_QL_INVALIDATE 200
#define KESU_PT_LINE_BYTES 16
#define KESU_PT_INVALIDATE 100

/*
 * A 1-bit image of a tape label's printable area, read the way the text
 * runs: w dots along the tape, h dots across it (= the template's pins).
 * 1 = ink; rows of stride bytes, MSB first.
 */
struct kesu_bitmap {
	int w, h;
	size_t stride;
	uint8_t *data;
};

static inline int kesu_bitmap_get(const struct kesu_bitmap *b, int x, int y)
{
	return (b->data[(size_t)y * b->stride + (size_t)(x >> 3)] >> (7 - (x & 7))) & 1;
}

/*
 * The raster job for n labels (one page each). *out is malloc'd. -EINVAL
 * when a bitmap is not r->pins tall or does not fit the head.
 */
int kesu_ql_raster(const struct kesu_tpl_raster *r, const struct kesu_bitmap *pages, size_t n,
		   uint8_t **out, size_t *out_len, struct kesu_errbuf *eb);

/* The same for a Brother P-touch (see above). */
int kesu_pt_raster(const struct kesu_tpl_raster *r, const struct kesu_bitmap *pages, size_t n,
		   uint8_t **out, size_t *out_len, struct kesu_errbuf *eb);

/*
 * Send a job to a printer device: it must be a character device (a USB
 * printer class node); nothing is created or truncated.
 */
int kesu_ql_send(const char *device, const uint8_t *data, size_t len, struct kesu_errbuf *eb);

#endif
