"""Valid commands and users for the users service's unit tests; override what a test needs."""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import UTC, date, datetime
from typing import Any

from services.users import commands
from services.users.domain import (
    Address,
    KycDetails,
    KycDocumentType,
    Profile,
    User,
)

NOW = datetime(2025, 6, 1, 12, 0, tzinfo=UTC)
HOME = Address(("10 Downing Street",), "London", "", "SW1A 2AA", "GB")


def new_id() -> str:
    return f"u-{uuid.uuid4().hex[:12]}"


def create_command(**overrides: Any) -> commands.CreateUser:
    user_id = overrides.pop("user_id", None) or new_id()
    defaults = commands.CreateUser(
        user_id=user_id, email=f"{user_id}@example.com", profile=Profile(display_name="Ada")
    )
    return replace(defaults, **overrides)


def user(**overrides: Any) -> User:
    user_id = overrides.pop("id", None) or new_id()
    made = User.sign_up(user_id, f"{user_id}@example.com", Profile(display_name="Ada"), now=NOW)
    return replace(made, **overrides)


def submission(**overrides: Any) -> commands.KycSubmission:
    next_year = date.today().year + 1
    defaults = commands.KycSubmission(
        legal_given_name="Ada",
        legal_family_name="Lovelace",
        birth_date=(1990, 12, 10),
        nationality="gb",
        residential_address=HOME,
        document_type="PASSPORT",
        document_number="123456789",
        document_issuing_country="GB",
        document_expire_date=(next_year, 1, 31),
    )
    return replace(defaults, **overrides)


def details() -> KycDetails:
    return KycDetails(
        legal_given_name="Ada",
        legal_family_name="Lovelace",
        birth_date=date(1990, 12, 10),
        nationality="GB",
        residential_address=HOME,
        document_type=KycDocumentType.PASSPORT,
        document_number="123456789",
        document_issuing_country="GB",
        document_expire_date=date(date.today().year + 1, 1, 31),
    )
