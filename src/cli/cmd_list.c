/* SPDX-License-Identifier: GPL-2.0-or-later */
/* kesu list: every whole-disk block device with identity and SAFETY. */
#include <kesu/cli.h>
#include <kesu/dev.h>
#include <kesu/safety.h>

#include "devout.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void usage(FILE *out)
{
	fputs("Usage: kesu list [--json] [--all]\n\n"
	      "List storage devices (whole disks) with identity and SAFETY.\n"
	      "SAFETY is 'ok' or why kesu refuses to erase the device: mounted, rootfs,\n"
	      "boot, swap, holders, read-only.\n\n"
	      "Options:\n"
	      "  -a, --all    also list partitions and empty devices (unattached loop\n"
	      "               devices, card readers without a card)\n"
	      "  -J, --json   print JSON (keys documented in kesu-list(8))\n"
	      "  -h, --help   show this help\n", out);
}

/* Safety of each device; NULL entries where the check itself failed. */
struct checked {
	struct kesu_safety safety;
	bool ok;
	char error[256];
};

static void check_all(const struct kesu_dev_identity *ids, size_t n, struct checked *c)
{
	for (size_t i = 0; i < n; i++) {
		struct kesu_errbuf eb = { "" };

		c[i].ok = kesu_safety_check(&ids[i], &c[i].safety, &eb) == 0;
		snprintf(c[i].error, sizeof(c[i].error), "%s", eb.msg);
	}
}

static int print_json(const struct kesu_dev_identity *ids, size_t n, const struct checked *c)
{
	json_t *root = json_object(), *arr = json_array();
	int rc = -ENOMEM;

	if (!root || !arr)
		goto out;
	for (size_t i = 0; i < n; i++) {
		json_t *o = devout_identity_json(&ids[i], c[i].ok ? &c[i].safety : NULL,
						 c[i].error);

		if (!o || json_array_append_new(arr, o) < 0)
			goto out;
	}
	if (json_object_set(root, "devices", arr) < 0)
		goto out;
	rc = devout_json_print(stdout, root);
out:
	json_decref(arr);
	json_decref(root);
	return rc;
}

static const char *media_kind(const struct kesu_dev_identity *id)
{
	if (id->transport == KESU_TR_LOOP)
		return "file";
	return id->rotational ? "hdd" : "ssd";
}

static int print_text(const struct kesu_dev_identity *ids, size_t n, const struct checked *c)
{
	static const char *const header[] = { "NAME", "TRAN", "SIZE", "MODEL", "SERIAL",
					       "MEDIA", "RM", "SAFETY" };
	struct devout_table t;
	int rc = devout_table_init(&t, 8, header);

	for (size_t i = 0; i < n && rc == 0; i++) {
		char size[32], safety[128];
		const char *row[8];

		devout_size_human(ids[i].size_bytes, size, sizeof(size));
		devout_safety_text(c[i].ok ? &c[i].safety : NULL, safety, sizeof(safety));
		row[0] = ids[i].name;
		row[1] = ids[i].transport == KESU_TR_UNKNOWN ? "" : kesu_transport_name(ids[i].transport);
		row[2] = size;
		row[3] = ids[i].model;
		row[4] = ids[i].serial;
		row[5] = media_kind(&ids[i]);
		row[6] = ids[i].removable ? "1" : "0";
		row[7] = safety;
		rc = devout_table_add(&t, row);
	}
	if (rc == 0)
		devout_table_print(stdout, &t, NULL);
	devout_table_free(&t);
	return rc;
}

int cmd_list(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "all", no_argument, NULL, 'a' },
		{ "json", no_argument, NULL, 'J' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct kesu_errbuf eb = { "" };
	struct kesu_dev_identity *ids = NULL;
	struct checked *c = NULL;
	unsigned flags = 0;
	bool json = false;
	size_t n = 0;
	int opt, rc;

	while ((opt = getopt_long(argc, argv, "aJh", opts, NULL)) != -1) {
		switch (opt) {
		case 'a': flags |= KESU_DEV_LIST_ALL; break;
		case 'J': json = true; break;
		case 'h': usage(stdout); return KESU_EXIT_OK;
		default: usage(stderr); return KESU_EXIT_USAGE;
		}
	}
	if (optind < argc) {
		kesu_cli_error("list takes no device; for one device use 'kesu info %s'", argv[optind]);
		return KESU_EXIT_USAGE;
	}
	rc = kesu_dev_list(flags, &ids, &n, &eb);
	if (rc < 0) {
		kesu_cli_error("%s", eb.msg[0] ? eb.msg : kesu_strerror(rc));
		return kesu_exit_for(rc);
	}
	c = calloc(n ? n : 1, sizeof(*c));
	if (!c) {
		rc = -ENOMEM;
		goto out;
	}
	check_all(ids, n, c);
	rc = json ? print_json(ids, n, c) : print_text(ids, n, c);
out:
	free(c);
	free(ids);
	if (rc < 0) {
		kesu_cli_error("list: %s", kesu_strerror(rc));
		return kesu_exit_for(rc);
	}
	return KESU_EXIT_OK;
}
