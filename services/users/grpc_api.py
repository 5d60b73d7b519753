"""The UsersService servicer: request → command → handler → response, nothing more."""

from __future__ import annotations

from typing import TypeAlias

import grpc

from mesh.actor import current_actor
from mesh.idempotency import IdempotencyRecords, idempotent
from meshwork.users.v1 import users_service_pb2 as pb
from meshwork.users.v1 import users_service_pb2_grpc
from services.users import commands, handlers
from services.users.handlers import Deps
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

    def __init__(self, deps: Deps, idempotency: IdempotencyRecords) -> None:
        self._deps = deps
        self.idempotency = idempotency

    async def CreateUser(
        self, request: pb.CreateUserRequest, context: Context
    ) -> pb.CreateUserResponse:
        user = await handlers.create_user(create_user_command(request), self._deps)
        return pb.CreateUserResponse(user=user_message(user))

    async def GetUser(self, request: pb.GetUserRequest, context: Context) -> pb.GetUserResponse:
        command = commands.GetUser(request.user_id, current_actor())
        user = await handlers.get_user(command, self._deps)
        return pb.GetUserResponse(user=user_message(user))

    async def LookupUserByEmail(
        self, request: pb.LookupUserByEmailRequest, context: Context
    ) -> pb.LookupUserByEmailResponse:
        command = commands.LookupUserByEmail(request.email)
        user = await handlers.lookup_user_by_email(command, self._deps)
        return pb.LookupUserByEmailResponse(user=user_message(user))

    @idempotent
    async def UpdateUser(
        self, request: pb.UpdateUserRequest, context: Context
    ) -> pb.UpdateUserResponse:
        command = update_user_command(request, current_actor())
        user = await handlers.update_user(command, self._deps)
        return pb.UpdateUserResponse(user=user_message(user))

    async def ListUsers(
        self, request: pb.ListUsersRequest, context: Context
    ) -> pb.ListUsersResponse:
        page = await handlers.list_users(list_users_command(request), self._deps)
        return pb.ListUsersResponse(
            users=[user_message(user) for user in page.users],
            next_page_token=page.next_page_token,
        )

    @idempotent
    async def DeleteUser(
        self, request: pb.DeleteUserRequest, context: Context
    ) -> pb.DeleteUserResponse:
        command = commands.DeleteUser(request.user_id, current_actor())
        user = await handlers.delete_user(command, self._deps)
        return pb.DeleteUserResponse(user=user_message(user))

    async def GetKyc(self, request: pb.GetKycRequest, context: Context) -> pb.GetKycResponse:
        command = commands.GetKyc(request.user_id, current_actor())
        user = await handlers.get_kyc(command, self._deps)
        return pb.GetKycResponse(kyc=kyc_message(user))

    @idempotent
    async def SubmitKyc(
        self, request: pb.SubmitKycRequest, context: Context
    ) -> pb.SubmitKycResponse:
        command = submit_kyc_command(request, current_actor())
        user = await handlers.submit_kyc(command, self._deps)
        return pb.SubmitKycResponse(kyc=kyc_message(user))

    @idempotent
    async def VerifyKyc(
        self, request: pb.VerifyKycRequest, context: Context
    ) -> pb.VerifyKycResponse:
        command = commands.VerifyKyc(request.user_id, current_actor())
        user = await handlers.verify_kyc(command, self._deps)
        return pb.VerifyKycResponse(kyc=kyc_message(user))

    @idempotent
    async def RejectKyc(
        self, request: pb.RejectKycRequest, context: Context
    ) -> pb.RejectKycResponse:
        command = reject_kyc_command(request, current_actor())
        user = await handlers.reject_kyc(command, self._deps)
        return pb.RejectKycResponse(kyc=kyc_message(user))
