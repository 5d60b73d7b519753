"""The users and identity services as staff actions need them (down: DEPENDENCY_UNAVAILABLE)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

import grpc

from meshwork.identity.v1 import identity_service_pb2
from meshwork.users.v1 import resources_pb2 as users_resources
from meshwork.users.v1 import users_service_pb2
from services.admin.errors import dependency_unavailable

logger = logging.getLogger("meshwork.admin")

_DOWN = (grpc.StatusCode.UNAVAILABLE, grpc.StatusCode.DEADLINE_EXCEEDED)


class ServiceDirectory:
    """Asks users whether a user exists (with the staff caller's token, forwarded by the
    mesh) and tells identity to end a user's sessions."""

    def __init__(self, *, users: Callable[[], Any], identity: Callable[[], Any]) -> None:
        self._users = users  # resolved per call: channels are created on first use
        self._identity = identity

    async def user_exists(self, user_id: str) -> bool:
        try:
            reply = await self._users().GetUser(users_service_pb2.GetUserRequest(user_id=user_id))
        except grpc.aio.AioRpcError as error:
            if error.code() == grpc.StatusCode.NOT_FOUND:
                return False
            raise _translated("users", error) from error
        return bool(reply.user.state != users_resources.USER_STATE_DELETED)

    async def revoke_sessions(self, user_id: str) -> int:
        request = identity_service_pb2.RevokeUserSessionsRequest(user_id=user_id)
        try:
            reply = await self._identity().RevokeUserSessions(request)
        except grpc.aio.AioRpcError as error:
            if error.code() == grpc.StatusCode.NOT_FOUND:  # a profile without a credential
                return 0
            raise _translated("identity", error) from error
        return int(reply.revoked_session_count)


def _translated(service: str, error: grpc.aio.AioRpcError) -> Exception:
    if error.code() in _DOWN:
        # the details name the mesh's insides (addresses, connection errors): logged, not sent
        logger.warning("%s did not answer: %s %s", service, error.code().name, error.details())
        return dependency_unavailable(service, error.code().name)
    return error  # an unexpected answer: the mesh reports it as INTERNAL and logs it
