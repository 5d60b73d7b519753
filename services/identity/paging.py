"""Opaque page tokens: where the next page starts, tied to the query that produced it."""

from __future__ import annotations

import base64
import binascii
import json
from typing import Any

from services.identity.errors import invalid_page_token


def encode_page_token(query: dict[str, Any], position: dict[str, Any]) -> str:
    payload = json.dumps({"q": query, "p": position}, sort_keys=True, separators=(",", ":"))
    return base64.urlsafe_b64encode(payload.encode()).decode().rstrip("=")


def decode_page_token(token: str, query: dict[str, Any]) -> dict[str, Any]:
    """The position a page token holds; INVALID_PAGE_TOKEN when malformed or for another query."""
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
        decoded = json.loads(raw)
    except (binascii.Error, ValueError, UnicodeDecodeError):
        raise invalid_page_token() from None
    if not isinstance(decoded, dict) or decoded.get("q") != query:
        raise invalid_page_token()
    position = decoded.get("p")
    if not isinstance(position, dict):
        raise invalid_page_token()
    return position
