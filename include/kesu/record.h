/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The result of an erase and its record: what every method fills in (struct
 * kesu_result), and the JSON document built from it, written atomically as
 * <out>/<record_id>.record.json. The schema is documented in kesu-wipe(8);
 * certificates sign exactly this document. Only integers and strings appear
 * in it (0/1 for flags), keys sorted, so that its bytes are stable.
 */
#ifndef KESU_RECORD_H
#define KESU_RECORD_H

#include <kesu/ata.h>
#include <kesu/clock.h>
#include <kesu/dev.h>
#include <kesu/err.h>
#include <kesu/pattern.h>
#include <kesu/progress.h>
#include <kesu/record_schema.h>
#include <kesu/text.h>
#include <kesu/verify.h>

#include <jansson.h>
#include <pthread.h>
#include <stdint.h>

#define KESU_RECORD_VERSION 1
#define KESU_RECORD_ID_MAX  32   /* "R-20261125-1A2B3C4D" */

/*
 * The record's member for what must stay on the station: {"ata_user_password":
 * "kesu-..."} after an ATA security erase (kesu unlock --record reads it),
 * absent otherwise. The record file is written mode 0600; a certificate
 * carries the record without this member.
 */
#define KESU_RECORD_SECRETS "secrets"
#define KESU_RECORD_ATA_PASSWORD "ata_user_password"

/*
 * ERASED: every step completed, verification passed. FAILED: bad ranges,
 * mismatches, the device vanished, an error. INTERRUPTED: stopped, resumable
 * from the journal. UNVERIFIED: completed without verification (--verify none).
 * The names are KESU_OUTCOMES (record_schema.h).
 */
#define KESU_OUTCOME_ENUM(n) KESU_OUTCOME_##n,
enum kesu_outcome { KESU_OUTCOMES(KESU_OUTCOME_ENUM) };
#undef KESU_OUTCOME_ENUM

/* "ERASED", "FAILED", "INTERRUPTED", "UNVERIFIED" */
const char *kesu_outcome_name(enum kesu_outcome o);
/* The outcome named s (exactly, as in a record); -KESU_E_BAD_INPUT for any other text. */
int kesu_outcome_parse(const char *s, enum kesu_outcome *o);
/* s names the outcome o ("ERASED" for KESU_OUTCOME_ERASED). */
int kesu_outcome_is(const char *s, enum kesu_outcome o);

enum kesu_range_op { KESU_OP_WRITE = 0, KESU_OP_READ };

struct kesu_bad_range {
	uint64_t first_lba;
	uint64_t sectors;
	enum kesu_range_op op;
};

struct kesu_mismatch {
	uint64_t offset;             /* bytes, logical-sector aligned */
	uint64_t length;
};

struct kesu_interruption {
	char at[32];                 /* RFC 3339 */
	uint64_t offset;             /* bytes of the step done when it stopped */
	char reason[160];
};

/* Growable lists; append under the result's lock from I/O threads. */
#define KESU_MISMATCH_MAX 4096   /* ranges kept; more are counted only */
#define KESU_BAD_RANGE_MAX 4096

struct kesu_result {
	pthread_mutex_t lock;
	char record_id[KESU_RECORD_ID_MAX];
	struct kesu_dev_identity dev;
	/* method */
	char method_name[32];        /* "overwrite" */
	char category[16];           /* "Clear", "Purge" */
	char pattern[KESU_PATTERN_NAME_MAX];
	unsigned passes;
	int final_zero;
	char random_key[2 * KESU_RANDOM_KEY_BYTES + 1];
	char details[512];
	char operator_name[KESU_TEXT_BYTES(KESU_TEXT_NAME_MAX)];
	char witness[KESU_TEXT_BYTES(KESU_TEXT_NAME_MAX)];  /* 立会者, "" when none */
	/* secrets: in the local record only (KESU_RECORD_SECRETS), never in a certificate */
	char ata_password[KESU_ATA_PASSWORD_LEN + 1];  /* ATA security erase: the temporary user password */
	/* verification */
	struct kesu_verify_plan plan;
	char verify_result[16];      /* "passed", "failed", "not-run" */
	char expect[KESU_PATTERN_SPEC_MAX]; /* what `kesu verify --expect` takes */
	uint64_t bytes_checked;
	struct kesu_mismatch *mismatches;
	size_t n_mismatches;
	uint64_t mismatched_bytes;
	size_t mismatches_dropped;
	struct kesu_bad_range *bad;  /* sorted by op, then LBA; never overlapping or adjacent */
	size_t n_bad;
	/* By enum kesu_range_op: every bad sector, listed or not (each sector once,
	 * whatever the passes and threads that found it failing), and the ranges
	 * that did not fit the list (KESU_BAD_RANGE_MAX). */
	uint64_t bad_sectors[2];
	size_t bad_not_listed[2];
	uint64_t bad_not_listed_sectors[2];
	/* hidden areas: the overwrite path cannot see HPA/DCO */
	char hidden_status[16];      /* "not-checked", "none", "present" */
	char hidden_detail[256];
	struct kesu_interruption *interruptions;
	size_t n_interruptions;
	struct kesu_timeline timeline;
	json_t *commands;            /* firmware methods append their commands; may be NULL */
	char started_at[32], finished_at[32];
	uint64_t duration_ms;        /* time spent working (interruptions excluded) */
	uint64_t bytes_written;
	enum kesu_outcome outcome;
	char **reasons;
	size_t n_reasons;
	struct kesu_time_source time; /* where the clock came from, read by kesu_result_init */
};

int kesu_result_init(struct kesu_result *r);
void kesu_result_release(struct kesu_result *r);

/* A fresh "R-YYYYMMDD-XXXXXXXX" from the date and getrandom. */
int kesu_record_new_id(char *buf, size_t len);

/*
 * Appends (thread-safe). A bad range is merged into the sorted list as it is
 * added: with every range of the same kind it overlaps or touches, from
 * whichever thread it came; bad_sectors counts the sectors new to the list.
 * A range that fits nowhere once the list is full is counted in
 * bad_not_listed and bad_sectors.
 */
int kesu_result_add_bad(struct kesu_result *r, uint64_t first_lba, uint64_t sectors,
			enum kesu_range_op op);
/* Forget every bad range of one kind, listed or counted (thread-safe). */
void kesu_result_drop_bad(struct kesu_result *r, enum kesu_range_op op);
/* Bad sectors of both kinds (a sector failing a write and a read counts twice). */
uint64_t kesu_result_bad_total(const struct kesu_result *r);
int kesu_result_add_mismatch(struct kesu_result *r, uint64_t offset, uint64_t length);
int kesu_result_add_interruption(struct kesu_result *r, const char *at, uint64_t offset,
				 const char *reason);
int kesu_result_add_reason(struct kesu_result *r, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Sort and merge the mismatch list (after the I/O threads ended; bad ranges are always merged). */
void kesu_result_normalize(struct kesu_result *r);

/* The record document (a new reference). */
int kesu_record_build(const struct kesu_result *r, json_t **out, struct kesu_errbuf *eb);

/*
 * The record's "time": source, offset_ms, detail, ntp_server, image_built_at,
 * set_at, synchronized (a new reference).
 */
json_t *kesu_record_time_json(const struct kesu_time_source *ts);

/* The verification plan as the record shows it (a new reference). */
json_t *kesu_record_plan_json(const struct kesu_verify_plan *plan);

/* ---- reading a record ---- */

#define KESU_RECORD_MAX_BYTES (8u << 20)  /* larger files are not records kesu wrote */

/* The C type of each kind in record_schema.h. */
#define KESU_REC_CTYPE_STR  const char *
#define KESU_REC_CTYPE_INT  long long
#define KESU_REC_CTYPE_U64  uint64_t
#define KESU_REC_CTYPE_FLAG int
#define KESU_REC_CTYPE_ARR  const json_t *
#define KESU_REC_CTYPE_OBJ  const json_t *
#define KESU_REC_MEMBER(member, key, kind, required) KESU_REC_CTYPE_##kind member;

/* struct kesu_record_tool, _host, _device, ... one for each of KESU_RECORD_SECTIONS */
#define KESU_REC_SECTION_STRUCT(member, key, required, fields) \
	struct kesu_record_##member { fields(KESU_REC_MEMBER) };
KESU_RECORD_SECTIONS(KESU_REC_SECTION_STRUCT)
#undef KESU_REC_SECTION_STRUCT
struct kesu_record_point { KESU_RECORD_POINT(KESU_REC_MEMBER) };
struct kesu_record_bad_range { KESU_RECORD_BAD_RANGE(KESU_REC_MEMBER) };
struct kesu_record_interruption { KESU_RECORD_INTERRUPTION(KESU_REC_MEMBER) };

/*
 * A record as read back: every member typed, strings and arrays borrowed
 * from doc (valid until kesu_record_release). doc is the document as it was
 * read, the very bytes a certificate carries and signs. A section the record
 * lacks (time, bad_sectors, secrets in older records) is all "" and 0.
 */
struct kesu_record {
	json_t *doc;
	enum kesu_outcome outcome;
	KESU_RECORD_TOP(KESU_REC_MEMBER)
#define KESU_REC_SECTION_MEMBER(member, key, required, fields) struct kesu_record_##member member;
	KESU_RECORD_SECTIONS(KESU_REC_SECTION_MEMBER)
#undef KESU_REC_SECTION_MEMBER
};

/*
 * Check doc against the schema and fill r (r->doc takes a new reference):
 * an object of integers and strings only, every required member there with
 * its kind, the outcome one of KESU_OUTCOMES, the array elements readers go
 * through (timeline, bad_ranges, interruptions, outcome_reasons) well formed.
 * -KESU_E_BAD_INPUT with the member named ("record.device.size_bytes must be
 * a non-negative integer") otherwise; r is then empty.
 */
int kesu_record_from_json(const json_t *doc, struct kesu_record *r, struct kesu_errbuf *eb);
/* Read path (a regular file, at most KESU_RECORD_MAX_BYTES) and kesu_record_from_json. */
int kesu_record_load(const char *path, struct kesu_record *r, struct kesu_errbuf *eb);
void kesu_record_release(struct kesu_record *r);

/* Element i of the record's timeline, bad_ranges, interruptions (checked on load); 0 or -ERANGE. */
int kesu_record_point_at(const struct kesu_record *r, size_t i, struct kesu_record_point *p);
int kesu_record_bad_range_at(const struct kesu_record *r, size_t i, struct kesu_record_bad_range *b);
int kesu_record_interruption_at(const struct kesu_record *r, size_t i,
				struct kesu_record_interruption *it);
/* Outcome reason i, or NULL past the end. */
const char *kesu_record_reason(const struct kesu_record *r, size_t i);

/* Write <dir>/<record_id>.record.json atomically, mode 0600 (it may hold secrets); path receives the file name. */
int kesu_record_write(const char *dir, const struct kesu_result *r, char *path, size_t len,
		      struct kesu_errbuf *eb);

#endif
