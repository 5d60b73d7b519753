"""Identity's page tokens: mesh.paging, with malformed tokens reported as INVALID_PAGE_TOKEN."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from mesh import paging
from services.identity.errors import invalid_page_token

encode_page_token = paging.encode_page_token


def decode_page_token(token: str, query: Mapping[str, Any]) -> dict[str, Any]:
    """The position a page token holds; INVALID_PAGE_TOKEN when malformed or for another query."""
    try:
        return paging.decode_page_token(token, query)
    except paging.PageTokenError:
        raise invalid_page_token() from None
