/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What every report is made of (report_int.h): a row of {key: text}, a
 * medium as a row, an array that takes rows, the date as the forms write it.
 * report.c, report_forms.c and completion.c call down into this file; it
 * calls none of them.
 */
#include "report_int.h"

#include <kesu/clock.h>

#include <errno.h>

void kesu_report_date_ja(time_t t, char *buf, size_t len)
{
	kesu_time_paper(t, KESU_PAPER_DATE_JA, buf, len);
}

int rpt_row_set(json_t *row, const char *key, const char *value)
{
	return json_object_set_new(row, key, json_string(value ? value : "")) < 0 ? -ENOMEM : 0;
}

json_t *rpt_media_row(const struct kesu_media *m)
{
	json_t *o = json_object();

	for (int i = 0; o && i < KESU_MF_COUNT; i++)
		if (rpt_row_set(o, kesu_media_field_info((enum kesu_media_field)i)->key,
			    kesu_media_get(m, (enum kesu_media_field)i)) < 0) {
			json_decref(o);
			return NULL;
		}
	return o;
}

int rpt_append(json_t *arr, json_t *v)
{
	return v && json_array_append_new(arr, v) == 0 ? 0 : -ENOMEM;
}
