"""Connections, and what a database failure means for the person who hit it.

Every connection is opened here without server-side prepared statements: a pooler in
transaction mode (PgBouncer) may sit in between, and a statement prepared on one
server session is unknown on the next. Failures become :class:`DatabaseError`s that
say what happened, what was (not) written and what to do, by error class, never by
message text; their messages hold no password (see :func:`loader.errors.redact`).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import ExitStack, contextmanager

import psycopg
from psycopg import errors

from loader.database.conn import Conn, ConnectionSource
from loader.errors import DatabaseError, LoaderError

_PASSWORD_HINT = (
    "check the user and password; libpq reads the password from PGPASSWORD, ~/.pgpass "
    "(or PGPASSFILE) or a service file (PGSERVICE), which keep it out of the URL"
)


def connect(conninfo: str, *, autocommit: bool = False) -> Conn:
    """A connection to ``conninfo``, or a DatabaseError saying why there is none."""
    try:
        return psycopg.connect(conninfo, autocommit=autocommit, prepare_threshold=None)
    except psycopg.Error as exc:
        raise _unreachable(exc) from exc


@contextmanager
def lent(source: ConnectionSource) -> Iterator[Conn]:
    """A connection from ``source`` for the block; a source that cannot give one (a
    pool whose server is down, say) is an unreachable database, as :func:`connect`."""
    with ExitStack() as stack:
        try:
            conn = stack.enter_context(source())
        except psycopg.Error as exc:
            raise _unreachable(exc) from exc
        yield conn


def direct(conninfo: str) -> ConnectionSource:
    """A new connection (:func:`connect`) for each block, closed at its end."""
    return lambda: connect(conninfo)


def _unreachable(exc: psycopg.Error) -> DatabaseError:
    reason = _first_lines(exc)
    if "password authentication failed" in reason or "no password supplied" in reason:
        hint = _PASSWORD_HINT
    elif "does not exist" in reason:
        hint = "check the database and role names in the URL, or create them"
    else:
        hint = (
            "is the server running and reachable at that host and port? Check "
            "--database-url / DATABASE_URL, or unset both to use the embedded database"
        )
    return DatabaseError(
        f"cannot connect to the database: {reason}", hint, code="database.unreachable"
    )


def failure(exc: psycopg.Error, conn: Conn, doing: str, *, committing: bool = False) -> LoaderError:
    """What a failed statement of ``doing`` (e.g. "the load") means, as one error."""
    if conn.broken or isinstance(exc, errors.AdminShutdown | errors.ConnectionFailure):
        return _lost(exc, doing, committing)
    if isinstance(exc, errors.InsufficientPrivilege):
        role = _current_role(conn)
        return DatabaseError(
            f"permission denied: role '{role}' may not do what {doing} needs: "
            f"{_primary(exc)}; nothing was written",
            f"grant '{role}' the privilege named, or run {doing} as a role that has it "
            "(migrations run as the schema owner; loads need SELECT, INSERT, UPDATE and "
            "DELETE on schema attune's tables and TEMPORARY on the database)",
            code="database.permission",
        )
    return DatabaseError(
        f"the database failed during {doing}: {_primary(exc)}; nothing was written",
        "see the server's log for details",
    )


def _current_role(conn: Conn) -> str:
    """The role the refused statement ran as (``SET ROLE`` and ``options=-c role=``
    included); the login role when the server cannot say any more."""
    try:
        if conn.info.transaction_status == psycopg.pq.TransactionStatus.INERROR:
            conn.rollback()
        row = conn.execute("SELECT current_user").fetchone()
        return str(row[0]) if row else conn.info.user
    except psycopg.Error:
        return conn.info.user


def _lost(exc: psycopg.Error, doing: str, committing: bool) -> DatabaseError:
    if committing:
        return DatabaseError(
            f"the connection to the database was lost while committing {doing}: "
            f"{_first_lines(exc)}; whether it was written is unknown",
            "run it again: a load is idempotent and writes only what is still missing",
            code="database.connection-lost",
        )
    return DatabaseError(
        f"the connection to the database was lost during {doing}: {_first_lines(exc)}; "
        "nothing was written (the transaction was not committed)",
        "running it again is safe once the server is back",
        code="database.connection-lost",
    )


def _primary(exc: psycopg.Error) -> str:
    return exc.diag.message_primary or _first_lines(exc)


def _first_lines(exc: psycopg.Error) -> str:
    """libpq's message without its trailing newline, on one line."""
    return " ".join(line.strip() for line in str(exc).strip().splitlines() if line.strip())
