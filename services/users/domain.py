"""Profiles, KYC and who may act on them: the users service's rules, with no I/O."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum

from mesh.actor import Actor
from mesh.errors import AlreadyExists, FailedPrecondition, NotFound, PermissionDenied

#: ErrorInfo domain of every error this service reports.
DOMAIN = "users.meshwork"


class UserState(StrEnum):
    ACTIVE = "ACTIVE"
    DELETED = "DELETED"


class KycStatus(StrEnum):
    NOT_SUBMITTED = "NOT_SUBMITTED"
    PENDING = "PENDING"
    VERIFIED = "VERIFIED"
    REJECTED = "REJECTED"


class KycDocumentType(StrEnum):
    PASSPORT = "PASSPORT"
    NATIONAL_ID = "NATIONAL_ID"
    DRIVING_LICENCE = "DRIVING_LICENCE"


class KycRejectionReason(StrEnum):
    DETAILS_MISMATCH = "DETAILS_MISMATCH"
    DOCUMENT_UNREADABLE = "DOCUMENT_UNREADABLE"
    DOCUMENT_EXPIRED = "DOCUMENT_EXPIRED"
    DOCUMENT_UNSUPPORTED = "DOCUMENT_UNSUPPORTED"
    NOT_ELIGIBLE = "NOT_ELIGIBLE"
    OTHER = "OTHER"


@dataclass(frozen=True, slots=True)
class Address:
    """A postal address; `region_code` is an ISO 3166-1 alpha-2 country code."""

    address_lines: tuple[str, ...] = ()
    locality: str = ""
    administrative_area: str = ""
    postal_code: str = ""
    region_code: str = ""


@dataclass(frozen=True, slots=True)
class Profile:
    """The fields of a profile that its owner may change; empty means not set."""

    display_name: str = ""
    given_name: str = ""
    family_name: str = ""
    phone_number: str = ""
    locale: str = ""
    time_zone: str = ""
    address: Address | None = None


#: The field names UpdateUser accepts in its update mask, in declaration order.
UPDATABLE_FIELDS: tuple[str, ...] = tuple(f.name for f in dataclasses.fields(Profile))


@dataclass(frozen=True, slots=True)
class KycDetails:
    """Identity details as submitted for review (validated)."""

    legal_given_name: str
    legal_family_name: str
    birth_date: date
    nationality: str
    residential_address: Address
    document_type: KycDocumentType
    document_number: str = field(repr=False)
    document_issuing_country: str
    document_expire_date: date


@dataclass(slots=True)
class Kyc:
    """Where a user's identity verification stands, and its last submission and review."""

    status: KycStatus = KycStatus.NOT_SUBMITTED
    details: KycDetails | None = None
    submit_time: datetime | None = None
    review_time: datetime | None = None
    reviewer_id: str = ""
    rejection_reason: KycRejectionReason | None = None
    rejection_note: str = ""


def email_key(email: str) -> str:
    """What makes two (normalized) email addresses the same: case does not count."""
    return email.lower()


@dataclass(slots=True)
class User:
    """A person's profile: the aggregate every use case loads, changes and saves."""

    id: str
    email: str
    create_time: datetime
    update_time: datetime
    profile: Profile = field(default_factory=Profile)
    email_verified: bool = False
    kyc: Kyc = field(default_factory=Kyc)
    state: UserState = UserState.ACTIVE
    delete_time: datetime | None = None
    deleted_by: str = ""

    @classmethod
    def sign_up(cls, user_id: str, email: str, profile: Profile, *, now: datetime) -> User:
        return cls(id=user_id, email=email, create_time=now, update_time=now, profile=profile)

    @property
    def email_key(self) -> str:
        return email_key(self.email)

    @property
    def deleted(self) -> bool:
        return self.state is UserState.DELETED

    def ensure_same_sign_up(self, email: str) -> None:
        """A repeated CreateUser must name the same email; anything else is a conflict."""
        if email_key(email) != self.email_key:
            raise AlreadyExists(
                f"user {self.id!r} already exists with a different email address",
                reason="USER_ALREADY_EXISTS",
                domain=DOMAIN,
            )

    def update(self, changes: Profile, paths: frozenset[str], *, now: datetime) -> list[str]:
        """Sets the fields named in `paths` from `changes`; returns those that changed."""
        self._ensure_active()
        changed = [
            name
            for name in UPDATABLE_FIELDS
            if name in paths and getattr(changes, name) != getattr(self.profile, name)
        ]
        if changed:
            values = {name: getattr(changes, name) for name in changed}
            self.profile = dataclasses.replace(self.profile, **values)
            self.update_time = now
        return changed

    def verify_email(self, email: str, *, now: datetime) -> bool:
        """Marks the address verified if it is still this profile's; True when that changed."""
        if self.deleted or self.email_verified or email_key(email) != self.email_key:
            return False
        self.email_verified = True
        self.update_time = now
        return True

    def delete(self, *, by: Actor, now: datetime) -> bool:
        """Soft-deletes the profile; False (and no change) when it was already deleted."""
        if self.deleted:
            return False
        self.state = UserState.DELETED
        self.delete_time = now
        self.update_time = now
        self.deleted_by = "" if by.user_id == self.id else (by.user_id or "")
        return True

    def submit_kyc(self, details: KycDetails, *, now: datetime) -> None:
        self._ensure_active()
        if self.kyc.status is KycStatus.PENDING:
            raise FailedPrecondition(
                "a KYC submission is already waiting for review; wait for the decision",
                reason="KYC_ALREADY_PENDING",
                domain=DOMAIN,
            )
        if self.kyc.status is KycStatus.VERIFIED:
            raise FailedPrecondition(
                "the user is already verified; there is nothing to submit",
                reason="KYC_ALREADY_VERIFIED",
                domain=DOMAIN,
            )
        self.kyc = Kyc(status=KycStatus.PENDING, details=details, submit_time=now)
        self.update_time = now

    def verify_kyc(self, reviewer_id: str, *, now: datetime) -> None:
        self._ensure_reviewable_by(reviewer_id)
        self._review(KycStatus.VERIFIED, reviewer_id, now=now)

    def reject_kyc(
        self, reviewer_id: str, reason: KycRejectionReason, note: str, *, now: datetime
    ) -> None:
        self._ensure_reviewable_by(reviewer_id)
        self._review(KycStatus.REJECTED, reviewer_id, now=now)
        self.kyc.rejection_reason = reason
        self.kyc.rejection_note = note

    def _review(self, status: KycStatus, reviewer_id: str, *, now: datetime) -> None:
        self.kyc.status = status
        self.kyc.review_time = now
        self.kyc.reviewer_id = reviewer_id
        self.update_time = now

    def _ensure_reviewable_by(self, reviewer_id: str) -> None:
        if reviewer_id == self.id:
            raise PermissionDenied(
                "reviewers may not review their own KYC submission; ask another reviewer",
                reason="KYC_SELF_REVIEW",
                domain=DOMAIN,
            )
        self._ensure_active()
        if self.kyc.status is not KycStatus.PENDING:
            raise FailedPrecondition(
                f"there is no pending KYC submission to review (status {self.kyc.status})",
                reason="KYC_NOT_PENDING",
                domain=DOMAIN,
            )

    def _ensure_active(self) -> None:
        if self.deleted:
            raise FailedPrecondition(
                f"user {self.id!r} is deleted and cannot be changed",
                reason="USER_DELETED",
                domain=DOMAIN,
            )


def may_see(actor: Actor, user: User) -> bool:
    """Staff and calling services (the access policy admits only those the contract lists)
    see any profile; other users only their own."""
    return not actor.is_user or actor.is_staff or actor.user_id == user.id


def visible(user: User | None, actor: Actor, requested_id: str) -> User:
    """`user` if the actor may see it; otherwise NOT_FOUND, exactly as if it did not exist."""
    if user is None or not may_see(actor, user):
        raise user_not_found(requested_id)
    return user


def own(user: User | None, actor: Actor, requested_id: str) -> User:
    """`user` if it is the actor's own profile (KYC submission); otherwise NOT_FOUND."""
    if user is None or user.id != actor.user_id:
        raise NotFound(
            f"no user {requested_id!r} of yours: only users themselves may submit their KYC",
            reason="USER_NOT_FOUND",
            domain=DOMAIN,
        )
    return user


def user_not_found(requested_id: str) -> NotFound:
    return NotFound(f"no user has id {requested_id!r}", reason="USER_NOT_FOUND", domain=DOMAIN)


def email_not_found() -> NotFound:
    return NotFound("no user has this email address", reason="USER_NOT_FOUND", domain=DOMAIN)


def email_already_registered() -> AlreadyExists:
    return AlreadyExists(
        "another user has this email address",
        reason="EMAIL_ALREADY_REGISTERED",
        domain=DOMAIN,
    )
