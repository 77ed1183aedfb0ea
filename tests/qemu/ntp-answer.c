/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The network-boot test's time server: answers SNTP requests (RFC 4330) on
 * 127.0.0.1 with this host's clock, for QEMU guests whose user network
 * carries 10.0.2.2:PORT to the host's loopback. Runs until SECONDS pass.
 *
 *   ntp-answer PORTFILE SECONDS
 *
 * Binds an ephemeral port, writes its number to PORTFILE, then answers.
 * Stratum 2, no leap warning: a server kesu's client accepts.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define NTP_UNIX_OFFSET 2208988800ULL   /* seconds from 1900 to 1970 */

static uint64_t ntp_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (((uint64_t)ts.tv_sec + NTP_UNIX_OFFSET) << 32) +
	       (((uint64_t)ts.tv_nsec << 32) / 1000000000ULL);
}

static void put_stamp(unsigned char *p, uint64_t t)
{
	for (int i = 0; i < 8; i++)
		p[i] = (unsigned char)(t >> (56 - 8 * i));
}

/* One reply for one request: originate = the client's transmit time. */
static void answer(int fd)
{
	unsigned char p[48];
	struct sockaddr_in from;
	socklen_t fl = sizeof(from);
	uint64_t received = ntp_now();
	ssize_t n = recvfrom(fd, p, sizeof(p), 0, (struct sockaddr *)&from, &fl);

	if (n != (ssize_t)sizeof(p) || (p[0] & 7) != 3)   /* mode 3: a client */
		return;
	memcpy(p + 24, p + 40, 8);
	p[0] = (4 << 3) | 4;                               /* no leap warning, version 4, server */
	p[1] = 2;                                          /* stratum */
	p[2] = 6;                                          /* poll */
	p[3] = (unsigned char)-20;                         /* precision, about a microsecond */
	memset(p + 4, 0, 8);                               /* root delay and dispersion */
	memcpy(p + 12, "KESU", 4);                         /* reference id */
	put_stamp(p + 16, received);                       /* reference time */
	put_stamp(p + 32, received);
	put_stamp(p + 40, ntp_now());
	if (sendto(fd, p, sizeof(p), 0, (struct sockaddr *)&from, fl) < 0)
		perror("ntp-answer: sendto");
}

static int bind_loopback(const char *portfile)
{
	struct sockaddr_in a = { .sin_family = AF_INET };
	socklen_t al = sizeof(a);
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	FILE *f;

	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (fd < 0 || bind(fd, (struct sockaddr *)&a, sizeof(a)) ||
	    getsockname(fd, (struct sockaddr *)&a, &al)) {
		perror("ntp-answer: 127.0.0.1");
		return -1;
	}
	if (!(f = fopen(portfile, "w")) || fprintf(f, "%u\n", ntohs(a.sin_port)) < 0 || fclose(f)) {
		perror(portfile);
		close(fd);
		return -1;
	}
	return fd;
}

int main(int argc, char **argv)
{
	struct pollfd pfd = { .events = POLLIN };
	time_t end;

	if (argc != 3) {
		fprintf(stderr, "usage: ntp-answer PORTFILE SECONDS\n");
		return 2;
	}
	end = time(NULL) + atoi(argv[2]);
	if ((pfd.fd = bind_loopback(argv[1])) < 0)
		return 1;
	while (time(NULL) < end) {
		if (poll(&pfd, 1, 1000) > 0)
			answer(pfd.fd);
	}
	close(pfd.fd);
	return 0;
}
