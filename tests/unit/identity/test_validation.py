"""Request checks and password rules."""

from __future__ import annotations

import pytest

from mesh.errors import InvalidArgument
from mesh.validation import Violations
from services.identity.errors import DOMAIN
from services.identity.validation import new_password, password_problems


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
    check = Violations(domain=DOMAIN)
    new_password(check, "password", "short")
    with pytest.raises(InvalidArgument) as caught:
        check.raise_if_any()
    assert caught.value.reason == "PASSWORD_TOO_WEAK"


def test_violations_of_several_kinds_report_validation_failed_naming_each_field() -> None:
    check = Violations(domain=DOMAIN)
    assert check.email("email", " Ada@EXAMPLE.com ") == "Ada@example.com"
    check.email("backup_email", "not an address", reason="INVALID_EMAIL")
    new_password(check, "password", "short")
    check.required("token", "  ")
    with pytest.raises(InvalidArgument) as caught:
        check.raise_if_any()
    assert caught.value.reason == "VALIDATION_FAILED"
    assert [v.field for v in caught.value.violations] == ["backup_email", "password", "token"]
