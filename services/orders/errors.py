"""The errors the orders service reports (reasons from its contract's ErrorReason)."""

from __future__ import annotations

from mesh.errors import NotFound

#: ErrorInfo domain of every error this service reports.
DOMAIN = "orders.meshwork"


def orders_not_found(requested_id: str) -> NotFound:
    return NotFound(f"no orders has id {requested_id!r}", reason="ORDERS_NOT_FOUND", domain=DOMAIN)
