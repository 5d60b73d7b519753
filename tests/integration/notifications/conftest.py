"""Real infrastructure for notifications: an SMTP sink (aiosmtpd), NATS per test, the services."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import grpc
import pytest

from mesh.bundled_nats import BundledNatsServer
from mesh.service import RunningService, start_service
from meshwork.identity.v1 import identity_service_pb2 as identity_pb
from meshwork.identity.v1 import identity_service_pb2_grpc
from meshwork.notifications.v1 import notifications_service_pb2_grpc
from meshwork.users.v1 import users_service_pb2_grpc
from services.identity.bootstrap import IdentityService
from services.identity.config import IdentitySettings
from services.notifications.bootstrap import MIGRATIONS as NOTIFICATIONS_MIGRATIONS
from services.notifications.bootstrap import build as build_notifications
from services.notifications.config import NotificationsSettings
from services.users.bootstrap import MIGRATIONS as USERS_MIGRATIONS
from services.users.bootstrap import build as build_users
from services.users.config import UsersSettings
from tests.support.admin import admin_settings, running_admin
from tests.support.smtp import SmtpSink

Metadata = Sequence[tuple[str, str]]
DEV_SECRET = "dev-insecure-client-secret"
PASSWORD = "correct horse battery"
ADMIN_EMAIL = "root@example.com"


@pytest.fixture
def smtp_sink() -> Iterator[SmtpSink]:
    sink = SmtpSink()
    sink.start()
    try:
        yield sink
    finally:
        sink.stop()


@pytest.fixture
def nats_url(tmp_path: Path) -> Iterator[str]:
    """A NATS server of the test's own: durable consumers and streams start empty."""
    server = BundledNatsServer(tmp_path / "nats")
    server.start()
    try:
        yield server.url
    finally:
        server.stop()


def notifications_settings(
    database_url: str, nats_url: str, **overrides: Any
) -> NotificationsSettings:
    values: dict[str, Any] = {
        "database_url": database_url,
        "nats_url": nats_url,
        "grpc_address": "127.0.0.1:0",
        "client_secret": DEV_SECRET,
        "shutdown_grace_s": 0.5,
        "log_json": False,
        "retry_initial_delay_s": 0.05,
        "retry_max_delay_s": 0.3,
        "dispatch_interval_s": 0.5,
        "dispatch_lease_s": 6.0,
        "smtp_timeout_s": 2.0,
        "sms_timeout_s": 2.0,
    }
    return NotificationsSettings(**(values | overrides))


@dataclass
class Platform:
    """identity, users and notifications running in-process, with stubs to call them."""

    identity: identity_service_pb2_grpc.IdentityServiceStub
    users: users_service_pb2_grpc.UsersServiceStub
    notifications: notifications_service_pb2_grpc.NotificationsServiceStub
    identity_address: str
    users_address: str
    #: The in-process notifications service (None when it runs elsewhere).
    running: RunningService | None
    _tokens: dict[tuple[str, str], str] = field(default_factory=dict)
    _admin_token: str = ""

    async def as_admin(self, *, to: str = "notifications") -> Metadata:
        """Calls as the bootstrap administrator (signed up on first use)."""
        if not self._admin_token:
            self._admin_token = await self.user_token(ADMIN_EMAIL)
        return await self.as_user(self._admin_token, to=to)

    async def as_service(self, client: str, audience: str) -> Metadata:
        if (client, audience) not in self._tokens:
            reply = await self.identity.IssueServiceToken(
                identity_pb.IssueServiceTokenRequest(
                    client_id=client, client_secret=DEV_SECRET, audience=audience
                )
            )
            self._tokens[client, audience] = reply.access_token
        return (("authorization", f"Bearer {self._tokens[client, audience]}"),)

    async def as_user(self, access_token: str, *, to: str = "notifications") -> Metadata:
        """A user's call through the edge (to service `to`): the edge's token plus the user's."""
        edge = await self.as_service("edge", to)
        return (*edge, ("x-user-authorization", f"Bearer {access_token}"))

    async def user_token(self, email: str, **profile: str) -> str:
        """Signs up (the bootstrap admin address gets the admin role); its access token."""
        reply = await self.sign_up(email, **profile)
        return str(reply.tokens.access_token)

    async def sign_up(
        self, email: str, *, display_name: str = "", locale: str = ""
    ) -> identity_pb.SignUpResponse:
        """Signs up through identity (the user id, and tokens in `tokens`)."""
        return await self.identity.SignUp(
            identity_pb.SignUpRequest(
                email=email, password=PASSWORD, display_name=display_name, locale=locale
            )
        )


@contextlib.asynccontextmanager
async def running_platform(
    tmp_path: Path, nats_url: str, notifications: NotificationsSettings | None
) -> AsyncIterator[Platform]:
    """identity first, users and admin pointed at it, then notifications (keys and service
    tokens come from identity over gRPC, as in production), then identity pointed at users and
    admin. Without notifications settings, notifications is left to the test (its stub points
    nowhere)."""
    settings = IdentitySettings(
        database_url=f"sqlite+aiosqlite:///{tmp_path / 'identity.db'}",
        nats_url=nats_url,
        grpc_address="127.0.0.1:0",
        shutdown_grace_s=0.5,
        log_json=False,
    )
    identity = IdentityService(settings)
    async with contextlib.AsyncExitStack() as stack:
        running_identity = await stack.enter_async_context(
            start_service(settings, **identity.launch_options())
        )
        users_settings = UsersSettings(
            database_url=f"sqlite+aiosqlite:///{tmp_path / 'users.db'}",
            nats_url=nats_url,
            grpc_address="127.0.0.1:0",
            identity_address=running_identity.address,
            client_secret=DEV_SECRET,
            shutdown_grace_s=0.5,
            log_json=False,
        )
        running_users = await stack.enter_async_context(
            start_service(users_settings, build=build_users, migrations=USERS_MIGRATIONS)
        )
        admin = admin_settings(
            f"sqlite+aiosqlite:///{tmp_path / 'admin.db'}",
            nats_url,
            identity_address=running_identity.address,
            bootstrap_admin_emails=[ADMIN_EMAIL],
        )
        running_admin_service = await stack.enter_async_context(running_admin(admin))
        settings.users_address = running_users.address  # identity's clients are created lazily
        settings.admin_address = running_admin_service.address
        running = None
        if notifications is not None:
            notifications.identity_address = running_identity.address
            notifications.users_address = running_users.address
            running = await stack.enter_async_context(
                start_service(
                    notifications, build=build_notifications, migrations=NOTIFICATIONS_MIGRATIONS
                )
            )
        addresses = (running_identity.address, running_users.address)
        addresses += (running.address if running else "127.0.0.1:9",)
        channels = [
            await stack.enter_async_context(grpc.aio.insecure_channel(address))
            for address in addresses
        ]
        yield Platform(
            identity_service_pb2_grpc.IdentityServiceStub(channels[0]),
            users_service_pb2_grpc.UsersServiceStub(channels[1]),
            notifications_service_pb2_grpc.NotificationsServiceStub(channels[2]),
            identity_address=running_identity.address,
            users_address=running_users.address,
            running=running,
        )


@pytest.fixture
async def platform(
    tmp_path: Path, nats_url: str, database_url: str, smtp_sink: SmtpSink
) -> AsyncIterator[Platform]:
    """The three services; notifications on SQLite and on PostgreSQL, sending to the sink."""
    settings = notifications_settings(
        database_url, nats_url, email_transport="smtp", smtp_port=smtp_sink.port
    )
    async with running_platform(tmp_path, nats_url, settings) as platform:
        yield platform
