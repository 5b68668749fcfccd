"""The service's OpenAPI document, served at /v1/openapi.json and committed as
docs/openapi.json (``python scripts/gen_openapi.py`` rewrites it; a test compares).
The report's schema is written from docs/report-format.md, and the tests validate
real responses against it."""

from __future__ import annotations

from typing import Any

from loader.report import AbsentPolicy, Action, Severity
from loader.report.report import REPORT_FORMAT_VERSION
from loader.service.inputs import MAX_LOCK_TIMEOUT_S

Schema = dict[str, Any]


def _ref(name: str) -> Schema:
    return {"$ref": f"#/components/schemas/{name}"}


def _json(schema: Schema, description: str) -> Schema:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def _schemas() -> dict[str, Schema]:
    nullable_int = {"type": ["integer", "null"]}
    return {
        "Error": {
            "type": "object",
            "required": ["code", "message", "hint"],
            "properties": {
                "code": {"type": "string", "description": "stable: what kind of failure"},
                "message": {"type": "string"},
                "hint": {"type": ["string", "null"]},
            },
        },
        "Refusal": {
            "type": "object",
            "required": ["error"],
            "properties": {"error": _ref("Error")},
        },
        "Diagnostic": {
            "type": "object",
            "required": ["file", "line", "column", "code", "severity", "message", "hint"],
            "properties": {
                "file": {"type": "string"},
                "line": nullable_int,
                "column": nullable_int,
                "code": {"type": "string"},
                "severity": {"enum": [s.value for s in Severity]},
                "message": {"type": "string"},
                "hint": {"type": ["string", "null"]},
            },
        },
        "Change": {
            "type": "object",
            "required": ["kind", "ref", "pack", "action", "fields"],
            "properties": {
                "kind": {"type": "string"},
                "ref": {"type": "string"},
                "pack": {"type": ["string", "null"]},
                "action": {"enum": [a.value for a in Action]},
                "fields": {"type": "array", "items": {"type": "string"}},
            },
        },
        "Report": {
            "description": "The report `--output json` prints (docs/report-format.md); "
            "`error` is there when a run stopped on a failure that is not about a pack",
            "type": "object",
            "required": [
                "format_version",
                "command",
                "ok",
                "applied",
                "packs",
                "files_checked",
                "from_cache",
                "strict",
                "summary",
                "counts",
                "changes",
                "diagnostics",
            ],
            "properties": {
                "format_version": {"const": REPORT_FORMAT_VERSION},
                "command": {"enum": ["validate", "plan", "load"]},
                "ok": {"type": "boolean"},
                "applied": {"type": "boolean"},
                "packs": {"type": "array", "items": {"type": "string"}},
                "files_checked": {"type": "integer"},
                "from_cache": {"type": "boolean"},
                "strict": {"type": "boolean"},
                "summary": {
                    "type": "object",
                    "required": ["errors", "warnings", "notes", "changes"],
                    "additionalProperties": {"type": "integer"},
                },
                "counts": {
                    "type": "object",
                    "additionalProperties": {
                        "type": "object",
                        "additionalProperties": {"type": "integer"},
                    },
                },
                "changes": {"type": "array", "items": _ref("Change")},
                "diagnostics": {"type": "array", "items": _ref("Diagnostic")},
                "error": {"oneOf": [{"type": "null"}, _ref("Error")]},
            },
        },
        "LoadedPack": {
            "type": "object",
            "required": ["ref", "label", "version", "created", "last_loaded", "components"],
            "properties": {
                "ref": {"type": "string"},
                "label": {"type": "string"},
                "version": {"type": "string"},
                "created": {"type": "string", "format": "date-time"},
                "last_loaded": {
                    "type": "string",
                    "format": "date-time",
                    "description": "when a load last changed one of the pack's rows",
                },
                "components": {
                    "type": "object",
                    "description": "rows the pack owns, per kind",
                    "additionalProperties": {"type": "integer"},
                },
            },
        },
        "Readiness": {
            "type": "object",
            "required": ["ready", "reason"],
            "properties": {
                "ready": {"type": "boolean"},
                "reason": {"type": ["string", "null"]},
                "migrations": {
                    "type": "object",
                    "description": "migrations per state: applied, pending, modified, "
                    "missing, failed",
                    "additionalProperties": {"type": "integer"},
                },
            },
        },
    }


_OPTIONS: dict[str, Schema] = {
    "absent": {
        "enum": [p.value for p in AbsentPolicy],
        "default": "remove",
        "description": "what happens to components a pack owns but no longer declares",
    },
    "dry_run": {"type": "boolean", "default": False, "description": "plan; write nothing"},
    "strict": {
        "type": "boolean",
        "default": False,
        "description": "warnings fail the run too (notes never do); nothing is written",
    },
    "lock_timeout": {
        "type": "number",
        "exclusiveMinimum": 0,
        "maximum": MAX_LOCK_TIMEOUT_S,
        "description": "seconds to wait for another loader of the same packs",
    },
}


def _run_operation(command: str, options: tuple[str, ...], summary: str) -> Schema:
    directories = {
        "oneOf": [
            {"type": "array", "items": {"type": "string"}},
            {
                "type": "object",
                "required": ["paths"],
                "properties": {
                    "paths": {"type": "array", "items": {"type": "string"}},
                    **{name: _OPTIONS[name] for name in options},
                },
                "additionalProperties": False,
            },
        ],
        "description": "pack directories on the server, under one of its --pack-root "
        "folders (a relative path is taken under the first root that holds it)",
    }
    archive = {"type": "string", "format": "binary"}
    responses = {
        "200": _json(_ref("Report"), "the run finished: ok (a plan may list pending changes)"),
        "400": _json(_ref("Refusal"), "a bad option"),
        "401": _json(_ref("Refusal"), "no valid bearer token"),
        "403": _json(_ref("Refusal"), "a directory outside the allowed pack roots"),
        "413": _json(_ref("Refusal"), "the body is over the budget"),
        "415": _json(_ref("Refusal"), "a body of another type"),
        "422": _json(_ref("Report"), "a pack or an archive is invalid: nothing was written"),
    }
    if command != "validate":
        responses |= {
            "409": _json(_ref("Report"), "a conflict: a component belongs to another pack "
                         "or an operator; nothing was written"),
            "423": _json(_ref("Report"), "another loader held the packs' locks too long"),
            "503": _json(_ref("Report"), "the database is unreachable or failed, or the "
                         "service stopped the run while shutting down; nothing was written"),
        }  # fmt: skip
    return {
        "post": {
            "summary": summary,
            "operationId": command,
            "parameters": [
                {"name": name, "in": "query", "required": False, "schema": _OPTIONS[name]}
                for name in options
            ],
            "requestBody": {
                "required": True,
                "content": {
                    "application/gzip": {"schema": archive},
                    "application/zip": {"schema": archive},
                    "application/octet-stream": {"schema": archive},
                    "multipart/form-data": {
                        "schema": {
                            "type": "object",
                            "description": "every file part is a pack archive; other "
                            "fields are options",
                            "additionalProperties": archive,
                        }
                    },
                    "application/json": {"schema": directories},
                },
            },
            "responses": responses,
        }
    }


def _get(summary: str, responses: dict[str, Schema], secured: bool = True) -> Schema:
    operation: Schema = {"summary": summary, "responses": responses}
    if not secured:
        operation["security"] = []
    return {"get": operation}


def document() -> Schema:
    unauthorized = {"401": _json(_ref("Refusal"), "no valid bearer token")}
    unavailable = {"503": _json(_ref("Refusal"), "the database is unreachable")}
    packs = {"type": "object", "required": ["packs"],
             "properties": {"packs": {"type": "array", "items": _ref("LoadedPack")}}}  # fmt: skip
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "attune-loader service",
            "version": "1",
            "description": "Validate, plan and load Attune packs; answers with the report "
            "the CLI prints (docs/service.md).",
        },
        "security": [{"bearer": []}],
        "paths": {
            "/v1/validate": _run_operation("validate", ("strict",), "Check packs, no database"),
            "/v1/plan": _run_operation(
                "plan", ("absent", "strict", "lock_timeout"), "What a load would change"
            ),
            "/v1/load": _run_operation(
                "load",
                ("absent", "dry_run", "strict", "lock_timeout"),
                "Validate, plan and write in one transaction",
            ),
            "/v1/packs": _get(
                "The packs loaded", {"200": _json(packs, "by ref")} | unauthorized | unavailable
            ),
            "/v1/packs/{ref}": {
                "parameters": [
                    {"name": "ref", "in": "path", "required": True, "schema": {"type": "string"}}
                ],
                **_get(
                    "One loaded pack",
                    {
                        "200": _json(_ref("LoadedPack"), "the pack"),
                        "404": _json(_ref("Refusal"), "no such pack is loaded"),
                    }
                    | unauthorized
                    | unavailable,
                ),
            },
            "/healthz": _get(
                "The process is up",
                {"200": _json({"type": "object"}, "always, while the process serves")},
                secured=False,
            ),
            "/readyz": _get(
                "The database answers and its migrations equal the shipped ones",
                {
                    "200": _json(_ref("Readiness"), "ready"),
                    "503": _json(_ref("Readiness"), "not ready, and why"),
                },
                secured=False,
            ),
            "/metrics": _get(
                "Prometheus text format",
                {
                    "200": {
                        "description": "requests, runs by outcome, durations, rows written, "
                        "lock waits",
                        "content": {"text/plain": {"schema": {"type": "string"}}},
                    }
                }
                | unauthorized,
            ),
            "/v1/openapi.json": _get(
                "This document", {"200": _json({"type": "object"}, "OpenAPI 3.1")} | unauthorized
            ),
        },
        "components": {
            "schemas": _schemas(),
            "securitySchemes": {
                "bearer": {
                    "type": "http",
                    "scheme": "bearer",
                    "description": "a token from the service's --token-file or "
                    "$ATTUNE_LOADER_TOKENS; none needed when it serves only loopback or a "
                    "Unix socket without tokens",
                }
            },
        },
    }
