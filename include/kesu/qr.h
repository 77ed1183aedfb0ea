/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * QR codes on labels and certificates (libqrencode, drawn with cairo).
 *
 * Payloads are uppercase alphanumeric so they stay in QR alphanumeric mode,
 * the densest for IDs (0-9 A-Z space $ % * + - . / :):
 *   KESU:M:<MEDIA-ID>                 a medium (ledger entry)
 *   KESU:C:<CERT-ID>:<SHA16>          an erasure certificate; SHA16 is the first
 *                                     16 hex digits, uppercase, of the SHA-256 of
 *                                     CERT-ID.json's bytes
 * IDs themselves are [0-9A-Z-] only.
 */
#ifndef KESU_QR_H
#define KESU_QR_H

#include <kesu/err.h>

#include <cairo.h>
#include <stddef.h>

enum kesu_qr_ecc { KESU_QR_ECC_L, KESU_QR_ECC_M, KESU_QR_ECC_Q, KESU_QR_ECC_H };

/* Build a payload; -KESU_E_BAD_INPUT for an ID outside [0-9A-Z-], -KESU_E_TOO_LONG if it does not fit buf. */
int kesu_qr_payload_media(char *buf, size_t len, const char *media_id);
int kesu_qr_payload_cert(char *buf, size_t len, const char *cert_id, const char *sha256_hex);

/*
 * Draw the QR code for payload with its top-left corner at (x, y), size units
 * wide including a quiet zone of quiet modules each side. Returns the QR
 * version used (>0), or -KESU_E_TOO_LONG when the payload needs more than
 * max_version (0 = no limit).
 */
int kesu_qr_draw(cairo_t *cr, double x, double y, double size, const char *payload,
		 enum kesu_qr_ecc ecc, int quiet, int max_version, struct kesu_errbuf *eb);

#endif
