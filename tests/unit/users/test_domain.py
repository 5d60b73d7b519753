"""The users domain: profile changes, soft delete, the KYC state machine and who sees what."""

from __future__ import annotations

from datetime import timedelta

import pytest

from mesh.actor import Actor
from mesh.errors import AlreadyExists, FailedPrecondition, NotFound, PermissionDenied
from services.users.domain import (
    Address,
    KycRejectionReason,
    KycStatus,
    Profile,
    UserState,
    own,
    visible,
)
from tests.unit.users.factories import NOW, details, user

LATER = NOW + timedelta(minutes=5)
ADMIN = Actor("staff-1", frozenset({"admin"}))
SUPPORT = Actor("staff-2", frozenset({"support"}))


class TestProfileUpdate:
    def test_only_fields_named_in_the_mask_change(self) -> None:
        ada = user()
        changes = Profile(display_name="Countess", given_name="Augusta")
        changed = ada.update(changes, frozenset({"given_name"}), now=LATER)
        assert changed == ["given_name"]
        assert (ada.profile.display_name, ada.profile.given_name) == ("Ada", "Augusta")
        assert ada.update_time == LATER

    def test_a_named_field_left_empty_is_cleared(self) -> None:
        ada = user(profile=Profile(display_name="Ada", address=Address(locality="London")))
        changed = ada.update(Profile(), frozenset({"display_name", "address"}), now=LATER)
        assert changed == ["display_name", "address"]
        assert ada.profile == Profile()

    def test_setting_the_same_values_changes_nothing(self) -> None:
        ada = user()
        assert ada.update(Profile(display_name="Ada"), frozenset({"display_name"}), now=LATER) == []
        assert ada.update_time == NOW

    def test_a_deleted_profile_cannot_be_changed(self) -> None:
        ada = user()
        ada.delete(by=Actor(ada.id), now=NOW)
        with pytest.raises(FailedPrecondition) as caught:
            ada.update(Profile(display_name="x"), frozenset({"display_name"}), now=LATER)
        assert caught.value.reason == "USER_DELETED"


class TestSignUpRetry:
    def test_the_same_email_in_any_case_is_the_same_sign_up(self) -> None:
        ada = user()
        ada.ensure_same_sign_up(ada.email.upper())

    def test_another_email_for_an_existing_id_is_a_conflict(self) -> None:
        with pytest.raises(AlreadyExists) as caught:
            user().ensure_same_sign_up("someone.else@example.com")
        assert caught.value.reason == "USER_ALREADY_EXISTS"


class TestDelete:
    def test_deleting_marks_the_profile_deleted_once(self) -> None:
        ada = user()
        assert ada.delete(by=Actor(ada.id), now=LATER) is True
        assert (ada.state, ada.delete_time, ada.deleted_by) == (UserState.DELETED, LATER, "")
        assert ada.delete(by=ADMIN, now=LATER + timedelta(days=1)) is False
        assert (ada.delete_time, ada.deleted_by) == (LATER, "")

    def test_staff_deleting_someone_is_recorded_as_the_deleter(self) -> None:
        ada = user()
        ada.delete(by=SUPPORT, now=LATER)
        assert ada.deleted_by == "staff-2"


class TestEmailVerification:
    def test_the_current_address_becomes_verified(self) -> None:
        ada = user()
        assert ada.verify_email(ada.email.upper(), now=LATER) is True
        assert ada.email_verified and ada.update_time == LATER

    def test_a_stale_address_or_a_repeat_changes_nothing(self) -> None:
        ada = user()
        assert ada.verify_email("old@example.com", now=LATER) is False
        ada.verify_email(ada.email, now=LATER)
        assert ada.verify_email(ada.email, now=LATER) is False


class TestKyc:
    def test_a_submission_waits_for_review(self) -> None:
        ada = user()
        ada.submit_kyc(details(), now=LATER)
        assert ada.kyc.status is KycStatus.PENDING
        assert (ada.kyc.details, ada.kyc.submit_time) == (details(), LATER)

    def test_a_pending_submission_cannot_be_replaced(self) -> None:
        ada = user()
        ada.submit_kyc(details(), now=LATER)
        with pytest.raises(FailedPrecondition) as caught:
            ada.submit_kyc(details(), now=LATER)
        assert caught.value.reason == "KYC_ALREADY_PENDING"

    def test_a_verified_user_has_nothing_to_submit(self) -> None:
        ada = user()
        ada.submit_kyc(details(), now=LATER)
        ada.verify_kyc("staff-1", now=LATER)
        assert (ada.kyc.status, ada.kyc.reviewer_id) == (KycStatus.VERIFIED, "staff-1")
        with pytest.raises(FailedPrecondition) as caught:
            ada.submit_kyc(details(), now=LATER)
        assert caught.value.reason == "KYC_ALREADY_VERIFIED"

    def test_a_rejected_user_may_submit_again_which_clears_the_rejection(self) -> None:
        ada = user()
        ada.submit_kyc(details(), now=LATER)
        ada.reject_kyc("staff-1", KycRejectionReason.OTHER, "blurry photo", now=LATER)
        assert ada.kyc.status is KycStatus.REJECTED
        assert (ada.kyc.rejection_reason, ada.kyc.rejection_note) == (
            KycRejectionReason.OTHER,
            "blurry photo",
        )
        ada.submit_kyc(details(), now=LATER)
        assert ada.kyc.status is KycStatus.PENDING
        assert (ada.kyc.rejection_reason, ada.kyc.rejection_note, ada.kyc.reviewer_id) == (
            None,
            "",
            "",
        )

    def test_only_a_pending_submission_can_be_reviewed(self) -> None:
        with pytest.raises(FailedPrecondition) as caught:
            user().verify_kyc("staff-1", now=LATER)
        assert caught.value.reason == "KYC_NOT_PENDING"

    def test_reviewers_may_not_review_their_own_submission(self) -> None:
        staff = user(id="staff-1")
        staff.submit_kyc(details(), now=LATER)
        with pytest.raises(PermissionDenied) as caught:
            staff.verify_kyc("staff-1", now=LATER)
        assert caught.value.reason == "KYC_SELF_REVIEW"
        assert staff.kyc.status is KycStatus.PENDING


class TestVisibility:
    def test_users_see_their_own_profile(self) -> None:
        ada = user()
        assert visible(ada, Actor(ada.id), "me") is ada

    def test_another_users_profile_looks_exactly_like_a_missing_one(self) -> None:
        ada = user(id="ada")
        with pytest.raises(NotFound) as other:
            visible(ada, Actor("bob"), "ada")
        with pytest.raises(NotFound) as missing:
            visible(None, Actor("bob"), "ada")
        assert (other.value.reason, other.value.message) == (
            missing.value.reason,
            missing.value.message,
        )
        assert other.value.reason == "USER_NOT_FOUND"

    @pytest.mark.parametrize("actor", [ADMIN, SUPPORT, Actor()], ids=["admin", "support", "svc"])
    def test_staff_and_calling_services_see_any_profile(self, actor: Actor) -> None:
        ada = user()
        assert visible(ada, actor, ada.id) is ada

    def test_only_the_user_themselves_owns_their_kyc_submission(self) -> None:
        ada = user()
        assert own(ada, Actor(ada.id), "me") is ada
        with pytest.raises(NotFound):
            own(ada, ADMIN, ada.id)

    def test_reviewing_needs_a_staff_user(self) -> None:
        assert ADMIN.require_staff("reviewing KYC") == "staff-1"
        for actor in (Actor("ada", frozenset({"user"})), Actor()):
            with pytest.raises(PermissionDenied):
                actor.require_staff("reviewing KYC")
