"""CreatePayment, GetPayment, ListPayments and CancelPayment against the Stripe sandbox."""

from __future__ import annotations

import grpc
import pytest

from meshwork.payments.v1 import events_pb2, resources_pb2
from meshwork.payments.v1 import payments_service_pb2 as pb
from tests.integration.payments.conftest import reason_of, violations_of

SUCCEEDED = resources_pb2.PAYMENT_STATE_SUCCEEDED
FAILED = resources_pb2.PAYMENT_STATE_FAILED


async def test_a_visa_payment_succeeds_and_says_so_through_the_outbox(pay, published) -> None:
    payment = await pay("u-ada", amount=1250, description="Order 7", metadata={"order": "7"})

    assert payment.state == SUCCEEDED
    assert (payment.user_id, payment.amount, payment.currency_code) == ("u-ada", 1250, "EUR")
    assert payment.provider_payment_id.startswith("pi_")
    assert payment.customer_id and not payment.client_secret
    succeeded = await published.wait_for(events_pb2.PaymentSucceeded, payment.id)
    assert (succeeded.amount, succeeded.description) == (1250, "Order 7")
    assert dict(succeeded.metadata) == {"order": "7"}
    assert published.of(events_pb2.PaymentCreated, payment.id)


@pytest.mark.parametrize(
    ("method", "code"),
    [
        ("pm_card_chargeDeclined", "card_declined"),
        ("pm_card_chargeDeclinedInsufficientFunds", "insufficient_funds"),
        ("pm_card_chargeDeclinedExpiredCard", "expired_card"),
    ],
)
async def test_a_declined_card_fails_the_payment_with_the_code(
    pay, published, method: str, code: str
) -> None:
    payment = await pay("u-bob", payment_method_id=method)

    assert (payment.state, payment.failure_code) == (FAILED, code)
    assert payment.failure_message
    failed = await published.wait_for(events_pb2.PaymentFailed, payment.id)
    assert failed.failure_code == code


async def test_a_3ds_card_requires_action_and_only_the_payer_gets_the_secret(
    pay, stub, callers
) -> None:
    payment = await pay("u-cy", payment_method_id="pm_card_authenticationRequired")

    assert payment.state == resources_pb2.PAYMENT_STATE_REQUIRES_ACTION
    assert payment.client_secret.startswith(payment.provider_payment_id)
    request = pb.GetPaymentRequest(payment_id=payment.id)
    as_payer = await stub.GetPayment(request, metadata=callers.user("u-cy"))
    as_staff = await stub.GetPayment(request, metadata=callers.admin())
    assert as_payer.payment.client_secret == payment.client_secret
    assert as_staff.payment.client_secret == ""


async def test_others_payments_are_not_found_but_staff_see_them(pay, stub, callers) -> None:
    payment = await pay("u-dee")
    request = pb.GetPaymentRequest(payment_id=payment.id)

    with pytest.raises(grpc.aio.AioRpcError) as hidden:
        await stub.GetPayment(request, metadata=callers.user("u-eve"))

    assert hidden.value.code() == grpc.StatusCode.NOT_FOUND
    assert reason_of(hidden.value) == "PAYMENT_NOT_FOUND"
    assert (await stub.GetPayment(request, metadata=callers.admin())).payment.id == payment.id


async def test_users_list_their_own_newest_first_and_staff_list_everyones(
    pay, stub, callers
) -> None:
    first, second = await pay("u-fay"), await pay("u-fay", amount=300)
    other = await pay("u-gus")

    own = await stub.ListPayments(
        pb.ListPaymentsRequest(page_size=1), metadata=callers.user("u-fay")
    )
    rest = await stub.ListPayments(
        pb.ListPaymentsRequest(page_size=1, page_token=own.next_page_token),
        metadata=callers.user("u-fay"),
    )
    everyone = await stub.ListPayments(pb.ListPaymentsRequest(), metadata=callers.admin())

    assert [p.id for p in [*own.payments, *rest.payments]] == [second.id, first.id]
    assert rest.next_page_token == ""
    assert {p.id for p in everyone.payments} == {first.id, second.id, other.id}


async def test_users_may_not_list_someone_elses_payments(stub, callers) -> None:
    with pytest.raises(grpc.aio.AioRpcError) as refused:
        await stub.ListPayments(
            pb.ListPaymentsRequest(user_id="u-hal"), metadata=callers.user("u-ida")
        )

    assert [field for field, _ in violations_of(refused.value)] == ["user_id"]


async def test_a_payment_waiting_for_a_method_is_cancelled_once(
    pay, stub, callers, published
) -> None:
    payment = await pay("u-jo", payment_method_id="")
    assert payment.state == resources_pb2.PAYMENT_STATE_REQUIRES_PAYMENT_METHOD
    request = pb.CancelPaymentRequest(payment_id=payment.id)

    cancelled = await stub.CancelPayment(request, metadata=callers.user("u-jo"))
    again = await stub.CancelPayment(request, metadata=callers.user("u-jo"))

    assert cancelled.payment.state == again.payment.state == resources_pb2.PAYMENT_STATE_CANCELLED
    event = await published.wait_for(events_pb2.PaymentCancelled, payment.id)
    assert event.cancelled_by == "u-jo"


async def test_a_succeeded_payment_cannot_be_cancelled(pay, stub, callers) -> None:
    payment = await pay("u-kim")

    with pytest.raises(grpc.aio.AioRpcError) as refused:
        await stub.CancelPayment(
            pb.CancelPaymentRequest(payment_id=payment.id), metadata=callers.user("u-kim")
        )

    assert reason_of(refused.value) == "PAYMENT_NOT_CANCELLABLE"


@pytest.mark.parametrize(
    ("amount", "currency", "field", "reason"),
    [
        (0, "EUR", "payment.amount", "INVALID_AMOUNT"),
        (-5, "EUR", "payment.amount", "INVALID_AMOUNT"),
        (100_000_000, "EUR", "payment.amount", "INVALID_AMOUNT"),
        (500, "eur", "payment.currency_code", "UNSUPPORTED_CURRENCY"),
        (500, "XYZ", "payment.currency_code", "UNSUPPORTED_CURRENCY"),
    ],
)
async def test_bad_money_is_refused_naming_the_field(
    pay, amount: int, currency: str, field: str, reason: str
) -> None:
    with pytest.raises(grpc.aio.AioRpcError) as refused:
        await pay("u-lou", amount=amount, currency_code=currency)

    assert refused.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert reason_of(refused.value) == reason
    assert [name for name, _ in violations_of(refused.value)] == [field]


async def test_a_zero_decimal_currency_charges_whole_units(pay, stripe_client) -> None:
    payment = await pay("u-mo", amount=500, currency_code="JPY")

    intent = stripe_client.v1.payment_intents.retrieve(payment.provider_payment_id)
    assert (payment.state, intent.amount, intent.currency) == (SUCCEEDED, 500, "jpy")


async def test_a_payment_without_an_idempotency_key_is_refused(stub, callers) -> None:
    request = pb.CreatePaymentRequest(
        payment=resources_pb2.Payment(amount=100, currency_code="EUR")
    )
    with pytest.raises(grpc.aio.AioRpcError) as refused:
        await stub.CreatePayment(request, metadata=callers.user("u-ned"))

    assert reason_of(refused.value) == "IDEMPOTENCY_KEY_REQUIRED"
