-- Pack installation metadata and pack test results (table, views, helper functions).
-- None of these tables or views is granted to the service roles, as in the pre-consolidation
-- chain.

-- ---------------------------------------------------------------------------------------------
-- pack_installation
-- ---------------------------------------------------------------------------------------------

CREATE TABLE attune.pack_installation (
    id BIGSERIAL PRIMARY KEY,
    pack_id BIGINT NOT NULL REFERENCES attune.pack (id) ON DELETE CASCADE,
    source_type VARCHAR(50) NOT NULL
        CHECK (source_type IN ('git', 'archive', 'local_directory', 'local_archive', 'registry')),
    source_url TEXT,
    source_ref TEXT,
    checksum VARCHAR(64),
    checksum_verified BOOLEAN DEFAULT false,
    installed_at TIMESTAMPTZ DEFAULT CURRENT_TIMESTAMP,
    installed_by BIGINT REFERENCES attune.identity (id) ON DELETE SET NULL,
    installation_method VARCHAR(50) DEFAULT 'manual'
        CHECK (installation_method IN ('manual', 'api', 'cli', 'auto')),
    storage_path TEXT NOT NULL,
    meta JSONB DEFAULT '{}'::jsonb,
    created TIMESTAMPTZ DEFAULT CURRENT_TIMESTAMP,
    updated TIMESTAMPTZ DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT pack_installation_unique_pack UNIQUE (pack_id)
);

CREATE INDEX idx_pack_installation_pack_id ON attune.pack_installation (pack_id);
CREATE INDEX idx_pack_installation_source_type ON attune.pack_installation (source_type);
CREATE INDEX idx_pack_installation_installed_at ON attune.pack_installation (installed_at);
CREATE INDEX idx_pack_installation_installed_by ON attune.pack_installation (installed_by);

CREATE TRIGGER pack_installation_updated_trigger
    BEFORE UPDATE ON attune.pack_installation
    FOR EACH ROW EXECUTE FUNCTION attune.update_updated_column();

COMMENT ON TABLE attune.pack_installation IS 'Where and how each installed pack was obtained';

-- ---------------------------------------------------------------------------------------------
-- pack_test_execution
-- ---------------------------------------------------------------------------------------------

CREATE TABLE attune.pack_test_execution (
    id BIGSERIAL PRIMARY KEY,
    pack_id BIGINT NOT NULL REFERENCES attune.pack (id) ON DELETE CASCADE,
    pack_version VARCHAR(50) NOT NULL,
    execution_time TIMESTAMPTZ NOT NULL DEFAULT now(),
    trigger_reason VARCHAR(50) NOT NULL,
    total_tests INTEGER NOT NULL,
    passed INTEGER NOT NULL,
    failed INTEGER NOT NULL,
    skipped INTEGER NOT NULL,
    pass_rate NUMERIC(5, 4) NOT NULL,
    duration_ms BIGINT NOT NULL,
    result JSONB NOT NULL,
    created TIMESTAMPTZ NOT NULL DEFAULT now(),
    CONSTRAINT valid_test_counts
        CHECK (total_tests >= 0 AND passed >= 0 AND failed >= 0 AND skipped >= 0),
    CONSTRAINT valid_pass_rate CHECK (pass_rate >= 0.0 AND pass_rate <= 1.0),
    CONSTRAINT valid_trigger_reason
        CHECK (trigger_reason IN ('install', 'update', 'manual', 'validation'))
);

CREATE INDEX idx_pack_test_execution_pack_id ON attune.pack_test_execution (pack_id);
CREATE INDEX idx_pack_test_execution_time ON attune.pack_test_execution (execution_time DESC);
CREATE INDEX idx_pack_test_execution_pass_rate ON attune.pack_test_execution (pass_rate);
CREATE INDEX idx_pack_test_execution_trigger ON attune.pack_test_execution (trigger_reason);

COMMENT ON TABLE attune.pack_test_execution IS 'Results of running a pack''s tests';
COMMENT ON COLUMN attune.pack_test_execution.pass_rate IS 'passed / total_tests, from 0.0 to 1.0';

-- Placeholder kept for schema compatibility: the AFTER INSERT trigger does nothing yet.
CREATE FUNCTION attune.update_pack_test_metadata()
RETURNS trigger
LANGUAGE plpgsql
SET search_path = attune, pg_temp
AS $$
BEGIN
    RETURN NEW;
END
$$;

COMMENT ON FUNCTION attune.update_pack_test_metadata() IS 'No-op hook run after each pack test result';

CREATE TRIGGER trigger_update_pack_test_metadata
    AFTER INSERT ON attune.pack_test_execution
    FOR EACH ROW EXECUTE FUNCTION attune.update_pack_test_metadata();

-- ---------------------------------------------------------------------------------------------
-- Views
-- ---------------------------------------------------------------------------------------------

-- rn = 1 marks the latest test execution of each pack.
CREATE VIEW attune.pack_test_summary AS
SELECT
    p.id AS pack_id,
    p.ref AS pack_ref,
    p.label AS pack_label,
    pte.id AS test_execution_id,
    pte.pack_version,
    pte.execution_time AS test_time,
    pte.trigger_reason,
    pte.total_tests,
    pte.passed,
    pte.failed,
    pte.skipped,
    pte.pass_rate,
    pte.duration_ms,
    row_number() OVER (PARTITION BY p.id ORDER BY pte.execution_time DESC) AS rn
FROM attune.pack p
JOIN attune.pack_test_execution pte ON pte.pack_id = p.id;

COMMENT ON VIEW attune.pack_test_summary IS 'Every pack test execution with its pack';

CREATE VIEW attune.pack_latest_test AS
SELECT
    pack_id,
    pack_ref,
    pack_label,
    test_execution_id,
    pack_version,
    test_time,
    trigger_reason,
    total_tests,
    passed,
    failed,
    skipped,
    pass_rate,
    duration_ms
FROM attune.pack_test_summary
WHERE rn = 1;

COMMENT ON VIEW attune.pack_latest_test IS 'Latest test execution of each tested pack';

-- ---------------------------------------------------------------------------------------------
-- Helper functions
-- ---------------------------------------------------------------------------------------------

CREATE FUNCTION attune.get_pack_test_stats(p_pack_id BIGINT)
RETURNS TABLE (
    total_executions BIGINT,
    successful_executions BIGINT,
    failed_executions BIGINT,
    avg_pass_rate NUMERIC,
    avg_duration_ms BIGINT,
    last_test_time TIMESTAMPTZ,
    last_test_passed BOOLEAN
)
LANGUAGE plpgsql
SET search_path = attune, pg_temp
AS $$
BEGIN
    RETURN QUERY
    SELECT
        count(*),
        count(*) FILTER (WHERE pte.passed = pte.total_tests),
        count(*) FILTER (WHERE pte.failed > 0),
        avg(pte.pass_rate),
        avg(pte.duration_ms)::BIGINT,
        max(pte.execution_time),
        (SELECT latest.failed = 0
           FROM pack_test_execution latest
          WHERE latest.pack_id = p_pack_id
          ORDER BY latest.execution_time DESC
          LIMIT 1)
    FROM pack_test_execution pte
    WHERE pte.pack_id = p_pack_id;
END
$$;

COMMENT ON FUNCTION attune.get_pack_test_stats(BIGINT) IS 'Summary of the test executions of a pack';

CREATE FUNCTION attune.pack_has_passing_tests(p_pack_id BIGINT, p_hours_ago INTEGER DEFAULT 24)
RETURNS BOOLEAN
LANGUAGE plpgsql
SET search_path = attune, pg_temp
AS $$
BEGIN
    RETURN EXISTS (
        SELECT
          FROM pack_test_execution pte
         WHERE pte.pack_id = p_pack_id
           AND pte.execution_time > now() - make_interval(hours => p_hours_ago)
           AND pte.failed = 0
           AND pte.total_tests > 0
    );
END
$$;

COMMENT ON FUNCTION attune.pack_has_passing_tests(BIGINT, INTEGER) IS
    'Whether the pack had a fully passing, non-empty test run in the last p_hours_ago hours';
