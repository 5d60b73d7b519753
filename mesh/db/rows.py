"""Rows ↔ the records a repository loads and saves, and the newest-first page query.

Every service stores flat dataclasses (a job, a message, a receipt) a column per field, enums
by value, times in UTC; these helpers are that mapping, written once::

    await connection.execute(sa.insert(jobs_table).values(**row_of(job)))
    job = record_of(Job, row._mapping, payload=dict(row.payload))

    after = page.after_time_and_id()
    query = newest_first(sa.select(jobs_table), jobs.create_time, jobs.id, after, size=page.size)
"""

from __future__ import annotations

import dataclasses
import enum
import functools
import types
import typing
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any, TypeVar

import sqlalchemy as sa

T = TypeVar("T")
SelectT = TypeVar("SelectT", bound=sa.Select[Any])


@typing.overload
def as_utc(moment: datetime) -> datetime: ...
@typing.overload
def as_utc(moment: None) -> None: ...
def as_utc(moment: datetime | None) -> datetime | None:
    """A stored time as an aware UTC datetime: SQLite hands them back naive (they were written
    in UTC); None stays None."""
    if moment is None or moment.tzinfo is not None:
        return moment
    return moment.replace(tzinfo=UTC)


def row_of(record: Any, *, leave_out: tuple[str, ...] = ()) -> dict[str, Any]:
    """The column values of a flat dataclass: a column per field (but `leave_out`), enum
    members stored by their value."""
    return {
        field.name: _stored(getattr(record, field.name))
        for field in dataclasses.fields(record)
        if field.name not in leave_out
    }


def record_of(kind: type[T], row: Mapping[Any, Any], **given: Any) -> T:
    """A flat dataclass from its row: each field from the column of its name, enum fields
    as members, datetime fields in UTC; `given` supplies the fields stored otherwise."""
    values = {
        name: convert(row[name]) for name, convert in _loaders(kind).items() if name not in given
    }
    return kind(**values, **given)


def newest_first(
    query: SelectT,
    time: sa.ColumnElement[datetime],
    ident: sa.ColumnElement[str],
    after: tuple[datetime, str] | None,
    *,
    size: int,
) -> SelectT:
    """`query` newest first by (time, id), from after the (time, id) position `after` (None:
    from the start), one more row than `size` (it tells whether another page follows)."""
    query = query.order_by(time.desc(), ident.desc())
    if after is not None:
        query = query.where(sa.tuple_(time, ident) < after)  # a row value: indexes seek to it
    return query.limit(size + 1)


def _stored(value: Any) -> Any:
    return value.value if isinstance(value, enum.Enum) else value


Loaders = dict[str, typing.Callable[[Any], Any]]
_loaders_of: dict[type[Any], Loaders] = {}


def _loaders(kind: type[Any]) -> Loaders:
    """Per field of `kind` (init fields only), how its column's value becomes the field's."""
    if kind not in _loaders_of:
        hints = typing.get_type_hints(kind)
        fields = dataclasses.fields(kind)
        _loaders_of[kind] = {f.name: _loader(hints[f.name]) for f in fields if f.init}
    return _loaders_of[kind]


def _loader(hint: Any) -> typing.Callable[[Any], Any]:
    members = typing.get_args(hint) if _is_union(hint) else (hint,)
    for member in members:
        if isinstance(member, type) and issubclass(member, enum.Enum):
            return functools.partial(_enum_or_none, member)
        if member is datetime:
            return as_utc
    return _unchanged


def _is_union(hint: Any) -> bool:
    return typing.get_origin(hint) in (typing.Union, types.UnionType)


def _enum_or_none(kind: type[enum.Enum], value: Any) -> Any:
    return None if value is None else kind(value)


def _unchanged(value: Any) -> Any:
    return value
