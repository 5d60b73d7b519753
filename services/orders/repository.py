"""Loads and saves Orders aggregates on the connection of the open unit of work."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from services.orders.domain import Details, Orders
from services.orders.orm import orderses_table
from services.orders.validation import PageRequest

_orderses = orderses_table.c


class OrdersRepository:
    """The orderses table seen as a collection of `Orders`s."""

    def __init__(self, connection: AsyncConnection) -> None:
        self._connection = connection

    async def get(self, orders_id: str, *, for_update: bool = False) -> Orders | None:
        """The orders, locked till the transaction ends if `for_update` (PostgreSQL)."""
        query = sa.select(orderses_table).where(_orderses.id == orders_id)
        if for_update:
            query = query.with_for_update()
        row = (await self._connection.execute(query)).first()
        return _orders_of(row._mapping) if row else None

    async def add(self, orders: Orders) -> None:
        await self._connection.execute(sa.insert(orderses_table).values(**_row_of(orders)))

    async def save(self, orders: Orders) -> None:
        values = _row_of(orders)
        del values["id"], values["create_time"]
        await self._connection.execute(
            sa.update(orderses_table).where(_orderses.id == orders.id).values(**values)
        )

    async def delete(self, orders_id: str) -> None:
        await self._connection.execute(sa.delete(orderses_table).where(_orderses.id == orders_id))

    async def list(self, request: PageRequest) -> list[Orders]:
        """Up to `request.size + 1` of the owner's orderses after `request.after`, newest
        first (the extra one tells whether another page follows)."""
        query = (
            sa.select(orderses_table)
            .where(_orderses.owner_id == request.owner_id)
            .order_by(_orderses.create_time.desc(), _orderses.id.desc())
        )
        if request.after is not None:
            at, last_id = request.after
            query = query.where(
                sa.or_(
                    _orderses.create_time < at,
                    sa.and_(_orderses.create_time == at, _orderses.id < last_id),
                )
            )
        rows = (await self._connection.execute(query.limit(request.size + 1))).all()
        return [_orders_of(row._mapping) for row in rows]


def _row_of(orders: Orders) -> dict[str, Any]:
    return {
        "id": orders.id,
        "owner_id": orders.owner_id,
        "display_name": orders.details.display_name,
        "description": orders.details.description,
        "create_time": orders.create_time,
        "update_time": orders.update_time,
    }


def _orders_of(row: Any) -> Orders:
    return Orders(
        id=row["id"],
        owner_id=row["owner_id"],
        create_time=_utc(row["create_time"]),
        update_time=_utc(row["update_time"]),
        details=Details(display_name=row["display_name"], description=row["description"]),
    )


def _utc(moment: datetime) -> datetime:
    """SQLite hands back naive datetimes; every stored time is UTC."""
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)
