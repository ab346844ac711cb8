-- Least-privilege database roles (issue 12). Two group roles (NOLOGIN), one per kind of
-- service; a deployment creates its login users in them (ARCHITECTURE.md, "Database roles"):
--
--   cityops_ingest  the consumers: read the inventory, insert and upsert the raw history and the
--                   current state of the three topics; nothing else (no users, plans, logs).
--   cityops_api     the API (and the jobs it runs): SELECT/INSERT/UPDATE/DELETE on the
--                   application's tables, no DDL (no CREATE in the schema, owns no table, so it
--                   cannot ALTER or DROP one). access_log and audit_log: INSERT and SELECT only.
--
-- The role that runs the migrations (the database owner) keeps the schema. Daily GPS partitions
-- are created (ingest) and dropped (retention, run by the API) through two SECURITY DEFINER
-- functions that do exactly that and nothing else.
--
-- access_log and audit_log are append-only for everyone, owner and superuser included: a
-- trigger refuses UPDATE, DELETE and TRUNCATE unless the transaction set cityops.retention to
-- 'on', which only core/db/retention.py does (and only the owner has DELETE on them).
--
-- Idempotent: roles are cluster-wide and may exist already (another database of the cluster,
-- a second run); without CREATEROLE the roles are left to the administrator and their grants
-- are skipped with a notice.

DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'cityops_ingest') THEN
        CREATE ROLE cityops_ingest NOLOGIN;
    END IF;
EXCEPTION
    WHEN duplicate_object OR unique_violation THEN NULL;  -- created concurrently
    WHEN insufficient_privilege THEN RAISE NOTICE 'role cityops_ingest not created: %', SQLERRM;
END $$;

DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'cityops_api') THEN
        CREATE ROLE cityops_api NOLOGIN;
    END IF;
EXCEPTION
    WHEN duplicate_object OR unique_violation THEN NULL;
    WHEN insufficient_privilege THEN RAISE NOTICE 'role cityops_api not created: %', SQLERRM;
END $$;

-- Nobody but the owner creates objects in the schema (PostgreSQL 15's default, made explicit for
-- databases created from an older template).
DO $$
BEGIN
    REVOKE CREATE ON SCHEMA public FROM PUBLIC;
EXCEPTION WHEN insufficient_privilege THEN
    RAISE NOTICE 'CREATE on schema public left as it is: %', SQLERRM;
END $$;

-- Daily partitions of the raw GPS history, for roles that own no table.
CREATE OR REPLACE FUNCTION cityops_create_day_partition(parent text, day date) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    start_at timestamptz := day::timestamp AT TIME ZONE 'UTC';
BEGIN
    IF parent IS DISTINCT FROM 'gps_fixes' OR day IS NULL THEN
        RAISE EXCEPTION 'no daily partitions of %', parent USING ERRCODE = 'invalid_parameter_value';
    END IF;
    EXECUTE format(
        'CREATE TABLE IF NOT EXISTS %I PARTITION OF %I FOR VALUES FROM (%L) TO (%L)',
        parent || '_' || to_char(day, 'YYYYMMDD'), parent, start_at, start_at + interval '1 day'
    );
END
$$;

CREATE OR REPLACE FUNCTION cityops_drop_day_partition(parent text, day date) RETURNS boolean
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    part text := parent || '_' || to_char(day, 'YYYYMMDD');
BEGIN
    IF parent IS DISTINCT FROM 'gps_fixes' OR day IS NULL THEN
        RAISE EXCEPTION 'no daily partitions of %', parent USING ERRCODE = 'invalid_parameter_value';
    END IF;
    IF NOT EXISTS (
        SELECT 1 FROM pg_inherits i
        JOIN pg_class c ON c.oid = i.inhrelid JOIN pg_class p ON p.oid = i.inhparent
        WHERE p.relname = parent AND c.relname = part
    ) THEN
        RETURN false;
    END IF;
    EXECUTE format('DROP TABLE %I', part);
    RETURN true;
END
$$;

REVOKE ALL ON FUNCTION cityops_create_day_partition(text, date) FROM PUBLIC;
REVOKE ALL ON FUNCTION cityops_drop_day_partition(text, date) FROM PUBLIC;

-- Append-only logs: UPDATE, DELETE and TRUNCATE only inside a retention transaction.
CREATE OR REPLACE FUNCTION cityops_append_only() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF coalesce(current_setting('cityops.retention', true), '') = 'on' THEN
        IF TG_LEVEL = 'STATEMENT' THEN
            RETURN NULL;
        END IF;
        RETURN CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END;
    END IF;
    RAISE EXCEPTION '% is append-only: % refused', TG_TABLE_NAME, TG_OP
        USING ERRCODE = 'insufficient_privilege',
              HINT = 'only the retention code (core/db/retention.py) deletes from it';
END
$$;

DROP TRIGGER IF EXISTS access_log_append_only ON access_log;
CREATE TRIGGER access_log_append_only BEFORE UPDATE OR DELETE ON access_log
    FOR EACH ROW EXECUTE FUNCTION cityops_append_only();
DROP TRIGGER IF EXISTS access_log_no_truncate ON access_log;
CREATE TRIGGER access_log_no_truncate BEFORE TRUNCATE ON access_log
    FOR EACH STATEMENT EXECUTE FUNCTION cityops_append_only();
DROP TRIGGER IF EXISTS audit_log_append_only ON audit_log;
CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log
    FOR EACH ROW EXECUTE FUNCTION cityops_append_only();
DROP TRIGGER IF EXISTS audit_log_no_truncate ON audit_log;
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
    FOR EACH STATEMENT EXECUTE FUNCTION cityops_append_only();

-- Grants, where the roles exist.
DO $$
BEGIN
    IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'cityops_api') THEN
        GRANT USAGE ON SCHEMA public TO cityops_api;
        GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO cityops_api;
        GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO cityops_api;
        REVOKE INSERT, UPDATE, DELETE ON schema_migrations FROM cityops_api;
        REVOKE UPDATE, DELETE, TRUNCATE ON access_log, audit_log FROM cityops_api;
        GRANT EXECUTE ON FUNCTION cityops_drop_day_partition(text, date) TO cityops_api;
        -- tables of later migrations (by the same migrating role) get the same DML
        ALTER DEFAULT PRIVILEGES IN SCHEMA public
            GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO cityops_api;
        ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT USAGE, SELECT ON SEQUENCES TO cityops_api;
    END IF;
    IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'cityops_ingest') THEN
        GRANT USAGE ON SCHEMA public TO cityops_ingest;
        GRANT SELECT ON bins, sites, vehicles, parking_sites, sensors, schema_migrations
            TO cityops_ingest;
        GRANT SELECT, INSERT, UPDATE ON fill_readings, gps_fixes, parking_observations,
            bin_state, vehicle_state, parking_state TO cityops_ingest;
        GRANT EXECUTE ON FUNCTION cityops_create_day_partition(text, date) TO cityops_ingest;
    END IF;
END $$;
