/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <kesu/parse.h>
#include <kesu/util.h>

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <openssl/bio.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int write_all(int fd, const void *data, size_t len)
{
	const char *p = data;

	while (len > 0) {
		ssize_t n = write(fd, p, len);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

/* fsync the directory so the rename itself survives a power loss. */
static int fsync_parent_dir(const char *path)
{
	char copy[PATH_MAX];
	int fd, rc = 0;

	snprintf(copy, sizeof(copy), "%s", path);
	fd = open(dirname(copy), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (fsync(fd) < 0 && errno != EINVAL)
		rc = -errno;
	close(fd);
	return rc;
}

/* One directory: made 0700 unless it is there already. */
static int private_mkdir(const char *dir)
{
	struct stat st;

	if (mkdir(dir, 0700) == 0)
		return 0;
	if (errno != EEXIST)
		return -errno;
	if (stat(dir, &st) < 0)
		return -errno;
	return S_ISDIR(st.st_mode) ? 0 : -ENOTDIR;
}

int kesu_private_dir_make(const char *dir)
{
	char tmp[PATH_MAX];
	int rc;

	if (!dir || !*dir)
		return -ENOENT;
	if (snprintf(tmp, sizeof(tmp), "%s", dir) >= (int)sizeof(tmp))
		return -ENAMETOOLONG;
	for (size_t i = 1; tmp[i]; i++) {
		if (tmp[i] != '/' || tmp[i - 1] == '/')
			continue;
		tmp[i] = '\0';
		rc = private_mkdir(tmp);
		tmp[i] = '/';
		if (rc < 0)
			return rc;
	}
	rc = private_mkdir(tmp);
	if (rc < 0)
		return rc;
	return access(dir, W_OK | X_OK) < 0 ? -errno : 0;
}

int kesu_write_file_atomic(const char *path, const void *data, size_t len, mode_t mode,
			   struct kesu_errbuf *eb)
{
	char tmp[PATH_MAX];
	int fd, rc;

	if (snprintf(tmp, sizeof(tmp), "%s.tmp.XXXXXX", path) >= (int)sizeof(tmp))
		return kesu_err_set(eb, -ENAMETOOLONG, "%s: path too long", path);
	fd = mkstemp(tmp);
	if (fd < 0)
		return kesu_err_set(eb, -errno, "cannot create a file beside %s: %s", path,
				    strerror(errno));
	rc = write_all(fd, data, len);
	if (!rc && fchmod(fd, mode) < 0)
		rc = -errno;
	if (!rc && fsync(fd) < 0)
		rc = -errno;
	if (close(fd) < 0 && !rc)
		rc = -errno;
	if (!rc && rename(tmp, path) < 0)
		rc = -errno;
	if (rc) {
		unlink(tmp);
		return kesu_err_set(eb, rc, "writing %s: %s", path, strerror(-rc));
	}
	return fsync_parent_dir(path);
}

const char *kesu_file_kind(mode_t mode)
{
	if (S_ISREG(mode))
		return "a regular file";
	if (S_ISDIR(mode))
		return "a directory";
	if (S_ISFIFO(mode))
		return "a FIFO";
	if (S_ISCHR(mode))
		return "a character device";
	if (S_ISBLK(mode))
		return "a block device";
	if (S_ISSOCK(mode))
		return "a socket";
	return "not a file";
}

int kesu_open_regular(const char *path, struct stat *stp, struct kesu_errbuf *eb)
{
	struct stat st;
	int fd, fl;

	fd = open(path, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
	if (fd < 0)
		return kesu_err_set(eb, -errno, "%s: %s", path, strerror(errno));
	if (fstat(fd, &st) < 0) {
		int rc = -errno;

		close(fd);
		return kesu_err_set(eb, rc, "%s: %s", path, strerror(-rc));
	}
	if (!S_ISREG(st.st_mode)) {
		close(fd);
		return kesu_err_set(eb, -KESU_E_BAD_INPUT, "%s: not a regular file (%s)", path,
				    kesu_file_kind(st.st_mode));
	}
	fl = fcntl(fd, F_GETFL);
	if (fl < 0 || fcntl(fd, F_SETFL, fl & ~O_NONBLOCK) < 0) {
		int rc = -errno;

		close(fd);
		return kesu_err_set(eb, rc, "%s: %s", path, strerror(-rc));
	}
	if (stp)
		*stp = st;
	return fd;
}

int kesu_fopen_regular(const char *path, FILE **f, struct kesu_errbuf *eb)
{
	int fd = kesu_open_regular(path, NULL, eb);

	*f = NULL;
	if (fd < 0)
		return fd;
	*f = fdopen(fd, "r");
	if (!*f) {
		int rc = -errno;

		close(fd);
		return kesu_err_set(eb, rc, "%s: %s", path, strerror(-rc));
	}
	return 0;
}

int kesu_bio_open_regular(const char *path, struct bio_st **bio, struct kesu_errbuf *eb)
{
	FILE *f;
	int rc = kesu_fopen_regular(path, &f, eb);

	*bio = NULL;
	if (rc)
		return rc;
	*bio = BIO_new_fp(f, BIO_CLOSE);
	if (!*bio) {
		fclose(f);
		return kesu_err_set(eb, -ENOMEM, "%s: out of memory", path);
	}
	return 0;
}

int kesu_read_fd(int fd, const char *path, size_t max, char **data, size_t *len,
		 struct kesu_errbuf *eb)
{
	char *buf = NULL;
	size_t used = 0, cap = 0;
	int rc = 0;

	*data = NULL;
	if (len)
		*len = 0;
	for (;;) {
		ssize_t n;

		if (used + 1 >= cap) {
			size_t ncap = cap ? cap * 2 : 65536;
			char *nb;

			if (ncap > max + 2)
				ncap = max + 2;
			if (ncap <= used + 1) {
				rc = kesu_err_set(eb, -EFBIG, "%s: larger than %zu bytes", path, max);
				goto out;
			}
			nb = realloc(buf, ncap);
			if (!nb) {
				rc = kesu_err_set(eb, -ENOMEM, "%s: out of memory", path);
				goto out;
			}
			buf = nb;
			cap = ncap;
		}
		n = read(fd, buf + used, cap - used - 1);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			rc = kesu_err_set(eb, -errno, "reading %s: %s", path, strerror(errno));
			goto out;
		}
		if (n == 0)
			break;
		used += (size_t)n;
		if (used > max) {
			rc = kesu_err_set(eb, -EFBIG, "%s: larger than %zu bytes", path, max);
			goto out;
		}
	}
	if (!buf && !(buf = malloc(1))) {
		rc = -ENOMEM;
		goto out;
	}
	buf[used] = '\0';
	*data = buf;
	buf = NULL;
	if (len)
		*len = used;
out:
	free(buf);
	return rc;
}

int kesu_read_file(const char *path, size_t max, char **data, size_t *len,
		   struct kesu_errbuf *eb)
{
	int fd, rc;

	*data = NULL;
	if (len)
		*len = 0;
	fd = kesu_open_regular(path, NULL, eb);
	if (fd < 0)
		return fd;
	rc = kesu_read_fd(fd, path, max, data, len, eb);
	close(fd);
	return rc;
}

static void hex_encode(const unsigned char *in, size_t n, char *out)
{
	static const char digits[] = "0123456789abcdef";

	for (size_t i = 0; i < n; i++) {
		out[2 * i] = digits[in[i] >> 4];
		out[2 * i + 1] = digits[in[i] & 15];
	}
	out[2 * n] = '\0';
}

int kesu_sha256_hex(const void *data, size_t len, char out[KESU_SHA256_HEX_LEN + 1])
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;

	if (!EVP_Digest(data, len, md, &mdlen, EVP_sha256(), NULL))
		return -EIO;
	hex_encode(md, mdlen, out);
	return 0;
}

int kesu_sha256_file_hex(const char *path, char out[KESU_SHA256_HEX_LEN + 1],
			 struct kesu_errbuf *eb)
{
	unsigned char md[EVP_MAX_MD_SIZE], buf[65536];
	unsigned int mdlen = 0;
	EVP_MD_CTX *ctx;
	int fd, rc = 0;
	ssize_t n;

	fd = kesu_open_regular(path, NULL, eb);
	if (fd < 0)
		return fd;
	ctx = EVP_MD_CTX_new();
	if (!ctx || !EVP_DigestInit_ex(ctx, EVP_sha256(), NULL)) {
		rc = -ENOMEM;
		goto out;
	}
	while ((n = read(fd, buf, sizeof(buf))) != 0) {
		if (n < 0) {
			if (errno == EINTR)
				continue;
			rc = kesu_err_set(eb, -errno, "reading %s: %s", path, strerror(errno));
			goto out;
		}
		EVP_DigestUpdate(ctx, buf, (size_t)n);
	}
	if (!EVP_DigestFinal_ex(ctx, md, &mdlen)) {
		rc = -EIO;
		goto out;
	}
	hex_encode(md, mdlen, out);
out:
	EVP_MD_CTX_free(ctx);
	close(fd);
	return rc;
}

void kesu_time_rfc3339(time_t t, char *buf, size_t len)
{
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(buf, len, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

void kesu_format_size(uint64_t bytes, int si, char *buf, size_t len)
{
	static const char *bin_units[] = { "B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB" };
	static const char *si_units[] = { "B", "kB", "MB", "GB", "TB", "PB", "EB" };
	const double base = si ? 1000.0 : 1024.0;
	double v = (double)bytes;
	int u = 0;

	while (v >= base && u < 6) {
		v /= base;
		u++;
	}
	if (u == 0)
		snprintf(buf, len, "%llu B", (unsigned long long)bytes);
	else if (v == (double)(uint64_t)v)
		snprintf(buf, len, "%.0f %s", v, si ? si_units[u] : bin_units[u]);
	else
		snprintf(buf, len, "%.*f %s", v < 10 ? 2 : 1, v, si ? si_units[u] : bin_units[u]);
}

void kesu_strtrim_copy(char *dst, size_t dst_len, const char *src)
{
	size_t n;

	if (!dst_len)
		return;
	while (*src && isspace((unsigned char)*src))
		src++;
	n = strlen(src);
	while (n > 0 && isspace((unsigned char)src[n - 1]))
		n--;
	if (n >= dst_len)
		n = dst_len - 1;
	memcpy(dst, src, n);
	dst[n] = '\0';
}

void kesu_ascii_field_tidy(char *s, size_t n)
{
	size_t lead = 0;

	while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\0'))
		s[--n] = '\0';
	while (s[lead] == ' ')
		lead++;
	if (lead)
		memmove(s, s + lead, n - lead + 1);
	for (size_t i = 0; s[i]; i++)
		if ((unsigned char)s[i] < 0x20 || (unsigned char)s[i] > 0x7e)
			s[i] = '?';
}

int kesu_parse_size(const char *s, uint64_t *bytes)
{
	char digits[24];
	const char *end;
	uint64_t whole, mult = 1;
	size_t n;
	int rc;

	if (!s)
		return -EINVAL;
	n = strspn(s, "0123456789");
	if (n == 0)
		return -EINVAL;
	if (n >= sizeof(digits))
		return -ERANGE;
	memcpy(digits, s, n);
	digits[n] = '\0';
	/* the one strict number parser: digits only */
	rc = kesu_parse_u64(digits, 0, UINT64_MAX, &whole);
	if (rc)
		return rc;
	end = s + n;
	switch (*end) {
	case '\0': break;
	case 'k': case 'K': mult = 1ULL << 10; end++; break;
	case 'm': case 'M': mult = 1ULL << 20; end++; break;
	case 'g': case 'G': mult = 1ULL << 30; end++; break;
	case 't': case 'T': mult = 1ULL << 40; end++; break;
	case 'p': case 'P': mult = 1ULL << 50; end++; break;
	default: return -EINVAL;
	}
	if (mult > 1 && (!strcmp(end, "iB") || !strcmp(end, "B") || !strcmp(end, "ib")))
		end += strlen(end);
	if (*end)
		return -EINVAL;
	if (whole > UINT64_MAX / mult)
		return -ERANGE;
	*bytes = whole * mult;
	return 0;
}
