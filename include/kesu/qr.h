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
#include <kesu/text.h>

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

/*
 * Longest media ID / certificate ID the payload builders accept: the one ID
 * rule of include/kesu/text.h, so every ID the ledger takes prints. Short
 * IDs keep the code at version 1-2 so it scans on 12 mm tape.
 */
#define KESU_QR_ID_MAX KESU_ID_MAX
/* Room for any payload the builders make, with the NUL. */
#define KESU_QR_PAYLOAD_MAX 64

/* True when id is 1..KESU_QR_ID_MAX characters of [0-9A-Z-] (kesu_id_valid). */
int kesu_qr_id_valid(const char *id);

/*
 * Encode payload without drawing: returns the version (>0) and puts the
 * symbol's width in modules (without quiet zone) in *modules. Errors as
 * kesu_qr_draw. Layout code uses this to check that a module is at least as
 * many printer dots as the template demands before anything is drawn.
 */
int kesu_qr_measure(const char *payload, enum kesu_qr_ecc ecc, int max_version, int *modules,
		    struct kesu_errbuf *eb);

/* "L", "M", "Q", "H" and back; parse returns -KESU_E_BAD_INPUT for anything else. */
const char *kesu_qr_ecc_name(enum kesu_qr_ecc ecc);
int kesu_qr_ecc_parse(const char *name, enum kesu_qr_ecc *ecc);

#endif
