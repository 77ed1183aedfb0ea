/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Seals of the ledger's audit chain (include/kesu/seal.h).
 *
 * NOTES ON THE DESIGN
 * 1. A seal is made inside BEGIN IMMEDIATE: the head it signs is the head at
 *    commit, no change can slip between reading the head and storing the seal.
 * 2. The row is stored before the files are written: a file without its row
 *    would read as "deleted from the database" at the next audit, a row
 *    without its file only lacks a copy.
 * 3. A seal remembers the hashes of up to KESU_SEAL_RECENT events before its
 *    head, so a rewrite within them is named at the exact event; further back
 *    the audit names the range between the last seal that still matches and
 *    the first that does not.
 * 4. A seal is trusted when its signature is over its bytes and its signer
 *    chains to the root; an expired signer does not undo a seal made earlier.
 */
#include "ledger_int.h"

#include <kesu/seal.h>
#include <kesu/sign.h>
#include <kesu/util.h>

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <openssl/rand.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#define SEAL_MAX_BYTES (1u << 20)
#define SEAL_KIND "kesu-ledger-seal"

static const char zero_hash[] =
	"0000000000000000000000000000000000000000000000000000000000000000";

int kesu_ledger_identity(struct kesu_ledger *lg, char id[33], struct kesu_errbuf *eb)
{
	struct kesu_store_stmt *st;
	int rc = lg_prepare(lg, "SELECT value FROM meta WHERE key = 'db_id'", &st, eb);

	if (rc < 0)
		return rc;
	id[0] = '\0';
	rc = kesu_store_step(st);
	if (rc == KESU_STORE_ROW) {
		snprintf(id, 33, "%s", lg_col_text(st, 0));
		rc = 0;
	} else if (rc == KESU_STORE_DONE) {
		rc = kesu_err_set(eb, -KESU_E_DB, "%s has no identity (table meta): it was edited "
				  "behind kesu's back", lg->path);
	} else {
		rc = lg_db_err(lg, rc, eb, "reading the ledger's identity");
	}
	kesu_store_finalize(st);
	return rc;
}

void kesu_seal_default_dir(const struct kesu_ledger *lg, char *buf, size_t len)
{
	/* a server keeps its seals in its table only: there is no directory beside it */
	if (!strcmp(lg->path, ":memory:") || kesu_store_is_server(lg->path) ||
	    (size_t)snprintf(buf, len, "%s.seals", lg->path) >= len)
		buf[0] = '\0';
}

/* The last event's seq and hash (0 and zeros for an empty chain). */
static int chain_head(struct kesu_ledger *lg, long *seq, char head[65], struct kesu_errbuf *eb)
{
	struct kesu_store_stmt *st;
	int rc = lg_prepare(lg, "SELECT seq, hash FROM events ORDER BY seq DESC LIMIT 1", &st, eb);

	if (rc < 0)
		return rc;
	*seq = 0;
	snprintf(head, 65, "%s", zero_hash);
	rc = kesu_store_step(st);
	if (rc == KESU_STORE_ROW) {
		*seq = (long)kesu_store_int64(st, 0);
		snprintf(head, 65, "%s", lg_col_text(st, 1));
		rc = 0;
	} else {
		rc = rc == KESU_STORE_DONE ? 0 : lg_db_err(lg, rc, eb, "reading the audit trail");
	}
	kesu_store_finalize(st);
	return rc;
}

/* The hashes of events from..to, in order. */
static int recent_hashes(struct kesu_ledger *lg, long from, long to, json_t *arr,
			 struct kesu_errbuf *eb)
{
	struct kesu_store_stmt *st;
	int rc = lg_prepare(lg, "SELECT hash FROM events WHERE seq BETWEEN ?1 AND ?2 ORDER BY seq",
			    &st, eb);

	if (rc < 0)
		return rc;
	kesu_store_bind_int64(st, 1, from);
	kesu_store_bind_int64(st, 2, to);
	while ((rc = kesu_store_step(st)) == KESU_STORE_ROW)
		if (json_array_append_new(arr, json_string(lg_col_text(st, 0))) < 0) {
			kesu_store_finalize(st);
			return -ENOMEM;
		}
	rc = rc == KESU_STORE_DONE ? 0 : lg_db_err(lg, rc, eb, "reading the audit trail");
	kesu_store_finalize(st);
	return rc;
}

static int seal_id_new(time_t now, char id[KESU_SEAL_ID_MAX])
{
	unsigned char rnd[4];
	char day[16];
	struct tm tm;

	if (RAND_bytes(rnd, sizeof(rnd)) != 1 || !gmtime_r(&now, &tm) ||
	    strftime(day, sizeof(day), "%Y%m%d", &tm) != 8)
		return -EIO;
	snprintf(id, KESU_SEAL_ID_MAX, "KS-%.8s-%02X%02X%02X%02X", day, rnd[0], rnd[1], rnd[2],
		 rnd[3]);
	return 0;
}

/* The seal's bytes for s, with the recent hashes read from the chain; free(). */
static int seal_content(struct kesu_ledger *lg, const struct kesu_seal *s, char **text,
			struct kesu_errbuf *eb)
{
	long from = s->seq > KESU_SEAL_RECENT ? s->seq - KESU_SEAL_RECENT + 1 : 1;
	json_t *recent = json_array(), *o = NULL;
	int rc;

	*text = NULL;
	if (!recent)
		return -ENOMEM;
	if (s->seq > 0 && (rc = recent_hashes(lg, from, s->seq, recent, eb)) < 0) {
		json_decref(recent);
		return rc;
	}
	o = json_pack("{ss ss ss ss so sI ss ss sI sI}", "database", s->database, "head", s->head,
		      "kind", SEAL_KIND, "path", lg->path, "recent", recent,
		      "recent_from", (json_int_t)(s->seq > 0 ? from : 0), "seal_id", s->seal_id,
		      "sealed_at", s->sealed_at, "seq", (json_int_t)s->seq,
		      "version", (json_int_t)KESU_SEAL_VERSION);
	if (!o)
		return -ENOMEM;
	*text = json_dumps(o, JSON_SORT_KEYS | JSON_COMPACT);
	json_decref(o);
	return *text ? 0 : -ENOMEM;
}

static int seal_row_insert(struct kesu_ledger *lg, const struct kesu_seal *s, const char *content,
			   const char *sig, struct kesu_errbuf *eb)
{
	struct kesu_store_stmt *st;
	int rc = lg_prepare(lg, "INSERT INTO seals (seal_id, seq, head, sealed_at, content,"
			    " signature, file) VALUES (?1,?2,?3,?4,?5,?6,?7)", &st, eb);

	if (rc < 0)
		return rc;
	kesu_store_bind_text(st, 1, s->seal_id);
	kesu_store_bind_int64(st, 2, s->seq);
	kesu_store_bind_text(st, 3, s->head);
	kesu_store_bind_text(st, 4, s->sealed_at);
	kesu_store_bind_text(st, 5, content);
	kesu_store_bind_text(st, 6, sig);
	kesu_store_bind_text(st, 7, s->file);
	rc = kesu_store_step(st);
	rc = rc == KESU_STORE_DONE ? 0 : lg_db_err(lg, rc, eb, "storing the seal");
	kesu_store_finalize(st);
	return rc;
}

static int write_seal_files(const char *dir, const struct kesu_seal *s, const char *content,
			    const char *sig, size_t sig_len, struct kesu_errbuf *eb)
{
	char p7s[PATH_MAX + 8];

	if (mkdir(dir, 0755) < 0 && errno != EEXIST)
		return kesu_err_set(eb, -errno, "ledger sealed as %s, but its directory %s cannot be "
				    "made: %s", s->seal_id, dir, strerror(errno));
	snprintf(p7s, sizeof(p7s), "%s.p7s", s->file);
	if (kesu_write_file_atomic(s->file, content, strlen(content), 0644, eb) < 0 ||
	    kesu_write_file_atomic(p7s, sig, sig_len, 0644, eb) < 0)
		return kesu_err_set(eb, -EIO, "ledger sealed as %s in the database, but its file "
				    "could not be written: %s", s->seal_id, eb ? eb->msg : "");
	return 0;
}

/* Inside the transaction: read the head, sign it, store the row. */
static int seal_locked(struct kesu_ledger *lg, const struct kesu_signer *signer, const char *dir,
		       unsigned flags, struct kesu_seal *s, char **content, char **sig,
		       size_t *sig_len, int *reused, struct kesu_errbuf *eb)
{
	struct kesu_seal latest;
	time_t now = time(NULL);
	int rc;

	if ((rc = chain_head(lg, &s->seq, s->head, eb)) < 0)
		return rc;
	if (flags & KESU_SEAL_REUSE) {
		rc = kesu_ledger_latest_seal(lg, &latest, eb);
		if (rc < 0 && rc != -KESU_E_NOT_FOUND)
			return rc;
		if (rc == 0 && latest.seq == s->seq && !strcmp(latest.head, s->head)) {
			*s = latest;
			*reused = 1;
			return 0;
		}
		kesu_err_clear(eb);
	}
	if ((rc = kesu_ledger_identity(lg, s->database, eb)) < 0)
		return rc;
	if (seal_id_new(now, s->seal_id) < 0)
		return kesu_err_set(eb, -EIO, "no random bytes for the seal's ID");
	kesu_time_rfc3339(now, s->sealed_at, sizeof(s->sealed_at));
	if (dir && *dir &&
	    (size_t)snprintf(s->file, sizeof(s->file), "%s/%s.json", dir, s->seal_id) >= sizeof(s->file))
		return kesu_err_set(eb, -ENAMETOOLONG, "the seal directory's name is too long");
	if ((rc = seal_content(lg, s, content, eb)) < 0)
		return rc;
	if ((rc = kesu_sign_detached(signer, *content, strlen(*content), sig, sig_len, eb)) < 0)
		return rc;
	return seal_row_insert(lg, s, *content, *sig, eb);
}

int kesu_ledger_seal(struct kesu_ledger *lg, const struct kesu_signer *signer, const char *dir,
		     unsigned flags, struct kesu_seal *seal, struct kesu_errbuf *eb)
{
	char defdir[PATH_MAX], *content = NULL, *sig = NULL;
	size_t sig_len = 0;
	int rc, reused = 0;

	memset(seal, 0, sizeof(*seal));
	if (!signer)
		return kesu_err_set(eb, -KESU_E_KEY, "sealing the ledger needs the station's signing key");
	if (!dir) {
		kesu_seal_default_dir(lg, defdir, sizeof(defdir));
		dir = defdir;
	}
	if ((rc = lg_begin(lg, eb)) < 0)
		return rc;
	rc = lg_end(lg, seal_locked(lg, signer, dir, flags, seal, &content, &sig, &sig_len, &reused,
				    eb), eb);
	if (rc == 0 && !reused && seal->file[0])
		rc = write_seal_files(dir, seal, content, sig, sig_len, eb);
	free(content);
	free(sig);
	return rc;
}

static void seal_from_row(struct kesu_store_stmt *st, struct kesu_seal *s)
{
	memset(s, 0, sizeof(*s));
	snprintf(s->seal_id, sizeof(s->seal_id), "%s", lg_col_text(st, 0));
	s->seq = (long)kesu_store_int64(st, 1);
	snprintf(s->head, sizeof(s->head), "%s", lg_col_text(st, 2));
	snprintf(s->sealed_at, sizeof(s->sealed_at), "%s", lg_col_text(st, 3));
	snprintf(s->file, sizeof(s->file), "%s", lg_col_text(st, 4));
}

int kesu_ledger_latest_seal(struct kesu_ledger *lg, struct kesu_seal *seal,
			    struct kesu_errbuf *eb)
{
	struct kesu_store_stmt *st;
	int rc = lg_prepare(lg, "SELECT seal_id, seq, head, sealed_at, file FROM seals"
			    " ORDER BY seq DESC, sealed_at DESC, rowid DESC LIMIT 1", &st, eb);

	if (rc < 0)
		return rc;
	memset(seal, 0, sizeof(*seal));
	rc = kesu_store_step(st);
	if (rc == KESU_STORE_ROW) {
		seal_from_row(st, seal);
		rc = kesu_ledger_identity(lg, seal->database, eb);
	} else if (rc == KESU_STORE_DONE) {
		rc = kesu_err_set(eb, -KESU_E_NOT_FOUND, "the ledger %s has no seal yet: make one with "
				  "'kesu ledger seal'", lg->path);
	} else {
		rc = lg_db_err(lg, rc, eb, "reading the seals");
	}
	kesu_store_finalize(st);
	return rc;
}

/* ---- the audit against the seals ---- */

/* One seal as found (in the database or a file), parsed. */
struct seal_item {
	struct kesu_seal s;
	char *content, *sig;
	size_t content_len, sig_len;
	long recent_from;
	json_t *recent;
	char origin[PATH_MAX + 32];      /* "the database" or "file PATH" */
};

static void item_release(struct seal_item *it)
{
	free(it->content);
	free(it->sig);
	json_decref(it->recent);
	memset(it, 0, sizeof(*it));
}

struct audit_ctx {
	struct kesu_ledger *lg;
	const struct kesu_seal_audit_opts *o;
	struct kesu_seal_audit *res;
	char identity[33];
	struct seal_item *db;            /* the database's seals, by seq */
	size_t n_db;
	long matched;                    /* the highest sealed event that still matches */
};

static int seal_fail(struct audit_ctx *c, long first_bad, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int seal_fail(struct audit_ctx *c, long first_bad, const char *fmt, ...)
{
	va_list ap;

	c->res->first_bad = first_bad;
	va_start(ap, fmt);
	vsnprintf(c->res->problem, sizeof(c->res->problem), fmt, ap);
	va_end(ap);
	return -KESU_E_VERIFY;
}

static int hex64(const char *s)
{
	size_t n = 0;

	for (; s && s[n]; n++)
		if (!isxdigit((unsigned char)s[n]) || isupper((unsigned char)s[n]))
			return 0;
	return n == 64;
}

/* Parse it->content into it->s; a sentence in why when it is not a seal. */
static int item_parse(struct seal_item *it, char *why, size_t len)
{
	json_t *o = json_loadb(it->content, it->content_len, JSON_REJECT_DUPLICATES, NULL);
	const char *kind = json_string_value(json_object_get(o, "kind"));
	const char *id = json_string_value(json_object_get(o, "seal_id"));
	const char *head = json_string_value(json_object_get(o, "head"));
	const char *db = json_string_value(json_object_get(o, "database"));
	const char *at = json_string_value(json_object_get(o, "sealed_at"));
	json_t *seq = json_object_get(o, "seq"), *from = json_object_get(o, "recent_from");
	json_t *recent = json_object_get(o, "recent");
	int ok;

	ok = o && kind && !strcmp(kind, SEAL_KIND) &&
	     json_integer_value(json_object_get(o, "version")) == KESU_SEAL_VERSION && id &&
	     strlen(id) < sizeof(it->s.seal_id) && kesu_ledger_id_valid(id) && hex64(head) && db &&
	     strlen(db) < sizeof(it->s.database) && at && strlen(at) < sizeof(it->s.sealed_at) &&
	     json_is_integer(seq) && json_integer_value(seq) >= 0 && json_is_integer(from) &&
	     json_is_array(recent);
	if (!ok) {
		snprintf(why, len, "%s is not a kesu ledger seal", it->origin);
		json_decref(o);
		return -KESU_E_BAD_INPUT;
	}
	snprintf(it->s.seal_id, sizeof(it->s.seal_id), "%s", id);
	snprintf(it->s.head, sizeof(it->s.head), "%s", head);
	snprintf(it->s.database, sizeof(it->s.database), "%s", db);
	snprintf(it->s.sealed_at, sizeof(it->s.sealed_at), "%s", at);
	it->s.seq = (long)json_integer_value(seq);
	it->recent_from = (long)json_integer_value(from);
	it->recent = json_incref(recent);
	json_decref(o);
	return 0;
}

/* 1 and the hash when event seq exists, 0 when not. */
static int event_hash(struct kesu_ledger *lg, long seq, char hash[65], struct kesu_errbuf *eb)
{
	struct kesu_store_stmt *st;
	int rc = lg_prepare(lg, "SELECT hash FROM events WHERE seq = ?1", &st, eb);

	if (rc < 0)
		return rc;
	kesu_store_bind_int64(st, 1, seq);
	rc = kesu_store_step(st);
	if (rc == KESU_STORE_ROW) {
		snprintf(hash, 65, "%s", lg_col_text(st, 0));
		rc = 1;
	} else {
		rc = rc == KESU_STORE_DONE ? 0 : lg_db_err(lg, rc, eb, "reading the audit trail");
	}
	kesu_store_finalize(st);
	return rc;
}

/* Its signature over its bytes, by a signer under the root. */
static int check_signature(struct audit_ctx *c, const struct seal_item *it)
{
	struct kesu_sig_result r;
	struct kesu_errbuf why = { "" };
	int rc;

	rc = kesu_sign_verify_detached(it->content, it->content_len, it->sig, it->sig_len,
				       c->o->ca_path, &r, &why);
	if (rc < 0 && rc != -KESU_E_SIGNATURE && rc != -KESU_E_BAD_INPUT)
		return kesu_err_set(NULL, rc, "%s", why.msg);
	if (rc == -KESU_E_BAD_INPUT || !r.signature_ok || !r.chain_ok)
		return seal_fail(c, 0, "seal %s (%s) does not verify against %s: %s; the seal was "
				 "altered or was not made with this station's key", it->s.seal_id,
				 it->origin, c->o->ca_path, rc == -KESU_E_BAD_INPUT ? why.msg :
				 r.problem[0] ? r.problem : "bad signature");
	return 0;
}

/* The chain still holds what the seal remembers. */
static int check_chain(struct audit_ctx *c, const struct seal_item *it)
{
	long events = c->res->chain.events, n = (long)json_array_size(it->recent), diverge = 0;
	char hash[65];
	int rc;

	for (long i = 0; i < n && !diverge; i++) {
		const char *want = json_string_value(json_array_get(it->recent, (size_t)i));
		long seq = it->recent_from + i;

		if ((rc = event_hash(c->lg, seq, hash, NULL)) < 0)
			return rc;
		if (rc == 0 || !want || strcmp(hash, want))
			diverge = seq;
	}
	if (!diverge && it->s.seq > 0) {
		if ((rc = event_hash(c->lg, it->s.seq, hash, NULL)) < 0)
			return rc;
		if (rc == 0 || strcmp(hash, it->s.head))
			diverge = it->s.seq;
	}
	if (!diverge) {
		if (it->s.seq > c->matched)
			c->matched = it->s.seq;
		return 0;
	}
	if (diverge > events)
		return seal_fail(c, events + 1, "the ledger ends at event %ld, but seal %s (%s, sealed "
				 "%s) covers events up to %ld: the events after %ld were deleted, or "
				 "this is an older copy of the database", events, it->s.seal_id,
				 it->origin, it->s.sealed_at, it->s.seq, events);
	if (diverge > it->recent_from || it->recent_from <= 1)
		return seal_fail(c, diverge, "event %ld is not the event seal %s (%s, sealed %s) "
				 "recorded: the history was rewritten from event %ld on", diverge,
				 it->s.seal_id, it->origin, it->s.sealed_at, diverge);
	return seal_fail(c, c->matched + 1, "event %ld is not the event seal %s (%s, sealed %s) "
			 "recorded: the history was rewritten after event %ld and at or before "
			 "event %ld", diverge, it->s.seal_id, it->origin, it->s.sealed_at,
			 c->matched, diverge);
}

static int check_item(struct audit_ctx *c, const struct seal_item *it)
{
	int rc;

	c->res->seals++;
	if ((rc = check_signature(c, it)) < 0)
		return rc;
	if (strcmp(it->s.database, c->identity))
		return seal_fail(c, 0, "seal %s (%s) is of another ledger (identity %s), not of %s "
				 "(identity %s): the database was replaced", it->s.seal_id,
				 it->origin, it->s.database, c->lg->path, c->identity);
	return check_chain(c, it);
}

static int load_db_seals(struct audit_ctx *c, struct kesu_errbuf *eb)
{
	struct kesu_store_stmt *st;
	size_t cap = 0;
	int rc = lg_prepare(c->lg, "SELECT seal_id, seq, head, sealed_at, file, content, signature"
			    " FROM seals ORDER BY seq, sealed_at, rowid", &st, eb);

	if (rc < 0)
		return rc;
	while ((rc = kesu_store_step(st)) == KESU_STORE_ROW) {
		struct seal_item *it;
		char why[256];

		if (c->n_db == cap) {
			size_t ncap = cap ? cap * 2 : 16;
			struct seal_item *n = realloc(c->db, ncap * sizeof(*n));

			if (!n) {
				rc = -ENOMEM;
				goto out;
			}
			c->db = n;
			cap = ncap;
		}
		it = &c->db[c->n_db++];
		memset(it, 0, sizeof(*it));
		snprintf(it->origin, sizeof(it->origin), "in the database");
		it->content = strdup(lg_col_text(st, 5));
		it->sig = strdup(lg_col_text(st, 6));
		if (!it->content || !it->sig) {
			rc = -ENOMEM;
			goto out;
		}
		it->content_len = strlen(it->content);
		it->sig_len = strlen(it->sig);
		if (item_parse(it, why, sizeof(why)) < 0 ||
		    strcmp(it->s.seal_id, lg_col_text(st, 0)) ||
		    it->s.seq != (long)kesu_store_int64(st, 1) ||
		    strcmp(it->s.head, lg_col_text(st, 2))) {
			rc = seal_fail(c, 0, "seal %s in the database does not match its own content: "
				       "it was altered", lg_col_text(st, 0));
			goto out;
		}
		snprintf(it->s.file, sizeof(it->s.file), "%s", lg_col_text(st, 4));
	}
	rc = rc == KESU_STORE_DONE ? 0 : lg_db_err(c->lg, rc, eb, "reading the seals");
out:
	kesu_store_finalize(st);
	return rc;
}

/* A seal file and its signature beside it. */
static int check_file(struct audit_ctx *c, const char *path, struct kesu_errbuf *eb)
{
	struct seal_item it = { 0 };
	char p7s[PATH_MAX + 8], why[PATH_MAX + 64];
	const struct seal_item *in_db = NULL;
	int rc;

	snprintf(it.origin, sizeof(it.origin), "file %s", path);
	snprintf(p7s, sizeof(p7s), "%s.p7s", path);
	if ((rc = kesu_read_file(path, SEAL_MAX_BYTES, &it.content, &it.content_len, eb)) < 0)
		goto out;
	if ((rc = kesu_read_file(p7s, SEAL_MAX_BYTES, &it.sig, &it.sig_len, eb)) < 0) {
		if (rc == -ENOENT)
			rc = seal_fail(c, 0, "seal file %s has no signature %s beside it", path, p7s);
		goto out;
	}
	if (item_parse(&it, why, sizeof(why)) < 0) {
		rc = seal_fail(c, 0, "%s", why);
		goto out;
	}
	snprintf(it.s.file, sizeof(it.s.file), "%s", path);
	if ((rc = check_item(c, &it)) < 0)
		goto out;
	for (size_t i = 0; i < c->n_db && !in_db; i++)
		if (!strcmp(c->db[i].s.seal_id, it.s.seal_id))
			in_db = &c->db[i];
	if (!in_db)
		rc = seal_fail(c, 0, "seal %s (file %s, event %ld, sealed %s) is not in the database: "
			       "it was deleted from it, or the database is an older copy",
			       it.s.seal_id, path, it.s.seq, it.s.sealed_at);
	else if (in_db->content_len != it.content_len ||
		 memcmp(in_db->content, it.content, it.content_len))
		rc = seal_fail(c, 0, "seal %s in the database differs from its file %s: one of them "
			       "was replaced", it.s.seal_id, path);
out:
	item_release(&it);
	return rc;
}

static int name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Every KS-*.json in dir, by name. */
static int check_dir(struct audit_ctx *c, const char *dir, struct kesu_errbuf *eb)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	char **names = NULL, path[PATH_MAX];
	size_t n = 0, cap = 0;
	int rc = 0;

	if (!d)
		return errno == ENOENT ? 0 : kesu_err_set(eb, -errno, "cannot read the seal "
							  "directory %s: %s", dir, strerror(errno));
	while ((de = readdir(d))) {
		size_t len = strlen(de->d_name);

		if (strncmp(de->d_name, "KS-", 3) || len < 6 || strcmp(de->d_name + len - 5, ".json"))
			continue;
		if (n == cap) {
			char **nn = realloc(names, (cap = cap ? cap * 2 : 16) * sizeof(*nn));

			if (!nn) {
				rc = -ENOMEM;
				goto out;
			}
			names = nn;
		}
		if (!(names[n] = strdup(de->d_name))) {
			rc = -ENOMEM;
			goto out;
		}
		n++;
	}
	if (n)
		qsort(names, n, sizeof(*names), name_cmp);
	for (size_t i = 0; i < n && rc == 0; i++) {
		if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir, names[i]) >= sizeof(path))
			continue;
		rc = check_file(c, path, eb);
	}
out:
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
	closedir(d);
	return rc;
}

static int audit_seals(struct audit_ctx *c, struct kesu_errbuf *eb)
{
	const struct kesu_seal_audit_opts *o = c->o;
	char defdir[PATH_MAX];
	const char *dir = o->dir;
	int rc;

	if ((rc = kesu_ledger_identity(c->lg, c->identity, eb)) < 0)
		return rc;
	if ((rc = load_db_seals(c, eb)) < 0)
		return rc;
	if (!dir) {
		kesu_seal_default_dir(c->lg, defdir, sizeof(defdir));
		dir = defdir;
	}
	if (o->n_files && (!o->ca_path || !*o->ca_path))
		return seal_fail(c, 0, "the seal files cannot be checked without the root their "
				 "signer chains to: give --ca ROOT.pem or set [signing] root");
	if (!o->ca_path || !*o->ca_path) {
		/* nothing to check them against: say so, do not pretend */
		c->res->unchecked = c->n_db > 0;
		return 0;
	}
	for (size_t i = 0; i < c->n_db; i++)
		if ((rc = check_item(c, &c->db[i])) < 0)
			return rc;
	if (*dir && (rc = check_dir(c, dir, eb)) < 0)
		return rc;
	for (size_t i = 0; i < o->n_files; i++)
		if ((rc = check_file(c, o->files[i], eb)) < 0)
			return rc;
	return 0;
}

int kesu_ledger_seal_audit(struct kesu_ledger *lg, const struct kesu_seal_audit_opts *opts,
			   struct kesu_seal_audit *res, struct kesu_errbuf *eb)
{
	static const struct kesu_seal_audit_opts none;
	struct audit_ctx c = { .lg = lg, .o = opts ? opts : &none, .res = res };
	int rc, lrc;

	memset(res, 0, sizeof(*res));
	rc = kesu_ledger_audit(lg, &res->chain, eb);
	if (rc < 0 && rc != -KESU_E_VERIFY)
		return rc;
	lrc = kesu_ledger_latest_seal(lg, &res->latest, NULL);
	if (lrc < 0 && lrc != -KESU_E_NOT_FOUND)
		return kesu_err_set(eb, lrc, "reading the ledger's seals: %s", kesu_strerror(lrc));
	res->sealed = lrc == 0;
	if (rc < 0) {
		res->first_bad = res->chain.first_bad;
		snprintf(res->problem, sizeof(res->problem), "%s", res->chain.problem);
		return rc;
	}
	if (res->sealed)
		res->after = res->chain.events - res->latest.seq;
	/* One read transaction: the chain and the seals are seen at one moment. */
	if ((rc = lg_begin_read(lg, eb)) < 0)
		return rc;
	rc = audit_seals(&c, eb);
	kesu_store_rollback(lg->db);
	for (size_t i = 0; i < c.n_db; i++)
		item_release(&c.db[i]);
	free(c.db);
	return rc;
}

int kesu_ledger_audit_and_seal(struct kesu_ledger *lg, const struct kesu_signer *signer,
			       const struct kesu_seal_audit_opts *opts, unsigned flags,
			       struct kesu_seal *seal, struct kesu_seal_audit *res,
			       struct kesu_errbuf *eb)
{
	int rc = kesu_ledger_seal_audit(lg, opts, res, eb);

	memset(seal, 0, sizeof(*seal));
	if (rc == -KESU_E_VERIFY)
		return kesu_err_set(eb, rc, "the ledger was not sealed: its audit failed: %s",
				    res->problem);
	if (rc < 0)
		return rc;
	return kesu_ledger_seal(lg, signer, opts ? opts->dir : NULL, flags, seal, eb);
}
