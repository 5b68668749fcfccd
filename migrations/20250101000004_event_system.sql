-- Event system: triggers, sensors, rules, events and enforcements.
-- The webhook columns of trigger are created here; their indexes and functions live in
-- 20250101000007_webhook_system.

-- ---------------------------------------------------------------------------------------------
-- trigger
-- ---------------------------------------------------------------------------------------------

CREATE TABLE attune.trigger (
    id BIGSERIAL PRIMARY KEY,
    ref TEXT NOT NULL UNIQUE,
    pack BIGINT REFERENCES attune.pack (id) ON DELETE CASCADE,
    pack_ref TEXT,
    label TEXT NOT NULL,
    description TEXT,
    enabled BOOLEAN NOT NULL DEFAULT true,
    param_schema JSONB,
    out_schema JSONB,
    webhook_enabled BOOLEAN NOT NULL DEFAULT false,
    webhook_key VARCHAR(64) UNIQUE,
    webhook_config JSONB DEFAULT '{}'::jsonb,
    is_adhoc BOOLEAN NOT NULL DEFAULT false,
    created TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated TIMESTAMPTZ NOT NULL DEFAULT now(),
    CONSTRAINT trigger_ref_lowercase CHECK (ref = lower(ref)),
    CONSTRAINT trigger_ref_format CHECK (ref ~ '^[^.]+\.[^.]+$')
);

CREATE INDEX idx_trigger_ref ON attune.trigger (ref);
CREATE INDEX idx_trigger_pack ON attune.trigger (pack);
CREATE INDEX idx_trigger_enabled ON attune.trigger (enabled) WHERE enabled = true;
CREATE INDEX idx_trigger_created ON attune.trigger (created DESC);
CREATE INDEX idx_trigger_pack_enabled ON attune.trigger (pack, enabled);
CREATE INDEX idx_trigger_enabled_created ON attune.trigger (enabled, created DESC)
    WHERE enabled = true;
CREATE INDEX idx_trigger_is_adhoc ON attune.trigger (is_adhoc) WHERE is_adhoc = true;

CREATE TRIGGER update_trigger_updated
    BEFORE UPDATE ON attune.trigger
    FOR EACH ROW EXECUTE FUNCTION attune.update_updated_column();

COMMENT ON TABLE attune.trigger IS 'Event types; any trigger can also be fired through a webhook';
COMMENT ON COLUMN attune.trigger.webhook_config IS
    'Webhook settings: hmac, rate_limit {enabled, requests, window_seconds}, ip_whitelist {enabled, ips}, ...';

-- ---------------------------------------------------------------------------------------------
-- sensor
-- ---------------------------------------------------------------------------------------------

CREATE TABLE attune.sensor (
    id BIGSERIAL PRIMARY KEY,
    ref TEXT NOT NULL UNIQUE,
    pack BIGINT REFERENCES attune.pack (id) ON DELETE CASCADE,
    pack_ref TEXT,
    label TEXT NOT NULL,
    description TEXT NOT NULL,
    entrypoint TEXT NOT NULL,
    runtime BIGINT NOT NULL REFERENCES attune.runtime (id) ON DELETE CASCADE,
    runtime_ref TEXT NOT NULL,
    trigger BIGINT NOT NULL REFERENCES attune.trigger (id) ON DELETE CASCADE,
    trigger_ref TEXT NOT NULL,
    enabled BOOLEAN NOT NULL,
    param_schema JSONB,
    config JSONB,
    is_adhoc BOOLEAN NOT NULL DEFAULT false,
    created TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated TIMESTAMPTZ NOT NULL DEFAULT now(),
    CONSTRAINT sensor_ref_lowercase CHECK (ref = lower(ref)),
    CONSTRAINT sensor_ref_format CHECK (ref ~ '^[^.]+\.[^.]+$')
);

CREATE INDEX idx_sensor_ref ON attune.sensor (ref);
CREATE INDEX idx_sensor_pack ON attune.sensor (pack);
CREATE INDEX idx_sensor_runtime ON attune.sensor (runtime);
CREATE INDEX idx_sensor_trigger ON attune.sensor (trigger);
CREATE INDEX idx_sensor_enabled ON attune.sensor (enabled) WHERE enabled = true;
CREATE INDEX idx_sensor_created ON attune.sensor (created DESC);
CREATE INDEX idx_sensor_trigger_enabled ON attune.sensor (trigger, enabled);
CREATE INDEX idx_sensor_pack_enabled ON attune.sensor (pack, enabled);
CREATE INDEX idx_sensor_runtime_enabled ON attune.sensor (runtime, enabled);
CREATE INDEX idx_sensor_config ON attune.sensor USING gin (config);
CREATE INDEX idx_sensor_is_adhoc ON attune.sensor (is_adhoc) WHERE is_adhoc = true;

CREATE TRIGGER update_sensor_updated
    BEFORE UPDATE ON attune.sensor
    FOR EACH ROW EXECUTE FUNCTION attune.update_updated_column();

COMMENT ON TABLE attune.sensor IS 'Monitors that emit events for a trigger';
COMMENT ON COLUMN attune.sensor.is_adhoc IS 'Created by an operator, not declared by a pack';

-- ---------------------------------------------------------------------------------------------
-- rule
-- ---------------------------------------------------------------------------------------------

CREATE TABLE attune.rule (
    id BIGSERIAL PRIMARY KEY,
    ref TEXT NOT NULL UNIQUE,
    pack BIGINT NOT NULL REFERENCES attune.pack (id) ON DELETE CASCADE,
    pack_ref TEXT NOT NULL,
    label TEXT NOT NULL,
    description TEXT NOT NULL,
    action BIGINT NOT NULL REFERENCES attune.action (id),
    action_ref TEXT NOT NULL,
    trigger BIGINT NOT NULL REFERENCES attune.trigger (id),
    trigger_ref TEXT NOT NULL,
    conditions JSONB NOT NULL DEFAULT '[]'::jsonb,
    action_params JSONB DEFAULT '{}'::jsonb,
    trigger_params JSONB DEFAULT '{}'::jsonb,
    enabled BOOLEAN NOT NULL,
    is_adhoc BOOLEAN NOT NULL DEFAULT false,
    created TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated TIMESTAMPTZ NOT NULL DEFAULT now(),
    CONSTRAINT rule_ref_lowercase CHECK (ref = lower(ref)),
    CONSTRAINT rule_ref_format CHECK (ref ~ '^[^.]+\.[^.]+$')
);

CREATE INDEX idx_rule_ref ON attune.rule (ref);
CREATE INDEX idx_rule_pack ON attune.rule (pack);
CREATE INDEX idx_rule_action ON attune.rule (action);
CREATE INDEX idx_rule_trigger ON attune.rule (trigger);
CREATE INDEX idx_rule_enabled ON attune.rule (enabled) WHERE enabled = true;
CREATE INDEX idx_rule_created ON attune.rule (created DESC);
CREATE INDEX idx_rule_trigger_enabled ON attune.rule (trigger, enabled);
CREATE INDEX idx_rule_action_enabled ON attune.rule (action, enabled);
CREATE INDEX idx_rule_pack_enabled ON attune.rule (pack, enabled);
CREATE INDEX idx_rule_action_params_gin ON attune.rule USING gin (action_params);
CREATE INDEX idx_rule_trigger_params_gin ON attune.rule USING gin (trigger_params);
CREATE INDEX idx_rule_is_adhoc ON attune.rule (is_adhoc) WHERE is_adhoc = true;

CREATE TRIGGER update_rule_updated
    BEFORE UPDATE ON attune.rule
    FOR EACH ROW EXECUTE FUNCTION attune.update_updated_column();

COMMENT ON TABLE attune.rule IS 'Links a trigger to an action, with conditions and parameters';

-- ---------------------------------------------------------------------------------------------
-- event
-- ---------------------------------------------------------------------------------------------

CREATE TABLE attune.event (
    id BIGSERIAL PRIMARY KEY,
    trigger BIGINT REFERENCES attune.trigger (id) ON DELETE SET NULL,
    trigger_ref TEXT NOT NULL,
    config JSONB,
    payload JSONB,
    source BIGINT REFERENCES attune.sensor (id),
    source_ref TEXT,
    rule BIGINT REFERENCES attune.rule (id) ON DELETE SET NULL,
    rule_ref TEXT,
    created TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated TIMESTAMPTZ NOT NULL DEFAULT now()
);

CREATE INDEX idx_event_trigger ON attune.event (trigger);
CREATE INDEX idx_event_trigger_ref ON attune.event (trigger_ref);
CREATE INDEX idx_event_source ON attune.event (source);
CREATE INDEX idx_event_created ON attune.event (created DESC);
CREATE INDEX idx_event_trigger_created ON attune.event (trigger, created DESC);
CREATE INDEX idx_event_trigger_ref_created ON attune.event (trigger_ref, created DESC);
CREATE INDEX idx_event_source_created ON attune.event (source, created DESC);
CREATE INDEX idx_event_payload_gin ON attune.event USING gin (payload);
CREATE INDEX idx_event_rule ON attune.event (rule);
CREATE INDEX idx_event_rule_ref ON attune.event (rule_ref);
CREATE INDEX idx_event_rule_created ON attune.event (rule, created DESC);
CREATE INDEX idx_event_trigger_rule ON attune.event (trigger, rule);

CREATE TRIGGER update_event_updated
    BEFORE UPDATE ON attune.event
    FOR EACH ROW EXECUTE FUNCTION attune.update_updated_column();

COMMENT ON TABLE attune.event IS 'Occurrences of a trigger, emitted by a sensor or a webhook';

-- ---------------------------------------------------------------------------------------------
-- enforcement
-- ---------------------------------------------------------------------------------------------

CREATE TABLE attune.enforcement (
    id BIGSERIAL PRIMARY KEY,
    rule BIGINT REFERENCES attune.rule (id) ON DELETE SET NULL,
    rule_ref TEXT NOT NULL,
    trigger_ref TEXT NOT NULL,
    config JSONB,
    event BIGINT REFERENCES attune.event (id) ON DELETE SET NULL,
    status attune.enforcement_status_enum NOT NULL DEFAULT 'created',
    payload JSONB NOT NULL,
    -- Redundant with the enum type, kept because the pre-consolidation schema has it.
    condition attune.enforcement_condition_enum NOT NULL DEFAULT 'all'
        CHECK (condition IN ('any', 'all')),
    conditions JSONB NOT NULL DEFAULT '[]'::jsonb,
    created TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated TIMESTAMPTZ NOT NULL DEFAULT now()
);

CREATE INDEX idx_enforcement_rule ON attune.enforcement (rule);
CREATE INDEX idx_enforcement_rule_ref ON attune.enforcement (rule_ref);
CREATE INDEX idx_enforcement_trigger_ref ON attune.enforcement (trigger_ref);
CREATE INDEX idx_enforcement_event ON attune.enforcement (event);
CREATE INDEX idx_enforcement_status ON attune.enforcement (status);
CREATE INDEX idx_enforcement_created ON attune.enforcement (created DESC);
CREATE INDEX idx_enforcement_status_created ON attune.enforcement (status, created DESC);
CREATE INDEX idx_enforcement_rule_status ON attune.enforcement (rule, status);
CREATE INDEX idx_enforcement_event_status ON attune.enforcement (event, status);
CREATE INDEX idx_enforcement_payload_gin ON attune.enforcement USING gin (payload);
CREATE INDEX idx_enforcement_conditions_gin ON attune.enforcement USING gin (conditions);

CREATE TRIGGER update_enforcement_updated
    BEFORE UPDATE ON attune.enforcement
    FOR EACH ROW EXECUTE FUNCTION attune.update_updated_column();

COMMENT ON TABLE attune.enforcement IS 'A rule activated by an event';

-- ---------------------------------------------------------------------------------------------
-- Grants
-- ---------------------------------------------------------------------------------------------

DO $$
BEGIN
    IF EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname = 'svc_attune') THEN
        GRANT SELECT, INSERT, UPDATE, DELETE
            ON attune.trigger, attune.sensor, attune.rule, attune.event, attune.enforcement
            TO svc_attune;
        GRANT USAGE, SELECT
            ON SEQUENCE attune.trigger_id_seq, attune.sensor_id_seq, attune.rule_id_seq,
                attune.event_id_seq, attune.enforcement_id_seq
            TO svc_attune;
    ELSE
        RAISE NOTICE 'role svc_attune does not exist: grants of the event system skipped';
    END IF;
END
$$;
