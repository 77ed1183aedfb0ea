/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * One SNTP query (sntp.h). Timestamps are NTP's: seconds since 1900 in the
 * high 32 bits, the fraction in the low 32, big-endian on the wire.
 */
#include <kesu/sntp.h>

#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define NTP_PACKET 48
#define NTP_UNIX_OFFSET 2208988800ULL   /* 1900-01-01 to 1970-01-01, in seconds */

/* Now as a 64-bit NTP timestamp. */
static uint64_t ntp_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (((uint64_t)ts.tv_sec + NTP_UNIX_OFFSET) << 32) |
	       (uint64_t)(((uint64_t)ts.tv_nsec << 32) / 1000000000ULL);
}

static uint64_t get64(const unsigned char *p)
{
	uint64_t v = 0;

	for (int i = 0; i < 8; i++)
		v = (v << 8) | p[i];
	return v;
}

static void put64(unsigned char *p, uint64_t v)
{
	for (int i = 7; i >= 0; i--, v >>= 8)
		p[i] = (unsigned char)(v & 0xff);
}

/* a - b in milliseconds, for timestamps within 68 years of each other. */
static long long diff_ms(uint64_t a, uint64_t b)
{
	int64_t d = (int64_t)(a - b);

	/* 2^32 units a second: ms = d * 1000 / 2^32, without overflowing. */
	return (long long)((d / 4294967296LL) * 1000 + ((d % 4294967296LL) * 1000) / 4294967296LL);
}

/* "host", "host:port", "[v6]" or "[v6]:port" into host and port. */
static int split(const char *server, char *host, size_t hlen, char *port, size_t plen)
{
	const char *colon;

	if (*server == '[') {
		const char *end = strchr(server, ']');

		if (!end || (size_t)(end - server - 1) >= hlen)
			return -EINVAL;
		snprintf(host, hlen, "%.*s", (int)(end - server - 1), server + 1);
		snprintf(port, plen, "%s", end[1] == ':' ? end + 2 : KESU_SNTP_PORT);
		return *host && *port ? 0 : -EINVAL;
	}
	colon = strchr(server, ':');
	if (colon && strchr(colon + 1, ':'))
		colon = NULL;   /* a bare IPv6 address */
	if (colon) {
		if ((size_t)(colon - server) >= hlen)
			return -EINVAL;
		snprintf(host, hlen, "%.*s", (int)(colon - server), server);
		snprintf(port, plen, "%s", colon + 1);
	} else {
		snprintf(host, hlen, "%s", server);
		snprintf(port, plen, "%s", KESU_SNTP_PORT);
	}
	return *host && *port ? 0 : -EINVAL;
}

/* Check an answer to the request sent at t1 and compute offset and delay. */
static int judge(const unsigned char *p, ssize_t n, uint64_t t1, uint64_t t4,
		 struct kesu_sntp_result *res)
{
	uint64_t t2, t3;

	if (n < NTP_PACKET || (p[0] & 7) != 4 || (p[0] >> 6) == 3 || p[1] < 1 || p[1] > 15)
		return -EPROTO;
	if (get64(p + 24) != t1)
		return -EPROTO;
	t2 = get64(p + 32);
	t3 = get64(p + 40);
	if (!t3)
		return -EPROTO;
	res->offset_ms = (diff_ms(t2, t1) + diff_ms(t3, t4)) / 2;
	res->delay_ms = diff_ms(t4, t1) - diff_ms(t3, t2);
	res->stratum = p[1];
	return 0;
}

/* One request to one address. */
static int ask(const struct addrinfo *ai, int timeout_ms, struct kesu_sntp_result *res)
{
	unsigned char pkt[NTP_PACKET] = { 0 }, in[NTP_PACKET * 2];
	struct pollfd pfd;
	uint64_t t1;
	int fd, rc = -ETIMEDOUT;

	fd = socket(ai->ai_family, SOCK_DGRAM | SOCK_CLOEXEC, IPPROTO_UDP);
	if (fd < 0)
		return -errno;
	if (connect(fd, ai->ai_addr, ai->ai_addrlen) < 0) {
		rc = -errno;
		goto out;
	}
	pkt[0] = (0 << 6) | (4 << 3) | 3;       /* no leap warning, version 4, client */
	t1 = ntp_now();
	put64(pkt + 40, t1);
	if (send(fd, pkt, sizeof(pkt), 0) != (ssize_t)sizeof(pkt)) {
		rc = -errno;
		goto out;
	}
	pfd.fd = fd;
	pfd.events = POLLIN;
	while (poll(&pfd, 1, timeout_ms) == 1) {
		ssize_t n = recv(fd, in, sizeof(in), 0);
		uint64_t t4 = ntp_now();

		if (n < 0) {
			rc = -errno;
			break;
		}
		rc = judge(in, n, t1, t4, res);
		if (rc == 0)
			break;
	}
out:
	close(fd);
	return rc;
}

int kesu_sntp_query(const char *server, int timeout_ms, struct kesu_sntp_result *res,
		    struct kesu_errbuf *eb)
{
	struct addrinfo hints = { .ai_socktype = SOCK_DGRAM, .ai_protocol = IPPROTO_UDP };
	struct addrinfo *list = NULL, *ai;
	char host[256], port[16];
	int rc;

	memset(res, 0, sizeof(*res));
	if (!server || split(server, host, sizeof(host), port, sizeof(port)) < 0)
		return kesu_err_set(eb, -EINVAL, "\"%s\" is not an NTP server (host or host:port)",
				    server ? server : "");
	rc = getaddrinfo(host, port, &hints, &list);
	if (rc != 0)
		return kesu_err_set(eb, -EHOSTUNREACH, "NTP server %s: %s", server, gai_strerror(rc));
	rc = -ETIMEDOUT;
	for (ai = list; ai; ai = ai->ai_next) {
		rc = ask(ai, timeout_ms, res);
		if (rc == 0) {
			getnameinfo(ai->ai_addr, ai->ai_addrlen, res->address, sizeof(res->address),
				    NULL, 0, NI_NUMERICHOST);
			break;
		}
	}
	freeaddrinfo(list);
	if (rc < 0)
		return kesu_err_set(eb, rc, "NTP server %s: %s", server,
				    rc == -ETIMEDOUT ? "no answer" :
				    rc == -EPROTO ? "not a valid answer (not synchronised?)" :
				    strerror(-rc));
	return 0;
}
