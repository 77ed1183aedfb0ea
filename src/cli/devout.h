/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Output shared by `kesu list` and `kesu info`: one device as JSON (the keys
 * documented in kesu-list(8)), human sizes, safety text and a plain table
 * whose column widths follow the content.
 */
#ifndef KESU_CLI_DEVOUT_H
#define KESU_CLI_DEVOUT_H

#include <kesu/dev.h>
#include <kesu/safety.h>

#include <jansson.h>
#include <stdio.h>

/* 1024-based like lsblk: "512B", "64M", "931.5G". */
void devout_size_human(uint64_t bytes, char *buf, size_t len);

/* "ok", or the reasons joined with ',' ("mounted,rootfs"); "?" when s is NULL. */
void devout_safety_text(const struct kesu_safety *s, char *buf, size_t len);

/*
 * The device object: identity, and safety when s is not NULL (safety_error
 * carries the message when the check itself failed). NULL on out-of-memory.
 */
json_t *devout_identity_json(const struct kesu_dev_identity *id, const struct kesu_safety *s,
			     const char *safety_error);

/*
 * The plan's lines on a drive behind a USB bridge: the serial and model kesu
 * records are the drive's own, and what the bridge reports instead. Nothing
 * when the two agree.
 */
void devout_bridge_lines(FILE *out, const struct kesu_dev_identity *id);

/* Dump with sorted keys and indentation, then a newline. Returns 0 or -EIO. */
int devout_json_print(FILE *out, json_t *root);

/* A text table: cells are copied; widths follow the content. */
struct devout_table {
	size_t ncols, nrows;
	char **cells;          /* row-major; row 0 is the header */
};

int devout_table_init(struct devout_table *t, size_t ncols, const char *const header[]);
int devout_table_add(struct devout_table *t, const char *const row[]);
void devout_table_print(FILE *out, const struct devout_table *t, const char *indent);
void devout_table_free(struct devout_table *t);

#endif
