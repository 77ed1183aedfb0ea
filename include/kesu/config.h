/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The configuration file: what an organisation sets once (who performs the
 * work, the contract, the signing key), in INI form:
 *
 *   # /etc/kesu/kesu.conf
 *   [operator]
 *   name = 山田 太郎
 *   organisation = 株式会社サンプル
 *   [contract]
 *   name = ○○システム運用業務の委託
 *   [paperwork]
 *   timezone = Asia/Tokyo
 *
 * Sections and keys are ASCII [A-Za-z0-9_.-]; values are UTF-8, trimmed,
 * and pass the text rules of include/kesu/text.h: no control or bidi
 * characters, and the field's limit in characters ([operator] name is the
 * field "operator", [contract] name "contract.name", ...; a key the table
 * does not name is held to KESU_TEXT_OTHER_MAX). A value that breaks them is
 * refused with the line, never cut. Options on the command line override
 * the file and pass the same check.
 *
 * Loading a configuration applies its [paperwork] timezone (default
 * Asia/Tokyo; an unknown zone is an error) to every date kesu puts on paper
 * (clock.h).
 */
#ifndef KESU_CONFIG_H
#define KESU_CONFIG_H

#include <kesu/err.h>

#define KESU_CONFIG_DEFAULT "/etc/kesu/kesu.conf"

struct kesu_config;

/*
 * Load path, or with path NULL: $KESU_CONFIG, else KESU_CONFIG_DEFAULT.
 * A missing default file gives an empty config, and so does "/dev/null";
 * a missing explicit file is -ENOENT, one that is not a regular file (a
 * FIFO) -KESU_E_BAD_INPUT. A malformed line or value is -KESU_E_BAD_INPUT
 * or -KESU_E_TOO_LONG naming the line.
 */
int kesu_config_load(const char *path, struct kesu_config **cfg, struct kesu_errbuf *eb);

/* The value of section.key, or NULL. */
const char *kesu_config_get(const struct kesu_config *cfg, const char *section, const char *key);

/* The value, or fallback when absent or empty. */
const char *kesu_config_get_or(const struct kesu_config *cfg, const char *section,
			       const char *key, const char *fallback);

/*
 * Check value for section.key against the text rules; the sentence names
 * label (e.g. "--operator"; NULL: "[section] key").
 */
int kesu_config_check(const char *section, const char *key, const char *value,
		      const char *label, struct kesu_errbuf *eb);

/*
 * Set (or replace) a value, e.g. from a command-line option: the value is
 * checked first (kesu_config_check's codes, without a sentence).
 */
int kesu_config_set(struct kesu_config *cfg, const char *section, const char *key,
		    const char *value);

/* The path it was loaded from ("" for none). */
const char *kesu_config_path(const struct kesu_config *cfg);

void kesu_config_free(struct kesu_config *cfg);

#endif
