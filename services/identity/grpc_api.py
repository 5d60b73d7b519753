"""IdentityService over gRPC: request → command → handler → response, nothing more."""

from __future__ import annotations

from typing import Any, TypeAlias

import grpc

from mesh.actor import current_user
from mesh.idempotency import IdempotencyRecords, idempotent
from meshwork.identity.v1 import identity_service_pb2 as pb
from meshwork.identity.v1 import identity_service_pb2_grpc
from services.identity import commands
from services.identity.handlers import credentials, login, sessions, sign_up
from services.identity.handlers import keys as key_handlers
from services.identity.handlers.common import Deps
from services.identity.messages import (
    client_of,
    jwk_proto,
    service_token_proto,
    session_proto,
    signing_key_proto,
    tokens_proto,
)

Context: TypeAlias = grpc.aio.ServicerContext


class IdentityServicer(identity_service_pb2_grpc.IdentityServiceServicer):
    """The thin adapter: each method builds a command, runs its handler and renders the result."""

    def __init__(self, deps: Deps, idempotency: IdempotencyRecords) -> None:
        self._deps = deps
        self.idempotency = idempotency

    def _client(self, context: Context) -> commands.Client:
        return client_of(context, trusted_proxies=self._deps.settings.trusted_proxies)

    @idempotent
    async def SignUp(self, request: pb.SignUpRequest, context: Context) -> pb.SignUpResponse:
        command = commands.SignUp(
            email=request.email,
            password=request.password,
            display_name=request.display_name,
            locale=request.locale,
            client=self._client(context),
        )
        tokens = await sign_up.sign_up(command, self._deps)
        return pb.SignUpResponse(user_id=tokens.user_id, tokens=tokens_proto(tokens))

    async def Login(self, request: pb.LoginRequest, context: Context) -> pb.LoginResponse:
        command = commands.Login(
            email=request.email, password=request.password, client=self._client(context)
        )
        return pb.LoginResponse(tokens=tokens_proto(await login.login(command, self._deps)))

    @idempotent
    async def Refresh(self, request: pb.RefreshRequest, context: Context) -> pb.RefreshResponse:
        command = commands.Refresh(refresh_token=request.refresh_token)
        return pb.RefreshResponse(tokens=tokens_proto(await login.refresh(command, self._deps)))

    async def Logout(self, request: pb.LogoutRequest, context: Context) -> pb.LogoutResponse:
        await login.logout(commands.Logout(refresh_token=request.refresh_token), self._deps)
        return pb.LogoutResponse()

    async def ChangePassword(
        self, request: pb.ChangePasswordRequest, context: Context
    ) -> pb.ChangePasswordResponse:
        command = commands.ChangePassword(
            caller=current_user(),
            current_password=request.current_password,
            new_password=request.new_password,
        )
        revoked = await credentials.change_password(command, self._deps)
        return pb.ChangePasswordResponse(revoked_session_count=revoked)

    @idempotent
    async def RequestPasswordReset(
        self, request: pb.RequestPasswordResetRequest, context: Context
    ) -> pb.RequestPasswordResetResponse:
        command = commands.RequestPasswordReset(email=request.email)
        await credentials.request_password_reset(command, self._deps)
        return pb.RequestPasswordResetResponse()

    async def ConfirmPasswordReset(
        self, request: pb.ConfirmPasswordResetRequest, context: Context
    ) -> pb.ConfirmPasswordResetResponse:
        command = commands.ConfirmPasswordReset(
            token=request.token, new_password=request.new_password
        )
        await credentials.confirm_password_reset(command, self._deps)
        return pb.ConfirmPasswordResetResponse()

    @idempotent
    async def RequestEmailVerification(
        self, request: pb.RequestEmailVerificationRequest, context: Context
    ) -> pb.RequestEmailVerificationResponse:
        command = commands.RequestEmailVerification(caller=current_user())
        await credentials.request_email_verification(command, self._deps)
        return pb.RequestEmailVerificationResponse()

    @idempotent
    async def ConfirmEmailVerification(
        self, request: pb.ConfirmEmailVerificationRequest, context: Context
    ) -> pb.ConfirmEmailVerificationResponse:
        command = commands.ConfirmEmailVerification(token=request.token)
        verified = await credentials.confirm_email_verification(command, self._deps)
        return pb.ConfirmEmailVerificationResponse(user_id=verified.user_id, email=verified.email)

    async def ListSessions(
        self, request: pb.ListSessionsRequest, context: Context
    ) -> pb.ListSessionsResponse:
        command = commands.ListSessions(
            caller=current_user(),
            user_id=request.user_id,
            page_size=request.page_size,
            page_token=request.page_token,
            show_inactive=request.show_inactive,
        )
        page = await sessions.list_sessions(command, self._deps)
        return pb.ListSessionsResponse(
            sessions=[session_proto(s) for s in page.sessions], next_page_token=page.next_page_token
        )

    async def RevokeSession(
        self, request: pb.RevokeSessionRequest, context: Context
    ) -> pb.RevokeSessionResponse:
        command = commands.RevokeSession(
            caller=current_user(), user_id=request.user_id, session_id=request.session_id
        )
        view = await sessions.revoke_session(command, self._deps)
        return pb.RevokeSessionResponse(session=session_proto(view))

    async def RevokeUserSessions(
        self, request: pb.RevokeUserSessionsRequest, context: Context
    ) -> pb.RevokeUserSessionsResponse:
        command = commands.RevokeUserSessions(user_id=request.user_id)
        revoked = await sessions.revoke_user_sessions(command, self._deps)
        return pb.RevokeUserSessionsResponse(revoked_session_count=revoked)

    async def GetJwks(self, request: pb.GetJwksRequest, context: Context) -> pb.GetJwksResponse:
        keys = await key_handlers.get_jwks(self._deps)
        return pb.GetJwksResponse(keys=[jwk_proto(key) for key in keys])

    async def ListSigningKeys(
        self, request: pb.ListSigningKeysRequest, context: Context
    ) -> pb.ListSigningKeysResponse:
        command = commands.ListSigningKeys(
            page_size=request.page_size, page_token=request.page_token
        )
        page = await key_handlers.list_signing_keys(command, self._deps)
        return pb.ListSigningKeysResponse(
            signing_keys=[signing_key_proto(k) for k in page.keys],
            next_page_token=page.next_page_token,
        )

    @idempotent
    async def RotateSigningKeys(
        self, request: pb.RotateSigningKeysRequest, context: Context
    ) -> pb.RotateSigningKeysResponse:
        rotated = await key_handlers.rotate_signing_keys(self._deps)
        retired: dict[str, Any] = {}
        if rotated.retired is not None:
            retired["retired_key"] = signing_key_proto(rotated.retired)
        return pb.RotateSigningKeysResponse(
            active_key=signing_key_proto(rotated.active),
            pending_key=signing_key_proto(rotated.pending),
            **retired,
        )

    async def IssueServiceToken(
        self, request: pb.IssueServiceTokenRequest, context: Context
    ) -> pb.IssueServiceTokenResponse:
        command = commands.IssueServiceToken(
            client_id=request.client_id,
            client_secret=request.client_secret,
            audience=request.audience,
        )
        return service_token_proto(await key_handlers.issue_service_token(command, self._deps))

    async def PurgeExpiredTokens(
        self, request: pb.PurgeExpiredTokensRequest, context: Context
    ) -> pb.PurgeExpiredTokensResponse:
        purged = await key_handlers.purge_expired_tokens(self._deps)
        return pb.PurgeExpiredTokensResponse(
            purged_session_count=purged.sessions, purged_one_time_token_count=purged.one_time_tokens
        )
