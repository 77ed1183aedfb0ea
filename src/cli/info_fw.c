/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Placeholder until the ATA/NVMe access layer lands. */
#include "info_fw.h"

int info_fw_print(FILE *out, const struct kesu_dev_identity *id)
{
	(void)out;
	(void)id;
	return 0;
}

int info_fw_json(json_t *obj, const struct kesu_dev_identity *id)
{
	(void)obj;
	(void)id;
	return 0;
}
