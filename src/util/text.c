/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Free text: the limits table, the validator, escaping (include/kesu/text.h). */
#include <kesu/text.h>

#include <ctype.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NAME  KESU_TEXT_NAME_MAX
#define TIME  KESU_TEXT_TIME_MAX
#define SHORT KESU_TEXT_SHORT_MAX
#define LONG  KESU_TEXT_LONG_MAX
#define NOTE  KESU_TEXT_NOTE_MAX

/*
 * One row per field. A field that appears in several places (the ledger's
 * data_name on a label, the operator in the record, the certificate and the
 * ledger's events) is one row, so its limit is the same everywhere.
 */
static const struct kesu_text_field fields[] = {
	/* people */
	{ "operator",         "operator.name", NAME,  "the person who erases (--operator, [operator] name)" },
	{ "witness",          NULL,            NAME,  "立会者, the witness" },
	{ "responsible",      NULL,            NAME,  "作業責任者, the person responsible" },
	{ "giver",            "owner",         NAME,  "交付者, who handed the medium over (a label's owner)" },
	{ "receiver",         NULL,            NAME,  "受領者, who received it" },
	{ "worker",           NULL,            NAME,  "作業者氏名, who does the work" },
	{ "confirmer",        NULL,            NAME,  "確認者, who confirms the work" },
	{ "approver",         NULL,            NAME,  "承認者, who approves a plan" },
	{ "family_name",      NULL,            31,    "姓 (with a space and 名 it fits a name)" },
	{ "given_name",       NULL,            31,    "名" },
	{ "affiliation",      NULL,            SHORT, "所属" },
	{ "position",         NULL,            SHORT, "役職" },
	/* [operator] and the certificate's nist.person */
	{ "operator.title",        NULL, SHORT, "the operator's title" },
	{ "operator.organisation", NULL, SHORT, "the operator's organisation" },
	{ "operator.location",     NULL, SHORT, "where the erasure is done" },
	{ "operator.contact",      NULL, SHORT, "how to reach the operator" },
	/* [contract] */
	{ "contract.name",       NULL, LONG,  "委託業務名, the contract's name" },
	{ "contract.client",     NULL, SHORT, "the client" },
	{ "contract.contractor", NULL, SHORT, "受託者, the contractor" },
	/* [media] and [sanitization]: the certificate's nist.media and nist.sanitization */
	{ "media.type",            NULL, SHORT, "the medium's type on the certificate" },
	{ "media.source",          NULL, SHORT, "where the medium came from" },
	{ "media.classification",  NULL, SHORT, "the data's classification" },
	{ "media.data_backed_up",  NULL, SHORT, "whether the data was backed up" },
	{ "media.backup_location", NULL, SHORT, "where the backup is" },
	{ "media.destination",     NULL, SHORT, "where the medium goes after the erasure" },
	{ "sanitization.post_classification", NULL, SHORT, "the classification after the erasure" },
	{ "sanitization.notes",    "notes", NOTE, "notes on the certificate (--notes)" },
	/* the ledger (データ管理簿) */
	{ "serial",      NULL, SHORT, "シリアル番号, the drive's serial number" },
	{ "data_name",   NULL, LONG,  "データ名 (also on labels and certificates)" },
	{ "medium",      NULL, SHORT, "記録媒体" },
	{ "handover",    NULL, SHORT, "授受方法" },
	{ "place",       NULL, SHORT, "保管場所 / 作業場所" },
	{ "storage",     NULL, SHORT, "保管方法" },
	{ "use_place",   NULL, SHORT, "使用場所" },
	{ "purpose",     NULL, LONG,  "使用目的" },
	{ "status",      NULL, SHORT, "状態 (one of its words)" },
	{ "disposition", NULL, SHORT, "返却等方法 (one of its words)" },
	{ "disp_time",   NULL, TIME,  "返却等日時" },
	{ "disp_place",  NULL, SHORT, "返却等場所" },
	{ "given_on",    NULL, TIME,  "交付日 (a date)" },
	/* the work records (作業予定表 / 作業結果報告書) */
	{ "target",       NULL, LONG,  "対象データ" },
	{ "planned_time", NULL, TIME,  "作業時間" },
	{ "content",      NULL, LONG,  "作業内容" },
	{ "note",         NULL, NOTE,  "備考" },
	{ "actual_time",  NULL, TIME,  "実作業時間" },
	{ "result",       NULL, SHORT, "作業結果" },
	{ "taken_out",    NULL, TIME,  "データ持ち出しの有無" },
	{ "reason",       NULL, NOTE,  "超過理由, why the work ran over" },
	{ "state",        NULL, SHORT, "予定 / 完了" },
	/* labels */
	{ "description",  NULL, LONG,  "a label's description" },
};

const struct kesu_text_field *kesu_text_fields(size_t *n)
{
	*n = sizeof(fields) / sizeof(fields[0]);
	return fields;
}

const struct kesu_text_field *kesu_text_field(const char *key)
{
	if (!key)
		return NULL;
	for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++)
		if (!strcmp(fields[i].key, key) || (fields[i].alias && !strcmp(fields[i].alias, key)))
			return &fields[i];
	return NULL;
}

unsigned kesu_text_limit(const char *key)
{
	const struct kesu_text_field *f = kesu_text_field(key);

	return f ? f->max : 0;
}

/*
 * Decode one UTF-8 sequence at s (n bytes left). Returns its length and the
 * code point in *cp, or 0 when the bytes there are not valid UTF-8
 * (overlong, surrogate, beyond U+10FFFF, truncated).
 */
static size_t utf8_decode(const unsigned char *s, size_t n, uint32_t *cp)
{
	uint32_t c;
	size_t len, i;

	if (s[0] < 0x80) {
		*cp = s[0];
		return 1;
	}
	if (s[0] >= 0xc2 && s[0] <= 0xdf) {
		len = 2;
		c = s[0] & 0x1f;
	} else if (s[0] >= 0xe0 && s[0] <= 0xef) {
		len = 3;
		c = s[0] & 0x0f;
	} else if (s[0] >= 0xf0 && s[0] <= 0xf4) {
		len = 4;
		c = s[0] & 0x07;
	} else {
		return 0;
	}
	if (n < len)
		return 0;
	for (i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		c = (c << 6) | (s[i] & 0x3f);
	}
	if ((len == 3 && c < 0x800) || (len == 4 && (c < 0x10000 || c > 0x10ffff)) ||
	    (c >= 0xd800 && c <= 0xdfff))
		return 0;
	*cp = c;
	return len;
}

/* Characters no form can show honestly on one line. */
static int refused(uint32_t c)
{
	return c < 0x20 || (c >= 0x7f && c <= 0x9f) ||
	       (c >= 0x202a && c <= 0x202e) || (c >= 0x2066 && c <= 0x2069) ||
	       c == 0x200e || c == 0x200f || c == 0x061c || c == 0x2028 || c == 0x2029;
}

static const char *refused_kind(uint32_t c)
{
	if (c < 0x20 || (c >= 0x7f && c <= 0x9f))
		return "a control character";
	if (c == 0x2028 || c == 0x2029)
		return "a line separator";
	return "a bidirectional control";
}

int kesu_text_check_buf(const char *field, const char *s, size_t len, unsigned max,
			size_t *chars, struct kesu_errbuf *eb)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0, n = 0;

	if (chars)
		*chars = 0;
	while (i < len) {
		uint32_t c = 0;
		size_t l = utf8_decode(p + i, len - i, &c);

		if (!l)
			return kesu_err_set(eb, -KESU_E_BAD_INPUT,
					    "%s is not valid UTF-8 (byte 0x%02X at byte %zu)",
					    field, p[i], i + 1);
		n++;
		if (c == 0)
			return kesu_err_set(eb, -KESU_E_BAD_INPUT,
					    "%s contains a NUL byte (at byte %zu)", field, i + 1);
		if (refused(c))
			return kesu_err_set(eb, -KESU_E_BAD_INPUT,
					    "%s contains %s (U+%04X at character %zu); "
					    "it is not allowed in text that goes into evidence",
					    field, refused_kind(c), (unsigned)c, n);
		i += l;
	}
	if (chars)
		*chars = n;
	if (n > max)
		return kesu_err_set(eb, -KESU_E_TOO_LONG,
				    "%s is %zu characters long; the limit is %u characters",
				    field, n, max);
	return 0;
}

int kesu_text_check_max(const char *field, const char *s, unsigned max, struct kesu_errbuf *eb)
{
	if (!s)
		return 0;
	return kesu_text_check_buf(field, s, strlen(s), max, NULL, eb);
}

int kesu_text_check(const char *key, const char *s, struct kesu_errbuf *eb)
{
	unsigned max = kesu_text_limit(key);

	return kesu_text_check_max(key, s, max ? max : KESU_TEXT_OTHER_MAX, eb);
}

size_t kesu_utf8_chars(const char *s)
{
	size_t n = 0;

	for (; s && *s; s++)
		if (((unsigned char)*s & 0xc0) != 0x80)
			n++;
	return n;
}

char *kesu_text_escape_buf(const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0, o = 0;
	char *out;

	/* Worst case: every byte becomes "\xHH"; a 2-byte C1 control "\uHHHH" (6 for 2). */
	if (len > (SIZE_MAX - 1) / 4)
		return NULL;
	out = malloc(len * 4 + 1);
	if (!out)
		return NULL;
	while (i < len) {
		uint32_t c = 0;
		size_t l = utf8_decode(p + i, len - i, &c);

		if (!l || c < 0x20 || c == 0x7f) {
			o += (size_t)sprintf(out + o, "\\x%02x", p[i]);
			i++;
			continue;
		}
		if (refused(c)) {
			o += (size_t)sprintf(out + o, "\\u%04x", (unsigned)c);
		} else if (c == '\\') {
			out[o++] = '\\';
			out[o++] = '\\';
		} else {
			memcpy(out + o, p + i, l);
			o += l;
		}
		i += l;
	}
	out[o] = '\0';
	return out;
}

char *kesu_text_escape(const char *s)
{
	return kesu_text_escape_buf(s ? s : "", s ? strlen(s) : 0);
}

int kesu_id_valid(const char *id)
{
	size_t n = 0;

	if (!id)
		return 0;
	for (; id[n]; n++)
		if (!isdigit((unsigned char)id[n]) && !(id[n] >= 'A' && id[n] <= 'Z') && id[n] != '-')
			return 0;
	return n >= 1 && n <= KESU_ID_MAX;
}

int kesu_id_check(const char *field, const char *id, struct kesu_errbuf *eb)
{
	size_t n, i;
	int lower = 0;

	if (kesu_id_valid(id))
		return 0;
	if (!id || !*id)
		return kesu_err_set(eb, -KESU_E_BAD_INPUT, "%s is empty", field);
	n = strlen(id);
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)id[i];

		if (c >= 'a' && c <= 'z')
			lower = 1;
		else if (!isdigit(c) && !(c >= 'A' && c <= 'Z') && c != '-')
			break;
	}
	if (i == n && lower && n <= KESU_ID_MAX) {
		char upper[KESU_ID_MAX + 1];

		for (i = 0; i < n; i++)
			upper[i] = (char)toupper((unsigned char)id[i]);
		upper[n] = '\0';
		return kesu_err_set(eb, -KESU_E_BAD_INPUT,
				    "%s \"%s\" has lowercase letters; IDs are uppercase [0-9A-Z-] "
				    "(did you mean \"%s\"?)", field, id, upper);
	}
	if (i == n && n > KESU_ID_MAX)
		return kesu_err_set(eb, -KESU_E_TOO_LONG,
				    "%s is %zu characters long; an ID is at most %d characters "
				    "of 0-9, A-Z and '-'", field, n, KESU_ID_MAX);
	return kesu_err_set(eb, -KESU_E_BAD_INPUT,
			    "%s must be 1-%d characters of 0-9, A-Z and '-'", field, KESU_ID_MAX);
}
