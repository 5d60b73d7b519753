"""Loads and saves payments, refunds and customers on the open unit of work's connection."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from mesh.paging import Page
from services.payments.domain import (
    Payment,
    PaymentState,
    ReceiptState,
    Refund,
    RefundReason,
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
        rows = await self._connection.execute(
            newest_first(payments_table, _p.create_time, page, filters)
        )
        return [_payment_of(row._mapping) for row in rows]

    async def refunds(self, page: Page, payment_id: str, state: RefundState | None) -> list[Refund]:
        """Up to `page.size + 1` refunds (of one payment, or of all for ""), newest first."""
        filters = [_r.payment_id == payment_id] if payment_id else []
        if state is not None:
            filters.append(_r.state == state.value)
        rows = await self._connection.execute(
            newest_first(refunds_table, _r.create_time, page, filters)
        )
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
        return (row.id, row.provider_customer_id, _utc(row.create_time)) if row else None

    async def add_customer(
        self, user_id: str, customer_id: str, provider_id: str, now: datetime
    ) -> None:
        values = {"user_id": user_id, "id": customer_id, "provider_customer_id": provider_id}
        await self._connection.execute(sa.insert(customers_table).values(**values, create_time=now))


def newest_first(
    table: sa.Table, time: sa.ColumnElement[datetime], page: Page, filters: list[Any]
) -> sa.Select[Any]:
    """The rows of `table` matching `filters` after the page's (time, id) position, newest
    first, one more than the page holds (it tells whether another page follows)."""
    ids = table.c.id
    query = sa.select(table).where(*filters).order_by(time.desc(), ids.desc())
    after = page.after_time_and_id()
    if after is not None:
        at, last = after
        query = query.where(sa.or_(time < at, sa.and_(time == at, ids < last)))
    return query.limit(page.size + 1)


class ReceiptRepository:
    """The webhook receipts table: one row per provider event id."""

    def __init__(self, connection: AsyncConnection) -> None:
        self._connection = connection

    async def by_event(self, provider_event_id: str) -> WebhookReceipt | None:
        query = sa.select(webhook_receipts_table).where(_w.provider_event_id == provider_event_id)
        row = (await self._connection.execute(query.with_for_update())).first()
        return _receipt_of(row._mapping) if row else None

    async def get(self, receipt_id: str) -> WebhookReceipt | None:
        query = sa.select(webhook_receipts_table).where(_w.id == receipt_id)
        row = (await self._connection.execute(query)).first()
        return _receipt_of(row._mapping) if row else None

    async def receipts(self, wanted: ReceiptQuery) -> list[WebhookReceipt]:
        """Up to `page.size + 1` receipts matching the query's filters, newest first."""
        filters = [_w.state == wanted.state.value] if wanted.state is not None else []
        if wanted.event_type:
            filters.append(_w.event_type == wanted.event_type)
        if wanted.payment_id:
            filters.append(_w.payment_id == wanted.payment_id)
        query = newest_first(webhook_receipts_table, _w.receive_time, wanted.page, filters)
        return [_receipt_of(row._mapping) for row in await self._connection.execute(query)]

    async def add(self, receipt: WebhookReceipt) -> None:
        await self._connection.execute(
            sa.insert(webhook_receipts_table).values(**_receipt_row(receipt))
        )

    async def save(self, receipt: WebhookReceipt) -> None:
        values = _receipt_row(receipt)
        await self._connection.execute(
            sa.update(webhook_receipts_table).where(_w.id == receipt.id).values(**values)
        )


def _receipt_row(receipt: WebhookReceipt) -> dict[str, Any]:
    return {
        "id": receipt.id,
        "provider_event_id": receipt.provider_event_id,
        "event_type": receipt.event_type,
        "state": receipt.state.value,
        "payment_id": receipt.payment_id,
        "refund_id": receipt.refund_id,
        "error": receipt.error,
        "delivery_count": receipt.delivery_count,
        "receive_time": receipt.receive_time,
        "process_time": receipt.process_time,
    }


def _receipt_of(row: Any) -> WebhookReceipt:
    return WebhookReceipt(
        id=row["id"],
        provider_event_id=row["provider_event_id"],
        event_type=row["event_type"],
        receive_time=_utc(row["receive_time"]),
        state=ReceiptState(row["state"]),
        payment_id=row["payment_id"],
        refund_id=row["refund_id"],
        error=row["error"],
        delivery_count=row["delivery_count"],
        process_time=_utc(row["process_time"]) if row["process_time"] else None,
    )


def _payment_row(payment: Payment) -> dict[str, Any]:
    return {
        "id": payment.id,
        "user_id": payment.user_id,
        "amount": payment.money.amount,
        "currency_code": payment.money.currency_code,
        "description": payment.description,
        "payment_method_id": payment.payment_method_id,
        "metadata": payment.metadata,
        "state": payment.state.value,
        "amount_refunded": payment.amount_refunded,
        "customer_id": payment.customer_id,
        "provider_payment_id": payment.provider_payment_id or None,
        "client_secret": payment.client_secret,
        "failure_code": payment.failure_code,
        "failure_message": payment.failure_message,
        "create_time": payment.create_time,
        "update_time": payment.update_time,
    }


def _payment_of(row: Any) -> Payment:
    return Payment(
        id=row["id"],
        user_id=row["user_id"],
        money=Money(row["amount"], row["currency_code"]),
        create_time=_utc(row["create_time"]),
        update_time=_utc(row["update_time"]),
        description=row["description"],
        payment_method_id=row["payment_method_id"],
        metadata=dict(row["metadata"]),
        state=PaymentState(row["state"]),
        amount_refunded=row["amount_refunded"],
        customer_id=row["customer_id"],
        provider_payment_id=row["provider_payment_id"] or "",
        client_secret=row["client_secret"],
        failure_code=row["failure_code"],
        failure_message=row["failure_message"],
    )


def _refund_row(refund: Refund) -> dict[str, Any]:
    return {
        "id": refund.id,
        "payment_id": refund.payment_id,
        "user_id": refund.user_id,
        "amount": refund.money.amount,
        "currency_code": refund.money.currency_code,
        "reason": refund.reason.value,
        "note": refund.note,
        "state": refund.state.value,
        "requested_by": refund.requested_by,
        "provider_refund_id": refund.provider_refund_id or None,
        "failure_message": refund.failure_message,
        "create_time": refund.create_time,
        "update_time": refund.update_time,
    }


def _refund_of(row: Any) -> Refund:
    return Refund(
        id=row["id"],
        payment_id=row["payment_id"],
        user_id=row["user_id"],
        money=Money(row["amount"], row["currency_code"]),
        reason=RefundReason(row["reason"]),
        requested_by=row["requested_by"],
        create_time=_utc(row["create_time"]),
        update_time=_utc(row["update_time"]),
        note=row["note"],
        state=RefundState(row["state"]),
        provider_refund_id=row["provider_refund_id"] or "",
        failure_message=row["failure_message"],
    )


def _utc(moment: datetime) -> datetime:
    """SQLite hands back naive datetimes; every stored time is UTC."""
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)
