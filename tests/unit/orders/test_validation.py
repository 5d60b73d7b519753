"""Create, update and list requests of the orders service, checked field by field."""

from __future__ import annotations

import pytest

from mesh.actor import Actor
from mesh.errors import InvalidArgument, Unauthenticated
from services.orders import commands, validation
from services.orders.domain import Details

OWNER = Actor(user_id="u-1")


def fields_of(error: InvalidArgument) -> list[str]:
    return [violation.field for violation in error.violations]


def test_a_new_orders_belongs_to_the_caller_and_is_trimmed() -> None:
    command = commands.CreateOrders(Details(display_name="  Household ", description="Bills"))

    orders = validation.new_orders(command, OWNER)

    assert orders.owner_id == "u-1"
    assert orders.details.display_name == "Household"
    assert orders.id


def test_a_new_orders_needs_a_display_name_of_at_most_100_characters() -> None:
    for display_name in ("", "x" * 101):
        command = commands.CreateOrders(Details(display_name=display_name))
        with pytest.raises(InvalidArgument) as refused:
            validation.new_orders(command, OWNER)
        assert fields_of(refused.value) == ["orders.display_name"]


def test_creating_a_orders_needs_an_end_user() -> None:
    with pytest.raises(Unauthenticated):
        validation.new_orders(commands.CreateOrders(Details(display_name="x")), Actor())


def test_an_update_mask_naming_an_output_only_field_is_refused_naming_it() -> None:
    command = commands.UpdateOrders("orders-1", Details(), ("owner_id",))

    with pytest.raises(InvalidArgument) as refused:
        validation.details_update(command)

    assert refused.value.reason == "INVALID_UPDATE_MASK"
    assert "'owner_id' cannot be updated" in str(refused.value.violations[0].description)


def test_an_update_checks_only_the_fields_its_mask_names() -> None:
    command = commands.UpdateOrders("orders-1", Details(description=" Bills "), ("description",))

    update = validation.details_update(command)

    assert update.paths == frozenset({"description"})
    assert update.details.description == "Bills"


def test_a_forged_page_token_is_refused_naming_page_token() -> None:
    with pytest.raises(InvalidArgument) as refused:
        validation.page_request(commands.ListOrderses(page_token="forged"), OWNER)

    assert refused.value.reason == "INVALID_PAGE_TOKEN"
    assert fields_of(refused.value) == ["page_token"]
