/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Seals of the ledger's audit chain.
 *
 * The chain (include/kesu/ledger.h) shows that no event was changed inside
 * it, but whoever can edit the database can also delete its newest events,
 * rewrite it from some event on with the hashes recomputed, or put an older
 * copy of the file back. A seal pins the chain's head with a key the
 * database editor does not have:
 *
 *   SEAL-ID.json      {"database": the ledger's identity (random, fixed at
 *                      creation), "head": hash of event seq, "kind":
 *                      "kesu-ledger-seal", "path", "recent": hashes of the
 *                      events recent_from..seq, "recent_from", "seal_id",
 *                      "sealed_at" (RFC 3339), "seq", "version": 1}
 *                      (jansson, JSON_SORT_KEYS|JSON_COMPACT, no newline)
 *   SEAL-ID.json.p7s  detached CMS signature over those bytes with the
 *                      station's signing key (the certificates' key and trust)
 *
 * Both are kept in the database (table seals) and as files, by default in
 * the directory "<database>.seals" beside it. Stock check:
 *   openssl cms -verify -binary -inform PEM -in SEAL.json.p7s -content SEAL.json \
 *       -CAfile root.pem -out /dev/null
 *
 * kesu_ledger_seal_audit() audits the chain and then holds it against every
 * seal in the database and every seal file it is given: each must verify
 * against the root, name this database, and its head (and recent hashes) must
 * still be in the chain. Deleted events, a rewritten chain, a restored older
 * copy (its seals table lacks the newer seals the files remember) and an
 * altered seal are each named, with the event where the history diverges.
 *
 * This header does not include jansson.h, sqlite3.h or OpenSSL.
 */
#ifndef KESU_SEAL_H
#define KESU_SEAL_H

#include <kesu/err.h>
#include <kesu/ledger.h>

#include <stddef.h>

struct kesu_signer;

#define KESU_SEAL_VERSION   1
#define KESU_SEAL_ID_MAX    32    /* "KS-YYYYMMDD-XXXXXXXX" incl. NUL */
#define KESU_SEAL_RECENT    64    /* event hashes before the head a seal remembers */

struct kesu_seal {
	char seal_id[KESU_SEAL_ID_MAX];
	long seq;                 /* the last event sealed (0: an empty ledger) */
	char head[65];            /* its hash (64 zeros for an empty ledger) */
	char sealed_at[32];       /* RFC 3339, UTC */
	char database[33];        /* the ledger's identity */
	char file[4096];          /* SEAL-ID.json as written or read ("" when none) */
};

/* The ledger's identity: 32 hex digits, random, written when the ledger was made. */
int kesu_ledger_identity(struct kesu_ledger *lg, char id[33], struct kesu_errbuf *eb);

/* The default directory of seal files, "<database>.seals"; "" for an in-memory ledger. */
void kesu_seal_default_dir(const struct kesu_ledger *lg, char *buf, size_t len);

enum kesu_seal_flags {
	KESU_SEAL_REUSE = 1,      /* return the latest seal when it already covers the head */
};

/*
 * Seal the chain's head with signer: the row in the database, then the files
 * in dir (NULL: the default directory, made when missing; "": no files).
 * Does not audit: callers audit first and never seal a chain that fails.
 * -KESU_E_SIGNATURE when signing fails; file errors leave the row in place
 * (eb says so).
 */
int kesu_ledger_seal(struct kesu_ledger *lg, const struct kesu_signer *signer, const char *dir,
		     unsigned flags, struct kesu_seal *seal, struct kesu_errbuf *eb);

/* The latest seal in the database (highest seq, then newest); -KESU_E_NOT_FOUND when none. */
int kesu_ledger_latest_seal(struct kesu_ledger *lg, struct kesu_seal *seal,
			    struct kesu_errbuf *eb);

struct kesu_seal_audit_opts {
	const char *ca_path;            /* the root seal signers chain to (NULL: seals not checked) */
	const char *dir;                /* seal files to check as well (NULL: default, "": none) */
	const char *const *files;       /* more seal files (SEAL.json, its .p7s beside it) */
	size_t n_files;
};

struct kesu_seal_audit {
	struct kesu_audit_result chain;  /* the chain and the replay (kesu_ledger_audit) */
	int sealed;                      /* the database holds a seal: latest is set */
	struct kesu_seal latest;         /* the latest seal in the database */
	long after;                      /* events recorded after it */
	long seals;                      /* seals checked (database rows and files) */
	int unchecked;                   /* there are seals, but no root was given to check them */
	long first_bad;                  /* the event where the history diverges (0: none) */
	char problem[512];               /* what is wrong ("" when all holds) */
};

/*
 * Audit the chain and hold it against the seals. 0 when everything holds
 * (an unsealed ledger too: res->sealed says so; without a root the seals are
 * not checked: res->unchecked says so), -KESU_E_VERIFY when
 * something does not (res->problem, res->first_bad), other errors when the
 * database or a file cannot be read.
 */
int kesu_ledger_seal_audit(struct kesu_ledger *lg, const struct kesu_seal_audit_opts *opts,
			   struct kesu_seal_audit *res, struct kesu_errbuf *eb);

/*
 * Audit (as kesu_ledger_seal_audit) and seal only when everything holds:
 * -KESU_E_VERIFY (res says why) leaves the ledger unsealed.
 */
int kesu_ledger_audit_and_seal(struct kesu_ledger *lg, const struct kesu_signer *signer,
			       const struct kesu_seal_audit_opts *opts, unsigned flags,
			       struct kesu_seal *seal, struct kesu_seal_audit *res,
			       struct kesu_errbuf *eb);

#endif
