"""Page tokens round-trip, and refuse tampering and replay against another query."""

from __future__ import annotations

import pytest

from mesh.paging import PageTokenError, decode_page_token, encode_page_token


def test_a_token_returns_the_position_it_was_made_with() -> None:
    token = encode_page_token({"state": "ACTIVE"}, {"after": "2026-01-01T00:00:00+00:00", "id": 7})
    assert decode_page_token(token, {"state": "ACTIVE"}) == {
        "after": "2026-01-01T00:00:00+00:00",
        "id": 7,
    }


def test_a_token_from_another_query_is_refused() -> None:
    token = encode_page_token({"state": "ACTIVE"}, {"id": 7})
    with pytest.raises(PageTokenError, match="different query"):
        decode_page_token(token, {"state": "DELETED"})


@pytest.mark.parametrize("token", ["not base64!", "bm90IGpzb24", "WzFd"])
def test_a_malformed_token_is_refused(token: str) -> None:
    with pytest.raises(PageTokenError, match="not a page token"):
        decode_page_token(token, {})
