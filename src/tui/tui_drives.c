/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The TUI's drive list: identity from kesu_dev_list, safety from the safety
 * module, capability from a read-only probe and the `auto` choice. */
#include "tui.h"

#include <kesu/drive.h>
#include <kesu/err.h>
#include <kesu/methods.h>
#include <kesu/probe.h>
#include <kesu/safety.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void describe_capability(struct tui_drive *t)
{
	struct kesu_drive d;
	char why[256] = "";
	(void)kesu_drive_inspect(&t->id, &d);
	enum kesu_method m = kesu_method_auto(&d, why, sizeof(why));
	struct kesu_method_eval ev;

	/* The drive's own serial and model (behind a USB bridge too), as kesu wipe
	 * records them and as the ledger is looked up by. */
	kesu_drive_adopt_probed(&t->id, &d);

	kesu_method_evaluate(&d, m, &ev);
	t->frozen = d.proto == KESU_DRIVE_ATA && d.ata.security.frozen;
	snprintf(t->capability, sizeof(t->capability), "%s, auto: %s (%s)%s%s", kesu_media_name(d.media),
		 kesu_method_name(m), kesu_nist_class_name(ev.nist_class), ev.ready ? "" : " blocked",
		 t->frozen ? "; security FROZEN (u: unfreeze)" : "");
}

/* One piece of what a partition or the whole device holds: TYPE 'LABEL'. */
static void fs_text(const struct kesu_probe_fs *fs, const char *part_type, char *buf, size_t len)
{
	const char *type_name = part_type ? kesu_probe_part_type_name(part_type) : NULL;

	if (fs->present && fs->label[0])
		snprintf(buf, len, "%s '%s'", fs->type, fs->label);
	else if (fs->present)
		snprintf(buf, len, "%s", fs->type);
	else
		snprintf(buf, len, "%s", type_name ? type_name : "no file system");
}

/*
 * What the operator needs to tell a disk with data from a blank one before
 * choosing it (the repair case: which disk holds the user's data). Read-only.
 */
static void describe_contents(struct tui_drive *t)
{
	struct kesu_probe_result r;
	struct kesu_errbuf eb = { 0 };
	char piece[300];
	size_t n;

	if (kesu_probe(t->id.path, &r, &eb) < 0) {
		snprintf(t->contents, sizeof(t->contents), "holds: unknown (%.120s)",
			 eb.msg[0] ? eb.msg : "cannot read it");
		kesu_probe_free(&r);
		return;
	}
	if (r.pttype[0]) {
		n = (size_t)snprintf(t->contents, sizeof(t->contents), "holds: %s, %zu partition%s%s", r.pttype,
				     r.nparts, r.nparts == 1 ? "" : "s", r.nparts ? ":" : "");
		for (size_t i = 0; i < r.nparts && n < sizeof(t->contents); i++) {
			if (r.parts[i].extended)
				continue;
			fs_text(&r.parts[i].fs, r.parts[i].type, piece, sizeof(piece));
			n += (size_t)snprintf(t->contents + n, sizeof(t->contents) - n, "%s %s",
					      i ? "," : "", piece);
		}
	} else if (r.fs.present) {
		fs_text(&r.fs, NULL, piece, sizeof(piece));
		snprintf(t->contents, sizeof(t->contents), "holds: %.120s (no partition table)", piece);
	} else {
		snprintf(t->contents, sizeof(t->contents),
			 "holds: no partition table or file system found (data may still be there)");
	}
	kesu_probe_free(&r);
}

static void describe_safety(struct tui_drive *t)
{
	struct kesu_safety s;
	struct kesu_errbuf eb = { 0 };

	memset(&s, 0, sizeof(s));
	if (kesu_safety_check(&t->id, &s, &eb) < 0) {
		snprintf(t->safety, sizeof(t->safety), "not offered: %.140s", eb.msg[0] ? eb.msg : "safety check failed");
		return;
	}
	if (s.reasons) {
		snprintf(t->safety, sizeof(t->safety), "not offered: %.140s", s.detail);
		return;
	}
	t->offered = true;
	snprintf(t->safety, sizeof(t->safety), "ok");
}

int tui_drives_scan(struct tui_drive **out, size_t *n)
{
	struct kesu_dev_identity *ids = NULL;
	struct kesu_errbuf eb = { 0 };
	size_t count = 0;
	int rc = kesu_dev_list(0, &ids, &count, &eb);

	*out = NULL;
	*n = 0;
	if (rc < 0)
		return rc;
	struct tui_drive *list = calloc(count ? count : 1, sizeof(*list));

	if (!list) {
		free(ids);
		return -ENOMEM;
	}
	for (size_t i = 0; i < count; i++) {
		list[i].id = ids[i];
		describe_safety(&list[i]);
		if (list[i].offered) {
			describe_capability(&list[i]);
			describe_contents(&list[i]);
		}
	}
	free(ids);
	*out = list;
	*n = count;
	return 0;
}
