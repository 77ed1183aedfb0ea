/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * kesu wipe: erase devices, verify, and write a result record per device.
 *
 * The command parses, asks, starts one worker thread per wipe job (one
 * medium: struct wipe_job) and prints; the erase itself is the method's
 * (src/erase, the methods' table in methods.h).
 */
#include "cli_options.h"
#include "devout.h"
#include "progress_out.h"
#include "wipe_fw.h"
#include "wipe_evidence.h"

#include <kesu/clock.h>
#include <kesu/firmware.h>
#include <kesu/cli.h>
#include <kesu/journal.h>
#include <kesu/methods.h>
#include <kesu/overwrite.h>
#include <kesu/record.h>
#include <kesu/safety.h>
#include <kesu/target.h>
#include <kesu/parse.h>
#include <kesu/text.h>
#include <kesu/util.h>

#include <errno.h>
#include <getopt.h>
#include <jansson.h>
#include <libgen.h>
#include <limits.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define DEFAULT_OUT "kesu-evidence"

static volatile sig_atomic_t stop_requested;

static void on_stop_signal(int sig)
{
	(void)sig;
	stop_requested = 1;
}

struct wipe_args {
	struct wipe_fw_args fw;      /* --method and what it takes: pattern, passes (0: the
					device's default), --unhide, --stall-timeout */
	int final_zero;
	enum kesu_verify_mode verify;
	int yes, dry_run, json, json_progress, quiet;
	const char *out_dir;
	const char *resume;
	/* TCG revert keys (a->fw points here): never printed, never in the record; wiped before exit */
	char psid[KESU_OPAL_PSID_LEN + 1];
	uint8_t password[WIPE_FW_PASSWORD_MAX + 1];
	unsigned threads;
	uint64_t chunk;
	struct wipe_evidence_args evidence;
};

/* How one phase of a wipe job ended: 0, or a negative error with its sentence. */
struct wipe_phase {
	int rc;
	struct kesu_errbuf eb;
};

/*
 * One medium's wipe, in the order it happens: the target named and held, the
 * plan for it, the erase's outcome, how each phase ended (the erase, its
 * record, the certificate, the ledger link), and the evidence files they left.
 */
struct wipe_job {
	struct {
		const char *arg;              /* as named on the command line (or the journal) */
		struct kesu_target t;         /* held O_EXCL; t.drive: what the drive says it is */
		bool opened;
	} target;
	struct {
		struct kesu_run run;          /* every method's part (run.h), filled once */
		struct kesu_overwrite_opts o; /* the overwrite (also when auto chose it) */
		struct wipe_fw fw;            /* firmware methods and auto */
		struct kesu_journal resume;   /* --resume: the journal it continues */
	} plan;
	struct kesu_result result;        /* the erase's outcome, what the record says */
	bool result_init;
	struct wipe_phase erase;          /* rc < 0: the erase could not run */
	struct wipe_phase record, cert, attach;
	struct {
		char journal[PATH_MAX];
		char record[PATH_MAX];
		char cert_id[KESU_CERT_ID_MAX];
		char cert[PATH_MAX];
	} evidence;
	/* The run: the options, the signer and ledger shared by every job, progress, the worker. */
	const struct wipe_args *a;
	struct wipe_evidence *signing;
	struct progress_slot *slot;
	pthread_t tid;
	bool started;
};

/* ---- methods ---- */

/*
 * The pass rule (methods.h) for t's device, by what the drive says it is
 * (t->drive, asked when the target was opened or probed: target.h): the same
 * number as kesu info shows.
 */
static unsigned default_passes(const struct kesu_target *t)
{
	return kesu_method_default_passes(&t->drive);
}

/* A locked self-encrypting drive refuses the overwrite before anything is written. */
static int sed_refusal(const struct kesu_target *t, struct kesu_errbuf *eb)
{
	return kesu_fw_sed_check(t->id.path, &t->drive, KESU_METHOD_OVERWRITE, eb);
}

/* What the command line asks of every method (run.h); the rest of a run is the job's. */
static void run_from_args(struct kesu_run *run, const struct wipe_args *a)
{
	run->verify = a->verify;
	run->operator_name = a->evidence.operator_name;
}

/* The overwrite the command line asks for on t (a random pattern gets its key later). */
static int overwrite_from_args(struct kesu_overwrite_opts *o, const struct wipe_args *a,
			       const struct kesu_target *t, struct kesu_errbuf *eb)
{
	int rc = kesu_pattern_parse(a->fw.pattern ? a->fw.pattern : "random", &o->pattern, eb);

	if (rc == 0 && o->pattern.kind == KESU_PAT_RANDOM && o->pattern.has_key)
		rc = kesu_err_set(eb, -KESU_E_BAD_INPUT, "--pattern takes random, zero, one or "
				  "0xHH...; a key is made fresh for every wipe");
	if (rc < 0)
		return rc;
	o->passes = a->fw.passes ? a->fw.passes : default_passes(t);
	o->final_zero = a->final_zero;
	return 0;
}

static int overwrite_plan(struct wipe_job *job, const struct wipe_args *a, struct kesu_errbuf *eb)
{
	struct kesu_overwrite_opts *o = &job->plan.o;
	int rc;

	o->run = &job->plan.run;
	o->threads = a->threads;
	o->chunk = (size_t)a->chunk;
	if (a->resume)
		return 0; /* pattern, passes and final zero came from the journal */
	rc = sed_refusal(&job->target.t, eb);
	if (rc < 0)
		return rc;
	rc = overwrite_from_args(o, a, &job->target.t, eb);
	if (rc == 0 && o->pattern.kind == KESU_PAT_RANDOM)
		rc = kesu_pattern_new_key(&o->pattern, eb);
	return rc;
}

static int overwrite_run(struct wipe_job *job, struct kesu_errbuf *eb)
{
	return kesu_overwrite_run(&job->target.t, &job->plan.o, &job->result, job->evidence.journal,
				  sizeof(job->evidence.journal), eb);
}

/* Firmware methods and auto (wipe_fw.h); auto may choose the overwrite. */
static int firmware_plan(struct wipe_job *job, const struct wipe_args *a, struct kesu_errbuf *eb)
{
	int rc = wipe_fw_plan(&job->plan.fw, &job->target.t, &job->plan.run, &a->fw, eb);

	if (rc < 0 || job->plan.fw.firmware)
		return rc;
	return overwrite_plan(job, a, eb);
}

static int firmware_run(struct wipe_job *job, struct kesu_errbuf *eb)
{
	int rc;

	if (!job->plan.fw.firmware) {
		rc = overwrite_run(job, eb);
		if (rc == 0)
			kesu_result_add_reason(&job->result, "auto: %s", job->plan.fw.why);
		return rc;
	}
	return kesu_fw_run(&job->target.t, &job->plan.fw.drv, &job->plan.fw.o, &job->result, eb);
}

/* The job's progress goes to its slot on the board (given when the jobs start). */
static void job_progress(const struct kesu_progress *p, void *arg)
{
	const struct wipe_job *job = arg;

	progress_board_update(p, job->slot);
}

/*
 * Plan a job's erase on its opened target. The run context is filled here,
 * once: the command line's verification and operator (a resumed wipe's came
 * from its journal), the stop flag, the job's progress. Then a firmware
 * method or auto (which may choose the overwrite), else the overwrite.
 */
static int job_plan(struct wipe_job *job, const struct wipe_args *a, struct kesu_errbuf *eb)
{
	struct kesu_run *run = &job->plan.run;

	if (!a->resume)
		run_from_args(run, a);
	run->stop = &stop_requested;
	run->progress = job_progress;
	run->progress_arg = job;
	return wipe_fw_handles(a->fw.method) ? firmware_plan(job, a, eb) : overwrite_plan(job, a, eb);
}

/* Erase; fill job->result. 0 when it reached an outcome. */
static int job_run(struct wipe_job *job, struct kesu_errbuf *eb)
{
	return wipe_fw_handles(job->a->fw.method) ? firmware_run(job, eb) : overwrite_run(job, eb);
}

static bool method_known(const char *name)
{
	return !strcmp(name, kesu_method_name(KESU_METHOD_OVERWRITE)) || wipe_fw_handles(name);
}

/* ---- options ---- */

static void usage(FILE *out)
{
	fputs("Usage: kesu wipe [OPTIONS] DEVICE...\n"
	      "       kesu wipe --resume JOURNAL [OPTIONS] [DEVICE]\n\n"
	      "Erase whole disks (or disk image files), read back to verify, and write a\n"
	      "result record per device into the evidence directory.\n\n"
	      "Options:\n"
	      "  -m, --method NAME       erase method: overwrite (default), auto (the strongest\n"
	      "                          Purge the drive supports, else overwrite), or a\n"
	      "                          firmware method (listed below)\n"
	      "  -p, --pattern P         random (default: AES-128-CTR), zero, one, 0xHH...\n"
	      "  -n, --passes N          passes (default 1; 2 for USB flash and memory cards);\n"
	      "                          even-numbered passes write the complement\n"
	      "  -z, --final-zero        finish with a pass of zeros (verified instead)\n"
	      "  -v, --verify MODE       sample (default), full or none\n"
	      "  -y, --yes               do not ask for confirmation\n"
	      "  -o, --out DIR           evidence directory, made 0700\n"
	      "                          (default ./" DEFAULT_OUT ")\n"
	      "  -O, --operator NAME     the person performing the erase: the record's and the\n"
	      "                          certificate's 氏名 (over the config's [operator] name)\n"
	      "      --witness NAME      the witness (立会者) for the record and certificate\n"
	      "                          (default: the --media-id entry's 立会者)\n"
	      "  -c, --config FILE       configuration (default /etc/kesu/kesu.conf)\n"
	      "      --key FILE          signing key (default [signing] key, else the key\n"
	      "                          directory's signer.key); see kesu-cert(8)\n"
	      "      --signer-cert FILE  signer certificate (default [signing] cert)\n"
	      "      --chain FILE        intermediate certificates (default [signing] chain)\n"
	      "      --passphrase-file F the signing key's passphrase, first line of F\n"
	      "      --no-cert           write result records only, no certificate\n"
	      "      --media-id ID       the ledger entry of this medium: link its certificate,\n"
	      "                          which then names its データ名 and 記録媒体\n"
	      "      --db PATH|URL       the ledger for --media-id (default [ledger] db;\n"
	      "                          see kesu-ledger(8))\n"
	      "      --ca FILE           the root the ledger trusts (default [signing] root)\n"
	      "  -r, --resume JOURNAL    continue an interrupted wipe from its journal\n"
	      "      --unhide            firmware methods: first restore sectors hidden by\n"
	      "                          HPA/DCO/AMAC (else they are not erased and the wipe\n"
	      "                          FAILS)\n"
	      "      --stall-timeout S   firmware methods: give up watching after S seconds\n"
	      "                          without progress (default 600)\n"
	      "      --psid PSID         opal-psid-revert: the 32-character PSID printed on\n"
	      "                          the drive's label (never shown or recorded)\n"
	      "      --psid-file F       the same from the first line of F (- : stdin)\n"
	      "      --password-file F   opal-revert: the owner's SID password, first line\n"
	      "                          of F (- : stdin), used verbatim; never recorded\n"
	      "      --dry-run           print the plan and the safety decision of the real\n"
	      "                          run (same refusal, same exit status); touch nothing\n"
	      "  -J, --json              print the result as JSON on stdout\n"
	      "      --json-progress     progress as JSON lines on stderr\n"
	      "  -q, --quiet             no progress output\n"
	      "      --threads N         I/O threads per drive (default 2; 3 verifying)\n"
	      "      --chunk SIZE        bytes per I/O (default 4M)\n"
	      "  -h, --help              show this help\n\n"
	      "A disk or file named twice (also by a link, or a disk and its partition) is\n"
	      "refused before anything is opened.\n\n"
	      "Exit: 0 erased and verified, 1 failed or unverified, 2 usage, 4 unsafe device,\n"
	      "9 interrupted (resume with --resume), 13 not confirmed. See kesu-wipe(8).\n", out);
	fputs("\nFirmware methods:\n", out);
	wipe_fw_usage_methods(out, 2);
}

enum { OPT_DRY_RUN = 256, OPT_JSON_PROGRESS, OPT_THREADS, OPT_CHUNK,
       OPT_CHAIN, OPT_PASSPHRASE_FILE, OPT_NO_CERT, OPT_MEDIA_ID,
       OPT_UNHIDE, OPT_STALL, OPT_WITNESS, OPT_PSID, OPT_PSID_FILE, OPT_PASSWORD_FILE };

/* 1..max, digits only (kesu_parse_uint: no sign, blank or suffix). */
static int parse_uint(const char *s, unsigned max, unsigned *out)
{
	return kesu_parse_uint(s, 1, max, out) < 0 ? -1 : 0;
}

/* A text option that goes into the evidence: the rules of include/kesu/text.h. */
static int check_text(const char *option, const char *field, const char *value)
{
	struct kesu_errbuf eb = { { 0 } };

	if (kesu_text_check_max(option, value, kesu_text_limit(field), &eb) < 0) {
		kesu_cli_error("%s", eb.msg);
		return -1;
	}
	return 0;
}

/*
 * --psid, --psid-file, --password-file: read and checked now; the PSID given
 * on the command line is blanked in argv (ps shows it only until here).
 */
static int take_secret(int opt, char *arg, struct wipe_args *a)
{
	struct kesu_errbuf eb = { { 0 } };
	char line[WIPE_FW_PASSWORD_MAX + 1];
	size_t len = 0;
	int rc = 0;

	if (opt == OPT_PASSWORD_FILE) {
		rc = wipe_fw_secret_read(arg, "owner's password", line, sizeof(line), &len, &eb);
		if (rc == 0) {
			memcpy(a->password, line, len);
			a->fw.password = a->password;
			a->fw.password_len = len;
		}
	} else if (opt == OPT_PSID_FILE) {
		rc = wipe_fw_secret_read(arg, "PSID", line, sizeof(line), &len, &eb);
	} else {
		rc = kesu_opal_psid_check(arg, &eb);
		if (rc == 0)
			memcpy(line, arg, KESU_OPAL_PSID_LEN + 1);
		explicit_bzero(arg, strlen(arg));
	}
	if (rc == 0 && opt != OPT_PASSWORD_FILE) {
		rc = kesu_opal_psid_check(line, &eb);
		if (rc == 0) {
			memcpy(a->psid, line, KESU_OPAL_PSID_LEN + 1);
			a->fw.psid = a->psid;
		}
	}
	explicit_bzero(line, sizeof(line));
	if (rc < 0)
		kesu_cli_error("%s: %s", opt == OPT_PSID ? "--psid" : opt == OPT_PSID_FILE ?
			       "--psid-file" : "--password-file", eb.msg);
	return rc;
}

static int parse_args(int argc, char **argv, struct wipe_args *a)
{
	static const struct option longopts[] = {
		CLI_OPTION_CA,
		{ "chain",         required_argument, NULL, OPT_CHAIN },
		{ "chunk",         required_argument, NULL, OPT_CHUNK },
		CLI_OPTION_CONFIG,
		CLI_OPTION_DB,
		{ "dry-run",       no_argument,       NULL, OPT_DRY_RUN },
		{ "final-zero",    no_argument,       NULL, 'z' },
		{ "help",          no_argument,       NULL, 'h' },
		CLI_OPTION_JSON,
		{ "json-progress", no_argument,       NULL, OPT_JSON_PROGRESS },
		CLI_OPTION_KEY,
		{ "media-id",      required_argument, NULL, OPT_MEDIA_ID },
		{ "method",        required_argument, NULL, 'm' },
		{ "no-cert",       no_argument,       NULL, OPT_NO_CERT },
		CLI_OPTION_OPERATOR,
		{ "out",           required_argument, NULL, 'o' },
		{ "passes",        required_argument, NULL, 'n' },
		{ "passphrase-file", required_argument, NULL, OPT_PASSPHRASE_FILE },
		{ "password-file", required_argument, NULL, OPT_PASSWORD_FILE },
		{ "pattern",       required_argument, NULL, 'p' },
		{ "psid",          required_argument, NULL, OPT_PSID },
		{ "psid-file",     required_argument, NULL, OPT_PSID_FILE },
		{ "quiet",         no_argument,       NULL, 'q' },
		{ "resume",        required_argument, NULL, 'r' },
		{ "stall-timeout", required_argument, NULL, OPT_STALL },
		CLI_OPTION_SIGNER_CERT,
		{ "threads",       required_argument, NULL, OPT_THREADS },
		{ "unhide",        no_argument,       NULL, OPT_UNHIDE },
		{ "verify",        required_argument, NULL, 'v' },
		{ "witness",       required_argument, NULL, OPT_WITNESS },
		{ "yes",           no_argument,       NULL, 'y' },
		{ NULL, 0, NULL, 0 },
	};
	struct kesu_pattern p;
	struct kesu_errbuf eb;
	int c;

	a->fw.method = kesu_method_name(KESU_METHOD_OVERWRITE);
	a->verify = KESU_VERIFY_SAMPLE;
	a->evidence.operator_name = "";
	optind = 1;
	while ((c = getopt_long(argc, argv, "hm:p:n:zv:yo:O:r:qc:J", longopts, NULL)) != -1) {
		switch (c) {
		case 'h':
			usage(stdout);
			return 1;
		case 'm': a->fw.method = optarg; break;
		case 'p':
			if (kesu_pattern_parse(optarg, &p, &eb) < 0 ||
			    (p.kind == KESU_PAT_RANDOM && p.has_key)) {
				kesu_cli_error("unknown pattern '%s': use random, zero, one or 0xHH...",
					       optarg);
				return -1;
			}
			a->fw.pattern = optarg;
			break;
		case 'n':
			if (parse_uint(optarg, 100, &a->fw.passes) < 0) {
				kesu_cli_error("--passes takes a number from 1 to 100, not '%s'", optarg);
				return -1;
			}
			break;
		case 'z': a->final_zero = 1; break;
		case 'v':
			if (kesu_verify_mode_parse(optarg, &a->verify) < 0) {
				kesu_cli_error("--verify takes sample, full or none, not '%s'", optarg);
				return -1;
			}
			break;
		case 'y': a->yes = 1; break;
		case 'o': a->out_dir = optarg; break;
		case 'O':
			if (check_text("--operator", "operator", optarg) < 0)
				return -1;
			a->evidence.operator_name = optarg;
			break;
		case OPT_WITNESS:
			if (check_text("--witness", "witness", optarg) < 0)
				return -1;
			a->evidence.witness = optarg;
			break;
		case 'r': a->resume = optarg; break;
		case 'q': a->quiet = 1; break;
		case CLI_OPT_CONFIG: a->evidence.config = optarg; break;
		case CLI_OPT_KEY: a->evidence.key = optarg; break;
		case CLI_OPT_SIGNER_CERT: a->evidence.signer_cert = optarg; break;
		case OPT_CHAIN: a->evidence.chain = optarg; break;
		case OPT_PASSPHRASE_FILE: a->evidence.passphrase_file = optarg; break;
		case OPT_NO_CERT: a->evidence.no_cert = true; break;
		case OPT_MEDIA_ID:
			if (kesu_id_check("--media-id", optarg, &eb) < 0) {
				kesu_cli_error("%s", eb.msg);
				return -1;
			}
			a->evidence.media_id = optarg;
			break;
		case CLI_OPT_DB: a->evidence.db = optarg; break;
		case CLI_OPT_CA: a->evidence.ca = optarg; break;
		case OPT_DRY_RUN: a->dry_run = 1; break;
		case OPT_UNHIDE: a->fw.unhide = true; break;
		case OPT_STALL:
			if (parse_uint(optarg, 7 * 24 * 3600, &a->fw.stall_timeout_s) < 0) {
				kesu_cli_error("--stall-timeout takes seconds, 1 to 604800");
				return -1;
			}
			break;
		case CLI_OPT_JSON: a->json = 1; break;
		case OPT_JSON_PROGRESS: a->json_progress = 1; break;
		case OPT_PSID:
		case OPT_PSID_FILE:
		case OPT_PASSWORD_FILE:
			if (take_secret(c, optarg, a) < 0)
				return -1;
			break;
		case OPT_THREADS:
			if (parse_uint(optarg, 64, &a->threads) < 0) {
				kesu_cli_error("--threads takes a number from 1 to 64");
				return -1;
			}
			break;
		case OPT_CHUNK:
			if (kesu_parse_size(optarg, &a->chunk) < 0 || a->chunk < 4096 ||
			    a->chunk > 64ull * 1024 * 1024 || a->chunk % 4096) {
				kesu_cli_error("--chunk takes a size from 4K to 64M in 4K steps");
				return -1;
			}
			break;
		default:
			fputs("Try 'kesu wipe --help'.\n", stderr);
			return -1;
		}
	}
	if (!method_known(a->fw.method)) {
		kesu_cli_error("unknown method '%s'; methods: %s (see kesu-wipe(8))", a->fw.method,
			       wipe_fw_method_list());
		return -1;
	}
	if (a->fw.psid && strcmp(a->fw.method, kesu_method_name(KESU_METHOD_OPAL_PSID_REVERT))) {
		kesu_cli_error("--psid and --psid-file are for --method opal-psid-revert only");
		return -1;
	}
	if (a->fw.password && strcmp(a->fw.method, kesu_method_name(KESU_METHOD_OPAL_REVERT))) {
		kesu_cli_error("--password-file is for --method opal-revert only");
		return -1;
	}
	if (!a->resume && optind >= argc) {
		kesu_cli_error("no device given; see 'kesu wipe --help'");
		return -1;
	}
	if (a->resume && argc - optind > 1) {
		kesu_cli_error("--resume continues one wipe: give at most one DEVICE");
		return -1;
	}
	return 0;
}

/* ---- the targets ---- */

/*
 * Open a target for the wipe, or (probe) ask the same decision without
 * writing: the dry run goes through exactly this path (target.h's rule).
 */
static int open_target(const char *arg, bool probe, struct kesu_target *t,
		       struct kesu_errbuf *eb)
{
	if (probe)
		return kesu_target_probe_medium(arg, 0, t, eb);
	return kesu_target_open_medium(arg, 0, t, eb);
}

/*
 * Two arguments that name one medium (the same path twice, a hard link or a
 * symlink to the same image, a disk and its partition) would become two
 * erases of one disk: refused before anything is opened.
 */
static int check_named_twice(char **args, int n)
{
	struct kesu_dev_identity *ids = calloc((size_t)n, sizeof(*ids));
	bool *known = calloc((size_t)n, sizeof(*known));
	int rc = 0;

	if (!ids || !known) {
		free(ids);
		free(known);
		return -ENOMEM;
	}
	for (int i = 0; i < n && rc == 0; i++) {
		known[i] = kesu_dev_identify(args[i], true, &ids[i], NULL) == 0;
		for (int k = 0; k < i && rc == 0 && known[i]; k++) {
			if (!known[k] || !kesu_dev_same_medium(&ids[k], &ids[i]))
				continue;
			if (!strcmp(args[k], args[i]))
				kesu_cli_error("%s is named twice; give each %s once", args[i],
					       ids[i].is_image ? "file" : "disk");
			else
				kesu_cli_error("%s and %s are the same %s: named twice; give each "
					       "%s once", args[k], args[i],
					       ids[i].is_image ? "file" : "disk",
					       ids[i].is_image ? "file" : "disk");
			rc = -KESU_E_BAD_INPUT;
		}
	}
	free(ids);
	free(known);
	return rc;
}

/*
 * The evidence directory can be used or made: a path that exists is a
 * directory and none of its parents is a file. Checked before anything is
 * asked or opened (exit 10 like every other --out error).
 */
static int out_dir_check(const char *dir)
{
	struct stat st;

	if (stat(dir, &st) == 0)
		return S_ISDIR(st.st_mode) ? 0 : -ENOTDIR;
	return errno == ENOENT ? 0 : -errno;
}

static bool out_dir_refused(const char *dir)
{
	int rc = out_dir_check(dir);

	if (rc == 0)
		return false;
	kesu_cli_error("cannot use the evidence directory %s: %s; choose another with --out", dir,
		       strerror(-rc));
	return true;
}

/* ---- dry run ---- */

static int dry_run_one(const char *path, const struct wipe_args *a, json_t *arr, int *code)
{
	struct kesu_target t;
	struct kesu_dev_identity id;
	struct kesu_errbuf eb = { { 0 } }, seb = { { 0 } };
	struct kesu_run run = { 0 };
	struct kesu_overwrite_opts o = { .run = &run };
	struct kesu_verify_plan plan;
	char desc[512], size[32], why[256] = "", safety[sizeof(seb.msg)];
	int rc;

	/* The safety decision of the real run, asked the way the real run asks it. */
	rc = open_target(path, true, &t, &seb);
	if (rc < 0 && !t.id.path[0]) {
		kesu_cli_error("%s", seb.msg[0] ? seb.msg : kesu_strerror(rc));
		return rc;
	}
	*code = rc < 0 ? kesu_exit_for(rc) : KESU_EXIT_OK;
	snprintf(safety, sizeof(safety), "%s", rc < 0 ? (seb.msg[0] ? seb.msg : kesu_strerror(rc))
							: "ok");
	/* The real run's plan, from the same functions. */
	run_from_args(&run, a);
	if (wipe_fw_handles(a->fw.method)) {
		rc = wipe_fw_dry_run(&t, &run, &a->fw, safety, arr, why, sizeof(why));
		if (rc <= 0)
			return rc;   /* 1: auto chose the overwrite, planned below */
	}
	id = t.id;
	id.logical_sector_size = kesu_dev_sector_size(&id);
	if (*code == KESU_EXIT_OK && (rc = sed_refusal(&t, &seb)) < 0) {
		*code = kesu_exit_for(rc);
		snprintf(safety, sizeof(safety), "%s", seb.msg);
	}
	rc = overwrite_from_args(&o, a, &t, &eb);
	if (rc < 0) {
		kesu_cli_error("%s", eb.msg);
		return rc;
	}
	kesu_overwrite_describe(&o, desc, sizeof(desc));
	rc = kesu_verify_plan_build(run.verify, id.size_bytes, id.logical_sector_size, 0, 0, &plan,
				    &eb);
	if (rc < 0) {
		kesu_cli_error("%s", eb.msg);
		return rc;
	}
	kesu_format_size(id.size_bytes, 0, size, sizeof(size));
	if (arr) {
		json_t *pj = kesu_record_plan_json(&plan);
		char seed[24];

		snprintf(seed, sizeof(seed), "%llu", (unsigned long long)plan.seed);
		json_object_set_new(pj, "seed", json_string(plan.mode == KESU_VERIFY_SAMPLE ? seed : ""));
		json_array_append_new(arr, json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:I, "
			"s:i, s:s, s:s, s:i, s:i, s:o, s:s}", "auto", why, "path", id.path, "transport",
			kesu_transport_name(id.transport), "model", id.model, "serial", id.serial,
			"bridge_serial", id.bridge_serial, "bridge_model", id.bridge_model,
			"vendor", id.vendor, "size_bytes", (json_int_t)id.size_bytes,
			"logical_sector_size", (int)id.logical_sector_size, "method",
			kesu_method_name(KESU_METHOD_OVERWRITE),
			"details", desc, "passes", (int)o.passes, "final_zero", o.final_zero,
			"verification_plan", pj ? pj : json_object(),
			"safety", safety));
	} else {
		printf("%s: %s %s %s, serial '%s', %s (%llu bytes, %u-byte sectors)\n", id.path,
		       kesu_transport_name(id.transport), id.vendor, id.model, id.serial, size,
		       (unsigned long long)id.size_bytes, id.logical_sector_size);
		devout_bridge_lines(stdout, &id);
		printf("  method:       overwrite (NIST SP 800-88 Clear)\n");
		if (why[0])
			printf("  auto:         %s\n", why);
		printf("  plan:         %s\n", desc);
		if (plan.mode == KESU_VERIFY_SAMPLE)
			printf("  verification: sample: first and last %llu bytes, %llu sections x %llu "
			       "samples of %llu bytes; %llu bytes (%.2f%% of the device); seed drawn "
			       "at the start and recorded\n", (unsigned long long)plan.first_bytes,
			       (unsigned long long)plan.sections,
			       (unsigned long long)plan.samples_per_section,
			       (unsigned long long)plan.sample_bytes,
			       (unsigned long long)plan.planned_bytes,
			       (double)plan.coverage_ppm / 1e4);
		else
			printf("  verification: %s (%llu bytes)\n", kesu_verify_mode_name(plan.mode),
			       (unsigned long long)plan.planned_bytes);
		printf("  safety:       %s\n", safety);
	}
	kesu_verify_plan_release(&plan);
	return 0;
}

/* Every device's plan; the exit status is the one the real run would have. */
static int dry_run(char **devs, int n, const struct wipe_args *a)
{
	json_t *arr = a->json ? json_array() : NULL;
	int rc = check_named_twice(devs, n), i, code = KESU_EXIT_OK, one;

	if (rc == 0 && out_dir_refused(a->out_dir ? a->out_dir : DEFAULT_OUT)) {
		json_decref(arr);
		return KESU_EXIT_IO;
	}
	if (rc < 0) {
		json_decref(arr);
		return rc == -KESU_E_BAD_INPUT ? KESU_EXIT_USAGE : kesu_exit_for(rc);
	}
	for (i = 0; i < n && rc == 0; i++) {
		one = KESU_EXIT_OK;
		rc = dry_run_one(devs[i], a, arr, &one);
		if (!code)
			code = one;
	}
	if (arr) {
		if (rc == 0) {
			json_t *doc = json_pack("{s:o, s:s, s:i}", "devices", arr, "out_dir",
						a->out_dir ? a->out_dir : DEFAULT_OUT,
						"exit", code);
			char *text = json_dumps(doc, JSON_SORT_KEYS | JSON_INDENT(2));

			if (text)
				puts(text);
			free(text);
			json_decref(doc);
		} else {
			json_decref(arr);
		}
	} else if (rc == 0) {
		printf("dry run: nothing was written. Evidence would go to %s/\n",
		       a->out_dir ? a->out_dir : DEFAULT_OUT);
		if (code)
			printf("dry run: the wipe would refuse (exit %d): see safety above\n", code);
	}
	return rc < 0 ? kesu_exit_for(rc) : code;
}

/* --resume --dry-run: what the journal would continue, touching nothing. */
static int dry_run_resume(const struct wipe_args *a, const char *dev_arg)
{
	struct kesu_journal j;
	struct kesu_errbuf eb = { { 0 } };
	int rc = kesu_journal_load(a->resume, &j, NULL, &eb);

	if (rc < 0) {
		kesu_cli_error("%s", eb.msg);
		return kesu_exit_for(rc);
	}
	printf("%s: record %s, state %s\n", a->resume, j.record_id, j.state);
	printf("  device:  %s (model '%s', serial '%s', %llu bytes)\n",
	       dev_arg ? dev_arg : j.device_path, j.device_model, j.device_serial,
	       (unsigned long long)j.device_size);
	printf("  method:  %s, pattern %s, %u pass%s%s, %s verification\n", j.method, j.pattern,
	       j.passes, j.passes == 1 ? "" : "es", j.final_zero ? " + final zero" : "", j.verify);
	printf("  resumes: step %u at byte %llu\n", j.step + 1, (unsigned long long)j.offset);
	printf("dry run: nothing was written.\n");
	return KESU_EXIT_OK;
}

/* ---- setup ---- */

static int open_job(struct wipe_job *job)
{
	int rc = open_target(job->target.arg, false, &job->target.t, &job->erase.eb);

	if (rc < 0)
		return rc;
	job->target.opened = true;
	return 0;
}

static bool names_device(const char *answer, const struct wipe_job *job)
{
	return !strcmp(answer, job->target.t.id.name) || !strcmp(answer, job->target.t.id.path) ||
	       !strcmp(answer, job->target.arg);
}

/* Ask on the terminal; 0 when confirmed. */
static int confirm(struct wipe_job *jobs, int n, const struct wipe_args *a)
{
	char line[PATH_MAX + 16], size[32];
	int i;

	if (a->yes)
		return 0;
	if (!isatty(STDIN_FILENO)) {
		kesu_cli_error("not erasing: no terminal to confirm on and no --yes; nothing was "
			       "touched. Check the devices with 'kesu wipe --dry-run' and add --yes");
		return -1;
	}
	fprintf(stderr, "kesu wipe will DESTROY ALL DATA on:\n");
	for (i = 0; i < n; i++) {
		const struct kesu_dev_identity *id = &jobs[i].target.t.id;
		char desc[2048];

		kesu_format_size(id->size_bytes, 0, size, sizeof(size));
		if (jobs[i].plan.fw.firmware)
			wipe_fw_describe(&jobs[i].plan.fw, desc, sizeof(desc));
		else
			kesu_overwrite_describe(&jobs[i].plan.o, desc, sizeof(desc));
		fprintf(stderr, "  %s  %s %s  serial '%s'  %s\n    %s\n", id->path, id->vendor,
			id->model, id->serial, size, desc);
	}
	if (n == 1)
		fprintf(stderr, "Type the device name (%s) to erase it: ", jobs[0].target.t.id.name);
	else
		fprintf(stderr, "Type 'yes' to erase these %d devices: ", n);
	fflush(stderr);
	if (!fgets(line, sizeof(line), stdin))
		return -1;
	line[strcspn(line, "\r\n")] = '\0';
	if (n == 1 ? names_device(line, &jobs[0]) : !strcmp(line, "yes"))
		return 0;
	kesu_cli_error("not confirmed; nothing was touched");
	return -1;
}

/* ---- the run ---- */

static void *job_worker(void *arg)
{
	struct wipe_job *job = arg;
	job->erase.rc = job_run(job, &job->erase.eb);
	if (job->erase.rc == 0) {
		job->record.rc = kesu_record_write(job->plan.o.out_dir, &job->result,
						   job->evidence.record, sizeof(job->evidence.record),
						   &job->record.eb);
		/* A failure to sign never changes the erase outcome. */
		if (job->record.rc == 0)
			job->cert.rc = wipe_evidence_certify(job->signing, job->evidence.record,
							     job->evidence.cert_id,
							     sizeof(job->evidence.cert_id),
							     job->evidence.cert,
							     sizeof(job->evidence.cert),
							     &job->cert.eb);
	}
	progress_board_finish(job->slot);
	return NULL;
}

static int exit_for_job(const struct wipe_job *job)
{
	if (job->erase.rc < 0)
		return kesu_exit_for(job->erase.rc);
	if (job->record.rc < 0 || job->cert.rc < 0 || job->attach.rc < 0)
		return KESU_EXIT_IO;
	switch (job->result.outcome) {
	case KESU_OUTCOME_ERASED:      return KESU_EXIT_OK;
	case KESU_OUTCOME_INTERRUPTED: return KESU_EXIT_INTERRUPTED;
	case KESU_OUTCOME_UNVERIFIED:
	case KESU_OUTCOME_FAILED:      return KESU_EXIT_FAILURE;
	}
	return KESU_EXIT_FAILURE;
}

/* Interrupted beats failed beats everything else that is not 0. */
static int combine_exit(int acc, int e)
{
	if (acc == KESU_EXIT_INTERRUPTED || e == KESU_EXIT_INTERRUPTED)
		return KESU_EXIT_INTERRUPTED;
	if (acc == KESU_EXIT_FAILURE || e == KESU_EXIT_FAILURE)
		return KESU_EXIT_FAILURE;
	return acc ? acc : e;
}

static void print_human(const struct wipe_job *job)
{
	const struct kesu_result *r = &job->result;
	const char *dev = job->target.t.id.path;
	size_t i;

	if (job->erase.rc < 0) {
		kesu_cli_error("%s: %s", dev, job->erase.eb.msg[0] ? job->erase.eb.msg :
			       kesu_strerror(job->erase.rc));
		return;
	}
	printf("%s: %s  (%s; verification %s, %llu bytes checked)\n", dev,
	       kesu_outcome_name(r->outcome), r->details, r->verify_result,
	       (unsigned long long)r->bytes_checked);
	for (i = 0; i < r->n_reasons; i++)
		printf("  %s\n", r->reasons[i]);
	for (i = 0; i < r->n_bad && i < 20; i++)
		printf("  bad: LBA %llu +%llu sectors (%s)\n", (unsigned long long)r->bad[i].first_lba,
		       (unsigned long long)r->bad[i].sectors,
		       r->bad[i].op == KESU_OP_WRITE ? "write" : "read");
	for (i = 0; i < r->n_mismatches && i < 20; i++)
		printf("  mismatch: bytes %llu +%llu\n", (unsigned long long)r->mismatches[i].offset,
		       (unsigned long long)r->mismatches[i].length);
	if (job->record.rc < 0)
		kesu_cli_error("%s: the record could not be written: %s", dev, job->record.eb.msg);
	/* Without its record, this terminal is the only place left for the password. */
	if (job->record.rc < 0 && r->ata_password[0] && r->outcome != KESU_OUTCOME_ERASED)
		kesu_cli_error("%s: kesu's temporary ATA user password was '%s'; if the drive is "
			       "still locked: kesu unlock %s --password '%s'", dev,
			       r->ata_password, dev, r->ata_password);
	else if (job->record.rc >= 0)
		printf("  record: %s\n", job->evidence.record);
	if (job->cert.rc < 0)
		kesu_cli_error("%s: no certificate: %s; certify the record later with 'kesu cert "
			       "issue %s'", dev, job->cert.eb.msg, job->evidence.record);
	else if (job->evidence.cert[0])
		printf("  certificate: %s (.json.p7s, .pdf beside it)\n", job->evidence.cert);
	if (job->attach.rc < 0)
		kesu_cli_error("%s: the certificate was not linked to the ledger: %s", dev,
			       job->attach.eb.msg);
	else if (job->attach.rc == 0 && job->evidence.cert[0] && job->a->evidence.db)
		printf("  ledger: %s linked in %s\n", job->a->evidence.media_id, job->a->evidence.db);
	if ((r->outcome == KESU_OUTCOME_INTERRUPTED || r->outcome == KESU_OUTCOME_FAILED) &&
	    job->evidence.journal[0])
		printf("  journal: %s\n", job->evidence.journal);
}

static json_t *job_json(const struct wipe_job *job)
{
	const struct kesu_result *r = &job->result;
	const char *dev = job->target.t.id.path;
	json_t *reasons = json_array();

	if (job->erase.rc < 0) {
		json_array_append_new(reasons, json_string(job->erase.eb.msg[0] ? job->erase.eb.msg :
							   kesu_strerror(job->erase.rc)));
		return json_pack("{s:s, s:s, s:o, s:i}", "device", dev, "outcome", "ERROR",
				 "reasons", reasons, "exit", exit_for_job(job));
	}
	for (size_t i = 0; i < r->n_reasons; i++)
		json_array_append_new(reasons, json_string(r->reasons[i]));
	return json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:o, s:i, s:s, s:s, s:s, s:s}",
			 "device", dev,
			 "outcome", kesu_outcome_name(r->outcome), "record_id", r->record_id,
			 "record", job->record.rc < 0 ? "" : job->evidence.record,
			 "journal", job->evidence.journal, "verification", r->verify_result,
			 "reasons", reasons, "exit", exit_for_job(job),
			 "certificate_id", job->evidence.cert_id, "certificate", job->evidence.cert,
			 "certificate_error", job->cert.rc < 0 ? job->cert.eb.msg : "",
			 "ledger_error", job->attach.rc < 0 ? job->attach.eb.msg : "");
}

static void install_signals(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_stop_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
}

static int run_jobs(struct wipe_job *jobs, int n, const struct wipe_args *a)
{
	struct progress_board board;
	sigset_t all, old;
	json_t *arr = NULL;
	int i, code = 0;

	if (progress_board_init(&board, (size_t)n, a->json_progress, a->quiet) < 0)
		return KESU_EXIT_IO;
	install_signals();
	/* Workers block signals; the handler runs in this thread. */
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, &old);
	for (i = 0; i < n; i++) {
		jobs[i].slot = &board.slots[i];
		snprintf(board.slots[i].name, sizeof(board.slots[i].name), "%s",
			 jobs[i].target.t.id.name);
		jobs[i].a = a;
		if (pthread_create(&jobs[i].tid, NULL, job_worker, &jobs[i]) == 0) {
			jobs[i].started = true;
		} else {
			jobs[i].erase.rc = kesu_err_set(&jobs[i].erase.eb, -EAGAIN,
							"cannot start a worker thread");
			progress_board_finish(jobs[i].slot);
		}
	}
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	while (!progress_board_print(&board, false))
		progress_board_wait(&board);
	progress_board_print(&board, true);
	progress_board_end(&board);
	for (i = 0; i < n; i++)
		if (jobs[i].started)
			pthread_join(jobs[i].tid, NULL);
	for (i = 0; i < n; i++)
		if (jobs[i].evidence.cert[0])
			jobs[i].attach.rc = wipe_evidence_attach(jobs[i].signing,
								 jobs[i].evidence.cert,
								 &jobs[i].attach.eb);
	if (a->json)
		arr = json_array();
	for (i = 0; i < n; i++) {
		code = combine_exit(code, exit_for_job(&jobs[i]));
		if (arr)
			json_array_append_new(arr, job_json(&jobs[i]));
		else
			print_human(&jobs[i]);
	}
	if (arr) {
		json_t *doc = json_pack("{s:o, s:i}", "results", arr, "exit", code);
		char *text = json_dumps(doc, JSON_SORT_KEYS | JSON_INDENT(2));

		if (text)
			puts(text);
		free(text);
		json_decref(doc);
	}
	progress_board_free(&board);
	return code;
}

/* --resume: the journal names the device and everything about the method. */
static int setup_resume(struct wipe_job *job, const struct wipe_args *a, const char *dev_arg,
			struct kesu_errbuf *eb)
{
	int rc = kesu_journal_load(a->resume, &job->plan.resume, &job->result, eb);

	if (rc < 0)
		return rc;
	if (!strcmp(job->plan.resume.state, "done"))
		return kesu_err_set(eb, -KESU_E_BAD_INPUT, "%s: that wipe already finished; its "
				    "record is %s.record.json beside the journal", a->resume,
				    job->plan.resume.record_id);
	job->target.arg = dev_arg ? dev_arg : job->plan.resume.device_path;
	return kesu_overwrite_opts_from_journal(&job->plan.resume, &job->plan.run, &job->plan.o, eb);
}

static void release_jobs(struct wipe_job *jobs, int n)
{
	for (int i = 0; i < n; i++) {
		if (jobs[i].target.opened)
			kesu_target_close(&jobs[i].target.t);
		if (jobs[i].result_init)
			kesu_result_release(&jobs[i].result);
	}
	free(jobs);
}

/* Say before erasing when the times on the evidence will be in doubt (the records say it too). */
static void warn_clock(const struct kesu_time_source *ts)
{
	if (!strcmp(ts->source, KESU_TIME_SYSTEM) && !strcmp(ts->synchronized, "no"))
		kesu_cli_error("warning: the system clock is not synchronised (the kernel's NTP "
			       "status); the records and certificates will say so");
	else if (!strcmp(ts->source, KESU_TIME_RTC_UNCONFIRMED))
		kesu_cli_error("warning: the clock was not confirmed at boot (%s); the records and "
			       "certificates will say so", ts->detail);
}

static int wipe_main(int argc, char **argv, struct wipe_args *a)
{
	struct wipe_evidence ev = { 0 };
	struct kesu_dev_identity *ids = NULL;
	struct kesu_errbuf eb = { { 0 } };
	struct wipe_job *jobs = NULL;
	char out_dir[PATH_MAX];
	int n, i, rc, code = KESU_EXIT_OK;

	rc = parse_args(argc, argv, a);
	if (rc)
		return rc > 0 ? KESU_EXIT_OK : KESU_EXIT_USAGE;
	if (a->dry_run && !a->resume)
		return dry_run(argv + optind, argc - optind, a);
	if (a->dry_run)
		return dry_run_resume(a, optind < argc ? argv[optind] : NULL);
	n = a->resume ? 1 : argc - optind;
	jobs = calloc((size_t)n, sizeof(*jobs));
	if (!jobs)
		return KESU_EXIT_IO;
	for (i = 0; i < n; i++) {
		if (kesu_result_init(&jobs[i].result) < 0) {
			code = KESU_EXIT_IO;
			goto out;
		}
		jobs[i].result_init = true;
		jobs[i].target.arg = a->resume ? NULL : argv[optind + i];
	}
	if (a->resume) {
		char jdir[PATH_MAX];

		rc = setup_resume(&jobs[0], a, optind < argc ? argv[optind] : NULL,
				  &jobs[0].erase.eb);
		if (rc < 0) {
			kesu_cli_error("%s", jobs[0].erase.eb.msg);
			code = kesu_exit_for(rc);
			goto out;
		}
		snprintf(jdir, sizeof(jdir), "%s", a->resume);
		snprintf(out_dir, sizeof(out_dir), "%s", a->out_dir ? a->out_dir : dirname(jdir));
	} else {
		snprintf(out_dir, sizeof(out_dir), "%s", a->out_dir ? a->out_dir : DEFAULT_OUT);
	}
	if (out_dir_refused(out_dir)) {
		code = KESU_EXIT_IO;
		goto out;
	}
	/* Every device is checked and held before anything is asked or written. */
	if (!a->resume && (rc = check_named_twice(argv + optind, n)) < 0) {
		code = rc == -KESU_E_BAD_INPUT ? KESU_EXIT_USAGE : kesu_exit_for(rc);
		goto out;
	}
	for (i = 0; i < n; i++) {
		rc = open_job(&jobs[i]);
		if (rc == 0 && a->resume)
			rc = kesu_journal_matches(&jobs[i].plan.resume, &jobs[i].target.t.id,
						  &jobs[i].erase.eb);
		if (rc == 0)
			rc = job_plan(&jobs[i], a, &jobs[i].erase.eb);
		if (rc < 0) {
			kesu_cli_error("%s", jobs[i].erase.eb.msg[0] ? jobs[i].erase.eb.msg :
				       kesu_strerror(rc));
			code = rc == -KESU_E_BAD_INPUT && a->resume ? KESU_EXIT_UNSAFE : kesu_exit_for(rc);
			if (rc == -KESU_E_BAD_INPUT && !a->resume)
				code = KESU_EXIT_USAGE;
			goto out;
		}
	}
	/* The key and the ledger entry are checked before anything is destroyed. */
	ids = calloc((size_t)n, sizeof(*ids));
	if (!ids) {
		code = KESU_EXIT_IO;
		goto out;
	}
	for (i = 0; i < n; i++) {
		ids[i] = jobs[i].target.t.id;
		jobs[i].signing = &ev;
	}
	rc = wipe_evidence_prepare(&ev, &a->evidence, ids, n, out_dir, &eb);
	if (rc < 0) {
		kesu_cli_error("%s", eb.msg[0] ? eb.msg : kesu_strerror(rc));
		code = kesu_exit_for(rc);
		goto out;
	}
	if (ev.note[0] && !a->evidence.no_cert)
		kesu_cli_error("warning: %s", ev.note);
	warn_clock(&jobs[0].result.time);
	/* A clock before the boot image was built (a flat battery: 2000) dates nothing kesu signs. */
	rc = kesu_clock_check_not_before_build(&eb);
	if (rc < 0) {
		kesu_cli_error("%s", eb.msg);
		code = KESU_EXIT_UNSAFE;
		goto out;
	}
	if (confirm(jobs, n, a) < 0) {
		code = KESU_EXIT_DECLINED;
		goto out;
	}
	rc = kesu_private_dir_make(out_dir);
	if (rc < 0) {
		kesu_cli_error("cannot use the evidence directory %s: %s; choose another with --out",
			       out_dir, strerror(-rc));
		code = KESU_EXIT_IO;
		goto out;
	}
	for (i = 0; i < n; i++) {
		jobs[i].plan.o.out_dir = out_dir;
		/* --witness, else the ledger entry's 立会者 (wipe_evidence). */
		snprintf(jobs[i].result.witness, sizeof(jobs[i].result.witness), "%s",
			 ev.opts.witness ? ev.opts.witness : "");
	}
	code = run_jobs(jobs, n, a);
out:
	release_jobs(jobs, n);
	wipe_evidence_release(&ev);
	free(ids);
	return code;
}

int cmd_wipe(int argc, char **argv)
{
	struct wipe_args a = { 0 };
	int code = wipe_main(argc, argv, &a);

	explicit_bzero(&a, sizeof(a));   /* the PSID or password, if given */
	return code;
}
