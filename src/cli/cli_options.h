/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The options that mean the same in every command, defined once: their long
 * name, short letter, argument and meaning (kesu(8), COMMON OPTIONS; `kesu
 * --help` prints this table). A command puts the rows in its
 * getopt table (CLI_OPTION_CONFIG, ...) and handles the getopt code
 * CLI_OPT_CONFIG, ...; a short letter is the code itself, so "c:" in the
 * optstring gives -c FILE. Long-only options have codes from
 * CLI_OPT_LONG_BASE, above any command's own. -d and -O are the short forms
 * where they shipped (ledger, work, report, staff, label; wipe).
 *
 * Spellings that shipped before these were shared stay as hidden aliases
 * (CLI_ALIAS rows): `kesu cert --cert` for --signer-cert.
 * `-c` was --ca in `kesu cert` and --cert in `kesu label`; it is --config
 * everywhere now, and those commands say so when -c names a file that is not
 * a configuration.
 */
#ifndef KESU_CLI_OPTIONS_H
#define KESU_CLI_OPTIONS_H

#include <getopt.h>
#include <stddef.h>
#include <stdio.h>

#define CLI_OPT_LONG_BASE 0x1000

/* getopt codes: the short letter, or a long-only code. */
enum cli_opt {
	CLI_OPT_CONFIG = 'c',
	CLI_OPT_JSON = 'J',
	CLI_OPT_DB = 'd',
	CLI_OPT_OPERATOR = 'O',
	CLI_OPT_CA = CLI_OPT_LONG_BASE,
	CLI_OPT_KEY,
	CLI_OPT_SIGNER_CERT,
};

/* The getopt rows; their arguments and meanings are in cli_options.c's table. */
#define CLI_OPTION_CONFIG      { "config",      required_argument, NULL, CLI_OPT_CONFIG }
#define CLI_OPTION_JSON        { "json",        no_argument,       NULL, CLI_OPT_JSON }
#define CLI_OPTION_DB          { "db",          required_argument, NULL, CLI_OPT_DB }
#define CLI_OPTION_OPERATOR    { "operator",    required_argument, NULL, CLI_OPT_OPERATOR }
#define CLI_OPTION_CA          { "ca",          required_argument, NULL, CLI_OPT_CA }
#define CLI_OPTION_KEY         { "key",         required_argument, NULL, CLI_OPT_KEY }
#define CLI_OPTION_SIGNER_CERT { "signer-cert", required_argument, NULL, CLI_OPT_SIGNER_CERT }

/* A spelling kept from before (in no help): --old taking the meaning of CLI_OPT_id. */
#define CLI_ALIAS(old, id) { old, required_argument, NULL, CLI_OPT_##id }

/* The shared options and their meanings, for `kesu --help`. */
void cli_common_options_usage(FILE *out);

/*
 * Say on stderr which key and certificate a signature will be made with
 * (kesu wipe, kesu cert issue), and, when they are in /etc/kesu because kesu
 * runs as root, that this directory is the machine's, shared by every user
 * who runs kesu as root. key and cert are the resolved paths.
 */
void cli_signing_notice(const char *key, const char *cert);

/* After getopt returned an option with an argument: was it spelled short (-c FILE, -cFILE)? */
int cli_opt_was_short(char **argv, int optind_now, const char *arg);

/*
 * After a configuration named with -c failed to load: when the file looks
 * like something -c used to take in this command (a PEM certificate, a JSON
 * certificate), say that -c is --config now and what to give instead.
 */
void cli_config_hint(const char *path, const char *instead);

#endif
