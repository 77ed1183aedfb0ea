/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The result record's schema, once: the outcome names and every member's
 * key, JSON kind and whether a record must have it (kesu-wipe(8), RECORD).
 * record.h makes the typed struct of a loaded record from these lists and
 * the loader (kesu_record_load) its table; check_cert compares them with
 * what kesu_record_build writes, so writer and reader cannot drift apart.
 *
 * X(member, "key", kind, required). Kinds and their C types:
 *   STR  a string                     const char * ("" when absent)
 *   INT  an integer                   long long
 *   U64  a non-negative integer       uint64_t
 *   FLAG the integer 0 or 1           int
 *   ARR  an array                     const json_t * (NULL when absent)
 *   OBJ  an object kept as JSON       const json_t * (NULL when absent)
 * Members marked 0 came after the first records of kesu 0.1.0: a record
 * without them loads (strings "", numbers 0); with them, their kind must match.
 */
#ifndef KESU_RECORD_SCHEMA_H
#define KESU_RECORD_SCHEMA_H

/* The outcomes, in the order of enum kesu_outcome (record.h). */
#define KESU_OUTCOMES(X) X(ERASED) X(FAILED) X(INTERRUPTED) X(UNVERIFIED)
/* The same names for messages (check_cert compares it with KESU_OUTCOMES). */
#define KESU_OUTCOME_CHOICES "ERASED, FAILED, INTERRUPTED, UNVERIFIED"

/* The top level; the sections below are objects of it. */
#define KESU_RECORD_TOP(X) \
	X(record_version,        "record_version",        INT,  1) \
	X(record_id,             "record_id",             STR,  1) \
	X(started_at,            "started_at",            STR,  1) \
	X(finished_at,           "finished_at",           STR,  1) \
	X(duration_ms,           "duration_ms",           U64,  1) \
	X(bytes_written,         "bytes_written",         U64,  1) \
	X(throughput_bps,        "throughput_bps",        U64,  1) \
	X(outcome_name,          "outcome",               STR,  1) \
	X(outcome_reasons,       "outcome_reasons",       ARR,  1) \
	X(bad_ranges,            "bad_ranges",            ARR,  1) \
	X(bad_ranges_not_listed, "bad_ranges_not_listed", U64,  0) \
	X(interruptions,         "interruptions",         ARR,  1) \
	X(timeline,              "timeline",              ARR,  1) \
	X(commands,              "commands",              ARR,  1) \
	X(operator_name,         "operator",              STR,  0) \
	X(witness,               "witness",               STR,  0)

/* The sections: X(member, "key", required, FIELDS). */
#define KESU_RECORD_SECTIONS(X) \
	X(tool,         "tool",         1, KESU_RECORD_TOOL) \
	X(host,         "host",         1, KESU_RECORD_HOST) \
	X(device,       "device",       1, KESU_RECORD_DEVICE) \
	X(method,       "method",       1, KESU_RECORD_METHOD) \
	X(verification, "verification", 1, KESU_RECORD_VERIFICATION) \
	X(hidden_areas, "hidden_areas", 1, KESU_RECORD_HIDDEN) \
	X(bad_sectors,  "bad_sectors",  0, KESU_RECORD_BAD_SECTORS) \
	X(time,         "time",         0, KESU_RECORD_TIME) \
	X(secrets,      "secrets",      0, KESU_RECORD_SECRET_FIELDS)

#define KESU_RECORD_TOOL(X) \
	X(name,    "name",    STR, 1) \
	X(version, "version", STR, 1)

#define KESU_RECORD_HOST(X) \
	X(hostname,    "hostname",    STR, 1) \
	X(dmi_vendor,  "dmi_vendor",  STR, 1) \
	X(dmi_product, "dmi_product", STR, 1) \
	X(dmi_serial,  "dmi_serial",  STR, 1)

#define KESU_RECORD_DEVICE(X) \
	X(path,                 "path",                 STR,  1) \
	X(name,                 "name",                 STR,  1) \
	X(transport,            "transport",            STR,  1) \
	X(vendor,               "vendor",               STR,  1) \
	X(model,                "model",                STR,  1) \
	X(serial,               "serial",               STR,  1) \
	X(bridge_serial,        "bridge_serial",        STR,  0) \
	X(bridge_model,         "bridge_model",         STR,  0) \
	X(serial_source,        "serial_source",        STR,  0) \
	X(firmware,             "firmware",             STR,  1) \
	X(size_bytes,           "size_bytes",           U64,  1) \
	X(logical_sector_size,  "logical_sector_size",  U64,  1) \
	X(physical_sector_size, "physical_sector_size", U64,  1) \
	X(rotational,           "rotational",           FLAG, 1) \
	X(removable,            "removable",            FLAG, 1)

#define KESU_RECORD_METHOD(X) \
	X(name,       "name",       STR,  1) \
	X(category,   "category",   STR,  1) \
	X(pattern,    "pattern",    STR,  1) \
	X(passes,     "passes",     U64,  1) \
	X(final_zero, "final_zero", FLAG, 1) \
	X(random_key, "random_key", STR,  1) \
	X(details,    "details",    STR,  1)

#define KESU_RECORD_VERIFICATION(X) \
	X(mode,                  "mode",                  STR, 1) \
	X(plan,                  "plan",                  OBJ, 1) \
	X(result,                "result",                STR, 1) \
	X(bytes_checked,         "bytes_checked",         U64, 1) \
	X(mismatches,            "mismatches",            ARR, 1) \
	X(mismatched_bytes,      "mismatched_bytes",      U64, 0) \
	X(mismatches_not_listed, "mismatches_not_listed", U64, 0) \
	X(expect,                "expect",                STR, 0)

#define KESU_RECORD_HIDDEN(X) \
	X(status, "status", STR, 1) \
	X(detail, "detail", STR, 1)

#define KESU_RECORD_BAD_SECTORS(X) \
	X(write, "write", U64, 1) \
	X(read,  "read",  U64, 1)

#define KESU_RECORD_TIME(X) \
	X(source,         "source",         STR, 1) \
	X(offset_ms,      "offset_ms",      INT, 0) \
	X(detail,         "detail",         STR, 0) \
	X(ntp_server,     "ntp_server",     STR, 0) \
	X(image_built_at, "image_built_at", STR, 0) \
	X(set_at,         "set_at",         STR, 0) \
	X(synchronized,   "synchronized",   STR, 0)

/* "secrets": in the station's own record only, never in a certificate. */
#define KESU_RECORD_SECRET_FIELDS(X) \
	X(ata_user_password, "ata_user_password", STR, 0)

/* The elements of the arrays the readers go through. */
#define KESU_RECORD_POINT(X) \
	X(t_ms,  "t_ms",  U64, 1) \
	X(bytes, "bytes", U64, 1)

#define KESU_RECORD_BAD_RANGE(X) \
	X(first_lba, "first_lba", U64, 1) \
	X(sectors,   "sectors",   U64, 1) \
	X(op,        "op",        STR, 1)

#define KESU_RECORD_INTERRUPTION(X) \
	X(at,     "at",     STR, 1) \
	X(offset, "offset", U64, 1) \
	X(reason, "reason", STR, 1)

#endif
