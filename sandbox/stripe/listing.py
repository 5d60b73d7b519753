"""Stripe's list objects: newest first, `limit`, `starting_after`/`ending_before`, `created`."""

from __future__ import annotations

from typing import Any

from sandbox.stripe.errors import invalid
from sandbox.stripe.forms import Params

_BOUNDS = {"gt": int.__gt__, "gte": int.__ge__, "lt": int.__lt__, "lte": int.__le__}
LIST_PARAMS = ("limit", "starting_after", "ending_before", "created")


def page(items: list[dict[str, Any]], params: Params, *, url: str) -> dict[str, Any]:
    """One page of `items` (newest first) as `{"object": "list", "data", "has_more", "url"}`."""
    limit = params.integer("limit")
    limit = 10 if limit is None else limit
    if not 1 <= limit <= 100:
        raise invalid("This value must be between 1 and 100.", param="limit")
    items = [item for item in items if _created_matches(item["created"], params)]
    after, before = params.string("starting_after"), params.string("ending_before")
    if after and before:
        raise invalid("Pass only one of starting_after and ending_before.", param="ending_before")
    if after:
        items = items[_position(items, after, "starting_after") + 1 :]
        data = items[:limit]
    elif before:
        items = items[: _position(items, before, "ending_before")]
        data = items[-limit:]
    else:
        data = items[:limit]
    return {"object": "list", "data": data, "has_more": len(items) > limit, "url": url}


def _position(items: list[dict[str, Any]], object_id: str, param: str) -> int:
    for index, item in enumerate(items):
        if item["id"] == object_id:
            return index
    raise invalid(f"No such object: '{object_id}'", param=param, code="resource_missing")


def _created_matches(created: int, params: Params) -> bool:
    wanted = params.raw("created")
    if wanted is None:
        return True
    if isinstance(wanted, str):
        return created == _timestamp(wanted, "created")
    if not isinstance(wanted, dict) or not set(wanted) <= set(_BOUNDS):
        raise invalid("created takes a timestamp or gt, gte, lt, lte.", param="created")
    return all(
        _BOUNDS[op](created, _timestamp(value, f"created[{op}]")) for op, value in wanted.items()
    )


def _timestamp(value: Any, param: str) -> int:
    if not isinstance(value, str) or not value.isdigit():
        raise invalid(f"Invalid timestamp: {value!r}", param=param)
    return int(value)


def matching(items: list[dict[str, Any]], params: Params, *fields: str) -> list[dict[str, Any]]:
    """The items whose `fields` equal the values the request filters by (`customer=cus_…`)."""
    for name in fields:
        if (wanted := params.string(name)) is not None:
            items = [item for item in items if item[name] == wanted]
    return items
