/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What `kesu ledger`, `kesu work` and `kesu report` share: the database and
 * configuration options, opening the ledger with the operator's name, and
 * printing aligned Japanese text.
 */
#ifndef KESU_CLI_LEDGER_CLI_H
#define KESU_CLI_LEDGER_CLI_H

#include <kesu/config.h>
#include <kesu/ledger.h>
#include <kesu/seal.h>

#include "cli_options.h"

#include <jansson.h>
#include <stdio.h>

struct lcli_common {
	const char *db;         /* --db, default ./kesu.db */
	const char *config;     /* --config */
	const char *operator_name; /* --operator, else [operator] name */
	int wait_ms;            /* --wait SECONDS (default 5) */
	int json;
};

#define LCLI_DEFAULT_WAIT_MS 5000

/* getopt code of --wait; a command's own start at LCLI_OPT_FREE. */
enum { LCLI_OPT_WAIT = 256, LCLI_OPT_FREE };

/* The struct option rows of --db --config --operator --wait --json (the first four shared, cli_options.h). */
#define LCLI_COMMON_OPTIONS \
	CLI_OPTION_DB, \
	CLI_OPTION_CONFIG, \
	CLI_OPTION_OPERATOR, \
	{ "wait", required_argument, NULL, LCLI_OPT_WAIT }, \
	CLI_OPTION_JSON

/*
 * Take getopt's opt into c if it is one of the common options: 1 taken, 0 not
 * one of them, -1 (printed) for a bad --wait.
 */
int lcli_take_option(struct lcli_common *c, int opt, const char *arg);

/* Load the configuration (cfg may be NULL when the caller does not need it afterwards). */
int lcli_load_config(const struct lcli_common *c, struct kesu_config **cfg);

/*
 * Open the ledger with the operator set. Prints the error and returns an exit
 * code (nonzero) on failure, 0 on success.
 */
int lcli_open(const struct lcli_common *c, unsigned flags, struct kesu_ledger **lg,
	      struct kesu_config **cfg);

/* Print eb's sentence (or the code's text) and return the exit code for rc. */
int lcli_fail(int rc, const struct kesu_errbuf *eb);

/* Parse --wait SECONDS into ms; -1 on junk. */
int lcli_parse_wait(const char *s);

/* Print root as indented JSON with sorted keys and drop it; the exit code (root NULL: out of memory). */
int lcli_print_json(json_t *root);

/* Columns on a terminal: East Asian wide characters count 2. */
size_t lcli_width(const char *s);
/* Print s padded with spaces to width columns. */
void lcli_pad(FILE *out, const char *s, size_t width);

/* Read all of a file, or stdin for "-" / NULL; NUL-terminated, free(). */
int lcli_read_input(const char *path, char **text, struct kesu_errbuf *eb);

/*
 * The root certificates and seals are verified against: opt (--ca), [signing]
 * root, root.pem or ca/root.pem in the key directory, else the station's own
 * signer certificate (a self-signed station). buf when it is used; NULL: none.
 */
const char *lcli_trust_root(const char *opt, const struct kesu_config *cfg, char *buf, size_t len);

/* The station's signer as certificates are signed ([signing], the key directory). */
struct kesu_signer;
int lcli_signer(const struct kesu_config *cfg, struct kesu_signer **signer, struct kesu_errbuf *eb);

/*
 * Audit the ledger against its seals (root: lcli_trust_root(ca, ...)) and
 * seal it after a change (the latest seal when it already covers the head).
 * Not being able to is a warning: the change itself is made. A line
 * on stderr names the seal unless quiet. seal (may be NULL) gets it.
 */
int lcli_seal_after(struct kesu_ledger *lg, const struct kesu_config *cfg, const char *ca,
		    int quiet, struct kesu_seal *seal);

#endif
