"""Request validation: every bad field is named, with the contract's specific reasons."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime

import pytest

from mesh.actor import Actor
from mesh.errors import InvalidArgument
from mesh.paging import next_token
from services.users import commands, kyc_validation, validation
from services.users.domain import Address, KycRejectionReason, KycStatus, Profile
from tests.unit.users.factories import create_command, submission

ADA = Actor("ada", frozenset({"user"}))
TODAY = date.today()


def invalid(call, *args, **kwargs) -> InvalidArgument:
    with pytest.raises(InvalidArgument) as caught:
        call(*args, **kwargs)
    return caught.value


def fields(error: InvalidArgument) -> list[str]:
    return [violation.field for violation in error.violations]


class TestCreateUser:
    def test_the_email_is_normalized_and_the_profile_trimmed(self) -> None:
        command = create_command(
            email="  Ada@EXAMPLE.com ", profile=Profile(display_name="  Ada  ", locale="en-GB")
        )
        made = validation.new_user(command)
        assert made.email == "Ada@example.com"
        assert made.email_key == "ada@example.com"
        assert (made.profile.display_name, made.profile.locale) == ("Ada", "en-GB")

    def test_every_bad_field_is_named_at_once(self) -> None:
        command = commands.CreateUser(
            user_id="",
            email="not an email",
            profile=Profile(
                display_name="x" * 101,
                given_name="tab\there",
                locale="english please",
                time_zone="Mars/Olympus",
                address=Address(address_lines=("",) * 6, region_code="GBR"),
            ),
            body_id="other",
        )
        error = invalid(validation.new_user, command)
        assert error.reason == "VALIDATION_FAILED"
        assert fields(error) == [
            "user_id",
            "user.id",
            "user.email",
            "user.display_name",
            "user.given_name",
            "user.locale",
            "user.time_zone",
            "user.address.address_lines",
            "user.address.region_code",
        ]

    @pytest.mark.parametrize("user_id", ["me", "has space", " u-1", "a/b", "x" * 129])
    def test_ids_that_cannot_name_a_profile_are_refused(self, user_id: str) -> None:
        command = create_command(user_id=user_id, email="ada@example.com")
        assert fields(invalid(validation.new_user, command)) == ["user_id"]

    def test_a_bad_phone_number_alone_has_its_own_reason(self) -> None:
        command = create_command(profile=Profile(phone_number="07700 900123"))
        error = invalid(validation.new_user, command)
        assert (error.reason, fields(error)) == ("INVALID_PHONE_NUMBER", ["user.phone_number"])

    def test_a_bad_phone_number_among_other_problems_is_a_validation_failure(self) -> None:
        command = create_command(email="", profile=Profile(phone_number="12"))
        error = invalid(validation.new_user, command)
        assert (error.reason, fields(error)) == (
            "VALIDATION_FAILED",
            ["user.email", "user.phone_number"],
        )


class TestUpdateMask:
    def update(self, *paths: str, profile: Profile | None = None, user_id: str = "me"):
        command = commands.UpdateUser(
            user_id=user_id, profile=profile or Profile(), paths=paths, caller=ADA
        )
        return validation.profile_update(command, ADA)

    def test_me_stands_for_the_caller_and_only_named_fields_are_validated(self) -> None:
        update = self.update("display_name", profile=Profile(display_name="Ada", locale="!!"))
        assert (update.user_id, update.paths) == ("ada", frozenset({"display_name"}))

    def test_an_empty_mask_is_refused(self) -> None:
        error = invalid(self.update)
        assert (error.reason, fields(error)) == ("INVALID_UPDATE_MASK", ["update_mask"])

    def test_each_unknown_or_read_only_path_is_named(self) -> None:
        error = invalid(self.update, "display_name", "email", "kyc_status", "nickname")
        assert error.reason == "INVALID_UPDATE_MASK"
        descriptions = [v.description for v in error.violations]
        assert [d.split()[0] for d in descriptions] == ["'email'", "'kyc_status'", "'nickname'"]
        assert "cannot be updated" in descriptions[0]

    def test_mask_and_value_problems_are_reported_together(self) -> None:
        error = invalid(self.update, "email", "phone_number", profile=Profile(phone_number="x"))
        assert (error.reason, fields(error)) == (
            "VALIDATION_FAILED",
            ["update_mask", "user.phone_number"],
        )

    def test_me_without_a_calling_user_is_refused(self) -> None:
        command = commands.UpdateUser("me", Profile(), ("display_name",), Actor())
        assert fields(invalid(validation.profile_update, command, Actor())) == ["user.id"]


class TestKycSubmission:
    def test_a_valid_submission_is_normalized(self) -> None:
        user_id, details = kyc_validation.kyc_submission(
            commands.SubmitKyc("me", submission(), ADA), ADA, today=TODAY
        )
        assert (user_id, details.nationality, details.birth_date) == (
            "ada",
            "GB",
            date(1990, 12, 10),
        )

    def test_every_missing_detail_is_named(self) -> None:
        command = commands.SubmitKyc("me", commands.KycSubmission(), ADA)
        error = invalid(kyc_validation.kyc_submission, command, ADA, today=TODAY)
        assert fields(error) == [
            f"details.{name}"
            for name in (
                "legal_given_name",
                "legal_family_name",
                "birth_date",
                "nationality",
                "residential_address",
                "document_type",
                "document_number",
                "document_issuing_country",
                "document_expire_date",
            )
        ]

    def test_missing_details_are_refused(self) -> None:
        error = invalid(
            kyc_validation.kyc_submission, commands.SubmitKyc("me", None, ADA), ADA, today=TODAY
        )
        assert fields(error) == ["details"]

    def test_impossible_dates_and_unknown_document_types_are_named(self) -> None:
        raw = submission(birth_date=(1990, 2, 30), document_type="7", nationality="Britain")
        error = invalid(
            kyc_validation.kyc_submission, commands.SubmitKyc("me", raw, ADA), ADA, today=TODAY
        )
        assert fields(error) == [
            "details.birth_date",
            "details.nationality",
            "details.document_type",
        ]

    def test_an_expired_document_has_its_own_reason(self) -> None:
        raw = submission(document_expire_date=(TODAY.year - 1, 1, 1))
        error = invalid(
            kyc_validation.kyc_submission, commands.SubmitKyc("me", raw, ADA), ADA, today=TODAY
        )
        assert (error.reason, fields(error)) == (
            "KYC_DOCUMENT_EXPIRED",
            ["details.document_expire_date"],
        )

    def test_the_residential_address_needs_a_line_a_locality_and_a_country(self) -> None:
        raw = submission(residential_address=Address(postal_code="SW1A 2AA"))
        error = invalid(
            kyc_validation.kyc_submission, commands.SubmitKyc("me", raw, ADA), ADA, today=TODAY
        )
        assert fields(error) == [
            "details.residential_address.address_lines",
            "details.residential_address.locality",
            "details.residential_address.region_code",
        ]


class TestKycRejection:
    def test_a_reason_is_required(self) -> None:
        error = invalid(kyc_validation.kyc_rejection, commands.RejectKyc("ada", "", ADA), ADA)
        assert fields(error) == ["reason"]

    def test_the_reason_other_needs_a_note(self) -> None:
        error = invalid(kyc_validation.kyc_rejection, commands.RejectKyc("ada", "OTHER", ADA), ADA)
        assert fields(error) == ["note"]

    def test_a_note_may_span_lines(self) -> None:
        review = kyc_validation.kyc_rejection(
            commands.RejectKyc("ada", "OTHER", ADA, "Photo blurred.\nPlease retake."), ADA
        )
        assert review.reason is KycRejectionReason.OTHER
        assert review.note == "Photo blurred.\nPlease retake."


def token_after(cursor: validation.Cursor, wanted: commands.ListUsers) -> str:
    """The token ListUsers gives for the page after `cursor` (a page of one, and one more)."""
    request = validation.page_request(replace(wanted, page_size=1))
    return next_token(request.page, [cursor, cursor], lambda c: (c.create_time, c.user_id))


class TestPaging:
    def test_defaults_and_bounds_of_the_page_size(self) -> None:
        assert validation.page_request(commands.ListUsers()).size == 50
        assert validation.page_request(commands.ListUsers(page_size=1000)).size == 100
        error = invalid(validation.page_request, commands.ListUsers(page_size=-1))
        assert fields(error) == ["page_size"]

    def test_filters_are_normalized(self) -> None:
        request = validation.page_request(
            commands.ListUsers(email=" Ada@EXAMPLE.com", kyc_status="PENDING", query=" LoVe ")
        )
        assert request.filter == validation.UserFilter("ada@example.com", KycStatus.PENDING, "love")

    def test_a_token_round_trips_for_the_same_query(self) -> None:
        wanted = commands.ListUsers(query="ada")
        cursor = validation.Cursor(datetime.fromisoformat("2025-06-01T12:00:00.000001+00:00"), "u1")
        token = token_after(cursor, wanted)
        assert (
            validation.page_request(replace(wanted, page_token=token, page_size=5)).after == cursor
        )

    def test_a_token_from_another_query_is_refused(self) -> None:
        cursor = validation.Cursor(datetime.fromisoformat("2025-06-01T12:00:00+00:00"), "u1")
        token = token_after(cursor, commands.ListUsers(query="ada"))
        error = invalid(validation.page_request, commands.ListUsers(query="bob", page_token=token))
        assert (error.reason, fields(error)) == ("INVALID_PAGE_TOKEN", ["page_token"])

    @pytest.mark.parametrize("token", ["garbage", "e30", "W10", "!!!", "eyJ2IjoxfQ"])
    def test_a_malformed_token_is_refused(self, token: str) -> None:
        error = invalid(validation.page_request, commands.ListUsers(page_token=token))
        assert error.reason == "INVALID_PAGE_TOKEN"

    def test_an_unknown_kyc_status_filter_is_named(self) -> None:
        assert fields(invalid(validation.page_request, commands.ListUsers(kyc_status="42"))) == [
            "kyc_status"
        ]
