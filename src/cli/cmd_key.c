/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * kesu key: the signing key of an erasure station or operator.
 *
 *   kesu key init [--dir DIR] [--subject SUBJ] [--passphrase-file FILE]
 *   kesu key self-sign [--dir DIR] [--subject SUBJ] [--days N]
 *   kesu key show [FILE...] [--dir DIR] [--json]
 */
#include <kesu/cli.h>
#include <kesu/config.h>
#include <kesu/keys.h>

#include "cli_common.h"
#include "cli_options.h"

#include <errno.h>
#include <getopt.h>
#include <jansson.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <stdbool.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static void usage(FILE *out)
{
	fputs("Usage: kesu key init [--dir DIR] [--subject SUBJ] [--passphrase-file FILE]\n"
	      "       kesu key self-sign [--dir DIR] [--subject SUBJ] [--days N]\n"
	      "                          [--passphrase-file FILE]\n"
	      "       kesu key show [FILE...] [--dir DIR] [--json]\n\n"
	      "init creates an ECDSA P-256 signing key DIR/signer.key (mode 0600) and a\n"
	      "certificate request DIR/signer.csr for 'kesu ca sign'. self-sign makes\n"
	      "DIR/signer.pem signed by the key itself (a single-person setup: the client\n"
	      "then verifies against signer.pem). show prints SHA-256 fingerprints.\n\n"
	      "Options:\n"
	      "  -d, --dir DIR             key directory (default /etc/kesu as root, else\n"
	      "                            $XDG_CONFIG_HOME/kesu or ~/.config/kesu)\n"
	      "  -s, --subject SUBJ        e.g. \"/CN=Yamada Taro/O=Example KK\" (default from\n"
	      "                            [operator] name and organisation in the config)\n"
	      "      --days N              self-sign: validity (default 730)\n"
	      "  -p, --passphrase-file F   encrypt/decrypt the key with the first line of F\n"
	      "  -c, --config FILE         configuration (default /etc/kesu/kesu.conf)\n"
	      "  -J, --json                show: output as JSON\n"
	      "  -h, --help                show this help\n\n"
	      "See kesu-key(8).\n", out);
}

struct key_args {
	char dir[PATH_MAX - 32];
	const char *subject, *pass, *config;
	long days;
	int json;
	int nfiles;
	char **files;
};

static int parse_args(int argc, char **argv, struct key_args *a)
{
	static const struct option opts[] = {
		{ "dir", required_argument, NULL, 'd' },
		{ "subject", required_argument, NULL, 's' },
		{ "days", required_argument, NULL, 'D' },
		{ "passphrase-file", required_argument, NULL, 'p' },
		CLI_OPTION_CONFIG,
		CLI_OPTION_JSON,
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int opt;

	if (kesu_key_default_dir(a->dir, sizeof(a->dir)))
		return -2;
	optind = 1;
	while ((opt = getopt_long(argc, argv, "d:s:p:c:Jh", opts, NULL)) != -1) {
		switch (opt) {
		case 'd':
			if ((size_t)snprintf(a->dir, sizeof(a->dir), "%s", optarg) >= sizeof(a->dir))
				return -2;
			break;
		case 's': a->subject = optarg; break;
		case 'p': a->pass = optarg; break;
		case CLI_OPT_CONFIG: a->config = optarg; break;
		case CLI_OPT_JSON: a->json = 1; break;
		case 'D':
			if (cli_parse_days(optarg, &a->days))
				return -2;
			break;
		case 'h': usage(stdout); return -1;
		default:
			fputs("Try 'kesu key --help'.\n", stderr);
			return -2;
		}
	}
	a->nfiles = argc - optind;
	a->files = argv + optind;
	return 0;
}

/* A configuration named on the command line must load; said on stderr when it does not. */
static bool config_loads(const char *path)
{
	struct kesu_config *cfg = NULL;
	struct kesu_errbuf eb;
	int rc = kesu_config_load(path, &cfg, &eb);

	kesu_config_free(cfg);
	if (rc < 0)
		kesu_cli_error("%s", eb.msg);
	return rc == 0;
}

/* "/CN=<operator>/O=<organisation>" from the config, else "/CN=kesu signer <host>". */
static void default_subject(const struct key_args *a, char *buf, size_t len)
{
	struct kesu_config *cfg = NULL;
	struct kesu_errbuf eb;
	char host[128] = "localhost";
	const char *name = NULL, *org = NULL;

	gethostname(host, sizeof(host) - 1);
	if (kesu_config_load(a->config, &cfg, &eb) == 0) {
		name = kesu_config_get(cfg, "operator", "name");
		org = kesu_config_get(cfg, "operator", "organisation");
	}
	if (name && *name)
		snprintf(buf, len, "/CN=%s%s%s", name, org && *org ? "/O=" : "", org && *org ? org : "");
	else
		snprintf(buf, len, "/CN=kesu signer %s", host);
	kesu_config_free(cfg);
}

/* --subject, else the default from the config. */
static void subject_of(const struct key_args *a, char *buf, size_t len)
{
	if (a->subject)
		snprintf(buf, len, "%s", a->subject);
	else
		default_subject(a, buf, len);
}

static int do_init(struct key_args *a)
{
	struct kesu_errbuf eb;
	char key[PATH_MAX], csr[PATH_MAX], subject[512];
	int rc;

	kesu_err_clear(&eb);
	subject_of(a, subject, sizeof(subject));
	rc = kesu_key_subject_check(subject, &eb);
	if (rc) {
		kesu_cli_error("%s", eb.msg);
		return kesu_exit_for(rc);
	}
	if (cli_ensure_dir(a->dir))
		return KESU_EXIT_IO;
	kesu_key_path(key, sizeof(key), a->dir, KESU_KEY_FILE);
	kesu_key_path(csr, sizeof(csr), a->dir, KESU_CSR_FILE);
	rc = kesu_key_generate(key, a->pass, &eb);
	if (!rc)
		rc = kesu_key_write_csr(key, a->pass, subject, csr, &eb);
	if (rc)
		return cli_fail(rc, &eb);
	printf("key  %s (P-256, mode 0600%s)\ncsr  %s (%s)\n"
	       "Next: 'kesu ca sign %s' on the root CA, or 'kesu key self-sign' for a single-person "
	       "setup.\n", key, a->pass ? ", encrypted" : "", csr, subject, csr);
	return KESU_EXIT_OK;
}

static int do_self_sign(struct key_args *a)
{
	struct kesu_validity v = { 0 };
	struct kesu_errbuf eb;
	char key[PATH_MAX], cert[PATH_MAX], subject[512];
	int rc;

	kesu_err_clear(&eb);
	subject_of(a, subject, sizeof(subject));
	if (a->days)
		v.not_after = time(NULL) + a->days * 86400L;
	kesu_key_path(key, sizeof(key), a->dir, KESU_KEY_FILE);
	kesu_key_path(cert, sizeof(cert), a->dir, KESU_SIGNER_FILE);
	rc = kesu_key_self_sign(key, a->pass, subject, &v, cert, &eb);
	if (rc)
		return cli_fail(rc, &eb);
	printf("certificate %s (%s, self-signed)\n"
	       "Clients verify against this file: give it to them with its SHA-256 ('kesu key show').\n",
	       cert, subject);
	return KESU_EXIT_OK;
}

static json_t *info_json(const char *path, const struct kesu_key_info *i)
{
	return json_pack("{s:s, s:s, s:b, s:b, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s}",
			 "file", path, "kind", i->is_cert ? "certificate" :
			 i->subject[0] ? "request" : "key", "is_cert", i->is_cert, "is_ca", i->is_ca,
			 "subject", i->subject, "issuer", i->issuer, "not_before", i->not_before,
			 "not_after", i->not_after, "serial", i->serial,
			 "cert_sha256", i->cert_sha256, "pubkey_sha256", i->pubkey_sha256,
			 "key_type", i->key_type);
}

static void print_info(const char *path, const struct kesu_key_info *i)
{
	printf("%s\n", path);
	printf("  kind            %s%s\n", i->is_cert ? "certificate" : i->subject[0] ? "request" :
	       "private key", i->is_ca ? " (CA)" : "");
	printf("  key type        %s\n", i->key_type);
	if (i->subject[0])
		printf("  subject         %s\n", i->subject);
	if (i->is_cert) {
		printf("  issuer          %s\n", i->issuer);
		printf("  valid           %s .. %s\n", i->not_before, i->not_after);
		printf("  serial          %s\n", i->serial);
		printf("  SHA-256 (cert)  %s\n", i->cert_sha256);
	}
	printf("  SHA-256 (key)   %s\n", i->pubkey_sha256);
}

static int do_show(struct key_args *a)
{
	static const char *const defaults[] = { KESU_KEY_FILE, KESU_CSR_FILE, KESU_SIGNER_FILE,
						KESU_CHAIN_FILE, "root.pem" };
	char paths[5][PATH_MAX];
	const char *list[64];
	json_t *arr = json_array();
	int n = 0, i, worst = 0;

	if (a->nfiles > 64) {
		kesu_cli_error("at most 64 files");
		json_decref(arr);
		return KESU_EXIT_USAGE;
	}
	for (i = 0; i < a->nfiles; i++)
		list[n++] = a->files[i];
	for (i = 0; !a->nfiles && i < 5; i++)
		if (kesu_key_path(paths[i], sizeof(paths[i]), a->dir, defaults[i]) == 0 &&
		    access(paths[i], F_OK) == 0)
			list[n++] = paths[i];
	if (!n) {
		kesu_cli_error("no key in %s; create one with 'kesu key init'", a->dir);
		json_decref(arr);
		return KESU_EXIT_NO_DEVICE;
	}
	for (i = 0; i < n; i++) {
		struct kesu_key_info info;
		struct kesu_errbuf eb;
		int rc;

		kesu_err_clear(&eb);
		rc = kesu_key_info_file(list[i], a->pass, &info, &eb);
		if (rc) {
			int ex = cli_fail(rc, &eb);

			worst = worst ? worst : ex;
			continue;
		}
		if (a->json)
			json_array_append_new(arr, info_json(list[i], &info));
		else
			print_info(list[i], &info);
	}
	if (a->json) {
		char *s = json_dumps(arr, JSON_INDENT(2));

		if (s)
			puts(s);
		free(s);
	}
	json_decref(arr);
	return worst;
}

int cmd_key(int argc, char **argv)
{
	struct key_args a = { 0 };
	int rc;

	if ((rc = cli_subcommand_start(argc, argv, usage)) >= 0)
		return rc;
	rc = parse_args(argc - 1, argv + 1, &a);
	if (rc == -1)
		return KESU_EXIT_OK;
	if (rc)
		return KESU_EXIT_USAGE;
	if (a.config && !config_loads(a.config))
		return KESU_EXIT_BAD_INPUT;
	if (strcmp(argv[1], "show") && a.nfiles) {
		kesu_cli_error("'key %s' takes no file arguments (see 'kesu key --help')", argv[1]);
		return KESU_EXIT_USAGE;
	}
	if (!strcmp(argv[1], "init"))
		return do_init(&a);
	if (!strcmp(argv[1], "self-sign"))
		return do_self_sign(&a);
	if (!strcmp(argv[1], "show"))
		return do_show(&a);
	kesu_cli_error("unknown subcommand '%s' (init, self-sign, show)", argv[1]);
	return KESU_EXIT_USAGE;
}
