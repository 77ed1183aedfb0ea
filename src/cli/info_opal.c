/* SPDX-License-Identifier: GPL-2.0-or-later */
/* `kesu info`: the self-encrypting drive section (info_opal.h). */
#include "info_opal.h"

static const char *yes_no(bool b)
{
	return b ? "yes" : "no";
}

static const char *revert_path(const struct kesu_opal *o)
{
	if (o->revert_path)
		return "opal-psid-revert --psid PSID (the label's PSID) or opal-revert "
		       "--password-file F (the owner's SID password), through the kernel's sed-opal";
	return "none from here: the kernel offers no sed-opal for this drive";
}

void info_opal_print(FILE *out, const struct kesu_opal *o)
{
	if (!o->checked || (!o->sed && !o->note[0]))
		return;
	fprintf(out, "Self-encrypting drive (TCG):\n");
	if (!o->sed) {
		fprintf(out, "  sed:             not found (%s)\n", o->note);
		return;
	}
	fprintf(out, "  ssc:             %s\n", o->discovery ? kesu_opal_ssc_name(o->disc.ssc) :
		"unknown (no Level 0 Discovery of kesu's own)");
	fprintf(out, "  source:          %s%s%s\n", o->kernel ? "kernel sed-opal (IOC_OPAL_GET_STATUS)" : "",
		o->kernel && o->discovery ? ", " : "",
		o->discovery ? o->discovery_via : "");
	fprintf(out, "  locking:         supported %s, enabled %s, locked %s\n",
		yes_no(o->locking_supported), yes_no(o->locking_enabled), yes_no(o->locked));
	fprintf(out, "  mbr shadowing:   %s\n", !o->mbr_enabled ? "off" :
		o->mbr_done ? "enabled, done (the real media shows)" :
		"enabled, not done (reads show the shadow MBR, not the media)");
	fprintf(out, "  revert:          %s\n", revert_path(o));
	if (o->locked)
		fprintf(out, "                   LOCKED: nothing can be overwritten or sanitized "
			"meaningfully; unlock it, or revert it (opal-psid-revert with the "
			"label's PSID)\n");
	if (o->note[0])
		fprintf(out, "  note:            %s\n", o->note);
}

json_t *info_opal_json(const struct kesu_opal *o)
{
	json_t *j;

	if (o->discovery)
		j = json_pack("{s:b, s:s, s:b, s:i, s:s?, s:b, s:b, s:b, s:b, s:b, s:b, s:s, s:s}",
			      "sed", o->sed, "ssc", kesu_opal_ssc_name(o->disc.ssc),
			      "kernel_sed_opal", o->kernel, "kernel_flags", (int)o->kernel_flags,
			      "discovery_via", o->discovery_via,
			      "locking_supported", o->locking_supported,
			      "locking_enabled", o->locking_enabled, "locked", o->locked,
			      "mbr_enabled", o->mbr_enabled, "mbr_done", o->mbr_done,
			      "revert_path", o->revert_path,
			      "revert", revert_path(o), "note", o->note);
	else
		j = json_pack("{s:b, s:n, s:b, s:i, s:n, s:b, s:b, s:b, s:b, s:b, s:b, s:s, s:s}",
			      "sed", o->sed, "ssc", "kernel_sed_opal", o->kernel,
			      "kernel_flags", (int)o->kernel_flags, "discovery_via",
			      "locking_supported", o->locking_supported,
			      "locking_enabled", o->locking_enabled, "locked", o->locked,
			      "mbr_enabled", o->mbr_enabled, "mbr_done", o->mbr_done,
			      "revert_path", o->revert_path,
			      "revert", revert_path(o), "note", o->note);
	return j;
}
