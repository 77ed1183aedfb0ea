/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The options every command shares, their meanings, and the signing notice (cli_options.h). */
#include "cli_options.h"

#include <kesu/keys.h>

#include <fcntl.h>
#include <limits.h>
#include <sys/stat.h>
#include <string.h>
#include <unistd.h>

/*
 * One row per shared option: how it is spelled, what it takes, what it means.
 * everywhere: its short letter works in every command that takes the option.
 */
static const struct {
	struct option opt;
	int everywhere;
	const char *arg, *meaning;
} common[] = {
	{ CLI_OPTION_CONFIG, 1, "FILE",
	  "the configuration file (default $KESU_CONFIG, else /etc/kesu/kesu.conf)" },
	{ CLI_OPTION_JSON, 1, "",
	  "the result as JSON on stdout; messages and notices stay on stderr" },
	{ CLI_OPTION_DB, 0, "FILE|URL",
	  "the media ledger: a file (default [ledger] db, else ./kesu.db) or a postgresql://"
	  " URL; -d in ledger, work, report, staff, label" },
	{ CLI_OPTION_OPERATOR, 0, "NAME",
	  "who does the work, a full name (else [operator] name; -O in wipe)" },
	{ CLI_OPTION_CA, 0, "FILE",
	  "the trusted root certificate(s) signatures are verified against" },
	{ CLI_OPTION_KEY, 0, "FILE", "the signing key (default signer.key in the key directory)" },
	{ CLI_OPTION_SIGNER_CERT, 0, "FILE",
	  "the signer certificate (default signer.pem in the key directory)" },
};

#define SPELL_WIDTH 22
#define LINE_WIDTH  79

/* text from column SPELL_WIDTH + 3, broken at spaces before LINE_WIDTH. */
static void wrapped(FILE *out, const char *text)
{
	const int room = LINE_WIDTH - SPELL_WIDTH - 3;

	while ((int)strlen(text) > room) {
		int cut = room;

		while (cut > 0 && text[cut] != ' ')
			cut--;
		if (cut == 0)
			break;
		fprintf(out, "%.*s\n%*s", cut, text, SPELL_WIDTH + 3, "");
		text += cut + 1;
	}
	fprintf(out, "%s\n", text);
}

void cli_common_options_usage(FILE *out)
{
	for (size_t i = 0; i < sizeof(common) / sizeof(common[0]); i++) {
		char spell[48];
		int code = common[i].opt.val;

		if (common[i].everywhere)
			snprintf(spell, sizeof(spell), "-%c, --%s %s", code, common[i].opt.name,
				 common[i].arg);
		else
			snprintf(spell, sizeof(spell), "    --%s %s", common[i].opt.name,
				 common[i].arg);
		fprintf(out, "  %-*s ", SPELL_WIDTH, spell);
		wrapped(out, common[i].meaning);
	}
}

void cli_signing_notice(const char *key, const char *cert)
{
	char dir[PATH_MAX];
	size_t n;
	int shared;

	/* The default directory when running as root is the machine's, not the user's. */
	shared = geteuid() == 0 && kesu_key_default_dir(dir, sizeof(dir)) == 0 &&
		 !strcmp(dir, "/etc/kesu") && (n = strlen(dir)) &&
		 (!strncmp(key, dir, n) || !strncmp(cert, dir, n));
	fprintf(stderr, "kesu: signing with key %s and certificate %s%s\n", key, cert,
		shared ? " (/etc/kesu: the machine's key directory, used by everyone who runs "
			 "kesu as root; name your own with --key and --signer-cert)" : "");
}

int cli_opt_was_short(char **argv, int optind_now, const char *arg)
{
	/* "-c FILE": the argument is the word before optind, the option the one before that */
	const char *w = optind_now >= 2 && arg == argv[optind_now - 1] ? argv[optind_now - 2] :
			argv[optind_now - 1];

	return w[0] == '-' && w[1] != '-';
}

void cli_config_hint(const char *path, const char *instead)
{
	/* non-blocking, a regular file only: a FIFO is never waited on */
	int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	char head[32] = "";
	struct stat st;
	ssize_t n = 0;

	if (fd < 0)
		return;
	if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode))
		n = read(fd, head, sizeof(head) - 1);
	close(fd);
	head[n > 0 ? n : 0] = '\0';
	if (!strncmp(head, "-----BEGIN", 10) || head[0] == '{')
		fprintf(stderr, "kesu: note: -c is --config in every command now (kesu(8)); "
			"give %s with %s\n", path, instead);
}
