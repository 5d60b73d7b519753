"""Checkout against the real payments service and Stripe sandbox: confirmation, decline,
cancellation and timeout of an open payment, and the refund compensation."""

from __future__ import annotations

import grpc
import pytest

from mesh.clock import utc_now
from mesh.service import RunningService
from meshwork.orders.v1 import orders_service_pb2 as pb
from meshwork.orders.v1 import resources_pb2
from meshwork.payments.v1 import payments_service_pb2 as payments_pb
from meshwork.payments.v1 import payments_service_pb2_grpc
from meshwork.payments.v1 import resources_pb2 as payments_resources
from services.orders.checkout import PaymentsGateway
from services.orders.domain import Line, Order, PaymentStatus
from tests.integration.orders.conftest import OrdersOptions, Shop, reason_of, violations_of
from tests.support.tokens import Callers

CONFIRMED = resources_pb2.ORDER_STATE_CONFIRMED
CANCELLED = resources_pb2.ORDER_STATE_CANCELLED
AUTHENTICATION = "pm_card_authenticationRequired"


async def payment_of(
    stub: payments_service_pb2_grpc.PaymentsServiceStub, callers: Callers, payment_id: str
) -> payments_resources.Payment:
    reply = await stub.GetPayment(
        payments_pb.GetPaymentRequest(payment_id=payment_id), metadata=callers.admin()
    )
    return reply.payment


async def test_a_paid_order_is_confirmed_and_its_stock_taken(
    shop: Shop, payments_stub, payments_callers: Callers
) -> None:
    product_id = await shop.product(stock=5)

    placed = await shop.place("u-1", (product_id, 2))
    order = await shop.settled("u-1", placed.id)

    assert (placed.state, placed.total_amount, placed.currency_code) == (
        resources_pb2.ORDER_STATE_PENDING,
        2500,
        "EUR",
    )
    assert order.state == CONFIRMED
    assert await shop.stock(product_id) == 3
    payment = await payment_of(payments_stub, payments_callers, order.payment_id)
    assert (payment.state, payment.amount, payment.user_id) == (
        payments_resources.PAYMENT_STATE_SUCCEEDED,
        2500,
        "u-1",
    )
    assert payment.metadata["order_id"] == order.id


async def test_a_declined_card_cancels_with_the_reason_and_returns_the_stock(shop: Shop) -> None:
    product_id = await shop.product(stock=2)

    placed = await shop.place("u-1", (product_id, 2), card="pm_card_chargeDeclined")
    order = await shop.settled("u-1", placed.id)

    assert (order.state, order.cancel_reason) == (CANCELLED, "PAYMENT_DECLINED")
    assert "declined" in order.cancel_message
    assert await shop.stock(product_id) == 2


async def test_more_than_in_stock_is_cancelled_without_a_payment(shop: Shop) -> None:
    product_id = await shop.product(stock=1)

    order = await shop.settled("u-1", (await shop.place("u-1", (product_id, 2))).id)

    assert (order.state, order.cancel_reason, order.payment_id) == (CANCELLED, "OUT_OF_STOCK", "")
    assert await shop.stock(product_id) == 1


async def test_cancelling_while_the_payment_awaits_authentication_cancels_the_payment(
    shop: Shop, payments_stub, payments_callers: Callers
) -> None:
    product_id = await shop.product(stock=3)
    placed = await shop.place("u-1", (product_id, 1), card=AUTHENTICATION)
    waiting = await shop.when(
        "u-1", placed.id, lambda o: o.checkout_step == resources_pb2.CHECKOUT_STEP_AWAIT_PAYMENT
    )
    assert await shop.stock(product_id) == 2

    await shop.stub.CancelOrder(
        pb.CancelOrderRequest(order_id=placed.id), metadata=shop.callers.user("u-1")
    )
    order = await shop.settled("u-1", placed.id)

    assert (order.state, order.cancel_reason) == (CANCELLED, "CANCELLED_BY_USER")
    assert await shop.stock(product_id) == 3
    payment = await payment_of(payments_stub, payments_callers, waiting.payment_id)
    assert payment.state == payments_resources.PAYMENT_STATE_CANCELLED


@pytest.mark.parametrize("orders_options", [OrdersOptions(payment_timeout_s=1.0)])
async def test_a_payment_left_open_past_its_deadline_is_cancelled_and_the_stock_released(
    shop: Shop, payments_stub, payments_callers: Callers
) -> None:
    product_id = await shop.product(stock=3)

    placed = await shop.place("u-1", (product_id, 3), card=AUTHENTICATION)
    order = await shop.settled("u-1", placed.id)

    assert (order.state, order.cancel_reason) == (CANCELLED, "PAYMENT_TIMED_OUT")
    assert await shop.stock(product_id) == 3
    payment = await payment_of(payments_stub, payments_callers, order.payment_id)
    assert payment.state == payments_resources.PAYMENT_STATE_CANCELLED


async def test_orders_are_their_buyers_and_staff_see_all(shop: Shop) -> None:
    product_id = await shop.product(stock=5)
    mine = await shop.place("u-1", (product_id, 1))
    theirs = await shop.place("u-2", (product_id, 1))

    with pytest.raises(grpc.aio.AioRpcError) as hidden:
        await shop.get("u-2", mine.id)
    listed = await shop.stub.ListOrders(pb.ListOrdersRequest(), metadata=shop.callers.user("u-1"))
    everyone = await shop.stub.ListOrders(pb.ListOrdersRequest(), metadata=shop.callers.admin())

    assert reason_of(hidden.value) == "ORDER_NOT_FOUND"
    assert [o.id for o in listed.orders] == [mine.id]
    assert {o.id for o in everyone.orders} == {mine.id, theirs.id}


async def test_a_confirmed_order_cannot_be_cancelled(shop: Shop) -> None:
    product_id = await shop.product(stock=1)
    order = await shop.settled("u-1", (await shop.place("u-1", (product_id, 1))).id)

    with pytest.raises(grpc.aio.AioRpcError) as refused:
        await shop.stub.CancelOrder(
            pb.CancelOrderRequest(order_id=order.id), metadata=shop.callers.user("u-1")
        )

    assert refused.value.code() == grpc.StatusCode.FAILED_PRECONDITION
    assert reason_of(refused.value) == "ORDER_NOT_CANCELLABLE"


async def test_a_bad_order_names_each_field_and_creates_nothing(shop: Shop) -> None:
    product_id = await shop.product(stock=1)

    with pytest.raises(grpc.aio.AioRpcError) as raised:
        await shop.place("u-1", (product_id, 0), card="")
    with pytest.raises(grpc.aio.AioRpcError) as unknown:
        await shop.place("u-1", ("no-such-product", 1))
    listed = await shop.stub.ListOrders(pb.ListOrdersRequest(), metadata=shop.callers.user("u-1"))

    assert [field for field, _ in violations_of(raised.value)] == [
        "order.lines[0].quantity",
        "order.payment_method_id",
    ]
    assert reason_of(unknown.value) == "PRODUCT_NOT_FOUND"
    assert list(listed.orders) == []
    assert await shop.stock(product_id) == 1


async def test_the_gateway_charges_and_refunds_an_order_once_however_often_it_retries(
    orders_service: RunningService, payments_stub, payments_callers: Callers
) -> None:
    client = orders_service.runtime.client(
        payments_service_pb2_grpc.PaymentsServiceStub, "payments"
    )
    gateway = PaymentsGateway(lambda: client)
    order = Order.place(
        "o-gateway",
        "u-7",
        (Line("p-1", 1, "Mug", 990),),
        currency_code="EUR",
        payment_method_id="pm_card_visa",
        now=utc_now(),
    )

    first, again = await gateway.create(order), await gateway.create(order)
    order.payment_id = first.payment_id
    await gateway.refund(order)
    await gateway.refund(order)

    assert (first.status, first.payment_id) == (PaymentStatus.SUCCEEDED, again.payment_id)
    refunds = await payments_stub.ListRefunds(
        payments_pb.ListRefundsRequest(payment_id=first.payment_id),
        metadata=payments_callers.admin(),
    )
    assert [(r.amount, r.requested_by) for r in refunds.refunds] == [(990, "orders")]
    payment = await payment_of(payments_stub, payments_callers, first.payment_id)
    assert (payment.user_id, payment.amount_refunded) == ("u-7", 990)


async def test_payments_wants_the_payer_from_orders_and_none_but_the_caller_from_a_user(
    payments_stub, payments_callers: Callers
) -> None:
    payment = payments_resources.Payment(
        amount=500, currency_code="EUR", payment_method_id="pm_card_visa"
    )
    as_orders = (*payments_callers.service("orders"), ("idempotency-key", "k-no-payer"))

    with pytest.raises(grpc.aio.AioRpcError) as no_payer:
        await payments_stub.CreatePayment(
            payments_pb.CreatePaymentRequest(payment=payment), metadata=as_orders
        )
    with pytest.raises(grpc.aio.AioRpcError) as other_payer:
        await payments_stub.CreatePayment(
            payments_pb.CreatePaymentRequest(payment=payment, user_id="u-2"),
            metadata=payments_callers.user("u-1", key="k-other-payer"),
        )
    listed = await payments_stub.ListPayments(
        payments_pb.ListPaymentsRequest(), metadata=payments_callers.admin()
    )

    assert [field for field, _ in violations_of(no_payer.value)] == ["user_id"]
    assert [field for field, _ in violations_of(other_payer.value)] == ["user_id"]
    assert list(listed.payments) == []
