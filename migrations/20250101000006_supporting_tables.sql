-- Supporting tables: keys (configuration values and secrets), notifications and artifacts.

-- ---------------------------------------------------------------------------------------------
-- key
-- ---------------------------------------------------------------------------------------------

CREATE TABLE attune.key (
    id BIGSERIAL PRIMARY KEY,
    ref TEXT NOT NULL UNIQUE,
    owner_type attune.owner_type_enum NOT NULL,
    owner TEXT,
    owner_identity BIGINT REFERENCES attune.identity (id),
    owner_pack BIGINT REFERENCES attune.pack (id),
    owner_pack_ref TEXT,
    owner_action BIGINT REFERENCES attune.action (id) ON DELETE CASCADE,
    owner_action_ref TEXT,
    owner_sensor BIGINT REFERENCES attune.sensor (id) ON DELETE CASCADE,
    owner_sensor_ref TEXT,
    name TEXT NOT NULL,
    encrypted BOOLEAN NOT NULL,
    encryption_key_hash TEXT,
    value TEXT NOT NULL,
    created TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated TIMESTAMPTZ NOT NULL DEFAULT now(),
    CONSTRAINT key_ref_lowercase CHECK (ref = lower(ref)),
    CONSTRAINT key_ref_format CHECK (ref ~ '^([^.]+\.)?[^.]+$')
);

-- owner is derived by validate_key_owner, so this means "name unique per owner".
CREATE UNIQUE INDEX idx_key_unique ON attune.key (owner_type, owner, name);
CREATE INDEX idx_key_ref ON attune.key (ref);
CREATE INDEX idx_key_owner_type ON attune.key (owner_type);
CREATE INDEX idx_key_owner_identity ON attune.key (owner_identity);
CREATE INDEX idx_key_owner_pack ON attune.key (owner_pack);
CREATE INDEX idx_key_owner_action ON attune.key (owner_action);
CREATE INDEX idx_key_owner_sensor ON attune.key (owner_sensor);
CREATE INDEX idx_key_created ON attune.key (created DESC);
CREATE INDEX idx_key_owner_type_owner ON attune.key (owner_type, owner);
CREATE INDEX idx_key_owner_identity_name ON attune.key (owner_identity, name);
CREATE INDEX idx_key_owner_pack_name ON attune.key (owner_pack, name);

-- Exactly the owner column matching owner_type must be set (none for system); owner is then
-- recomputed from it on every write, ignoring any client value.
CREATE FUNCTION attune.validate_key_owner()
RETURNS trigger
LANGUAGE plpgsql
SET search_path = attune, pg_temp
AS $$
DECLARE
    owner_count INTEGER := num_nonnulls(
        NEW.owner_identity, NEW.owner_pack, NEW.owner_action, NEW.owner_sensor
    );
BEGIN
    IF NEW.owner_type = 'system' THEN
        IF owner_count > 0 THEN
            RAISE EXCEPTION 'System owner cannot have specific owner fields set';
        END IF;
        NEW.owner := 'system';
        RETURN NEW;
    END IF;

    IF owner_count <> 1 THEN
        RAISE EXCEPTION 'Exactly one owner field must be set for owner_type %', NEW.owner_type;
    END IF;

    NEW.owner := CASE NEW.owner_type
        WHEN 'identity' THEN NEW.owner_identity
        WHEN 'pack' THEN NEW.owner_pack
        WHEN 'action' THEN NEW.owner_action
        WHEN 'sensor' THEN NEW.owner_sensor
    END::TEXT;
    IF NEW.owner IS NULL THEN
        RAISE EXCEPTION 'owner_% must be set for owner_type %', NEW.owner_type, NEW.owner_type;
    END IF;
    RETURN NEW;
END
$$;

COMMENT ON FUNCTION attune.validate_key_owner() IS
    'Checks that the owner column matching owner_type is the only one set; derives owner';

CREATE TRIGGER validate_key_owner_trigger
    BEFORE INSERT OR UPDATE ON attune.key
    FOR EACH ROW EXECUTE FUNCTION attune.validate_key_owner();

CREATE TRIGGER update_key_updated
    BEFORE UPDATE ON attune.key
    FOR EACH ROW EXECUTE FUNCTION attune.update_updated_column();

COMMENT ON TABLE attune.key IS 'Configuration values and secrets, scoped to an owner';
COMMENT ON COLUMN attune.key.owner IS 'Derived by validate_key_owner: the owner id as text, or system';

-- ---------------------------------------------------------------------------------------------
-- notification
-- ---------------------------------------------------------------------------------------------

-- Each insert is announced on the channel named by the row (trigger in
-- 20250101000008_notify_triggers).
CREATE TABLE attune.notification (
    id BIGSERIAL PRIMARY KEY,
    channel TEXT NOT NULL,
    entity_type TEXT NOT NULL,
    entity TEXT NOT NULL,
    activity TEXT NOT NULL,
    state attune.notification_status_enum NOT NULL DEFAULT 'created',
    content JSONB,
    created TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated TIMESTAMPTZ NOT NULL DEFAULT now()
);

CREATE INDEX idx_notification_channel ON attune.notification (channel);
CREATE INDEX idx_notification_entity_type ON attune.notification (entity_type);
CREATE INDEX idx_notification_entity ON attune.notification (entity);
CREATE INDEX idx_notification_state ON attune.notification (state);
CREATE INDEX idx_notification_created ON attune.notification (created DESC);
CREATE INDEX idx_notification_channel_state ON attune.notification (channel, state);
CREATE INDEX idx_notification_entity_type_entity ON attune.notification (entity_type, entity);
CREATE INDEX idx_notification_state_created ON attune.notification (state, created DESC);
CREATE INDEX idx_notification_content_gin ON attune.notification USING gin (content);

CREATE TRIGGER update_notification_updated
    BEFORE UPDATE ON attune.notification
    FOR EACH ROW EXECUTE FUNCTION attune.update_updated_column();

COMMENT ON TABLE attune.notification IS 'System notifications, also sent through LISTEN/NOTIFY';

-- ---------------------------------------------------------------------------------------------
-- artifact
-- ---------------------------------------------------------------------------------------------

CREATE TABLE attune.artifact (
    id BIGSERIAL PRIMARY KEY,
    ref TEXT NOT NULL,
    scope attune.owner_type_enum NOT NULL DEFAULT 'system',
    owner TEXT NOT NULL DEFAULT '',
    type attune.artifact_type_enum NOT NULL,
    retention_policy attune.artifact_retention_enum NOT NULL DEFAULT 'versions',
    retention_limit INTEGER NOT NULL DEFAULT 1,
    created TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated TIMESTAMPTZ NOT NULL DEFAULT now()
);

CREATE INDEX idx_artifact_ref ON attune.artifact (ref);
CREATE INDEX idx_artifact_scope ON attune.artifact (scope);
CREATE INDEX idx_artifact_owner ON attune.artifact (owner);
CREATE INDEX idx_artifact_type ON attune.artifact (type);
CREATE INDEX idx_artifact_created ON attune.artifact (created DESC);
CREATE INDEX idx_artifact_scope_owner ON attune.artifact (scope, owner);
CREATE INDEX idx_artifact_type_created ON attune.artifact (type, created DESC);

CREATE TRIGGER update_artifact_updated
    BEFORE UPDATE ON attune.artifact
    FOR EACH ROW EXECUTE FUNCTION attune.update_updated_column();

COMMENT ON TABLE attune.artifact IS 'Files, logs and outputs produced by executions';

-- ---------------------------------------------------------------------------------------------
-- Grants
-- ---------------------------------------------------------------------------------------------

DO $$
BEGIN
    IF EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname = 'svc_attune') THEN
        GRANT SELECT, INSERT, UPDATE, DELETE
            ON attune.key, attune.notification, attune.artifact
            TO svc_attune;
        GRANT USAGE, SELECT
            ON SEQUENCE attune.key_id_seq, attune.notification_id_seq, attune.artifact_id_seq
            TO svc_attune;
    ELSE
        RAISE NOTICE 'role svc_attune does not exist: grants of the supporting tables skipped';
    END IF;
END
$$;
