/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * kesu tui: choose drives and a method, confirm with a word shown on screen,
 * watch each drive's child `kesu wipe`, read the outcome and the evidence
 * files written. Keys are listed on every screen and in kesu-tui(8).
 */
#include "tui.h"

#include <kesu/cert.h>
#include <kesu/cli.h>
#include <kesu/config.h>
#include <kesu/methods.h>
#include <kesu/opal.h>
#include <kesu/record.h>
#include <kesu/text.h>
#include <kesu/util.h>

#include <curses.h>
#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <locale.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <wchar.h>

#define TUI_MAX_JOBS 32

/* What the footer says when the ledger cannot be read. */
#define LEDGER_LATER "Drives are still erased and each certificate is kept: link it later (kesu cert issue " \
	"RECORD --property-id MEDIUM, then kesu ledger attach-cert CERT)."

/* The method list: auto, then the methods the table offers here (methods.h). */
#define TUI_MAX_METHODS (KESU_METHOD_COUNT + 1)

struct tui {
	const char *kesu;
	const char *out_dir;
	const char *config;
	const char *db;          /* --db: the ledger, handed to kesu wipe as it was given */
	const char *ledger_db;   /* --db, else the configuration's [ledger] db, else NULL */
	char *config_db;         /* [ledger] db, malloc'd */
	char ledger_status[300]; /* "Ledger NAME: ..." (no password), "" without a ledger */
	char ledger_why[512];    /* why it cannot be read */
	bool ledger_failed;      /* it could not be read: no drive names a medium */
	bool no_signer;          /* kesu wipe cannot certify: no medium is handed to it */
	char signer_why[200];
	const char *label_template; /* "none": no labels */
	const char *printer;     /* NULL: the first /dev/usb/lp* present, if any */
	bool confirm_clock;      /* ask the operator about the clock first (the boot image) */
	struct tui_drive *drives;
	size_t n_drives;
	size_t cursor;
	size_t top;              /* first drive row shown: the list scrolls with the cursor */
	size_t method;
	const char *methods[TUI_MAX_METHODS];
	size_t n_methods;
	char message[256];
	/* Who erases: --operator or typed ('o'); else the configuration's [operator] name. */
	char operator_name[KESU_TEXT_BYTES(KESU_TEXT_NAME_MAX)];
	char config_operator[KESU_TEXT_BYTES(KESU_TEXT_NAME_MAX)];
	/* opal-psid-revert: each selected drive's PSID, in selection order; wiped after the run */
	char psids[TUI_MAX_JOBS][KESU_OPAL_PSID_LEN + 1];
};

static volatile sig_atomic_t tui_interrupted;

/* auto, overwrite (the fallback), the firmware methods in `auto`'s order, then the unranked ones. */
static void list_methods(struct tui *t)
{
	enum kesu_method order[KESU_METHOD_COUNT];
	size_t n = kesu_methods_by_preference(order, KESU_METHOD_COUNT);

	t->n_methods = 0;
	t->methods[t->n_methods++] = KESU_METHOD_AUTO_NAME;
	t->methods[t->n_methods++] = kesu_method_name(KESU_METHOD_OVERWRITE);
	for (size_t i = 0; i < n && i < KESU_METHOD_COUNT && t->n_methods < TUI_MAX_METHODS; i++)
		if (kesu_method_desc(order[i])->menu)
			t->methods[t->n_methods++] = kesu_method_name(order[i]);
	/* then those auto never takes (the PSID revert: it needs the label's PSID) */
	for (unsigned i = 1; i < KESU_METHOD_COUNT && t->n_methods < TUI_MAX_METHODS; i++)
		if (kesu_methods[i].menu && !kesu_methods[i].auto_rank)
			t->methods[t->n_methods++] = kesu_methods[i].name;
}

static void on_sigint(int sig)
{
	(void)sig;
	tui_interrupted = 1;
}

static void usage(FILE *out)
{
	fprintf(out,
		"Usage: kesu tui [--out DIR] [--config FILE] [--db PATH|URL] [--operator NAME]\n"
		"                [--label-template NAME] [--printer DEV] [--confirm-clock]\n\n"
		"The interactive front end of the boot image: choose drives and a method,\n"
		"confirm with the word shown, watch progress, read the outcome; each\n"
		"certified drive gets its label (PDF, PNG) beside its certificate.\n\n"
		"Options:\n"
		"  -o, --out DIR              evidence directory for kesu wipe\n"
		"                             (default ./kesu-evidence)\n"
		"  -c, --config FILE          configuration passed to kesu wipe\n"
		"  -d, --db PATH|URL          the media ledger: a file or a postgresql:// URL\n"
		"                             (default [ledger] db). Each drive is looked up by\n"
		"                             its serial and its medium shown; kesu wipe gets\n"
		"                             --media-id and links the certificate to it. A drive\n"
		"                             not in the ledger is erased all the same, its\n"
		"                             certificate kept unlinked\n"
		"  -O, --operator NAME        the person erasing (氏名 on the certificates),\n"
		"                             over the configuration's [operator] name; o\n"
		"                             changes it\n"
		"  -t, --label-template NAME  the labels' template (default drive-ql62; none:\n"
		"                             no labels)\n"
		"  -p, --printer DEV          Brother printer for 'p' on the outcome screen\n"
		"                             (default: the first /dev/usb/lp* present)\n"
		"      --confirm-clock        first show the clock (UTC and the paperwork zone)\n"
		"                             and ask whether it is right, in local time, or\n"
		"                             what the right time is (the boot image; see\n"
		"                             kesu-clock(8))\n"
		"  -h, --help                 show this help\n\n"
		"Keys: Up/Down (k/j) move, Space selects, m changes the method, o the operator's\n"
		"name, r rescans, u unfreezes chosen frozen drives (suspend and resume), Enter\n"
		"continues, q quits; after the wipes, p prints the labels. With the method\n"
		"opal-psid-revert the TUI asks each drive's PSID (its label), shown as stars.\n"
		"See kesu-tui(8).\n");
}

static void title(const char *what)
{
	erase();
	attron(A_BOLD);
	mvprintw(0, 0, "kesu %s  -  %s", KESU_VERSION, what);
	attroff(A_BOLD);
}

/* The operator line: who the certificates will name, and where that comes from. */
static void operator_text(const struct tui *t, char *buf, size_t len)
{
	if (t->operator_name[0])
		snprintf(buf, len, "%s", t->operator_name);
	else if (t->config_operator[0])
		snprintf(buf, len, "%s (the configuration's [operator] name)", t->config_operator);
	else
		snprintf(buf, len, "not given: press o to enter the full name");
}

static size_t count_selected(const struct tui *t)
{
	size_t n = 0;

	for (size_t i = 0; i < t->n_drives; i++)
		n += t->drives[i].selected;
	return n;
}

/* The footer's ledger lines: none without a ledger, three when it could not be read,
 * one more without a signing key. */
static int ledger_lines(const struct tui *t)
{
	return t->ledger_status[0] ? 1 + 2 * t->ledger_failed + t->no_signer : 0;
}

/* Drive rows that fit between the title and the footer lines. */
static size_t list_rows(const struct tui *t)
{
	int spare = LINES - 7 - ledger_lines(t);

	return spare >= 3 ? (size_t)spare / 3 : 1;
}

static void draw_drive(int y, const struct tui_drive *d, bool at_cursor)
{
	char size[32];

	snprintf(size, sizeof(size), "%.1f GB", (double)d->id.size_bytes / 1e9);
	if (at_cursor)
		attron(A_REVERSE);
	mvprintw(y, 0, "%s %-10s %-6s %-10s %.40s  serial %.30s", d->offered ? (d->selected ? "[x]" : "[ ]") : " - ",
		 d->id.name, kesu_transport_name(d->id.transport), size, d->id.model, d->id.serial);
	if (d->offered && d->ledger[0])
		printw("  %s", d->ledger);
	if (at_cursor)
		attroff(A_REVERSE);
	if (!d->offered)
		attron(A_DIM);
	mvprintw(y + 1, 4, "%.*s", COLS > 8 ? COLS - 8 : 1, d->offered ? d->capability : d->safety);
	if (!d->offered)
		attroff(A_DIM);
	if (d->offered && LINES > 12)
		mvprintw(y + 2, 4, "%.*s", COLS > 8 ? COLS - 8 : 1, d->contents);
}

static void draw_list(struct tui *t)
{
	size_t chosen, fit = list_rows(t), end;
	char who[sizeof(t->operator_name) + 64];

	/* Scroll so the cursor's row is on screen: a bench may hold more drives than rows. */
	if (t->cursor < t->top)
		t->top = t->cursor;
	else if (t->cursor >= t->top + fit)
		t->top = t->cursor + 1 - fit;
	end = t->top + fit < t->n_drives ? t->top + fit : t->n_drives;
	title("choose the drives to erase");
	for (size_t i = t->top; i < end; i++)
		draw_drive(2 + (int)(i - t->top) * 3, &t->drives[i], i == t->cursor);
	chosen = count_selected(t);
	if (t->n_drives == 0)
		mvprintw(2, 0, "No drives found. Connect one and press r.");
	int y = 3 + (int)(end - t->top) * 3;

	mvprintw(y, 0, "Method: %s   Selected: %zu   Evidence: %s", t->methods[t->method], chosen, t->out_dir);
	if (t->top > 0 || end < t->n_drives)
		printw("   Drives %zu-%zu of %zu", t->top + 1, end, t->n_drives);
	operator_text(t, who, sizeof(who));
	mvprintw(y + 1, 0, "Operator: %s", who);
	if (t->ledger_status[0]) {
		mvprintw(y + 2, 0, "%.*s", COLS > 1 ? COLS - 1 : 1, t->ledger_status);
		if (t->ledger_failed) {
			mvprintw(y + 3, 2, "%.*s", COLS > 3 ? COLS - 3 : 1, t->ledger_why);
			mvprintw(y + 4, 0, "%.*s", COLS > 1 ? COLS - 1 : 1, LEDGER_LATER);
		}
		if (t->no_signer)
			mvprintw(y + ledger_lines(t) + 1, 0, "No signing key, so no certificate and no medium is "
				 "linked: %.*s", COLS > 70 ? COLS - 70 : 1, t->signer_why);
		y += ledger_lines(t);
	}
	mvprintw(y + 2, 0, "Up/Down move  Space select  m method  o operator  r rescan  Enter erase selected  q quit%s",
		 tui_any_frozen(t->drives, t->n_drives) ? "  u unfreeze" : "");
	if (t->message[0])
		mvprintw(y + 3, 0, "%s", t->message);
	refresh();
}

static void rescan(struct tui *t)
{
	free(t->drives);
	t->drives = NULL;
	t->n_drives = 0;
	t->cursor = 0;
	t->top = 0;
	if (tui_drives_scan(&t->drives, &t->n_drives) < 0) {
		snprintf(t->message, sizeof(t->message), "Could not list drives: %s", strerror(errno));
		return;
	}
	if (t->ledger_db)
		t->ledger_failed = tui_ledger_lookup(t->ledger_db, t->drives, t->n_drives, t->ledger_status,
						     sizeof(t->ledger_status), t->ledger_why,
						     sizeof(t->ledger_why)) < 0;
}

/* A word the operator types to confirm: ERASE- and four letters, new each time. */
static void confirm_word(char *w, size_t len)
{
	static const char letters[] = "ABCDEFGHJKLMNPQRSTUVWXYZ";
	unsigned char r[4] = { 0 };

	if (getrandom(r, sizeof(r), 0) != (ssize_t)sizeof(r))
		for (size_t i = 0; i < sizeof(r); i++)
			r[i] = (unsigned char)(rand() & 0xff);
	snprintf(w, len, "ERASE-%c%c%c%c", letters[r[0] % 24], letters[r[1] % 24], letters[r[2] % 24],
		 letters[r[3] % 24]);
}

/* The selected drives from row y on, as many as leave room for the prompt below. */
static int draw_selected(int y, const struct tui *t)
{
	size_t shown = 0, total = 0, room = LINES > y + 8 ? (size_t)(LINES - y - 8) : 1;

	for (size_t i = 0; i < t->n_drives; i++) {
		const struct tui_drive *d = &t->drives[i];

		if (!d->selected)
			continue;
		if (shown < room) {
			mvprintw(y++, 2, "%s  %s  serial %s%s%s", d->id.path, d->id.model, d->id.serial,
				 d->ledger[0] ? "  " : "", d->ledger);
			shown++;
		}
		total++;
	}
	if (shown < total)
		mvprintw(y++, 2, "and %zu more", total - shown);
	return y;
}

/* The confirmation screen: true when the word was typed. */
static bool confirm(const struct tui *t)
{
	char word[16], typed[32] = "", who[sizeof(t->operator_name) + 64];
	size_t len = 0;
	bool mistyped = false;

	confirm_word(word, sizeof(word));
	for (;;) {
		int y = 2;

		title("confirm");
		mvprintw(y++, 0, "These drives will be ERASED with method %s. Nothing on them can be recovered:",
			 t->methods[t->method]);
		y = draw_selected(y, t) + 1;
		operator_text(t, who, sizeof(who));
		mvprintw(y++, 0, "Operator (氏名 on the certificates): %s", who);
		mvprintw(y++, 0, "Type %s and press Enter to erase, Esc to go back.", word);
		mvprintw(y + 1, 0, "> %s", typed);
		if (mistyped)
			mvprintw(y + 3, 0, "That was not %s; nothing was erased. Type it again, or Esc to go back.", word);
		refresh();
		int c = getch();

		if (c == 27)
			return false;
		if (c == '\n' || c == KEY_ENTER || c == '\r') {
			if (strcmp(typed, word) == 0)
				return true;
			mistyped = true;
			len = 0;
			typed[0] = '\0';
			continue;
		}
		if ((c == KEY_BACKSPACE || c == 127 || c == 8) && len > 0)
			typed[--len] = '\0';
		else if (c > 32 && c < 127 && len + 1 < sizeof(typed)) {
			typed[len++] = (char)c;
			typed[len] = '\0';
		}
	}
}

/* What became of the certificate in the ledger; "" without a ledger. */
static void ledger_outcome(const struct tui_job *j, char *buf, size_t len)
{
	buf[0] = '\0';
	if (j->media_id[0] && j->ledger_error[0])
		snprintf(buf, len, "medium %s: certificate NOT linked, kept: kesu ledger attach-cert %.200s "
			 "(%.200s)", j->media_id, j->certificate, j->ledger_error);
	else if (j->media_id[0] && j->certificate[0])
		snprintf(buf, len, "medium %s: certificate linked in the ledger", j->media_id);
	else if (j->media_id[0])
		snprintf(buf, len, "medium %s: no certificate, nothing linked", j->media_id);
	else if (j->ledger[0] && j->certificate[0])
		snprintf(buf, len, "%s: certificate kept, not linked", j->ledger);
	else if (j->ledger[0])
		snprintf(buf, len, "%s", j->ledger);
}

/* One job at row y; with detail, the reason, record or last message on the row below, the ledger's on the next. */
static void draw_job(int y, const struct tui_job *j, bool detail)
{
	if (j->state == TUI_JOB_DONE) {
		bool good = kesu_outcome_is(j->outcome, KESU_OUTCOME_ERASED);
		char ledger[512];

		ledger_outcome(j, ledger, sizeof(ledger));
		attron(A_BOLD);
		mvprintw(y, 0, "%-16s %s", j->device, j->outcome);
		attroff(A_BOLD);
		if (ledger[0] && detail)
			mvprintw(y + 2, 4, "%.*s", COLS > 8 ? COLS - 8 : 1, ledger);
		else if (j->media_id[0] && !detail)
			printw("  medium %s%s", j->media_id, j->ledger_error[0] ? " NOT linked" : "");
		if (!good && j->reason[0] && !detail)
			printw("  %.*s", COLS > 40 ? COLS - 40 : 1, j->reason);
		else if (!good && j->reason[0])
			mvprintw(y + 1, 4, "%.*s", COLS > 8 ? COLS - 8 : 1, j->reason);
		else if (j->label_note[0] && detail)
			mvprintw(y + 1, 4, "%.*s", COLS > 8 ? COLS - 8 : 1, j->label_note);
		else if (j->record[0] && detail)
			mvprintw(y + 1, 4, "record %.*s", COLS > 16 ? COLS - 16 : 1, j->record);
		return;
	}
	double pct = j->total_bytes ? 100.0 * (double)j->done_bytes / (double)j->total_bytes : 0.0;

	mvprintw(y, 0, "%-16s %-8s step %u/%u  %5.1f%%  %llu/%llu MB  %.1f MB/s  ETA %llu s", j->device,
		 j->phase, j->step, j->steps, pct, (unsigned long long)(j->done_bytes / 1000000),
		 (unsigned long long)(j->total_bytes / 1000000), (double)j->rate_bps / 1e6,
		 (unsigned long long)j->eta_s);
	if (j->last_text[0] && detail)
		mvprintw(y + 1, 4, "%.*s", COLS > 8 ? COLS - 8 : 1, j->last_text);
}

/* Evidence files written since start, listed below row y. */
static void draw_evidence(int y, const char *dir, time_t start)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int shown = 0;

	mvprintw(y++, 0, "Evidence in %s:", dir);
	if (!d) {
		mvprintw(y, 2, "(cannot read: %s)", strerror(errno));
		return;
	}
	while ((e = readdir(d)) && shown < LINES - y - 2) {
		char path[PATH_MAX];
		struct stat st;

		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		if (stat(path, &st) < 0 || !S_ISREG(st.st_mode) || st.st_mtime < start)
			continue;
		mvprintw(y++, 2, "%s  (%lld bytes)", e->d_name, (long long)st.st_size);
		shown++;
	}
	closedir(d);
}

/* A label beside each certificate; a failure is shown on the drive's row, the wipe's outcome stands. */
static void make_labels(const struct tui *t, struct tui_job *jobs, size_t n)
{
	if (strcmp(t->label_template, "none") == 0)
		return;
	for (size_t i = 0; i < n; i++) {
		char note[200];

		if (!jobs[i].certificate[0])
			continue;
		if (tui_label_make(&jobs[i], t->kesu, t->label_template, note, sizeof(note)) != 0)
			snprintf(jobs[i].label_note, sizeof(jobs[i].label_note), "no label: %.200s", note);
	}
}

/* Print every label made; the footer says what happened. */
static void print_labels(const struct tui *t, const struct tui_job *jobs, size_t n, const char *printer,
			 char *msg, size_t len)
{
	size_t printed = 0;
	char note[200] = "";

	for (size_t i = 0; i < n; i++) {
		if (!jobs[i].label[0])
			continue;
		if (tui_label_print(&jobs[i], t->kesu, t->label_template, printer, note, sizeof(note)) != 0) {
			snprintf(msg, len, "Printing on %s failed after %zu label(s): %s", printer, printed, note);
			return;
		}
		printed++;
	}
	snprintf(msg, len, "%zu label(s) sent to %s.", printed, printer);
}

/* The chosen method takes a PSID per drive (opal-psid-revert). */
static bool wants_psid(const struct tui *t)
{
	return !strcmp(t->methods[t->method], kesu_method_name(KESU_METHOD_OPAL_PSID_REVERT));
}

/*
 * Ask for one drive's PSID on the bottom lines: typed blind (a star per
 * character, the count shown), checked (32 letters and digits) on Enter.
 * true when taken, false on Esc.
 */
static bool ask_psid(const struct tui_drive *d, char *psid)
{
	char typed[KESU_OPAL_PSID_LEN + 1] = "", stars[KESU_OPAL_PSID_LEN + 1] = "";
	struct kesu_errbuf eb = { { 0 } };
	size_t len = 0;
	bool taken = false;

	curs_set(1);
	for (;;) {
		mvprintw(LINES - 3, 0, "PSID of %s (serial %s): the 32 letters and digits on its label.",
			 d->id.path, d->id.serial);
		clrtoeol();
		mvprintw(LINES - 2, 0, "%s", eb.msg[0] ? eb.msg : "Enter takes it, Esc cancels the erase.");
		clrtoeol();
		memset(stars, '*', len);
		stars[len] = '\0';
		mvprintw(LINES - 1, 0, "PSID (%2zu/%d): %s", len, KESU_OPAL_PSID_LEN, stars);
		clrtoeol();
		refresh();
		int c = getch();

		if (c == 27)
			break;
		if (c == '\n' || c == KEY_ENTER || c == '\r') {
			if (kesu_opal_psid_check(typed, &eb) == 0) {
				memcpy(psid, typed, KESU_OPAL_PSID_LEN + 1);
				taken = true;
				break;
			}
			continue;
		}
		if ((c == KEY_BACKSPACE || c == 127 || c == 8) && len > 0)
			typed[--len] = '\0';
		else if (c > 32 && c < 127 && len < KESU_OPAL_PSID_LEN) {
			typed[len++] = (char)c;
			typed[len] = '\0';
		}
	}
	explicit_bzero(typed, sizeof(typed));
	curs_set(0);
	return taken;
}

/* Every selected drive's PSID when the method takes one; false when the operator cancelled. */
static bool ask_psids(struct tui *t)
{
	size_t n = 0;

	if (!wants_psid(t))
		return true;
	for (size_t i = 0; i < t->n_drives && n < TUI_MAX_JOBS; i++) {
		if (!t->drives[i].selected)
			continue;
		if (!ask_psid(&t->drives[i], t->psids[n++])) {
			explicit_bzero(t->psids, sizeof(t->psids));
			snprintf(t->message, sizeof(t->message), "Cancelled: nothing was erased.");
			return false;
		}
	}
	return true;
}

static size_t start_jobs(struct tui *t, struct tui_job *jobs)
{
	struct tui_wipe_opts o = { .kesu = t->kesu, .method = t->methods[t->method],
					 .out_dir = t->out_dir, .config = t->config,
					 .operator_name = t->operator_name,
					 .db = t->db && *t->db ? t->db : NULL };
	size_t n = 0;

	for (size_t i = 0; i < t->n_drives && n < TUI_MAX_JOBS; i++) {
		const struct tui_drive *d = &t->drives[i];
		char ledger[sizeof(d->ledger)];

		if (!d->selected)
			continue;
		o.psid = wants_psid(t) ? t->psids[n] : NULL;
		/* kesu wipe --media-id needs a certificate to link: without a key it would erase nothing */
		o.media_id = d->media_id[0] && !t->no_signer ? d->media_id : NULL;
		snprintf(ledger, sizeof(ledger), "%.90s%s", d->ledger,
			 d->media_id[0] && t->no_signer ? ": no signing key, not linked" : "");
		o.ledger = ledger;
		if (tui_job_start(&jobs[n], &o, t->drives[i].id.path) < 0) {
			snprintf(jobs[n].outcome, sizeof(jobs[n].outcome), "ERROR");
			snprintf(jobs[n].reason, sizeof(jobs[n].reason), "could not start kesu wipe: %s",
				 strerror(errno));
			jobs[n].state = TUI_JOB_DONE;
		}
		n++;
	}
	return n;
}

static void run_jobs(struct tui *t)
{
	struct tui_job jobs[TUI_MAX_JOBS];
	time_t start = time(NULL) - 1;
	size_t n, labels = 0;
	bool asked_stop = false, labelled = false;
	char printer_buf[64], print_msg[256] = "";
	const char *printer = t->printer ? t->printer : tui_printer_find(printer_buf, sizeof(printer_buf));

	/* Only a ^C during the wipes stops them; one pressed earlier on the list was ignored there. */
	tui_interrupted = 0;
	n = start_jobs(t, jobs);
	halfdelay(2);
	for (;;) {
		/* Three rows a drive while they fit with the evidence list below, else one: every outcome stays on screen. */
		int pitch = 3 * (int)n + 7 <= LINES ? 3 : 1;
		size_t running = 0;

		tui_jobs_poll(jobs, n, 200);
		for (size_t i = 0; i < n; i++)
			running += jobs[i].state == TUI_JOB_RUNNING;
		if (!running && !labelled) {
			make_labels(t, jobs, n);
			for (size_t i = 0; i < n; i++)
				labels += jobs[i].label[0] != '\0';
			labelled = true;
		}
		title(running ? "erasing" : "finished");
		for (size_t i = 0; i < n; i++)
			draw_job(2 + (int)i * pitch, &jobs[i], pitch > 1);
		int y = 3 + (int)n * pitch;

		if (running) {
			mvprintw(y, 0, "%zu of %zu running.  s: stop all (resumable from the journal)%s", running, n,
				 asked_stop ? "  - stopping..." : "");
		} else {
			draw_evidence(y, t->out_dir, start);
			if (print_msg[0])
				mvprintw(LINES - 2, 0, "%.*s", COLS > 1 ? COLS - 1 : 1, print_msg);
			if (labels && printer)
				mvprintw(LINES - 1, 0, "Finished. p: print the %zu label(s) on %s   Enter: back to the drive list",
					 labels, printer);
			else
				mvprintw(LINES - 1, 0, "Finished. Enter: back to the drive list");
		}
		refresh();
		int c = getch();

		if (tui_interrupted || (running && c == 's')) {
			tui_jobs_stop(jobs, n);
			asked_stop = true;
			tui_interrupted = 0;
		}
		if (!running && labels && printer && c == 'p') {
			mvprintw(LINES - 2, 0, "Printing on %s...", printer);
			clrtoeol();
			refresh();
			print_labels(t, jobs, n, printer, print_msg, sizeof(print_msg));
		}
		if (!running && (c == '\n' || c == KEY_ENTER || c == '\r' || c == 'q'))
			break;
	}
	cbreak();
	for (size_t i = 0; i < n; i++)
		tui_job_release(&jobs[i]);
}

/*
 * Ask for the operator's full name on the bottom line: Enter keeps it (an
 * empty line clears it: the configuration's name applies), Esc leaves it.
 * The name follows the text rules of every name kesu records.
 */
static void ask_operator(struct tui *t)
{
	wchar_t typed[KESU_TEXT_NAME_MAX + 1] = L"";
	char utf8[sizeof(t->operator_name)];
	struct kesu_errbuf eb = { { 0 } };
	size_t len = 0;
	wint_t c;

	mbstowcs(typed, t->operator_name, KESU_TEXT_NAME_MAX);
	typed[KESU_TEXT_NAME_MAX] = L'\0';
	len = wcslen(typed);
	curs_set(1);
	for (;;) {
		mvprintw(LINES - 1, 0, "Operator's full name (氏名), Enter to keep, Esc to cancel: %ls", typed);
		clrtoeol();
		refresh();
		int k = get_wch(&c);

		if (k == ERR)
			continue;
		if (k == OK && c == 27)
			break;
		if ((k == KEY_CODE_YES && c == KEY_ENTER) || (k == OK && (c == L'\n' || c == L'\r'))) {
			if (wcstombs(utf8, typed, sizeof(utf8)) == (size_t)-1 ||
			    kesu_text_check("operator", utf8, &eb) < 0) {
				snprintf(t->message, sizeof(t->message), "Not taken: %.200s",
					 eb.msg[0] ? eb.msg : "the name cannot be written as UTF-8");
				break;
			}
			snprintf(t->operator_name, sizeof(t->operator_name), "%s", utf8);
			break;
		}
		if ((k == KEY_CODE_YES && c == KEY_BACKSPACE) || (k == OK && (c == 127 || c == 8))) {
			if (len > 0)
				typed[--len] = L'\0';
		} else if (k == OK && c >= L' ' && c != 127 && len < KESU_TEXT_NAME_MAX) {
			typed[len++] = (wchar_t)c;
			typed[len] = L'\0';
		}
	}
	curs_set(0);
}

static void handle_key(struct tui *t, int c, bool *quit)
{
	struct tui_drive *d = t->n_drives ? &t->drives[t->cursor] : NULL;

	t->message[0] = '\0';
	switch (c) {
	case KEY_UP: case 'k':
		if (t->cursor > 0)
			t->cursor--;
		break;
	case KEY_DOWN: case 'j':
		if (t->cursor + 1 < t->n_drives)
			t->cursor++;
		break;
	case ' ':
		if (d && d->offered) {
			d->selected = !d->selected;
			if (d->selected && d->frozen)
				snprintf(t->message, sizeof(t->message), "%s: ATA security is frozen (security "
					 "erase is refused). u: suspend and resume to unfreeze it", d->id.name);
		} else if (d)
			snprintf(t->message, sizeof(t->message), "%s is not offered: %s", d->id.name, d->safety);
		break;
	case 'm':
		t->method = (t->method + 1) % t->n_methods;
		break;
	case 'o':
		ask_operator(t);
		break;
	case 'r':
		rescan(t);
		break;
	case 'u': {
		char msg[sizeof(t->message)];

		tui_unfreeze(t->drives, t->n_drives, msg, sizeof(msg));
		rescan(t);
		snprintf(t->message, sizeof(t->message), "%s", msg);
		break;
	}
	case '\n': case '\r': case KEY_ENTER:
		if (count_selected(t) == 0) {
			snprintf(t->message, sizeof(t->message), "Select a drive with Space first.");
			break;
		}
		if (count_selected(t) > TUI_MAX_JOBS) {
			snprintf(t->message, sizeof(t->message), "At most %d drives at a time: %zu are selected.",
				 TUI_MAX_JOBS, count_selected(t));
			break;
		}
		if (ask_psids(t) && confirm(t)) {
			run_jobs(t);
			rescan(t);
		}
		explicit_bzero(t->psids, sizeof(t->psids));
		break;
	case 'q':
		*quit = true;
		break;
	default:
		break;
	}
}

static int parse_args(int argc, char **argv, struct tui *t)
{
	struct kesu_errbuf eb = { { 0 } };
	static const struct option opts[] = {
		{ "config",         required_argument, NULL, 'c' },
		{ "confirm-clock",  no_argument,       NULL, 'C' },
		{ "db",             required_argument, NULL, 'd' },
		{ "help",           no_argument,       NULL, 'h' },
		{ "label-template", required_argument, NULL, 't' },
		{ "operator",       required_argument, NULL, 'O' },
		{ "out",            required_argument, NULL, 'o' },
		{ "printer",        required_argument, NULL, 'p' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	optind = 1;
	while ((c = getopt_long(argc, argv, "o:O:t:p:c:d:h", opts, NULL)) != -1) {
		switch (c) {
		case 'o': t->out_dir = optarg; break;
		case 'O':
			if (kesu_text_check("operator", optarg, &eb) < 0) {
				fprintf(stderr, "kesu tui: --operator: %s\n", eb.msg);
				return -1;
			}
			snprintf(t->operator_name, sizeof(t->operator_name), "%s", optarg);
			break;
		case 't': t->label_template = optarg; break;
		case 'p': t->printer = optarg; break;
		case 'c': t->config = optarg; break;
		case 'd': t->db = optarg; break;
		case 'C': t->confirm_clock = true; break;
		case 'h': usage(stdout); return 1;
		default: usage(stderr); return -1;
		}
	}
	if (optind != argc) {
		usage(stderr);
		return -1;
	}
	return 0;
}

/* With a ledger: whether kesu wipe will find a signing key, as it looks for one. */
static void check_signer(struct tui *t, const struct kesu_config *cfg)
{
	const struct kesu_cert_issue_opts opts = { .cfg = cfg };
	struct kesu_errbuf eb = { { 0 } };

	t->no_signer = kesu_cert_signer_check(&opts, NULL, 0, &eb) < 0;
	if (t->no_signer)
		snprintf(t->signer_why, sizeof(t->signer_why), "%.199s", eb.msg[0] ? eb.msg : "no key");
}

/* The name kesu wipe takes when the TUI gives none: shown, so nobody is surprised;
 * and the ledger, --db or [ledger] db (kesu wipe reads the same configuration),
 * with whether the wipes can certify for it. */
static int load_config_operator(struct tui *t)
{
	struct kesu_config *cfg = NULL;
	const char *db;

	if (kesu_config_load(t->config, &cfg, NULL) == 0) {
		snprintf(t->config_operator, sizeof(t->config_operator), "%s",
			 kesu_config_get_or(cfg, "operator", "name", ""));
		db = kesu_config_get_or(cfg, "ledger", "db", "");
		if (*db && !(t->config_db = strdup(db))) {
			kesu_config_free(cfg);
			return -ENOMEM;
		}
	}
	t->ledger_db = t->db && *t->db ? t->db : t->config_db;
	if (t->ledger_db)
		check_signer(t, cfg);
	kesu_config_free(cfg);
	return 0;
}

int cmd_tui(int argc, char **argv)
{
	static char self[PATH_MAX];
	struct tui t = { .out_dir = "kesu-evidence", .label_template = "drive-ql62" };
	struct kesu_errbuf eb = { { 0 } };
	struct kesu_config *cfg = NULL;
	ssize_t len = readlink("/proc/self/exe", self, sizeof(self) - 1);
	int rc = parse_args(argc, argv, &t);

	if (rc != 0)
		return rc > 0 ? KESU_EXIT_OK : KESU_EXIT_USAGE;
	if (len <= 0) {
		fprintf(stderr, "kesu tui: cannot find the kesu program (/proc/self/exe)\n");
		return KESU_EXIT_FAILURE;
	}
	self[len] = '\0';
	t.kesu = self;
	list_methods(&t);
	if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO)) {
		fprintf(stderr, "kesu tui: needs a terminal; use kesu list and kesu wipe in scripts\n");
		return KESU_EXIT_USAGE;
	}
	if ((rc = kesu_private_dir_make(t.out_dir)) < 0) {
		fprintf(stderr, "kesu tui: cannot use %s: %s\n", t.out_dir, strerror(-rc));
		return KESU_EXIT_FAILURE;
	}
	/* The configuration's [paperwork] timezone dates the clock screen (clock.h). */
	if (kesu_config_load(t.config, &cfg, &eb) < 0) {
		fprintf(stderr, "kesu tui: %s\n", eb.msg);
		return KESU_EXIT_BAD_INPUT;
	}
	kesu_config_free(cfg);
	if (load_config_operator(&t) < 0) {
		fprintf(stderr, "kesu tui: %s\n", strerror(ENOMEM));
		return KESU_EXIT_FAILURE;
	}
	signal(SIGINT, on_sigint);
	setlocale(LC_ALL, "");
	initscr();
	cbreak();
	noecho();
	keypad(stdscr, TRUE);
	curs_set(0);
	/* No erase before the operator has answered for the clock. */
	if (t.confirm_clock && tui_clock_confirm(t.message, sizeof(t.message)) < 0) {
		endwin();
		free(t.config_db);
		return KESU_EXIT_DECLINED;
	}
	rescan(&t);
	for (bool quit = false; !quit;) {
		draw_list(&t);
		handle_key(&t, getch(), &quit);
	}
	endwin();
	free(t.drives);
	free(t.config_db);
	return KESU_EXIT_OK;
}
