/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The TUI's ledger look-up: which medium each drive is, by its serial,
 * through the ledger API (include/kesu/ledger.h), read only. */
#include "tui.h"

#include <kesu/err.h>
#include <kesu/ledger.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The media whose serial is exactly serial (the list's search is a substring match). */
static void match_serial(struct tui_drive *d, const struct kesu_media_list *l)
{
	char others[64] = "";
	size_t found = 0, used = 0;

	for (size_t i = 0; i < l->n; i++) {
		const char *id = kesu_media_get(&l->items[i], KESU_MF_MEDIA_ID);

		if (strcmp(kesu_media_get(&l->items[i], KESU_MF_SERIAL), d->id.serial) != 0)
			continue;
		if (found++ == 0)
			snprintf(d->media_id, sizeof(d->media_id), "%s", id);
		if (used < sizeof(others))
			used += (size_t)snprintf(others + used, sizeof(others) - used, "%s%s",
						 used ? " " : "", id);
	}
	if (found == 0)
		snprintf(d->ledger, sizeof(d->ledger), "not in the ledger");
	else if (found == 1)
		snprintf(d->ledger, sizeof(d->ledger), "medium %s", d->media_id);
	else {
		/* which one is this drive is for a person to say: the certificate names none */
		snprintf(d->ledger, sizeof(d->ledger), "serial on %zu media (%.60s): none named", found,
			 others);
		d->media_id[0] = '\0';
	}
}

static int lookup_one(struct kesu_ledger *lg, struct tui_drive *d, struct kesu_errbuf *eb)
{
	struct kesu_media_filter f = { .search = d->id.serial };
	struct kesu_media_list l;
	int rc;

	if (!d->id.serial[0]) {
		snprintf(d->ledger, sizeof(d->ledger), "no serial: not looked up in the ledger");
		return 0;
	}
	if ((rc = kesu_ledger_list(lg, &f, &l, eb)) < 0)
		return rc;
	match_serial(d, &l);
	kesu_media_list_release(&l);
	return 0;
}

int tui_ledger_lookup(const char *db, struct tui_drive *drives, size_t n, char *status, size_t len,
		      char *why, size_t why_len)
{
	struct kesu_errbuf eb = { { 0 } };
	struct kesu_ledger *lg = NULL;
	char *name = kesu_ledger_display_name(db);
	size_t found = 0;
	int rc;

	why[0] = '\0';
	if (!name) {
		snprintf(status, len, "Ledger: out of memory");
		return -ENOMEM;
	}
	for (size_t i = 0; i < n; i++) {
		drives[i].media_id[0] = '\0';
		drives[i].ledger[0] = '\0';
	}
	rc = kesu_ledger_open(db, 0, 5000, &lg, &eb);
	for (size_t i = 0; rc == 0 && i < n; i++)
		if (drives[i].offered && (rc = lookup_one(lg, &drives[i], &eb)) == 0)
			found += drives[i].media_id[0] != '\0';
	kesu_ledger_close(lg);
	if (rc < 0) {
		for (size_t i = 0; i < n; i++) {
			drives[i].media_id[0] = '\0';
			snprintf(drives[i].ledger, sizeof(drives[i].ledger), "ledger not read");
		}
		snprintf(status, len, "Ledger %.200s cannot be read:", name);
		snprintf(why, why_len, "%s", eb.msg[0] ? eb.msg : kesu_strerror(rc));
	} else {
		snprintf(status, len, "Ledger %.200s: %zu drive%s found in it by serial.", name, found,
			 found == 1 ? "" : "s");
	}
	free(name);
	return rc;
}
