/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Shared by the ledger, work and report commands (ledger_cli.h). */
#include "ledger_cli.h"
#include "cli_common.h"

#include <kesu/cert.h>
#include <kesu/cli.h>
#include <kesu/keys.h>
#include <kesu/parse.h>
#include <kesu/sign.h>
#include <kesu/text.h>
#include <kesu/util.h>

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int lcli_load_config(const struct lcli_common *c, struct kesu_config **cfg)
{
	struct kesu_errbuf eb = { "" };
	int rc = kesu_config_load(c->config, cfg, &eb);

	if (rc < 0)
		return lcli_fail(rc, &eb);
	return 0;
}

int lcli_fail(int rc, const struct kesu_errbuf *eb)
{
	return cli_fail(rc, eb);
}

int lcli_open(const struct lcli_common *c, unsigned flags, struct kesu_ledger **lg,
	      struct kesu_config **cfg_out)
{
	struct kesu_config *cfg = NULL;
	struct kesu_errbuf eb = { "" };
	const char *op;
	int rc, ex;

	*lg = NULL;
	if ((ex = lcli_load_config(c, &cfg)) != 0)
		return ex;
	/* --db, else [ledger] db (a file or a postgresql:// URL), else ./kesu.db */
	rc = kesu_ledger_open(c->db ? c->db : kesu_config_get(cfg, "ledger", "db"), flags,
			      c->wait_ms, lg, &eb);
	if (rc < 0) {
		kesu_config_free(cfg);
		return lcli_fail(rc, &eb);
	}
	op = c->operator_name ? c->operator_name : kesu_config_get(cfg, "operator", "name");
	rc = kesu_text_check_max(c->operator_name ? "--operator" : "[operator] name", op,
				 kesu_text_limit("operator"), &eb);
	if (!rc && op)
		rc = kesu_ledger_set_operator(*lg, op);
	if (rc < 0) {
		kesu_ledger_close(*lg);
		kesu_config_free(cfg);
		*lg = NULL;
		return lcli_fail(rc, &eb);
	}
	if (cfg_out)
		*cfg_out = cfg;
	else
		kesu_config_free(cfg);
	return 0;
}

int lcli_take_option(struct lcli_common *c, int opt, const char *arg)
{
	switch (opt) {
	case CLI_OPT_DB: c->db = arg; return 1;
	case CLI_OPT_CONFIG: c->config = arg; return 1;
	case CLI_OPT_OPERATOR: c->operator_name = arg; return 1;
	case LCLI_OPT_WAIT:
		if ((c->wait_ms = lcli_parse_wait(arg)) < 0) {
			kesu_cli_error("--wait needs seconds (0-3600), not '%s'", arg);
			return -1;
		}
		return 1;
	case CLI_OPT_JSON: c->json = 1; return 1;
	default: return 0;
	}
}

int lcli_print_json(json_t *root)
{
	int rc;

	if (!root)
		return lcli_fail(-ENOMEM, NULL);
	rc = json_dumpf(root, stdout, JSON_INDENT(2) | JSON_SORT_KEYS);
	fputc('\n', stdout);
	json_decref(root);
	return rc < 0 ? lcli_fail(-EIO, NULL) : KESU_EXIT_OK;
}

int lcli_parse_wait(const char *s)
{
	uint64_t ms;

	if (kesu_parse_ms(s, 3600 * 1000, &ms) < 0)
		return -1;
	return (int)ms;
}

size_t lcli_width(const char *s)
{
	size_t w = 0;

	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if (*p < 0x80)
			w++;
		else if (*p >= 0xe0)
			w += 2;     /* 3- and 4-byte sequences: CJK and other wide characters */
		else if (*p >= 0xc0)
			w++;
	}
	return w;
}

void lcli_pad(FILE *out, const char *s, size_t width)
{
	size_t w;

	s = cli_esc(s);      /* a row may come from an import or an edit behind kesu's back */
	w = lcli_width(s);
	fputs(s, out);
	for (; w < width; w++)
		fputc(' ', out);
}

int lcli_read_input(const char *path, char **text, struct kesu_errbuf *eb)
{
	size_t len = 0, cap = 0;
	char *buf = NULL;
	FILE *f = stdin;

	*text = NULL;
	if (path && strcmp(path, "-")) {
		size_t n;

		return kesu_read_file(path, 64u << 20, text, &n, eb);
	}
	for (;;) {
		size_t n;

		if (cap - len < 4096) {
			char *nb = realloc(buf, cap ? cap * 2 : 8192);

			if (!nb) {
				free(buf);
				return -ENOMEM;
			}
			buf = nb;
			cap = cap ? cap * 2 : 8192;
		}
		n = fread(buf + len, 1, cap - len - 1, f);
		len += n;
		if (n == 0)
			break;
	}
	if (ferror(f)) {
		free(buf);
		return kesu_err_set(eb, -EIO, "reading standard input failed");
	}
	buf[len] = 0;
	*text = buf;
	return 0;
}

const char *lcli_trust_root(const char *opt, const struct kesu_config *cfg, char *buf, size_t len)
{
	const char *r = kesu_config_get(cfg, "signing", "root");
	const char *cert = kesu_config_get(cfg, "signing", "cert");
	char dir[PATH_MAX - 32];

	if (opt && *opt)
		return opt;
	if (r && *r)
		return r;
	if (cli_key_dir_root(buf, len))
		return buf;
	/* a self-signed station is its own root */
	if (cert && *cert && access(cert, R_OK) == 0)
		return cert;
	if (kesu_key_default_dir(dir, sizeof(dir)) == 0 &&
	    kesu_key_path(buf, len, dir, KESU_SIGNER_FILE) == 0 && access(buf, R_OK) == 0)
		return buf;
	return NULL;
}

int lcli_signer(const struct kesu_config *cfg, struct kesu_signer **signer, struct kesu_errbuf *eb)
{
	struct kesu_cert_issue_opts o = { .cfg = cfg };

	return kesu_cert_signer_open(&o, signer, eb);
}

int lcli_seal_after(struct kesu_ledger *lg, const struct kesu_config *cfg, const char *ca,
		    int quiet, struct kesu_seal *seal)
{
	struct kesu_signer *signer = NULL;
	struct kesu_errbuf eb = { "" };
	struct kesu_seal_audit res;
	struct kesu_seal dummy;
	char root[PATH_MAX];
	struct kesu_seal_audit_opts ao = { .ca_path = lcli_trust_root(ca, cfg, root, sizeof(root)) };
	int rc;

	if (!seal)
		seal = &dummy;
	memset(seal, 0, sizeof(*seal));
	if ((rc = lcli_signer(cfg, &signer, &eb)) < 0) {
		kesu_cli_error("warning: the ledger was not sealed: %s", eb.msg);
		return rc;
	}
	rc = kesu_ledger_audit_and_seal(lg, signer, &ao, KESU_SEAL_REUSE, seal, &res, &eb);
	kesu_signer_free(signer);
	if (rc < 0)
		kesu_cli_error("warning: %s", eb.msg[0] ? eb.msg : kesu_strerror(rc));
	else if (!quiet)
		fprintf(stderr, "ledger sealed: %s (event %ld, head %s)\n", seal->seal_id,
			seal->seq, seal->head);
	return rc;
}
