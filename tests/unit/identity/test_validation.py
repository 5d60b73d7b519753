"""Request checks and password rules."""

from __future__ import annotations

import pytest

from mesh.errors import InvalidArgument
from services.identity.paging import decode_page_token, encode_page_token
from services.identity.validation import FieldCheck, password_problems


@pytest.mark.parametrize(
    ("password", "problem"),
    [
        ("short", "at least 12 characters"),
        ("x" * 1025, "at most 1024"),
        ("Password1234", "breached"),
        ("abababababab", "too few different characters"),
        ("my name is adalovelace", "email address"),
    ],
)
def test_weak_passwords_are_refused_with_the_reason(password: str, problem: str) -> None:
    [found] = password_problems(password, email="adalovelace@example.com")
    assert problem in found


def test_a_long_unique_passphrase_is_accepted() -> None:
    assert password_problems("violet kettle under moonlight", email="ada@example.com") == []


def test_violations_sharing_one_reason_report_it() -> None:
    check = FieldCheck()
    check.new_password("password", "short")
    with pytest.raises(InvalidArgument) as caught:
        check.raise_if_any()
    assert caught.value.reason == "PASSWORD_TOO_WEAK"


def test_violations_of_several_kinds_report_validation_failed_naming_each_field() -> None:
    check = FieldCheck()
    assert check.email("email", " Ada@EXAMPLE.com ") == "Ada@example.com"
    check.email("backup_email", "not an address")
    check.new_password("password", "short")
    check.required("token", "  ")
    with pytest.raises(InvalidArgument) as caught:
        check.raise_if_any()
    assert caught.value.reason == "VALIDATION_FAILED"
    assert [v.field for v in caught.value.violations] == ["backup_email", "password", "token"]


def test_page_size_defaults_caps_and_refuses_negatives() -> None:
    check = FieldCheck()
    assert (check.page_size("a", 0), check.page_size("b", 500), check.page_size("c", 7)) == (
        50,
        100,
        7,
    )
    check.raise_if_any()
    check.page_size("page_size", -1)
    with pytest.raises(InvalidArgument):
        check.raise_if_any()


def test_page_tokens_only_continue_the_query_that_made_them() -> None:
    token = encode_page_token({"user_id": "u1"}, {"offset": 50})
    assert decode_page_token(token, {"user_id": "u1"}) == {"offset": 50}
    for query, bad in (({"user_id": "u2"}, token), ({"user_id": "u1"}, "%%%"), ({}, "e30")):
        with pytest.raises(InvalidArgument) as caught:
            decode_page_token(bad, query)
        assert caught.value.reason == "INVALID_PAGE_TOKEN"
