/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * kesu wipe: the evidence that follows an erase. Before anything is touched,
 * wipe_evidence_prepare() loads the configuration, checks that the signing key
 * is usable and, with --media-id/--db, that the ledger knows the medium and
 * that its serial is the device's (the drive's own: kesu_target_open()); the
 * certificate then carries the entry's データ名, 記録媒体 and 立会者. The
 * command line wins over the ledger, and both over the configuration. After each drive's record is written,
 * wipe_evidence_certify() signs it (CERT-ID.json, .p7s, .pdf beside the
 * record); after all drives, wipe_evidence_attach() links the certificate to
 * the ledger entry. A failure here never changes the erase outcome.
 */
#ifndef KESU_CLI_WIPE_EVIDENCE_H
#define KESU_CLI_WIPE_EVIDENCE_H

#include <kesu/cert.h>
#include <kesu/config.h>
#include <kesu/dev.h>
#include <kesu/err.h>

#include <limits.h>
#include <pthread.h>
#include <stdbool.h>

struct wipe_evidence_args {
	const char *config;           /* --config */
	const char *key, *signer_cert, *chain, *passphrase_file;
	const char *ca;               /* --ca: the root that ledger attach trusts */
	const char *media_id, *db;    /* --media-id, --db */
	const char *operator_name;    /* --operator: the certificate's 氏名, who changes the ledger */
	const char *witness;          /* --witness: 立会者 (else the ledger entry's) */
	bool no_cert;                 /* --no-cert */
};

struct wipe_evidence {
	struct wipe_evidence_args args;
	struct kesu_config *cfg;
	struct kesu_cert_issue_opts opts;
	bool certify;                 /* a usable signer was found */
	char signer[512];             /* its subject */
	char note[512];               /* why there is no certificate, for the operator */
	/* The --media-id entry: データ名, 記録媒体 and the plan's 立会者, for the certificate. */
	char data_name[512], medium[256], ledger_witness[256];
	pthread_mutex_t lock;         /* certificates are made one at a time (pango) */
	bool lock_init;
};

/* Everything that can be checked before the erase; 0, or an error in eb. */
int wipe_evidence_prepare(struct wipe_evidence *ev, const struct wipe_evidence_args *args,
			  const struct kesu_dev_identity *ids, int n, const char *out_dir,
			  struct kesu_errbuf *eb);

/* Certify one record; cert_path gets CERT-ID.json's path. Thread-safe. */
int wipe_evidence_certify(struct wipe_evidence *ev, const char *record_path, char *cert_id,
			  size_t cert_id_len, char *cert_path, size_t cert_path_len,
			  struct kesu_errbuf *eb);

/* Link a certificate to the --media-id entry of --db (verified first). */
int wipe_evidence_attach(struct wipe_evidence *ev, const char *cert_path,
			 struct kesu_errbuf *eb);

void wipe_evidence_release(struct wipe_evidence *ev);

#endif
