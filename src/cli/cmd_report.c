/* SPDX-License-Identifier: GPL-2.0-or-later */
/* kesu report: the Japanese reports from the ledger, as A4 PDF or CSV. */
#include <kesu/cli.h>
#include <kesu/clock.h>
#include <kesu/ledger.h>
#include <kesu/parse.h>
#include <kesu/report.h>
#include <kesu/seal.h>
#include <kesu/sign.h>

#include "ledger_cli.h"

#include <errno.h>
#include <getopt.h>
#include <jansson.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

static void usage(FILE *out)
{
	fputs("Usage: kesu report [--db PATH] TYPE -o FILE.pdf|FILE.csv [OPTIONS]\n\n"
	      "Write a report from the ledger, headed by [contract] name (委託業務名) and\n"
	      "[contract] contractor (受託者) from the configuration. The ledger is audited\n"
	      "against its seals first and, when that holds, sealed with the station's\n"
	      "signing key; every page's footer names that seal (ID, event, head hash).\n\n"
	      "Types:\n"
	      "  ledger        データ管理簿\n"
	      "  schedule      作業予定表\n"
	      "  result        作業結果報告書 (needs --work WORK-ID)\n"
	      "  return-plan   データ返却等計画書 (media marked 返却/消去/廃棄, with its\n"
	      "                approval: 承認者 and 承認日, or 未承認)\n"
	      "  completion    作業完了報告書 (the approved return plan and its outcome)\n"
	      "  roster        データ取扱者等名簿 (別紙2: the roster kept with 'kesu staff')\n\n"
	      "completion judges from the evidence: 良 only when the ledger's audit and seals\n"
	      "hold, every cited certificate verifies again from its files against the root\n"
	      "with the SHA-256 the ledger holds, each erased medium's certificate itself\n"
	      "says ERASED with verification passed, every medium still held is in the\n"
	      "approved plan and the plan was approved before each erasure; else 否 with\n"
	      "each reason (PDF, CSV and --json).\n\n"
	      "Options:\n"
	      "  -o, --output FILE     FILE.pdf (A4) or FILE.csv, written atomically\n"
	      "  -w, --work ID         result: the work\n"
	      "      --plan N          completion: plan number (default the latest approved);\n"
	      "                        return-plan: approved plan N as approved (default the\n"
	      "                        media's plan now)\n"
	      "      --date YYYY-MM-DD the report's date (default today)\n"
	      "  -e, --encoding ENC    CSV: utf-8 (default) or sjis\n"
	      "      --ca ROOT.pem     root of certificates and seals (default [signing] root)\n"
	      "      --tsa-ca FILE     the time stamp authority's root (default [signing]\n"
	      "                        tsa_root)\n"
	      "      --templates DIR   report templates (default: kesu's reports/ directory)\n"
	      "  -d, --db PATH         the ledger: a file (default [ledger] db, else\n"
	      "                        ./kesu.db) or a postgresql:// URL\n"
	      "  -c, --config FILE     configuration (default /etc/kesu/kesu.conf)\n"
	      "      --wait SECONDS    wait this long for a locked database (default 5)\n"
	      "  -J, --json            print a summary as JSON\n"
	      "  -h, --help            show this help\n\n"
	      "Exit status of completion: 0 when 作業結果 is 良, 1 when exceptions are listed.\n"
	      "See kesu-report(8).\n", out);
}

enum { OPT_PLAN = LCLI_OPT_FREE, OPT_DATE, OPT_TEMPLATES, OPT_TSA_CA };

/* --templates, $KESU_REPORTS_DIR, ../reports beside the binary (a build tree), the installed copy. */
static const char *templates_dir(const char *opt, char *buf, size_t len)
{
	const char *env = getenv("KESU_REPORTS_DIR");
	char exe[PATH_MAX];
	ssize_t n;

	if (opt)
		return opt;
	if (env && *env)
		return env;
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n > 0) {
		char *slash;

		exe[n] = 0;
		if ((slash = strrchr(exe, '/'))) {
			*slash = 0;
			if ((size_t)snprintf(buf, len, "%s/../reports", exe) < len &&
			    access(buf, R_OK) == 0 && strstr(exe, "/build"))
				return buf;
		}
	}
	return KESU_DATADIR "/reports";
}

static int parse_date(const char *s, time_t *t)
{
	struct tm tm = { 0 };
	char *end;

	/* a day of the calendar (2026-02-30 is refused, not taken as March 2) */
	if (kesu_parse_date(s, NULL, NULL, NULL, NULL) < 0)
		return -1;
	end = strptime(s, "%Y-%m-%d", &tm);
	if (!end || *end)
		return -1;
	/* Noon of that day in the paperwork zone, whatever the host's zone is. */
	tm.tm_hour = 12;
	*t = timegm(&tm);
	if (*t == (time_t)-1)
		return -1;
	*t -= kesu_paper_tz_offset(*t);
	return 0;
}

static int ends_with(const char *s, const char *suffix)
{
	size_t a = strlen(s), b = strlen(suffix);

	return a >= b && !strcasecmp(s + a - b, suffix);
}

static void print_summary(const struct kesu_report_opts *o, const struct kesu_report_summary *s,
			  int json)
{
	int completion = !strcmp(o->type, "completion");

	if (json) {
		json_t *j = json_pack("{ss ss sI sI sb sb ss ss}", "report", o->type, "output",
				      o->out_path, "items", (json_int_t)s->items, "exceptions",
				      (json_int_t)s->exceptions, "good", s->good, "audit_ok",
				      s->audit_ok, "audit_problem", s->audit_problem, "seal_note",
				      s->seal_note);
		json_t *reasons = json_array();

		for (size_t i = 0; reasons && i < s->n_reasons; i++)
			json_array_append_new(reasons, json_string(s->reasons[i]));
		if (j && completion)
			json_object_set_new(j, "reasons", reasons);
		else
			json_decref(reasons);
		if (j)
			json_object_set_new(j, "seal", s->sealed ? json_pack("{ss sI ss}", "seal_id",
				s->seal_id, "seq", (json_int_t)s->seal_seq, "head", s->seal_head) :
				json_null());
		if (j)
			json_dumpf(j, stdout, JSON_INDENT(2) | JSON_SORT_KEYS);
		fputc('\n', stdout);
		json_decref(j);
		return;
	}
	if (completion)
		printf("wrote %s: %zu item%s, 作業結果 %s\n", o->out_path, s->items,
		       s->items == 1 ? "" : "s", s->good ? "良" : "否");
	else
		printf("wrote %s (%zu row%s)\n", o->out_path, s->items, s->items == 1 ? "" : "s");
	for (size_t i = 0; i < s->n_reasons; i++)
		printf("  否: %s\n", s->reasons[i]);
	if (s->sealed)
		printf("ledger seal %s (event %ld, head %s)\n", s->seal_id, s->seal_seq, s->seal_head);
	if (s->seal_note[0])
		printf("ledger not sealed now: %s\n", s->seal_note);
	if (!s->audit_ok)
		kesu_cli_error("the ledger's audit FAILED: %s", s->audit_problem);
}

int cmd_report(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "output", required_argument, NULL, 'o' },
		{ "work", required_argument, NULL, 'w' },
		{ "plan", required_argument, NULL, OPT_PLAN },
		{ "date", required_argument, NULL, OPT_DATE },
		{ "encoding", required_argument, NULL, 'e' },
		{ "templates", required_argument, NULL, OPT_TEMPLATES },
		CLI_OPTION_CA,
		{ "tsa-ca", required_argument, NULL, OPT_TSA_CA },
		CLI_OPTION_DB,
		CLI_OPTION_CONFIG,
		{ "wait", required_argument, NULL, LCLI_OPT_WAIT },
		CLI_OPTION_JSON,
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct lcli_common c = { .wait_ms = LCLI_DEFAULT_WAIT_MS };
	struct kesu_report_opts o = { .encoding = KESU_CSV_UTF8 };
	struct kesu_report_summary sum;
	struct kesu_errbuf eb = { "" };
	struct kesu_ledger *lg = NULL;
	struct kesu_config *cfg = NULL;
	const char *templates = NULL, *ca = NULL, *tsa_ca = NULL;
	struct kesu_signer *signer = NULL;
	char tbuf[PATH_MAX], root[PATH_MAX];
	int opt, taken, rc, e;

	optind = 1;
	while ((opt = getopt_long(argc, argv, "o:w:e:d:c:Jh", opts, NULL)) != -1) {
		/* the ledger options (report takes no --operator) */
		if ((taken = lcli_take_option(&c, opt, optarg)) < 0)
			return KESU_EXIT_USAGE;
		if (taken)
			continue;
		switch (opt) {
		case 'o': o.out_path = optarg; break;
		case 'w': o.work_id = optarg; break;
		case OPT_PLAN:
			if (kesu_parse_long(optarg, 1, 1000000, &o.plan_no) < 0) {
				kesu_cli_error("--plan needs a plan number (1, 2, ...)");
				return KESU_EXIT_USAGE;
			}
			break;
		case OPT_DATE:
			if (parse_date(optarg, &o.date) < 0) {
				kesu_cli_error("--date needs YYYY-MM-DD, not '%s'", optarg);
				return KESU_EXIT_USAGE;
			}
			break;
		case 'e':
			if ((e = kesu_csv_encoding_parse(optarg)) < 0 || e == KESU_CSV_AUTO) {
				kesu_cli_error("unknown encoding '%s': use utf-8 or sjis", optarg);
				return KESU_EXIT_USAGE;
			}
			o.encoding = (enum kesu_csv_encoding)e;
			break;
		case OPT_TEMPLATES: templates = optarg; break;
		case CLI_OPT_CA: ca = optarg; break;
		case OPT_TSA_CA: tsa_ca = optarg; break;
		case 'h': usage(stdout); return KESU_EXIT_OK;
		default: usage(stderr); return KESU_EXIT_USAGE;
		}
	}
	if (argc - optind != 1 || !kesu_report_type_valid(argv[optind])) {
		kesu_cli_error(argc - optind == 1 ? "unknown report '%s'; see 'kesu report --help'"
			       : "name one report type; see 'kesu report --help'%s",
			       argc - optind == 1 ? argv[optind] : "");
		return KESU_EXIT_USAGE;
	}
	o.type = argv[optind];
	if (!o.out_path || (!ends_with(o.out_path, ".pdf") && !ends_with(o.out_path, ".csv"))) {
		kesu_cli_error("name the output with -o FILE.pdf or -o FILE.csv");
		return KESU_EXIT_USAGE;
	}
	o.format = ends_with(o.out_path, ".csv") ? KESU_REPORT_CSV : KESU_REPORT_PDF;
	if (!strcmp(o.type, "result") && !o.work_id) {
		kesu_cli_error("the result report needs --work WORK-ID");
		return KESU_EXIT_USAGE;
	}
	o.templates_dir = templates_dir(templates, tbuf, sizeof(tbuf));
	if ((rc = lcli_open(&c, 0, &lg, &cfg)) != 0)
		return rc;
	o.cfg = cfg;
	if (!*kesu_config_get_or(cfg, "contract", "name", "") ||
	    !*kesu_config_get_or(cfg, "contract", "contractor", ""))
		kesu_cli_error("warning: [contract] name (委託業務名) or contractor (受託者) is not set "
			       "in %s; the report's heading will be blank there",
			       *kesu_config_path(cfg) ? kesu_config_path(cfg) : "the configuration");
	o.ca_path = lcli_trust_root(ca, cfg, root, sizeof(root));
	o.tsa_ca_path = tsa_ca ? tsa_ca : kesu_config_get(cfg, "signing", "tsa_root");
	if (o.tsa_ca_path && !*o.tsa_ca_path)
		o.tsa_ca_path = NULL;
	if (lcli_signer(cfg, &signer, &eb) < 0) {
		kesu_cli_error("warning: the ledger will not be sealed: %s", eb.msg);
		kesu_err_clear(&eb);
	}
	o.signer = signer;
	rc = kesu_report_write(lg, &o, &sum, &eb);
	if (rc < 0) {
		rc = lcli_fail(rc, &eb);
		goto out;
	}
	print_summary(&o, &sum, c.json);
	rc = !strcmp(o.type, "completion") && !sum.good ? KESU_EXIT_FAILURE : KESU_EXIT_OK;
	kesu_report_summary_release(&sum);
out:
	kesu_signer_free(signer);
	kesu_ledger_close(lg);
	kesu_config_free(cfg);
	return rc;
}
