"""KYC requests → domain values: submitted identity details and review decisions (pure)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from mesh.actor import Actor
from mesh.validation import Violations
from services.users import commands
from services.users.domain import DOMAIN, KycDetails, KycDocumentType, KycRejectionReason
from services.users.validation import (
    NAME_MAX,
    address,
    calendar_date,
    region_code,
)

NOTE_MAX = 1000
EARLIEST_BIRTH_YEAR = 1900

_DOCUMENT_NUMBER = re.compile(r"^[A-Za-z0-9][A-Za-z0-9 -]{0,39}$")


@dataclass(frozen=True, slots=True)
class KycReview:
    user_id: str
    reason: KycRejectionReason
    note: str


def kyc_submission(
    command: commands.SubmitKyc, actor: Actor, *, today: date
) -> tuple[str, KycDetails]:
    checks = Violations(domain=DOMAIN)
    target_id = checks.user_id("user_id", command.user_id, actor=actor)
    details = None
    if command.details is None:
        checks.add("details", "is required")
    else:
        details = kyc_details(checks, command.details, today=today)
    return target_id, checks.valid(details)


def kyc_details(
    checks: Violations, raw: commands.KycSubmission, *, today: date
) -> KycDetails | None:
    """The submitted details, or None when a part is missing (each one a violation)."""
    given = checks.text(
        "details.legal_given_name", raw.legal_given_name, maximum=NAME_MAX, required=True
    )
    family = checks.text(
        "details.legal_family_name", raw.legal_family_name, maximum=NAME_MAX, required=True
    )
    birth = birth_date(checks, "details.birth_date", raw.birth_date, today=today)
    nationality = region_code(checks, "details.nationality", raw.nationality, required=True)
    residence = address(
        checks, "details.residential_address", raw.residential_address, required=True
    )
    document = checks.enum_member("details.document_type", raw.document_type, KycDocumentType)
    number = document_number(checks, "details.document_number", raw.document_number)
    issuer = region_code(
        checks, "details.document_issuing_country", raw.document_issuing_country, required=True
    )
    expires = expire_date(
        checks, "details.document_expire_date", raw.document_expire_date, today=today
    )
    if birth is None or residence is None or document is None or expires is None:
        return None
    return KycDetails(
        legal_given_name=given,
        legal_family_name=family,
        birth_date=birth,
        nationality=nationality,
        residential_address=residence,
        document_type=document,
        document_number=number,
        document_issuing_country=issuer,
        document_expire_date=expires,
    )


def birth_date(
    checks: Violations, field: str, parts: commands.DateParts | None, *, today: date
) -> date | None:
    born = calendar_date(checks, field, parts)
    if born is not None and not date(EARLIEST_BIRTH_YEAR, 1, 1) <= born < today:
        checks.add(field, f"must be in the past and not before {EARLIEST_BIRTH_YEAR}")
    return born


def expire_date(
    checks: Violations, field: str, parts: commands.DateParts | None, *, today: date
) -> date | None:
    expires = calendar_date(checks, field, parts)
    if expires is not None and expires < today:
        checks.add(
            field,
            f"the document expired on {expires.isoformat()}; submit one that is still valid",
            reason="KYC_DOCUMENT_EXPIRED",
        )
    return expires


def document_number(checks: Violations, field: str, value: str) -> str:
    value = value.strip()
    if not value:
        checks.add(field, "is required")
    elif not _DOCUMENT_NUMBER.match(value):
        checks.add(field, "must be 1 to 40 letters, digits, spaces or hyphens")
    return value


def kyc_rejection(command: commands.RejectKyc, actor: Actor) -> KycReview:
    checks = Violations(domain=DOMAIN)
    target_id = checks.user_id("user_id", command.user_id, actor=actor)
    reason = checks.enum_member("reason", command.reason, KycRejectionReason)
    note = checks.text("note", command.note, maximum=NOTE_MAX, multiline=True)
    if reason is KycRejectionReason.OTHER and not note:
        checks.add("note", "is required when the reason is OTHER: explain what to correct")
    return checks.valid(KycReview(target_id, reason, note) if reason is not None else None)
