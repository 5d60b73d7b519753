"""Validation names every bad field at once and normalizes what it accepts."""

from __future__ import annotations

import sys
import unicodedata

import pytest

from mesh.errors import InvalidArgument
from mesh.validation import Violations, text_violation


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


def test_text_is_stripped_and_checked_for_presence_length_and_control_characters() -> None:
    violations = Violations(domain="users.meshwork")
    assert violations.text("display_name", "  Ada  ", maximum=10) == "Ada"
    violations.text("given_name", " ", maximum=10, required=True)
    violations.text("family_name", "x" * 11, maximum=10)
    violations.text("bio", "one\x00two", maximum=10)
    assert violations.text("notes", "a\n\tb\r", maximum=10, multiline=True) == "a\n\tb"
    with pytest.raises(InvalidArgument) as caught:
        violations.raise_if_any()
    assert [(v.field, v.description) for v in caught.value.violations] == [
        ("given_name", "is required"),
        ("family_name", "must be at most 10 characters (got 11)"),
        ("bio", "must not contain control characters"),
    ]


@pytest.mark.parametrize("multiline", [False, True])
def test_control_characters_are_exactly_unicodes_category_cc(multiline: bool) -> None:
    allowed = "\t\n\r" if multiline else ""
    for code in [*range(0x3000), 0xFEFF, 0x1F600, sys.maxunicode]:
        char = chr(code)
        control = unicodedata.category(char) == "Cc" and char not in allowed
        found = text_violation(f"a{char}b", maximum=10, multiline=multiline)
        assert (found == "must not contain control characters") == control, hex(code)


def test_the_reason_all_violations_share_is_the_errors_with_their_metadata() -> None:
    violations = Violations(domain="jobs.meshwork")
    violations.add("job_type", "is not registered", reason="UNKNOWN_JOB_TYPE",
                   metadata={"job_type": "nope"})  # fmt: skip
    violations.add("job_type", "is too long", reason="UNKNOWN_JOB_TYPE")
    with pytest.raises(InvalidArgument) as caught:
        violations.raise_if_any()
    assert caught.value.reason == "UNKNOWN_JOB_TYPE"
    assert caught.value.metadata == {"job_type": "nope"}
    assert caught.value.message == "the request has invalid fields: job_type"


def test_violations_of_several_kinds_give_the_general_reason_without_metadata() -> None:
    violations = Violations(domain="jobs.meshwork")
    assert violations.ok
    violations.add("job_type", "is not registered", reason="UNKNOWN_JOB_TYPE",
                   metadata={"job_type": "nope"})  # fmt: skip
    violations.add("run_at", "is required")
    assert not violations.ok
    with pytest.raises(InvalidArgument) as caught:
        violations.raise_if_any()
    assert caught.value.reason == "VALIDATION_FAILED"
    assert caught.value.metadata == {}
    assert [v.field for v in caught.value.violations] == ["job_type", "run_at"]


def test_valid_gives_the_value_only_when_every_check_passed() -> None:
    violations = Violations(domain="users.meshwork")
    assert violations.valid("en-GB") == "en-GB"
    violations.required("display_name", " ")
    with pytest.raises(InvalidArgument) as caught:
        violations.valid("en-GB")
    assert [v.field for v in caught.value.violations] == ["display_name"]


def test_valid_refuses_a_missing_value_after_checks_that_passed() -> None:
    # A check that passes must produce its value; None then is a bug, not bad input.
    with pytest.raises(RuntimeError, match="produced no value"):
        Violations(domain="users.meshwork").valid(None)
