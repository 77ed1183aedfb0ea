/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The simulator's mutable state (security and sanitize state machines, HPA,
 * NVMe sanitize log, formats) lives in a JSON state file so that it carries
 * over from one process to the next. Each command locks the file (flock),
 * reads it, runs, and writes it back in place.
 */
#include "sim.h"

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

int sim_state_open(const struct sim_config *cfg, int *fd)
{
	*fd = open(cfg->state_path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (*fd < 0)
		return -errno;
	while (flock(*fd, LOCK_EX) < 0) {
		if (errno != EINTR) {
			int e = -errno;

			close(*fd);
			*fd = -1;
			return e;
		}
	}
	return 0;
}

void sim_state_close(int fd)
{
	flock(fd, LOCK_UN);
	close(fd);
}

static json_t *load_root(int fd)
{
	json_error_t jerr;
	off_t size = lseek(fd, 0, SEEK_END);
	char *buf;
	json_t *root = NULL;

	if (size > 0 && size < (1 << 24) && (buf = malloc((size_t)size)) != NULL) {
		if (pread(fd, buf, (size_t)size, 0) == size)
			root = json_loadb(buf, (size_t)size, 0, &jerr);
		free(buf);
	}
	if (!json_is_object(root)) {
		json_decref(root);
		root = json_object();
	}
	return root;
}

void sim_state_init(const struct sim_dev *d, struct sim_state *st)
{
	const struct sim_ata_cfg *a = &d->ata;

	memset(st, 0, sizeof(*st));
	st->ata.sec_enabled = a->sec_enabled || a->sec_locked;
	st->ata.sec_locked = a->sec_locked;
	st->ata.sec_frozen = a->sec_frozen;
	st->ata.sec_count_expired = a->sec_count_expired;
	st->ata.sec_level_max = a->sec_level_max;
	st->ata.unlock_tries = 5;
	memcpy(st->ata.user_pw, a->user_password, strnlen(a->user_password, 32));
	memcpy(st->ata.master_pw, a->master_password, strnlen(a->master_password, 32));
	st->ata.master_id = a->master_id;
	st->ata.san_state = a->san_frozen ? 1 : 0;
	st->ata.native_max = a->native_max;
	st->opal.locking_enabled = d->opal.locking_enabled || d->opal.locked;
	st->opal.locked = d->opal.locked;
	st->opal.mbr_enabled = d->opal.mbr_enabled;
	st->opal.mbr_done = d->opal.mbr_done;
	st->ata.current_max = a->current_max;
	st->ata.resumes = sim_resume_count();

	st->nvme.sprog = 0xFFFF;
	for (unsigned i = 0; i < d->nvme.nns; i++) {
		const struct sim_ns_cfg *ns = &d->nvme.ns[i];
		unsigned lbads = ns->lbaf[ns->flbas & 0xf].lbads;

		st->nvme.flbas[i] = ns->flbas;
		if (ns->nsze)
			st->nvme.nsze[i] = ns->nsze;
		else if (ns->media.present)
			st->nvme.nsze[i] = ns->media.bytes >> lbads;
		else
			st->nvme.nsze[i] = (64ull << 20) >> lbads;
	}
}

/* Field tables: one place names every persisted field. */
#define BOOLS(X) \
	X(opal.locking_enabled) X(opal.locked) X(opal.mbr_enabled) X(opal.mbr_done) \
	X(ata.sec_enabled) X(ata.sec_locked) X(ata.sec_frozen) X(ata.sec_count_expired) \
	X(ata.sec_level_max) X(ata.erase_prepared) X(ata.san_antifreeze) X(ata.san_last_ok) \
	X(ata.san_failure_mode) X(ata.native_read) X(ata.amac_frozen) \
	X(nvme.in_progress) X(nvme.failed) X(nvme.failed_ause) X(mmc.erase_reset) \
	X(scsi.san_ause) X(scsi.san_invert)
#define INTS(X) \
	X(opal.reverts) \
	X(ata.unlock_tries) X(ata.master_id) X(ata.san_state) X(ata.san_feature) X(ata.san_count) \
	X(ata.san_lba) X(ata.native_max) X(ata.current_max) X(ata.resumes) X(nvme.sprog) X(nvme.sstat) X(nvme.scdw10) X(nvme.start_pattern) \
	X(mmc.seq) X(mmc.seq_part) X(mmc.erase_start) X(mmc.erase_end) X(mmc.sanitizes) \
	X(scsi.san_state) X(scsi.san_sa) X(scsi.san_count) X(scsi.san_pattern)
#define REALS(X) X(ata.san_start) X(ata.san_duration) X(nvme.start) X(nvme.duration) \
	X(scsi.san_start) X(scsi.san_duration)

static void put_hex(json_t *o, const char *k, const uint8_t *b, size_t n)
{
	char hex[2 * 64 + 1];

	for (size_t i = 0; i < n; i++)
		snprintf(hex + 2 * i, 3, "%02x", b[i]);
	json_object_set_new(o, k, json_string(hex));
}

static void get_hex(json_t *o, const char *k, uint8_t *b, size_t n)
{
	const char *s = json_string_value(json_object_get(o, k));

	if (!s || strlen(s) != 2 * n)
		return;
	for (size_t i = 0; i < n; i++) {
		unsigned v;

		if (sscanf(s + 2 * i, "%2x", &v) == 1)
			b[i] = (uint8_t)v;
	}
}

static json_t *encode(const struct sim_dev *d, const struct sim_state *st)
{
	json_t *o = json_object(), *ns = json_array();

#define PUT_B(f) json_object_set_new(o, #f, json_boolean(st->f));
#define PUT_I(f) json_object_set_new(o, #f, json_integer((json_int_t)st->f));
#define PUT_R(f) json_object_set_new(o, #f, json_real(st->f));
	BOOLS(PUT_B) INTS(PUT_I) REALS(PUT_R)
	put_hex(o, "ata.user_pw", st->ata.user_pw, 32);
	put_hex(o, "ata.master_pw", st->ata.master_pw, 32);
	for (unsigned i = 0; i < d->nvme.nns; i++) {
		json_t *n = json_object();

		json_object_set_new(n, "flbas", json_integer(st->nvme.flbas[i]));
		json_object_set_new(n, "nsze", json_integer((json_int_t)st->nvme.nsze[i]));
		json_array_append_new(ns, n);
	}
	json_object_set_new(o, "nvme.ns", ns);
	json_object_set_new(o, "config", json_string(d->config_text));
	return o;
}

static void decode(json_t *o, struct sim_state *st)
{
	json_t *ns = json_object_get(o, "nvme.ns");

#define GET_B(f) st->f = json_is_true(json_object_get(o, #f));
#define GET_I(f) st->f = (__typeof__(st->f))json_integer_value(json_object_get(o, #f));
#define GET_R(f) st->f = json_number_value(json_object_get(o, #f));
	BOOLS(GET_B) INTS(GET_I) REALS(GET_R)
	get_hex(o, "ata.user_pw", st->ata.user_pw, 32);
	get_hex(o, "ata.master_pw", st->ata.master_pw, 32);
	for (size_t i = 0; i < json_array_size(ns) && i < SIM_MAX_NS; i++) {
		json_t *n = json_array_get(ns, i);

		st->nvme.flbas[i] = (uint8_t)json_integer_value(json_object_get(n, "flbas"));
		st->nvme.nsze[i] = (uint64_t)json_integer_value(json_object_get(n, "nsze"));
	}
}

int sim_state_get(int fd, const struct sim_dev *d, struct sim_state *st)
{
	json_t *root = load_root(fd);
	json_t *o = json_object_get(root, d->key);
	const char *cfgtext = json_string_value(json_object_get(o, "config"));

	/* A device seen for the first time, or whose configuration changed, starts afresh. */
	sim_state_init(d, st);
	if (cfgtext && !strcmp(cfgtext, d->config_text))
		decode(o, st);
	json_decref(root);
	return 0;
}

int sim_state_put(int fd, const struct sim_dev *d, const struct sim_state *st)
{
	json_t *root = load_root(fd);
	char *text;
	size_t len;
	int rc = 0;

	json_object_set_new(root, d->key, encode(d, st));
	text = json_dumps(root, JSON_INDENT(1) | JSON_SORT_KEYS);
	json_decref(root);
	if (!text)
		return -ENOMEM;
	len = strlen(text);
	if (ftruncate(fd, 0) < 0 || pwrite(fd, text, len, 0) != (ssize_t)len)
		rc = -EIO;
	free(text);
	return rc;
}
