/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * kesu tui: the boot image's ncurses front end. It holds no erase logic:
 * drives are listed through the library (identity, safety, capability) and
 * every wipe runs as a child `kesu wipe --json-progress --json`, whose
 * progress lines and result the TUI shows.
 */
#ifndef KESU_TUI_H
#define KESU_TUI_H

#include <kesu/dev.h>
#include <kesu/text.h>  /* KESU_ID_MAX (not ledger.h: its struct kesu_media is not drive.h's enum) */

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>
#include <time.h>

struct tui_drive {
	struct kesu_dev_identity id;
	bool offered;            /* safe to erase: the operator may choose it */
	bool selected;
	char safety[160];        /* "ok" or why it is not offered */
	char capability[160];    /* media and what `auto` would choose */
	char contents[160];      /* what is written on it: "holds: gpt, 2 partitions: ..." */
	bool frozen;             /* ATA security frozen (IDENTIFY word 128 bit 3) */
	/* With a ledger: the medium whose serial is this drive's ("" for none) and what to say */
	char media_id[KESU_ID_MAX + 1];
	char ledger[128];         /* "medium M-0001", "not in the ledger", ... ("" without a ledger) */
};

/* Every whole disk with its safety and capability. Free *out with free(). */
int tui_drives_scan(struct tui_drive **out, size_t *n);

/*
 * The ledger (tui_ledger.c): look each offered drive's serial up in the
 * ledger db (a file or a postgresql:// URL) through the ledger API and fill
 * its media_id and ledger text; status gets a line naming the ledger (its
 * name without a password). 0, or the open's or the list's error with its
 * message in why; then every drive says the ledger was not read, and none
 * names a medium.
 */
int tui_ledger_lookup(const char *db, struct tui_drive *drives, size_t n, char *status, size_t len,
		      char *why, size_t why_len);

enum tui_job_state { TUI_JOB_RUNNING, TUI_JOB_DONE };

/* One child `kesu wipe` for one drive. */
struct tui_job {
	char device[PATH_MAX];
	pid_t pid;
	int err_fd, out_fd;      /* the child's stderr (progress) and stdout (result) */
	enum tui_job_state state;
	char phase[32];
	unsigned step, steps;
	uint64_t done_bytes, total_bytes, rate_bps, eta_s;
	char outcome[32];        /* ERASED, FAILED, ... or "" while running */
	char record[PATH_MAX];
	char certificate[PATH_MAX]; /* CERT.json, "" when the wipe was not certified */
	char label[PATH_MAX];    /* CERT-label.pdf once made, else "" */
	char label_note[256];    /* why no label was made */
	char reason[256];
	int status;              /* exit status of the child, or 128+signal */
	char line[4096];         /* a partial stderr line */
	size_t line_len;
	char *out;               /* the child's stdout, collected */
	size_t out_len;
	char last_text[256];     /* the last non-JSON stderr line */
	char media_id[KESU_ID_MAX + 1]; /* the medium handed to kesu wipe, "" for none */
	char ledger[128];         /* the drive's ledger text when it started ("" without a ledger) */
	char ledger_error[256];  /* why kesu wipe could not link the certificate ("" when it did) */
};

/* What every child `kesu wipe` is given besides its device. */
struct tui_wipe_opts {
	const char *kesu;          /* the kesu program */
	const char *method;
	const char *out_dir;
	const char *config;        /* NULL: kesu wipe's default */
	const char *operator_name; /* NULL or "": none given (the config's [operator] name applies) */
	const char *psid;          /* opal-psid-revert: this drive's PSID, handed over a pipe
				    * (--psid-file -), never on the command line; else NULL */
	const char *media_id;      /* the drive's medium in the ledger, else NULL */
	const char *ledger;        /* what the ledger said of the drive, shown with the outcome */
	const char *db;            /* the TUI's --db, else NULL: kesu wipe takes [ledger] db
				    * from the same configuration, so a URL's password is
				    * not put on a command line where it was not */
};

/* Start `KESU wipe --yes --json --json-progress --method M --out DIR [--config C]
 * [--operator NAME] [--psid-file -] [--media-id ID [--db DB]] DEVICE` (the PSID
 * on the child's stdin). */
int tui_job_start(struct tui_job *j, const struct tui_wipe_opts *o, const char *device);
/* Read what the children wrote, for up to timeout_ms; reap finished ones. */
void tui_jobs_poll(struct tui_job *jobs, size_t n, int timeout_ms);
/* Ask every running child to stop (SIGTERM: kesu wipe flushes its journal). */
void tui_jobs_stop(struct tui_job *jobs, size_t n);
void tui_job_release(struct tui_job *j);

/* Apply one JSON progress line to j (other lines are kept as last_text). */
void tui_job_parse_progress(struct tui_job *j, const char *line);
/* Read the child's final --json document into outcome, record and reason. */
void tui_job_parse_result(struct tui_job *j);

/*
 * Make the certificate's label as CERT-label.pdf and CERT-label.png with
 * `KESU label --template TEMPLATE --cert CERT`; on success j->label names the
 * PDF. Returns 0, or the failed child's exit status (note receives its last
 * stderr line).
 */
int tui_label_make(struct tui_job *j, const char *kesu, const char *template_name, char *note,
		   size_t note_len);
/* Send the certificate's label to a Brother printer device; as tui_label_make. */
int tui_label_print(const struct tui_job *j, const char *kesu, const char *template_name,
		    const char *printer, char *note, size_t note_len);
/*
 * The clock screen (tui_clock.c): the machine's clock in UTC and in the
 * paperwork zone; the operator confirms it, says it holds local time, or
 * types the right time (kesu_clock_confirm). 0 when answered (done gets a
 * line saying how), -1 when the operator quit.
 */
int tui_clock_confirm(char *done, size_t done_len);

/* Whether a chosen drive is frozen; the 'u' key (tui_unfreeze.c): suspend, resume, say what changed. */
bool tui_any_frozen(const struct tui_drive *drives, size_t n);
void tui_unfreeze(const struct tui_drive *drives, size_t n, char *msg, size_t len);

/* The first label printer device present (/dev/usb/lp0 ...), else NULL. */
const char *tui_printer_find(char *buf, size_t len);

#endif
