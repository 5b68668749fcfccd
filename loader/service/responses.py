"""HTTP statuses and bodies: the report the CLI prints, with a status that says its
outcome; an ``error`` object when a run stopped or a request was refused."""

from __future__ import annotations

from typing import Any

from starlette.responses import JSONResponse

from loader.errors import ExitCode, LoaderError
from loader.report import Report
from loader.report.report import Failure

# The CLI's exit code of an outcome -> the HTTP status of the same outcome.
STATUS_OF_EXIT = {
    ExitCode.OK: 200,
    ExitCode.CHANGES_PENDING: 200,  # the CLI exits 3 only when asked to (--detailed-exitcode)
    ExitCode.INVALID: 422,
    ExitCode.USAGE: 400,
    ExitCode.CONFLICT: 409,
    ExitCode.LOCK_TIMEOUT: 423,
    ExitCode.DATABASE: 503,
}


def report_response(report: Report) -> JSONResponse:
    return JSONResponse(report.to_json(), STATUS_OF_EXIT[report.exit_code])


def stopped_response(
    command: str, exc: LoaderError, message: str, code: str | None = None
) -> JSONResponse:
    """A run that a LoaderError stopped: the command's report, nothing in it, with
    ``ok: false`` and the error (``message`` is the exception's, passwords removed;
    ``code`` by default the exception's own)."""
    failure = Failure(code or exc.code, message, exc.hint)
    body = Report(command=command, error=failure).to_json()
    return JSONResponse(body, STATUS_OF_EXIT[exc.exit_code])


def error_response(status: int, code: str, message: str, hint: str | None = None) -> JSONResponse:
    """A request refused before any run: ``{"error": {code, message, hint}}``."""
    return JSONResponse({"error": _error(code, message, hint)}, status)


def _error(code: str, message: str, hint: str | None) -> dict[str, Any]:
    return {"code": code, "message": message, "hint": hint}
