"""List pages (AIP-158): page sizes, and opaque page tokens bound to the query that made them.

A list validates its request with `page()` and answers with `next_token()`:

    requested = page(violations, size=cmd.page_size, token=cmd.page_token,
                     query={"list": "jobs", "state": state}, key=(datetime, str))
    violations.raise_if_any()
    found = await repository.page(size=requested.size + 1, after=requested.after)
    token = next_token(requested, found, lambda job: (job.create_time, job.id))

A malformed token, or one another query produced, is INVALID_PAGE_TOKEN naming `page_token`.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar

from mesh.validation import Violations

#: The page size of a request that asks for none (page_size 0).
DEFAULT_PAGE_SIZE = 50
#: The largest page served; a request asking for more gets this many (AIP-158 coerces).
MAX_PAGE_SIZE = 100
INVALID_PAGE_TOKEN = "INVALID_PAGE_TOKEN"
_NOT_A_TOKEN = "is not a page token: pass next_page_token unchanged"

T = TypeVar("T")


class PageTokenError(ValueError):
    """A page token that is malformed, or that another query produced; the message says which."""


def _fingerprint(query: Mapping[str, Any]) -> str:
    canonical = json.dumps(query, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()[:16]


def encode_page_token(query: Mapping[str, Any], position: Mapping[str, Any]) -> str:
    """A token for the page after `position` (JSON-able values) of `query` (its filters)."""
    payload = {"q": _fingerprint(query), "p": dict(position)}
    raw = json.dumps(payload, sort_keys=True, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_page_token(token: str, query: Mapping[str, Any]) -> dict[str, Any]:
    """The position a token holds; PageTokenError if it is malformed or from another query."""
    try:
        payload = json.loads(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)))
    except (binascii.Error, ValueError, UnicodeDecodeError):
        raise PageTokenError(_NOT_A_TOKEN) from None
    if not isinstance(payload, dict) or not isinstance(payload.get("p"), dict):
        raise PageTokenError(_NOT_A_TOKEN)
    if payload.get("q") != _fingerprint(query):
        raise PageTokenError(
            "belongs to a different query: keep the filters of the first page, "
            "or start again without a page token"
        )
    return dict(payload["p"])


@dataclass(frozen=True, slots=True)
class Page:
    """A validated page request: how many, and after which position (None: from the start)."""

    size: int
    #: The sort key of the last item of the previous page, as text (each part checked against
    #: the list's key: a datetime part is an aware ISO 8601 time, an int part a number).
    after: tuple[str, ...] | None
    #: The list and its filters; the next page's token is bound to them.
    query: Mapping[str, Any]

    def after_time_and_id(self) -> tuple[datetime, str] | None:
        """`after` of a list sorted by (time, id), the key (datetime, str): the time parsed
        (page() checked that it is an aware ISO 8601 time)."""
        if self.after is None:
            return None
        return datetime.fromisoformat(self.after[0]), self.after[1]


def page_size(
    violations: Violations, size: int, *, field: str = "page_size", maximum: int = MAX_PAGE_SIZE
) -> int:
    """The size to serve: the default for 0, at most `maximum`; negative is a violation."""
    if size < 0:
        violations.add(field, f"must not be negative (got {size})")
    return min(size, maximum) if size > 0 else DEFAULT_PAGE_SIZE


def page(
    violations: Violations,
    *,
    size: int,
    token: str,
    query: Mapping[str, Any],
    key: Sequence[type] = (str,),
    size_field: str = "page_size",
    maximum: int = MAX_PAGE_SIZE,
) -> Page:
    """The page a request asks for; a bad size or token is recorded in `violations`. `key`
    gives the type of each part of the list's sort key (str, int or datetime); `maximum` is
    the largest page the list serves when its contract allows more than MAX_PAGE_SIZE."""
    after = _position(violations, token, query, key) if token else None
    size_served = page_size(violations, size, field=size_field, maximum=maximum)
    return Page(size_served, after, dict(query))


def next_token(page: Page, found: Sequence[T], position: Callable[[T], Sequence[object]]) -> str:
    """The token of the page after this one: "" when `found` (up to size + 1 items fetched)
    was the last page, else the `position` (sort key) of this page's last item."""
    if len(found) <= page.size:
        return ""
    parts = position(found[page.size - 1])
    text = [part.isoformat() if isinstance(part, datetime) else str(part) for part in parts]
    return encode_page_token(page.query, {"key": text})


def _position(
    violations: Violations, token: str, query: Mapping[str, Any], key: Sequence[type]
) -> tuple[str, ...] | None:
    try:
        parts = decode_page_token(token, query).get("key")
    except PageTokenError as error:
        violations.add("page_token", str(error), reason=INVALID_PAGE_TOKEN)
        return None
    if (
        not isinstance(parts, list)
        or len(parts) != len(key)
        or not all(_is(kind, part) for kind, part in zip(key, parts, strict=True))
    ):
        violations.add("page_token", _NOT_A_TOKEN, reason=INVALID_PAGE_TOKEN)
        return None
    return tuple(parts)


def _is(kind: type, part: object) -> bool:
    """Whether a token's key part is text of `kind` (tokens are ours, but clients may forge)."""
    if not isinstance(part, str):
        return False
    if kind is int:
        return part.isdigit()
    if kind is datetime:
        try:
            return datetime.fromisoformat(part).tzinfo is not None
        except ValueError:
            return False
    return True
