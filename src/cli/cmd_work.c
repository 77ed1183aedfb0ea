/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * kesu work: the 作業予定表 rows (plan) and their results (done), kept in the
 * ledger database with audit events.
 */
#include <kesu/cli.h>
#include <kesu/ledger.h>

#include "cli_common.h"
#include "ledger_cli.h"

#include <errno.h>
#include <getopt.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void usage(FILE *out)
{
	fputs("Usage: kesu work [--db PATH] plan --id WORK-ID --target DATA --worker NAME\n"
	      "                   --time TIME --content TEXT [--place PLACE] [--note TEXT]\n"
	      "       kesu work [--db PATH] approve WORK-ID --approved-by NAME\n"
	      "                   [--approved-at TIME]\n"
	      "       kesu work [--db PATH] done --id WORK-ID --actual-time TIME\n"
	      "                   --result RESULT --taken-out 無|有 --confirmer NAME\n"
	      "                   [--reason TEXT]\n"
	      "       kesu work [--db PATH] list|show [--id WORK-ID] [--json]\n\n"
	      "Record the work schedule (作業予定表), its approval by the 主管担当, and the\n"
	      "results (作業結果報告書). Times are spans like \"2026-11-25 09:00-12:00\".\n"
	      "Work that ran outside its planned time needs --reason. Names must be on the\n"
	      "roster when one is kept (kesu staff): the worker a データ取扱者, the\n"
	      "confirmer the データ取扱責任者, the approver a 主管担当.\n\n"
	      "Fields:\n"
	      "  --id WORK-ID        作業ID ([0-9A-Z-])\n"
	      "  --target TEXT       対象データ\n"
	      "  --worker NAME       作業者氏名 (full name)\n"
	      "  --time TEXT         作業時間, e.g. \"2026-11-25 09:00-12:00\" (or 09:00～12:00,\n"
	      "                      or \"2026-11-25 22:00-2026-11-26 02:00\")\n"
	      "  --content TEXT      作業内容\n"
	      "  --place TEXT        作業場所\n"
	      "  --note TEXT         備考\n"
	      "  --actual-time TEXT  実作業時間\n"
	      "  --result TEXT       作業結果 (正常, ...)\n"
	      "  --taken-out 無|有   データ持ち出しの有無 (無し and 有り are taken as\n"
	      "                      無 and 有)\n"
	      "  --confirmer NAME    確認者 (データ取扱責任者, full name)\n"
	      "  --reason TEXT       超過理由: why the work ran outside its planned time\n"
	      "  --approved-by NAME  approve: the 主管担当 who approved the work (full name)\n"
	      "  --approved-at TIME  approve: when, e.g. \"2026-11-24 17:00\" (default now;\n"
	      "                      a date alone counts as the end of that day)\n\n"
	      "Options:\n"
	      "  -d, --db PATH       the ledger: a file (default [ledger] db, else\n"
	      "                      ./kesu.db) or a postgresql:// URL\n"
	      "  -c, --config FILE   configuration (default /etc/kesu/kesu.conf)\n"
	      "      --operator NAME who records it (default [operator] name)\n"
	      "      --wait SECONDS  wait this long for a locked database (default 5)\n"
	      "  -J, --json          print JSON\n"
	      "  -h, --help          show this help\n\n"
	      "See kesu-work(8).\n", out);
}

enum { OPT_FIELD = 1000 };

struct work_args {
	struct lcli_common c;
	struct kesu_work w;
	int npos;
	char **pos;
};

static int parse_args(int argc, char **argv, struct work_args *a)
{
	static const struct option base[] = {
		LCLI_COMMON_OPTIONS,
		{ "help", no_argument, NULL, 'h' },
	};
	struct option opts[sizeof(base) / sizeof(base[0]) + KESU_WF_COUNT + 3];
	size_t n = sizeof(base) / sizeof(base[0]);
	int c, taken;

	memcpy(opts, base, sizeof(base));
	for (int i = 0; i < KESU_WF_STATE; i++) {
		opts[n].name = kesu_work_field_info((enum kesu_work_field)i)->option;
		opts[n].has_arg = required_argument;
		opts[n].flag = NULL;
		opts[n].val = OPT_FIELD + i;
		n++;
	}
	for (int i = KESU_WF_APPROVED_BY; i <= KESU_WF_APPROVED_AT; i++) {
		opts[n].name = kesu_work_field_info((enum kesu_work_field)i)->option;
		opts[n].has_arg = required_argument;
		opts[n].flag = NULL;
		opts[n].val = OPT_FIELD + i;
		n++;
	}
	memset(&opts[n], 0, sizeof(opts[n]));
	a->c.wait_ms = LCLI_DEFAULT_WAIT_MS;
	optind = 1;
	while ((c = getopt_long(argc, argv, "d:c:Jh", opts, NULL)) != -1) {
		if ((taken = lcli_take_option(&a->c, c, optarg)) < 0)
			return KESU_EXIT_USAGE;
		if (taken)
			continue;
		switch (c) {
		case 'h': usage(stdout); return -1;
		default:
			if (c >= OPT_FIELD && c < OPT_FIELD + KESU_WF_COUNT && c != OPT_FIELD + KESU_WF_STATE) {
				if (kesu_work_set(&a->w, (enum kesu_work_field)(c - OPT_FIELD), optarg) < 0)
					return lcli_fail(-ENOMEM, NULL);
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

static json_t *work_json(const struct kesu_work *w)
{
	json_t *o = json_object();

	for (int i = 0; o && i < KESU_WF_COUNT; i++)
		json_object_set_new(o, kesu_work_field_info((enum kesu_work_field)i)->key,
				    json_string(kesu_work_get(w, (enum kesu_work_field)i)));
	return o;
}

static void work_text(const struct kesu_work *w)
{
	for (int i = 0; i < KESU_WF_COUNT; i++) {
		lcli_pad(stdout, kesu_work_field_info((enum kesu_work_field)i)->heading, 22);
		printf("%s\n", cli_esc(kesu_work_get(w, (enum kesu_work_field)i)));
	}
}

static int do_show(struct kesu_ledger *lg, struct work_args *a)
{
	struct kesu_errbuf eb = { "" };
	struct kesu_work_list l;
	struct kesu_work one;
	const char *id = a->w.f[KESU_WF_WORK_ID];
	int rc;

	if (id || (a->npos == 2 && (id = a->pos[1]))) {
		if ((rc = kesu_work_fetch(lg, id, &one, &eb)) < 0)
			return lcli_fail(rc, &eb);
		if (a->c.json)
			rc = lcli_print_json(work_json(&one));
		else
			work_text(&one), rc = KESU_EXIT_OK;
		kesu_work_release(&one);
		return rc;
	}
	if ((rc = kesu_work_list(lg, &l, &eb)) < 0)
		return lcli_fail(rc, &eb);
	if (a->c.json) {
		json_t *arr = json_array();

		for (size_t i = 0; arr && i < l.n; i++)
			json_array_append_new(arr, work_json(&l.items[i]));
		rc = lcli_print_json(arr);
	} else {
		for (size_t i = 0; i < l.n; i++) {
			const struct kesu_work *w = &l.items[i];

			lcli_pad(stdout, kesu_work_get(w, KESU_WF_WORK_ID), 14);
			lcli_pad(stdout, kesu_work_get(w, KESU_WF_STATE), 6);
			lcli_pad(stdout, kesu_work_get(w, KESU_WF_WORKER), 16);
			lcli_pad(stdout, kesu_work_get(w, KESU_WF_PLANNED_TIME), 26);
			printf("%s\n", cli_esc(kesu_work_get(w, KESU_WF_TARGET)));
		}
		rc = KESU_EXIT_OK;
	}
	kesu_work_list_release(&l);
	return rc;
}

int cmd_work(int argc, char **argv)
{
	struct work_args a = { 0 };
	struct kesu_ledger *lg = NULL;
	struct kesu_errbuf eb = { "" };
	const char *sub;
	int rc;

	if ((rc = parse_args(argc, argv, &a)) != 0) {
		kesu_work_release(&a.w);
		return rc < 0 ? KESU_EXIT_OK : rc;
	}
	if (a.npos < 1) {
		usage(stderr);
		rc = KESU_EXIT_USAGE;
		goto out;
	}
	sub = a.pos[0];
	if (!strcmp(sub, "approve") && !a.w.f[KESU_WF_WORK_ID] && a.npos == 2 &&
	    kesu_work_set(&a.w, KESU_WF_WORK_ID, a.pos[1]) < 0) {
		rc = lcli_fail(-ENOMEM, NULL);
		goto out;
	}
	if (strcmp(sub, "plan") && strcmp(sub, "done") && strcmp(sub, "list") && strcmp(sub, "show") &&
	    strcmp(sub, "approve")) {
		kesu_cli_error("unknown work command '%s'; see 'kesu work --help'", sub);
		rc = KESU_EXIT_USAGE;
		goto out;
	}
	if ((!strcmp(sub, "plan") || !strcmp(sub, "done") || !strcmp(sub, "approve")) &&
	    !a.w.f[KESU_WF_WORK_ID]) {
		kesu_cli_error("'work %s' needs --id WORK-ID", sub);
		rc = KESU_EXIT_USAGE;
		goto out;
	}
	if (strcmp(sub, "approve") && (a.w.f[KESU_WF_APPROVED_BY] || a.w.f[KESU_WF_APPROVED_AT])) {
		kesu_cli_error("--approved-by and --approved-at go with 'work approve'");
		rc = KESU_EXIT_USAGE;
		goto out;
	}
	if ((rc = lcli_open(&a.c, !strcmp(sub, "plan") ? KESU_LEDGER_CREATE : 0, &lg, NULL)) != 0)
		goto out;
	if (strcmp(sub, "list") && strcmp(sub, "show"))
		cli_roster_note(lg);
	if (!strcmp(sub, "approve")) {
		if ((rc = kesu_work_approve(lg, a.w.f[KESU_WF_WORK_ID], a.w.f[KESU_WF_APPROVED_BY],
					    a.w.f[KESU_WF_APPROVED_AT], &eb)) < 0)
			rc = lcli_fail(rc, &eb);
		else if (!a.c.json)
			printf("work %s approved by %s\n", a.w.f[KESU_WF_WORK_ID],
			       a.w.f[KESU_WF_APPROVED_BY]), rc = KESU_EXIT_OK;
	} else if (!strcmp(sub, "plan")) {
		if ((rc = kesu_work_plan(lg, &a.w, &eb)) < 0)
			rc = lcli_fail(rc, &eb);
		else if (!a.c.json)
			printf("planned work %s\n", a.w.f[KESU_WF_WORK_ID]), rc = KESU_EXIT_OK;
	} else if (!strcmp(sub, "done")) {
		if ((rc = kesu_work_done(lg, a.w.f[KESU_WF_WORK_ID], &a.w, &eb)) < 0)
			rc = lcli_fail(rc, &eb);
		else if (!a.c.json)
			printf("recorded the result of work %s\n", a.w.f[KESU_WF_WORK_ID]), rc = KESU_EXIT_OK;
	} else {
		rc = do_show(lg, &a);
	}
out:
	kesu_ledger_close(lg);
	kesu_work_release(&a.w);
	return rc;
}
