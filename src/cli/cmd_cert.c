/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * kesu cert: issue, verify, show and render erasure certificates.
 *
 *   kesu cert issue RECORD.json [--out DIR] [operator and media options]
 *   kesu cert verify CERT.json [--ca ROOT.pem] [--tsa-ca TSA.pem] [--json]
 *   kesu cert show CERT.json [--json]
 *   kesu cert pdf CERT.json [-o FILE]
 *   kesu cert timestamp-request CERT.json
 */
#include <kesu/cert.h>
#include <kesu/clock.h>
#include <kesu/cli.h>
#include <kesu/config.h>
#include <kesu/keys.h>
#include <kesu/text.h>
#include <kesu/util.h>

#include "cli_common.h"
#include "cli_options.h"

#include <errno.h>
#include <getopt.h>
#include <jansson.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void usage(FILE *out)
{
	fputs("Usage: kesu cert issue RECORD.json [--out DIR] [OPTIONS]\n"
	      "       kesu cert verify CERT.json [--ca ROOT.pem] [--tsa-ca TSA.pem] [--json]\n"
	      "       kesu cert show CERT.json [--json]\n"
	      "       kesu cert pdf CERT.json [-o FILE]\n"
	      "       kesu cert timestamp-request CERT.json\n\n"
	      "Erasure certificates: CERT-ID.json, its detached CMS signature CERT-ID.json.p7s\n"
	      "and the PDF CERT-ID.pdf.\n\n"
	      "verify checks the signature, the chain to the root, the certificate's internal\n"
	      "hashes and a CERT-ID.json.p7s.tsr time stamp beside it; exit 0 only if all hold,\n"
	      "12 when a signature, chain or hash fails or a time stamp is there but does not\n"
	      "verify or its TSA is not trusted, 11 for a malformed file.\n\n"
	      "Options:\n"
	      "      --ca FILE           trusted root (PEM); default [signing] root, else\n"
	      "                          root.pem or ca/root.pem in the key directory\n"
	      "      --tsa-ca FILE       the time stamp authority's root (PEM); default\n"
	      "                          [signing] tsa_root, else the --ca root and the\n"
	      "                          system's trusted roots\n"
	      "  -o, --out DIR|FILE      issue: output directory; pdf: the PDF file\n"
	      "  -c, --config FILE       configuration (default /etc/kesu/kesu.conf)\n"
	      "      --key FILE --signer-cert FILE --chain FILE --passphrase-file FILE\n"
	      "                          the signer (default [signing] key/cert/chain, else\n"
	      "                          the key directory); issue says which it signs with\n"
	      "      --operator NAME     the person performing sanitization: over the record's\n"
	      "                          operator (kesu wipe --operator) and [operator] name\n"
	      "      --title T --organisation O --location L --contact C   ([operator])\n"
	      "      --witness NAME      the witness (立会者), over the record's\n"
	      "      --data-name TEXT    the medium's データ名 (as in the ledger)\n"
	      "      --property-id ID --media-type T --source S --classification C\n"
	      "      --data-backed-up yes|no|unknown --backup-location L --destination D\n"
	      "                          media fields ([media])\n"
	      "      --post-classification C --notes TEXT   ([sanitization])\n"
	      "      --contract NAME --client NAME --contractor NAME   ([contract])\n"
	      "      --no-pdf            issue: JSON and signature only\n"
	      "  -J, --json              output as JSON\n"
	      "  -h, --help              show this help\n\n"
	      "The options shared by every command are in kesu(8), COMMON OPTIONS.\n\n"
	      "Check without kesu:\n"
	      "  openssl cms -verify -binary -inform PEM -in CERT.json.p7s -content CERT.json \\\n"
	      "      -CAfile root.pem -out /dev/null\n\n"
	      "See kesu-cert(8).\n", out);
}

enum {
	OPT_CHAIN = 256, OPT_PASS, OPT_NO_PDF, OPT_WITNESS, OPT_DATA_NAME, OPT_TSA_CA,
	OPT_CFG_BASE = 512,
};

/* Options that land in the configuration: option name, section, key. */
static const struct cfg_opt {
	const char *name, *section, *key;
} cfg_opts[] = {
	{ "title", "operator", "title" },
	{ "organisation", "operator", "organisation" },
	{ "location", "operator", "location" },
	{ "contact", "operator", "contact" },
	{ "property-id", "media", "property_id" },
	{ "media-type", "media", "type" },
	{ "source", "media", "source" },
	{ "classification", "media", "classification" },
	{ "data-backed-up", "media", "data_backed_up" },
	{ "backup-location", "media", "backup_location" },
	{ "destination", "media", "destination" },
	{ "post-classification", "sanitization", "post_classification" },
	{ "notes", "sanitization", "notes" },
	{ "contract", "contract", "name" },
	{ "client", "contract", "client" },
	{ "contractor", "contract", "contractor" },
};
#define N_CFG_OPTS (sizeof(cfg_opts) / sizeof(cfg_opts[0]))

struct cert_args {
	const char *ca, *tsa_ca, *out, *config, *key, *cert, *chain, *pass;
	const char *operator_name, *witness, *data_name;   /* over the record and the config */
	const char *cfg_values[N_CFG_OPTS];
	int json, no_pdf, config_short;   /* config_short: named with -c */
	const char *file;
};

static int parse_args(int argc, char **argv, struct cert_args *a)
{
	static const struct option base[] = {
		CLI_OPTION_CA,
		{ "out", required_argument, NULL, 'o' },
		CLI_OPTION_JSON,
		{ "help", no_argument, NULL, 'h' },
		CLI_OPTION_CONFIG,
		CLI_OPTION_KEY,
		CLI_OPTION_SIGNER_CERT,
		CLI_ALIAS("cert", SIGNER_CERT),   /* the spelling before it was shared */
		{ "chain", required_argument, NULL, OPT_CHAIN },
		{ "passphrase-file", required_argument, NULL, OPT_PASS },
		{ "no-pdf", no_argument, NULL, OPT_NO_PDF },
		CLI_OPTION_OPERATOR,
		{ "witness", required_argument, NULL, OPT_WITNESS },
		{ "data-name", required_argument, NULL, OPT_DATA_NAME },
		{ "tsa-ca", required_argument, NULL, OPT_TSA_CA },
	};
	struct option opts[sizeof(base) / sizeof(base[0]) + N_CFG_OPTS + 1];
	size_t nb = sizeof(base) / sizeof(base[0]), i;
	int opt;

	memset(opts, 0, sizeof(opts));
	memcpy(opts, base, sizeof(base));
	for (i = 0; i < N_CFG_OPTS; i++)
		opts[nb + i] = (struct option){ cfg_opts[i].name, required_argument, NULL,
						OPT_CFG_BASE + (int)i };
	optind = 1;
	while ((opt = getopt_long(argc, argv, "c:o:Jh", opts, NULL)) != -1) {
		switch (opt) {
		case CLI_OPT_CA: a->ca = optarg; break;
		case 'o': a->out = optarg; break;
		case CLI_OPT_JSON: a->json = 1; break;
		case 'h': usage(stdout); return -1;
		case CLI_OPT_CONFIG:
			a->config = optarg;
			a->config_short = cli_opt_was_short(argv, optind, optarg);
			break;
		case CLI_OPT_KEY: a->key = optarg; break;
		case CLI_OPT_SIGNER_CERT: a->cert = optarg; break;
		case OPT_CHAIN: a->chain = optarg; break;
		case OPT_PASS: a->pass = optarg; break;
		case OPT_NO_PDF: a->no_pdf = 1; break;
		case CLI_OPT_OPERATOR: a->operator_name = optarg; break;
		case OPT_WITNESS: a->witness = optarg; break;
		case OPT_DATA_NAME: a->data_name = optarg; break;
		case OPT_TSA_CA: a->tsa_ca = optarg; break;
		default:
			if (opt >= OPT_CFG_BASE && opt < OPT_CFG_BASE + (int)N_CFG_OPTS) {
				a->cfg_values[opt - OPT_CFG_BASE] = optarg;
				break;
			}
			fputs("Try 'kesu cert --help'.\n", stderr);
			return -2;
		}
	}
	if (optind != argc - 1) {
		kesu_cli_error("give exactly one file (see 'kesu cert --help')");
		return -2;
	}
	a->file = argv[optind];
	return 0;
}

static int load_config(const struct cert_args *a, struct kesu_config **cfg)
{
	struct kesu_errbuf eb;
	size_t i;
	int rc;

	kesu_err_clear(&eb);
	rc = kesu_config_load(a->config, cfg, &eb);
	if (rc) {
		kesu_cli_error("%s", eb.msg[0] ? eb.msg : kesu_strerror(rc));
		if (a->config_short)
			cli_config_hint(a->config, "--ca");
		return rc;
	}
	for (i = 0; i < N_CFG_OPTS; i++) {
		char label[64];

		if (!a->cfg_values[i])
			continue;
		snprintf(label, sizeof(label), "--%s", cfg_opts[i].name);
		rc = kesu_config_check(cfg_opts[i].section, cfg_opts[i].key, a->cfg_values[i],
				       label, &eb);
		if (!rc)
			rc = kesu_config_set(*cfg, cfg_opts[i].section, cfg_opts[i].key,
					     a->cfg_values[i]);
		if (rc) {
			if (!eb.msg[0])
				kesu_err_set(&eb, rc, "%s: %s", label, kesu_strerror(rc));
			kesu_cli_error("%s", eb.msg);
			kesu_config_free(*cfg);
			*cfg = NULL;
			return rc;
		}
	}
	return 0;
}

static int do_issue(const struct cert_args *a)
{
	struct kesu_cert_issue_opts o = { 0 };
	struct kesu_config *cfg = NULL;
	struct kesu_errbuf eb;
	char id[KESU_CERT_ID_MAX];
	const char *dir = a->out ? a->out : ".";
	int rc;

	kesu_err_clear(&eb);
	/* The options that win over the record: the same text rules as everywhere. */
	if (kesu_text_check_max("--operator", a->operator_name, kesu_text_limit("operator"), &eb) ||
	    kesu_text_check_max("--witness", a->witness, kesu_text_limit("witness"), &eb) ||
	    kesu_text_check_max("--data-name", a->data_name, kesu_text_limit("data_name"), &eb)) {
		kesu_cli_error("%s", eb.msg);
		return KESU_EXIT_BAD_INPUT;
	}
	if (load_config(a, &cfg))
		return KESU_EXIT_BAD_INPUT;
	o.cfg = cfg;
	o.out_dir = dir;
	o.key_path = a->key;
	o.cert_path = a->cert;
	o.chain_path = a->chain;
	o.passphrase_file = a->pass;
	o.no_pdf = a->no_pdf;
	o.operator_name = a->operator_name;
	o.witness = a->witness;
	o.data_name = a->data_name;
	rc = kesu_cert_issue_file(a->file, &o, id, sizeof(id), &eb);
	if (!rc) {
		char key[PATH_MAX], cert[PATH_MAX];

		if (kesu_cert_signer_paths(&o, key, sizeof(key), cert, sizeof(cert)) == 0)
			cli_signing_notice(key, cert);
	}
	kesu_config_free(cfg);
	if (rc)
		return cli_fail(rc, &eb);
	if (a->json) {
		json_t *j = json_pack("{s:s, s:s, s:b}", "certificate_id", id, "dir", dir,
				      "pdf", !a->no_pdf);
		char *t = j ? json_dumps(j, JSON_SORT_KEYS | JSON_COMPACT) : NULL;

		if (t)
			puts(t);
		free(t);
		json_decref(j);
	} else {
		printf("certificate %s\n  %s/%s.json\n  %s/%s.json.p7s\n", id, dir, id, dir, id);
		if (!a->no_pdf)
			printf("  %s/%s.pdf\n", dir, id);
	}
	return KESU_EXIT_OK;
}

/* --ca, else [signing] root, else root.pem or ca/root.pem in the key directory. */
static const char *pick_root(const struct cert_args *a, char *buf, size_t len)
{
	struct kesu_config *cfg = NULL;
	struct kesu_errbuf eb;
	const char *root = NULL;

	if (a->ca)
		return a->ca;
	if (kesu_config_load(a->config, &cfg, &eb) == 0) {
		const char *r = kesu_config_get(cfg, "signing", "root");

		if (r && *r && (size_t)snprintf(buf, len, "%s", r) < len)
			root = buf;
		kesu_config_free(cfg);
	}
	return root ? root : cli_key_dir_root(buf, len);
}

/* --tsa-ca, else [signing] tsa_root; NULL: the root and the system's roots. */
static const char *pick_tsa_root(const struct cert_args *a, char *buf, size_t len)
{
	struct kesu_config *cfg = NULL;
	struct kesu_errbuf eb;
	const char *root = NULL;

	if (a->tsa_ca)
		return a->tsa_ca;
	if (kesu_config_load(a->config, &cfg, &eb) == 0) {
		const char *r = kesu_config_get(cfg, "signing", "tsa_root");

		if (r && *r && (size_t)snprintf(buf, len, "%s", r) < len)
			root = buf;
		kesu_config_free(cfg);
	}
	return root;
}

static const char *yes(int b)
{
	return b ? "yes" : "NO";
}

static const char *ts_text(enum kesu_ts_status st)
{
	switch (st) {
	case KESU_TS_OK: return "verified";
	case KESU_TS_MISMATCH: return "DOES NOT MATCH";
	case KESU_TS_TSA_UNVERIFIED: return "TSA NOT VERIFIED";
	default: return "none";
	}
}

static const char *cert_str(const json_t *obj, const char *key)
{
	const char *s = json_string_value(json_object_get(obj, key));

	return s ? s : "";
}

/* A string of the certificate for the terminal: escaped, since kesu may not have written it. */
static const char *cert_esc(const json_t *obj, const char *key)
{
	return cli_esc(cert_str(obj, key));
}

/* kesu cert verify's line for the record's time source, with a warning when it is in doubt. */
static void print_verify_time_source(const char *file)
{
	const json_t *t;
	const char *doubt;
	json_t *c = NULL;

	if (kesu_cert_load(file, &c, NULL, NULL, NULL) < 0)
		return;
	t = json_object_get(json_object_get(c, "record"), "time");
	printf("time source:  %s\n", json_is_object(t) ? cert_esc(t, "source") : "not recorded");
	doubt = kesu_cert_time_doubt(c);
	if (doubt)
		printf("              (WARNING: %s)\n", cli_esc(doubt));
	json_decref(c);
}

static void print_verify_json(const struct kesu_cert_verify *v, int ok, const char *root)
{
	json_t *o = json_pack("{s:b, s:b, s:b, s:b, s:b, s:b, s:b, s:s, s:s, s:s, s:s, s:s, s:s,"
			      " s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s}",
			      "ok", ok, "parsed", v->parsed, "signature_ok", v->signature_ok,
			      "chain_ok", v->chain_ok, "hashes_ok", v->hashes_ok,
			      "expired", v->expired, "not_yet_valid", v->not_yet_valid,
			      "timestamp", ts_text(v->timestamp), "timestamp_time", v->timestamp_time,
			      "timestamp_problem", v->timestamp_problem,
			      "certificate_id", v->certificate_id, "outcome", v->outcome,
			      "issued_at", v->issued_at, "media_serial", v->media_serial,
			      "signer_subject", v->signer_subject,
			      "signer_fingerprint", v->signer_fingerprint,
			      "signer_not_after", v->signer_not_after,
			      "signing_time", v->signing_time, "json_sha256", v->json_sha256,
			      "root", root ? root : "", "problem", v->problem);
	char *s = o ? json_dumps(o, JSON_INDENT(2) | JSON_SORT_KEYS) : NULL;

	if (s)
		puts(s);
	else
		kesu_cli_error("cannot format the result as JSON");
	free(s);
	json_decref(o);
}

/* A configuration named on the command line must load (the default may be absent). */
static int named_config_loads(const struct cert_args *a)
{
	struct kesu_config *cfg = NULL;

	if (!a->config)
		return 1;
	if (load_config(a, &cfg))
		return 0;
	kesu_config_free(cfg);
	return 1;
}

static int do_verify(const struct cert_args *a)
{
	struct kesu_cert_verify v;
	struct kesu_errbuf eb;
	char rootbuf[PATH_MAX], tsabuf[PATH_MAX];
	const char *root;
	struct kesu_cert_trust t;
	int rc, ok;

	if (!named_config_loads(a))
		return KESU_EXIT_BAD_INPUT;
	root = pick_root(a, rootbuf, sizeof(rootbuf));
	t = (struct kesu_cert_trust){ root, pick_tsa_root(a, tsabuf, sizeof(tsabuf)) };
	kesu_err_clear(&eb);
	rc = kesu_cert_verify_file_trust(a->file, &t, &v, &eb);
	ok = rc == 0 && kesu_cert_verify_ok(&v);
	if (a->json) {
		print_verify_json(&v, ok, root);
	} else if (v.parsed || v.signer_subject[0]) {
		/* what the file says is escaped: kesu may not have written it */
		printf("certificate:  %s\n", v.certificate_id[0] ? cli_esc(v.certificate_id) :
		       "(unreadable)");
		printf("outcome:      %s\n", v.outcome[0] ? cli_esc(v.outcome) : "(unknown)");
		printf("media serial: %s\n", cli_esc(v.media_serial));
		printf("issued:       %s\n", cli_esc(v.issued_at));
		print_verify_time_source(a->file);
		printf("signed by:    %s\n", cli_esc(v.signer_subject));
		printf("signed at:    %s\n", cli_esc(v.signing_time));
		printf("signer cert:  SHA-256 %s (valid until %s)\n", v.signer_fingerprint,
		       v.signer_not_after);
		printf("root:         %s\n", root ? root : "(none given: use --ca ROOT.pem)");
		printf("signature:    %s\n", yes(v.signature_ok));
		printf("chain:        %s\n", yes(v.chain_ok));
		printf("hashes:       %s\n", yes(v.hashes_ok));
		printf("validity:     %s\n", v.expired ? "EXPIRED" :
		       v.not_yet_valid ? "NOT YET VALID" : "current");
		printf("time stamp:   %s%s%s\n", ts_text(v.timestamp),
		       v.timestamp_time[0] ? " at " : "", v.timestamp_time);
		if (v.timestamp_problem[0])
			printf("              (%s)\n", cli_esc(v.timestamp_problem));
		if (v.timestamp == KESU_TS_OK)
			printf("independent:  %s (the verified RFC 3161 time stamp: a time that does not "
			       "depend on the erasing machine's clock)\n", v.timestamp_time);
		printf("json sha256:  %s\n", v.json_sha256);
		printf("result:       %s\n", ok ? "VERIFIED" : "NOT VERIFIED");
	}
	if (ok)
		return KESU_EXIT_OK;
	kesu_cli_error("%s: not verified: %s", a->file, v.problem[0] ? cli_esc(v.problem) :
		       eb.msg[0] ? eb.msg : kesu_strerror(rc));
	return rc ? kesu_exit_for(rc) : KESU_EXIT_SIGNATURE;
}

static void show_keys(const json_t *obj, const char *const *keys, int only_present)
{
	for (; *keys; keys++) {
		const char *s = json_string_value(json_object_get(obj, *keys));

		if (!only_present || s)
			printf("  %-22s %s\n", *keys, s && *s ? cli_esc(s) : "-");
	}
}

/* The record's time source (record.time) and whether its times can be relied on. */
static void show_time_source(const json_t *c)
{
	const json_t *t = json_object_get(json_object_get(c, "record"), "time");
	const char *doubt;

	if (!json_is_object(t)) {
		printf("time source  not recorded (a record from before kesu recorded it)\n");
		return;
	}
	printf("time source  %s\n  %-22s %s\n  %-22s %lld\n  %-22s %s\n  %-22s %s\n"
	       "  %-22s %s\n",
	       cert_esc(t, "source"),
	       "detail", cert_esc(t, "detail"),
	       "offset_ms", (long long)json_integer_value(json_object_get(t, "offset_ms")),
	       "ntp_server", *cert_str(t, "ntp_server") ? cert_esc(t, "ntp_server") : "-",
	       "image_built_at", *cert_str(t, "image_built_at") ? cert_esc(t, "image_built_at") : "-",
	       "synchronized", *cert_str(t, "synchronized") ? cert_esc(t, "synchronized") : "-");
	doubt = kesu_cert_time_doubt(c);
	if (doubt)
		printf("  WARNING: the times of this certificate cannot be relied on: %s\n",
		       cli_esc(doubt));
}

/* The section's members; added (may be NULL) those newer certificates have. */
static void show_group(const json_t *obj, const char *title, const char *const *keys,
		       const char *const *added)
{
	printf("%s\n", title);
	show_keys(obj, keys, 0);
	if (added)
		show_keys(obj, added, 1);
}

static int do_show(const struct cert_args *a)
{
	struct kesu_errbuf eb;
	json_t *c = NULL, *nist;
	char *s;
	int rc;

	kesu_err_clear(&eb);
	rc = kesu_cert_load(a->file, &c, NULL, NULL, &eb);
	if (rc)
		return cli_fail(rc, &eb);
	if (a->json) {
		s = json_dumps(c, JSON_INDENT(2) | JSON_SORT_KEYS);
		if (s)
			puts(s);
		free(s);
		json_decref(c);
		return KESU_EXIT_OK;
	}
	nist = json_object_get(c, "nist");
	printf("certificate  %s\nissued       %s\noutcome      %s\n",
	       cert_esc(c, "certificate_id"), cert_esc(c, "issued_at"), cert_esc(c, "outcome"));
	show_time_source(c);
	show_group(json_object_get(nist, "person"), "person performing sanitization",
		   kesu_cert_person_keys, NULL);
	if (json_object_get(c, "witness"))
		show_group(json_object_get(c, "witness"), "witness (立会者)", kesu_cert_witness_keys,
			   NULL);
	show_group(json_object_get(nist, "media"), "media", kesu_cert_media_keys,
		   kesu_cert_media_added_keys);
	show_group(json_object_get(nist, "sanitization"), "sanitization",
		   kesu_cert_sanitization_keys, NULL);
	printf("destination\n  %s\n", cert_esc(nist, "destination"));
	show_group(json_object_get(c, "contract"), "contract", kesu_cert_contract_keys, NULL);
	show_group(json_object_get(c, "signer"), "signer", kesu_cert_signer_keys, NULL);
	printf("record_sha256  %s\n(this does not verify the signature: use 'kesu cert verify')\n",
	       cert_esc(c, "record_sha256"));
	json_decref(c);
	return KESU_EXIT_OK;
}

static int do_pdf(const struct cert_args *a)
{
	struct kesu_errbuf eb;
	json_t *c = NULL;
	char *bytes = NULL, sha[65], out[PATH_MAX];
	size_t len = 0, n;
	int rc;

	kesu_err_clear(&eb);
	rc = kesu_cert_load(a->file, &c, &bytes, &len, &eb);
	if (rc)
		return cli_fail(rc, &eb);
	kesu_sha256_hex(bytes, len, sha);
	free(bytes);
	n = strlen(a->file);
	if (a->out)
		snprintf(out, sizeof(out), "%s", a->out);
	else if (n > 5 && !strcmp(a->file + n - 5, ".json"))
		snprintf(out, sizeof(out), "%.*s.pdf", (int)(n - 5), a->file);
	else
		snprintf(out, sizeof(out), "%s.pdf", a->file);
	rc = kesu_cert_pdf_write(c, sha, out, &eb);
	json_decref(c);
	if (rc)
		return cli_fail(rc, &eb);
	printf("%s\n", out);
	return KESU_EXIT_OK;
}

static int do_tsq(const struct cert_args *a)
{
	struct kesu_errbuf eb;
	char tsq[PATH_MAX];
	int rc;

	kesu_err_clear(&eb);
	rc = kesu_cert_timestamp_request(a->file, tsq, sizeof(tsq), &eb);
	if (rc)
		return cli_fail(rc, &eb);
	printf("%s\n", tsq);
	printf("Send it to a time stamp authority (e.g. curl -H 'Content-Type: "
	       "application/timestamp-query' --data-binary @%s URL -o %.*s.tsr)\n"
	       "and keep the .tsr beside the signature; 'kesu cert verify' checks it.\n",
	       tsq, (int)(strlen(tsq) - 4), tsq);
	return KESU_EXIT_OK;
}

int cmd_cert(int argc, char **argv)
{
	static const struct {
		const char *name;
		int (*run)(const struct cert_args *a);
	} subs[] = {
		{ "issue", do_issue }, { "verify", do_verify }, { "show", do_show },
		{ "pdf", do_pdf }, { "timestamp-request", do_tsq },
	};
	struct cert_args a = { 0 };
	size_t i;
	int rc;

	if ((rc = cli_subcommand_start(argc, argv, usage)) >= 0)
		return rc;
	for (i = 0; i < sizeof(subs) / sizeof(subs[0]); i++) {
		if (strcmp(argv[1], subs[i].name))
			continue;
		rc = parse_args(argc - 1, argv + 1, &a);
		if (rc == -1)
			return KESU_EXIT_OK;
		if (rc)
			return KESU_EXIT_USAGE;
		return subs[i].run(&a);
	}
	kesu_cli_error("unknown subcommand '%s' (issue, verify, show, pdf, timestamp-request)",
		       argv[1]);
	return KESU_EXIT_USAGE;
}
