"""Request values → domain values, naming every bad field at once (pure)."""

from __future__ import annotations

import functools
import re
import zoneinfo
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import TypeVar

from mesh.actor import Actor
from mesh.clock import utc_now
from mesh.validation import Violations
from services.users import commands
from services.users.domain import (
    DOMAIN,
    ME,
    UPDATABLE_FIELDS,
    Address,
    Profile,
    User,
)

NAME_MAX = 100
USER_ID_MAX = 128
ADDRESS_LINES_MAX = 5
POSTAL_CODE_MAX = 20
LOCALE_MAX = 35

_USER_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._~:-]*$")
_E164 = re.compile(r"^\+[1-9][0-9]{6,14}$")
_BCP47 = re.compile(r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*$")
_REGION = re.compile(r"^[A-Z]{2}$")

#: Why each User field outside UPDATABLE_FIELDS cannot be in an update mask.
_READ_ONLY = {
    "id": "it identifies the profile",
    "email": "it belongs to the sign-in credential (change it through the identity service)",
    "email_verified": "it is output only",
    "kyc_status": "it changes only through SubmitKyc, VerifyKyc and RejectKyc",
    "state": "it is output only (use DeleteUser)",
    "create_time": "it is output only",
    "update_time": "it is output only",
    "delete_time": "it is output only",
}

E = TypeVar("E", bound=StrEnum)


class FieldChecks(Violations):
    """mesh's `Violations` in the users domain: a request whose only problem is, say, its
    phone number fails with INVALID_PHONE_NUMBER; one with several kinds of problem fails
    with VALIDATION_FAILED. Either way the BadRequest detail names every bad field.
    """

    def __init__(self) -> None:
        super().__init__(domain=DOMAIN)


def user_id(checks: FieldChecks, field: str, value: str, actor: Actor) -> str:
    """The id a request names, "me" standing for the calling user."""
    value = value.strip()
    if value == ME:
        if actor.user_id is None:
            checks.add(field, '"me" stands for the calling user, and this call carries none')
        return actor.user_id or ""
    return checks.text(field, value, maximum=USER_ID_MAX, required=True)


def target(value: str, actor: Actor, *, field: str = "user_id") -> str:
    """The user id of a request that carries nothing else to check."""
    checks = FieldChecks()
    resolved = user_id(checks, field, value, actor)
    checks.raise_if_any()
    return resolved


def new_user(command: commands.CreateUser) -> User:
    checks = FieldChecks()
    new_id = command.user_id  # taken as given: identity chose it, and it must not drift
    if not new_id:
        checks.add("user_id", "is required")
    elif len(new_id) > USER_ID_MAX or new_id == ME or not _USER_ID.match(new_id):
        checks.add(
            "user_id",
            f'must be 1 to {USER_ID_MAX} letters, digits or "._~:-", and must not be "me"',
        )
    if command.body_id and command.body_id != new_id:
        checks.add("user.id", "must be empty or equal user_id")
    email = checks.email("user.email", command.email)
    profile = profile_fields(checks, command.profile, UPDATABLE_FIELDS, prefix="user")
    checks.raise_if_any()
    return User.sign_up(new_id, email, profile, now=utc_now())


def lookup_email(value: str, *, field: str = "email") -> str:
    checks = FieldChecks()
    email = checks.email(field, value)
    checks.raise_if_any()
    return email


@dataclass(frozen=True, slots=True)
class ProfileUpdate:
    user_id: str
    profile: Profile
    paths: frozenset[str]


def profile_update(command: commands.UpdateUser, actor: Actor) -> ProfileUpdate:
    checks = FieldChecks()
    target_id = user_id(checks, "user.id", command.user_id, actor)
    paths = update_mask(checks, command.paths)
    profile = profile_fields(checks, command.profile, sorted(paths), prefix="user")
    checks.raise_if_any()
    return ProfileUpdate(target_id, profile, paths)


def update_mask(checks: FieldChecks, paths: Sequence[str]) -> frozenset[str]:
    """The updatable fields a mask names; each unknown or read-only path is a violation."""
    if not paths:
        checks.add(
            "update_mask",
            'is required: name the fields to change, for example "display_name,address"',
            reason="INVALID_UPDATE_MASK",
        )
    for path in dict.fromkeys(paths):
        if path in _READ_ONLY:
            problem = f"cannot be updated: {_READ_ONLY[path]}"
        elif path not in UPDATABLE_FIELDS:
            problem = f"is not an updatable field; use any of {', '.join(UPDATABLE_FIELDS)}"
        else:
            continue
        checks.add("update_mask", f"{path!r} {problem}", reason="INVALID_UPDATE_MASK")
    return frozenset(path for path in paths if path in UPDATABLE_FIELDS)


def profile_fields(
    checks: FieldChecks, raw: Profile, names: Sequence[str], *, prefix: str
) -> Profile:
    """The named profile fields of `raw`, validated and normalized (others left empty)."""
    values: dict[str, object] = {}
    for name in names:
        field = f"{prefix}.{name}"
        value = getattr(raw, name)
        if name == "address":
            values[name] = address(checks, field, value)
        elif name == "phone_number":
            values[name] = phone_number(checks, field, value)
        elif name == "locale":
            values[name] = locale(checks, field, value)
        elif name == "time_zone":
            values[name] = time_zone(checks, field, value)
        else:
            values[name] = checks.text(field, value, maximum=NAME_MAX)
    return Profile(**values)  # type: ignore[arg-type]


def phone_number(checks: FieldChecks, field: str, value: str) -> str:
    value = value.strip()
    if value and not _E164.match(value):
        checks.add(
            field,
            'must be an E.164 number: "+", country code and number, digits only, '
            'for example "+447700900123"',
            reason="INVALID_PHONE_NUMBER",
        )
    return value


def locale(checks: FieldChecks, field: str, value: str) -> str:
    value = checks.text(field, value, maximum=LOCALE_MAX)
    if value and not _BCP47.match(value):
        checks.add(field, 'must be a BCP 47 language tag, for example "en-GB"')
    return value


def time_zone(checks: FieldChecks, field: str, value: str) -> str:
    value = value.strip()
    if value and value not in _time_zones():
        checks.add(field, 'must be an IANA time zone, for example "Europe/London"')
    return value


@functools.cache  # reads the time-zone database once, at first use
def _time_zones() -> frozenset[str]:
    return frozenset(zoneinfo.available_timezones() | {"UTC"})


def region_code(checks: FieldChecks, field: str, value: str, *, required: bool = False) -> str:
    value = value.strip().upper()
    if required and not value:
        checks.add(field, "is required")
    elif value and not _REGION.match(value):
        checks.add(field, 'must be an ISO 3166-1 alpha-2 country code, for example "GB"')
    return value


def address(
    checks: FieldChecks, field: str, raw: Address | None, *, required: bool = False
) -> Address | None:
    """A validated address; None when absent or empty (a violation if `required`)."""
    if raw is None or raw == Address():
        if required:
            checks.add(field, "is required")
        return None
    if len(raw.address_lines) > ADDRESS_LINES_MAX:
        checks.add(f"{field}.address_lines", f"must have at most {ADDRESS_LINES_MAX} lines")
    lines = tuple(
        checks.text(f"{field}.address_lines[{index}]", line, maximum=NAME_MAX)
        for index, line in enumerate(raw.address_lines[:ADDRESS_LINES_MAX])
    )
    if required and not any(lines):
        checks.add(f"{field}.address_lines", "needs at least one line")
    return Address(
        address_lines=tuple(line for line in lines if line),
        locality=checks.text(
            f"{field}.locality", raw.locality, maximum=NAME_MAX, required=required
        ),
        administrative_area=checks.text(
            f"{field}.administrative_area", raw.administrative_area, maximum=NAME_MAX
        ),
        postal_code=checks.text(f"{field}.postal_code", raw.postal_code, maximum=POSTAL_CODE_MAX),
        region_code=region_code(checks, f"{field}.region_code", raw.region_code, required=required),
    )


def calendar_date(checks: FieldChecks, field: str, parts: commands.DateParts | None) -> date | None:
    """A required calendar date; None (and a violation) when missing or not a real date."""
    if parts is None or parts == (0, 0, 0):
        checks.add(field, "is required")
        return None
    try:
        return date(*parts)
    except ValueError:
        checks.add(
            field, f"is not a calendar date (year {parts[0]}, month {parts[1]}, day {parts[2]})"
        )
        return None


def enum_member(checks: FieldChecks, field: str, name: str, kind: type[E]) -> E | None:
    """The member of `kind` called `name`; a violation when unset or unknown."""
    if not name:
        checks.add(field, f"is required: one of {', '.join(kind)}")
        return None
    try:
        return kind(name)
    except ValueError:
        checks.add(field, f"has unknown value {name}; use one of {', '.join(kind)}")
        return None
