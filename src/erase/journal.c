/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The wipe journal (journal.h): saved atomically, loaded strictly. */
#include <kesu/journal.h>
#include <kesu/util.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static json_t *jint(uint64_t v)
{
	return json_integer((json_int_t)v);
}

static json_t *lists_json(struct kesu_result *r, json_t **bad, json_t **intr)
{
	json_t *tl = json_array();
	size_t i;

	*bad = json_array();
	*intr = json_array();
	if (!r)
		return tl;
	pthread_mutex_lock(&r->lock);
	for (i = 0; *bad && i < r->n_bad; i++)
		json_array_append_new(*bad, json_pack("[o, o, i]", jint(r->bad[i].first_lba),
						      jint(r->bad[i].sectors), (int)r->bad[i].op));
	/* What did not fit the list: [-1, sectors, op] per kind, ranges in the first. */
	for (i = 0; *bad && i < 2; i++)
		if (r->bad_not_listed[i])
			json_array_append_new(*bad, json_pack("[o, o, i, o]",
				jint(r->bad_not_listed[i]), jint(r->bad_not_listed_sectors[i]),
				(int)i, json_string("not listed")));
	for (i = 0; *intr && i < r->n_interruptions; i++)
		json_array_append_new(*intr, json_pack("{s:s, s:o, s:s}",
			"at", r->interruptions[i].at, "offset", jint(r->interruptions[i].offset),
			"reason", r->interruptions[i].reason));
	for (i = 0; tl && i < r->timeline.n; i++)
		json_array_append_new(tl, json_pack("[o, o]", jint(r->timeline.pts[i].t_ms),
						    jint(r->timeline.pts[i].bytes)));
	pthread_mutex_unlock(&r->lock);
	return tl;
}

int kesu_journal_save(struct kesu_journal *j, struct kesu_result *r, struct kesu_errbuf *eb)
{
	json_t *doc, *bad, *intr, *tl;
	char *text;
	int rc;

	kesu_time_rfc3339(time(NULL), j->updated_at, sizeof(j->updated_at));
	tl = lists_json(r, &bad, &intr);
	doc = json_pack("{s:i, s:s, s:s, s:{s:s, s:s, s:s, s:o}, s:s, s:s, s:o, s:i, s:s, s:s, "
			"s:s, s:o, s:o, s:o, s:o, s:s, s:s, s:o, s:o, s:o, s:o}",
			"journal_version", KESU_JOURNAL_VERSION, "record_id", j->record_id,
			"state", j->state,
			"device", "path", j->device_path, "serial", j->device_serial,
			"model", j->device_model, "size_bytes", jint(j->device_size),
			"method", j->method, "pattern", j->pattern, "passes", jint(j->passes),
			"final_zero", j->final_zero ? 1 : 0, "verify", j->verify,
			"seed", "", "operator", j->operator_name,
			"step", jint(j->step), "offset", jint(j->offset),
			"bytes_written", jint(j->bytes_written), "active_ms", jint(j->active_ms),
			"started_at", j->started_at, "updated_at", j->updated_at,
			"bad_ranges", bad, "interruptions", intr, "timeline", tl,
			"timeline_step_ms", jint(r ? r->timeline.step_ms : 1000));
	if (!doc)
		return kesu_err_set(eb, -ENOMEM, "cannot build the journal");
	{
		char seed[24];

		snprintf(seed, sizeof(seed), "%llu", (unsigned long long)j->seed);
		json_object_set_new(doc, "seed", json_string(seed));
	}
	text = json_dumps(doc, JSON_SORT_KEYS | JSON_COMPACT);
	json_decref(doc);
	if (!text)
		return kesu_err_set(eb, -ENOMEM, "cannot serialise the journal");
	rc = kesu_write_file_atomic(j->path, text, strlen(text), 0644, eb);
	free(text);
	return rc;
}

static int get_str(json_t *o, const char *key, char *buf, size_t len)
{
	json_t *v = json_object_get(o, key);

	if (!json_is_string(v) || strlen(json_string_value(v)) >= len)
		return -1;
	snprintf(buf, len, "%s", json_string_value(v));
	return 0;
}

static int get_u64(json_t *o, const char *key, uint64_t *out)
{
	json_t *v = json_object_get(o, key);

	if (!json_is_integer(v) || json_integer_value(v) < 0)
		return -1;
	*out = (uint64_t)json_integer_value(v);
	return 0;
}

static int load_lists(json_t *doc, struct kesu_result *r)
{
	json_t *a, *e;
	size_t i;
	uint64_t step = 1000;
	int rc = 0;

	a = json_object_get(doc, "bad_ranges");
	json_array_foreach(a, i, e) {
		json_int_t lba, n;
		const char *tag;
		int op;

		if (json_array_size(e) == 4) {
			/* [ranges, sectors, op, "not listed"]: counted, not listed. */
			if (json_unpack(e, "[I, I, i, s]", &lba, &n, &op, &tag) < 0 ||
			    lba < 0 || n < 0 || op < 0 || op > 1)
				return -1;
			pthread_mutex_lock(&r->lock);
			r->bad_not_listed[op] += (size_t)lba;
			r->bad_not_listed_sectors[op] += (uint64_t)n;
			r->bad_sectors[op] += (uint64_t)n;
			pthread_mutex_unlock(&r->lock);
			continue;
		}
		if (json_unpack(e, "[I, I, i]", &lba, &n, &op) < 0 || lba < 0 || n < 0)
			return -1;
		rc = kesu_result_add_bad(r, (uint64_t)lba, (uint64_t)n,
					 op ? KESU_OP_READ : KESU_OP_WRITE);
		if (rc < 0)
			return rc;
	}
	a = json_object_get(doc, "interruptions");
	json_array_foreach(a, i, e) {
		const char *at, *reason;
		json_int_t off;

		if (json_unpack(e, "{s:s, s:I, s:s}", "at", &at, "offset", &off, "reason",
				&reason) < 0)
			return -1;
		rc = kesu_result_add_interruption(r, at, (uint64_t)off, reason);
		if (rc < 0)
			return rc;
	}
	get_u64(doc, "timeline_step_ms", &step);
	r->timeline.step_ms = step ? step : 1000;
	a = json_object_get(doc, "timeline");
	json_array_foreach(a, i, e) {
		json_int_t t, b;

		if (r->timeline.n >= KESU_TIMELINE_MAX ||
		    json_unpack(e, "[I, I]", &t, &b) < 0)
			return -1;
		r->timeline.pts[r->timeline.n].t_ms = (uint64_t)t;
		r->timeline.pts[r->timeline.n].bytes = (uint64_t)b;
		r->timeline.n++;
	}
	return 0;
}

int kesu_journal_load(const char *path, struct kesu_journal *j, struct kesu_result *r,
		      struct kesu_errbuf *eb)
{
	json_error_t jerr;
	json_t *doc, *dev;
	uint64_t v = 0, passes = 0, step = 0, fz = 0;
	char seed[24] = "", *text = NULL;
	size_t len = 0;
	int bad = 0, rc;

	memset(j, 0, sizeof(*j));
	/* a regular file only: a FIFO named as the journal is refused, not waited on */
	rc = kesu_read_file(path, 64u << 20, &text, &len, eb);
	if (rc < 0)
		return rc;
	doc = json_loadb(text, len, 0, &jerr);
	free(text);
	if (!doc)
		return kesu_err_set(eb, -KESU_E_BAD_INPUT, "%s: not a kesu journal (%s, line %d)",
				    path, jerr.text, jerr.line);
	snprintf(j->path, sizeof(j->path), "%s", path);
	dev = json_object_get(doc, "device");
	bad |= get_u64(doc, "journal_version", &v) || v != KESU_JOURNAL_VERSION;
	bad |= get_str(doc, "record_id", j->record_id, sizeof(j->record_id));
	bad |= get_str(doc, "state", j->state, sizeof(j->state));
	bad |= get_str(dev, "path", j->device_path, sizeof(j->device_path));
	bad |= get_str(dev, "serial", j->device_serial, sizeof(j->device_serial));
	bad |= get_str(dev, "model", j->device_model, sizeof(j->device_model));
	bad |= get_u64(dev, "size_bytes", &j->device_size);
	bad |= get_str(doc, "method", j->method, sizeof(j->method));
	bad |= get_str(doc, "pattern", j->pattern, sizeof(j->pattern));
	bad |= get_u64(doc, "passes", &passes);
	bad |= get_u64(doc, "final_zero", &fz);
	bad |= get_str(doc, "verify", j->verify, sizeof(j->verify));
	bad |= get_str(doc, "seed", seed, sizeof(seed));
	bad |= get_str(doc, "operator", j->operator_name, sizeof(j->operator_name));
	bad |= get_u64(doc, "step", &step);
	bad |= get_u64(doc, "offset", &j->offset);
	bad |= get_u64(doc, "bytes_written", &j->bytes_written);
	bad |= get_u64(doc, "active_ms", &j->active_ms);
	bad |= get_str(doc, "started_at", j->started_at, sizeof(j->started_at));
	bad |= get_str(doc, "updated_at", j->updated_at, sizeof(j->updated_at));
	if (!bad) {
		char *end;

		j->seed = strtoull(seed, &end, 10);
		bad |= *seed == '\0' || *end != '\0';
		bad |= passes == 0 || passes > 1000 || step > passes + 2;
		j->passes = (unsigned)passes;
		j->final_zero = fz ? 1 : 0;
		j->step = (unsigned)step;
	}
	if (!bad && r)
		bad |= load_lists(doc, r) != 0;
	json_decref(doc);
	if (bad)
		return kesu_err_set(eb, -KESU_E_BAD_INPUT, "%s: not a valid kesu journal "
				    "(a field is missing or out of range)", path);
	return 0;
}
