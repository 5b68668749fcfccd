-- LISTEN/NOTIFY triggers: executions and enforcements on channel attune_notifications, events on
-- event_created, notifications on the channel named by the row.
--
-- Payload size rule: pg_notify refuses payloads of 8000 bytes or more, and its error would abort
-- the INSERT/UPDATE that fired the trigger. A payload that would be too long is therefore
-- reduced, on the same channel and with the same keys:
--   1. the bulky JSON values in "data" (execution: result; enforcement: conditions, config,
--      payload; event: payload) become null and a top-level "truncated": true is added;
--   2. if that is still too long, every value in "data" except "id" becomes null.
-- A notification row's payload falls back to its id, with the text fields null and
-- "truncated": true. Listeners that see "truncated" re-read the row by id.
-- The reduction is written out in each function rather than shared through a helper, so that the
-- schema keeps exactly the pre-consolidation set of functions.

-- ---------------------------------------------------------------------------------------------
-- notification: {"id", "entity_type", "entity", "activity"} on NEW.channel
-- ---------------------------------------------------------------------------------------------

-- Built as plain json so the text keeps insertion order ({"id" : 1, "entity_type" : ...}).
CREATE FUNCTION attune.notify_on_insert()
RETURNS trigger
LANGUAGE plpgsql
SET search_path = attune, pg_temp
AS $$
DECLARE
    payload TEXT := json_build_object(
        'id', NEW.id,
        'entity_type', NEW.entity_type,
        'entity', NEW.entity,
        'activity', NEW.activity
    )::text;
BEGIN
    IF octet_length(payload) >= 8000 THEN
        payload := json_build_object(
            'id', NEW.id, 'entity_type', NULL, 'entity', NULL, 'activity', NULL, 'truncated', true
        )::text;
    END IF;
    PERFORM pg_notify(NEW.channel, payload);
    RETURN NEW;
END
$$;

COMMENT ON FUNCTION attune.notify_on_insert() IS
    'Announces a new notification row on the channel it names';

CREATE TRIGGER notify_on_notification_insert
    AFTER INSERT ON attune.notification
    FOR EACH ROW EXECUTE FUNCTION attune.notify_on_insert();

-- ---------------------------------------------------------------------------------------------
-- execution: attune_notifications, on every insert and update
-- ---------------------------------------------------------------------------------------------

CREATE FUNCTION attune.notify_execution_change()
RETURNS trigger
LANGUAGE plpgsql
SET search_path = attune, pg_temp
AS $$
DECLARE
    v_rule_ref TEXT;
    v_trigger_ref TEXT;
    payload JSONB;
BEGIN
    IF NEW.enforcement IS NOT NULL THEN
        SELECT e.rule_ref, e.trigger_ref INTO v_rule_ref, v_trigger_ref
          FROM enforcement e
         WHERE e.id = NEW.enforcement;
    END IF;

    payload := jsonb_build_object(
        'entity_type', 'execution',
        'entity_id', NEW.id,
        'timestamp', now(),
        'data', jsonb_build_object(
            'id', NEW.id,
            'status', NEW.status,
            'action_id', NEW.action,
            'action_ref', NEW.action_ref,
            'enforcement', NEW.enforcement,
            'rule_ref', v_rule_ref,
            'trigger_ref', v_trigger_ref,
            'parent', NEW.parent,
            'result', NEW.result,
            'created', NEW.created,
            'updated', NEW.updated
        )
    );

    IF octet_length(payload::text) >= 8000 THEN
        payload := payload || jsonb_build_object(
            'truncated', true,
            'data', (payload -> 'data') || jsonb_build_object('result', NULL)
        );
    END IF;
    IF octet_length(payload::text) >= 8000 THEN
        payload := payload || jsonb_build_object('data', (
            SELECT jsonb_object_agg(d.key, CASE WHEN d.key = 'id' THEN d.value END)
              FROM jsonb_each(payload -> 'data') AS d
        ));
    END IF;

    PERFORM pg_notify('attune_notifications', payload::text);
    RETURN NEW;
END
$$;

COMMENT ON FUNCTION attune.notify_execution_change() IS
    'Announces inserted/updated executions (with rule_ref/trigger_ref of their enforcement)';

CREATE TRIGGER notify_execution_change
    AFTER INSERT OR UPDATE ON attune.execution
    FOR EACH ROW EXECUTE FUNCTION attune.notify_execution_change();

-- ---------------------------------------------------------------------------------------------
-- enforcement: attune_notifications, on every insert and update, with "operation"
-- ---------------------------------------------------------------------------------------------

CREATE FUNCTION attune.notify_enforcement_change()
RETURNS trigger
LANGUAGE plpgsql
SET search_path = attune, pg_temp
AS $$
DECLARE
    payload JSONB;
BEGIN
    payload := jsonb_build_object(
        'entity_type', 'enforcement',
        'entity_id', NEW.id,
        'operation', CASE TG_OP WHEN 'INSERT' THEN 'created' WHEN 'UPDATE' THEN 'updated' ELSE 'deleted' END,
        'timestamp', now(),
        'data', jsonb_build_object(
            'id', NEW.id,
            'rule', NEW.rule,
            'rule_ref', NEW.rule_ref,
            'trigger_ref', NEW.trigger_ref,
            'event', NEW.event,
            'status', NEW.status,
            'condition', NEW.condition,
            'conditions', NEW.conditions,
            'config', NEW.config,
            'payload', NEW.payload,
            'created', NEW.created,
            'updated', NEW.updated
        )
    );

    IF octet_length(payload::text) >= 8000 THEN
        payload := payload || jsonb_build_object(
            'truncated', true,
            'data', (payload -> 'data')
                || jsonb_build_object('conditions', NULL, 'config', NULL, 'payload', NULL)
        );
    END IF;
    IF octet_length(payload::text) >= 8000 THEN
        payload := payload || jsonb_build_object('data', (
            SELECT jsonb_object_agg(d.key, CASE WHEN d.key = 'id' THEN d.value END)
              FROM jsonb_each(payload -> 'data') AS d
        ));
    END IF;

    PERFORM pg_notify('attune_notifications', payload::text);
    RETURN NEW;
END
$$;

COMMENT ON FUNCTION attune.notify_enforcement_change() IS
    'Announces inserted/updated enforcements, with operation created/updated';

CREATE TRIGGER notify_enforcement_change
    AFTER INSERT OR UPDATE ON attune.enforcement
    FOR EACH ROW EXECUTE FUNCTION attune.notify_enforcement_change();

-- ---------------------------------------------------------------------------------------------
-- event: event_created, on insert
-- ---------------------------------------------------------------------------------------------

CREATE FUNCTION attune.notify_event_created()
RETURNS trigger
LANGUAGE plpgsql
SET search_path = attune, pg_temp
AS $$
DECLARE
    payload JSONB;
BEGIN
    payload := jsonb_build_object(
        'entity_type', 'event',
        'entity_id', NEW.id,
        'timestamp', now(),
        'data', jsonb_build_object(
            'id', NEW.id,
            'trigger', NEW.trigger,
            'trigger_ref', NEW.trigger_ref,
            'rule', NEW.rule,
            'rule_ref', NEW.rule_ref,
            'source', NEW.source,
            'source_ref', NEW.source_ref,
            'payload', NEW.payload,
            'created', NEW.created
        )
    );

    IF octet_length(payload::text) >= 8000 THEN
        payload := payload || jsonb_build_object(
            'truncated', true,
            'data', (payload -> 'data') || jsonb_build_object('payload', NULL)
        );
    END IF;
    IF octet_length(payload::text) >= 8000 THEN
        payload := payload || jsonb_build_object('data', (
            SELECT jsonb_object_agg(d.key, CASE WHEN d.key = 'id' THEN d.value END)
              FROM jsonb_each(payload -> 'data') AS d
        ));
    END IF;

    PERFORM pg_notify('event_created', payload::text);
    RETURN NEW;
END
$$;

COMMENT ON FUNCTION attune.notify_event_created() IS 'Announces new events on channel event_created';

CREATE TRIGGER notify_event_created
    AFTER INSERT ON attune.event
    FOR EACH ROW EXECUTE FUNCTION attune.notify_event_created();
