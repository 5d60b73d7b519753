"""What each use case is asked to do, as received: plain values, not yet validated."""

from __future__ import annotations

from dataclasses import dataclass

from services.orders.domain import Details


@dataclass(frozen=True, slots=True)
class CreateOrders:
    details: Details


@dataclass(frozen=True, slots=True)
class UpdateOrders:
    orders_id: str
    details: Details
    paths: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class ListOrderses:
    page_size: int = 0
    page_token: str = ""
