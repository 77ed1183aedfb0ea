/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The certificate as an A4 PDF: Japanese with English subtitles, the NIST
 * SP 800-88 fields as a form (with the witness, the ledger's データ名 and
 * 記録媒体 as the media type), the outcome in large type, the QR code
 * (KESU:C:<ID>:<SHA16>), the signer and the SHA-256 of CERT-ID.json, and for
 * overwrites a chart of throughput over time from record.timeline.
 */
#include <kesu/cert.h>
#include <kesu/clock.h>
#include <kesu/methods.h>
#include <kesu/pdf.h>
#include <kesu/qr.h>
#include <kesu/record.h>
#include <kesu/util.h>

#include <errno.h>
#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#define MARGIN   KESU_PDF_MM(15)
#define CONTENT  (KESU_PDF_A4_WIDTH - 2 * MARGIN)
#define BOTTOM   (KESU_PDF_A4_HEIGHT - KESU_PDF_MM(15))
#define LABEL_W  KESU_PDF_MM(42)
#define QR_SIZE  KESU_PDF_MM(30)
#define FIELD_MAX 600

struct page {
	struct kesu_pdf *pdf;
	double y;
	int handwriting;   /* empty fields stay blank, with room to write in */
};

static const char *jstr(const json_t *obj, const char *key)
{
	const char *s = json_string_value(json_object_get(obj, key));

	return s ? s : "";
}

static const char *dash(const char *s)
{
	return s && *s ? s : "—";
}

/* Start a new page when h more points do not fit. */
static void need(struct page *pg, double h)
{
	if (pg->y + h > BOTTOM) {
		kesu_pdf_new_page(pg->pdf);
		pg->y = MARGIN;
	}
}

static void heading(struct page *pg, const char *ja, const char *en)
{
	struct kesu_pdf_style st = { .size = 11, .bold = 1 };
	struct kesu_pdf_style sub = { .size = 8, .r = 0.35, .g = 0.35, .b = 0.35 };
	char text[256];

	need(pg, 40);
	pg->y += 6;
	snprintf(text, sizeof(text), "%s", ja);
	kesu_pdf_text(pg->pdf, MARGIN, pg->y, CONTENT * 0.5, text, &st);
	kesu_pdf_text(pg->pdf, MARGIN + KESU_PDF_MM(48), pg->y + 2.5, CONTENT - KESU_PDF_MM(48), en,
		      &sub);
	pg->y += 15;
}

/*
 * At most FIELD_MAX bytes of a value, cut at a UTF-8 character boundary and
 * marked: a form field never outgrows a page (the JSON keeps the whole text).
 */
static const char *shorten(const char *value, char *buf, size_t len)
{
	size_t n = strlen(value);

	if (n <= FIELD_MAX)
		return value;
	n = FIELD_MAX;
	while (n > 0 && ((unsigned char)value[n] & 0xC0) == 0x80)
		n--;
	snprintf(buf, len, "%.*s …", (int)n, value);
	return buf;
}

/* A form row: "日本語 / English" label cell, then the value. */
static void field(struct page *pg, const char *ja, const char *en, const char *value)
{
	struct kesu_pdf_style styles[2] = { { .size = 8 }, { .size = 9.5 } };
	double widths[2] = { LABEL_W, CONTENT - LABEL_W };
	double fills[2] = { 0.92, -1 };
	char label[160], cut[FIELD_MAX + 8];
	const char *cells[2];
	double h;

	snprintf(label, sizeof(label), "%s\n%s", ja, en);
	cells[0] = label;
	cells[1] = pg->handwriting && !*value ? " \n " : dash(shorten(value, cut, sizeof(cut)));
	h = kesu_pdf_text_height(pg->pdf, widths[1] - 6, cells[1], &styles[1]);
	need(pg, h + 10 > 24 ? h + 10 : 24);
	pg->y += kesu_pdf_row(pg->pdf, MARGIN, pg->y, widths, cells, 2, styles, 2, fills, 3, 0.4);
}

/* An RFC 3339 time of the JSON in the paperwork zone ("2026-12-06 08:30:15 JST"); as it is when not one. */
static const char *paper_time(const char *rfc3339, char *buf, size_t len)
{
	time_t t;

	if (kesu_time_parse_rfc3339(rfc3339, &t) < 0)
		return rfc3339;
	kesu_time_paper(t, KESU_PAPER_DATETIME, buf, len);
	return buf;
}

static const char *outcome_ja(enum kesu_outcome o)
{
	switch (o) {
	case KESU_OUTCOME_ERASED:      return "消去完了";
	case KESU_OUTCOME_FAILED:      return "消去失敗";
	case KESU_OUTCOME_INTERRUPTED: return "中断";
	case KESU_OUTCOME_UNVERIFIED:  return "未検証";
	}
	return "消去失敗";
}

static void title_block(struct page *pg, const json_t *c, enum kesu_outcome outcome,
			const char *payload, struct kesu_errbuf *eb, int *qr_rc)
{
	struct kesu_pdf_style title = { .size = 22, .bold = 1 };
	struct kesu_pdf_style sub = { .size = 11, .r = 0.3, .g = 0.3, .b = 0.3 };
	struct kesu_pdf_style small = { .size = 9 };
	struct kesu_pdf_style big = { .size = 26, .bold = 1 };
	double w = CONTENT - QR_SIZE - KESU_PDF_MM(4);
	struct kesu_pdf_style warn = { .size = 10, .bold = 1, .r = 0.75 };
	const char *doubt = kesu_cert_time_doubt(c);
	char line[256], when[64];
	time_t issued;

	pg->y = MARGIN;
	*qr_rc = kesu_qr_draw(kesu_pdf_cairo(pg->pdf), MARGIN + CONTENT - QR_SIZE, pg->y, QR_SIZE,
			      payload, KESU_QR_ECC_M, 4, 0, eb);
	pg->y += kesu_pdf_text(pg->pdf, MARGIN, pg->y, w, "データ消去証明書", &title);
	pg->y += kesu_pdf_text(pg->pdf, MARGIN, pg->y, w,
			       "Certificate of Sanitization (NIST SP 800-88)", &sub) + 6;
	snprintf(line, sizeof(line), "証明書番号 / Certificate ID:  %s", jstr(c, "certificate_id"));
	pg->y += kesu_pdf_text(pg->pdf, MARGIN, pg->y, w, line, &small);
	if (kesu_time_parse_rfc3339(jstr(c, "issued_at"), &issued) == 0) {
		kesu_time_paper(issued, KESU_PAPER_DATETIME_JA, when, sizeof(when));
		snprintf(line, sizeof(line), "発行日時 / Issued:  %s (%s)", when, jstr(c, "issued_at"));
	} else {
		snprintf(line, sizeof(line), "発行日時 / Issued:  %s", jstr(c, "issued_at"));
	}
	pg->y += kesu_pdf_text(pg->pdf, MARGIN, pg->y, w, line, &small);
	if (pg->y < MARGIN + QR_SIZE)
		pg->y = MARGIN + QR_SIZE;
	pg->y += 6;
	if (outcome != KESU_OUTCOME_ERASED) {
		big.r = 0.75;
	} else {
		big.g = 0.35;
	}
	snprintf(line, sizeof(line), "結果 / Outcome:  %s  %s", outcome_ja(outcome),
		 kesu_outcome_name(outcome));
	kesu_pdf_rect(pg->pdf, MARGIN, pg->y, CONTENT, 44, 1.2);
	kesu_pdf_text(pg->pdf, MARGIN + 10, pg->y + 6, CONTENT - 20, line, &big);
	pg->y += 50;
	if (doubt) {
		snprintf(line, sizeof(line), "時刻未確認 / CLOCK NOT CONFIRMED: %s; the times on this "
			 "certificate are the machine's clock as found", doubt);
		pg->y += kesu_pdf_text(pg->pdf, MARGIN, pg->y, CONTENT, line, &warn) + 4;
	}
}

/* Where the record's times came from (record.time), for the form. */
static void time_source_text(const struct kesu_record_time *tm, char *buf, size_t len)
{
	int n;

	if (!*tm->source) {
		snprintf(buf, len, "not recorded");
		return;
	}
	n = snprintf(buf, len, "%s", tm->source);
	if (*tm->detail && n >= 0 && (size_t)n < len)
		n += snprintf(buf + n, len - (size_t)n, ": %s", tm->detail);
	if (*tm->ntp_server && n >= 0 && (size_t)n < len)
		n += snprintf(buf + n, len - (size_t)n, "; NTP server %s", tm->ntp_server);
	if (tm->offset_ms && n >= 0 && (size_t)n < len)
		n += snprintf(buf + n, len - (size_t)n, "; clock corrected by %+lld s at boot",
			      tm->offset_ms / 1000);
	if (!strcmp(tm->synchronized, "no") && !strcmp(tm->source, KESU_TIME_SYSTEM) &&
	    n >= 0 && (size_t)n < len)
		n += snprintf(buf + n, len - (size_t)n, "; not synchronised by NTP");
	if (*tm->image_built_at && n >= 0 && (size_t)n < len)
		snprintf(buf + n, len - (size_t)n, "; boot image built %s", tm->image_built_at);
}

static void person_block(struct page *pg, const json_t *p, const char *ja, const char *en)
{
	heading(pg, ja, en);
	field(pg, "氏名", "Name", jstr(p, "name"));
	field(pg, "役職", "Title", jstr(p, "title"));
	field(pg, "組織", "Organisation", jstr(p, "organisation"));
	field(pg, "場所", "Location", jstr(p, "location"));
	field(pg, "連絡先", "Contact", jstr(p, "contact"));
}

static void media_block(struct page *pg, const json_t *m)
{
	heading(pg, "媒体", "Media");
	field(pg, "メーカー", "Make / vendor", jstr(m, "make"));
	field(pg, "型番", "Model", jstr(m, "model"));
	if (*jstr(m, "bridge_model"))
		field(pg, "変換器の型番", "Model reported by the USB bridge", jstr(m, "bridge_model"));
	field(pg, "シリアル番号", "Serial number", jstr(m, "serial"));
	if (*jstr(m, "bridge_serial"))
		field(pg, "変換器のシリアル番号", "Serial reported by the USB bridge",
		      jstr(m, "bridge_serial"));
	field(pg, "資産番号", "Media property number", jstr(m, "property_id"));
	field(pg, "データ名", "Data name (ledger)", jstr(m, "data_name"));
	field(pg, "媒体の種類", "Media type", jstr(m, "type"));
	field(pg, "出所", "Source", jstr(m, "source"));
	field(pg, "機密区分", "Classification", jstr(m, "classification"));
	field(pg, "バックアップ", "Data backed up", jstr(m, "data_backed_up"));
	field(pg, "バックアップ先", "Backup location", jstr(m, "backup_location"));
}

static void sanitization_block(struct page *pg, const json_t *s, const char *destination)
{
	char tool[256];

	heading(pg, "消去", "Sanitization");
	field(pg, "区分", "Method type (Clear / Purge)", jstr(s, "category"));
	field(pg, "方式", "Method used", jstr(s, "method"));
	field(pg, "詳細", "Method details", jstr(s, "details"));
	snprintf(tool, sizeof(tool), "%s %s", jstr(s, "tool"), jstr(s, "tool_version"));
	field(pg, "ツール", "Tool used (version)", tool);
	field(pg, "検証方法", "Verification method", jstr(s, "verification_method"));
	field(pg, "検証結果", "Verification result", jstr(s, "verification_result"));
	field(pg, "消去後の区分", "Post-sanitization classification",
	      jstr(s, "post_classification"));
	field(pg, "媒体の行き先", "Media destination", destination);
	field(pg, "備考", "Notes", jstr(s, "notes"));
}

static void record_block(struct page *pg, const json_t *c, const struct kesu_record *rec)
{
	const json_t *host = json_object_get(c, "host");
	const json_t *contract = json_object_get(c, "contract");
	const char *reason;
	char buf[1024], size[32], rate[32], t0[64], t1[64];
	size_t i, used = 0;

	heading(pg, "契約", "Contract");
	field(pg, "委託業務名", "Contract", jstr(contract, "name"));
	field(pg, "委託元", "Client", jstr(contract, "client"));
	field(pg, "受託者", "Contractor", jstr(contract, "contractor"));

	heading(pg, "作業記録", "Record");
	field(pg, "記録番号", "Record ID", rec->record_id);
	snprintf(buf, sizeof(buf), "%s / %s / %s", dash(jstr(host, "dmi_vendor")),
		 dash(jstr(host, "dmi_product")), dash(jstr(host, "dmi_serial")));
	field(pg, "作業機", "Host (vendor / product / serial)", buf);
	snprintf(buf, sizeof(buf), "%s — %s (%llu ms)",
		 dash(paper_time(rec->started_at, t0, sizeof(t0))),
		 dash(paper_time(rec->finished_at, t1, sizeof(t1))),
		 (unsigned long long)rec->duration_ms);
	field(pg, "作業時間", "Started — finished", buf);
	time_source_text(&rec->time, buf, sizeof(buf));
	field(pg, "時刻の出所", "Time source", buf);
	kesu_format_size(rec->bytes_written, 1, size, sizeof(size));
	kesu_format_size(rec->throughput_bps, 1, rate, sizeof(rate));
	snprintf(buf, sizeof(buf), "%s (%llu bytes), %s/s", size,
		 (unsigned long long)rec->bytes_written, rate);
	field(pg, "書込量", "Bytes written", buf);
	snprintf(buf, sizeof(buf), "bad ranges: %zu, interruptions: %zu, hidden areas: %s",
		 json_array_size(rec->bad_ranges), json_array_size(rec->interruptions),
		 dash(rec->hidden_areas.status));
	field(pg, "異常", "Bad ranges, interruptions, hidden areas", buf);
	buf[0] = '\0';
	for (i = 0; (reason = kesu_record_reason(rec, i)) && used < sizeof(buf) - 1; i++) {
		int n = snprintf(buf + used, sizeof(buf) - used, "%s%s", i ? "; " : "", reason);

		if (n < 0)
			break;
		used += (size_t)n;
	}
	field(pg, "結果の理由", "Outcome reasons", buf);
}

/*
 * Whether the throughput chart belongs on the certificate: for a Clear, and
 * for a method that writes the medium, which the method table says by what
 * it leaves (kesu's pattern, a firmware overwrite's 32-bit pattern). A
 * method this kesu does not know: the record's pattern, set only by
 * overwrites.
 */
static bool writes_media(const struct kesu_record *rec)
{
	const struct kesu_method_desc *m = kesu_method_find(rec->method.name);

	if (!strcmp(rec->method.category, "Clear"))
		return true;
	if (m)
		return m->leaves == KESU_LEAVES_PATTERN || m->leaves == KESU_LEAVES_PATTERN32;
	return *rec->method.pattern != '\0';
}

/* Samples i-1 and i of the timeline: their times in ms and the rate between them in MB/s. */
static double rate_at(const struct kesu_record *rec, size_t i, double *ta, double *tb)
{
	struct kesu_record_point a = { 0 }, b = { 0 };
	double dt;

	kesu_record_point_at(rec, i - 1, &a);
	kesu_record_point_at(rec, i, &b);
	*ta = (double)a.t_ms;
	*tb = (double)b.t_ms;
	dt = (*tb - *ta) / 1000.0;
	return dt > 0 ? ((double)b.bytes - (double)a.bytes) / dt / 1e6 : 0;
}

/* Throughput between consecutive timeline samples, as a step chart in MB/s. */
static void chart(struct page *pg, const struct kesu_record *rec)
{
	struct kesu_pdf_style axis = { .size = 7 };
	cairo_t *cr = kesu_pdf_cairo(pg->pdf);
	size_t n = json_array_size(rec->timeline), i;
	double h = KESU_PDF_MM(45), x0 = MARGIN + 30, w = CONTENT - 40, top, max_rate = 0;
	double t_end, ta, tb;
	char label[64];

	if (n < 2)
		return;
	rate_at(rec, n - 1, &ta, &t_end);
	for (i = 1; i < n; i++) {
		double rate = rate_at(rec, i, &ta, &tb);

		if (rate > max_rate)
			max_rate = rate;
	}
	if (t_end <= 0 || max_rate <= 0)
		return;
	max_rate *= 1.1; /* headroom: the line stays clear of the frame */
	heading(pg, "書込速度の推移", "Throughput over time (MB/s)");
	need(pg, h + 20);
	top = pg->y;
	kesu_pdf_rect(pg->pdf, x0, top, w, h, 0.5);
	snprintf(label, sizeof(label), "%.0f", max_rate);
	kesu_pdf_text(pg->pdf, MARGIN, top - 3, 28, label, &axis);
	kesu_pdf_text(pg->pdf, MARGIN, top + h - 8, 28, "0", &axis);
	snprintf(label, sizeof(label), "%.0f s", t_end / 1000.0);
	axis.align = KESU_PDF_RIGHT;
	kesu_pdf_text(pg->pdf, x0, top + h + 2, w, label, &axis);
	cairo_save(cr);
	cairo_set_source_rgb(cr, 0.1, 0.3, 0.7);
	cairo_set_line_width(cr, 1.0);
	for (i = 1; i < n; i++) {
		double rate = rate_at(rec, i, &ta, &tb);
		double y = top + h - h * (rate / max_rate);

		if (i == 1)
			cairo_move_to(cr, x0 + w * ta / t_end, y);
		cairo_line_to(cr, x0 + w * ta / t_end, y);
		cairo_line_to(cr, x0 + w * tb / t_end, y);
	}
	cairo_stroke(cr);
	cairo_restore(cr);
	pg->y = top + h + 14;
}

static void signature_block(struct page *pg, const json_t *c, const char *json_sha256)
{
	const json_t *signer = json_object_get(c, "signer");
	struct kesu_pdf_style mono = { .size = 8 };
	char buf[640];

	heading(pg, "電子署名", "Digital signature");
	field(pg, "署名者", "Signed by", jstr(signer, "subject"));
	field(pg, "署名者証明書 SHA-256", "Signer certificate", jstr(signer, "fingerprint"));
	field(pg, "本証明書 JSON の SHA-256", "SHA-256 of the certificate JSON", json_sha256);
	/* Two lines broken by hand at a space: pango would break after a "-" of an option. */
	snprintf(buf, sizeof(buf), "検証 / Verify: openssl cms -verify -binary -inform PEM "
		 "-in %s.json.p7s \\\n    -content %s.json -CAfile root.pem -out /dev/null",
		 jstr(c, "certificate_id"), jstr(c, "certificate_id"));
	need(pg, 24);
	pg->y += kesu_pdf_text(pg->pdf, MARGIN, pg->y + 3, CONTENT, buf, &mono) + 3;
}

int kesu_cert_pdf_write(const json_t *c, const char *json_sha256, const char *pdf_path,
			struct kesu_errbuf *eb)
{
	const json_t *nist = json_object_get(c, "nist");
	struct kesu_record rec;
	struct page pg = { 0 };
	char payload[96], title[128];
	int rc, qr_rc = 0;

	rc = kesu_qr_payload_cert(payload, sizeof(payload), jstr(c, "certificate_id"), json_sha256);
	if (rc)
		return kesu_err_set(eb, rc, "the certificate ID or hash cannot go into a QR code");
	rc = kesu_record_from_json(json_object_get(c, "record"), &rec, eb);
	if (rc)
		return rc;
	rc = kesu_pdf_open(pdf_path, &pg.pdf, eb);
	if (rc) {
		kesu_record_release(&rec);
		return rc;
	}
	snprintf(title, sizeof(title), "データ消去証明書 %s", jstr(c, "certificate_id"));
	kesu_pdf_set_info(pg.pdf, title, jstr(json_object_get(nist, "person"), "name"),
			  "Certificate of Sanitization");
	title_block(&pg, c, rec.outcome, payload, eb, &qr_rc);
	if (qr_rc < 0) {
		kesu_pdf_abort(pg.pdf);
		kesu_record_release(&rec);
		return qr_rc;
	}
	person_block(&pg, json_object_get(nist, "person"), "作業者", "Person performing sanitization");
	field(&pg, "立会者", "Witness", jstr(json_object_get(c, "witness"), "name"));
	media_block(&pg, json_object_get(nist, "media"));
	sanitization_block(&pg, json_object_get(nist, "sanitization"), jstr(nist, "destination"));
	record_block(&pg, c, &rec);
	if (writes_media(&rec))
		chart(&pg, &rec);
	signature_block(&pg, c, json_sha256);
	pg.handwriting = 1;
	person_block(&pg, json_object_get(nist, "validation"), "確認者（第二者）",
		     "Validation by a second person");
	field(&pg, "確認日", "Date", jstr(json_object_get(nist, "validation"), "date"));
	field(&pg, "署名", "Signature", jstr(json_object_get(nist, "validation"), "signature"));
	kesu_record_release(&rec);
	return kesu_pdf_close(pg.pdf, eb);
}
