/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Whether a certificate's times can be relied on (cert.h): its record says
 * where the clock came from (record.time, clock.h); an unconfirmed clock, or
 * an erasure dated before the boot image was built, is in doubt.
 */
#include <kesu/cert.h>
#include <kesu/clock.h>

#include <jansson.h>

static const char *str(const json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));

	return s ? s : "";
}

const char *kesu_cert_time_doubt(const json_t *cert)
{
	const json_t *rec = json_object_get(cert, "record");
	const json_t *t = json_object_get(rec, "time");
	time_t started = 0;

	if (!json_is_object(t))
		return NULL;
	if (kesu_time_parse_rfc3339(str(rec, "started_at"), &started) < 0)
		started = 0;
	return kesu_time_source_doubt(str(t, "source"), str(t, "image_built_at"), started);
}
