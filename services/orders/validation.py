"""Request values → domain values, naming every bad field at once (pure)."""

from __future__ import annotations

import uuid
from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime

from mesh.actor import Actor
from mesh.clock import utc_now
from mesh.paging import Page, page
from mesh.validation import Violations
from services.orders import commands
from services.orders.domain import (
    DESCRIPTION_MAX,
    DISPLAY_NAME_MAX,
    UPDATABLE_FIELDS,
    Details,
    Orders,
)
from services.orders.errors import DOMAIN

#: Why each Orders field outside UPDATABLE_FIELDS cannot be in an update mask.
_READ_ONLY = {
    "id": "it identifies the orders",
    "owner_id": "it is output only",
    "create_time": "it is output only",
    "update_time": "it is output only",
}


def target(value: str, *, field: str = "orders_id") -> str:
    """The orders id of a request that carries nothing else to check."""
    checks = Violations(domain=DOMAIN)
    resolved = checks.required(field, value)
    checks.raise_if_any()
    return resolved


def new_orders(command: commands.CreateOrders, actor: Actor) -> Orders:
    owner_id = actor.require_user()
    checks = Violations(domain=DOMAIN)
    details = details_fields(checks, command.details, UPDATABLE_FIELDS, prefix="orders")
    checks.raise_if_any()
    return Orders.create(uuid.uuid4().hex, owner_id, details, now=utc_now())


@dataclass(frozen=True, slots=True)
class DetailsUpdate:
    orders_id: str
    details: Details
    paths: frozenset[str]


def details_update(command: commands.UpdateOrders) -> DetailsUpdate:
    checks = Violations(domain=DOMAIN)
    orders_id = checks.required("orders.id", command.orders_id)
    paths = checks.update_mask(command.paths, updatable=UPDATABLE_FIELDS, read_only=_READ_ONLY)
    details = details_fields(checks, command.details, sorted(paths), prefix="orders")
    checks.raise_if_any()
    return DetailsUpdate(orders_id, details, paths)


def details_fields(
    checks: Violations, raw: Details, names: Collection[str], *, prefix: str
) -> Details:
    """The named fields of `raw`, validated and normalized (the others left empty)."""
    display_name, description = "", ""
    if "display_name" in names:
        display_name = checks.text(
            f"{prefix}.display_name", raw.display_name, maximum=DISPLAY_NAME_MAX, required=True
        )
    if "description" in names:
        description = checks.text(
            f"{prefix}.description", raw.description, maximum=DESCRIPTION_MAX, multiline=True
        )
    return Details(display_name=display_name, description=description)


@dataclass(frozen=True, slots=True)
class PageRequest:
    """A validated ListOrderses: whose orderses, how many, after which one."""

    owner_id: str
    page: Page
    after: tuple[datetime, str] | None

    @property
    def size(self) -> int:
        return self.page.size


def page_request(command: commands.ListOrderses, actor: Actor) -> PageRequest:
    owner_id = actor.require_user()
    checks = Violations(domain=DOMAIN)
    requested = page(
        checks,
        size=command.page_size,
        token=command.page_token,
        query={"list": "orderses", "owner": owner_id},
        key=(datetime, str),
    )
    checks.raise_if_any()
    return PageRequest(owner_id, requested, requested.after_time_and_id())
