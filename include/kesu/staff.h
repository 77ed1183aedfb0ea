/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The roster (データ取扱者等名簿, 別紙2) in the ledger database: the people who
 * may handle the client's data, each with a role, a family name (姓) and a
 * given name (名) as two required fields, so every entry is a full name, and
 * 所属, 役職, 備考 (training completed, qualifications held). The client's
 * officers (主管担当) who approve plans are kept beside them with their own
 * role; they are not printed on 別紙2.
 *
 * Changes are audit events like every other change of the ledger ("staff-add",
 * "staff-edit", "staff-remove", entity "staff", key STAFF-N). Nobody is ever
 * deleted: removal records when, so the names in old records stay explained.
 *
 * Every name that goes into the ledger, the work records, a certificate or a
 * report is checked with kesu_staff_check_name() once a roster exists.
 */
#ifndef KESU_STAFF_H
#define KESU_STAFF_H

#include <kesu/err.h>
#include <kesu/ledger.h>

#include <stddef.h>

#define KESU_STAFF_ID_MAX   32      /* "STAFF-123" incl. NUL */
#define KESU_STAFF_NAME_MAX 260     /* "姓 名" incl. NUL: each part at most 128 bytes */

enum kesu_staff_role {
	KESU_ROLE_MANAGER,     /* データ取扱責任者 */
	KESU_ROLE_HANDLER,     /* データ取扱者 */
	KESU_ROLE_OFFICER,     /* 主管担当: the client's officer who approves */
	KESU_ROLE_COUNT
};

/* "データ取扱責任者" ...; NULL when out of range. */
const char *kesu_staff_role_name(enum kesu_staff_role r);
/* The Japanese name, or manager, handler, officer; -1 when unknown. */
int kesu_staff_role_parse(const char *s);

enum kesu_staff_field {
	KESU_SF_ID,            /* STAFF-N (assigned) */
	KESU_SF_ROLE,          /* 担当 */
	KESU_SF_FAMILY,        /* 姓 */
	KESU_SF_GIVEN,         /* 名 */
	KESU_SF_AFFILIATION,   /* 所属 */
	KESU_SF_TITLE,         /* 役職 */
	KESU_SF_NOTE,          /* 備考 */
	KESU_SF_REMOVED_AT,    /* when removed from the roster (RFC 3339), "" while on it */
	KESU_SF_COUNT
};

const struct kesu_field_info *kesu_staff_field_info(enum kesu_staff_field f);

/* One entry. Each f[i] is malloc'd or NULL (NULL: "" / unchanged in edits). */
struct kesu_staff {
	char *f[KESU_SF_COUNT];
};
int kesu_staff_set(struct kesu_staff *s, enum kesu_staff_field i, const char *value);
const char *kesu_staff_get(const struct kesu_staff *s, enum kesu_staff_field i);
void kesu_staff_release(struct kesu_staff *s);
/* "姓 名" into buf. */
void kesu_staff_full_name(const struct kesu_staff *s, char *buf, size_t len);

struct kesu_staff_list {
	size_t n;
	struct kesu_staff *items;
};
void kesu_staff_list_release(struct kesu_staff_list *l);

/*
 * Changes, each one transaction with its event. -KESU_E_BAD_INPUT: no
 * operator (or one not on the roster), a missing 姓 or 名, an unknown role;
 * -KESU_E_EXISTS: the same full name is already on the roster;
 * -KESU_E_NOT_FOUND: who names nobody on the roster.
 * who is a STAFF-N or a full name (with or without the space).
 */
int kesu_staff_add(struct kesu_ledger *lg, const struct kesu_staff *s,
		   char id[KESU_STAFF_ID_MAX], struct kesu_errbuf *eb);
/* Change the non-NULL fields (not the ID or removed_at). */
int kesu_staff_edit(struct kesu_ledger *lg, const char *who, const struct kesu_staff *changes,
		    struct kesu_errbuf *eb);
int kesu_staff_remove(struct kesu_ledger *lg, const char *who, struct kesu_errbuf *eb);
/* One entry on the roster (not removed ones). Release with kesu_staff_release(). */
int kesu_staff_find(struct kesu_ledger *lg, const char *who, struct kesu_staff *s,
		    struct kesu_errbuf *eb);
/* The roster in role order (責任者, 取扱者, 主管担当), then as added; removed ones too when all. */
int kesu_staff_list(struct kesu_ledger *lg, int all, struct kesu_staff_list *out,
		    struct kesu_errbuf *eb);

/* Who a name must be. */
enum kesu_staff_need {
	KESU_STAFF_ANYONE,     /* anyone on the roster: operator, 立会者 */
	KESU_STAFF_HANDLER,    /* データ取扱責任者 or データ取扱者: worker, receiver, 作業責任者 */
	KESU_STAFF_MANAGER,    /* データ取扱責任者: the confirmer of a work's result */
	KESU_STAFF_OFFICER,    /* 主管担当: who approved a plan */
};

#define KESU_STAFF_NO_ROSTER 1

/*
 * The one check of a name against the roster. what names the field for the
 * message ("立会者", "--operator"). Returns
 *   0                     name is an entry's full name (姓 and 名, with or
 *                         without one space, ASCII or full-width, between them)
 *                         in a role need allows; full_name gets "姓 名";
 *   KESU_STAFF_NO_ROSTER  no roster is kept in this ledger: nothing was checked
 *                         (the caller says so); full_name gets name, trimmed;
 *   -KESU_E_BAD_INPUT     not on the roster (a given name alone never is), or in
 *                         another role; the sentence names 'kesu staff add'.
 * full_name may be NULL.
 */
int kesu_staff_check_name(struct kesu_ledger *lg, enum kesu_staff_need need, const char *what,
			  const char *name, char *full_name, size_t len, struct kesu_errbuf *eb);

/* Whether a roster is kept: 1 yes, 0 no, or an error. */
int kesu_staff_roster_exists(struct kesu_ledger *lg, struct kesu_errbuf *eb);

#endif
