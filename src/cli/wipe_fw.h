/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * kesu wipe's firmware methods and `--method auto`: the front-end glue
 * between cmd_wipe.c and the runner in firmware.h (probe, choose, preflight,
 * dry-run text). No erase logic here.
 */
#ifndef KESU_CLI_WIPE_FW_H
#define KESU_CLI_WIPE_FW_H

#include <kesu/drive.h>
#include <kesu/firmware.h>
#include <kesu/safety.h>

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

/* What the command line asked for that the firmware methods use. */
struct wipe_fw_args {
	const char *method;           /* a firmware method name or "auto" */
	const char *pattern;          /* --pattern, or NULL */
	unsigned passes;              /* --passes (sanitize overwrite: 1..16), 0: 1 */
	bool unhide;
	unsigned stall_timeout_s;     /* 0: default */
	const char *psid;             /* --psid / --psid-file (checked), or NULL */
	const uint8_t *password;      /* --password-file's first line, or NULL */
	size_t password_len;
};

/* The longest owner's password --password-file takes (the kernel's opal_key). */
#define WIPE_FW_PASSWORD_MAX 255

/*
 * A secret's first line from path ("-": standard input), without its line
 * end, into buf (cap bytes, NUL-terminated); *len its length. -KESU_E_BAD_INPUT
 * for an empty first line or one longer than cap - 1; eb never holds the secret.
 */
int wipe_fw_secret_read(const char *path, const char *what, char *buf, size_t cap, size_t *len,
			struct kesu_errbuf *eb);

/* One drive's firmware state. */
struct wipe_fw {
	struct kesu_drive drv;
	struct kesu_fw_opts o;
	char why[256];                /* auto: why this method */
	bool firmware;                /* false: auto fell back to overwrite */
};

/* True for "auto" and the firmware method names. */
bool wipe_fw_handles(const char *method);

/* The names for error messages: overwrite, auto, then every firmware method. */
const char *wipe_fw_method_list(void);

/* --help: one line per firmware method (name and help line), indented. */
void wipe_fw_usage_methods(FILE *out, int indent);

/*
 * Probe the opened target, resolve the method, check it can run now
 * (refusals come with eb's sentence: frozen with the remedy, locked,
 * unsupported, an unsafe namespace). w->firmware false: auto chose overwrite.
 */
int wipe_fw_plan(struct wipe_fw *w, const struct kesu_target *t, const struct kesu_run *run,
		 const struct wipe_fw_args *a, struct kesu_errbuf *eb);

/* The plan in one paragraph (confirmation prompt). */
void wipe_fw_describe(const struct wipe_fw *w, char *buf, size_t len);

/*
 * --dry-run for one device: print (or append to arr) the firmware plan for
 * target (identified, its drive asked: kesu_target_probe_medium()), with
 * safety the caller's sentence (the real run's decision, "ok" when safe).
 * Returns 0 when printed, 1 when auto chose overwrite (why in why, the caller
 * prints the overwrite plan), or a negative error (already printed).
 */
int wipe_fw_dry_run(const struct kesu_target *target, const struct kesu_run *run,
		    const struct wipe_fw_args *a, const char *safety, json_t *arr, char *why,
		    size_t why_len);

#endif
