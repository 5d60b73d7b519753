"""The identity service running in-process (SQLite and PostgreSQL), with fake users and admin
services."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import grpc
import pytest
import sqlalchemy as sa
from google.protobuf.json_format import MessageToDict
from google.protobuf.message import Message
from google.rpc import error_details_pb2, status_pb2

from mesh.auth.authenticator import JwtAuthenticator
from mesh.auth.jwks import JwksCache
from mesh.auth.tokens import TokenVerifier
from mesh.db import outbox_table
from mesh.errors import AlreadyExists, NotFound, Unavailable
from mesh.events.envelope import MSG_ID_HEADER, TYPE_HEADER, envelope_for
from mesh.server import MeshServer, ServiceBinding, create_server
from mesh.service import RunningService, start_service
from meshwork.admin.v1 import admin_service_pb2, admin_service_pb2_grpc
from meshwork.admin.v1 import resources_pb2 as admin_resources
from meshwork.identity.v1 import identity_service_pb2 as pb
from meshwork.identity.v1 import identity_service_pb2_grpc
from meshwork.users.v1 import resources_pb2 as users_resources
from meshwork.users.v1 import users_service_pb2, users_service_pb2_grpc
from services.identity.bootstrap import IdentityService
from services.identity.config import IdentitySettings

Metadata = Sequence[tuple[str, str]]
DEV_SECRET = "dev-insecure-client-secret"
PASSWORD = "correct horse battery"
ADMIN_EMAIL = "root@example.com"


class FakeUsers(users_service_pb2_grpc.UsersServiceServicer):
    """The users service as sign-up sees it: idempotent CreateUser and LookupUserByEmail.

    `down` answers UNAVAILABLE; `lose_replies` creates the profile, then answers UNAVAILABLE
    (a reply lost on the way back) for that many calls.
    """

    def __init__(self) -> None:
        self.profiles: dict[str, users_resources.User] = {}
        self.down = False
        self.lose_replies = 0
        self.callers: list[str | None] = []

    async def CreateUser(self, request: Any, context: Any) -> Any:
        from mesh.context import current_principal

        self.callers.append(current_principal().service)
        if self.down:
            raise Unavailable("users is down", reason="DOWN", domain="users.meshwork")
        taken = [
            u
            for u in self.profiles.values()
            if u.email.lower() == request.user.email.lower()
            and u.state != users_resources.USER_STATE_DELETED
        ]
        if taken and taken[0].id != request.user_id:
            raise AlreadyExists(
                "email taken", reason="EMAIL_ALREADY_REGISTERED", domain="users.meshwork"
            )
        user = self.profiles.setdefault(
            request.user_id,
            users_resources.User(
                id=request.user_id, email=request.user.email, display_name=request.user.display_name
            ),
        )
        if self.lose_replies:
            self.lose_replies -= 1
            raise Unavailable("reply lost", reason="LOST", domain="users.meshwork")
        return users_service_pb2.CreateUserResponse(user=user)

    async def LookupUserByEmail(self, request: Any, context: Any) -> Any:
        for user in self.profiles.values():
            if user.email.lower() == request.email.lower():
                return users_service_pb2.LookupUserByEmailResponse(user=user)
        raise NotFound("no such user", reason="USER_NOT_FOUND", domain="users.meshwork")


class FakeAdmin(admin_service_pb2_grpc.AdminServiceServicer):
    """The admin service as identity sees it: GetUserAccess. `ADMIN_EMAIL` holds "admin";
    `roles` and `suspended` say what others hold; `down` answers UNAVAILABLE."""

    def __init__(self) -> None:
        self.roles: dict[str, list[str]] = {}
        self.suspended: set[str] = set()
        self.down = False
        self.asked: list[str] = []

    async def GetUserAccess(self, request: Any, context: Any) -> Any:
        self.asked.append(request.user_id)
        if self.down:
            raise Unavailable("admin is down", reason="DOWN", domain="admin.meshwork")
        roles = self.roles.get(request.user_id, [])
        if request.email.lower() == ADMIN_EMAIL:
            roles = [*roles, "admin"]
        access = admin_resources.UserAccess(
            user_id=request.user_id,
            roles=roles,
            suspended=request.user_id in self.suspended,
            suspension_id="suspension-1" if request.user_id in self.suspended else "",
        )
        return admin_service_pb2.GetUserAccessResponse(user_access=access)


def jwks_over(stub: identity_service_pb2_grpc.IdentityServiceStub) -> Callable[..., Any]:
    """Fetches identity's JWK Set over gRPC, as every other service does."""

    async def fetch() -> list[dict[str, Any]]:
        reply = await stub.GetJwks(pb.GetJwksRequest())
        return [MessageToDict(key, preserving_proto_field_name=True) for key in reply.keys]

    return fetch


@dataclass
class Identity:
    """A running identity with a fake users service, and helpers to call and inspect it."""

    running: RunningService
    service: IdentityService
    stub: identity_service_pb2_grpc.IdentityServiceStub
    users: FakeUsers
    users_server: MeshServer
    admin: FakeAdmin
    _tokens: dict[tuple[str, str], str] = field(default_factory=dict)

    @property
    def settings(self) -> IdentitySettings:
        return self.service.settings

    @property
    def engine(self) -> Any:
        return self.running.runtime.engine

    def verifier(self, *, min_refresh_interval_s: float = 5.0) -> TokenVerifier:
        """A verifier in "another process": its own JWKS cache over GetJwks."""
        keys = JwksCache(jwks_over(self.stub), min_refresh_interval_s=min_refresh_interval_s)
        return TokenVerifier(keys, issuer=self.settings.token_issuer)

    async def service_token(self, client: str, audience: str = "identity") -> str:
        if (client, audience) not in self._tokens:
            reply = await self.stub.IssueServiceToken(
                pb.IssueServiceTokenRequest(
                    client_id=client, client_secret=DEV_SECRET, audience=audience
                )
            )
            self._tokens[client, audience] = reply.access_token
        return self._tokens[client, audience]

    async def as_service(self, client: str) -> Metadata:
        return (("authorization", f"Bearer {await self.service_token(client)}"),)

    async def as_user(self, access_token: str, *, via: str = "edge") -> Metadata:
        """A user's call through the edge (the edge's service token plus the user's)."""
        return (*await self.as_service(via), ("x-user-authorization", f"Bearer {access_token}"))

    async def sign_up(
        self, email: str | None = None, password: str = PASSWORD
    ) -> pb.SignUpResponse:
        email = email or f"user-{uuid.uuid4().hex[:8]}@example.com"
        return await self.stub.SignUp(pb.SignUpRequest(email=email, password=password))

    async def login(self, email: str, password: str = PASSWORD, **kwargs: Any) -> Any:
        return await self.stub.Login(pb.LoginRequest(email=email, password=password), **kwargs)

    async def rows(self, table: str, **where: Any) -> list[Any]:
        query = sa.text(f"SELECT * FROM {table}")
        if where:
            query = sa.text(
                f"SELECT * FROM {table} WHERE "
                + " AND ".join(f"{name} = :{name}" for name in where)
            )
        async with self.engine.connect() as connection:
            return list((await connection.execute(query, where)).mappings())

    async def events(self, event_type: type[Message]) -> list[Any]:
        """The events of a type written to the outbox, oldest first."""
        async with self.engine.connect() as connection:
            rows = await connection.execute(
                sa.select(outbox_table).order_by(outbox_table.c.position)
            )
            return [
                event_type.FromString(row.payload)
                for row in rows
                if row.headers[TYPE_HEADER] == event_type.DESCRIPTOR.full_name
            ]


def identity_settings(database_url: str, nats_url: str, **overrides: Any) -> IdentitySettings:
    values: dict[str, Any] = {
        "database_url": database_url,
        "nats_url": nats_url,
        "grpc_address": "127.0.0.1:0",
        "shutdown_grace_s": 0.5,
        "log_json": False,
        "account_free_attempts": 3,
        "address_free_attempts": 5,
    }
    return IdentitySettings(**(values | overrides))


@pytest.fixture
def settings(database_url: str, nats_server: Any) -> IdentitySettings:
    return identity_settings(database_url, nats_server.url)


@pytest.fixture
async def identity(settings: IdentitySettings) -> AsyncIterator[Identity]:
    service = IdentityService(settings)
    async with (
        start_service(settings, **service.launch_options()) as running,
        grpc.aio.insecure_channel(running.address) as channel,
    ):
        stub = identity_service_pb2_grpc.IdentityServiceStub(channel)
        users, admin = FakeUsers(), FakeAdmin()
        verifier = TokenVerifier(JwksCache(jwks_over(stub)), issuer=settings.token_issuer)
        binding = ServiceBinding.of(users_service_pb2, users_service_pb2_grpc, users)
        users_server, port = create_server(
            [binding], service="users", authenticator=JwtAuthenticator(verifier)
        )
        binding = ServiceBinding.of(admin_service_pb2, admin_service_pb2_grpc, admin)
        admin_server, admin_port = create_server(
            [binding], service="admin", authenticator=JwtAuthenticator(verifier)
        )
        await users_server.start()
        await admin_server.start()
        settings.users_address = f"127.0.0.1:{port}"  # clients are created on first use
        settings.admin_address = f"127.0.0.1:{admin_port}"
        try:
            yield Identity(running, service, stub, users, users_server, admin)
        finally:
            await users_server.stop(0)
            await admin_server.stop(0)


async def publish(identity: Identity, event: Message) -> None:
    """Publishes `event` as its owning service's outbox relay would."""
    envelope = envelope_for(event)
    headers = {**envelope.headers, MSG_ID_HEADER: envelope.event_id}
    await identity.running.runtime.nc.jetstream().publish(
        envelope.subject, envelope.payload, headers=headers
    )


def error_info(error: grpc.aio.AioRpcError) -> error_details_pb2.ErrorInfo:
    [info] = _details(error, error_details_pb2.ErrorInfo)
    return info


def bad_fields(error: grpc.aio.AioRpcError) -> dict[str, str]:
    found = _details(error, error_details_pb2.BadRequest)
    return {v.field: v.description for bad in found for v in bad.field_violations}


def retry_delay_s(error: grpc.aio.AioRpcError) -> float:
    [retry] = _details(error, error_details_pb2.RetryInfo)
    return retry.retry_delay.ToTimedelta().total_seconds()


def _details(error: grpc.aio.AioRpcError, kind: type) -> list[Any]:
    raw = dict(error.trailing_metadata() or ())["grpc-status-details-bin"]
    found = []
    for detail in status_pb2.Status.FromString(raw).details:
        message = kind()
        if detail.Unpack(message):
            found.append(message)
    return found
