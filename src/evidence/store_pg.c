/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "store_int.h"

int store_pg_open(const char *url, int busy_ms, struct kesu_store **out)
{
	(void)url;
	(void)busy_ms;
	*out = NULL;
	return KESU_STORE_CANTOPEN;
}
