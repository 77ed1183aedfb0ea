/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Free text that becomes evidence: one length limit per field, one
 * validator, one way to print text kesu did not write.
 *
 * Every free-text field (the operator, witness, notes, contract fields,
 * ledger, work and roster fields, label text) has one limit in characters
 * (Unicode code points, not bytes), kept in the table of text.c and listed
 * by kesu_text_fields(); the ledger, the labels and the certificate apply
 * the same limit to the same field. A value is checked where it enters
 * (option, configuration file, CSV row) and refused whole, naming the field
 * and the limit: nothing is ever cut short.
 *
 * Text that is refused everywhere: invalid UTF-8 (overlong forms,
 * surrogates, beyond U+10FFFF), NUL, C0 controls (U+0000-U+001F, so also tab
 * and newline), DEL and the C1 controls (U+007F-U+009F), the bidirectional
 * embeddings, overrides and isolates (U+202A-U+202E, U+2066-U+2069) and
 * marks (U+200E, U+200F, U+061C), and the line and paragraph separators
 * (U+2028, U+2029): none can be shown honestly on one line of a form.
 *
 * IDs (media IDs, work IDs, certificate IDs) are one rule: 1 to KESU_ID_MAX
 * characters of 0-9, A-Z and '-', the same in the ledger, `kesu label` and
 * the QR code.
 */
#ifndef KESU_TEXT_H
#define KESU_TEXT_H

#include <kesu/err.h>

#include <stddef.h>

/* The limit classes, in characters. */
#define KESU_TEXT_NAME_MAX   64      /* a person's full name */
#define KESU_TEXT_TIME_MAX   64      /* a free-form time or period ("10:00-12:00") */
#define KESU_TEXT_SHORT_MAX  128     /* a place, a title, an organisation, a serial */
#define KESU_TEXT_LONG_MAX   256     /* a data name, a purpose, a contract's name */
#define KESU_TEXT_NOTE_MAX   1024    /* notes and reasons */
#define KESU_ID_MAX          32      /* media, work and certificate IDs: [0-9A-Z-] */

/* Bytes a buffer needs for n characters of UTF-8 and the NUL. */
#define KESU_TEXT_BYTES(n)   ((size_t)(n) * 4 + 1)

/* The limit of a value the table does not name (configuration paths, key names). */
#define KESU_TEXT_OTHER_MAX  4096

struct kesu_text_field {
	const char *key;       /* "operator", "data_name", "contract.name", ... */
	const char *alias;     /* another name of the same field, or NULL ("operator.name") */
	unsigned max;          /* characters */
	const char *what;      /* for the documentation: "the person who erases" */
};

/* The whole table, *n entries. */
const struct kesu_text_field *kesu_text_fields(size_t *n);

/* The entry for key (or alias), or NULL. */
const struct kesu_text_field *kesu_text_field(const char *key);

/* The limit of key in characters; 0 for a field the table does not name. */
unsigned kesu_text_limit(const char *key);

/*
 * Check len bytes of s (which may hold a NUL: it is refused) as text of at
 * most max characters. 0 when fine; -KESU_E_BAD_INPUT for invalid UTF-8, a
 * NUL or a refused character, -KESU_E_TOO_LONG beyond max; eb names field
 * and the character or the limit. *chars (may be NULL) gets the length.
 */
int kesu_text_check_buf(const char *field, const char *s, size_t len, unsigned max,
			size_t *chars, struct kesu_errbuf *eb);

/* The same for a C string with an explicit limit. NULL is the empty text. */
int kesu_text_check_max(const char *field, const char *s, unsigned max, struct kesu_errbuf *eb);

/*
 * Check s against the table's limit for key (KESU_TEXT_OTHER_MAX when the
 * table does not name it). The message names key.
 */
int kesu_text_check(const char *key, const char *s, struct kesu_errbuf *eb);

/* Characters (code points) in valid UTF-8 s. */
size_t kesu_utf8_chars(const char *s);

/*
 * The text for printing when kesu did not write it: valid, allowed text is
 * copied; a backslash becomes "\\", a control byte or an invalid byte
 * "\xHH", and a refused character "\uHHHH" (C1 controls, bidi controls,
 * separators). Malloc'd, NULL on ENOMEM; s NULL gives "".
 */
char *kesu_text_escape(const char *s);
/* The same for len bytes (embedded NULs become "\x00"). */
char *kesu_text_escape_buf(const char *s, size_t len);

/* [0-9A-Z-]{1,KESU_ID_MAX}: 1 when valid. */
int kesu_id_valid(const char *id);

/*
 * Check an ID, naming field: lowercase letters are refused with the
 * uppercase form suggested (an ID must match the ledger exactly), longer
 * than KESU_ID_MAX is -KESU_E_TOO_LONG, anything else -KESU_E_BAD_INPUT.
 */
int kesu_id_check(const char *field, const char *id, struct kesu_errbuf *eb);

#endif
