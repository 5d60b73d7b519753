"""Parsing a request body as JSON, refusing what a proto3 message cannot mean: duplicate keys
(json.loads lets the last one win) and nesting deeper than any of our messages goes (which
would otherwise exhaust Python's recursion)."""

from __future__ import annotations

import json
from typing import Any, NoReturn

from edge.errors import EDGE_DOMAIN
from mesh.errors import FieldViolation, InvalidArgument

#: Deeper than any request message nests; far below Python's recursion limit.
MAX_DEPTH = 64


class _DuplicateKey(ValueError):
    def __init__(self, key: str) -> None:
        super().__init__(key)
        self.key = key


def _refusing_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            raise _DuplicateKey(key)
        result[key] = value
    return result


def parse_json_body(body: bytes) -> Any:
    """The body's JSON value, or InvalidArgument (MALFORMED_BODY) saying what is wrong."""
    too_deep = f"nests objects and arrays more than {MAX_DEPTH} levels deep"
    try:
        data = json.loads(body, object_pairs_hook=_refusing_duplicates)
    except _DuplicateKey as duplicate:
        _refuse(f"has the key {duplicate.key!r} twice in one object; send each key once")
    except RecursionError:
        _refuse(too_deep)
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        _refuse(f"is not valid JSON: {error}")
    if _depth(data) > MAX_DEPTH:
        _refuse(too_deep)
    return data


def _depth(value: Any) -> int:
    """How many objects and arrays deep `value` nests (iteratively: no recursion to exhaust)."""
    deepest, pending = 0, [(value, 1)]
    while pending:
        current, depth = pending.pop()
        if isinstance(current, dict | list):
            deepest = max(deepest, depth)
            if depth > MAX_DEPTH:
                return depth
            children = current.values() if isinstance(current, dict) else current
            pending.extend((child, depth + 1) for child in children)
    return deepest


def _refuse(description: str) -> NoReturn:
    raise InvalidArgument(
        f"the request body {description}",
        reason="MALFORMED_BODY",
        domain=EDGE_DOMAIN,
        violations=[FieldViolation("body", description)],
    )
