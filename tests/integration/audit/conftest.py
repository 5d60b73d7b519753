"""The audit service in-process on SQLite and PostgreSQL, called over real gRPC, fed by a
real nats-server of its own per test (its durable consumers start from an empty stream)."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path
from typing import Any

import grpc
import pytest
from google.rpc import error_details_pb2, status_pb2
from pydantic import SecretStr

from mesh.bundled_nats import BundledNatsServer
from mesh.service import RunningService, start_service
from meshwork.audit.v1 import audit_service_pb2_grpc
from services.audit.bootstrap import MIGRATIONS, build
from services.audit.config import AuditSettings
from tests.support.tokens import ISSUER, Callers, TestIssuer

StartAudit = Callable[[], contextlib.AbstractAsyncContextManager[RunningService]]


@pytest.fixture(scope="session")
def issuer() -> TestIssuer:
    return TestIssuer()


@pytest.fixture
def nats_of_test(tmp_path: Path) -> Iterator[BundledNatsServer]:
    server = BundledNatsServer(tmp_path / "nats")
    server.start()
    try:
        yield server
    finally:
        server.stop()


def audit_settings(database_url: str, nats_url: str, **overrides: Any) -> AuditSettings:
    return AuditSettings(
        environment="test",
        database_url=database_url,
        nats_url=nats_url,
        grpc_address="127.0.0.1:0",
        token_issuer=ISSUER,
        client_secret=SecretStr("audit-test-secret"),
        shutdown_grace_s=0.5,
        **overrides,
    )


@pytest.fixture
def start_audit(
    database_url: str, nats_of_test: BundledNatsServer, issuer: TestIssuer
) -> StartAudit:
    """Starts the audit service (again and again, on the same database and NATS)."""

    def start() -> contextlib.AbstractAsyncContextManager[RunningService]:
        settings = audit_settings(database_url, nats_of_test.url)
        return start_service(settings, build=build, migrations=MIGRATIONS, local_keys=issuer.jwks)

    return start


@pytest.fixture
async def audit_service(start_audit: StartAudit) -> AsyncIterator[RunningService]:
    async with start_audit() as running:
        yield running


@pytest.fixture
async def stub(
    audit_service: RunningService,
) -> AsyncIterator[audit_service_pb2_grpc.AuditServiceStub]:
    async with grpc.aio.insecure_channel(audit_service.address) as channel:
        yield audit_service_pb2_grpc.AuditServiceStub(channel)


@pytest.fixture
def callers(issuer: TestIssuer) -> Callers:
    return Callers(issuer, audience="audit")


def reason_of(error: grpc.aio.AioRpcError) -> str:
    raw = dict(error.trailing_metadata() or ())["grpc-status-details-bin"]
    for detail in status_pb2.Status.FromString(raw).details:
        info = error_details_pb2.ErrorInfo()
        if detail.Unpack(info):
            return info.reason
    return ""


def fields_of(error: grpc.aio.AioRpcError) -> list[str]:
    """The fields a BadRequest detail names."""
    raw = dict(error.trailing_metadata() or ())["grpc-status-details-bin"]
    for detail in status_pb2.Status.FromString(raw).details:
        bad = error_details_pb2.BadRequest()
        if detail.Unpack(bad):
            return [violation.field for violation in bad.field_violations]
    return []
