/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The result of an erase and its JSON record (record.h; schema in kesu-wipe(8)).
 * Integers and strings only, keys sorted: the bytes are what gets signed.
 */
#include <kesu/record.h>
#include <kesu/util.h>

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <unistd.h>

int kesu_result_init(struct kesu_result *r)
{
	memset(r, 0, sizeof(*r));
	if (pthread_mutex_init(&r->lock, NULL) != 0)
		return -ENOMEM;
	snprintf(r->category, sizeof(r->category), "Clear");
	snprintf(r->verify_result, sizeof(r->verify_result), "not-run");
	snprintf(r->hidden_status, sizeof(r->hidden_status), "not-checked");
	kesu_timeline_init(&r->timeline, 1000);
	r->outcome = KESU_OUTCOME_FAILED;
	kesu_time_source_get(&r->time);
	return 0;
}

void kesu_result_release(struct kesu_result *r)
{
	size_t i;

	free(r->mismatches);
	free(r->bad);
	free(r->interruptions);
	for (i = 0; i < r->n_reasons; i++)
		free(r->reasons[i]);
	free(r->reasons);
	json_decref(r->commands);
	kesu_verify_plan_release(&r->plan);
	pthread_mutex_destroy(&r->lock);
	memset(r, 0, sizeof(*r));
}

int kesu_record_new_id(char *buf, size_t len)
{
	uint32_t rnd;
	char date[32];
	time_t now = time(NULL);
	struct tm tm;

	if (getrandom(&rnd, sizeof(rnd), 0) != (ssize_t)sizeof(rnd))
		return -errno;
	gmtime_r(&now, &tm);
	strftime(date, sizeof(date), "%Y%m%d", &tm);
	snprintf(buf, len, "R-%s-%08X", date, rnd);
	return 0;
}

static int grow(void **v, size_t n, size_t size)
{
	void *nv;

	/* Capacity doubles at powers of two. */
	if (n && (n & (n - 1)))
		return 0;
	nv = realloc(*v, (n ? 2 * n : 8) * size);
	if (!nv)
		return -ENOMEM;
	*v = nv;
	return 0;
}

/* The first range of kind op that ends at or after lba (the list's order: op, then LBA). */
static size_t bad_lower_bound(const struct kesu_result *r, enum kesu_range_op op, uint64_t lba)
{
	size_t lo = 0, hi = r->n_bad;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const struct kesu_bad_range *b = &r->bad[mid];

		if (b->op < op || (b->op == op && b->first_lba + b->sectors < lba))
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static uint64_t overlap(uint64_t a0, uint64_t a1, uint64_t b0, uint64_t b1)
{
	uint64_t lo = a0 > b0 ? a0 : b0, hi = a1 < b1 ? a1 : b1;

	return hi > lo ? hi - lo : 0;
}

/* Lock held. Merge [first, end) into ranges i..j-1 (all of them overlap or touch it). */
static void bad_merge(struct kesu_result *r, size_t i, size_t j, uint64_t first, uint64_t end,
		      enum kesu_range_op op)
{
	uint64_t lo = first, hi = end, known = 0;

	for (size_t k = i; k < j; k++) {
		uint64_t b0 = r->bad[k].first_lba, b1 = b0 + r->bad[k].sectors;

		known += overlap(first, end, b0, b1);
		if (b0 < lo)
			lo = b0;
		if (b1 > hi)
			hi = b1;
	}
	r->bad_sectors[op] += end - first - known;
	r->bad[i] = (struct kesu_bad_range){ lo, hi - lo, op };
	memmove(&r->bad[i + 1], &r->bad[j], (r->n_bad - j) * sizeof(*r->bad));
	r->n_bad -= j - i - 1;
}

int kesu_result_add_bad(struct kesu_result *r, uint64_t first_lba, uint64_t sectors,
			enum kesu_range_op op)
{
	uint64_t end = first_lba + sectors;
	size_t i, j;
	int rc = 0;

	if (!sectors)
		return 0;
	pthread_mutex_lock(&r->lock);
	i = bad_lower_bound(r, op, first_lba);
	for (j = i; j < r->n_bad && r->bad[j].op == op && r->bad[j].first_lba <= end; j++)
		;
	if (j > i) {
		bad_merge(r, i, j, first_lba, end, op);
	} else if (r->n_bad >= KESU_BAD_RANGE_MAX) {
		r->bad_not_listed[op]++;
		r->bad_not_listed_sectors[op] += sectors;
		r->bad_sectors[op] += sectors;
	} else if ((rc = grow((void **)&r->bad, r->n_bad, sizeof(*r->bad))) == 0) {
		memmove(&r->bad[i + 1], &r->bad[i], (r->n_bad - i) * sizeof(*r->bad));
		r->bad[i] = (struct kesu_bad_range){ first_lba, sectors, op };
		r->n_bad++;
		r->bad_sectors[op] += sectors;
	}
	pthread_mutex_unlock(&r->lock);
	return rc;
}

void kesu_result_drop_bad(struct kesu_result *r, enum kesu_range_op op)
{
	size_t i, j = 0;

	pthread_mutex_lock(&r->lock);
	for (i = 0; i < r->n_bad; i++)
		if (r->bad[i].op != op)
			r->bad[j++] = r->bad[i];
	r->n_bad = j;
	r->bad_sectors[op] = 0;
	r->bad_not_listed[op] = 0;
	r->bad_not_listed_sectors[op] = 0;
	pthread_mutex_unlock(&r->lock);
}

uint64_t kesu_result_bad_total(const struct kesu_result *r)
{
	return r->bad_sectors[KESU_OP_WRITE] + r->bad_sectors[KESU_OP_READ];
}

int kesu_result_add_mismatch(struct kesu_result *r, uint64_t offset, uint64_t length)
{
	int rc = 0;

	pthread_mutex_lock(&r->lock);
	r->mismatched_bytes += length;
	if (r->n_mismatches) {
		struct kesu_mismatch *last = &r->mismatches[r->n_mismatches - 1];

		if (last->offset + last->length == offset) {
			last->length += length;
			goto out;
		}
	}
	if (r->n_mismatches >= KESU_MISMATCH_MAX) {
		r->mismatches_dropped++;
		goto out;
	}
	rc = grow((void **)&r->mismatches, r->n_mismatches, sizeof(*r->mismatches));
	if (rc == 0)
		r->mismatches[r->n_mismatches++] = (struct kesu_mismatch){ offset, length };
out:
	pthread_mutex_unlock(&r->lock);
	return rc;
}

int kesu_result_add_interruption(struct kesu_result *r, const char *at, uint64_t offset,
				 const char *reason)
{
	int rc;

	pthread_mutex_lock(&r->lock);
	rc = grow((void **)&r->interruptions, r->n_interruptions, sizeof(*r->interruptions));
	if (rc == 0) {
		struct kesu_interruption *it = &r->interruptions[r->n_interruptions++];

		snprintf(it->at, sizeof(it->at), "%s", at);
		it->offset = offset;
		snprintf(it->reason, sizeof(it->reason), "%s", reason);
	}
	pthread_mutex_unlock(&r->lock);
	return rc;
}

int kesu_result_add_reason(struct kesu_result *r, const char *fmt, ...)
{
	va_list ap;
	char *s = NULL;
	int rc;

	va_start(ap, fmt);
	rc = vasprintf(&s, fmt, ap);
	va_end(ap);
	if (rc < 0)
		return -ENOMEM;
	pthread_mutex_lock(&r->lock);
	rc = grow((void **)&r->reasons, r->n_reasons, sizeof(*r->reasons));
	if (rc == 0)
		r->reasons[r->n_reasons++] = s;
	else
		free(s);
	pthread_mutex_unlock(&r->lock);
	return rc;
}

static int mismatch_cmp(const void *a, const void *b)
{
	const struct kesu_mismatch *x = a, *y = b;

	return x->offset < y->offset ? -1 : x->offset > y->offset;
}

void kesu_result_normalize(struct kesu_result *r)
{
	size_t i, j;

	if (r->n_mismatches > 1) {
		qsort(r->mismatches, r->n_mismatches, sizeof(*r->mismatches), mismatch_cmp);
		for (i = 1, j = 0; i < r->n_mismatches; i++) {
			if (r->mismatches[j].offset + r->mismatches[j].length == r->mismatches[i].offset)
				r->mismatches[j].length += r->mismatches[i].length;
			else
				r->mismatches[++j] = r->mismatches[i];
		}
		r->n_mismatches = j + 1;
	}
	/* The bad ranges are kept sorted and merged as they are added. */
}

/* ---- the document ---- */

static json_t *jint(uint64_t v)
{
	return json_integer((json_int_t)v);
}

static void read_dmi(const char *attr, char *buf, size_t len)
{
	char path[128], *data = NULL;
	size_t n;

	buf[0] = '\0';
	snprintf(path, sizeof(path), "%s/class/dmi/id/%s", kesu_sysfs_root(), attr);
	if (kesu_read_file(path, 4096, &data, &n, NULL) == 0)
		kesu_strtrim_copy(buf, len, data);
	free(data);
}

static json_t *host_json(void)
{
	char host[256] = "", vendor[128], product[128], serial[128];

	gethostname(host, sizeof(host) - 1);
	read_dmi("sys_vendor", vendor, sizeof(vendor));
	read_dmi("product_name", product, sizeof(product));
	read_dmi("product_serial", serial, sizeof(serial));
	return json_pack("{s:s, s:s, s:s, s:s}", "hostname", host, "dmi_vendor", vendor,
			 "dmi_product", product, "dmi_serial", serial);
}

static json_t *device_json(const struct kesu_dev_identity *d)
{
	return json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:o, s:o, s:o, s:i, s:i}",
			 "path", d->path, "name", d->name,
			 "transport", kesu_transport_name(d->transport),
			 "vendor", d->vendor, "model", d->model, "serial", d->serial,
			 "bridge_serial", d->bridge_serial, "bridge_model", d->bridge_model,
			 "serial_source", d->serial_source,
			 "firmware", d->firmware, "size_bytes", jint(d->size_bytes),
			 "logical_sector_size", jint(d->logical_sector_size),
			 "physical_sector_size", jint(d->physical_sector_size),
			 "rotational", d->rotational ? 1 : 0, "removable", d->removable ? 1 : 0);
}

static json_t *method_json(const struct kesu_result *r)
{
	return json_pack("{s:s, s:s, s:s, s:o, s:i, s:s, s:s}",
			 "name", r->method_name, "category", r->category, "pattern", r->pattern,
			 "passes", jint(r->passes), "final_zero", r->final_zero ? 1 : 0,
			 "random_key", r->random_key, "details", r->details);
}

json_t *kesu_record_plan_json(const struct kesu_verify_plan *p)
{
	return json_pack("{s:s, s:s, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:s}",
			 "mode", kesu_verify_mode_name(p->mode),
			 "seed", "",
			 "sections", jint(p->sections),
			 "section_bytes", jint(p->section_bytes),
			 "samples_per_section", jint(p->samples_per_section),
			 "sample_bytes", jint(p->sample_bytes),
			 "first_region_bytes", jint(p->first_bytes),
			 "last_region_bytes", jint(p->last_bytes),
			 "planned_bytes", jint(p->planned_bytes),
			 "coverage_ppm", jint(p->coverage_ppm),
			 "regions", jint(p->n_extents),
			 "sector_bytes", jint(p->sector),
			 "rule", p->mode == KESU_VERIFY_SAMPLE ? "kesu-sample-v1 (kesu-wipe(8))" : "");
}

json_t *kesu_record_time_json(const struct kesu_time_source *ts)
{
	return json_pack("{s:s, s:I, s:s, s:s, s:s, s:s, s:s}",
			 "source", ts->source, "offset_ms", (json_int_t)ts->offset_ms,
			 "detail", ts->detail, "ntp_server", ts->ntp_server,
			 "image_built_at", ts->image_built_at, "set_at", ts->set_at,
			 "synchronized", ts->synchronized);
}

static json_t *verification_json(const struct kesu_result *r)
{
	json_t *plan = kesu_record_plan_json(&r->plan), *mm = json_array(), *v;
	uint32_t sec = kesu_dev_sector_size(&r->dev);
	char seed[24];
	size_t i;

	/* The seed is a string: a 64-bit value does not fit every JSON reader's integers. */
	snprintf(seed, sizeof(seed), "%llu", (unsigned long long)r->plan.seed);
	if (plan)
		json_object_set_new(plan, "seed", json_string(r->plan.mode == KESU_VERIFY_SAMPLE ?
							      seed : ""));
	for (i = 0; mm && i < r->n_mismatches; i++)
		json_array_append_new(mm, json_pack("{s:o, s:o, s:o, s:o}",
			"offset", jint(r->mismatches[i].offset),
			"length", jint(r->mismatches[i].length),
			"first_lba", jint(r->mismatches[i].offset / sec),
			"sectors", jint(r->mismatches[i].length / sec)));
	v = json_pack("{s:s, s:o, s:s, s:o, s:o, s:o, s:o, s:s}",
		      "mode", kesu_verify_mode_name(r->plan.mode), "plan", plan,
		      "result", r->verify_result, "bytes_checked", jint(r->bytes_checked),
		      "mismatches", mm, "mismatched_bytes", jint(r->mismatched_bytes),
		      "mismatches_not_listed", jint(r->mismatches_dropped),
		      "expect", r->expect);
	return v;
}

static json_t *bad_json(const struct kesu_result *r)
{
	json_t *a = json_array();

	for (size_t i = 0; a && i < r->n_bad; i++)
		json_array_append_new(a, json_pack("{s:o, s:o, s:s}",
			"first_lba", jint(r->bad[i].first_lba), "sectors", jint(r->bad[i].sectors),
			"op", r->bad[i].op == KESU_OP_WRITE ? "write" : "read"));
	return a;
}

static json_t *interruptions_json(const struct kesu_result *r)
{
	json_t *a = json_array();

	for (size_t i = 0; a && i < r->n_interruptions; i++)
		json_array_append_new(a, json_pack("{s:s, s:o, s:s}",
			"at", r->interruptions[i].at, "offset", jint(r->interruptions[i].offset),
			"reason", r->interruptions[i].reason));
	return a;
}

static json_t *timeline_json(const struct kesu_result *r)
{
	json_t *a = json_array();

	for (size_t i = 0; a && i < r->timeline.n; i++)
		json_array_append_new(a, json_pack("{s:o, s:o}",
			"t_ms", jint(r->timeline.pts[i].t_ms), "bytes", jint(r->timeline.pts[i].bytes)));
	return a;
}

static json_t *reasons_json(const struct kesu_result *r)
{
	json_t *a = json_array();

	for (size_t i = 0; a && i < r->n_reasons; i++)
		json_array_append_new(a, json_string(r->reasons[i]));
	return a;
}

int kesu_record_build(const struct kesu_result *r, json_t **out, struct kesu_errbuf *eb)
{
	uint64_t tput = r->duration_ms ? r->bytes_written * 1000 / r->duration_ms : 0;
	json_t *doc;

	doc = json_pack("{s:i, s:s, s:{s:s, s:s}, s:o, s:o, s:o, s:o, s:o, s:o, s:{s:o, s:o}, "
			"s:{s:s, s:s}, "
			"s:o, s:o, s:o, s:s, s:s, s:o, s:o, s:o, s:s, s:o, s:s}",
			"record_version", KESU_RECORD_VERSION, "record_id", r->record_id,
			"tool", "name", "kesu", "version", KESU_VERSION,
			"host", host_json(), "device", device_json(&r->dev),
			"method", method_json(r), "verification", verification_json(r),
			"bad_ranges", bad_json(r),
			"bad_ranges_not_listed", jint(r->bad_not_listed[KESU_OP_WRITE] +
						       r->bad_not_listed[KESU_OP_READ]),
			"bad_sectors", "write", jint(r->bad_sectors[KESU_OP_WRITE]),
			"read", jint(r->bad_sectors[KESU_OP_READ]),
			"hidden_areas", "status", r->hidden_status, "detail", r->hidden_detail,
			"interruptions", interruptions_json(r), "timeline", timeline_json(r),
			"commands", r->commands ? json_deep_copy(r->commands) : json_array(),
			"started_at", r->started_at, "finished_at", r->finished_at,
			"duration_ms", jint(r->duration_ms), "bytes_written", jint(r->bytes_written),
			"throughput_bps", jint(tput), "outcome", kesu_outcome_name(r->outcome),
			"outcome_reasons", reasons_json(r), "operator", r->operator_name);
	if (!doc || json_object_set_new(doc, "time", kesu_record_time_json(&r->time)) < 0) {
		json_decref(doc);
		return kesu_err_set(eb, -ENOMEM, "cannot build the record");
	}
	if (json_object_set_new(doc, "witness", json_string(r->witness)) ||
	    (r->ata_password[0] &&
	     json_object_set_new(doc, KESU_RECORD_SECRETS,
				 json_pack("{s:s}", KESU_RECORD_ATA_PASSWORD, r->ata_password)))) {
		json_decref(doc);
		return kesu_err_set(eb, -KESU_E_BAD_INPUT, "cannot build the record: the witness "
				    "is not valid UTF-8");
	}
	*out = doc;
	return 0;
}

int kesu_record_write(const char *dir, const struct kesu_result *r, char *path, size_t len,
		      struct kesu_errbuf *eb)
{
	json_t *doc = NULL;
	char *text = NULL;
	int rc;

	snprintf(path, len, "%s/%s.record.json", dir, r->record_id);
	rc = kesu_record_build(r, &doc, eb);
	if (rc < 0)
		return rc;
	text = json_dumps(doc, JSON_SORT_KEYS | JSON_INDENT(2));
	json_decref(doc);
	if (!text)
		return kesu_err_set(eb, -ENOMEM, "cannot serialise the record");
	/* Only the station reads it: it may hold the ATA temporary password. */
	rc = kesu_write_file_atomic(path, text, strlen(text), 0600, eb);
	free(text);
	return rc;
}
