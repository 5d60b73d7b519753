"""Loads and saves payments, refunds and customers on the open unit of work's connection."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from mesh.db.rows import as_utc, newest_first, record_of, row_of
from mesh.paging import Page
from services.payments.domain import (
    Payment,
    PaymentState,
    Refund,
    RefundState,
    WebhookReceipt,
)
from services.payments.money import Money
from services.payments.orm import (
    customers_table,
    payments_table,
    refunds_table,
    webhook_receipts_table,
)
from services.payments.validation import ReceiptQuery

_p, _r, _w = payments_table.c, refunds_table.c, webhook_receipts_table.c


class PaymentRepository:
    """The payments and refunds tables seen as collections of `Payment`s and `Refund`s."""

    def __init__(self, connection: AsyncConnection) -> None:
        self._connection = connection

    async def get(self, payment_id: str, *, for_update: bool = False) -> Payment | None:
        return await self._one(_p.id == payment_id, for_update)

    async def by_provider_id(self, provider_id: str) -> Payment | None:
        return await self._one(_p.provider_payment_id == provider_id, True)

    async def _one(self, where: sa.ColumnElement[bool], for_update: bool) -> Payment | None:
        query = sa.select(payments_table).where(where)
        if for_update:
            query = query.with_for_update()
        row = (await self._connection.execute(query)).first()
        return _payment_of(row._mapping) if row else None

    async def add(self, payment: Payment) -> None:
        await self._connection.execute(sa.insert(payments_table).values(**_payment_row(payment)))

    async def save(self, payment: Payment) -> None:
        values = _payment_row(payment)
        del values["id"], values["create_time"]
        await self._connection.execute(
            sa.update(payments_table).where(_p.id == payment.id).values(**values)
        )

    async def payments(self, page: Page, user_id: str, state: PaymentState | None) -> list[Payment]:
        """Up to `page.size + 1` payments after the page's position, newest first."""
        filters = [_p.user_id == user_id] if user_id else []
        if state is not None:
            filters.append(_p.state == state.value)
        query = sa.select(payments_table).where(*filters)
        after = page.after_time_and_id()
        query = newest_first(query, _p.create_time, _p.id, after, size=page.size)
        rows = await self._connection.execute(query)
        return [_payment_of(row._mapping) for row in rows]

    async def refunds(self, page: Page, payment_id: str, state: RefundState | None) -> list[Refund]:
        """Up to `page.size + 1` refunds (of one payment, or of all for ""), newest first."""
        filters = [_r.payment_id == payment_id] if payment_id else []
        if state is not None:
            filters.append(_r.state == state.value)
        query = sa.select(refunds_table).where(*filters)
        after = page.after_time_and_id()
        query = newest_first(query, _r.create_time, _r.id, after, size=page.size)
        rows = await self._connection.execute(query)
        return [_refund_of(row._mapping) for row in rows]

    async def add_refund(self, refund: Refund) -> None:
        await self._connection.execute(sa.insert(refunds_table).values(**_refund_row(refund)))

    async def save_refund(self, refund: Refund) -> None:
        values = _refund_row(refund)
        await self._connection.execute(
            sa.update(refunds_table).where(_r.id == refund.id).values(**values)
        )

    async def refund(self, payment_id: str, refund_id: str) -> Refund | None:
        query = sa.select(refunds_table).where(_r.id == refund_id, _r.payment_id == payment_id)
        row = (await self._connection.execute(query)).first()
        return _refund_of(row._mapping) if row else None

    async def refund_by_provider_id(self, provider_id: str) -> Refund | None:
        query = sa.select(refunds_table).where(_r.provider_refund_id == provider_id)
        row = (await self._connection.execute(query.with_for_update())).first()
        return _refund_of(row._mapping) if row else None

    async def customer(self, user_id: str) -> tuple[str, str, datetime] | None:
        """(customer id, provider customer id, create time) of the user, if they have one."""
        c = customers_table.c
        query = sa.select(c.id, c.provider_customer_id, c.create_time).where(c.user_id == user_id)
        row = (await self._connection.execute(query)).first()
        return (row.id, row.provider_customer_id, as_utc(row.create_time)) if row else None

    async def add_customer(
        self, user_id: str, customer_id: str, provider_id: str, now: datetime
    ) -> None:
        values = {"user_id": user_id, "id": customer_id, "provider_customer_id": provider_id}
        await self._connection.execute(sa.insert(customers_table).values(**values, create_time=now))


class ReceiptRepository:
    """The webhook receipts table: one row per provider event id."""

    def __init__(self, connection: AsyncConnection) -> None:
        self._connection = connection

    async def by_event(self, provider_event_id: str) -> WebhookReceipt | None:
        query = sa.select(webhook_receipts_table).where(_w.provider_event_id == provider_event_id)
        row = (await self._connection.execute(query.with_for_update())).first()
        return record_of(WebhookReceipt, row._mapping) if row else None

    async def get(self, receipt_id: str) -> WebhookReceipt | None:
        query = sa.select(webhook_receipts_table).where(_w.id == receipt_id)
        row = (await self._connection.execute(query)).first()
        return record_of(WebhookReceipt, row._mapping) if row else None

    async def receipts(self, wanted: ReceiptQuery) -> list[WebhookReceipt]:
        """Up to `page.size + 1` receipts matching the query's filters, newest first."""
        filters = [_w.state == wanted.state.value] if wanted.state is not None else []
        if wanted.event_type:
            filters.append(_w.event_type == wanted.event_type)
        if wanted.payment_id:
            filters.append(_w.payment_id == wanted.payment_id)
        query = sa.select(webhook_receipts_table).where(*filters)
        after, size = wanted.page.after_time_and_id(), wanted.page.size
        query = newest_first(query, _w.receive_time, _w.id, after, size=size)
        return [
            record_of(WebhookReceipt, row._mapping) for row in await self._connection.execute(query)
        ]

    async def add(self, receipt: WebhookReceipt) -> None:
        await self._connection.execute(sa.insert(webhook_receipts_table).values(**row_of(receipt)))

    async def save(self, receipt: WebhookReceipt) -> None:
        values = row_of(receipt)
        await self._connection.execute(
            sa.update(webhook_receipts_table).where(_w.id == receipt.id).values(**values)
        )


def _payment_row(payment: Payment) -> dict[str, Any]:
    money = {"amount": payment.money.amount, "currency_code": payment.money.currency_code}
    provider_id = payment.provider_payment_id or None  # unique, so NULL until known
    return row_of(payment, leave_out=("money",)) | money | {"provider_payment_id": provider_id}


def _payment_of(row: Any) -> Payment:
    return record_of(
        Payment,
        row,
        money=Money(row["amount"], row["currency_code"]),
        metadata=dict(row["metadata"]),
        provider_payment_id=row["provider_payment_id"] or "",
    )


def _refund_row(refund: Refund) -> dict[str, Any]:
    money = {"amount": refund.money.amount, "currency_code": refund.money.currency_code}
    provider_id = refund.provider_refund_id or None
    return row_of(refund, leave_out=("money",)) | money | {"provider_refund_id": provider_id}


def _refund_of(row: Any) -> Refund:
    return record_of(
        Refund,
        row,
        money=Money(row["amount"], row["currency_code"]),
        provider_refund_id=row["provider_refund_id"] or "",
    )
