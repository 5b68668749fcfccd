-- Identity and authorization: identities, permission sets and their assignments.

-- ---------------------------------------------------------------------------------------------
-- identity
-- ---------------------------------------------------------------------------------------------

CREATE TABLE attune.identity (
    id BIGSERIAL PRIMARY KEY,
    login TEXT NOT NULL UNIQUE,
    display_name TEXT,
    password_hash TEXT,
    attributes JSONB NOT NULL DEFAULT '{}'::jsonb,
    created TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated TIMESTAMPTZ NOT NULL DEFAULT now()
);

CREATE INDEX idx_identity_login ON attune.identity (login);
CREATE INDEX idx_identity_created ON attune.identity (created DESC);
CREATE INDEX idx_identity_password_hash ON attune.identity (password_hash)
    WHERE password_hash IS NOT NULL;
CREATE INDEX idx_identity_attributes_gin ON attune.identity USING gin (attributes);

CREATE TRIGGER update_identity_updated
    BEFORE UPDATE ON attune.identity
    FOR EACH ROW EXECUTE FUNCTION attune.update_updated_column();

COMMENT ON TABLE attune.identity IS 'Users and service accounts';

-- ---------------------------------------------------------------------------------------------
-- permission_set
-- ---------------------------------------------------------------------------------------------

CREATE TABLE attune.permission_set (
    id BIGSERIAL PRIMARY KEY,
    ref TEXT NOT NULL UNIQUE,
    pack BIGINT REFERENCES attune.pack (id) ON DELETE CASCADE,
    pack_ref TEXT,
    label TEXT,
    description TEXT,
    grants JSONB NOT NULL DEFAULT '[]'::jsonb,
    created TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated TIMESTAMPTZ NOT NULL DEFAULT now(),
    CONSTRAINT permission_set_ref_lowercase CHECK (ref = lower(ref)),
    CONSTRAINT permission_set_ref_format CHECK (ref ~ '^[^.]+\.[^.]+$')
);

CREATE INDEX idx_permission_set_ref ON attune.permission_set (ref);
CREATE INDEX idx_permission_set_pack ON attune.permission_set (pack);
CREATE INDEX idx_permission_set_created ON attune.permission_set (created DESC);

CREATE TRIGGER update_permission_set_updated
    BEFORE UPDATE ON attune.permission_set
    FOR EACH ROW EXECUTE FUNCTION attune.update_updated_column();

COMMENT ON TABLE attune.permission_set IS 'Named groups of grants (RBAC roles)';

-- ---------------------------------------------------------------------------------------------
-- permission_assignment
-- ---------------------------------------------------------------------------------------------

CREATE TABLE attune.permission_assignment (
    id BIGSERIAL PRIMARY KEY,
    identity BIGINT NOT NULL REFERENCES attune.identity (id) ON DELETE CASCADE,
    permset BIGINT NOT NULL REFERENCES attune.permission_set (id) ON DELETE CASCADE,
    created TIMESTAMPTZ NOT NULL DEFAULT now(),
    CONSTRAINT unique_identity_permset UNIQUE (identity, permset)
);

CREATE INDEX idx_permission_assignment_identity ON attune.permission_assignment (identity);
CREATE INDEX idx_permission_assignment_permset ON attune.permission_assignment (permset);
CREATE INDEX idx_permission_assignment_created ON attune.permission_assignment (created DESC);
CREATE INDEX idx_permission_assignment_identity_created
    ON attune.permission_assignment (identity, created DESC);
CREATE INDEX idx_permission_assignment_permset_created
    ON attune.permission_assignment (permset, created DESC);

COMMENT ON TABLE attune.permission_assignment IS 'Which identity holds which permission set';

-- ---------------------------------------------------------------------------------------------
-- Grants
-- ---------------------------------------------------------------------------------------------

DO $$
BEGIN
    IF EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname = 'svc_attune') THEN
        GRANT SELECT, INSERT, UPDATE, DELETE
            ON attune.identity, attune.permission_set, attune.permission_assignment
            TO svc_attune;
        GRANT USAGE, SELECT
            ON SEQUENCE attune.identity_id_seq, attune.permission_set_id_seq,
                attune.permission_assignment_id_seq
            TO svc_attune;
    ELSE
        RAISE NOTICE 'role svc_attune does not exist: grants of identity and auth skipped';
    END IF;
END
$$;
