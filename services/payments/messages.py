"""Domain values ↔ the contract's protobuf messages: resources, requests and events."""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING

from google.protobuf.message import Message

from mesh.actor import Actor
from mesh.protobuf import enum_name, enum_number, timestamp_of
from meshwork.payments.v1 import events_pb2, resources_pb2
from meshwork.payments.v1 import payments_service_pb2 as pb
from services.payments import commands
from services.payments.domain import Customer, Payment, PaymentState, Refund, WebhookReceipt

if TYPE_CHECKING:
    from services.payments.reconciliation import ReconcileReport

# ---- protobuf → commands


def create_payment_command(request: pb.CreatePaymentRequest, key: str) -> commands.CreatePayment:
    payment = request.payment
    return commands.CreatePayment(
        amount=payment.amount,
        currency_code=payment.currency_code,
        description=payment.description,
        payment_method_id=payment.payment_method_id,
        metadata=dict(payment.metadata),
        idempotency_key=key,
    )


def list_payments_command(request: pb.ListPaymentsRequest) -> commands.ListPayments:
    return commands.ListPayments(
        page_size=request.page_size,
        page_token=request.page_token,
        user_id=request.user_id,
        state=enum_name(resources_pb2.PaymentState, request.state),
    )


def create_refund_command(request: pb.CreateRefundRequest, key: str) -> commands.CreateRefund:
    return commands.CreateRefund(
        payment_id=request.payment_id,
        amount=request.refund.amount,
        reason=enum_name(resources_pb2.RefundReason, request.refund.reason),
        note=request.refund.note,
        idempotency_key=key,
    )


def list_refunds_command(request: pb.ListRefundsRequest) -> commands.ListRefunds:
    return commands.ListRefunds(
        payment_id=request.payment_id,
        page_size=request.page_size,
        page_token=request.page_token,
        state=enum_name(resources_pb2.RefundState, request.state),
    )


def reconcile_command(request: pb.ReconcilePaymentsRequest) -> commands.ReconcilePayments:
    return commands.ReconcilePayments(lookback_seconds=request.lookback_seconds)


def list_receipts_command(
    request: pb.ListWebhookReceiptsRequest,
) -> commands.ListWebhookReceipts:
    return commands.ListWebhookReceipts(
        page_size=request.page_size,
        page_token=request.page_token,
        state=enum_name(resources_pb2.WebhookReceiptState, request.state),
        event_type=request.event_type,
        payment_id=request.payment_id,
    )


# ---- domain → protobuf


def customer_message(customer: Customer) -> resources_pb2.Customer:
    return resources_pb2.Customer(
        id=customer.id,
        user_id=customer.user_id,
        provider_customer_id=customer.provider_customer_id,
        create_time=timestamp_of(customer.create_time),
    )


def payment_message(payment: Payment, actor: Actor) -> resources_pb2.Payment:
    """The payment as `actor` may see it: the client secret goes to the payer only."""
    payer = actor.user_id == payment.user_id
    return resources_pb2.Payment(
        id=payment.id,
        user_id=payment.user_id,
        amount=payment.money.amount,
        currency_code=payment.money.currency_code,
        description=payment.description,
        payment_method_id=payment.payment_method_id,
        metadata=payment.metadata,
        state=enum_number(resources_pb2.PaymentState, payment.state),
        amount_refunded=payment.amount_refunded,
        customer_id=payment.customer_id,
        provider_payment_id=payment.provider_payment_id,
        client_secret=payment.client_secret if payer else "",
        failure_code=payment.failure_code,
        failure_message=payment.failure_message,
        create_time=timestamp_of(payment.create_time),
        update_time=timestamp_of(payment.update_time),
    )


def refund_message(refund: Refund) -> resources_pb2.Refund:
    return resources_pb2.Refund(
        id=refund.id,
        payment_id=refund.payment_id,
        user_id=refund.user_id,
        amount=refund.money.amount,
        currency_code=refund.money.currency_code,
        reason=enum_number(resources_pb2.RefundReason, refund.reason),
        note=refund.note,
        state=enum_number(resources_pb2.RefundState, refund.state),
        requested_by=refund.requested_by,
        provider_refund_id=refund.provider_refund_id,
        failure_message=refund.failure_message,
        create_time=timestamp_of(refund.create_time),
        update_time=timestamp_of(refund.update_time),
    )


# ---- events

#: Namespace of the outbox ids of payments events.
_EVENT_IDS = uuid.UUID("0c6f3a9e-52d4-4f1b-8e7a-3b9d2c5e4f10")


def event_id_of(event: Message) -> str:
    """The outbox id of a payments event, fixed by its type and the refund or payment it is
    about (each happens once to each). Those ids derive from the caller's idempotency key,
    so the key fixes the event id too, and with it `Nats-Msg-Id` and the consumers' inbox
    key: a retried or repaired change emits the event it emitted before, not another."""
    about = getattr(event, "refund_id", "") or getattr(event, "payment_id", "")
    return str(uuid.uuid5(_EVENT_IDS, f"{event.DESCRIPTOR.full_name}/{about}"))


def payment_created(payment: Payment) -> events_pb2.PaymentCreated:
    return events_pb2.PaymentCreated(
        payment_id=payment.id,
        user_id=payment.user_id,
        amount=payment.money.amount,
        currency_code=payment.money.currency_code,
        description=payment.description,
        metadata=payment.metadata,
    )


def payment_outcome(payment: Payment, cancelled_by: str = "") -> list[Message]:
    """The event a payment's new state calls for (none for a state that is not an outcome)."""
    money, common = payment.money, {"payment_id": payment.id, "user_id": payment.user_id}
    if payment.state == PaymentState.SUCCEEDED:
        return [
            events_pb2.PaymentSucceeded(
                **common,
                amount=money.amount,
                currency_code=money.currency_code,
                description=payment.description,
                metadata=payment.metadata,
            )
        ]
    if payment.state == PaymentState.FAILED:
        return [
            events_pb2.PaymentFailed(
                **common,
                amount=money.amount,
                currency_code=money.currency_code,
                failure_code=payment.failure_code,
                failure_message=payment.failure_message,
                metadata=payment.metadata,
            )
        ]
    if payment.state == PaymentState.CANCELLED:
        return [
            events_pb2.PaymentCancelled(
                **common, cancelled_by=cancelled_by, metadata=payment.metadata
            )
        ]
    return []


def refund_created(refund: Refund) -> events_pb2.RefundCreated:
    return events_pb2.RefundCreated(
        refund_id=refund.id,
        payment_id=refund.payment_id,
        user_id=refund.user_id,
        amount=refund.money.amount,
        currency_code=refund.money.currency_code,
        reason=enum_number(resources_pb2.RefundReason, refund.reason),
        requested_by=refund.requested_by,
    )


def refund_succeeded(refund: Refund, payment: Payment) -> events_pb2.RefundSucceeded:
    return events_pb2.RefundSucceeded(
        refund_id=refund.id,
        payment_id=refund.payment_id,
        user_id=refund.user_id,
        amount=refund.money.amount,
        currency_code=refund.money.currency_code,
        payment_amount_refunded=payment.amount_refunded,
    )


def refund_failed(refund: Refund) -> events_pb2.RefundFailed:
    return events_pb2.RefundFailed(
        refund_id=refund.id,
        payment_id=refund.payment_id,
        user_id=refund.user_id,
        amount=refund.money.amount,
        currency_code=refund.money.currency_code,
        failure_message=refund.failure_message,
    )


def reconcile_response(report: ReconcileReport) -> pb.ReconcilePaymentsResponse:
    return pb.ReconcilePaymentsResponse(
        checked_payment_count=report.checked_payments,
        recovered_payment_count=report.recovered_payments,
        repaired_payment_count=report.repaired_payments,
        checked_event_count=report.checked_events,
        applied_event_count=report.applied_events,
    )


def receipt_message(receipt: WebhookReceipt) -> resources_pb2.WebhookReceipt:
    return resources_pb2.WebhookReceipt(
        id=receipt.id,
        provider_event_id=receipt.provider_event_id,
        event_type=receipt.event_type,
        state=enum_number(resources_pb2.WebhookReceiptState, receipt.state),
        payment_id=receipt.payment_id,
        refund_id=receipt.refund_id,
        error=receipt.error,
        delivery_count=receipt.delivery_count,
        receive_time=timestamp_of(receipt.receive_time),
        process_time=timestamp_of(receipt.process_time),
    )
