/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * kesu label: print QR-coded media labels from templates (labels/NAME.json).
 *
 * Each --media-id and each --cert makes one label (times --count); the text
 * options apply to all of them. The whole output is rendered in memory and
 * written atomically, or sent to a Brother printer device, only when
 * every label fits: nothing is printed that cannot be read.
 */
#include <kesu/brother_ql.h>
#include <kesu/cli.h>
#include <kesu/clock.h>
#include <kesu/config.h>
#include <kesu/label.h>
#include <kesu/ledger.h>
#include <kesu/parse.h>
#include <kesu/template.h>
#include <kesu/util.h>

#include <errno.h>
#include <getopt.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli_options.h"

#define MAX_SOURCES 1000

struct label_opts {
	const char *template_name, *template_dir, *output, *print_dev, *db, *config;
	const char *media_ids[MAX_SOURCES];
	const char *certs[MAX_SOURCES];
	size_t n_media, n_certs;
	struct kesu_label_data shared;   /* text options common to every label */
	int date_given, count, start, json, list, config_short;   /* config_short: named with -c */
};

static void usage(FILE *out)
{
	fputs("Usage: kesu label --template NAME (--media-id ID | --cert CERT.json)...\n"
	      "                  [OPTIONS]\n"
	      "                  (-o FILE.png|.pdf|.svg|.bin | --print DEVICE)\n"
	      "       kesu label --list-templates [--json]\n\n"
	      "Print QR-coded labels for storage media. The QR code holds KESU:M:<MEDIA-ID>,\n"
	      "or KESU:C:<CERT-ID>:<SHA16> for an erased medium with a certificate.\n\n"
	      "Labels:\n"
	      "  -m, --media-id ID        one label for medium ID ([0-9A-Z-]; repeatable)\n"
	      "  -d, --db PATH            take each medium's fields and latest certificate\n"
	      "                           from the ledger (kesu-ledger(8))\n"
	      "      --cert CERT.json     one label for the certified medium (repeatable):\n"
	      "                           ID, serial, outcome, certificate ID, hash prefix\n"
	      "      --data-name TEXT     data name (データ名)\n"
	      "      --owner TEXT         owner / who handed it over (交付者)\n"
	      "      --description TEXT   a short description\n"
	      "      --serial TEXT        the drive's serial number\n"
	      "      --date YYYY-MM-DD    default: the certificate's day, else today, in the\n"
	      "                           paperwork zone ([paperwork] timezone, Asia/Tokyo)\n"
	      "      --qr media|cert      what the code holds (default: cert when there is one)\n"
	      "  -n, --count N            copies of each label (default 1)\n\n"
	      "Output:\n"
	      "  -t, --template NAME      label template (see --list-templates)\n"
	      "      --template-dir DIR   look for templates in DIR first\n"
	      "  -o, --output FILE        .png (1-bit at the printer's dpi for tape), .pdf,\n"
	      "                           .svg, .bin (Brother QL or P-touch raster)\n"
	      "  -s, --start POS          first free position on a partly used sheet\n"
	      "                           (1 = top left, counted row by row)\n"
	      "  -p, --print DEVICE       send to a Brother QL/P-touch printer (/dev/usb/lp0)\n"
	      "  -l, --list-templates     list the templates and exit\n"
	      "  -c, --config FILE        configuration (for [paperwork] timezone)\n"
	      "  -J, --json               print what was laid out as JSON\n"
	      "  -h, --help               show this help\n\n"
	      "A text too long for its box is shrunk, then wrapped, then refused naming the\n"
	      "field. A code that would be too dense for the printer is refused.\n"
	      "See kesu-label(8).\n", out);
}

enum {
	OPT_DATA_NAME = 256, OPT_OWNER, OPT_DESCRIPTION, OPT_SERIAL, OPT_DATE, OPT_QR,
	OPT_TEMPLATE_DIR, OPT_CERT,
};

static const struct option longopts[] = {
	{ "cert", required_argument, NULL, OPT_CERT },
	CLI_OPTION_CONFIG,
	{ "count", required_argument, NULL, 'n' },
	{ "data-name", required_argument, NULL, OPT_DATA_NAME },
	{ "date", required_argument, NULL, OPT_DATE },
	CLI_OPTION_DB,
	{ "description", required_argument, NULL, OPT_DESCRIPTION },
	{ "help", no_argument, NULL, 'h' },
	CLI_OPTION_JSON,
	{ "list-templates", no_argument, NULL, 'l' },
	{ "media-id", required_argument, NULL, 'm' },
	{ "output", required_argument, NULL, 'o' },
	{ "owner", required_argument, NULL, OPT_OWNER },
	{ "print", required_argument, NULL, 'p' },
	{ "qr", required_argument, NULL, OPT_QR },
	{ "serial", required_argument, NULL, OPT_SERIAL },
	{ "start", required_argument, NULL, 's' },
	{ "template", required_argument, NULL, 't' },
	{ "template-dir", required_argument, NULL, OPT_TEMPLATE_DIR },
	{ NULL, 0, NULL, 0 },
};

/* min..max, digits only (kesu_parse_long: no sign, blank or suffix); min >= 0. */
static int parse_int(const char *s, int min, int max, int *out)
{
	long v;

	if (kesu_parse_long(s, min, max, &v) < 0)
		return -1;
	*out = (int)v;
	return 0;
}

static int set_shared(struct label_opts *o, const char *field, const char *value)
{
	struct kesu_errbuf eb = { { 0 } };
	int rc = kesu_label_data_set(&o->shared, field, value, &eb);

	if (rc < 0)
		kesu_cli_error("%s", eb.msg);
	return rc;
}

static int parse_args(int argc, char **argv, struct label_opts *o)
{
	int c;

	o->count = 1;
	o->start = 1;
	optind = 1;
	while ((c = getopt_long(argc, argv, "c:d:n:hlm:o:p:s:t:J", longopts, NULL)) != -1) {
		int rc = 0;

		switch (c) {
		case CLI_OPT_CONFIG:
			o->config = optarg;
			o->config_short = cli_opt_was_short(argv, optind, optarg);
			break;
		case OPT_CERT:
		case 'm':
			if (o->n_certs + o->n_media >= MAX_SOURCES) {
				kesu_cli_error("more than %d labels in one run", MAX_SOURCES);
				return KESU_EXIT_USAGE;
			}
			if (c == OPT_CERT)
				o->certs[o->n_certs++] = optarg;
			else
				o->media_ids[o->n_media++] = optarg;
			break;
		case 'n':
			if (parse_int(optarg, 1, 1000, &o->count) < 0) {
				kesu_cli_error("--count must be 1-1000");
				return KESU_EXIT_USAGE;
			}
			break;
		case 's':
			if (parse_int(optarg, 1, 10000, &o->start) < 0) {
				kesu_cli_error("--start must be a position from 1");
				return KESU_EXIT_USAGE;
			}
			break;
		case 'h': usage(stdout); return -1;
		case 'l': o->list = 1; break;
		case CLI_OPT_DB: o->db = optarg; break;
		case 'o': o->output = optarg; break;
		case 'p': o->print_dev = optarg; break;
		case 't': o->template_name = optarg; break;
		case OPT_TEMPLATE_DIR: o->template_dir = optarg; break;
		case CLI_OPT_JSON: o->json = 1; break;
		case OPT_DATA_NAME: rc = set_shared(o, "data_name", optarg); break;
		case OPT_OWNER: rc = set_shared(o, "owner", optarg); break;
		case OPT_DESCRIPTION: rc = set_shared(o, "description", optarg); break;
		case OPT_SERIAL: rc = set_shared(o, "serial", optarg); break;
		case OPT_DATE:
			rc = set_shared(o, "date", optarg);
			o->date_given = 1;
			break;
		case OPT_QR:
			if (!strcmp(optarg, "media"))
				o->shared.qr = KESU_LABEL_QR_MEDIA;
			else if (!strcmp(optarg, "cert"))
				o->shared.qr = KESU_LABEL_QR_CERT;
			else {
				kesu_cli_error("--qr must be media or cert");
				return KESU_EXIT_USAGE;
			}
			break;
		default:
			usage(stderr);
			return KESU_EXIT_USAGE;
		}
		if (rc < 0)
			return rc == -KESU_E_TOO_LONG || rc == -KESU_E_BAD_INPUT ? KESU_EXIT_BAD_INPUT :
			       KESU_EXIT_USAGE;
	}
	if (optind < argc) {
		kesu_cli_error("unexpected argument '%s'; see 'kesu label --help'", argv[optind]);
		return KESU_EXIT_USAGE;
	}
	return 0;
}

static const char *printer_name(enum kesu_tpl_printer p)
{
	switch (p) {
	case KESU_TPL_PRINTER_SHEET: return "sheet";
	case KESU_TPL_PRINTER_BROTHER_QL: return "brother-ql";
	case KESU_TPL_PRINTER_BROTHER_PT: return "brother-pt";
	}
	return "?";
}

static int list_templates(const struct label_opts *o)
{
	struct kesu_errbuf eb = { { 0 } };
	json_t *arr = o->json ? json_array() : NULL;
	char **names = NULL;
	size_t n = 0, i;
	int rc;

	rc = kesu_template_names(o->template_dir, &names, &n, &eb);
	if (rc < 0) {
		kesu_cli_error("%s", eb.msg);
		json_decref(arr);
		return kesu_exit_for(rc);
	}
	if (!o->json)
		printf("%-14s %-10s %4s %-13s %-9s %s\n", "NAME", "PRINTER", "DPI", "SIZE (mm)", "QR",
		       "DESCRIPTION");
	for (i = 0; i < n; i++) {
		struct kesu_template t;
		char size[32], qr[16];

		if (kesu_template_find(names[i], o->template_dir, &t, &eb) < 0) {
			kesu_cli_error("%s", eb.msg);
			rc = -KESU_E_BAD_INPUT;
			continue;
		}
		snprintf(size, sizeof(size), "%gx%g", t.width, t.height);
		snprintf(qr, sizeof(qr), "%s v<=%d", kesu_qr_ecc_name(t.qr.ecc), t.qr.max_version);
		if (arr)
			json_array_append_new(arr, json_pack("{s:s, s:s, s:i, s:f, s:f, s:i, s:s, s:i, s:s, s:s}",
				"name", t.name, "printer", printer_name(t.printer), "dpi", t.dpi,
				"width_mm", t.width, "height_mm", t.height,
				"per_page", kesu_template_per_page(&t), "ecc", kesu_qr_ecc_name(t.qr.ecc),
				"max_version", t.qr.max_version, "description", t.description,
				"path", t.path));
		else
			printf("%-14s %-10s %4d %-13s %-9s %s\n", t.name, printer_name(t.printer),
			       t.dpi, size, qr, t.description);
	}
	if (arr) {
		char *s = json_dumps(arr, JSON_INDENT(2) | JSON_REAL_PRECISION(6));

		if (s)
			puts(s);
		free(s);
		json_decref(arr);
	}
	kesu_template_names_free(names, n);
	return rc < 0 ? KESU_EXIT_BAD_INPUT : KESU_EXIT_OK;
}

/* Today in the paperwork zone ([paperwork] timezone). */
static void today(char *buf, size_t len)
{
	kesu_time_paper(kesu_clock_now(), KESU_PAPER_DATE, buf, len);
}

/* One entry per --cert and --media-id, each repeated count times. */
static int build_labels(const struct label_opts *o, struct kesu_ledger *lg,
			struct kesu_label_data **out, size_t *n_out)
{
	size_t n_src = o->n_certs + o->n_media, n = n_src * (size_t)o->count, i, k = 0;
	struct kesu_label_data *labels = calloc(n, sizeof(*labels));
	struct kesu_errbuf eb = { { 0 } };
	char day[16];
	int rc = 0;

	if (!labels) {
		kesu_cli_error("out of memory");
		return -ENOMEM;
	}
	today(day, sizeof(day));
	for (i = 0; i < n_src && rc == 0; i++) {
		struct kesu_label_data d = o->shared;
		int c;

		if (i < o->n_certs)
			rc = kesu_label_data_from_cert(&d, o->certs[i], &eb);
		else
			rc = kesu_label_data_set(&d, "media_id", o->media_ids[i - o->n_certs], &eb);
		if (rc == 0 && lg && i >= o->n_certs)
			rc = kesu_label_data_from_ledger(&d, lg, d.media_id, &eb);
		if (rc < 0)
			break;
		if (!d.date[0])
			snprintf(d.date, sizeof(d.date), "%s", day);
		for (c = 0; c < o->count; c++)
			labels[k++] = d;
	}
	if (rc < 0) {
		kesu_cli_error("%s", eb.msg);
		free(labels);
		return rc;
	}
	*out = labels;
	*n_out = n;
	return 0;
}

static void print_json(const struct label_opts *o, const struct kesu_template *t,
		       enum kesu_label_format fmt, const struct kesu_label_result *res, size_t n,
		       size_t bytes)
{
	json_t *root = json_object(), *arr = json_array();
	char *s;
	size_t i;

	json_object_set_new(root, "template", json_string(t->name));
	json_object_set_new(root, "format", json_string(kesu_label_format_name(fmt)));
	json_object_set_new(root, "output", o->output ? json_string(o->output) : json_null());
	json_object_set_new(root, "printed_to", o->print_dev ? json_string(o->print_dev) : json_null());
	json_object_set_new(root, "bytes", json_integer((json_int_t)bytes));
	json_object_set_new(root, "ecc", json_string(kesu_qr_ecc_name(t->qr.ecc)));
	for (i = 0; i < n; i++)
		json_array_append_new(arr, json_pack("{s:s, s:i, s:i, s:f, s:i, s:i}",
			"payload", res[i].payload, "qr_version", res[i].version,
			"modules", res[i].modules, "module_dots", res[i].module_dots,
			"page", res[i].page, "position", res[i].position));
	json_object_set_new(root, "labels", arr);
	s = json_dumps(root, JSON_INDENT(2) | JSON_REAL_PRECISION(3));
	if (s)
		puts(s);
	free(s);
	json_decref(root);
}

static int exit_for_label_error(int rc)
{
	if (rc == -KESU_E_NOT_FOUND)
		return KESU_EXIT_USAGE;      /* an unknown template is a bad command line */
	return kesu_exit_for(rc);
}

static int run(struct label_opts *o)
{
	struct kesu_errbuf eb = { { 0 } };
	struct kesu_label_data *labels = NULL;
	struct kesu_label_result *res = NULL;
	struct kesu_ledger *lg = NULL;
	struct kesu_template t;
	enum kesu_label_format fmt = KESU_LABEL_QL;
	uint8_t *data = NULL;
	size_t n = 0, len = 0;
	int rc, ex = KESU_EXIT_OK;

	struct kesu_config *cfg = NULL;

	if (!o->template_name) {
		kesu_cli_error("no --template; see 'kesu label --list-templates'");
		return KESU_EXIT_USAGE;
	}
	/* The configuration (--config, $KESU_CONFIG, else /etc/kesu/kesu.conf) dates labels in its [paperwork] timezone. */
	rc = kesu_config_load(o->config, &cfg, &eb);
	kesu_config_free(cfg);
	if (rc < 0) {
		kesu_cli_error("%s", eb.msg);
		if (o->config_short)
			cli_config_hint(o->config, "--cert (a certificate)");
		return kesu_exit_for(rc);
	}
	if (o->n_certs + o->n_media == 0) {
		kesu_cli_error("nothing to label: give --media-id ID or --cert CERT.json");
		return KESU_EXIT_USAGE;
	}
	if (!o->output && !o->print_dev) {
		kesu_cli_error("no output: give -o FILE (.png .pdf .svg .bin) or --print DEVICE");
		return KESU_EXIT_USAGE;
	}
	if (o->output && kesu_label_format_for_path(o->output, &fmt) < 0) {
		kesu_cli_error("%s: the output must end in .png, .pdf, .svg or .bin", o->output);
		return KESU_EXIT_USAGE;
	}
	if (o->print_dev && o->output && fmt != KESU_LABEL_QL) {
		kesu_cli_error("--print sends a Brother raster job; -o must then end in .bin");
		return KESU_EXIT_USAGE;
	}
	rc = kesu_template_find(o->template_name, o->template_dir, &t, &eb);
	if (rc < 0) {
		kesu_cli_error("%s", eb.msg);
		return exit_for_label_error(rc);
	}
	if (o->db) {
		rc = kesu_ledger_open(o->db, 0, 5000, &lg, &eb);
		if (rc < 0) {
			kesu_cli_error("%s", eb.msg);
			return kesu_exit_for(rc);
		}
	}
	rc = build_labels(o, lg, &labels, &n);
	kesu_ledger_close(lg);
	if (rc < 0)
		return rc == -KESU_E_NOT_FOUND ? KESU_EXIT_FAILURE : exit_for_label_error(rc);
	res = calloc(n, sizeof(*res));
	if (!res) {
		kesu_cli_error("out of memory");
		ex = KESU_EXIT_IO;
		goto out;
	}
	rc = kesu_label_render(&t, labels, n, o->start, fmt, &data, &len, res, &eb);
	if (rc < 0) {
		kesu_cli_error("%s", eb.msg);
		ex = exit_for_label_error(rc);
		goto out;
	}
	if (o->output) {
		rc = kesu_write_file_atomic(o->output, data, len, 0644, &eb);
		if (rc < 0) {
			kesu_cli_error("%s", eb.msg);
			ex = kesu_exit_for(rc);
			goto out;
		}
	}
	if (o->print_dev) {
		rc = kesu_ql_send(o->print_dev, data, len, &eb);
		if (rc < 0) {
			kesu_cli_error("%s; check the printer is on and the tape is %d mm", eb.msg,
				       t.raster.tape_mm);
			ex = rc == -EINVAL ? KESU_EXIT_USAGE : kesu_exit_for(rc);
			goto out;
		}
	}
	if (o->json)
		print_json(o, &t, fmt, res, n, len);
	else
		printf("%zu label%s on template %s (QR version %d, ECC %s, %.1f dots per module)%s%s%s%s\n",
		       n, n == 1 ? "" : "s", t.name, res[0].version, kesu_qr_ecc_name(t.qr.ecc),
		       res[0].module_dots, o->output ? " written to " : "",
		       o->output ? o->output : "", o->print_dev ? " sent to " : "",
		       o->print_dev ? o->print_dev : "");
out:
	free(data);
	free(res);
	free(labels);
	return ex;
}

int cmd_label(int argc, char **argv)
{
	struct label_opts o;
	int rc;

	memset(&o, 0, sizeof(o));
	rc = parse_args(argc, argv, &o);
	if (rc < 0)
		return KESU_EXIT_OK;         /* --help */
	if (rc > 0)
		return rc;
	if (o.list)
		return list_templates(&o);
	return run(&o);
}
