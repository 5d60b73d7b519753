"""Orderses and who may act on them: the orders service's rules, with no I/O."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import datetime

from mesh.actor import Actor
from services.orders.errors import orders_not_found

DISPLAY_NAME_MAX = 100
DESCRIPTION_MAX = 1000


@dataclass(frozen=True, slots=True)
class Details:
    """The fields of a orders that its owner may change."""

    display_name: str = ""
    description: str = ""


#: The field names UpdateOrders accepts in its update mask, in declaration order.
UPDATABLE_FIELDS: tuple[str, ...] = tuple(f.name for f in dataclasses.fields(Details))


@dataclass(slots=True)
class Orders:
    """A orders of one user: the aggregate every use case loads, changes and saves."""

    id: str
    owner_id: str
    create_time: datetime
    update_time: datetime
    details: Details

    @classmethod
    def create(cls, orders_id: str, owner_id: str, details: Details, *, now: datetime) -> Orders:
        return cls(
            id=orders_id, owner_id=owner_id, create_time=now, update_time=now, details=details
        )

    def update(self, changes: Details, paths: frozenset[str], *, now: datetime) -> list[str]:
        """Sets the fields named in `paths` from `changes`; returns those that changed."""
        changed = [
            name
            for name in UPDATABLE_FIELDS
            if name in paths and getattr(changes, name) != getattr(self.details, name)
        ]
        if changed:
            values = {name: getattr(changes, name) for name in changed}
            self.details = dataclasses.replace(self.details, **values)
            self.update_time = now
        return changed


def visible(orders: Orders | None, actor: Actor, requested_id: str) -> Orders:
    """The orders if the actor owns it or is staff; otherwise NOT_FOUND, exactly as
    if it did not exist (so ids cannot be probed)."""
    if orders is None or not actor.may_access(orders.owner_id):
        raise orders_not_found(requested_id)
    return orders
