"""HandleStripeWebhook: signatures checked as Stripe signs, each event applied once, in any
order, never moving a payment backwards."""

from __future__ import annotations

import json
import time
import uuid

import grpc
import pytest

from meshwork.payments.v1 import events_pb2, resources_pb2
from meshwork.payments.v1 import payments_service_pb2 as pb
from sandbox.stripe import signature_header
from tests.integration.payments.conftest import WEBHOOK_SECRETS, reason_of

CURRENT, PREVIOUS = WEBHOOK_SECRETS
REQUIRES_ACTION = resources_pb2.PAYMENT_STATE_REQUIRES_ACTION
SUCCEEDED = resources_pb2.PAYMENT_STATE_SUCCEEDED


def _event(payment: resources_pb2.Payment, status: str, event_id: str = "") -> str:
    """A payment_intent event as Stripe would send it about `payment`."""
    intent = {
        "id": payment.provider_payment_id,
        "object": "payment_intent",
        "status": status,
        "amount": payment.amount,
        "currency": payment.currency_code.lower(),
        "metadata": {"payment_id": payment.id},
        "last_payment_error": None,
    }
    kind = {"succeeded": "succeeded", "processing": "processing"}[status]
    return json.dumps(
        {
            "id": event_id or f"evt_{uuid.uuid4().hex[:16]}",
            "object": "event",
            "type": f"payment_intent.{kind}",
            "data": {"object": intent},
        }
    )


def _delivery(body: str, *, secret: str = CURRENT, age_s: int = 0) -> pb.HandleStripeWebhookRequest:
    signature = signature_header(body, secret, int(time.time()) - age_s)
    return pb.HandleStripeWebhookRequest(payload=body.encode(), signature=signature)


@pytest.fixture
def edge(callers):
    return callers.service("edge")


async def _state(stub, callers, payment_id: str) -> int:
    reply = await stub.GetPayment(
        pb.GetPaymentRequest(payment_id=payment_id), metadata=callers.admin()
    )
    return reply.payment.state


async def test_a_succeeded_event_completes_a_payment_waiting_for_3ds(
    pay, stub, callers, edge, published
) -> None:
    payment = await pay("u-wes", payment_method_id="pm_card_authenticationRequired")

    reply = await stub.HandleStripeWebhook(_delivery(_event(payment, "succeeded")), metadata=edge)

    assert not reply.duplicate
    assert reply.receipt.state == resources_pb2.WEBHOOK_RECEIPT_STATE_PROCESSED
    assert reply.receipt.payment_id == payment.id
    assert await _state(stub, callers, payment.id) == SUCCEEDED
    await published.wait_for(events_pb2.PaymentSucceeded, payment.id)


async def test_the_same_event_twice_is_handled_once(pay, stub, callers, edge, published) -> None:
    payment = await pay("u-xan", payment_method_id="pm_card_authenticationRequired")
    body = _event(payment, "succeeded")

    first = await stub.HandleStripeWebhook(_delivery(body), metadata=edge)
    second = await stub.HandleStripeWebhook(_delivery(body), metadata=edge)

    assert (first.duplicate, second.duplicate) == (False, True)
    assert second.receipt.delivery_count == 2
    later = await pay("u-xan")  # events leave the outbox in order: a duplicate would be seen
    await published.wait_for(events_pb2.PaymentSucceeded, later.id)
    assert len(published.of(events_pb2.PaymentSucceeded, payment.id)) == 1


async def test_a_late_processing_event_after_success_changes_nothing(
    pay, stub, callers, edge
) -> None:
    payment = await pay("u-yui", payment_method_id="pm_card_authenticationRequired")

    await stub.HandleStripeWebhook(_delivery(_event(payment, "succeeded")), metadata=edge)
    late = await stub.HandleStripeWebhook(_delivery(_event(payment, "processing")), metadata=edge)

    assert late.receipt.state == resources_pb2.WEBHOOK_RECEIPT_STATE_PROCESSED
    assert await _state(stub, callers, payment.id) == SUCCEEDED


async def test_a_delivery_signed_with_the_previous_secret_is_accepted_during_rotation(
    pay, stub, callers, edge
) -> None:
    payment = await pay("u-zed", payment_method_id="pm_card_authenticationRequired")

    await stub.HandleStripeWebhook(
        _delivery(_event(payment, "succeeded"), secret=PREVIOUS), metadata=edge
    )

    assert await _state(stub, callers, payment.id) == SUCCEEDED


async def test_one_good_signature_among_several_is_enough(pay, stub, callers, edge) -> None:
    payment = await pay("u-abe", payment_method_id="pm_card_authenticationRequired")
    body = _event(payment, "succeeded")
    good = signature_header(body, CURRENT, int(time.time()))
    timestamp, v1 = good.split(",")

    request = pb.HandleStripeWebhookRequest(
        payload=body.encode(), signature=f"{timestamp},v1={'0' * 64},{v1}"
    )
    await stub.HandleStripeWebhook(request, metadata=edge)

    assert await _state(stub, callers, payment.id) == SUCCEEDED


@pytest.mark.parametrize("fault", ["tampered", "old", "unknown secret"])
async def test_a_bad_signature_is_refused_and_changes_nothing(
    pay, stub, callers, edge, fault: str
) -> None:
    payment = await pay("u-bea", payment_method_id="pm_card_authenticationRequired")
    body = _event(payment, "succeeded")
    delivery = {
        "tampered": lambda: pb.HandleStripeWebhookRequest(
            payload=body.replace('"succeeded"', '"succeeded" ').encode(),
            signature=_delivery(body).signature,
        ),
        "old": lambda: _delivery(body, age_s=301),
        "unknown secret": lambda: _delivery(body, secret="whsec_someone_else"),
    }[fault]()

    with pytest.raises(grpc.aio.AioRpcError) as refused:
        await stub.HandleStripeWebhook(delivery, metadata=edge)

    assert refused.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert reason_of(refused.value) == "WEBHOOK_SIGNATURE_INVALID"
    assert await _state(stub, callers, payment.id) == REQUIRES_ACTION


async def test_a_body_that_is_no_event_is_refused(stub, edge) -> None:
    with pytest.raises(grpc.aio.AioRpcError) as refused:
        await stub.HandleStripeWebhook(_delivery('{"hello": "world"}'), metadata=edge)

    assert reason_of(refused.value) == "WEBHOOK_PAYLOAD_INVALID"


async def test_an_event_about_an_unrecorded_payment_fails_so_it_is_redelivered(stub, edge) -> None:
    stranger = resources_pb2.Payment(
        id="pay_unrecorded", provider_payment_id="pi_unrecorded", amount=1, currency_code="EUR"
    )
    body = _event(stranger, "succeeded")

    with pytest.raises(grpc.aio.AioRpcError) as refused:
        await stub.HandleStripeWebhook(_delivery(body), metadata=edge)

    assert refused.value.code() == grpc.StatusCode.UNAVAILABLE
    assert reason_of(refused.value) == "WEBHOOK_PAYMENT_UNKNOWN"


async def test_admins_read_the_receipts_of_handled_events(pay, stub, callers, edge) -> None:
    payment = await pay("u-cal", payment_method_id="pm_card_authenticationRequired")
    handled = await stub.HandleStripeWebhook(
        _delivery(_event(payment, "succeeded", event_id="evt_read_me")), metadata=edge
    )

    listed = await stub.ListWebhookReceipts(
        pb.ListWebhookReceiptsRequest(payment_id=payment.id), metadata=callers.admin()
    )
    got = await stub.GetWebhookReceipt(
        pb.GetWebhookReceiptRequest(webhook_receipt_id=handled.receipt.id), metadata=callers.admin()
    )

    assert [r.provider_event_id for r in listed.webhook_receipts] == ["evt_read_me"]
    assert got.webhook_receipt == handled.receipt
    with pytest.raises(grpc.aio.AioRpcError) as missing:
        await stub.GetWebhookReceipt(
            pb.GetWebhookReceiptRequest(webhook_receipt_id="whr_none"), metadata=callers.admin()
        )
    assert reason_of(missing.value) == "WEBHOOK_RECEIPT_NOT_FOUND"
