"""Opaque page tokens (AIP-158): where the next page starts, bound to the query that made it."""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
from collections.abc import Mapping
from typing import Any


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
        raise PageTokenError("is not a page token: pass next_page_token unchanged") from None
    if not isinstance(payload, dict) or not isinstance(payload.get("p"), dict):
        raise PageTokenError("is not a page token: pass next_page_token unchanged")
    if payload.get("q") != _fingerprint(query):
        raise PageTokenError(
            "belongs to a different query: keep the filters of the first page, "
            "or start again without a page token"
        )
    return dict(payload["p"])
