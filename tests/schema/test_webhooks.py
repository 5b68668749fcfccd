"""Webhook functions: key and secret generators, management, configuration and request checks."""

from __future__ import annotations

import re
from collections import Counter
from typing import Any

import psycopg
import pytest
from psycopg.types.json import Jsonb

from loader.database.conn import Conn
from loader.database.migrate import runner
from tests.helpers import rows
from tests.helpers.sql import error_message, one

KEY_FORMAT = re.compile(r"^wh_[a-z0-9]{32}$")
KEYS_SAMPLED = 3000
URL_BASE = "http://localhost:8080/api/v1/webhooks/"


def webhook_columns(conn: Conn, trigger_id: int) -> tuple[Any, ...]:
    """(webhook_enabled, webhook_key, webhook_config) of a trigger."""
    return one(
        conn,
        "SELECT webhook_enabled, webhook_key, webhook_config FROM attune.trigger WHERE id = %s",
        [trigger_id],
    )


def test_generated_keys_have_the_documented_format(conn: Conn) -> None:
    """Every key is wh_ plus exactly 32 characters of [a-z0-9], and keys do not repeat."""
    keys = [
        key
        for (key,) in conn.execute(
            "SELECT attune.generate_webhook_key() FROM generate_series(1, %s)", [KEYS_SAMPLED]
        )
    ]
    assert [key for key in keys if not KEY_FORMAT.match(key)] == []
    assert len(set(keys)) == KEYS_SAMPLED


def test_generated_key_characters_are_uniform(conn: Conn) -> None:
    """All 36 characters occur and digits get their fair share (10/36), unlike base64 folding."""
    (text,) = one(
        conn,
        "SELECT string_agg(substr(attune.generate_webhook_key(), 4), '')"
        " FROM generate_series(1, %s)",
        [KEYS_SAMPLED],
    )
    counts = Counter(text)
    digit_share = sum(counts[d] for d in "0123456789") / len(text)
    assert len(counts) == 36
    assert 0.25 < digit_share < 0.31


def test_hmac_secret_is_128_hex_characters(conn: Conn) -> None:
    """The HMAC secret is 128 lowercase hexadecimal characters."""
    secrets = [
        s
        for (s,) in conn.execute(
            "SELECT attune.generate_webhook_hmac_secret() FROM generate_series(1, 50)"
        )
    ]
    assert all(re.fullmatch(r"[0-9a-f]{128}", s) for s in secrets)
    assert len(set(secrets)) == 50


def test_generators_work_with_any_search_path(conn: Conn) -> None:
    """pgcrypto's gen_random_bytes is found even when the caller's path lacks schema attune."""
    conn.execute("SET search_path = public")
    (key,) = one(conn, "SELECT attune.generate_webhook_key()")
    (secret,) = one(conn, "SELECT attune.generate_webhook_hmac_secret()")
    assert KEY_FORMAT.match(key)
    assert len(secret) == 128


def test_generators_find_pgcrypto_installed_elsewhere(empty_database_url: str) -> None:
    """When pgcrypto predates the migrations in schema public, the generators still work."""
    with psycopg.connect(empty_database_url, autocommit=True) as admin:
        admin.execute("CREATE EXTENSION pgcrypto SCHEMA public")
    runner.migrate(empty_database_url)
    with psycopg.connect(empty_database_url, autocommit=True) as conn:
        conn.execute("SET search_path = pg_catalog")
        (key,) = one(conn, "SELECT attune.generate_webhook_key()")
        (schema,) = one(
            conn,
            "SELECT extnamespace::regnamespace::text FROM pg_extension WHERE extname = 'pgcrypto'",
        )
    assert (schema, bool(KEY_FORMAT.match(key))) == ("public", True)


def test_enable_generates_key_and_replaces_config(conn: Conn) -> None:
    """Enabling sets the flag, generates a key, stores p_config as given and returns the URL."""
    trigger_id = rows.trigger(conn, webhook_config=Jsonb({"old": True}))
    enabled, key, url = one(
        conn, "SELECT * FROM attune.enable_trigger_webhook(%s, %s)", [trigger_id, Jsonb({"a": 1})]
    )
    assert (enabled, bool(KEY_FORMAT.match(key)), url) == (True, True, URL_BASE + key)
    assert webhook_columns(conn, trigger_id) == (True, key, {"a": 1})


def test_enable_keeps_existing_key_and_defaults_config(conn: Conn) -> None:
    """Enabling again keeps the key; without p_config the config becomes an empty object."""
    trigger_id = rows.trigger(conn, webhook_key="wh_" + "a" * 32)
    _, key, _ = one(conn, "SELECT * FROM attune.enable_trigger_webhook(%s)", [trigger_id])
    assert key == "wh_" + "a" * 32
    assert webhook_columns(conn, trigger_id) == (True, key, {})


def test_enable_with_null_config_stores_null(conn: Conn) -> None:
    """p_config is stored as given, SQL NULL included."""
    trigger_id = rows.trigger(conn)
    conn.execute("SELECT attune.enable_trigger_webhook(%s, NULL)", [trigger_id])
    assert webhook_columns(conn, trigger_id)[2] is None


@pytest.mark.parametrize(
    "call",
    [
        "SELECT attune.enable_trigger_webhook(%s)",
        "SELECT attune.disable_trigger_webhook(%s)",
        "SELECT attune.regenerate_trigger_webhook_key(%s)",
    ],
)
def test_management_functions_reject_unknown_trigger(conn: Conn, call: str) -> None:
    """Enable, disable and regenerate name the missing trigger."""
    assert error_message(conn, call, [424242]) == "Trigger with id 424242 does not exist"


def test_disable_revokes_key_and_keeps_config(conn: Conn) -> None:
    """Disabling clears the flag and the key, keeps webhook_config and returns true."""
    trigger_id = rows.trigger(conn)
    conn.execute("SELECT attune.enable_trigger_webhook(%s, %s)", [trigger_id, Jsonb({"a": 1})])
    assert one(conn, "SELECT attune.disable_trigger_webhook(%s)", [trigger_id]) == (True,)
    assert webhook_columns(conn, trigger_id) == (False, None, {"a": 1})


def test_regenerate_replaces_key(conn: Conn) -> None:
    """Regenerating stores and returns a new key and reports the old one revoked."""
    trigger_id = rows.trigger(conn)
    _, old_key, _ = one(conn, "SELECT * FROM attune.enable_trigger_webhook(%s)", [trigger_id])
    new_key, revoked = one(
        conn, "SELECT * FROM attune.regenerate_trigger_webhook_key(%s)", [trigger_id]
    )
    assert (new_key != old_key, bool(KEY_FORMAT.match(new_key)), revoked) == (True, True, True)
    assert webhook_columns(conn, trigger_id)[1] == new_key


def test_regenerate_refuses_disabled_trigger(conn: Conn) -> None:
    """A trigger without an enabled webhook gets no new key."""
    trigger_id = rows.trigger(conn)
    message = error_message(conn, "SELECT attune.regenerate_trigger_webhook_key(%s)", [trigger_id])
    assert message == f"Webhooks are not enabled for trigger {trigger_id}"


def test_configure_rate_limit_writes_config_and_echoes(conn: Conn) -> None:
    """The rate limit lands in webhook_config.rate_limit, other keys kept; the row echoes it."""
    trigger_id = rows.trigger(conn, webhook_config=Jsonb({"hmac": {"enabled": False}}))
    echo = one(
        conn,
        "SELECT * FROM attune.configure_trigger_webhook_rate_limit(%s, true, 20, 30)",
        [trigger_id],
    )
    assert echo == (True, 20, 30)
    assert webhook_columns(conn, trigger_id)[2] == {
        "hmac": {"enabled": False},
        "rate_limit": {"enabled": True, "requests": 20, "window_seconds": 30},
    }


def test_configure_rate_limit_defaults(conn: Conn) -> None:
    """Without requests and window the defaults are 100 requests per 60 seconds."""
    trigger_id = rows.trigger(conn, webhook_config=None)
    echo = one(
        conn, "SELECT * FROM attune.configure_trigger_webhook_rate_limit(%s, false)", [trigger_id]
    )
    assert echo == (False, 100, 60)
    assert webhook_columns(conn, trigger_id)[2] == {
        "rate_limit": {"enabled": False, "requests": 100, "window_seconds": 60}
    }


@pytest.mark.parametrize(
    ("requests", "window", "message"),
    [
        (0, 60, "Rate limit requests must be between 1 and 10000"),
        (10001, 60, "Rate limit requests must be between 1 and 10000"),
        (100, 0, "Rate limit window must be between 1 and 3600 seconds"),
        (100, 3601, "Rate limit window must be between 1 and 3600 seconds"),
    ],
)
def test_configure_rate_limit_validates(
    conn: Conn, requests: int, window: int, message: str
) -> None:
    """Out-of-range settings are refused with the documented messages."""
    trigger_id = rows.trigger(conn)
    call = "SELECT attune.configure_trigger_webhook_rate_limit(%s, true, %s, %s)"
    assert error_message(conn, call, [trigger_id, requests, window]) == message


@pytest.mark.parametrize(
    "call",
    [
        "SELECT attune.configure_trigger_webhook_rate_limit(%s, true)",
        "SELECT attune.configure_trigger_webhook_ip_whitelist(%s, true)",
    ],
)
def test_configure_rejects_unknown_trigger(conn: Conn, call: str) -> None:
    """Both configure functions report a missing trigger as not found."""
    assert error_message(conn, call, [424242]) == "Trigger with id 424242 not found"


def test_configure_ip_whitelist_writes_config_and_echoes(conn: Conn) -> None:
    """The list lands in webhook_config.ip_whitelist, other keys kept; the row echoes it."""
    trigger_id = rows.trigger(conn, webhook_config=Jsonb({"rate_limit": {"enabled": True}}))
    echo = one(
        conn,
        "SELECT * FROM attune.configure_trigger_webhook_ip_whitelist(%s, true, %s)",
        [trigger_id, ["10.0.0.0/8", "192.168.1.5"]],
    )
    assert echo == (True, ["10.0.0.0/8", "192.168.1.5"])
    assert webhook_columns(conn, trigger_id)[2] == {
        "rate_limit": {"enabled": True},
        "ip_whitelist": {"enabled": True, "ips": ["10.0.0.0/8", "192.168.1.5"]},
    }


def test_configure_ip_whitelist_defaults_to_empty_list(conn: Conn) -> None:
    """Without a list, an empty list is stored and echoed."""
    trigger_id = rows.trigger(conn)
    echo = one(
        conn, "SELECT * FROM attune.configure_trigger_webhook_ip_whitelist(%s, false)", [trigger_id]
    )
    assert echo == (False, [])
    assert webhook_columns(conn, trigger_id)[2] == {"ip_whitelist": {"enabled": False, "ips": []}}


def test_rate_limit_counts_requests_in_a_bucket(conn: Conn) -> None:
    """With a limit of 2, the third request in the same bucket is refused."""
    with conn.transaction():  # one now(), hence one bucket
        results = [
            one(conn, "SELECT attune.check_webhook_rate_limit('wh_k', 2, 3600)")[0]
            for _ in range(3)
        ]
        bucket = one(
            conn,
            "SELECT request_count, window_start = date_trunc('hour', now())"
            " FROM attune.webhook_rate_limit WHERE webhook_key = 'wh_k'",
        )
    assert results == [True, True, False]
    assert bucket == (3, True)


def test_rate_limit_prunes_old_buckets(conn: Conn) -> None:
    """Buckets older than one hour, of any key, are deleted by the next check."""
    conn.execute(
        "INSERT INTO attune.webhook_rate_limit (webhook_key, window_start)"
        " VALUES ('wh_old', now() - interval '2 hours'),"
        " ('wh_recent', now() - interval '10 minutes')"
    )
    conn.execute("SELECT attune.check_webhook_rate_limit('wh_new', 10, 60)")
    keys = {k for (k,) in conn.execute("SELECT webhook_key FROM attune.webhook_rate_limit")}
    assert keys == {"wh_recent", "wh_new"}


def test_rate_limit_zero_window_is_an_error(conn: Conn) -> None:
    """A zero-second window divides by zero."""
    with pytest.raises(psycopg.errors.DivisionByZero):
        conn.execute("SELECT attune.check_webhook_rate_limit('wh_k', 2, 0)")


@pytest.mark.parametrize(
    ("source_ip", "whitelist", "allowed"),
    [
        ("10.1.2.3", None, False),
        ("10.1.2.3", [], False),
        ("10.1.2.3", ["10.1.2.3"], True),
        ("10.1.2.3", ["192.168.0.1", "10.0.0.0/8"], True),
        ("10.1.2.3", ["10.1.2.4", "192.168.0.0/16"], False),
        ("2001:db8::1", ["2001:db8::/32"], True),
    ],
)
def test_ip_whitelist_check(
    conn: Conn, source_ip: str, whitelist: list[str] | None, allowed: bool
) -> None:
    """Addresses and CIDR blocks allow; an empty or missing list denies."""
    query = "SELECT attune.check_webhook_ip_whitelist(%s::inet, %s::text[])"
    assert one(conn, query, [source_ip, whitelist]) == (allowed,)


def test_ip_whitelist_check_rejects_invalid_entry(conn: Conn) -> None:
    """An entry that is not an address raises instead of silently denying."""
    with pytest.raises(psycopg.errors.InvalidTextRepresentation):
        conn.execute("SELECT attune.check_webhook_ip_whitelist('10.0.0.1', ARRAY['nope'])")
