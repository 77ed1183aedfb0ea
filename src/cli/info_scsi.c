/* SPDX-License-Identifier: GPL-2.0-or-later */
/* `kesu info`: the SCSI section (info_scsi.h). Prints only; the probe is src/dev/scsi.c. */
#include "info_scsi.h"

#include <inttypes.h>

static void print_rotation(FILE *out, const struct kesu_scsi_info *s)
{
	uint16_t r = s->bdc.rotation_rate;

	if (!s->bdc_valid)
		fprintf(out, "  rotation:        not reported (no VPD page 0xB1)\n");
	else if (r == 1)
		fprintf(out, "  rotation:        non-rotating (SSD); form factor %s\n",
			kesu_scsi_form_factor_name(s->bdc.form_factor));
	else if (r >= 0x0401 && r != 0xffff)
		fprintf(out, "  rotation:        %u rpm; form factor %s\n", r,
			kesu_scsi_form_factor_name(s->bdc.form_factor));
	else
		fprintf(out, "  rotation:        not reported; form factor %s\n",
			kesu_scsi_form_factor_name(s->bdc.form_factor));
}

static void print_capacity(FILE *out, const struct kesu_scsi_info *s)
{
	const struct kesu_scsi_capacity *c = &s->cap;

	if (!s->cap_valid) {
		fprintf(out, "  capacity:        not reported (READ CAPACITY(16) refused)\n");
		return;
	}
	fprintf(out, "  capacity:        %" PRIu64 " blocks of %u bytes (%" PRIu64 " bytes); %u logical "
		"per physical block\n", c->last_lba + 1, c->block_len, (c->last_lba + 1) * c->block_len,
		1u << c->lbppbe);
	if (c->prot_en)
		fprintf(out, "  protection:      type %u protection information enabled (8 bytes per "
			"block beside the data; kesu reads and checks the data only)\n", c->prot_type);
	else
		fprintf(out, "  protection:      none enabled%s\n", s->inq.protect ?
			" (the device supports protection information)" : "");
}

static void print_support(FILE *out, const struct kesu_scsi_info *s)
{
	if (!s->rsoc) {
		fprintf(out, "  sanitize:        not reported%s%s\n", s->note[0] ? ": " : "", s->note);
		return;
	}
	fprintf(out, "  sanitize:        overwrite %s, block erase %s, crypto erase %s, exit failure "
		"mode %s (REPORT SUPPORTED OPERATION CODES)\n",
		kesu_scsi_support_name(s->sanitize_overwrite), kesu_scsi_support_name(s->sanitize_block),
		kesu_scsi_support_name(s->sanitize_crypto),
		kesu_scsi_support_name(s->sanitize_exit_failure));
	fprintf(out, "  format unit:     %s\n", kesu_scsi_support_name(s->format_unit));
}

static const char *state_name(enum kesu_scsi_sanitize_state st)
{
	switch (st) {
	case KESU_SCSI_SAN_IN_PROGRESS: return "a sanitize is in progress";
	case KESU_SCSI_SAN_FAILED: return "sanitize FAILURE MODE: the last sanitize failed; a new "
		"sanitize or EXIT FAILURE MODE is needed";
	case KESU_SCSI_SAN_OTHER: return "another condition";
	case KESU_SCSI_SAN_IDLE: break;
	}
	return "ready";
}

void info_scsi_print(FILE *out, const struct kesu_scsi_info *s)
{
	fprintf(out, "SCSI (INQUIRY and VPD pages from the device itself):\n");
	fprintf(out, "  vendor:          %s\n", s->inq.vendor);
	fprintf(out, "  product:         %s\n", s->inq.product);
	fprintf(out, "  revision:        %s\n", s->inq.revision);
	fprintf(out, "  serial:          %s\n", s->serial[0] ? s->serial : "not reported");
	fprintf(out, "  designator:      %s\n", s->designator[0] ? s->designator : "not reported");
	print_rotation(out, s);
	print_capacity(out, s);
	print_support(out, s);
	fprintf(out, "  state:           %s", state_name(s->san_state));
	if (s->san_state == KESU_SCSI_SAN_IN_PROGRESS)
		fprintf(out, " (%.1f%%)", s->san_progress * 100.0 / 65536);
	fprintf(out, "\n");
	if (s->rsoc && s->note[0])
		fprintf(out, "  note:            %s\n", s->note);
}

static int put(json_t *o, const char *k, json_t *v)
{
	return !v || json_object_set_new(o, k, v) != 0 ? -1 : 0;
}

json_t *info_scsi_json(const struct kesu_scsi_info *s)
{
	json_t *o = json_object(), *z = json_object();
	int bad = !o || !z;

	if (bad) {
		json_decref(o);
		json_decref(z);
		return NULL;
	}
	bad |= put(z, "overwrite", json_string(kesu_scsi_support_name(s->sanitize_overwrite)));
	bad |= put(z, "block", json_string(kesu_scsi_support_name(s->sanitize_block)));
	bad |= put(z, "crypto", json_string(kesu_scsi_support_name(s->sanitize_crypto)));
	bad |= put(z, "exit_failure_mode", json_string(kesu_scsi_support_name(s->sanitize_exit_failure)));
	bad |= put(o, "vendor", json_string(s->inq.vendor));
	bad |= put(o, "product", json_string(s->inq.product));
	bad |= put(o, "revision", json_string(s->inq.revision));
	bad |= put(o, "serial", json_string(s->serial));
	bad |= put(o, "designator", json_string(s->designator));
	bad |= put(o, "rotation_rate", s->bdc_valid ? json_integer(s->bdc.rotation_rate) : json_null());
	bad |= put(o, "form_factor", json_string(s->bdc_valid ?
		   kesu_scsi_form_factor_name(s->bdc.form_factor) : "not reported"));
	bad |= put(o, "blocks", s->cap_valid ? json_integer((json_int_t)(s->cap.last_lba + 1)) : json_null());
	bad |= put(o, "block_size", s->cap_valid ? json_integer(s->cap.block_len) : json_null());
	bad |= put(o, "logical_per_physical", s->cap_valid ? json_integer(1 << s->cap.lbppbe) : json_null());
	bad |= put(o, "protection_type", s->cap_valid ? json_integer(s->cap.prot_type) : json_null());
	bad |= put(o, "protect_supported", json_boolean(s->inq.protect));
	bad |= put(o, "report_opcodes", json_boolean(s->rsoc));
	bad |= put(o, "format_unit", json_string(kesu_scsi_support_name(s->format_unit)));
	bad |= put(o, "sanitize_state", json_string(s->san_state == KESU_SCSI_SAN_IN_PROGRESS ?
		   "in-progress" : s->san_state == KESU_SCSI_SAN_FAILED ? "failed" :
		   s->san_state == KESU_SCSI_SAN_OTHER ? "other" : "idle"));
	bad |= put(o, "note", json_string(s->note));
	if (put(o, "sanitize", z) < 0) {
		bad = 1;
		z = NULL;
	}
	if (bad) {
		json_decref(o);
		return NULL;
	}
	return o;
}
