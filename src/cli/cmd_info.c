/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * kesu info: everything kesu knows about one device. Identity and safety
 * (sysfs), partitions and filesystems (libblkid), then the sections that
 * come from the drive itself (info_fw.h).
 */
#include <kesu/cli.h>
#include <kesu/dev.h>
#include <kesu/probe.h>
#include <kesu/safety.h>

#include "devout.h"
#include "info_fw.h"

#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

static void usage(FILE *out)
{
	fputs("Usage: kesu info DEVICE [--json]\n\n"
	      "Show everything kesu knows about one whole disk (/dev/sdb, sdb) or disk image:\n"
	      "identity, sector sizes, discard, safety, partition table and filesystems,\n"
	      "and what the drive itself reports (ATA/NVMe) with the erase methods it supports.\n\n"
	      "Options:\n"
	      "  -J, --json   print JSON (keys documented in kesu-info(8))\n"
	      "  -h, --help   show this help\n", out);
}

/* Everything the sysfs/libblkid sections show, gathered before printing. */
struct info {
	struct kesu_dev_identity id;
	struct kesu_safety safety;
	bool safety_ok;
	struct kesu_errbuf safety_eb;
	struct kesu_probe_result probe;
	bool probe_ok;
	struct kesu_errbuf probe_eb;
	struct kesu_name_list namespaces; /* NVMe: every namespace of the controller */
	struct kesu_safety controller_safety;
	bool controller_ok;
};

static const char *yes_no(bool b)
{
	return b ? "yes" : "no";
}

static const char *or_dash(const char *s)
{
	return s && *s ? s : "-";
}

/* NVMe Sanitize and some Formats erase every namespace: say which those are. */
static void print_namespaces(const struct info *in)
{
	char safety[128];

	if (in->namespaces.n < 2)
		return;
	printf("  %-17s", "namespaces");
	for (size_t i = 0; i < in->namespaces.n; i++)
		printf("%s%s", i ? ", " : " ", in->namespaces.names[i]);
	putchar('\n');
	devout_safety_text(in->controller_ok ? &in->controller_safety : NULL, safety,
			   sizeof(safety));
	printf("  %-17s %s%s%s\n", "controller safety", safety,
	       in->controller_ok && in->controller_safety.reasons ? ": " : "",
	       in->controller_ok ? in->controller_safety.detail : "");
}

static void print_identity(const struct info *in)
{
	const struct kesu_dev_identity *id = &in->id;
	char size[32], safety[128];

	devout_size_human(id->size_bytes, size, sizeof(size));
	printf("%s\n", id->path);
	printf("  %-17s %s\n", "name", id->name);
	printf("  %-17s %s\n", "transport", kesu_transport_name(id->transport));
	printf("  %-17s %" PRIu64 " bytes (%s)\n", "size", id->size_bytes, size);
	printf("  %-17s %s\n", "vendor", or_dash(id->vendor));
	printf("  %-17s %s\n", "model", or_dash(id->model));
	printf("  %-17s %s\n", "serial", or_dash(id->serial));
	printf("  %-17s %s\n", "firmware", or_dash(id->firmware));
	if (id->wwid[0])
		printf("  %-17s %s\n", "wwid", id->wwid);
	if (id->backing_file[0])
		printf("  %-17s %s\n", "backing file", id->backing_file);
	if (!id->is_image)
		printf("  %-17s %u:%u\n", "major:minor", id->major, id->minor);
	printf("  %-17s %u logical, %u physical\n", "sector size", id->logical_sector_size,
	       id->physical_sector_size);
	if (id->discard_max_bytes)
		printf("  %-17s yes, up to %" PRIu64 " bytes per request\n", "discard",
		       id->discard_max_bytes);
	else
		printf("  %-17s no\n", "discard");
	printf("  %-17s %s\n", "rotational", yes_no(id->rotational));
	printf("  %-17s %s\n", "removable", yes_no(id->removable));
	printf("  %-17s %s\n", "read-only", yes_no(id->readonly));
	print_namespaces(in);
	devout_safety_text(in->safety_ok ? &in->safety : NULL, safety, sizeof(safety));
	if (!in->safety_ok)
		printf("  %-17s unknown: %s\n", "safety", in->safety_eb.msg);
	else if (in->safety.reasons)
		printf("  %-17s %s: %s\n", "safety", safety, in->safety.detail);
	else
		printf("  %-17s ok\n", "safety");
}

/* "ext4, label "data", UUID ..." */
static void fs_text(const struct kesu_probe_fs *fs, char *buf, size_t len)
{
	size_t used = (size_t)snprintf(buf, len, "%s", fs->type);

	if (fs->label[0] && used < len)
		used += (size_t)snprintf(buf + used, len - used, ", label \"%s\"", fs->label);
	if (fs->uuid[0] && used < len)
		snprintf(buf + used, len - used, ", UUID %s", fs->uuid);
}

static int print_partitions(const struct kesu_probe_result *p)
{
	static const char *const header[] = { "NR", "START", "SIZE", "TYPE", "NAME",
					       "FSTYPE", "LABEL", "UUID" };
	struct devout_table t;
	int rc;

	printf("\nPartition table: %s%s%s\n", p->pttype, p->ptuuid[0] ? ", id " : "", p->ptuuid);
	if (!p->nparts) {
		printf("  (no partitions)\n");
		return 0;
	}
	rc = devout_table_init(&t, 8, header);
	for (size_t i = 0; i < p->nparts && rc == 0; i++) {
		const struct kesu_probe_part *pt = &p->parts[i];
		char nr[16], start[32], size[32];
		const char *row[8];

		snprintf(nr, sizeof(nr), "%d", pt->number);
		snprintf(start, sizeof(start), "%" PRIu64, pt->start);
		devout_size_human(pt->size, size, sizeof(size));
		row[0] = nr;
		row[1] = start;
		row[2] = size;
		row[3] = kesu_probe_part_type_name(pt->type) ? kesu_probe_part_type_name(pt->type)
							      : pt->type;
		row[4] = pt->name;
		row[5] = pt->fs.type;
		row[6] = pt->fs.label;
		row[7] = pt->fs.uuid;
		rc = devout_table_add(&t, row);
	}
	if (rc == 0)
		devout_table_print(stdout, &t, "  ");
	devout_table_free(&t);
	return rc;
}

static int print_text(const struct info *in)
{
	char fs[512];
	int rc = 0;

	print_identity(in);
	if (!in->probe_ok) {
		printf("\nPartitions and filesystems: unknown (%s)\n", in->probe_eb.msg);
	} else {
		if (in->probe.pttype[0])
			rc = print_partitions(&in->probe);
		if (in->probe.fs.present) {
			fs_text(&in->probe.fs, fs, sizeof(fs));
			printf("\nSignature on the whole device: %s\n", fs);
		}
		if (!in->probe.pttype[0] && !in->probe.fs.present)
			printf("\nPartitions and filesystems: none found\n");
	}
	if (rc == 0) {
		putchar('\n');
		rc = info_fw_print(stdout, &in->id);
	}
	return rc;
}

static json_t *fs_json(const struct kesu_probe_fs *fs)
{
	if (!fs->present)
		return json_null();
	return json_pack("{s:s, s:s?, s:s?, s:s?}", "type", fs->type,
			 "label", fs->label[0] ? fs->label : NULL,
			 "uuid", fs->uuid[0] ? fs->uuid : NULL,
			 "usage", fs->usage[0] ? fs->usage : NULL);
}

static json_t *table_json(const struct kesu_probe_result *p)
{
	json_t *parts = json_array();

	if (!parts)
		return NULL;
	for (size_t i = 0; i < p->nparts; i++) {
		const struct kesu_probe_part *pt = &p->parts[i];
		json_t *o = json_pack("{s:i, s:I, s:I, s:s, s:s?, s:s?, s:s?, s:b, s:o}",
				      "number", pt->number, "start", (json_int_t)pt->start,
				      "size", (json_int_t)pt->size, "type", pt->type,
				      "type_name", kesu_probe_part_type_name(pt->type),
				      "name", pt->name[0] ? pt->name : NULL,
				      "uuid", pt->uuid[0] ? pt->uuid : NULL,
				      "extended", pt->extended, "filesystem", fs_json(&pt->fs));

		if (!o || json_array_append_new(parts, o) < 0) {
			json_decref(parts);
			return NULL;
		}
	}
	return json_pack("{s:s, s:s?, s:o}", "type", p->pttype,
			 "uuid", p->ptuuid[0] ? p->ptuuid : NULL, "partitions", parts);
}

/* "controller_namespaces" and "controller_safety": null unless NVMe. */
static int add_namespaces_json(json_t *root, const struct info *in)
{
	json_t *arr, *reasons;

	if (in->id.transport != KESU_TR_NVME || !in->namespaces.n)
		return json_object_set_new(root, "controller_namespaces", json_null()) |
		       json_object_set_new(root, "controller_safety", json_null());
	arr = json_array();
	reasons = in->controller_ok ? json_array() : json_null();
	if (!arr || !reasons) {
		json_decref(arr);
		json_decref(reasons);
		return -1;
	}
	for (size_t i = 0; i < in->namespaces.n; i++)
		json_array_append_new(arr, json_string(in->namespaces.names[i]));
	for (unsigned bit = 1; in->controller_ok && bit; bit <<= 1)
		if (in->controller_safety.reasons & bit)
			json_array_append_new(reasons, json_string(kesu_unsafe_name(bit)));
	return json_object_set_new(root, "controller_namespaces", arr) |
	       json_object_set_new(root, "controller_safety", reasons);
}

static int print_json(const struct info *in)
{
	json_t *root = devout_identity_json(&in->id, in->safety_ok ? &in->safety : NULL,
					    in->safety_eb.msg);
	int rc = -ENOMEM;

	if (!root)
		return -ENOMEM;
	if (!in->probe_ok) {
		if (json_object_set_new(root, "partition_table", json_null()) < 0 ||
		    json_object_set_new(root, "filesystem", json_null()) < 0 ||
		    json_object_set_new(root, "probe_error", json_string(in->probe_eb.msg)) < 0)
			goto out;
	} else {
		json_t *pt = in->probe.pttype[0] ? table_json(&in->probe) : json_null();

		if (!pt || json_object_set_new(root, "partition_table", pt) < 0 ||
		    json_object_set_new(root, "filesystem", fs_json(&in->probe.fs)) < 0 ||
		    json_object_set_new(root, "probe_error", json_null()) < 0)
			goto out;
	}
	if (add_namespaces_json(root, in) < 0)
		goto out;
	rc = info_fw_json(root, &in->id);
	if (rc == 0)
		rc = devout_json_print(stdout, root);
out:
	json_decref(root);
	return rc;
}

static int gather(const char *path, struct info *in)
{
	struct kesu_errbuf eb = { "" };
	int rc = kesu_dev_identify(path, true, &in->id, &eb);

	if (rc < 0) {
		kesu_cli_error("%s", eb.msg[0] ? eb.msg : kesu_strerror(rc));
		return rc;
	}
	if (in->id.is_partition) {
		kesu_cli_error("%s is partition %d of /dev/%s; kesu works on whole disks: "
			       "kesu info /dev/%s", path, in->id.partition_number, in->id.parent,
			       in->id.parent);
		return -KESU_E_PARTITION;
	}
	in->safety_ok = kesu_safety_check(&in->id, &in->safety, &in->safety_eb) == 0;
	in->probe_ok = kesu_probe(in->id.path, &in->probe, &in->probe_eb) == 0;
	if (in->id.transport == KESU_TR_NVME &&
	    kesu_dev_controller_namespaces(in->id.name, &in->namespaces) == 0)
		in->controller_ok = kesu_safety_check_controller(&in->id, &in->controller_safety,
								 NULL) == 0;
	return 0;
}

int cmd_info(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'J' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	static struct info in; /* large (paths); one per process */
	bool json = false;
	int opt, rc;

	while ((opt = getopt_long(argc, argv, "Jh", opts, NULL)) != -1) {
		switch (opt) {
		case 'J': json = true; break;
		case 'h': usage(stdout); return KESU_EXIT_OK;
		default: usage(stderr); return KESU_EXIT_USAGE;
		}
	}
	if (optind + 1 != argc) {
		kesu_cli_error(optind >= argc ? "info needs a DEVICE; see 'kesu list'"
					      : "info takes one DEVICE");
		usage(stderr);
		return KESU_EXIT_USAGE;
	}
	rc = gather(argv[optind], &in);
	if (rc < 0)
		return kesu_exit_for(rc);
	rc = json ? print_json(&in) : print_text(&in);
	kesu_probe_free(&in.probe);
	kesu_name_list_free(&in.namespaces);
	if (rc < 0) {
		kesu_cli_error("info %s: %s", argv[optind], kesu_strerror(rc));
		return kesu_exit_for(rc);
	}
	return KESU_EXIT_OK;
}
