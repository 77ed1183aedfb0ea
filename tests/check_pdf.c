/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The shared A4 PDF layout helper: fonts embedded, text extractable, atomic output. */
#include <check.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <kesu/pdf.h>

#include "lib/testutil.h"

START_TEST(test_pdf_text_fonts_and_pages)
{
	struct kesu_pdf_style mincho = { .family = KESU_PDF_MINCHO, .size = 12 };
	struct kesu_pdf_style gothic = { .size = 9, .align = KESU_PDF_RIGHT };
	const char *cells[3] = { "媒体管理番号", "M2025000123", "消去済み ERASED" };
	double widths[3] = { 120, 150, 200 }, fills[3] = { 0.9, -1, -1 };
	struct kesu_errbuf eb;
	struct kesu_pdf *pdf;
	char path[PATH_MAX], *out;
	double h, one, two;

	snprintf(path, sizeof(path), "%s/t.pdf", tu_tmpdir());
	ck_assert_int_eq(kesu_pdf_open(path, &pdf, &eb), 0);
	kesu_pdf_set_info(pdf, "データ管理簿", "kesu", NULL);
	h = kesu_pdf_text(pdf, 50, 50, 400, "データ管理簿 / Media ledger", &mincho);
	ck_assert(h > 10 && h < 30);
	/* Wrapping: a narrow box takes more lines than a wide one. */
	one = kesu_pdf_text_height(pdf, 400, "消去証明書の確認をお願いします。", &gothic);
	two = kesu_pdf_text_height(pdf, 40, "消去証明書の確認をお願いします。", &gothic);
	ck_assert(two > 2 * one);
	h = kesu_pdf_row(pdf, KESU_PDF_MM(15), 100, widths, cells, 3, &gothic, 1, fills, 3, 0.5);
	ck_assert(h >= one + 6);
	kesu_pdf_line(pdf, 50, 200, 500, 200, 1);
	kesu_pdf_new_page(pdf);
	kesu_pdf_text(pdf, 50, 50, 0, "2ページ目 page two", NULL);
	ck_assert_int_eq(access(path, F_OK), -1); /* nothing visible before close */
	ck_assert_int_eq(kesu_pdf_close(pdf, &eb), 0);

	ck_assert_int_eq(tu_sh("pdfinfo '%s' | grep -q 'Pages: *2'", path), 0);
	ck_assert_int_eq(tu_sh("pdffonts '%s' | grep IPAexMincho | grep -q ' yes yes '", path), 0);
	ck_assert_int_eq(tu_sh("pdffonts '%s' | grep IPAexGothic | grep -q ' yes yes '", path), 0);
	out = tu_sh_out("pdftotext '%s' -", path);
	ck_assert_ptr_nonnull(out);
	ck_assert_ptr_nonnull(strstr(out, "データ管理簿"));
	ck_assert_ptr_nonnull(strstr(out, "M2025000123"));
	ck_assert_ptr_nonnull(strstr(out, "page two"));
	free(out);
}
END_TEST

START_TEST(test_pdf_abort_and_bad_path)
{
	struct kesu_errbuf eb;
	struct kesu_pdf *pdf;
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "%s/keep.pdf", tu_tmpdir());
	ck_assert_int_eq(tu_write_file(path, "old", 3), 0);
	ck_assert_int_eq(kesu_pdf_open(path, &pdf, &eb), 0);
	kesu_pdf_text(pdf, 10, 10, 100, "discarded", NULL);
	kesu_pdf_abort(pdf);
	ck_assert_int_eq(tu_sh("test \"$(cat '%s')\" = old", path), 0);
	ck_assert_int_eq(tu_sh("ls '%s' | grep -q '[.]tmp[.]'", tu_tmpdir()), 1); /* no temp left */

	ck_assert_int_eq(kesu_pdf_open("/nonexistent/dir/x.pdf", &pdf, &eb), 0);
	ck_assert_int_lt(kesu_pdf_close(pdf, &eb), 0);
	ck_assert_ptr_nonnull(strstr(eb.msg, "/nonexistent/dir"));
}
END_TEST

/* pdftotext's text with every space and line break removed. */
static char *text_without_blanks(const char *pdf)
{
	return tu_sh_out("pdftotext -raw '%s' - | tr -d ' \\n\\f'", pdf);
}

START_TEST(test_pdf_hash_breaks_only_between_groups)
{
	static const char hash[] = "3f9a2b1c54d2cb35f0e1d2c3b4a5968778695a4b3c2d1e0f1a2b3c4d5e6f7081";
	struct kesu_pdf_style small = { .size = 9 };
	const char *cells[2] = { "証明書SHA-256", hash };
	double widths[2] = { 60, 70 };
	struct kesu_errbuf eb;
	struct kesu_pdf *pdf;
	char path[PATH_MAX], text[256], *out;
	double one;

	snprintf(path, sizeof(path), "%s/hash.pdf", tu_tmpdir());
	ck_assert_int_eq(kesu_pdf_open(path, &pdf, &eb), 0);
	/* Narrow boxes: the hash needs several lines in each. */
	one = kesu_pdf_text_height(pdf, 400, "x", &small);
	ck_assert(kesu_pdf_text_height(pdf, 70, hash, &small) > 3 * one);
	kesu_pdf_row(pdf, 50, 50, widths, cells, 2, &small, 1, NULL, 3, 0.5);
	snprintf(text, sizeof(text), "SHA-256 of the JSON: %s (hex)", hash);
	kesu_pdf_text(pdf, 50, 200, 90, text, &small);
	/* A run of hex that is part of a longer word is not a hash: left alone. */
	kesu_pdf_text(pdf, 50, 400, 400, "KC-20261125-3F9A2B1C", &small);
	ck_assert_int_eq(kesu_pdf_close(pdf, &eb), 0);

	out = tu_sh_out("pdftotext -raw '%s' -", path);
	ck_assert_ptr_nonnull(out);
	/* Groups of 8 hex digits, and no hyphen inside the hash anywhere. */
	ck_assert_ptr_nonnull(strstr(out, "3f9a2b1c"));
	ck_assert_ptr_nonnull(strstr(out, "KC-20261125-3F9A2B1C"));
	ck_assert_int_eq(tu_sh("pdftotext -raw '%s' - | grep -Eq '[0-9a-f]-\\s*[0-9a-f]{4}'", path),
			 1);
	free(out);
	out = text_without_blanks(path);
	ck_assert_ptr_nonnull(out);
	/* Twice: the cell and the sentence; with the blanks gone, whole again. */
	ck_assert_ptr_nonnull(strstr(out, hash));
	ck_assert_ptr_nonnull(strstr(strstr(out, hash) + 1, hash));
	free(out);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("pdf");
	TCase *tc1 = tcase_create("text"), *tc2 = tcase_create("abort");
	TCase *tc3 = tcase_create("hash");

	tcase_add_test(tc1, test_pdf_text_fonts_and_pages);
	tcase_add_test(tc2, test_pdf_abort_and_bad_path);
	suite_add_tcase(s, tc1);
	suite_add_tcase(s, tc2);
	tcase_add_test(tc3, test_pdf_hash_breaks_only_between_groups);
	suite_add_tcase(s, tc3);
	return tu_main(s);
}
