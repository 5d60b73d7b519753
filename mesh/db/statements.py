"""Statements the two databases spell differently, written once for both."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite


def insert_if_new(dialect: str, table: sa.Table, row: Mapping[str, Any]) -> sa.Executable:
    """INSERT of `row` that does nothing when it would break a unique key (its result's
    rowcount says whether it was new): ON CONFLICT DO NOTHING on PostgreSQL and SQLite."""
    if dialect == "postgresql":
        return postgresql.insert(table).values(dict(row)).on_conflict_do_nothing()
    if dialect == "sqlite":
        return sqlite.insert(table).values(dict(row)).on_conflict_do_nothing()
    raise ValueError(f"insert_if_new supports PostgreSQL and SQLite, not {dialect}")
