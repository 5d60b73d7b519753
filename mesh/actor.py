"""Who a call acts for, as every service's handlers see it: `Actor` and `current_actor()`."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

import jwt

from mesh.context import current_principal
from mesh.errors import MESH_DOMAIN, Unauthenticated, role_required

#: The role that may administer everything (manage any job, rotate keys, ...).
ADMIN_ROLE = "admin"
#: Roles whose users act on other users' resources: read and manage any profile, message or
#: session. A rule that needs more than staff asks for a role by name (`Actor.is_admin`).
STAFF_ROLES = frozenset({ADMIN_ROLE, "support"})
#: The user id a request may give to stand for the calling user ("users/me").
ME = "me"


@dataclass(frozen=True, slots=True)
class Actor:
    """Who a call acts for: an end user with their roles, and the calling service.

    The mesh has already applied the method's access policy; a call without a user comes from
    a service the contract lists for that method. Roles are the user's: a service has none.

        actor = current_actor()
        if not actor.is_staff and actor.user_id != profile.id: ...
    """

    #: The end user's id (their token's subject); None when a service calls on its own behalf.
    user_id: str | None = None
    roles: frozenset[str] = frozenset()
    #: The calling service ("" outside the mesh, say in a test calling a handler directly).
    service: str = ""
    #: The end user's verified access token, for the claims no field above carries.
    token: str = field(default="", repr=False)

    @property
    def is_user(self) -> bool:
        """Whether the call acts for an end user."""
        return self.user_id is not None

    def has_role(self, role: str) -> bool:
        """Whether the end user holds `role` (a call without a user holds none)."""
        return self.user_id is not None and role in self.roles

    def has_any_role(self, roles: Iterable[str]) -> bool:
        """Whether the end user holds at least one of `roles`."""
        return self.user_id is not None and not self.roles.isdisjoint(roles)

    @property
    def is_staff(self) -> bool:
        """Whether the end user holds a staff role (`STAFF_ROLES`)."""
        return self.has_any_role(STAFF_ROLES)

    @property
    def is_admin(self) -> bool:
        """Whether the end user holds the admin role."""
        return self.has_role(ADMIN_ROLE)

    def may_access(self, owner_id: str) -> bool:
        """Whether the end user is `owner_id` themselves, or staff acting on their behalf."""
        return self.is_staff or (self.user_id is not None and self.user_id == owner_id)

    @property
    def subject(self) -> str:
        """How the actor is recorded (events, audit): the user id, else the service name."""
        return self.user_id or self.service

    @property
    def session_id(self) -> str:
        """The sign-in session of the user's access token ("" when there is none). The
        interceptor verified the token already: this only reads its `sid` claim."""
        if not self.token:
            return ""
        claims = jwt.decode(self.token, options={"verify_signature": False})
        return str(claims.get("sid", ""))

    def require_user(self) -> str:
        """The user id; USER_TOKEN_MISSING when the call carries no end user."""
        if self.user_id is None:
            raise Unauthenticated(
                "this method acts for an end user: send their access token in "
                "'x-user-authorization'",
                reason="USER_TOKEN_MISSING",
                domain=MESH_DOMAIN,
            )
        return self.user_id

    def require_staff(self, what: str) -> str:
        """The staff user's id; ROLE_REQUIRED naming `what` ("reviewing KYC") otherwise."""
        if self.user_id is None or not self.is_staff:
            raise role_required(what, STAFF_ROLES)
        return self.user_id


def current_actor() -> Actor:
    """The actor of the call being served, from the principal the interceptor verified."""
    principal = current_principal()
    service, user = principal.service or "", principal.user
    if user is None:
        return Actor(service=service)
    return Actor(user.subject, user.roles, service=service, token=user.token)


def current_user() -> Actor:
    """The actor of a call that must act for an end user; USER_TOKEN_MISSING when it does not
    (for methods whose handlers need the user themselves, their id and session)."""
    actor = current_actor()
    actor.require_user()
    return actor
