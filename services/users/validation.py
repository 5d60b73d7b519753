"""Request values → domain values, naming every bad field at once (pure)."""

from __future__ import annotations

import functools
import re
import zoneinfo
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from mesh.actor import ME, Actor
from mesh.clock import utc_now
from mesh.paging import Page, page
from mesh.validation import USER_ID_MAX, Violations
from services.users import commands
from services.users.domain import (
    DOMAIN,
    UPDATABLE_FIELDS,
    Address,
    KycStatus,
    Profile,
    User,
    email_key,
)

NAME_MAX = 100
ADDRESS_LINES_MAX = 5
POSTAL_CODE_MAX = 20
QUERY_MAX = 100

_USER_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._~:-]*$")
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


def target(value: str, actor: Actor, *, field: str = "user_id") -> str:
    """The user id of a request that carries nothing else to check."""
    checks = Violations(domain=DOMAIN)
    resolved = checks.user_id(field, value, actor=actor)
    checks.raise_if_any()
    return resolved


def new_user(command: commands.CreateUser) -> User:
    checks = Violations(domain=DOMAIN)
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
    checks = Violations(domain=DOMAIN)
    email = checks.email(field, value)
    checks.raise_if_any()
    return email


@dataclass(frozen=True, slots=True)
class ProfileUpdate:
    user_id: str
    profile: Profile
    paths: frozenset[str]


def profile_update(command: commands.UpdateUser, actor: Actor) -> ProfileUpdate:
    checks = Violations(domain=DOMAIN)
    target_id = checks.user_id("user.id", command.user_id, actor=actor)
    paths = checks.update_mask(command.paths, updatable=UPDATABLE_FIELDS, read_only=_READ_ONLY)
    profile = profile_fields(checks, command.profile, sorted(paths), prefix="user")
    checks.raise_if_any()
    return ProfileUpdate(target_id, profile, paths)


def profile_fields(
    checks: Violations, raw: Profile, names: Sequence[str], *, prefix: str
) -> Profile:
    """The named profile fields of `raw`, validated and normalized (others left empty)."""
    values: dict[str, object] = {}
    for name in names:
        field = f"{prefix}.{name}"
        value = getattr(raw, name)
        if name == "address":
            values[name] = address(checks, field, value)
        elif name == "phone_number":
            values[name] = checks.phone_number(field, value)
        elif name == "locale":
            values[name] = checks.locale(field, value)
        elif name == "time_zone":
            values[name] = time_zone(checks, field, value)
        else:
            values[name] = checks.text(field, value, maximum=NAME_MAX)
    return Profile(**values)  # type: ignore[arg-type]


def time_zone(checks: Violations, field: str, value: str) -> str:
    value = value.strip()
    if value and value not in _time_zones():
        checks.add(field, 'must be an IANA time zone, for example "Europe/London"')
    return value


@functools.cache  # reads the time-zone database once, at first use
def _time_zones() -> frozenset[str]:
    return frozenset(zoneinfo.available_timezones() | {"UTC"})


def region_code(checks: Violations, field: str, value: str, *, required: bool = False) -> str:
    value = value.strip().upper()
    if required and not value:
        checks.add(field, "is required")
    elif value and not _REGION.match(value):
        checks.add(field, 'must be an ISO 3166-1 alpha-2 country code, for example "GB"')
    return value


def address(
    checks: Violations, field: str, raw: Address | None, *, required: bool = False
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


def calendar_date(checks: Violations, field: str, parts: commands.DateParts | None) -> date | None:
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


@dataclass(frozen=True, slots=True)
class UserFilter:
    """Which profiles ListUsers lists; the conditions combine with AND."""

    email_key: str = ""
    kyc_status: KycStatus | None = None
    query: str = ""
    show_deleted: bool = False

    def as_query(self) -> dict[str, Any]:
        """The filters a page token is bound to (it cannot be replayed against other ones)."""
        return {
            "email": self.email_key,
            "kyc_status": self.kyc_status or "",
            "query": self.query,
            "show_deleted": self.show_deleted,
        }


@dataclass(frozen=True, slots=True)
class Cursor:
    """The position after the last profile of a page, in newest-first order."""

    create_time: datetime
    user_id: str


@dataclass(frozen=True, slots=True)
class PageRequest:
    filter: UserFilter
    page: Page
    after: Cursor | None = None

    @property
    def size(self) -> int:
        return self.page.size


def page_request(command: commands.ListUsers) -> PageRequest:
    """The validated ListUsers request; every bad field is named at once."""
    checks = Violations(domain=DOMAIN)
    email = email_key(checks.email("email", command.email)) if command.email.strip() else ""
    status = checks.enum_member("kyc_status", command.kyc_status, KycStatus, required=False)
    query = checks.text("query", command.query, maximum=QUERY_MAX).lower()
    wanted = UserFilter(email, status, query, command.show_deleted)
    requested = page(
        checks,
        size=command.page_size,
        token=command.page_token,
        query=wanted.as_query(),
        key=(datetime, str),
    )
    checks.raise_if_any()
    after = requested.after_time_and_id()
    return PageRequest(wanted, requested, Cursor(*after) if after else None)
