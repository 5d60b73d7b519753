"""One idempotency key, one charge: the key runs through to Stripe's own idempotency key."""

from __future__ import annotations

import asyncio

import grpc
import pytest

from meshwork.payments.v1 import events_pb2, resources_pb2
from meshwork.payments.v1 import payments_service_pb2 as pb
from tests.integration.payments.conftest import reason_of


async def _create_until_answered(stub, request, metadata) -> pb.CreatePaymentResponse:
    """Calls as a client does: while the first call with the key runs, the others are told
    IDEMPOTENCY_KEY_IN_USE and retry shortly with the same key."""
    while True:
        try:
            return await stub.CreatePayment(request, metadata=metadata)
        except grpc.aio.AioRpcError as error:
            if reason_of(error) != "IDEMPOTENCY_KEY_IN_USE":
                raise
            await asyncio.sleep(0.02)


async def test_fifty_concurrent_calls_with_one_key_charge_once(
    stub, callers, published, stripe_client, pay
) -> None:
    payment = resources_pb2.Payment(
        amount=4200, currency_code="EUR", payment_method_id="pm_card_visa"
    )
    request = pb.CreatePaymentRequest(payment=payment)
    metadata = callers.user("u-ann", key="order-42")

    answers = await asyncio.gather(
        *(_create_until_answered(stub, request, metadata) for _ in range(50))
    )

    assert len({answer.SerializeToString() for answer in answers}) == 1
    paid = answers[0].payment
    assert paid.state == resources_pb2.PAYMENT_STATE_SUCCEEDED
    intents = stripe_client.v1.payment_intents.list(params={"limit": 100})
    assert [intent.id for intent in intents.data] == [paid.provider_payment_id]
    listed = await stub.ListPayments(pb.ListPaymentsRequest(), metadata=callers.admin())
    assert [p.id for p in listed.payments] == [paid.id]
    await published.wait_for(events_pb2.PaymentSucceeded, paid.id)
    later = await pay("u-ann")  # events leave the outbox in order: a duplicate would be seen
    await published.wait_for(events_pb2.PaymentSucceeded, later.id)
    assert len(published.of(events_pb2.PaymentSucceeded, paid.id)) == 1


async def test_the_key_with_another_amount_is_refused_naming_the_key(stub, callers) -> None:
    metadata = callers.user("u-ben", key="order-43")
    payment = resources_pb2.Payment(
        amount=100, currency_code="EUR", payment_method_id="pm_card_visa"
    )
    await stub.CreatePayment(pb.CreatePaymentRequest(payment=payment), metadata=metadata)

    payment.amount = 101
    with pytest.raises(grpc.aio.AioRpcError) as refused:
        await stub.CreatePayment(pb.CreatePaymentRequest(payment=payment), metadata=metadata)

    assert refused.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert reason_of(refused.value) == "IDEMPOTENCY_KEY_REUSED"
    assert "'order-43'" in (refused.value.details() or "")


async def test_two_users_with_the_same_key_make_two_payments(pay) -> None:
    first = await pay("u-cat", key="shared-key")
    second = await pay("u-dan", key="shared-key")

    assert first.id != second.id
    assert first.provider_payment_id != second.provider_payment_id


async def test_a_cancellation_retried_with_its_key_replays_and_the_key_fits_no_other(
    pay, stub, callers
) -> None:
    payment = await pay("u-jo", payment_method_id="")
    other = await pay("u-jo", payment_method_id="")
    keyed = callers.user("u-jo", key="cancel-1")

    cancelled = await stub.CancelPayment(
        pb.CancelPaymentRequest(payment_id=payment.id), metadata=keyed
    )
    again = await stub.CancelPayment(pb.CancelPaymentRequest(payment_id=payment.id), metadata=keyed)

    assert again == cancelled
    assert cancelled.payment.state == resources_pb2.PAYMENT_STATE_CANCELLED
    with pytest.raises(grpc.aio.AioRpcError) as refused:
        await stub.CancelPayment(pb.CancelPaymentRequest(payment_id=other.id), metadata=keyed)
    assert (refused.value.code(), reason_of(refused.value)) == (
        grpc.StatusCode.INVALID_ARGUMENT, "IDEMPOTENCY_KEY_REUSED",
    )  # fmt: skip
