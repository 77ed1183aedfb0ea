/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The completion report's judgement (作業完了報告書, include/kesu/report.h).
 *
 * NOTES ON THE DESIGN
 * 1. 良 is earned when the report is written, from the evidence itself: the
 *    database's word (an outcome column, a status) is never enough, because
 *    whoever can edit the database could have written it.
 * 2. The judgement is a list of checks, each a small function that adds one
 *    sentence per thing that does not hold to j->reasons. 良 means the list
 *    stayed empty. To add a check, write a function and put it in
 *    ledger_checks[] (about the whole ledger) or item_checks[] (about one
 *    item of the plan, with its cited certificate verified already).
 * 3. A check returns < 0 only when it could not be made at all (out of
 *    memory, an unreadable database); a failed check is a reason, not an
 *    error.
 * 4. The reasons are the same sentences in the PDF, the CSV and --json.
 */
#include "report_int.h"

#include <kesu/cert.h>
#include <kesu/record.h>
#include <kesu/util.h>

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* One item of the plan while it is judged. */
struct item {
	const struct kesu_media *planned;   /* as approved */
	const char *id, *method;
	struct kesu_media now;              /* the ledger's row today */
	int in_ledger;
	struct kesu_cert_link *links;       /* the ledger's certificates of it */
	size_t n_links;
	const struct kesu_cert_link *cited; /* the one the report cites (NULL: none) */
	int verify_rc;                      /* kesu_cert_verify_file_trust() of the cited file */
	struct kesu_cert_verify v;
	json_t *cert;                       /* the cited certificate when its signature held */
	char file_sha[65];                  /* SHA-256 of the cited file as read now ("" unread) */
	int ok;                             /* no reason was given for this item */
};

struct judge {
	struct kesu_ledger *lg;
	const struct kesu_report_opts *o;
	struct report *r;
	struct kesu_plan plan;
	struct kesu_errbuf *eb;
};

static int reason(struct judge *j, struct item *it, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Add a reason for 否 (and mark the item an exception). */
static int reason(struct judge *j, struct item *it, const char *fmt, ...)
{
	char buf[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (it)
		it->ok = 0;
	return rpt_append(j->r->reasons, json_string(buf));
}

static const char *jstr(const json_t *o, const char *k)
{
	const char *v = json_string_value(json_object_get(o, k));

	return v ? v : "";
}

/* RFC 3339 UTC ("2026-11-25T10:00:00Z") to time_t; -1 when it is not one. */
static time_t utc_time(const char *s)
{
	struct tm tm = { 0 };
	const char *end = s ? strptime(s, "%Y-%m-%dT%H:%M:%SZ", &tm) : NULL;

	return end && !*end ? timegm(&tm) : (time_t)-1;
}

/* ---- checks of the whole ledger ---- */

/* The audit of the chain, the tables and the seals held (report.c ran it). */
static int check_audit(struct judge *j)
{
	const struct report *r = j->r;

	if (r->audit_rc < 0)
		return r->audit.first_bad > 0 ?
		       reason(j, NULL, "台帳の監査に失敗しました (事象 %ld): %s", r->audit.first_bad,
			      r->audit.problem) :
		       reason(j, NULL, "台帳の監査に失敗しました: %s", r->audit.problem);
	if (r->audit.unchecked)
		return reason(j, NULL, "台帳の封印を検証するルート証明書が指定されていません "
			      "(--ca 又は [signing] root)");
	if (!r->sealed)
		return reason(j, NULL, "台帳が封印されていないため、報告の根拠となる台帳の状態を"
			      "固定できません: %s", r->seal_note[0] ? r->seal_note :
			      "'kesu ledger seal' で封印してください");
	return 0;
}

static int in_plan(const struct kesu_plan *p, const char *media_id)
{
	for (size_t i = 0; i < p->items.n; i++)
		if (!strcmp(kesu_media_get(&p->items.items[i], KESU_MF_MEDIA_ID), media_id))
			return 1;
	return 0;
}

/* Every medium still held (not 返却済, 消去済 or 廃棄済) is in the approved plan (4(3)ア). */
static int check_coverage(struct judge *j)
{
	struct kesu_media_list l;
	int rc = kesu_ledger_list(j->lg, NULL, &l, j->eb);

	if (rc < 0)
		return rc;
	for (size_t i = 0; i < l.n && rc == 0; i++) {
		const struct kesu_media *m = &l.items[i];
		const char *st = kesu_media_get(m, KESU_MF_STATUS);

		if (!strcmp(st, "返却済") || !strcmp(st, "消去済") || !strcmp(st, "廃棄済") ||
		    in_plan(&j->plan, kesu_media_get(m, KESU_MF_MEDIA_ID)))
			continue;
		rc = reason(j, NULL, "%s (%s) は%sですが、承認された計画書 (第%ld号) にありません: "
			    "すべての媒体は返却、消去又は廃棄されなければなりません",
			    kesu_media_get(m, KESU_MF_MEDIA_ID), kesu_media_get(m, KESU_MF_DATA_NAME),
			    st, j->plan.plan_no);
	}
	kesu_media_list_release(&l);
	return rc;
}

/* ---- checks of one item ---- */

/* What the ledger says was done matches the plan's method. */
static int item_done(struct judge *j, struct item *it)
{
	const char *status = kesu_media_get(&it->now, KESU_MF_STATUS);

	if (!it->in_ledger)
		return reason(j, it, "%s: 台帳にありません", it->id);
	if (!strcmp(it->method, "返却"))
		return strcmp(status, "返却済") ?
		       reason(j, it, "%s: 返却の予定ですが状態は%sです", it->id, status) : 0;
	if (strcmp(it->method, "消去") && strcmp(it->method, "廃棄"))
		return reason(j, it, "%s: 方法が未定です", it->id);
	if (!it->cited)
		return reason(j, it, "%s: 消去証明書がありません", it->id);
	if (!kesu_outcome_is(it->cited->outcome, KESU_OUTCOME_ERASED))
		return reason(j, it, "%s: 消去の結果は%sです (証明書 %s)", it->id, it->cited->outcome,
			      it->cited->cert_id);
	if (strcmp(status, !strcmp(it->method, "消去") ? "消去済" : "廃棄済"))
		return reason(j, it, "%s: %sの予定ですが状態は%sです", it->id, it->method, status);
	return 0;
}

/* The cited certificate verifies from its files, and its file is the one the ledger linked. */
static int item_cert_files(struct judge *j, struct item *it)
{
	const struct kesu_cert_link *c = it->cited;
	int rc = 0;

	if (!c)
		return 0;
	if (it->verify_rc == -ENOENT)
		return reason(j, it, "%s: 証明書 %s のファイルがありません (%s): %s", it->id,
			      c->cert_id, c->path, it->v.problem);
	if (it->file_sha[0] && strcmp(it->file_sha, c->sha256))
		rc = reason(j, it, "%s: 証明書 %s のファイル %s は台帳に記録されたものと異なります "
			    "(SHA-256 %s、台帳 %s)", it->id, c->cert_id, c->path, it->file_sha,
			    c->sha256);
	if (rc == 0 && (it->verify_rc < 0 || !kesu_cert_verify_ok(&it->v)))
		rc = reason(j, it, "%s: 証明書 %s を検証できません (%s): %s", it->id, c->cert_id,
			    j->o->ca_path ? j->o->ca_path : "ルート証明書の指定なし",
			    it->v.problem[0] ? it->v.problem : kesu_strerror(it->verify_rc));
	if (rc == 0 && it->v.parsed && strcmp(it->v.certificate_id, c->cert_id))
		rc = reason(j, it, "%s: ファイル %s は証明書 %s ではなく %s です", it->id, c->path,
			    c->cert_id, it->v.certificate_id);
	return rc;
}

/* For 消去 and 廃棄: the verified certificate itself says ERASED, verification passed. */
static int item_cert_erased(struct judge *j, struct item *it)
{
	const json_t *rec;
	const char *outcome, *ver;

	if (!it->cited || (strcmp(it->method, "消去") && strcmp(it->method, "廃棄")))
		return 0;
	if (!it->cert)
		return 0;           /* not verified: item_cert_files gave the reason */
	rec = json_object_get(it->cert, "record");
	outcome = jstr(it->cert, "outcome");
	ver = jstr(json_object_get(rec, "verification"), "result");
	if (!kesu_outcome_is(outcome, KESU_OUTCOME_ERASED))
		return reason(j, it, "%s: 証明書 %s 自体の結果は%sです (台帳の記録は%s)", it->id,
			      it->cited->cert_id, *outcome ? outcome : "不明", it->cited->outcome);
	if (strcmp(ver, "passed"))
		return reason(j, it, "%s: 証明書 %s の検証結果は%sです (passed ではありません)",
			      it->id, it->cited->cert_id, *ver ? ver : "不明");
	return 0;
}

/* When the earliest approved plan (up to the one judged) that holds this item was approved. */
static int approval_of(struct judge *j, const struct item *it, char *at, size_t len, long *no)
{
	for (long n = 1; n <= j->plan.plan_no; n++) {
		struct kesu_plan p;
		int found = 0, rc = kesu_ledger_get_plan(j->lg, n, &p, NULL);

		if (rc == -KESU_E_NOT_FOUND)
			continue;
		if (rc < 0)
			return rc;
		for (size_t i = 0; i < p.items.n && !found; i++)
			found = !strcmp(kesu_media_get(&p.items.items[i], KESU_MF_MEDIA_ID), it->id) &&
				!strcmp(kesu_media_get(&p.items.items[i], KESU_MF_DISPOSITION),
					it->method);
		if (found) {
			snprintf(at, len, "%s", p.approved_at);
			*no = p.plan_no;
		}
		kesu_plan_release(&p);
		if (found)
			return 0;
	}
	snprintf(at, len, "%s", j->plan.approved_at);
	*no = j->plan.plan_no;
	return 0;
}

/* The plan was approved before the erasure it covers (4(3)ア: approval first). */
static int item_approved_first(struct judge *j, struct item *it)
{
	char at[64];
	const char *started;
	time_t approved, start;
	long no = 0;
	int rc;

	if (!it->cert || (strcmp(it->method, "消去") && strcmp(it->method, "廃棄")))
		return 0;
	if ((rc = approval_of(j, it, at, sizeof(at), &no)) < 0)
		return rc;
	started = jstr(json_object_get(it->cert, "record"), "started_at");
	approved = utc_time(at);
	start = utc_time(started);
	if (approved == (time_t)-1 || start == (time_t)-1)
		return reason(j, it, "%s: 計画書の承認日時 (%s) と消去の開始日時 (%s) を比べられません",
			      it->id, at, *started ? started : "不明");
	if (approved > start)
		return reason(j, it, "%s: 消去 (証明書 %s、開始 %s) は計画書 (第%ld号) の承認 (%s) より"
			      "前に行われました", it->id, it->cited->cert_id, started, no, at);
	return 0;
}

/* The certificate's own time can be trusted: a clock nobody confirmed, or one
 * before the boot image was built, cannot show the approval came first. */
static int item_cert_time(struct judge *j, struct item *it)
{
	const char *doubt;

	if (!it->cert)
		return 0;           /* not verified: item_cert_files gave the reason */
	doubt = kesu_cert_time_doubt(it->cert);
	return doubt ? reason(j, it, "%s: 証明書 %s の時刻は確かではありません: %s", it->id,
			      it->cited->cert_id, doubt) : 0;
}

static int (*const ledger_checks[])(struct judge *j) = {
	check_audit,
	check_coverage,
};

static int (*const item_checks[])(struct judge *j, struct item *it) = {
	item_done,
	item_cert_files,
	item_cert_erased,
	item_cert_time,
	item_approved_first,
};

/* ---- gathering the evidence of one item ---- */

/* The certificate the report cites: the last the ledger records as ERASED, else the last. */
static void pick_cited(struct item *it)
{
	it->cited = NULL;
	for (size_t i = 0; i < it->n_links; i++)
		if (!it->cited || !kesu_outcome_is(it->cited->outcome, KESU_OUTCOME_ERASED) ||
		    kesu_outcome_is(it->links[i].outcome, KESU_OUTCOME_ERASED))
			it->cited = &it->links[i];
}

/* Verify the cited certificate again from its files; keep its content when its signature holds. */
static void verify_cited(struct judge *j, struct item *it)
{
	const struct kesu_cert_trust t = { j->o->ca_path, j->o->tsa_ca_path };
	struct kesu_errbuf eb = { "" };

	if (!it->cited)
		return;
	it->verify_rc = kesu_cert_verify_file_trust(it->cited->path, &t, &it->v, &eb);
	if (it->verify_rc < 0 && !it->v.problem[0])
		snprintf(it->v.problem, sizeof(it->v.problem), "%s", eb.msg);
	if (it->verify_rc != -ENOENT && kesu_sha256_file_hex(it->cited->path, it->file_sha, NULL) < 0)
		it->file_sha[0] = '\0';
	if (it->v.parsed && it->v.signature_ok && it->v.hashes_ok &&
	    kesu_cert_load(it->cited->path, &it->cert, NULL, NULL, NULL) < 0)
		it->cert = NULL;
}

static int item_gather(struct judge *j, struct item *it)
{
	int rc;

	it->id = kesu_media_get(it->planned, KESU_MF_MEDIA_ID);
	it->method = kesu_media_get(it->planned, KESU_MF_DISPOSITION);
	it->ok = 1;
	rc = kesu_ledger_get_media(j->lg, it->id, &it->now, j->eb);
	if (rc == -KESU_E_NOT_FOUND) {
		kesu_err_clear(j->eb);
		return 0;
	}
	if (rc < 0)
		return rc;
	it->in_ledger = 1;
	if ((rc = kesu_ledger_cert_links(j->lg, it->id, &it->links, &it->n_links, j->eb)) < 0)
		return rc;
	pick_cited(it);
	verify_cited(j, it);
	return 0;
}

static void item_release(struct item *it)
{
	kesu_media_release(&it->now);
	free(it->links);
	json_decref(it->cert);
}

/* What the row says: the certificate, its time stamp, the outcome. */
static int item_row(const struct item *it, json_t *row)
{
	const char *m = it->method;
	int rc = 0;

	if (it->cited) {
		const char *ts = it->v.timestamp == KESU_TS_OK ? it->v.timestamp_time :
				 it->cited->timestamp;

		rc |= rpt_row_set(row, "cert_id", it->cited->cert_id);
		rc |= rpt_row_set(row, "sha256", it->cited->sha256);
		rc |= rpt_row_set(row, "outcome_code", it->cited->outcome);
		rc |= rpt_row_set(row, "timestamp", ts);
	}
	if (it->in_ledger)
		rc |= rpt_row_set(row, "status", kesu_media_get(&it->now, KESU_MF_STATUS));
	rc |= rpt_row_set(row, "outcome", !it->ok ? "例外" : !strcmp(m, "返却") ? "返却済" :
			  !strcmp(m, "消去") ? "消去・検証済" : "消去・検証済・廃棄済");
	return rc ? -ENOMEM : 0;
}

static int judge_item(struct judge *j, const struct kesu_media *planned)
{
	struct item it = { .planned = planned };
	json_t *row = rpt_media_row(planned);
	int rc;

	if (!row)
		return -ENOMEM;
	rc = item_gather(j, &it);
	for (size_t i = 0; rc >= 0 && i < sizeof(item_checks) / sizeof(item_checks[0]); i++)
		rc = item_checks[i](j, &it);
	if (rc >= 0)
		rc = item_row(&it, row);
	if (rc >= 0 && !it.ok)
		j->r->sum.exceptions++;
	item_release(&it);
	if (rc < 0) {
		json_decref(row);
		return rc;
	}
	j->r->sum.items++;
	return rpt_append(j->r->rows, row);
}

/* ---- the report's lines ---- */

static int join_unique(char *buf, size_t len, const struct kesu_media_list *l,
		       enum kesu_media_field f)
{
	size_t off = 0;

	buf[0] = 0;
	for (size_t i = 0; i < l->n; i++) {
		const char *v = kesu_media_get(&l->items[i], f);
		int dup = 0;

		for (size_t j = 0; j < i && !dup; j++)
			dup = !strcmp(v, kesu_media_get(&l->items[j], f));
		if (dup || !*v)
			continue;
		off += (size_t)snprintf(buf + off, off < len ? len - off : 0, "%s%s", off ? "、" : "", v);
		if (off >= len)
			return -KESU_E_TOO_LONG;
	}
	return 0;
}

static int line(json_t *arr, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static int line(json_t *arr, const char *fmt, ...)
{
	char buf[2048];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	return rpt_append(arr, json_string(buf));
}

static int csv_pair(struct report *r, const char *label, const char *value)
{
	return rpt_append(r->csv_tail, json_pack("[ss]", label, value));
}

/* The seal the report was judged against, for people to check later. */
static void seal_text(const struct report *r, char *buf, size_t len)
{
	if (r->have_seal)
		snprintf(buf, len, "%s (事象 %ld、ヘッド %s)%s", r->seal.seal_id, r->seal.seq,
			 r->seal.head, r->sealed ? "" : "、その後の変更は封印されていません");
	else
		snprintf(buf, len, "なし");
}

static int completion_lines(struct judge *j)
{
	struct report *r = j->r;
	const struct kesu_plan *p = &j->plan;
	char date[64], resp[1024], wit[1024], seal[256];
	time_t t = utc_time(p->approved_at);
	size_t i;
	json_t *e;
	int rc;

	if (t != (time_t)-1)
		kesu_report_date_ja(t, date, sizeof(date));
	else
		snprintf(date, sizeof(date), "%s", p->approved_at);
	if (join_unique(resp, sizeof(resp), &p->items, KESU_MF_RESPONSIBLE) < 0)
		snprintf(resp, sizeof(resp), "(多数)");
	if (join_unique(wit, sizeof(wit), &p->items, KESU_MF_WITNESS) < 0)
		snprintf(wit, sizeof(wit), "(多数)");
	seal_text(r, seal, sizeof(seal));
	rc = line(r->before, "「データ返却等計画書」(第%ld号、%s承認、承認者 %s) の作業が終了いたしました"
		  "ので、報告いたします。", p->plan_no, date, p->approved_by);
	rc |= line(r->before, "1 作業結果　%s", r->sum.good ? "良" : "否（下記の理由によります）");
	rc |= line(r->before, "2 作業責任者及び立会者　作業責任者 %s", resp);
	rc |= line(r->before, "　　作業立会者 %s", wit);
	rc |= line(r->before, "3 判定の根拠とした台帳の封印　%s", seal);
	rc |= csv_pair(r, "作業結果", r->sum.good ? "良" : "否");
	rc |= csv_pair(r, "作業責任者", resp);
	rc |= csv_pair(r, "作業立会者", wit);
	rc |= csv_pair(r, "台帳の封印", seal);
	if (rc)
		return -ENOMEM;
	if (!json_array_size(r->reasons))
		return 0;
	rc = line(r->after, "否の理由 (例外):");
	json_array_foreach(r->reasons, i, e) {
		rc |= line(r->after, "・%s", json_string_value(e));
		rc |= csv_pair(r, "例外", json_string_value(e));
	}
	return rc ? -ENOMEM : 0;
}

int rpt_build_completion(struct kesu_ledger *lg, struct report *r,
			 const struct kesu_report_opts *o, struct kesu_errbuf *eb)
{
	struct judge j = { .lg = lg, .o = o, .r = r, .eb = eb };
	int rc;

	if ((rc = kesu_ledger_get_plan(lg, o->plan_no, &j.plan, eb)) < 0)
		return rc;
	for (size_t i = 0; i < j.plan.items.n && rc >= 0; i++)
		rc = judge_item(&j, &j.plan.items.items[i]);
	for (size_t i = 0; rc >= 0 && i < sizeof(ledger_checks) / sizeof(ledger_checks[0]); i++)
		rc = ledger_checks[i](&j);
	if (rc >= 0) {
		r->sum.good = r->sum.items > 0 && json_array_size(r->reasons) == 0;
		rc = completion_lines(&j);
	}
	kesu_plan_release(&j.plan);
	return rc < 0 ? rc : 0;
}
