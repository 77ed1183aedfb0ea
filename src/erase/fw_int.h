/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Inside the firmware erase runner (firmware.h): the state one run shares
 * with the per-method files, and the helpers they use for the command log,
 * progress, polling and stall detection. Not a public header.
 */
#ifndef KESU_FW_INT_H
#define KESU_FW_INT_H

#include <kesu/firmware.h>

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

/* The methods: 0 when the drive reports success; a negative error otherwise (eb says why). */
int fw_ata_security(struct fw_run *ru, bool enhanced);
int fw_ata_sanitize(struct fw_run *ru, enum kesu_ata_sanitize_action action);
int fw_nvme_format(struct fw_run *ru, enum kesu_nvme_ses ses);
int fw_nvme_sanitize(struct fw_run *ru, enum kesu_nvme_sanact action);

/* Whether Format NVM with SES reaches every namespace of the controller (FNA). */
bool fw_nvme_format_all(const struct kesu_nvme_ctrl *c, enum kesu_nvme_ses ses);

#endif
