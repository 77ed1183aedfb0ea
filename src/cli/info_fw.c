/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * `kesu info` sections the drive itself reports (ATA IDENTIFY through SG_IO,
 * NVMe Identify through libnvme) and the erase methods with their NIST class.
 * The probing is src/dev/drive.c; this file only prints.
 */
#include "info_fw.h"
#include "info_opal.h"
#include "info_scsi.h"

#include <kesu/drive.h>
#include <kesu/methods.h>

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

static const char *yes_no(bool b)
{
	return b ? "yes" : "no";
}

/* ---- text ---- */

static void print_rotation(FILE *out, const struct kesu_drive *d)
{
	uint16_t r = d->ata.rotation_rate;

	if (r == 1)
		fprintf(out, "  rotation:        non-rotating (SSD)\n");
	else if (r >= 0x0401 && r != 0xffff)
		fprintf(out, "  rotation:        %u rpm\n", r);
	else
		fprintf(out, "  rotation:        not reported\n");
}

static void print_ata(FILE *out, const struct kesu_drive *d)
{
	const struct kesu_ata_identify *a = &d->ata;
	const struct kesu_ata_security *s = &a->security;
	const struct kesu_ata_sanitize_caps *z = &a->sanitize;

	fprintf(out, "ATA (IDENTIFY DEVICE from the drive itself):\n");
	fprintf(out, "  model:           %s\n", a->model);
	fprintf(out, "  serial:          %s\n", a->serial);
	fprintf(out, "  firmware:        %s\n", a->firmware);
	fprintf(out, "  capacity:        %" PRIu64 " sectors of %u bytes (%" PRIu64 " bytes)\n",
		a->capacity_sectors, a->logical_sector_size,
		a->capacity_sectors * a->logical_sector_size);
	print_rotation(out, d);
	if (!s->supported) {
		fprintf(out, "  security:        not supported\n");
	} else {
		fprintf(out, "  security:        supported; enabled %s, locked %s, frozen %s, enhanced erase %s, count expired %s\n",
			yes_no(s->enabled), yes_no(s->locked), yes_no(s->frozen),
			yes_no(s->enhanced_erase), yes_no(s->count_expired));
		fprintf(out, "  erase time:      normal %u min, enhanced %u min (0: not reported)\n",
			s->erase_time_normal_min, s->erase_time_enhanced_min);
		if (s->frozen)
			fprintf(out, "                   frozen: suspend and resume the machine (kesu unfreeze), or hot-plug the drive, to unfreeze\n");
	}
	if (!z->supported)
		fprintf(out, "  sanitize:        not supported\n");
	else
		fprintf(out, "  sanitize:        supported; crypto %s, block %s, overwrite %s, antifreeze %s\n",
			yes_no(z->crypto), yes_no(z->block), yes_no(z->overwrite),
			yes_no(z->antifreeze));
	fprintf(out, "  hpa:             %s", a->hpa_supported ? "supported" : "not supported");
	if (d->hpa.valid)
		fprintf(out, "; current max LBA %" PRIu64 ", native max LBA %" PRIu64 ", %" PRIu64 " sectors hidden",
			d->hpa.current_max_lba, d->hpa.native_max_lba, d->hpa.hidden_sectors);
	fprintf(out, "\n");
	fprintf(out, "  dco:             %s", a->dco_supported ? "supported" : "not supported");
	if (d->dco_valid)
		fprintf(out, "; max LBA %" PRIu64, d->dco.max_lba);
	fprintf(out, "\n");
	fprintf(out, "  amac:            %s\n", a->amac_supported ? "supported" : "not supported");
	if (a->checksum == KESU_ATA_CHECKSUM_BAD)
		fprintf(out, "  warning:         the IDENTIFY checksum is wrong: the data may be corrupt\n");
}

static void print_nvme_ns(FILE *out, const struct kesu_nvme_ns *ns)
{
	fprintf(out, "  namespace:       %u; size %" PRIu64 ", capacity %" PRIu64 ", used %" PRIu64 " blocks\n",
		ns->nsid, ns->nsze, ns->ncap, ns->nuse);
	fprintf(out, "  dealloc reads:   %s\n",
		ns->dealloc_read == 1 ? "zeros" : ns->dealloc_read == 2 ? "ones" : "not reported");
	fprintf(out, "  LBA formats:     (* in use)\n");
	for (unsigned i = 0; i < ns->lbaf_count; i++) {
		const struct kesu_nvme_lbaf *l = &ns->lbaf[i];

		fprintf(out, "    %c %2u: data %" PRIu64 " bytes, metadata %u, performance %u\n",
			i == ns->lbaf_in_use ? '*' : ' ', i, l->data_bytes, l->ms, l->rp);
	}
}

static void print_nvme(FILE *out, const struct kesu_drive *d)
{
	const struct kesu_nvme_ctrl *c = &d->nvme;

	fprintf(out, "NVMe (Identify from the controller):\n");
	fprintf(out, "  model:           %s\n", c->model);
	fprintf(out, "  serial:          %s\n", c->serial);
	fprintf(out, "  firmware:        %s\n", c->firmware);
	fprintf(out, "  version:         %u.%u.%u\n", c->version >> 16, (c->version >> 8) & 0xff,
		c->version & 0xff);
	fprintf(out, "  namespaces:      %u\n", c->nn);
	fprintf(out, "  format nvm:      %s\n", c->oacs_format ? "supported" : "not supported");
	fprintf(out, "  fna:             format all namespaces %s, secure erase all namespaces %s, crypto erase %s\n",
		yes_no(c->fna.format_all_ns), yes_no(c->fna.erase_all_ns), yes_no(c->fna.crypto_erase));
	fprintf(out, "  sanicap:         crypto %s, block %s, overwrite %s, no-deallocate inhibited %s\n",
		yes_no(c->sanicap.crypto), yes_no(c->sanicap.block), yes_no(c->sanicap.overwrite),
		yes_no(c->sanicap.ndi));
	if (d->nvme_ns_valid)
		print_nvme_ns(out, &d->nvme_ns);
}

/* Methods of the protocol the drive does not speak are left out of the text (--json has them). */
static bool method_applies(const struct kesu_method_eval *m)
{
	return m->nist_class != KESU_CLASS_NONE;
}

static void print_methods(FILE *out, const struct kesu_drive *d)
{
	struct kesu_method_eval m[KESU_METHOD_COUNT];
	char why[256];

	kesu_methods_evaluate(d, m);
	(void)kesu_method_auto(d, why, sizeof(why));
	fprintf(out, "Erase methods (media: %s; class per NIST SP 800-88 / IEEE 2883):\n",
		kesu_media_name(d->media));
	for (unsigned i = 0; i < KESU_METHOD_COUNT; i++) {
		const char *state = !m[i].supported ? "unsupported" : m[i].ready ? "supported" : "blocked";

		if (!method_applies(&m[i]))
			continue;
		fprintf(out, "  %-26s %-6s %-12s %s\n", m[i].name,
			kesu_nist_class_name(m[i].nist_class), state, m[i].reason);
	}
	if (d->proto == KESU_DRIVE_NONE)
		fprintf(out, "  (no ATA or NVMe firmware methods: the device answers neither command set)\n");
	fprintf(out, "  auto: %s\n", why);
}

int info_fw_print(FILE *out, const struct kesu_dev_identity *id)
{
	struct kesu_drive *d = calloc(1, sizeof(*d));

	if (!d)
		return -ENOMEM;
	(void)kesu_drive_inspect(id, d);
	if (d->proto == KESU_DRIVE_ATA)
		print_ata(out, d);
	else if (d->proto == KESU_DRIVE_NVME)
		print_nvme(out, d);
	else if (d->proto == KESU_DRIVE_MMC)
		info_mmc_print(out, d);
	else if (d->proto == KESU_DRIVE_SCSI)
		info_scsi_print(out, &d->scsi);
	else if (d->probe_err)
		fprintf(out, "Drive: %s\n", d->probe_note);
	info_opal_print(out, &d->opal);
	print_methods(out, d);
	free(d);
	return 0;
}

/* ---- JSON ---- */

/* json_object_set_new that remembers a failure instead of losing it. */
static void put(json_t *obj, const char *key, json_t *val, int *rc)
{
	if (!val || json_object_set_new(obj, key, val) != 0)
		*rc = -ENOMEM;
}

static json_t *ata_security_json(const struct kesu_ata_security *s, int *rc)
{
	json_t *o = json_object();

	if (!o) {
		*rc = -ENOMEM;
		return NULL;
	}
	put(o, "supported", json_boolean(s->supported), rc);
	put(o, "enabled", json_boolean(s->enabled), rc);
	put(o, "locked", json_boolean(s->locked), rc);
	put(o, "frozen", json_boolean(s->frozen), rc);
	put(o, "count_expired", json_boolean(s->count_expired), rc);
	put(o, "enhanced_erase", json_boolean(s->enhanced_erase), rc);
	put(o, "level_max", json_boolean(s->level_max), rc);
	put(o, "erase_time_normal_min", json_integer(s->erase_time_normal_min), rc);
	put(o, "erase_time_enhanced_min", json_integer(s->erase_time_enhanced_min), rc);
	return o;
}

static json_t *ata_json(const struct kesu_drive *d, int *rc)
{
	const struct kesu_ata_identify *a = &d->ata;
	const char *checksum = a->checksum == KESU_ATA_CHECKSUM_OK ? "ok" :
			       a->checksum == KESU_ATA_CHECKSUM_BAD ? "bad" : "absent";
	json_t *o = json_object(), *z, *h, *dco, *amac;

	if (!o) {
		*rc = -ENOMEM;
		return NULL;
	}
	put(o, "serial", json_string(a->serial), rc);
	put(o, "model", json_string(a->model), rc);
	put(o, "firmware", json_string(a->firmware), rc);
	put(o, "capacity_sectors", json_integer((json_int_t)a->capacity_sectors), rc);
	put(o, "logical_sector_size", json_integer(a->logical_sector_size), rc);
	put(o, "physical_sector_size", json_integer(a->physical_sector_size), rc);
	put(o, "capacity_bytes",
	    json_integer((json_int_t)(a->capacity_sectors * a->logical_sector_size)), rc);
	put(o, "lba48", json_boolean(a->lba48), rc);
	put(o, "rotation_rate", json_integer(a->rotation_rate), rc);
	put(o, "identify_checksum", json_string(checksum), rc);
	put(o, "security", ata_security_json(&a->security, rc), rc);

	z = json_object();
	if (z) {
		put(z, "supported", json_boolean(a->sanitize.supported), rc);
		put(z, "crypto", json_boolean(a->sanitize.crypto), rc);
		put(z, "block", json_boolean(a->sanitize.block), rc);
		put(z, "overwrite", json_boolean(a->sanitize.overwrite), rc);
		put(z, "antifreeze", json_boolean(a->sanitize.antifreeze), rc);
	}
	put(o, "sanitize", z, rc);

	h = json_object();
	if (h) {
		put(h, "supported", json_boolean(a->hpa_supported), rc);
		put(h, "enabled", json_boolean(a->hpa_enabled), rc);
		put(h, "current_max_lba", d->hpa.valid ?
		    json_integer((json_int_t)d->hpa.current_max_lba) : json_null(), rc);
		put(h, "native_max_lba", d->hpa.valid ?
		    json_integer((json_int_t)d->hpa.native_max_lba) : json_null(), rc);
		put(h, "hidden_sectors", d->hpa.valid ?
		    json_integer((json_int_t)d->hpa.hidden_sectors) : json_null(), rc);
	}
	put(o, "hpa", h, rc);

	dco = json_object();
	if (dco) {
		put(dco, "supported", json_boolean(a->dco_supported), rc);
		put(dco, "max_lba", d->dco_valid ? json_integer((json_int_t)d->dco.max_lba) : json_null(), rc);
	}
	put(o, "dco", dco, rc);
	amac = json_object();
	if (amac)
		put(amac, "supported", json_boolean(a->amac_supported), rc);
	put(o, "amac", amac, rc);
	return o;
}

static json_t *lbaf_json(const struct kesu_nvme_ns *ns, int *rc)
{
	json_t *arr = json_array();

	if (!arr) {
		*rc = -ENOMEM;
		return NULL;
	}
	for (unsigned i = 0; i < ns->lbaf_count; i++) {
		const struct kesu_nvme_lbaf *l = &ns->lbaf[i];
		json_t *f = json_object();

		if (!f || json_array_append_new(arr, f) != 0) {
			*rc = -ENOMEM;
			break;
		}
		put(f, "index", json_integer(i), rc);
		put(f, "ds", json_integer(l->ds), rc);
		put(f, "data_bytes", json_integer((json_int_t)l->data_bytes), rc);
		put(f, "ms", json_integer(l->ms), rc);
		put(f, "rp", json_integer(l->rp), rc);
		put(f, "in_use", json_boolean(i == ns->lbaf_in_use), rc);
	}
	return arr;
}

static json_t *nvme_ns_json(const struct kesu_nvme_ns *ns, int *rc)
{
	json_t *o = json_object();

	if (!o) {
		*rc = -ENOMEM;
		return NULL;
	}
	put(o, "nsid", json_integer(ns->nsid), rc);
	put(o, "nsze", json_integer((json_int_t)ns->nsze), rc);
	put(o, "ncap", json_integer((json_int_t)ns->ncap), rc);
	put(o, "nuse", json_integer((json_int_t)ns->nuse), rc);
	put(o, "nlbaf", json_integer(ns->nlbaf), rc);
	put(o, "flbas", json_integer(ns->flbas), rc);
	put(o, "lbaf_in_use", json_integer(ns->lbaf_in_use), rc);
	put(o, "dlfeat", json_integer(ns->dlfeat), rc);
	put(o, "lbaf", lbaf_json(ns, rc), rc);
	return o;
}

static json_t *nvme_json(const struct kesu_drive *d, int *rc)
{
	const struct kesu_nvme_ctrl *c = &d->nvme;
	json_t *o = json_object(), *sc, *fna, *nss;
	char ver[32];

	if (!o) {
		*rc = -ENOMEM;
		return NULL;
	}
	snprintf(ver, sizeof(ver), "%u.%u.%u", c->version >> 16, (c->version >> 8) & 0xff,
		 c->version & 0xff);
	put(o, "nsid", json_integer(d->nsid), rc);
	put(o, "vid", json_integer(c->vid), rc);
	put(o, "serial", json_string(c->serial), rc);
	put(o, "model", json_string(c->model), rc);
	put(o, "firmware", json_string(c->firmware), rc);
	put(o, "version", json_string(ver), rc);
	put(o, "mdts", json_integer(c->mdts), rc);
	put(o, "nn", json_integer(c->nn), rc);
	put(o, "oacs", json_integer(c->oacs), rc);
	put(o, "oacs_format", json_boolean(c->oacs_format), rc);

	sc = json_object();
	if (sc) {
		put(sc, "raw", json_integer(c->sanicap.raw), rc);
		put(sc, "crypto", json_boolean(c->sanicap.crypto), rc);
		put(sc, "block", json_boolean(c->sanicap.block), rc);
		put(sc, "overwrite", json_boolean(c->sanicap.overwrite), rc);
		put(sc, "ndi", json_boolean(c->sanicap.ndi), rc);
		put(sc, "nodmmas", json_integer(c->sanicap.nodmmas), rc);
	}
	put(o, "sanicap", sc, rc);

	fna = json_object();
	if (fna) {
		put(fna, "raw", json_integer(c->fna.raw), rc);
		put(fna, "format_all_ns", json_boolean(c->fna.format_all_ns), rc);
		put(fna, "erase_all_ns", json_boolean(c->fna.erase_all_ns), rc);
		put(fna, "crypto_erase", json_boolean(c->fna.crypto_erase), rc);
	}
	put(o, "fna", fna, rc);

	nss = json_array();
	if (nss && d->nvme_ns_valid && json_array_append_new(nss, nvme_ns_json(&d->nvme_ns, rc)) != 0)
		*rc = -ENOMEM;
	put(o, "namespaces", nss, rc);
	return o;
}

static json_t *methods_json(const struct kesu_drive *d, int *rc)
{
	struct kesu_method_eval m[KESU_METHOD_COUNT];
	json_t *arr = json_array();

	if (!arr) {
		*rc = -ENOMEM;
		return NULL;
	}
	kesu_methods_evaluate(d, m);
	for (unsigned i = 0; i < KESU_METHOD_COUNT; i++) {
		json_t *o = json_object();

		if (!o || json_array_append_new(arr, o) != 0) {
			*rc = -ENOMEM;
			break;
		}
		put(o, "name", json_string(m[i].name), rc);
		put(o, "class", json_string(kesu_nist_class_name(m[i].nist_class)), rc);
		put(o, "supported", json_boolean(m[i].supported), rc);
		put(o, "ready", json_boolean(m[i].ready), rc);
		if (m[i].passes)
			put(o, "passes", json_integer(m[i].passes), rc);
		put(o, "reason", json_string(m[i].reason), rc);
	}
	return arr;
}

int info_fw_json(json_t *obj, const struct kesu_dev_identity *id)
{
	struct kesu_drive *d = calloc(1, sizeof(*d));
	json_t *autom;
	char why[256];
	int rc = 0;

	if (!d)
		return -ENOMEM;
	(void)kesu_drive_inspect(id, d);
	put(obj, "drive_protocol", json_string(kesu_drive_proto_name(d->proto)), &rc);
	put(obj, "media", json_string(kesu_media_name(d->media)), &rc);
	if (d->proto == KESU_DRIVE_ATA)
		put(obj, "ata", ata_json(d, &rc), &rc);
	else if (d->proto == KESU_DRIVE_NVME)
		put(obj, "nvme", nvme_json(d, &rc), &rc);
	else if (d->proto == KESU_DRIVE_MMC)
		put(obj, "mmc", info_mmc_json(d, &rc), &rc);
	else if (d->proto == KESU_DRIVE_SCSI)
		put(obj, "scsi", info_scsi_json(&d->scsi), &rc);
	else if (d->probe_err)
		put(obj, "drive_note", json_string(d->probe_note), &rc);
	if (d->opal.checked)
		put(obj, "opal", info_opal_json(&d->opal), &rc);
	put(obj, "methods", methods_json(d, &rc), &rc);
	autom = json_object();
	if (autom) {
		enum kesu_method best = kesu_method_auto(d, why, sizeof(why));

		put(autom, "name", json_string(kesu_method_name(best)), &rc);
		put(autom, "reason", json_string(why), &rc);
	}
	put(obj, "method_auto", autom, &rc);
	free(d);
	return rc;
}
