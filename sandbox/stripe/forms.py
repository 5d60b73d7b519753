"""Stripe's form encoding (`a[b]=`, `a[]=`, `a[0]=`) decoded, and typed reads naming the param."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from sandbox.stripe.errors import invalid

_SEGMENT = re.compile(r"\[([^\]]*)\]")
# Metadata keys are the caller's own: "0" and "1" there are keys, not list positions.
_FREE_FORM = frozenset({"metadata"})
METADATA_KEYS = 50


def decode(pairs: Iterable[tuple[str, str]]) -> dict[str, Any]:
    """Nests `a[b][c]=v` into dicts; `a[]`/`a[0]` become lists."""
    root: dict[str, Any] = {}
    for key, value in pairs:
        head, _, rest = key.partition("[")
        segments = [head, *_SEGMENT.findall("[" + rest)] if rest else [head]
        node = root
        for segment in segments[:-1]:
            node = node.setdefault(segment, {})
            if not isinstance(node, dict):
                raise invalid(f"Invalid value for {key}: mixes a value and a hash.", param=head)
        last = segments[-1] if segments[-1] != "" else f"\0{len(node)}"
        node[last] = value
    return _listify(root, free_form=False)


def _listify(node: dict[str, Any], *, free_form: bool) -> Any:
    items = {
        key: _listify(value, free_form=key in _FREE_FORM) if isinstance(value, dict) else value
        for key, value in node.items()
    }
    positional = [key.lstrip("\0") for key in items]
    if items and not free_form and all(key.isdigit() for key in positional):
        return [items[key] for key in sorted(items, key=lambda k: int(k.lstrip("\0")))]
    return items


class Params:
    """A request's decoded parameters, read with Stripe's checks and messages."""

    def __init__(self, values: dict[str, Any]) -> None:
        self.values = values

    def only(self, *allowed: str) -> Params:
        for name in self.values:
            if name not in allowed and name != "expand":
                raise invalid(
                    f"Received unknown parameter: {name}", param=name, code="parameter_unknown"
                )
        return self

    def raw(self, name: str) -> Any:
        return self.values.get(name)

    def string(
        self, name: str, *, required: bool = False, choices: Iterable[str] = ()
    ) -> str | None:
        value = self.values.get(name)
        if value is None or value == "":
            if required:
                raise invalid(
                    f"Missing required param: {name}.", param=name, code="parameter_missing"
                )
            return None
        if not isinstance(value, str):
            raise invalid(f"Invalid string: {value!r}", param=name, code="parameter_invalid_string")
        options = tuple(choices)
        if options and value not in options:
            raise invalid(
                f"Invalid {name}: must be one of {', '.join(options)}",
                param=name,
                code="parameter_invalid_string",
            )
        return value

    def integer(self, name: str, *, required: bool = False) -> int | None:
        value = self.string(name, required=required)
        if value is None:
            return None
        if not re.fullmatch(r"-?\d+", value):
            raise invalid(f"Invalid integer: {value}", param=name, code="parameter_invalid_integer")
        return int(value)

    def boolean(self, name: str) -> bool:
        value = self.string(name, choices=("true", "false"))
        return value == "true"

    def strings(self, name: str) -> list[str]:
        value = self.values.get(name, [])
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise invalid(f"Invalid array: {name}", param=name, code="parameter_invalid_array")
        return value

    def metadata(self) -> dict[str, str]:
        """The `metadata[...]` hash; an empty value asks to delete that key on update."""
        value = self.values.get("metadata", {})
        if value == "":
            return {}
        if not isinstance(value, dict):
            raise invalid("Invalid hash", param="metadata", code="parameter_invalid_empty")
        if len(value) > METADATA_KEYS:
            raise invalid(f"Metadata can hold at most {METADATA_KEYS} keys.", param="metadata")
        for key, item in value.items():
            if not isinstance(item, str) or len(key) > 40 or len(item) > 500:
                raise invalid(
                    "Metadata keys are at most 40 characters, values strings of at most 500.",
                    param=f"metadata[{key}]",
                )
        return value

    def expand(self) -> list[str]:
        return self.strings("expand")


def merge_metadata(current: dict[str, str], update: dict[str, str], *, replace: bool) -> dict:
    """Stripe's metadata update: keys merge, an empty value unsets, `metadata=""` clears all."""
    merged = {} if replace else dict(current)
    for key, value in update.items():
        if value == "":
            merged.pop(key, None)
        else:
            merged[key] = value
    return merged
