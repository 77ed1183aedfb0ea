/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The paperwork's clock and zone, and where the time came from (clock.h).
 */
#include <kesu/clock.h>
#include <kesu/util.h>

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/timex.h>
#include <unistd.h>

#define STATE_MAX_BYTES 4096

static pthread_mutex_t clock_lock = PTHREAD_MUTEX_INITIALIZER;
static time_t test_now;
static char paper_zone[64] = KESU_PAPER_TZ_DEFAULT;
static char tz_applied[80];

time_t kesu_clock_now(void)
{
	time_t t;

	pthread_mutex_lock(&clock_lock);
	t = test_now;
	pthread_mutex_unlock(&clock_lock);
	return t ? t : time(NULL);
}

void kesu_clock_set_test_now(time_t t)
{
	pthread_mutex_lock(&clock_lock);
	test_now = t;
	pthread_mutex_unlock(&clock_lock);
}

static int zone_name_valid(const char *z)
{
	if (!*z || *z == '/' || strlen(z) >= sizeof(paper_zone) || strstr(z, ".."))
		return 0;
	for (const char *p = z; *p; p++)
		if (!isalnum((unsigned char)*p) && !strchr("/_+-", *p))
			return 0;
	return 1;
}

static int zone_file_exists(const char *z)
{
	const char *dir = getenv("TZDIR");
	char path[PATH_MAX];
	struct stat st;

	snprintf(path, sizeof(path), "%s/%s", dir && *dir ? dir : "/usr/share/zoneinfo", z);
	return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

int kesu_paper_tz_set(const char *zone, struct kesu_errbuf *eb)
{
	if (!zone || !*zone)
		zone = KESU_PAPER_TZ_DEFAULT;
	if (!zone_name_valid(zone))
		return kesu_err_set(eb, -KESU_E_BAD_INPUT,
				    "[paperwork] timezone \"%s\" is not a time zone name such as Asia/Tokyo",
				    zone);
	if (strcmp(zone, KESU_PAPER_TZ_DEFAULT) && !zone_file_exists(zone))
		return kesu_err_set(eb, -KESU_E_BAD_INPUT,
				    "[paperwork] timezone \"%s\": no such zone in the time zone data "
				    "(/usr/share/zoneinfo; Debian package tzdata)", zone);
	pthread_mutex_lock(&clock_lock);
	snprintf(paper_zone, sizeof(paper_zone), "%s", zone);
	pthread_mutex_unlock(&clock_lock);
	return 0;
}

const char *kesu_paper_tz(void)
{
	return paper_zone;
}

/* Apply the paperwork zone to the process's TZ when it is not applied yet. Lock held. */
static void tz_apply_locked(void)
{
	char want[80];

	if (zone_file_exists(paper_zone))
		snprintf(want, sizeof(want), "%s", paper_zone);
	else if (!strcmp(paper_zone, KESU_PAPER_TZ_DEFAULT))
		snprintf(want, sizeof(want), "JST-9");
	else
		snprintf(want, sizeof(want), "UTC0");
	if (!strcmp(want, tz_applied))
		return;
	setenv("TZ", want, 1);
	tzset();
	snprintf(tz_applied, sizeof(tz_applied), "%s", want);
}

static void paper_tm(time_t t, struct tm *tm)
{
	pthread_mutex_lock(&clock_lock);
	tz_apply_locked();
	localtime_r(&t, tm);
	pthread_mutex_unlock(&clock_lock);
}

void kesu_time_paper(time_t t, enum kesu_paper_fmt fmt, char *buf, size_t len)
{
	struct tm tm;
	const char *z;

	paper_tm(t, &tm);
	z = tm.tm_zone && *tm.tm_zone ? tm.tm_zone : "";
	switch (fmt) {
	case KESU_PAPER_DATE_JA:
		snprintf(buf, len, "%04d年%02d月%02d日", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday);
		break;
	case KESU_PAPER_DATE:
		snprintf(buf, len, "%04d-%02d-%02d", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday);
		break;
	case KESU_PAPER_DATETIME_JA:
		snprintf(buf, len, "%04d年%02d月%02d日 %02d:%02d %s", tm.tm_year + 1900, tm.tm_mon + 1,
			 tm.tm_mday, tm.tm_hour, tm.tm_min, z);
		break;
	case KESU_PAPER_DATETIME:
		snprintf(buf, len, "%04d-%02d-%02d %02d:%02d:%02d %s", tm.tm_year + 1900,
			 tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, z);
		break;
	case KESU_PAPER_TIME:
		snprintf(buf, len, "%02d:%02d:%02d %s", tm.tm_hour, tm.tm_min, tm.tm_sec, z);
		break;
	}
}

long kesu_paper_tz_offset(time_t t)
{
	struct tm tm;

	paper_tm(t, &tm);
	return tm.tm_gmtoff;
}

int kesu_time_parse_rfc3339(const char *s, time_t *t)
{
	struct tm tm = { 0 };
	int n = 0, oh = 0, om = 0;
	long off = 0;
	const char *p;
	time_t v;

	if (!s || sscanf(s, "%4d-%2d-%2dT%2d:%2d:%2d%n", &tm.tm_year, &tm.tm_mon, &tm.tm_mday,
			 &tm.tm_hour, &tm.tm_min, &tm.tm_sec, &n) != 6 || n != 19)
		return -EINVAL;
	p = s + n;
	if (*p == '.')
		for (p++; isdigit((unsigned char)*p); p++)
			;
	if ((*p == 'Z' || *p == 'z') && p[1] == '\0') {
		off = 0;
	} else if ((*p == '+' || *p == '-') && sscanf(p + 1, "%2d:%2d%n", &oh, &om, &n) == 2 &&
		   n == 5 && p[6] == '\0' && oh < 24 && om < 60) {
		off = (*p == '-' ? -1 : 1) * (oh * 3600L + om * 60L);
	} else {
		return -EINVAL;
	}
	if (tm.tm_mon < 1 || tm.tm_mon > 12 || tm.tm_mday < 1 || tm.tm_mday > 31 ||
	    tm.tm_hour > 23 || tm.tm_min > 59 || tm.tm_sec > 60)
		return -EINVAL;
	tm.tm_year -= 1900;
	tm.tm_mon -= 1;
	v = timegm(&tm);
	if (v == (time_t)-1)
		return -EINVAL;
	*t = v - off;
	return 0;
}

int kesu_time_parse_paper(const char *s, time_t *t)
{
	struct tm tm = { 0 };
	int n = 0;
	time_t v;

	if (kesu_time_parse_rfc3339(s, t) == 0)
		return 0;
	if (!s)
		return -EINVAL;
	if (sscanf(s, "%4d-%2d-%2d%*1[T ]%2d:%2d%n", &tm.tm_year, &tm.tm_mon, &tm.tm_mday,
		   &tm.tm_hour, &tm.tm_min, &n) != 5)
		return -EINVAL;
	if (s[n] == ':') {
		int m = 0;

		if (sscanf(s + n, ":%2d%n", &tm.tm_sec, &m) != 1)
			return -EINVAL;
		n += m;
	}
	if (s[n] != '\0' || tm.tm_mon < 1 || tm.tm_mon > 12 || tm.tm_mday < 1 ||
	    tm.tm_mday > 31 || tm.tm_hour > 23 || tm.tm_min > 59 || tm.tm_sec > 59)
		return -EINVAL;
	tm.tm_year -= 1900;
	tm.tm_mon -= 1;
	v = timegm(&tm);
	if (v == (time_t)-1)
		return -EINVAL;
	/* v is the wall clock read as UTC: the zone's offset there turns it into UTC. */
	*t = v - kesu_paper_tz_offset(v - kesu_paper_tz_offset(v));
	return 0;
}

const char *kesu_time_state_path(void)
{
	const char *p = getenv("KESU_TIME_STATE");

	return p && *p ? p : KESU_TIME_STATE_DEFAULT;
}

int kesu_image_build_time(time_t *t)
{
	const char *p = getenv("KESU_BUILD_TIME_FILE");
	char *text = NULL, line[64];
	int rc;

	rc = kesu_read_file(p && *p ? p : KESU_BUILD_TIME_DEFAULT, 256, &text, NULL, NULL);
	if (rc < 0)
		return rc;
	kesu_strtrim_copy(line, sizeof(line), text);
	free(text);
	return kesu_time_parse_rfc3339(line, t);
}

int kesu_clock_synchronized(void)
{
	struct timex tx;

	memset(&tx, 0, sizeof(tx));
	if (adjtimex(&tx) < 0)
		return -errno;
	return (tx.status & STA_UNSYNC) ? 0 : 1;
}

int kesu_clock_set(time_t t)
{
	struct timespec ts = { .tv_sec = t, .tv_nsec = 0 };

	return clock_settime(CLOCK_REALTIME, &ts) < 0 ? -errno : 0;
}

static int source_valid(const char *s)
{
	return !strcmp(s, KESU_TIME_OPERATOR) || !strcmp(s, KESU_TIME_NTP) ||
	       !strcmp(s, KESU_TIME_RTC_UNCONFIRMED) || !strcmp(s, KESU_TIME_SYSTEM);
}

/* One key=value line of the state file into ts; unknown keys are ignored. */
static void state_line(struct kesu_time_source *ts, const char *key, const char *value)
{
	if (!strcmp(key, "source"))
		snprintf(ts->source, sizeof(ts->source), "%s", value);
	else if (!strcmp(key, "offset_ms"))
		ts->offset_ms = strtoll(value, NULL, 10);
	else if (!strcmp(key, "detail"))
		snprintf(ts->detail, sizeof(ts->detail), "%s", value);
	else if (!strcmp(key, "ntp_server"))
		snprintf(ts->ntp_server, sizeof(ts->ntp_server), "%s", value);
	else if (!strcmp(key, "set_at"))
		snprintf(ts->set_at, sizeof(ts->set_at), "%s", value);
}

static int state_read(const char *path, struct kesu_time_source *ts)
{
	char *text = NULL, *p, *nl;
	int rc = kesu_read_file(path, STATE_MAX_BYTES, &text, NULL, NULL);

	if (rc < 0)
		return rc;
	for (p = text; p && *p; p = nl ? nl + 1 : NULL) {
		char *eq;

		nl = strchr(p, '\n');
		if (nl)
			*nl = '\0';
		eq = strchr(p, '=');
		if (!eq)
			continue;
		*eq = '\0';
		state_line(ts, p, eq + 1);
	}
	free(text);
	return source_valid(ts->source) ? 0 : -KESU_E_BAD_INPUT;
}

void kesu_time_source_get(struct kesu_time_source *ts)
{
	const char *path = kesu_time_state_path();
	int image, rc, sync;
	time_t built;

	memset(ts, 0, sizeof(*ts));
	image = kesu_image_build_time(&built) == 0;
	rc = state_read(path, ts);
	if (rc < 0) {
		memset(ts, 0, sizeof(*ts));
		if (rc != -ENOENT)
			snprintf(ts->detail, sizeof(ts->detail), "the time source file %s could not be read",
				 path);
		else if (image)
			snprintf(ts->detail, sizeof(ts->detail),
				 "the machine's clock as found at boot, not confirmed");
		else
			snprintf(ts->detail, sizeof(ts->detail), "the host's system clock");
		snprintf(ts->source, sizeof(ts->source), "%s",
			 image || rc != -ENOENT ? KESU_TIME_RTC_UNCONFIRMED : KESU_TIME_SYSTEM);
	}
	if (image)
		kesu_time_rfc3339(built, ts->image_built_at, sizeof(ts->image_built_at));
	sync = kesu_clock_synchronized();
	snprintf(ts->synchronized, sizeof(ts->synchronized), "%s",
		 sync == 1 ? "yes" : sync == 0 ? "no" : "");
}

/* A value on one line: newlines become spaces. */
static void put(FILE *f, const char *key, const char *value)
{
	fprintf(f, "%s=", key);
	for (const char *p = value; *p; p++)
		fputc(*p == '\n' || *p == '\r' ? ' ' : *p, f);
	fputc('\n', f);
}

int kesu_time_source_write(const struct kesu_time_source *ts, struct kesu_errbuf *eb)
{
	const char *path = kesu_time_state_path();
	char dir[PATH_MAX], *slash, *text = NULL;
	size_t len = 0;
	FILE *f;
	int rc;

	if (!source_valid(ts->source))
		return kesu_err_set(eb, -EINVAL, "\"%s\" is not a time source", ts->source);
	snprintf(dir, sizeof(dir), "%s", path);
	slash = strrchr(dir, '/');
	if (slash && slash != dir) {
		*slash = '\0';
		if (mkdir(dir, 0755) < 0 && errno != EEXIST)
			return kesu_err_set(eb, -errno, "cannot create %s: %s", dir, strerror(errno));
	}
	f = open_memstream(&text, &len);
	if (!f)
		return kesu_err_set(eb, -ENOMEM, "out of memory");
	put(f, "source", ts->source);
	fprintf(f, "offset_ms=%lld\n", ts->offset_ms);
	put(f, "detail", ts->detail);
	put(f, "ntp_server", ts->ntp_server);
	put(f, "set_at", ts->set_at);
	if (fclose(f) != 0) {
		free(text);
		return kesu_err_set(eb, -ENOMEM, "out of memory");
	}
	rc = kesu_write_file_atomic(path, text, len, 0644, eb);
	free(text);
	return rc;
}

const char *kesu_time_source_doubt(const char *source, const char *image_built_at, time_t t)
{
	time_t built;

	if (source && !strcmp(source, KESU_TIME_RTC_UNCONFIRMED))
		return "the clock was not confirmed at boot (rtc-unconfirmed)";
	if (t && image_built_at && *image_built_at &&
	    kesu_time_parse_rfc3339(image_built_at, &built) == 0 && t < built)
		return "its time lies before the boot image was built";
	return NULL;
}

time_t kesu_clock_answer_time(const struct kesu_clock_request *q, time_t now)
{
	switch (q->answer) {
	case KESU_CLOCK_IS_LOCAL:
		/* The clock read local time as UTC: it is ahead by the zone's offset. */
		return now - kesu_paper_tz_offset(now);
	case KESU_CLOCK_SET_TO:
		return q->time;
	case KESU_CLOCK_FROM_NTP:
		return now + (time_t)(q->offset_ms / 1000);
	default:
		return now;
	}
}

static void answer_detail(const struct kesu_clock_request *q, char *buf, size_t len)
{
	const char *by = q->by && *q->by ? q->by : "operator";

	switch (q->answer) {
	case KESU_CLOCK_IS_UTC:
		snprintf(buf, len, "%s: the clock was right (UTC)", by);
		break;
	case KESU_CLOCK_IS_LOCAL:
		snprintf(buf, len, "%s: the clock was in local time (%s, as Windows keeps it)", by,
			 kesu_paper_tz());
		break;
	case KESU_CLOCK_SET_TO:
		snprintf(buf, len, "%s: the clock was set to the time given", by);
		break;
	case KESU_CLOCK_FROM_NTP:
		snprintf(buf, len, "set by NTP from %s", q->server ? q->server : "?");
		break;
	case KESU_CLOCK_UNCONFIRMED:
		snprintf(buf, len, "%s: the machine's clock as found at boot, not confirmed", by);
		break;
	}
}

/* Move the system clock by ms milliseconds. */
static int clock_step_ms(long long ms)
{
	struct timespec ts;
	long long ns;

	if (clock_gettime(CLOCK_REALTIME, &ts) < 0)
		return -errno;
	ns = (long long)ts.tv_nsec + (ms % 1000) * 1000000LL;
	ts.tv_sec += (time_t)(ms / 1000) + (time_t)(ns >= 1000000000LL) - (time_t)(ns < 0);
	ts.tv_nsec = (long)(ns >= 1000000000LL ? ns - 1000000000LL : ns < 0 ? ns + 1000000000LL : ns);
	return clock_settime(CLOCK_REALTIME, &ts) < 0 ? -errno : 0;
}

static const char *answer_source(enum kesu_clock_answer a)
{
	return a == KESU_CLOCK_FROM_NTP ? KESU_TIME_NTP :
	       a == KESU_CLOCK_UNCONFIRMED ? KESU_TIME_RTC_UNCONFIRMED : KESU_TIME_OPERATOR;
}

int kesu_clock_confirm(const struct kesu_clock_request *q, struct kesu_time_source *out,
		       struct kesu_errbuf *eb)
{
	struct kesu_time_source ts;
	time_t now = time(NULL), to = kesu_clock_answer_time(q, now), built;
	char a[32], b[32];
	int rc;

	memset(&ts, 0, sizeof(ts));
	if (q->answer != KESU_CLOCK_UNCONFIRMED && kesu_image_build_time(&built) == 0 && to < built) {
		kesu_time_rfc3339(to, a, sizeof(a));
		kesu_time_rfc3339(built, b, sizeof(b));
		return kesu_err_set(eb, -KESU_E_BAD_INPUT,
				    "the clock would read %s, before this boot image was built (%s): "
				    "give the right time", a, b);
	}
	if (q->answer == KESU_CLOCK_FROM_NTP) {
		rc = q->offset_ms ? clock_step_ms(q->offset_ms) : 0;
		if (rc < 0)
			return kesu_err_set(eb, rc, "cannot set the system clock: %s", strerror(-rc));
		ts.offset_ms = q->offset_ms;
		snprintf(ts.ntp_server, sizeof(ts.ntp_server), "%s", q->server ? q->server : "");
	} else if (to != now) {
		rc = kesu_clock_set(to);
		if (rc < 0)
			return kesu_err_set(eb, rc, "cannot set the system clock: %s", strerror(-rc));
		ts.offset_ms = ((long long)to - (long long)now) * 1000;
	}
	snprintf(ts.source, sizeof(ts.source), "%s", answer_source(q->answer));
	answer_detail(q, ts.detail, sizeof(ts.detail));
	kesu_time_rfc3339(time(NULL), ts.set_at, sizeof(ts.set_at));
	rc = kesu_time_source_write(&ts, eb);
	if (rc == 0 && out)
		kesu_time_source_get(out);
	return rc;
}

int kesu_clock_check_not_before_build(struct kesu_errbuf *eb)
{
	time_t built, now = kesu_clock_now();
	char a[32], b[32];

	if (kesu_image_build_time(&built) < 0 || now >= built)
		return 0;
	kesu_time_rfc3339(now, a, sizeof(a));
	kesu_time_rfc3339(built, b, sizeof(b));
	return kesu_err_set(eb, -KESU_E_BAD_INPUT,
			    "the clock reads %s, earlier than this boot image was built (%s): "
			    "nothing dated by it can be certified; correct the clock first "
			    "(the TUI's first screen, kesu clock set, or kesu.time=/kesu.ntp= at boot)",
			    a, b);
}
