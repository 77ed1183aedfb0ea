/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The firmware erase runner (firmware.h): preflight, hidden areas, the
 * readback before, the method, the readback after, the outcome. What each
 * method is comes from the table (methods.c), which points to the method's
 * own file (ata_security.c, ata_sanitize.c, nvme_format.c, nvme_sanitize.c);
 * what they share is in fw_common.c (fw_int.h).
 */
#include "fw_int.h"

#include <kesu/hidden.h>
#include <kesu/readback.h>
#include <kesu/text.h>
#include <kesu/util.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

bool kesu_fw_is_firmware(enum kesu_method m)
{
	return kesu_method_is_firmware(m);
}

int kesu_fw_choose(const char *name, const struct kesu_drive *d, enum kesu_method *m,
		   char *why, size_t why_len)
{
	if (why && why_len)
		why[0] = '\0';
	if (!strcmp(name, KESU_METHOD_AUTO_NAME)) {
		*m = kesu_method_auto(d, why, why_len);
		return 0;
	}
	return kesu_method_parse(name, m);
}

/* ---- what each method is (methods.h) ---- */

static const char *expect_words(enum kesu_rb_expect e)
{
	switch (e) {
	case KESU_RB_CHANGED: return "every sampled region must differ from before (cryptographic or vendor erase)";
	case KESU_RB_ZERO: return "every sampled region must read as zeros";
	case KESU_RB_ONES: return "every sampled region must read as 0xFF";
	case KESU_RB_ZERO_OR_ONES: return "every sampled region must read as all zeros or all 0xFF (which is recorded)";
	case KESU_RB_PATTERN32: return "every sampled region must hold the overwrite pattern";
	}
	return "";
}

void kesu_fw_describe(const struct kesu_drive *d, const struct kesu_fw_opts *o, char *buf,
		      size_t len)
{
	const struct kesu_method_desc *md = kesu_method_desc(o->method);
	struct kesu_method_eval e;
	struct kesu_hidden h;
	char hid[160];
	size_t n;

	kesu_method_evaluate(d, o->method, &e);
	n = (size_t)snprintf(buf, len, "%s (NIST SP 800-88 %s on %s media): %s. %s. Readback: %s",
			     md ? md->name : "?", kesu_nist_class_name(e.nist_class),
			     kesu_media_name(d->media), md ? md->commands : "", e.reason,
			     o->run->verify == KESU_VERIFY_NONE ? "none (the outcome will be UNVERIFIED)" :
			     expect_words(kesu_method_expect(o->method, d)));
	if (kesu_method_takes_pattern32(o->method))
		n += (size_t)snprintf(buf + (n < len ? n : len), n < len ? len - n : 0,
				      ". Pattern 0x%08x, %u pass%s", o->overwrite_pattern,
				      o->overwrite_passes ? o->overwrite_passes : 1,
				      o->overwrite_passes > 1 ? "es" : "");
	kesu_hidden_detect(d, &h);
	if (h.hidden_sectors && n < len) {
		kesu_hidden_describe(&h, hid, sizeof(hid));
		n += (size_t)snprintf(buf + n, len - n, ". Hidden area: %s; %s", hid,
				      o->unhide ? "restored before erasing (--unhide)" :
				      "NOT erased without --unhide, so the outcome cannot be ERASED");
	}
	if (o->chosen_why && o->chosen_why[0] && n < len)
		snprintf(buf + n, len - n, ". auto: %s", o->chosen_why);
}

/* ---- preflight ---- */

static int not_ready_error(const struct kesu_drive *d)
{
	if (d->proto == KESU_DRIVE_ATA && d->ata.security.frozen)
		return -KESU_E_FROZEN;
	return -KESU_E_LOCKED;
}

int kesu_fw_sed_check(const char *path, const struct kesu_drive *d, enum kesu_method m,
		      struct kesu_errbuf *eb)
{
	const struct kesu_method_desc *md = kesu_method_desc(m);
	char desc[384];

	/* A revert is the remedy for the lock. */
	if (!d->opal.locked || (md && md->family == KESU_FAMILY_OPAL))
		return 0;
	kesu_opal_describe(&d->opal, desc, sizeof(desc));
	return kesu_err_set(eb, -KESU_E_LOCKED, "refusing %s on %s: it is a self-encrypting drive "
			    "whose locking range is LOCKED (%s), so nothing written or sanitized "
			    "there could be read back or proven; unlock it with the owner's "
			    "password first, or revert it with --method opal-psid-revert --psid PSID "
			    "(the PSID printed on the drive's label; this erases the drive)",
			    kesu_method_name(m) ? kesu_method_name(m) : "the erase", path, desc);
}

int kesu_fw_check(const struct kesu_target *t, const struct kesu_drive *d,
		  const struct kesu_fw_opts *o, struct kesu_errbuf *eb)
{
	struct kesu_method_eval e;
	struct kesu_safety s = { 0 };
	int rc;

	if (!kesu_fw_is_firmware(o->method))
		return kesu_err_set(eb, -KESU_E_BAD_INPUT, "%s is not a firmware method",
				    kesu_method_name(o->method) ? kesu_method_name(o->method) : "?");
	rc = kesu_fw_sed_check(t->id.path, d, o->method, eb);
	if (rc < 0)
		return rc;
	kesu_method_evaluate(d, o->method, &e);
	if (!e.supported) {
		const char *why = d->proto == KESU_DRIVE_NONE && d->probe_note[0] ? d->probe_note : "";

		return kesu_err_set(eb, -KESU_E_UNSUPPORTED, "%s cannot run %s: %s%s%s; "
				    "'kesu info %s' lists what it supports, or use --method auto",
				    t->id.path, e.name, e.reason, why[0] ? ": " : "", why, t->id.path);
	}
	if (!e.ready)
		return kesu_err_set(eb, not_ready_error(d), "refusing %s on %s: %s", e.name,
				    t->id.path, e.reason);
	if (kesu_method_controller_wide(o->method, d)) {
		rc = kesu_safety_check_controller(&t->id, &s, eb);
		if (rc < 0)
			return rc;
		if (s.reasons)
			return kesu_err_set(eb, kesu_safety_error(&s), "refusing %s on %s: it erases "
					    "every namespace of the controller, and %s", e.name,
					    t->id.path, s.detail);
	}
	return 0;
}

/* ---- the run ---- */

static int run_method(struct fw_run *ru)
{
	const struct kesu_method_desc *md = kesu_method_desc(ru->o->method);

	if (!md || !md->run)
		return kesu_err_set(ru->eb, -KESU_E_BAD_INPUT, "not a firmware method");
	return md->run(ru, md);
}

static void fill_method(struct fw_run *ru, const struct kesu_method_desc *md,
			enum kesu_rb_expect expect)
{
	struct kesu_result *r = ru->r;
	const struct kesu_fw_opts *o = ru->o;
	bool ow = kesu_method_takes_pattern32(md->method);

	r->dev = ru->t->id;
	snprintf(r->method_name, sizeof(r->method_name), "%s", md->name);
	snprintf(r->category, sizeof(r->category), "%s",
		 kesu_nist_class_name(kesu_method_class(o->method, ru->d.media)));
	if (ow)
		snprintf(r->pattern, sizeof(r->pattern), "0x%02x%02x%02x%02x",
			 o->overwrite_pattern & 0xff, (o->overwrite_pattern >> 8) & 0xff,
			 (o->overwrite_pattern >> 16) & 0xff, o->overwrite_pattern >> 24);
	r->passes = ow ? (o->overwrite_passes ? o->overwrite_passes : 1) : 1;
	snprintf(r->details, sizeof(r->details), "%s%s%s", md->commands,
		 o->chosen_why && o->chosen_why[0] ? "; auto: " : "",
		 o->chosen_why ? o->chosen_why : "");
	snprintf(r->operator_name, sizeof(r->operator_name), "%s",
		 o->run->operator_name ? o->run->operator_name : "");
	switch (expect) {
	case KESU_RB_ZERO: snprintf(r->expect, sizeof(r->expect), "zero"); break;
	case KESU_RB_ONES: snprintf(r->expect, sizeof(r->expect), "one"); break;
	case KESU_RB_PATTERN32: snprintf(r->expect, sizeof(r->expect), "%s", r->pattern); break;
	default: r->expect[0] = '\0'; break;  /* no fixed content to check later */
	}
}

/* Hidden areas: restore with --unhide, else name them; false when they stay hidden. */
static int handle_hidden(struct fw_run *ru, bool *still_hidden)
{
	struct kesu_result *r = ru->r;
	struct kesu_hidden h;
	char desc[160];
	int rc;

	*still_hidden = false;
	kesu_hidden_detect(&ru->d, &h);
	if (ru->d.proto != KESU_DRIVE_ATA) {
		snprintf(r->hidden_status, sizeof(r->hidden_status), "none");
		snprintf(r->hidden_detail, sizeof(r->hidden_detail), "%s",
			 ru->d.proto == KESU_DRIVE_MMC ? "an eMMC has no HPA/DCO/AMAC; its boot "
			 "partitions are erased with it (commands)" : "NVMe namespaces have no HPA/DCO/AMAC");
		return 0;
	}
	kesu_hidden_describe(&h, desc, sizeof(desc));
	if (!h.checked) {
		snprintf(r->hidden_status, sizeof(r->hidden_status), "not-checked");
		snprintf(r->hidden_detail, sizeof(r->hidden_detail), "%s", desc);
		return 0;
	}
	if (!h.hidden_sectors) {
		snprintf(r->hidden_status, sizeof(r->hidden_status), "none");
		snprintf(r->hidden_detail, sizeof(r->hidden_detail), "native max LBA %llu = current max",
			 (unsigned long long)h.native_max_lba);
		return 0;
	}
	if (!ru->o->unhide) {
		*still_hidden = true;
		snprintf(r->hidden_status, sizeof(r->hidden_status), "present");
		snprintf(r->hidden_detail, sizeof(r->hidden_detail), "%.160s: not erased (no --unhide)",
			 desc);
		return 0;
	}
	ru->touched = true;
	rc = kesu_hidden_restore(ru->t->fd, &ru->d, &h, r, ru->eb);
	if (rc < 0) {
		*still_hidden = true;
		snprintf(r->hidden_status, sizeof(r->hidden_status), "present");
		snprintf(r->hidden_detail, sizeof(r->hidden_detail), "%.120s: restoring failed: %.100s",
			 desc, ru->eb->msg);
		kesu_err_clear(ru->eb);
		return 0;
	}
	snprintf(r->hidden_status, sizeof(r->hidden_status), "restored");
	snprintf(r->hidden_detail, sizeof(r->hidden_detail), "%.120s: restored to the native max "
		 "before erasing (--unhide)", desc);
	return 0;
}

static void rb_tick(uint64_t done, uint64_t total, void *arg)
{
	struct fw_run *ru = arg;

	(void)total;
	ru->prog.done = (ru->prog.step == 1 ? 0 : ru->erase_base + ru->erase_span) + done;
	ru->prog.eta_s = -1;
	fw_report(ru);
}

static void log_readback(struct fw_run *ru, const struct kesu_readback *rb, bool after, int rc)
{
	json_t *e = kesu_fw_log_command(ru->r, after ? "readback after erase" :
					"readback before erase", rc,
					rc == 0 ? "SHA-256 over the sampled regions in plan order" :
					ru->eb->msg);

	if (!e || rc != 0)
		return;
	json_object_set_new(e, "sha256", json_string(after ? rb->after_sha256 : rb->before_sha256));
	json_object_set_new(e, "regions", json_integer((json_int_t)rb->n));
	json_object_set_new(e, "bytes", json_integer((json_int_t)rb->bytes));
	if (after) {
		json_object_set_new(e, "unchanged_regions", json_integer((json_int_t)rb->unchanged));
		json_object_set_new(e, "zero_regions", json_integer((json_int_t)rb->zero));
		json_object_set_new(e, "ones_regions", json_integer((json_int_t)rb->ones));
		json_object_set_new(e, "failed_regions", json_integer((json_int_t)rb->failed));
		json_object_set_new(e, "expect", json_string(kesu_rb_expect_name(rb->expect)));
	}
}

static int readback(struct fw_run *ru, struct kesu_readback *rb, bool after)
{
	int rc;

	ru->prog.phase = after ? "verify" : "readback";
	ru->prog.step = after ? 3 : 1;
	rc = kesu_readback_pass(ru->t->fd, rb, after, ru->o->run->stop, rb_tick, ru, ru->eb);
	if (rc == 0 && after) {
		kesu_readback_judge(rb, ru->r);
		ru->r->bytes_checked = rb->bytes;
	}
	log_readback(ru, rb, after, rc);
	return rc;
}

/* A LOCKED self-encrypting drive reads nothing before its revert: nothing to compare with. */
static bool before_unreadable(const struct fw_run *ru)
{
	const struct kesu_method_desc *md = kesu_method_desc(ru->o->method);

	return md && md->family == KESU_FAMILY_OPAL && ru->d.opal.locked;
}

/* The outcome after a method that reported success. */
static void judge(struct fw_run *ru, const struct kesu_readback *rb, bool hidden)
{
	struct kesu_result *r = ru->r;
	char desc[256];
	bool bad = false;

	if (ru->o->run->verify == KESU_VERIFY_NONE) {
		kesu_result_add_reason(r, "the drive reports success; no readback was run "
				       "(--verify none)");
	} else if (ru->no_before) {
		kesu_result_add_reason(r, "the self-encrypting drive was LOCKED, so nothing could be "
				       "read before the erase to compare with; afterwards all %zu "
				       "sampled regions read (SHA-256 %s), but that their content "
				       "changed rests on the drive's word: erase it again (it is "
				       "unlocked now) for a verified record", rb->n, rb->after_sha256);
	} else {
		kesu_readback_describe(rb, desc, sizeof(desc));
		if (rb->failed) {
			bad = true;
			kesu_result_add_reason(r, "the drive reported success but the readback "
					       "fails: %s (verification.mismatches)", desc);
		} else {
			kesu_result_add_reason(r, "readback: %s", desc);
		}
		if (!strcmp(rb->before_sha256, rb->after_sha256)) {
			bad = true;
			kesu_result_add_reason(r, "the sampled content is identical before and after "
					       "(SHA-256 %s): no evidence that the drive erased "
					       "anything", rb->after_sha256);
		} else if (rb->expected_before) {
			kesu_result_add_reason(r, "note: %zu of %zu sampled regions already read as "
					       "erased before the erase; they prove nothing",
					       rb->expected_before, rb->n);
		}
		/* Zeros or ones, whichever the drive left: what `kesu verify --expect` can check later. */
		if (!rb->failed && rb->expect == KESU_RB_ZERO_OR_ONES && (rb->zero == rb->n ||
									 rb->ones == rb->n))
			snprintf(r->expect, sizeof(r->expect), "%s", rb->zero == rb->n ? "zero" : "one");
		snprintf(r->verify_result, sizeof(r->verify_result), "%s", rb->failed ||
			 !strcmp(rb->before_sha256, rb->after_sha256) ? "failed" : "passed");
	}
	if (ru->unreached[0]) {
		bad = true;
		kesu_result_add_reason(r, "not erased: %s", ru->unreached);
	}
	if (hidden) {
		bad = true;
		kesu_result_add_reason(r, "hidden sectors were not erased: %s; rerun with --unhide",
				       r->hidden_detail);
	}
	if (bad)
		r->outcome = KESU_OUTCOME_FAILED;
	else
		r->outcome = ru->o->run->verify == KESU_VERIFY_NONE || ru->no_before ?
			     KESU_OUTCOME_UNVERIFIED : KESU_OUTCOME_ERASED;
}

static int run_setup(struct fw_run *ru, enum kesu_rb_expect expect)
{
	struct kesu_result *r = ru->r;
	const struct kesu_dev_identity *id = &ru->t->id;
	int rc;

	fill_method(ru, kesu_method_desc(ru->o->method), expect);
	rc = kesu_record_new_id(r->record_id, sizeof(r->record_id));
	if (rc < 0)
		return kesu_err_set(ru->eb, rc, "cannot make a record id");
	kesu_time_rfc3339(time(NULL), r->started_at, sizeof(r->started_at));
	rc = kesu_verify_plan_build(ru->o->run->verify, id->size_bytes,
				    kesu_dev_sector_size(id),
				    ru->o->run->seed, ru->o->run->seed_set, &r->plan, ru->eb);
	if (rc < 0)
		return rc;
	ru->erase_base = r->plan.planned_bytes;
	ru->erase_span = id->size_bytes;
	ru->prog = (struct kesu_progress){ .device = id->path, .phase = "readback", .step = 1,
					  .steps = 3, .eta_s = -1,
					  .total = 2 * r->plan.planned_bytes + id->size_bytes };
	return 0;
}

static void finish(struct fw_run *ru)
{
	struct kesu_result *r = ru->r;

	kesu_result_normalize(r);
	r->duration_ms = kesu_now_ms() - ru->t0_ms;
	kesu_time_rfc3339(time(NULL), r->finished_at, sizeof(r->finished_at));
}

int kesu_fw_run(struct kesu_target *t, const struct kesu_drive *d, const struct kesu_fw_opts *o,
		struct kesu_result *r, struct kesu_errbuf *eb)
{
	struct fw_run *ru;
	enum kesu_rb_expect expect;
	struct kesu_readback rb;
	bool hidden = false;
	int rc;

	rc = kesu_fw_check(t, d, o, eb);
	if (rc < 0)
		return rc;
	/* the record holds the name whole or not at all */
	rc = kesu_text_check("operator", o->run->operator_name, eb);
	if (rc < 0)
		return rc;
	ru = calloc(1, sizeof(*ru));
	if (!ru)
		return kesu_err_set(eb, -ENOMEM, "out of memory");
	ru->t = t;
	ru->d = *d;
	ru->o = o;
	ru->r = r;
	ru->eb = eb;
	ru->t0_ms = kesu_now_ms();
	ru->stall_s = o->stall_timeout_s ? o->stall_timeout_s : KESU_FW_STALL_DEFAULT_S;
	ru->poll_ms = o->poll_ms ? o->poll_ms : KESU_FW_POLL_DEFAULT_MS;
	pthread_mutex_init(&ru->tick_lock, NULL);
	pthread_cond_init(&ru->tick_cond, NULL);
	expect = kesu_method_expect(o->method, d);
	kesu_readback_init(&rb, &r->plan, expect, o->overwrite_pattern);
	rc = run_setup(ru, expect);
	if (rc < 0)
		goto out;
	if (o->run->verify != KESU_VERIFY_NONE && before_unreadable(ru)) {
		ru->no_before = true;
		kesu_fw_log_command(r, "readback before erase", 0, "not done: the self-encrypting "
				    "drive is LOCKED, its blocks cannot be read before the revert");
	} else if (o->run->verify != KESU_VERIFY_NONE) {
		rc = readback(ru, &rb, false);
		if (rc < 0)
			goto out;   /* nothing was sent yet: no record */
	}
	handle_hidden(ru, &hidden);
	fw_progress(ru, 0, -1);
	rc = run_method(ru);
	fw_ticker_stop(ru);
	if (rc < 0 && !ru->touched)
		goto out;
	if (rc < 0) {
		kesu_result_add_reason(r, "%s", eb->msg[0] ? eb->msg : kesu_strerror(rc));
		r->outcome = KESU_OUTCOME_FAILED;
		snprintf(r->verify_result, sizeof(r->verify_result), "not-run");
		rc = 0;
	} else {
		fw_progress(ru, 65536, 0);
		rc = o->run->verify != KESU_VERIFY_NONE ? readback(ru, &rb, true) : 0;
		if (rc == 0) {
			judge(ru, &rb, hidden);
		} else {
			kesu_result_add_reason(r, "the drive reports success, but the readback could "
					       "not be done: %s", eb->msg);
			r->outcome = KESU_OUTCOME_FAILED;
			rc = 0;
		}
	}
	finish(ru);
out:
	kesu_readback_release(&rb);
	pthread_cond_destroy(&ru->tick_cond);
	pthread_mutex_destroy(&ru->tick_lock);
	free(ru);
	return rc;
}
