-- Webhook system: indexes on the webhook columns of trigger and event, the webhook request log,
-- rate-limit buckets, key/secret generators, management and checking functions, and the
-- webhook_stats view. Webhook settings live in trigger.webhook_config:
--   {"rate_limit": {"enabled", "requests", "window_seconds"}, "ip_whitelist": {"enabled", "ips"}, ...}

CREATE INDEX idx_trigger_webhook_key ON attune.trigger (webhook_key) WHERE webhook_key IS NOT NULL;
CREATE INDEX idx_trigger_webhook_config ON attune.trigger USING gin (webhook_config)
    WHERE webhook_config IS NOT NULL AND webhook_config <> '{}'::jsonb;

CREATE INDEX idx_event_webhook_key ON attune.event ((config ->> 'webhook_key'))
    WHERE (config ->> 'webhook_key') IS NOT NULL;
CREATE INDEX idx_event_webhook_source ON attune.event ((config ->> 'source'))
    WHERE (config ->> 'source') = 'webhook';

-- ---------------------------------------------------------------------------------------------
-- webhook_event_log
-- ---------------------------------------------------------------------------------------------

CREATE TABLE attune.webhook_event_log (
    id BIGSERIAL PRIMARY KEY,
    trigger_id BIGINT NOT NULL REFERENCES attune.trigger (id) ON DELETE CASCADE,
    trigger_ref VARCHAR(255) NOT NULL,
    webhook_key VARCHAR(64) NOT NULL,
    event_id BIGINT REFERENCES attune.event (id) ON DELETE SET NULL,
    source_ip INET,
    user_agent TEXT,
    payload_size_bytes INTEGER,
    headers JSONB,
    status_code INTEGER NOT NULL,
    error_message TEXT,
    processing_time_ms INTEGER,
    hmac_verified BOOLEAN,
    rate_limited BOOLEAN DEFAULT false,
    ip_allowed BOOLEAN,
    created TIMESTAMPTZ NOT NULL DEFAULT now()
);

CREATE INDEX idx_webhook_event_log_trigger_id ON attune.webhook_event_log (trigger_id);
CREATE INDEX idx_webhook_event_log_webhook_key ON attune.webhook_event_log (webhook_key);
CREATE INDEX idx_webhook_event_log_created ON attune.webhook_event_log (created DESC);
CREATE INDEX idx_webhook_event_log_status ON attune.webhook_event_log (status_code);
CREATE INDEX idx_webhook_event_log_source_ip ON attune.webhook_event_log (source_ip);

COMMENT ON TABLE attune.webhook_event_log IS 'One row per webhook request received';

-- ---------------------------------------------------------------------------------------------
-- webhook_rate_limit
-- ---------------------------------------------------------------------------------------------

-- updated is set by check_webhook_rate_limit itself, hence no update trigger.
CREATE TABLE attune.webhook_rate_limit (
    id BIGSERIAL PRIMARY KEY,
    webhook_key VARCHAR(64) NOT NULL,
    window_start TIMESTAMPTZ NOT NULL,
    request_count INTEGER NOT NULL DEFAULT 1,
    created TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated TIMESTAMPTZ NOT NULL DEFAULT now(),
    UNIQUE (webhook_key, window_start)
);

CREATE INDEX idx_webhook_rate_limit_key ON attune.webhook_rate_limit (webhook_key);
CREATE INDEX idx_webhook_rate_limit_window ON attune.webhook_rate_limit (window_start DESC);

COMMENT ON TABLE attune.webhook_rate_limit IS 'Request counters per webhook key and time bucket';

-- ---------------------------------------------------------------------------------------------
-- Key and secret generators
-- ---------------------------------------------------------------------------------------------

-- 'wh_' followed by exactly 32 characters of [a-z0-9], unique among trigger.webhook_key.
-- Each character comes from one random byte; bytes >= 252 are skipped so that all 36
-- characters are equally likely (252 = 7 * 36).
CREATE FUNCTION attune.generate_webhook_key()
RETURNS VARCHAR(64)
LANGUAGE plpgsql
SET search_path = attune, pg_temp
AS $$
DECLARE
    alphabet CONSTANT TEXT := 'abcdefghijklmnopqrstuvwxyz0123456789';
    max_attempts CONSTANT INTEGER := 10;
    candidate TEXT;
    random_bytes BYTEA;
    byte INTEGER;
BEGIN
    FOR attempt IN 1..max_attempts LOOP
        candidate := 'wh_';
        WHILE length(candidate) < 35 LOOP
            random_bytes := gen_random_bytes(32);
            FOR i IN 0..31 LOOP
                byte := get_byte(random_bytes, i);
                IF byte < 252 AND length(candidate) < 35 THEN
                    candidate := candidate || substr(alphabet, byte % 36 + 1, 1);
                END IF;
            END LOOP;
        END LOOP;

        IF NOT EXISTS (SELECT FROM trigger t WHERE t.webhook_key = candidate) THEN
            RETURN candidate;
        END IF;
    END LOOP;
    RAISE EXCEPTION 'Failed to generate unique webhook key after % attempts', max_attempts;
END
$$;

COMMENT ON FUNCTION attune.generate_webhook_key() IS
    'Unique webhook key: wh_ followed by 32 characters of [a-z0-9]';

CREATE FUNCTION attune.generate_webhook_hmac_secret()
RETURNS VARCHAR(128)
LANGUAGE plpgsql
SET search_path = attune, pg_temp
AS $$
BEGIN
    RETURN encode(gen_random_bytes(64), 'hex');
END
$$;

COMMENT ON FUNCTION attune.generate_webhook_hmac_secret() IS
    'Random HMAC secret: 128 lowercase hexadecimal characters';

-- gen_random_bytes comes from pgcrypto, which may have existed before this migration in another
-- schema (CREATE EXTENSION IF NOT EXISTS then did nothing): pin the generators' search_path to
-- the schema pgcrypto really lives in.
DO $$
DECLARE
    crypto_schema TEXT := (
        SELECT e.extnamespace::regnamespace::text
          FROM pg_catalog.pg_extension e
         WHERE e.extname = 'pgcrypto'
    );
    path TEXT;
BEGIN
    IF crypto_schema IS NULL THEN
        RAISE EXCEPTION 'extension pgcrypto is missing (created by 20250101000001_initial_setup)';
    END IF;
    path := CASE
        WHEN crypto_schema = 'attune' THEN 'attune, pg_temp'
        ELSE format('attune, %s, pg_temp', crypto_schema)
    END;
    EXECUTE format('ALTER FUNCTION attune.generate_webhook_key() SET search_path = %s', path);
    EXECUTE format('ALTER FUNCTION attune.generate_webhook_hmac_secret() SET search_path = %s', path);
END
$$;

-- ---------------------------------------------------------------------------------------------
-- Webhook management (operate on one trigger)
-- ---------------------------------------------------------------------------------------------

-- Enables the webhook, keeping an existing key or generating one, and replaces webhook_config
-- with p_config as given (no merge).
CREATE FUNCTION attune.enable_trigger_webhook(p_trigger_id BIGINT, p_config JSONB DEFAULT '{}'::jsonb)
RETURNS TABLE (webhook_enabled BOOLEAN, webhook_key VARCHAR(255), webhook_url TEXT)
LANGUAGE plpgsql
SET search_path = attune, pg_temp
AS $$
DECLARE
    v_key VARCHAR(64);
BEGIN
    SELECT t.webhook_key INTO v_key FROM trigger t WHERE t.id = p_trigger_id;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'Trigger with id % does not exist', p_trigger_id;
    END IF;
    v_key := coalesce(v_key, generate_webhook_key());

    UPDATE trigger t
       SET webhook_enabled = true, webhook_key = v_key, webhook_config = p_config, updated = now()
     WHERE t.id = p_trigger_id;

    RETURN QUERY SELECT true, v_key::VARCHAR(255), 'http://localhost:8080/api/v1/webhooks/' || v_key;
END
$$;

COMMENT ON FUNCTION attune.enable_trigger_webhook(BIGINT, JSONB) IS
    'Enables the webhook of a trigger; returns enabled flag, key and URL';

-- Disabling revokes the key: re-enabling later always produces a new one.
CREATE FUNCTION attune.disable_trigger_webhook(p_trigger_id BIGINT)
RETURNS BOOLEAN
LANGUAGE plpgsql
SET search_path = attune, pg_temp
AS $$
BEGIN
    UPDATE trigger t
       SET webhook_enabled = false, webhook_key = NULL, updated = now()
     WHERE t.id = p_trigger_id;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'Trigger with id % does not exist', p_trigger_id;
    END IF;
    RETURN true;
END
$$;

COMMENT ON FUNCTION attune.disable_trigger_webhook(BIGINT) IS
    'Disables the webhook of a trigger and clears its key; keeps webhook_config';

CREATE FUNCTION attune.regenerate_trigger_webhook_key(p_trigger_id BIGINT)
RETURNS TABLE (webhook_key VARCHAR(255), previous_key_revoked BOOLEAN)
LANGUAGE plpgsql
SET search_path = attune, pg_temp
AS $$
DECLARE
    v_enabled BOOLEAN;
    v_old_key VARCHAR(64);
    v_new_key VARCHAR(64);
BEGIN
    SELECT t.webhook_enabled, t.webhook_key INTO v_enabled, v_old_key
      FROM trigger t
     WHERE t.id = p_trigger_id;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'Trigger with id % does not exist', p_trigger_id;
    END IF;
    IF NOT v_enabled THEN
        RAISE EXCEPTION 'Webhooks are not enabled for trigger %', p_trigger_id;
    END IF;

    v_new_key := generate_webhook_key();
    UPDATE trigger t SET webhook_key = v_new_key, updated = now() WHERE t.id = p_trigger_id;

    RETURN QUERY SELECT v_new_key::VARCHAR(255), v_old_key IS NOT NULL;
END
$$;

COMMENT ON FUNCTION attune.regenerate_trigger_webhook_key(BIGINT) IS
    'Replaces the webhook key of an enabled trigger; reports whether an old key was revoked';

-- Writes webhook_config.rate_limit = {enabled, requests, window_seconds}, keeping other keys.
CREATE FUNCTION attune.configure_trigger_webhook_rate_limit(
    p_trigger_id BIGINT,
    p_enabled BOOLEAN,
    p_requests INTEGER DEFAULT 100,
    p_window_seconds INTEGER DEFAULT 60
)
RETURNS TABLE (
    rate_limit_enabled BOOLEAN,
    rate_limit_requests INTEGER,
    rate_limit_window_seconds INTEGER
)
LANGUAGE plpgsql
SET search_path = attune, pg_temp
AS $$
BEGIN
    IF p_requests < 1 OR p_requests > 10000 THEN
        RAISE EXCEPTION 'Rate limit requests must be between 1 and 10000';
    END IF;
    IF p_window_seconds < 1 OR p_window_seconds > 3600 THEN
        RAISE EXCEPTION 'Rate limit window must be between 1 and 3600 seconds';
    END IF;

    UPDATE trigger t
       SET webhook_config = coalesce(t.webhook_config, '{}'::jsonb) || jsonb_build_object(
               'rate_limit', jsonb_build_object(
                   'enabled', p_enabled,
                   'requests', p_requests,
                   'window_seconds', p_window_seconds)),
           updated = now()
     WHERE t.id = p_trigger_id;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'Trigger with id % not found', p_trigger_id;
    END IF;

    RETURN QUERY SELECT p_enabled, p_requests, p_window_seconds;
END
$$;

COMMENT ON FUNCTION attune.configure_trigger_webhook_rate_limit(BIGINT, BOOLEAN, INTEGER, INTEGER) IS
    'Sets webhook_config.rate_limit of a trigger and echoes the settings';

-- Writes webhook_config.ip_whitelist = {enabled, ips}, keeping other keys.
CREATE FUNCTION attune.configure_trigger_webhook_ip_whitelist(
    p_trigger_id BIGINT,
    p_enabled BOOLEAN,
    p_ip_list TEXT[] DEFAULT ARRAY[]::TEXT[]
)
RETURNS TABLE (ip_whitelist_enabled BOOLEAN, ip_whitelist TEXT[])
LANGUAGE plpgsql
SET search_path = attune, pg_temp
AS $$
BEGIN
    UPDATE trigger t
       SET webhook_config = coalesce(t.webhook_config, '{}'::jsonb) || jsonb_build_object(
               'ip_whitelist', jsonb_build_object('enabled', p_enabled, 'ips', to_jsonb(p_ip_list))),
           updated = now()
     WHERE t.id = p_trigger_id;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'Trigger with id % not found', p_trigger_id;
    END IF;

    RETURN QUERY SELECT p_enabled, p_ip_list;
END
$$;

COMMENT ON FUNCTION attune.configure_trigger_webhook_ip_whitelist(BIGINT, BOOLEAN, TEXT[]) IS
    'Sets webhook_config.ip_whitelist of a trigger and echoes the settings';

-- ---------------------------------------------------------------------------------------------
-- Request checks
-- ---------------------------------------------------------------------------------------------

-- Counts one request in the key's current bucket and reports whether the bucket is still within
-- p_max_requests. Buckets start at multiples of the window, computed at minute granularity.
-- Also prunes buckets (of every key) older than one hour.
CREATE FUNCTION attune.check_webhook_rate_limit(
    p_webhook_key VARCHAR,
    p_max_requests INTEGER,
    p_window_seconds INTEGER
)
RETURNS BOOLEAN
LANGUAGE plpgsql
SET search_path = attune, pg_temp
AS $$
DECLARE
    v_minute TIMESTAMPTZ := date_trunc('minute', now());
    v_window_start TIMESTAMPTZ;
    v_count INTEGER;
BEGIN
    v_window_start := v_minute
        - make_interval(secs => extract(epoch FROM v_minute)::BIGINT % p_window_seconds);

    INSERT INTO webhook_rate_limit AS w (webhook_key, window_start, request_count)
    VALUES (p_webhook_key, v_window_start, 1)
    ON CONFLICT (webhook_key, window_start)
        DO UPDATE SET request_count = w.request_count + 1, updated = now()
    RETURNING w.request_count INTO v_count;

    DELETE FROM webhook_rate_limit w WHERE w.window_start < now() - INTERVAL '1 hour';

    RETURN v_count <= p_max_requests;
END
$$;

COMMENT ON FUNCTION attune.check_webhook_rate_limit(VARCHAR, INTEGER, INTEGER) IS
    'Counts a webhook request; true while the current bucket is within the limit';

-- True when p_source_ip equals or lies inside one entry (address or CIDR block) of the list;
-- an empty or NULL list denies.
CREATE FUNCTION attune.check_webhook_ip_whitelist(p_source_ip INET, p_whitelist TEXT[])
RETURNS BOOLEAN
LANGUAGE plpgsql
SET search_path = attune, pg_temp
AS $$
DECLARE
    entry TEXT;
BEGIN
    IF p_whitelist IS NULL OR cardinality(p_whitelist) = 0 THEN
        RETURN false;
    END IF;
    FOREACH entry IN ARRAY p_whitelist LOOP
        IF p_source_ip <<= entry::INET THEN
            RETURN true;
        END IF;
    END LOOP;
    RETURN false;
END
$$;

COMMENT ON FUNCTION attune.check_webhook_ip_whitelist(INET, TEXT[]) IS
    'Whether an address is allowed by a list of addresses and CIDR blocks (empty list denies)';

-- ---------------------------------------------------------------------------------------------
-- webhook_stats
-- ---------------------------------------------------------------------------------------------

-- webhook_created_at is the trigger's creation time, not the time its webhook was enabled.
CREATE VIEW attune.webhook_stats AS
SELECT
    t.id AS trigger_id,
    t.ref AS trigger_ref,
    t.webhook_enabled,
    t.webhook_key,
    t.webhook_config,
    t.created AS webhook_created_at,
    count(e.id) AS total_events,
    max(e.created) AS last_event_at,
    min(e.created) AS first_event_at
FROM attune.trigger t
LEFT JOIN attune.event e ON e.trigger = t.id AND (e.config ->> 'source') = 'webhook'
WHERE t.webhook_enabled = true
GROUP BY t.id;

COMMENT ON VIEW attune.webhook_stats IS 'Webhook-enabled triggers with counts of their webhook events';

-- ---------------------------------------------------------------------------------------------
-- Grants: the webhook tables belong to the API role only
-- ---------------------------------------------------------------------------------------------

DO $$
BEGIN
    IF EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname = 'attune_api') THEN
        GRANT SELECT, INSERT ON attune.webhook_event_log TO attune_api;
        GRANT SELECT, INSERT, UPDATE, DELETE ON attune.webhook_rate_limit TO attune_api;
        GRANT USAGE, SELECT
            ON SEQUENCE attune.webhook_event_log_id_seq, attune.webhook_rate_limit_id_seq
            TO attune_api;
    ELSE
        RAISE NOTICE 'role attune_api does not exist: grants of the webhook system skipped';
    END IF;
END
$$;
