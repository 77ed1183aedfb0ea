/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Small helpers every layer uses: whole-file I/O with atomic replacement,
 * SHA-256 (OpenSSL), RFC 3339 times, sizes for people.
 */
#ifndef KESU_UTIL_H
#define KESU_UTIL_H

#include <kesu/err.h>

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <time.h>

struct bio_st;   /* OpenSSL's BIO */

#define KESU_SHA256_HEX_LEN 64

/*
 * Write data to path atomically: a temp file in the same directory, fsync,
 * rename over path, fsync of the directory. A reader never sees a partial
 * file, and a crash leaves either the old file or the new one.
 */
int kesu_write_file_atomic(const char *path, const void *data, size_t len, mode_t mode,
			   struct kesu_errbuf *eb);

/*
 * The directory kesu keeps evidence (records, journals, certificates) or keys
 * in: made with its missing parents, each directory kesu makes 0700 (the
 * evidence names people and media: for the operator and the auditor, not for
 * every user of the machine); an existing directory is used as it is. Returns
 * 0 when dir is a directory kesu can write in, else -ENOTDIR, -EACCES or the
 * error of the mkdir that failed.
 */
int kesu_private_dir_make(const char *dir);

/*
 * Every file kesu reads (certificate, signature, key, configuration, CSV,
 * template, record, seal) is opened here: read-only with O_NONBLOCK, so a
 * FIFO or a device cannot make the open hang, checked with fstat, refused
 * unless it is a regular file (-KESU_E_BAD_INPUT, "PATH: not a regular file
 * (a FIFO)"), then O_NONBLOCK is cleared. Returns the descriptor (O_CLOEXEC)
 * or a negative error; st (may be NULL) gets the fstat.
 */
int kesu_open_regular(const char *path, struct stat *st, struct kesu_errbuf *eb);

/* The same as a stdio stream ("r"). */
int kesu_fopen_regular(const char *path, FILE **f, struct kesu_errbuf *eb);

/* The same as an OpenSSL file BIO that owns the stream (PEM_read_bio_*, BIO_free). */
int kesu_bio_open_regular(const char *path, struct bio_st **bio, struct kesu_errbuf *eb);

/* "a FIFO", "a directory", "a block device", ... for st_mode. */
const char *kesu_file_kind(mode_t mode);

/*
 * Read a whole file (at most max bytes; -EFBIG beyond) into a malloc'd,
 * NUL-terminated buffer. *len gets the size without the NUL. Only a
 * regular file is read (kesu_open_regular).
 */
int kesu_read_file(const char *path, size_t max, char **data, size_t *len,
		   struct kesu_errbuf *eb);

/* The same from an open descriptor (path names it in messages); fd stays open. */
int kesu_read_fd(int fd, const char *path, size_t max, char **data, size_t *len,
		 struct kesu_errbuf *eb);

/* Lowercase hex SHA-256 of a buffer / of a file's bytes; out holds 65 chars. */
int kesu_sha256_hex(const void *data, size_t len, char out[KESU_SHA256_HEX_LEN + 1]);
int kesu_sha256_file_hex(const char *path, char out[KESU_SHA256_HEX_LEN + 1],
			 struct kesu_errbuf *eb);

/* "2026-11-25T18:49:37Z" (UTC); buf holds at least 21 chars. */
void kesu_time_rfc3339(time_t t, char *buf, size_t len);

/* Sizes for people: "256 MiB", "1.92 TB" style (decimal when si, else binary). */
void kesu_format_size(uint64_t bytes, int si, char *buf, size_t len);

/* Copy at most dst_len-1 bytes and trim leading/trailing whitespace. */
void kesu_strtrim_copy(char *dst, size_t dst_len, const char *src);

/*
 * A device's fixed-width ASCII field, its n bytes in s and then a NUL: trim
 * the space (or NUL) padding at both ends and replace non-printables with '?'.
 */
void kesu_ascii_field_tidy(char *s, size_t n);

/* Parse "64M", "1G", "4096", "2GiB" into bytes (binary multiples). -EINVAL on junk, -ERANGE on overflow. */
int kesu_parse_size(const char *s, uint64_t *bytes);

#endif
