/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The whole ledger as one JSON document (include/kesu/ledger.h): every
 * table's rows as strings, the audit events with their hashes and the seals
 * with their signatures, and the ledger's identity, so a ledger moves between
 * SQLite and PostgreSQL and the audit (and the seals, which name the
 * identity) hold on the copy.
 *
 * The import writes the rows as they are, in one transaction, into a ledger
 * that has nothing yet; it records no event of its own (that would not be in
 * the chain the seals sign). The audit of the copy is what shows it is whole.
 */
#include "ledger_int.h"

#include <kesu/util.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DUMP_FORMAT "kesu-ledger"
#define DUMP_MAX    ((size_t)1 << 30)   /* 1 GiB: a ledger of millions of events */

static const struct {
	const char *name;
	const char *cols;    /* in SELECT and INSERT order */
	const char *order;
} tables[] = {
	{ "meta", "key, value", "key" },
	{ "staff", "staff_id, role, family_name, given_name, affiliation, title, note, removed_at",
	  "staff_id" },
	{ "media", "no, media_id, serial, data_name, medium, giver, given_on, receiver, handover,"
		   " place, storage, use_place, purpose, status, disposition, disp_time, disp_place,"
		   " witness, responsible", "no" },
	{ "work", "work_id, target, worker, planned_time, content, place, note, actual_time,"
		  " result, taken_out, confirmer, reason, state, approved_by, approved_at", "rowid" },
	{ "certs", "cert_id, media_id, outcome, sha256, device_serial, attached_at, path,"
		   " timestamp", "rowid" },
	{ "plans", "plan_no, approved_by, approved_at, items", "plan_no" },
	{ "events", "seq, time, operator, action, entity, key, detail, prev_hash, hash", "seq" },
	{ "seals", "seal_id, seq, head, sealed_at, content, signature, file", "rowid" },
};
#define N_TABLES (sizeof(tables) / sizeof(tables[0]))

static int dump_table(struct kesu_ledger *lg, size_t t, json_t *out, struct kesu_errbuf *eb)
{
	struct kesu_store_stmt *st;
	json_t *rows = json_array();
	char sql[512];
	int rc;

	if (!rows || json_object_set_new(out, tables[t].name, rows) < 0)
		return -ENOMEM;
	snprintf(sql, sizeof(sql), "SELECT %s FROM %s ORDER BY %s", tables[t].cols, tables[t].name,
		 tables[t].order);
	if ((rc = lg_prepare(lg, sql, &st, eb)) < 0)
		return rc;
	while ((rc = kesu_store_step(st)) == KESU_STORE_ROW) {
		json_t *row = json_object();

		if (!row || json_array_append_new(rows, row) < 0) {
			rc = -ENOMEM;
			break;
		}
		for (int c = 0; c < kesu_store_columns(st); c++)
			if (json_object_set_new(row, kesu_store_column_name(st, c),
						json_string(lg_col_text(st, c))) < 0) {
				rc = -ENOMEM;
				goto out;
			}
	}
out:
	if (rc == KESU_STORE_DONE)
		rc = 0;
	else if (rc > 0)
		rc = lg_db_err(lg, rc, eb, "exporting the ledger");
	kesu_store_finalize(st);
	return rc;
}

int kesu_ledger_export_json(struct kesu_ledger *lg, char **out, struct kesu_errbuf *eb)
{
	json_t *doc = NULL, *tabs;
	int rc;

	*out = NULL;
	if ((rc = lg_begin_read(lg, eb)) < 0)
		return rc;
	rc = -ENOMEM;
	if (!(doc = json_pack("{sssi}", "format", DUMP_FORMAT, "schema", KESU_LEDGER_SCHEMA)) ||
	    !(tabs = json_object()) || json_object_set_new(doc, "tables", tabs) < 0)
		goto out;
	for (size_t t = 0; t < N_TABLES; t++)
		if ((rc = dump_table(lg, t, tabs, eb)) < 0)
			goto out;
	rc = (*out = json_dumps(doc, JSON_INDENT(1) | JSON_PRESERVE_ORDER)) ? 0 : -ENOMEM;
out:
	kesu_store_rollback(lg->db);
	json_decref(doc);
	return rc;
}

/* The ledger must hold nothing yet (its own fresh identity aside). */
static int require_empty(struct kesu_ledger *lg, struct kesu_errbuf *eb)
{
	static const char *const check[] = { "media", "events", "staff", "work", "seals" };

	for (size_t i = 0; i < sizeof(check) / sizeof(check[0]); i++) {
		struct kesu_store_stmt *st;
		char sql[64];
		int rc, has;

		snprintf(sql, sizeof(sql), "SELECT count(*) FROM %s", check[i]);
		if ((rc = lg_prepare(lg, sql, &st, eb)) < 0)
			return rc;
		rc = kesu_store_step(st);
		has = rc == KESU_STORE_ROW && kesu_store_int64(st, 0) > 0;
		kesu_store_finalize(st);
		if (rc != KESU_STORE_ROW)
			return lg_db_err(lg, rc, eb, "reading the ledger");
		if (has)
			return kesu_err_set(eb, -KESU_E_EXISTS,
					    "%s already holds a ledger (table %s has rows): import a "
					    "whole ledger only into a new one", lg->path, check[i]);
	}
	return 0;
}

static int load_table(struct kesu_ledger *lg, size_t t, json_t *rows, struct kesu_errbuf *eb)
{
	char sql[1024], cols[512], *p, *save = NULL;
	const char *names[32];
	int n = 0, rc = 0;
	size_t off, i;
	json_t *row;

	if (!json_is_array(rows))
		return kesu_err_set(eb, -KESU_E_BAD_INPUT, "the export has no table %s",
				    tables[t].name);
	snprintf(cols, sizeof(cols), "%s", tables[t].cols);
	for (p = strtok_r(cols, ", ", &save); p && n < 32; p = strtok_r(NULL, ", ", &save))
		names[n++] = p;
	off = (size_t)snprintf(sql, sizeof(sql), "INSERT INTO %s (%s) VALUES (", tables[t].name,
			       tables[t].cols);
	for (int c = 0; c < n; c++)
		off += (size_t)snprintf(sql + off, sizeof(sql) - off, "%s?", c ? "," : "");
	snprintf(sql + off, sizeof(sql) - off, ")");
	json_array_foreach(rows, i, row) {
		struct kesu_store_stmt *st;

		if ((rc = lg_prepare(lg, sql, &st, eb)) < 0)
			return rc;
		for (int c = 0; c < n; c++) {
			const char *v = json_string_value(json_object_get(row, names[c]));

			if (!v) {
				kesu_store_finalize(st);
				return kesu_err_set(eb, -KESU_E_BAD_INPUT, "the export's %s row %zu "
						    "has no %s", tables[t].name, i + 1, names[c]);
			}
			kesu_store_bind_text(st, c + 1, v);
		}
		rc = kesu_store_step(st);
		kesu_store_finalize(st);
		if (rc != KESU_STORE_DONE)
			return lg_db_err(lg, rc, eb, "importing the ledger");
	}
	return 0;
}

/* A server's identity columns continue after the imported numbers. */
static int advance_sequences(struct kesu_ledger *lg, struct kesu_errbuf *eb)
{
	if (kesu_store_kind(lg->db) != KESU_STORE_PG)
		return 0;
	return lg_exec(lg,
		       "SELECT setval(pg_get_serial_sequence('media', 'no'),"
		       " coalesce((SELECT max(no) FROM media), 0) + 1, false);"
		       "SELECT setval(pg_get_serial_sequence('plans', 'plan_no'),"
		       " coalesce((SELECT max(plan_no) FROM plans), 0) + 1, false)",
		       eb, "importing the ledger");
}

static int import_doc(struct kesu_ledger *lg, json_t *doc, struct kesu_errbuf *eb)
{
	json_t *tabs = json_object_get(doc, "tables");
	int rc;

	if ((rc = require_empty(lg, eb)) < 0)
		return rc;
	/* the copy keeps the original's identity: its seals name it */
	if ((rc = lg_exec(lg, "DELETE FROM meta", eb, "importing the ledger")) < 0)
		return rc;
	for (size_t t = 0; t < N_TABLES; t++)
		if ((rc = load_table(lg, t, json_object_get(tabs, tables[t].name), eb)) < 0)
			return rc;
	return advance_sequences(lg, eb);
}

int kesu_ledger_import_json(struct kesu_ledger *lg, const char *path, struct kesu_errbuf *eb)
{
	json_error_t jerr;
	json_t *doc;
	char *text;
	size_t len;
	int rc;

	if ((rc = kesu_read_file(path, DUMP_MAX, &text, &len, eb)) < 0)
		return rc;
	doc = json_loadb(text, len, JSON_REJECT_DUPLICATES, &jerr);
	free(text);
	if (!doc)
		return kesu_err_set(eb, -KESU_E_BAD_INPUT, "%s:%d: not JSON: %s", path, jerr.line,
				    jerr.text);
	if (!json_is_string(json_object_get(doc, "format")) ||
	    strcmp(json_string_value(json_object_get(doc, "format")), DUMP_FORMAT) ||
	    json_integer_value(json_object_get(doc, "schema")) != KESU_LEDGER_SCHEMA) {
		json_decref(doc);
		return kesu_err_set(eb, -KESU_E_BAD_INPUT, "%s is not a kesu ledger export of "
				    "schema %d ('kesu ledger export -o FILE.json')", path,
				    KESU_LEDGER_SCHEMA);
	}
	if ((rc = lg_begin(lg, eb)) >= 0)
		rc = lg_end(lg, import_doc(lg, doc, eb), eb);
	json_decref(doc);
	return rc;
}

int kesu_ledger_file_is_json(const char *path)
{
	char *text;
	size_t len, i = 0;
	int is;

	if (kesu_read_file(path, DUMP_MAX, &text, &len, NULL) < 0)
		return 0;
	while (i < len && (text[i] == ' ' || text[i] == '\n' || text[i] == '\r' || text[i] == '\t'))
		i++;
	is = i < len && text[i] == '{';
	free(text);
	return is;
}

int kesu_ledger_init_server(struct kesu_ledger *lg, struct kesu_errbuf *eb)
{
	int rc;

	if (kesu_store_kind(lg->db) != KESU_STORE_PG)
		return kesu_err_set(eb, -KESU_E_BAD_INPUT,
				    "%s is an SQLite file: init-server sets up a PostgreSQL server "
				    "(--db postgresql://...)", lg->path);
	if ((rc = lg_begin(lg, eb)) < 0)
		return rc;
	return lg_end(lg, lg_exec(lg, lg_server_sql, eb, "setting up the server's roles"), eb);
}
