/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Time on the evidence: the paperwork's zone ([paperwork] timezone, default
 * Asia/Tokyo) dates labels, reports and the certificate PDF, so a label and a
 * completion report made at 23:30 UTC carry the next day's date in JST; the
 * time source the boot image leaves (a state file) or the host's system
 * clock is in every record and certificate, on the PDF and in kesu cert show;
 * an unconfirmed clock and a time before the image's build time are flagged.
 * The clock is injected through the library (kesu_clock_set_test_now), the
 * time source and build time through KESU_TIME_STATE and KESU_BUILD_TIME_FILE.
 */
#include <check.h>
#include <errno.h>
#include <jansson.h>
#include <arpa/inet.h>
#include <limits.h>
#include <pthread.h>
#include <sys/socket.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <kesu/clock.h>
#include <kesu/config.h>
#include <kesu/label.h>
#include <kesu/ledger.h>
#include <kesu/record.h>
#include <kesu/report.h>
#include <kesu/sntp.h>
#include <kesu/util.h>

#include "lib/testutil.h"

/* 2026-12-05T23:30:00Z: 08:30 on 6 December in Japan. */
#define LATE_UTC ((time_t)1796513400)

static char *pdf_text(const char *pdf)
{
	char *t = tu_sh_out("pdftotext -layout '%s' -", pdf);

	ck_assert_ptr_nonnull(t);
	return t;
}

static void run_ok(const struct tu_result *r)
{
	ck_assert_msg(r->status == 0, "exit %d\nstdout: %s\nstderr: %s", r->status, r->out, r->err);
}

START_TEST(test_clock_paper_dates_are_in_the_zone)
{
	char buf[64], iso[32];
	time_t t;

	kesu_time_rfc3339(LATE_UTC, iso, sizeof(iso));
	ck_assert_str_eq(iso, "2026-12-05T23:30:00Z");
	ck_assert_int_eq(kesu_paper_tz_set(NULL, NULL), 0);
	ck_assert_str_eq(kesu_paper_tz(), "Asia/Tokyo");
	kesu_time_paper(LATE_UTC, KESU_PAPER_DATE_JA, buf, sizeof(buf));
	ck_assert_str_eq(buf, "2026年12月06日");
	kesu_time_paper(LATE_UTC, KESU_PAPER_DATE, buf, sizeof(buf));
	ck_assert_str_eq(buf, "2026-12-06");
	kesu_time_paper(LATE_UTC, KESU_PAPER_DATETIME, buf, sizeof(buf));
	ck_assert_str_eq(buf, "2026-12-06 08:30:00 JST");
	kesu_time_paper(LATE_UTC, KESU_PAPER_DATETIME_JA, buf, sizeof(buf));
	ck_assert_str_eq(buf, "2026年12月06日 08:30 JST");
	ck_assert_int_eq(kesu_paper_tz_offset(LATE_UTC), 9 * 3600);
	ck_assert_int_eq(kesu_paper_tz_set("UTC", NULL), 0);
	kesu_time_paper(LATE_UTC, KESU_PAPER_DATETIME_JA, buf, sizeof(buf));
	ck_assert_str_eq(buf, "2026年12月05日 23:30 UTC");
	ck_assert_int_eq(kesu_time_parse_rfc3339("2026-12-06T08:30:00+09:00", &t), 0);
	ck_assert_int_eq(t, LATE_UTC);
	ck_assert_int_eq(kesu_time_parse_rfc3339("2026-12-05T23:30:00.25Z", &t), 0);
	ck_assert_int_eq(t, LATE_UTC);
	ck_assert_int_eq(kesu_time_parse_rfc3339("2026-12-05 23:30", &t), -EINVAL);
	/* As a person types it: the paperwork zone's wall clock. */
	ck_assert_int_eq(kesu_paper_tz_set(NULL, NULL), 0);
	ck_assert_int_eq(kesu_time_parse_paper("2026-12-06 08:30", &t), 0);
	ck_assert_int_eq(t, LATE_UTC);
	ck_assert_int_eq(kesu_time_parse_paper("2026-12-06T08:30:00", &t), 0);
	ck_assert_int_eq(t, LATE_UTC);
	ck_assert_int_eq(kesu_time_parse_paper("2026-12-05T23:30:00Z", &t), 0);
	ck_assert_int_eq(t, LATE_UTC);
	ck_assert_int_eq(kesu_time_parse_paper("2026-12-06 08:30 JST", &t), -EINVAL);
	ck_assert_int_eq(kesu_time_parse_rfc3339("2026-13-05T23:30:00Z", &t), -EINVAL);
}
END_TEST

START_TEST(test_clock_config_names_the_zone)
{
	static const char utc[] = "[paperwork]\ntimezone = UTC\n";
	static const char bad[] = "[paperwork]\ntimezone = Mars/Olympus_Mons\n";
	static const char evil[] = "[paperwork]\ntimezone = ../../etc/passwd\n";
	struct kesu_config *cfg = NULL;
	struct kesu_errbuf eb;
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "%s/tz.conf", tu_tmpdir());
	ck_assert_int_eq(tu_write_file(path, utc, strlen(utc)), 0);
	ck_assert_int_eq(kesu_config_load(path, &cfg, &eb), 0);
	ck_assert_str_eq(kesu_paper_tz(), "UTC");
	kesu_config_free(cfg);
	ck_assert_int_eq(tu_write_file(path, bad, strlen(bad)), 0);
	ck_assert_int_eq(kesu_config_load(path, &cfg, &eb), -KESU_E_BAD_INPUT);
	ck_assert_msg(strstr(eb.msg, "Mars/Olympus_Mons") && strstr(eb.msg, "tzdata"), "%s", eb.msg);
	ck_assert_int_eq(tu_write_file(path, evil, strlen(evil)), 0);
	ck_assert_int_eq(kesu_config_load(path, &cfg, &eb), -KESU_E_BAD_INPUT);
	ck_assert_str_eq(kesu_paper_tz(), "UTC");
}
END_TEST

static void env_paths(char *state, char *built, size_t len)
{
	snprintf(state, len, "%s/run/time-source", tu_tmpdir());
	snprintf(built, len, "%s/kesu-build-time", tu_tmpdir());
	unlink(state);
	unlink(built);
	setenv("KESU_TIME_STATE", state, 1);
	setenv("KESU_BUILD_TIME_FILE", built, 1);
}

START_TEST(test_clock_time_source_from_state_file)
{
	char state[PATH_MAX], built[PATH_MAX];
	struct kesu_time_source ts, back;
	time_t b;

	env_paths(state, built, sizeof(state));
	/* A host: the system clock, with the kernel's NTP status. */
	kesu_time_source_get(&ts);
	ck_assert_str_eq(ts.source, "system");
	ck_assert_str_eq(ts.image_built_at, "");
	ck_assert_msg(!strcmp(ts.synchronized, "yes") || !strcmp(ts.synchronized, "no"), "%s",
		      ts.synchronized);
	/* A boot image whose clock nobody confirmed. */
	ck_assert_int_eq(tu_write_file(built, "2026-12-01T00:00:00Z\n", 21), 0);
	ck_assert_int_eq(kesu_image_build_time(&b), 0);
	ck_assert_int_eq(b, 1796083200);
	kesu_time_source_get(&ts);
	ck_assert_str_eq(ts.source, "rtc-unconfirmed");
	ck_assert_str_eq(ts.image_built_at, "2026-12-01T00:00:00Z");
	/* The operator's answer, as the TUI writes it. */
	memset(&ts, 0, sizeof(ts));
	snprintf(ts.source, sizeof(ts.source), "operator-confirmed");
	ts.offset_ms = -32400000;
	snprintf(ts.detail, sizeof(ts.detail), "operator: the clock was in local time\n(Asia/Tokyo)");
	snprintf(ts.set_at, sizeof(ts.set_at), "2026-12-05T23:30:00Z");
	ck_assert_int_eq(kesu_time_source_write(&ts, NULL), 0);
	kesu_time_source_get(&back);
	ck_assert_str_eq(back.source, "operator-confirmed");
	ck_assert_int_eq(back.offset_ms, -32400000);
	ck_assert_str_eq(back.detail, "operator: the clock was in local time (Asia/Tokyo)");
	ck_assert_str_eq(back.image_built_at, "2026-12-01T00:00:00Z");
	/* A garbled state file is not taken for a confirmation. */
	ck_assert_int_eq(tu_write_file(state, "source=trust-me\n", 16), 0);
	kesu_time_source_get(&back);
	ck_assert_str_eq(back.source, "rtc-unconfirmed");
	/* What is in doubt. */
	ck_assert_ptr_nonnull(kesu_time_source_doubt("rtc-unconfirmed", "", 0));
	ck_assert_ptr_nonnull(kesu_time_source_doubt("operator-confirmed", "2026-12-01T00:00:00Z",
						     946684800));
	ck_assert_ptr_null(kesu_time_source_doubt("operator-confirmed", "2026-12-01T00:00:00Z",
						  LATE_UTC));
	ck_assert_ptr_null(kesu_time_source_doubt("system", "", LATE_UTC));
}
END_TEST

/* A certificate as kesu label reads it, issued at 23:30 UTC. */
static void late_cert(char *path, size_t len)
{
	static const char json[] =
		"{\"certificate_id\":\"KC-20261205-0000ABCD\",\"issued_at\":\"2026-12-05T23:30:00Z\","
		"\"outcome\":\"ERASED\",\"nist\":{\"media\":{\"property_id\":\"M-0001\","
		"\"serial\":\"SN-1\"}}}";

	snprintf(path, len, "%s/KC-20261205-0000ABCD.json", tu_tmpdir());
	ck_assert_int_eq(tu_write_file(path, json, strlen(json)), 0);
}

START_TEST(test_clock_label_at_2330_utc_is_dated_next_day)
{
	char cert[PATH_MAX], out[PATH_MAX], *text;
	struct kesu_label_data d;
	struct kesu_errbuf eb;
	struct tu_result r;

	late_cert(cert, sizeof(cert));
	memset(&d, 0, sizeof(d));
	ck_assert_msg(kesu_label_data_from_cert(&d, cert, &eb) == 0, "%s", eb.msg);
	ck_assert_str_eq(d.date, "2026-12-06");
	snprintf(out, sizeof(out), "%s/label.pdf", tu_tmpdir());
	ck_assert_int_eq(tu_kesu(&r, "label", "-t", "drive-ql62", "--cert", cert, "-o", out, NULL), 0);
	run_ok(&r);
	tu_result_free(&r);
	text = pdf_text(out);
	ck_assert_msg(strstr(text, "2026-12-06") && !strstr(text, "2026-12-05"), "%s", text);
	free(text);
}
END_TEST

START_TEST(test_clock_completion_report_at_2330_utc_is_dated_next_day)
{
	static const char conf_text[] = "[contract]\nname = 時刻の試験\ncontractor = 株式会社サンプル\n";
	char db[PATH_MAX], conf[PATH_MAX], out[PATH_MAX], tpl[PATH_MAX], *text;
	struct kesu_report_opts o = { 0 };
	struct kesu_config *cfg = NULL;
	struct kesu_ledger *lg = NULL;
	struct kesu_errbuf eb;
	struct tu_result r;

	snprintf(db, sizeof(db), "%s/kesu.db", tu_tmpdir());
	snprintf(conf, sizeof(conf), "%s/kesu.conf", tu_tmpdir());
	snprintf(out, sizeof(out), "%s/completion.pdf", tu_tmpdir());
	snprintf(tpl, sizeof(tpl), "%s/reports", tu_srcdir());
	ck_assert_int_eq(tu_write_file(conf, conf_text, strlen(conf_text)), 0);
	ck_assert_int_eq(tu_kesu(&r, "ledger", "add", "M-0001", "--db", db, "--config", conf,
				 "--operator=山田 太郎", "--data-name=顧客データ", "--place=金庫A",
				 "--disposition=返却", "--disp-time=2026年12月1日 10:00",
				 "--disp-place=本社3階", "--witness=鈴木 次郎", NULL), 0);
	run_ok(&r);
	tu_result_free(&r);
	ck_assert_int_eq(tu_kesu(&r, "ledger", "edit", "M-0001", "--db", db, "--config", conf,
				 "--operator=山田 太郎", "--responsible=山田 太郎", NULL), 0);
	run_ok(&r);
	tu_result_free(&r);
	ck_assert_int_eq(tu_kesu(&r, "ledger", "approve-plan", "--db", db, "--config", conf,
				 "--operator=山田 太郎", "--approved-by=主管 担当", NULL), 0);
	run_ok(&r);
	tu_result_free(&r);

	ck_assert_int_eq(kesu_config_load(conf, &cfg, &eb), 0);
	ck_assert_msg(kesu_ledger_open(db, 0, 1000, &lg, &eb) == 0, "%s", eb.msg);
	kesu_clock_set_test_now(LATE_UTC);
	o.type = "completion";
	o.out_path = out;
	o.format = KESU_REPORT_PDF;
	o.cfg = cfg;
	o.templates_dir = tpl;
	ck_assert_msg(kesu_report_write(lg, &o, NULL, &eb) == 0, "%s", eb.msg);
	kesu_clock_set_test_now(0);
	kesu_ledger_close(lg);
	kesu_config_free(cfg);
	text = pdf_text(out);
	ck_assert_msg(strstr(text, "2026年12月06日"), "%s", text);
	/* The plan was approved now (today in Japan): only the report's own date is 6 December. */
	free(text);
}
END_TEST

/* kesu wipe of an image file; the certificate's path into cert. */
static void wipe_image(const struct tu_pki *p, const char *const env[], const char *name,
		       char *cert, size_t len, const char *media_id, const char *db)
{
	char img[PATH_MAX], out[PATH_MAX], *s;
	struct tu_result r;

	snprintf(img, sizeof(img), "%s/%s.img", tu_tmpdir(), name);
	snprintf(out, sizeof(out), "%s/ev-%s", tu_tmpdir(), name);
	ck_assert_int_eq(tu_sh("truncate -s 4M '%s'", img), 0);
	ck_assert_int_eq(tu_kesu_env(&r, env, "wipe", img, "--yes", "--quiet", "--pattern", "zero",
				     "--out", out, "--key", p->key, "--signer-cert", p->cert,
				     "--operator", "佐藤 花子", media_id ? "--media-id" : NULL, media_id,
				     "--db", db, NULL), 0);
	/* Linked by hand below when a medium is named (no --ca here). */
	ck_assert_msg(r.status == 0 || (media_id && r.status == 10), "exit %d: %s", r.status, r.err);
	tu_result_free(&r);
	s = tu_sh_out("ls '%s'/KC-*.json | head -1", out);
	ck_assert_ptr_nonnull(s);
	s[strcspn(s, "\n")] = '\0';
	ck_assert_msg(*s, "no certificate in %s", out);
	snprintf(cert, len, "%s", s);
	free(s);
}

static json_t *cert_time(const char *cert, json_t **root)
{
	json_error_t jerr;

	*root = json_load_file(cert, 0, &jerr);
	ck_assert_ptr_nonnull(*root);
	return json_object_get(json_object_get(*root, "record"), "time");
}

START_TEST(test_clock_wipe_records_time_source)
{
	char state[PATH_MAX], built[PATH_MAX], cert[PATH_MAX], pdf[PATH_MAX], dir[PATH_MAX];
	char db[PATH_MAX], env_state[PATH_MAX + 32], env_built[PATH_MAX + 32], *text;
	const char *env[3] = { env_state, env_built, NULL };
	struct kesu_time_source ts = { 0 };
	struct tu_pki p;
	struct tu_result r;
	json_t *root, *t;

	snprintf(dir, sizeof(dir), "%s/pki", tu_tmpdir());
	ck_assert_int_eq(tu_sh("mkdir -p '%s'", dir), 0);
	tu_make_pki(dir, "/CN=Clock Test Root", "/CN=Clock Test Signer", &p);
	env_paths(state, built, sizeof(state));
	snprintf(env_state, sizeof(env_state), "KESU_TIME_STATE=%s", state);
	snprintf(env_built, sizeof(env_built), "KESU_BUILD_TIME_FILE=%s", built);

	/* A host run: the system clock. */
	wipe_image(&p, env, "host", cert, sizeof(cert), NULL, NULL);
	t = cert_time(cert, &root);
	ck_assert_str_eq(json_string_value(json_object_get(t, "source")), "system");
	json_decref(root);
	ck_assert_int_eq(tu_kesu(&r, "cert", "show", cert, NULL), 0);
	run_ok(&r);
	ck_assert_msg(strstr(r.out, "time source  system"), "%s", r.out);
	tu_result_free(&r);

	/* The boot image, clock confirmed by the operator (as the TUI leaves it). */
	ck_assert_int_eq(tu_write_file(built, "2026-01-01T00:00:00Z\n", 21), 0);
	snprintf(ts.source, sizeof(ts.source), "operator-confirmed");
	ts.offset_ms = -32400000;
	snprintf(ts.detail, sizeof(ts.detail), "operator: the clock was in local time (Asia/Tokyo)");
	ck_assert_int_eq(kesu_time_source_write(&ts, NULL), 0);
	wipe_image(&p, env, "confirmed", cert, sizeof(cert), NULL, NULL);
	t = cert_time(cert, &root);
	ck_assert_str_eq(json_string_value(json_object_get(t, "source")), "operator-confirmed");
	ck_assert_int_eq(json_integer_value(json_object_get(t, "offset_ms")), -32400000);
	ck_assert_str_eq(json_string_value(json_object_get(t, "image_built_at")),
			 "2026-01-01T00:00:00Z");
	json_decref(root);
	ck_assert_int_eq(tu_kesu(&r, "cert", "show", cert, NULL), 0);
	run_ok(&r);
	ck_assert_msg(strstr(r.out, "time source  operator-confirmed") &&
		      strstr(r.out, "2026-01-01T00:00:00Z") && !strstr(r.out, "WARNING"), "%s", r.out);
	tu_result_free(&r);
	snprintf(pdf, sizeof(pdf), "%.*s.pdf", (int)strlen(cert) - 5, cert);
	text = pdf_text(pdf);
	ck_assert_msg(strstr(text, "operator-confirmed") && strstr(text, "-32400 s") &&
		      strstr(text, "JST") && !strstr(text, "CLOCK NOT CONFIRMED"), "%s", text);
	free(text);

	/* An unattended boot on a clock nobody confirmed: the PDF says so. */
	unlink(state);
	snprintf(db, sizeof(db), "%s/kesu.db", tu_tmpdir());
	ck_assert_int_eq(tu_kesu(&r, "ledger", "--db", db, "add", "M-CLOCK", "--data-name", "顧客データ",
				 "--operator", "佐藤 花子", NULL), 0);
	run_ok(&r);
	tu_result_free(&r);
	wipe_image(&p, env, "unconfirmed", cert, sizeof(cert), "M-CLOCK", db);
	t = cert_time(cert, &root);
	ck_assert_str_eq(json_string_value(json_object_get(t, "source")), "rtc-unconfirmed");
	json_decref(root);
	snprintf(pdf, sizeof(pdf), "%.*s.pdf", (int)strlen(cert) - 5, cert);
	text = pdf_text(pdf);
	ck_assert_msg(strstr(text, "CLOCK NOT CONFIRMED") && strstr(text, "rtc-unconfirmed"), "%s",
		      text);
	free(text);
	ck_assert_int_eq(tu_kesu(&r, "cert", "show", cert, NULL), 0);
	ck_assert_msg(strstr(r.out, "time source  rtc-unconfirmed") && strstr(r.out, "WARNING"), "%s",
		      r.out);
	tu_result_free(&r);
	ck_assert_int_eq(tu_kesu(&r, "cert", "verify", cert, "--ca", p.root, NULL), 0);
	ck_assert_msg(strstr(r.out, "time source:  rtc-unconfirmed"), "%s", r.out);
	tu_result_free(&r);
	/* The ledger takes it, and says its time cannot be relied on. */
	ck_assert_int_eq(tu_kesu(&r, "ledger", "--db", db, "attach-cert", cert, "--ca", p.root,
				 "--operator", "佐藤 花子", "--json", NULL), 0);
	run_ok(&r);
	ck_assert_msg(strstr(r.err, "its time cannot be relied on") &&
		      strstr(r.out, "not confirmed at boot"), "%s\n%s", r.out, r.err);
	tu_result_free(&r);
}
END_TEST

/* A one-shot NTP server on loopback whose clock is an hour and a half-second ahead. */
struct ntp_server {
	int fd;
	int bad;           /* answer with a wrong originate timestamp */
	unsigned short port;
};

static void *ntp_serve(void *arg)
{
	struct ntp_server *sv = arg;
	unsigned char p[48];
	struct sockaddr_in from;
	socklen_t fl = sizeof(from);
	struct timespec ts;
	uint64_t now;
	ssize_t n = recvfrom(sv->fd, p, sizeof(p), 0, (struct sockaddr *)&from, &fl);

	if (n != 48)
		return NULL;
	clock_gettime(CLOCK_REALTIME, &ts);
	now = (((uint64_t)ts.tv_sec + 2208988800ULL + 3600) << 32) +
	      (((uint64_t)ts.tv_nsec << 32) / 1000000000ULL) + (1ULL << 31);
	memcpy(p + 24, p + 40, 8);             /* originate = the client's transmit */
	if (sv->bad)
		p[31] ^= 1;
	p[0] = (4 << 3) | 4;                   /* version 4, server */
	p[1] = 2;                              /* stratum 2 */
	for (int i = 0; i < 8; i++) {
		p[32 + i] = (unsigned char)(now >> (56 - 8 * i));
		p[40 + i] = (unsigned char)(now >> (56 - 8 * i));
	}
	sendto(sv->fd, p, sizeof(p), 0, (struct sockaddr *)&from, fl);
	return NULL;
}

static void ntp_start(struct ntp_server *sv, pthread_t *th)
{
	struct sockaddr_in a = { .sin_family = AF_INET };
	socklen_t al = sizeof(a);

	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	sv->fd = socket(AF_INET, SOCK_DGRAM, 0);
	ck_assert_int_ge(sv->fd, 0);
	ck_assert_int_eq(bind(sv->fd, (struct sockaddr *)&a, sizeof(a)), 0);
	ck_assert_int_eq(getsockname(sv->fd, (struct sockaddr *)&a, &al), 0);
	sv->port = ntohs(a.sin_port);
	ck_assert_int_eq(pthread_create(th, NULL, ntp_serve, sv), 0);
}

START_TEST(test_clock_sntp_query_measures_the_offset)
{
	struct ntp_server sv = { 0 };
	struct kesu_sntp_result r;
	struct kesu_errbuf eb;
	char server[64];
	pthread_t th;

	ntp_start(&sv, &th);
	snprintf(server, sizeof(server), "127.0.0.1:%u", sv.port);
	ck_assert_msg(kesu_sntp_query(server, 2000, &r, &eb) == 0, "%s", eb.msg);
	pthread_join(th, NULL);
	close(sv.fd);
	ck_assert_msg(r.offset_ms > 3600500 - 200 && r.offset_ms < 3600500 + 200, "%lld", r.offset_ms);
	ck_assert_int_eq(r.stratum, 2);
	ck_assert_str_eq(r.address, "127.0.0.1");

	/* A reply that does not answer this request is not believed. */
	memset(&sv, 0, sizeof(sv));
	sv.bad = 1;
	ntp_start(&sv, &th);
	snprintf(server, sizeof(server), "127.0.0.1:%u", sv.port);
	ck_assert_int_eq(kesu_sntp_query(server, 500, &r, &eb), -EPROTO);
	pthread_join(th, NULL);
	close(sv.fd);
	ck_assert_int_eq(kesu_sntp_query("no.such.host.invalid", 500, &r, &eb), -EHOSTUNREACH);
}
END_TEST

/* kesu clock's answers, as the init and the TUI give them (none that moves the host's clock). */
START_TEST(test_clock_command_answers_and_refusals)
{
	char state[PATH_MAX], built[PATH_MAX], env_state[PATH_MAX + 32], env_built[PATH_MAX + 32];
	char img[PATH_MAX], *text;
	const char *env[3] = { env_state, env_built, NULL };
	struct tu_result r;

	env_paths(state, built, sizeof(state));
	snprintf(env_state, sizeof(env_state), "KESU_TIME_STATE=%s", state);
	snprintf(env_built, sizeof(env_built), "KESU_BUILD_TIME_FILE=%s", built);
	ck_assert_int_eq(tu_write_file(built, "2026-01-01T00:00:00Z\n", 21), 0);
	ck_assert_int_eq(tu_kesu_env(&r, env, "clock", NULL), 0);
	run_ok(&r);
	ck_assert_msg(strstr(r.out, "time source      rtc-unconfirmed") &&
		      strstr(r.out, "WARNING") && strstr(r.out, "JST"), "%s", r.out);
	tu_result_free(&r);
	ck_assert_int_eq(tu_kesu_env(&r, env, "clock", "utc", "--by", "kernel command line kesu.rtc=utc",
				     NULL), 0);
	run_ok(&r);
	tu_result_free(&r);
	text = tu_read_file(state, NULL);
	ck_assert_msg(text && strstr(text, "source=operator-confirmed\n") &&
		      strstr(text, "detail=kernel command line kesu.rtc=utc: the clock was right (UTC)"),
		      "%s", text);
	free(text);
	ck_assert_int_eq(tu_kesu_env(&r, env, "clock", "--json", NULL), 0);
	ck_assert_msg(strstr(r.out, "\"source\": \"operator-confirmed\""), "%s", r.out);
	tu_result_free(&r);

	/* A clock before the image's build time: not accepted, and nothing is erased by it. */
	ck_assert_int_eq(tu_write_file(built, "2099-01-01T00:00:00Z\n", 21), 0);
	ck_assert_int_eq(tu_kesu_env(&r, env, "clock", "utc", NULL), 0);
	ck_assert_int_eq(r.status, 11);
	ck_assert_msg(strstr(r.err, "before this boot image was built"), "%s", r.err);
	tu_result_free(&r);
	ck_assert_int_eq(tu_kesu_env(&r, env, "clock", "set", "2000-01-01 09:00", NULL), 0);
	ck_assert_int_eq(r.status, 11);
	tu_result_free(&r);
	snprintf(img, sizeof(img), "%s/early.img", tu_tmpdir());
	ck_assert_int_eq(tu_sh("yes KESU-EARLY | head -c 1048576 > '%s'", img), 0);
	ck_assert_int_eq(tu_kesu_env(&r, env, "wipe", img, "--yes", "--quiet", "--no-cert", "--out",
				     tu_tmpdir(), NULL), 0);
	ck_assert_msg(r.status == 4 && strstr(r.err, "earlier than this boot image was built"),
		      "exit %d: %s", r.status, r.err);
	tu_result_free(&r);
	ck_assert_int_eq(tu_sh("grep -q KESU-EARLY '%s'", img), 0);
	ck_assert_int_eq(tu_kesu_env(&r, env, "clock", "set", "nonsense", NULL), 0);
	ck_assert_int_eq(r.status, 2);
	tu_result_free(&r);
}
END_TEST

int main(void)
{
	const struct tu_case cases[] = {
		{ "paper_dates", test_clock_paper_dates_are_in_the_zone },
		{ "config_zone", test_clock_config_names_the_zone },
		{ "time_source", test_clock_time_source_from_state_file },
		{ "label", test_clock_label_at_2330_utc_is_dated_next_day },
		{ "report", test_clock_completion_report_at_2330_utc_is_dated_next_day },
		{ "wipe", test_clock_wipe_records_time_source },
		{ "sntp", test_clock_sntp_query_measures_the_offset },
		{ "command", test_clock_command_answers_and_refusals },
	};
	Suite *s = suite_create("clock");

	TU_ADD_CASES(s, cases, 120);
	return tu_main(s);
}
