/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The media ledger (データ管理簿) in SQLite: one row per medium or data set,
 * the work records (作業予定表 / 作業結果報告書), the approved return plan
 * (データ返却等計画書) and the links to erasure certificates.
 *
 * Every change runs in one transaction together with an audit event. Events
 * are append-only (SQLite triggers refuse UPDATE and DELETE) and hash-chained:
 *
 *   hash(n) = SHA-256( json_dumps({seq, time, operator, action, entity, key,
 *                                  detail, prev: hash(n-1)}, SORT_KEYS|COMPACT) )
 *
 * with hash(0) = 64 zeros. kesu_ledger_audit() recomputes the chain and
 * replays the events' recorded changes against the tables, so an edit made
 * behind kesu's back (in the tables or in the events) is named.
 *
 * All field values are UTF-8 strings ("" when empty) that pass the text rules
 * of include/kesu/text.h, each within its field's limit in characters (the
 * field's key is its entry in that table). Media IDs and work IDs are
 * [0-9A-Z-], 1..KESU_ID_MAX (32) characters: the one rule `kesu label` and the
 * QR code follow too.
 *
 * This header does not include jansson.h or sqlite3.h.
 */
#ifndef KESU_LEDGER_H
#define KESU_LEDGER_H

#include <kesu/err.h>
#include <kesu/text.h>

#include <stddef.h>

#define KESU_LEDGER_DEFAULT_DB  "kesu.db"
#define KESU_LEDGER_SCHEMA      3
#define KESU_LEDGER_ID_MAX      (KESU_ID_MAX + 1)  /* buffer size for a media/work ID incl. NUL */

/* The ledger's columns, in the order of the form (別紙7) and of the CSV. */
enum kesu_media_field {
	KESU_MF_NO,            /* 項番 (assigned) */
	KESU_MF_MEDIA_ID,      /* 媒体ID */
	KESU_MF_SERIAL,        /* シリアル番号 */
	KESU_MF_DATA_NAME,     /* データ名 */
	KESU_MF_MEDIUM,        /* 記録媒体 */
	KESU_MF_GIVER,         /* 交付者 */
	KESU_MF_GIVEN_ON,      /* 交付日 (YYYY-MM-DD) */
	KESU_MF_RECEIVER,      /* 受領者 */
	KESU_MF_HANDOVER,      /* 授受方法 */
	KESU_MF_PLACE,         /* 保管場所 */
	KESU_MF_STORAGE,       /* 保管方法 */
	KESU_MF_USE_PLACE,     /* 使用場所 */
	KESU_MF_PURPOSE,       /* 使用目的 */
	KESU_MF_STATUS,        /* 状態: 受領 保管中 使用中 返却済 消去済 廃棄済 */
	KESU_MF_DISPOSITION,   /* 返却等方法: "" 返却 消去 廃棄 */
	KESU_MF_DISP_TIME,     /* 返却等日時 */
	KESU_MF_DISP_PLACE,    /* 返却等場所 */
	KESU_MF_WITNESS,       /* 立会者 */
	KESU_MF_RESPONSIBLE,   /* 作業責任者 */
	KESU_MF_COUNT
};

/* The 作業予定表 / 作業結果報告書 fields. */
enum kesu_work_field {
	KESU_WF_WORK_ID,       /* 作業ID */
	KESU_WF_TARGET,        /* 対象データ */
	KESU_WF_WORKER,        /* 作業者氏名 */
	KESU_WF_PLANNED_TIME,  /* 作業時間 (planned) */
	KESU_WF_CONTENT,       /* 作業内容 */
	KESU_WF_PLACE,         /* 作業場所 */
	KESU_WF_NOTE,          /* 備考 */
	KESU_WF_ACTUAL_TIME,   /* 実作業時間 */
	KESU_WF_RESULT,        /* 作業結果 (正常 ...) */
	KESU_WF_TAKEN_OUT,     /* データ持ち出しの有無: 無 or 有 */
	KESU_WF_CONFIRMER,     /* 確認者 (データ取扱責任者) */
	KESU_WF_REASON,        /* 超過理由: why the work ran past the planned time */
	KESU_WF_STATE,         /* 予定 / 完了 (set by plan / done) */
	KESU_WF_APPROVED_BY,   /* 承認者: the 主管担当 who approved the plan (kesu_work_approve) */
	KESU_WF_APPROVED_AT,   /* 承認日時 (RFC 3339, UTC) */
	KESU_WF_COUNT
};

/* Names of a field: SQL column and JSON key, the Japanese heading, the CLI option. */
struct kesu_field_info {
	const char *key;       /* "data_name" */
	const char *heading;   /* "データ名" */
	const char *option;    /* "data-name" */
};

const struct kesu_field_info *kesu_media_field_info(enum kesu_media_field f);
const struct kesu_field_info *kesu_work_field_info(enum kesu_work_field f);
/* Field index by key, option or Japanese heading; -1 when unknown. */
int kesu_media_field_lookup(const char *name);
int kesu_work_field_lookup(const char *name);

/* One ledger row. Each f[i] is malloc'd or NULL (NULL: "" / unchanged in edits). */
struct kesu_media {
	char *f[KESU_MF_COUNT];
};
struct kesu_work {
	char *f[KESU_WF_COUNT];
};

/* Set f[i] to a copy of value (NULL clears); -ENOMEM. */
int kesu_media_set(struct kesu_media *m, enum kesu_media_field i, const char *value);
int kesu_work_set(struct kesu_work *w, enum kesu_work_field i, const char *value);
/* The value, "" when NULL. */
const char *kesu_media_get(const struct kesu_media *m, enum kesu_media_field i);
const char *kesu_work_get(const struct kesu_work *w, enum kesu_work_field i);
/* Free the strings (not m itself) and zero m. */
void kesu_media_release(struct kesu_media *m);
void kesu_work_release(struct kesu_work *w);

/* [0-9A-Z-]{1,KESU_ID_MAX}: 1 when valid (kesu_id_valid). */
int kesu_ledger_id_valid(const char *id);
/* One of the six statuses / "" or 返却 消去 廃棄: 1 when valid. */
int kesu_ledger_status_valid(const char *s);
int kesu_ledger_disposition_valid(const char *s);

struct kesu_ledger;

enum kesu_ledger_open_flags {
	KESU_LEDGER_CREATE = 1,   /* create the file (and schema) when missing */
};

/*
 * Open (and with KESU_LEDGER_CREATE create) the database at path, wait up to
 * busy_ms for another writer, run PRAGMA quick_check and migrate the schema
 * (PRAGMA user_version). ":memory:" is a private ledger in memory (tests).
 * Errors, each leaving the file unchanged:
 * -ENOENT (no file and no CREATE), -KESU_E_BUSY (locked by another process),
 * -KESU_E_DB (corrupt, not an SQLite file, not a kesu ledger, newer schema).
 */
int kesu_ledger_open(const char *path, unsigned flags, int busy_ms, struct kesu_ledger **lg,
		     struct kesu_errbuf *eb);
void kesu_ledger_close(struct kesu_ledger *lg);
/* The ledger's name as shown to people: a file's path, or a server URL without its password. */
const char *kesu_ledger_path(const struct kesu_ledger *lg);
/*
 * The same for a ledger not opened (or that cannot be): path as it is, a
 * postgresql:// URL without the password of user:password@ or of a
 * password= parameter. free() it; NULL when out of memory.
 */
char *kesu_ledger_display_name(const char *path);

/* Who makes the following changes (recorded in full in every event). */
int kesu_ledger_set_operator(struct kesu_ledger *lg, const char *name);

/*
 * Changes. Each is one transaction with its event; on any error nothing is
 * written. -KESU_E_BAD_INPUT: no operator, a bad ID, status, disposition or
 * date; -KESU_E_EXISTS: duplicate media ID; -KESU_E_NOT_FOUND: unknown ID.
 */
/* Register a medium; 項番 is assigned (returned in *no when not NULL), status defaults to 受領. */
int kesu_ledger_add(struct kesu_ledger *lg, const struct kesu_media *m, long *no,
		    struct kesu_errbuf *eb);
/* Change the non-NULL fields of changes (not 項番 or the media ID). No change is not an error. */
int kesu_ledger_edit(struct kesu_ledger *lg, const char *media_id,
		     const struct kesu_media *changes, struct kesu_errbuf *eb);
/* Change the storage place (保管場所); recorded as a "move". */
int kesu_ledger_move(struct kesu_ledger *lg, const char *media_id, const char *place,
		     struct kesu_errbuf *eb);

/* The row of one medium (for labels and show). Release with kesu_media_release(). */
int kesu_ledger_get_media(struct kesu_ledger *lg, const char *media_id, struct kesu_media *m,
			  struct kesu_errbuf *eb);

/* List filters: NULL or "" matches all. */
struct kesu_media_filter {
	const char *status;
	const char *place;
	const char *disposition;
	const char *search;      /* substring of データ名, 記録媒体, serial or media ID */
};

struct kesu_media_list {
	size_t n;
	struct kesu_media *items;
};
int kesu_ledger_list(struct kesu_ledger *lg, const struct kesu_media_filter *filter,
		     struct kesu_media_list *out, struct kesu_errbuf *eb);
void kesu_media_list_release(struct kesu_media_list *l);

/* A certificate linked to a medium. */
struct kesu_cert_link {
	char cert_id[64];
	char media_id[KESU_LEDGER_ID_MAX];
	char outcome[16];
	char sha256[65];          /* of CERT-ID.json's bytes */
	char device_serial[128];
	char attached_at[32];
	char path[4096];
	char timestamp[32];       /* the verified RFC 3161 time stamp's time, "" for none */
};
/* Certificates of one medium (media_id NULL: all), oldest first; free(*links). */
int kesu_ledger_cert_links(struct kesu_ledger *lg, const char *media_id,
			   struct kesu_cert_link **links, size_t *n, struct kesu_errbuf *eb);

/*
 * Link a certificate file to the medium named by its nist.media.property_id,
 * without verifying its signature: the caller has (kesu_ledger_attach_cert()
 * does it). Records outcome, SHA-256 of the file's bytes and the device
 * serial; an ERASED certificate marks the medium 消去済. The serial must
 * match the ledger's when both are known. *media_id (KESU_LEDGER_ID_MAX, may
 * be NULL) gets the medium.
 */
int kesu_ledger_link_cert(struct kesu_ledger *lg, const char *cert_path, char *media_id,
			  struct kesu_errbuf *eb);

/*
 * Verify CERT.json's signature and chain against ca_path (kesu_cert_verify_file)
 * and link it: -KESU_E_SIGNATURE when it does not verify (nothing linked).
 * This is what `kesu ledger attach-cert` and `kesu wipe --media-id --db` call.
 */
int kesu_ledger_attach_cert(struct kesu_ledger *lg, const char *cert_path, const char *ca_path,
			    char *media_id, struct kesu_errbuf *eb);
/* The same with the TSA's root named too; a verified time stamp's time is recorded. */
struct kesu_cert_trust;
int kesu_ledger_attach_cert_trust(struct kesu_ledger *lg, const char *cert_path,
				  const struct kesu_cert_trust *trust, char *media_id,
				  struct kesu_errbuf *eb);
/*
 * The same for a certificate that names no medium (a station that could not
 * reach the ledger before its erase): want_media names it, and it is linked
 * only when the certificate's device serial is the ledger's serial for that
 * medium. A certificate that names a medium must name want_media (or
 * want_media is NULL).
 */
int kesu_ledger_attach_cert_to(struct kesu_ledger *lg, const char *cert_path,
			       const struct kesu_cert_trust *trust, const char *want_media,
			       char *media_id, struct kesu_errbuf *eb);

/* One audit event. detail is canonical JSON: {"changes":{field:[old,new]},...}. */
struct kesu_ledger_event {
	long seq;
	const char *time;
	const char *operator_name;
	const char *action;       /* add edit move link-cert check import work-plan work-done approve-plan */
	const char *entity;       /* media work cert plan check */
	const char *key;          /* media ID, work ID, certificate ID, plan number */
	const char *detail;
	const char *prev_hash;
	const char *hash;
};
typedef int (*kesu_ledger_event_fn)(const struct kesu_ledger_event *ev, void *ud);

/* Events (of one entity key, or all with key NULL), oldest first. A callback's nonzero return stops. */
int kesu_ledger_history(struct kesu_ledger *lg, const char *key, kesu_ledger_event_fn fn,
			void *ud, struct kesu_errbuf *eb);

struct kesu_audit_result {
	long events;              /* events checked */
	long first_bad;           /* seq of the first bad event, 0 when the chain holds */
	char head[65];            /* hash of the last event ("" when none): write it down */
	char problem[512];        /* what is wrong, for people ("" when ok) */
};
/*
 * Recompute the chain and replay the events against the tables. Returns 0
 * when all holds, -KESU_E_VERIFY when something does not (res says what and
 * where), other errors when the database cannot be read.
 */
int kesu_ledger_audit(struct kesu_ledger *lg, struct kesu_audit_result *res,
		      struct kesu_errbuf *eb);

/* CSV import/export. */
enum kesu_csv_encoding {
	KESU_CSV_AUTO,            /* import: UTF-8 when valid, else Shift_JIS (CP932) */
	KESU_CSV_UTF8,
	KESU_CSV_SJIS,            /* Shift_JIS as Windows writes it (CP932) */
};
/* "utf-8"/"utf8", "sjis"/"shift_jis"/"cp932", "auto"; -1 when unknown. */
int kesu_csv_encoding_parse(const char *name);

/* Called for each malformed row: its line number (1-based, in the file) and why. */
typedef void (*kesu_csv_error_fn)(void *ud, size_t line, const char *msg);

/*
 * Import rows from a CSV file ("-" is not handled here: pass a path). The
 * first row is the header: Japanese headings (項番 is ignored), keys or
 * options. Every row is checked first; any malformed row (on_error gets each
 * with its line) gives -KESU_E_BAD_INPUT and nothing is imported. All rows go
 * in one transaction (one "add" event per row).
 */
int kesu_ledger_import_csv(struct kesu_ledger *lg, const char *path, enum kesu_csv_encoding enc,
			   kesu_csv_error_fn on_error, void *ud, size_t *imported,
			   struct kesu_errbuf *eb);

/* CSV text (header + filtered rows, CRLF line ends) in enc; free(*out). */
int kesu_ledger_export_csv(struct kesu_ledger *lg, const struct kesu_media_filter *filter,
			   enum kesu_csv_encoding enc, char **out, size_t *len,
			   struct kesu_errbuf *eb);

/*
 * The whole ledger as JSON (free(*out)): every table's rows, the audit
 * events with their hashes, the seals and the ledger's identity, so it moves
 * between SQLite and PostgreSQL with its audit chain and seals.
 */
int kesu_ledger_export_json(struct kesu_ledger *lg, char **out, struct kesu_errbuf *eb);
/*
 * Load such an export into a ledger that holds nothing yet, as it is, in one
 * transaction (-KESU_E_EXISTS when it holds rows; -KESU_E_BAD_INPUT for a
 * file that is not an export of this schema). Audit the copy afterwards.
 */
int kesu_ledger_import_json(struct kesu_ledger *lg, const char *path, struct kesu_errbuf *eb);
/*
 * On a PostgreSQL ledger: the roles kesu_station, kesu_manager and
 * kesu_officer and their grants (src/evidence/ledger-server.sql, built in).
 * -KESU_E_BAD_INPUT for an SQLite ledger.
 */
int kesu_ledger_init_server(struct kesu_ledger *lg, struct kesu_errbuf *eb);
/* 1 when the file's first non-blank byte is '{' (an export, not CSV). */
int kesu_ledger_file_is_json(const char *path);

/* Convert between UTF-8 and CP932 with iconv; free(*out). -KESU_E_BAD_INPUT names the byte offset. */
int kesu_csv_recode(const char *in, size_t len, enum kesu_csv_encoding from,
		    enum kesu_csv_encoding to, char **out, size_t *out_len, struct kesu_errbuf *eb);

/* Inventory by scanned label payloads. */
enum kesu_check_state {
	KESU_CHECK_PRESENT,       /* scanned, in the ledger, in the expected place */
	KESU_CHECK_MISSING,       /* expected but not scanned */
	KESU_CHECK_UNEXPECTED,    /* scanned but not in the ledger (or no longer held) */
	KESU_CHECK_MISPLACED,     /* scanned at --place while the ledger says another place */
};
struct kesu_check_item {
	enum kesu_check_state state;
	char media_id[KESU_LEDGER_ID_MAX];   /* "" when the payload names no known medium */
	char payload[160];                   /* as scanned, normalised ("" for missing) */
	char ledger_place[256];              /* where the ledger says it is */
	char note[256];
};
struct kesu_check_result {
	size_t n;
	struct kesu_check_item *items;
	size_t present, missing, unexpected, misplaced;
	long event_seq;                      /* the event that records this check */
};

/*
 * Normalise one scanned line: trim CR/LF and spaces, uppercase. Then parse
 * "KESU:M:<MEDIA-ID>" or "KESU:C:<CERT-ID>:<SHA16>". Returns 'M' or 'C' with
 * the ID (and for 'C' the 16 hex digits) copied out, or -KESU_E_BAD_INPUT.
 */
int kesu_ledger_parse_payload(const char *line, char *id, size_t id_len, char sha16[17]);

/*
 * Check the payloads in text (one per line) against the media the ledger
 * holds (every status but 返却済 and 廃棄済), limited to place when not NULL,
 * and record the check as an event. Release res with kesu_check_result_release().
 */
int kesu_ledger_check(struct kesu_ledger *lg, const char *text, const char *place,
		      struct kesu_check_result *res, struct kesu_errbuf *eb);
void kesu_check_result_release(struct kesu_check_result *res);

/*
 * Approve the return plan: snapshot every medium with a disposition (返却 消去
 * 廃棄); each needs 日時, 場所, 立会者 and 作業責任者 (-KESU_E_BAD_INPUT names
 * the first that lacks one). *plan_no gets the plan's number.
 */
int kesu_ledger_approve_plan(struct kesu_ledger *lg, const char *approver, long *plan_no,
			     struct kesu_errbuf *eb);
/*
 * The same with the time the 主管担当 approved it: "2026-11-25 10:30" (local
 * time; a date alone counts as the end of that day), not in the future; NULL
 * is now. When a roster is kept (include/kesu/staff.h), the approver must be
 * a 主管担当 on it and every item's 立会者 and 作業責任者 must be on it.
 */
int kesu_ledger_approve_plan_at(struct kesu_ledger *lg, const char *approver,
				const char *approved_at, long *plan_no, struct kesu_errbuf *eb);

/* The latest approved plan (plan_no 0) or a given one; its items are media rows as approved. */
struct kesu_plan {
	long plan_no;
	char approved_by[256];
	char approved_at[32];
	struct kesu_media_list items;
};
int kesu_ledger_get_plan(struct kesu_ledger *lg, long plan_no, struct kesu_plan *plan,
			 struct kesu_errbuf *eb);
void kesu_plan_release(struct kesu_plan *plan);

/* Work records (src/evidence/work.c). */
/* Create or update the plan fields of a work (作業予定表 row); not once it is done. */
int kesu_work_plan(struct kesu_ledger *lg, const struct kesu_work *w, struct kesu_errbuf *eb);
/*
 * Record the result fields (実作業時間, 作業結果, データ持ち出しの有無, 確認者
 * required). 持ち出しの有無 is 無 or 有 (無し, 有り taken as them); work that ran
 * outside its planned time needs 超過理由 (-KESU_E_BAD_INPUT without it).
 */
int kesu_work_done(struct kesu_ledger *lg, const char *work_id, const struct kesu_work *w,
		   struct kesu_errbuf *eb);
/*
 * Record that the 主管担当 approver approved the work's plan (作業予定表) at
 * approved_at (as for kesu_ledger_approve_plan_at; NULL: now). Not twice; not
 * after the recorded work began. Changing the plan afterwards clears it.
 */
int kesu_work_approve(struct kesu_ledger *lg, const char *work_id, const char *approver,
		      const char *approved_at, struct kesu_errbuf *eb);
int kesu_work_fetch(struct kesu_ledger *lg, const char *work_id, struct kesu_work *w,
		    struct kesu_errbuf *eb);
struct kesu_work_list {
	size_t n;
	struct kesu_work *items;
};
int kesu_work_list(struct kesu_ledger *lg, struct kesu_work_list *out, struct kesu_errbuf *eb);
void kesu_work_list_release(struct kesu_work_list *l);

#endif
