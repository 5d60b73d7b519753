"""Payments' events: the payer gets a receipt of each payment and refund, once, by email."""

from __future__ import annotations

from google.protobuf.field_mask_pb2 import FieldMask
from google.protobuf.message import Message

from mesh.events.envelope import MSG_ID_HEADER, envelope_for
from meshwork.notifications.v1 import notifications_service_pb2 as pb
from meshwork.notifications.v1 import resources_pb2 as res
from meshwork.payments.v1 import events_pb2 as payments_events
from meshwork.users.v1 import resources_pb2 as users_resources
from meshwork.users.v1 import users_service_pb2 as users_pb
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
    assert receipt.subject == "Payment received: €12.34"
    assert "payment of €12.34 for Order 7" in receipt.part("plain")
    [refund] = smtp_sink.messages("pat@example.com", subject="refund")
    assert refund.subject == "Refund of ¥500"


async def test_a_payer_with_a_phone_number_gets_the_receipt_by_sms_too_in_their_locale(
    platform: Platform, smtp_sink: SmtpSink
) -> None:
    signed_up = await platform.sign_up("uli@example.com", display_name="Uli", locale="de-DE")
    as_uli = await platform.as_user(signed_up.tokens.access_token, to="users")
    await platform.users.UpdateUser(
        users_pb.UpdateUserRequest(
            user=users_resources.User(id=signed_up.user_id, phone_number="+4915112345678"),
            update_mask=FieldMask(paths=["phone_number"]),
        ),
        metadata=as_uli,
    )
    await _publish(
        platform,
        payments_events.PaymentSucceeded(
            payment_id="pay_2",
            user_id=signed_up.user_id,
            amount=123456,
            currency_code="EUR",
            description="Bestellung 8",
        ),
    )

    await eventually(lambda: bool(smtp_sink.messages("uli@example.com", subject="Zahlung")))
    [receipt] = smtp_sink.messages("uli@example.com", subject="Zahlung")
    assert receipt.subject.replace("\u00a0", " ") == "Zahlung erhalten: 1.234,56 €"
    assert "Zahlung von 1.234,56\u00a0€ für Bestellung 8 erhalten" in receipt.part("plain")
    admin = await platform.as_admin()

    async def sms_sent() -> list[res.Message]:
        reply = await platform.notifications.ListMessages(
            pb.ListMessagesRequest(user_id=signed_up.user_id, channel=res.CHANNEL_SMS),
            metadata=admin,
        )
        return [m for m in reply.messages if m.state == res.MESSAGE_STATE_SENT]

    async def sms_went_out() -> bool:
        return bool(await sms_sent())

    await eventually(sms_went_out)
    [sms] = await sms_sent()
    assert (sms.recipient, sms.template_id) == ("+4915112345678", "payment-receipt")
    assert sms.body == ("Meshwork: Zahlung erhalten: 1.234,56\u00a0€ für Bestellung 8. Ref. pay_2")


async def test_a_payer_without_a_phone_number_gets_no_sms(
    platform: Platform, smtp_sink: SmtpSink
) -> None:
    signed_up = await platform.sign_up("vic@example.com")
    await _publish(
        platform,
        payments_events.PaymentSucceeded(
            payment_id="pay_3", user_id=signed_up.user_id, amount=100, currency_code="USD"
        ),
    )

    await eventually(lambda: bool(smtp_sink.messages("vic@example.com", subject="payment")))
    reply = await platform.notifications.ListMessages(
        pb.ListMessagesRequest(user_id=signed_up.user_id, channel=res.CHANNEL_SMS),
        metadata=await platform.as_admin(),
    )
    assert [(m.state, m.suppression_reason) for m in reply.messages] == [
        (res.MESSAGE_STATE_SUPPRESSED, res.SUPPRESSION_REASON_NO_ADDRESS)
    ]
