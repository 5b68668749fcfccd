"""The migrations carry no data: no DML at top level or inside DO blocks.

Function bodies may contain DML (they run later, when called), so CREATE FUNCTION is not
inspected. DO blocks run at migration time, so their PL/pgSQL is parsed and every embedded query
is checked, including string constants that dynamic EXECUTE would run.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from pglast import parser

from loader import MIGRATIONS_DIR

DATA_STATEMENTS = frozenset(
    {"InsertStmt", "UpdateStmt", "DeleteStmt", "TruncateStmt", "CopyStmt", "MergeStmt"}
)
# Nodes whose contents run later, not while migrating.
DEFERRED = frozenset({"CreateFunctionStmt"})
# PL/pgSQL expression parse modes: 0 is a whole statement, 3-5 are "target := expression".
STATEMENT_MODE = 0
ASSIGN_MODES = frozenset({3, 4, 5})
# format() placeholders replaced so that a dynamic statement template parses.
PLACEHOLDERS = {"%I": "x", "%L": "NULL", "%s": "x", "%%": "%"}

MIGRATION_FILES = sorted(MIGRATIONS_DIR.glob("*.sql"))


def walk(tree: object) -> Iterator[tuple[str, object]]:
    """Yield every (key, value) of a JSON parse tree, not descending into deferred nodes."""
    if isinstance(tree, dict):
        for key, value in tree.items():
            if key in DEFERRED:
                continue
            yield key, value
            yield from walk(value)
    elif isinstance(tree, list):
        for item in tree:
            yield from walk(item)


def data_nodes(sql_text: str) -> list[str]:
    """Names of the data statements anywhere in ``sql_text``; empty if it does not parse."""
    try:
        tree = json.loads(parser.parse_sql_json(sql_text))
    except parser.ParseError:
        return []
    return [key for key, _ in walk(tree) if key in DATA_STATEMENTS]


def expression_as_statement(query: str, mode: int) -> str:
    """Turn a PL/pgSQL expression into a statement the SQL parser accepts."""
    if mode == STATEMENT_MODE:
        return query
    if mode in ASSIGN_MODES:
        query = re.split(r":=|=", query, maxsplit=1)[1]
    return f"SELECT {query}"


def dynamic_sql(statement: str) -> Iterator[str]:
    """String constants of a statement, with format() placeholders filled in."""
    tree = json.loads(parser.parse_sql_json(statement))
    for key, value in walk(tree):
        if key == "sval" and isinstance(value, str):
            yield re.sub(
                "|".join(map(re.escape, PLACEHOLDERS)), lambda m: PLACEHOLDERS[m[0]], value
            )


def do_block_findings(do_statement: str) -> list[str]:
    """Data statements that a DO block runs, statically or through dynamic EXECUTE."""
    findings: list[str] = []
    tree = json.loads(parser.parse_plpgsql_json(do_statement))
    for key, value in walk(tree):
        if key != "PLpgSQL_expr" or not isinstance(value, dict):
            continue
        statement = expression_as_statement(value["query"], value.get("parseMode", 0))
        findings += [f"DO block: {node}" for node in data_nodes(statement)]
        for text in dynamic_sql(statement):
            findings += [f"DO block, dynamic SQL: {node}" for node in data_nodes(text)]
    return findings


def find_data_statements(sql_text: str) -> list[str]:
    """Describe every data statement run at migration time by ``sql_text``."""
    source = sql_text.encode("utf-8")
    findings: list[str] = []
    for raw in json.loads(parser.parse_sql_json(sql_text))["stmts"]:
        start = raw.get("stmt_location", 0)
        length = raw.get("stmt_len") or len(source) - start
        for key, _ in walk(raw["stmt"]):
            if key in DATA_STATEMENTS:
                findings.append(f"top level: {key}")
            elif key == "DoStmt":
                findings += do_block_findings(source[start : start + length].decode("utf-8"))
    return findings


def test_there_are_migrations() -> None:
    """The migrations directory holds the consolidated set (so the checks below run)."""
    assert len(MIGRATION_FILES) >= 9


@pytest.mark.parametrize("path", MIGRATION_FILES, ids=lambda p: p.name)
def test_migration_has_no_data_statements(path: Path) -> None:
    """A migration neither writes rows at top level nor inside a DO block."""
    assert find_data_statements(path.read_text(encoding="utf-8")) == []


@pytest.mark.parametrize(
    ("sql_text", "expected"),
    [
        ("INSERT INTO attune.runtime (ref) VALUES ('core.python');", ["top level: InsertStmt"]),
        ("TRUNCATE attune.runtime;", ["top level: TruncateStmt"]),
        ("COPY attune.runtime FROM STDIN;", ["top level: CopyStmt"]),
        (
            "WITH gone AS (DELETE FROM attune.runtime RETURNING id) SELECT count(*) FROM gone;",
            ["top level: DeleteStmt"],
        ),
        (
            "MERGE INTO attune.pack p USING attune.pack q ON p.id = q.id "
            "WHEN MATCHED THEN DO NOTHING;",
            ["top level: MergeStmt"],
        ),
        (
            "DO $$ BEGIN INSERT INTO attune.runtime (ref) VALUES ('core.shell'); END $$;",
            ["DO block: InsertStmt"],
        ),
        (
            "DO $$ BEGIN IF true THEN UPDATE attune.runtime SET name = 'x'; END IF; END $$;",
            ["DO block: UpdateStmt"],
        ),
        (
            "DO $$ BEGIN EXECUTE format('DELETE FROM %I.%I', 'attune', 'runtime'); END $$;",
            ["DO block, dynamic SQL: DeleteStmt"],
        ),
        (
            "DO $do$ DECLARE n int; BEGIN n := (SELECT 1);"
            " EXECUTE 'TRUNCATE attune.pack'; END $do$;",
            ["DO block, dynamic SQL: TruncateStmt"],
        ),
    ],
)
def test_checker_flags_data_statements(sql_text: str, expected: list[str]) -> None:
    """The checker reports DML at top level, in DO blocks and in their dynamic SQL."""
    assert find_data_statements(sql_text) == expected


def test_checker_allows_dml_in_function_bodies_and_ddl_in_do_blocks() -> None:
    """Function bodies may write rows, and a DO block may run DDL, without being flagged."""
    sql_text = """
        CREATE FUNCTION attune.f() RETURNS void LANGUAGE plpgsql AS $$
        BEGIN INSERT INTO attune.runtime (ref) VALUES ('x'); END $$;
        CREATE FUNCTION attune.g() RETURNS void LANGUAGE sql
        BEGIN ATOMIC DELETE FROM attune.runtime; END;
        DO $$ BEGIN
            IF TG_OP = 'UPDATE' THEN RAISE NOTICE 'update'; END IF;
            EXECUTE format('GRANT SELECT ON attune.pack TO %I', 'svc_attune');
        END $$;
    """
    assert find_data_statements(sql_text) == []
