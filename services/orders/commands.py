"""What each use case is asked to do, as received: plain values, not yet validated."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class CreateProduct:
    display_name: str
    unit_price: int
    currency_code: str
    stock: int


@dataclass(frozen=True, slots=True)
class OrderLine:
    product_id: str
    quantity: int


@dataclass(frozen=True, slots=True)
class CreateOrder:
    lines: tuple[OrderLine, ...]
    payment_method_id: str


@dataclass(frozen=True, slots=True)
class ListProducts:
    page_size: int = 0
    page_token: str = ""


@dataclass(frozen=True, slots=True)
class ListOrders:
    page_size: int = 0
    page_token: str = ""
    owner_id: str = ""
