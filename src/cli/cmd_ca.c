/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * kesu ca: a small organisation's offline root CA.
 *
 *   kesu ca init [--dir DIR] [--subject SUBJ] [--days N] [--passphrase-file FILE]
 *   kesu ca sign CSR [--dir DIR] [--out FILE] [--days N] [--passphrase-file FILE]
 */
#include <kesu/cli.h>
#include <kesu/keys.h>

#include "cli_common.h"

#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

static void usage(FILE *out)
{
	fputs("Usage: kesu ca init [--dir DIR] [--subject SUBJ] [--days N]\n"
	      "                      [--passphrase-file FILE]\n"
	      "       kesu ca sign CSR [--dir DIR] [--out FILE] [--days N]\n"
	      "                        [--passphrase-file FILE]\n\n"
	      "init creates the root: DIR/root.key (P-256, mode 0600) and the self-signed\n"
	      "DIR/root.pem (CA:TRUE, keyCertSign, cRLSign; 20 years). Keep DIR offline;\n"
	      "give root.pem and its SHA-256 ('kesu key show DIR/root.pem') to clients.\n"
	      "sign issues a signer certificate for a request from 'kesu key init':\n"
	      "emailProtection, digitalSignature, nonRepudiation, 2 years, random serial.\n\n"
	      "Options:\n"
	      "  -d, --dir DIR             CA directory (default: ca/ in the key directory,\n"
	      "                            /etc/kesu/ca as root, else ~/.config/kesu/ca)\n"
	      "  -s, --subject SUBJ        init: e.g.\n"
	      "                            \"/CN=Example KK erasure root/O=Example KK\"\n"
	      "  -o, --out FILE            sign: the certificate (default: CSR name with .pem)\n"
	      "      --days N              validity in days\n"
	      "  -p, --passphrase-file F   encrypt/decrypt root.key with the first line of F\n"
	      "  -h, --help                show this help\n\n"
	      "See kesu-ca(8).\n", out);
}

struct ca_args {
	char dir[PATH_MAX - 32];
	const char *subject, *pass, *out;
	long days;
	int nfiles;
	char **files;
};

static int parse_args(int argc, char **argv, struct ca_args *a)
{
	static const struct option opts[] = {
		{ "dir", required_argument, NULL, 'd' },
		{ "subject", required_argument, NULL, 's' },
		{ "out", required_argument, NULL, 'o' },
		{ "days", required_argument, NULL, 'D' },
		{ "passphrase-file", required_argument, NULL, 'p' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	char base[PATH_MAX - 48];
	int opt;

	if (kesu_key_default_dir(base, sizeof(base)) ||
	    kesu_key_path(a->dir, sizeof(a->dir), base, "ca"))
		return -2;
	optind = 1;
	while ((opt = getopt_long(argc, argv, "d:s:o:p:h", opts, NULL)) != -1) {
		switch (opt) {
		case 'd':
			if ((size_t)snprintf(a->dir, sizeof(a->dir), "%s", optarg) >= sizeof(a->dir))
				return -2;
			break;
		case 's': a->subject = optarg; break;
		case 'o': a->out = optarg; break;
		case 'p': a->pass = optarg; break;
		case 'D':
			if (cli_parse_days(optarg, &a->days))
				return -2;
			break;
		case 'h': usage(stdout); return -1;
		default:
			fputs("Try 'kesu ca --help'.\n", stderr);
			return -2;
		}
	}
	a->nfiles = argc - optind;
	a->files = argv + optind;
	return 0;
}

/* The root's key and certificate in the CA directory. */
static void root_files(const struct ca_args *a, char key[PATH_MAX], char cert[PATH_MAX])
{
	kesu_key_path(key, PATH_MAX, a->dir, "root.key");
	kesu_key_path(cert, PATH_MAX, a->dir, "root.pem");
}

static int do_init(struct ca_args *a)
{
	struct kesu_validity v = { 0 };
	struct kesu_errbuf eb;
	char key[PATH_MAX], cert[PATH_MAX];
	int rc;

	kesu_err_clear(&eb);
	if (a->nfiles) {
		kesu_cli_error("'ca init' takes no file arguments");
		return KESU_EXIT_USAGE;
	}
	if (cli_ensure_dir(a->dir))
		return KESU_EXIT_IO;
	if (a->days)
		v.not_after = time(NULL) + a->days * 86400L;
	root_files(a, key, cert);
	rc = kesu_ca_init(key, a->pass, a->subject ? a->subject : "/CN=kesu erasure root CA",
			  &v, cert, &eb);
	if (rc)
		return cli_fail(rc, &eb);
	printf("root key          %s (mode 0600%s)\nroot certificate  %s\n"
	       "Next: 'kesu ca sign signer.csr --dir %s' for each station or operator;\n"
	       "give root.pem and its SHA-256 ('kesu key show %s') to clients.\n",
	       key, a->pass ? ", encrypted" : "", cert, a->dir, cert);
	return KESU_EXIT_OK;
}

static int do_sign(struct ca_args *a)
{
	struct kesu_validity v = { 0 };
	struct kesu_errbuf eb;
	char key[PATH_MAX], cert[PATH_MAX], out[PATH_MAX];
	const char *csr;
	size_t n;
	int rc;

	kesu_err_clear(&eb);
	if (a->nfiles != 1) {
		kesu_cli_error("give the request to sign: kesu ca sign CSR");
		return KESU_EXIT_USAGE;
	}
	csr = a->files[0];
	n = strlen(csr);
	if (a->out)
		snprintf(out, sizeof(out), "%s", a->out);
	else if (n > 4 && !strcmp(csr + n - 4, ".csr"))
		snprintf(out, sizeof(out), "%.*s.pem", (int)(n - 4), csr);
	else
		snprintf(out, sizeof(out), "%s.pem", csr);
	if (a->days)
		v.not_after = time(NULL) + a->days * 86400L;
	root_files(a, key, cert);
	rc = kesu_ca_sign_csr(key, a->pass, cert, csr, &v, out, &eb);
	if (rc)
		return cli_fail(rc, &eb);
	printf("signer certificate %s\n"
	       "Install it as signer.pem in the station's key directory (or [signing] cert).\n", out);
	return KESU_EXIT_OK;
}

int cmd_ca(int argc, char **argv)
{
	struct ca_args a = { 0 };
	int rc;

	if ((rc = cli_subcommand_start(argc, argv, usage)) >= 0)
		return rc;
	rc = parse_args(argc - 1, argv + 1, &a);
	if (rc == -1)
		return KESU_EXIT_OK;
	if (rc)
		return KESU_EXIT_USAGE;
	if (!strcmp(argv[1], "init"))
		return do_init(&a);
	if (!strcmp(argv[1], "sign"))
		return do_sign(&a);
	kesu_cli_error("unknown subcommand '%s' (init, sign)", argv[1]);
	return KESU_EXIT_USAGE;
}
