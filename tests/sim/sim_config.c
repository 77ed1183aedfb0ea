/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The simulator's configuration: one JSON file per test (tests/sim/README.md). */
#include "sim.h"

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

struct parse {
	char *why;
	size_t whylen;
	int failed;
};

static void fail(struct parse *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void fail(struct parse *p, const char *fmt, ...)
{
	va_list ap;

	if (p->failed++)
		return;
	va_start(ap, fmt);
	vsnprintf(p->why, p->whylen, fmt, ap);
	va_end(ap);
}

/* A misspelt key would silently fall back to a default: refuse unknown keys ("comment" is free). */
static void check_keys(struct parse *p, json_t *o, const char *where, const char *const allowed[])
{
	const char *k;
	json_t *v;

	if (!json_is_object(o))
		return;
	json_object_foreach(o, k, v) {
		bool ok = !strcmp(k, "comment");

		for (int i = 0; !ok && allowed[i]; i++)
			ok = !strcmp(k, allowed[i]);
		if (!ok)
			fail(p, "%s: unknown key \"%s\"", where, k);
	}
}

static bool get_bool(struct parse *p, json_t *o, const char *k, bool def)
{
	json_t *v = o ? json_object_get(o, k) : NULL;

	if (!v)
		return def;
	if (!json_is_boolean(v)) {
		fail(p, "\"%s\" must be true or false", k);
		return def;
	}
	return json_is_true(v);
}

static double get_num(struct parse *p, json_t *o, const char *k, double def)
{
	json_t *v = o ? json_object_get(o, k) : NULL;

	if (!v)
		return def;
	if (!json_is_number(v) || json_number_value(v) < 0) {
		fail(p, "\"%s\" must be a number >= 0", k);
		return def;
	}
	return json_number_value(v);
}

static uint64_t get_u64(struct parse *p, json_t *o, const char *k, uint64_t def)
{
	json_t *v = o ? json_object_get(o, k) : NULL;

	if (!v)
		return def;
	if (!json_is_integer(v) || json_integer_value(v) < 0) {
		fail(p, "\"%s\" must be an integer >= 0", k);
		return def;
	}
	return (uint64_t)json_integer_value(v);
}

static void get_str(struct parse *p, json_t *o, const char *k, const char *def, char *buf, size_t len)
{
	json_t *v = o ? json_object_get(o, k) : NULL;
	const char *s = def;

	if (v && !json_is_string(v))
		fail(p, "\"%s\" must be a string", k);
	else if (v)
		s = json_string_value(v);
	if (strlen(s) >= len)
		fail(p, "\"%s\" is longer than %zu characters", k, len - 1);
	snprintf(buf, len, "%s", s);
}

static json_t *get_obj(struct parse *p, json_t *o, const char *k)
{
	json_t *v = json_object_get(o, k);

	if (v && !json_is_object(v)) {
		fail(p, "\"%s\" must be an object", k);
		return NULL;
	}
	return v;
}

static enum sim_fill get_fill(struct parse *p, json_t *o, const char *k, enum sim_fill def)
{
	char s[16];

	get_str(p, o, k, def == SIM_FILL_ZERO ? "zero" : def == SIM_FILL_ONES ? "ones" : "random", s, sizeof(s));
	if (!strcmp(s, "zero"))
		return SIM_FILL_ZERO;
	if (!strcmp(s, "ones"))
		return SIM_FILL_ONES;
	if (!strcmp(s, "random"))
		return SIM_FILL_RANDOM;
	fail(p, "\"%s\" must be \"zero\", \"ones\" or \"random\"", k);
	return def;
}

int sim_media_probe(const char *path, struct sim_media *m)
{
	struct stat sb;
	int fd;

	snprintf(m->path, sizeof(m->path), "%s", path);
	if (stat(path, &sb) < 0)
		return -errno;
	m->is_blk = S_ISBLK(sb.st_mode);
	if (!m->is_blk && !S_ISREG(sb.st_mode))
		return -EINVAL;
	m->rdev = sb.st_rdev;
	m->st_dev = sb.st_dev;
	m->ino = sb.st_ino;
	m->bytes = (uint64_t)sb.st_size;
	if (m->is_blk) {
		fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			return -errno;
		/* Not ioctl(): this runs inside the interposer's own initialisation. */
		off_t end = lseek(fd, 0, SEEK_END);

		close(fd);
		if (end < 0)
			return -EINVAL;
		m->bytes = (uint64_t)end;
	}
	m->present = true;
	return 0;
}

/* "sanitize_seconds": a number for every action, or an object per action. */
static void get_seconds3(struct parse *p, json_t *o, const char *k, const char *const names[3], double out[3])
{
	json_t *v = json_object_get(o, k);

	for (int i = 0; i < 3; i++)
		out[i] = -1;  /* not reported */
	if (!v)
		return;
	if (json_is_number(v)) {
		double s = get_num(p, o, k, 0);

		for (int i = 0; i < 3; i++)
			out[i] = s;
		return;
	}
	if (!json_is_object(v)) {
		fail(p, "\"%s\" must be a number or an object", k);
		return;
	}
	{
		const char *const keys[] = { names[0], names[1], names[2], NULL };

		check_keys(p, v, k, keys);
	}
	for (int i = 0; i < 3; i++)
		out[i] = get_num(p, v, names[i], -1);
}

static const char *const mb_names[] = {
	[SIM_MB_NONE] = "none", [SIM_MB_LIE] = "lie", [SIM_MB_FIRST_LBA_ONLY] = "first_lba_only",
	[SIM_MB_STALL] = "stall", [SIM_MB_FROZEN] = "frozen", [SIM_MB_FAIL_MIDWAY] = "fail_midway",
	[SIM_MB_ABORT] = "abort",
};

static void parse_common(struct parse *p, json_t *o, struct sim_dev *d)
{
	char mb[32];
	size_t i;

	get_str(p, o, "misbehave", "none", mb, sizeof(mb));
	for (i = 0; i < sizeof(mb_names) / sizeof(mb_names[0]); i++)
		if (!strcmp(mb, mb_names[i]))
			break;
	if (i == sizeof(mb_names) / sizeof(mb_names[0]))
		fail(p, "unknown misbehave \"%s\"", mb);
	else
		d->misbehave = (enum sim_misbehave)i;
	d->stall_at = get_num(p, o, "stall_at", 0.5);
	if (d->stall_at > 1)
		fail(p, "\"stall_at\" is a fraction from 0 to 1");
	d->stall_max_seconds = get_num(p, o, "stall_max_seconds", 5);
}

/* "opal": a self-encrypting drive (sim_opal.c). */
static void parse_opal(struct parse *p, json_t *o, struct sim_dev *d)
{
	static const char *const keys[] = { "ssc", "kernel", "locking_enabled", "locked", "mbr_enabled",
		"mbr_done", "psid", "sid_password", "revert", NULL };
	static const struct { const char *name; uint16_t code; } sscs[] = {
		{ "opal2", 0x0203 }, { "opal1", 0x0200 }, { "enterprise", 0x0100 }, { "opalite", 0x0301 },
		{ "pyrite1", 0x0302 }, { "pyrite2", 0x0303 }, { "ruby", 0x0304 },
	};
	struct sim_opal_cfg *c = &d->opal;
	json_t *v = get_obj(p, o, "opal");
	char s[32];
	size_t i;

	if (!v)
		return;
	check_keys(p, v, "opal", keys);
	c->present = true;
	get_str(p, v, "ssc", "opal2", s, sizeof(s));
	for (i = 0; i < sizeof(sscs) / sizeof(sscs[0]) && strcmp(s, sscs[i].name); i++)
		;
	if (i == sizeof(sscs) / sizeof(sscs[0]))
		fail(p, "opal \"ssc\" must be opal2, opal1, enterprise, opalite, pyrite1, pyrite2 or ruby");
	else
		c->ssc = sscs[i].code;
	c->kernel = get_bool(p, v, "kernel", true);
	c->locking_enabled = get_bool(p, v, "locking_enabled", false);
	c->locked = get_bool(p, v, "locked", false);
	c->mbr_enabled = get_bool(p, v, "mbr_enabled", false);
	c->mbr_done = get_bool(p, v, "mbr_done", false);
	get_str(p, v, "psid", "KESUSIMPSID0123456789ABCDEFGHIJK", c->psid, sizeof(c->psid));
	get_str(p, v, "sid_password", "", c->sid_password, sizeof(c->sid_password));
	get_str(p, v, "revert", "ok", s, sizeof(s));
	if (!strcmp(s, "lie"))
		c->revert = SIM_OPAL_REVERT_LIE;
	else if (!strcmp(s, "keep_locking"))
		c->revert = SIM_OPAL_REVERT_KEEP_LOCKING;
	else if (strcmp(s, "ok"))
		fail(p, "opal \"revert\" must be \"ok\", \"lie\" or \"keep_locking\"");
}

static void parse_ata(struct parse *p, json_t *o, struct sim_dev *d)
{
	static const char *const san_names[3] = { "crypto", "block", "overwrite" };
	struct sim_ata_cfg *a = &d->ata;
	json_t *sec = get_obj(p, o, "security"), *san = get_obj(p, o, "sanitize"), *hpa = get_obj(p, o, "hpa");
	static const char *const dev_keys[] = { "path", "type", "misbehave", "stall_at", "stall_max_seconds",
		"sanitize_seconds", "serial", "model", "firmware", "capacity_sectors", "rotational", "rpm", "sense",
		"bridge", "vpd_serial", "security", "sanitize", "hpa", "dco", "amac", "opal", NULL };
	static const char *const sec_keys[] = { "supported", "enabled", "locked", "frozen", "enhanced",
		"count_expired", "erase_time_normal_min", "erase_time_enhanced_min", "level", "user_password",
		"master_password", "master_id", "normal_fill", "enhanced_fill", "erase_seconds", "resume_unfreezes", NULL };
	static const char *const san_keys[] = { "crypto", "block", "overwrite", "antifreeze", "frozen",
		"block_fill", NULL };
	static const char *const hpa_keys[] = { "native_max_lba", "current_max_lba", "erase_hidden", NULL };
	char s[16];
	uint64_t factory_max;

	check_keys(p, o, d->key, dev_keys);
	check_keys(p, sec, "security", sec_keys);
	check_keys(p, san, "sanitize", san_keys);
	check_keys(p, hpa, "hpa", hpa_keys);

	get_str(p, o, "serial", "KESUSIM-ATA-0001", a->serial, sizeof(a->serial));
	get_str(p, o, "model", "KESU SIMULATED ATA SSD", a->model, sizeof(a->model));
	get_str(p, o, "firmware", "SIM1.0", a->firmware, sizeof(a->firmware));
	get_str(p, o, "vpd_serial", a->serial, a->vpd_serial, sizeof(a->vpd_serial));
	a->sectors = get_u64(p, o, "capacity_sectors", d->media.bytes / 512);
	if (a->sectors == 0)
		fail(p, "capacity is 0 sectors");
	a->rotation = get_bool(p, o, "rotational", false) ? (uint16_t)get_u64(p, o, "rpm", 7200) : 1;
	get_str(p, o, "sense", "descriptor", s, sizeof(s));
	if (strcmp(s, "descriptor") && strcmp(s, "fixed"))
		fail(p, "\"sense\" must be \"descriptor\" or \"fixed\"");
	a->sense_fixed = !strcmp(s, "fixed");
	get_str(p, o, "bridge", "sat", s, sizeof(s));
	if (!strcmp(s, "refuse_ata"))
		a->bridge = SIM_BRIDGE_REFUSE_ATA;
	else if (!strcmp(s, "no_registers"))
		a->bridge = SIM_BRIDGE_NO_REGISTERS;
	else if (strcmp(s, "sat"))
		fail(p, "\"bridge\" must be \"sat\", \"refuse_ata\" or \"no_registers\"");

	a->sec_supported = get_bool(p, sec, "supported", true);
	a->sec_enabled = get_bool(p, sec, "enabled", false);
	a->sec_locked = get_bool(p, sec, "locked", false);
	a->sec_frozen = get_bool(p, sec, "frozen", false);
	a->resume_unfreezes = get_bool(p, sec, "resume_unfreezes", true);
	a->sec_enhanced = get_bool(p, sec, "enhanced", true);
	a->sec_count_expired = get_bool(p, sec, "count_expired", false);
	a->erase_min_normal = (unsigned)get_u64(p, sec, "erase_time_normal_min", 2);
	a->erase_min_enhanced = (unsigned)get_u64(p, sec, "erase_time_enhanced_min", 2);
	get_str(p, sec, "level", "high", s, sizeof(s));
	if (strcmp(s, "high") && strcmp(s, "max"))
		fail(p, "security \"level\" must be \"high\" or \"max\"");
	a->sec_level_max = !strcmp(s, "max");
	get_str(p, sec, "user_password", "", a->user_password, sizeof(a->user_password));
	get_str(p, sec, "master_password", "", a->master_password, sizeof(a->master_password));
	a->master_id = (uint16_t)get_u64(p, sec, "master_id", 0xFFFE);
	a->fill_normal = get_fill(p, sec, "normal_fill", SIM_FILL_ZERO);
	a->fill_enhanced = get_fill(p, sec, "enhanced_fill", SIM_FILL_RANDOM);
	a->erase_seconds = get_num(p, sec, "erase_seconds", 0);
	if ((a->sec_enabled || a->sec_locked) && !a->user_password[0])
		fail(p, "security \"enabled\"/\"locked\" needs a \"user_password\"");

	a->san_crypto = get_bool(p, san, "crypto", true);
	a->san_block = get_bool(p, san, "block", true);
	a->san_overwrite = get_bool(p, san, "overwrite", true);
	a->san_antifreeze = get_bool(p, san, "antifreeze", false);
	a->san_frozen = get_bool(p, san, "frozen", false);
	a->san_block_fill = get_fill(p, san, "block_fill", SIM_FILL_ZERO);
	get_seconds3(p, o, "sanitize_seconds", san_names, a->san_seconds);

	factory_max = a->sectors - 1;
	a->hpa = hpa != NULL;
	a->native_max = get_u64(p, hpa, "native_max_lba", factory_max);
	a->current_max = get_u64(p, hpa, "current_max_lba", a->native_max);
	a->hpa_erase_hidden = get_bool(p, hpa, "erase_hidden", false);
	if (a->native_max > factory_max || a->current_max > a->native_max)
		fail(p, "hpa: need current_max_lba <= native_max_lba <= capacity - 1");
	a->dco = get_bool(p, o, "dco", false);
	a->amac = get_bool(p, o, "amac", false);
	parse_opal(p, o, d);
	if (a->native_max < factory_max && !a->dco)
		fail(p, "a native max below the capacity is a DCO restriction: set \"dco\": true");
}

static uint32_t get_bits(struct parse *p, json_t *o, const char *k, const char *const names[], int n, uint32_t def)
{
	json_t *v = json_object_get(o, k);
	uint32_t bits = 0;

	if (!v)
		return def;
	if (json_is_integer(v))
		return (uint32_t)get_u64(p, o, k, def);
	if (!json_is_object(v)) {
		fail(p, "\"%s\" must be a number or an object of booleans", k);
		return def;
	}
	{
		const char *keys[8] = { NULL };

		for (int i = 0; i < n && i < 7; i++)
			keys[i] = names[i];
		check_keys(p, v, k, keys);
	}
	for (int i = 0; i < n; i++)
		if (get_bool(p, v, names[i], false))
			bits |= 1u << i;
	return bits;
}

static void parse_ns(struct parse *p, json_t *o, struct sim_dev *d, unsigned idx)
{
	struct sim_ns_cfg *ns = &d->nvme.ns[idx];
	json_t *lbaf = json_object_get(o, "lbaf");
	static const char *const ns_keys[] = { "nsid", "path", "nsze", "lbaf", "flbas", "dlfeat", NULL };
	static const char *const lbaf_keys[] = { "ms", "lbads", "rp", NULL };
	char path[PATH_MAX];
	int rc;

	if (o && !json_is_object(o))
		fail(p, "every namespace must be an object");
	check_keys(p, o, "namespace", ns_keys);
	for (size_t i = 0; json_is_array(lbaf) && i < json_array_size(lbaf); i++)
		check_keys(p, json_array_get(lbaf, i), "lbaf", lbaf_keys);
	ns->nsid = (uint32_t)get_u64(p, o, "nsid", idx + 1);
	get_str(p, o, "path", "", path, sizeof(path));
	if (path[0]) {
		rc = sim_media_probe(path, &ns->media);
		if (rc < 0)
			fail(p, "namespace %u: %s: %s", ns->nsid, path, strerror(-rc));
	} else if (idx == 0) {
		ns->media = d->media;
	}
	if (lbaf && (!json_is_array(lbaf) || json_array_size(lbaf) == 0 || json_array_size(lbaf) > SIM_MAX_LBAF)) {
		fail(p, "\"lbaf\" must be a list of 1 to %d formats", SIM_MAX_LBAF);
		lbaf = NULL;
	}
	if (!lbaf) {
		ns->nlbaf = 2;
		ns->lbaf[0] = (struct sim_lbaf){ 0, 9, 0 };
		ns->lbaf[1] = (struct sim_lbaf){ 0, 12, 0 };
	} else {
		ns->nlbaf = (unsigned)json_array_size(lbaf);
		for (unsigned i = 0; i < ns->nlbaf; i++) {
			json_t *f = json_array_get(lbaf, i);

			ns->lbaf[i].ms = (uint16_t)get_u64(p, f, "ms", 0);
			ns->lbaf[i].lbads = (uint8_t)get_u64(p, f, "lbads", 9);
			ns->lbaf[i].rp = (uint8_t)get_u64(p, f, "rp", 0);
			if (ns->lbaf[i].lbads < 9 || ns->lbaf[i].lbads > 16)
				fail(p, "lbads %u: need 9..16", ns->lbaf[i].lbads);
		}
	}
	ns->flbas = (uint8_t)get_u64(p, o, "flbas", 0);
	if ((ns->flbas & 0xf) >= ns->nlbaf)
		fail(p, "flbas %u names no LBA format", ns->flbas);
	ns->nsze = get_u64(p, o, "nsze", 0);
	ns->dlfeat = (uint8_t)get_u64(p, o, "dlfeat", 0x09);
}

static void parse_nvme(struct parse *p, json_t *o, struct sim_dev *d)
{
	static const char *const san_names[3] = { "block", "overwrite", "crypto" };
	static const char *const sanicap_names[] = { "crypto", "block", "overwrite" };
	static const char *const fna_names[] = { "format_all", "secure_erase_all", "crypto_erase" };
	static const char *const dev_keys[] = { "path", "type", "misbehave", "stall_at", "stall_max_seconds",
		"sanitize_seconds", "serial", "model", "firmware", "vid", "oacs", "oacs_format", "sanicap", "fna",
		"nn", "mdts", "format_seconds", "namespaces", "opal", NULL };
	struct sim_nvme_cfg *n = &d->nvme;
	json_t *nss = json_object_get(o, "namespaces");

	check_keys(p, o, d->key, dev_keys);
	parse_opal(p, o, d);

	get_str(p, o, "serial", "KESUSIM-NVME-0001", n->serial, sizeof(n->serial));
	get_str(p, o, "model", "KESU SIMULATED NVME SSD", n->model, sizeof(n->model));
	get_str(p, o, "firmware", "SIM1.0", n->firmware, sizeof(n->firmware));
	n->vid = (uint16_t)get_u64(p, o, "vid", 0x1b36);
	n->oacs = (uint16_t)get_u64(p, o, "oacs", get_bool(p, o, "oacs_format", true) ? 0x0002 : 0);
	n->sanicap = get_bits(p, o, "sanicap", sanicap_names, 3, 0x7);
	n->fna = (uint8_t)get_bits(p, o, "fna", fna_names, 3, 0x4);
	n->mdts = (uint8_t)get_u64(p, o, "mdts", 5);
	n->format_seconds = get_num(p, o, "format_seconds", 0);
	get_seconds3(p, o, "sanitize_seconds", san_names, n->san_seconds);
	if (nss && (!json_is_array(nss) || json_array_size(nss) == 0 || json_array_size(nss) > SIM_MAX_NS)) {
		fail(p, "\"namespaces\" must be a list of 1 to %d namespaces", SIM_MAX_NS);
		nss = NULL;
	}
	n->nns = nss ? (unsigned)json_array_size(nss) : 1;
	for (unsigned i = 0; i < n->nns; i++)
		parse_ns(p, nss ? json_array_get(nss, i) : NULL, d, i);
	n->nn = (uint32_t)get_u64(p, o, "nn", n->nns);
	for (unsigned i = 0; i < n->nns; i++)
		if (n->ns[i].nsid == 0 || n->ns[i].nsid > n->nn)
			fail(p, "nsid %u outside 1..nn (%u)", n->ns[i].nsid, n->nn);
}

static void parse_mmc(struct parse *p, json_t *o, struct sim_dev *d)
{
	static const char *const dev_keys[] = { "path", "type", "misbehave", "stall_at", "stall_max_seconds",
		"card", "sectors", "ext_csd_rev", "sec_feature", "boot", "boot_size_mult", "rpmb_size_mult",
		"erase_group_def", "hc_erase_grp_size", "erase_timeout_mult", "sec_erase_mult", "erased_fill",
		"sanitize_seconds", NULL };
	static const char *const sec_names[] = { "secure_erase", "", "", "", "secure_trim", "", "sanitize" };
	struct sim_mmc_cfg *m = &d->mmc;
	json_t *boot = json_object_get(o, "boot");
	char s[16];

	check_keys(p, o, d->key, dev_keys);
	get_str(p, o, "card", "emmc", s, sizeof(s));
	if (strcmp(s, "emmc") && strcmp(s, "sd"))
		fail(p, "\"card\" must be \"emmc\" or \"sd\"");
	m->sd = !strcmp(s, "sd");
	m->sectors = get_u64(p, o, "sectors", d->media.bytes / 512);
	m->rev = (uint8_t)get_u64(p, o, "ext_csd_rev", 8);
	m->sec_feature = (uint8_t)get_bits(p, o, "sec_feature", sec_names, 7, 0x55);
	if (boot && (!json_is_array(boot) || json_array_size(boot) > 2)) {
		fail(p, "\"boot\" must be a list of at most 2 image paths");
		boot = NULL;
	}
	for (size_t i = 0; boot && i < json_array_size(boot); i++) {
		const char *bp = json_string_value(json_array_get(boot, i));
		int rc = bp ? sim_media_probe(bp, &m->boot[i]) : -EINVAL;

		if (rc < 0)
			fail(p, "boot %zu: %s", i, bp ? strerror(-rc) : "not a path");
	}
	m->boot_size_mult = (uint8_t)get_u64(p, o, "boot_size_mult",
					     m->boot[0].present ? m->boot[0].bytes / (128 * 1024) : 0);
	m->rpmb_size_mult = (uint8_t)get_u64(p, o, "rpmb_size_mult", 1);
	m->erase_group_def = get_bool(p, o, "erase_group_def", true);
	m->hc_erase_grp_size = (uint8_t)get_u64(p, o, "hc_erase_grp_size", 1);
	m->erase_timeout_mult = (uint8_t)get_u64(p, o, "erase_timeout_mult", 1);
	m->sec_erase_mult = (uint8_t)get_u64(p, o, "sec_erase_mult", 1);
	m->erased_ones = get_fill(p, o, "erased_fill", SIM_FILL_ZERO) == SIM_FILL_ONES;
	m->sanitize_seconds = get_num(p, o, "sanitize_seconds", 0);
	if (!m->hc_erase_grp_size)
		fail(p, "\"hc_erase_grp_size\" must be at least 1");
}

static void parse_scsi(struct parse *p, json_t *o, struct sim_dev *d)
{
	static const char *const san_names[3] = { "overwrite", "block", "crypto" };
	static const char *const dev_keys[] = { "path", "type", "misbehave", "stall_at", "stall_max_seconds",
		"sanitize_seconds", "vendor", "product", "revision", "serial", "naa", "rotational", "rpm",
		"form_factor", "block_size", "lbppbe", "protection_type", "sanitize", "format_unit",
		"report_opcodes", "sense", NULL };
	static const char *const san_keys[] = { "overwrite", "block", "crypto", "exit_failure_mode",
		"block_fill", NULL };
	struct sim_scsi_cfg *c = &d->scsi;
	json_t *san = get_obj(p, o, "sanitize");
	char s[16];

	check_keys(p, o, d->key, dev_keys);
	check_keys(p, san, "sanitize", san_keys);
	get_str(p, o, "vendor", "KESUSIM", c->vendor, sizeof(c->vendor));
	get_str(p, o, "product", "SIMULATED SAS", c->product, sizeof(c->product));
	get_str(p, o, "revision", "S1.0", c->revision, sizeof(c->revision));
	get_str(p, o, "serial", "KESUSIM-SAS-0001", c->serial, sizeof(c->serial));
	get_str(p, o, "naa", "5000c50000000001", c->naa, sizeof(c->naa));
	if (strlen(c->naa) != 16 || strspn(c->naa, "0123456789abcdefABCDEF") != 16)
		fail(p, "\"naa\" must be 16 hex digits");
	if (!strcmp(c->vendor, "ATA"))
		fail(p, "vendor \"ATA\" is a SATA disk behind SAT: use type \"ata\"");
	c->rotation = get_bool(p, o, "rotational", false) ? (uint16_t)get_u64(p, o, "rpm", 10000) : 1;
	c->form_factor = (uint8_t)get_u64(p, o, "form_factor", 3);
	c->block_len = (uint32_t)get_u64(p, o, "block_size", 512);
	c->lbppbe = (uint8_t)get_u64(p, o, "lbppbe", 0);
	c->prot_type = (uint8_t)get_u64(p, o, "protection_type", 0);
	if (c->form_factor > 5 || c->lbppbe > 15 || c->prot_type > 3)
		fail(p, "need form_factor 0..5, lbppbe 0..15, protection_type 0..3");
	if (c->block_len < 512 || (c->block_len & (c->block_len - 1)) || d->media.bytes < c->block_len ||
	    d->media.bytes % c->block_len)
		fail(p, "\"block_size\" must be a power of two from 512 that divides the media");
	c->san_overwrite = get_bool(p, san, "overwrite", true);
	c->san_block = get_bool(p, san, "block", true);
	c->san_crypto = get_bool(p, san, "crypto", true);
	c->san_exit = get_bool(p, san, "exit_failure_mode", true);
	c->block_fill = get_fill(p, san, "block_fill", SIM_FILL_ZERO);
	c->format_unit = get_bool(p, o, "format_unit", true);
	c->rsoc = get_bool(p, o, "report_opcodes", true);
	get_str(p, o, "sense", "descriptor", s, sizeof(s));
	if (strcmp(s, "descriptor") && strcmp(s, "fixed"))
		fail(p, "\"sense\" must be \"descriptor\" or \"fixed\"");
	c->sense_fixed = !strcmp(s, "fixed");
	get_seconds3(p, o, "sanitize_seconds", san_names, c->san_seconds);
	if (d->misbehave == SIM_MB_FROZEN)
		fail(p, "misbehave \"frozen\": SCSI has no freeze lock (use \"abort\")");
}

static void parse_dev(struct parse *p, json_t *o, struct sim_dev *d)
{
	char type[16];
	int rc;

	if (!json_is_object(o)) {
		fail(p, "every device must be an object");
		return;
	}
	get_str(p, o, "path", "", d->key, sizeof(d->key));
	if (!d->key[0]) {
		fail(p, "a device has no \"path\"");
		return;
	}
	rc = sim_media_probe(d->key, &d->media);
	if (rc < 0) {
		fail(p, "%s: %s", d->key, strerror(-rc));
		return;
	}
	get_str(p, o, "type", "", type, sizeof(type));
	parse_common(p, o, d);
	if (!strcmp(type, "ata")) {
		d->type = SIM_ATA;
		parse_ata(p, o, d);
	} else if (!strcmp(type, "nvme")) {
		d->type = SIM_NVME;
		parse_nvme(p, o, d);
	} else if (!strcmp(type, "mmc")) {
		d->type = SIM_MMC;
		parse_mmc(p, o, d);
	} else if (!strcmp(type, "scsi")) {
		d->type = SIM_SCSI;
		parse_scsi(p, o, d);
	} else {
		fail(p, "%s: \"type\" must be \"ata\", \"nvme\", \"mmc\" or \"scsi\"", d->key);
	}
	d->config_text = json_dumps(o, JSON_COMPACT | JSON_SORT_KEYS);
	if (!d->config_text)
		fail(p, "out of memory");
}

int sim_config_load(const char *path, struct sim_config *cfg, char *why, size_t whylen)
{
	struct parse p = { why, whylen, 0 };
	json_error_t jerr;
	json_t *root, *devs;
	const char *env;

	root = json_load_file(path, 0, &jerr);
	if (!root) {
		snprintf(why, whylen, "line %d: %s", jerr.line, jerr.text);
		return -EINVAL;
	}
	{
		static const char *const top_keys[] = { "devices", NULL };

		check_keys(&p, root, "config", top_keys);
	}
	devs = json_object_get(root, "devices");
	if (!json_is_array(devs) || json_array_size(devs) > SIM_MAX_DEVS) {
		fail(&p, "\"devices\" must be a list of at most %d devices", SIM_MAX_DEVS);
	} else {
		cfg->ndev = (unsigned)json_array_size(devs);
		for (unsigned i = 0; i < cfg->ndev; i++)
			parse_dev(&p, json_array_get(devs, i), &cfg->dev[i]);
	}
	json_decref(root);
	env = getenv("KESU_SIM_STATE");
	if (env && *env)
		snprintf(cfg->state_path, sizeof(cfg->state_path), "%s", env);
	else if ((size_t)snprintf(cfg->state_path, sizeof(cfg->state_path), "%s.state", path) >= sizeof(cfg->state_path))
		fail(&p, "path too long");
	if ((size_t)snprintf(cfg->resume_path, sizeof(cfg->resume_path), "%s.resume", path) >=
	    sizeof(cfg->resume_path))
		fail(&p, "path too long");
	env = getenv("KESU_SIM_LOG");
	if (env && *env)
		snprintf(cfg->log_path, sizeof(cfg->log_path), "%s", env);
	return p.failed ? -EINVAL : 0;
}

void sim_config_free(struct sim_config *cfg)
{
	for (unsigned i = 0; i < SIM_MAX_DEVS; i++) {
		free(cfg->dev[i].config_text);
		cfg->dev[i].config_text = NULL;
	}
}
