"""Payments' events: the payer gets a receipt of each payment and refund, once, by email."""

from __future__ import annotations

from google.protobuf.message import Message

from mesh.events.envelope import MSG_ID_HEADER, envelope_for
from meshwork.payments.v1 import events_pb2 as payments_events
from tests.integration.notifications.conftest import Platform, SmtpSink
from tests.support.waiting import eventually


async def _publish(platform: Platform, event: Message) -> None:
    """Publishes `event` as payments' outbox relay would."""
    assert platform.running is not None
    envelope = envelope_for(event)
    headers = {**envelope.headers, MSG_ID_HEADER: envelope.event_id}
    await platform.running.runtime.nc.jetstream().publish(
        envelope.subject, envelope.payload, headers=headers
    )


async def test_a_payment_and_its_refund_each_mail_the_payer_a_receipt(
    platform: Platform, smtp_sink: SmtpSink
) -> None:
    signed_up = await platform.sign_up("pat@example.com", display_name="Pat")
    await _publish(
        platform,
        payments_events.PaymentSucceeded(
            payment_id="pay_1",
            user_id=signed_up.user_id,
            amount=1234,
            currency_code="EUR",
            description="Order 7",
        ),
    )
    await _publish(
        platform,
        payments_events.RefundSucceeded(
            refund_id="ref_1",
            payment_id="pay_1",
            user_id=signed_up.user_id,
            amount=500,
            currency_code="JPY",
            payment_amount_refunded=500,
        ),
    )

    await eventually(
        lambda: (
            bool(smtp_sink.messages("pat@example.com", subject="refund"))
            and bool(smtp_sink.messages("pat@example.com", subject="payment received"))
        )
    )
    [receipt] = smtp_sink.messages("pat@example.com", subject="payment received")
    assert receipt.subject == "Payment received: 12.34 EUR"
    assert "payment of 12.34 EUR for Order 7" in receipt.part("plain")
    [refund] = smtp_sink.messages("pat@example.com", subject="refund")
    assert refund.subject == "Refund of 500 JPY"
