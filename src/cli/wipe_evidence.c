/* SPDX-License-Identifier: GPL-2.0-or-later */
/* kesu wipe: certificates and the ledger after an erase (wipe_evidence.h). */
#include "wipe_evidence.h"
#include "cli_common.h"
#include "cli_options.h"

#include <kesu/cli.h>
#include <kesu/keys.h>
#include <kesu/ledger.h>
#include <kesu/seal.h>
#include <kesu/sign.h>

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int load_config(struct wipe_evidence *ev, struct kesu_errbuf *eb)
{
	int rc = kesu_config_load(ev->args.config, &ev->cfg, eb);

	if (rc < 0)
		return rc;
	ev->opts.cfg = ev->cfg;
	ev->opts.key_path = ev->args.key;
	ev->opts.cert_path = ev->args.signer_cert;
	ev->opts.chain_path = ev->args.chain;
	ev->opts.passphrase_file = ev->args.passphrase_file;
	ev->opts.operator_name = ev->args.operator_name;
	ev->opts.witness = ev->args.witness;
	return 0;
}

/* What the certificate takes from the ledger entry; the command line wins. */
static void take_from_ledger(struct wipe_evidence *ev, const struct kesu_media *m)
{
	snprintf(ev->data_name, sizeof(ev->data_name), "%s", kesu_media_get(m, KESU_MF_DATA_NAME));
	snprintf(ev->medium, sizeof(ev->medium), "%s", kesu_media_get(m, KESU_MF_MEDIUM));
	snprintf(ev->ledger_witness, sizeof(ev->ledger_witness), "%s",
		 kesu_media_get(m, KESU_MF_WITNESS));
	ev->opts.data_name = ev->data_name;
	ev->opts.medium = ev->medium;
	if (!ev->args.witness || !*ev->args.witness)
		ev->opts.witness = ev->ledger_witness;
}

/*
 * A key that was named (option or config) must work, or nothing is erased.
 * Without one, the default key is used when it exists; otherwise the wipe
 * writes records only and says how to certify them later.
 */
static int check_signer(struct wipe_evidence *ev, struct kesu_errbuf *eb)
{
	struct kesu_errbuf why = { { 0 } };
	int rc;

	if (ev->args.no_cert) {
		snprintf(ev->note, sizeof(ev->note), "--no-cert: no certificate is made");
		return 0;
	}
	rc = kesu_cert_signer_check(&ev->opts, ev->signer, sizeof(ev->signer), &why);
	if (rc == 0) {
		char key[PATH_MAX], cert[PATH_MAX];

		ev->certify = true;
		if (kesu_cert_signer_paths(&ev->opts, key, sizeof(key), cert, sizeof(cert)) == 0)
			cli_signing_notice(key, cert);
		return 0;
	}
	if (kesu_cert_signer_named(&ev->opts) || ev->args.media_id || rc != -KESU_E_KEY ||
	    strncmp(why.msg, "no sign", 7))
		return kesu_err_set(eb, rc, "%s; nothing was touched (pass --no-cert to erase "
				    "without a certificate)", why.msg);
	snprintf(ev->note, sizeof(ev->note), "%.300s: the wipe writes result records only; "
		 "certify each later with 'kesu cert issue RECORD.json'", why.msg);
	return 0;
}

/* Who the ledger records as making the link. */
static const char *wipe_operator(const struct wipe_evidence *ev)
{
	if (ev->args.operator_name && *ev->args.operator_name)
		return ev->args.operator_name;
	return kesu_config_get_or(ev->cfg, "operator", "name", "kesu wipe");
}

/* The ledger must know the medium, and its serial must be this device's. */
static int check_ledger(struct wipe_evidence *ev, const struct kesu_dev_identity *ids, int n,
			struct kesu_errbuf *eb)
{
	struct kesu_ledger *lg = NULL;
	struct kesu_media m = { { 0 } };
	const char *serial;
	int rc;

	if (!ev->args.media_id && !ev->args.db)
		return 0;
	if (!ev->args.media_id || !ev->args.db)
		return kesu_err_set(eb, -KESU_E_BAD_INPUT, "--media-id and --db go together");
	if (n != 1)
		return kesu_err_set(eb, -KESU_E_BAD_INPUT, "--media-id names one medium: wipe one "
				    "device at a time with it");
	if (!ev->certify)
		return kesu_err_set(eb, -KESU_E_KEY, "--media-id links a signed certificate to the "
				    "ledger, but %s", ev->note);
	rc = kesu_ledger_open(ev->args.db, 0, 5000, &lg, eb);
	if (rc < 0)
		return rc;
	/* who will be recorded (wipe_evidence_attach) must be on the roster, before the erase */
	rc = cli_check_name(lg, KESU_STAFF_ANYONE, "--operator (or [operator] name)",
			    wipe_operator(ev), eb);
	if (rc == 0 && ev->args.witness && *ev->args.witness)
		rc = cli_check_name(lg, KESU_STAFF_ANYONE, "--witness", ev->args.witness, eb);
	if (rc == 0)
		rc = kesu_ledger_get_media(lg, ev->args.media_id, &m, eb);
	if (rc == 0) {
		serial = kesu_media_get(&m, KESU_MF_SERIAL);
		if (*serial && ids[0].bridge_serial[0] && !strcmp(serial, ids[0].bridge_serial))
			rc = kesu_err_set(eb, -KESU_E_BAD_INPUT, "the ledger has %s with serial '%s', "
					  "which is the USB bridge's; the drive in it reports its own "
					  "serial '%s'. Correct the ledger ('kesu ledger edit %s "
					  "--serial %s'); nothing was touched", ev->args.media_id,
					  serial, ids[0].serial, ev->args.media_id, ids[0].serial);
		else if (*serial && ids[0].serial[0] && strcmp(serial, ids[0].serial))
			rc = kesu_err_set(eb, -KESU_E_BAD_INPUT, "the ledger has %s with serial '%s', "
					  "but %s has serial '%s'; nothing was touched",
					  ev->args.media_id, serial, ids[0].path, ids[0].serial);
		if (rc == 0)
			take_from_ledger(ev, &m);
		kesu_media_release(&m);
	}
	kesu_ledger_close(lg);
	if (rc < 0)
		return rc;
	/* The certificate names the medium: nist.media.property_id. */
	return kesu_config_set(ev->cfg, "media", "property_id", ev->args.media_id);
}

int wipe_evidence_prepare(struct wipe_evidence *ev, const struct wipe_evidence_args *args,
			  const struct kesu_dev_identity *ids, int n, const char *out_dir,
			  struct kesu_errbuf *eb)
{
	int rc;

	memset(ev, 0, sizeof(*ev));
	ev->args = *args;
	ev->opts.out_dir = out_dir;
	if (pthread_mutex_init(&ev->lock, NULL) != 0)
		return -ENOMEM;
	ev->lock_init = true;
	rc = load_config(ev, eb);
	/* --media-id without --db: the station's ledger from [ledger] db (a file or a
	 * postgresql:// URL), as the ledger commands take it */
	if (rc == 0 && ev->args.media_id && !ev->args.db)
		ev->args.db = kesu_config_get(ev->cfg, "ledger", "db");
	if (rc == 0)
		rc = check_signer(ev, eb);
	if (rc == 0)
		rc = check_ledger(ev, ids, n, eb);
	return rc;
}

int wipe_evidence_certify(struct wipe_evidence *ev, const char *record_path, char *cert_id,
			  size_t cert_id_len, char *cert_path, size_t cert_path_len,
			  struct kesu_errbuf *eb)
{
	int rc;

	cert_id[0] = '\0';
	cert_path[0] = '\0';
	if (!ev->certify)
		return 0;
	pthread_mutex_lock(&ev->lock);
	rc = kesu_cert_issue_file(record_path, &ev->opts, cert_id, cert_id_len, eb);
	pthread_mutex_unlock(&ev->lock);
	if (rc == 0 && snprintf(cert_path, cert_path_len, "%s/%s.json", ev->opts.out_dir,
				cert_id) >= (int)cert_path_len)
		rc = kesu_err_set(eb, -ENAMETOOLONG, "certificate path too long");
	return rc;
}

/* --ca, else [signing] root, else root.pem or ca/root.pem in the key
 * directory, else the signer certificate itself (a self-signed signer). */
static const char *attach_root(const struct wipe_evidence *ev, char *buf, size_t len)
{
	const char *r = kesu_config_get(ev->cfg, "signing", "root");
	char dir[PATH_MAX - 32];

	if (ev->args.ca)
		return ev->args.ca;
	if (r && *r)
		return r;
	if (cli_key_dir_root(buf, len))
		return buf;
	if (ev->args.signer_cert)
		return ev->args.signer_cert;
	if (kesu_key_default_dir(dir, sizeof(dir)) == 0 &&
	    kesu_key_path(buf, len, dir, KESU_SIGNER_FILE) == 0 && access(buf, R_OK) == 0)
		return buf;
	return NULL;
}

/*
 * After a certificate is linked, audit the ledger and seal its new head with
 * the key that signed the certificate. Not being able to is said, not fatal:
 * the erase and its certificate stand.
 */
static void seal_ledger(struct wipe_evidence *ev, struct kesu_ledger *lg, const char *root)
{
	struct kesu_seal_audit_opts ao = { .ca_path = root };
	struct kesu_signer *signer = NULL;
	struct kesu_errbuf eb = { "" };
	struct kesu_seal_audit res;
	struct kesu_seal seal;
	int rc;

	rc = kesu_cert_signer_open(&ev->opts, &signer, &eb);
	if (rc == 0)
		rc = kesu_ledger_audit_and_seal(lg, signer, &ao, KESU_SEAL_REUSE, &seal, &res, &eb);
	kesu_signer_free(signer);
	if (rc < 0)
		kesu_cli_error("warning: %s%s", rc == -KESU_E_VERIFY ? "" : "the ledger was not sealed: ",
			       eb.msg[0] ? eb.msg : kesu_strerror(rc));
}

int wipe_evidence_attach(struct wipe_evidence *ev, const char *cert_path, struct kesu_errbuf *eb)
{
	struct kesu_ledger *lg = NULL;
	char root[PATH_MAX];
	const char *ca;
	int rc;

	if (!ev->args.db || !cert_path[0])
		return 0;
	rc = kesu_ledger_open(ev->args.db, 0, 5000, &lg, eb);
	if (rc < 0)
		return rc;
	kesu_ledger_set_operator(lg, wipe_operator(ev));
	ca = attach_root(ev, root, sizeof(root));
	rc = kesu_ledger_attach_cert(lg, cert_path, ca, NULL, eb);
	if (rc == 0)
		seal_ledger(ev, lg, ca);
	kesu_ledger_close(lg);
	return rc;
}

void wipe_evidence_release(struct wipe_evidence *ev)
{
	kesu_config_free(ev->cfg);
	ev->cfg = NULL;
	if (ev->lock_init)
		pthread_mutex_destroy(&ev->lock);
	ev->lock_init = false;
}
