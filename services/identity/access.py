"""The admin service as token issuing needs it: a user's roles and suspension.

Identity asks at every sign-up, login and refresh. Admin owns roles and suspensions, so when
it does not answer no token is issued: the call fails closed with UNAVAILABLE and
DEPENDENCY_UNAVAILABLE (metadata service=admin), and the client retries.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import grpc

from meshwork.admin.v1 import admin_service_pb2
from services.identity.domain import DEFAULT_ROLES
from services.identity.errors import dependency_unavailable

logger = logging.getLogger("meshwork.identity")

_DOWN = (grpc.StatusCode.UNAVAILABLE, grpc.StatusCode.DEADLINE_EXCEEDED)


@dataclass(frozen=True, slots=True)
class Access:
    """What the user's tokens carry (`roles`), and whether any may be issued."""

    roles: tuple[str, ...]
    suspended: bool


class AccessDirectory:
    """Calls admin's GetUserAccess; an admin service that is down becomes DEPENDENCY_UNAVAILABLE."""

    def __init__(self, stub: Callable[[], Any]) -> None:
        self._stub = stub  # resolved per call: the channel is created on first use

    async def of(self, user_id: str, email: str) -> Access:
        """The user's roles (every account is a "user"; admin adds staff roles) and suspension.
        The email lets admin make the bootstrap administrators' first grant."""
        request = admin_service_pb2.GetUserAccessRequest(user_id=user_id, email=email)
        try:
            reply = await self._stub().GetUserAccess(request)
        except grpc.aio.AioRpcError as error:
            if error.code() in _DOWN:
                logger.warning("admin did not answer: %s %s", error.code().name, error.details())
                raise dependency_unavailable("admin", error.code().name) from error
            raise
        access = reply.user_access
        roles = tuple(sorted({*DEFAULT_ROLES, *access.roles}))
        return Access(roles=roles, suspended=access.suspended)
