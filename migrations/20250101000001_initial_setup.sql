-- Initial setup: schema, extensions, roles, enum types and the shared timestamp trigger function.
--
-- Conventions for every file in this directory:
--   * every object is schema-qualified, so a file works on a fresh connection whatever its
--     search_path, inside or outside a transaction;
--   * every function pins its search_path (attune first, pg_temp last) so callers cannot
--     redirect the tables it reads;
--   * no data: tables are empty after migrating (packs are loaded by the pack loader).

CREATE SCHEMA IF NOT EXISTS attune;

-- pgcrypto supplies gen_random_bytes for the webhook key and secret generators; uuid-ossp is kept
-- for services that expect it. When an extension already exists in another schema these
-- statements do nothing; 20250101000007_webhook_system pins the generators' search_path to
-- wherever pgcrypto actually lives.
CREATE EXTENSION IF NOT EXISTS "uuid-ossp" WITH SCHEMA attune;
CREATE EXTENSION IF NOT EXISTS pgcrypto WITH SCHEMA attune;

-- Roles are cluster-wide and may already exist. Creating them needs CREATEROLE; without it the
-- migration goes on and the grants in later files are skipped with a notice.
DO $$
DECLARE
    can_create boolean := (
        SELECT rolsuper OR rolcreaterole FROM pg_catalog.pg_roles WHERE rolname = current_user
    );
    wanted record;
BEGIN
    FOR wanted IN
        SELECT * FROM (VALUES ('svc_attune', 'LOGIN'), ('attune_api', 'NOLOGIN')) AS r (name, login)
    LOOP
        CONTINUE WHEN EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname = wanted.name);
        IF NOT can_create THEN
            RAISE NOTICE 'role % does not exist and % lacks CREATEROLE: not created, its grants are skipped',
                wanted.name, current_user;
            CONTINUE;
        END IF;
        BEGIN
            EXECUTE format('CREATE ROLE %I %s', wanted.name, wanted.login);
        EXCEPTION WHEN duplicate_object THEN
            NULL;  -- created meanwhile by a concurrent migration of another database
        END;
    END LOOP;
END
$$;

-- Table grants are useless without USAGE on the schema.
DO $$
DECLARE
    grantee text;
BEGIN
    FOREACH grantee IN ARRAY ARRAY['svc_attune', 'attune_api'] LOOP
        IF EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname = grantee) THEN
            EXECUTE format('GRANT USAGE ON SCHEMA attune TO %I', grantee);
        ELSE
            RAISE NOTICE 'role % does not exist: USAGE on schema attune not granted', grantee;
        END IF;
    END LOOP;
END
$$;

-- ---------------------------------------------------------------------------------------------
-- Enum types
-- ---------------------------------------------------------------------------------------------

CREATE TYPE attune.worker_type_enum AS ENUM ('local', 'remote', 'container');
CREATE TYPE attune.worker_status_enum AS ENUM ('active', 'inactive', 'busy', 'error');
CREATE TYPE attune.worker_role_enum AS ENUM ('action', 'sensor', 'hybrid');
CREATE TYPE attune.enforcement_status_enum AS ENUM ('created', 'processed', 'disabled');
CREATE TYPE attune.enforcement_condition_enum AS ENUM ('any', 'all');
CREATE TYPE attune.execution_status_enum AS ENUM (
    'requested', 'scheduling', 'scheduled', 'running', 'completed',
    'failed', 'canceling', 'cancelled', 'timeout', 'abandoned'
);
CREATE TYPE attune.inquiry_status_enum AS ENUM ('pending', 'responded', 'timeout', 'cancelled');
CREATE TYPE attune.policy_method_enum AS ENUM ('cancel', 'enqueue');
CREATE TYPE attune.owner_type_enum AS ENUM ('system', 'identity', 'pack', 'action', 'sensor');
CREATE TYPE attune.notification_status_enum AS ENUM ('created', 'queued', 'processing', 'error');
CREATE TYPE attune.artifact_type_enum AS ENUM (
    'file_binary', 'file_datatable', 'file_image', 'file_text', 'other', 'progress', 'url'
);
CREATE TYPE attune.artifact_retention_enum AS ENUM ('versions', 'days', 'hours', 'minutes');
CREATE TYPE attune.pack_environment_status_enum AS ENUM (
    'pending', 'installing', 'ready', 'failed', 'outdated'
);

-- ---------------------------------------------------------------------------------------------
-- Shared trigger function
-- ---------------------------------------------------------------------------------------------

-- BEFORE UPDATE: the row's "updated" is always the transaction time, whatever the client sent.
CREATE FUNCTION attune.update_updated_column()
RETURNS trigger
LANGUAGE plpgsql
SET search_path = attune, pg_temp
AS $$
BEGIN
    NEW.updated := now();
    RETURN NEW;
END
$$;

COMMENT ON FUNCTION attune.update_updated_column() IS
    'BEFORE UPDATE trigger function: sets updated to now(), overriding any client value';
