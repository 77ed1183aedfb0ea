/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * kesu clock: the machine's clock in UTC and in the paperwork zone, where
 * the time came from, and the boot image's answers to "is the clock right?"
 * (the init runs them for kesu.rtc=, kesu.time= and kesu.ntp=; the TUI's first
 * screen asks the operator). Every record of this boot carries the answer.
 *
 *   kesu clock [show] [--json]
 *   kesu clock utc|local|unconfirmed [--by TEXT]
 *   kesu clock set TIME [--by TEXT]
 *   kesu clock ntp SERVER[,SERVER...]
 */
#include <kesu/cli.h>
#include <kesu/clock.h>
#include <kesu/config.h>
#include <kesu/record.h>
#include <kesu/sntp.h>
#include <kesu/util.h>

#include "cli_common.h"

#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void usage(FILE *out)
{
	fputs("Usage: kesu clock [show] [--json]\n"
	      "       kesu clock utc|local|unconfirmed [--by TEXT]\n"
	      "       kesu clock set TIME [--by TEXT]\n"
	      "       kesu clock ntp SERVER[,SERVER...]\n\n"
	      "The clock that dates every record, certificate, label and report: shown in UTC\n"
	      "and in the paperwork zone ([paperwork] timezone, default Asia/Tokyo), with\n"
	      "where the time came from (operator-confirmed, ntp, rtc-unconfirmed, system),\n"
	      "the offset applied at boot, the boot image's build time and whether the\n"
	      "kernel says the clock is synchronised.\n\n"
	      "The answers, as the boot image gives them (every record of this boot carries\n"
	      "the one given last):\n"
	      "  utc          the clock is right as it is (UTC)\n"
	      "  local        the clock holds local time, as Windows keeps it: take the\n"
	      "               paperwork zone's offset off and set the system clock\n"
	      "  set TIME     set the system clock: RFC 3339 (2026-12-05T08:30:00Z,\n"
	      "               2026-12-05T17:30:00+09:00) or 'YYYY-MM-DD HH:MM[:SS]' in the\n"
	      "               paperwork zone\n"
	      "  ntp SERVER[,SERVER...]\n"
	      "               ask each NTP server in turn (SNTP, UDP port 123, or host:port)\n"
	      "               and set the clock from the first that answers\n"
	      "  unconfirmed  nobody confirmed it (certificates say so)\n"
	      "A clock that would read earlier than the boot image's build time is refused:\n"
	      "give the right time with set. The real-time clock itself is not written.\n\n"
	      "Options:\n"
	      "      --by TEXT      who answered (recorded; default \"operator\")\n"
	      "  -c, --config FILE  configuration (for [paperwork] timezone)\n"
	      "  -J, --json         show as JSON\n"
	      "  -h, --help         show this help\n"
	      "Environment: KESU_TIME_STATE (the answer's file, default /run/kesu/time-source),\n"
	      "KESU_BUILD_TIME_FILE (default /etc/kesu-build-time). See kesu-clock(8).\n", out);
}

struct clock_args {
	const char *by, *config;
	int json;
};

static int show(const struct clock_args *a)
{
	struct kesu_time_source ts;
	time_t now = kesu_clock_now(), started = now;
	char utc[64], paper[64];
	const char *doubt;

	kesu_time_source_get(&ts);
	kesu_time_rfc3339(now, utc, sizeof(utc));
	kesu_time_paper(now, KESU_PAPER_DATETIME, paper, sizeof(paper));
	doubt = kesu_time_source_doubt(ts.source, ts.image_built_at, started);
	if (a->json) {
		json_t *o = json_pack("{s:s, s:s, s:s, s:o, s:s}", "utc", utc, "zone", kesu_paper_tz(),
				      "paper", paper, "time", kesu_record_time_json(&ts),
				      "doubt", doubt ? doubt : "");
		char *s = o ? json_dumps(o, JSON_INDENT(2) | JSON_SORT_KEYS) : NULL;

		json_decref(o);
		if (!s)
			return KESU_EXIT_IO;
		puts(s);
		free(s);
		return KESU_EXIT_OK;
	}
	printf("clock (UTC)      %s\n", utc);
	printf("clock (%s)%*s%s\n", kesu_paper_tz(),
	       (int)(strlen(kesu_paper_tz()) < 9 ? 9 - strlen(kesu_paper_tz()) : 1), "", paper);
	printf("time source      %s\n", ts.source);
	printf("  detail         %s\n", *ts.detail ? ts.detail : "-");
	printf("  offset         %+.3f s at boot\n", (double)ts.offset_ms / 1000.0);
	printf("  NTP server     %s\n", *ts.ntp_server ? ts.ntp_server : "-");
	printf("  image built    %s\n", *ts.image_built_at ? ts.image_built_at : "- (not a boot image)");
	printf("  synchronised   %s (the kernel's NTP status)\n",
	       *ts.synchronized ? ts.synchronized : "unknown");
	if (doubt)
		printf("WARNING: %s\n", doubt);
	return KESU_EXIT_OK;
}

/* Ask each server in turn (comma-separated); the first answer sets the clock and is recorded. */
static int ntp(const char *servers, struct kesu_clock_request *q)
{
	struct kesu_errbuf eb = { { 0 } };
	struct kesu_sntp_result r;
	struct kesu_time_source ts;
	char list[512], *save = NULL, *s;
	int rc = -ENOENT;

	snprintf(list, sizeof(list), "%s", servers);
	for (s = strtok_r(list, ",", &save); s; s = strtok_r(NULL, ",", &save)) {
		rc = kesu_sntp_query(s, 3000, &r, &eb);
		if (rc == 0)
			break;
		kesu_cli_error("%s", eb.msg);
	}
	if (rc < 0)
		return kesu_exit_for(rc);
	q->answer = KESU_CLOCK_FROM_NTP;
	q->server = s;
	q->offset_ms = r.offset_ms;
	rc = kesu_clock_confirm(q, &ts, &eb);
	if (rc < 0)
		return cli_fail(rc, &eb);
	printf("time source: ntp from %s (%s, stratum %d): the clock was corrected by %+.3f s "
	       "(round trip %lld ms)\n", s, r.address, r.stratum, (double)r.offset_ms / 1000.0,
	       r.delay_ms);
	return KESU_EXIT_OK;
}

static int answer(const char *what, char **rest, int n_rest, const struct clock_args *a)
{
	struct kesu_clock_request q = { .by = a->by };
	struct kesu_errbuf eb = { { 0 } };
	struct kesu_time_source ts;
	int rc;

	if (!strcmp(what, "utc") || !strcmp(what, "local") || !strcmp(what, "unconfirmed")) {
		if (n_rest) {
			usage(stderr);
			return KESU_EXIT_USAGE;
		}
		q.answer = !strcmp(what, "utc") ? KESU_CLOCK_IS_UTC :
			   !strcmp(what, "local") ? KESU_CLOCK_IS_LOCAL : KESU_CLOCK_UNCONFIRMED;
	} else if (!strcmp(what, "set")) {
		if (n_rest != 1 || kesu_time_parse_paper(rest[0], &q.time) < 0) {
			kesu_cli_error("set needs a time: 2026-12-05T08:30:00Z, or '2026-12-05 17:30' "
				       "in the paperwork zone (%s)", kesu_paper_tz());
			return KESU_EXIT_USAGE;
		}
		q.answer = KESU_CLOCK_SET_TO;
	} else if (!strcmp(what, "ntp")) {
		if (n_rest != 1 || !*rest[0]) {
			kesu_cli_error("ntp needs the servers: ntp HOST[,HOST...] (host:port for another port)");
			return KESU_EXIT_USAGE;
		}
		return ntp(rest[0], &q);
	} else {
		kesu_cli_error("unknown subcommand '%s' (show, utc, local, set, ntp, unconfirmed)", what);
		return KESU_EXIT_USAGE;
	}
	rc = kesu_clock_confirm(&q, &ts, &eb);
	if (rc < 0)
		return cli_fail(rc, &eb);
	printf("time source: %s (%s)\n", ts.source, ts.detail);
	return KESU_EXIT_OK;
}

/*
 * Options anywhere, by hand rather than getopt (which would take a time such
 * as "-..." or a word after the subcommand for an option it does not know).
 * Positional words are collected in order into pos.
 */
static int parse(int argc, char **argv, struct clock_args *a, char **pos, int *n_pos)
{
	*n_pos = 0;
	for (int i = 1; i < argc; i++) {
		const char *w = argv[i];
		const char **val = !strcmp(w, "--by") ? &a->by :
				   !strcmp(w, "--config") || !strcmp(w, "-c") ? &a->config : NULL;

		if (val) {
			if (++i >= argc)
				return -1;
			*val = argv[i];
		} else if (!strncmp(w, "--by=", 5)) {
			a->by = w + 5;
		} else if (!strncmp(w, "--config=", 9)) {
			a->config = w + 9;
		} else if (!strcmp(w, "--json") || !strcmp(w, "-J")) {
			a->json = 1;
		} else if (!strcmp(w, "--help") || !strcmp(w, "-h")) {
			return 1;
		} else if (w[0] == '-' && w[1] && !(w[1] >= '0' && w[1] <= '9') && w[1] != '.') {
			return -1;
		} else {
			pos[(*n_pos)++] = argv[i];
		}
	}
	return 0;
}

int cmd_clock(int argc, char **argv)
{
	struct clock_args a = { 0 };
	struct kesu_config *cfg = NULL;
	struct kesu_errbuf eb = { { 0 } };
	char *pos[8];
	int n_pos, rc;

	if (argc > 8) {
		usage(stderr);
		return KESU_EXIT_USAGE;
	}
	rc = parse(argc, argv, &a, pos, &n_pos);
	if (rc) {
		usage(rc > 0 ? stdout : stderr);
		return rc > 0 ? KESU_EXIT_OK : KESU_EXIT_USAGE;
	}
	rc = kesu_config_load(a.config, &cfg, &eb);
	if (rc < 0)
		return cli_fail(rc, &eb);
	kesu_config_free(cfg);
	if (n_pos == 0 || !strcmp(pos[0], "show")) {
		if (n_pos > 1) {
			usage(stderr);
			return KESU_EXIT_USAGE;
		}
		return show(&a);
	}
	return answer(pos[0], pos + 1, n_pos - 1, &a);
}
