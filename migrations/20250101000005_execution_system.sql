-- Execution system: executions (including workflow task metadata), inquiries, workflow
-- executions, execution policies, per-action queue statistics and the two workflow views.

-- ---------------------------------------------------------------------------------------------
-- execution
-- ---------------------------------------------------------------------------------------------

CREATE TABLE attune.execution (
    id BIGSERIAL PRIMARY KEY,
    action BIGINT REFERENCES attune.action (id),
    action_ref TEXT NOT NULL,
    config JSONB,
    parent BIGINT REFERENCES attune.execution (id),
    enforcement BIGINT REFERENCES attune.enforcement (id),
    executor BIGINT REFERENCES attune.identity (id) ON DELETE SET NULL,
    status attune.execution_status_enum NOT NULL DEFAULT 'requested',
    result JSONB,
    is_workflow BOOLEAN NOT NULL DEFAULT false,
    workflow_def BIGINT
        CONSTRAINT execution_workflow_def_fkey
        REFERENCES attune.workflow_definition (id) ON DELETE CASCADE,
    -- Task metadata of a workflow step (workflow_execution, task_name, task_index, retry_count,
    -- next_retry_at, timed_out, ...); NULL for executions outside a workflow.
    workflow_task JSONB,
    created TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated TIMESTAMPTZ NOT NULL DEFAULT now()
);

CREATE INDEX idx_execution_action ON attune.execution (action);
CREATE INDEX idx_execution_action_ref ON attune.execution (action_ref);
CREATE INDEX idx_execution_parent ON attune.execution (parent);
CREATE INDEX idx_execution_enforcement ON attune.execution (enforcement);
CREATE INDEX idx_execution_executor ON attune.execution (executor);
CREATE INDEX idx_execution_status ON attune.execution (status);
CREATE INDEX idx_execution_created ON attune.execution (created DESC);
CREATE INDEX idx_execution_updated ON attune.execution (updated DESC);
CREATE INDEX idx_execution_status_created ON attune.execution (status, created DESC);
CREATE INDEX idx_execution_status_updated ON attune.execution (status, updated DESC);
CREATE INDEX idx_execution_action_status ON attune.execution (action, status);
CREATE INDEX idx_execution_executor_created ON attune.execution (executor, created DESC);
CREATE INDEX idx_execution_parent_created ON attune.execution (parent, created DESC);
CREATE INDEX idx_execution_result_gin ON attune.execution USING gin (result);
CREATE INDEX idx_execution_workflow_def ON attune.execution (workflow_def);
CREATE INDEX idx_execution_workflow_task_gin ON attune.execution USING gin (workflow_task)
    WHERE workflow_task IS NOT NULL;
CREATE INDEX idx_execution_workflow_execution
    ON attune.execution ((workflow_task ->> 'workflow_execution'))
    WHERE workflow_task IS NOT NULL;
CREATE INDEX idx_execution_task_name ON attune.execution ((workflow_task ->> 'task_name'))
    WHERE workflow_task IS NOT NULL;
CREATE INDEX idx_execution_pending_retries ON attune.execution ((workflow_task ->> 'next_retry_at'))
    WHERE workflow_task IS NOT NULL AND (workflow_task ->> 'next_retry_at') IS NOT NULL;
CREATE INDEX idx_execution_timed_out ON attune.execution ((workflow_task ->> 'timed_out'))
    WHERE workflow_task IS NOT NULL;
CREATE INDEX idx_execution_workflow_status
    ON attune.execution (status, (workflow_task ->> 'workflow_execution'))
    WHERE workflow_task IS NOT NULL;

CREATE TRIGGER update_execution_updated
    BEFORE UPDATE ON attune.execution
    FOR EACH ROW EXECUTE FUNCTION attune.update_updated_column();

COMMENT ON TABLE attune.execution IS 'Runs of actions, including the tasks of workflows';

-- ---------------------------------------------------------------------------------------------
-- inquiry
-- ---------------------------------------------------------------------------------------------

CREATE TABLE attune.inquiry (
    id BIGSERIAL PRIMARY KEY,
    execution BIGINT NOT NULL REFERENCES attune.execution (id) ON DELETE CASCADE,
    prompt TEXT NOT NULL,
    response_schema JSONB,
    assigned_to BIGINT REFERENCES attune.identity (id) ON DELETE SET NULL,
    status attune.inquiry_status_enum NOT NULL DEFAULT 'pending',
    response JSONB,
    timeout_at TIMESTAMPTZ,
    responded_at TIMESTAMPTZ,
    created TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated TIMESTAMPTZ NOT NULL DEFAULT now()
);

CREATE INDEX idx_inquiry_execution ON attune.inquiry (execution);
CREATE INDEX idx_inquiry_assigned_to ON attune.inquiry (assigned_to);
CREATE INDEX idx_inquiry_status ON attune.inquiry (status);
CREATE INDEX idx_inquiry_timeout_at ON attune.inquiry (timeout_at) WHERE timeout_at IS NOT NULL;
CREATE INDEX idx_inquiry_created ON attune.inquiry (created DESC);
CREATE INDEX idx_inquiry_status_created ON attune.inquiry (status, created DESC);
CREATE INDEX idx_inquiry_assigned_status ON attune.inquiry (assigned_to, status);
CREATE INDEX idx_inquiry_execution_status ON attune.inquiry (execution, status);
CREATE INDEX idx_inquiry_response_gin ON attune.inquiry USING gin (response);

CREATE TRIGGER update_inquiry_updated
    BEFORE UPDATE ON attune.inquiry
    FOR EACH ROW EXECUTE FUNCTION attune.update_updated_column();

COMMENT ON TABLE attune.inquiry IS 'Human-in-the-loop questions raised by executions';

-- ---------------------------------------------------------------------------------------------
-- workflow_execution
-- ---------------------------------------------------------------------------------------------

CREATE TABLE attune.workflow_execution (
    id BIGSERIAL PRIMARY KEY,
    execution BIGINT NOT NULL REFERENCES attune.execution (id) ON DELETE CASCADE,
    workflow_def BIGINT NOT NULL REFERENCES attune.workflow_definition (id),
    current_tasks TEXT[] DEFAULT '{}',
    completed_tasks TEXT[] DEFAULT '{}',
    failed_tasks TEXT[] DEFAULT '{}',
    skipped_tasks TEXT[] DEFAULT '{}',
    variables JSONB DEFAULT '{}'::jsonb,
    task_graph JSONB NOT NULL,
    status attune.execution_status_enum NOT NULL DEFAULT 'requested',
    error_message TEXT,
    paused BOOLEAN NOT NULL DEFAULT false,
    pause_reason TEXT,
    created TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated TIMESTAMPTZ NOT NULL DEFAULT now()
);

CREATE INDEX idx_workflow_exec_execution ON attune.workflow_execution (execution);
CREATE INDEX idx_workflow_exec_workflow_def ON attune.workflow_execution (workflow_def);
CREATE INDEX idx_workflow_exec_status ON attune.workflow_execution (status);
CREATE INDEX idx_workflow_exec_paused ON attune.workflow_execution (paused) WHERE paused = true;

CREATE TRIGGER update_workflow_execution_updated
    BEFORE UPDATE ON attune.workflow_execution
    FOR EACH ROW EXECUTE FUNCTION attune.update_updated_column();

COMMENT ON TABLE attune.workflow_execution IS 'State of a running workflow';

-- ---------------------------------------------------------------------------------------------
-- policy
-- ---------------------------------------------------------------------------------------------

CREATE TABLE attune.policy (
    id BIGSERIAL PRIMARY KEY,
    ref TEXT NOT NULL UNIQUE,
    pack BIGINT REFERENCES attune.pack (id) ON DELETE CASCADE,
    pack_ref TEXT,
    action BIGINT REFERENCES attune.action (id) ON DELETE CASCADE,
    action_ref TEXT,
    parameters TEXT[] NOT NULL DEFAULT ARRAY[]::TEXT[],
    method attune.policy_method_enum NOT NULL,
    threshold INTEGER NOT NULL,
    name TEXT NOT NULL,
    description TEXT,
    tags TEXT[] NOT NULL DEFAULT ARRAY[]::TEXT[],
    created TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated TIMESTAMPTZ NOT NULL DEFAULT now(),
    CONSTRAINT policy_ref_lowercase CHECK (ref = lower(ref)),
    CONSTRAINT policy_ref_format CHECK (ref ~ '^[^.]+\.[^.]+$'),
    CONSTRAINT policy_threshold_positive CHECK (threshold > 0)
);

CREATE INDEX idx_policy_ref ON attune.policy (ref);
CREATE INDEX idx_policy_pack ON attune.policy (pack);
CREATE INDEX idx_policy_action ON attune.policy (action);
CREATE INDEX idx_policy_created ON attune.policy (created DESC);
CREATE INDEX idx_policy_action_created ON attune.policy (action, created DESC);
CREATE INDEX idx_policy_pack_created ON attune.policy (pack, created DESC);
CREATE INDEX idx_policy_parameters_gin ON attune.policy USING gin (parameters);
CREATE INDEX idx_policy_tags_gin ON attune.policy USING gin (tags);

CREATE TRIGGER update_policy_updated
    BEFORE UPDATE ON attune.policy
    FOR EACH ROW EXECUTE FUNCTION attune.update_updated_column();

COMMENT ON TABLE attune.policy IS 'Execution policies (concurrency: cancel or enqueue above a threshold)';

-- ---------------------------------------------------------------------------------------------
-- queue_stats
-- ---------------------------------------------------------------------------------------------

-- last_updated is maintained by the executor service, hence no update trigger.
CREATE TABLE attune.queue_stats (
    action_id BIGINT PRIMARY KEY REFERENCES attune.action (id) ON DELETE CASCADE,
    queue_length INTEGER NOT NULL DEFAULT 0,
    active_count INTEGER NOT NULL DEFAULT 0,
    max_concurrent INTEGER NOT NULL DEFAULT 1,
    oldest_enqueued_at TIMESTAMPTZ,
    total_enqueued BIGINT NOT NULL DEFAULT 0,
    total_completed BIGINT NOT NULL DEFAULT 0,
    last_updated TIMESTAMPTZ NOT NULL DEFAULT now()
);

CREATE INDEX idx_queue_stats_last_updated ON attune.queue_stats (last_updated);

COMMENT ON TABLE attune.queue_stats IS 'Per-action execution queue counters';

-- ---------------------------------------------------------------------------------------------
-- Workflow views
-- ---------------------------------------------------------------------------------------------

-- Task counts come from array_length, which is NULL (not 0) for an empty array.
CREATE VIEW attune.workflow_execution_summary AS
SELECT
    we.id,
    we.execution,
    wd.ref AS workflow_ref,
    wd.label AS workflow_label,
    wd.version AS workflow_version,
    we.status,
    we.paused,
    array_length(we.current_tasks, 1) AS current_task_count,
    array_length(we.completed_tasks, 1) AS completed_task_count,
    array_length(we.failed_tasks, 1) AS failed_task_count,
    array_length(we.skipped_tasks, 1) AS skipped_task_count,
    we.error_message,
    we.created,
    we.updated
FROM attune.workflow_execution we
JOIN attune.workflow_definition wd ON wd.id = we.workflow_def;

COMMENT ON VIEW attune.workflow_execution_summary IS 'Workflow executions with their definition';

CREATE VIEW attune.workflow_action_link AS
SELECT
    wd.id AS workflow_def_id,
    wd.ref AS workflow_ref,
    wd.label,
    wd.version,
    wd.enabled,
    a.id AS action_id,
    a.ref AS action_ref,
    a.pack AS pack_id,
    a.pack_ref
FROM attune.workflow_definition wd
LEFT JOIN attune.action a ON a.workflow_def = wd.id AND a.is_workflow = true;

COMMENT ON VIEW attune.workflow_action_link IS 'Workflow definitions and the workflow actions that run them';

-- ---------------------------------------------------------------------------------------------
-- Grants
-- ---------------------------------------------------------------------------------------------

DO $$
BEGIN
    IF EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname = 'svc_attune') THEN
        GRANT SELECT, INSERT, UPDATE, DELETE
            ON attune.execution, attune.inquiry, attune.workflow_execution, attune.policy,
                attune.queue_stats
            TO svc_attune;
        GRANT USAGE, SELECT
            ON SEQUENCE attune.execution_id_seq, attune.inquiry_id_seq,
                attune.workflow_execution_id_seq, attune.policy_id_seq
            TO svc_attune;
        GRANT SELECT ON attune.workflow_execution_summary, attune.workflow_action_link TO svc_attune;
    ELSE
        RAISE NOTICE 'role svc_attune does not exist: grants of the execution system skipped';
    END IF;
END
$$;
