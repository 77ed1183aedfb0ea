/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * QR codes: payloads for media and certificates, encoded by libqrencode and
 * drawn with cairo.
 *
 * Drawing: all dark modules become one path of rectangles (one per
 * horizontal run) filled once, so viewers show no hairline seams between
 * neighbouring modules. On a raster (image) surface the module size is
 * rounded down to whole device pixels and the origin snapped to the pixel
 * grid, so every module is the same number of dots and edges stay crisp; the
 * symbol is centred in the area the caller gave. Vector surfaces get the
 * exact size.
 */
#include <kesu/qr.h>
#include <kesu/text.h>

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <qrencode.h>
#include <stdio.h>
#include <string.h>

int kesu_qr_id_valid(const char *id)
{
	return kesu_id_valid(id);
}

int kesu_qr_payload_media(char *buf, size_t len, const char *media_id)
{
	int n;

	if (!kesu_qr_id_valid(media_id))
		return -KESU_E_BAD_INPUT;
	n = snprintf(buf, len, "KESU:M:%s", media_id);
	if (n < 0 || (size_t)n >= len)
		return -KESU_E_TOO_LONG;
	return 0;
}

int kesu_qr_payload_cert(char *buf, size_t len, const char *cert_id, const char *sha256_hex)
{
	char sha16[17];
	int n;

	if (!kesu_qr_id_valid(cert_id) || !sha256_hex)
		return -KESU_E_BAD_INPUT;
	for (n = 0; n < 16; n++) {
		unsigned char c = (unsigned char)sha256_hex[n];

		if (!isxdigit(c))
			return -KESU_E_BAD_INPUT;
		sha16[n] = (char)toupper(c);
	}
	sha16[16] = '\0';
	n = snprintf(buf, len, "KESU:C:%s:%s", cert_id, sha16);
	if (n < 0 || (size_t)n >= len)
		return -KESU_E_TOO_LONG;
	return 0;
}

const char *kesu_qr_ecc_name(enum kesu_qr_ecc ecc)
{
	switch (ecc) {
	case KESU_QR_ECC_L: return "L";
	case KESU_QR_ECC_M: return "M";
	case KESU_QR_ECC_Q: return "Q";
	case KESU_QR_ECC_H: return "H";
	}
	return "?";
}

int kesu_qr_ecc_parse(const char *name, enum kesu_qr_ecc *ecc)
{
	static const char names[] = "LMQH";

	if (!name || strlen(name) != 1 || !strchr(names, toupper((unsigned char)name[0])))
		return -KESU_E_BAD_INPUT;
	*ecc = (enum kesu_qr_ecc)(strchr(names, toupper((unsigned char)name[0])) - names);
	return 0;
}

static QRecLevel qr_level(enum kesu_qr_ecc ecc)
{
	switch (ecc) {
	case KESU_QR_ECC_L: return QR_ECLEVEL_L;
	case KESU_QR_ECC_M: return QR_ECLEVEL_M;
	case KESU_QR_ECC_Q: return QR_ECLEVEL_Q;
	case KESU_QR_ECC_H: return QR_ECLEVEL_H;
	}
	return QR_ECLEVEL_M;
}

/*
 * Encode with the smallest version that holds payload. Case-sensitive with
 * the 8-bit hint: libqrencode still splits the input into the densest modes,
 * so an uppercase payload is encoded in alphanumeric mode.
 */
static int qr_encode(const char *payload, enum kesu_qr_ecc ecc, int max_version, QRcode **out,
		     struct kesu_errbuf *eb)
{
	QRcode *qr;

	*out = NULL;
	if (!payload || !*payload)
		return kesu_err_set(eb, -KESU_E_BAD_INPUT, "empty QR payload");
	if (max_version < 0 || max_version > QRSPEC_VERSION_MAX)
		return kesu_err_set(eb, -EINVAL, "QR version limit %d out of range 0-%d",
				    max_version, QRSPEC_VERSION_MAX);
	errno = 0;
	qr = QRcode_encodeString(payload, 0, qr_level(ecc), QR_MODE_8, 1);
	if (!qr) {
		if (errno == ERANGE)
			return kesu_err_set(eb, -KESU_E_TOO_LONG,
					    "QR payload of %zu characters does not fit any QR version",
					    strlen(payload));
		return kesu_err_set(eb, errno ? -errno : -ENOMEM, "QR encoding failed");
	}
	if (max_version && qr->version > max_version) {
		int v = qr->version;

		QRcode_free(qr);
		return kesu_err_set(eb, -KESU_E_TOO_LONG,
				    "QR payload \"%s\" needs version %d at ECC %s; the limit is %d",
				    payload, v, kesu_qr_ecc_name(ecc), max_version);
	}
	*out = qr;
	return qr->version;
}

int kesu_qr_measure(const char *payload, enum kesu_qr_ecc ecc, int max_version, int *modules,
		    struct kesu_errbuf *eb)
{
	QRcode *qr;
	int rc = qr_encode(payload, ecc, max_version, &qr, eb);

	if (rc < 0)
		return rc;
	if (modules)
		*modules = qr->width;
	QRcode_free(qr);
	return rc;
}

/*
 * On an image surface with an axis-aligned transform, shrink the module to
 * whole device pixels and snap the symbol's corner to the pixel grid, keeping
 * it centred in the area. Leaves the values alone anywhere else.
 */
static void snap_to_pixels(cairo_t *cr, double *x, double *y, double *module, int total,
			   double size)
{
	double ux = *module, uy = 0, len, px, ox, oy, m;

	if (cairo_surface_get_type(cairo_get_target(cr)) != CAIRO_SURFACE_TYPE_IMAGE)
		return;
	cairo_user_to_device_distance(cr, &ux, &uy);
	if (fabs(ux) > 1e-9 && fabs(uy) > 1e-9)
		return;                 /* rotated by a non-right angle */
	len = fabs(ux) + fabs(uy);
	px = floor(len + 1e-6);
	if (px < 1)
		return;                 /* below one pixel: nothing to snap to */
	m = *module * px / len;
	ox = *x + (size - m * total) / 2;
	oy = *y + (size - m * total) / 2;
	cairo_user_to_device(cr, &ox, &oy);
	ox = round(ox);
	oy = round(oy);
	cairo_device_to_user(cr, &ox, &oy);
	*x = ox;
	*y = oy;
	*module = m;
}

int kesu_qr_draw(cairo_t *cr, double x, double y, double size, const char *payload,
		 enum kesu_qr_ecc ecc, int quiet, int max_version, struct kesu_errbuf *eb)
{
	QRcode *qr;
	double module, ox = x, oy = y;
	int version, total, row, col;

	if (quiet < 0 || size <= 0)
		return kesu_err_set(eb, -EINVAL, "QR size %.2f / quiet zone %d out of range", size,
				    quiet);
	version = qr_encode(payload, ecc, max_version, &qr, eb);
	if (version < 0)
		return version;
	total = qr->width + 2 * quiet;
	module = size / total;
	snap_to_pixels(cr, &ox, &oy, &module, total, size);

	cairo_save(cr);
	/* The quiet zone is part of the code: paint it white whatever lies beneath. */
	cairo_set_source_rgb(cr, 1, 1, 1);
	cairo_rectangle(cr, x, y, size, size);
	cairo_fill(cr);
	cairo_set_source_rgb(cr, 0, 0, 0);
	cairo_set_fill_rule(cr, CAIRO_FILL_RULE_WINDING);
	for (row = 0; row < qr->width; row++) {
		const unsigned char *line = qr->data + (size_t)row * (size_t)qr->width;

		for (col = 0; col < qr->width;) {
			int run = 0;

			if (!(line[col] & 1)) {
				col++;
				continue;
			}
			while (col + run < qr->width && (line[col + run] & 1))
				run++;
			cairo_rectangle(cr, ox + (quiet + col) * module, oy + (quiet + row) * module,
					run * module, module);
			col += run;
		}
	}
	cairo_fill(cr);
	cairo_restore(cr);
	QRcode_free(qr);
	return version;
}
