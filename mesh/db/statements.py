"""Statements the two databases spell differently, written once for both."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite


def insert_if_new(
    dialect: str, table: sa.Table, row: Mapping[str, Any] | Sequence[Mapping[str, Any]]
) -> postgresql.Insert | sqlite.Insert:
    """INSERT of `row` (or of several rows in one statement) that does nothing for a row that
    would break a unique key (for one row, its result's rowcount says whether it was new; add
    ``.returning(...)`` to learn which of several were): ON CONFLICT DO NOTHING on PostgreSQL
    and SQLite."""
    values = dict(row) if isinstance(row, Mapping) else [dict(r) for r in row]
    if dialect == "postgresql":
        return postgresql.insert(table).values(values).on_conflict_do_nothing()
    if dialect == "sqlite":
        return sqlite.insert(table).values(values).on_conflict_do_nothing()
    raise ValueError(f"insert_if_new supports PostgreSQL and SQLite, not {dialect}")
