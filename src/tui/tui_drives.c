/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The TUI's drive list: identity from kesu_dev_list, safety from the safety
 * module, capability from a read-only probe and the `auto` choice. */
#include "tui.h"

#include <kesu/drive.h>
#include <kesu/err.h>
#include <kesu/methods.h>
#include <kesu/safety.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void describe_capability(struct tui_drive *t)
{
	struct kesu_drive d;
	char why[256] = "";
	int fd = open(t->id.path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);

	memset(&d, 0, sizeof(d));
	if (fd >= 0) {
		(void)kesu_drive_probe(fd, &t->id, &d);
		close(fd);
	} else {
		d.media = kesu_media_classify(&t->id, &d);
	}
	enum kesu_method m = kesu_method_auto(&d, why, sizeof(why));
	struct kesu_method_eval ev;

	kesu_method_evaluate(&d, m, &ev);
	snprintf(t->capability, sizeof(t->capability), "%s, auto: %s (%s)%s", kesu_media_name(d.media),
		 kesu_method_name(m), kesu_nist_class_name(ev.nist_class), ev.ready ? "" : " blocked");
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
		if (list[i].offered)
			describe_capability(&list[i]);
	}
	free(ids);
	*out = list;
	*n = count;
	return 0;
}
