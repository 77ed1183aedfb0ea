/* SPDX-License-Identifier: GPL-2.0-or-later */
/* QR payloads, encoding and drawing: every drawn code is decoded by zbarimg. */
#include <cairo.h>
#include <cairo-pdf.h>
#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <kesu/qr.h>

#include "lib/testutil.h"

/* zbarimg's decoded payloads, one per line, or NULL when nothing decodes. */
static char *decode(const char *png)
{
	return tu_sh_out("zbarimg --raw -q '%s' 2>/dev/null", png);
}

START_TEST(test_qr_payload_media)
{
	char buf[KESU_QR_PAYLOAD_MAX];

	ck_assert_int_eq(kesu_qr_payload_media(buf, sizeof(buf), "M2026-000123"), 0);
	ck_assert_str_eq(buf, "KESU:M:M2026-000123");
	ck_assert_int_eq(kesu_qr_payload_media(buf, sizeof(buf), "m2026"), -KESU_E_BAD_INPUT);
	ck_assert_int_eq(kesu_qr_payload_media(buf, sizeof(buf), "M 1"), -KESU_E_BAD_INPUT);
	ck_assert_int_eq(kesu_qr_payload_media(buf, sizeof(buf), ""), -KESU_E_BAD_INPUT);
	ck_assert_int_eq(kesu_qr_payload_media(buf, sizeof(buf), NULL), -KESU_E_BAD_INPUT);
	ck_assert_int_eq(kesu_qr_payload_media(buf, 10, "M2026-000123"), -KESU_E_TOO_LONG);
	ck_assert_int_eq(kesu_qr_payload_media(buf, sizeof(buf),
					       "M0123456789012345678901234567890123"), -KESU_E_BAD_INPUT);
}
END_TEST

START_TEST(test_qr_payload_cert_uppercases_hash_prefix)
{
	char buf[KESU_QR_PAYLOAD_MAX];
	const char *sha = "3f9a2b1c0d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8";

	ck_assert_int_eq(kesu_qr_payload_cert(buf, sizeof(buf), "KC-20261125-3F9A2B1C", sha), 0);
	ck_assert_str_eq(buf, "KESU:C:KC-20261125-3F9A2B1C:3F9A2B1C0D4E5F60");
	ck_assert_int_eq(kesu_qr_payload_cert(buf, sizeof(buf), "KC-1", "3f9a"), -KESU_E_BAD_INPUT);
	ck_assert_int_eq(kesu_qr_payload_cert(buf, sizeof(buf), "KC-1", "zz9a2b1c0d4e5f60"),
			 -KESU_E_BAD_INPUT);
	ck_assert_int_eq(kesu_qr_payload_cert(buf, sizeof(buf), "kc-1", sha), -KESU_E_BAD_INPUT);
}
END_TEST

/* 43 uppercase characters: version 3 at ECC M in alphanumeric mode; byte mode would need 4. */
START_TEST(test_qr_measure_alphanumeric_mode)
{
	int modules = 0;
	const char *p = "KESU:C:KC-20261125-3F9A2B1C:3F9A2B1C0D4E5F60";

	ck_assert_int_eq(kesu_qr_measure(p, KESU_QR_ECC_M, 0, &modules, NULL), 3);
	ck_assert_int_eq(modules, 29);
	ck_assert_int_eq(kesu_qr_measure("KESU:M:M1", KESU_QR_ECC_M, 1, &modules, NULL), 1);
	ck_assert_int_eq(modules, 21);
}
END_TEST

START_TEST(test_qr_max_version_refused)
{
	struct kesu_errbuf eb = { { 0 } };
	cairo_surface_t *s = cairo_image_surface_create(CAIRO_FORMAT_RGB24, 100, 100);
	cairo_t *cr = cairo_create(s);
	const char *p = "KESU:C:KC-20261125-3F9A2B1C:3F9A2B1C0D4E5F60";

	ck_assert_int_eq(kesu_qr_draw(cr, 0, 0, 100, p, KESU_QR_ECC_M, 4, 2, &eb), -KESU_E_TOO_LONG);
	ck_assert_ptr_nonnull(strstr(eb.msg, "version 3"));
	ck_assert_int_eq(kesu_qr_measure(p, KESU_QR_ECC_H, 2, NULL, NULL), -KESU_E_TOO_LONG);
	ck_assert_int_eq(kesu_qr_measure("", KESU_QR_ECC_H, 2, NULL, NULL), -KESU_E_BAD_INPUT);
	cairo_destroy(cr);
	cairo_surface_destroy(s);
}
END_TEST

/*
 * A non-integer module size on an image surface: the modules are snapped to
 * whole pixels, so without antialiasing tricks every pixel is pure black or
 * pure white, and the code decodes.
 */
START_TEST(test_qr_draw_png_crisp_and_decodes)
{
	char png[512], *out;
	const char *p = "KESU:M:M2026-000123";
	cairo_surface_t *s = cairo_image_surface_create(CAIRO_FORMAT_RGB24, 300, 300);
	cairo_t *cr = cairo_create(s);
	unsigned char *data;
	int stride, x, y, grey = 0, black = 0;

	cairo_set_source_rgb(cr, 0.5, 0.5, 0.5);
	cairo_paint(cr);
	ck_assert_int_eq(kesu_qr_draw(cr, 10.3, 10.7, 271.9, p, KESU_QR_ECC_M, 4, 0, NULL), 1);
	cairo_surface_flush(s);
	data = cairo_image_surface_get_data(s);
	stride = cairo_image_surface_get_stride(s);
	for (y = 12; y < 280; y++)
		for (x = 12; x < 280; x++) {
			unsigned v = data[y * stride + x * 4] ; /* blue channel = grey level */

			grey += v != 0 && v != 255;
			black += v == 0;
		}
	ck_assert_int_eq(grey, 0);
	ck_assert_int_gt(black, 1000);
	snprintf(png, sizeof(png), "%s/qr.png", tu_tmpdir());
	ck_assert_int_eq(cairo_surface_write_to_png(s, png), CAIRO_STATUS_SUCCESS);
	cairo_destroy(cr);
	cairo_surface_destroy(s);
	out = decode(png);
	ck_assert_ptr_nonnull(out);
	ck_assert_str_eq(out, "KESU:M:M2026-000123\n");
	free(out);
}
END_TEST

/* Vector output: a PDF page rasterised by pdftoppm decodes to the exact payload. */
START_TEST(test_qr_draw_pdf_decodes)
{
	char pdf[512], png[512], *out;
	const char *p = "KESU:C:KC-20261125-3F9A2B1C:3F9A2B1C0D4E5F60";
	cairo_surface_t *s;
	cairo_t *cr;

	snprintf(pdf, sizeof(pdf), "%s/qr.pdf", tu_tmpdir());
	snprintf(png, sizeof(png), "%s/qr", tu_tmpdir());
	s = cairo_pdf_surface_create(pdf, 144, 144);
	cr = cairo_create(s);
	ck_assert_int_eq(kesu_qr_draw(cr, 12, 12, 120, p, KESU_QR_ECC_M, 4, 0, NULL), 3);
	cairo_destroy(cr);
	cairo_surface_finish(s);
	ck_assert_int_eq(cairo_surface_status(s), CAIRO_STATUS_SUCCESS);
	cairo_surface_destroy(s);
	ck_assert_int_eq(tu_sh("pdftoppm -r 300 -png -singlefile '%s' '%s'", pdf, png), 0);
	strcat(png, ".png");
	out = decode(png);
	ck_assert_ptr_nonnull(out);
	ck_assert_str_eq(out, "KESU:C:KC-20261125-3F9A2B1C:3F9A2B1C0D4E5F60\n");
	free(out);
}
END_TEST

START_TEST(test_qr_ecc_names)
{
	enum kesu_qr_ecc e;

	ck_assert_int_eq(kesu_qr_ecc_parse("q", &e), 0);
	ck_assert_int_eq(e, KESU_QR_ECC_Q);
	ck_assert_str_eq(kesu_qr_ecc_name(KESU_QR_ECC_H), "H");
	ck_assert_int_eq(kesu_qr_ecc_parse("X", &e), -KESU_E_BAD_INPUT);
	ck_assert_int_eq(kesu_qr_ecc_parse("", &e), -KESU_E_BAD_INPUT);
	ck_assert_int_eq(kesu_qr_ecc_parse("MM", &e), -KESU_E_BAD_INPUT);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("qr");
	struct tu_case cases[] = {
		{ "payload_media", test_qr_payload_media },
		{ "payload_cert", test_qr_payload_cert_uppercases_hash_prefix },
		{ "measure", test_qr_measure_alphanumeric_mode },
		{ "max_version", test_qr_max_version_refused },
		{ "draw_png", test_qr_draw_png_crisp_and_decodes },
		{ "draw_pdf", test_qr_draw_pdf_decodes },
		{ "ecc_names", test_qr_ecc_names },
	};

	TU_ADD_CASES(s, cases, 0);
	return tu_main(s);
}
