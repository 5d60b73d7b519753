"""Who a user is, for addressing them: the users service's GetUser, asked as this service."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

import grpc

from mesh.context import ANONYMOUS, principal_var
from meshwork.users.v1 import resources_pb2, users_service_pb2
from services.notifications.domain import Recipient
from services.notifications.errors import dependency_unavailable

logger = logging.getLogger("meshwork.notifications")

_DOWN = (grpc.StatusCode.UNAVAILABLE, grpc.StatusCode.DEADLINE_EXCEEDED)


class UserDirectory:
    """Resolves user ids to addresses, names and locales through users.GetUser.

    The call is made with this service's identity alone, never on behalf of the end user
    of the call being served: GetUser admits notifications for any profile (see its access
    option), while a user may only read their own.
    """

    def __init__(self, stub: Callable[[], Any]) -> None:
        self._stub = stub  # resolved per call: the channel is created on first use

    async def find(self, user_id: str) -> Recipient | None:
        """The user as a recipient; None when no profile has the id. A users service that does
        not answer is DEPENDENCY_UNAVAILABLE (retry later)."""
        request = users_service_pb2.GetUserRequest(user_id=user_id)
        token = principal_var.set(ANONYMOUS)
        try:
            reply = await self._stub().GetUser(request)
        except grpc.aio.AioRpcError as error:
            if error.code() == grpc.StatusCode.NOT_FOUND:
                return None
            if error.code() in _DOWN:
                # the details name the mesh's insides: logged, not sent
                logger.warning("users did not answer: %s %s", error.code().name, error.details())
                raise dependency_unavailable("users", error.code().name) from error
            raise
        finally:
            principal_var.reset(token)
        return recipient_of(reply.user)


def recipient_of(user: resources_pb2.User) -> Recipient:
    """A profile (from GetUser or an event) as a recipient."""
    return Recipient(
        user_id=user.id,
        email=user.email,
        phone_number=user.phone_number,
        display_name=user.display_name or user.given_name,
        locale=user.locale,
        deleted=user.state == resources_pb2.USER_STATE_DELETED,
    )
