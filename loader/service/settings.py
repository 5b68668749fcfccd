"""What the service is started with, and the rules about it that hold before it
listens: a token is required unless only this host can connect."""

from __future__ import annotations

import ipaddress
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from loader.errors import ExitCode, LoaderError

TOKENS_VARIABLE = "ATTUNE_LOADER_TOKENS"
MIN_TOKEN_LENGTH = 16
MiB = 1024 * 1024


class SettingsError(LoaderError):
    """The service cannot start as configured."""

    exit_code = ExitCode.USAGE


@dataclass(frozen=True)
class Settings:
    conninfo: str
    tokens: tuple[str, ...] = ()
    pack_roots: tuple[Path, ...] = ()  # server-side pack directories must lie under one
    max_body_bytes: int = 64 * MiB
    pool_size: int = 10
    pool_timeout_s: float = 10.0  # the wait for a free connection
    ready_timeout_s: float = 2.0  # /readyz answers within about this long
    grace_s: float = 20.0  # on SIGTERM, loads in progress may finish within this long
    lock_timeout_s: float = 30.0  # when a request names none
    secrets: tuple[str, ...] = field(default=(), repr=False)  # never shown: see redact.py


def read_tokens(token_file: Path | None, env: Mapping[str, str] | None = None) -> tuple[str, ...]:
    """Tokens from ``token_file`` (one a line; blank lines and ``#`` comments skipped)
    and from $ATTUNE_LOADER_TOKENS (separated by commas or white space)."""
    env = os.environ if env is None else env
    found: list[str] = []
    if token_file is not None:
        try:
            lines = token_file.read_text().splitlines()
        except OSError as exc:
            raise SettingsError(f"cannot read the token file: {exc.strerror}") from exc
        found += [s for line in lines if (s := line.strip()) and not s.startswith("#")]
    found += env.get(TOKENS_VARIABLE, "").replace(",", " ").split()
    short = [t for t in found if len(t) < MIN_TOKEN_LENGTH]
    if short:
        raise SettingsError(
            f"{len(short)} token(s) shorter than {MIN_TOKEN_LENGTH} characters",
            hint="make them long and random: "
            "python3 -c 'import secrets; print(secrets.token_urlsafe())'",
        )
    return tuple(dict.fromkeys(found))


def require_token_unless_local(tokens: tuple[str, ...], address: str | None) -> None:
    """Without a token, serve only a Unix socket (``address`` None) or a loopback
    address: anyone who can reach the port could otherwise load packs."""
    if tokens or address is None or ipaddress.ip_address(address).is_loopback:
        return
    raise SettingsError(
        f"refusing to listen on {address} without a token",
        hint=f"give --token-file or ${TOKENS_VARIABLE}, or listen on 127.0.0.1 or a Unix socket",
    )
