"""Identity with the real users service: profiles follow sign-ups and email verification."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import grpc
import pytest

from mesh.service import start_service
from meshwork.identity.v1 import events_pb2, identity_service_pb2_grpc
from meshwork.identity.v1 import identity_service_pb2 as pb
from meshwork.users.v1 import resources_pb2 as users_resources
from meshwork.users.v1 import users_service_pb2, users_service_pb2_grpc
from services.identity.bootstrap import IdentityService
from services.identity.config import IdentitySettings
from services.users.bootstrap import MIGRATIONS as USERS_MIGRATIONS
from services.users.bootstrap import build as build_users
from services.users.config import UsersSettings
from tests.integration.identity.conftest import DEV_SECRET, PASSWORD
from tests.support.admin import admin_settings, running_admin
from tests.support.waiting import eventually


@dataclass
class Platform:
    identity: identity_service_pb2_grpc.IdentityServiceStub
    users: users_service_pb2_grpc.UsersServiceStub

    async def token(self, client: str, audience: str) -> tuple[tuple[str, str], ...]:
        reply = await self.identity.IssueServiceToken(
            pb.IssueServiceTokenRequest(
                client_id=client, client_secret=DEV_SECRET, audience=audience
            )
        )
        return (("authorization", f"Bearer {reply.access_token}"),)

    async def profile(self, user_id: str) -> users_resources.User:
        reply = await self.users.GetUser(
            users_service_pb2.GetUserRequest(user_id=user_id),
            metadata=await self.token("notifications", "users"),
        )
        return reply.user


@pytest.fixture
async def platform(
    settings: IdentitySettings, nats_server: object, tmp_path: Path
) -> AsyncIterator[Platform]:
    """Identity first, then users and admin pointed at it (keys and their own service tokens
    come from identity over gRPC, as in production), then identity pointed at them."""
    identity = IdentityService(settings)
    async with (
        start_service(settings, **identity.launch_options()) as running_identity,
        grpc.aio.insecure_channel(running_identity.address) as identity_channel,
    ):
        identity_stub = identity_service_pb2_grpc.IdentityServiceStub(identity_channel)
        users_settings = UsersSettings(
            database_url=f"sqlite+aiosqlite:///{tmp_path / 'users.db'}",
            nats_url=settings.nats_url,
            grpc_address="127.0.0.1:0",
            identity_address=running_identity.address,
            client_secret=DEV_SECRET,
            shutdown_grace_s=0.5,
        )
        admin = admin_settings(
            f"sqlite+aiosqlite:///{tmp_path / 'admin.db'}",
            settings.nats_url,
            identity_address=running_identity.address,
        )
        async with (
            start_service(
                users_settings,
                build=build_users,
                migrations=USERS_MIGRATIONS,
            ) as running_users,
            running_admin(admin) as running_admin_service,
            grpc.aio.insecure_channel(running_users.address) as users_channel,
        ):
            settings.users_address = running_users.address  # identity's client is created lazily
            settings.admin_address = running_admin_service.address
            yield Platform(identity_stub, users_service_pb2_grpc.UsersServiceStub(users_channel))


async def test_sign_up_creates_the_profile_and_verification_reaches_it(
    platform: Platform, settings: IdentitySettings
) -> None:
    reply = await platform.identity.SignUp(
        pb.SignUpRequest(email="lin@example.com", password=PASSWORD, display_name="Lin")
    )
    profile = await platform.profile(reply.user_id)
    assert (profile.email, profile.display_name, profile.email_verified) == (
        "lin@example.com",
        "Lin",
        False,
    )
    token = await _verification_token(settings, reply.user_id)
    await platform.identity.ConfirmEmailVerification(
        pb.ConfirmEmailVerificationRequest(token=token)
    )

    async def verified() -> bool:
        return (await platform.profile(reply.user_id)).email_verified

    await eventually(verified)


async def test_sign_up_adopts_a_profile_left_without_a_credential(platform: Platform) -> None:
    orphan = await platform.users.CreateUser(
        users_service_pb2.CreateUserRequest(
            user_id="orphan-profile-id", user=users_resources.User(email="orphan@example.com")
        ),
        metadata=await platform.token("identity", "users"),
    )
    reply = await platform.identity.SignUp(
        pb.SignUpRequest(email="orphan@example.com", password=PASSWORD)
    )
    assert reply.user_id == orphan.user.id
    await platform.identity.Login(pb.LoginRequest(email="orphan@example.com", password=PASSWORD))


async def _verification_token(settings: IdentitySettings, user_id: str) -> str:
    """The token notifications would email: read from identity's outbox."""
    import sqlalchemy as sa

    from mesh.db import create_engine, outbox_table

    engine = create_engine(settings.database_url)
    try:
        async with engine.connect() as connection:
            rows = await connection.execute(
                sa.select(outbox_table.c.payload, outbox_table.c.subject)
            )
            for payload, subject in rows:
                if subject.endswith("EmailVerificationRequested"):
                    event = events_pb2.EmailVerificationRequested.FromString(payload)
                    if event.user_id == user_id:
                        return str(event.token)
    finally:
        await engine.dispose()
    raise AssertionError("no EmailVerificationRequested for the user")
