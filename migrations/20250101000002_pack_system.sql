-- Pack system: packs, runtimes, per-pack runtime environments, workflow definitions, actions
-- and workers.

-- ---------------------------------------------------------------------------------------------
-- pack
-- ---------------------------------------------------------------------------------------------

CREATE TABLE attune.pack (
    id BIGSERIAL PRIMARY KEY,
    ref TEXT NOT NULL UNIQUE,
    label TEXT NOT NULL,
    description TEXT,
    version TEXT NOT NULL,
    conf_schema JSONB NOT NULL DEFAULT '{}'::jsonb,
    config JSONB NOT NULL DEFAULT '{}'::jsonb,
    meta JSONB NOT NULL DEFAULT '{}'::jsonb,
    tags TEXT[] NOT NULL DEFAULT ARRAY[]::TEXT[],
    runtime_deps TEXT[] NOT NULL DEFAULT ARRAY[]::TEXT[],
    is_standard BOOLEAN NOT NULL DEFAULT false,
    -- Nullable with an empty-array default, exactly like runtime.installers.
    installers JSONB DEFAULT '[]'::jsonb,
    created TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated TIMESTAMPTZ NOT NULL DEFAULT now(),
    CONSTRAINT pack_ref_lowercase CHECK (ref = lower(ref)),
    CONSTRAINT pack_ref_format CHECK (ref ~ '^[a-z][a-z0-9_-]+$'),
    CONSTRAINT pack_version_semver CHECK (
        version ~ '^\d+\.\d+\.\d+(-[0-9A-Za-z-]+(\.[0-9A-Za-z-]+)*)?(\+[0-9A-Za-z-]+(\.[0-9A-Za-z-]+)*)?$'
    )
);

CREATE INDEX idx_pack_ref ON attune.pack (ref);
CREATE INDEX idx_pack_created ON attune.pack (created DESC);
CREATE INDEX idx_pack_is_standard ON attune.pack (is_standard) WHERE is_standard = true;
CREATE INDEX idx_pack_is_standard_created ON attune.pack (is_standard, created DESC);
CREATE INDEX idx_pack_version_created ON attune.pack (version, created DESC);
CREATE INDEX idx_pack_config_gin ON attune.pack USING gin (config);
CREATE INDEX idx_pack_meta_gin ON attune.pack USING gin (meta);
CREATE INDEX idx_pack_tags_gin ON attune.pack USING gin (tags);
CREATE INDEX idx_pack_runtime_deps_gin ON attune.pack USING gin (runtime_deps);

CREATE TRIGGER update_pack_updated
    BEFORE UPDATE ON attune.pack
    FOR EACH ROW EXECUTE FUNCTION attune.update_updated_column();

COMMENT ON TABLE attune.pack IS 'Installable bundles of runtimes, triggers, sensors, actions and rules';
COMMENT ON COLUMN attune.pack.installers IS 'Pack-level installer steps (JSON), like runtime.installers';

-- ---------------------------------------------------------------------------------------------
-- runtime
-- ---------------------------------------------------------------------------------------------

-- No CHECK on ref: the chain dropped both of its runtime checks and never recreated them.
CREATE TABLE attune.runtime (
    id BIGSERIAL PRIMARY KEY,
    ref TEXT NOT NULL UNIQUE,
    pack BIGINT REFERENCES attune.pack (id) ON DELETE CASCADE,
    pack_ref TEXT,
    description TEXT,
    name TEXT NOT NULL,
    distributions JSONB NOT NULL,
    installation JSONB,
    installers JSONB DEFAULT '[]'::jsonb,
    created TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated TIMESTAMPTZ NOT NULL DEFAULT now()
);

CREATE INDEX idx_runtime_ref ON attune.runtime (ref);
CREATE INDEX idx_runtime_pack ON attune.runtime (pack);
CREATE INDEX idx_runtime_created ON attune.runtime (created DESC);
CREATE INDEX idx_runtime_name ON attune.runtime (name);
CREATE INDEX idx_runtime_verification ON attune.runtime USING gin ((distributions -> 'verification'));

CREATE TRIGGER update_runtime_updated
    BEFORE UPDATE ON attune.runtime
    FOR EACH ROW EXECUTE FUNCTION attune.update_updated_column();

COMMENT ON TABLE attune.runtime IS 'Execution environments (python, nodejs, shell, native, ...)';
COMMENT ON COLUMN attune.runtime.installers IS
    'Environment set-up: base_path_template, installers, executable_templates, requires_environment';

-- ---------------------------------------------------------------------------------------------
-- pack_environment
-- ---------------------------------------------------------------------------------------------

CREATE TABLE attune.pack_environment (
    id BIGSERIAL PRIMARY KEY,
    pack BIGINT NOT NULL REFERENCES attune.pack (id) ON DELETE CASCADE,
    pack_ref TEXT NOT NULL,
    runtime BIGINT NOT NULL REFERENCES attune.runtime (id) ON DELETE CASCADE,
    runtime_ref TEXT NOT NULL,
    env_path TEXT NOT NULL,
    status attune.pack_environment_status_enum NOT NULL DEFAULT 'pending',
    installed_at TIMESTAMPTZ,
    last_verified TIMESTAMPTZ,
    install_log TEXT,
    install_error TEXT,
    metadata JSONB DEFAULT '{}'::jsonb,
    created TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated TIMESTAMPTZ NOT NULL DEFAULT now(),
    UNIQUE (pack, runtime)
);

CREATE INDEX idx_pack_environment_pack ON attune.pack_environment (pack);
CREATE INDEX idx_pack_environment_runtime ON attune.pack_environment (runtime);
CREATE INDEX idx_pack_environment_status ON attune.pack_environment (status);
CREATE INDEX idx_pack_environment_pack_ref ON attune.pack_environment (pack_ref);
CREATE INDEX idx_pack_environment_runtime_ref ON attune.pack_environment (runtime_ref);
CREATE INDEX idx_pack_environment_pack_runtime ON attune.pack_environment (pack, runtime);

CREATE TRIGGER update_pack_environment_updated
    BEFORE UPDATE ON attune.pack_environment
    FOR EACH ROW EXECUTE FUNCTION attune.update_updated_column();

COMMENT ON TABLE attune.pack_environment IS 'Isolated dependency environment of a pack for one runtime';

-- Path of a pack's environment for a runtime, from the runtime's base_path_template.
-- STABLE, not IMMUTABLE: it reads attune.runtime, so its result can change between statements.
CREATE FUNCTION attune.get_pack_environment_path(p_pack_ref TEXT, p_runtime_ref TEXT)
RETURNS TEXT
LANGUAGE plpgsql
STABLE
SET search_path = attune, pg_temp
AS $$
DECLARE
    v_name_lower TEXT;
    v_template TEXT;
BEGIN
    SELECT lower(r.name), r.installers ->> 'base_path_template'
      INTO v_name_lower, v_template
      FROM runtime r
     WHERE r.ref = p_runtime_ref;

    v_template := coalesce(v_template, '/opt/attune/packenvs/{pack_ref}/{runtime_name_lower}');
    -- An unknown runtime leaves v_name_lower NULL, which makes the whole result NULL.
    RETURN replace(replace(replace(v_template,
        '{pack_ref}', p_pack_ref),
        '{runtime_ref}', p_runtime_ref),
        '{runtime_name_lower}', v_name_lower);
END
$$;

COMMENT ON FUNCTION attune.get_pack_environment_path(TEXT, TEXT) IS
    'Environment path of a pack for a runtime; NULL for an unknown runtime';

-- Whether a runtime needs a per-pack environment: installers.requires_environment, default true;
-- false for an unknown runtime.
CREATE FUNCTION attune.runtime_requires_environment(p_runtime_ref TEXT)
RETURNS BOOLEAN
LANGUAGE plpgsql
STABLE
SET search_path = attune, pg_temp
AS $$
DECLARE
    v_installers JSONB;
BEGIN
    SELECT r.installers INTO v_installers FROM runtime r WHERE r.ref = p_runtime_ref;
    IF NOT FOUND THEN
        RETURN false;
    END IF;
    RETURN coalesce((v_installers ->> 'requires_environment')::boolean, true);
END
$$;

COMMENT ON FUNCTION attune.runtime_requires_environment(TEXT) IS
    'installers.requires_environment of a runtime (default true); false for an unknown runtime';

CREATE VIEW attune.v_pack_environment_status AS
SELECT
    pe.id,
    pe.pack,
    p.ref AS pack_ref,
    p.label AS pack_name,
    pe.runtime,
    r.ref AS runtime_ref,
    r.name AS runtime_name,
    pe.env_path,
    pe.status,
    pe.installed_at,
    pe.last_verified,
    CASE
        WHEN pe.status = 'ready' AND pe.last_verified < now() - INTERVAL '7 days' THEN true
        ELSE false
    END AS needs_verification,
    CASE pe.status
        WHEN 'ready' THEN 'healthy'
        WHEN 'failed' THEN 'unhealthy'
        WHEN 'pending' THEN 'provisioning'
        WHEN 'installing' THEN 'provisioning'
        WHEN 'outdated' THEN 'needs_update'
        ELSE 'unknown'
    END AS health_status,
    pe.install_error,
    pe.created,
    pe.updated
FROM attune.pack_environment pe
JOIN attune.pack p ON p.id = pe.pack
JOIN attune.runtime r ON r.id = pe.runtime;

COMMENT ON VIEW attune.v_pack_environment_status IS 'Pack environments with derived health indicators';

-- ---------------------------------------------------------------------------------------------
-- workflow_definition
-- ---------------------------------------------------------------------------------------------

CREATE TABLE attune.workflow_definition (
    id BIGSERIAL PRIMARY KEY,
    ref VARCHAR(255) NOT NULL UNIQUE,
    pack BIGINT NOT NULL REFERENCES attune.pack (id) ON DELETE CASCADE,
    pack_ref VARCHAR(255) NOT NULL,
    label VARCHAR(255) NOT NULL,
    description TEXT,
    version VARCHAR(50) NOT NULL,
    param_schema JSONB,
    out_schema JSONB,
    definition JSONB NOT NULL,
    tags TEXT[] DEFAULT '{}',
    enabled BOOLEAN NOT NULL DEFAULT true,
    created TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated TIMESTAMPTZ NOT NULL DEFAULT now()
);

CREATE INDEX idx_workflow_def_pack ON attune.workflow_definition (pack);
CREATE INDEX idx_workflow_def_enabled ON attune.workflow_definition (enabled);
CREATE INDEX idx_workflow_def_ref ON attune.workflow_definition (ref);
CREATE INDEX idx_workflow_def_tags ON attune.workflow_definition USING gin (tags);

CREATE TRIGGER update_workflow_definition_updated
    BEFORE UPDATE ON attune.workflow_definition
    FOR EACH ROW EXECUTE FUNCTION attune.update_updated_column();

COMMENT ON TABLE attune.workflow_definition IS 'Workflow graphs declared by packs';

-- ---------------------------------------------------------------------------------------------
-- action
-- ---------------------------------------------------------------------------------------------

CREATE TABLE attune.action (
    id BIGSERIAL PRIMARY KEY,
    ref TEXT NOT NULL UNIQUE,
    pack BIGINT NOT NULL REFERENCES attune.pack (id) ON DELETE CASCADE,
    pack_ref TEXT NOT NULL,
    label TEXT NOT NULL,
    description TEXT NOT NULL,
    entrypoint TEXT NOT NULL,
    runtime BIGINT REFERENCES attune.runtime (id),
    param_schema JSONB,
    out_schema JSONB,
    is_workflow BOOLEAN NOT NULL DEFAULT false,
    workflow_def BIGINT REFERENCES attune.workflow_definition (id) ON DELETE CASCADE,
    is_adhoc BOOLEAN NOT NULL DEFAULT false,
    created TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated TIMESTAMPTZ NOT NULL DEFAULT now(),
    CONSTRAINT action_ref_lowercase CHECK (ref = lower(ref)),
    CONSTRAINT action_ref_format CHECK (ref ~ '^[^.]+\.[^.]+$')
);

CREATE INDEX idx_action_ref ON attune.action (ref);
CREATE INDEX idx_action_pack ON attune.action (pack);
CREATE INDEX idx_action_runtime ON attune.action (runtime);
CREATE INDEX idx_action_created ON attune.action (created DESC);
CREATE INDEX idx_action_pack_runtime ON attune.action (pack, runtime);
CREATE INDEX idx_action_pack_created ON attune.action (pack, created DESC);
CREATE INDEX idx_action_is_workflow ON attune.action (is_workflow) WHERE is_workflow = true;
CREATE INDEX idx_action_workflow_def ON attune.action (workflow_def);
CREATE INDEX idx_action_is_adhoc ON attune.action (is_adhoc) WHERE is_adhoc = true;

CREATE TRIGGER update_action_updated
    BEFORE UPDATE ON attune.action
    FOR EACH ROW EXECUTE FUNCTION attune.update_updated_column();

COMMENT ON TABLE attune.action IS 'Executable operations declared by packs';
COMMENT ON COLUMN attune.action.is_adhoc IS 'Created by an operator, not declared by a pack';

-- ---------------------------------------------------------------------------------------------
-- worker
-- ---------------------------------------------------------------------------------------------

CREATE TABLE attune.worker (
    id BIGSERIAL PRIMARY KEY,
    name TEXT NOT NULL,
    worker_type attune.worker_type_enum NOT NULL,
    worker_role attune.worker_role_enum NOT NULL DEFAULT 'action',
    runtime BIGINT REFERENCES attune.runtime (id),
    host TEXT,
    port INTEGER,
    status attune.worker_status_enum DEFAULT 'inactive',
    capabilities JSONB,
    meta JSONB,
    last_heartbeat TIMESTAMPTZ,
    created TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated TIMESTAMPTZ NOT NULL DEFAULT now(),
    CONSTRAINT worker_port_range CHECK (port IS NULL OR (port > 0 AND port <= 65535))
);

CREATE INDEX idx_worker_name ON attune.worker (name);
CREATE INDEX idx_worker_type ON attune.worker (worker_type);
CREATE INDEX idx_worker_role ON attune.worker (worker_role);
CREATE INDEX idx_worker_runtime ON attune.worker (runtime);
CREATE INDEX idx_worker_status ON attune.worker (status);
CREATE INDEX idx_worker_last_heartbeat ON attune.worker (last_heartbeat DESC);
CREATE INDEX idx_worker_status_runtime ON attune.worker (status, runtime);
CREATE INDEX idx_worker_type_status ON attune.worker (worker_type, status);
CREATE INDEX idx_worker_role_status ON attune.worker (worker_role, status);

CREATE TRIGGER update_worker_updated
    BEFORE UPDATE ON attune.worker
    FOR EACH ROW EXECUTE FUNCTION attune.update_updated_column();

COMMENT ON TABLE attune.worker IS 'Registered workers that run actions and/or sensors';

-- ---------------------------------------------------------------------------------------------
-- Grants (pack_environment has none, as in the pre-consolidation chain)
-- ---------------------------------------------------------------------------------------------

DO $$
BEGIN
    IF EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname = 'svc_attune') THEN
        GRANT SELECT, INSERT, UPDATE, DELETE
            ON attune.pack, attune.runtime, attune.workflow_definition, attune.action, attune.worker
            TO svc_attune;
        GRANT USAGE, SELECT
            ON SEQUENCE attune.pack_id_seq, attune.runtime_id_seq, attune.workflow_definition_id_seq,
                attune.action_id_seq, attune.worker_id_seq
            TO svc_attune;
    ELSE
        RAISE NOTICE 'role svc_attune does not exist: grants of the pack system skipped';
    END IF;
END
$$;
