/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * kesu ledger: the media ledger (データ管理簿). Parses, calls the ledger
 * library (include/kesu/ledger.h) and prints; the rules live in the library.
 */
#include <kesu/cert.h>
#include <kesu/cli.h>
#include <kesu/ledger.h>
#include <kesu/seal.h>
#include <kesu/sign.h>
#include <kesu/util.h>

#include "cli_common.h"
#include "ledger_cli.h"

#include <errno.h>
#include <getopt.h>
#include <jansson.h>
#include <limits.h>
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void usage(FILE *out)
{
	fputs("Usage: kesu ledger [--db PATH] COMMAND [OPTIONS] [ARGS]\n\n"
	      "Keep the media ledger (データ管理簿) in an SQLite file or on a PostgreSQL\n"
	      "server.\n\n"
	      "Commands:\n"
	      "  add MEDIA-ID [FIELDS]      register a medium (status 受領 unless --status)\n"
	      "  edit MEDIA-ID FIELDS       change fields of a medium\n"
	      "  move MEDIA-ID PLACE        change its storage place (保管場所)\n"
	      "  show MEDIA-ID              one medium with its certificates\n"
	      "  history [MEDIA-ID]         the audit events (of one medium)\n"
	      "  list [FILTERS]             the media (--json, --csv)\n"
	      "  import FILE.csv            add rows from CSV (all or nothing)\n"
	      "  import FILE.json           load a whole ledger (into a new one)\n"
	      "  export [-o FILE.csv]       write the ledger as CSV\n"
	      "  export -o FILE.json        the whole ledger with its audit chain and seals\n"
	      "  init-server                on a postgresql:// ledger: the tables and the roles\n"
	      "                             kesu_station, kesu_manager, kesu_officer\n"
	      "  audit [--seal FILE]...     check the hash chain, the tables and the seals\n"
	      "  seal                       sign the chain's head (SEAL-ID.json + .p7s)\n"
	      "  check [FILE|-]             inventory from scanned label payloads\n"
	      "  attach-cert CERT.json      verify a certificate and link it (medium -> 消去済)\n"
	      "  approve-plan --approved-by NAME [--approved-at TIME]\n"
	      "                             record the approved return plan\n"
	      "attach-cert and approve-plan audit and seal the ledger afterwards when the\n"
	      "station has a signing key.\n\n"
	      "Fields (add, edit; list filters --status --place --disposition):\n"
	      "  --serial S --data-name S --medium S --giver S --given-on YYYY-MM-DD\n"
	      "  --receiver S --handover S --place S --storage S --use-place S --purpose S\n"
	      "  --status 受領|保管中|使用中|返却済|消去済|廃棄済\n"
	      "  --disposition 返却|消去|廃棄 --disp-time S --disp-place S --witness S\n"
	      "  --responsible S\n\n"
	      "Options:\n"
	      "  -d, --db PATH         the ledger: a file (default [ledger] db, else\n"
	      "                        ./kesu.db) or a postgresql:// URL\n"
	      "  -c, --config FILE     configuration (default /etc/kesu/kesu.conf)\n"
	      "      --operator NAME   who makes the change, full name (default [operator]\n"
	      "                        name)\n"
	      "      --wait SECONDS    wait this long for a locked database (default 5)\n"
	      "  -J, --json            print JSON\n"
	      "      --csv             list: print CSV\n"
	      "      --search TEXT     list: match data name, medium, serial or media ID\n"
	      "  -e, --encoding ENC    import/export/--csv: utf-8, sjis (CP932) or auto\n"
	      "  -o, --output FILE     export: write FILE (atomically, mode 0600) instead of\n"
	      "                        stdout\n"
	      "      --ca ROOT.pem     attach-cert, audit: the trusted root (default [signing]\n"
	      "                        root)\n"
	      "      --tsa-ca FILE     attach-cert: the time stamp authority's root\n"
	      "                        (default [signing] tsa_root)\n"
	      "      --media-id ID     attach-cert: the medium of a certificate that names none\n"
	      "                        (its station could not reach the ledger); linked only\n"
	      "                        when the certificate's serial is the ledger's for ID\n"
	      "      --seal FILE       audit: also hold the chain against this seal file\n"
	      "                        (repeatable; the files in DB.seals/ are always checked)\n"
	      "      --approved-by NAME  approve-plan: the 主管担当 who approved it (full name)\n"
	      "      --approved-at TIME  approve-plan: when, e.g. \"2026-11-25 10:30\" (default\n"
	      "                          now; a date alone counts as the end of that day)\n"
	      "  -h, --help            show this help\n\n"
	      "See kesu-ledger(8).\n", out);
}

enum {
	OPT_CSV = LCLI_OPT_FREE, OPT_SEARCH, OPT_APPROVED_BY, OPT_APPROVED_AT, OPT_SEAL,
	OPT_TSA_CA,
	OPT_MEDIA_ID,
	OPT_FIELD = 1000,    /* + enum kesu_media_field */
};

/* Options that only some ledger commands take: given elsewhere they are refused, not ignored. */
enum {
	LO_CSV = 1 << 0, LO_SEARCH = 1 << 1, LO_APPROVED_BY = 1 << 2, LO_APPROVED_AT = 1 << 3,
	LO_SEAL = 1 << 4, LO_TSA_CA = 1 << 5, LO_MEDIA_ID = 1 << 6,
};

static const struct {
	unsigned flag;
	const char *option, *commands;
} limited_options[] = {
	{ LO_CSV, "--csv", "list and export" },
	{ LO_SEARCH, "--search", "list and export" },
	{ LO_APPROVED_BY, "--approved-by", "approve-plan" },
	{ LO_APPROVED_AT, "--approved-at", "approve-plan" },
	{ LO_SEAL, "--seal", "audit and seal" },
	{ LO_TSA_CA, "--tsa-ca", "attach-cert" },
	{ LO_MEDIA_ID, "--media-id", "attach-cert" },
};

struct ledger_args {
	struct lcli_common c;
	struct kesu_media fields;
	int nfields;
	int csv;
	const char *search, *encoding, *output, *ca, *tsa_ca, *approved_by, *approved_at, *media_id;
	const char *seals[64];
	size_t nseals;
	unsigned given;          /* LO_* of the options that only some commands take */
	int npos;
	char **pos;
};

static int parse_args(int argc, char **argv, struct ledger_args *a)
{
	static const struct option base[] = {
		LCLI_COMMON_OPTIONS,
		{ "csv", no_argument, NULL, OPT_CSV },
		{ "search", required_argument, NULL, OPT_SEARCH },
		{ "encoding", required_argument, NULL, 'e' },
		{ "output", required_argument, NULL, 'o' },
		CLI_OPTION_CA,
		{ "approved-by", required_argument, NULL, OPT_APPROVED_BY },
		{ "approved-at", required_argument, NULL, OPT_APPROVED_AT },
		{ "seal", required_argument, NULL, OPT_SEAL },
		{ "tsa-ca", required_argument, NULL, OPT_TSA_CA },
		{ "media-id", required_argument, NULL, OPT_MEDIA_ID },
		{ "help", no_argument, NULL, 'h' },
	};
	struct option opts[sizeof(base) / sizeof(base[0]) + KESU_MF_COUNT + 1];
	size_t n = 0;
	int c, taken;

	memcpy(opts, base, sizeof(base));
	n = sizeof(base) / sizeof(base[0]);
	for (int i = KESU_MF_SERIAL; i < KESU_MF_COUNT; i++) {
		opts[n].name = kesu_media_field_info((enum kesu_media_field)i)->option;
		opts[n].has_arg = required_argument;
		opts[n].flag = NULL;
		opts[n].val = OPT_FIELD + i;
		n++;
	}
	memset(&opts[n], 0, sizeof(opts[n]));

	a->c.wait_ms = LCLI_DEFAULT_WAIT_MS;
	optind = 1;
	while ((c = getopt_long(argc, argv, "d:c:Je:o:h", opts, NULL)) != -1) {
		if ((taken = lcli_take_option(&a->c, c, optarg)) < 0)
			return KESU_EXIT_USAGE;
		if (taken)
			continue;
		switch (c) {
		case OPT_CSV: a->csv = 1; a->given |= LO_CSV; break;
		case OPT_SEARCH: a->search = optarg; a->given |= LO_SEARCH; break;
		case 'e': a->encoding = optarg; break;
		case 'o': a->output = optarg; break;
		case CLI_OPT_CA: a->ca = optarg; break;
		case OPT_APPROVED_BY: a->approved_by = optarg; a->given |= LO_APPROVED_BY; break;
		case OPT_APPROVED_AT: a->approved_at = optarg; a->given |= LO_APPROVED_AT; break;
		case OPT_TSA_CA: a->tsa_ca = optarg; a->given |= LO_TSA_CA; break;
		case OPT_MEDIA_ID: a->media_id = optarg; a->given |= LO_MEDIA_ID; break;
		case OPT_SEAL:
			a->given |= LO_SEAL;
			if (a->nseals == sizeof(a->seals) / sizeof(a->seals[0])) {
				kesu_cli_error("at most 64 --seal files");
				return KESU_EXIT_USAGE;
			}
			a->seals[a->nseals++] = optarg;
			break;
		case 'h': usage(stdout); return -1;
		default:
			if (c >= OPT_FIELD && c < OPT_FIELD + KESU_MF_COUNT) {
				if (kesu_media_set(&a->fields, (enum kesu_media_field)(c - OPT_FIELD),
						   optarg) < 0)
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

static int need_args(const struct ledger_args *a, int n, const char *what)
{
	if (a->npos - 1 != n) {
		kesu_cli_error("'ledger %s' needs %s; see 'kesu ledger --help'", a->pos[0], what);
		return KESU_EXIT_USAGE;
	}
	return 0;
}

static int encoding_of(const struct ledger_args *a, enum kesu_csv_encoding dflt,
		       enum kesu_csv_encoding *enc)
{
	int e;

	if (!a->encoding) {
		*enc = dflt;
		return 0;
	}
	if ((e = kesu_csv_encoding_parse(a->encoding)) < 0) {
		kesu_cli_error("unknown encoding '%s': use utf-8, sjis or auto", a->encoding);
		return KESU_EXIT_USAGE;
	}
	*enc = (enum kesu_csv_encoding)e;
	return 0;
}

static json_t *media_json(const struct kesu_media *m)
{
	json_t *o = json_object();

	for (int i = 0; o && i < KESU_MF_COUNT; i++)
		json_object_set_new(o, kesu_media_field_info((enum kesu_media_field)i)->key,
				    json_string(kesu_media_get(m, (enum kesu_media_field)i)));
	return o;
}

static int do_add(struct kesu_ledger *lg, struct ledger_args *a)
{
	struct kesu_errbuf eb = { "" };
	long no;
	int rc;

	if ((rc = need_args(a, 1, "a media ID")) != 0)
		return rc;
	if ((rc = kesu_media_set(&a->fields, KESU_MF_MEDIA_ID, a->pos[1])) < 0)
		return lcli_fail(rc, NULL);
	if ((rc = kesu_ledger_add(lg, &a->fields, &no, &eb)) < 0)
		return lcli_fail(rc, &eb);
	if (a->c.json)
		return lcli_print_json(json_pack("{sIss}", "no", (json_int_t)no, "media_id", a->pos[1]));
	printf("added %s as 項番 %ld\n", a->pos[1], no);
	return KESU_EXIT_OK;
}

static int do_edit(struct kesu_ledger *lg, struct ledger_args *a)
{
	struct kesu_errbuf eb = { "" };
	int rc;

	if ((rc = need_args(a, 1, "a media ID")) != 0)
		return rc;
	if (!a->nfields) {
		kesu_cli_error("nothing to change: give fields such as --place or --status");
		return KESU_EXIT_USAGE;
	}
	if ((rc = kesu_ledger_edit(lg, a->pos[1], &a->fields, &eb)) < 0)
		return lcli_fail(rc, &eb);
	if (!a->c.json)
		printf("updated %s\n", a->pos[1]);
	return KESU_EXIT_OK;
}

static int do_move(struct kesu_ledger *lg, struct ledger_args *a)
{
	struct kesu_errbuf eb = { "" };
	const char *place = a->fields.f[KESU_MF_PLACE];
	int rc;

	if (a->npos == 3 && !place)
		place = a->pos[2];
	else if ((rc = need_args(a, 1, "a media ID and the new place")) != 0)
		return rc;
	if ((rc = kesu_ledger_move(lg, a->pos[1], place, &eb)) < 0)
		return lcli_fail(rc, &eb);
	if (!a->c.json)
		printf("moved %s to %s\n", a->pos[1], place);
	return KESU_EXIT_OK;
}

static int do_show(struct kesu_ledger *lg, struct ledger_args *a)
{
	struct kesu_errbuf eb = { "" };
	struct kesu_media m;
	struct kesu_cert_link *links = NULL;
	size_t n = 0;
	int rc;

	if ((rc = need_args(a, 1, "a media ID")) != 0)
		return rc;
	if ((rc = kesu_ledger_get_media(lg, a->pos[1], &m, &eb)) < 0)
		return lcli_fail(rc, &eb);
	if ((rc = kesu_ledger_cert_links(lg, a->pos[1], &links, &n, &eb)) < 0) {
		kesu_media_release(&m);
		return lcli_fail(rc, &eb);
	}
	if (a->c.json) {
		json_t *o = media_json(&m), *arr = json_array();

		for (size_t i = 0; arr && i < n; i++)
			json_array_append_new(arr, json_pack("{ss ss ss ss ss ss}",
				"certificate_id", links[i].cert_id, "outcome", links[i].outcome,
				"sha256", links[i].sha256, "device_serial", links[i].device_serial,
				"attached_at", links[i].attached_at, "path", links[i].path));
		json_object_set_new(o, "certificates", arr);
		rc = lcli_print_json(o);
	} else {
		for (int i = 0; i < KESU_MF_COUNT; i++) {
			lcli_pad(stdout, kesu_media_field_info((enum kesu_media_field)i)->heading, 14);
			printf("%s\n", cli_esc(kesu_media_get(&m, (enum kesu_media_field)i)));
		}
		for (size_t i = 0; i < n; i++)
			printf("証明書        %s %s sha256:%.16s %s\n", cli_esc(links[i].cert_id),
			       cli_esc(links[i].outcome), cli_esc(links[i].sha256),
			       cli_esc(links[i].attached_at));
		rc = KESU_EXIT_OK;
	}
	free(links);
	kesu_media_release(&m);
	return rc;
}

/* "  保管場所: 金庫A -> 金庫B" per change; other details as they are. */
static void history_changes(const char *entity, const char *detail_text)
{
	json_t *detail = json_loads(detail_text, 0, NULL), *changes, *pair, *v;
	const char *field;

	changes = json_object_get(detail, "changes");
	if (!json_is_object(changes)) {
		const char *key;

		json_object_foreach(detail, key, v) {
			char *dump = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);

			printf("        %s: %s\n", cli_esc(key), dump ? cli_esc(dump) : "?");
			free(dump);
		}
		if (!detail)
			printf("        %s\n", cli_esc(detail_text));
		json_decref(detail);
		return;
	}
	json_object_foreach(changes, field, pair) {
		int work = !strcmp(entity, "work");
		int f = work || !strcmp(entity, "staff") ? -1 : kesu_media_field_lookup(field);
		int w = work ? kesu_work_field_lookup(field) : -1;
		const char *name = f >= 0 ? kesu_media_field_info((enum kesu_media_field)f)->heading :
				   w >= 0 ? kesu_work_field_info((enum kesu_work_field)w)->heading : field;

		for (int k = 0; !strcmp(entity, "staff") && k < KESU_SF_COUNT; k++)
			if (!strcmp(field, kesu_staff_field_info((enum kesu_staff_field)k)->key))
				name = kesu_staff_field_info((enum kesu_staff_field)k)->heading;
		const char *oldv = json_string_value(json_array_get(pair, 0));
		const char *newv = json_string_value(json_array_get(pair, 1));

		if (oldv && *oldv)
			printf("        %s: %s -> %s\n", cli_esc(name), cli_esc(oldv), cli_esc(newv));
		else
			printf("        %s: %s\n", cli_esc(name), cli_esc(newv));
	}
	json_decref(detail);
}

static int history_print(const struct kesu_ledger_event *ev, void *ud)
{
	json_t *arr = ud;

	if (arr) {
		/* a detail that is not JSON (edited behind kesu's back) is shown as text */
		json_t *detail = json_loads(ev->detail, 0, NULL);

		if (!detail)
			detail = json_string(ev->detail);
		return json_array_append_new(arr, json_pack("{sI ss ss ss ss ss so ss ss}",
			"seq", (json_int_t)ev->seq, "time", ev->time, "operator", ev->operator_name,
			"action", ev->action, "entity", ev->entity, "key", ev->key,
			"detail", detail, "prev_hash", ev->prev_hash, "hash", ev->hash)) < 0;
	}
	printf("%5ld  %s  %-12s %s  %s\n", ev->seq, cli_esc(ev->time), cli_esc(ev->action),
	       cli_esc(ev->key), cli_esc(ev->operator_name));
	history_changes(ev->entity, ev->detail);
	return 0;
}

static int do_history(struct kesu_ledger *lg, struct ledger_args *a)
{
	struct kesu_errbuf eb = { "" };
	json_t *arr = a->c.json ? json_array() : NULL;
	int rc;

	if (a->npos > 2) {
		kesu_cli_error("'ledger history' takes at most one media ID");
		return KESU_EXIT_USAGE;
	}
	rc = kesu_ledger_history(lg, a->npos == 2 ? a->pos[1] : NULL, history_print, arr, &eb);
	if (rc < 0) {
		json_decref(arr);
		return lcli_fail(rc, &eb);
	}
	return arr ? lcli_print_json(arr) : KESU_EXIT_OK;
}

static int list_text(const struct kesu_media_list *l)
{
	static const enum kesu_media_field cols[] = {
		KESU_MF_NO, KESU_MF_MEDIA_ID, KESU_MF_DATA_NAME, KESU_MF_MEDIUM, KESU_MF_PLACE,
		KESU_MF_STATUS, KESU_MF_DISPOSITION,
	};
	size_t w[sizeof(cols) / sizeof(cols[0])];

	for (size_t c = 0; c < sizeof(cols) / sizeof(cols[0]); c++) {
		w[c] = lcli_width(kesu_media_field_info(cols[c])->heading);
		for (size_t r = 0; r < l->n; r++) {
			size_t x = lcli_width(kesu_media_get(&l->items[r], cols[c]));

			if (x > w[c])
				w[c] = x;
		}
	}
	for (size_t c = 0; c < sizeof(cols) / sizeof(cols[0]); c++)
		lcli_pad(stdout, kesu_media_field_info(cols[c])->heading, w[c] + 2);
	fputc('\n', stdout);
	for (size_t r = 0; r < l->n; r++) {
		for (size_t c = 0; c < sizeof(cols) / sizeof(cols[0]); c++)
			lcli_pad(stdout, kesu_media_get(&l->items[r], cols[c]), w[c] + 2);
		fputc('\n', stdout);
	}
	return KESU_EXIT_OK;
}

static int write_out(const char *path, const char *data, size_t len)
{
	struct kesu_errbuf eb = { "" };
	int rc;

	if (!path || !strcmp(path, "-")) {
		if (fwrite(data, 1, len, stdout) != len || fflush(stdout))
			return lcli_fail(-EIO, NULL);
		return KESU_EXIT_OK;
	}
	/* people's names (and, as JSON, the whole chain): readable by its owner only */
	if ((rc = kesu_write_file_atomic(path, data, len, 0600, &eb)) < 0)
		return lcli_fail(rc, &eb);
	return KESU_EXIT_OK;
}

static int do_list(struct kesu_ledger *lg, struct ledger_args *a, int export)
{
	struct kesu_media_filter f = {
		.status = a->fields.f[KESU_MF_STATUS], .place = a->fields.f[KESU_MF_PLACE],
		.disposition = a->fields.f[KESU_MF_DISPOSITION], .search = a->search,
	};
	struct kesu_errbuf eb = { "" };
	struct kesu_media_list l;
	int rc;

	if (a->npos != 1) {
		kesu_cli_error("'ledger %s' takes no arguments (filters are options)", a->pos[0]);
		return KESU_EXIT_USAGE;
	}
	if (export && a->output && strlen(a->output) > 5 &&
	    !strcmp(a->output + strlen(a->output) - 5, ".json")) {
		char *out;

		if ((rc = kesu_ledger_export_json(lg, &out, &eb)) < 0)
			return lcli_fail(rc, &eb);
		rc = write_out(a->output, out, strlen(out));
		free(out);
		return rc;
	}
	if (export || a->csv) {
		enum kesu_csv_encoding enc;
		char *out;
		size_t len;

		if ((rc = encoding_of(a, KESU_CSV_UTF8, &enc)) != 0)
			return rc;
		if (enc == KESU_CSV_AUTO)
			enc = KESU_CSV_UTF8;
		if ((rc = kesu_ledger_export_csv(lg, &f, enc, &out, &len, &eb)) < 0)
			return lcli_fail(rc, &eb);
		rc = write_out(a->output, out, len);
		free(out);
		return rc;
	}
	if ((rc = kesu_ledger_list(lg, &f, &l, &eb)) < 0)
		return lcli_fail(rc, &eb);
	if (a->c.json) {
		json_t *arr = json_array();

		for (size_t i = 0; arr && i < l.n; i++)
			json_array_append_new(arr, media_json(&l.items[i]));
		rc = lcli_print_json(arr);
	} else {
		rc = list_text(&l);
	}
	kesu_media_list_release(&l);
	return rc;
}

static void import_error(void *ud, size_t line, const char *msg)
{
	kesu_cli_error("%s:%zu: %s", (const char *)ud, line, msg);
}

static int do_import(struct kesu_ledger *lg, struct ledger_args *a)
{
	struct kesu_errbuf eb = { "" };
	enum kesu_csv_encoding enc;
	size_t n = 0;
	int rc;

	if ((rc = need_args(a, 1, "a CSV file")) != 0)
		return rc;
	if (kesu_ledger_file_is_json(a->pos[1])) {
		if ((rc = kesu_ledger_import_json(lg, a->pos[1], &eb)) < 0)
			return lcli_fail(rc, &eb);
		printf("imported the ledger from %s; check it with 'kesu ledger audit'\n", a->pos[1]);
		return KESU_EXIT_OK;
	}
	if ((rc = encoding_of(a, KESU_CSV_AUTO, &enc)) != 0)
		return rc;
	if ((rc = kesu_ledger_import_csv(lg, a->pos[1], enc, import_error, a->pos[1], &n, &eb)) < 0)
		return lcli_fail(rc, &eb);
	if (a->c.json)
		return lcli_print_json(json_pack("{sI}", "imported", (json_int_t)n));
	printf("imported %zu row%s from %s\n", n, n == 1 ? "" : "s", a->pos[1]);
	return KESU_EXIT_OK;
}

static void print_seal(const char *label, const struct kesu_seal *s)
{
	printf("%s %s: event %ld, head %s, sealed %s\n", label, s->seal_id, s->seq, s->head,
	       s->sealed_at);
	if (s->file[0])
		printf("  file %s\n", s->file);
}

static json_t *seal_json(const struct kesu_seal *s)
{
	return json_pack("{ss sI ss ss ss ss}", "seal_id", s->seal_id, "seq", (json_int_t)s->seq,
			 "head", s->head, "sealed_at", s->sealed_at, "database", s->database,
			 "file", s->file);
}

static int do_audit(struct kesu_ledger *lg, struct ledger_args *a, const struct kesu_config *cfg)
{
	struct kesu_errbuf eb = { "" };
	struct kesu_seal_audit res;
	char root[PATH_MAX];
	struct kesu_seal_audit_opts ao = {
		.ca_path = lcli_trust_root(a->ca, cfg, root, sizeof(root)),
		.files = a->seals, .n_files = a->nseals,
	};
	int rc;

	if ((rc = need_args(a, 0, "no arguments (seal files go with --seal)")) != 0)
		return rc;
	rc = kesu_ledger_seal_audit(lg, &ao, &res, &eb);
	if (rc < 0 && rc != -KESU_E_VERIFY)
		return lcli_fail(rc, &eb);
	if (a->c.json) {
		json_t *o = json_pack("{sb sI sI ss ss sI sI sb sb}", "ok", rc == 0, "events",
				      (json_int_t)res.chain.events, "first_bad",
				      (json_int_t)res.first_bad, "head", res.chain.head,
				      "problem", res.problem, "seals_checked", (json_int_t)res.seals,
				      "events_after_seal", (json_int_t)res.after, "sealed", res.sealed,
				      "seals_unchecked", res.unchecked);

		if (o && res.sealed)
			json_object_set_new(o, "latest_seal", seal_json(&res.latest));
		int ex = lcli_print_json(o);

		return rc == 0 ? ex : KESU_EXIT_FAILURE;
	}
	if (res.sealed)
		print_seal("latest seal", &res.latest);
	if (rc < 0) {
		kesu_cli_error("audit FAILED: %s", res.problem);
		if (res.first_bad > 0)
			kesu_cli_error("the history diverges at event %ld: see 'kesu ledger history'",
				       res.first_bad);
		return KESU_EXIT_FAILURE;
	}
	printf("audit ok: %ld events, the chain holds and the tables match them\n"
	       "head %s\n", res.chain.events, *res.chain.head ? res.chain.head : "(no events)");
	if (res.unchecked)
		kesu_cli_error("warning: the seals were NOT checked: no root to verify them against "
			       "(give --ca ROOT.pem or set [signing] root)");
	if (res.sealed)
		printf("%ld seal%s checked; %ld event%s after the latest seal\n", res.seals,
		       res.seals == 1 ? "" : "s", res.after, res.after == 1 ? "" : "s");
	else
		printf("the ledger has no seal yet: seal it with 'kesu ledger seal'\n");
	return KESU_EXIT_OK;
}

static int do_seal(struct kesu_ledger *lg, struct ledger_args *a, const struct kesu_config *cfg)
{
	struct kesu_errbuf eb = { "" };
	struct kesu_signer *signer = NULL;
	struct kesu_seal_audit res;
	struct kesu_seal seal;
	char root[PATH_MAX];
	struct kesu_seal_audit_opts ao = {
		.ca_path = lcli_trust_root(a->ca, cfg, root, sizeof(root)),
		.files = a->seals, .n_files = a->nseals,
	};
	int rc;

	if ((rc = need_args(a, 0, "no arguments")) != 0)
		return rc;
	if ((rc = lcli_signer(cfg, &signer, &eb)) < 0)
		return lcli_fail(rc, &eb);
	rc = kesu_ledger_audit_and_seal(lg, signer, &ao, 0, &seal, &res, &eb);
	kesu_signer_free(signer);
	if (rc < 0) {
		if (res.first_bad > 0)
			kesu_cli_error("the history diverges at event %ld", res.first_bad);
		return lcli_fail(rc, &eb);
	}
	if (a->c.json)
		return lcli_print_json(seal_json(&seal));
	print_seal("sealed", &seal);
	printf("check it with: openssl cms -verify -binary -inform PEM -in %s.p7s -content %s "
	       "-CAfile %s -out /dev/null\n", seal.file[0] ? seal.file : "SEAL.json",
	       seal.file[0] ? seal.file : "SEAL.json", ao.ca_path ? ao.ca_path : "ROOT.pem");
	return KESU_EXIT_OK;
}

static const char *state_name(enum kesu_check_state s)
{
	switch (s) {
	case KESU_CHECK_PRESENT:    return "present";
	case KESU_CHECK_MISSING:    return "missing";
	case KESU_CHECK_UNEXPECTED: return "unexpected";
	case KESU_CHECK_MISPLACED:  return "misplaced";
	}
	return "?";
}

/*
 * A scanner typing into a terminal: say at once what each scan is, so the
 * operator hears about an unknown label while still holding the medium.
 */
static int read_scans_interactive(struct kesu_ledger *lg, char **text)
{
	size_t len = 0, cap = 0;
	char line[512], *buf = NULL;

	fputs("Scan the labels; end with Ctrl-D.\n", stderr);
	while (fgets(line, sizeof(line), stdin)) {
		char id[KESU_LEDGER_ID_MAX], sha[17], trimmed[512];
		size_t n = strlen(line);
		int kind = kesu_ledger_parse_payload(line, id, sizeof(id), sha);

		if (len + n + 2 > cap) {
			char *nb = realloc(buf, cap = (cap + n + 2) * 2);

			if (!nb) {
				free(buf);
				return -ENOMEM;
			}
			buf = nb;
		}
		memcpy(buf + len, line, n);
		len += n;
		buf[len] = 0;
		kesu_strtrim_copy(trimmed, sizeof(trimmed), line);
		if (!*trimmed)
			continue;
		if (kind == 'M') {
			struct kesu_media m;

			if (kesu_ledger_get_media(lg, id, &m, NULL) == 0) {
				fprintf(stderr, "  ok  %s  %s (%s)\n", id,
					cli_esc(kesu_media_get(&m, KESU_MF_DATA_NAME)),
					cli_esc(kesu_media_get(&m, KESU_MF_PLACE)));
				kesu_media_release(&m);
			} else {
				fprintf(stderr, "\a  ??  %s is not in the ledger\n", id);
			}
		} else if (kind == 'C') {
			fprintf(stderr, "  ok  certificate %s\n", id);
		} else {
			fprintf(stderr, "\a  ??  '%s' is not a kesu label\n", cli_esc(trimmed));
		}
	}
	if (!buf && !(buf = calloc(1, 1)))
		return -ENOMEM;
	*text = buf;
	return 0;
}

static int do_check(struct kesu_ledger *lg, struct ledger_args *a)
{
	struct kesu_errbuf eb = { "" };
	struct kesu_check_result res;
	const char *place = a->fields.f[KESU_MF_PLACE];
	char *text;
	int rc;

	if (a->npos > 2) {
		kesu_cli_error("'ledger check' reads one file (or - for standard input)");
		return KESU_EXIT_USAGE;
	}
	if (a->npos == 1 && isatty(STDIN_FILENO))
		rc = read_scans_interactive(lg, &text);
	else
		rc = lcli_read_input(a->npos == 2 ? a->pos[1] : "-", &text, &eb);
	if (rc < 0)
		return lcli_fail(rc, &eb);
	rc = kesu_ledger_check(lg, text, place, &res, &eb);
	free(text);
	if (rc < 0)
		return lcli_fail(rc, &eb);
	if (a->c.json) {
		json_t *o = json_pack("{sI sI sI sI sI ss s[]}", "present", (json_int_t)res.present,
				      "missing", (json_int_t)res.missing, "unexpected",
				      (json_int_t)res.unexpected, "misplaced", (json_int_t)res.misplaced,
				      "event", (json_int_t)res.event_seq, "place", place ? place : "",
				      "items");

		for (size_t i = 0; o && i < res.n; i++)
			json_array_append_new(json_object_get(o, "items"), json_pack(
				"{ss ss ss ss ss}", "state", state_name(res.items[i].state),
				"media_id", res.items[i].media_id, "payload", res.items[i].payload,
				"ledger_place", res.items[i].ledger_place, "note", res.items[i].note));
		lcli_print_json(o);
	} else {
		for (size_t i = 0; i < res.n; i++) {
			const struct kesu_check_item *it = &res.items[i];

			printf("%-10s %s", state_name(it->state),
			       cli_esc(*it->media_id ? it->media_id : it->payload));
			if (it->state == KESU_CHECK_MISPLACED)
				printf("  (the ledger says %s)", cli_esc(it->ledger_place));
			if (*it->note)
				printf("  %s", cli_esc(it->note));
			fputc('\n', stdout);
		}
		printf("present %zu, missing %zu, unexpected %zu, misplaced %zu (recorded as event %ld)\n",
		       res.present, res.missing, res.unexpected, res.misplaced, res.event_seq);
	}
	rc = res.missing || res.unexpected || res.misplaced ? KESU_EXIT_FAILURE : KESU_EXIT_OK;
	kesu_check_result_release(&res);
	return rc;
}

static int do_attach(struct kesu_ledger *lg, struct ledger_args *a, const struct kesu_config *cfg)
{
	struct kesu_errbuf eb = { "" };
	char media_id[KESU_LEDGER_ID_MAX], doubt[160] = "";
	const char *ca = a->ca;
	int rc;

	if ((rc = need_args(a, 1, "a certificate file (CERT-ID.json)")) != 0)
		return rc;
	struct kesu_cert_trust t = {
		.ca_path = ca ? ca : kesu_config_get(cfg, "signing", "root"),
		.tsa_ca_path = a->tsa_ca ? a->tsa_ca : kesu_config_get(cfg, "signing", "tsa_root"),
	};

	if (t.tsa_ca_path && !*t.tsa_ca_path)
		t.tsa_ca_path = NULL;
	if ((rc = kesu_ledger_attach_cert_to(lg, a->pos[1], &t, a->media_id, media_id, &eb)) < 0)
		return lcli_fail(rc, &eb);
	/* Linked, but its times may not be what they say: flag it. */
	if (kesu_cert_file_time_doubt(a->pos[1], doubt, sizeof(doubt)) == 1)
		kesu_cli_error("warning: %s: its time cannot be relied on: %s", a->pos[1], doubt);
	lcli_seal_after(lg, cfg, t.ca_path, a->c.json, NULL);
	if (a->c.json)
		return lcli_print_json(json_pack("{ss ss ss}", "media_id", media_id, "certificate",
						 a->pos[1], "time_doubt", doubt));
	printf("linked %s to %s\n", a->pos[1], media_id);
	return KESU_EXIT_OK;
}

static int do_approve(struct kesu_ledger *lg, struct ledger_args *a, const struct kesu_config *cfg)
{
	struct kesu_errbuf eb = { "" };
	long plan_no;
	int rc;

	if ((rc = need_args(a, 0, "no arguments")) != 0)
		return rc;
	if ((rc = kesu_ledger_approve_plan_at(lg, a->approved_by, a->approved_at, &plan_no, &eb)) < 0)
		return lcli_fail(rc, &eb);
	lcli_seal_after(lg, cfg, a->ca, a->c.json, NULL);
	if (a->c.json)
		return lcli_print_json(json_pack("{sI}", "plan", (json_int_t)plan_no));
	printf("return plan %ld approved by %s\n", plan_no, a->approved_by);
	return KESU_EXIT_OK;
}

static int do_init_server(struct kesu_ledger *lg, struct ledger_args *a)
{
	struct kesu_errbuf eb = { "" };
	int rc;

	if ((rc = need_args(a, 0, "no arguments")) != 0)
		return rc;
	if ((rc = kesu_ledger_init_server(lg, &eb)) < 0)
		return lcli_fail(rc, &eb);
	printf("the ledger on %s has its tables and the roles kesu_station, kesu_manager and "
	       "kesu_officer; grant them to logins (see kesu-ledger(8))\n", kesu_ledger_path(lg));
	return KESU_EXIT_OK;
}

static const struct {
	const char *name;
	int creates;
	unsigned takes;          /* LO_* */
} subcommands[] = {
	{ "add", 1, 0 }, { "edit", 0, 0 }, { "move", 0, 0 }, { "show", 0, 0 },
	{ "history", 0, 0 }, { "list", 0, LO_CSV | LO_SEARCH }, { "import", 1, 0 },
	{ "export", 0, LO_CSV | LO_SEARCH }, { "audit", 0, LO_SEAL }, { "check", 0, 0 },
	{ "attach-cert", 0, LO_TSA_CA | LO_MEDIA_ID },
	{ "approve-plan", 0, LO_APPROVED_BY | LO_APPROVED_AT },
	{ "seal", 0, LO_SEAL }, { "init-server", 1, 0 },
};

/* An option the command would ignore is a mistake: say which command takes it. */
static int check_limited_options(const struct ledger_args *a, unsigned takes)
{
	for (size_t i = 0; i < sizeof(limited_options) / sizeof(limited_options[0]); i++) {
		if (!(a->given & limited_options[i].flag & ~takes))
			continue;
		kesu_cli_error("%s is not an option of 'ledger %s' (it is for %s); see "
			       "'kesu ledger --help'", limited_options[i].option, a->pos[0],
			       limited_options[i].commands);
		return KESU_EXIT_USAGE;
	}
	return 0;
}

static int run(struct kesu_ledger *lg, struct ledger_args *a, const struct kesu_config *cfg)
{
	const char *s = a->pos[0];

	if (!strcmp(s, "add"))          return do_add(lg, a);
	if (!strcmp(s, "edit"))         return do_edit(lg, a);
	if (!strcmp(s, "move"))         return do_move(lg, a);
	if (!strcmp(s, "show"))         return do_show(lg, a);
	if (!strcmp(s, "history"))      return do_history(lg, a);
	if (!strcmp(s, "list"))         return do_list(lg, a, 0);
	if (!strcmp(s, "export"))       return do_list(lg, a, 1);
	if (!strcmp(s, "import"))       return do_import(lg, a);
	if (!strcmp(s, "audit"))        return do_audit(lg, a, cfg);
	if (!strcmp(s, "seal"))         return do_seal(lg, a, cfg);
	if (!strcmp(s, "check"))        return do_check(lg, a);
	if (!strcmp(s, "attach-cert"))  return do_attach(lg, a, cfg);
	if (!strcmp(s, "init-server"))  return do_init_server(lg, a);
	return do_approve(lg, a, cfg);
}

int cmd_ledger(int argc, char **argv)
{
	struct ledger_args a = { 0 };
	struct kesu_ledger *lg = NULL;
	struct kesu_config *cfg = NULL;
	int rc, creates = -1;
	unsigned takes = 0;

	if ((rc = parse_args(argc, argv, &a)) != 0) {
		kesu_media_release(&a.fields);
		return rc < 0 ? KESU_EXIT_OK : rc;
	}
	if (a.npos < 1) {
		usage(stderr);
		rc = KESU_EXIT_USAGE;
		goto out;
	}
	for (size_t i = 0; i < sizeof(subcommands) / sizeof(subcommands[0]); i++)
		if (!strcmp(a.pos[0], subcommands[i].name)) {
			creates = subcommands[i].creates;
			takes = subcommands[i].takes;
		}
	if (creates < 0) {
		kesu_cli_error("unknown ledger command '%s'; see 'kesu ledger --help'", a.pos[0]);
		rc = KESU_EXIT_USAGE;
		goto out;
	}
	if ((rc = check_limited_options(&a, takes)) != 0)
		goto out;
	if ((rc = lcli_open(&a.c, creates ? KESU_LEDGER_CREATE : 0, &lg, &cfg)) != 0)
		goto out;
	/* SQLite frees and reallocates large blocks per statement; glibc would give them
	 * back to the kernel each time (brk + TLB flush), which made big imports 4x slower. */
	mallopt(M_TRIM_THRESHOLD, 64 << 20);
	mallopt(M_TOP_PAD, 16 << 20);
	if (strcmp(a.pos[0], "show") && strcmp(a.pos[0], "history") && strcmp(a.pos[0], "list") &&
	    strcmp(a.pos[0], "export") && strcmp(a.pos[0], "audit"))
		cli_roster_note(lg);
	rc = run(lg, &a, cfg);
out:
	kesu_ledger_close(lg);
	kesu_config_free(cfg);
	kesu_media_release(&a.fields);
	return rc;
}
