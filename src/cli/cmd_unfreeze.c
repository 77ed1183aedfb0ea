/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * kesu unfreeze: suspend the machine to RAM for a few seconds so that frozen
 * ATA drives lose power, then say drive by drive whether security is still
 * frozen (the work is kesu_unfreeze_run(), unfreeze.h).
 */
#include <kesu/cli.h>
#include <kesu/parse.h>
#include <kesu/unfreeze.h>

#include <getopt.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct unfreeze_args {
	struct kesu_unfreeze_opts o;
	bool json;
};

static void usage(FILE *out)
{
	fputs("Usage: kesu unfreeze [DEVICE...] [--seconds N] [--force] [--always] [--json]\n\n"
	      "Most BIOSes freeze ATA security at boot, so that a security erase is refused.\n"
	      "A suspend to RAM usually cuts the drives' power, which clears the freeze: this\n"
	      "command suspends the machine for a few seconds (rtcwake -m mem), then reads\n"
	      "IDENTIFY again and reports, drive by drive, whether security is still frozen.\n"
	      "Without DEVICE every ATA drive is asked. Nothing is suspended when no drive is\n"
	      "frozen. It refuses on a machine without suspend to RAM, and on a system that\n"
	      "is not kesu's boot image unless --force.\n\n"
	      "Options:\n"
	      "  -s, --seconds N  the RTC wake-up after N seconds (1-300, default 5)\n"
	      "  -f, --force      suspend although this is not the boot image\n"
	      "  -a, --always     suspend even when no drive is frozen\n"
	      "  -J, --json       print JSON (keys in kesu-unfreeze(8))\n"
	      "  -h, --help       show this help\n\n"
	      "Exit status: 0 no drive is frozen (any more), 14 a drive is still frozen,\n"
	      "8 no suspend to RAM, 4 not the boot image, 10 the suspend failed.\n", out);
}

static int parse_args(int argc, char **argv, struct unfreeze_args *a)
{
	static const struct option longopts[] = {
		{ "seconds", required_argument, NULL, 's' },
		{ "force", no_argument, NULL, 'f' },
		{ "always", no_argument, NULL, 'a' },
		{ "json", no_argument, NULL, 'J' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	optind = 1;
	while ((c = getopt_long(argc, argv, "s:faJh", longopts, NULL)) != -1) {
		switch (c) {
		case 's':
			if (kesu_parse_uint(optarg, 1, 300, &a->o.seconds) < 0) {
				kesu_cli_error("--seconds: a number of seconds from 1 to 300, not '%s'", optarg);
				return -1;
			}
			break;
		case 'f': a->o.force = true; break;
		case 'a': a->o.always = true; break;
		case 'J': a->json = true; break;
		case 'h':
			usage(stdout);
			return 1;
		default:
			usage(stderr);
			return -1;
		}
	}
	a->o.paths = (const char *const *)argv + optind;
	a->o.npaths = (size_t)(argc - optind);
	return 0;
}

static const char *yes_no(bool b)
{
	return b ? "yes" : "no";
}

static void print_text(const struct kesu_unfreeze_report *r)
{
	size_t still = kesu_unfreeze_still_frozen(r);

	if (r->suspended)
		printf("Suspended to RAM and resumed (%s%s%s).\n", r->how,
		       r->mem_sleep[0] ? ", mem_sleep " : "", r->mem_sleep);
	if (r->warning[0])
		printf("warning: %s\n", r->warning);
	for (size_t i = 0; i < r->n; i++) {
		const struct kesu_unfreeze_drive *d = &r->drives[i];

		if (!d->ata) {
			printf("%-14s not asked: %s\n", d->path, d->note);
			continue;
		}
		printf("%-14s %-24s %-20s frozen before: %-3s", d->path, d->model, d->serial,
		       yes_no(d->frozen_before));
		if (!r->suspended)
			printf("\n");
		else if (!d->identified_after)
			printf(" after: ?    no answer after the resume: %s\n", d->note);
		else
			printf(" after: %-3s  %s\n", yes_no(d->frozen_after),
			       !d->frozen_before ? "" : d->frozen_after ? "STILL FROZEN" : "unfrozen");
	}
	if (!r->suspended)
		printf("%s: nothing was suspended.\n", r->n ? "No ATA drive is frozen" : "No ATA drive found");
	else if (still)
		printf("%zu drive%s still frozen: %s.\n", still, still == 1 ? " is" : "s are",
		       kesu_unfreeze_advice());
}

static int print_json(const struct kesu_unfreeze_report *r, int rc, const char *error)
{
	json_t *o = json_object(), *arr = json_array();
	char *text;

	if (!o || !arr) {
		json_decref(o);
		json_decref(arr);
		return -1;
	}
	for (size_t i = 0; i < r->n; i++) {
		const struct kesu_unfreeze_drive *d = &r->drives[i];

		json_array_append_new(arr, json_pack("{s:s, s:s, s:s, s:b, s:b, s:o, s:s}", "path", d->path,
						     "serial", d->serial, "model", d->model, "ata", d->ata,
						     "frozen_before", d->frozen_before, "frozen_after",
						     d->identified_after ? json_boolean(d->frozen_after) :
						     json_null(), "note", d->note));
	}
	json_object_set_new(o, "suspended", json_boolean(r->suspended));
	json_object_set_new(o, "how", json_string(r->how));
	json_object_set_new(o, "mem_sleep", json_string(r->mem_sleep));
	json_object_set_new(o, "warning", json_string(r->warning));
	json_object_set_new(o, "drives", arr);
	json_object_set_new(o, "still_frozen", json_integer((json_int_t)kesu_unfreeze_still_frozen(r)));
	json_object_set_new(o, "error", rc < 0 ? json_string(error) : json_null());
	json_object_set_new(o, "advice", json_string(kesu_unfreeze_advice()));
	text = json_dumps(o, JSON_INDENT(2));
	json_decref(o);
	if (!text)
		return -1;
	printf("%s\n", text);
	free(text);
	return 0;
}

int cmd_unfreeze(int argc, char **argv)
{
	struct unfreeze_args a;
	struct kesu_unfreeze_report r;
	struct kesu_errbuf eb = { "" };
	int rc, code;

	memset(&a, 0, sizeof(a));
	rc = parse_args(argc, argv, &a);
	if (rc)
		return rc > 0 ? KESU_EXIT_OK : KESU_EXIT_USAGE;
	rc = kesu_unfreeze_run(&a.o, &r, &eb);
	if (rc < 0)
		kesu_cli_error("%s", eb.msg[0] ? eb.msg : kesu_strerror(rc));
	code = rc < 0 ? kesu_exit_for(rc) : kesu_unfreeze_still_frozen(&r) ? KESU_EXIT_FROZEN : KESU_EXIT_OK;
	if (a.json) {
		if (print_json(&r, rc, eb.msg) < 0) {
			kesu_cli_error("out of memory");
			code = KESU_EXIT_IO;
		}
	} else if (rc == 0) {
		print_text(&r);
	}
	kesu_unfreeze_report_free(&r);
	return code;
}
