/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The media ledger (include/kesu/ledger.h): the database, its schema and
 * migrations, and the media rows.
 *
 * NOTES ON THE DESIGN
 * 1. Every change is BEGIN IMMEDIATE ... COMMIT with its audit event inside,
 *    so a change and its record are written together or not at all, and a
 *    locked database fails before anything is done.
 * 2. Opening runs PRAGMA quick_check: a corrupt file is refused before any
 *    change is attempted, and an SQLite file that is not a kesu ledger (tables
 *    but user_version 0) is refused rather than extended.
 * 3. All values are TEXT, "" for empty, so the audit replay compares strings.
 */
#include "ledger_int.h"

#include <kesu/parse.h>
#include <kesu/staff.h>
#include <kesu/text.h>
#include <kesu/util.h>

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static const struct kesu_field_info media_fields[KESU_MF_COUNT] = {
	[KESU_MF_NO]          = { "no",          "項番",         "no" },
	[KESU_MF_MEDIA_ID]    = { "media_id",    "媒体ID",       "media-id" },
	[KESU_MF_SERIAL]      = { "serial",      "シリアル番号", "serial" },
	[KESU_MF_DATA_NAME]   = { "data_name",   "データ名",     "data-name" },
	[KESU_MF_MEDIUM]      = { "medium",      "記録媒体",     "medium" },
	[KESU_MF_GIVER]       = { "giver",       "交付者",       "giver" },
	[KESU_MF_GIVEN_ON]    = { "given_on",    "交付日",       "given-on" },
	[KESU_MF_RECEIVER]    = { "receiver",    "受領者",       "receiver" },
	[KESU_MF_HANDOVER]    = { "handover",    "授受方法",     "handover" },
	[KESU_MF_PLACE]       = { "place",       "保管場所",     "place" },
	[KESU_MF_STORAGE]     = { "storage",     "保管方法",     "storage" },
	[KESU_MF_USE_PLACE]   = { "use_place",   "使用場所",     "use-place" },
	[KESU_MF_PURPOSE]     = { "purpose",     "使用目的",     "purpose" },
	[KESU_MF_STATUS]      = { "status",      "状態",         "status" },
	[KESU_MF_DISPOSITION] = { "disposition", "返却等方法",   "disposition" },
	[KESU_MF_DISP_TIME]   = { "disp_time",   "返却等日時",   "disp-time" },
	[KESU_MF_DISP_PLACE]  = { "disp_place",  "返却等場所",   "disp-place" },
	[KESU_MF_WITNESS]     = { "witness",     "立会者",       "witness" },
	[KESU_MF_RESPONSIBLE] = { "responsible", "作業責任者",   "responsible" },
};

const char lg_media_select[] =
	"SELECT no, media_id, serial, data_name, medium, giver, given_on, receiver, handover,"
	" place, storage, use_place, purpose, status, disposition, disp_time, disp_place,"
	" witness, responsible FROM media";

static const char *const statuses[] = { "受領", "保管中", "使用中", "返却済", "消去済", "廃棄済" };
static const char *const dispositions[] = { "", "返却", "消去", "廃棄" };

/* Schema version 1. Migrations append a step; never edit a released one. */
static const char schema_v1[] =
	"CREATE TABLE media ("
	" no INTEGER PRIMARY KEY,"
	" media_id TEXT NOT NULL UNIQUE,"
	" serial TEXT NOT NULL DEFAULT '', data_name TEXT NOT NULL DEFAULT '',"
	" medium TEXT NOT NULL DEFAULT '', giver TEXT NOT NULL DEFAULT '',"
	" given_on TEXT NOT NULL DEFAULT '', receiver TEXT NOT NULL DEFAULT '',"
	" handover TEXT NOT NULL DEFAULT '', place TEXT NOT NULL DEFAULT '',"
	" storage TEXT NOT NULL DEFAULT '', use_place TEXT NOT NULL DEFAULT '',"
	" purpose TEXT NOT NULL DEFAULT '',"
	" status TEXT NOT NULL DEFAULT '受領'"
	"  CHECK (status IN ('受領','保管中','使用中','返却済','消去済','廃棄済')),"
	" disposition TEXT NOT NULL DEFAULT '' CHECK (disposition IN ('','返却','消去','廃棄')),"
	" disp_time TEXT NOT NULL DEFAULT '', disp_place TEXT NOT NULL DEFAULT '',"
	" witness TEXT NOT NULL DEFAULT '', responsible TEXT NOT NULL DEFAULT '');"
	"CREATE INDEX media_place ON media(place);"
	"CREATE TABLE certs ("
	" cert_id TEXT PRIMARY KEY,"
	" media_id TEXT NOT NULL REFERENCES media(media_id),"
	" outcome TEXT NOT NULL, sha256 TEXT NOT NULL, device_serial TEXT NOT NULL DEFAULT '',"
	" attached_at TEXT NOT NULL, path TEXT NOT NULL DEFAULT '');"
	"CREATE INDEX certs_media ON certs(media_id);"
	"CREATE TABLE work ("
	" work_id TEXT PRIMARY KEY,"
	" target TEXT NOT NULL DEFAULT '', worker TEXT NOT NULL DEFAULT '',"
	" planned_time TEXT NOT NULL DEFAULT '', content TEXT NOT NULL DEFAULT '',"
	" place TEXT NOT NULL DEFAULT '', note TEXT NOT NULL DEFAULT '',"
	" actual_time TEXT NOT NULL DEFAULT '', result TEXT NOT NULL DEFAULT '',"
	" taken_out TEXT NOT NULL DEFAULT '', confirmer TEXT NOT NULL DEFAULT '',"
	" reason TEXT NOT NULL DEFAULT '', state TEXT NOT NULL DEFAULT '予定');"
	"CREATE TABLE plans ("
	" plan_no INTEGER PRIMARY KEY, approved_by TEXT NOT NULL, approved_at TEXT NOT NULL,"
	" items TEXT NOT NULL);"
	"CREATE TABLE events ("
	" seq INTEGER PRIMARY KEY, time TEXT NOT NULL, operator TEXT NOT NULL,"
	" action TEXT NOT NULL, entity TEXT NOT NULL, key TEXT NOT NULL,"
	" detail TEXT NOT NULL, prev_hash TEXT NOT NULL, hash TEXT NOT NULL);"
	"CREATE INDEX events_key ON events(key);"
	/* The append-only rule in the database itself; audit still catches edits made
	 * after dropping these (the chain and the replay do not rely on them). */
	"CREATE TRIGGER events_no_update BEFORE UPDATE ON events"
	" BEGIN SELECT RAISE(ABORT, 'ledger events are append-only'); END;"
	"CREATE TRIGGER events_no_delete BEFORE DELETE ON events"
	" BEGIN SELECT RAISE(ABORT, 'ledger events are append-only'); END;";

/*
 * Schema version 2: the roster (データ取扱者等名簿, src/evidence/staff.c) and
 * the approval of a work's plan. A person is never deleted: removal sets
 * removed_at, so the audit replay keeps every row the events describe.
 */
static const char schema_v2[] =
	"CREATE TABLE staff ("
	" staff_id TEXT PRIMARY KEY,"
	" role TEXT NOT NULL CHECK (role IN ('データ取扱責任者','データ取扱者','主管担当')),"
	" family_name TEXT NOT NULL, given_name TEXT NOT NULL,"
	" affiliation TEXT NOT NULL DEFAULT '', title TEXT NOT NULL DEFAULT '',"
	" note TEXT NOT NULL DEFAULT '', removed_at TEXT NOT NULL DEFAULT '');"
	"ALTER TABLE work ADD COLUMN approved_by TEXT NOT NULL DEFAULT '';"
	"ALTER TABLE work ADD COLUMN approved_at TEXT NOT NULL DEFAULT '';";

/*
 * Schema version 3: the ledger's identity (a random ID written once, which
 * every seal names) and the seals of the audit chain (src/evidence/seal.c);
 * a certificate's verified time stamp.
 */
static const char schema_v3[] =
	"CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);"
	"INSERT INTO meta (key, value) VALUES ('db_id', lower(hex(randomblob(16))));"
	"CREATE TABLE seals ("
	" seal_id TEXT PRIMARY KEY, seq INTEGER NOT NULL, head TEXT NOT NULL,"
	" sealed_at TEXT NOT NULL, content TEXT NOT NULL, signature TEXT NOT NULL,"
	" file TEXT NOT NULL DEFAULT '');"
	"CREATE TRIGGER seals_no_update BEFORE UPDATE ON seals"
	" BEGIN SELECT RAISE(ABORT, 'ledger seals are append-only'); END;"
	"CREATE TRIGGER seals_no_delete BEFORE DELETE ON seals"
	" BEGIN SELECT RAISE(ABORT, 'ledger seals are append-only'); END;"
	"CREATE TRIGGER meta_no_update BEFORE UPDATE ON meta"
	" BEGIN SELECT RAISE(ABORT, 'the ledger identity is fixed'); END;"
	"ALTER TABLE certs ADD COLUMN timestamp TEXT NOT NULL DEFAULT '';";

/* migrations[v] takes a ledger from schema v to v + 1 (v 0: a new file). Append; never edit one. */
static const char *const migrations[] = { schema_v1, schema_v2, schema_v3 };
_Static_assert(sizeof(migrations) / sizeof(migrations[0]) == KESU_LEDGER_SCHEMA,
	       "one migration step per schema version");

/*
 * The same ledger on a PostgreSQL server (schema KESU_LEDGER_SCHEMA at once).
 * Differences from the SQLite steps: identity columns for 項番 and plan
 * numbers, a rowid column where SQLite's implicit one orders rows, triggers
 * as functions, instr() for the list's search, and kesu_schema holding the
 * version (PRAGMA user_version on SQLite). The roles and the station's
 * functions are src/evidence/ledger-server.sql (kesu ledger init-server).
 */
const char lg_pg_schema[] =
	"CREATE TABLE kesu_schema (version integer NOT NULL);"
	"CREATE FUNCTION instr(text, text) RETURNS integer LANGUAGE sql IMMUTABLE"
	" AS 'SELECT strpos($1, $2)';"
	"CREATE TABLE media ("
	" no bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,"
	" media_id text NOT NULL UNIQUE,"
	" serial text NOT NULL DEFAULT '', data_name text NOT NULL DEFAULT '',"
	" medium text NOT NULL DEFAULT '', giver text NOT NULL DEFAULT '',"
	" given_on text NOT NULL DEFAULT '', receiver text NOT NULL DEFAULT '',"
	" handover text NOT NULL DEFAULT '', place text NOT NULL DEFAULT '',"
	" storage text NOT NULL DEFAULT '', use_place text NOT NULL DEFAULT '',"
	" purpose text NOT NULL DEFAULT '',"
	" status text NOT NULL DEFAULT '受領'"
	"  CHECK (status IN ('受領','保管中','使用中','返却済','消去済','廃棄済')),"
	" disposition text NOT NULL DEFAULT '' CHECK (disposition IN ('','返却','消去','廃棄')),"
	" disp_time text NOT NULL DEFAULT '', disp_place text NOT NULL DEFAULT '',"
	" witness text NOT NULL DEFAULT '', responsible text NOT NULL DEFAULT '');"
	"CREATE INDEX media_place ON media(place);"
	"CREATE TABLE certs ("
	" cert_id text PRIMARY KEY,"
	" media_id text NOT NULL REFERENCES media(media_id),"
	" outcome text NOT NULL, sha256 text NOT NULL, device_serial text NOT NULL DEFAULT '',"
	" attached_at text NOT NULL, path text NOT NULL DEFAULT '',"
	" timestamp text NOT NULL DEFAULT '',"
	" rowid bigint GENERATED ALWAYS AS IDENTITY);"
	"CREATE INDEX certs_media ON certs(media_id);"
	"CREATE TABLE work ("
	" work_id text PRIMARY KEY,"
	" target text NOT NULL DEFAULT '', worker text NOT NULL DEFAULT '',"
	" planned_time text NOT NULL DEFAULT '', content text NOT NULL DEFAULT '',"
	" place text NOT NULL DEFAULT '', note text NOT NULL DEFAULT '',"
	" actual_time text NOT NULL DEFAULT '', result text NOT NULL DEFAULT '',"
	" taken_out text NOT NULL DEFAULT '', confirmer text NOT NULL DEFAULT '',"
	" reason text NOT NULL DEFAULT '', state text NOT NULL DEFAULT '予定',"
	" approved_by text NOT NULL DEFAULT '', approved_at text NOT NULL DEFAULT '',"
	" rowid bigint GENERATED ALWAYS AS IDENTITY);"
	"CREATE TABLE plans ("
	" plan_no bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,"
	" approved_by text NOT NULL, approved_at text NOT NULL, items text NOT NULL);"
	"CREATE TABLE events ("
	" seq bigint PRIMARY KEY, time text NOT NULL, operator text NOT NULL,"
	" action text NOT NULL, entity text NOT NULL, key text NOT NULL,"
	" detail text NOT NULL, prev_hash text NOT NULL, hash text NOT NULL);"
	"CREATE INDEX events_key ON events(key);"
	"CREATE TABLE staff ("
	" staff_id text PRIMARY KEY,"
	" role text NOT NULL CHECK (role IN ('データ取扱責任者','データ取扱者','主管担当')),"
	" family_name text NOT NULL, given_name text NOT NULL,"
	" affiliation text NOT NULL DEFAULT '', title text NOT NULL DEFAULT '',"
	" note text NOT NULL DEFAULT '', removed_at text NOT NULL DEFAULT '');"
	"CREATE TABLE meta (key text PRIMARY KEY, value text NOT NULL);"
	"INSERT INTO meta (key, value) VALUES ('db_id', replace(gen_random_uuid()::text, '-', ''));"
	"CREATE TABLE seals ("
	" seal_id text PRIMARY KEY, seq bigint NOT NULL, head text NOT NULL,"
	" sealed_at text NOT NULL, content text NOT NULL, signature text NOT NULL,"
	" file text NOT NULL DEFAULT '',"
	" rowid bigint GENERATED ALWAYS AS IDENTITY);"
	/* The append-only rules in the database itself, as on SQLite; the server's
	 * roles (ledger-server.sql) keep stations from reaching the tables at all. */
	"CREATE FUNCTION kesu_refuse() RETURNS trigger LANGUAGE plpgsql AS"
	" $$BEGIN RAISE EXCEPTION '%', TG_ARGV[0] USING ERRCODE = 'integrity_constraint_violation'; END$$;"
	"CREATE TRIGGER events_no_update BEFORE UPDATE OR DELETE ON events"
	" FOR EACH ROW EXECUTE FUNCTION kesu_refuse('ledger events are append-only');"
	"CREATE TRIGGER events_no_truncate BEFORE TRUNCATE ON events"
	" FOR EACH STATEMENT EXECUTE FUNCTION kesu_refuse('ledger events are append-only');"
	"CREATE TRIGGER seals_no_update BEFORE UPDATE OR DELETE ON seals"
	" FOR EACH ROW EXECUTE FUNCTION kesu_refuse('ledger seals are append-only');"
	"CREATE TRIGGER meta_no_update BEFORE UPDATE ON meta"
	" FOR EACH ROW EXECUTE FUNCTION kesu_refuse('the ledger identity is fixed');"
	/* The only ways to write events and certificates for roles that are not the
	 * owner (ledger-server.sql grants them): each checks what it receives. */
	"CREATE FUNCTION kesu_is_station_only() RETURNS boolean LANGUAGE sql STABLE AS"
	" $$SELECT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'kesu_station')"
	"  AND pg_has_role(session_user, 'kesu_station', 'MEMBER')"
	"  AND NOT pg_has_role(session_user, 'kesu_manager', 'MEMBER')$$;"
	"CREATE FUNCTION kesu_append_event(p_seq bigint, p_time text, p_operator text,"
	" p_action text, p_entity text, p_key text, p_detail text, p_prev text, p_hash text,"
	" p_canonical text) RETURNS void LANGUAGE plpgsql SECURITY DEFINER"
	" SET search_path = public, pg_temp AS $$"
	"DECLARE head_seq bigint; head_hash text;"
	"BEGIN"
	" PERFORM pg_advisory_xact_lock(1801810805);"
	" SELECT seq, hash INTO head_seq, head_hash FROM events ORDER BY seq DESC LIMIT 1;"
	" IF head_seq IS NULL THEN head_seq := 0; head_hash := repeat('0', 64); END IF;"
	" IF p_seq <> head_seq + 1 OR p_prev <> head_hash THEN"
	"  RAISE EXCEPTION 'event % does not follow the head of the chain (event %)', p_seq, head_seq"
	"  USING ERRCODE = 'integrity_constraint_violation'; END IF;"
	" IF p_hash <> encode(sha256(convert_to(p_canonical, 'UTF8')), 'hex') THEN"
	"  RAISE EXCEPTION 'the hash of event % is not the hash of its content', p_seq"
	"  USING ERRCODE = 'integrity_constraint_violation'; END IF;"
	" IF p_canonical::jsonb <> jsonb_build_object('seq', p_seq, 'time', p_time,"
	"  'operator', p_operator, 'action', p_action, 'entity', p_entity, 'key', p_key,"
	"  'detail', p_detail::jsonb, 'prev', p_prev) THEN"
	"  RAISE EXCEPTION 'the content of event % differs from its fields', p_seq"
	"  USING ERRCODE = 'integrity_constraint_violation'; END IF;"
	" IF p_operator = '' OR p_time::timestamptz NOT BETWEEN now() - interval '10 minutes'"
	"  AND now() + interval '10 minutes' THEN"
	"  RAISE EXCEPTION 'event % has no operator or its time (%) is not now', p_seq, p_time"
	"  USING ERRCODE = 'integrity_constraint_violation'; END IF;"
	" IF kesu_is_station_only() AND p_action NOT IN ('link-cert', 'erased') THEN"
	"  RAISE EXCEPTION 'a station records certificates only, not %', p_action"
	"  USING ERRCODE = 'insufficient_privilege'; END IF;"
	" INSERT INTO events (seq, time, operator, action, entity, key, detail, prev_hash, hash)"
	"  VALUES (p_seq, p_time, p_operator, p_action, p_entity, p_key, p_detail, p_prev, p_hash);"
	"END$$;"
	"CREATE FUNCTION kesu_link_cert(p_cert_id text, p_media_id text, p_outcome text,"
	" p_sha256 text, p_serial text, p_attached_at text, p_path text, p_timestamp text)"
	" RETURNS void LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$"
	"DECLARE m_serial text;"
	"BEGIN"
	" SELECT serial INTO m_serial FROM media WHERE media_id = p_media_id FOR UPDATE;"
	" IF NOT FOUND THEN RAISE EXCEPTION 'no medium %', p_media_id"
	"  USING ERRCODE = 'foreign_key_violation'; END IF;"
	" IF m_serial <> '' AND p_serial <> '' AND m_serial <> p_serial THEN"
	"  RAISE EXCEPTION 'certificate % is for serial %, the ledger records %', p_cert_id,"
	"  p_serial, m_serial USING ERRCODE = 'check_violation'; END IF;"
	" IF p_cert_id !~ '^KC-[0-9A-Za-z-]{1,60}$' OR p_outcome !~ '^[A-Z_]{1,15}$'"
	"  OR p_sha256 !~ '^[0-9a-f]{64}$' OR p_attached_at::timestamptz NOT BETWEEN"
	"  now() - interval '10 minutes' AND now() + interval '10 minutes' THEN"
	"  RAISE EXCEPTION 'certificate % is malformed', p_cert_id"
	"  USING ERRCODE = 'check_violation'; END IF;"
	" INSERT INTO certs (cert_id, media_id, outcome, sha256, device_serial, attached_at, path,"
	"  timestamp) VALUES (p_cert_id, p_media_id, p_outcome, p_sha256, p_serial, p_attached_at,"
	"  p_path, p_timestamp);"
	"END$$;"
	"CREATE FUNCTION kesu_media_erased(p_media_id text) RETURNS void LANGUAGE plpgsql"
	" SECURITY DEFINER SET search_path = public, pg_temp AS $$"
	"BEGIN"
	" UPDATE media SET status = '消去済' WHERE media_id = p_media_id AND EXISTS"
	"  (SELECT 1 FROM certs WHERE certs.media_id = p_media_id AND outcome = 'ERASED');"
	" IF NOT FOUND THEN RAISE EXCEPTION 'medium % has no ERASED certificate', p_media_id"
	"  USING ERRCODE = 'check_violation'; END IF;"
	"END$$;"
	"INSERT INTO kesu_schema (version) VALUES (0);";

const struct kesu_field_info *kesu_media_field_info(enum kesu_media_field f)
{
	if ((int)f < 0 || f >= KESU_MF_COUNT)
		return NULL;
	return &media_fields[f];
}

int kesu_media_field_lookup(const char *name)
{
	for (int i = 0; i < KESU_MF_COUNT; i++)
		if (!strcmp(name, media_fields[i].key) || !strcmp(name, media_fields[i].heading) ||
		    !strcmp(name, media_fields[i].option))
			return i;
	/* The form's own short headings for the disposition columns. */
	if (!strcmp(name, "方法"))
		return KESU_MF_DISPOSITION;
	if (!strcmp(name, "日時"))
		return KESU_MF_DISP_TIME;
	if (!strcmp(name, "シリアル"))
		return KESU_MF_SERIAL;
	return -1;
}

static int set_str(char **slot, const char *value)
{
	char *v = NULL;

	if (value && !(v = strdup(value)))
		return -ENOMEM;
	free(*slot);
	*slot = v;
	return 0;
}

int kesu_media_set(struct kesu_media *m, enum kesu_media_field i, const char *value)
{
	if ((int)i < 0 || i >= KESU_MF_COUNT)
		return -EINVAL;
	return set_str(&m->f[i], value);
}

const char *kesu_media_get(const struct kesu_media *m, enum kesu_media_field i)
{
	if ((int)i < 0 || i >= KESU_MF_COUNT || !m->f[i])
		return "";
	return m->f[i];
}

void kesu_media_release(struct kesu_media *m)
{
	for (int i = 0; i < KESU_MF_COUNT; i++)
		free(m->f[i]);
	memset(m, 0, sizeof(*m));
}

void kesu_media_list_release(struct kesu_media_list *l)
{
	for (size_t i = 0; i < l->n; i++)
		kesu_media_release(&l->items[i]);
	free(l->items);
	l->items = NULL;
	l->n = 0;
}

int kesu_ledger_id_valid(const char *id)
{
	return kesu_id_valid(id);
}

static int in_set(const char *s, const char *const *set, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(s, set[i]))
			return 1;
	return 0;
}

int kesu_ledger_status_valid(const char *s)
{
	return s && in_set(s, statuses, sizeof(statuses) / sizeof(statuses[0]));
}

int kesu_ledger_disposition_valid(const char *s)
{
	return s && in_set(s, dispositions, sizeof(dispositions) / sizeof(dispositions[0]));
}

/* Check the fields that have rules; normalise the date in place. */
static int validate_fields(struct kesu_media *m, struct kesu_errbuf *eb)
{
	const char *v;
	char date[11];
	int rc;

	for (int i = 0; i < KESU_MF_COUNT; i++) {
		if (i == KESU_MF_NO || i == KESU_MF_MEDIA_ID || !m->f[i])
			continue;
		if ((rc = lg_field_check(&media_fields[i], m->f[i], eb)) < 0)
			return rc;
	}
	if ((v = m->f[KESU_MF_STATUS]) && !kesu_ledger_status_valid(v))
		return kesu_err_set(eb, -KESU_E_BAD_INPUT,
				    "status '%s' is not one of 受領, 保管中, 使用中, 返却済, 消去済, 廃棄済", v);
	if ((v = m->f[KESU_MF_DISPOSITION]) && !kesu_ledger_disposition_valid(v))
		return kesu_err_set(eb, -KESU_E_BAD_INPUT,
				    "disposition '%s' is not one of 返却, 消去, 廃棄 (or empty)", v);
	if ((v = m->f[KESU_MF_GIVEN_ON]) && *v) {
		if (kesu_parse_date(v, date, NULL, NULL, NULL) < 0)
			return kesu_err_set(eb, -KESU_E_BAD_INPUT,
					    "交付日 (given_on) '%s' is not a date of the calendar like "
					    "2026-11-25", v);
		if (set_str(&m->f[KESU_MF_GIVEN_ON], date) < 0)
			return -ENOMEM;
	}
	return 0;
}

static int media_copy(const struct kesu_media *in, struct kesu_media *out)
{
	memset(out, 0, sizeof(*out));
	for (int i = 0; i < KESU_MF_COUNT; i++)
		if (in->f[i] && set_str(&out->f[i], in->f[i]) < 0) {
			kesu_media_release(out);
			return -ENOMEM;
		}
	return 0;
}

int lg_media_validate(const struct kesu_media *in, struct kesu_media *out,
		      struct kesu_errbuf *eb)
{
	const char *id = in->f[KESU_MF_MEDIA_ID];
	int rc;

	if (!id || !*id)
		return kesu_err_set(eb, -KESU_E_BAD_INPUT, "a media ID is required");
	if ((rc = kesu_id_check("media ID", id, eb)) < 0)
		return rc;
	if ((rc = media_copy(in, out)) < 0)
		return rc;
	if ((rc = validate_fields(out, eb)) < 0)
		goto fail;
	if (!out->f[KESU_MF_STATUS] || !*out->f[KESU_MF_STATUS])
		if ((rc = set_str(&out->f[KESU_MF_STATUS], "受領")) < 0)
			goto fail;
	return 0;
fail:
	kesu_media_release(out);
	return rc;
}

/* ---- the operator ---- */

int kesu_ledger_set_operator(struct kesu_ledger *lg, const char *name)
{
	char *copy = NULL;

	if (name) {
		size_t n = strlen(name) + 1;

		if (kesu_text_check("operator", name, NULL) < 0)
			return -KESU_E_BAD_INPUT;
		if (!(copy = malloc(n)))
			return -ENOMEM;
		kesu_strtrim_copy(copy, n, name);
	}
	free(lg->operator_name);
	lg->operator_name = copy;
	lg->operator_checked = 0;
	return 0;
}

const char *kesu_ledger_path(const struct kesu_ledger *lg)
{
	return lg->path;
}

static int quick_check(struct kesu_ledger *lg, struct kesu_errbuf *eb)
{
	char res[256];
	int rc = kesu_store_check(lg->db, res, sizeof(res));

	if (rc == KESU_STORE_CORRUPT && *res)
		return kesu_err_set(eb, -KESU_E_DB,
				    "%s is corrupt (quick_check: %.200s); nothing was changed. "
				    "Restore it from a backup", lg->path, res);
	return rc == KESU_STORE_OK ? 0 : lg_db_err(lg, rc, eb, "checking the database");
}

static int get_version(struct kesu_ledger *lg, long *version, long *tables,
		       struct kesu_errbuf *eb)
{
	int rc = kesu_store_get_version(lg->db, version, tables);

	return rc == KESU_STORE_OK ? 0 : lg_db_err(lg, rc, eb, "reading the ledger");
}

/* Create or upgrade the schema in one transaction: an interrupted migration leaves the old one. */
static int migrate_steps(struct kesu_ledger *lg, long version, struct kesu_errbuf *eb)
{
	int rc = 0;

	if (kesu_store_kind(lg->db) == KESU_STORE_PG) {
		/* A server's ledger starts at the current schema: there is no older one. */
		if (version != 0)
			return kesu_err_set(eb, -KESU_E_DB, "%s has ledger schema %ld, which a "
					    "server never had; restore it from a backup", lg->path,
					    version);
		rc = lg_exec(lg, lg_pg_schema, eb, "creating the ledger");
	} else {
		for (; rc == 0 && version < KESU_LEDGER_SCHEMA; version++)
			rc = lg_exec(lg, migrations[version], eb, "upgrading the ledger");
	}
	if (rc == 0 && (rc = kesu_store_set_version(lg->db, KESU_LEDGER_SCHEMA)) != KESU_STORE_OK)
		rc = lg_db_err(lg, rc, eb, "upgrading the ledger");
	return rc;
}

static int migrate(struct kesu_ledger *lg, unsigned flags, struct kesu_errbuf *eb)
{
	long version, tables;
	int rc;

	if ((rc = get_version(lg, &version, &tables, eb)) < 0)
		return rc;
	if (version == KESU_LEDGER_SCHEMA)
		return 0;
	if (version > KESU_LEDGER_SCHEMA)
		return kesu_err_set(eb, -KESU_E_DB,
				    "%s has ledger schema %ld, newer than this kesu knows (%d): "
				    "use a newer kesu", lg->path, version, KESU_LEDGER_SCHEMA);
	if (version == 0 && !(flags & KESU_LEDGER_CREATE) &&
	    kesu_store_kind(lg->db) == KESU_STORE_PG)
		return kesu_err_set(eb, -ENOENT,
				    "no kesu ledger in the database %s: create it with "
				    "'kesu ledger init-server --db URL' (or 'kesu ledger add')", lg->path);
	if ((rc = lg_begin(lg, eb)) < 0)
		return rc;
	/* Read again under the write lock: another kesu may have migrated meanwhile. */
	if ((rc = get_version(lg, &version, &tables, eb)) < 0 || version >= KESU_LEDGER_SCHEMA)
		goto out;
	if (version == 0 && tables) {
		rc = kesu_err_set(eb, -KESU_E_DB,
				  "%s is a database but not a kesu ledger; "
				  "choose another one with --db", lg->path);
		goto out;
	}
	rc = migrate_steps(lg, version, eb);
out:
	return lg_end(lg, rc, eb);
}

/* A URL's query without its password= parameter, appended at o; the end. */
static char *put_query_without_password(char *o, const char *query)
{
	char sep = '?';

	while (*query) {
		size_t n = strcspn(query, "&");

		if (strncmp(query, "password=", 9)) {
			*o++ = sep;
			memcpy(o, query, n);
			o += n;
			sep = '&';
		}
		query += n;
		if (*query == '&')
			query++;
	}
	return o;
}

/* The target as shown to people: a server URL without its password, whether it
 * came as user:password@ or as a password= parameter. */
char *kesu_ledger_display_name(const char *target)
{
	const char *auth = strstr(target, "://"), *at, *colon, *query, *p = target;
	size_t auth_len;
	char *out, *o;

	if (!kesu_store_is_server(target) || !auth)
		return strdup(target);
	auth += 3;
	auth_len = strcspn(auth, "/?");
	at = memrchr(auth, '@', auth_len);
	colon = at ? memchr(auth, ':', (size_t)(at - auth)) : NULL;
	query = strchr(auth, '?');
	if (!(out = malloc(strlen(target) + 1)))
		return NULL;
	o = out;
	if (colon) {
		memcpy(o, p, (size_t)(colon - p));
		o += colon - p;
		p = at;
	}
	if (!query)
		query = p + strlen(p);
	memcpy(o, p, (size_t)(query - p));
	o += query - p;
	if (*query)
		o = put_query_without_password(o, query + 1);
	*o = '\0';
	return out;
}

/* An SQLite file: made when missing (with CREATE), never world-readable. */
static int file_prepare(const char *path, unsigned flags, struct kesu_errbuf *eb)
{
	struct stat sb;
	int fd;

	if (stat(path, &sb) == 0)
		return S_ISREG(sb.st_mode) ? 0 :
			kesu_err_set(eb, -KESU_E_DB, "%s is not a regular file", path);
	if (errno != ENOENT || !(flags & KESU_LEDGER_CREATE))
		return kesu_err_set(eb, -errno,
				    "no ledger database at %s: create one with 'kesu ledger add' "
				    "or 'kesu ledger import', or name it with --db", path);
	/* The ledger holds people's names: not world-readable. SQLite gives its
	 * journal the database file's mode. */
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0640);
	if (fd < 0 && errno != EEXIST)
		return kesu_err_set(eb, -errno, "cannot create the ledger database %s: %s",
				    path, strerror(errno));
	if (fd >= 0)
		close(fd);
	return 0;
}

int kesu_ledger_open(const char *path, unsigned flags, int busy_ms, struct kesu_ledger **out,
		     struct kesu_errbuf *eb)
{
	struct kesu_ledger *lg;
	int rc, memory = 0;

	*out = NULL;
	if (!path || !*path)
		path = KESU_LEDGER_DEFAULT_DB;
	if (!strcmp(path, ":memory:"))
		memory = 1;   /* a private in-memory ledger (tests, fuzzing): nothing on disk */
	else if (!kesu_store_is_server(path) && (rc = file_prepare(path, flags, eb)) < 0)
		return rc;
	if (!(lg = calloc(1, sizeof(*lg))) || !(lg->path = kesu_ledger_display_name(path))) {
		free(lg);
		return -ENOMEM;
	}
	rc = kesu_store_open(path, memory, busy_ms, &lg->db);
	if (rc != KESU_STORE_OK) {
		rc = lg_db_err(lg, rc, eb, "opening the ledger");
		goto fail;
	}
	if ((rc = quick_check(lg, eb)) < 0)
		goto fail;
	if ((rc = migrate(lg, flags, eb)) < 0)
		goto fail;
	*out = lg;
	return 0;
fail:
	kesu_ledger_close(lg);
	return rc;
}

void kesu_ledger_close(struct kesu_ledger *lg)
{
	if (!lg)
		return;
	lg_staff_forget(lg);
	kesu_store_close(lg->db);
	free(lg->path);
	free(lg->operator_name);
	free(lg);
}

/* ---- media rows ---- */

int lg_media_from_row(struct kesu_store_stmt *st, struct kesu_media *m)
{
	memset(m, 0, sizeof(*m));
	for (int i = 0; i < KESU_MF_COUNT; i++)
		if (set_str(&m->f[i], lg_col_text(st, i)) < 0) {
			kesu_media_release(m);
			return -ENOMEM;
		}
	return 0;
}

/* Look a medium up; -KESU_E_NOT_FOUND with a sentence when absent. */
static int media_fetch(struct kesu_ledger *lg, const char *media_id, struct kesu_media *m,
		       struct kesu_errbuf *eb)
{
	char sql[sizeof(lg_media_select) + 32];
	struct kesu_store_stmt *st;
	int rc;

	memset(m, 0, sizeof(*m));
	snprintf(sql, sizeof(sql), "%s WHERE media_id = ?1", lg_media_select);
	if ((rc = lg_prepare(lg, sql, &st, eb)) < 0)
		return rc;
	kesu_store_bind_text(st, 1, media_id);
	rc = kesu_store_step(st);
	if (rc == KESU_STORE_ROW)
		rc = lg_media_from_row(st, m);
	else if (rc == KESU_STORE_DONE)
		rc = kesu_err_set(eb, -KESU_E_NOT_FOUND,
				  "no medium '%s' in the ledger %s; see 'kesu ledger list'",
				  media_id, lg->path);
	else
		rc = lg_db_err(lg, rc, eb, "reading the ledger");
	kesu_store_finalize(st);
	return rc;
}

int kesu_ledger_get_media(struct kesu_ledger *lg, const char *media_id, struct kesu_media *m,
			  struct kesu_errbuf *eb)
{
	return media_fetch(lg, media_id, m, eb);
}

/* The medium's 受領者, 立会者 and 作業責任者 against the roster, when one is kept. */
static int check_media_names(struct kesu_ledger *lg, const struct kesu_media *m,
			     struct kesu_errbuf *eb)
{
	static const struct {
		enum kesu_media_field f;
		enum kesu_staff_need need;
	} names[] = {
		{ KESU_MF_RECEIVER, KESU_STAFF_HANDLER },
		{ KESU_MF_WITNESS, KESU_STAFF_ANYONE },
		{ KESU_MF_RESPONSIBLE, KESU_STAFF_HANDLER },
	};
	int rc;

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		const char *v = m->f[names[i].f];

		if (!v || !*v)
			continue;
		rc = kesu_staff_check_name(lg, names[i].need,
					   kesu_media_field_info(names[i].f)->heading, v, NULL, 0, eb);
		if (rc < 0)
			return rc;
	}
	return 0;
}

/* Insert a validated row (inside a transaction) and record its "add" event. */
int lg_media_insert(struct kesu_ledger *lg, const char *action, const struct kesu_media *m,
		    long *no, struct kesu_errbuf *eb)
{
	struct kesu_store_stmt *st = NULL;
	json_t *detail = NULL, *changes;
	char sql[1024], nobuf[32];
	size_t off;
	long newno;
	int rc;

	off = (size_t)snprintf(sql, sizeof(sql), "INSERT INTO media (");
	for (int i = KESU_MF_MEDIA_ID; i < KESU_MF_COUNT; i++)
		off += (size_t)snprintf(sql + off, sizeof(sql) - off, "%s%s",
					i > KESU_MF_MEDIA_ID ? "," : "", media_fields[i].key);
	off += (size_t)snprintf(sql + off, sizeof(sql) - off, ") VALUES (");
	for (int i = KESU_MF_MEDIA_ID; i < KESU_MF_COUNT; i++)
		off += (size_t)snprintf(sql + off, sizeof(sql) - off, "%s?",
					i > KESU_MF_MEDIA_ID ? "," : "");
	snprintf(sql + off, sizeof(sql) - off, ") RETURNING no");

	if ((rc = check_media_names(lg, m, eb)) < 0)
		return rc;
	if ((rc = lg_prepare(lg, sql, &st, eb)) < 0)
		return rc;
	for (int i = KESU_MF_MEDIA_ID; i < KESU_MF_COUNT; i++)
		kesu_store_bind_text(st, i, kesu_media_get(m, (enum kesu_media_field)i));
	rc = kesu_store_step(st);
	if (rc == KESU_STORE_UNIQUE) {
		rc = kesu_err_set(eb, -KESU_E_EXISTS,
				  "media ID %s is already in the ledger; nothing was changed "
				  "(see 'kesu ledger show %s')", kesu_media_get(m, KESU_MF_MEDIA_ID),
				  kesu_media_get(m, KESU_MF_MEDIA_ID));
		goto out;
	}
	if (rc != KESU_STORE_ROW) {
		rc = lg_db_err(lg, rc, eb, "adding a medium");
		goto out;
	}
	newno = (long)kesu_store_int64(st, 0);
	snprintf(nobuf, sizeof(nobuf), "%ld", newno);
	rc = -ENOMEM;
	if (!(detail = json_object()) || !(changes = json_object()) ||
	    json_object_set_new(detail, "changes", changes) < 0)
		goto out;
	if (lg_change_add(changes, "no", "", nobuf) < 0)
		goto out;
	for (int i = KESU_MF_MEDIA_ID; i < KESU_MF_COUNT; i++) {
		const char *v = kesu_media_get(m, (enum kesu_media_field)i);

		/* empty fields stay out of the record: the replay reads absent as "" */
		if (*v && lg_change_add(changes, media_fields[i].key, "", v) < 0)
			goto out;
	}
	if ((rc = lg_event_append(lg, action, "media", kesu_media_get(m, KESU_MF_MEDIA_ID), detail,
				  NULL, eb)) < 0)
		goto out;
	if (no)
		*no = newno;
	rc = 0;
out:
	json_decref(detail);
	kesu_store_finalize(st);
	return rc;
}

int kesu_ledger_add(struct kesu_ledger *lg, const struct kesu_media *m, long *no,
		    struct kesu_errbuf *eb)
{
	struct kesu_media v;
	int rc;

	if ((rc = lg_require_operator(lg, eb)) < 0)
		return rc;
	if ((rc = lg_media_validate(m, &v, eb)) < 0)
		return rc;
	if ((rc = lg_begin(lg, eb)) >= 0)
		rc = lg_end(lg, lg_media_insert(lg, "add", &v, no, eb), eb);
	kesu_media_release(&v);
	return rc;
}

/* Apply changes to one medium inside a transaction and record them as action. */
int lg_media_update(struct kesu_ledger *lg, const char *action, const char *media_id,
		    const struct kesu_media *changes, struct kesu_errbuf *eb)
{
	struct kesu_media cur = { 0 };
	struct kesu_store_stmt *st = NULL;
	json_t *detail = NULL, *jc;
	char sql[128];
	int rc;

	if ((rc = check_media_names(lg, changes, eb)) < 0)
		return rc;
	if ((rc = media_fetch(lg, media_id, &cur, eb)) < 0)
		return rc;
	rc = -ENOMEM;
	if (!(detail = json_object()) || !(jc = json_object()) ||
	    json_object_set_new(detail, "changes", jc) < 0)
		goto out;
	for (int i = KESU_MF_SERIAL; i < KESU_MF_COUNT; i++) {
		const char *nv = changes->f[i], *ov = kesu_media_get(&cur, (enum kesu_media_field)i);

		if (!nv || !strcmp(nv, ov))
			continue;
		if (lg_change_add(jc, media_fields[i].key, ov, nv) < 0)
			goto out;
		snprintf(sql, sizeof(sql), "UPDATE media SET %s = ?1 WHERE media_id = ?2",
			 media_fields[i].key);
		if ((rc = lg_prepare(lg, sql, &st, eb)) < 0)
			goto out;
		kesu_store_bind_text(st, 1, nv);
		kesu_store_bind_text(st, 2, media_id);
		rc = kesu_store_step(st);
		kesu_store_finalize(st);
		st = NULL;
		if (rc != KESU_STORE_DONE) {
			rc = lg_db_err(lg, rc, eb, "changing a medium");
			goto out;
		}
		rc = -ENOMEM;
	}
	rc = 0;
	if (json_object_size(jc))
		rc = lg_event_append(lg, action, "media", media_id, detail, NULL, eb);
out:
	json_decref(detail);
	kesu_media_release(&cur);
	return rc;
}

static int edit_checked(struct kesu_ledger *lg, const char *action, const char *media_id,
			const struct kesu_media *changes, struct kesu_errbuf *eb)
{
	struct kesu_media v;
	int rc;

	if ((rc = lg_require_operator(lg, eb)) < 0)
		return rc;
	if (changes->f[KESU_MF_NO] || changes->f[KESU_MF_MEDIA_ID])
		return kesu_err_set(eb, -KESU_E_BAD_INPUT,
				    "項番 and the media ID cannot be changed; add a new entry instead");
	if ((rc = media_copy(changes, &v)) < 0)
		return rc;
	if ((rc = validate_fields(&v, eb)) < 0)
		goto out;
	if (v.f[KESU_MF_STATUS] && !*v.f[KESU_MF_STATUS]) {
		rc = kesu_err_set(eb, -KESU_E_BAD_INPUT, "the status cannot be empty");
		goto out;
	}
	if ((rc = lg_begin(lg, eb)) >= 0)
		rc = lg_end(lg, lg_media_update(lg, action, media_id, &v, eb), eb);
out:
	kesu_media_release(&v);
	return rc;
}

int kesu_ledger_edit(struct kesu_ledger *lg, const char *media_id,
		     const struct kesu_media *changes, struct kesu_errbuf *eb)
{
	return edit_checked(lg, "edit", media_id, changes, eb);
}

int kesu_ledger_move(struct kesu_ledger *lg, const char *media_id, const char *place,
		     struct kesu_errbuf *eb)
{
	struct kesu_media ch = { 0 };
	int rc;

	if (!place || !*place)
		return kesu_err_set(eb, -KESU_E_BAD_INPUT, "move needs the new storage place (保管場所)");
	if ((rc = kesu_media_set(&ch, KESU_MF_PLACE, place)) < 0)
		return rc;
	rc = edit_checked(lg, "move", media_id, &ch, eb);
	kesu_media_release(&ch);
	return rc;
}

int kesu_ledger_list(struct kesu_ledger *lg, const struct kesu_media_filter *filter,
		     struct kesu_media_list *out, struct kesu_errbuf *eb)
{
	static const struct kesu_media_filter none;
	char sql[sizeof(lg_media_select) + 512];
	struct kesu_store_stmt *st;
	size_t cap = 0;
	int rc;

	memset(out, 0, sizeof(*out));
	if (!filter)
		filter = &none;
	snprintf(sql, sizeof(sql),
		 "%s WHERE (?1 = '' OR status = ?1) AND (?2 = '' OR place = ?2)"
		 " AND (?3 = '' OR disposition = ?3)"
		 " AND (?4 = '' OR instr(data_name, ?4) > 0 OR instr(medium, ?4) > 0"
		 " OR instr(serial, ?4) > 0 OR instr(media_id, ?4) > 0) ORDER BY no", lg_media_select);
	if ((rc = lg_prepare(lg, sql, &st, eb)) < 0)
		return rc;
	kesu_store_bind_text(st, 1, filter->status ? filter->status : "");
	kesu_store_bind_text(st, 2, filter->place ? filter->place : "");
	kesu_store_bind_text(st, 3, filter->disposition ? filter->disposition : "");
	kesu_store_bind_text(st, 4, filter->search ? filter->search : "");
	while ((rc = kesu_store_step(st)) == KESU_STORE_ROW) {
		if (out->n == cap) {
			size_t ncap = cap ? cap * 2 : 16;
			struct kesu_media *n = realloc(out->items, ncap * sizeof(*n));

			if (!n) {
				rc = -ENOMEM;
				goto fail;
			}
			out->items = n;
			cap = ncap;
		}
		if ((rc = lg_media_from_row(st, &out->items[out->n])) < 0)
			goto fail;
		out->n++;
	}
	if (rc != KESU_STORE_DONE) {
		rc = lg_db_err(lg, rc, eb, "listing the ledger");
		goto fail;
	}
	kesu_store_finalize(st);
	return 0;
fail:
	kesu_store_finalize(st);
	kesu_media_list_release(out);
	return rc;
}

/* ---- the return plan ---- */

static json_t *media_to_json(const struct kesu_media *m)
{
	json_t *o = json_object();

	if (!o)
		return NULL;
	for (int i = 0; i < KESU_MF_COUNT; i++)
		if (json_object_set_new(o, media_fields[i].key,
					json_string(kesu_media_get(m, (enum kesu_media_field)i))) < 0) {
			json_decref(o);
			return NULL;
		}
	return o;
}

static int plan_check_item(struct kesu_ledger *lg, const struct kesu_media *m,
			   struct kesu_errbuf *eb)
{
	static const enum kesu_media_field need[] = {
		KESU_MF_DISP_TIME, KESU_MF_DISP_PLACE, KESU_MF_WITNESS, KESU_MF_RESPONSIBLE,
	};

	for (size_t i = 0; i < sizeof(need) / sizeof(need[0]); i++)
		if (!*kesu_media_get(m, need[i]))
			return kesu_err_set(eb, -KESU_E_BAD_INPUT,
					    "%s (%s) has no %s in its return plan entry; set it with "
					    "'kesu ledger edit %s --%s ...'",
					    kesu_media_get(m, KESU_MF_MEDIA_ID),
					    kesu_media_get(m, KESU_MF_DATA_NAME), media_fields[need[i]].heading,
					    kesu_media_get(m, KESU_MF_MEDIA_ID), media_fields[need[i]].option);
	/* names entered before the roster was kept are checked now */
	return check_media_names(lg, m, eb);
}

static int plan_insert(struct kesu_ledger *lg, const char *approver, const char *now,
		       long *plan_no, struct kesu_errbuf *eb)
{
	struct kesu_media_list l = { 0 };
	struct kesu_store_stmt *st = NULL;
	json_t *items = NULL, *detail = NULL, *jc;
	char *items_text = NULL, nobuf[32];
	size_t n = 0;
	int rc;

	if ((rc = kesu_ledger_list(lg, NULL, &l, eb)) < 0)
		return rc;
	rc = -ENOMEM;
	if (!(items = json_array()))
		goto out;
	for (size_t i = 0; i < l.n; i++) {
		if (!*kesu_media_get(&l.items[i], KESU_MF_DISPOSITION))
			continue;
		if ((rc = plan_check_item(lg, &l.items[i], eb)) < 0)
			goto out;
		rc = -ENOMEM;
		if (json_array_append_new(items, media_to_json(&l.items[i])) < 0)
			goto out;
		n++;
	}
	if (!n) {
		rc = kesu_err_set(eb, -KESU_E_BAD_INPUT,
				  "no medium has a disposition (返却, 消去 or 廃棄): set them with "
				  "'kesu ledger edit ID --disposition 消去 --disp-time ... --disp-place ... "
				  "--witness ... --responsible ...' first");
		goto out;
	}
	if (!(items_text = json_dumps(items, JSON_SORT_KEYS | JSON_COMPACT)))
		goto out;
	if ((rc = lg_prepare(lg, "INSERT INTO plans (approved_by, approved_at, items) VALUES (?1, ?2, ?3)"
			     " RETURNING plan_no",
			     &st, eb)) < 0)
		goto out;
	kesu_store_bind_text(st, 1, approver);
	kesu_store_bind_text(st, 2, now);
	kesu_store_bind_text(st, 3, items_text);
	if ((rc = kesu_store_step(st)) != KESU_STORE_ROW) {
		rc = lg_db_err(lg, rc, eb, "approving the plan");
		goto out;
	}
	*plan_no = (long)kesu_store_int64(st, 0);
	snprintf(nobuf, sizeof(nobuf), "%ld", *plan_no);
	rc = -ENOMEM;
	if (!(detail = json_object()) || !(jc = json_object()) ||
	    json_object_set_new(detail, "changes", jc) < 0 ||
	    lg_change_add(jc, "plan_no", "", nobuf) < 0 ||
	    lg_change_add(jc, "approved_by", "", approver) < 0 ||
	    lg_change_add(jc, "approved_at", "", now) < 0 ||
	    lg_change_add(jc, "items", "", items_text) < 0)
		goto out;
	rc = lg_event_append(lg, "approve-plan", "plan", nobuf, detail, NULL, eb);
out:
	kesu_store_finalize(st);
	json_decref(detail);
	json_decref(items);
	free(items_text);
	kesu_media_list_release(&l);
	return rc;
}

int kesu_ledger_approve_plan_at(struct kesu_ledger *lg, const char *approver,
				const char *approved_at, long *plan_no, struct kesu_errbuf *eb)
{
	char when[32], full[KESU_STAFF_NAME_MAX];
	long dummy;
	int rc;

	if ((rc = lg_approval(lg, "plan", approver, approved_at, full, when, eb)) < 0)
		return rc;
	if ((rc = lg_begin(lg, eb)) < 0)
		return rc;
	return lg_end(lg, plan_insert(lg, full, when, plan_no ? plan_no : &dummy, eb), eb);
}

int kesu_ledger_approve_plan(struct kesu_ledger *lg, const char *approver, long *plan_no,
			     struct kesu_errbuf *eb)
{
	return kesu_ledger_approve_plan_at(lg, approver, NULL, plan_no, eb);
}

static int plan_items_parse(const char *text, struct kesu_media_list *l, struct kesu_errbuf *eb)
{
	json_t *arr = json_loads(text, 0, NULL), *o;
	size_t i;
	int rc = 0;

	memset(l, 0, sizeof(*l));
	if (!json_is_array(arr)) {
		json_decref(arr);
		return kesu_err_set(eb, -KESU_E_DB, "the stored return plan is not valid JSON");
	}
	if (json_array_size(arr) && !(l->items = calloc(json_array_size(arr), sizeof(*l->items)))) {
		json_decref(arr);
		return -ENOMEM;
	}
	json_array_foreach(arr, i, o) {
		for (int f = 0; f < KESU_MF_COUNT && rc == 0; f++)
			rc = set_str(&l->items[i].f[f],
				     json_string_value(json_object_get(o, media_fields[f].key)));
		l->n = i + 1;
		if (rc < 0)
			break;
	}
	json_decref(arr);
	if (rc < 0)
		kesu_media_list_release(l);
	return rc;
}

int kesu_ledger_get_plan(struct kesu_ledger *lg, long plan_no, struct kesu_plan *plan,
			 struct kesu_errbuf *eb)
{
	struct kesu_store_stmt *st;
	int rc;

	memset(plan, 0, sizeof(*plan));
	rc = lg_prepare(lg, plan_no > 0 ?
			"SELECT plan_no, approved_by, approved_at, items FROM plans WHERE plan_no = ?1" :
			"SELECT plan_no, approved_by, approved_at, items FROM plans ORDER BY plan_no DESC LIMIT 1",
			&st, eb);
	if (rc < 0)
		return rc;
	if (plan_no > 0)
		kesu_store_bind_int64(st, 1, plan_no);
	rc = kesu_store_step(st);
	if (rc == KESU_STORE_ROW) {
		plan->plan_no = (long)kesu_store_int64(st, 0);
		snprintf(plan->approved_by, sizeof(plan->approved_by), "%s", lg_col_text(st, 1));
		snprintf(plan->approved_at, sizeof(plan->approved_at), "%s", lg_col_text(st, 2));
		rc = plan_items_parse(lg_col_text(st, 3), &plan->items, eb);
	} else if (rc == KESU_STORE_DONE) {
		rc = kesu_err_set(eb, -KESU_E_NOT_FOUND,
				  "no approved return plan in %s: approve one with "
				  "'kesu ledger approve-plan --approved-by NAME'", lg->path);
	} else {
		rc = lg_db_err(lg, rc, eb, "reading the return plan");
	}
	kesu_store_finalize(st);
	return rc;
}

void kesu_plan_release(struct kesu_plan *plan)
{
	kesu_media_list_release(&plan->items);
}
