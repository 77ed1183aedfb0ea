/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The drive simulator (tests/sim) as a test fixture: a loop device, the
 * simulator's config and log under tu_tmpdir(), and the environment that
 * preloads the simulator into a program run with tu_runv().
 *
 * A test binary that checks a drive's ATA security state afterwards answers
 * "TESTBIN --identify DEV" with sim_fx_identify_main() in its main(); run
 * under the simulator (sim_fx_ck_security), that reads the simulated drive.
 */
#ifndef KESU_SIMFX_H
#define KESU_SIMFX_H

#include <stdbool.h>
#include <stdint.h>

#include "testutil.h"

/* The argument of a test binary's child mode that prints the security state. */
#define SIM_FX_IDENTIFY_ARG "--identify"

struct sim_fx {
	char dev[256], image[4096];   /* the loop device and its image file */
	uint64_t size;                /* the device's size in bytes */
	char cfg[4096], log[4096];    /* the simulator's config (its state file is cfg.state) and log */
	char env_pre[4200], env_cfg[4200], env_log[4200];
	const char *env[4];           /* LD_PRELOAD, KESU_SIM_CONFIG, KESU_SIM_LOG, NULL: for tu_runv() */
};

/* A fresh fixture: a zeroed loop device of size bytes; no config written yet. */
void sim_fx_loop(struct sim_fx *f, uint64_t size);

/* Write json as the simulator's config; the drive starts over (its state and the log removed). */
void sim_fx_use_config(struct sim_fx *f, const char *json);

/* The same from tmpl, printf-style with one %s: the loop device. */
void sim_fx_config(struct sim_fx *f, const char *tmpl);

/* sim_fx_loop() and sim_fx_config(). */
void sim_fx_setup(struct sim_fx *f, uint64_t size, const char *tmpl);

/* Fill the whole device with random bytes (synced). */
void sim_fx_fill_random(const struct sim_fx *f);

/* The simulator's log (what reached the drive) holds what. */
bool sim_fx_log_has(const struct sim_fx *f, const char *what);

/* Run argv with the simulator preloaded, input on stdin (NULL: none); asserts it ran
 * and was not killed by a signal. The caller frees r. */
void sim_fx_run(const struct sim_fx *f, struct tu_result *r, const char *input,
		const char *const argv[]);

/*
 * The child mode: print the ATA security state of dev as the drive reports it,
 * "security enabled=E locked=L frozen=F expired=X". Returns the exit status:
 * 0, 3 when dev cannot be opened, 4 when IDENTIFY DEVICE fails.
 */
int sim_fx_identify_main(const char *dev);

/* Run this binary's child mode on the fixture's drive under the simulator;
 * asserts it succeeds and that its line holds want (e.g. "enabled=0 locked=0"). */
void sim_fx_ck_security(const struct sim_fx *f, const char *want);

#endif
