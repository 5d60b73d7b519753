"""Request values → domain values, naming every bad field at once (pure)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from mesh.actor import Actor
from mesh.paging import Page, page
from mesh.validation import USER_ID_MAX, Violations
from services.admin import commands
from services.admin.domain import REASON_MAX, AdminActionType, SuspensionState
from services.admin.errors import DOMAIN

ID_MAX = 128


def required_id(field: str, value: str) -> str:
    """The id of a request that carries nothing else to check."""
    checks = Violations(domain=DOMAIN)
    found = checks.text(field, value, maximum=ID_MAX, required=True)
    checks.raise_if_any()
    return found


@dataclass(frozen=True, slots=True)
class Change:
    """A validated mutation: whom (or which resource) it is about, and why."""

    target: str
    reason: str
    role_id: str = ""


def change(
    target_field: str,
    target: str,
    reason: str,
    *,
    actor: Actor | None = None,
    role_id: str | None = None,
    prefix: str = "",
) -> Change:
    """The target id and reason (and role id, for grants) of a mutation, every bad one named.
    With `actor`, the target is a user id, and "me" stands for the actor."""
    checks = Violations(domain=DOMAIN)
    field = prefix + target_field
    if actor is not None:
        found = checks.user_id(field, target, actor=actor)
    else:
        found = checks.text(field, target, maximum=ID_MAX, required=True)
    why = checks.text(prefix + "reason", reason, maximum=REASON_MAX, required=True)
    role = ""
    if role_id is not None:
        role = checks.text(prefix + "role_id", role_id, maximum=64, required=True)
    checks.raise_if_any()
    return Change(found, why, role)


@dataclass(frozen=True, slots=True)
class PageRequest:
    """A validated list request: its filters (column → value), page and position."""

    filters: dict[str, Any]
    page: Page
    after: tuple[datetime, str] | None
    start_time: datetime | None = None
    end_time: datetime | None = None

    @property
    def size(self) -> int:
        return self.page.size


def _page(
    checks: Violations, command: Any, filters: dict[str, Any], **times: datetime | None
) -> PageRequest:
    query = {**filters, **{name: t.isoformat() if t else "" for name, t in times.items()}}
    requested = page(
        checks, size=command.page_size, token=command.page_token, query=query, key=(datetime, str)
    )
    checks.raise_if_any()
    return PageRequest(
        {name: value for name, value in filters.items() if value},
        requested,
        requested.after_time_and_id(),
        **times,
    )


def _optional_id(checks: Violations, field: str, value: str) -> str:
    return checks.text(field, value, maximum=ID_MAX)


def role_grants_page(command: commands.ListRoleGrants) -> PageRequest:
    checks = Violations(domain=DOMAIN)
    filters = {
        "user_id": _optional_id(checks, "user_id", command.user_id),
        "role_id": _optional_id(checks, "role_id", command.role_id),
    }
    return _page(checks, command, filters)


def suspensions_page(command: commands.ListSuspensions) -> PageRequest:
    checks = Violations(domain=DOMAIN)
    state = checks.enum_member("state", command.state, SuspensionState, required=False)
    filters = {
        "user_id": _optional_id(checks, "user_id", command.user_id),
        "state": state.value if state else "",
    }
    return _page(checks, command, filters)


def admin_actions_page(command: commands.ListAdminActions) -> PageRequest:
    checks = Violations(domain=DOMAIN)
    kind = checks.enum_member("type", command.type, AdminActionType, required=False)
    start, end = command.start_time, command.end_time
    if start is not None and end is not None and end <= start:
        checks.add("end_time", "must be after start_time")
    filters = {
        "actor_id": _optional_id(checks, "actor_id", command.actor_id),
        "target_user_id": _optional_id(checks, "target_user_id", command.target_user_id),
        "type": kind.value if kind else "",
    }
    return _page(checks, command, filters, start_time=start, end_time=end)


def roles_page(command: commands.ListRoles) -> Page:
    checks = Violations(domain=DOMAIN)
    requested = page(
        checks, size=command.page_size, token=command.page_token, query={"list": "roles"}
    )
    checks.raise_if_any()
    return requested


def user_access(command: commands.GetUserAccess) -> tuple[str, str]:
    checks = Violations(domain=DOMAIN)
    user_id = checks.text("user_id", command.user_id, maximum=USER_ID_MAX, required=True)
    email = command.email.strip()
    checks.raise_if_any()
    return user_id, email
