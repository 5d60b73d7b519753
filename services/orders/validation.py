"""Request values → domain values, naming every bad field at once (pure)."""

from __future__ import annotations

import re
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from mesh.actor import Actor
from mesh.clock import utc_now
from mesh.paging import Page, page
from mesh.validation import Violations
from services.orders import commands
from services.orders.domain import (
    DISPLAY_NAME_MAX,
    MAX_LINES,
    MAX_QUANTITY,
    MAX_UNIT_PRICE,
    Line,
    Order,
    Product,
)
from services.orders.errors import DOMAIN, product_not_found

_CURRENCY = re.compile(r"^[A-Z]{3}$")
MAX_STOCK = 1_000_000_000


def target(value: str, *, field: str) -> str:
    """The id of a request that carries nothing else to check."""
    checks = Violations(domain=DOMAIN)
    resolved = checks.required(field, value)
    checks.raise_if_any()
    return resolved


def new_product(command: commands.CreateProduct) -> Product:
    checks = Violations(domain=DOMAIN)
    name = checks.text(
        "product.display_name", command.display_name, maximum=DISPLAY_NAME_MAX, required=True
    )
    if not 0 < command.unit_price <= MAX_UNIT_PRICE:
        checks.add(
            "product.unit_price",
            f"must be 1 to {MAX_UNIT_PRICE} minor units of the currency (got {command.unit_price})",
        )
    if not _CURRENCY.match(command.currency_code):
        checks.add(
            "product.currency_code",
            f"{command.currency_code!r} is not an upper-case ISO 4217 code such as 'EUR'",
            reason="UNSUPPORTED_CURRENCY",
        )
    if not 0 <= command.stock <= MAX_STOCK:
        checks.add("product.stock", f"must be 0 to {MAX_STOCK} (got {command.stock})")
    checks.raise_if_any()
    now = utc_now()
    return Product(
        uuid.uuid4().hex, name, command.unit_price, command.currency_code, command.stock, now, now
    )


@dataclass(frozen=True, slots=True)
class OrderRequest:
    """A CreateOrder whose fields are well formed; its products are not looked up yet."""

    owner_id: str
    lines: tuple[Line, ...]
    payment_method_id: str


def order_request(command: commands.CreateOrder, actor: Actor) -> OrderRequest:
    owner_id = actor.require_user()
    checks = Violations(domain=DOMAIN)
    if not 1 <= len(command.lines) <= MAX_LINES:
        checks.add("order.lines", f"must have 1 to {MAX_LINES} lines (got {len(command.lines)})")
    seen: set[str] = set()
    lines = []
    for index, line in enumerate(command.lines):
        field = f"order.lines[{index}]"
        product_id = checks.required(f"{field}.product_id", line.product_id)
        if product_id and product_id in seen:
            checks.add(f"{field}.product_id", "names a product of an earlier line: merge them")
        seen.add(product_id)
        if not 1 <= line.quantity <= MAX_QUANTITY:
            checks.add(f"{field}.quantity", f"must be 1 to {MAX_QUANTITY} (got {line.quantity})")
        lines.append(Line(product_id, line.quantity))
    method = checks.text(
        "order.payment_method_id", command.payment_method_id, maximum=255, required=True
    )
    checks.raise_if_any()
    return OrderRequest(owner_id, tuple(lines), method)


def new_order(request: OrderRequest, products: Mapping[str, Product]) -> Order:
    """The order priced from the catalogue: each line at its product's current price."""
    for line in request.lines:
        if line.product_id not in products:
            raise product_not_found(line.product_id)
    priced = tuple(
        Line(line.product_id, line.quantity, product.display_name, product.unit_price)
        for line in request.lines
        for product in [products[line.product_id]]
    )
    currencies = sorted({products[line.product_id].currency_code for line in request.lines})
    if len(currencies) > 1:
        checks = Violations(domain=DOMAIN)
        checks.add(
            "order.lines",
            f"the products are priced in {', '.join(currencies)}: order them separately",
            reason="MIXED_CURRENCIES",
        )
        checks.raise_if_any()
    return Order.place(
        uuid.uuid4().hex,
        request.owner_id,
        priced,
        currency_code=currencies[0],
        payment_method_id=request.payment_method_id,
        now=utc_now(),
    )


@dataclass(frozen=True, slots=True)
class PageRequest:
    """A validated list: whose rows ("" for everyone's), how many, after which one."""

    owner_id: str
    page: Page
    after: tuple[datetime, str] | None

    @property
    def size(self) -> int:
        return self.page.size


def _page_request(
    checks: Violations, size: int, token: str, query: dict[str, str], owner_id: str
) -> PageRequest:
    requested = page(checks, size=size, token=token, query=query, key=(datetime, str))
    checks.raise_if_any()
    return PageRequest(owner_id, requested, requested.after_time_and_id())


def product_page(command: commands.ListProducts) -> PageRequest:
    checks = Violations(domain=DOMAIN)
    query = {"list": "products"}
    return _page_request(checks, command.page_size, command.page_token, query, "")


def order_page(command: commands.ListOrders, actor: Actor) -> PageRequest:
    """Users list their own orders; staff anyone's, or everyone's with no owner."""
    user_id = actor.require_user()
    checks = Violations(domain=DOMAIN)
    owner_id = user_id
    if actor.is_staff:
        owner_id = (
            checks.user_id("owner_id", command.owner_id, actor=actor) if command.owner_id else ""
        )
    elif command.owner_id and command.owner_id not in ("me", user_id):
        checks.add("owner_id", "users list their own orders only: leave it empty or 'me'")
    query = {"list": "orders", "owner": owner_id}
    return _page_request(checks, command.page_size, command.page_token, query, owner_id)
