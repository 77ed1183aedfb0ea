/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The Japanese reports built from the ledger, laid out by declarative
 * templates in reports/NAME.json (page A4, title, columns with headings and
 * widths) and written as PDF (cairo + pango, include/kesu/pdf.h) or CSV:
 *
 *   ledger       データ管理簿        every medium
 *   schedule     作業予定表          every planned work
 *   result       作業結果報告書      one work (work_id)
 *   return-plan  データ返却等計画書  media marked 返却/消去/廃棄
 *   completion   作業完了報告書      every item of the approved return plan
 *   roster       データ取扱者等名簿  the roster's handlers (別紙2, include/kesu/staff.h)
 *
 * Every report is headed by [contract] name (委託業務名) and [contract]
 * contractor (受託者) from the configuration and dated in Japanese style.
 *
 * Before a report is built the ledger is audited against its seals
 * (include/kesu/seal.h) and, when that holds and a signer is given, sealed;
 * every PDF page's footer names the seal (ID, event, head hash) that pins the
 * ledger's state the report was made from.
 *
 * The completion report's 作業結果 is earned from the evidence when the
 * report is written (良 only when every check holds, else 否 with each
 * reason): the ledger audit and its seals; each cited certificate verified
 * again from its files against the root, its SHA-256 the one the ledger
 * holds; for 消去 and 廃棄 the verified certificate says ERASED with
 * verification passed; every medium still held is in the approved plan; the
 * plan was approved before each erasure it covers.
 */
#ifndef KESU_REPORT_H
#define KESU_REPORT_H

#include <kesu/err.h>
#include <kesu/ledger.h>

#include <time.h>

struct kesu_config;
struct kesu_signer;

enum kesu_report_format { KESU_REPORT_PDF, KESU_REPORT_CSV };

struct kesu_report_opts {
	const char *type;                 /* ledger schedule result return-plan completion roster */
	const char *out_path;
	enum kesu_report_format format;
	enum kesu_csv_encoding encoding;  /* CSV only: UTF-8 (default) or Shift_JIS */
	const struct kesu_config *cfg;    /* [contract] name, contractor */
	const char *templates_dir;        /* directory of NAME.json layouts */
	const char *work_id;              /* result: the work */
	long plan_no;                     /* completion: 0 = the latest approved plan;
					     return-plan: 0 = the media's plan now */
	time_t date;                      /* the report's date; 0 = today (kesu_clock_now), dated in the paperwork zone */
	const char *ca_path;              /* root of certificate and seal signers (completion: required) */
	const char *tsa_ca_path;          /* the TSA's root; NULL: ca_path and the system's roots */
	const struct kesu_signer *signer; /* seal the ledger when its audit holds; NULL: no new seal */
	const char *seal_dir;             /* seal files; NULL: "<database>.seals" */
};

/* What a completion report found (NULL-able out parameter of kesu_report_write). */
struct kesu_report_summary {
	size_t items;          /* rows in the report */
	size_t exceptions;     /* completion: items not erased-and-verified or returned */
	int good;              /* completion: 作業結果 is 良 */
	size_t n_reasons;      /* completion: why 否, one sentence each */
	char **reasons;
	int audit_ok;          /* the ledger's audit against its seals held */
	char audit_problem[512];
	int sealed;            /* seal is the seal the report names */
	char seal_id[32];
	long seal_seq;
	char seal_head[65];
	char seal_note[512];   /* why the ledger was not sealed now ("" when it was) */
};

/* Free what a summary holds (reasons). */
void kesu_report_summary_release(struct kesu_report_summary *s);

/* 1 when type names a report. */
int kesu_report_type_valid(const char *type);

/* "2026年11月25日" in the paperwork zone ([paperwork] timezone, clock.h); buf holds at least 64. */
void kesu_report_date_ja(time_t t, char *buf, size_t len);

/*
 * Build the report from the ledger and write it atomically to out_path.
 * -KESU_E_NOT_FOUND for an unknown work or no approved plan, -KESU_E_BAD_INPUT
 * for a malformed template, -ENOENT for a missing one.
 */
int kesu_report_write(struct kesu_ledger *lg, const struct kesu_report_opts *opts,
		      struct kesu_report_summary *summary, struct kesu_errbuf *eb);

#endif
