/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Media labels: a QR code plus text for people, laid out by a template
 * (include/kesu/template.h) and rendered with cairo/pango to PNG (1-bit at
 * the printer's dpi for tape printers), PDF (vector; sheets with several
 * labels per page and a start position), SVG, or a Brother QL raster job.
 *
 * What a label says is a plain struct that any source fills: the command
 * line, a certificate (kesu_label_data_from_cert), later a ledger entry.
 *
 * The QR payload (include/kesu/qr.h): KESU:C:<CERT-ID>:<SHA16> when the
 * label is for an erased medium with a certificate, else KESU:M:<MEDIA-ID>.
 *
 * Nothing unreadable is produced: a payload whose code needs a larger
 * version than the template allows, or whose modules would be fewer printer
 * dots than the template's min_module_dots, is refused (-KESU_E_TOO_LONG).
 * A text too long for its box is shrunk down to the field's min_pt, then
 * wrapped up to its lines, then refused (-KESU_E_TOO_LONG naming the field).
 */
#ifndef KESU_LABEL_H
#define KESU_LABEL_H

#include <kesu/err.h>
#include <kesu/qr.h>
#include <kesu/template.h>
#include <kesu/text.h>

#include <stddef.h>
#include <stdint.h>

/* Bytes for the longest label text (a data name, KESU_TEXT_LONG_MAX characters). */
#define KESU_LABEL_TEXT_MAX KESU_TEXT_BYTES(KESU_TEXT_LONG_MAX)

enum kesu_label_qr_kind {
	KESU_LABEL_QR_AUTO,   /* the certificate when there is one, else the medium */
	KESU_LABEL_QR_MEDIA,  /* KESU:M:<MEDIA-ID> */
	KESU_LABEL_QR_CERT,   /* KESU:C:<CERT-ID>:<SHA16> */
};

struct kesu_label_data {
	/* Each text field holds its limit of include/kesu/text.h (the ledger's). */
	char media_id[KESU_ID_MAX + 1];           /* [0-9A-Z-] */
	char data_name[KESU_TEXT_BYTES(KESU_TEXT_LONG_MAX)];    /* データ名 (data_name) */
	char owner[KESU_TEXT_BYTES(KESU_TEXT_NAME_MAX)];        /* 交付者 (giver) / owner */
	char description[KESU_TEXT_BYTES(KESU_TEXT_LONG_MAX)];
	char date[32];                            /* YYYY-MM-DD */
	char serial[KESU_TEXT_BYTES(KESU_TEXT_SHORT_MAX)];      /* the drive's serial number */
	/* An erased medium: from its certificate. */
	char outcome[32];                         /* ERASED, FAILED, ... */
	char cert_id[KESU_ID_MAX + 1];
	char hash_prefix[17];                     /* first 16 hex digits, uppercase */
	enum kesu_label_qr_kind qr;
};

/*
 * The field names, usable as {placeholders} in templates: media_id,
 * data_name, owner, description, date, serial, outcome, outcome_ja, cert_id,
 * hash_prefix. NULL-terminated.
 */
extern const char *const kesu_label_field_names[];

/*
 * Set one field by name. Text follows the rules and limits of
 * include/kesu/text.h (data_name, owner = the ledger's giver, description,
 * serial: the same limit as in the ledger and the certificate; control and
 * bidi characters are refused, not replaced); IDs are the one ID rule
 * (kesu_id_check: lowercase is refused, not changed, since an ID names a
 * ledger entry and must match it exactly); the date is a day of the
 * calendar (kesu_parse_date), stored as YYYY-MM-DD.
 * -KESU_E_BAD_INPUT / -KESU_E_TOO_LONG name the field and the limit.
 */
int kesu_label_data_set(struct kesu_label_data *d, const char *field, const char *value,
			struct kesu_errbuf *eb);

/* The field's text ("" when empty), or NULL for an unknown name. outcome_ja is derived. */
const char *kesu_label_data_get(const struct kesu_label_data *d, const char *field);

/*
 * Fill media_id (nist.media.property_id), serial (nist.media.serial),
 * outcome, cert_id (certificate_id), date (issued_at's day in the paperwork zone, unless already
 * set) and hash_prefix (SHA-256 of the file's bytes) from CERT-ID.json.
 * Fields already set on the command line are kept when the certificate has
 * none. The signature is not checked here (kesu cert verify does that).
 */
int kesu_label_data_from_cert(struct kesu_label_data *d, const char *cert_path,
			      struct kesu_errbuf *eb);

struct kesu_ledger;

/*
 * Fill from the ledger entry of media_id: media_id, data_name (データ名),
 * owner (交付者), description (記録媒体), serial, date (交付日), and from the
 * medium's latest linked certificate cert_id, outcome and hash_prefix.
 * Fields already set (the command line) are kept. -KESU_E_NOT_FOUND for an
 * unknown media ID.
 */
int kesu_label_data_from_ledger(struct kesu_label_data *d, struct kesu_ledger *lg,
				const char *media_id, struct kesu_errbuf *eb);

/* The QR payload for d: -KESU_E_BAD_INPUT when d has no ID for the kind asked. */
int kesu_label_payload(const struct kesu_label_data *d, char *buf, size_t len,
		       struct kesu_errbuf *eb);

/* KESU_LABEL_QL: a Brother raster job (.bin), QL or P-touch as the template says. */
enum kesu_label_format { KESU_LABEL_PNG, KESU_LABEL_PDF, KESU_LABEL_SVG, KESU_LABEL_QL };

/* From the output file's extension (.png .pdf .svg .bin); -KESU_E_BAD_INPUT otherwise. */
int kesu_label_format_for_path(const char *path, enum kesu_label_format *fmt);
const char *kesu_label_format_name(enum kesu_label_format fmt);

/* What was laid out, per label. */
struct kesu_label_result {
	char payload[KESU_QR_PAYLOAD_MAX];
	int version;            /* QR version */
	int modules;            /* symbol width in modules, without quiet zone */
	double module_dots;     /* printer dots per module at the template's dpi */
	int page;               /* 1-based page (sheets) or label number (tape) */
	int position;           /* 1-based position on the page, row by row */
};

/*
 * Check that every label can be printed with t (IDs, payload, QR size)
 * without drawing anything; results (n entries, may be NULL) get the QR
 * facts. Text fitting is checked by kesu_label_render.
 */
int kesu_label_check(const struct kesu_template *t, const struct kesu_label_data *labels, size_t n,
		     int start, struct kesu_label_result *results, struct kesu_errbuf *eb);

/*
 * Render n labels in fmt. Sheets place them from position start (1-based,
 * row by row) on, over as many pages as needed (PDF; PNG and SVG hold one
 * page). Tape labels are one page each (PDF, QL raster) or a single label
 * (PNG, SVG). *out (malloc'd) holds the whole file only on success.
 */
int kesu_label_render(const struct kesu_template *t, const struct kesu_label_data *labels, size_t n,
		      int start, enum kesu_label_format fmt, uint8_t **out, size_t *out_len,
		      struct kesu_label_result *results, struct kesu_errbuf *eb);

#endif
