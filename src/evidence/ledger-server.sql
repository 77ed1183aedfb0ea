-- SPDX-License-Identifier: GPL-2.0-or-later
--
-- kesu's ledger on a PostgreSQL server: the roles and what each may do.
-- `kesu ledger init-server --db URL` creates the ledger's tables and then
-- runs this file (it is built into kesu and installed as
-- share/kesu/ledger-server.sql for review or for psql). Run it as the
-- database's owner; it can be run again.
--
--   kesu_station  a wiping station: reads the ledger; writes only through
--                 kesu_link_cert, kesu_media_erased and kesu_append_event,
--                 which check what they receive
--   kesu_manager  the office: every change kesu makes (media, work, roster,
--                 plans, seals); events still only through kesu_append_event
--   kesu_officer  the client's officer (主管担当): reads everything, changes nothing
--
-- Logins are members of one of them, e.g.
--   CREATE ROLE station1 LOGIN IN ROLE kesu_station;
-- and with TLS client certificates (pg_hba.conf: hostssl kesu all ... cert)
-- the certificate's CN is the login.

DO $$
BEGIN
	IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'kesu_station') THEN
		CREATE ROLE kesu_station NOLOGIN;
	END IF;
	IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'kesu_manager') THEN
		CREATE ROLE kesu_manager NOLOGIN;
	END IF;
	IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'kesu_officer') THEN
		CREATE ROLE kesu_officer NOLOGIN;
	END IF;
END
$$;

-- Nothing for anyone unless granted here.
REVOKE ALL ON ALL TABLES IN SCHEMA public FROM PUBLIC;
REVOKE ALL ON ALL FUNCTIONS IN SCHEMA public FROM PUBLIC;
REVOKE CREATE ON SCHEMA public FROM PUBLIC;
GRANT USAGE ON SCHEMA public TO kesu_station, kesu_manager, kesu_officer;

-- Everyone reads (the audit needs every table).
GRANT SELECT ON ALL TABLES IN SCHEMA public TO kesu_station, kesu_manager, kesu_officer;
GRANT EXECUTE ON FUNCTION instr(text, text) TO kesu_station, kesu_manager, kesu_officer;

-- The office changes the tables kesu changes; never the events directly, never
-- an UPDATE or DELETE of seals, certificates or the identity.
GRANT INSERT, UPDATE ON media, work, staff TO kesu_manager;
GRANT INSERT ON plans, seals TO kesu_manager;
GRANT EXECUTE ON FUNCTION kesu_append_event(bigint, text, text, text, text, text, text, text,
	text, text) TO kesu_station, kesu_manager;
GRANT EXECUTE ON FUNCTION kesu_link_cert(text, text, text, text, text, text, text, text)
	TO kesu_station, kesu_manager;
GRANT EXECUTE ON FUNCTION kesu_media_erased(text) TO kesu_station, kesu_manager;
