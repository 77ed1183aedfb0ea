/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The roster (include/kesu/staff.h): データ取扱者等名簿 entries in the ledger
 * database, and the one check of a name against them.
 *
 * NOTES ON THE DESIGN
 * 1. A full name is two fields, 姓 and 名, both required, so a roster entry is
 *    never a one-word name. A name given elsewhere matches an entry when it is
 *    姓 and 名 with at most one space (ASCII or U+3000) between them; a given
 *    name or a family name alone never matches.
 * 2. Removal records removed_at instead of deleting the row: the audit replay
 *    (ledger_audit.c) compares every row the events describe, and the names in
 *    older records stay explained.
 * 3. The active roster is read once per handle and kept (lg->staff) for the
 *    checks, which an import runs for every row; a roster change drops it.
 */
#include "ledger_int.h"

#include <kesu/clock.h>
#include <kesu/staff.h>
#include <kesu/util.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static const struct kesu_field_info staff_fields[KESU_SF_COUNT] = {
	[KESU_SF_ID]          = { "staff_id",    "ID",       "id" },
	[KESU_SF_ROLE]        = { "role",        "担当",     "role" },
	[KESU_SF_FAMILY]      = { "family_name", "姓",       "family-name" },
	[KESU_SF_GIVEN]       = { "given_name",  "名",       "given-name" },
	[KESU_SF_AFFILIATION] = { "affiliation", "所属",     "affiliation" },
	[KESU_SF_TITLE]       = { "title",       "役職",     "title" },
	[KESU_SF_NOTE]        = { "note",        "備考",     "note" },
	[KESU_SF_REMOVED_AT]  = { "removed_at",  "削除日時", "removed-at" },
};

#define STAFF_SELECT "SELECT staff_id, role, family_name, given_name, affiliation, title, note," \
	" removed_at FROM staff"

static const char *const role_names[KESU_ROLE_COUNT] = {
	[KESU_ROLE_MANAGER] = "データ取扱責任者",
	[KESU_ROLE_HANDLER] = "データ取扱者",
	[KESU_ROLE_OFFICER] = "主管担当",
};
static const char *const role_aliases[KESU_ROLE_COUNT] = {
	[KESU_ROLE_MANAGER] = "manager",
	[KESU_ROLE_HANDLER] = "handler",
	[KESU_ROLE_OFFICER] = "officer",
};

/* The active roster, read once per handle (note 3). */
struct lg_staff_cache {
	struct kesu_staff_list list;
};

const char *kesu_staff_role_name(enum kesu_staff_role r)
{
	if ((int)r < 0 || r >= KESU_ROLE_COUNT)
		return NULL;
	return role_names[r];
}

int kesu_staff_role_parse(const char *s)
{
	for (int i = 0; s && i < KESU_ROLE_COUNT; i++)
		if (!strcmp(s, role_names[i]) || !strcmp(s, role_aliases[i]))
			return i;
	return -1;
}

const struct kesu_field_info *kesu_staff_field_info(enum kesu_staff_field f)
{
	if ((int)f < 0 || f >= KESU_SF_COUNT)
		return NULL;
	return &staff_fields[f];
}

int kesu_staff_set(struct kesu_staff *s, enum kesu_staff_field i, const char *value)
{
	char *v = NULL;

	if ((int)i < 0 || i >= KESU_SF_COUNT)
		return -EINVAL;
	if (value && !(v = strdup(value)))
		return -ENOMEM;
	free(s->f[i]);
	s->f[i] = v;
	return 0;
}

const char *kesu_staff_get(const struct kesu_staff *s, enum kesu_staff_field i)
{
	if ((int)i < 0 || i >= KESU_SF_COUNT || !s->f[i])
		return "";
	return s->f[i];
}

void kesu_staff_release(struct kesu_staff *s)
{
	for (int i = 0; i < KESU_SF_COUNT; i++)
		free(s->f[i]);
	memset(s, 0, sizeof(*s));
}

void kesu_staff_list_release(struct kesu_staff_list *l)
{
	for (size_t i = 0; i < l->n; i++)
		kesu_staff_release(&l->items[i]);
	free(l->items);
	memset(l, 0, sizeof(*l));
}

void kesu_staff_full_name(const struct kesu_staff *s, char *buf, size_t len)
{
	snprintf(buf, len, "%s %s", kesu_staff_get(s, KESU_SF_FAMILY),
		 kesu_staff_get(s, KESU_SF_GIVEN));
}

/* ---- names ---- */

/* Length of the space at p: an ASCII blank (1), U+3000 IDEOGRAPHIC SPACE (3) or none (0). */
static size_t space_len(const char *p)
{
	if (*p == ' ' || *p == '\t')
		return 1;
	if ((unsigned char)p[0] == 0xe3 && (unsigned char)p[1] == 0x80 && (unsigned char)p[2] == 0x80)
		return 3;
	return 0;
}

/* Copy s without the spaces (note 1's kinds) at both ends. */
static void trim_name(const char *s, char *out, size_t len)
{
	size_t n, k;

	while ((k = space_len(s)))
		s += k;
	n = strlen(s);
	for (;;) {
		if (n && (s[n - 1] == ' ' || s[n - 1] == '\t'))
			n--;
		else if (n >= 3 && space_len(s + n - 3) == 3)
			n -= 3;
		else
			break;
	}
	if (n >= len)
		n = len - 1;
	memcpy(out, s, n);
	out[n] = 0;
}

/* name (trimmed) is 姓 名, 姓名 or 姓　名 (note 1). */
static int name_matches(const struct kesu_staff *s, const char *name)
{
	const char *fam = kesu_staff_get(s, KESU_SF_FAMILY), *given = kesu_staff_get(s, KESU_SF_GIVEN);
	size_t fl = strlen(fam);

	if (!*fam || !*given || strncmp(name, fam, fl))
		return 0;
	name += fl;
	name += space_len(name);
	return !strcmp(name, given);
}

/* A 姓 or 名 as given to add/edit: trimmed, 1..128 bytes, no control characters. */
static int name_part_valid(const char *v)
{
	size_t n = v ? strlen(v) : 0;

	if (!n || n > 128 || space_len(v) || space_len(v + n - 1) ||
	    (n >= 3 && space_len(v + n - 3) == 3))
		return 0;
	for (; *v; v++)
		if ((unsigned char)*v < 0x20 || *v == 0x7f)
			return 0;
	return 1;
}

static int role_allows(const char *role, enum kesu_staff_need need)
{
	int r = kesu_staff_role_parse(role);

	switch (need) {
	case KESU_STAFF_ANYONE:  return r >= 0;
	case KESU_STAFF_HANDLER: return r == KESU_ROLE_MANAGER || r == KESU_ROLE_HANDLER;
	case KESU_STAFF_MANAGER: return r == KESU_ROLE_MANAGER;
	case KESU_STAFF_OFFICER: return r == KESU_ROLE_OFFICER;
	}
	return 0;
}

static const char *need_text(enum kesu_staff_need need)
{
	switch (need) {
	case KESU_STAFF_ANYONE:  return "on the roster";
	case KESU_STAFF_HANDLER: return "a データ取扱責任者 or データ取扱者 on the roster";
	case KESU_STAFF_MANAGER: return "the roster's データ取扱責任者";
	case KESU_STAFF_OFFICER: return "a 主管担当 on the roster";
	}
	return "on the roster";
}

static const char *need_role(enum kesu_staff_need need)
{
	switch (need) {
	case KESU_STAFF_MANAGER: return "データ取扱責任者";
	case KESU_STAFF_OFFICER: return "主管担当";
	case KESU_STAFF_ANYONE:
	case KESU_STAFF_HANDLER: break;
	}
	return "データ取扱者";
}

/* ---- reading ---- */

static int staff_from_row(struct kesu_store_stmt *st, struct kesu_staff *s)
{
	memset(s, 0, sizeof(*s));
	for (int i = 0; i < KESU_SF_COUNT; i++)
		if (kesu_staff_set(s, (enum kesu_staff_field)i, lg_col_text(st, i)) < 0) {
			kesu_staff_release(s);
			return -ENOMEM;
		}
	return 0;
}

int kesu_staff_list(struct kesu_ledger *lg, int all, struct kesu_staff_list *out,
		    struct kesu_errbuf *eb)
{
	struct kesu_store_stmt *st;
	size_t cap = 0;
	int rc;

	memset(out, 0, sizeof(*out));
	rc = lg_prepare(lg, STAFF_SELECT " WHERE ?1 = 1 OR removed_at = ''"
			" ORDER BY CASE role WHEN 'データ取扱責任者' THEN 0 WHEN 'データ取扱者' THEN 1"
			" ELSE 2 END, CAST(substr(staff_id, 7) AS INTEGER)", &st, eb);
	if (rc < 0)
		return rc;
	kesu_store_bind_int64(st, 1, !!all);
	while ((rc = kesu_store_step(st)) == KESU_STORE_ROW) {
		if (out->n == cap) {
			size_t ncap = cap ? cap * 2 : 16;
			struct kesu_staff *n = realloc(out->items, ncap * sizeof(*n));

			if (!n) {
				rc = -ENOMEM;
				goto fail;
			}
			out->items = n;
			cap = ncap;
		}
		if ((rc = staff_from_row(st, &out->items[out->n])) < 0)
			goto fail;
		out->n++;
	}
	if (rc != KESU_STORE_DONE) {
		rc = lg_db_err(lg, rc, eb, "reading the roster");
		goto fail;
	}
	kesu_store_finalize(st);
	return 0;
fail:
	kesu_store_finalize(st);
	kesu_staff_list_release(out);
	return rc;
}

void lg_staff_forget(struct kesu_ledger *lg)
{
	if (lg->staff) {
		kesu_staff_list_release(&lg->staff->list);
		free(lg->staff);
		lg->staff = NULL;
	}
	lg->operator_checked = 0;
}

static int roster(struct kesu_ledger *lg, const struct kesu_staff_list **l, struct kesu_errbuf *eb)
{
	int rc;

	if (!lg->staff) {
		if (!(lg->staff = calloc(1, sizeof(*lg->staff))))
			return -ENOMEM;
		if ((rc = kesu_staff_list(lg, 0, &lg->staff->list, eb)) < 0) {
			free(lg->staff);
			lg->staff = NULL;
			return rc;
		}
	}
	*l = &lg->staff->list;
	return 0;
}

int kesu_staff_roster_exists(struct kesu_ledger *lg, struct kesu_errbuf *eb)
{
	const struct kesu_staff_list *l;
	int rc = roster(lg, &l, eb);

	return rc < 0 ? rc : l->n > 0;
}

/* The active entry whose full name is name (trimmed), or NULL. */
static const struct kesu_staff *match(const struct kesu_staff_list *l, const char *name)
{
	for (size_t i = 0; i < l->n; i++)
		if (name_matches(&l->items[i], name))
			return &l->items[i];
	return NULL;
}

int kesu_staff_check_name(struct kesu_ledger *lg, enum kesu_staff_need need, const char *what,
			  const char *name, char *full_name, size_t len, struct kesu_errbuf *eb)
{
	const struct kesu_staff_list *l;
	const struct kesu_staff *s;
	char trimmed[KESU_STAFF_NAME_MAX];
	int rc;

	if ((rc = roster(lg, &l, eb)) < 0)
		return rc;
	trim_name(name ? name : "", trimmed, sizeof(trimmed));
	if (!l->n) {
		if (full_name)
			snprintf(full_name, len, "%s", trimmed);
		return KESU_STAFF_NO_ROSTER;
	}
	s = match(l, trimmed);
	if (s && role_allows(kesu_staff_get(s, KESU_SF_ROLE), need)) {
		if (full_name)
			kesu_staff_full_name(s, full_name, len);
		return 0;
	}
	if (s)
		return kesu_err_set(eb, -KESU_E_BAD_INPUT,
				    "%s '%s' is on the roster as %s, but must be %s; nothing was "
				    "changed (see 'kesu staff list')", what, trimmed,
				    kesu_staff_get(s, KESU_SF_ROLE), need_text(need));
	return kesu_err_set(eb, -KESU_E_BAD_INPUT,
			    "%s '%s' is not %s (データ取扱者等名簿) in %s; nothing was changed. "
			    "Give the full name (姓 and 名) as on 'kesu staff list', or add the "
			    "person with 'kesu staff add --role %s --family-name 姓 --given-name 名'",
			    what, trimmed, need_text(need), lg->path, need_role(need));
}

static int staff_check_operator(struct kesu_ledger *lg, struct kesu_errbuf *eb)
{
	char full[KESU_STAFF_NAME_MAX];
	int rc;

	if (lg->operator_checked)
		return 0;
	rc = kesu_staff_check_name(lg, KESU_STAFF_ANYONE, "the operator (--operator or [operator] "
				   "name)", lg->operator_name, full, sizeof(full), eb);
	if (rc < 0)
		return rc;
	if (rc == 0 && strcmp(full, lg->operator_name)) {
		/* recorded as on the roster */
		char *n = strdup(full);

		if (!n)
			return -ENOMEM;
		free(lg->operator_name);
		lg->operator_name = n;
	}
	lg->operator_checked = 1;
	return 0;
}

int lg_require_operator(struct kesu_ledger *lg, struct kesu_errbuf *eb)
{
	if (!lg->operator_name || !*lg->operator_name)
		return kesu_err_set(eb, -KESU_E_BAD_INPUT,
				    "who makes this change? Give the operator's full name with "
				    "--operator or [operator] name in kesu.conf");
	return staff_check_operator(lg, eb);
}

/* ---- changes ---- */

static int is_staff_id(const char *s)
{
	size_t n = strspn(s + (strncmp(s, "STAFF-", 6) ? 0 : 6), "0123456789");

	return !strncmp(s, "STAFF-", 6) && n > 0 && !s[6 + n];
}

/* The entry who names (ID, or full name of an active entry); -KESU_E_NOT_FOUND. */
static int staff_lookup(struct kesu_ledger *lg, const char *who, struct kesu_staff *s,
			struct kesu_errbuf *eb)
{
	struct kesu_staff_list l;
	char name[KESU_STAFF_NAME_MAX];
	struct kesu_store_stmt *st;
	int rc;

	memset(s, 0, sizeof(*s));
	if (is_staff_id(who)) {
		if ((rc = lg_prepare(lg, STAFF_SELECT " WHERE staff_id = ?1 AND removed_at = ''",
				     &st, eb)) < 0)
			return rc;
		kesu_store_bind_text(st, 1, who);
		rc = kesu_store_step(st);
		if (rc == KESU_STORE_ROW)
			rc = staff_from_row(st, s);
		else if (rc == KESU_STORE_DONE)
			rc = 1;
		else
			rc = lg_db_err(lg, rc, eb, "reading the roster");
		kesu_store_finalize(st);
	} else {
		trim_name(who, name, sizeof(name));
		if ((rc = kesu_staff_list(lg, 0, &l, eb)) < 0)
			return rc;
		rc = 1;
		for (size_t i = 0; i < l.n && rc == 1; i++)
			if (name_matches(&l.items[i], name)) {
				*s = l.items[i];
				memset(&l.items[i], 0, sizeof(l.items[i]));
				rc = 0;
			}
		kesu_staff_list_release(&l);
	}
	if (rc == 1)
		rc = kesu_err_set(eb, -KESU_E_NOT_FOUND,
				  "nobody named '%s' is on the roster in %s; see 'kesu staff list'",
				  who, lg->path);
	return rc;
}

int kesu_staff_find(struct kesu_ledger *lg, const char *who, struct kesu_staff *s,
		    struct kesu_errbuf *eb)
{
	return staff_lookup(lg, who, s, eb);
}

/* Role, 姓, 名 and the free fields of s (the non-NULL ones, or all when full). */
static int staff_validate(const struct kesu_staff *s, int full, struct kesu_errbuf *eb)
{
	const char *v;

	if ((v = s->f[KESU_SF_ROLE]) || full) {
		if (kesu_staff_role_parse(v) < 0)
			return kesu_err_set(eb, -KESU_E_BAD_INPUT,
					    "担当 (--role) '%s' is not one of データ取扱責任者, "
					    "データ取扱者, 主管担当", v ? v : "");
	}
	for (int i = KESU_SF_FAMILY; i <= KESU_SF_GIVEN; i++)
		if ((s->f[i] || full) && !name_part_valid(s->f[i]))
			return kesu_err_set(eb, -KESU_E_BAD_INPUT,
					    "%s (--%s) is required for a full name: 1-128 bytes, "
					    "no spaces at either end", staff_fields[i].heading,
					    staff_fields[i].option);
	for (int i = KESU_SF_AFFILIATION; i <= KESU_SF_NOTE; i++)
		if (s->f[i] && strlen(s->f[i]) > 1024)
			return kesu_err_set(eb, -KESU_E_TOO_LONG, "%s is longer than 1024 bytes",
					    staff_fields[i].heading);
	return 0;
}

/* -KESU_E_EXISTS when another active entry (not except_id) has this full name. */
static int staff_unique(struct kesu_ledger *lg, const char *fam, const char *given,
			const char *except_id, struct kesu_errbuf *eb)
{
	struct kesu_staff_list l;
	char name[KESU_STAFF_NAME_MAX];
	int rc;

	snprintf(name, sizeof(name), "%s%s", fam, given);
	if ((rc = kesu_staff_list(lg, 0, &l, eb)) < 0)
		return rc;
	for (size_t i = 0; i < l.n && rc == 0; i++)
		if (strcmp(kesu_staff_get(&l.items[i], KESU_SF_ID), except_id ? except_id : "") &&
		    name_matches(&l.items[i], name))
			rc = kesu_err_set(eb, -KESU_E_EXISTS,
					  "%s %s is already on the roster as %s; nothing was changed",
					  fam, given, kesu_staff_get(&l.items[i], KESU_SF_ID));
	kesu_staff_list_release(&l);
	return rc;
}

/* Write the fields of s that differ from cur (all when inserting) and record action. */
static int staff_write(struct kesu_ledger *lg, const char *action, const char *id,
		       const struct kesu_staff *cur, const struct kesu_staff *s, int insert,
		       struct kesu_errbuf *eb)
{
	struct kesu_store_stmt *st = NULL;
	json_t *detail = NULL, *jc;
	char sql[128];
	int rc = -ENOMEM;

	if (!(detail = json_object()) || !(jc = json_object()) ||
	    json_object_set_new(detail, "changes", jc) < 0)
		goto out;
	if (insert) {
		if ((rc = lg_prepare(lg, "INSERT INTO staff (staff_id, role, family_name, given_name)"
				     " VALUES (?1, ?2, ?3, ?4)", &st, eb)) < 0)
			goto out;
		kesu_store_bind_text(st, 1, id);
		for (int i = KESU_SF_ROLE; i <= KESU_SF_GIVEN; i++)
			kesu_store_bind_text(st, i + 1, s->f[i]);
		rc = kesu_store_step(st);
		kesu_store_finalize(st);
		st = NULL;
		if (rc != KESU_STORE_DONE) {
			rc = lg_db_err(lg, rc, eb, "adding to the roster");
			goto out;
		}
		rc = -ENOMEM;
		if (lg_change_add(jc, "staff_id", "", id) < 0)
			goto out;
	}
	for (int i = KESU_SF_ROLE; i < KESU_SF_COUNT; i++) {
		const char *nv = s->f[i], *ov = insert ? "" : kesu_staff_get(cur, (enum kesu_staff_field)i);

		if (!nv || !strcmp(nv, ov))
			continue;
		rc = -ENOMEM;
		if (lg_change_add(jc, staff_fields[i].key, ov, nv) < 0)
			goto out;
		snprintf(sql, sizeof(sql), "UPDATE staff SET %s = ?1 WHERE staff_id = ?2",
			 staff_fields[i].key);
		if ((rc = lg_prepare(lg, sql, &st, eb)) < 0)
			goto out;
		kesu_store_bind_text(st, 1, nv);
		kesu_store_bind_text(st, 2, id);
		rc = kesu_store_step(st);
		kesu_store_finalize(st);
		st = NULL;
		if (rc != KESU_STORE_DONE) {
			rc = lg_db_err(lg, rc, eb, "changing the roster");
			goto out;
		}
	}
	rc = 0;
	if (json_object_size(jc))
		rc = lg_event_append(lg, action, "staff", id, detail, NULL, eb);
out:
	json_decref(detail);
	return rc;
}

static int next_id(struct kesu_ledger *lg, char id[KESU_STAFF_ID_MAX], struct kesu_errbuf *eb)
{
	struct kesu_store_stmt *st;
	int rc = lg_prepare(lg, "SELECT count(*) FROM staff", &st, eb);

	if (rc < 0)
		return rc;
	rc = kesu_store_step(st);
	if (rc == KESU_STORE_ROW) {
		snprintf(id, KESU_STAFF_ID_MAX, "STAFF-%lld",
			 (long long)kesu_store_int64(st, 0) + 1);
		rc = 0;
	} else {
		rc = lg_db_err(lg, rc, eb, "reading the roster");
	}
	kesu_store_finalize(st);
	return rc;
}

/* The role as stored: its Japanese name. */
static int role_canonical(struct kesu_staff *s)
{
	int r = kesu_staff_role_parse(s->f[KESU_SF_ROLE]);

	return r < 0 ? 0 : kesu_staff_set(s, KESU_SF_ROLE, role_names[r]);
}

static int copy_fields(const struct kesu_staff *in, struct kesu_staff *out, int first, int last)
{
	memset(out, 0, sizeof(*out));
	for (int i = first; i <= last; i++)
		if (in->f[i] && kesu_staff_set(out, (enum kesu_staff_field)i, in->f[i]) < 0) {
			kesu_staff_release(out);
			return -ENOMEM;
		}
	return 0;
}

static int add_in_tx(struct kesu_ledger *lg, const struct kesu_staff *s, char *id,
		     struct kesu_errbuf *eb)
{
	int rc;

	if ((rc = staff_unique(lg, s->f[KESU_SF_FAMILY], s->f[KESU_SF_GIVEN], NULL, eb)) < 0)
		return rc;
	if ((rc = next_id(lg, id, eb)) < 0)
		return rc;
	return staff_write(lg, "staff-add", id, NULL, s, 1, eb);
}

int kesu_staff_add(struct kesu_ledger *lg, const struct kesu_staff *s,
		   char id[KESU_STAFF_ID_MAX], struct kesu_errbuf *eb)
{
	struct kesu_staff v;
	char buf[KESU_STAFF_ID_MAX];
	int rc;

	if (!id)
		id = buf;
	if ((rc = lg_require_operator(lg, eb)) < 0)
		return rc;
	if ((rc = staff_validate(s, 1, eb)) < 0)
		return rc;
	if ((rc = copy_fields(s, &v, KESU_SF_ROLE, KESU_SF_NOTE)) < 0)
		return rc;
	if ((rc = role_canonical(&v)) == 0 && (rc = lg_begin(lg, eb)) == 0)
		rc = lg_end(lg, add_in_tx(lg, &v, id, eb), eb);
	kesu_staff_release(&v);
	lg_staff_forget(lg);
	return rc;
}

static int edit_in_tx(struct kesu_ledger *lg, const char *who, const struct kesu_staff *ch,
		      struct kesu_errbuf *eb)
{
	struct kesu_staff cur;
	const char *fam, *given;
	int rc;

	if ((rc = staff_lookup(lg, who, &cur, eb)) < 0)
		return rc;
	fam = ch->f[KESU_SF_FAMILY] ? ch->f[KESU_SF_FAMILY] : kesu_staff_get(&cur, KESU_SF_FAMILY);
	given = ch->f[KESU_SF_GIVEN] ? ch->f[KESU_SF_GIVEN] : kesu_staff_get(&cur, KESU_SF_GIVEN);
	rc = staff_unique(lg, fam, given, kesu_staff_get(&cur, KESU_SF_ID), eb);
	if (rc == 0)
		rc = staff_write(lg, "staff-edit", kesu_staff_get(&cur, KESU_SF_ID), &cur, ch, 0, eb);
	kesu_staff_release(&cur);
	return rc;
}

int kesu_staff_edit(struct kesu_ledger *lg, const char *who, const struct kesu_staff *changes,
		    struct kesu_errbuf *eb)
{
	struct kesu_staff v;
	int rc;

	if ((rc = lg_require_operator(lg, eb)) < 0)
		return rc;
	if (changes->f[KESU_SF_ID] || changes->f[KESU_SF_REMOVED_AT])
		return kesu_err_set(eb, -KESU_E_BAD_INPUT,
				    "the ID cannot be changed; remove with 'kesu staff remove'");
	if ((rc = staff_validate(changes, 0, eb)) < 0)
		return rc;
	if ((rc = copy_fields(changes, &v, KESU_SF_ROLE, KESU_SF_NOTE)) < 0)
		return rc;
	if ((rc = role_canonical(&v)) == 0 && (rc = lg_begin(lg, eb)) == 0)
		rc = lg_end(lg, edit_in_tx(lg, who, &v, eb), eb);
	kesu_staff_release(&v);
	lg_staff_forget(lg);
	return rc;
}

static int remove_in_tx(struct kesu_ledger *lg, const char *who, struct kesu_errbuf *eb)
{
	struct kesu_staff cur, ch = { 0 };
	char now[32];
	int rc;

	if ((rc = staff_lookup(lg, who, &cur, eb)) < 0)
		return rc;
	kesu_time_rfc3339(kesu_clock_now(), now, sizeof(now));
	ch.f[KESU_SF_REMOVED_AT] = now;
	rc = staff_write(lg, "staff-remove", kesu_staff_get(&cur, KESU_SF_ID), &cur, &ch, 0, eb);
	kesu_staff_release(&cur);
	return rc;
}

int kesu_staff_remove(struct kesu_ledger *lg, const char *who, struct kesu_errbuf *eb)
{
	int rc;

	if ((rc = lg_require_operator(lg, eb)) < 0)
		return rc;
	if ((rc = lg_begin(lg, eb)) < 0)
		return rc;
	rc = lg_end(lg, remove_in_tx(lg, who, eb), eb);
	lg_staff_forget(lg);
	return rc;
}
