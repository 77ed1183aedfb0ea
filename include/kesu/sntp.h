/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * One SNTP query (RFC 4330, NTP version 4 client mode over UDP): how far the
 * system clock is from a server's. Used at boot (kesu.ntp=, kesu clock ntp)
 * to set the clock before anything is erased; nothing here sets the clock.
 *
 * The answer is accepted only when it is a server-mode reply to this very
 * request (the originate timestamp echoes ours), from a synchronised server
 * (stratum 1-15, leap indicator not "alarm"), with a non-zero transmit time.
 */
#ifndef KESU_SNTP_H
#define KESU_SNTP_H

#include <kesu/err.h>

#define KESU_SNTP_PORT "123"

struct kesu_sntp_result {
	long long offset_ms;   /* add this to the system clock to get the server's time */
	long long delay_ms;    /* the round trip, less the server's own time */
	int stratum;
	char address[64];      /* the address that answered */
};

/*
 * Ask server ("host", "host:port", "[v6]:port") once per address it resolves
 * to, at most timeout_ms for each. 0 and *res on the first good answer;
 * -ETIMEDOUT, -EPROTO (a bad answer) or a resolver error, with the sentence in eb.
 */
int kesu_sntp_query(const char *server, int timeout_ms, struct kesu_sntp_result *res,
		    struct kesu_errbuf *eb);

#endif
