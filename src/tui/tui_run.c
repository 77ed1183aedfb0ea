/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Child `kesu wipe` processes and their JSON output. A child that crashes
 * costs only its own drive; the TUI reports its exit status. */
#include "tui.h"

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#define TUI_MAX_OUTPUT (1u << 20)

int tui_job_start(struct tui_job *j, const struct tui_wipe_opts *o, const char *device)
{
	int err_pipe[2], out_pipe[2], in_pipe[2] = { -1, -1 };

	memset(j, 0, sizeof(*j));
	j->err_fd = j->out_fd = -1;
	snprintf(j->device, sizeof(j->device), "%s", device);
	if (o->media_id)
		snprintf(j->media_id, sizeof(j->media_id), "%s", o->media_id);
	if (o->ledger)
		snprintf(j->ledger, sizeof(j->ledger), "%s", o->ledger);
	snprintf(j->phase, sizeof(j->phase), "starting");
	if (pipe2(err_pipe, O_CLOEXEC) < 0)
		return -errno;
	if (pipe2(out_pipe, O_CLOEXEC) < 0) {
		int err = errno;

		close(err_pipe[0]);
		close(err_pipe[1]);
		return -err;
	}
	/* The PSID goes through a pipe: 33 bytes fit its buffer before the child reads. */
	if (o->psid && pipe2(in_pipe, O_CLOEXEC) < 0) {
		int err = errno;

		close(err_pipe[0]);
		close(err_pipe[1]);
		close(out_pipe[0]);
		close(out_pipe[1]);
		return -err;
	}
	pid_t pid = fork();

	if (pid < 0) {
		int err = errno;

		close(err_pipe[0]);
		close(err_pipe[1]);
		close(out_pipe[0]);
		close(out_pipe[1]);
		if (o->psid) {
			close(in_pipe[0]);
			close(in_pipe[1]);
		}
		return -err;
	}
	if (pid == 0) {
		const char *argv[24];
		int a = 0;
		int devnull = o->psid ? in_pipe[0] : open("/dev/null", O_RDONLY);

		if (devnull >= 0)
			dup2(devnull, 0);
		dup2(out_pipe[1], 1);
		dup2(err_pipe[1], 2);
		setpgid(0, 0); /* the terminal's ^C reaches the TUI, which decides */
		argv[a++] = o->kesu;
		argv[a++] = "wipe";
		argv[a++] = "--yes";
		argv[a++] = "--json";
		argv[a++] = "--json-progress";
		argv[a++] = "--method";
		argv[a++] = o->method;
		argv[a++] = "--out";
		argv[a++] = o->out_dir;
		if (o->config) {
			argv[a++] = "--config";
			argv[a++] = o->config;
		}
		if (o->operator_name && *o->operator_name) {
			argv[a++] = "--operator";
			argv[a++] = o->operator_name;
		}
		if (o->psid) {
			argv[a++] = "--psid-file";
			argv[a++] = "-";
		}
		if (o->media_id && *o->media_id) {
			argv[a++] = "--media-id";
			argv[a++] = o->media_id;
			if (o->db) {
				argv[a++] = "--db";
				argv[a++] = o->db;
			}
		}
		argv[a++] = device;
		argv[a] = NULL;
		execv(o->kesu, (char *const *)argv);
		_exit(127);
	}
	close(err_pipe[1]);
	close(out_pipe[1]);
	if (o->psid) {
		size_t len = strlen(o->psid);

		struct sigaction ign, old;

		/* a child that died at once must not take the TUI with it */
		memset(&ign, 0, sizeof(ign));
		ign.sa_handler = SIG_IGN;
		sigaction(SIGPIPE, &ign, &old);
		close(in_pipe[0]);
		if (write(in_pipe[1], o->psid, len) != (ssize_t)len || write(in_pipe[1], "\n", 1) != 1) {
			/* the child reads an incomplete PSID and refuses it: its error is shown */
		}
		close(in_pipe[1]);
		sigaction(SIGPIPE, &old, NULL);
	}
	j->pid = pid;
	j->err_fd = err_pipe[0];
	j->out_fd = out_pipe[0];
	j->state = TUI_JOB_RUNNING;
	return 0;
}

static uint64_t json_u64(json_t *o, const char *key)
{
	json_int_t v = json_integer_value(json_object_get(o, key));

	return v > 0 ? (uint64_t)v : 0;
}

void tui_job_parse_progress(struct tui_job *j, const char *line)
{
	json_t *o = json_loads(line, 0, NULL);
	const char *ev = o ? json_string_value(json_object_get(o, "event")) : NULL;

	if (!ev || strcmp(ev, "progress") != 0) {
		if (line[0] && line[0] != '{')
			snprintf(j->last_text, sizeof(j->last_text), "%s", line);
		json_decref(o);
		return;
	}
	const char *phase = json_string_value(json_object_get(o, "phase"));

	if (phase)
		snprintf(j->phase, sizeof(j->phase), "%s", phase);
	j->step = (unsigned)json_u64(o, "step");
	j->steps = (unsigned)json_u64(o, "steps");
	j->done_bytes = json_u64(o, "done_bytes");
	j->total_bytes = json_u64(o, "total_bytes");
	j->rate_bps = json_u64(o, "rate_bps");
	j->eta_s = json_u64(o, "eta_s");
	json_decref(o);
}

void tui_job_parse_result(struct tui_job *j)
{
	json_t *doc = j->out ? json_loadb(j->out, j->out_len, 0, NULL) : NULL;
	json_t *r = json_array_get(json_object_get(doc, "results"), 0);
	const char *outcome = json_string_value(json_object_get(r, "outcome"));
	const char *record = json_string_value(json_object_get(r, "record"));
	const char *cert = json_string_value(json_object_get(r, "certificate"));
	const char *ledger_error = json_string_value(json_object_get(r, "ledger_error"));
	json_t *reasons = json_object_get(r, "reasons");

	snprintf(j->outcome, sizeof(j->outcome), "%s", outcome ? outcome : "ERROR");
	snprintf(j->record, sizeof(j->record), "%s", record ? record : "");
	snprintf(j->certificate, sizeof(j->certificate), "%s", cert ? cert : "");
	snprintf(j->ledger_error, sizeof(j->ledger_error), "%s", ledger_error ? ledger_error : "");
	j->reason[0] = '\0';
	if (json_is_array(reasons) && json_array_size(reasons) > 0) {
		const char *s = json_string_value(json_array_get(reasons, 0));

		snprintf(j->reason, sizeof(j->reason), "%s", s ? s : "");
	} else if (!outcome) {
		snprintf(j->reason, sizeof(j->reason), "kesu wipe ended with status %d%s%.200s", j->status,
			 j->last_text[0] ? ": " : "", j->last_text);
	}
	json_decref(doc);
}

static void take_stderr(struct tui_job *j, const char *buf, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		if (buf[i] == '\n' || j->line_len + 1 >= sizeof(j->line)) {
			j->line[j->line_len] = '\0';
			tui_job_parse_progress(j, j->line);
			j->line_len = 0;
			if (buf[i] == '\n')
				continue;
		}
		j->line[j->line_len++] = buf[i];
	}
}

static void take_stdout(struct tui_job *j, const char *buf, size_t len)
{
	if (j->out_len + len > TUI_MAX_OUTPUT)
		return;
	char *p = realloc(j->out, j->out_len + len + 1);

	if (!p)
		return;
	memcpy(p + j->out_len, buf, len);
	j->out = p;
	j->out_len += len;
	j->out[j->out_len] = '\0';
}

/* Drain fd once; closes it at end of file. */
static void drain(struct tui_job *j, int *fd, bool is_stderr)
{
	char buf[8192];
	ssize_t got = read(*fd, buf, sizeof(buf));

	if (got > 0) {
		if (is_stderr)
			take_stderr(j, buf, (size_t)got);
		else
			take_stdout(j, buf, (size_t)got);
		return;
	}
	if (got < 0 && (errno == EINTR || errno == EAGAIN))
		return;
	close(*fd);
	*fd = -1;
}

static void reap(struct tui_job *j)
{
	int st;

	if (j->state != TUI_JOB_RUNNING || j->err_fd >= 0 || j->out_fd >= 0)
		return;
	if (waitpid(j->pid, &st, 0) != j->pid)
		st = 127 << 8;
	j->status = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
	j->state = TUI_JOB_DONE;
	tui_job_parse_result(j);
}

void tui_jobs_poll(struct tui_job *jobs, size_t n, int timeout_ms)
{
	struct pollfd pfd[64];
	struct tui_job *owner[64];
	bool is_err[64];
	size_t k = 0;

	for (size_t i = 0; i < n && k + 2 <= 64; i++) {
		if (jobs[i].err_fd >= 0) {
			pfd[k] = (struct pollfd){ .fd = jobs[i].err_fd, .events = POLLIN };
			owner[k] = &jobs[i];
			is_err[k++] = true;
		}
		if (jobs[i].out_fd >= 0) {
			pfd[k] = (struct pollfd){ .fd = jobs[i].out_fd, .events = POLLIN };
			owner[k] = &jobs[i];
			is_err[k++] = false;
		}
	}
	if (k > 0 && poll(pfd, k, timeout_ms) > 0) {
		for (size_t i = 0; i < k; i++) {
			if (!(pfd[i].revents & (POLLIN | POLLHUP | POLLERR)))
				continue;
			struct tui_job *j = owner[i];

			drain(j, is_err[i] ? &j->err_fd : &j->out_fd, is_err[i]);
		}
	}
	for (size_t i = 0; i < n; i++)
		reap(&jobs[i]);
}

void tui_jobs_stop(struct tui_job *jobs, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (jobs[i].state == TUI_JOB_RUNNING && jobs[i].pid > 0)
			kill(jobs[i].pid, SIGTERM);
}

void tui_job_release(struct tui_job *j)
{
	if (j->err_fd >= 0)
		close(j->err_fd);
	if (j->out_fd >= 0)
		close(j->out_fd);
	j->err_fd = j->out_fd = -1;
	free(j->out);
	j->out = NULL;
	j->out_len = 0;
}
