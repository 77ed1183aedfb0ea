/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Inside the erase methods: the state one firmware run shares with the
 * per-method files, the helpers they use for the command log, progress,
 * polling and stall detection (fw_common.c), and each method file's support
 * check and runner, which the method table (methods.c) points to. Not a
 * public header.
 *
 * Calls run one way: the runner (firmware.c) -> the table (methods.c) ->
 * the method files (ata_security.c, ata_sanitize.c, nvme_format.c,
 * nvme_sanitize.c, scsi_sanitize.c, mmc_erase.c) -> the common helpers
 * (fw_common.c). The run context (run.h) comes through the options, o->run.
 */
#ifndef KESU_FW_INT_H
#define KESU_FW_INT_H

#include <kesu/firmware.h>
#include <kesu/methods.h>

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

struct fw_run {
	struct kesu_target *t;
	struct kesu_drive d;          /* the probe, refreshed by the methods */
	const struct kesu_fw_opts *o;
	struct kesu_result *r;
	struct kesu_errbuf *eb;
	uint64_t t0_ms;
	unsigned stall_s, poll_ms;
	bool touched;                 /* a command that changes the drive was sent */
	struct kesu_progress prog;
	uint64_t erase_base;          /* progress bytes before the erase step */
	uint64_t erase_span;          /* progress bytes the erase step counts for */
	uint32_t last_frac;           /* last erase progress, of 65536 */
	char password[KESU_ATA_PASSWORD_LEN + 1];  /* ATA security: kesu's temporary password */
	char unreached[512];          /* parts of the medium the method could not erase: not ERASED */
	bool no_before;               /* nothing could be read before (a locked SED): not ERASED */
	/* a blocking command's ticker */
	pthread_t ticker;
	pthread_mutex_t tick_lock;
	pthread_cond_t tick_cond;
	bool ticker_on, ticker_quit;
	uint64_t tick_estimate_ms;
};

/* Erase progress: frac of 65536, eta in seconds or -1. Adds a timeline point. */
void fw_progress(struct fw_run *ru, uint32_t frac, int64_t eta_s);

/* Wait one poll interval; -KESU_E_INTERRUPTED when the operator asked to stop. */
int fw_wait(struct fw_run *ru);

/* Stall detection over a progress value. */
struct fw_watch {
	uint64_t since_ms;
	uint32_t value;
};
void fw_watch_init(struct fw_watch *w, uint32_t value);
/* True when value has not changed for the stall timeout. */
bool fw_watch_stalled(struct fw_run *ru, struct fw_watch *w, uint32_t value);

/* ETA from a progress fraction and the time since start (-1 when unknown). */
int64_t fw_eta_from_progress(uint64_t elapsed_ms, uint32_t frac);

/*
 * A command that blocks for the whole erase (ERASE UNIT, Format NVM): a
 * thread reports elapsed time against the estimate while it runs.
 */
void fw_ticker_start(struct fw_run *ru, uint64_t estimate_ms);
void fw_ticker_stop(struct fw_run *ru);

/* Log a command into the record; printf-style detail. */
void fw_log(struct fw_run *ru, const char *command, int rc, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/* Progress to the caller's callback (elapsed time filled in). */
void fw_report(struct fw_run *ru);

/* A support check's sentence into e->reason. */
void fw_say(struct kesu_method_eval *e, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Mark supported (and ready until something blocks it). */
void fw_set_support(struct kesu_method_eval *e, bool supported);

/*
 * The method files, as the table points to them: the support check
 * (kesu_method_check_fn), the runner (kesu_method_run_fn: 0 when the drive
 * reports success, else a negative error with eb's sentence), and whether
 * the method reaches every namespace (kesu_method_wide_fn). m->action is the
 * family's command code.
 */
/* ata_security.c: action 0 normal, 1 enhanced */
void fw_ata_security_check(const struct kesu_drive *d, const struct kesu_method_desc *m,
			   struct kesu_method_eval *e);
int fw_ata_security_run(struct fw_run *ru, const struct kesu_method_desc *m);
/* ata_sanitize.c: action is an enum kesu_ata_sanitize_action */
void fw_ata_sanitize_check(const struct kesu_drive *d, const struct kesu_method_desc *m,
			   struct kesu_method_eval *e);
int fw_ata_sanitize_run(struct fw_run *ru, const struct kesu_method_desc *m);
/* nvme_format.c: action is an enum kesu_nvme_ses */
void fw_nvme_format_check(const struct kesu_drive *d, const struct kesu_method_desc *m,
			  struct kesu_method_eval *e);
int fw_nvme_format_run(struct fw_run *ru, const struct kesu_method_desc *m);
bool fw_nvme_format_wide(const struct kesu_drive *d, const struct kesu_method_desc *m);
/* nvme_sanitize.c: action is an enum kesu_nvme_sanact */
void fw_nvme_sanitize_check(const struct kesu_drive *d, const struct kesu_method_desc *m,
			    struct kesu_method_eval *e);
int fw_nvme_sanitize_run(struct fw_run *ru, const struct kesu_method_desc *m);
bool fw_nvme_sanitize_wide(const struct kesu_drive *d, const struct kesu_method_desc *m);
/* scsi_sanitize.c: action is an enum kesu_scsi_sanitize_sa */
void fw_scsi_sanitize_check(const struct kesu_drive *d, const struct kesu_method_desc *m,
			    struct kesu_method_eval *e);
int fw_scsi_sanitize_run(struct fw_run *ru, const struct kesu_method_desc *m);
/* mmc_erase.c: action 0 erase + sanitize, 1 secure erase */
void fw_mmc_check(const struct kesu_drive *d, const struct kesu_method_desc *m,
		  struct kesu_method_eval *e);
int fw_mmc_run(struct fw_run *ru, const struct kesu_method_desc *m);
/* opal_revert.c: action 0 PSID revert, 1 the owner's revert (SID password) */
void fw_opal_check(const struct kesu_drive *d, const struct kesu_method_desc *m,
		   struct kesu_method_eval *e);
int fw_opal_run(struct fw_run *ru, const struct kesu_method_desc *m);

#endif
