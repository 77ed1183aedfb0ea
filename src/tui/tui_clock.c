/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The TUI's first screen in the boot image: the machine's clock in UTC and in
 * the paperwork zone, and the operator's answer before any erase: right as it
 * is, in local time (as Windows keeps it), or the right time typed in. A clock
 * before the image's build time is not accepted as it is. The answer goes
 * through the library (kesu_clock_confirm), which sets the clock and writes
 * the time source every record of this boot carries.
 */
#include "tui.h"

#include <kesu/cli.h>
#include <kesu/clock.h>
#include <kesu/util.h>

#include <curses.h>
#include <stdio.h>
#include <string.h>

static void both(int y, const char *what, time_t t)
{
	char utc[64], paper[64];

	kesu_time_paper(t, KESU_PAPER_DATETIME, paper, sizeof(paper));
	kesu_time_rfc3339(t, utc, sizeof(utc));
	mvprintw(y, 2, "%-24s %s = %s", what, utc, paper);
}

static void draw(const char *typed, bool typing, const char *msg)
{
	struct kesu_clock_request local = { .answer = KESU_CLOCK_IS_LOCAL };
	time_t now = time(NULL), built;
	bool early = kesu_image_build_time(&built) == 0 && now < built;
	char b[32];
	int y = 2;

	erase();
	attron(A_BOLD);
	mvprintw(0, 0, "kesu %s  -  the clock", KESU_VERSION);
	attroff(A_BOLD);
	mvprintw(y++, 0, "Every record, certificate and label is dated by this machine's clock.");
	mvprintw(y++, 0, "Is it right? (paperwork zone: %s)", kesu_paper_tz());
	y++;
	both(y++, "The clock says:", now);
	both(y++, "If it holds local time:", kesu_clock_answer_time(&local, now));
	if (kesu_image_build_time(&built) == 0) {
		kesu_time_rfc3339(built, b, sizeof(b));
		mvprintw(y++, 2, "%-24s %s", "This image was built:", b);
	}
	if (early) {
		attron(A_BOLD);
		mvprintw(++y, 2, "The clock is earlier than the image's build: correct it (l or t).");
		attroff(A_BOLD);
		y++;
	}
	y++;
	mvprintw(y++, 2, "Enter  the clock is right (the first line)%s", early ? " - not possible now" : "");
	mvprintw(y++, 2, "l      the clock is in local time (as Windows keeps it): the second line");
	mvprintw(y++, 2, "t      type the right time (in %s)", kesu_paper_tz());
	mvprintw(y++, 2, "q      quit without erasing");
	y++;
	if (typing)
		mvprintw(y++, 2, "The right time (YYYY-MM-DD HH:MM, %s), Enter sets, Esc back:",
			 kesu_paper_tz());
	if (typing)
		mvprintw(y++, 2, "> %s", typed);
	if (msg && *msg)
		mvprintw(y + 1, 2, "%s", msg);
	refresh();
}

/* Apply one answer; msg gets the library's sentence when it is refused. */
static int apply(struct kesu_clock_request *q, char *msg, size_t len)
{
	struct kesu_errbuf eb = { { 0 } };
	struct kesu_time_source ts;

	q->by = "operator (TUI)";
	if (kesu_clock_confirm(q, &ts, &eb) < 0) {
		snprintf(msg, len, "%s", eb.msg);
		return -1;
	}
	snprintf(msg, len, "Clock: %s (%s)", ts.source, ts.detail);
	return 0;
}

int tui_clock_confirm(char *done, size_t done_len)
{
	struct kesu_clock_request q = { 0 };
	char typed[40] = "", msg[sizeof(((struct kesu_errbuf *)0)->msg) + 32] = "";
	size_t n = 0;
	bool typing = false;
	int rc = 1;

	timeout(1000);
	for (;;) {
		int c;

		draw(typed, typing, msg);
		c = getch();
		if (c == ERR)
			continue;
		if (typing) {
			if (c == 27) {
				typing = false;
			} else if (c == '\n' || c == '\r' || c == KEY_ENTER) {
				q.answer = KESU_CLOCK_SET_TO;
				if (kesu_time_parse_paper(typed, &q.time) < 0)
					snprintf(msg, sizeof(msg), "'%s' is not YYYY-MM-DD HH:MM", typed);
				else if (apply(&q, msg, sizeof(msg)) == 0)
					break;
			} else if ((c == KEY_BACKSPACE || c == 127 || c == 8) && n > 0) {
				typed[--n] = '\0';
			} else if (c >= 32 && c < 127 && n + 1 < sizeof(typed)) {
				typed[n++] = (char)c;
				typed[n] = '\0';
			}
			continue;
		}
		if (c == '\n' || c == '\r' || c == KEY_ENTER) {
			q.answer = KESU_CLOCK_IS_UTC;
			if (apply(&q, msg, sizeof(msg)) == 0)
				break;
		} else if (c == 'l') {
			q.answer = KESU_CLOCK_IS_LOCAL;
			if (apply(&q, msg, sizeof(msg)) == 0)
				break;
		} else if (c == 't') {
			typing = true;
			msg[0] = '\0';
		} else if (c == 'q') {
			rc = -1;
			goto out;
		}
	}
	rc = 0;
out:
	timeout(-1);
	snprintf(done, done_len, "%s", rc == 0 ? msg : "");
	return rc;
}
