"""The orders rules: updates by mask, and who may see a orders."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from mesh.actor import Actor
from mesh.errors import NotFound
from services.orders.domain import Details, Orders, visible

CREATED = datetime(2026, 1, 1, tzinfo=UTC)


def a_orders(owner_id: str = "u-1") -> Orders:
    details = Details(display_name="Household", description="Bills")
    return Orders.create("orders-1", owner_id, details, now=CREATED)


def test_an_update_changes_only_the_masked_fields_and_names_them() -> None:
    orders = a_orders()
    later = CREATED + timedelta(minutes=1)

    changed = orders.update(
        Details(display_name="Home", description="ignored"),
        frozenset({"display_name"}),
        now=later,
    )

    assert changed == ["display_name"]
    assert orders.details == Details(display_name="Home", description="Bills")
    assert orders.update_time == later


def test_an_update_that_changes_nothing_keeps_the_update_time() -> None:
    orders = a_orders()

    changed = orders.update(orders.details, frozenset({"display_name"}), now=CREATED + timedelta(1))

    assert changed == []
    assert orders.update_time == CREATED


def test_the_owner_and_staff_see_a_orders() -> None:
    orders = a_orders(owner_id="u-1")

    assert visible(orders, Actor(user_id="u-1"), "orders-1") is orders
    assert visible(orders, Actor(user_id="s-1", roles=frozenset({"support"})), "x") is orders


def test_another_users_orders_is_not_found_as_if_it_did_not_exist() -> None:
    with pytest.raises(NotFound) as stranger:
        visible(a_orders(owner_id="u-1"), Actor(user_id="u-2"), "orders-1")
    with pytest.raises(NotFound) as missing:
        visible(None, Actor(user_id="u-2"), "orders-1")

    assert stranger.value.reason == missing.value.reason == "ORDERS_NOT_FOUND"
    assert stranger.value.message == missing.value.message
