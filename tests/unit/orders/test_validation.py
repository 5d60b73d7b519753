"""Product and order requests of the orders service, checked field by field."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from mesh.actor import Actor
from mesh.errors import InvalidArgument, NotFound, Unauthenticated
from services.orders import commands, validation
from services.orders.domain import Product

BUYER = Actor(user_id="u-1")
STAFF = Actor(user_id="s-1", roles=frozenset({"support"}))
NOW = datetime(2026, 12, 1, tzinfo=UTC)


def fields_of(error: InvalidArgument) -> list[str]:
    return [violation.field for violation in error.violations]


def a_product(product_id: str, *, price: int = 1250, currency: str = "EUR") -> Product:
    return Product(product_id, f"Product {product_id}", price, currency, 10, NOW, NOW)


def test_a_new_product_names_each_bad_field() -> None:
    command = commands.CreateProduct(display_name=" ", unit_price=0, currency_code="eur", stock=-1)

    with pytest.raises(InvalidArgument) as raised:
        validation.new_product(command)

    assert fields_of(raised.value) == [
        "product.display_name",
        "product.unit_price",
        "product.currency_code",
        "product.stock",
    ]


def test_an_order_needs_lines_of_known_products_each_once_and_a_payment_method() -> None:
    lines = (
        commands.OrderLine("p-1", 0),
        commands.OrderLine("p-1", 1),
        commands.OrderLine("", 101),
    )
    command = commands.CreateOrder(lines=lines, payment_method_id="")

    with pytest.raises(InvalidArgument) as raised:
        validation.order_request(command, BUYER)

    assert fields_of(raised.value) == [
        "order.lines[0].quantity",
        "order.lines[1].product_id",
        "order.lines[2].product_id",
        "order.lines[2].quantity",
        "order.payment_method_id",
    ]


def test_an_order_with_no_lines_is_refused_and_one_needs_a_user() -> None:
    with pytest.raises(InvalidArgument) as raised:
        validation.order_request(commands.CreateOrder((), "pm_card_visa"), BUYER)
    assert fields_of(raised.value) == ["order.lines"]

    with pytest.raises(Unauthenticated):
        validation.order_request(commands.CreateOrder((), "pm_card_visa"), Actor(service="edge"))


def test_an_order_is_priced_from_the_catalogue_in_one_currency() -> None:
    command = commands.CreateOrder(
        (commands.OrderLine("p-1", 2), commands.OrderLine("p-2", 1)), "pm_card_visa"
    )
    request = validation.order_request(command, BUYER)

    order = validation.new_order(
        request, {"p-1": a_product("p-1"), "p-2": a_product("p-2", price=1)}
    )

    assert (order.owner_id, order.total_amount, order.currency_code) == ("u-1", 2501, "EUR")
    assert [line.display_name for line in order.lines] == ["Product p-1", "Product p-2"]


def test_an_order_of_an_unknown_product_or_of_mixed_currencies_is_refused() -> None:
    command = commands.CreateOrder(
        (commands.OrderLine("p-1", 1), commands.OrderLine("p-2", 1)), "pm_card_visa"
    )
    request = validation.order_request(command, BUYER)

    with pytest.raises(NotFound) as missing:
        validation.new_order(request, {"p-1": a_product("p-1")})
    assert missing.value.reason == "PRODUCT_NOT_FOUND"

    with pytest.raises(InvalidArgument) as mixed:
        validation.new_order(
            request, {"p-1": a_product("p-1"), "p-2": a_product("p-2", currency="USD")}
        )
    assert mixed.value.reason == "MIXED_CURRENCIES"


def test_users_list_their_own_orders_and_staff_anyones() -> None:
    assert validation.order_page(commands.ListOrders(), BUYER).owner_id == "u-1"
    assert validation.order_page(commands.ListOrders(owner_id="me"), BUYER).owner_id == "u-1"
    assert validation.order_page(commands.ListOrders(), STAFF).owner_id == ""
    assert validation.order_page(commands.ListOrders(owner_id="u-9"), STAFF).owner_id == "u-9"

    with pytest.raises(InvalidArgument) as raised:
        validation.order_page(commands.ListOrders(owner_id="u-9"), BUYER)
    assert fields_of(raised.value) == ["owner_id"]
