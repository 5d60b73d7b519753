"""Page sizes follow one rule; page tokens round-trip and refuse tampering and other queries."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from mesh.errors import InvalidArgument
from mesh.paging import (
    PageTokenError,
    decode_page_token,
    encode_page_token,
    next_token,
    page,
    page_size,
)
from mesh.validation import Violations

NOW = datetime(2026, 1, 1, 12, 30, tzinfo=UTC)


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


def violations() -> Violations:
    return Violations(domain="tests.meshwork")


def test_page_size_defaults_caps_and_refuses_negatives() -> None:
    check = violations()
    assert [page_size(check, size) for size in (0, 7, 100, 500)] == [50, 7, 100, 100]
    check.raise_if_any()
    page_size(check, -1)
    with pytest.raises(InvalidArgument) as caught:
        check.raise_if_any()
    assert caught.value.violations[0].description == "must not be negative (got -1)"


def test_next_token_continues_after_the_last_item_of_the_page() -> None:
    query = {"list": "things", "owner": "ada"}
    first = page(violations(), size=2, token="", query=query, key=(datetime, str))
    found = [(NOW, "c"), (NOW, "b"), (NOW, "a")]  # size + 1 fetched: another page follows
    token = next_token(first, found, lambda item: item)
    check = violations()
    second = page(check, size=2, token=token, query=query, key=(datetime, str))
    check.raise_if_any()
    assert second.after == (NOW.isoformat(), "b")
    assert next_token(second, found[2:], lambda item: item) == ""


@pytest.mark.parametrize(
    ("query", "key"),
    [({"list": "things", "owner": "bob"}, (datetime, str)), ({"list": "things"}, (int,))],
    ids=["another query", "another key"],
)
def test_a_token_is_refused_by_another_query_as_invalid_page_token(
    query: dict[str, str], key: tuple[type, ...]
) -> None:
    made = page(violations(), size=1, token="", query={"list": "things", "owner": "ada"})
    token = next_token(made, [(NOW, "b"), (NOW, "a")], lambda item: item)
    check = violations()
    assert page(check, size=1, token=token, query=query, key=key).after is None
    with pytest.raises(InvalidArgument) as caught:
        check.raise_if_any()
    assert (caught.value.reason, caught.value.violations[0].field) == (
        "INVALID_PAGE_TOKEN",
        "page_token",
    )


@pytest.mark.parametrize(
    "position", [["yesterday", "a"], ["2026-01-01T00:00:00", "a"], ["x"], [1, "a"]]
)
def test_a_forged_position_is_refused_as_invalid_page_token(position: list[object]) -> None:
    # Well-formed tokens of the right query whose key is not of the list's shape: a naive
    # time, a time that does not parse, a part missing, a number where text belongs.
    token = encode_page_token({"list": "things"}, {"key": position})
    check = violations()
    page(check, size=1, token=token, query={"list": "things"}, key=(datetime, str))
    with pytest.raises(InvalidArgument) as caught:
        check.raise_if_any()
    assert caught.value.reason == "INVALID_PAGE_TOKEN"
