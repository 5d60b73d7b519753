"""Validation names every bad field at once and normalizes what it accepts."""

from __future__ import annotations

import pytest

from mesh.errors import InvalidArgument
from mesh.validation import Violations


def test_every_bad_field_is_reported_at_once() -> None:
    violations = Violations(domain="users.meshwork")
    violations.email("email", "not-an-address")
    violations.length("display_name", "x" * 101, maximum=100)
    violations.required("locale", "   ")
    with pytest.raises(InvalidArgument) as caught:
        violations.raise_if_any()
    assert [v.field for v in caught.value.violations] == ["email", "display_name", "locale"]
    assert "at most 100 characters (got 101)" in caught.value.violations[1].description
    assert caught.value.reason == "VALIDATION_FAILED"


def test_a_valid_email_is_normalized() -> None:
    violations = Violations(domain="users.meshwork")
    assert violations.email("email", "  Ada@Example.COM ") == "Ada@example.com"
    violations.raise_if_any()


def test_nothing_is_raised_when_all_is_well() -> None:
    violations = Violations(domain="users.meshwork")
    assert violations.length("name", " Ada ", minimum=1, maximum=10) == "Ada"
    violations.raise_if_any()
