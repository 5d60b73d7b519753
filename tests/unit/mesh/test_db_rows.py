"""Rows ↔ records: enums by value, times back in UTC, and the newest-first page query."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa

from mesh.db.rows import as_utc, newest_first, record_of, row_of

T0 = datetime(2026, 1, 1, tzinfo=UTC)


class Colour(enum.Enum):
    RED = "red"
    BLUE = "blue"


@dataclass
class Paint:
    id: str
    colour: Colour
    create_time: datetime
    previous: Colour | None = None
    dry_time: datetime | None = None
    coats: int = 1


def test_a_record_round_trips_through_its_row_with_enums_stored_by_value() -> None:
    paint = Paint("p-1", Colour.RED, T0, previous=Colour.BLUE, coats=2)

    row = row_of(paint)

    assert row == {
        "id": "p-1",
        "colour": "red",
        "create_time": T0,
        "previous": "blue",
        "dry_time": None,
        "coats": 2,
    }
    assert record_of(Paint, row) == paint


def test_naive_times_from_sqlite_come_back_in_utc_and_none_stays_none() -> None:
    naive = T0.replace(tzinfo=None)
    row = {**row_of(Paint("p-1", Colour.RED, T0)), "create_time": naive, "dry_time": naive}

    paint = record_of(Paint, row)

    assert paint.create_time == T0 and paint.create_time.tzinfo is UTC
    assert paint.dry_time == T0 and paint.previous is None
    assert as_utc(None) is None


def test_given_fields_replace_their_columns_and_left_out_fields_have_none() -> None:
    row = row_of(Paint("p-1", Colour.RED, T0), leave_out=("coats", "id"))

    paint = record_of(Paint, {**row, "id": "ignored"}, id="p-2", coats=3)

    assert "coats" not in row and "id" not in row
    assert (paint.id, paint.coats) == ("p-2", 3)


def test_newest_first_pages_by_time_then_id_after_the_last_seen() -> None:
    table = sa.Table(
        "paints",
        sa.MetaData(),
        sa.Column("id", sa.String, primary_key=True),
        sa.Column("create_time", sa.DateTime(timezone=True)),
    )
    engine = sa.create_engine("sqlite://")
    rows = [("a", T0), ("b", T0), ("c", T0 + timedelta(seconds=1)), ("d", T0 - timedelta(1))]
    with engine.begin() as connection:
        table.create(connection)
        connection.execute(table.insert(), [{"id": i, "create_time": t} for i, t in rows])
        first = connection.execute(
            newest_first(sa.select(table.c.id), table.c.create_time, table.c.id, None, size=2)
        ).scalars()
        after = newest_first(
            sa.select(table.c.id), table.c.create_time, table.c.id, (T0, "b"), size=2
        )
        second = connection.execute(after).scalars()

        assert list(first) == ["c", "b", "a"]  # one more than the page: another follows
        assert list(second) == ["a", "d"]
