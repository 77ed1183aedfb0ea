/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Shared by the commands with subcommands (cli_common.h). */
#include "cli_common.h"

#include <kesu/cli.h>
#include <kesu/keys.h>
#include <kesu/parse.h>
#include <kesu/text.h>
#include <kesu/util.h>

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int cli_subcommand_start(int argc, char **argv, void (*usage)(FILE *out))
{
	if (argc < 2) {
		usage(stderr);
		return KESU_EXIT_USAGE;
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
		usage(stdout);
		return KESU_EXIT_OK;
	}
	return -1;
}

int cli_fail(int rc, const struct kesu_errbuf *eb)
{
	kesu_cli_error("%s", eb && *eb->msg ? eb->msg : kesu_strerror(rc));
	return kesu_exit_for(rc);
}

int cli_parse_days(const char *arg, long *days)
{
	if (kesu_parse_long(arg, 1, 36500, days) < 0) {
		kesu_cli_error("--days: give a number of days from 1 to 36500");
		return -1;
	}
	return 0;
}

const char *cli_esc(const char *s)
{
	static char *ring[16];
	static unsigned next;
	char *e;

	if (!s || !*s)
		return "";
	e = kesu_text_escape(s);
	if (!e)
		return "?";
	free(ring[next]);
	ring[next] = e;
	next = (next + 1) % (sizeof(ring) / sizeof(ring[0]));
	return e;
}

int cli_ensure_dir(const char *dir)
{
	int rc = kesu_private_dir_make(dir);

	if (rc == 0)
		return 0;
	kesu_cli_error("cannot create %s: %s", dir, strerror(-rc));
	return -1;
}

const char *cli_key_dir_root(char *buf, size_t len)
{
	static const char *const names[] = { "root.pem", KESU_CA_FILE };
	char dir[PATH_MAX - 32];

	if (kesu_key_default_dir(dir, sizeof(dir)) < 0)
		return NULL;
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (kesu_key_path(buf, len, dir, names[i]) == 0 && access(buf, R_OK) == 0)
			return buf;
	return NULL;
}

void cli_roster_note(struct kesu_ledger *lg)
{
	static int said;

	if (said || kesu_staff_roster_exists(lg, NULL) != 0)
		return;
	said = 1;
	fprintf(stderr, "kesu: note: %s keeps no roster (データ取扱者等名簿), so names are not "
		"checked against one; add the people with 'kesu staff add'\n", kesu_ledger_path(lg));
}

int cli_check_name(struct kesu_ledger *lg, enum kesu_staff_need need, const char *what,
		   const char *name, struct kesu_errbuf *eb)
{
	int rc = kesu_staff_check_name(lg, need, what, name, NULL, 0, eb);

	if (rc == KESU_STAFF_NO_ROSTER)
		cli_roster_note(lg);
	return rc < 0 ? rc : 0;
}
