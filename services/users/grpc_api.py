"""The UsersService servicer: request → command → handler → response, nothing more."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeAlias

import grpc

from mesh.actor import current_actor
from mesh.db import UnitOfWork
from mesh.idempotency import IdempotencyRecords, idempotent
from meshwork.users.v1 import users_service_pb2 as pb
from meshwork.users.v1 import users_service_pb2_grpc
from services.users import handlers
from services.users.messages import (
    create_user_command,
    kyc_message,
    list_users_command,
    reject_kyc_command,
    submit_kyc_command,
    update_user_command,
    user_message,
)

Context: TypeAlias = grpc.aio.ServicerContext


class UsersServicer(users_service_pb2_grpc.UsersServiceServicer):
    """Serves meshwork.users.v1.UsersService; each call runs in a new unit of work."""

    def __init__(
        self, unit_of_work: Callable[..., UnitOfWork], idempotency: IdempotencyRecords
    ) -> None:
        self._uow = unit_of_work
        self.idempotency = idempotency

    def _by_key(self) -> UnitOfWork:
        """The unit of work of a read of one user by key (inline: see `mesh.db.UnitOfWork`)."""
        return self._uow(read_only=True, inline=True)

    async def CreateUser(
        self, request: pb.CreateUserRequest, context: Context
    ) -> pb.CreateUserResponse:
        user = await handlers.create_user(self._uow(), create_user_command(request))
        return pb.CreateUserResponse(user=user_message(user))

    async def GetUser(self, request: pb.GetUserRequest, context: Context) -> pb.GetUserResponse:
        user = await handlers.get_user(self._by_key(), request.user_id, current_actor())
        return pb.GetUserResponse(user=user_message(user))

    async def LookupUserByEmail(
        self, request: pb.LookupUserByEmailRequest, context: Context
    ) -> pb.LookupUserByEmailResponse:
        user = await handlers.lookup_user_by_email(self._by_key(), request.email)
        return pb.LookupUserByEmailResponse(user=user_message(user))

    async def UpdateUser(
        self, request: pb.UpdateUserRequest, context: Context
    ) -> pb.UpdateUserResponse:
        command = update_user_command(request)
        user = await handlers.update_user(self._uow(), command, current_actor())
        return pb.UpdateUserResponse(user=user_message(user))

    async def ListUsers(
        self, request: pb.ListUsersRequest, context: Context
    ) -> pb.ListUsersResponse:
        page = await handlers.list_users(self._uow(read_only=True), list_users_command(request))
        return pb.ListUsersResponse(
            users=[user_message(user) for user in page.users],
            next_page_token=page.next_page_token,
        )

    async def DeleteUser(
        self, request: pb.DeleteUserRequest, context: Context
    ) -> pb.DeleteUserResponse:
        user = await handlers.delete_user(self._uow(), request.user_id, current_actor())
        return pb.DeleteUserResponse(user=user_message(user))

    async def GetKyc(self, request: pb.GetKycRequest, context: Context) -> pb.GetKycResponse:
        user = await handlers.get_kyc(self._by_key(), request.user_id, current_actor())
        return pb.GetKycResponse(kyc=kyc_message(user))

    @idempotent
    async def SubmitKyc(
        self, request: pb.SubmitKycRequest, context: Context
    ) -> pb.SubmitKycResponse:
        command = submit_kyc_command(request)
        user = await handlers.submit_kyc(self._uow(), command, current_actor())
        return pb.SubmitKycResponse(kyc=kyc_message(user))

    async def VerifyKyc(
        self, request: pb.VerifyKycRequest, context: Context
    ) -> pb.VerifyKycResponse:
        user = await handlers.verify_kyc(self._uow(), request.user_id, current_actor())
        return pb.VerifyKycResponse(kyc=kyc_message(user))

    async def RejectKyc(
        self, request: pb.RejectKycRequest, context: Context
    ) -> pb.RejectKycResponse:
        command = reject_kyc_command(request)
        user = await handlers.reject_kyc(self._uow(), command, current_actor())
        return pb.RejectKycResponse(kyc=kyc_message(user))
