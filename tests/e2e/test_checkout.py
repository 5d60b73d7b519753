"""The checkout saga on the whole platform (`make up`, every service its own process, the
Stripe sandbox, mail into an SMTP sink), driven through the edge."""

from __future__ import annotations

import asyncio
import collections
from collections.abc import AsyncIterator, Iterator

import httpx
import pytest

from tests.e2e.shop import (
    DECLINED,
    Shopper,
    Stack,
    admin,
    new_product,
    payments_of,
    running_stack,
    stock_of,
)
from tests.support.smtp import Received, SmtpSink
from tests.support.waiting import eventually

#: Starting the whole platform takes most of this on a busy machine.
pytestmark = pytest.mark.timeout(600)


@pytest.fixture(scope="module")
def sink() -> Iterator[SmtpSink]:
    smtp = SmtpSink()
    smtp.start()
    try:
        yield smtp
    finally:
        smtp.stop()


@pytest.fixture(scope="module")
async def stack(tmp_path_factory: pytest.TempPathFactory, sink: SmtpSink) -> AsyncIterator[Stack]:
    async with running_stack(str(tmp_path_factory.mktemp("state")), sink) as running:
        yield running


async def mails(sink: SmtpSink, email: str, subject: str, *, count: int) -> list[Received]:
    """The mails to `email` whose subject starts with `subject`, once `count` arrived (then a
    moment more, for a doubled one to show)."""
    await eventually(lambda: len(sink.messages(email, subject=subject)) >= count, timeout_s=30)
    await asyncio.sleep(1)  # a doubled delivery would land within this
    return sink.messages(email, subject=subject)


async def test_a_paid_order_is_confirmed_with_its_stock_taken_one_receipt_and_one_mail(
    stack: Stack, sink: SmtpSink
) -> None:
    async with httpx.AsyncClient(base_url=stack.edge, timeout=30) as http:
        staff = await admin(http)
        buyer = await Shopper.sign_up(http)
        product_id = await new_product(staff, stock=5, unit_price=1250)

        order_id = await buyer.place(product_id, quantity=2)
        order = await buyer.settled(order_id)

        assert order["state"] == "ORDER_STATE_CONFIRMED", order
        assert (order["totalAmount"], order["currencyCode"]) == ("2500", "EUR")
        assert order["checkoutStep"] == "CHECKOUT_STEP_DONE"
        assert await stock_of(buyer, product_id) == 3
        [payment] = await payments_of(staff, {order_id})
        assert (payment["state"], payment["amount"], payment["userId"]) == (
            "PAYMENT_STATE_SUCCEEDED",
            "2500",
            buyer.user_id,
        )
        assert len(await mails(sink, buyer.email, "Payment received", count=1)) == 1
        [confirmation] = await mails(sink, buyer.email, "Order confirmed", count=1)
        assert "€25.00" in confirmation.subject  # the buyer's locale (en) writes the amount
        assert order_id in confirmation.part("plain")


async def test_a_declined_card_cancels_the_order_with_the_reason_and_returns_the_stock(
    stack: Stack, sink: SmtpSink
) -> None:
    async with httpx.AsyncClient(base_url=stack.edge, timeout=30) as http:
        staff = await admin(http)
        buyer = await Shopper.sign_up(http)
        product_id = await new_product(staff, stock=3)

        order_id = await buyer.place(product_id, quantity=3, card=DECLINED)
        order = await buyer.settled(order_id)

        assert order["state"] == "ORDER_STATE_CANCELLED", order
        assert order["cancelReason"] == "PAYMENT_DECLINED"
        assert "declined" in order["cancelMessage"]
        assert await stock_of(buyer, product_id) == 3
        [payment] = await payments_of(staff, {order_id})
        assert payment["state"] == "PAYMENT_STATE_FAILED"  # final: nothing open, nothing taken
        [mail] = await mails(sink, buyer.email, "Order cancelled", count=1)
        assert "declined" in mail.part("plain")
        assert sink.messages(buyer.email, subject="Payment received") == []


async def test_orders_are_the_buyers_own_staff_see_all_and_a_confirmed_one_stays(
    stack: Stack,
) -> None:
    async with httpx.AsyncClient(base_url=stack.edge, timeout=30) as http:
        staff = await admin(http)
        buyer, other = await Shopper.sign_up(http), await Shopper.sign_up(http)
        product_id = await new_product(staff, stock=2)
        order_id = await buyer.place(product_id)
        await buyer.settled(order_id)

        mine = await buyer.call("GET", "/v1/orders")
        assert [o["id"] for o in mine["orders"]] == [order_id]
        assert (await other.call("GET", "/v1/orders")).get("orders", []) == []
        hidden = await other.http.get(f"/v1/orders/{order_id}", headers=other.headers)
        assert (hidden.status_code, hidden.json()["error"]["status"]) == (404, "NOT_FOUND")
        everyone = await staff.call("GET", "/v1/orders", params={"ownerId": buyer.user_id})
        assert [o["id"] for o in everyone["orders"]] == [order_id]
        late = await buyer.http.post(
            f"/v1/orders/{order_id}:cancel", json={}, headers=buyer.headers
        )
        assert late.status_code == 400 or late.status_code == 409, late.text
        assert late.json()["error"]["details"][0]["reason"] == "ORDER_NOT_CANCELLABLE"
        refused = await buyer.http.post("/v1/products", json={}, headers=buyer.headers)
        assert refused.status_code == 403


async def test_a_bad_order_names_each_field_and_changes_nothing(stack: Stack) -> None:
    async with httpx.AsyncClient(base_url=stack.edge, timeout=30) as http:
        staff = await admin(http)
        buyer = await Shopper.sign_up(http)
        product_id = await new_product(staff, stock=1)
        body = {"lines": [{"productId": product_id, "quantity": 0}], "paymentMethodId": ""}

        reply = await http.post("/v1/orders", json=body, headers=buyer.headers)

        assert reply.status_code == 400, reply.text
        violations = reply.json()["error"]["details"][1]["fieldViolations"]
        assert [v["field"] for v in violations] == [
            "order.lines[0].quantity",
            "order.paymentMethodId",  # the edge names fields as the JSON does
        ]
        assert (await buyer.call("GET", "/v1/orders")).get("orders", []) == []
        assert await stock_of(buyer, product_id) == 1


async def test_the_last_ten_in_stock_go_to_ten_of_fifty_concurrent_checkouts(
    stack: Stack,
) -> None:
    await _last_ten_of_fifty(stack)


async def _last_ten_of_fifty(stack: Stack) -> None:
    async with httpx.AsyncClient(base_url=stack.edge, timeout=60) as http:
        staff = await admin(http)
        buyers = [await Shopper.sign_up(http) for _ in range(5)]
        product_id = await new_product(staff, stock=10, unit_price=700)

        order_ids = await asyncio.gather(*(buyers[i % 5].place(product_id) for i in range(50)))
        orders = await asyncio.gather(
            *(
                buyers[i % 5].settled(order_id, timeout_s=300)
                for i, order_id in enumerate(order_ids)
            )
        )

        states = collections.Counter(order["state"] for order in orders)
        assert states == {"ORDER_STATE_CONFIRMED": 10, "ORDER_STATE_CANCELLED": 40}
        reasons = {o["cancelReason"] for o in orders if o["state"] == "ORDER_STATE_CANCELLED"}
        assert reasons == {"OUT_OF_STOCK"}
        assert await stock_of(staff, product_id) == 0
        payments = await payments_of(staff, set(order_ids))
        confirmed = {o["id"] for o in orders if o["state"] == "ORDER_STATE_CONFIRMED"}
        assert sorted(p["metadata"]["order_id"] for p in payments) == sorted(confirmed)
        assert {p["state"] for p in payments} == {"PAYMENT_STATE_SUCCEEDED"}
        assert sum(int(p["amount"]) for p in payments) == 10 * 700
