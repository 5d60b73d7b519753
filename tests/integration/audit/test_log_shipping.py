"""Logs shipped from a real users service to a real audit service over gRPC: a failing
request's lines found by its trace id; with audit stopped, users serves on at full speed."""

from __future__ import annotations

import contextlib
import logging
import time
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import grpc
import sqlalchemy as sa
from pydantic import SecretStr

from edge.runtime import AUDIT
from mesh.service import RunningService, start_service
from meshwork.audit.v1 import audit_service_pb2 as audit_pb
from meshwork.audit.v1 import audit_service_pb2_grpc, resources_pb2
from meshwork.users.v1 import resources_pb2 as resources_pb2_users
from meshwork.users.v1 import users_service_pb2 as users_pb
from meshwork.users.v1 import users_service_pb2_grpc
from services.users.bootstrap import MIGRATIONS, build
from services.users.config import UsersSettings
from tests.integration.edge.fakes import bearer, edge_app, edge_settings, serving
from tests.support.tokens import ISSUER, Callers, TestIssuer
from tests.support.waiting import eventually

#: Failing calls per measurement (each logs an ERROR line that is shipped).
CALLS = 200


def token_issuer(issuer: TestIssuer, service: str):
    """Service tokens as identity issues them, signed by the test issuer."""

    async def issue(audience: str) -> tuple[str, float]:
        token = issuer.sign(sub=service, aud=audience, typ="service", roles=None)
        return token, time.time() + 300

    return issue


@contextlib.asynccontextmanager
async def users_shipping_to(
    audit_address: str, nats_url: str, issuer: TestIssuer, tmp_path: Path
) -> AsyncIterator[RunningService]:
    settings = UsersSettings(
        environment="test",
        database_url=f"sqlite+aiosqlite:///{tmp_path / 'users.db'}",
        nats_url=nats_url,
        grpc_address="127.0.0.1:0",
        token_issuer=ISSUER,
        client_secret=SecretStr("users-test-secret"),
        shutdown_grace_s=0.5,
        audit_address=audit_address,
    )
    async with start_service(
        settings,
        build=build,
        migrations=MIGRATIONS,
        local_keys=issuer.jwks,
        local_tokens=token_issuer(issuer, "users"),
    ) as running:
        yield running


def traceparent(trace_id: str) -> tuple[str, str]:
    return ("traceparent", f"00-{trace_id}-{uuid.uuid4().hex[:16]}-01")


async def break_profiles(users: RunningService, *, broken: bool) -> None:
    """Hides the profiles table (every GetUser then fails: INTERNAL, an ERROR line), or
    brings it back."""
    names = ("users", "users_hidden") if broken else ("users_hidden", "users")
    async with users.runtime.engine.begin() as connection:
        await connection.execute(sa.text(f"ALTER TABLE {names[0]} RENAME TO {names[1]}"))


async def failing_calls_per_second(stub, metadata) -> float:
    started = time.perf_counter()
    for _ in range(CALLS):
        try:
            await stub.GetUser(users_pb.GetUserRequest(user_id="u-1"), metadata=metadata)
        except grpc.aio.AioRpcError as error:
            assert error.code() == grpc.StatusCode.INTERNAL
    return CALLS / (time.perf_counter() - started)


async def test_a_failing_requests_lines_are_found_by_its_trace_id_and_users_serves_without_audit(
    start_audit, nats_of_test, issuer, tmp_path
) -> None:
    admin = Callers(issuer, audience="audit").admin()
    caller = Callers(issuer, audience="users").admin()
    trace_id = uuid.uuid4().hex

    async with (
        start_audit() as audit,
        users_shipping_to(audit.address, nats_of_test.url, issuer, tmp_path) as users,
    ):
        async with (
            grpc.aio.insecure_channel(users.address) as users_channel,
            grpc.aio.insecure_channel(audit.address) as audit_channel,
        ):
            users_stub = users_service_pb2_grpc.UsersServiceStub(users_channel)
            audit_stub = audit_service_pb2_grpc.AuditServiceStub(audit_channel)
            await users_stub.CreateUser(
                users_pb.CreateUserRequest(
                    user_id="u-1", user=resources_pb2_users.User(email="ada@example.com")
                ),
                metadata=Callers(issuer, audience="users").service("identity"),
            )
            await break_profiles(users, broken=True)
            try:
                await users_stub.GetUser(
                    users_pb.GetUserRequest(user_id="u-1"),
                    metadata=(*caller, traceparent(trace_id)),
                )
            except grpc.aio.AioRpcError as error:
                assert error.code() == grpc.StatusCode.INTERNAL

            async def lines_of_the_request() -> list[resources_pb2.LogEntry]:
                request = audit_pb.ListLogEntriesRequest(trace_id=trace_id)
                return list((await audit_stub.ListLogEntries(request, metadata=admin)).entries)

            await eventually(lambda: _found(lines_of_the_request()))
            lines = await lines_of_the_request()
            with_audit = await failing_calls_per_second(users_stub, caller)

        await audit.server.stop(0)  # audit goes down; users keeps shipping into nothing
        async with grpc.aio.insecure_channel(users.address) as users_channel:
            users_stub = users_service_pb2_grpc.UsersServiceStub(users_channel)
            without_audit = await failing_calls_per_second(users_stub, caller)
            await break_profiles(users, broken=False)
            served = await users_stub.GetUser(
                users_pb.GetUserRequest(user_id="u-1"), metadata=caller
            )

    assert served.user.email == "ada@example.com"
    assert {line.logger for line in lines} == {"meshwork.access", "meshwork.errors"}
    assert {line.service for line in lines} == {"users"}
    assert {line.severity for line in lines} == {resources_pb2.LOG_SEVERITY_ERROR}
    assert len({line.request_id for line in lines}) == 1 and lines[0].request_id
    access = next(line for line in lines if line.logger == "meshwork.access")
    assert access.message == "/meshwork.users.v1.UsersService/GetUser INTERNAL"
    print(
        f"\nfailing GetUser calls/s with audit reachable: {with_audit:.0f}, "
        f"with audit stopped: {without_audit:.0f} ({without_audit / with_audit:.2f}x)"
    )
    assert without_audit > with_audit * 0.3  # a generous sanity bound, not a benchmark


async def _found(lines) -> bool:
    return bool(await lines)


async def test_the_edge_ships_its_warnings_and_they_are_searched_through_it(
    audit_service, issuer
) -> None:
    settings = edge_settings(audit_address=audit_service.address)
    app = edge_app(
        issuer, upstreams={"audit": audit_service.address}, settings=settings, services=[AUDIT]
    )
    token = issuer.sign(sub="admin-1", roles=["admin"])
    marker = uuid.uuid4().hex

    async with serving(app) as http:
        logging.getLogger("edge.ratelimit").warning("rate limit storage failed (%s)", marker)

        async def searched() -> list[dict]:
            reply = await http.get(
                "/v1/logEntries", params={"query": marker}, headers=bearer(token)
            )
            assert reply.status_code == 200, reply.text
            return reply.json().get("entries", [])

        await eventually(lambda: _found(searched()))
        [entry] = await searched()

    assert (entry["service"], entry["severity"], entry["logger"]) == (
        "edge",
        "LOG_SEVERITY_WARNING",
        "edge.ratelimit",
    )
