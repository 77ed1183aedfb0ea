/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Inventory (在庫確認) by scanned label payloads. A USB barcode scanner types
 * like a keyboard: lines may end in CR, CR LF or LF, carry spaces, and some
 * scanners send lowercase; all of that is normalised before parsing.
 */
#include "ledger_int.h"

#include <kesu/util.h>

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int kesu_ledger_parse_payload(const char *line, char *id, size_t id_len, char sha16[17])
{
	char buf[160];
	size_t n = 0;
	const char *p = line, *end;

	while (*p && isspace((unsigned char)*p))
		p++;
	end = p + strlen(p);
	while (end > p && isspace((unsigned char)end[-1]))
		end--;
	if ((size_t)(end - p) >= sizeof(buf))
		return -KESU_E_BAD_INPUT;
	for (; p < end; p++)
		buf[n++] = (char)toupper((unsigned char)*p);
	buf[n] = 0;

	if (!strncmp(buf, "KESU:M:", 7)) {
		if (!kesu_ledger_id_valid(buf + 7) || strlen(buf + 7) >= id_len)
			return -KESU_E_BAD_INPUT;
		snprintf(id, id_len, "%s", buf + 7);
		return 'M';
	}
	if (!strncmp(buf, "KESU:C:", 7)) {
		char *colon = strrchr(buf + 7, ':');

		if (!colon || strlen(colon + 1) != 16)
			return -KESU_E_BAD_INPUT;
		for (int i = 1; i <= 16; i++)
			if (!isxdigit((unsigned char)colon[i]))
				return -KESU_E_BAD_INPUT;
		*colon = 0;
		if (!kesu_ledger_id_valid(buf + 7) || strlen(buf + 7) >= id_len)
			return -KESU_E_BAD_INPUT;
		snprintf(id, id_len, "%s", buf + 7);
		if (sha16)
			snprintf(sha16, 17, "%s", colon + 1);
		return 'C';
	}
	return -KESU_E_BAD_INPUT;
}

void kesu_check_result_release(struct kesu_check_result *res)
{
	free(res->items);
	memset(res, 0, sizeof(*res));
}

static struct kesu_check_item *item_new(struct kesu_check_result *res, size_t *cap,
					enum kesu_check_state state)
{
	struct kesu_check_item *it;

	if (res->n == *cap) {
		size_t ncap = *cap ? *cap * 2 : 32;
		struct kesu_check_item *n = realloc(res->items, ncap * sizeof(*n));

		if (!n)
			return NULL;
		res->items = n;
		*cap = ncap;
	}
	it = &res->items[res->n++];
	memset(it, 0, sizeof(*it));
	it->state = state;
	return it;
}

/* The medium a certificate payload names, through its link; "" when unknown or the hash differs. */
static int cert_to_media(struct kesu_ledger *lg, const char *cert_id, const char *sha16,
			 char *media_id, char *note, size_t note_len, struct kesu_errbuf *eb)
{
	struct kesu_store_stmt *st;
	int rc = lg_prepare(lg, "SELECT media_id, upper(substr(sha256, 1, 16)) FROM certs"
			    " WHERE cert_id = ?1", &st, eb);

	media_id[0] = 0;
	if (rc < 0)
		return rc;
	kesu_store_bind_text(st, 1, cert_id);
	rc = kesu_store_step(st);
	if (rc == KESU_STORE_ROW) {
		if (strcmp(lg_col_text(st, 1), sha16))
			snprintf(note, note_len, "certificate %s: the label's hash differs from the "
				 "linked certificate file", cert_id);
		else
			snprintf(media_id, KESU_LEDGER_ID_MAX, "%s", lg_col_text(st, 0));
		rc = 0;
	} else if (rc == KESU_STORE_DONE) {
		snprintf(note, note_len, "certificate %s is not linked to any medium", cert_id);
		rc = 0;
	} else {
		rc = lg_db_err(lg, rc, eb, "reading certificate links");
	}
	kesu_store_finalize(st);
	return rc;
}

static int held(const struct kesu_media *m)
{
	const char *s = kesu_media_get(m, KESU_MF_STATUS);

	return strcmp(s, "返却済") && strcmp(s, "廃棄済");
}

static const struct kesu_media *find_media(const struct kesu_media_list *l, const char *id)
{
	for (size_t i = 0; i < l->n; i++)
		if (!strcmp(kesu_media_get(&l->items[i], KESU_MF_MEDIA_ID), id))
			return &l->items[i];
	return NULL;
}

/* Classify the scanned lines; seen[i] marks media found. */
static int classify(struct kesu_ledger *lg, const char *text, const char *place,
		    const struct kesu_media_list *all, char *seen, struct kesu_check_result *res,
		    size_t *cap, struct kesu_errbuf *eb)
{
	const char *p = text;
	int rc = 0;

	while (*p) {
		size_t len = strcspn(p, "\r\n");
		char line[160], id[KESU_LEDGER_ID_MAX], sha16[17], mid[KESU_LEDGER_ID_MAX];
		char note[256] = "";
		const struct kesu_media *m;
		struct kesu_check_item *it;
		int kind;

		snprintf(line, sizeof(line), "%.*s", (int)(len < sizeof(line) ? len : sizeof(line) - 1), p);
		p += len;
		p += strspn(p, "\r\n");
		kind = kesu_ledger_parse_payload(line, id, sizeof(id), sha16);
		if (kind == -KESU_E_BAD_INPUT) {
			char trimmed[160];

			kesu_strtrim_copy(trimmed, sizeof(trimmed), line);
			if (!*trimmed)
				continue;
			if (!(it = item_new(res, cap, KESU_CHECK_UNEXPECTED)))
				return -ENOMEM;
			snprintf(it->payload, sizeof(it->payload), "%s", trimmed);
			snprintf(it->note, sizeof(it->note), "not a kesu label payload");
			continue;
		}
		snprintf(mid, sizeof(mid), "%s", id);
		if (kind == 'C' && (rc = cert_to_media(lg, id, sha16, mid, note, sizeof(note), eb)) < 0)
			return rc;
		m = *mid ? find_media(all, mid) : NULL;
		if (m && seen[m - all->items])
			continue;   /* scanned twice, or its label and its certificate's */
		if (!m || !held(m)) {
			if (!(it = item_new(res, cap, KESU_CHECK_UNEXPECTED)))
				return -ENOMEM;
			if (m) {
				seen[m - all->items] = 1;
				snprintf(note, sizeof(note), "the ledger says %s",
					 kesu_media_get(m, KESU_MF_STATUS));
			} else if (!*note) {
				snprintf(note, sizeof(note), "not in the ledger");
			}
		} else {
			const char *lp = kesu_media_get(m, KESU_MF_PLACE);

			seen[m - all->items] = 1;
			it = item_new(res, cap, place && *place && strcmp(lp, place) ?
				      KESU_CHECK_MISPLACED : KESU_CHECK_PRESENT);
			if (!it)
				return -ENOMEM;
			snprintf(it->ledger_place, sizeof(it->ledger_place), "%s", lp);
		}
		snprintf(it->media_id, sizeof(it->media_id), "%s", m ? mid : "");
		snprintf(it->payload, sizeof(it->payload), "KESU:%c:%s%s%s", kind, id,
			 kind == 'C' ? ":" : "", kind == 'C' ? sha16 : "");
		snprintf(it->note, sizeof(it->note), "%s", note);
	}
	return 0;
}

static const char *state_key(enum kesu_check_state s)
{
	switch (s) {
	case KESU_CHECK_PRESENT:    return "present";
	case KESU_CHECK_MISSING:    return "missing";
	case KESU_CHECK_UNEXPECTED: return "unexpected";
	case KESU_CHECK_MISPLACED:  return "misplaced";
	}
	return "unknown";
}

static int record_check(struct kesu_ledger *lg, const char *place, struct kesu_check_result *res,
			struct kesu_errbuf *eb)
{
	json_t *detail = json_pack("{ss s[] s[] s[] s[]}", "place", place ? place : "",
				   "present", "missing", "unexpected", "misplaced");
	int rc = -ENOMEM;

	if (!detail)
		return rc;
	for (size_t i = 0; i < res->n; i++) {
		const struct kesu_check_item *it = &res->items[i];
		json_t *arr = json_object_get(detail, state_key(it->state));

		if (json_array_append_new(arr, json_string(*it->media_id ? it->media_id : it->payload)) < 0)
			goto out;
	}
	rc = lg_event_append(lg, "check", "check", place ? place : "", detail, &res->event_seq, eb);
out:
	json_decref(detail);
	return rc;
}

static int check_in_tx(struct kesu_ledger *lg, const char *text, const char *place,
		       struct kesu_check_result *res, struct kesu_errbuf *eb)
{
	struct kesu_media_list all = { 0 };
	size_t cap = 0;
	char *seen = NULL;
	int rc;

	if ((rc = kesu_ledger_list(lg, NULL, &all, eb)) < 0)
		return rc;
	if (all.n && !(seen = calloc(all.n, 1))) {
		rc = -ENOMEM;
		goto out;
	}
	if ((rc = classify(lg, text, place, &all, seen, res, &cap, eb)) < 0)
		goto out;
	for (size_t i = 0; i < all.n; i++) {
		const struct kesu_media *m = &all.items[i];
		struct kesu_check_item *it;

		if (seen[i] || !held(m) ||
		    (place && *place && strcmp(kesu_media_get(m, KESU_MF_PLACE), place)))
			continue;
		if (!(it = item_new(res, &cap, KESU_CHECK_MISSING))) {
			rc = -ENOMEM;
			goto out;
		}
		snprintf(it->media_id, sizeof(it->media_id), "%s", kesu_media_get(m, KESU_MF_MEDIA_ID));
		snprintf(it->ledger_place, sizeof(it->ledger_place), "%s",
			 kesu_media_get(m, KESU_MF_PLACE));
		snprintf(it->note, sizeof(it->note), "%s", kesu_media_get(m, KESU_MF_DATA_NAME));
	}
	for (size_t i = 0; i < res->n; i++) {
		switch (res->items[i].state) {
		case KESU_CHECK_PRESENT:    res->present++; break;
		case KESU_CHECK_MISSING:    res->missing++; break;
		case KESU_CHECK_UNEXPECTED: res->unexpected++; break;
		case KESU_CHECK_MISPLACED:  res->misplaced++; break;
		}
	}
	rc = record_check(lg, place, res, eb);
out:
	free(seen);
	kesu_media_list_release(&all);
	return rc;
}

int kesu_ledger_check(struct kesu_ledger *lg, const char *text, const char *place,
		      struct kesu_check_result *res, struct kesu_errbuf *eb)
{
	int rc;

	memset(res, 0, sizeof(*res));
	if ((rc = lg_require_operator(lg, eb)) < 0)
		return rc;
	if ((rc = lg_begin(lg, eb)) < 0)
		return rc;
	rc = lg_end(lg, check_in_tx(lg, text, place, res, eb), eb);
	if (rc < 0)
		kesu_check_result_release(res);
	return rc;
}
