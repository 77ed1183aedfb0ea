/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * kesu verify: read a wiped device back and compare it with what the wipe
 * wrote, so that a second person can check the work without trusting the
 * first run. It opens the device read-only and writes nothing.
 */
#include "cli_options.h"
#include "progress_out.h"

#include <kesu/cli.h>
#include <kesu/overwrite.h>
#include <kesu/parse.h>
#include <kesu/record.h>
#include <kesu/safety.h>
#include <kesu/target.h>
#include <kesu/util.h>

#include <errno.h>
#include <getopt.h>
#include <jansson.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static volatile sig_atomic_t verify_stop;

static void on_signal(int sig)
{
	(void)sig;
	verify_stop = 1;
}

struct verify_args {
	const char *device;
	const char *expect;
	enum kesu_verify_mode mode;
	uint64_t seed;
	int seed_set, json, json_progress, quiet;
};

static void usage(FILE *out)
{
	fputs("Usage: kesu verify DEVICE --expect PATTERN [--full|--sample] [--seed S] [--json]\n\n"
	      "Read DEVICE back (bypassing the page cache) and compare it with PATTERN.\n"
	      "Writes nothing. Exit 0 only when every byte checked matches.\n\n"
	      "Options:\n"
	      "  -e, --expect PATTERN   zero, one, 0xHH..., random:KEY or random-complement:KEY\n"
	      "                         (the record's verification.expect)\n"
	      "      --full             read every byte\n"
	      "      --sample           the sample plan of kesu-wipe(8) (default)\n"
	      "      --seed S           the sample plan's seed (the record's\n"
	      "                         verification.plan.seed reads the same regions again)\n"
	      "  -J, --json             print the result as JSON on stdout\n"
	      "      --json-progress    progress as JSON lines on stderr\n"
	      "  -q, --quiet            no progress output\n"
	      "  -h, --help             show this help\n\n"
	      "Exit: 0 matches, 1 differs or unreadable sectors, 9 interrupted.\n"
	      "See kesu-verify(8).\n",
	      out);
}

enum { OPT_FULL = 256, OPT_SAMPLE, OPT_SEED, OPT_JSON_PROGRESS };

static int parse_args(int argc, char **argv, struct verify_args *a)
{
	static const struct option longopts[] = {
		{ "expect",        required_argument, NULL, 'e' },
		{ "full",          no_argument,       NULL, OPT_FULL },
		{ "help",          no_argument,       NULL, 'h' },
		CLI_OPTION_JSON,
		{ "json-progress", no_argument,       NULL, OPT_JSON_PROGRESS },
		{ "quiet",         no_argument,       NULL, 'q' },
		{ "sample",        no_argument,       NULL, OPT_SAMPLE },
		{ "seed",          required_argument, NULL, OPT_SEED },
		{ NULL, 0, NULL, 0 },
	};
	uint64_t seed;
	int c;

	a->mode = KESU_VERIFY_SAMPLE;
	optind = 1;
	while ((c = getopt_long(argc, argv, "he:qJ", longopts, NULL)) != -1) {
		switch (c) {
		case 'h':
			usage(stdout);
			return 1;
		case 'e': a->expect = optarg; break;
		case 'q': a->quiet = 1; break;
		case OPT_FULL: a->mode = KESU_VERIFY_FULL; break;
		case OPT_SAMPLE: a->mode = KESU_VERIFY_SAMPLE; break;
		case CLI_OPT_JSON: a->json = 1; break;
		case OPT_JSON_PROGRESS: a->json_progress = 1; break;
		case OPT_SEED:
			if (kesu_parse_u64(optarg, 0, UINT64_MAX, &seed) < 0) {
				kesu_cli_error("--seed takes a decimal number, not '%s'", optarg);
				return -1;
			}
			a->seed = seed;
			a->seed_set = 1;
			break;
		default:
			fputs("Try 'kesu verify --help'.\n", stderr);
			return -1;
		}
	}
	if (optind != argc - 1) {
		kesu_cli_error("give exactly one DEVICE; see 'kesu verify --help'");
		return -1;
	}
	if (!a->expect) {
		kesu_cli_error("--expect is required: the pattern the device should hold (the wipe "
			       "record's verification.expect)");
		return -1;
	}
	a->device = argv[optind];
	return 0;
}

static void print_human(const struct kesu_target *t, const struct verify_args *a,
			const struct kesu_result *r, int rc)
{
	const struct kesu_verify_plan *p = &r->plan;
	uint32_t sec = t->id.logical_sector_size;
	size_t i;

	if (rc == -KESU_E_INTERRUPTED)
		printf("%s: INTERRUPTED after %llu bytes checked\n", t->id.path,
		       (unsigned long long)r->bytes_checked);
	else
		printf("%s: %s %s\n", t->id.path,
		       strcmp(r->verify_result, "passed") ? "DIFFERS FROM" : "MATCHES", a->expect);
	if (p->mode == KESU_VERIFY_SAMPLE)
		printf("  plan: sample, seed %llu: first/last %llu bytes, %llu sections x %llu samples "
		       "of %llu bytes (%.2f%% of the device)\n", (unsigned long long)p->seed,
		       (unsigned long long)p->first_bytes, (unsigned long long)p->sections,
		       (unsigned long long)p->samples_per_section, (unsigned long long)p->sample_bytes,
		       (double)p->coverage_ppm / 1e4);
	else
		printf("  plan: full (%llu bytes)\n", (unsigned long long)p->planned_bytes);
	printf("  checked: %llu bytes in %llu ms\n", (unsigned long long)r->bytes_checked,
	       (unsigned long long)r->duration_ms);
	for (i = 0; i < r->n_mismatches; i++)
		printf("  mismatch: bytes %llu-%llu (LBA %llu, %llu sectors)\n",
		       (unsigned long long)r->mismatches[i].offset,
		       (unsigned long long)(r->mismatches[i].offset + r->mismatches[i].length - 1),
		       (unsigned long long)(r->mismatches[i].offset / sec),
		       (unsigned long long)(r->mismatches[i].length / sec));
	if (r->mismatches_dropped)
		printf("  ... and %zu more mismatching ranges\n", r->mismatches_dropped);
	for (i = 0; i < r->n_bad; i++)
		printf("  unreadable: LBA %llu, %llu sectors\n", (unsigned long long)r->bad[i].first_lba,
		       (unsigned long long)r->bad[i].sectors);
	if (r->bad_not_listed[KESU_OP_READ])
		printf("  ... and %zu more unreadable ranges\n", r->bad_not_listed[KESU_OP_READ]);
	if (r->bad_sectors[KESU_OP_READ])
		printf("  unreadable: %llu sectors in all\n",
		       (unsigned long long)r->bad_sectors[KESU_OP_READ]);
}

static void print_json(const struct kesu_target *t, const struct verify_args *a,
		       const struct kesu_result *r, int rc)
{
	json_t *mm = json_array(), *bad = json_array(), *plan = kesu_record_plan_json(&r->plan), *doc;
	uint32_t sec = t->id.logical_sector_size;
	char seed[24], *text;
	size_t i;

	snprintf(seed, sizeof(seed), "%llu", (unsigned long long)r->plan.seed);
	if (plan)
		json_object_set_new(plan, "seed", json_string(r->plan.mode == KESU_VERIFY_SAMPLE ?
							      seed : ""));
	for (i = 0; i < r->n_mismatches; i++)
		json_array_append_new(mm, json_pack("{s:I, s:I, s:I, s:I}",
			"offset", (json_int_t)r->mismatches[i].offset,
			"length", (json_int_t)r->mismatches[i].length,
			"first_lba", (json_int_t)(r->mismatches[i].offset / sec),
			"sectors", (json_int_t)(r->mismatches[i].length / sec)));
	for (i = 0; i < r->n_bad; i++)
		json_array_append_new(bad, json_pack("{s:I, s:I, s:s}",
			"first_lba", (json_int_t)r->bad[i].first_lba,
			"sectors", (json_int_t)r->bad[i].sectors, "op", "read"));
	doc = json_pack("{s:s, s:s, s:s, s:o, s:s, s:I, s:o, s:I, s:I, s:o, s:I, s:I, "
			"s:{s:I, s:I}}",
			"device", t->id.path, "expect", a->expect,
			"mode", kesu_verify_mode_name(r->plan.mode), "plan", plan ? plan : json_object(),
			"result", rc == -KESU_E_INTERRUPTED ? "interrupted" : r->verify_result,
			"bytes_checked", (json_int_t)r->bytes_checked, "mismatches", mm,
			"mismatched_bytes", (json_int_t)r->mismatched_bytes,
			"mismatches_not_listed", (json_int_t)r->mismatches_dropped,
			"bad_ranges", bad, "duration_ms", (json_int_t)r->duration_ms,
			"bad_ranges_not_listed", (json_int_t)r->bad_not_listed[KESU_OP_READ],
			"bad_sectors", "read", (json_int_t)r->bad_sectors[KESU_OP_READ],
			"write", (json_int_t)0);
	text = doc ? json_dumps(doc, JSON_SORT_KEYS | JSON_INDENT(2)) : NULL;
	if (text)
		puts(text);
	free(text);
	json_decref(doc);
}

/* The tick runs in this thread: update the slot and print when due. */
static void verify_progress(const struct kesu_progress *p, void *arg)
{
	struct progress_slot *slot = arg;

	progress_board_update(p, slot);
	progress_board_print(slot->board, false);
}

static int run_verify(struct kesu_target *t, const struct verify_args *a,
		      const struct kesu_pattern *expect, struct kesu_result *r,
		      struct kesu_errbuf *eb)
{
	struct progress_board board;
	struct kesu_run run = { .verify = a->mode, .seed = a->seed, .seed_set = a->seed_set,
				.stop = &verify_stop, .progress = verify_progress };
	struct sigaction sa;
	int rc;

	rc = kesu_verify_plan_build(run.verify, t->id.size_bytes, t->id.logical_sector_size,
				    run.seed, run.seed_set, &r->plan, eb);
	if (rc < 0)
		return rc;
	if (progress_board_init(&board, 1, a->json_progress, a->quiet) < 0)
		return -ENOMEM;
	snprintf(board.slots[0].name, sizeof(board.slots[0].name), "%s", t->id.name);
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	/* Progress is printed from the tick, which runs in this thread. */
	run.progress_arg = &board.slots[0];
	rc = kesu_verify_device(t, expect, &r->plan, &run, r, eb);
	progress_board_finish(&board.slots[0]);
	progress_board_print(&board, true);
	progress_board_end(&board);
	progress_board_free(&board);
	return rc;
}

int cmd_verify(int argc, char **argv)
{
	struct verify_args a = { 0 };
	struct kesu_target t = { .fd = -1 };
	struct kesu_pattern expect;
	struct kesu_result r;
	struct kesu_errbuf eb = { { 0 } };
	int rc, code;

	rc = parse_args(argc, argv, &a);
	if (rc)
		return rc > 0 ? KESU_EXIT_OK : KESU_EXIT_USAGE;
	if (kesu_pattern_parse(a.expect, &expect, &eb) < 0 ||
	    (expect.kind == KESU_PAT_RANDOM && !expect.has_key)) {
		kesu_cli_error("%s", eb.msg[0] ? eb.msg : "--expect random needs its key: "
			       "random:KEY (the record's method.random_key)");
		return KESU_EXIT_USAGE;
	}
	if (kesu_result_init(&r) < 0)
		return KESU_EXIT_IO;
	rc = kesu_target_open_medium(a.device, KESU_TARGET_READONLY, &t, &eb);
	if (rc < 0) {
		kesu_cli_error("%s", eb.msg[0] ? eb.msg : kesu_strerror(rc));
		code = kesu_exit_for(rc);
		goto out;
	}
	rc = run_verify(&t, &a, &expect, &r, &eb);
	if (rc < 0 && rc != -KESU_E_INTERRUPTED) {
		kesu_cli_error("%s: %s", t.id.path, eb.msg[0] ? eb.msg : kesu_strerror(rc));
		code = kesu_exit_for(rc);
		goto out;
	}
	if (a.json)
		print_json(&t, &a, &r, rc);
	else
		print_human(&t, &a, &r, rc);
	if (rc == -KESU_E_INTERRUPTED)
		code = KESU_EXIT_INTERRUPTED;
	else
		code = strcmp(r.verify_result, "passed") ? KESU_EXIT_FAILURE : KESU_EXIT_OK;
out:
	kesu_target_close(&t);
	kesu_result_release(&r);
	return code;
}
