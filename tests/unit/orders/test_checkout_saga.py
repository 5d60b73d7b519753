"""The checkout saga's state machine (pure): forward steps, compensation, and outcomes that
arrive twice or late changing nothing."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from mesh.errors import FailedPrecondition
from services.orders.domain import (
    Line,
    Order,
    OrderState,
    PaymentOutcome,
    PaymentStatus,
    Step,
    Timeouts,
)

NOW = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
TIMEOUTS = Timeouts(payment=timedelta(minutes=15), step=timedelta(seconds=30))


def an_order(**changes: object) -> Order:
    order = Order.place(
        "o-1",
        "u-1",
        (Line("p-1", 2, "Mug", 1250), Line("p-2", 1, "Tea", 499)),
        currency_code="EUR",
        payment_method_id="pm_card_visa",
        now=NOW,
    )
    for name, value in changes.items():
        setattr(order, name, value)
    return order


def paid(amount: int = 2999, currency: str = "EUR") -> PaymentOutcome:
    return PaymentOutcome("pay_1", PaymentStatus.SUCCEEDED, amount, currency)


DECLINED = PaymentOutcome("pay_1", PaymentStatus.FAILED, failure_message="Your card was declined.")
OPEN = PaymentOutcome("pay_1", PaymentStatus.OPEN)
CANCELLED = PaymentOutcome("pay_1", PaymentStatus.CANCELLED)


def test_a_placed_order_is_pending_and_due_at_once_with_its_total_in_minor_units() -> None:
    order = an_order()

    assert (order.state, order.step, order.due_time) == (
        OrderState.PENDING,
        Step.RESERVE_STOCK,
        NOW,
    )
    assert order.total_amount == 2 * 1250 + 499
    assert order.payment_key == "order-o-1-payment"


def test_the_happy_path_reserves_pays_and_confirms_once() -> None:
    order = an_order()

    assert order.stock_reserved_now(NOW)
    assert order.step == Step.CREATE_PAYMENT and order.stock_reserved
    assert order.payment_outcome(paid(), NOW, TIMEOUTS)
    assert order.step == Step.CONFIRM and order.payment_id == "pay_1"
    assert order.confirm(NOW)

    assert (order.state, order.step, order.due_time) == (OrderState.CONFIRMED, Step.DONE, None)
    assert order.settled == [OrderState.CONFIRMED]


def test_an_outcome_delivered_again_after_the_saga_moved_on_changes_nothing() -> None:
    order = an_order(step=Step.CONFIRM, stock_reserved=True)
    order.confirm(NOW)

    assert not order.payment_outcome(paid(), NOW, TIMEOUTS)
    assert not order.payment_outcome(DECLINED, NOW, TIMEOUTS)
    assert not order.confirm(NOW)
    assert not order.stock_released(NOW)
    assert order.settled == [OrderState.CONFIRMED]


def test_out_of_stock_cancels_at_once_naming_the_products() -> None:
    order = an_order()

    assert order.out_of_stock(["Mug"], NOW)

    assert (order.state, order.step) == (OrderState.CANCELLED, Step.DONE)
    assert order.cancel_reason == "OUT_OF_STOCK"
    assert "Mug" in order.cancel_message
    assert not order.stock_reserved_now(NOW)


def test_a_declined_payment_releases_the_stock_then_cancels_with_the_decline_reason() -> None:
    order = an_order(step=Step.CREATE_PAYMENT, stock_reserved=True)

    order.payment_outcome(DECLINED, NOW, TIMEOUTS)
    assert order.step == Step.RELEASE_STOCK
    order.stock_released(NOW)

    assert (order.state, order.stock_reserved) == (OrderState.CANCELLED, False)
    assert (order.cancel_reason, order.cancel_message) == (
        "PAYMENT_DECLINED",
        "Your card was declined.",
    )


def test_an_open_payment_is_awaited_until_its_deadline_then_cancelled() -> None:
    order = an_order(step=Step.CREATE_PAYMENT, stock_reserved=True)

    order.payment_outcome(OPEN, NOW, TIMEOUTS)
    assert (order.step, order.due_time) == (Step.AWAIT_PAYMENT, NOW + TIMEOUTS.payment)
    assert order.payment_overdue(NOW)
    assert (order.step, order.cancel_reason) == (Step.CANCEL_PAYMENT, "PAYMENT_TIMED_OUT")
    order.payment_outcome(CANCELLED, NOW, TIMEOUTS)

    assert order.step == Step.RELEASE_STOCK
    assert order.cancel_reason == "PAYMENT_TIMED_OUT"  # the first cause is kept


def test_a_payment_that_succeeds_while_being_cancelled_is_refunded() -> None:
    order = an_order(
        step=Step.CANCEL_PAYMENT, stock_reserved=True, cancel_reason="PAYMENT_TIMED_OUT"
    )

    order.payment_outcome(paid(), NOW, TIMEOUTS)
    assert order.step == Step.REFUND_PAYMENT
    assert order.refunded(NOW)

    assert order.step == Step.RELEASE_STOCK


def test_a_payment_of_another_amount_is_refunded_instead_of_confirmed() -> None:
    order = an_order(step=Step.CREATE_PAYMENT, stock_reserved=True)

    order.payment_outcome(paid(amount=1), NOW, TIMEOUTS)

    assert (order.step, order.cancel_reason) == (Step.REFUND_PAYMENT, "PAYMENT_REJECTED")


def test_a_refused_payment_request_releases_the_stock() -> None:
    order = an_order(step=Step.CREATE_PAYMENT, stock_reserved=True)

    assert order.payment_refused("payment.currency_code: unsupported", NOW)

    assert (order.step, order.cancel_reason) == (Step.RELEASE_STOCK, "PAYMENT_REJECTED")


@pytest.mark.parametrize(
    ("step", "attempts", "next_step", "state"),
    [
        (Step.RESERVE_STOCK, 0, Step.DONE, OrderState.CANCELLED),
        (Step.CREATE_PAYMENT, 0, Step.RELEASE_STOCK, OrderState.PENDING),
        (Step.CREATE_PAYMENT, 1, Step.CREATE_PAYMENT, OrderState.PENDING),
        (Step.AWAIT_PAYMENT, 1, Step.CANCEL_PAYMENT, OrderState.PENDING),
        (Step.CONFIRM, 0, Step.REFUND_PAYMENT, OrderState.PENDING),
        (Step.RELEASE_STOCK, 0, Step.RELEASE_STOCK, OrderState.PENDING),
    ],
)
def test_cancelling_compensates_from_the_step_the_order_is_at(
    step: Step, attempts: int, next_step: Step, state: OrderState
) -> None:
    order = an_order(step=step, step_attempts=attempts, stock_reserved=step != Step.RESERVE_STOCK)

    order.request_cancel(NOW)

    assert (order.step, order.state, order.cancel_requested) == (next_step, state, True)
    assert order.cancel_reason == "CANCELLED_BY_USER"


def test_a_payment_in_flight_when_cancelled_is_refunded_once_it_succeeds() -> None:
    order = an_order(step=Step.CREATE_PAYMENT, step_attempts=1, stock_reserved=True)
    order.request_cancel(NOW)

    order.payment_outcome(paid(), NOW, TIMEOUTS)

    assert order.step == Step.REFUND_PAYMENT


def test_confirmation_is_rejected_when_the_buyer_cancelled_meanwhile() -> None:
    order = an_order(step=Step.CONFIRM, stock_reserved=True, cancel_requested=True)

    order.confirm(NOW)

    assert (order.step, order.state) == (Step.REFUND_PAYMENT, OrderState.PENDING)


def test_a_confirmed_order_cannot_be_cancelled_and_a_cancelled_one_stays_so() -> None:
    confirmed = an_order(state=OrderState.CONFIRMED, step=Step.DONE)
    with pytest.raises(FailedPrecondition) as raised:
        confirmed.request_cancel(NOW)
    assert raised.value.reason == "ORDER_NOT_CANCELLABLE"

    cancelled = an_order(state=OrderState.CANCELLED, step=Step.DONE, cancel_reason="OUT_OF_STOCK")
    cancelled.request_cancel(NOW)
    assert cancelled.cancel_reason == "OUT_OF_STOCK"


def test_each_claim_of_a_step_waits_longer_before_a_retry() -> None:
    order = an_order(step=Step.CREATE_PAYMENT)

    order.claim(NOW, TIMEOUTS)
    first = order.due_time
    order.claim(NOW, TIMEOUTS)

    assert order.step_attempts == 2
    assert first == NOW + TIMEOUTS.step
    assert order.due_time == NOW + 2 * TIMEOUTS.step
