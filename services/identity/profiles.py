"""The users service as sign-up needs it: create a profile, find one by email."""

from __future__ import annotations

import logging
from collections.abc import Callable
from enum import StrEnum
from typing import Any

import grpc
from google.rpc import error_details_pb2

from mesh.client.status import rich_status_of
from mesh.errors import FieldViolation, InvalidArgument
from meshwork.users.v1 import resources_pb2, users_service_pb2
from services.identity.errors import DOMAIN, dependency_unavailable

logger = logging.getLogger("meshwork.identity")

_DOWN = (grpc.StatusCode.UNAVAILABLE, grpc.StatusCode.DEADLINE_EXCEEDED)


class Created(StrEnum):
    CREATED = "created"  # the profile exists under the requested id (new or from a retry)
    EMAIL_TAKEN = "email_taken"  # another profile has the address


class ProfileDirectory:
    """Calls the users service; a users service that is down becomes DEPENDENCY_UNAVAILABLE."""

    def __init__(self, stub: Callable[[], Any]) -> None:
        self._stub = stub  # resolved per call: the channel is created on first use

    async def create(self, user_id: str, *, email: str, display_name: str, locale: str) -> Created:
        """Creates the profile (idempotent for the same id and email)."""
        profile = resources_pb2.User(email=email, display_name=display_name, locale=locale)
        request = users_service_pb2.CreateUserRequest(user_id=user_id, user=profile)
        try:
            await self._stub().CreateUser(request)
        except grpc.aio.AioRpcError as error:
            info, violations = _details_of(error)
            if error.code() == grpc.StatusCode.ALREADY_EXISTS and (
                info is None or info.reason == "EMAIL_ALREADY_REGISTERED"
            ):
                return Created.EMAIL_TAKEN
            raise _translated(error, violations) from error
        return Created.CREATED

    async def find_by_email(self, email: str) -> str | None:
        """The id of the live profile with this address, if there is one (a deleted profile
        keeps its address on record but is never taken over by a new sign-up)."""
        request = users_service_pb2.LookupUserByEmailRequest(email=email)
        try:
            reply = await self._stub().LookupUserByEmail(request)
        except grpc.aio.AioRpcError as error:
            if error.code() == grpc.StatusCode.NOT_FOUND:
                return None
            raise _translated(error, []) from error
        if reply.user.state == resources_pb2.USER_STATE_DELETED:
            return None
        return str(reply.user.id)


def _translated(error: grpc.aio.AioRpcError, violations: list[FieldViolation]) -> Exception:
    if error.code() in _DOWN:
        # the details name the mesh's insides (addresses, connection errors): logged, not sent
        logger.warning("users did not answer: %s %s", error.code().name, error.details())
        return dependency_unavailable("users", error.code().name)
    if error.code() == grpc.StatusCode.INVALID_ARGUMENT and violations:
        return InvalidArgument(
            f"the profile was refused: {error.details()}",
            reason="VALIDATION_FAILED",
            domain=DOMAIN,
            violations=violations,
        )
    return error  # an unexpected answer: the mesh reports it as INTERNAL and logs it


def _details_of(
    error: grpc.aio.AioRpcError,
) -> tuple[error_details_pb2.ErrorInfo | None, list[FieldViolation]]:
    """The ErrorInfo and the BadRequest violations (as our request's fields) of a rich status."""
    status = rich_status_of(error)
    if status is None:
        return None, []
    info, violations = None, []
    for detail in status.details:
        found_info, bad_request = error_details_pb2.ErrorInfo(), error_details_pb2.BadRequest()
        if detail.Unpack(found_info):
            info = found_info
        elif detail.Unpack(bad_request):
            violations += [
                FieldViolation(v.field.removeprefix("user."), v.description)
                for v in bad_request.field_violations
            ]
    return info, violations
