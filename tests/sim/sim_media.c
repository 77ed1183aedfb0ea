/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Erases really change the media: chunked writes to the loop device or image. */
#include "sim.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <unistd.h>

#define CHUNK (1u << 20)

static int fill_random(uint8_t *buf, size_t len)
{
	size_t done = 0;

	while (done < len) {
		ssize_t n = getrandom(buf + done, len - done, 0);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		done += (size_t)n;
	}
	return 0;
}

static void fill_buffer(uint8_t *buf, size_t len, enum sim_fill fill, uint32_t pattern)
{
	if (fill == SIM_FILL_ZERO) {
		memset(buf, 0, len);
	} else if (fill == SIM_FILL_ONES) {
		memset(buf, 0xff, len);
	} else {
		/* The 32-bit pattern as it sits in little-endian memory, repeated. */
		for (size_t i = 0; i + 4 <= len; i += 4) {
			buf[i] = (uint8_t)pattern;
			buf[i + 1] = (uint8_t)(pattern >> 8);
			buf[i + 2] = (uint8_t)(pattern >> 16);
			buf[i + 3] = (uint8_t)(pattern >> 24);
		}
	}
}

int sim_media_fill(const char *path, uint64_t off, uint64_t len, enum sim_fill fill, uint32_t pattern)
{
	uint8_t *buf = NULL;
	int fd, rc = 0;

	if (len == 0)
		return 0;
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	buf = malloc(CHUNK);
	if (!buf) {
		rc = -ENOMEM;
		goto out;
	}
	if (fill != SIM_FILL_RANDOM)
		fill_buffer(buf, CHUNK, fill, pattern);
	while (len > 0) {
		size_t n = len < CHUNK ? (size_t)len : CHUNK;
		ssize_t w;

		if (fill == SIM_FILL_RANDOM && (rc = fill_random(buf, n)) < 0)
			goto out;
		w = pwrite(fd, buf, n, (off_t)off);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			rc = w < 0 ? -errno : -EIO;
			goto out;
		}
		off += (uint64_t)w;
		len -= (uint64_t)w;
	}
	if (fsync(fd) < 0)
		rc = -errno;
out:
	free(buf);
	close(fd);
	return rc;
}

int sim_media_erase(const struct sim_dev *d, const char *path, uint64_t off, uint64_t len,
		    unsigned unit, enum sim_fill fill, uint32_t pattern)
{
	switch (d->misbehave) {
	case SIM_MB_LIE:
		return 0;
	case SIM_MB_FIRST_LBA_ONLY:
		if (len > unit)
			len = unit;
		break;
	case SIM_MB_FAIL_MIDWAY:
		len = len / 2 / unit * unit;
		break;
	default:
		break;
	}
	return sim_media_fill(path, off, len, fill, pattern);
}
