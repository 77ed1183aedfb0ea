/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * `kesu info`'s SCSI section: what a SAS/FC/UAS disk reports about itself
 * (INQUIRY, VPD pages, READ CAPACITY(16), REPORT SUPPORTED OPERATION CODES,
 * REQUEST SENSE), probed by src/dev/scsi.c. info_fw.c calls these.
 */
#ifndef KESU_CLI_INFO_SCSI_H
#define KESU_CLI_INFO_SCSI_H

#include <kesu/scsi.h>

#include <jansson.h>
#include <stdio.h>

void info_scsi_print(FILE *out, const struct kesu_scsi_info *s);
/* The SCSI object for --json; NULL when out of memory. */
json_t *info_scsi_json(const struct kesu_scsi_info *s);

#endif
