"""50 concurrent checkouts of the last 10 in stock, on SQLite and PostgreSQL: 10 confirmed,
40 cancelled as out of stock, no unit sold twice, money taken for the 10 only."""

from __future__ import annotations

import asyncio
import collections

import pytest

from meshwork.orders.v1 import resources_pb2
from meshwork.payments.v1 import payments_service_pb2 as payments_pb
from meshwork.payments.v1 import resources_pb2 as payments_resources
from tests.integration.orders.conftest import Shop
from tests.support.tokens import Callers

pytestmark = pytest.mark.timeout(300)

BUYERS = [f"u-{index}" for index in range(5)]


async def test_the_last_ten_go_to_ten_of_fifty_concurrent_checkouts(
    shop: Shop, payments_stub, payments_callers: Callers
) -> None:
    product_id = await shop.product(stock=10, unit_price=700)

    placed = await asyncio.gather(
        *(shop.place(BUYERS[index % 5], (product_id, 1)) for index in range(50))
    )
    orders = await asyncio.gather(*(shop.settled(order.owner_id, order.id) for order in placed))

    states = collections.Counter(resources_pb2.OrderState.Name(order.state) for order in orders)
    assert states == {"ORDER_STATE_CONFIRMED": 10, "ORDER_STATE_CANCELLED": 40}
    cancelled = [order for order in orders if order.state == resources_pb2.ORDER_STATE_CANCELLED]
    assert {order.cancel_reason for order in cancelled} == {"OUT_OF_STOCK"}
    assert all(order.payment_id == "" for order in cancelled)
    assert await shop.stock(product_id) == 0
    payments = []
    for buyer in BUYERS:
        reply = await payments_stub.ListPayments(
            payments_pb.ListPaymentsRequest(user_id=buyer), metadata=payments_callers.admin()
        )
        payments += list(reply.payments)
    confirmed = sorted(o.id for o in orders if o.state == resources_pb2.ORDER_STATE_CONFIRMED)
    assert sorted(p.metadata["order_id"] for p in payments) == confirmed
    assert {p.state for p in payments} == {payments_resources.PAYMENT_STATE_SUCCEEDED}
    assert sum(p.amount for p in payments) == 10 * 700
