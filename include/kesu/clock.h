/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Time for the evidence: the clock kesu reads, the zone its paperwork is
 * dated in, and where the time came from.
 *
 * - kesu_clock_now() is the one "now" of the paperwork (time(NULL), or the
 *   clock a test set with kesu_clock_set_test_now()).
 * - The paperwork zone ([paperwork] timezone, default Asia/Tokyo) dates every
 *   label, report and certificate PDF; the JSON evidence stays in UTC.
 *   kesu_time_paper() formats a time in it. glibc reads a zone only through
 *   the TZ variable, so the zone is applied to the process once, under this
 *   module's lock, when it is first set or first used (the configuration is
 *   loaded before any wipe thread starts) and again only when it changes;
 *   every formatting call runs localtime_r under the same lock.
 * - The time source: how the clock was set before the wipe. The boot image's
 *   init and TUI write it to a small state file (kesu_time_source_write);
 *   kesu_time_source_get() reads it for the record writer. Without a state
 *   file, a boot image (one that has /etc/kesu-build-time) is
 *   "rtc-unconfirmed" and a host is "system", with the kernel's NTP status.
 */
#ifndef KESU_CLOCK_H
#define KESU_CLOCK_H

#include <kesu/err.h>

#include <stddef.h>
#include <time.h>

#define KESU_PAPER_TZ_DEFAULT "Asia/Tokyo"
#define KESU_TIME_STATE_DEFAULT "/run/kesu/time-source"
#define KESU_BUILD_TIME_DEFAULT "/etc/kesu-build-time"

/* The time sources a record can name. */
#define KESU_TIME_OPERATOR "operator-confirmed"
#define KESU_TIME_NTP "ntp"
#define KESU_TIME_RTC_UNCONFIRMED "rtc-unconfirmed"
#define KESU_TIME_SYSTEM "system"

/* Now: the system clock, or the test clock when one is set. */
time_t kesu_clock_now(void);
/* Tests only: make kesu_clock_now() return t (0: the system clock again). */
void kesu_clock_set_test_now(time_t t);

/*
 * The paperwork's zone: an IANA name ("Asia/Tokyo", "UTC") that must exist
 * under $TZDIR or /usr/share/zoneinfo (-KESU_E_BAD_INPUT otherwise). NULL or
 * "" is the default; Asia/Tokyo without zone data is applied as JST-9 (Japan
 * has kept +09:00 without daylight saving since 1951).
 */
int kesu_paper_tz_set(const char *zone, struct kesu_errbuf *eb);
/* The zone's name as set ("Asia/Tokyo"). */
const char *kesu_paper_tz(void);

enum kesu_paper_fmt {
	KESU_PAPER_DATE_JA,      /* 2026年12月06日 */
	KESU_PAPER_DATE,         /* 2026-12-06 */
	KESU_PAPER_DATETIME_JA,  /* 2026年12月06日 08:30 JST */
	KESU_PAPER_DATETIME,     /* 2026-12-06 08:30:15 JST */
	KESU_PAPER_TIME,         /* 08:30:15 JST */
};

/* t in the paperwork zone, as fmt says. buf holds 48 bytes at least. */
void kesu_time_paper(time_t t, enum kesu_paper_fmt fmt, char *buf, size_t len);

/* The offset of the paperwork zone from UTC at t, in seconds (+32400 for JST). */
long kesu_paper_tz_offset(time_t t);

/* "2026-11-25T18:49:37Z" (also with +09:00 style offsets) to time_t; -EINVAL on junk. */
int kesu_time_parse_rfc3339(const char *s, time_t *t);

/*
 * A time as a person types it: RFC 3339 (with Z or an offset), or
 * "YYYY-MM-DD HH:MM[:SS]" (also with T) in the paperwork zone. -EINVAL on junk.
 */
int kesu_time_parse_paper(const char *s, time_t *t);

/* How the clock was set: what a record carries as "time". */
struct kesu_time_source {
	char source[24];          /* KESU_TIME_* */
	long long offset_ms;      /* added to the clock at boot (0: none) */
	char detail[192];         /* how: "operator: local time (as Windows keeps it)" */
	char ntp_server[128];     /* source ntp: the server */
	char image_built_at[32];  /* RFC 3339; "" on a host */
	char set_at[32];          /* when the source was decided, RFC 3339 */
	char synchronized[8];     /* the kernel's NTP status now: "yes", "no", "" unknown */
};

/* The state file's path: $KESU_TIME_STATE, else KESU_TIME_STATE_DEFAULT. */
const char *kesu_time_state_path(void);

/* The boot image's build time from $KESU_BUILD_TIME_FILE or /etc/kesu-build-time; -ENOENT on a host. */
int kesu_image_build_time(time_t *t);

/*
 * Where the time came from, for a record: the state file, else
 * rtc-unconfirmed in a boot image, else system. Never fails: a state file
 * that cannot be read counts as rtc-unconfirmed, with the reason in detail.
 */
void kesu_time_source_get(struct kesu_time_source *ts);

/* Write ts as the state file (key=value lines, mode 0644, directory made). */
int kesu_time_source_write(const struct kesu_time_source *ts, struct kesu_errbuf *eb);

/*
 * Whether the time source makes a time trustworthy: 0 when it does,
 * else a reason ("the clock was not confirmed", "... before the image was built").
 * t is the time to judge (a certificate's started_at), 0 for none.
 */
const char *kesu_time_source_doubt(const char *source, const char *image_built_at, time_t t);

/* How the clock is confirmed or corrected at boot (the TUI's first screen, kesu clock). */
enum kesu_clock_answer {
	KESU_CLOCK_IS_UTC,        /* the clock is right as it is */
	KESU_CLOCK_IS_LOCAL,      /* it holds local time (as Windows keeps it): shift by the zone's offset */
	KESU_CLOCK_SET_TO,        /* set it to the time given */
	KESU_CLOCK_FROM_NTP,      /* ntpd set it; offset_ms and server say by how much, from where */
	KESU_CLOCK_UNCONFIRMED,   /* nobody confirmed it */
};

/* The request: the answer, and what goes with it. */
struct kesu_clock_request {
	enum kesu_clock_answer answer;
	time_t time;              /* KESU_CLOCK_SET_TO: the right time */
	long long offset_ms;      /* KESU_CLOCK_FROM_NTP: the correction ntpd applied */
	const char *server;       /* KESU_CLOCK_FROM_NTP */
	const char *by;           /* who answered: "operator (TUI)", "kernel command line kesu.rtc=local" */
};

/*
 * What the clock would read after the answer (now for IS_UTC, now minus the
 * paperwork zone's offset for IS_LOCAL, the time given for SET_TO).
 */
time_t kesu_clock_answer_time(const struct kesu_clock_request *q, time_t now);

/*
 * Apply an answer: set the system clock when it moves (IS_LOCAL, SET_TO),
 * then write the state file (operator-confirmed, ntp, rtc-unconfirmed) that
 * every record of this boot carries. An answer that leaves the clock before
 * the image's build time is refused (-KESU_E_BAD_INPUT, nothing changed):
 * such a clock is never accepted without a correction. ts receives what was
 * recorded (may be NULL).
 */
int kesu_clock_confirm(const struct kesu_clock_request *q, struct kesu_time_source *ts,
		       struct kesu_errbuf *eb);

/*
 * -KESU_E_BAD_INPUT with the sentence when the clock now reads earlier than
 * the boot image's build time (a flat CMOS battery: 2000-01-01), else 0.
 */
int kesu_clock_check_not_before_build(struct kesu_errbuf *eb);

/* The kernel's NTP synchronisation (adjtimex STA_UNSYNC): 1 yes, 0 no, -errno unknown. */
int kesu_clock_synchronized(void);

/* Set the system clock to t (CLOCK_REALTIME; the real-time clock is left as it is). */
int kesu_clock_set(time_t t);

#endif
