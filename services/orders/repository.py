"""Loads and saves products and orders on the connection of the open unit of work."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from mesh.db.rows import as_utc
from services.orders.domain import Line, Order, OrderState, Product, Step
from services.orders.orm import order_lines_table, orders_table, products_table
from services.orders.validation import PageRequest

_products = products_table.c
_orders = orders_table.c
_lines = order_lines_table.c


def _after(columns: Any, after: tuple[datetime, str] | None) -> Any:
    """Rows listed after `after` in (create_time, id) descending order."""
    if after is None:
        return sa.true()
    at, last_id = after
    return sa.or_(
        columns.create_time < at, sa.and_(columns.create_time == at, columns.id < last_id)
    )


class ProductRepository:
    """The catalogue, and the stock each checkout reserves and releases."""

    def __init__(self, connection: AsyncConnection) -> None:
        self._connection = connection

    async def add(self, product: Product) -> None:
        await self._connection.execute(sa.insert(products_table).values(**_product_row(product)))

    async def get(self, product_id: str) -> Product | None:
        query = sa.select(products_table).where(_products.id == product_id)
        row = (await self._connection.execute(query)).first()
        return _product_of(row._mapping) if row else None

    async def get_many(self, product_ids: Iterable[str]) -> dict[str, Product]:
        query = sa.select(products_table).where(_products.id.in_(list(product_ids)))
        rows = (await self._connection.execute(query)).all()
        return {row.id: _product_of(row._mapping) for row in rows}

    async def page(self, request: PageRequest) -> list[Product]:
        """Up to `request.size + 1` products after `request.after`, newest first."""
        query = (
            sa.select(products_table)
            .where(_after(_products, request.after))
            .order_by(_products.create_time.desc(), _products.id.desc())
            .limit(request.size + 1)
        )
        return [_product_of(row._mapping) for row in (await self._connection.execute(query))]

    async def reserve(self, lines: Sequence[Line], *, now: datetime) -> list[str]:
        """Takes every line's quantity out of stock, all or nothing; returns the names of the
        products short of stock (then nothing was taken). Each decrement is conditional, so
        concurrent checkouts never take more than there is."""
        taken: list[Line] = []
        short: list[str] = []
        for line in sorted(lines, key=lambda line: line.product_id):  # one lock order
            result = await self._connection.execute(
                sa.update(products_table)
                .where(_products.id == line.product_id, _products.stock >= line.quantity)
                .values(stock=_products.stock - line.quantity, update_time=now)
            )
            if result.rowcount == 1:
                taken.append(line)
            else:
                short.append(line.display_name or line.product_id)
        if short:
            await self.release(taken, now=now)
        return short

    async def release(self, lines: Sequence[Line], *, now: datetime) -> None:
        """Puts every line's quantity back in stock."""
        for line in sorted(lines, key=lambda line: line.product_id):
            await self._connection.execute(
                sa.update(products_table)
                .where(_products.id == line.product_id)
                .values(stock=_products.stock + line.quantity, update_time=now)
            )


class OrderRepository:
    """Orders with their lines and the state of their checkout."""

    def __init__(self, connection: AsyncConnection) -> None:
        self._connection = connection

    async def add(self, order: Order) -> None:
        await self._connection.execute(sa.insert(orders_table).values(**_order_row(order)))
        await self._connection.execute(
            sa.insert(order_lines_table),
            [
                {
                    "order_id": order.id,
                    "position": position,
                    "product_id": line.product_id,
                    "display_name": line.display_name,
                    "unit_price": line.unit_price,
                    "quantity": line.quantity,
                }
                for position, line in enumerate(order.lines)
            ],
        )

    async def get(self, order_id: str, *, for_update: bool = False) -> Order | None:
        """The order, locked till the transaction ends if `for_update` (PostgreSQL)."""
        query = sa.select(orders_table).where(_orders.id == order_id)
        if for_update:
            query = query.with_for_update()
        row = (await self._connection.execute(query)).first()
        if row is None:
            return None
        lines = await self._lines_of([order_id])
        return _order_of(row._mapping, lines.get(order_id, ()))

    async def save(self, order: Order) -> None:
        """Saves what changes after placing: state, checkout and cancellation columns."""
        values = _order_row(order)
        for fixed in ("id", "owner_id", "currency_code", "total_amount", "create_time"):
            del values[fixed]
        await self._connection.execute(
            sa.update(orders_table).where(_orders.id == order.id).values(**values)
        )

    async def page(self, request: PageRequest) -> list[Order]:
        """Up to `request.size + 1` orders after `request.after`, newest first: the owner's,
        or everyone's when the request names no owner."""
        query = sa.select(orders_table).where(_after(_orders, request.after))
        if request.owner_id:
            query = query.where(_orders.owner_id == request.owner_id)
        query = query.order_by(_orders.create_time.desc(), _orders.id.desc())
        rows = (await self._connection.execute(query.limit(request.size + 1))).all()
        lines = await self._lines_of([row.id for row in rows])
        return [_order_of(row._mapping, lines.get(row.id, ())) for row in rows]

    async def due(self, now: datetime, *, limit: int) -> list[str]:
        """Ids of orders whose checkout step is due, the longest overdue first."""
        query = (
            sa.select(_orders.id)
            .where(_orders.due_time <= now, _orders.step != Step.DONE.value)
            .order_by(_orders.due_time)
            .limit(limit)
        )
        return list((await self._connection.execute(query)).scalars())

    async def _lines_of(self, order_ids: list[str]) -> dict[str, tuple[Line, ...]]:
        if not order_ids:
            return {}
        query = (
            sa.select(order_lines_table)
            .where(_lines.order_id.in_(order_ids))
            .order_by(_lines.order_id, _lines.position)
        )
        found: dict[str, list[Line]] = {}
        for row in await self._connection.execute(query):
            line = Line(row.product_id, row.quantity, row.display_name, row.unit_price)
            found.setdefault(row.order_id, []).append(line)
        return {order_id: tuple(lines) for order_id, lines in found.items()}


def _product_row(product: Product) -> dict[str, Any]:
    return {
        "id": product.id,
        "display_name": product.display_name,
        "unit_price": product.unit_price,
        "currency_code": product.currency_code,
        "stock": product.stock,
        "create_time": product.create_time,
        "update_time": product.update_time,
    }


def _product_of(row: Any) -> Product:
    return Product(
        id=row["id"],
        display_name=row["display_name"],
        unit_price=row["unit_price"],
        currency_code=row["currency_code"],
        stock=row["stock"],
        create_time=as_utc(row["create_time"]),
        update_time=as_utc(row["update_time"]),
    )


def _order_row(order: Order) -> dict[str, Any]:
    return {
        "id": order.id,
        "owner_id": order.owner_id,
        "currency_code": order.currency_code,
        "total_amount": order.total_amount,
        "payment_method_id": order.payment_method_id,
        "state": order.state.value,
        "step": order.step.value,
        "due_time": order.due_time,
        "step_attempts": order.step_attempts,
        "stock_reserved": order.stock_reserved,
        "cancel_requested": order.cancel_requested,
        "cancel_reason": order.cancel_reason,
        "cancel_message": order.cancel_message[:500],
        "payment_id": order.payment_id,
        "create_time": order.create_time,
        "update_time": order.update_time,
    }


def _order_of(row: Any, lines: tuple[Line, ...]) -> Order:
    return Order(
        id=row["id"],
        owner_id=row["owner_id"],
        lines=lines,
        currency_code=row["currency_code"],
        payment_method_id=row["payment_method_id"],
        create_time=as_utc(row["create_time"]),
        update_time=as_utc(row["update_time"]),
        state=OrderState(row["state"]),
        step=Step(row["step"]),
        due_time=as_utc(row["due_time"]) if row["due_time"] is not None else None,
        step_attempts=row["step_attempts"],
        stock_reserved=row["stock_reserved"],
        cancel_requested=row["cancel_requested"],
        cancel_reason=row["cancel_reason"],
        cancel_message=row["cancel_message"],
        payment_id=row["payment_id"],
    )
