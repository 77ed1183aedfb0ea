/* SPDX-License-Identifier: GPL-2.0-or-later */
/* kesu wipe: firmware methods and auto (wipe_fw.h). */
#include "devout.h"
#include "wipe_fw.h"

#include <kesu/cli.h>
#include <kesu/pattern.h>
#include <kesu/record.h>
#include <kesu/util.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

bool wipe_fw_handles(const char *method)
{
	enum kesu_method m;

	if (!strcmp(method, KESU_METHOD_AUTO_NAME))
		return true;
	return kesu_method_parse(method, &m) == 0 && kesu_fw_is_firmware(m);
}

const char *wipe_fw_method_list(void)
{
	static char list[1024];
	size_t n;

	if (list[0])
		return list;
	/* overwrite (the default) and auto first, then the table's order */
	n = (size_t)snprintf(list, sizeof(list), "%s, %s", kesu_method_name(KESU_METHOD_OVERWRITE),
			     KESU_METHOD_AUTO_NAME);
	for (unsigned i = 0; i < KESU_METHOD_COUNT && n < sizeof(list); i++)
		if (kesu_method_is_firmware((enum kesu_method)i))
			n += (size_t)snprintf(list + n, sizeof(list) - n, ", %s",
					      kesu_method_name((enum kesu_method)i));
	return list;
}

void wipe_fw_usage_methods(FILE *out, int indent)
{
	for (unsigned i = 0; i < KESU_METHOD_COUNT; i++) {
		const struct kesu_method_desc *md = kesu_method_desc((enum kesu_method)i);

		if (md && md->family != KESU_FAMILY_OVERWRITE)
			fprintf(out, "%*s%-26s %s\n", indent, "", md->name, md->help);
	}
}

/* Sanitize overwrite takes a 32-bit pattern: zero, one, or 0xHH of 1, 2 or 4 bytes. */
static int pattern32(const char *spec, uint32_t *out, struct kesu_errbuf *eb)
{
	struct kesu_pattern p;
	uint8_t b[4];

	*out = 0;
	if (!spec)
		return 0;
	if (kesu_pattern_parse(spec, &p, NULL) < 0 || p.kind != KESU_PAT_BYTES ||
	    (p.len != 1 && p.len != 2 && p.len != 4))
		return kesu_err_set(eb, -KESU_E_BAD_INPUT, "a sanitize overwrite writes a 32-bit "
				    "pattern: give --pattern zero, one, 0xHH, 0xHHHH or 0xHHHHHHHH");
	for (size_t i = 0; i < 4; i++)
		b[i] = p.bytes[i % p.len];
	/* The drive repeats the 32-bit value as it sits in little-endian memory. */
	*out = (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 | (uint32_t)b[3] << 24;
	return 0;
}

int wipe_fw_secret_read(const char *path, const char *what, char *buf, size_t cap, size_t *len,
			struct kesu_errbuf *eb)
{
	bool in = !strcmp(path, "-");
	const char *name = in ? "standard input" : path;
	char *data = NULL;
	size_t n = 0, i;
	int rc;

	*len = 0;
	buf[0] = '\0';
	rc = in ? kesu_read_fd(STDIN_FILENO, name, 4096, &data, &n, eb) :
		  kesu_read_file(path, 4096, &data, &n, eb);
	if (rc < 0)
		return rc;
	for (i = 0; i < n && data[i] != '\n' && data[i] != '\r'; i++)
		;
	if (i == 0)
		rc = kesu_err_set(eb, -KESU_E_BAD_INPUT, "%s: the first line (the %s) is empty",
				  name, what);
	else if (i >= cap)
		rc = kesu_err_set(eb, -KESU_E_BAD_INPUT, "%s: the %s is longer than %zu bytes",
				  name, what, cap - 1);
	if (rc == 0) {
		memcpy(buf, data, i);
		buf[i] = '\0';
		*len = i;
	}
	explicit_bzero(data, n);
	free(data);
	return rc;
}

/* The key a TCG revert needs: given for that method, and only for it. */
static int check_secrets(const struct wipe_fw_args *a, enum kesu_method m, struct kesu_errbuf *eb)
{
	if (a->psid && m != KESU_METHOD_OPAL_PSID_REVERT)
		return kesu_err_set(eb, -KESU_E_BAD_INPUT, "--psid is for --method opal-psid-revert "
				    "only (%s takes none)", kesu_method_name(m));
	if (a->password && m != KESU_METHOD_OPAL_REVERT)
		return kesu_err_set(eb, -KESU_E_BAD_INPUT, "--password-file is for --method "
				    "opal-revert only (%s takes none)", kesu_method_name(m));
	return 0;
}

/* A real run needs the key; a dry run says it is missing. */
static int secret_missing(const struct wipe_fw *w, struct kesu_errbuf *eb)
{
	if (w->o.method == KESU_METHOD_OPAL_PSID_REVERT && !w->o.opal_psid)
		return kesu_err_set(eb, -KESU_E_BAD_INPUT, "opal-psid-revert needs the PSID printed "
				    "on the drive's label: give --psid PSID or --psid-file FILE");
	if (w->o.method == KESU_METHOD_OPAL_REVERT && !w->o.opal_password)
		return kesu_err_set(eb, -KESU_E_BAD_INPUT, "opal-revert needs the owner's SID "
				    "password: give --password-file FILE");
	return 0;
}

static int resolve(struct wipe_fw *w, const struct kesu_run *run, const struct wipe_fw_args *a,
		   struct kesu_errbuf *eb)
{
	enum kesu_method m;
	int rc;

	rc = kesu_fw_choose(a->method, &w->drv, &m, w->why, sizeof(w->why));
	if (rc < 0)
		return kesu_err_set(eb, rc, "unknown method '%s'", a->method);
	w->firmware = kesu_fw_is_firmware(m);
	w->o = (struct kesu_fw_opts){
		.method = m, .unhide = a->unhide, .stall_timeout_s = a->stall_timeout_s,
		.chosen_why = w->why, .run = run, .opal_psid = a->psid,
		.opal_password = a->password, .opal_password_len = a->password_len,
	};
	rc = check_secrets(a, m, eb);
	if (rc < 0 || !w->firmware)
		return rc;
	if (!kesu_method_takes_pattern32(m)) {
		if (a->pattern || a->passes > 1)
			return kesu_err_set(eb, -KESU_E_BAD_INPUT, "%s writes no pattern: --pattern "
					    "and --passes are for overwrites", kesu_method_name(m));
		return 0;
	}
	if (a->passes > 16)
		return kesu_err_set(eb, -KESU_E_BAD_INPUT, "a sanitize overwrite runs 1 to 16 passes");
	w->o.overwrite_passes = a->passes ? a->passes : 1;
	return pattern32(a->pattern, &w->o.overwrite_pattern, eb);
}

int wipe_fw_plan(struct wipe_fw *w, const struct kesu_target *t, const struct kesu_run *run,
		 const struct wipe_fw_args *a, struct kesu_errbuf *eb)
{
	int rc;

	memset(w, 0, sizeof(*w));
	w->drv = t->drive;   /* asked when the target was opened (target.h) */
	rc = resolve(w, run, a, eb);
	if (rc < 0 || !w->firmware)
		return rc;
	rc = secret_missing(w, eb);
	if (rc < 0)
		return rc;
	return kesu_fw_check(t, &w->drv, &w->o, eb);
}

void wipe_fw_describe(const struct wipe_fw *w, char *buf, size_t len)
{
	kesu_fw_describe(&w->drv, &w->o, buf, len);
}

static void print_plan(const struct kesu_dev_identity *id, const struct wipe_fw *w,
		       const struct kesu_verify_plan *plan, const char *safety, int ready,
		       const char *refusal)
{
	char desc[2048], size[32];

	kesu_format_size(id->size_bytes, 0, size, sizeof(size));
	wipe_fw_describe(w, desc, sizeof(desc));
	printf("%s: %s %s %s, serial '%s', %s (%llu bytes, %u-byte sectors)\n", id->path,
	       kesu_transport_name(id->transport), id->vendor, id->model, id->serial, size,
	       (unsigned long long)id->size_bytes, id->logical_sector_size);
	devout_bridge_lines(stdout, id);
	printf("  method:       %s (NIST SP 800-88 %s)\n", kesu_method_name(w->o.method),
	       kesu_nist_class_name(kesu_method_class(w->o.method, w->drv.media)));
	printf("  plan:         %s\n", desc);
	if (plan->mode != KESU_VERIFY_NONE)
		printf("  readback:     the same %s regions before and after: %llu bytes (%.2f%% of "
		       "the device) each time\n", kesu_verify_mode_name(plan->mode),
		       (unsigned long long)plan->planned_bytes, (double)plan->coverage_ppm / 1e4);
	if (w->o.method == KESU_METHOD_OPAL_PSID_REVERT)
		printf("  psid:         %s\n", w->o.opal_psid ? "given (not shown, not recorded)" :
		       "not given: the wipe needs --psid or --psid-file");
	else if (w->o.method == KESU_METHOD_OPAL_REVERT)
		printf("  password:     %s\n", w->o.opal_password ? "given (not shown, not recorded)" :
		       "not given: the wipe needs --password-file");
	printf("  safety:       %s\n", safety);
	printf("  ready:        %s%s\n", ready ? "yes" : "no: ", ready ? "" : refusal);
}

static json_t *plan_json(const struct kesu_dev_identity *id, const struct wipe_fw *w,
			 const struct kesu_verify_plan *plan, const char *safety, int ready,
			 const char *refusal)
{
	char desc[2048];
	json_t *pj = kesu_record_plan_json(plan), *o;
	bool psid = w->o.method == KESU_METHOD_OPAL_PSID_REVERT;

	wipe_fw_describe(w, desc, sizeof(desc));
	o = json_pack("{s:s, s:s, s:s, s:s, s:s, s:I, s:i, s:s, s:s, s:s, s:s, s:o, s:s, "
			 "s:i, s:s}", "path", id->path, "transport",
			 kesu_transport_name(id->transport), "model", id->model, "serial",
			 id->serial, "vendor", id->vendor, "size_bytes", (json_int_t)id->size_bytes,
			 "logical_sector_size", (int)id->logical_sector_size, "method",
			 kesu_method_name(w->o.method), "category",
			 kesu_nist_class_name(kesu_method_class(w->o.method, w->drv.media)),
			 "details", desc, "auto", w->why, "verification_plan",
			 pj ? pj : json_object(), "safety", safety, "ready", ready,
			 "refusal", refusal);
	if (o) {
		json_object_set_new(o, "bridge_serial", json_string(id->bridge_serial));
		json_object_set_new(o, "bridge_model", json_string(id->bridge_model));
	}
	/* whether the TCG revert's key was given: never the key */
	if (o && (psid || w->o.method == KESU_METHOD_OPAL_REVERT))
		json_object_set_new(o, psid ? "psid" : "password", json_string(
				    (psid ? w->o.opal_psid != NULL : w->o.opal_password != NULL) ?
				    "given" : "not given"));
	return o;
}

int wipe_fw_dry_run(const struct kesu_target *target, const struct kesu_run *run,
		    const struct wipe_fw_args *a, const char *safety, json_t *arr, char *why,
		    size_t why_len)
{
	struct kesu_target t = { .fd = -1 };
	struct kesu_errbuf eb = { { 0 } }, ceb = { { 0 } };
	struct kesu_verify_plan plan;
	struct wipe_fw w;
	int rc, ready;

	t.id = target->id;
	memset(&w, 0, sizeof(w));
	w.drv = target->drive;
	/* The serial and model the wipe will record: the drive's own (kesu_target_open). */
	kesu_drive_adopt_probed(&t.id, &w.drv);
	rc = resolve(&w, run, a, &eb);
	if (rc < 0) {
		kesu_cli_error("%s", eb.msg);
		goto out;
	}
	if (!w.firmware) {
		snprintf(why, why_len, "%s", w.why);
		rc = 1;
		goto out;
	}
	ready = secret_missing(&w, &ceb) == 0 && kesu_fw_check(&t, &w.drv, &w.o, &ceb) == 0;
	rc = kesu_verify_plan_build(run->verify, t.id.size_bytes, t.id.logical_sector_size, 0, 0,
				    &plan, &eb);
	if (rc < 0) {
		kesu_cli_error("%s", eb.msg);
		goto out;
	}
	if (arr)
		json_array_append_new(arr, plan_json(&t.id, &w, &plan, safety,
						     ready, ceb.msg));
	else
		print_plan(&t.id, &w, &plan, safety, ready, ceb.msg);
	kesu_verify_plan_release(&plan);
out:
	return rc;
}
