"""The mesh server: deadlines, error mapping, access policy, request ids, metrics, traces,
health."""

from __future__ import annotations

import asyncio
import io
import json
import logging
from collections.abc import AsyncIterator

import grpc
import pytest
from google.rpc import error_details_pb2, status_pb2
from grpc_health.v1 import health_pb2, health_pb2_grpc
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind, StatusCode
from prometheus_client import CollectorRegistry
from sqlalchemy.ext.asyncio import create_async_engine

from mesh.logs import JsonFormatter
from mesh.server import assemble_server
from meshwork.testing.v1 import probe_pb2, probe_pb2_grpc
from tests.support.logs import json_lines, service_logging
from tests.support.probe import probe_binding, probe_server

SERVICE = (("authorization", "Bearer service:edge"),)
ADMIN = (*SERVICE, ("x-user-authorization", "Bearer user:u1:admin"))
MEMBER = (*SERVICE, ("x-user-authorization", "Bearer user:u2:member"))


@pytest.fixture
async def served() -> AsyncIterator[tuple[probe_pb2_grpc.ProbeServiceStub, CollectorRegistry]]:
    registry = CollectorRegistry()
    server, port, _ = probe_server(registry=registry)
    await server.start()
    async with grpc.aio.insecure_channel(f"127.0.0.1:{port}") as channel:
        yield probe_pb2_grpc.ProbeServiceStub(channel), registry
    await server.stop(0)


def rich_status(error: grpc.aio.AioRpcError) -> status_pb2.Status:
    raw = dict(error.trailing_metadata() or ())["grpc-status-details-bin"]
    return status_pb2.Status.FromString(raw)


def details_of(status: status_pb2.Status, kind: type) -> list:
    found = []
    for detail in status.details:
        message = kind()
        if detail.Unpack(message):
            found.append(message)
    return found


class TestDeadlines:
    async def test_a_call_without_deadline_gets_the_method_default(self, served) -> None:
        stub, _ = served
        reply = await stub.Echo(probe_pb2.EchoRequest(message="hi"), metadata=SERVICE)
        assert 1000 < reply.deadline_ms <= 1500

    async def test_the_callers_deadline_wins_over_the_default(self, served) -> None:
        stub, _ = served
        reply = await stub.Echo(probe_pb2.EchoRequest(), metadata=SERVICE, timeout=0.4)
        assert 0 < reply.deadline_ms <= 400

    async def test_a_handler_is_cut_off_at_the_default_deadline(self, served) -> None:
        stub, _ = served
        with pytest.raises(grpc.aio.AioRpcError) as caught:
            await stub.Echo(probe_pb2.EchoRequest(delay_ms=3000), metadata=SERVICE)
        assert caught.value.code() == grpc.StatusCode.DEADLINE_EXCEEDED
        assert "did not finish before its deadline" in caught.value.details()


class TestErrors:
    async def test_domain_error_reaches_the_client_with_code_and_error_info(self, served) -> None:
        stub, _ = served
        with pytest.raises(grpc.aio.AioRpcError) as caught:
            await stub.Echo(probe_pb2.EchoRequest(fail_with="THING_NOT_FOUND"), metadata=SERVICE)
        assert caught.value.code() == grpc.StatusCode.NOT_FOUND
        assert caught.value.details() == "thing 42 not found"
        [info] = details_of(rich_status(caught.value), error_details_pb2.ErrorInfo)
        assert (info.reason, info.domain, dict(info.metadata)) == (
            "THING_NOT_FOUND",
            "testing.meshwork",
            {"id": "42"},
        )

    async def test_invalid_argument_names_each_bad_field(self, served) -> None:
        stub, _ = served
        with pytest.raises(grpc.aio.AioRpcError) as caught:
            await stub.Echo(probe_pb2.EchoRequest(fail_with="BAD_MESSAGE"), metadata=SERVICE)
        assert caught.value.code() == grpc.StatusCode.INVALID_ARGUMENT
        [bad] = details_of(rich_status(caught.value), error_details_pb2.BadRequest)
        assert [(v.field, v.description) for v in bad.field_violations] == [
            ("message", "must not be empty")
        ]

    async def test_an_unexpected_error_is_internal_without_internals(self, served) -> None:
        stub, _ = served
        with pytest.raises(grpc.aio.AioRpcError) as caught:
            await stub.Echo(
                probe_pb2.EchoRequest(fail_with="CRASH"),
                metadata=(*SERVICE, ("x-request-id", "req-crash")),
            )
        assert caught.value.code() == grpc.StatusCode.INTERNAL
        assert "secret internals" not in caught.value.details()
        assert "req-crash" in caught.value.details()

    async def test_a_dependency_that_is_down_makes_the_call_unavailable(self, served) -> None:
        stub, _ = served
        with pytest.raises(grpc.aio.AioRpcError) as caught:
            await stub.Echo(probe_pb2.EchoRequest(fail_with="DEPENDENCY_DOWN"), metadata=SERVICE)
        assert caught.value.code() == grpc.StatusCode.UNAVAILABLE
        [info] = details_of(rich_status(caught.value), error_details_pb2.ErrorInfo)
        assert info.reason == "DEPENDENCY_UNAVAILABLE"
        # the callee's own failure text names addresses inside the mesh: it is not passed on
        assert "127.0.0.1" not in caught.value.details()
        assert "ipv4" not in caught.value.details()


class TestAccessPolicy:
    async def test_a_call_without_a_service_token_is_unauthenticated(self, served) -> None:
        stub, _ = served
        with pytest.raises(grpc.aio.AioRpcError) as caught:
            await stub.Echo(probe_pb2.EchoRequest())
        assert caught.value.code() == grpc.StatusCode.UNAUTHENTICATED
        [info] = details_of(rich_status(caught.value), error_details_pb2.ErrorInfo)
        assert info.reason == "SERVICE_TOKEN_MISSING"

    async def test_a_public_method_admits_a_call_without_any_token(self, served) -> None:
        stub, _ = served
        assert (await stub.Record(probe_pb2.RecordRequest(key="k"))).count == 1

    async def test_a_service_not_listed_may_not_call_without_a_user(self, served) -> None:
        stub, _ = served
        with pytest.raises(grpc.aio.AioRpcError) as caught:
            await stub.Echo(
                probe_pb2.EchoRequest(), metadata=(("authorization", "Bearer service:x"),)
            )
        assert caught.value.code() == grpc.StatusCode.PERMISSION_DENIED
        [info] = details_of(rich_status(caught.value), error_details_pb2.ErrorInfo)
        assert info.reason == "CALLER_NOT_ALLOWED"

    async def test_a_malformed_token_is_unauthenticated(self, served) -> None:
        stub, _ = served
        with pytest.raises(grpc.aio.AioRpcError) as caught:
            await stub.Echo(probe_pb2.EchoRequest(), metadata=(("authorization", "Basic x"),))
        assert caught.value.code() == grpc.StatusCode.UNAUTHENTICATED

    async def test_role_protected_method_admits_the_role(self, served) -> None:
        stub, _ = served
        reply = await stub.AdminOnly(probe_pb2.AdminOnlyRequest(), metadata=ADMIN)
        assert reply.subject == "u1"

    async def test_role_protected_method_refuses_other_users(self, served) -> None:
        stub, _ = served
        with pytest.raises(grpc.aio.AioRpcError) as caught:
            await stub.AdminOnly(probe_pb2.AdminOnlyRequest(), metadata=MEMBER)
        assert caught.value.code() == grpc.StatusCode.PERMISSION_DENIED

    async def test_user_method_without_a_user_is_unauthenticated(self, served) -> None:
        stub, _ = served
        with pytest.raises(grpc.aio.AioRpcError) as caught:
            await stub.AdminOnly(probe_pb2.AdminOnlyRequest(), metadata=SERVICE)
        assert caught.value.code() == grpc.StatusCode.UNAUTHENTICATED

    async def test_internal_method_admits_only_listed_services(self, served) -> None:
        stub, _ = served
        jobs = (("authorization", "Bearer service:jobs"),)
        assert (await stub.Internal(probe_pb2.InternalRequest(), metadata=jobs)).service == "jobs"
        with pytest.raises(grpc.aio.AioRpcError) as caught:
            await stub.Internal(probe_pb2.InternalRequest(), metadata=SERVICE)
        assert caught.value.code() == grpc.StatusCode.PERMISSION_DENIED

    async def test_no_user_role_opens_an_internal_method(self, served) -> None:
        stub, _ = served
        with pytest.raises(grpc.aio.AioRpcError) as caught:
            await stub.Internal(probe_pb2.InternalRequest(), metadata=ADMIN)
        assert caught.value.code() == grpc.StatusCode.PERMISSION_DENIED

    async def test_a_listed_service_may_call_internal_while_serving_a_user(self, served) -> None:
        stub, _ = served
        as_user = (("authorization", "Bearer service:jobs"), MEMBER[1])
        reply = await stub.Internal(probe_pb2.InternalRequest(), metadata=as_user)
        assert reply.service == "jobs"


class TestObservability:
    async def test_request_id_is_adopted_and_echoed(self, served) -> None:
        stub, _ = served
        call = stub.Echo(probe_pb2.EchoRequest(), metadata=(*SERVICE, ("x-request-id", "req-1")))
        assert (await call).request_id == "req-1"
        assert ("x-request-id", "req-1") in tuple(await call.trailing_metadata())

    async def test_a_request_id_is_made_when_none_is_sent(self, served) -> None:
        stub, _ = served
        reply = await stub.Echo(probe_pb2.EchoRequest(), metadata=SERVICE)
        assert len(reply.request_id) == 32

    async def test_trace_context_is_continued_from_traceparent(self, served) -> None:
        stub, _ = served
        trace_id = "4bf92f3577b34da6a3ce929d0e0e4736"
        traceparent = f"00-{trace_id}-00f067aa0ba902b7-01"
        reply = await stub.Echo(
            probe_pb2.EchoRequest(), metadata=(*SERVICE, ("traceparent", traceparent))
        )
        assert reply.trace_id == trace_id

    async def test_calls_are_counted_by_status_code(self, served) -> None:
        stub, registry = served
        await stub.Echo(probe_pb2.EchoRequest(), metadata=SERVICE)
        with pytest.raises(grpc.aio.AioRpcError):
            await stub.Echo(probe_pb2.EchoRequest(fail_with="THING_NOT_FOUND"), metadata=SERVICE)
        labels = {"service": "testing", "grpc_service": "meshwork.testing.v1.ProbeService"}
        handled = "grpc_server_handled_total"
        ok = registry.get_sample_value(
            handled, {**labels, "grpc_method": "Echo", "grpc_code": "OK"}
        )
        missing = registry.get_sample_value(
            handled, {**labels, "grpc_method": "Echo", "grpc_code": "NOT_FOUND"}
        )
        assert (ok, missing) == (1.0, 1.0)

    async def test_access_log_is_json_with_request_and_trace_ids(self, served, caplog) -> None:
        stub, _ = served
        traceparent = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"
        metadata = (*SERVICE, ("x-request-id", "req-log"), ("traceparent", traceparent))
        with caplog.at_level(logging.INFO, logger="meshwork.access"):
            await stub.Echo(probe_pb2.EchoRequest(), metadata=metadata)
        [record] = [r for r in caplog.records if getattr(r, "rpc", "").endswith("/Echo")]
        # The formatter runs in the call's context in production; here we check its fields.
        entry = json.loads(JsonFormatter("testing").format(record))
        assert entry["code"] == "OK"
        assert entry["rpc"] == "/meshwork.testing.v1.ProbeService/Echo"
        assert record.duration_ms >= 0

    async def test_a_service_writes_each_call_as_one_json_line_with_its_context(
        self, served
    ) -> None:
        stub, _ = served
        trace_id = "4bf92f3577b34da6a3ce929d0e0e4736"
        traceparent = f"00-{trace_id}-00f067aa0ba902b7-01"
        metadata = (*MEMBER, ("x-request-id", "req-line"), ("traceparent", traceparent))
        stream = io.StringIO()
        with service_logging(stream):
            await stub.Echo(probe_pb2.EchoRequest(), metadata=metadata)
        [entry] = json_lines(stream.getvalue(), "meshwork.access")
        expected = {
            "level": "info",
            "rpc": "/meshwork.testing.v1.ProbeService/Echo",
            "code": "OK",
            "request_id": "req-line",
            "trace_id": trace_id,
            "caller": "edge",
            "user": "u2",
        }
        assert expected.items() <= entry.items()
        assert entry["duration_ms"] >= 0 and entry["peer"].startswith("ipv4:127.0.0.1:")


@pytest.fixture
async def traced() -> AsyncIterator[tuple[grpc.aio.Channel, InMemorySpanExporter]]:
    """A server whose spans are all recorded, in memory."""
    spans = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(spans))
    server, port, _ = probe_server(tracer_provider=provider)
    await server.start()
    async with grpc.aio.insecure_channel(f"127.0.0.1:{port}") as channel:
        yield channel, spans
    await server.stop(0)
    provider.shutdown()


class TestTraces:
    async def test_a_call_is_one_server_span_continuing_the_callers_trace(self, traced) -> None:
        channel, spans = traced
        stub = probe_pb2_grpc.ProbeServiceStub(channel)
        traceparent = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"
        await stub.Echo(probe_pb2.EchoRequest(), metadata=(*SERVICE, ("traceparent", traceparent)))
        [span] = spans.get_finished_spans()
        assert span.name == "/meshwork.testing.v1.ProbeService/Echo"
        assert span.kind is SpanKind.SERVER
        assert format(span.context.trace_id, "032x") == "4bf92f3577b34da6a3ce929d0e0e4736"
        assert span.parent is not None and format(span.parent.span_id, "016x") == (
            "00f067aa0ba902b7"
        )
        attributes = dict(span.attributes or {})
        assert attributes["rpc.system"] == "grpc"
        assert attributes["rpc.service"] == "meshwork.testing.v1.ProbeService"
        assert attributes["rpc.method"] == "Echo"
        assert attributes["rpc.grpc.status_code"] == 0
        assert attributes["net.peer.ip"] == "127.0.0.1"
        assert str(attributes["rpc.user_agent"]).startswith("grpc-python")
        assert span.status.status_code is StatusCode.UNSET

    async def test_a_call_without_a_parent_starts_a_trace(self, traced) -> None:
        channel, spans = traced
        stub = probe_pb2_grpc.ProbeServiceStub(channel)
        reply = await stub.Echo(probe_pb2.EchoRequest(), metadata=SERVICE)
        [span] = spans.get_finished_spans()
        assert span.parent is None
        assert reply.trace_id == format(span.context.trace_id, "032x")

    async def test_server_failures_mark_the_span_and_caller_mistakes_do_not(self, traced) -> None:
        channel, spans = traced
        stub = probe_pb2_grpc.ProbeServiceStub(channel)
        for reason in ("CRASH", "THING_NOT_FOUND"):
            with pytest.raises(grpc.aio.AioRpcError):
                await stub.Echo(probe_pb2.EchoRequest(fail_with=reason), metadata=SERVICE)
        crashed, missing = spans.get_finished_spans()
        assert _status_code(crashed) == grpc.StatusCode.INTERNAL.value[0]
        assert crashed.status.status_code is StatusCode.ERROR
        assert [event.name for event in crashed.events] == ["exception"]
        assert _status_code(missing) == grpc.StatusCode.NOT_FOUND.value[0]
        assert missing.status.status_code is StatusCode.UNSET

    async def test_a_refused_caller_is_traced_with_its_status(self, traced) -> None:
        channel, spans = traced
        stub = probe_pb2_grpc.ProbeServiceStub(channel)
        with pytest.raises(grpc.aio.AioRpcError):
            await stub.Echo(probe_pb2.EchoRequest())  # no service token
        [span] = spans.get_finished_spans()
        assert _status_code(span) == grpc.StatusCode.UNAUTHENTICATED.value[0]

    async def test_health_checks_are_not_traced(self, traced) -> None:
        channel, spans = traced
        reply = await health_pb2_grpc.HealthStub(channel).Check(health_pb2.HealthCheckRequest())
        assert reply.status == health_pb2.HealthCheckResponse.SERVING
        assert spans.get_finished_spans() == ()


def _status_code(span: ReadableSpan) -> object:
    return (span.attributes or {})["rpc.grpc.status_code"]


class TestHealth:
    async def test_health_is_serving_while_probes_pass(self) -> None:
        server, port, _ = probe_server(probes={"database": _ok})
        await server.start()
        try:
            assert await _health(port) == health_pb2.HealthCheckResponse.SERVING
            assert await _health(port, "meshwork.testing.v1.ProbeService") == (
                health_pb2.HealthCheckResponse.SERVING
            )
        finally:
            await server.stop(0)

    async def test_health_is_not_serving_while_the_database_is_unreachable(self) -> None:
        engine = create_async_engine("postgresql+asyncpg://nobody@127.0.0.1:1/none")

        async def database() -> None:
            async with engine.connect():
                pass

        server, port, _ = probe_server(probes={"database": database})
        await server.start()
        try:
            assert await _health(port) == health_pb2.HealthCheckResponse.NOT_SERVING
            assert "database" in server.health.failing
        finally:
            await server.stop(0)
            await engine.dispose()

    async def test_health_recovers_when_the_dependency_returns(self) -> None:
        up = asyncio.Event()

        async def nats() -> None:
            if not up.is_set():
                raise ConnectionError("nats down")

        server, port, _ = probe_server(probes={"nats": nats})
        await server.start()
        try:
            assert await _health(port) == health_pb2.HealthCheckResponse.NOT_SERVING
            up.set()
            assert await server.health.check()
            assert await _health(port) == health_pb2.HealthCheckResponse.SERVING
        finally:
            await server.stop(0)

    async def test_health_goes_not_serving_on_shutdown_before_calls_stop(self) -> None:
        server, port, _ = probe_server()
        await server.start()
        async with grpc.aio.insecure_channel(f"127.0.0.1:{port}") as channel:
            watch = health_pb2_grpc.HealthStub(channel).Watch(health_pb2.HealthCheckRequest())
            first = await watch.read()
            assert first.status == health_pb2.HealthCheckResponse.SERVING
            slow_call = probe_pb2_grpc.ProbeServiceStub(channel).Echo(
                probe_pb2.EchoRequest(message="late", delay_ms=300), metadata=SERVICE
            )
            in_flight = asyncio.ensure_future(slow_call)
            await asyncio.sleep(0.05)  # let the call reach the handler before shutdown starts
            stopping = asyncio.create_task(server.stop(grace_s=5))
            second = await watch.read()
            assert second.status == health_pb2.HealthCheckResponse.NOT_SERVING
            watch.cancel()  # a balancer stops watching a backend that reports NOT_SERVING
            assert (await in_flight).message == "late"  # finished within the grace period
            await stopping


async def _ok() -> None:
    return None


async def _health(port: int, service: str = "") -> int:
    async with grpc.aio.insecure_channel(f"127.0.0.1:{port}") as channel:
        reply = await health_pb2_grpc.HealthStub(channel).Check(
            health_pb2.HealthCheckRequest(service=service), timeout=2
        )
    return reply.status


async def test_a_server_assembled_without_the_chain_serves_health_and_admits_anyone() -> None:
    """`assemble_server` builds create_server's server around other interceptors (the chain
    benchmark's baseline): with none, an admin-only method answers a caller with no token."""
    server, port = assemble_server([probe_binding()], interceptors=())
    await server.start()
    try:
        async with grpc.aio.insecure_channel(f"127.0.0.1:{port}") as channel:
            answer = await probe_pb2_grpc.ProbeServiceStub(channel).AdminOnly(
                probe_pb2.AdminOnlyRequest(), timeout=5
            )
            health = await health_pb2_grpc.HealthStub(channel).Check(
                health_pb2.HealthCheckRequest(service="meshwork.testing.v1.ProbeService"),
                timeout=5,
            )
    finally:
        await server.stop(0)
    assert answer.subject == ""  # no principal: nothing authenticated the caller
    assert health.status == health_pb2.HealthCheckResponse.SERVING
