"""Page sizes and opaque page tokens bound to the list and the filters they came from (pure)."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass

from mesh.paging import PageTokenError, decode_page_token, encode_page_token
from services.notifications.checks import Checks

DEFAULT_PAGE_SIZE = 50
MAX_PAGE_SIZE = 100
INVALID_PAGE_TOKEN = "INVALID_PAGE_TOKEN"


@dataclass(frozen=True, slots=True)
class Page:
    """A validated page request: how many, and after which position (None: from the start)."""

    size: int
    after: tuple[str, ...] | None
    #: Identifies the list and its filters; the next page's token carries it.
    query: str


def fingerprint(kind: str, *filters: object) -> str:
    """Identifies a list and its filters, so a token cannot be replayed against another."""
    return hashlib.sha256(json.dumps([kind, *map(str, filters)]).encode()).hexdigest()[:16]


def page(
    checks: Checks, *, size: int, token: str, query: str, size_field: str = "page_size"
) -> Page:
    """The page asked for; a bad size or token is recorded in `checks`."""
    if size < 0:
        checks.add(size_field, f"must not be negative (got {size})")
    after = decode(checks, token, query) if token else None
    return Page(min(size or DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE), after, query)


def next_token(page: Page, found: Sequence[object], position: tuple[str, ...]) -> str:
    """The token of the page after this one; "" when `found` (size + 1 fetched) was the last."""
    if len(found) <= page.size:
        return ""
    return encode_page_token({"query": page.query}, {"position": list(position)})


def decode(checks: Checks, token: str, query: str) -> tuple[str, ...] | None:
    try:
        found = decode_page_token(token, {"query": query})
    except PageTokenError as error:
        checks.add("page_token", str(error), reason=INVALID_PAGE_TOKEN)
        return None
    position = found.get("position")
    if not isinstance(position, list):
        checks.add("page_token", "is not a page token of this list", reason=INVALID_PAGE_TOKEN)
        return None
    return tuple(str(value) for value in position)
