"""The errors the orders service reports (reasons from its contract's ErrorReason)."""

from __future__ import annotations

from mesh.errors import FailedPrecondition, NotFound

#: ErrorInfo domain of every error this service reports.
DOMAIN = "orders.meshwork"


def order_not_found(requested_id: str) -> NotFound:
    return NotFound(f"no order has id {requested_id!r}", reason="ORDER_NOT_FOUND", domain=DOMAIN)


def product_not_found(requested_id: str) -> NotFound:
    return NotFound(
        f"no product has id {requested_id!r}", reason="PRODUCT_NOT_FOUND", domain=DOMAIN
    )


def order_not_cancellable(order_id: str, state: str) -> FailedPrecondition:
    return FailedPrecondition(
        f"order {order_id!r} is {state} and can no longer be cancelled",
        reason="ORDER_NOT_CANCELLABLE",
        domain=DOMAIN,
        metadata={"order_id": order_id, "state": state},
    )
