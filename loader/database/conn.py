"""The connection every database stage takes, named once."""

from __future__ import annotations

from typing import Any

import psycopg

Conn = psycopg.Connection[Any]
