/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * `kesu info`'s self-encrypting drive section: the SSC, the locking state,
 * MBR shadowing and the revert path, from the kernel's sed-opal status and
 * kesu's own Level 0 Discovery (src/dev/opal.c). info_fw.c calls these.
 */
#ifndef KESU_CLI_INFO_OPAL_H
#define KESU_CLI_INFO_OPAL_H

#include <kesu/opal.h>

#include <jansson.h>
#include <stdio.h>

/* Prints nothing for a drive that is no SED and has nothing worth a note. */
void info_opal_print(FILE *out, const struct kesu_opal *o);
/* The "opal" object for --json; NULL when out of memory. */
json_t *info_opal_json(const struct kesu_opal *o);

#endif
