"""`expand[]`: ids in an answer replaced by the objects they name."""

from __future__ import annotations

import copy
from typing import Any

from sandbox.stripe.errors import invalid
from sandbox.stripe.state import Store

# Fields holding an id, and the kind of object it names.
EXPANDABLE = {
    "latest_charge": "charges",
    "charge": "charges",
    "customer": "customers",
    "payment_method": "payment_methods",
    "payment_intent": "payment_intents",
}


def check(paths: list[str]) -> list[str]:
    """Refuses, before anything runs, a path no answer could expand."""
    for path in paths:
        if any(name not in EXPANDABLE and name != "data" for name in path.split(".")):
            raise invalid(f"This property cannot be expanded ({path}).", param="expand")
    return paths


def expand(store: Store, body: dict[str, Any], paths: list[str]) -> dict[str, Any]:
    """A copy of `body` with each dotted path (`latest_charge`, `data.customer`) expanded."""
    body = copy.deepcopy(body)
    for path in paths:
        _expand_path(store, body, path.split("."), path)
    return body


def _expand_path(store: Store, node: dict[str, Any], fields: list[str], path: str) -> None:
    head, rest = fields[0], fields[1:]
    if head == "data" and node.get("object") == "list":
        for item in node["data"]:
            _expand_path(store, item, rest, path)
        return
    if head not in EXPANDABLE or head not in node:
        raise invalid(f"This property cannot be expanded ({path}).", param="expand")
    value = node[head]
    if isinstance(value, str):
        value = node[head] = copy.deepcopy(store.get(EXPANDABLE[head], value, param="expand"))
    if rest and isinstance(value, dict):
        _expand_path(store, value, rest, path)
