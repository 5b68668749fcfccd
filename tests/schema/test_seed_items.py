"""The consolidation plan's item lists, checked against the migrated schema.

"Items to Include From Start" (14) and "Items to Remove Entirely" (9). Where the final
pre-consolidation chain differed from the plan (execution.is_workflow/workflow_def and
sensor.is_adhoc were missing, pack.installers was on runtime only, idx_trigger_webhook_enabled
survived, 4 runtime rows remained), the expectation follows the plan: see migrations/README.md,
"Intended differences".
"""

from __future__ import annotations

from typing import Any

import pytest

from loader.database.conn import Conn
from tests.helpers.sql import one


def column(table: str, name: str) -> str:
    """Query: (data type, nullable, default) of a column, or no row."""
    return (
        "SELECT data_type || coalesce('(' || character_maximum_length || ')', ''),"
        " is_nullable, column_default FROM information_schema.columns"
        f" WHERE table_schema = 'attune' AND table_name = '{table}' AND column_name = '{name}'"
    )


def count(query: str) -> str:
    """Query: the number of rows ``query`` returns."""
    return f"SELECT count(*) FROM ({query}) AS found"


def enum_labels(name: str) -> str:
    """Query: the labels of an enum type of schema attune."""
    return (
        "SELECT array_agg(e.enumlabel::text ORDER BY e.enumsortorder) FROM pg_enum e"
        f" WHERE e.enumtypid = 'attune.{name}'::regtype"
    )


def index_definition(name: str) -> str:
    """Query: the definition of an index of schema attune, or no row."""
    return f"SELECT indexdef FROM pg_indexes WHERE schemaname = 'attune' AND indexname = '{name}'"


INCLUDE_FROM_START: list[tuple[str, str, tuple[Any, ...]]] = [
    ("execution.is_workflow", column("execution", "is_workflow"), ("boolean", "NO", "false")),
    (
        "execution.workflow_def",
        "SELECT pg_get_constraintdef(oid), (" + index_definition("idx_execution_workflow_def") + ")"
        " FROM pg_constraint WHERE conname = 'execution_workflow_def_fkey'"
        " AND conrelid = 'attune.execution'::regclass",
        (
            "FOREIGN KEY (workflow_def) REFERENCES attune.workflow_definition(id)"
            " ON DELETE CASCADE",
            "CREATE INDEX idx_execution_workflow_def ON attune.execution"
            " USING btree (workflow_def)",
        ),
    ),
    ("execution.workflow_task", column("execution", "workflow_task"), ("jsonb", "YES", None)),
    ("action.is_adhoc", column("action", "is_adhoc"), ("boolean", "NO", "false")),
    (
        "sensor.is_adhoc",
        "SELECT c.*, (" + index_definition("idx_sensor_is_adhoc") + ")"
        " FROM (" + column("sensor", "is_adhoc") + ") AS c",
        (
            "boolean",
            "NO",
            "false",
            "CREATE INDEX idx_sensor_is_adhoc ON attune.sensor USING btree (is_adhoc)"
            " WHERE (is_adhoc = true)",
        ),
    ),
    ("rule.is_adhoc", column("rule", "is_adhoc"), ("boolean", "NO", "false")),
    (
        "event.rule and event.rule_ref",
        "SELECT array_agg(column_name::text ORDER BY column_name) FROM information_schema.columns"
        " WHERE table_schema = 'attune' AND table_name = 'event'"
        " AND column_name IN ('rule', 'rule_ref')",
        (["rule", "rule_ref"],),
    ),
    ("worker_role_enum", enum_labels("worker_role_enum"), (["action", "sensor", "hybrid"],)),
    (
        "worker.worker_role",
        column("worker", "worker_role"),
        ("USER-DEFINED", "NO", "'action'::attune.worker_role_enum"),
    ),
    ("trigger.webhook_enabled", column("trigger", "webhook_enabled"), ("boolean", "NO", "false")),
    (
        "trigger.webhook_key",
        column("trigger", "webhook_key"),
        ("character varying(64)", "YES", None),
    ),
    (
        "trigger.webhook_config",
        column("trigger", "webhook_config"),
        ("jsonb", "YES", "'{}'::jsonb"),
    ),
    ("pack.installers", column("pack", "installers"), ("jsonb", "YES", "'[]'::jsonb")),
    (
        "pack_environment and pack_environment_status_enum",
        "SELECT to_regclass('attune.pack_environment') IS NOT NULL,"
        " (" + enum_labels("pack_environment_status_enum") + ")",
        (True, ["pending", "installing", "ready", "failed", "outdated"]),
    ),
]

WEBHOOK_COLUMNS_DROPPED = (
    "webhook_secret",
    "webhook_hmac_enabled",
    "webhook_hmac_secret",
    "webhook_hmac_algorithm",
    "webhook_rate_limit_enabled",
    "webhook_rate_limit_requests",
    "webhook_rate_limit_window_seconds",
    "webhook_ip_whitelist_enabled",
    "webhook_ip_whitelist",
    "webhook_payload_size_limit_kb",
)
FINAL_WEBHOOK_FUNCTIONS = [
    "check_webhook_ip_whitelist(p_source_ip inet, p_whitelist text[])",
    "check_webhook_rate_limit(p_webhook_key character varying, p_max_requests integer,"
    " p_window_seconds integer)",
    "configure_trigger_webhook_ip_whitelist(p_trigger_id bigint, p_enabled boolean,"
    " p_ip_list text[])",
    "configure_trigger_webhook_rate_limit(p_trigger_id bigint, p_enabled boolean,"
    " p_requests integer, p_window_seconds integer)",
    "disable_trigger_webhook(p_trigger_id bigint)",
    "enable_trigger_webhook(p_trigger_id bigint, p_config jsonb)",
    "generate_webhook_hmac_secret()",
    "generate_webhook_key()",
    "regenerate_trigger_webhook_key(p_trigger_id bigint)",
]

REMOVE_ENTIRELY: list[tuple[str, str, tuple[Any, ...]]] = [
    ("runtime_type_enum", "SELECT to_regtype('attune.runtime_type_enum')", (None,)),
    ("runtime.runtime_type", count(column("runtime", "runtime_type")), (0,)),
    (
        "runtime_ref_format (no CHECK on runtime at all)",
        count(
            "SELECT FROM pg_constraint"
            " WHERE conrelid = 'attune.runtime'::regclass AND contype = 'c'"
        ),
        (0,),
    ),
    (
        "idx_runtime_type, idx_runtime_pack_type, idx_runtime_type_created, "
        "idx_runtime_type_sensor",
        count(
            "SELECT FROM pg_indexes WHERE schemaname = 'attune' AND indexname IN ("
            "'idx_runtime_type', 'idx_runtime_pack_type', 'idx_runtime_type_created',"
            " 'idx_runtime_type_sensor')"
        ),
        (0,),
    ),
    (
        "individual webhook columns",
        count(
            "SELECT FROM information_schema.columns"
            " WHERE table_schema = 'attune' AND table_name = 'trigger'"
            f" AND column_name IN {WEBHOOK_COLUMNS_DROPPED}"
        ),
        (0,),
    ),
    ("idx_trigger_webhook_enabled", count(index_definition("idx_trigger_webhook_enabled")), (0,)),
    (
        "workflow_task_execution table",
        "SELECT to_regclass('attune.workflow_task_execution')",
        (None,),
    ),
    (
        "runtime INSERT statements",
        "SELECT count(*), (SELECT last_value FROM pg_sequences"
        " WHERE schemaname = 'attune' AND sequencename = 'runtime_id_seq') FROM attune.runtime",
        (0, None),
    ),
    (
        "intermediate webhook function versions",
        "SELECT array_agg(p.proname || '(' || pg_get_function_identity_arguments(p.oid) || ')'"
        " ORDER BY p.proname) FROM pg_proc p"
        " WHERE p.pronamespace = 'attune'::regnamespace AND p.proname LIKE '%webhook%'",
        (FINAL_WEBHOOK_FUNCTIONS,),
    ),
]

SEED_ITEMS = [
    pytest.param(query, expected, id=f"include-{number:02d}-{item}")
    for number, (item, query, expected) in enumerate(INCLUDE_FROM_START, 1)
] + [
    pytest.param(query, expected, id=f"remove-{number}-{item}")
    for number, (item, query, expected) in enumerate(REMOVE_ENTIRELY, 1)
]


@pytest.mark.parametrize(("query", "expected"), SEED_ITEMS)
def test_seed_item(conn: Conn, query: str, expected: tuple[Any, ...]) -> None:
    """Each plan item is present (include) or absent (remove) as the consolidation requires."""
    assert one(conn, query) == expected
