/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "simfx.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <kesu/ata.h>

void sim_fx_loop(struct sim_fx *f, uint64_t size)
{
	memset(f, 0, sizeof(*f));
	f->size = size;
	ck_assert_int_eq(tu_loop_create(size, f->dev, sizeof(f->dev), f->image, sizeof(f->image)), 0);
	snprintf(f->cfg, sizeof(f->cfg), "%s/sim.json", tu_tmpdir());
	snprintf(f->log, sizeof(f->log), "%s/sim.log", tu_tmpdir());
	snprintf(f->env_pre, sizeof(f->env_pre), "LD_PRELOAD=%s", tu_sim_lib());
	snprintf(f->env_cfg, sizeof(f->env_cfg), "KESU_SIM_CONFIG=%s", f->cfg);
	snprintf(f->env_log, sizeof(f->env_log), "KESU_SIM_LOG=%s", f->log);
	f->env[0] = f->env_pre;
	f->env[1] = f->env_cfg;
	f->env[2] = f->env_log;
	f->env[3] = NULL;
}

static void remove_if_there(const char *path)
{
	ck_assert_msg(unlink(path) == 0 || errno == ENOENT, "cannot remove %s: %s", path,
		      strerror(errno));
}

void sim_fx_use_config(struct sim_fx *f, const char *json)
{
	char state[4200];

	ck_assert_int_eq(tu_write_file(f->cfg, json, strlen(json)), 0);
	/* The simulator keeps the drive's state (passwords, hidden areas) beside its config. */
	snprintf(state, sizeof(state), "%s.state", f->cfg);
	remove_if_there(state);
	remove_if_there(f->log);
}

void sim_fx_config(struct sim_fx *f, const char *tmpl)
{
	char *json = NULL;

	ck_assert_int_ge(asprintf(&json, tmpl, f->dev), 0);
	sim_fx_use_config(f, json);
	free(json);
}

void sim_fx_setup(struct sim_fx *f, uint64_t size, const char *tmpl)
{
	sim_fx_loop(f, size);
	sim_fx_config(f, tmpl);
}

void sim_fx_fill_random(const struct sim_fx *f)
{
	ck_assert_int_eq(tu_sh("head -c %llu /dev/urandom > %s && sync", (unsigned long long)f->size,
			       f->dev), 0);
}

bool sim_fx_log_has(const struct sim_fx *f, const char *what)
{
	char *log = tu_read_file(f->log, NULL);
	bool found = log && strstr(log, what);

	free(log);
	return found;
}

void sim_fx_run(const struct sim_fx *f, struct tu_result *r, const char *input,
		const char *const argv[])
{
	ck_assert_int_eq(tu_runv(r, f->env, input, argv), 0);
	ck_assert_msg(r->status < 128, "%s %s died (%d): %s", argv[0], argv[1] ? argv[1] : "",
		      r->status, r->err);
}

int sim_fx_identify_main(const char *dev)
{
	uint8_t page[KESU_ATA_IDENTIFY_LEN];
	struct kesu_ata_identify id;
	int fd = open(dev, O_RDONLY), rc;

	if (fd < 0)
		return 3;
	rc = kesu_ata_identify(fd, page, &id, NULL);
	close(fd);
	if (rc)
		return 4;
	printf("security enabled=%d locked=%d frozen=%d expired=%d\n", id.security.enabled,
	       id.security.locked, id.security.frozen, id.security.count_expired);
	return 0;
}

static const char *self_exe(void)
{
	static char exe[4096];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);

	ck_assert_int_gt(n, 0);
	exe[n] = '\0';
	return exe;
}

void sim_fx_ck_security(const struct sim_fx *f, const char *want)
{
	const char *argv[] = { self_exe(), SIM_FX_IDENTIFY_ARG, f->dev, NULL };
	struct tu_result r;

	ck_assert_int_eq(tu_runv(&r, f->env, NULL, argv), 0);
	ck_assert_msg(r.status == 0, "identify: %d %s", r.status, r.err);
	ck_assert_msg(strstr(r.out, want), "expected '%s', the drive says: %s", want, r.out);
	tu_result_free(&r);
}
