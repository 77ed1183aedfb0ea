/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * kesu staff: the roster (データ取扱者等名簿, 別紙2) in the ledger database.
 * Parses, calls include/kesu/staff.h and prints; the rules live there.
 */
#include <kesu/cli.h>
#include <kesu/ledger.h>
#include <kesu/staff.h>

#include "ledger_cli.h"

#include <errno.h>
#include <getopt.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void usage(FILE *out)
{
	fputs("Usage: kesu staff [--db PATH] add --role ROLE --family-name 姓 --given-name 名\n"
	      "                    [--affiliation TEXT] [--title TEXT] [--note TEXT]\n"
	      "       kesu staff [--db PATH] edit WHO [FIELDS]\n"
	      "       kesu staff [--db PATH] remove WHO\n"
	      "       kesu staff [--db PATH] list [--all] [--json]\n\n"
	      "Keep the roster (データ取扱者等名簿, 別紙2) in the ledger database. Once it\n"
	      "has an entry, every name kesu records (operator, 受領者, 立会者, 作業責任者,\n"
	      "作業者, 確認者, 承認者) must be a full name on it. 'kesu report roster'\n"
	      "writes 別紙2.\n\n"
	      "WHO is an ID (STAFF-1) or a full name, with or without the space.\n\n"
	      "Fields:\n"
	      "  -r, --role ROLE        担当: データ取扱責任者 (manager), データ取扱者\n"
	      "                         (handler), or 主管担当 (officer: the client's officer\n"
	      "                         who approves plans; not printed on 別紙2)\n"
	      "      --family-name 姓   family name (required)\n"
	      "      --given-name 名    given name (required)\n"
	      "      --affiliation TEXT 所属\n"
	      "      --title TEXT       役職\n"
	      "      --note TEXT        備考: training completed, qualifications held\n\n"
	      "Options:\n"
	      "  -d, --db PATH          the ledger: a file (default [ledger] db, else\n"
	      "                         ./kesu.db) or a postgresql:// URL\n"
	      "  -c, --config FILE      configuration (default /etc/kesu/kesu.conf)\n"
	      "      --operator NAME    who makes the change, full name (default [operator]\n"
	      "                         name)\n"
	      "      --wait SECONDS     wait this long for a locked database (default 5)\n"
	      "  -a, --all              list: also the people removed from the roster\n"
	      "  -J, --json             print JSON\n"
	      "  -h, --help             show this help\n\n"
	      "See kesu-staff(8).\n", out);
}

enum { OPT_FIELD = 1000 };

struct staff_args {
	struct lcli_common c;
	struct kesu_staff s;
	int nfields, all;
	int npos;
	char **pos;
};

static int parse_args(int argc, char **argv, struct staff_args *a)
{
	static const struct option opts[] = {
		LCLI_COMMON_OPTIONS,
		{ "role", required_argument, NULL, OPT_FIELD + KESU_SF_ROLE },
		{ "family-name", required_argument, NULL, OPT_FIELD + KESU_SF_FAMILY },
		{ "given-name", required_argument, NULL, OPT_FIELD + KESU_SF_GIVEN },
		{ "affiliation", required_argument, NULL, OPT_FIELD + KESU_SF_AFFILIATION },
		{ "title", required_argument, NULL, OPT_FIELD + KESU_SF_TITLE },
		{ "note", required_argument, NULL, OPT_FIELD + KESU_SF_NOTE },
		{ "all", no_argument, NULL, 'a' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int c, taken;

	a->c.wait_ms = LCLI_DEFAULT_WAIT_MS;
	optind = 1;
	while ((c = getopt_long(argc, argv, "d:c:Jr:ah", opts, NULL)) != -1) {
		if ((taken = lcli_take_option(&a->c, c, optarg)) < 0)
			return KESU_EXIT_USAGE;
		if (taken)
			continue;
		if (c == 'r')
			c = OPT_FIELD + KESU_SF_ROLE;
		switch (c) {
		case 'a': a->all = 1; break;
		case 'h': usage(stdout); return -1;
		default:
			if (c > OPT_FIELD && c < OPT_FIELD + KESU_SF_REMOVED_AT) {
				if (kesu_staff_set(&a->s, (enum kesu_staff_field)(c - OPT_FIELD), optarg) < 0)
					return lcli_fail(-ENOMEM, NULL);
				a->nfields++;
				break;
			}
			usage(stderr);
			return KESU_EXIT_USAGE;
		}
	}
	a->pos = argv + optind;
	a->npos = argc - optind;
	return 0;
}

static json_t *staff_json(const struct kesu_staff *s)
{
	char name[KESU_STAFF_NAME_MAX];
	json_t *o = json_object();

	for (int i = 0; o && i < KESU_SF_COUNT; i++)
		json_object_set_new(o, kesu_staff_field_info((enum kesu_staff_field)i)->key,
				    json_string(kesu_staff_get(s, (enum kesu_staff_field)i)));
	kesu_staff_full_name(s, name, sizeof(name));
	if (o)
		json_object_set_new(o, "full_name", json_string(name));
	return o;
}

static int do_list(struct kesu_ledger *lg, const struct staff_args *a)
{
	struct kesu_errbuf eb = { "" };
	struct kesu_staff_list l;
	char name[KESU_STAFF_NAME_MAX];
	int rc;

	if ((rc = kesu_staff_list(lg, a->all, &l, &eb)) < 0)
		return lcli_fail(rc, &eb);
	if (a->c.json) {
		json_t *arr = json_array();

		for (size_t i = 0; arr && i < l.n; i++)
			json_array_append_new(arr, staff_json(&l.items[i]));
		kesu_staff_list_release(&l);
		return lcli_print_json(arr);
	}
	if (!l.n)
		printf("the roster (データ取扱者等名簿) in %s is empty: add people with "
		       "'kesu staff add'\n", kesu_ledger_path(lg));
	for (size_t i = 0; i < l.n; i++) {
		const struct kesu_staff *s = &l.items[i];

		kesu_staff_full_name(s, name, sizeof(name));
		lcli_pad(stdout, kesu_staff_get(s, KESU_SF_ID), 10);
		lcli_pad(stdout, kesu_staff_get(s, KESU_SF_ROLE), 18);
		lcli_pad(stdout, name, 16);
		lcli_pad(stdout, kesu_staff_get(s, KESU_SF_AFFILIATION), 16);
		lcli_pad(stdout, kesu_staff_get(s, KESU_SF_TITLE), 10);
		printf("%s", kesu_staff_get(s, KESU_SF_NOTE));
		if (*kesu_staff_get(s, KESU_SF_REMOVED_AT))
			printf("  (removed %s)", kesu_staff_get(s, KESU_SF_REMOVED_AT));
		fputc('\n', stdout);
	}
	kesu_staff_list_release(&l);
	return KESU_EXIT_OK;
}

static int do_change(struct kesu_ledger *lg, const struct staff_args *a, const char *sub)
{
	struct kesu_errbuf eb = { "" };
	char id[KESU_STAFF_ID_MAX] = "";
	int rc;

	if (!strcmp(sub, "add")) {
		if (a->npos != 1) {
			kesu_cli_error("'staff add' takes options only; see 'kesu staff --help'");
			return KESU_EXIT_USAGE;
		}
		rc = kesu_staff_add(lg, &a->s, id, &eb);
	} else {
		if (a->npos != 2) {
			kesu_cli_error("'staff %s' needs one ID or full name", sub);
			return KESU_EXIT_USAGE;
		}
		if (!strcmp(sub, "edit") && !a->nfields) {
			kesu_cli_error("nothing to change: give fields such as --title or --note");
			return KESU_EXIT_USAGE;
		}
		if (!strcmp(sub, "remove") && a->nfields) {
			kesu_cli_error("'staff remove' takes no fields");
			return KESU_EXIT_USAGE;
		}
		rc = !strcmp(sub, "edit") ? kesu_staff_edit(lg, a->pos[1], &a->s, &eb)
					  : kesu_staff_remove(lg, a->pos[1], &eb);
	}
	if (rc < 0)
		return lcli_fail(rc, &eb);
	if (a->c.json)
		return lcli_print_json(json_pack("{ss ss}", "action", sub, "staff",
						 *id ? id : a->pos[1]));
	if (*id)
		printf("added %s %s as %s (%s)\n", kesu_staff_get(&a->s, KESU_SF_FAMILY),
		       kesu_staff_get(&a->s, KESU_SF_GIVEN), id,
		       kesu_staff_role_name(kesu_staff_role_parse(kesu_staff_get(&a->s, KESU_SF_ROLE))));
	else
		printf("%s %s\n", !strcmp(sub, "edit") ? "updated" : "removed from the roster:",
		       a->pos[1]);
	return KESU_EXIT_OK;
}

int cmd_staff(int argc, char **argv)
{
	struct staff_args a = { 0 };
	struct kesu_ledger *lg = NULL;
	const char *sub;
	int rc, writes;

	if ((rc = parse_args(argc, argv, &a)) != 0) {
		kesu_staff_release(&a.s);
		return rc < 0 ? KESU_EXIT_OK : rc;
	}
	if (a.npos < 1) {
		usage(stderr);
		rc = KESU_EXIT_USAGE;
		goto out;
	}
	sub = a.pos[0];
	writes = !strcmp(sub, "add") || !strcmp(sub, "edit") || !strcmp(sub, "remove");
	if (!writes && strcmp(sub, "list")) {
		kesu_cli_error("unknown staff command '%s'; see 'kesu staff --help'", sub);
		rc = KESU_EXIT_USAGE;
		goto out;
	}
	if ((rc = lcli_open(&a.c, !strcmp(sub, "add") ? KESU_LEDGER_CREATE : 0, &lg, NULL)) != 0)
		goto out;
	rc = writes ? do_change(lg, &a, sub) : do_list(lg, &a);
out:
	kesu_ledger_close(lg);
	kesu_staff_release(&a.s);
	return rc;
}
