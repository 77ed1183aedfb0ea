/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Labels: every shipped template renders, is rasterised at its printer's dpi
 * and every QR code decodes (zbarimg) to exactly the expected payload; the
 * Brother QL raster is parsed byte by byte; bad input is refused with a
 * message that names what is wrong, and no output file appears.
 */
#include <cairo.h>
#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <kesu/brother_ql.h>
#include <kesu/label.h>
#include <kesu/ledger.h>
#include <kesu/template.h>
#include <kesu/util.h>

#include "lib/testutil.h"

#define MEDIA_ID "M2026-000123"
#define MEDIA_PAYLOAD "KESU:M:" MEDIA_ID
#define CERT_ID "KC-20261125-3F9A2B1C"

static const char *labels_dir(void)
{
	static char dir[512];

	snprintf(dir, sizeof(dir), "%s/labels", tu_srcdir());
	return dir;
}

static const char *cert_fixture(void)
{
	static char path[512];

	snprintf(path, sizeof(path), "%s/tests/fixtures/" CERT_ID ".json", tu_srcdir());
	return path;
}

/* KESU:C:<CERT-ID>:<SHA16> for the fixture, computed here from its bytes. */
static void cert_payload(char *buf, size_t len)
{
	char hex[65];
	int i;

	ck_assert_int_eq(kesu_sha256_file_hex(cert_fixture(), hex, NULL), 0);
	for (i = 0; i < 16; i++)
		hex[i] = (char)(hex[i] >= 'a' ? hex[i] - 'a' + 'A' : hex[i]);
	hex[16] = '\0';
	snprintf(buf, len, "KESU:C:%s:%s", CERT_ID, hex);
}

static void load(const char *name, struct kesu_template *t)
{
	struct kesu_errbuf eb = { { 0 } };
	int rc = kesu_template_find(name, labels_dir(), t, &eb);

	ck_assert_msg(rc == 0, "template %s: %s", name, eb.msg);
}

static void media_label(struct kesu_label_data *d, const char *id)
{
	memset(d, 0, sizeof(*d));
	ck_assert_int_eq(kesu_label_data_set(d, "media_id", id, NULL), 0);
	ck_assert_int_eq(kesu_label_data_set(d, "data_name", "顧客データ", NULL), 0);
	ck_assert_int_eq(kesu_label_data_set(d, "owner", "山田 太郎", NULL), 0);
	ck_assert_int_eq(kesu_label_data_set(d, "date", "2026-11-25", NULL), 0);
}

/* Render to a file in the test's scratch directory. */
static int render_to(const struct kesu_template *t, const struct kesu_label_data *d, size_t n,
		     int start, const char *name, char *path, size_t plen,
		     struct kesu_label_result *res, struct kesu_errbuf *eb)
{
	enum kesu_label_format fmt;
	uint8_t *data = NULL;
	size_t len = 0;
	int rc;

	snprintf(path, plen, "%s/%s", tu_tmpdir(), name);
	ck_assert_int_eq(kesu_label_format_for_path(path, &fmt), 0);
	rc = kesu_label_render(t, d, n, start, fmt, &data, &len, res, eb);
	if (rc == 0)
		ck_assert_int_eq(tu_write_file(path, data, len), 0);
	free(data);
	return rc;
}

/* zbarimg on an image: the decoded payloads, one per line ("" when none). */
static char *decode(const char *image)
{
	char *out = tu_sh_out("zbarimg --raw -q '%s' 2>/dev/null", image);

	return out ? out : strdup("");
}

/* A PDF rasterised at dpi: page 1 (or page `page`) as PNG; the path into png. */
static void pdf_to_png(const char *pdf, int dpi, int page, char *png, size_t len)
{
	char base[600];

	snprintf(base, sizeof(base), "%s.p%d", pdf, page);
	ck_assert_int_eq(tu_sh("pdftoppm -r %d -f %d -l %d -png -singlefile '%s' '%s'", dpi, page,
			       page, pdf, base), 0);
	snprintf(png, len, "%s.png", base);
}

static int count_str(const char *s, const char *needle)
{
	int n = 0;

	while ((s = strstr(s, needle))) {
		n++;
		s += strlen(needle);
	}
	return n;
}

static int count_lines(const char *s)
{
	int n = 0;

	for (; *s; s++)
		n += *s == '\n';
	return n;
}

/*
 * Cut label cells out of a sheet page rasterised at the template's dpi and
 * decode them with one zbarimg run, in order. zbar finds only some of the
 * codes when one image holds many similar codes in a grid, so each position
 * is decoded on its own; that also proves each code sits where it belongs.
 */
static char *decode_cells(const char *page_png, const struct kesu_template *t,
			  const int *positions, int n)
{
	cairo_surface_t *page = cairo_image_surface_create_from_png(page_png);
	double px = t->dpi / 25.4;
	char cmd[8192];
	int i, w = (int)(t->width * px), h = (int)(t->height * px);

	ck_assert_int_eq(cairo_surface_status(page), CAIRO_STATUS_SUCCESS);
	snprintf(cmd, sizeof(cmd), "zbarimg --raw -q");
	for (i = 0; i < n; i++) {
		int idx = positions[i] - 1;
		double x = (t->sheet.x0 + (idx % t->sheet.nx) * t->sheet.dx) * px;
		double y = (t->sheet.y0 + (idx / t->sheet.nx) * t->sheet.dy) * px;
		cairo_surface_t *cell = cairo_image_surface_create(CAIRO_FORMAT_RGB24, w, h);
		cairo_t *cr = cairo_create(cell);
		char path[700];

		cairo_set_source_surface(cr, page, -x, -y);
		cairo_paint(cr);
		cairo_destroy(cr);
		snprintf(path, sizeof(path), "%s.cell%d.png", page_png, positions[i]);
		ck_assert_int_eq(cairo_surface_write_to_png(cell, path), CAIRO_STATUS_SUCCESS);
		cairo_surface_destroy(cell);
		ck_assert_uint_lt(strlen(cmd) + strlen(path) + 4, sizeof(cmd));
		strcat(cmd, " '");
		strcat(cmd, path);
		strcat(cmd, "'");
	}
	cairo_surface_destroy(page);
	{
		char *out = tu_sh_out("%s 2>/dev/null", cmd);

		return out ? out : strdup("");
	}
}

/*
 * Render one label of template t from d through the template's natural
 * output and rasterise it at the printer's dpi: tape PNGs directly (1-bit,
 * exactly the printable dots), sheets as PDF through pdftoppm (the first
 * label's cell). Appends the image to files and the payload to want, for
 * one zbarimg run over all of them.
 */
static void render_for_decode(const struct kesu_template *t, const struct kesu_label_data *d,
			      const char *expect, const char *tag, char *files, size_t flen,
			      char *want, size_t wlen)
{
	struct kesu_errbuf eb = { { 0 } };
	struct kesu_label_result res;
	char path[600], png[700], name[128];
	int rc;

	if (t->is_sheet) {
		double px = t->dpi / 25.4;

		snprintf(name, sizeof(name), "%s-%s.pdf", t->name, tag);
		rc = render_to(t, d, 1, 1, name, path, sizeof(path), &res, &eb);
		ck_assert_msg(rc == 0, "%s: %s", t->name, eb.msg);
		ck_assert_int_eq(tu_sh("pdftoppm -r %d -x %d -y %d -W %d -H %d -png -singlefile '%s' "
				       "'%s.cell'", t->dpi, (int)(t->sheet.x0 * px),
				       (int)(t->sheet.y0 * px), (int)(t->width * px),
				       (int)(t->height * px), path, path), 0);
		snprintf(png, sizeof(png), "%s.cell.png", path);
	} else {
		unsigned char *bytes;
		size_t len = 0;

		snprintf(name, sizeof(name), "%s-%s.png", t->name, tag);
		rc = render_to(t, d, 1, 1, name, png, sizeof(png), &res, &eb);
		ck_assert_msg(rc == 0, "%s: %s", t->name, eb.msg);
		/* 1-bit, exactly the printable dots at the printer's dpi. */
		bytes = (unsigned char *)tu_read_file(png, &len);
		ck_assert_ptr_nonnull(bytes);
		ck_assert_uint_gt(len, 33);
		ck_assert_int_eq(bytes[24], 1);
		ck_assert_int_eq((bytes[20] << 24 | bytes[21] << 16 | bytes[22] << 8 | bytes[23]),
				 t->raster.pins);
		ck_assert_int_eq((bytes[16] << 24 | bytes[17] << 16 | bytes[18] << 8 | bytes[19]),
				 (int)(t->printable.w * t->dpi / 25.4 + 0.5));
		free(bytes);
	}
	ck_assert_int_ge((int)res.module_dots, (int)t->qr.min_module_dots);
	ck_assert_uint_lt(strlen(files) + strlen(png) + 4, flen);
	strcat(files, " '");
	strcat(files, png);
	strcat(files, "'");
	ck_assert_uint_lt(strlen(want) + strlen(expect) + 2, wlen);
	strcat(want, expect);
	strcat(want, "\n");
}

/*
 * Every shipped template: a media label decodes to KESU:M:<ID>; a
 * certificate label decodes to KESU:C:... where the template's code can
 * hold it, and is refused (not printed unreadable) where it cannot.
 */
START_TEST(test_label_every_template_decodes)
{
	char **names = NULL, cpayload[128], files[16384] = "", want[4096] = "", *got;
	size_t n = 0, i;

	cert_payload(cpayload, sizeof(cpayload));
	ck_assert_int_eq(kesu_template_names(labels_dir(), &names, &n, NULL), 0);
	ck_assert_uint_ge(n, 8);
	for (i = 0; i < n; i++) {
		struct kesu_errbuf eb = { { 0 } };
		struct kesu_template t;
		struct kesu_label_data d;
		int rc;

		load(names[i], &t);
		media_label(&d, MEDIA_ID);
		render_for_decode(&t, &d, MEDIA_PAYLOAD, "media", files, sizeof(files), want,
				  sizeof(want));

		ck_assert_int_eq(kesu_label_data_from_cert(&d, cert_fixture(), NULL), 0);
		rc = kesu_label_check(&t, &d, 1, 1, NULL, &eb);
		if (t.qr.max_version < 3) {
			/* 43 characters need version 3 at ECC M: refused, never squeezed. */
			ck_assert_int_eq(rc, -KESU_E_TOO_LONG);
			ck_assert_ptr_nonnull(strstr(eb.msg, "does not fit template"));
			continue;
		}
		ck_assert_msg(rc == 0, "%s: %s", t.name, eb.msg);
		render_for_decode(&t, &d, cpayload, "cert", files, sizeof(files), want, sizeof(want));
	}
	kesu_template_names_free(names, n);
	/* One zbarimg run decodes every image, in order: exactly the payloads expected. */
	got = tu_sh_out("zbarimg --raw -q%s 2>/dev/null", files);
	ck_assert_ptr_nonnull(got);
	ck_assert_str_eq(got, want);
	free(got);
}
END_TEST

/* All 24 codes of a 24-up sheet decode, each to its own media ID. */
START_TEST(test_label_sheet_24up_all_decode)
{
	struct kesu_errbuf eb = { { 0 } };
	struct kesu_template t;
	struct kesu_label_data d[24];
	struct kesu_label_result res[24];
	char pdf[600], png[700], *got, line[64], want[24 * 32] = "";
	int i, positions[24];

	load("a-one-72224", &t);
	ck_assert_int_eq(kesu_template_per_page(&t), 24);
	for (i = 0; i < 24; i++) {
		char id[32];

		snprintf(id, sizeof(id), "M2026-%06d", i + 1);
		media_label(&d[i], id);
	}
	ck_assert_msg(render_to(&t, d, 24, 1, "sheet24.pdf", pdf, sizeof(pdf), res, &eb) == 0, "%s",
		      eb.msg);
	ck_assert_int_eq(res[23].page, 1);
	ck_assert_int_eq(res[23].position, 24);
	pdf_to_png(pdf, t.dpi, 1, png, sizeof(png));
	for (i = 0; i < 24; i++) {
		snprintf(line, sizeof(line), "KESU:M:M2026-%06d\n", i + 1);
		strcat(want, line);
		positions[i] = i + 1;
	}
	got = decode_cells(png, &t, positions, 24);
	ck_assert_int_eq(count_lines(got), 24);
	ck_assert_str_eq(got, want);
	free(got);
	/* The whole page at once: whatever zbar finds is one of ours, never garbage. */
	got = decode(png);
	ck_assert_int_ge(count_lines(got), 12);
	for (char *tok = strtok(got, "\n"); tok; tok = strtok(NULL, "\n"))
		ck_assert_msg(!strncmp(tok, "KESU:M:M2026-0000", 17) && strlen(tok) == 19, "%s", tok);
	free(got);
}
END_TEST

/* A partly used 12-up sheet: start at position 5, 10 labels fill 8 + 2 on two pages. */
START_TEST(test_label_sheet_start_position)
{
	struct kesu_errbuf eb = { { 0 } };
	struct kesu_template t;
	struct kesu_label_data d[10];
	struct kesu_label_result res[10];
	char pdf[600], png[700], *got, *pages, want[8 * 32], line[64];
	int i;

	load("a-one-72212", &t);
	for (i = 0; i < 10; i++) {
		char id[32];

		snprintf(id, sizeof(id), "M2026-%06d", i + 1);
		media_label(&d[i], id);
	}
	ck_assert_msg(render_to(&t, d, 10, 5, "start5.pdf", pdf, sizeof(pdf), res, &eb) == 0, "%s",
		      eb.msg);
	ck_assert_int_eq(res[0].position, 5);
	ck_assert_int_eq(res[7].position, 12);
	ck_assert_int_eq(res[8].page, 2);
	ck_assert_int_eq(res[8].position, 1);
	pages = tu_sh_out("pdfinfo '%s' | awk '/^Pages:/ { print $2 }'", pdf);
	ck_assert_ptr_nonnull(pages);
	ck_assert_str_eq(pages, "2\n");
	free(pages);
	/* Page 1: positions 1-4 stay empty (already used), 5-12 hold labels 1-8. */
	pdf_to_png(pdf, t.dpi, 1, png, sizeof(png));
	got = decode_cells(png, &t, (const int[]){ 5, 6, 7, 8, 9, 10, 11, 12 }, 8);
	for (i = 1, want[0] = '\0'; i <= 8; i++) {
		snprintf(line, sizeof(line), "KESU:M:M2026-%06d\n", i);
		strcat(want, line);
	}
	ck_assert_str_eq(got, want);
	free(got);
	got = decode_cells(png, &t, (const int[]){ 1, 2, 3, 4 }, 4);
	ck_assert_str_eq(got, "");
	free(got);
	/* Page 2: labels 9 and 10 at positions 1 and 2, the rest empty. */
	pdf_to_png(pdf, t.dpi, 2, png, sizeof(png));
	got = decode_cells(png, &t, (const int[]){ 1, 2 }, 2);
	ck_assert_str_eq(got, "KESU:M:M2026-000009\nKESU:M:M2026-000010\n");
	free(got);
	got = decode_cells(png, &t, (const int[]){ 3, 4, 12 }, 3);
	ck_assert_str_eq(got, "");
	free(got);
	/* Position 13 does not exist on a 12-up sheet. */
	ck_assert_int_eq(render_to(&t, d, 1, 13, "bad.pdf", pdf, sizeof(pdf), NULL, &eb), -EINVAL);
}
END_TEST

static unsigned get_le32(const unsigned char *p)
{
	return p[0] | p[1] << 8 | p[2] << 16 | (unsigned)p[3] << 24;
}

/*
 * The Brother QL raster for a known label, parsed here: header, media info
 * (29 mm, continuous, one line per dot of the 72 mm label), exactly one 'g'
 * line per dot row with ink only on the tape's printable pins, the end
 * byte. The dots, laid out as the head prints them, decode to the payload.
 */
START_TEST(test_label_ql_raster_structure)
{
	struct tu_result r;
	char bin[600], pbm[600], *got;
	unsigned char *b;
	size_t len = 0, p, line;
	unsigned lines;
	FILE *f;
	int inked = 0;
	const char *env[] = { NULL, NULL };
	char envbuf[600];

	snprintf(bin, sizeof(bin), "%s/ql29.bin", tu_tmpdir());
	snprintf(envbuf, sizeof(envbuf), "KESU_LABEL_DIR=%s", labels_dir());
	env[0] = envbuf;
	ck_assert_int_eq(tu_kesu_env(&r, env, "label", "--template", "ql-29", "--media-id", MEDIA_ID,
				     "--data-name", "顧客データ", "-o", bin, NULL), 0);
	ck_assert_msg(r.status == 0, "kesu label: %s", r.err);
	tu_result_free(&r);
	b = (unsigned char *)tu_read_file(bin, &len);
	ck_assert_ptr_nonnull(b);

	for (p = 0; p < KESU_QL_INVALIDATE; p++)
		ck_assert_int_eq(b[p], 0x00);
	ck_assert_int_eq(memcmp(b + p, "\x1b@", 2), 0);
	p += 2;
	ck_assert_int_eq(memcmp(b + p, "\x1bia\x01", 4), 0);
	p += 4;
	ck_assert_int_eq(memcmp(b + p, "\x1biz", 3), 0);
	ck_assert_int_eq(b[p + 3] & 0x86, 0x86);       /* kind and width valid, always set bit */
	ck_assert_int_eq(b[p + 4], 0x0A);              /* continuous tape */
	ck_assert_int_eq(b[p + 5], 29);                /* mm */
	ck_assert_int_eq(b[p + 6], 0);                 /* length: continuous */
	lines = get_le32(b + p + 7);
	ck_assert_uint_eq(lines, 850);                 /* 72 mm at 300 dpi */
	ck_assert_int_eq(b[p + 11], 0);                /* first page */
	p += 13;
	ck_assert_int_eq(memcmp(b + p, "\x1biM", 3), 0);
	p += 4;
	ck_assert_int_eq(memcmp(b + p, "\x1biA", 3), 0);
	p += 4;
	ck_assert_int_eq(memcmp(b + p, "\x1biK", 3), 0);
	p += 4;
	ck_assert_int_eq(memcmp(b + p, "\x1bid", 3), 0);
	p += 5;

	snprintf(pbm, sizeof(pbm), "%s/ql29.pbm", tu_tmpdir());
	f = fopen(pbm, "wb");
	ck_assert_ptr_nonnull(f);
	fprintf(f, "P4\n720 %u\n", lines);
	for (line = 0; line < lines; line++) {
		unsigned char mirrored[KESU_QL_LINE_BYTES] = { 0 };
		int pin;

		ck_assert_uint_le(p + 3 + KESU_QL_LINE_BYTES, len);
		ck_assert_int_eq(b[p], 'g');
		ck_assert_int_eq(b[p + 1], 0x00);
		ck_assert_int_eq(b[p + 2], KESU_QL_LINE_BYTES);
		for (pin = 0; pin < 720; pin++) {
			int ink = (b[p + 3 + pin / 8] >> (7 - pin % 8)) & 1;

			/* 29 mm tape: pins 6..311 only. */
			if (pin < 6 || pin >= 6 + 306)
				ck_assert_int_eq(ink, 0);
			inked += ink;
			/* The head prints pin 0 at the far side: mirror to see the label. */
			if (ink)
				mirrored[(719 - pin) / 8] |= (unsigned char)(0x80 >> ((719 - pin) % 8));
		}
		ck_assert_uint_eq(fwrite(mirrored, 1, sizeof(mirrored), f), sizeof(mirrored));
		p += 3 + KESU_QL_LINE_BYTES;
	}
	fclose(f);
	ck_assert_int_eq(b[p], 0x1A);
	ck_assert_uint_eq(p + 1, len);
	ck_assert_int_gt(inked, 1000);
	free(b);
	got = decode(pbm);
	ck_assert_str_eq(got, MEDIA_PAYLOAD "\n");
	free(got);
}
END_TEST

/*
 * The P-touch raster for a 12 mm label: 100 zero bytes, raster mode, media
 * info (laminated tape, 12 mm, one line per dot of the 40 mm label), TIFF
 * mode, one 'G' line per dot (a PackBits literal run of 16 bytes) with ink
 * only on pins 29..98, the end byte; the dots decode to the payload.
 */
START_TEST(test_label_pt_raster_structure)
{
	struct kesu_errbuf eb = { { 0 } };
	struct kesu_template t;
	struct kesu_label_data d;
	char bin[600], pbm[700], *got;
	unsigned char *b;
	size_t len = 0, p, line;
	unsigned lines;
	int inked = 0;
	FILE *f;

	load("pt-12", &t);
	media_label(&d, MEDIA_ID);
	ck_assert_msg(render_to(&t, &d, 1, 1, "pt12.bin", bin, sizeof(bin), NULL, &eb) == 0, "%s",
		      eb.msg);
	b = (unsigned char *)tu_read_file(bin, &len);
	ck_assert_ptr_nonnull(b);
	for (p = 0; p < KESU_PT_INVALIDATE; p++)
		ck_assert_int_eq(b[p], 0x00);
	ck_assert_int_eq(memcmp(b + p, "\x1b@\x1bia\x01\x1biz", 9), 0);
	p += 9;
	ck_assert_int_eq(b[p + 1], 0x01);              /* laminated TZe tape */
	ck_assert_int_eq(b[p + 2], 12);
	lines = get_le32(b + p + 4);
	ck_assert_uint_eq(lines, 283);                 /* 40 mm at 180 dpi */
	p += 10;
	ck_assert_int_eq(memcmp(b + p, "\x1biM\x40\x1biK\x08\x1bid", 11), 0);
	p += 13;
	ck_assert_int_eq(memcmp(b + p, "M\x02", 2), 0);
	p += 2;
	snprintf(pbm, sizeof(pbm), "%s.pbm", bin);
	f = fopen(pbm, "wb");
	ck_assert_ptr_nonnull(f);
	fprintf(f, "P4\n128 %u\n", lines);
	for (line = 0; line < lines; line++) {
		int pin;

		ck_assert_uint_le(p + 4 + KESU_PT_LINE_BYTES, len);
		ck_assert_int_eq(memcmp(b + p, "G\x11\x00\x0f", 4), 0);
		for (pin = 0; pin < 128; pin++) {
			int ink = (b[p + 4 + pin / 8] >> (7 - pin % 8)) & 1;

			if (pin < 29 || pin >= 29 + 70)
				ck_assert_int_eq(ink, 0);
			inked += ink;
		}
		ck_assert_uint_eq(fwrite(b + p + 4, 1, KESU_PT_LINE_BYTES, f), KESU_PT_LINE_BYTES);
		p += 4 + KESU_PT_LINE_BYTES;
	}
	fclose(f);
	ck_assert_int_eq(b[p], 0x1A);
	ck_assert_uint_eq(p + 1, len);
	ck_assert_int_gt(inked, 500);
	free(b);
	got = decode(pbm);
	ck_assert_str_eq(got, MEDIA_PAYLOAD "\n");
	free(got);
}
END_TEST

/* Two labels: two pages, the first ends in 0x0C, the second in 0x1A, page flag set. */
START_TEST(test_label_ql_raster_two_pages)
{
	struct kesu_tpl_raster r = { .tape_mm = 12, .pins = 16, .pin_offset = 29, .feed_dots = 35 };
	/* 3 dots along the tape, 16 pins across: 2 bytes per row. */
	uint8_t px[16 * 1] = { 0xE0, 0x40, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xA0 }, *out = NULL;
	struct kesu_bitmap pages[2] = { { 3, 16, 1, px }, { 3, 16, 1, px } };
	size_t len = 0, page_len = 13 + 4 + 4 + 4 + 5 + 3 * 93 + 1, page2;

	pages[1].h = 15;
	ck_assert_int_eq(kesu_ql_raster(&r, pages, 2, &out, &len, NULL), -EINVAL);
	ck_assert_ptr_null(out);
	pages[1].h = 16;
	ck_assert_int_eq(kesu_ql_raster(&r, pages, 2, &out, &len, NULL), 0);
	page2 = 200 + 2 + 4 + page_len;
	ck_assert_uint_eq(len, page2 + page_len);
	ck_assert_int_eq(out[page2 - 1], 0x0C);        /* next page */
	ck_assert_int_eq(out[len - 1], 0x1A);          /* print */
	ck_assert_int_eq(out[206 + 11], 0);            /* first page */
	ck_assert_int_eq(out[page2 + 11], 1);          /* a later page */
	/* Line 0 is the label's last column (x = 2): rows 0 and 15 are ink there. */
	{
		const uint8_t *line0 = out + 206 + 30 + 3;
		int top = 29 + 15 - 0, bottom = 29 + 15 - 15;

		ck_assert_int_eq((line0[top / 8] >> (7 - top % 8)) & 1, 1);
		ck_assert_int_eq((line0[bottom / 8] >> (7 - bottom % 8)) & 1, 1);
		ck_assert_int_eq((line0[(29 + 14) / 8] >> (7 - (29 + 14) % 8)) & 1, 0);
	}
	free(out);
}
END_TEST

static void run_label(struct tu_result *r, const char *const *args)
{
	const char *argv[32];
	char kesu[600], envbuf[600];
	const char *env[] = { envbuf, NULL };
	int i = 0;

	snprintf(kesu, sizeof(kesu), "%s", tu_kesu_bin());
	snprintf(envbuf, sizeof(envbuf), "KESU_LABEL_DIR=%s", labels_dir());
	argv[i++] = kesu;
	argv[i++] = "label";
	for (; *args && i < 31; args++)
		argv[i++] = *args;
	argv[i] = NULL;
	ck_assert_int_eq(tu_runv(r, env, NULL, argv), 0);
}

START_TEST(test_label_unknown_template_refused)
{
	struct tu_result r;
	char out[600];
	const char *args[] = { "--template", "no-such-tape", "-m", MEDIA_ID, "-o", out, NULL };

	snprintf(out, sizeof(out), "%s/x.png", tu_tmpdir());
	run_label(&r, args);
	ck_assert_int_eq(r.status, 2);
	ck_assert_ptr_nonnull(strstr(r.err, "unknown template \"no-such-tape\""));
	ck_assert_int_ne(access(out, F_OK), 0);
	tu_result_free(&r);
	/* A path is not a template name. */
	args[1] = "../labels/ql-29";
	run_label(&r, args);
	ck_assert_int_eq(r.status, 11);
	ck_assert_int_ne(access(out, F_OK), 0);
	tu_result_free(&r);
}
END_TEST

/* Shrunk, then wrapped, then refused naming the field; nothing is written. */
START_TEST(test_label_field_too_long_refused)
{
	struct tu_result r;
	char out[600], name[2048] = "";
	const char *args[] = { "-t", "ql-29", "-m", MEDIA_ID, "--data-name", name, "-o", out, NULL };
	int i;

	snprintf(out, sizeof(out), "%s/long.png", tu_tmpdir());
	for (i = 0; i < 20; i++)
		strcat(name, "顧客データ");
	run_label(&r, args);
	ck_assert_int_eq(r.status, 11);
	ck_assert_msg(strstr(r.err, "field 'data_name'"), "stderr: %s", r.err);
	ck_assert_int_ne(access(out, F_OK), 0);
	tu_result_free(&r);

	/* Wrapping: two lines of text that one line cannot hold at min_pt still print. */
	strcpy(name, "");
	for (i = 0; i < 6; i++)
		strcat(name, "顧客データ");
	run_label(&r, args);
	ck_assert_msg(r.status == 0, "stderr: %s", r.err);
	ck_assert_int_eq(access(out, F_OK), 0);
	tu_result_free(&r);
}
END_TEST

/* A certificate's 43-character payload needs version 3: a 12 mm tape holds version 1. */
START_TEST(test_label_payload_too_big_for_12mm)
{
	struct tu_result r;
	char out[600];
	const char *args[] = { "-t", "pt-12", "--cert", cert_fixture(), "-o", out, NULL };
	const char *long_id[] = { "-t", "pt-12", "-m", "M2026-0001234567", "-o", out, NULL };

	snprintf(out, sizeof(out), "%s/pt12.png", tu_tmpdir());
	run_label(&r, args);
	ck_assert_int_eq(r.status, 11);
	ck_assert_msg(strstr(r.err, "does not fit template pt-12"), "stderr: %s", r.err);
	ck_assert_int_ne(access(out, F_OK), 0);
	tu_result_free(&r);
	/* 16 characters of ID: KESU:M: + 16 = 23 > 20 for version 1-M. */
	run_label(&r, long_id);
	ck_assert_int_eq(r.status, 11);
	ck_assert_ptr_nonnull(strstr(r.err, "does not fit template pt-12"));
	ck_assert_int_ne(access(out, F_OK), 0);
	tu_result_free(&r);
}
END_TEST

/* IDs are refused, not silently uppercased: a label must match its ledger entry exactly. */
START_TEST(test_label_lowercase_id_refused)
{
	struct tu_result r;
	char out[600];
	const char *args[] = { "-t", "ql-29", "-m", "m2026-000123", "-o", out, NULL };
	struct kesu_label_data d;
	struct kesu_errbuf eb = { { 0 } };

	snprintf(out, sizeof(out), "%s/lower.png", tu_tmpdir());
	run_label(&r, args);
	ck_assert_int_eq(r.status, 11);
	ck_assert_ptr_nonnull(strstr(r.err, "did you mean \"M2026-000123\""));
	ck_assert_int_ne(access(out, F_OK), 0);
	tu_result_free(&r);
	memset(&d, 0, sizeof(d));
	ck_assert_int_eq(kesu_label_data_set(&d, "media_id", "M 1", &eb), -KESU_E_BAD_INPUT);
	ck_assert_int_eq(kesu_label_data_set(&d, "date", "25.11.2026", &eb), -KESU_E_BAD_INPUT);
	ck_assert_int_eq(kesu_label_data_set(&d, "data_name", "\xff\xfe", &eb), -KESU_E_BAD_INPUT);
}
END_TEST

/* Japanese text is in the PDF as text, with the font embedded. */
START_TEST(test_label_japanese_pdf)
{
	struct tu_result r;
	char out[600], *text, *fonts;
	const char *args[] = { "-t", "ql-62", "-m", MEDIA_ID, "--data-name", "顧客データ",
			       "--owner", "山田 太郎", "-o", out, NULL };
	const char *line;
	int rows = 0;

	snprintf(out, sizeof(out), "%s/ja.pdf", tu_tmpdir());
	run_label(&r, args);
	ck_assert_msg(r.status == 0, "stderr: %s", r.err);
	tu_result_free(&r);
	text = tu_sh_out("pdftotext '%s' -", out);
	ck_assert_ptr_nonnull(text);
	ck_assert_ptr_nonnull(strstr(text, "顧客データ"));
	ck_assert_ptr_nonnull(strstr(text, MEDIA_ID));
	free(text);
	/* pdffonts: name type encoding emb sub uni object ID; skip the two header lines. */
	fonts = tu_sh_out("pdffonts '%s' | tail -n +3", out);
	ck_assert_ptr_nonnull(fonts);
	ck_assert_ptr_nonnull(strstr(fonts, "IPAexGothic"));
	for (line = fonts; *line; rows++) {
		const char *nl = strchr(line, '\n');
		char buf[512];
		size_t n = nl ? (size_t)(nl - line) : strlen(line);

		snprintf(buf, sizeof(buf), "%.*s", (int)n, line);
		ck_assert_msg(strstr(buf, " yes yes "), "font not embedded: %s", buf);
		line += n + (nl ? 1 : 0);
	}
	ck_assert_int_gt(rows, 0);
	free(fonts);
}
END_TEST

START_TEST(test_label_cert_fields)
{
	struct kesu_label_data d;
	struct kesu_errbuf eb = { { 0 } };
	char payload[128], want[128], bad[600];
	const char *lower = "{\"certificate_id\":\"kc-1\",\"outcome\":\"ERASED\"}";

	memset(&d, 0, sizeof(d));
	ck_assert_int_eq(kesu_label_data_from_cert(&d, cert_fixture(), &eb), 0);
	ck_assert_str_eq(d.cert_id, CERT_ID);
	ck_assert_str_eq(d.outcome, "ERASED");
	ck_assert_str_eq(kesu_label_data_get(&d, "outcome_ja"), "消去済");
	ck_assert_str_eq(d.media_id, MEDIA_ID);
	ck_assert_str_eq(d.serial, "S3Z9NB0K123456A");
	ck_assert_str_eq(d.date, "2026-11-25");
	ck_assert_int_eq(kesu_label_payload(&d, payload, sizeof(payload), NULL), 0);
	cert_payload(want, sizeof(want));
	ck_assert_str_eq(payload, want);
	d.qr = KESU_LABEL_QR_MEDIA;
	ck_assert_int_eq(kesu_label_payload(&d, payload, sizeof(payload), NULL), 0);
	ck_assert_str_eq(payload, MEDIA_PAYLOAD);

	snprintf(bad, sizeof(bad), "%s/notcert.json", tu_tmpdir());
	ck_assert_int_eq(tu_write_file(bad, "{\"a\":1}", 7), 0);
	ck_assert_int_eq(kesu_label_data_from_cert(&d, bad, &eb), -KESU_E_BAD_INPUT);
	ck_assert_int_eq(tu_write_file(bad, lower, strlen(lower)), 0);
	ck_assert_int_eq(kesu_label_data_from_cert(&d, bad, &eb), -KESU_E_BAD_INPUT);
	ck_assert_ptr_nonnull(strstr(eb.msg, "certificate_id"));
}
END_TEST

/* A template whose code box is too small for the printer: refused, with the dots named. */
START_TEST(test_label_module_too_small_refused)
{
	static const char tpl[] =
		"{\"name\": \"tiny\", \"printer\": \"brother-pt\", \"dpi\": 180,"
		" \"label\": {\"width\": 30, \"height\": 12},"
		" \"printable\": {\"x\": 0, \"y\": 1.061, \"w\": 30, \"h\": 9.878},"
		" \"raster\": {\"tape_mm\": 12, \"pins\": 70},"
		" \"qr\": {\"x\": 0, \"y\": 1.5, \"size\": 8, \"quiet\": 2, \"max_version\": 4},"
		" \"fields\": [{\"name\": \"media_id\", \"text\": \"{media_id}\", \"x\": 10,"
		" \"y\": 2, \"w\": 19, \"h\": 5, \"max_pt\": 10}]}";
	struct tu_result r;
	char dir[600], path[700], out[700];
	const char *args[] = { "-t", "tiny", "--template-dir", dir, "-m", MEDIA_ID, "-o", out, NULL };

	snprintf(dir, sizeof(dir), "%s/tpl", tu_tmpdir());
	ck_assert_int_eq(tu_sh("mkdir -p '%s'", dir), 0);
	snprintf(path, sizeof(path), "%s/tiny.json", dir);
	ck_assert_int_eq(tu_write_file(path, tpl, strlen(tpl)), 0);
	snprintf(out, sizeof(out), "%s/tiny.png", tu_tmpdir());
	run_label(&r, args);
	ck_assert_int_eq(r.status, 11);
	ck_assert_msg(strstr(r.err, "dots per module"), "stderr: %s", r.err);
	ck_assert_int_ne(access(out, F_OK), 0);
	tu_result_free(&r);
}
END_TEST

START_TEST(test_label_template_parse_errors)
{
	struct kesu_template t;
	struct kesu_errbuf eb = { { 0 } };
	static const char typo[] =
		"{\"name\": \"x\", \"printer\": \"sheet\", \"dpi\": 300,"
		" \"label\": {\"width\": 50, \"height\": 30},"
		" \"qr\": {\"x\": 0, \"y\": 0, \"size\": 20, \"max_verison\": 4},"
		" \"fields\": [{\"name\": \"a\", \"text\": \"{media_id}\", \"x\": 21, \"y\": 1,"
		" \"w\": 20, \"h\": 5, \"max_pt\": 9}],"
		" \"sheet\": {\"page_width\": 210, \"page_height\": 297, \"nx\": 1, \"ny\": 1,"
		" \"x0\": 0, \"y0\": 0}}";
	static const char outside[] =
		"{\"name\": \"x\", \"printer\": \"sheet\", \"dpi\": 300,"
		" \"label\": {\"width\": 50, \"height\": 30},"
		" \"qr\": {\"x\": 0, \"y\": 0, \"size\": 20},"
		" \"fields\": [{\"name\": \"owner\", \"text\": \"{owner}\", \"x\": 40, \"y\": 1,"
		" \"w\": 20, \"h\": 5, \"max_pt\": 9}],"
		" \"sheet\": {\"page_width\": 210, \"page_height\": 297, \"nx\": 1, \"ny\": 1,"
		" \"x0\": 0, \"y0\": 0}}";

	ck_assert_int_eq(kesu_template_parse(typo, strlen(typo), &t, &eb), -KESU_E_BAD_INPUT);
	ck_assert_ptr_nonnull(strstr(eb.msg, "max_verison"));
	ck_assert_int_eq(kesu_template_parse(outside, strlen(outside), &t, &eb), -KESU_E_BAD_INPUT);
	ck_assert_ptr_nonnull(strstr(eb.msg, "field 'owner'"));
	ck_assert_int_eq(kesu_template_parse("{", 1, &t, &eb), -KESU_E_BAD_INPUT);
	ck_assert_int_eq(kesu_template_find("../etc", labels_dir(), &t, &eb), -KESU_E_BAD_INPUT);
}
END_TEST

/* SVG and --json: the CLI reports what it laid out. */
START_TEST(test_label_svg_and_json)
{
	struct tu_result r;
	char out[600], *svg;
	const char *args[] = { "-t", "ql-29", "--cert", cert_fixture(), "--json", "-o", out, NULL };
	const char *png_multi[] = { "-t", "ql-29", "-m", "A1", "-m", "A2", "-o", out, NULL };

	snprintf(out, sizeof(out), "%s/l.svg", tu_tmpdir());
	run_label(&r, args);
	ck_assert_msg(r.status == 0, "stderr: %s", r.err);
	ck_assert_ptr_nonnull(strstr(r.out, "\"payload\": \"KESU:C:" CERT_ID ":"));
	ck_assert_ptr_nonnull(strstr(r.out, "\"qr_version\": 3"));
	tu_result_free(&r);
	svg = tu_read_file(out, NULL);
	ck_assert_ptr_nonnull(svg);
	ck_assert_ptr_nonnull(strstr(svg, "<svg"));
	free(svg);
	/* Two tape labels do not fit one PNG: refused, pointing at .pdf / .bin. */
	snprintf(out, sizeof(out), "%s/two.png", tu_tmpdir());
	run_label(&r, png_multi);
	ck_assert_int_ne(r.status, 0);
	ck_assert_ptr_nonnull(strstr(r.err, ".bin"));
	ck_assert_int_ne(access(out, F_OK), 0);
	tu_result_free(&r);
}
END_TEST


/* Fields from the ledger (kesu ledger add) and its linked certificate. */
START_TEST(test_label_from_ledger)
{
	struct kesu_errbuf eb = { { 0 } };
	struct kesu_ledger *lg = NULL;
	struct tu_result r;
	char db[600], out[600], png[700], want[128], *text, *got;
	const char *args[] = { "-t", "ql-62", "--db", db, "-m", MEDIA_ID, "-o", out, NULL };
	const char *unknown[] = { "-t", "ql-62", "--db", db, "-m", "M2026-999999", "-o", out, NULL };

	snprintf(db, sizeof(db), "%s/kesu.db", tu_tmpdir());
	snprintf(out, sizeof(out), "%s/ledger.pdf", tu_tmpdir());
	ck_assert_int_eq(tu_kesu(&r, "ledger", "--db", db, "--operator", "山田 太郎", "add", MEDIA_ID,
				 "--data-name", "顧客データ", "--giver", "佐藤 花子", "--serial",
				 "S3Z9NB0K123456A", NULL), 0);
	ck_assert_msg(r.status == 0, "kesu ledger add: %s", r.err);
	tu_result_free(&r);
	ck_assert_msg(kesu_ledger_open(db, 0, 1000, &lg, &eb) == 0, "%s", eb.msg);
	ck_assert_int_eq(kesu_ledger_set_operator(lg, "山田 太郎"), 0);
	ck_assert_msg(kesu_ledger_link_cert(lg, cert_fixture(), NULL, &eb) == 0, "%s", eb.msg);
	kesu_ledger_close(lg);

	run_label(&r, args);
	ck_assert_msg(r.status == 0, "stderr: %s", r.err);
	tu_result_free(&r);
	text = tu_sh_out("pdftotext '%s' -", out);
	ck_assert_ptr_nonnull(text);
	ck_assert_ptr_nonnull(strstr(text, "顧客データ"));
	ck_assert_ptr_nonnull(strstr(text, "佐藤 花子"));
	ck_assert_ptr_nonnull(strstr(text, "ERASED"));
	ck_assert_ptr_nonnull(strstr(text, CERT_ID));
	free(text);
	pdf_to_png(out, 300, 1, png, sizeof(png));
	got = decode(png);
	cert_payload(want, sizeof(want));
	strcat(want, "\n");
	ck_assert_str_eq(got, want);
	free(got);

	run_label(&r, unknown);
	ck_assert_int_eq(r.status, 1);
	ck_assert_ptr_nonnull(strstr(r.err, "M2026-999999"));
	tu_result_free(&r);
}
END_TEST

/* --help, --list-templates (text and JSON), and a missing output. */
START_TEST(test_label_cli_help_and_list)
{
	struct tu_result r;
	const char *help[] = { "--help", NULL };
	const char *list[] = { "--list-templates", NULL };
	const char *list_json[] = { "--list-templates", "--json", NULL };
	const char *no_out[] = { "-t", "ql-29", "-m", MEDIA_ID, NULL };
	char out[600];
	const char *count[] = { "-t", "a-one-72212", "-m", "A1", "-m", "A2", "--count", "3",
				"--start", "11", "--json", "-o", out, NULL };

	run_label(&r, help);
	ck_assert_int_eq(r.status, 0);
	ck_assert_ptr_nonnull(strstr(r.out, "--template"));
	tu_result_free(&r);
	run_label(&r, list);
	ck_assert_int_eq(r.status, 0);
	ck_assert_ptr_nonnull(strstr(r.out, "a-one-72224"));
	ck_assert_ptr_nonnull(strstr(r.out, "pt-12"));
	tu_result_free(&r);
	run_label(&r, list_json);
	ck_assert_int_eq(r.status, 0);
	ck_assert_ptr_nonnull(strstr(r.out, "\"name\": \"drive-ql62\""));
	ck_assert_ptr_nonnull(strstr(r.out, "\"ecc\": \"Q\""));
	ck_assert_ptr_nonnull(strstr(r.out, "\"per_page\": 24"));
	tu_result_free(&r);
	run_label(&r, no_out);
	ck_assert_int_eq(r.status, 2);
	ck_assert_ptr_nonnull(strstr(r.err, "no output"));
	tu_result_free(&r);

	/* --count copies each label; on a sheet from --start on, row by row. */
	snprintf(out, sizeof(out), "%s/count.pdf", tu_tmpdir());
	run_label(&r, count);
	ck_assert_msg(r.status == 0, "stderr: %s", r.err);
	ck_assert_int_eq(count_str(r.out, "\"payload\": \"KESU:M:A1\""), 3);
	ck_assert_int_eq(count_str(r.out, "\"payload\": \"KESU:M:A2\""), 3);
	ck_assert_int_eq(count_str(r.out, "\"page\": 1,"), 2);     /* positions 11, 12 */
	ck_assert_int_eq(count_str(r.out, "\"page\": 2,"), 4);     /* positions 1-4 */
	ck_assert_int_eq(count_str(r.out, "\"position\": 11"), 1);
	ck_assert_int_eq(count_str(r.out, "\"position\": 4\n"), 1);
	tu_result_free(&r);
}
END_TEST

/* --print: only to a character device, only for Brother QL templates. */
START_TEST(test_label_print_device)
{
	struct tu_result r;
	char regular[600], bin[600], *data;
	size_t len = 0;
	const char *to_null[] = { "-t", "ql-29", "-m", MEDIA_ID, "--print", "/dev/null", NULL };
	const char *to_file[] = { "-t", "ql-29", "-m", MEDIA_ID, "--print", regular, NULL };
	const char *sheet[] = { "-t", "a-one-72212", "-m", MEDIA_ID, "--print", "/dev/null", NULL };
	const char *both[] = { "-t", "usb-ql12", "-m", MEDIA_ID, "--print", "/dev/null", "-o", bin,
			       NULL };

	run_label(&r, to_null);
	ck_assert_msg(r.status == 0, "stderr: %s", r.err);
	ck_assert_ptr_nonnull(strstr(r.out, "sent to /dev/null"));
	tu_result_free(&r);

	snprintf(regular, sizeof(regular), "%s/not-a-printer", tu_tmpdir());
	ck_assert_int_eq(tu_write_file(regular, "keep", 4), 0);
	run_label(&r, to_file);
	ck_assert_int_eq(r.status, 2);
	ck_assert_ptr_nonnull(strstr(r.err, "not a printer device"));
	tu_result_free(&r);
	data = tu_read_file(regular, &len);
	ck_assert_str_eq(data, "keep");
	free(data);

	run_label(&r, sheet);
	ck_assert_int_eq(r.status, 8);
	ck_assert_ptr_nonnull(strstr(r.err, "not for a Brother QL or P-touch printer"));
	tu_result_free(&r);

	/* Sent and kept: the .bin file holds the job (12 mm tape, 38 mm = 449 lines). */
	snprintf(bin, sizeof(bin), "%s/usb.bin", tu_tmpdir());
	run_label(&r, both);
	ck_assert_msg(r.status == 0, "stderr: %s", r.err);
	tu_result_free(&r);
	data = tu_read_file(bin, &len);
	ck_assert_ptr_nonnull(data);
	ck_assert_uint_eq(len, 200 + 2 + 4 + 13 + 17 + 449 * 93 + 1);
	ck_assert_int_eq((unsigned char)data[200 + 6 + 5], 12);
	free(data);
}
END_TEST

/* A template cut short anywhere is refused, never half-used (and never crashes). */
START_TEST(test_label_template_truncated)
{
	char path[600], *json;
	size_t len = 0, cut;
	struct kesu_template t;

	snprintf(path, sizeof(path), "%s/ql-62.json", labels_dir());
	json = tu_read_file(path, &len);
	ck_assert_ptr_nonnull(json);
	ck_assert_int_eq(kesu_template_parse(json, len, &t, NULL), 0);
	for (cut = 0; cut + 2 < len; cut += 7)
		ck_assert_int_eq(kesu_template_parse(json, cut, &t, NULL), -KESU_E_BAD_INPUT);
	free(json);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("label");
	struct tu_case cases[] = {
		{ "every_template", test_label_every_template_decodes },
		{ "sheet_24up", test_label_sheet_24up_all_decode },
		{ "sheet_start", test_label_sheet_start_position },
		{ "ql_raster", test_label_ql_raster_structure },
		{ "ql_pages", test_label_ql_raster_two_pages },
		{ "pt_raster", test_label_pt_raster_structure },
		{ "unknown_template", test_label_unknown_template_refused },
		{ "field_too_long", test_label_field_too_long_refused },
		{ "payload_12mm", test_label_payload_too_big_for_12mm },
		{ "lowercase_id", test_label_lowercase_id_refused },
		{ "japanese_pdf", test_label_japanese_pdf },
		{ "cert_fields", test_label_cert_fields },
		{ "module_too_small", test_label_module_too_small_refused },
		{ "template_errors", test_label_template_parse_errors },
		{ "svg_json", test_label_svg_and_json },
		{ "from_ledger", test_label_from_ledger },
		{ "cli_help_list", test_label_cli_help_and_list },
		{ "print_device", test_label_print_device },
		{ "template_truncated", test_label_template_truncated },
	};

	TU_ADD_CASES(s, cases, 120);
	return tu_main(s);
}
