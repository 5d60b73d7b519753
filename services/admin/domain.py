"""Staff roles, suspensions and admin actions: the admin service's rules, with no I/O."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from mesh.actor import ADMIN_ROLE
from services.admin.errors import (
    cannot_demote_self,
    cannot_suspend_self,
    last_admin,
    role_already_granted,
    role_not_found,
    user_already_suspended,
    user_not_suspended,
)

REASON_MAX = 500
#: Who the bootstrap grant of the first administrator is recorded as made by.
BOOTSTRAP_ACTOR = "admin-bootstrap"


def new_id() -> str:
    return str(uuid.uuid4())


@dataclass(frozen=True, slots=True)
class Role:
    """A role that can be granted; what it may do is declared by the contracts' access options."""

    id: str
    title: str
    description: str


#: The roles staff can be granted, by id (the access tokens' `roles` claim).
ROLES: dict[str, Role] = {
    role.id: role
    for role in (
        Role(ADMIN_ROLE, "Administrator", "Manages roles, suspensions and every staff power."),
        Role("support", "Customer support", "Sees users, sessions and suspensions to help them."),
    )
}


def role(role_id: str) -> Role:
    """The role with this id; ROLE_NOT_FOUND naming the roles otherwise."""
    found = ROLES.get(role_id)
    if found is None:
        raise role_not_found(role_id, sorted(ROLES))
    return found


@dataclass(slots=True)
class RoleGrant:
    """One user holding one role, until revoked (revoked grants are kept, as history)."""

    id: str
    user_id: str
    role_id: str
    reason: str
    granted_by: str
    create_time: datetime
    revoke_time: datetime | None = None
    revoked_by: str = ""
    revoke_reason: str = ""

    @property
    def active(self) -> bool:
        return self.revoke_time is None

    def revoke(self, *, by: str, reason: str, now: datetime) -> None:
        self.revoke_time, self.revoked_by, self.revoke_reason = now, by, reason


class SuspensionState(StrEnum):
    ACTIVE = "ACTIVE"
    LIFTED = "LIFTED"


@dataclass(slots=True)
class Suspension:
    """A user's suspension: in force until lifted."""

    id: str
    user_id: str
    reason: str
    suspended_by: str
    create_time: datetime
    state: SuspensionState = SuspensionState.ACTIVE
    lift_time: datetime | None = None
    lifted_by: str = ""
    lift_reason: str = ""

    def lift(self, *, by: str, reason: str, now: datetime) -> None:
        self.state = SuspensionState.LIFTED
        self.lift_time, self.lifted_by, self.lift_reason = now, by, reason


class AdminActionType(StrEnum):
    GRANT_ROLE = "GRANT_ROLE"
    REVOKE_ROLE = "REVOKE_ROLE"
    SUSPEND_USER = "SUSPEND_USER"
    UNSUSPEND_USER = "UNSUSPEND_USER"


@dataclass(frozen=True, slots=True)
class AdminAction:
    """What a staff user did, to whom, why, and which request did it (never changed)."""

    id: str
    type: AdminActionType
    actor_id: str
    target_user_id: str
    resource_id: str
    reason: str
    create_time: datetime
    role_id: str = ""
    trace_id: str = ""
    request_id: str = ""


@dataclass(frozen=True, slots=True)
class UserAccess:
    """What identity needs to issue a user's tokens."""

    user_id: str
    roles: tuple[str, ...]
    suspension_id: str = ""

    @property
    def suspended(self) -> bool:
        return bool(self.suspension_id)


def grant_role(
    user_id: str, role_id: str, reason: str, *, by: str, held: Iterable[RoleGrant], now: datetime
) -> RoleGrant:
    """A new grant; ROLE_ALREADY_GRANTED when the user holds the role (`held`: their grants)."""
    role(role_id)
    for grant in held:
        if grant.active and grant.role_id == role_id:
            raise role_already_granted(user_id, role_id, grant.id)
    return RoleGrant(new_id(), user_id, role_id, reason, by, now)


def ensure_may_revoke(grant: RoleGrant, *, actor_id: str, other_admins: int) -> None:
    """Staff cannot demote themselves, and the last active admin keeps the role."""
    if grant.user_id == actor_id:
        raise cannot_demote_self()
    if grant.role_id == ADMIN_ROLE and other_admins == 0:
        raise last_admin("revoking this grant")


def suspend(
    user_id: str,
    reason: str,
    *,
    by: str,
    active: Suspension | None,
    is_admin: bool,
    other_admins: int,
    now: datetime,
) -> Suspension:
    """A new suspension: never of oneself, of someone suspended already, or of the last admin."""
    if user_id == by:
        raise cannot_suspend_self()
    if active is not None:
        raise user_already_suspended(user_id, active.id)
    if is_admin and other_admins == 0:
        raise last_admin("suspending this user")
    return Suspension(new_id(), user_id, reason, by, now)


def lift(
    active: Suspension | None, user_id: str, *, by: str, reason: str, now: datetime
) -> Suspension:
    """The user's active suspension, lifted; USER_NOT_SUSPENDED when there is none."""
    if active is None:
        raise user_not_suspended(user_id)
    active.lift(by=by, reason=reason, now=now)
    return active


def needs_bootstrap_grant(email: str, bootstrap_emails: Iterable[str], *, ever_admin: bool) -> bool:
    """Whether a bootstrap address signing in gets "admin" now: once, never again once revoked."""
    wanted = {address.strip().lower() for address in bootstrap_emails}
    return bool(email) and email.strip().lower() in wanted and not ever_admin


def access_of(user_id: str, grants: Iterable[RoleGrant], active: Suspension | None) -> UserAccess:
    roles = tuple(sorted({grant.role_id for grant in grants if grant.active}))
    return UserAccess(user_id, roles, active.id if active else "")
