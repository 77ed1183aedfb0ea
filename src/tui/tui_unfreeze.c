/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The TUI's unfreeze key: suspend to RAM and resume (kesu_unfreeze_run,
 * unfreeze.h) for the frozen drives the operator chose, then say which
 * unfroze and what to do about the others.
 */
#include "tui.h"

#include <kesu/unfreeze.h>

#include <curses.h>
#include <stdio.h>
#include <string.h>

bool tui_any_frozen(const struct tui_drive *drives, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (drives[i].selected && drives[i].frozen)
			return true;
	return false;
}

void tui_unfreeze(const struct tui_drive *drives, size_t n, char *msg, size_t len)
{
	const char *paths[64];
	struct kesu_unfreeze_opts o = { .paths = paths };
	struct kesu_unfreeze_report r;
	struct kesu_errbuf eb = { "" };
	size_t off = 0;
	int rc;

	for (size_t i = 0; i < n && o.npaths < 64; i++)
		if (drives[i].selected && drives[i].frozen)
			paths[o.npaths++] = drives[i].id.path;
	if (!o.npaths) {
		snprintf(msg, len, "No chosen drive is frozen: nothing to unfreeze.");
		return;
	}
	mvprintw(LINES - 1, 0, "Suspending to RAM for %u seconds, then the drives are asked again...",
		 KESU_UNFREEZE_SECONDS_DEFAULT);
	clrtoeol();
	refresh();
	rc = kesu_unfreeze_run(&o, &r, &eb);
	clearok(stdscr, TRUE);
	if (rc < 0) {
		snprintf(msg, len, "Not suspended: %.300s", eb.msg);
		kesu_unfreeze_report_free(&r);
		return;
	}
	for (size_t i = 0; i < r.n && off < len; i++) {
		const struct kesu_unfreeze_drive *d = &r.drives[i];

		off += (size_t)snprintf(msg + off, len - off, "%s%s %s", i ? ", " : "", d->path,
					d->identified_after && !d->frozen_after ? "unfrozen" :
					d->identified_after ? "STILL FROZEN" : "no answer");
	}
	if (off < len && kesu_unfreeze_still_frozen(&r))
		snprintf(msg + off, len - off, ". Still frozen: hot-plug the drive, or choose ata-sanitize-* "
			 "(ANTIFREEZE off; a security freeze does not block sanitize).");
	kesu_unfreeze_report_free(&r);
}
