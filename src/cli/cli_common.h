/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What the commands with subcommands share (ca, key, cert, and the ledger
 * commands through ledger_cli): the first word, an error's sentence and exit
 * code, --days and the key directory.
 */
#ifndef KESU_CLI_CLI_COMMON_H
#define KESU_CLI_CLI_COMMON_H

#include <kesu/err.h>
#include <kesu/staff.h>

#include <stddef.h>
#include <stdio.h>

/*
 * argv[1] of a command with subcommands: missing prints usage to stderr and
 * returns KESU_EXIT_USAGE; --help/-h prints it to stdout and returns
 * KESU_EXIT_OK; -1 when argv[1] is for the command to read.
 */
int cli_subcommand_start(int argc, char **argv, void (*usage)(FILE *out));

/* Print eb's sentence (or the code's text; eb may be NULL) and return the exit code for rc. */
int cli_fail(int rc, const struct kesu_errbuf *eb);

/* --days N, 1 to 36500; -1 (printed) on anything else. */
int cli_parse_days(const char *arg, long *days);

/*
 * Text kesu did not write (a certificate, a ledger row, a scanned label), made
 * safe for the terminal: control bytes as \xHH, C1 and bidi controls as
 * \uHHHH, a backslash as \\ (kesu_text_escape). The string stays valid until
 * 16 more calls; NULL gives "".
 */
const char *cli_esc(const char *s);

/* dir and its missing parents made 0700 (kesu_private_dir_make); -1 (printed) when that fails. */
int cli_ensure_dir(const char *dir);

/*
 * The trusted root in the key directory when none is named: root.pem there
 * (copied from the organisation's CA), else ca/root.pem (kesu ca init in the
 * key directory). buf when one is readable, else NULL.
 */
const char *cli_key_dir_root(char *buf, size_t len);

/*
 * Check a name that goes into the ledger, a record or a certificate against
 * the ledger's roster (kesu_staff_check_name). 0 when it is on it, or when no
 * roster is kept: then a note says so on stderr, once per command. A
 * negative error with its sentence in eb when the name is not on the roster.
 */
int cli_check_name(struct kesu_ledger *lg, enum kesu_staff_need need, const char *what,
		   const char *name, struct kesu_errbuf *eb);
/* The note alone, for commands whose names the library checks. */
void cli_roster_note(struct kesu_ledger *lg);

#endif
