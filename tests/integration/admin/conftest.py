"""The admin service running in-process on SQLite and PostgreSQL, called over real gRPC, with
fake users and identity services (real gRPC servers on port 0) behind it."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import grpc
import pytest
from pydantic import SecretStr

from mesh.auth.authenticator import JwtAuthenticator
from mesh.auth.jwks import JwksCache
from mesh.auth.tokens import TokenVerifier
from mesh.errors import NotFound, Unavailable
from mesh.server import MeshServer, ServiceBinding, create_server
from mesh.service import RunningService, start_service
from meshwork.admin.v1 import admin_service_pb2_grpc
from meshwork.identity.v1 import identity_service_pb2, identity_service_pb2_grpc
from meshwork.users.v1 import resources_pb2 as users_resources
from meshwork.users.v1 import users_service_pb2, users_service_pb2_grpc
from services.admin.bootstrap import MIGRATIONS, build
from services.admin.config import AdminSettings
from tests.support.tokens import ISSUER, Callers, TestIssuer

BOOTSTRAP_EMAIL = "root@example.com"


@dataclass
class FakeMesh:
    """Users (`users` exist) and identity (`revoked` sessions); `down` names one that is down."""

    users: set[str] = field(default_factory=lambda: {"admin-1", "alice", "bob"})
    revoked: list[str] = field(default_factory=list)
    down: str = ""


class FakeUsers(users_service_pb2_grpc.UsersServiceServicer):
    def __init__(self, mesh: FakeMesh) -> None:
        self.mesh = mesh

    async def GetUser(self, request: Any, context: Any) -> Any:
        if self.mesh.down == "users":
            raise Unavailable("down", reason="DOWN", domain="users.meshwork")
        if request.user_id not in self.mesh.users:
            raise NotFound("no such user", reason="USER_NOT_FOUND", domain="users.meshwork")
        return users_service_pb2.GetUserResponse(user=users_resources.User(id=request.user_id))


class FakeIdentity(identity_service_pb2_grpc.IdentityServiceServicer):
    def __init__(self, mesh: FakeMesh) -> None:
        self.mesh = mesh

    async def RevokeUserSessions(self, request: Any, context: Any) -> Any:
        if self.mesh.down == "identity":
            raise Unavailable("down", reason="DOWN", domain="identity.meshwork")
        self.mesh.revoked.append(request.user_id)
        return identity_service_pb2.RevokeUserSessionsResponse(revoked_session_count=1)


@pytest.fixture(scope="session")
def issuer() -> TestIssuer:
    return TestIssuer()


@pytest.fixture
def callers(issuer: TestIssuer) -> Callers:
    return Callers(issuer, audience="admin")


@pytest.fixture
async def mesh(issuer: TestIssuer) -> AsyncIterator[tuple[FakeMesh, dict[str, str]]]:
    state = FakeMesh()
    verifier = TokenVerifier(JwksCache(issuer.jwks), issuer=ISSUER)
    servers: list[MeshServer] = []
    addresses = {}
    for name, module, grpc_module, servicer in (
        ("users", users_service_pb2, users_service_pb2_grpc, FakeUsers(state)),
        ("identity", identity_service_pb2, identity_service_pb2_grpc, FakeIdentity(state)),
    ):
        server, port = create_server(
            [ServiceBinding.of(module, grpc_module, servicer)],
            service=name,
            authenticator=JwtAuthenticator(verifier),
        )
        await server.start()
        servers.append(server)
        addresses[name] = f"127.0.0.1:{port}"
    try:
        yield state, addresses
    finally:
        for server in servers:
            await server.stop(0)


@pytest.fixture
async def admin_service(
    database_url: str, nats_server: Any, issuer: TestIssuer, mesh: tuple[FakeMesh, dict[str, str]]
) -> AsyncIterator[RunningService]:
    _, addresses = mesh
    settings = AdminSettings(
        environment="test",
        database_url=database_url,
        nats_url=nats_server.url,
        grpc_address="127.0.0.1:0",
        token_issuer=ISSUER,
        client_secret=SecretStr("admin-test-secret"),
        shutdown_grace_s=0.5,
        users_address=addresses["users"],
        identity_address=addresses["identity"],
        bootstrap_admin_emails=[BOOTSTRAP_EMAIL],
    )

    async def own_token(audience: str) -> tuple[str, float]:
        token = issuer.sign(sub="admin", aud=audience, typ="service", roles=None)
        return token, 2**31

    async with start_service(
        settings, build=build, migrations=MIGRATIONS, local_keys=issuer.jwks, local_tokens=own_token
    ) as running:
        yield running


@pytest.fixture
async def stub(
    admin_service: RunningService,
) -> AsyncIterator[admin_service_pb2_grpc.AdminServiceStub]:
    async with grpc.aio.insecure_channel(admin_service.address) as channel:
        yield admin_service_pb2_grpc.AdminServiceStub(channel)
