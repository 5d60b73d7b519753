"""The PaymentsService servicer: request → command → use case → response, nothing more."""

from __future__ import annotations

from typing import TypeAlias

import grpc

from mesh.actor import current_actor
from mesh.idempotency import IdempotencyRecords, idempotent
from mesh.idempotency.keys import key_of
from meshwork.payments.v1 import payments_service_pb2 as pb
from meshwork.payments.v1 import payments_service_pb2_grpc
from services.payments.handlers import Payments
from services.payments.messages import (
    create_payment_command,
    create_refund_command,
    customer_message,
    list_payments_command,
    list_receipts_command,
    list_refunds_command,
    payment_message,
    receipt_message,
    reconcile_command,
    reconcile_response,
    refund_message,
)
from services.payments.reconciliation import Reconciliation
from services.payments.webhooks import Webhooks

Context: TypeAlias = grpc.aio.ServicerContext


class PaymentsServicer(payments_service_pb2_grpc.PaymentsServiceServicer):
    """Serves meshwork.payments.v1.PaymentsService."""

    def __init__(
        self,
        payments: Payments,
        webhooks: Webhooks,
        idempotency: IdempotencyRecords,
        reconciliation: Reconciliation,
    ) -> None:
        self._payments = payments
        self._webhooks = webhooks
        self.idempotency = idempotency
        self._reconciliation = reconciliation

    @idempotent
    async def CreatePayment(
        self, request: pb.CreatePaymentRequest, context: Context
    ) -> pb.CreatePaymentResponse:
        actor = current_actor()
        command = create_payment_command(request, key_of(context))
        payment = await self._payments.create_payment(command, actor)
        return pb.CreatePaymentResponse(payment=payment_message(payment, actor))

    async def GetPayment(
        self, request: pb.GetPaymentRequest, context: Context
    ) -> pb.GetPaymentResponse:
        actor = current_actor()
        payment = await self._payments.get_payment(request.payment_id, actor)
        return pb.GetPaymentResponse(payment=payment_message(payment, actor))

    async def ListPayments(
        self, request: pb.ListPaymentsRequest, context: Context
    ) -> pb.ListPaymentsResponse:
        actor = current_actor()
        page = await self._payments.list_payments(list_payments_command(request), actor)
        return pb.ListPaymentsResponse(
            payments=[payment_message(payment, actor) for payment in page.payments],
            next_page_token=page.next_page_token,
        )

    @idempotent
    async def CancelPayment(
        self, request: pb.CancelPaymentRequest, context: Context
    ) -> pb.CancelPaymentResponse:
        actor = current_actor()
        payment = await self._payments.cancel_payment(request.payment_id, actor)
        return pb.CancelPaymentResponse(payment=payment_message(payment, actor))

    @idempotent
    async def CreateRefund(
        self, request: pb.CreateRefundRequest, context: Context
    ) -> pb.CreateRefundResponse:
        command = create_refund_command(request, key_of(context))
        refund = await self._payments.create_refund(command, current_actor())
        return pb.CreateRefundResponse(refund=refund_message(refund))

    async def GetRefund(
        self, request: pb.GetRefundRequest, context: Context
    ) -> pb.GetRefundResponse:
        actor = current_actor()
        refund = await self._payments.get_refund(request.payment_id, request.refund_id, actor)
        return pb.GetRefundResponse(refund=refund_message(refund))

    async def ListRefunds(
        self, request: pb.ListRefundsRequest, context: Context
    ) -> pb.ListRefundsResponse:
        page = await self._payments.list_refunds(list_refunds_command(request), current_actor())
        return pb.ListRefundsResponse(
            refunds=[refund_message(refund) for refund in page.refunds],
            next_page_token=page.next_page_token,
        )

    async def GetCustomer(
        self, request: pb.GetCustomerRequest, context: Context
    ) -> pb.GetCustomerResponse:
        customer = await self._payments.get_customer(request.user_id, current_actor())
        return pb.GetCustomerResponse(customer=customer_message(customer))

    async def ListWebhookReceipts(
        self, request: pb.ListWebhookReceiptsRequest, context: Context
    ) -> pb.ListWebhookReceiptsResponse:
        receipts, token = await self._webhooks.list(list_receipts_command(request))
        return pb.ListWebhookReceiptsResponse(
            webhook_receipts=[receipt_message(receipt) for receipt in receipts],
            next_page_token=token,
        )

    async def GetWebhookReceipt(
        self, request: pb.GetWebhookReceiptRequest, context: Context
    ) -> pb.GetWebhookReceiptResponse:
        receipt = await self._webhooks.get(request.webhook_receipt_id)
        return pb.GetWebhookReceiptResponse(webhook_receipt=receipt_message(receipt))

    async def HandleStripeWebhook(
        self, request: pb.HandleStripeWebhookRequest, context: Context
    ) -> pb.HandleStripeWebhookResponse:
        receipt, duplicate = await self._webhooks.handle(request.payload, request.signature)
        return pb.HandleStripeWebhookResponse(receipt=receipt_message(receipt), duplicate=duplicate)

    async def PurgeExpiredIdempotencyRecords(
        self, request: pb.PurgeExpiredIdempotencyRecordsRequest, context: Context
    ) -> pb.PurgeExpiredIdempotencyRecordsResponse:
        purged = await self.idempotency.purge()
        return pb.PurgeExpiredIdempotencyRecordsResponse(purged_record_count=purged)

    async def ReconcilePayments(
        self, request: pb.ReconcilePaymentsRequest, context: Context
    ) -> pb.ReconcilePaymentsResponse:
        report = await self._reconciliation.reconcile(reconcile_command(request))
        return reconcile_response(report)
