"""The edge in-process in front of fake upstreams (real gRPC servers on port 0)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass

import httpx
import pytest

from meshwork.payments.v1 import payments_service_pb2, payments_service_pb2_grpc
from meshwork.testing.v1 import transcoding_pb2, transcoding_pb2_grpc
from tests.integration.edge.fakes import (
    FakePayments,
    FakeTranscoding,
    Recorder,
    edge_app,
    fake_server,
    serving,
)
from tests.support.tokens import TestIssuer


@dataclass
class Edge:
    """An edge in front of the fake TranscodingService and payments."""

    http: httpx.AsyncClient
    issuer: TestIssuer
    upstream: Recorder  # TranscodingService calls
    payments: Recorder

    def token(self, subject: str = "user-1", roles: tuple[str, ...] = ("member",)) -> str:
        return self.issuer.sign(sub=subject, roles=list(roles))


@pytest.fixture
def issuer() -> TestIssuer:
    return TestIssuer()


@pytest.fixture
async def fake_upstreams(issuer: TestIssuer) -> AsyncIterator[tuple[Recorder, Recorder, dict]]:
    upstream, payments = Recorder(), Recorder()
    async with (
        fake_server(
            FakeTranscoding(upstream),
            transcoding_pb2,
            transcoding_pb2_grpc,
            service="testing",
            issuer=issuer,
        ) as (_, testing_address),
        fake_server(
            FakePayments(payments),
            payments_service_pb2,
            payments_service_pb2_grpc,
            service="payments",
            issuer=issuer,
        ) as (_, payments_address),
    ):
        yield upstream, payments, {"testing": testing_address, "payments": payments_address}


@pytest.fixture
async def edge(
    issuer: TestIssuer, fake_upstreams: tuple[Recorder, Recorder, dict]
) -> AsyncIterator[Edge]:
    upstream, payments, addresses = fake_upstreams
    async with serving(edge_app(issuer, upstreams=addresses)) as http:
        yield Edge(http, issuer, upstream, payments)
