/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The INI configuration file (include/kesu/config.h). */
#include <kesu/config.h>
#include <kesu/clock.h>
#include <kesu/text.h>
#include <kesu/util.h>

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define KESU_CONFIG_MAX_BYTES (1u << 20)

struct kesu_config_entry {
	char *section;
	char *key;
	char *value;
};

struct kesu_config {
	struct kesu_config_entry *entries;
	size_t n, cap;
	char path[PATH_MAX];
};

static int valid_name(const char *s)
{
	if (!*s)
		return 0;
	for (; *s; s++)
		if (!isalnum((unsigned char)*s) && *s != '_' && *s != '-' && *s != '.')
			return 0;
	return 1;
}

static struct kesu_config_entry *find_entry(const struct kesu_config *cfg, const char *section,
					    const char *key)
{
	for (size_t i = 0; i < cfg->n; i++)
		if (!strcmp(cfg->entries[i].section, section) && !strcmp(cfg->entries[i].key, key))
			return &cfg->entries[i];
	return NULL;
}

int kesu_config_check(const char *section, const char *key, const char *value,
		      const char *label, struct kesu_errbuf *eb)
{
	char field[300], name[300];
	unsigned max;

	snprintf(field, sizeof(field), "%s.%s", section, key);
	if (!label) {
		snprintf(name, sizeof(name), "[%s] %s", section, key);
		label = name;
	}
	max = kesu_text_limit(field);
	return kesu_text_check_max(label, value, max ? max : KESU_TEXT_OTHER_MAX, eb);
}

int kesu_config_set(struct kesu_config *cfg, const char *section, const char *key,
		    const char *value)
{
	struct kesu_config_entry *e = find_entry(cfg, section, key);
	char *v;
	int rc = kesu_config_check(section, key, value, NULL, NULL);

	if (rc)
		return rc;
	v = strdup(value);
	if (!v)
		return -ENOMEM;
	if (e) {
		free(e->value);
		e->value = v;
		return 0;
	}
	if (cfg->n == cfg->cap) {
		size_t ncap = cfg->cap ? cfg->cap * 2 : 16;
		struct kesu_config_entry *ne = realloc(cfg->entries, ncap * sizeof(*ne));

		if (!ne) {
			free(v);
			return -ENOMEM;
		}
		cfg->entries = ne;
		cfg->cap = ncap;
	}
	e = &cfg->entries[cfg->n];
	e->section = strdup(section);
	e->key = strdup(key);
	e->value = v;
	if (!e->section || !e->key) {
		free(e->section);
		free(e->key);
		free(v);
		return -ENOMEM;
	}
	cfg->n++;
	return 0;
}

/* Trim s in place: the first non-space character, the end cut after the last. */
static char *trim(char *s)
{
	char *end;

	while (*s && isspace((unsigned char)*s))
		s++;
	end = s + strlen(s);
	while (end > s && isspace((unsigned char)end[-1]))
		*--end = '\0';
	return s;
}

/* One line: blank, comment, [section] or key = value. No line is cut short. */
static int parse_line(struct kesu_config *cfg, char *line, char *section, size_t section_len,
		      unsigned lineno, struct kesu_errbuf *eb)
{
	char *text = trim(line), *eq, *end, *name, *value;
	int rc;

	if (!text[0] || text[0] == '#' || text[0] == ';')
		return 0;
	if (text[0] == '[') {
		end = strchr(text, ']');
		if (!end || end[1])
			goto bad;
		*end = '\0';
		name = trim(text + 1);
		if (!valid_name(name) || strlen(name) >= section_len)
			goto bad;
		snprintf(section, section_len, "%s", name);
		return 0;
	}
	eq = strchr(text, '=');
	if (!eq || !section[0])
		goto bad;
	*eq = '\0';
	name = trim(text);
	value = trim(eq + 1);
	if (!valid_name(name) || strlen(name) > 255)
		goto bad;
	rc = kesu_config_check(section, name, value, NULL, eb);
	if (rc) {
		struct kesu_errbuf inner;

		if (!eb)
			return rc;
		inner = *eb;
		return kesu_err_set(eb, rc, "%s:%u: %s", cfg->path, lineno, inner.msg);
	}
	return kesu_config_set(cfg, section, name, value);
bad:
	return kesu_err_set(eb, -KESU_E_BAD_INPUT,
			    "%s:%u: expected '[section]' or 'key = value' inside a section",
			    cfg->path, lineno);
}

static int parse_text(struct kesu_config *cfg, char *text, size_t len, struct kesu_errbuf *eb)
{
	char section[256] = "";
	unsigned lineno = 0;
	char *p = text;

	const char *nul = memchr(text, '\0', len);

	if (nul) {
		for (const char *q = text; q < nul; q++)
			lineno += *q == '\n';
		return kesu_err_set(eb, -KESU_E_BAD_INPUT, "%s:%u: a NUL byte; not a text file",
				    cfg->path, lineno + 1);
	}
	/* strtok_r would merge empty lines and break the line count. */
	while (p && *p) {
		char *nl = strchr(p, '\n');
		int rc;

		if (nl)
			*nl = '\0';
		lineno++;
		/* a CRLF file: the CR is the line's end, not a character of its value */
		if (nl && nl > p && nl[-1] == '\r')
			nl[-1] = '\0';
		rc = parse_line(cfg, p, section, sizeof(section), lineno, eb);
		if (rc < 0)
			return rc;
		p = nl ? nl + 1 : NULL;
	}
	return 0;
}

int kesu_config_load(const char *path, struct kesu_config **out, struct kesu_errbuf *eb)
{
	struct kesu_config *cfg;
	const char *env = getenv("KESU_CONFIG");
	int explicit_path = path || (env && *env);
	char *text = NULL;
	size_t len = 0;
	int rc;

	*out = NULL;
	if (!path)
		path = env && *env ? env : KESU_CONFIG_DEFAULT;
	cfg = calloc(1, sizeof(*cfg));
	if (!cfg)
		return -ENOMEM;
	/* --config /dev/null: no configuration at all */
	if (!strcmp(path, "/dev/null")) {
		*out = cfg;
		return kesu_paper_tz_set(NULL, eb);
	}
	snprintf(cfg->path, sizeof(cfg->path), "%s", path);
	rc = kesu_read_file(path, KESU_CONFIG_MAX_BYTES, &text, &len, eb);
	if (rc == -ENOENT && !explicit_path) {
		cfg->path[0] = '\0';
		kesu_err_clear(eb);
		*out = cfg;
		return kesu_paper_tz_set(NULL, eb);
	}
	if (rc < 0)
		goto fail;
	rc = parse_text(cfg, text, len, eb);
	free(text);
	/* The paperwork's zone is the process's: every date on paper is in it. */
	if (rc == 0)
		rc = kesu_paper_tz_set(kesu_config_get(cfg, "paperwork", "timezone"), eb);
	if (rc < 0)
		goto fail;
	*out = cfg;
	return 0;
fail:
	kesu_config_free(cfg);
	return rc;
}

const char *kesu_config_get(const struct kesu_config *cfg, const char *section, const char *key)
{
	const struct kesu_config_entry *e;

	if (!cfg)
		return NULL;
	e = find_entry(cfg, section, key);
	return e ? e->value : NULL;
}

const char *kesu_config_get_or(const struct kesu_config *cfg, const char *section,
			       const char *key, const char *fallback)
{
	const char *v = kesu_config_get(cfg, section, key);

	return v && *v ? v : fallback;
}

const char *kesu_config_path(const struct kesu_config *cfg)
{
	return cfg ? cfg->path : "";
}

void kesu_config_free(struct kesu_config *cfg)
{
	if (!cfg)
		return;
	for (size_t i = 0; i < cfg->n; i++) {
		free(cfg->entries[i].section);
		free(cfg->entries[i].key);
		free(cfg->entries[i].value);
	}
	free(cfg->entries);
	free(cfg);
}
