/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * `kesu info` sections that come from the drive itself: ATA IDENTIFY through
 * SG_IO, NVMe identify through libnvme, and the erase methods the device
 * supports with their NIST SP 800-88 class. cmd_info.c calls these after its
 * sysfs/libblkid sections. Each opens id->path itself, read-only.
 * A device that answers neither protocol (a loop device, an image) prints
 * nothing but the overwrite methods.
 */
#ifndef KESU_CLI_INFO_FW_H
#define KESU_CLI_INFO_FW_H

#include <kesu/dev.h>

#include <jansson.h>
#include <stdio.h>

int info_fw_print(FILE *out, const struct kesu_dev_identity *id);
int info_fw_json(json_t *obj, const struct kesu_dev_identity *id);

/* The eMMC/SD section (info_mmc.c), for a drive whose proto is KESU_DRIVE_MMC. */
struct kesu_drive;
void info_mmc_print(FILE *out, const struct kesu_drive *d);
json_t *info_mmc_json(const struct kesu_drive *d, int *rc);

#endif
