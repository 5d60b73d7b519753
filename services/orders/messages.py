"""Domain values ↔ the contract's protobuf messages: resources, requests, events, and the
payments service's payments as the checkout sees them."""

from __future__ import annotations

from typing import TypeAlias

from google.protobuf.message import Message

from mesh.protobuf import timestamp_of
from meshwork.orders.v1 import events_pb2, orders_service_pb2, resources_pb2
from meshwork.payments.v1 import events_pb2 as payments_events
from meshwork.payments.v1 import payments_service_pb2
from meshwork.payments.v1 import resources_pb2 as payments_resources
from services.orders import commands
from services.orders.domain import (
    Order,
    OrderState,
    PaymentOutcome,
    PaymentStatus,
    Product,
)

# ---- domain → protobuf


def product_message(product: Product) -> resources_pb2.Product:
    return resources_pb2.Product(
        id=product.id,
        display_name=product.display_name,
        unit_price=product.unit_price,
        currency_code=product.currency_code,
        stock=product.stock,
        create_time=timestamp_of(product.create_time),
        update_time=timestamp_of(product.update_time),
    )


def order_message(order: Order) -> resources_pb2.Order:
    return resources_pb2.Order(
        id=order.id,
        owner_id=order.owner_id,
        lines=[
            resources_pb2.OrderLine(
                product_id=line.product_id,
                quantity=line.quantity,
                display_name=line.display_name,
                unit_price=line.unit_price,
                line_total=line.total,
            )
            for line in order.lines
        ],
        total_amount=order.total_amount,
        currency_code=order.currency_code,
        state=resources_pb2.OrderState.Value(f"ORDER_STATE_{order.state.value}"),
        checkout_step=resources_pb2.CheckoutStep.Value(f"CHECKOUT_STEP_{order.step.value}"),
        cancel_reason=order.cancel_reason,
        cancel_message=order.cancel_message,
        payment_id=order.payment_id,
        create_time=timestamp_of(order.create_time),
        update_time=timestamp_of(order.update_time),
    )


# ---- events


def order_placed(order: Order) -> events_pb2.OrderPlaced:
    return events_pb2.OrderPlaced(order=order_message(order))


def settled_events(order: Order) -> list[Message]:
    """OrderConfirmed or OrderCancelled for each time the order settled since it was loaded
    (taking them, so they are added once)."""
    events: list[Message] = []
    for state in order.settled:
        if state == OrderState.CONFIRMED:
            events.append(events_pb2.OrderConfirmed(order=order_message(order)))
        else:
            events.append(events_pb2.OrderCancelled(order=order_message(order)))
    order.settled.clear()
    return events


# ---- payments → the checkout

#: The payment metadata entry naming the order a checkout's payment is for.
ORDER_ID = "order_id"

#: The events of payments' stream that tell a payment's outcome.
PaymentEvent: TypeAlias = (
    payments_events.PaymentSucceeded
    | payments_events.PaymentFailed
    | payments_events.PaymentCancelled
)

_STATUS = {
    payments_resources.PAYMENT_STATE_SUCCEEDED: PaymentStatus.SUCCEEDED,
    payments_resources.PAYMENT_STATE_FAILED: PaymentStatus.FAILED,
    payments_resources.PAYMENT_STATE_CANCELLED: PaymentStatus.CANCELLED,
}


def payment_outcome(payment: payments_resources.Payment) -> PaymentOutcome:
    """A payment the payments service returned; any state not final is OPEN."""
    return PaymentOutcome(
        payment.id,
        _STATUS.get(payment.state, PaymentStatus.OPEN),
        payment.amount,
        payment.currency_code,
        payment.failure_message or payment.failure_code,
    )


def outcome_of_event(event: PaymentEvent) -> PaymentOutcome:
    """What one of payments' events says of the payment."""
    if isinstance(event, payments_events.PaymentSucceeded):
        return PaymentOutcome(
            event.payment_id, PaymentStatus.SUCCEEDED, event.amount, event.currency_code
        )
    if isinstance(event, payments_events.PaymentFailed):
        message = event.failure_message or event.failure_code
        return PaymentOutcome(
            event.payment_id, PaymentStatus.FAILED, event.amount, event.currency_code, message
        )
    return PaymentOutcome(event.payment_id, PaymentStatus.CANCELLED)


def payment_request(order: Order) -> payments_service_pb2.CreatePaymentRequest:
    """The order's one payment, for its buyer, marked with the order's id."""
    payment = payments_resources.Payment(
        amount=order.total_amount,
        currency_code=order.currency_code,
        description=f"Order {order.id}",
        payment_method_id=order.payment_method_id,
        metadata={ORDER_ID: order.id},
    )
    return payments_service_pb2.CreatePaymentRequest(payment=payment, user_id=order.owner_id)


def refund_request(order: Order) -> payments_service_pb2.CreateRefundRequest:
    """The whole of the order's payment back to its buyer."""
    refund = payments_resources.Refund(
        reason=payments_resources.REFUND_REASON_REQUESTED_BY_CUSTOMER,
        note=f"order {order.id}: {order.cancel_reason}",
    )
    return payments_service_pb2.CreateRefundRequest(payment_id=order.payment_id, refund=refund)


# ---- protobuf requests → commands


def create_product_command(
    request: orders_service_pb2.CreateProductRequest,
) -> commands.CreateProduct:
    product = request.product
    return commands.CreateProduct(
        display_name=product.display_name,
        unit_price=product.unit_price,
        currency_code=product.currency_code,
        stock=product.stock,
    )


def create_order_command(request: orders_service_pb2.CreateOrderRequest) -> commands.CreateOrder:
    order = request.order
    return commands.CreateOrder(
        lines=tuple(commands.OrderLine(line.product_id, line.quantity) for line in order.lines),
        payment_method_id=order.payment_method_id,
    )


def list_products_command(
    request: orders_service_pb2.ListProductsRequest,
) -> commands.ListProducts:
    return commands.ListProducts(page_size=request.page_size, page_token=request.page_token)


def list_orders_command(request: orders_service_pb2.ListOrdersRequest) -> commands.ListOrders:
    return commands.ListOrders(
        page_size=request.page_size, page_token=request.page_token, owner_id=request.owner_id
    )
