"""What each use case is asked to do, as received: plain values, not yet validated."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from mesh.actor import Actor


@dataclass(frozen=True, slots=True)
class Traced:
    """The request an action came in: recorded with it, to find its logs and trace."""

    request_id: str = ""
    trace_id: str = ""


@dataclass(frozen=True, slots=True)
class ListRoles:
    page_size: int = 0
    page_token: str = ""


@dataclass(frozen=True, slots=True)
class ListRoleGrants:
    page_size: int = 0
    page_token: str = ""
    user_id: str = ""
    role_id: str = ""


@dataclass(frozen=True, slots=True)
class GetRoleGrant:
    role_grant_id: str


@dataclass(frozen=True, slots=True)
class CreateRoleGrant:
    user_id: str
    role_id: str
    reason: str
    caller: Actor
    traced: Traced = Traced()


@dataclass(frozen=True, slots=True)
class DeleteRoleGrant:
    role_grant_id: str
    reason: str
    caller: Actor
    traced: Traced = Traced()


@dataclass(frozen=True, slots=True)
class SuspendUser:
    user_id: str
    reason: str
    caller: Actor
    traced: Traced = Traced()


@dataclass(frozen=True, slots=True)
class UnsuspendUser:
    user_id: str
    reason: str
    caller: Actor
    traced: Traced = Traced()


@dataclass(frozen=True, slots=True)
class ListSuspensions:
    page_size: int = 0
    page_token: str = ""
    user_id: str = ""
    #: A SuspensionState name, "" for any.
    state: str = ""


@dataclass(frozen=True, slots=True)
class GetSuspension:
    suspension_id: str


@dataclass(frozen=True, slots=True)
class ListAdminActions:
    page_size: int = 0
    page_token: str = ""
    actor_id: str = ""
    target_user_id: str = ""
    #: An AdminActionType name, "" for any.
    type: str = ""
    start_time: datetime | None = None
    end_time: datetime | None = None


@dataclass(frozen=True, slots=True)
class GetAdminAction:
    admin_action_id: str


@dataclass(frozen=True, slots=True)
class GetUserAccess:
    user_id: str
    email: str = ""
