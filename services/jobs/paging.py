"""List pages: page sizes and opaque page tokens bound to the query they came from (pure)."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from mesh.paging import PageTokenError, decode_page_token, encode_page_token
from services.jobs.validation import FieldChecks

DEFAULT_PAGE_SIZE = 50
MAX_PAGE_SIZE = 100


@dataclass(frozen=True, slots=True)
class Page:
    """A validated page request: its size and the position after which it starts."""

    size: int
    fingerprint: str
    #: The sort key of the last item of the previous page (strings), or None for the first.
    after: tuple[str, ...] | None = None


def fingerprint(*filters: object) -> str:
    """Identifies a query, so a page token cannot be replayed against another one."""
    return hashlib.sha256(json.dumps([str(f) for f in filters]).encode()).hexdigest()[:16]


def page(checks: FieldChecks, page_size: int, page_token: str, *, query: str, arity: int) -> Page:
    """The page a request asks for; a bad size or token is a violation."""
    if page_size < 0:
        checks.add("page_size", f"must not be negative (got {page_size})")
    after = decode_token(checks, page_token, query, arity=arity) if page_token else None
    return Page(min(page_size or DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE), query, after)


def encode_token(key: Sequence[str], query: str) -> str:
    return encode_page_token({"query": query}, {"key": list(key)})


def decode_token(
    checks: FieldChecks, token: str, query: str, *, arity: int
) -> tuple[str, ...] | None:
    """The sort key of `token`; a violation when it is malformed or from another query."""
    try:
        position = decode_page_token(token, {"query": query})
    except PageTokenError as error:
        checks.add("page_token", str(error), reason="INVALID_PAGE_TOKEN")
        return None
    key = position.get("key")
    if not isinstance(key, list) or len(key) != arity:
        checks.add("page_token", "is not a page token from this list", reason="INVALID_PAGE_TOKEN")
        return None
    return tuple(str(part) for part in key)


def time_key(checks: FieldChecks, value: str) -> datetime | None:
    """A timestamp from a page token's sort key."""
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        moment = None
    if moment is None or moment.tzinfo is None:
        checks.add("page_token", "is not a page token from this list", reason="INVALID_PAGE_TOKEN")
        return None
    return moment
