"""The users service running in-process on SQLite and PostgreSQL, called over real gRPC."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from datetime import date

import grpc
import nats
import pytest
from google.protobuf.message import Message
from google.rpc import error_details_pb2, status_pb2
from nats.aio.msg import Msg
from pydantic import SecretStr

from mesh.events.envelope import TYPE_HEADER
from mesh.service import RunningService, start_service
from meshwork.users.v1 import events_pb2, resources_pb2, users_service_pb2, users_service_pb2_grpc
from services.users.bootstrap import MIGRATIONS, build
from services.users.config import UsersSettings
from tests.support.tokens import ISSUER, Callers, TestIssuer

Metadata = Sequence[tuple[str, str]]


@pytest.fixture(scope="session")
def issuer() -> TestIssuer:
    return TestIssuer()


@pytest.fixture
async def users_service(
    database_url: str, nats_server, issuer: TestIssuer
) -> AsyncIterator[RunningService]:
    settings = UsersSettings(
        environment="test",
        database_url=database_url,
        nats_url=nats_server.url,
        grpc_address="127.0.0.1:0",
        token_issuer=ISSUER,
        client_secret=SecretStr("users-test-secret"),
        shutdown_grace_s=0.5,
    )
    async with start_service(
        settings, build=build, migrations=MIGRATIONS, local_keys=issuer.jwks
    ) as running:
        yield running


@pytest.fixture
async def stub(
    users_service: RunningService,
) -> AsyncIterator[users_service_pb2_grpc.UsersServiceStub]:
    async with grpc.aio.insecure_channel(users_service.address) as channel:
        yield users_service_pb2_grpc.UsersServiceStub(channel)


@pytest.fixture
def callers(issuer: TestIssuer) -> Callers:
    return Callers(issuer, audience="users")


class PublishedEvents:
    """The users service's events as they reach NATS (a plain subscription on events.users.>)."""

    def __init__(self) -> None:
        self.received: list[Message] = []
        self._arrived = asyncio.Condition()

    async def on_message(self, msg: Msg) -> None:
        name = (msg.headers or {})[TYPE_HEADER].rsplit(".", 1)[-1]
        async with self._arrived:
            self.received.append(getattr(events_pb2, name).FromString(msg.data))
            self._arrived.notify_all()

    async def wait_for(
        self, kind: type[Message], match: Callable[[Message], bool], *, timeout_s: float = 5.0
    ) -> Message:
        """The first received `kind` event that `match`es, waiting for it if need be."""

        def found() -> Message | None:
            return next((m for m in self.received if isinstance(m, kind) and match(m)), None)

        async with asyncio.timeout(timeout_s), self._arrived:
            await self._arrived.wait_for(lambda: found() is not None)
        event = found()
        assert event is not None
        return event

    def of(self, kind: type[Message], match: Callable[[Message], bool]) -> list[Message]:
        return [m for m in self.received if isinstance(m, kind) and match(m)]


@pytest.fixture
async def published(nats_server) -> AsyncIterator[PublishedEvents]:
    events = PublishedEvents()
    connection = await nats.connect(nats_server.url)
    await connection.subscribe("events.users.>", cb=events.on_message)
    await connection.flush()
    yield events
    await connection.close()


def rich_status(error: grpc.aio.AioRpcError) -> status_pb2.Status:
    raw = dict(error.trailing_metadata() or ())["grpc-status-details-bin"]
    return status_pb2.Status.FromString(raw)


def reason_of(error: grpc.aio.AioRpcError) -> str:
    for detail in rich_status(error).details:
        info = error_details_pb2.ErrorInfo()
        if detail.Unpack(info):
            return info.reason
    return ""


def violations_of(error: grpc.aio.AioRpcError) -> list[tuple[str, str]]:
    found = []
    for detail in rich_status(error).details:
        bad = error_details_pb2.BadRequest()
        if detail.Unpack(bad):
            found += [(v.field, v.description) for v in bad.field_violations]
    return found


SignUp = Callable[..., Awaitable[resources_pb2.User]]


@pytest.fixture
def sign_up(stub: users_service_pb2_grpc.UsersServiceStub, callers: Callers) -> SignUp:
    """Creates a profile as identity does at sign-up: `await sign_up(display_name="Ada")`."""

    async def create(**fields: object) -> resources_pb2.User:
        user_id = str(fields.pop("id", "") or f"u-{uuid.uuid4().hex[:12]}")
        email = str(fields.pop("email", f"{user_id}@example.com"))
        request = users_service_pb2.CreateUserRequest(
            user_id=user_id, user=resources_pb2.User(email=email, **fields)
        )
        reply = await stub.CreateUser(request, metadata=callers.service("identity"))
        return reply.user

    return create


def kyc_details(**overrides: object) -> resources_pb2.KycDetails:
    """Identity details a reviewer would accept; override what a test needs."""
    details = resources_pb2.KycDetails(
        legal_given_name="Ada",
        legal_family_name="Lovelace",
        birth_date=resources_pb2.Date(year=1990, month=12, day=10),
        nationality="GB",
        residential_address=resources_pb2.Address(
            address_lines=["10 Downing Street"], locality="London", region_code="GB"
        ),
        document_type=resources_pb2.KYC_DOCUMENT_TYPE_PASSPORT,
        document_number="123456789",
        document_issuing_country="GB",
        document_expire_date=resources_pb2.Date(year=date.today().year + 2, month=1, day=31),
    )
    for name, value in overrides.items():
        if isinstance(value, Message):
            getattr(details, name).CopyFrom(value)
        else:
            setattr(details, name, value)
    return details
