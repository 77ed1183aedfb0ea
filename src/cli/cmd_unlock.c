/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * kesu unlock: recover an ATA drive that a failed security erase left with
 * kesu's temporary user password (set, or even LOCKED). The password comes
 * from the command line or from the erase's record; the recovery itself
 * (UNLOCK when locked, DISABLE PASSWORD, IDENTIFY) is kesu_fw_ata_recover().
 * This file parses, checks that the drive and the record belong together,
 * asks, and prints what was sent and the security state afterwards.
 *
 * kesu unlock --exit-failure-mode: a SCSI drive that a failed sanitize left
 * in sanitize failure mode gets SANITIZE EXIT FAILURE MODE
 * (kesu_fw_scsi_exit_failure()).
 */
#include <kesu/cli.h>
#include <kesu/drive.h>
#include <kesu/firmware.h>
#include <kesu/record.h>
#include <kesu/safety.h>
#include <kesu/util.h>

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <jansson.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli_options.h"

/*
 * Records of kesu 0.1.0 before the password became a secret of the record
 * carry it in method.details ("temporary user password 'PW'") and in the SET
 * PASSWORD command's detail ("user password 'PW'"): read there when the
 * record has no secrets.ata_user_password.
 */
#define LEGACY_PASSWORD_MARK "user password '"

struct unlock_args {
	const char *device;
	const char *password;        /* --password, or the record's */
	const char *record;          /* --record FILE */
	int yes, dry_run, json;
	int exit_failure;            /* --exit-failure-mode: SCSI sanitize failure mode */
};

/* What the record says about the drive and its password. */
struct unlock_record {
	char password[KESU_ATA_PASSWORD_LEN + 1];
	char serial[128];
	char model[128];
	char record_id[KESU_RECORD_ID_MAX];
};

/* One run: the drive, the commands and the answer. */
struct unlock_run {
	const struct unlock_args *a;
	const struct unlock_record *rec;   /* NULL without --record */
	struct kesu_dev_identity id;
	struct kesu_drive drv;             /* the probe before anything is sent */
	struct kesu_ata_identify after;    /* IDENTIFY after the recovery */
	bool have_after;
	struct kesu_result r;              /* r.commands: what was sent */
	const char *result;                /* see kesu-unlock(8): JSON "result" */
	struct kesu_errbuf eb;             /* the sentence for a refusal or a failure */
	int code;                          /* the exit code */
};

static void usage(FILE *out)
{
	fputs("Usage: kesu unlock DEVICE --password PW [--yes] [--dry-run] [--json]\n"
	      "       kesu unlock DEVICE --record FILE [--yes] [--dry-run] [--json]\n"
	      "       kesu unlock DEVICE --exit-failure-mode [--yes] [--dry-run] [--json]\n\n"
	      "Remove the ATA user password that an interrupted or failed security erase\n"
	      "left on DEVICE (kesu's temporary password 'kesu-...', or any user password\n"
	      "you know): SECURITY UNLOCK when the drive is locked, then SECURITY DISABLE\n"
	      "PASSWORD, then IDENTIFY DEVICE to confirm. Nothing is erased.\n\n"
	      "With --exit-failure-mode: a SCSI (SAS) drive that a failed sanitize left in\n"
	      "sanitize failure mode (it refuses reads and writes) gets SANITIZE EXIT FAILURE\n"
	      "MODE, then REQUEST SENSE to confirm. Its data is then in an unknown state.\n\n"
	      "Options:\n"
	      "  -p, --password PW   the user password (at most 32 bytes)\n"
	      "  -r, --record FILE   take the password from a kesu wipe record\n"
	      "                      (R-....record.json, its secrets.ata_user_password); the\n"
	      "                      record's serial must be DEVICE's\n"
	      "  -y, --yes           do not ask for confirmation\n"
	      "      --exit-failure-mode\n"
	      "                      end a SCSI drive's sanitize failure mode (no password)\n"
	      "      --dry-run       show the drive's state and what would be sent; send\n"
	      "                      nothing\n"
	      "  -J, --json          print the commands sent and the final state as JSON\n"
	      "  -h, --help          show this help\n\n"
	      "Exit: 0 no password left, 1 the password is still set, 2 usage, 4 unsafe device\n"
	      "or a record of another drive, 8 not an ATA drive or no Security feature set,\n"
	      "11 unreadable record, 13 not confirmed, 14 frozen or still locked.\n"
	      "With --exit-failure-mode: 0 the drive is not (or no longer) in failure mode,\n"
	      "1 still in failure mode after EXIT FAILURE MODE, 4 unsafe device or a sanitize\n"
	      "in progress, 8 not a SCSI drive, or it refuses EXIT FAILURE MODE (its failed\n"
	      "sanitize had no AUSE), 10 I/O error. See kesu-unlock(8).\n", out);
}

enum { OPT_DRY_RUN = 256, OPT_EXIT_FAILURE };

/* 0 to run, 1 when --help was printed, -1 on a usage error (printed). */
static int parse_args(int argc, char **argv, struct unlock_args *a)
{
	static const struct option longopts[] = {
		{ "dry-run",  no_argument,       NULL, OPT_DRY_RUN },
		{ "exit-failure-mode", no_argument, NULL, OPT_EXIT_FAILURE },
		{ "help",     no_argument,       NULL, 'h' },
		CLI_OPTION_JSON,
		{ "password", required_argument, NULL, 'p' },
		{ "record",   required_argument, NULL, 'r' },
		{ "yes",      no_argument,       NULL, 'y' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	optind = 1;
	while ((c = getopt_long(argc, argv, "hp:r:yJ", longopts, NULL)) != -1) {
		switch (c) {
		case 'h':
			usage(stdout);
			return 1;
		case 'p': a->password = optarg; break;
		case 'r': a->record = optarg; break;
		case 'y': a->yes = 1; break;
		case OPT_DRY_RUN: a->dry_run = 1; break;
		case CLI_OPT_JSON: a->json = 1; break;
		case OPT_EXIT_FAILURE: a->exit_failure = 1; break;
		default:
			fputs("Try 'kesu unlock --help'.\n", stderr);
			return -1;
		}
	}
	if (optind >= argc) {
		kesu_cli_error("no device given; see 'kesu unlock --help'");
		return -1;
	}
	if (argc - optind > 1) {
		kesu_cli_error("kesu unlock takes one DEVICE");
		return -1;
	}
	a->device = argv[optind];
	if (a->exit_failure && (a->password || a->record)) {
		kesu_cli_error("--exit-failure-mode takes no password and no record");
		return -1;
	}
	if (!a->exit_failure && !a->password == !a->record) {
		kesu_cli_error("give the password with --password PW or take it from the erase's "
			       "record with --record FILE (one of them)");
		return -1;
	}
	if (a->password && strlen(a->password) > KESU_ATA_PASSWORD_LEN) {
		kesu_cli_error("an ATA password has at most %d bytes", KESU_ATA_PASSWORD_LEN);
		return -1;
	}
	return 0;
}

/* ---- the record ---- */

/* The password after LEGACY_PASSWORD_MARK in text, into out; false when text holds none. */
static bool password_in(const char *text, char *out, size_t len)
{
	const char *p = text ? strstr(text, LEGACY_PASSWORD_MARK) : NULL;
	size_t n;

	if (!p)
		return false;
	p += strlen(LEGACY_PASSWORD_MARK);
	n = strcspn(p, "'");
	if (p[n] != '\'' || n == 0 || n > KESU_ATA_PASSWORD_LEN || n >= len)
		return false;   /* cut off: a partial password would count as a wrong try */
	memcpy(out, p, n);
	out[n] = '\0';
	return true;
}

static const char *str_at(json_t *obj, const char *key)
{
	const char *s = json_string_value(json_object_get(obj, key));

	return s ? s : "";
}

/*
 * The password: the record's secrets.ata_user_password (record.h), else, in a
 * record of an older kesu, method.details or the SET PASSWORD command's detail.
 */
static bool record_password(const struct kesu_record *r, char *out, size_t len)
{
	const char *pw = r->secrets.ata_user_password;
	json_t *e;
	size_t i;

	if (*pw) {
		if (strlen(pw) > KESU_ATA_PASSWORD_LEN || strlen(pw) >= len)
			return false;
		snprintf(out, len, "%s", pw);
		return true;
	}
	if (password_in(r->method.details, out, len))
		return true;
	json_array_foreach(r->commands, i, e) {
		if (!strcmp(str_at(e, "command"), "SECURITY SET PASSWORD") &&
		    password_in(str_at(e, "detail"), out, len))
			return true;
	}
	return false;
}

static int load_record(const char *path, struct unlock_record *ur, struct kesu_errbuf *eb)
{
	struct kesu_record r;
	int rc;

	memset(ur, 0, sizeof(*ur));
	rc = kesu_record_load(path, &r, eb);
	if (rc == -KESU_E_BAD_INPUT) {
		struct kesu_errbuf inner = *eb;

		return kesu_err_set(eb, rc, "not a kesu wipe record (R-....record.json) that this "
				    "kesu can read: %s", inner.msg);
	}
	if (rc < 0) {
		struct kesu_errbuf inner = *eb;

		return kesu_err_set(eb, -KESU_E_BAD_INPUT, "cannot read the record: %s", inner.msg);
	}
	snprintf(ur->serial, sizeof(ur->serial), "%s", r.device.serial);
	snprintf(ur->model, sizeof(ur->model), "%s", r.device.model);
	snprintf(ur->record_id, sizeof(ur->record_id), "%s", r.record_id);
	if (!record_password(&r, ur->password, sizeof(ur->password)))
		rc = kesu_err_set(eb, -KESU_E_BAD_INPUT, "the record %s holds no temporary ATA "
				  "password (method '%s'): only an ATA security erase sets one. "
				  "Give the password with --password PW", path, r.method.name);
	kesu_record_release(&r);
	return rc;
}

/* ---- checks before anything is sent ---- */

/* The record is about this drive: its serial is the drive's own (or, older, the block layer's). */
static int check_same_drive(struct unlock_run *u)
{
	const struct unlock_record *rec = u->rec;
	const char *path = u->id.path;

	if (!rec)
		return 0;
	if (!rec->serial[0])
		return kesu_err_set(&u->eb, -KESU_E_BAD_INPUT, "refusing to unlock %s: the record "
				    "%s names no serial, so kesu cannot tell it is about this drive; "
				    "nothing was sent. If you are sure, give the password with "
				    "--password PW", path, u->a->record);
	/* An older record may name a USB bridge's serial (now id.bridge_serial). */
	if (!strcmp(rec->serial, u->id.serial) || !strcmp(rec->serial, u->drv.ata.serial) ||
	    (u->id.bridge_serial[0] && !strcmp(rec->serial, u->id.bridge_serial)))
		return 0;
	return kesu_err_set(&u->eb, -KESU_E_BAD_INPUT, "refusing to unlock %s: the record %s is "
			    "about another drive (serial '%s', model '%s'); %s is serial '%s' "
			    "(model '%s'); nothing was sent. Give this drive's record, or its "
			    "password with --password PW", path, u->a->record, rec->serial,
			    rec->model, path, u->drv.ata.serial[0] ? u->drv.ata.serial : u->id.serial,
			    u->drv.ata.model[0] ? u->drv.ata.model : u->id.model);
}

static int check_protocol(struct unlock_run *u)
{
	const char *path = u->id.path;

	switch (u->drv.proto) {
	case KESU_DRIVE_ATA:
		return 0;
	case KESU_DRIVE_NVME:
		return kesu_err_set(&u->eb, -KESU_E_UNSUPPORTED, "refusing to unlock %s: it is an "
				    "NVMe drive, and kesu unlock removes ATA security passwords "
				    "(SG_IO ATA PASS-THROUGH). An NVMe drive locked by TCG Opal needs "
				    "the Opal tools (sedutil-cli) or its vendor's", path);
	default:
		return kesu_err_set(&u->eb, -KESU_E_UNSUPPORTED, "refusing to unlock %s: it does "
				    "not answer ATA commands (SG_IO ATA PASS-THROUGH)%s%s; only an ATA "
				    "drive has a security password to remove. Behind a USB bridge, "
				    "connect the drive to a SATA port", path,
				    u->drv.probe_note[0] ? ": " : "", u->drv.probe_note);
	}
}

/* What stops the recovery now (the library's rule). 1: no password, nothing to do. */
static int check_security(struct unlock_run *u)
{
	return kesu_fw_ata_recover_check(&u->drv.ata.security, u->id.path, &u->eb);
}

/* Every check, in the order that explains best. 0 go, 1 nothing to do, < 0 refused (u->eb). */
static int preflight(struct unlock_run *u)
{
	int rc = check_protocol(u);

	if (rc == 0)
		rc = check_same_drive(u);
	if (rc == 0)
		rc = check_security(u);
	return rc;
}

/* ---- output ---- */

static const char *security_text(const struct kesu_ata_security *s)
{
	if (!s->supported)
		return "not supported";
	if (s->locked)
		return s->frozen ? "password set, LOCKED, frozen" : "password set, LOCKED";
	if (s->enabled)
		return s->frozen ? "password set, frozen" : "password set, not locked";
	return s->frozen ? "no password, frozen" : "no password";
}

static json_t *security_json(const struct kesu_ata_security *s)
{
	return json_pack("{s:b, s:b, s:b, s:b, s:b, s:s}", "supported", s->supported,
			 "enabled", s->enabled, "locked", s->locked, "frozen", s->frozen,
			 "count_expired", s->count_expired, "level", s->level_max ? "maximum" :
			 "high");
}

/* The commands kesu_fw_ata_recover() would send from this state, for --dry-run and the prompt. */
static const char *plan_text(const struct kesu_ata_security *s)
{
	if (s->locked)
		return "IDENTIFY DEVICE, SECURITY UNLOCK (user password), SECURITY DISABLE "
		       "PASSWORD (user password), IDENTIFY DEVICE";
	if (s->enabled)
		return "IDENTIFY DEVICE, SECURITY DISABLE PASSWORD (user password), IDENTIFY DEVICE";
	return "nothing";
}

static void print_drive(const struct unlock_run *u)
{
	const struct kesu_ata_identify *a = &u->drv.ata;

	printf("%s: ATA '%s', serial '%s', firmware '%s'\n", u->id.path, a->model, a->serial,
	       a->firmware);
	if (u->rec)
		printf("  record:          %s (%s, serial '%s')\n", u->a->record,
		       u->rec->record_id[0] ? u->rec->record_id : "no id", u->rec->serial);
	printf("  security before: %s%s\n", security_text(&a->security),
	       a->security.count_expired ? " (wrong-password count expired)" : "");
}

static void print_commands(const struct unlock_run *u)
{
	json_t *e;
	size_t i;

	json_array_foreach(u->r.commands, i, e) {
		const char *detail = str_at(e, "detail");

		printf("  %-26s %s%s%s\n", str_at(e, "command"), str_at(e, "status"),
		       detail[0] ? ": " : "", detail);
	}
	if (u->have_after)
		printf("  security after:  %s%s\n", security_text(&u->after.security),
		       u->after.security.count_expired ? " (wrong-password count expired: "
		       "power-cycle the drive before another try)" : "");
}

static void print_json(const struct unlock_run *u)
{
	json_t *doc, *cmds = u->r.commands ? json_deep_copy(u->r.commands) : json_array();
	char *text;

	doc = json_pack("{s:s, s:s, s:s, s:s, s:s, s:b, s:o, s:s, s:s, s:i}",
			"device", u->id.path, "model", u->drv.proto == KESU_DRIVE_SCSI ?
			u->drv.scsi.inq.product : u->drv.ata.model, "serial",
			u->drv.proto == KESU_DRIVE_SCSI ? u->drv.scsi.serial : u->drv.ata.serial, "record", u->a->record ? u->a->record : "",
			"record_id", u->rec ? u->rec->record_id : "", "dry_run", u->a->dry_run,
			"commands", cmds ? cmds : json_array(), "result", u->result,
			"error", u->eb.msg, "exit", u->code);
	if (!doc)
		return;
	if (u->drv.proto == KESU_DRIVE_ATA)
		json_object_set_new(doc, "security_before", security_json(&u->drv.ata.security));
	if (u->have_after)
		json_object_set_new(doc, "security_after", security_json(&u->after.security));
	if (u->a->dry_run && u->a->exit_failure)
		json_object_set_new(doc, "would_send", json_string(!strcmp(u->result,
				    "would-exit-failure-mode") ? "REQUEST SENSE, SANITIZE EXIT FAILURE "
				    "MODE, REQUEST SENSE" : "nothing"));
	else if (u->a->dry_run)
		json_object_set_new(doc, "would_send", json_string(plan_text(&u->drv.ata.security)));
	text = json_dumps(doc, JSON_SORT_KEYS | JSON_INDENT(2));
	if (text)
		puts(text);
	free(text);
	json_decref(doc);
}

/* ---- asking ---- */

/* Ask on the terminal; 0 when confirmed, else -1 with u->eb saying so. */
static int confirm(struct unlock_run *u)
{
	char line[64];

	if (u->a->yes)
		return 0;
	if (!isatty(STDIN_FILENO))
		return kesu_err_set(&u->eb, -1, "not unlocking: no terminal to confirm on and no "
				    "--yes; nothing was sent. Check the drive with 'kesu unlock "
				    "--dry-run' and add --yes");
	fprintf(stderr, "kesu unlock will remove the ATA user password of:\n"
		"  %s  '%s'  serial '%s'  security: %s\n  sending %s\n"
		"The data stays as it is. Type 'yes' to unlock it: ", u->id.path,
		u->drv.ata.model, u->drv.ata.serial, security_text(&u->drv.ata.security),
		plan_text(&u->drv.ata.security));
	fflush(stderr);
	if (fgets(line, sizeof(line), stdin)) {
		line[strcspn(line, "\r\n")] = '\0';
		if (!strcmp(line, "yes"))
			return 0;
	}
	return kesu_err_set(&u->eb, -1, "not confirmed; nothing was sent");
}

/* ---- the run ---- */

/* Why the password is still there and what to do next; the exit code. */
static int judge_after(struct unlock_run *u, int recover_rc)
{
	const struct kesu_ata_security *s = &u->after.security;
	const char *path = u->id.path;
	bool level_max = u->drv.ata.security.level_max || s->level_max;
	char master[PATH_MAX * 2 + 200];

	if (!s->enabled && !s->locked) {
		u->result = u->drv.ata.security.locked ? "unlocked" : "disabled";
		return KESU_EXIT_OK;
	}
	if (s->locked && level_max)
		snprintf(master, sizeof(master), "at security level Maximum the master password "
			 "only erases: 'hdparm --user-master m --security-erase MASTER %s'", path);
	else
		snprintf(master, sizeof(master), "'hdparm --user-master m --security-%s MASTER %s'%s%s",
			 s->locked ? "unlock" : "disable", path, s->locked ? " and then "
			 "'hdparm --user-master m --security-disable MASTER " : "",
			 s->locked ? path : "");
	if (s->locked && !level_max)
		snprintf(master + strlen(master), sizeof(master) - strlen(master), "'");
	if (s->locked) {
		u->result = "still-locked";
		kesu_err_set(&u->eb, -KESU_E_LOCKED, "%s is still LOCKED: the drive did not accept "
			     "the password%s. Check it: a kesu wipe keeps its temporary password in "
			     "the local record's secrets.ata_user_password (give the record with "
			     "--record). %sIf the user password is lost, use "
			     "the master password (the vendor's default or the one your "
			     "organisation set; the vendor can tell you): %s", path,
			     recover_rc < 0 && recover_rc != -KESU_E_LOCKED ? " or the command failed" : "",
			     s->count_expired ? "The drive has now counted too many wrong passwords: "
			     "power-cycle it before the next try. " : "The drive counts wrong "
			     "passwords and after 5 refuses every unlock until it is power-cycled. ",
			     master);
		return KESU_EXIT_FROZEN;
	}
	u->result = "password-set";
	kesu_err_set(&u->eb, -KESU_E_LOCKED, "%s is not locked but still has a user password: the "
		     "drive refused SECURITY DISABLE PASSWORD (see the commands above; a wrong "
		     "password is the usual reason). Check the password and run kesu unlock again, "
		     "or use the master password: %s", path, master);
	return KESU_EXIT_FAILURE;
}

/* Send the recovery on the exclusively opened target and read the state afterwards. */
static int recover(struct unlock_run *u, struct kesu_target *t)
{
	uint8_t page[KESU_ATA_IDENTIFY_LEN];
	struct kesu_errbuf reb = { { 0 } }, ieb = { { 0 } };
	int rc, irc;

	rc = kesu_fw_ata_recover(t->fd, u->id.path, u->a->password, &u->r, &reb);
	irc = kesu_ata_identify(t->fd, page, &u->after, &ieb);
	if (irc < 0) {
		u->result = "unknown";
		kesu_err_set(&u->eb, irc, "%s: the security commands were sent (%s), but the drive's "
			     "state cannot be read afterwards: %s. Look with 'kesu info %s'", u->id.path,
			     rc == 0 ? "ok" : reb.msg, ieb.msg[0] ? ieb.msg : kesu_strerror(irc),
			     u->id.path);
		return kesu_exit_for(irc);
	}
	u->have_after = true;
	return judge_after(u, rc);
}

/* Refused before anything was sent: the exit code, and JSON "result". */
static int refusal(struct unlock_run *u, int rc)
{
	u->result = "refused";
	if (rc == -KESU_E_BAD_INPUT)     /* a record of another drive: not safe to use */
		return KESU_EXIT_UNSAFE;
	return kesu_exit_for(rc);
}

/* --dry-run: read-only and shared, like kesu wipe --dry-run; only IDENTIFY-class reads. */
static int dry_run(struct unlock_run *u)
{
	struct kesu_safety s = { 0 };
	int rc;

	rc = kesu_dev_identify(u->a->device, false, &u->id, &u->eb);
	if (rc < 0)
		return kesu_exit_for(rc);
	rc = kesu_drive_inspect(&u->id, &u->drv);
	if (rc < 0)
		return kesu_exit_for(kesu_err_set(&u->eb, rc, "%s", u->drv.probe_note));
	rc = preflight(u);
	if (rc == 0 && kesu_safety_check(&u->id, &s, NULL) == 0 && s.reasons)
		rc = kesu_err_set(&u->eb, kesu_safety_error(&s), "%s is not safe to open: %s",
				  u->id.path, s.detail);
	if (rc < 0)
		return refusal(u, rc);
	u->result = rc == 1 ? "no-password" : "would-unlock";
	return KESU_EXIT_OK;
}

static void print_dry_run(const struct unlock_run *u)
{
	if (u->drv.proto == KESU_DRIVE_ATA)
		print_drive(u);
	if (u->drv.proto == KESU_DRIVE_ATA && u->code == KESU_EXIT_OK)
		printf("  would send:      %s\n", plan_text(&u->drv.ata.security));
	printf("dry run: nothing was sent.\n");
}

static int real_run(struct unlock_run *u)
{
	struct kesu_target t = { .fd = -1 };
	int rc, code;

	rc = kesu_target_open(u->a->device, 0, &t, &u->eb);
	if (rc < 0) {
		u->result = "refused";
		snprintf(u->id.path, sizeof(u->id.path), "%s", u->a->device);
		return kesu_exit_for(rc);
	}
	u->id = t.id;
	kesu_drive_probe(t.fd, &t.id, &u->drv);
	rc = preflight(u);
	if (rc == 1) {
		u->result = "no-password";
		code = KESU_EXIT_OK;
		goto out;
	}
	if (rc < 0) {
		code = refusal(u, rc);
		goto out;
	}
	if (confirm(u) < 0) {
		u->result = "declined";
		code = KESU_EXIT_DECLINED;
		goto out;
	}
	if (!u->a->json)
		print_drive(u);
	code = recover(u, &t);
out:
	kesu_target_close(&t);
	return code;
}

/* ---- SCSI: leaving sanitize failure mode ---- */

/* 0 go, 1 nothing to do, < 0 refused (u->eb). */
static int scsi_check(struct unlock_run *u)
{
	const char *path = u->id.path;

	if (u->drv.proto != KESU_DRIVE_SCSI)
		return kesu_err_set(&u->eb, -KESU_E_UNSUPPORTED, "refusing --exit-failure-mode on "
				    "%s: it is not a SCSI drive (it answers no SCSI INQUIRY as one%s%s); "
				    "EXIT FAILURE MODE is a SCSI SANITIZE service action", path,
				    u->drv.probe_note[0] ? ": " : "", u->drv.probe_note);
	if (u->drv.scsi.san_state == KESU_SCSI_SAN_IN_PROGRESS)
		return kesu_err_set(&u->eb, -EBUSY, "%s: a sanitize is in progress (%.1f%%); it "
				    "cannot be stopped: wait for it to end ('kesu info %s')", path,
				    u->drv.scsi.san_progress * 100.0 / 65536, path);
	return u->drv.scsi.san_state == KESU_SCSI_SAN_FAILED ? 0 : 1;
}

static int scsi_confirm(struct unlock_run *u)
{
	char line[64];

	if (u->a->yes)
		return 0;
	if (!isatty(STDIN_FILENO))
		return kesu_err_set(&u->eb, -1, "not sending EXIT FAILURE MODE: no terminal to "
				    "confirm on and no --yes; nothing was sent");
	fprintf(stderr, "kesu unlock will end the sanitize failure mode of:\n  %s  '%s %s'  serial "
		"'%s'\n  sending SANITIZE EXIT FAILURE MODE. The data stays in the unknown state "
		"the failed sanitize left. Type 'yes' to send it: ", u->id.path,
		u->drv.scsi.inq.vendor, u->drv.scsi.inq.product, u->drv.scsi.serial);
	fflush(stderr);
	if (fgets(line, sizeof(line), stdin)) {
		line[strcspn(line, "\r\n")] = '\0';
		if (!strcmp(line, "yes"))
			return 0;
	}
	return kesu_err_set(&u->eb, -1, "not confirmed; nothing was sent");
}

/* Probe (shared and read-only for --dry-run, else exclusively), check, ask, send. */
static int scsi_run(struct unlock_run *u)
{
	struct kesu_target t = { .fd = -1 };
	int rc, code;

	if (u->a->dry_run) {
		rc = kesu_dev_identify(u->a->device, false, &u->id, &u->eb);
		if (rc == 0) {
			t.fd = open(u->id.path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
			if (t.fd < 0)
				rc = kesu_err_set(&u->eb, -errno, "cannot open %s: %s", u->id.path,
						  strerror(errno));
		}
	} else {
		rc = kesu_target_open(u->a->device, 0, &t, &u->eb);
		u->id = t.id;
	}
	if (rc < 0) {
		snprintf(u->id.path, sizeof(u->id.path), "%s", u->a->device);
		u->result = "refused";
		return kesu_exit_for(rc);
	}
	kesu_drive_probe(t.fd, &u->id, &u->drv);
	rc = scsi_check(u);
	if (rc == 1) {
		u->result = "not-in-failure-mode";
		code = KESU_EXIT_OK;
	} else if (rc < 0) {
		code = refusal(u, rc);
	} else if (u->a->dry_run) {
		u->result = "would-exit-failure-mode";
		code = KESU_EXIT_OK;
	} else if (scsi_confirm(u) < 0) {
		u->result = "declined";
		code = KESU_EXIT_DECLINED;
	} else {
		rc = kesu_fw_scsi_exit_failure(t.fd, u->id.path, &u->r, &u->eb);
		u->result = rc == 0 ? "exited-failure-mode" : rc == 1 ? "not-in-failure-mode" :
			    "failed";
		code = rc < 0 ? kesu_exit_for(rc) : KESU_EXIT_OK;
	}
	if (u->a->dry_run)
		close(t.fd);
	else
		kesu_target_close(&t);
	return code;
}

static void scsi_print(const struct unlock_run *u)
{
	print_commands(u);
	if (!strcmp(u->result, "not-in-failure-mode"))
		printf("%s is not in sanitize failure mode: nothing to do; nothing was sent.\n",
		       u->id.path);
	else if (!strcmp(u->result, "would-exit-failure-mode"))
		printf("%s is in sanitize failure mode: would send SANITIZE EXIT FAILURE MODE.\n"
		       "dry run: nothing was sent.\n", u->id.path);
	else if (!strcmp(u->result, "exited-failure-mode"))
		printf("%s: sanitize failure mode ended (EXIT FAILURE MODE); its data is in an "
		       "unknown state: erase it again\n", u->id.path);
}

int cmd_unlock(int argc, char **argv)
{
	struct unlock_args a = { 0 };
	struct unlock_record rec;
	struct unlock_run u;
	int rc;

	rc = parse_args(argc, argv, &a);
	if (rc)
		return rc > 0 ? KESU_EXIT_OK : KESU_EXIT_USAGE;
	memset(&u, 0, sizeof(u));
	u.a = &a;
	u.result = "refused";
	if (a.record) {
		rc = load_record(a.record, &rec, &u.eb);
		if (rc < 0) {
			kesu_cli_error("%s", u.eb.msg);
			return kesu_exit_for(rc);
		}
		u.rec = &rec;
		a.password = rec.password;
	}
	if (kesu_result_init(&u.r) < 0) {
		kesu_cli_error("out of memory");
		return KESU_EXIT_IO;
	}
	if (a.exit_failure)
		u.code = scsi_run(&u);
	else
		u.code = a.dry_run ? dry_run(&u) : real_run(&u);
	if (a.json && u.id.path[0]) {
		print_json(&u);
	} else if (!a.json && a.exit_failure) {
		scsi_print(&u);
	} else if (!a.json) {
		if (a.dry_run && u.drv.proto == KESU_DRIVE_ATA)
			print_dry_run(&u);
		else if (u.have_after)
			print_commands(&u);
		if (!strcmp(u.result, "no-password"))
			printf("%s has no user password and is not locked: nothing to do; nothing "
			       "was sent.\n", u.id.path);
		else if (!strcmp(u.result, "unlocked"))
			printf("%s: unlocked, and the user password removed (security disabled)\n",
			       u.id.path);
		else if (!strcmp(u.result, "disabled"))
			printf("%s: the user password removed (security disabled)\n", u.id.path);
	}
	if (u.eb.msg[0] && u.code != KESU_EXIT_OK)
		kesu_cli_error("%s", u.eb.msg);
	kesu_result_release(&u.r);
	return u.code;
}
