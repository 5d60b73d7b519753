"""Validation names every bad field at once and normalizes what it accepts."""

from __future__ import annotations

import sys
import unicodedata
from enum import StrEnum

import pytest

from mesh.actor import Actor
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


class Colour(StrEnum):
    RED = "RED"
    GREEN = "GREEN"


def found(violations: Violations) -> list[tuple[str, str]]:
    """The (field, description) pairs `violations` raises."""
    with pytest.raises(InvalidArgument) as caught:
        violations.raise_if_any()
    return [(v.field, v.description) for v in caught.value.violations]


def reason_of(violations: Violations) -> str:
    with pytest.raises(InvalidArgument) as caught:
        violations.raise_if_any()
    return caught.value.reason


@pytest.mark.parametrize(
    "mark", ["\u202a", "\u202b", "\u202c", "\u202d", "\u202e", "\u2066", "\u2067", "\u2068",
             "\u2069", "\u200e", "\u200f", "\u061c"],
)  # fmt: skip
def test_single_line_text_refuses_bidirectional_controls_naming_the_character(mark: str) -> None:
    problem = text_violation(f"Invoice{mark}gnp.exe", maximum=100)
    assert problem == (
        "must not contain bidirectional control characters "
        f"(found U+{ord(mark):04X}, which reorders the text shown after it)"
    )
    # Multiline text (notes, template bodies) may hold right-to-left passages that need them.
    assert text_violation(f"Invoice{mark}gnp.exe", maximum=100, multiline=True) is None


def test_text_in_right_to_left_scripts_is_accepted() -> None:
    assert text_violation("שלום עולם", maximum=100) is None
    assert text_violation("مرحبا", maximum=100) is None


def test_an_update_mask_names_each_unknown_and_read_only_path() -> None:
    violations = Violations(domain="users.meshwork")
    paths = violations.update_mask(
        ["name", "email", "colour", "name", "id"],
        updatable=("name", "address"),
        read_only={"email": "it belongs to the sign-in credential", "id": ""},
    )
    assert paths == {"name"}
    assert found(violations) == [
        ("update_mask", "'email' cannot be updated: it belongs to the sign-in credential"),
        ("update_mask", "'colour' is not an updatable field; use any of name, address"),
        ("update_mask", "'id' cannot be updated"),
    ]
    assert reason_of(violations) == "INVALID_UPDATE_MASK"


def test_an_empty_update_mask_lists_what_may_be_updated() -> None:
    violations = Violations(domain="users.meshwork")
    assert violations.update_mask([], updatable=frozenset({"sms", "email"})) == frozenset()
    assert found(violations) == [
        ("update_mask", "is required: name the fields to change, any of email, sms")
    ]


def test_an_enum_member_is_required_unless_optional_and_an_unknown_value_is_named() -> None:
    violations = Violations(domain="tests.meshwork")
    assert violations.enum_member("colour", "RED", Colour) is Colour.RED
    assert violations.enum_member("filter", "", Colour, required=False) is None
    violations.raise_if_any()
    assert violations.enum_member("colour", "", Colour) is None
    assert violations.enum_member("shade", "42", Colour, required=False) is None
    assert found(violations) == [
        ("colour", "is required: one of RED, GREEN"),
        ("shade", "has unknown value 42; use one of RED, GREEN"),
    ]


def test_a_phone_number_must_be_e164_and_says_so_with_its_own_reason() -> None:
    violations = Violations(domain="users.meshwork")
    assert violations.phone_number("phone_number", " +447700900123 ") == "+447700900123"
    assert violations.phone_number("phone_number", "") == ""
    violations.raise_if_any()
    violations.phone_number("phone_number", "07700 900123")
    [(field, description)] = found(violations)
    assert field == "phone_number" and description.startswith("must be an E.164 number")
    assert reason_of(violations) == "INVALID_PHONE_NUMBER"


@pytest.mark.parametrize("tag", ["en", "en-GB", "zh-Hant-TW", "sr-Latn"])
def test_a_bcp47_locale_is_accepted(tag: str) -> None:
    violations = Violations(domain="users.meshwork")
    assert violations.locale("locale", f" {tag} ") == tag
    violations.raise_if_any()


@pytest.mark.parametrize("tag", ["english please", "e", "en_GB", "en-" + "x" * 40])
def test_anything_else_is_not_a_locale(tag: str) -> None:
    violations = Violations(domain="users.meshwork")
    violations.locale("locale", tag)
    assert found(violations) == [("locale", 'must be a BCP 47 language tag, for example "en-GB"')]


def test_me_stands_for_the_calling_user_and_needs_one() -> None:
    violations = Violations(domain="users.meshwork")
    assert violations.user_id("user_id", " me ", actor=Actor("ada")) == "ada"
    assert violations.user_id("user_id", "bob", actor=Actor("ada")) == "bob"
    violations.raise_if_any()
    violations.user_id("user_id", "me", actor=Actor(service="payments"))
    violations.user_id("owner_id", " ", actor=Actor("ada"))
    assert found(violations) == [
        ("user_id", '"me" stands for the calling user, and this call carries none'),
        ("owner_id", "is required"),
    ]


def test_an_invalid_email_may_carry_the_services_own_reason() -> None:
    violations = Violations(domain="identity.meshwork")
    violations.email("email", "no-at-sign", reason="INVALID_EMAIL")
    assert reason_of(violations) == "INVALID_EMAIL"
    missing = Violations(domain="identity.meshwork")
    missing.email("email", " ", reason="INVALID_EMAIL")
    assert reason_of(missing) == "VALIDATION_FAILED"


def test_fail_raises_what_was_found_and_refuses_to_raise_nothing() -> None:
    violations = Violations(domain="tests.meshwork")
    with pytest.raises(RuntimeError, match="no violation"):
        violations.fail()
    violations.add("template", "is required")
    with pytest.raises(InvalidArgument) as caught:
        violations.fail()
    assert [v.field for v in caught.value.violations] == ["template"]
