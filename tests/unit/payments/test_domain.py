"""Payments' rules: money, a state machine that never goes backwards, refunds within bounds."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from mesh.errors import FailedPrecondition, InvalidArgument
from services.payments.domain import Outcome, Payment, PaymentState
from services.payments.money import Money

NOW = datetime(2026, 12, 7, 12, 0, tzinfo=UTC)


def _payment(state: PaymentState = PaymentState.SUCCEEDED, amount: int = 1000) -> Payment:
    return Payment("pay_1", "u-1", Money(amount, "EUR"), NOW, NOW, state=state)


@pytest.mark.parametrize(
    ("money", "text"),
    [
        (Money(1234, "EUR"), "12.34 EUR"),
        (Money(5, "USD"), "0.05 USD"),
        (Money(500, "JPY"), "500 JPY"),
        (Money(1500, "KWD"), "1.500 KWD"),
    ],
)
def test_money_reads_in_the_currencys_own_decimals(money: Money, text: str) -> None:
    assert str(money) == text


def test_a_late_processing_event_after_success_changes_nothing() -> None:
    payment = _payment(PaymentState.SUCCEEDED)

    assert not payment.advance(Outcome(PaymentState.PROCESSING), now=NOW)
    assert payment.state == PaymentState.SUCCEEDED


def test_a_payment_moves_forward_through_processing_to_success() -> None:
    payment = _payment(PaymentState.REQUIRES_ACTION)

    assert payment.advance(Outcome(PaymentState.PROCESSING), now=NOW)
    assert payment.advance(Outcome(PaymentState.SUCCEEDED), now=NOW)
    assert not payment.advance(Outcome(PaymentState.FAILED, "card_declined"), now=NOW)
    assert payment.state == PaymentState.SUCCEEDED


def test_a_failure_keeps_its_code_and_is_final() -> None:
    payment = _payment(PaymentState.REQUIRES_ACTION)

    assert payment.advance(Outcome(PaymentState.FAILED, "card_declined", "declined"), now=NOW)
    assert not payment.advance(Outcome(PaymentState.SUCCEEDED), now=NOW)
    assert (payment.state, payment.failure_code) == (PaymentState.FAILED, "card_declined")


def test_refunds_take_what_is_asked_or_everything_left() -> None:
    payment = _payment(amount=1000)

    payment.record_refund(payment.refund_amount(300), now=NOW)

    assert payment.refund_amount(0) == 700
    assert payment.amount_left == Money(700, "EUR")


def test_one_cent_more_than_is_left_is_refused_naming_the_amount_left() -> None:
    payment = _payment(amount=1000)
    payment.record_refund(250, now=NOW)

    with pytest.raises(InvalidArgument) as refused:
        payment.refund_amount(751)

    assert refused.value.reason == "REFUND_EXCEEDS_REMAINING_AMOUNT"
    assert "7.50 EUR" in refused.value.message


def test_only_succeeded_payments_are_refundable() -> None:
    with pytest.raises(FailedPrecondition) as refused:
        _payment(PaymentState.FAILED).refund_amount(0)

    assert refused.value.reason == "PAYMENT_NOT_REFUNDABLE"


def test_a_processing_payment_is_not_cancellable() -> None:
    with pytest.raises(FailedPrecondition) as refused:
        _payment(PaymentState.PROCESSING).ensure_cancellable()

    assert refused.value.reason == "PAYMENT_NOT_CANCELLABLE"
