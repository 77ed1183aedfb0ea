/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The overwrite method (overwrite.h): the passes, the verification step, the
 * journal and the outcome. The I/O itself is the stream engine (stream.h).
 *
 * Steps are numbered 0..passes-1 for the pattern passes, then one for the
 * final zero pass when asked, then the verification. The journal records the
 * step and the watermark inside it; a resumed verification starts over (it
 * is short, and its mismatches are not journalled).
 */
#include <kesu/methods.h>
#include <kesu/overwrite.h>
#include <kesu/stream.h>
#include <kesu/text.h>
#include <kesu/util.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define JOURNAL_EVERY_MS 2000

void kesu_overwrite_step_pattern(const struct kesu_overwrite_opts *o, unsigned step,
				 struct kesu_pattern *out)
{
	if (step >= o->passes) {
		memset(out, 0, sizeof(*out));
		out->kind = KESU_PAT_BYTES;
		out->len = 1;
		return;
	}
	if (step % 2)
		kesu_pattern_complement(&o->pattern, out);
	else
		*out = o->pattern;
}

static unsigned write_steps(const struct kesu_overwrite_opts *o)
{
	return o->passes + (o->final_zero ? 1 : 0);
}

void kesu_overwrite_describe(const struct kesu_overwrite_opts *o, char *buf, size_t len)
{
	struct kesu_pattern p;
	char name[KESU_PATTERN_NAME_MAX];
	size_t used;
	unsigned i;

	used = (size_t)snprintf(buf, len, "%u pass%s:", o->passes, o->passes == 1 ? "" : "es");
	for (i = 0; i < write_steps(o) && used < len; i++) {
		kesu_overwrite_step_pattern(o, i, &p);
		kesu_pattern_name(&p, name, sizeof(name));
		used += (size_t)snprintf(buf + used, len - used, "%s %s%s", i ? "," : "", name,
					 i == o->passes ? " (final zero pass)" : "");
	}
	if (used < len)
		snprintf(buf + used, len - used, "; %s verification of the last pass",
			 kesu_verify_mode_name(o->run->verify));
}

int kesu_overwrite_opts_from_journal(const struct kesu_journal *j, struct kesu_run *run,
				     struct kesu_overwrite_opts *o, struct kesu_errbuf *eb)
{
	int rc;

	if (strcmp(j->method, kesu_method_name(KESU_METHOD_OVERWRITE)))
		return kesu_err_set(eb, -KESU_E_BAD_INPUT, "%s: method '%s' cannot be resumed",
				    j->path, j->method);
	rc = kesu_pattern_parse(j->pattern, &o->pattern, eb);
	if (rc < 0)
		return rc;
	if (o->pattern.kind == KESU_PAT_RANDOM && !o->pattern.has_key)
		return kesu_err_set(eb, -KESU_E_BAD_INPUT, "%s: the random pattern has no key",
				    j->path);
	if (kesu_verify_mode_parse(j->verify, &run->verify) < 0)
		return kesu_err_set(eb, -KESU_E_BAD_INPUT, "%s: unknown verification '%s'",
				    j->path, j->verify);
	o->passes = j->passes;
	o->final_zero = j->final_zero;
	run->seed = j->seed;
	run->seed_set = 1;
	run->operator_name = j->operator_name;
	o->run = run;
	o->resume = j;
	return 0;
}

int kesu_journal_matches(const struct kesu_journal *j, const struct kesu_dev_identity *id,
			 struct kesu_errbuf *eb)
{
	/* A journal of an older kesu may name a USB bridge's serial and model
	 * instead of the drive's, or the model as the block layer cut it short. */
	size_t model_len = strlen(j->device_model);
	bool serial_ok = !strcmp(j->device_serial, id->serial) ||
			 (id->bridge_serial[0] && !strcmp(j->device_serial, id->bridge_serial));
	bool model_ok = !strcmp(j->device_model, id->model) ||
			(id->bridge_model[0] && !strcmp(j->device_model, id->bridge_model)) ||
			(model_len && !strncmp(j->device_model, id->model, model_len));

	if (j->device_size != id->size_bytes || !serial_ok || !model_ok)
		return kesu_err_set(eb, -KESU_E_BAD_INPUT,
				    "%s was written for another device (model '%s', serial '%s', "
				    "%llu bytes); %s is model '%s', serial '%s', %llu bytes: name "
				    "the device the journal belongs to", j->path, j->device_model,
				    j->device_serial, (unsigned long long)j->device_size, id->path,
				    id->model, id->serial, (unsigned long long)id->size_bytes);
	return 0;
}

/* ---- one run ---- */

struct run {
	const struct kesu_overwrite_opts *o;
	struct kesu_target *t;
	struct kesu_result *r;
	struct kesu_journal j;
	struct kesu_rate rate;
	struct kesu_progress prog;
	uint64_t t0_ms, prior_ms, last_journal_ms;
	uint64_t total;            /* bytes over all steps */
	uint64_t step_base;        /* bytes of all steps done before this run's part of the step */
	uint64_t step_start;       /* device offset this step starts at in this run */
	uint64_t written_base;     /* bytes_written before this step's part */
	int writing;
	int journal;               /* 0: a standalone check keeps no journal */
	int journal_failed;
};

static uint64_t active_ms(const struct run *ru)
{
	return ru->prior_ms + (kesu_now_ms() - ru->t0_ms);
}

/*
 * Bytes of this step the device accepted, as far as a resume from the
 * watermark will not write them again: what it accepted, but no more than
 * lies below the watermark (failed sectors are not counted).
 */
static uint64_t step_written(const struct run *ru, const struct kesu_stream_status *st)
{
	uint64_t below = st->watermark - ru->step_start;

	return st->accepted < below ? st->accepted : below;
}

static void journal_save(struct run *ru, const struct kesu_stream_status *st)
{
	if (st && ru->writing) {
		/* Durable before it is claimed done: flush the drive's write cache. */
		if (fdatasync(ru->t->fd) < 0)
			return;
		ru->j.offset = st->watermark;
		ru->j.bytes_written = ru->written_base + step_written(ru, st);
	}
	ru->j.active_ms = active_ms(ru);
	if (kesu_journal_save(&ru->j, ru->r, NULL) < 0)
		ru->journal_failed = 1;
	ru->last_journal_ms = kesu_now_ms();
}

static void tick(const struct kesu_stream_status *st, void *arg)
{
	struct run *ru = arg;
	uint64_t now = kesu_now_ms(), done = ru->step_base + st->done;

	ru->prog.done = done;
	ru->prog.rate_bps = kesu_rate_add(&ru->rate, now, done);
	ru->prog.eta_s = kesu_eta_s(ru->total > done ? ru->total - done : 0, ru->prog.rate_bps);
	ru->prog.elapsed_ms = active_ms(ru);
	pthread_mutex_lock(&ru->r->lock);
	kesu_timeline_add(&ru->r->timeline, ru->prog.elapsed_ms, done);
	pthread_mutex_unlock(&ru->r->lock);
	if (ru->o->run->progress)
		ru->o->run->progress(&ru->prog, ru->o->run->progress_arg);
	if (ru->journal && now - ru->last_journal_ms >= JOURNAL_EVERY_MS)
		journal_save(ru, st);
}

static void fill_method(struct kesu_result *r, const struct kesu_overwrite_opts *o)
{
	struct kesu_pattern last;

	snprintf(r->method_name, sizeof(r->method_name), "%s", kesu_method_name(KESU_METHOD_OVERWRITE));
	snprintf(r->category, sizeof(r->category), "Clear");
	kesu_pattern_name(&o->pattern, r->pattern, sizeof(r->pattern));
	r->passes = o->passes;
	r->final_zero = o->final_zero;
	kesu_pattern_key_hex(&o->pattern, r->random_key, sizeof(r->random_key));
	kesu_overwrite_describe(o, r->details, sizeof(r->details));
	snprintf(r->operator_name, sizeof(r->operator_name), "%s",
		 o->run->operator_name ? o->run->operator_name : "");
	kesu_overwrite_step_pattern(o, write_steps(o) - 1, &last);
	kesu_pattern_spec(&last, r->expect, sizeof(r->expect));
	snprintf(r->hidden_status, sizeof(r->hidden_status), "not-checked");
	snprintf(r->hidden_detail, sizeof(r->hidden_detail), "%s",
		 "an overwrite through the block layer cannot see sectors hidden by HPA, DCO "
		 "or AMAC, nor remapped or over-provisioned flash; only firmware methods reach them");
}

static void journal_init(struct run *ru)
{
	const struct kesu_overwrite_opts *o = ru->o;
	const struct kesu_dev_identity *id = &ru->t->id;
	struct kesu_journal *j = &ru->j;

	snprintf(j->path, sizeof(j->path), "%s/%s.journal.json", o->out_dir, ru->r->record_id);
	snprintf(j->record_id, sizeof(j->record_id), "%s", ru->r->record_id);
	snprintf(j->state, sizeof(j->state), "running");
	snprintf(j->device_path, sizeof(j->device_path), "%s", id->path);
	snprintf(j->device_serial, sizeof(j->device_serial), "%s", id->serial);
	snprintf(j->device_model, sizeof(j->device_model), "%s", id->model);
	j->device_size = id->size_bytes;
	snprintf(j->method, sizeof(j->method), "%s", kesu_method_name(KESU_METHOD_OVERWRITE));
	kesu_pattern_spec(&o->pattern, j->pattern, sizeof(j->pattern));
	j->passes = o->passes;
	j->final_zero = o->final_zero;
	snprintf(j->verify, sizeof(j->verify), "%s", kesu_verify_mode_name(o->run->verify));
	j->seed = ru->r->plan.seed;
	snprintf(j->operator_name, sizeof(j->operator_name), "%s",
		 o->run->operator_name ? o->run->operator_name : "");
	snprintf(j->started_at, sizeof(j->started_at), "%s", ru->r->started_at);
}

/* Start fresh, or pick up the journal (and note the crash it shows). */
static int run_setup(struct run *ru, struct kesu_errbuf *eb)
{
	const struct kesu_overwrite_opts *o = ru->o;
	struct kesu_result *r = ru->r;
	const struct kesu_dev_identity *id = &ru->t->id;
	int rc;

	r->dev = *id;
	fill_method(r, o);
	if (o->resume) {
		snprintf(r->record_id, sizeof(r->record_id), "%s", o->resume->record_id);
		snprintf(r->started_at, sizeof(r->started_at), "%s", o->resume->started_at);
	} else {
		rc = kesu_record_new_id(r->record_id, sizeof(r->record_id));
		if (rc < 0)
			return kesu_err_set(eb, rc, "cannot make a record id");
		kesu_time_rfc3339(time(NULL), r->started_at, sizeof(r->started_at));
	}
	rc = kesu_verify_plan_build(o->run->verify, id->size_bytes, id->logical_sector_size,
				    o->run->seed, o->run->seed_set, &r->plan, eb);
	if (rc < 0)
		return rc;
	journal_init(ru);
	if (o->resume) {
		ru->j.step = o->resume->step;
		ru->j.offset = o->resume->offset;
		ru->j.bytes_written = o->resume->bytes_written;
		ru->prior_ms = o->resume->active_ms;
		if (!strcmp(o->resume->state, "running")) {
			rc = kesu_result_add_interruption(r, o->resume->updated_at, o->resume->offset,
				"kesu stopped without finishing (crash, kill or power loss); "
				"resumed from the journal");
			if (rc < 0)
				return kesu_err_set(eb, rc, "out of memory");
		}
	}
	return 0;
}

static void set_outcome(struct kesu_result *r, enum kesu_outcome oc)
{
	r->outcome = oc;
}

/* One write step from the journal's offset to the end. Returns the stream's rc. */
static int run_write_step(struct run *ru, unsigned step, struct kesu_errbuf *eb)
{
	const struct kesu_overwrite_opts *o = ru->o;
	const struct kesu_dev_identity *id = &ru->t->id;
	struct kesu_pattern p;
	struct kesu_extent ext;
	struct kesu_stream_status st = { 0 };
	struct kesu_stream_opts so;
	uint64_t start = ru->j.step == step ? ru->j.offset : 0;
	int rc;

	kesu_overwrite_step_pattern(o, step, &p);
	start = start / id->logical_sector_size * id->logical_sector_size;
	ext.offset = start;
	ext.length = id->size_bytes - start;
	ru->j.step = step;
	ru->j.offset = start;
	ru->step_start = start;
	ru->written_base = ru->j.bytes_written;
	ru->step_base = (uint64_t)step * id->size_bytes + start;
	ru->writing = 1;
	ru->prog.phase = "write";
	ru->prog.step = step + 1;
	so = (struct kesu_stream_opts){
		.fd = ru->t->fd, .dev_name = id->is_image ? NULL : id->name,
		.sector = id->logical_sector_size, .op = KESU_STREAM_WRITE, .pattern = &p,
		.extents = &ext, .n_extents = ext.length ? 1 : 0, .chunk = o->chunk,
		.threads = o->threads, .stop = o->run->stop, .tick = tick, .tick_arg = ru,
		.result = ru->r,
	};
	rc = kesu_stream_run(&so, &st, eb);
	tick(&st, ru); /* the step's last point on the timeline */
	if (rc == 0 && fdatasync(ru->t->fd) < 0)
		rc = kesu_err_set(eb, -errno, "flushing %s: %s", id->path, strerror(errno));
	if (rc == 0) {
		ru->j.bytes_written = ru->written_base + st.accepted;
		ru->j.step = step + 1;
		ru->j.offset = 0;
		ru->writing = 0;
		journal_save(ru, NULL);
	} else {
		journal_save(ru, &st);
	}
	ru->r->bytes_written = ru->j.bytes_written;
	return rc;
}

static int run_verify_step(struct run *ru, struct kesu_errbuf *eb)
{
	const struct kesu_overwrite_opts *o = ru->o;
	const struct kesu_dev_identity *id = &ru->t->id;
	struct kesu_result *r = ru->r;
	struct kesu_pattern p;
	struct kesu_stream_status st = { 0 };
	struct kesu_stream_opts so;
	int rc;

	kesu_overwrite_step_pattern(o, write_steps(o) - 1, &p);
	kesu_result_drop_bad(r, KESU_OP_READ); /* a resumed verification starts over */
	ru->j.step = write_steps(o);
	ru->j.offset = 0;
	ru->writing = 0;
	ru->step_base = (uint64_t)write_steps(o) * id->size_bytes;
	ru->prog.phase = "verify";
	ru->prog.step = write_steps(o) + 1;
	so = (struct kesu_stream_opts){
		.fd = ru->t->fd, .dev_name = id->is_image ? NULL : id->name,
		.sector = id->logical_sector_size, .op = KESU_STREAM_VERIFY, .pattern = &p,
		.extents = r->plan.extents, .n_extents = r->plan.n_extents, .chunk = o->chunk,
		.threads = o->threads, .stop = o->run->stop, .tick = tick, .tick_arg = ru, .result = r,
	};
	rc = kesu_stream_run(&so, &st, eb);
	tick(&st, ru);
	r->bytes_checked = st.checked;
	if (rc == 0)
		snprintf(r->verify_result, sizeof(r->verify_result), "%s",
			 r->n_mismatches || r->mismatches_dropped || r->bad_sectors[KESU_OP_READ] ?
			 "failed" : "passed");
	return rc;
}

static void finish_stopped(struct run *ru, int rc, const struct kesu_errbuf *eb)
{
	struct kesu_result *r = ru->r;
	char now[32];

	kesu_time_rfc3339(time(NULL), now, sizeof(now));
	if (rc == -KESU_E_INTERRUPTED) {
		kesu_result_add_interruption(r, now, ru->j.offset,
					     "stopped by the operator (SIGINT or SIGTERM)");
		kesu_result_add_reason(r, "interrupted in step %u at byte %llu; resume with "
				       "'kesu wipe --resume %s'", ru->j.step + 1,
				       (unsigned long long)ru->j.offset, ru->j.path);
		set_outcome(r, KESU_OUTCOME_INTERRUPTED);
		snprintf(ru->j.state, sizeof(ru->j.state), "interrupted");
	} else {
		kesu_result_add_reason(r, "%s", eb->msg[0] ? eb->msg : kesu_strerror(rc));
		if (rc == -KESU_E_GONE)
			kesu_result_add_reason(r, "the device disappeared; nothing after byte %llu "
					       "of step %u was written or checked",
					       (unsigned long long)ru->j.offset, ru->j.step + 1);
		set_outcome(r, KESU_OUTCOME_FAILED);
		snprintf(ru->j.state, sizeof(ru->j.state), "done");
	}
}

static void decide_outcome(struct run *ru)
{
	struct kesu_result *r = ru->r;
	uint64_t wbad = r->bad_sectors[KESU_OP_WRITE], rbad = r->bad_sectors[KESU_OP_READ];

	if (wbad)
		kesu_result_add_reason(r, "%llu sectors could not be written (bad_sectors, "
				       "bad_ranges)", (unsigned long long)wbad);
	if (rbad)
		kesu_result_add_reason(r, "%llu sectors could not be read back (bad_sectors, "
				       "bad_ranges)", (unsigned long long)rbad);
	if (r->n_mismatches || r->mismatches_dropped)
		kesu_result_add_reason(r, "verification found %llu bytes that differ from the "
				       "pattern (verification.mismatches)",
				       (unsigned long long)r->mismatched_bytes);
	if (wbad || rbad || r->n_mismatches || r->mismatches_dropped) {
		set_outcome(r, KESU_OUTCOME_FAILED);
	} else if (ru->o->run->verify == KESU_VERIFY_NONE) {
		kesu_result_add_reason(r, "no verification was run (--verify none); check with "
				       "'kesu verify %s --expect %s'", r->dev.path, r->expect);
		set_outcome(r, KESU_OUTCOME_UNVERIFIED);
	} else {
		set_outcome(r, KESU_OUTCOME_ERASED);
	}
	if (ru->journal_failed)
		kesu_result_add_reason(r, "the journal could not always be saved in the "
				       "evidence directory");
}

int kesu_overwrite_run(struct kesu_target *t, const struct kesu_overwrite_opts *o,
		       struct kesu_result *r, char *journal_path, size_t len,
		       struct kesu_errbuf *eb)
{
	struct run ru = { .o = o, .t = t, .r = r, .journal = 1 };
	unsigned step;
	int rc;

	if (o->passes == 0 || !t->id.logical_sector_size || t->id.size_bytes == 0)
		return kesu_err_set(eb, -EINVAL, "%s: nothing to overwrite (size %llu, %u passes)",
				    t->id.path, (unsigned long long)t->id.size_bytes, o->passes);
	if (o->pattern.kind == KESU_PAT_RANDOM && !o->pattern.has_key)
		return kesu_err_set(eb, -EINVAL, "the random pattern has no key");
	/* the record holds the name whole or not at all */
	rc = kesu_text_check("operator", o->run->operator_name, eb);
	if (rc < 0)
		return rc;
	rc = run_setup(&ru, eb);
	if (rc < 0)
		return rc;
	snprintf(journal_path, len, "%s", ru.j.path);
	ru.t0_ms = kesu_now_ms();
	kesu_rate_init(&ru.rate);
	ru.total = (uint64_t)write_steps(o) * t->id.size_bytes + r->plan.planned_bytes;
	ru.prog = (struct kesu_progress){ .device = t->id.path, .phase = "write",
					  .steps = write_steps(o) + (o->run->verify ? 1 : 0),
					  .total = ru.total, .eta_s = -1 };
	/* The journal exists before the first byte is written. */
	rc = kesu_journal_save(&ru.j, r, eb);
	if (rc < 0)
		return rc;
	ru.last_journal_ms = kesu_now_ms();
	kesu_timeline_add(&r->timeline, ru.prior_ms, (uint64_t)ru.j.step * t->id.size_bytes +
			  ru.j.offset);
	rc = 0;
	for (step = ru.j.step; rc == 0 && step < write_steps(o); step++)
		rc = run_write_step(&ru, step, eb);
	r->bytes_written = ru.j.bytes_written;
	if (rc == 0 && o->run->verify != KESU_VERIFY_NONE)
		rc = run_verify_step(&ru, eb);
	kesu_result_normalize(r);
	if (rc < 0) {
		finish_stopped(&ru, rc, eb);
	} else {
		decide_outcome(&ru);
		snprintf(ru.j.state, sizeof(ru.j.state), "done");
	}
	r->duration_ms = active_ms(&ru);
	kesu_time_rfc3339(time(NULL), r->finished_at, sizeof(r->finished_at));
	journal_save(&ru, NULL);
	return 0;
}

int kesu_verify_device(struct kesu_target *t, const struct kesu_pattern *expect,
		       const struct kesu_verify_plan *plan, const struct kesu_run *run,
		       struct kesu_result *r, struct kesu_errbuf *eb)
{
	struct run ru = { .t = t, .r = r };
	struct kesu_overwrite_opts o = { .run = run };
	struct kesu_stream_status st = { 0 };
	struct kesu_stream_opts so;
	int rc;

	ru.o = &o;
	ru.t0_ms = kesu_now_ms();
	kesu_rate_init(&ru.rate);
	ru.total = plan->planned_bytes;
	ru.prog = (struct kesu_progress){ .device = t->id.path, .phase = "verify", .step = 1,
					  .steps = 1, .total = ru.total, .eta_s = -1 };
	so = (struct kesu_stream_opts){
		.fd = t->fd, .dev_name = t->id.is_image ? NULL : t->id.name,
		.sector = t->id.logical_sector_size, .op = KESU_STREAM_VERIFY, .pattern = expect,
		.extents = plan->extents, .n_extents = plan->n_extents, .stop = run->stop,
		.tick = tick, .tick_arg = &ru, .result = r,
	};
	rc = kesu_stream_run(&so, &st, eb);
	r->bytes_checked = st.checked;
	r->duration_ms = active_ms(&ru);
	kesu_result_normalize(r);
	if (rc == 0)
		snprintf(r->verify_result, sizeof(r->verify_result), "%s",
			 r->n_mismatches || r->mismatches_dropped || kesu_result_bad_total(r) ?
			 "failed" : "passed");
	return rc;
}
