"""Client channels against real grpc.aio servers: deadlines, retries, balancing, breaker, spans."""

from __future__ import annotations

import asyncio
import collections
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import grpc
import pytest
from grpc_health.v1 import health as health_servicer
from grpc_health.v1 import health_pb2, health_pb2_grpc
from grpc_reflection.v1alpha import reflection, reflection_pb2, reflection_pb2_grpc
from opentelemetry import trace
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import NonRecordingSpan, SpanContext, SpanKind, StatusCode

from mesh.breaker import BreakerState, CircuitBreaker
from mesh.client import (
    ClientOptions,
    RetryPolicy,
    callee_audience,
    channel_target,
    connect,
    create_channel,
)
from mesh.context import Principal, User, deadline_var, principal_var, request_id_var
from mesh.tracing import tracer_provider
from meshwork.testing.v1 import probe_pb2, probe_pb2_grpc
from tests.support.probe import probe_server
from tests.support.waiting import eventually

UNAVAILABLE = grpc.StatusCode.UNAVAILABLE
AS_SERVICE = (("authorization", "Bearer service:edge"),)  # as tests.support.probe admits it
FAST_RETRIES = RetryPolicy(initial_backoff_s=0.01, max_backoff_s=0.05)
# reconnect quickly to a restarted server instead of after gRPC's 1 s initial backoff
FAST_RECONNECT = {"grpc.initial_reconnect_backoff_ms": 50, "grpc.max_reconnect_backoff_ms": 100}


class ProbeServicer(probe_pb2_grpc.ProbeServiceServicer):
    """Records what each call carried and fails calls on demand."""

    def __init__(self) -> None:
        self.attempts: collections.Counter[str] = collections.Counter()
        self.deadlines: list[float | None] = []
        self.metadata: list[dict[str, str]] = []
        self.failures: collections.deque[grpc.StatusCode] = collections.deque()

    def fail_next(self, count: int, code: grpc.StatusCode = UNAVAILABLE) -> None:
        self.failures.extend([code] * count)

    async def Echo(self, request: Any, context: Any) -> probe_pb2.EchoResponse:
        await self._observe("Echo", context)
        await asyncio.sleep(request.delay_ms / 1000)  # the slow callee under test, not a wait
        return probe_pb2.EchoResponse(message=request.message)

    async def Record(self, request: Any, context: Any) -> probe_pb2.RecordResponse:
        await self._observe("Record", context)
        return probe_pb2.RecordResponse(count=self.attempts["Record"])

    async def _observe(self, method: str, context: grpc.aio.ServicerContext) -> None:
        self.attempts[method] += 1
        self.deadlines.append(context.time_remaining())
        self.metadata.append({key: value for key, value in context.invocation_metadata()})
        if self.failures:
            await context.abort(self.failures.popleft(), f"{method} failed on purpose")


@dataclass
class ProbeServer:
    port: int
    servicer: ProbeServicer
    server: grpc.aio.Server = field(repr=False)

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self.port}"


StartServer = Callable[..., Awaitable[ProbeServer]]


@pytest.fixture
async def start_server() -> AsyncIterator[StartServer]:
    """Starts ProbeService servers on 127.0.0.1 (a free port unless told) and stops them after."""
    started: list[grpc.aio.Server] = []

    async def start(servicer: ProbeServicer | None = None, *, port: int = 0) -> ProbeServer:
        servicer = servicer or ProbeServicer()
        server = grpc.aio.server()
        probe_pb2_grpc.add_ProbeServiceServicer_to_server(servicer, server)
        bound = server.add_insecure_port(f"127.0.0.1:{port}")
        await server.start()
        started.append(server)
        return ProbeServer(port=bound, servicer=servicer, server=server)

    yield start
    for server in started:
        await server.stop(None)


@pytest.fixture
async def probe(start_server: StartServer) -> ProbeServer:
    return await start_server()


def options(**overrides: Any) -> ClientOptions:
    return ClientOptions(**{"retry": FAST_RETRIES, **overrides})


class CallCounter(grpc.aio.UnaryUnaryClientInterceptor):
    """Counts the calls that get past the breaker, i.e. that go to the network."""

    def __init__(self) -> None:
        self.calls = 0

    async def intercept_unary_unary(self, continuation: Any, details: Any, request: Any) -> Any:
        self.calls += 1
        return await continuation(details, request)


# deadlines


async def test_a_call_without_a_deadline_gets_its_methods_default(probe: ProbeServer) -> None:
    async with connect(probe_pb2_grpc.ProbeServiceStub, probe.address, options=options()) as client:
        await client.stub.Echo(probe_pb2.EchoRequest(message="hi"))
        await client.stub.Record(probe_pb2.RecordRequest(key="k"))
    echo_deadline, record_deadline = probe.servicer.deadlines
    assert echo_deadline == pytest.approx(1.5, abs=0.3)
    assert record_deadline == pytest.approx(5.0, abs=0.3)


async def test_a_callers_shorter_deadline_wins(probe: ProbeServer) -> None:
    async with connect(probe_pb2_grpc.ProbeServiceStub, probe.address, options=options()) as client:
        await client.stub.Echo(probe_pb2.EchoRequest(message="hi"), timeout=0.5)
    [deadline] = probe.servicer.deadlines
    assert deadline == pytest.approx(0.5, abs=0.2)


async def test_an_outgoing_call_inherits_what_is_left_of_the_served_calls_deadline(
    probe: ProbeServer,
) -> None:
    token = deadline_var.set(time.monotonic() + 0.6)
    try:
        async with connect(
            probe_pb2_grpc.ProbeServiceStub, probe.address, options=options()
        ) as client:
            await client.stub.Record(probe_pb2.RecordRequest(key="k"))
    finally:
        deadline_var.reset(token)
    [deadline] = probe.servicer.deadlines
    assert deadline == pytest.approx(0.6, abs=0.2)


# retries


async def test_an_idempotent_call_is_retried_on_unavailable(probe: ProbeServer) -> None:
    probe.servicer.fail_next(2, UNAVAILABLE)
    async with connect(probe_pb2_grpc.ProbeServiceStub, probe.address, options=options()) as client:
        reply = await client.stub.Echo(probe_pb2.EchoRequest(message="again"))
    assert reply.message == "again"
    assert probe.servicer.attempts["Echo"] == 3


async def test_a_non_idempotent_call_is_never_retried(probe: ProbeServer) -> None:
    probe.servicer.fail_next(2, UNAVAILABLE)
    async with connect(probe_pb2_grpc.ProbeServiceStub, probe.address, options=options()) as client:
        with pytest.raises(grpc.aio.AioRpcError) as raised:
            await client.stub.Record(probe_pb2.RecordRequest(key="once"))
    assert raised.value.code() is UNAVAILABLE
    assert probe.servicer.attempts["Record"] == 1


async def test_an_idempotent_call_is_not_retried_on_other_errors(probe: ProbeServer) -> None:
    probe.servicer.fail_next(2, grpc.StatusCode.INTERNAL)
    async with connect(probe_pb2_grpc.ProbeServiceStub, probe.address, options=options()) as client:
        with pytest.raises(grpc.aio.AioRpcError) as raised:
            await client.stub.Echo(probe_pb2.EchoRequest(message="x"))
    assert raised.value.code() is grpc.StatusCode.INTERNAL
    assert probe.servicer.attempts["Echo"] == 1


# load balancing


async def test_calls_are_spread_round_robin_over_every_address(start_server: StartServer) -> None:
    first, second = await start_server(), await start_server()
    target = [first.address, second.address]
    async with connect(probe_pb2_grpc.ProbeServiceStub, target, options=options()) as client:
        # both connections come up asynchronously: call until both served, within a bound
        for _ in range(100):
            await client.stub.Echo(probe_pb2.EchoRequest(message="rr"))
            if first.servicer.attempts["Echo"] and second.servicer.attempts["Echo"]:
                break
        calls_before = first.servicer.attempts["Echo"], second.servicer.attempts["Echo"]
        for _ in range(10):
            await client.stub.Echo(probe_pb2.EchoRequest(message="rr"))
    assert all(calls_before)
    assert first.servicer.attempts["Echo"] - calls_before[0] == 5
    assert second.servicer.attempts["Echo"] - calls_before[1] == 5


@pytest.mark.parametrize(
    ("addresses", "target"),
    [
        (["127.0.0.1:5001", "127.0.0.1:5002"], "ipv4:127.0.0.1:5001,127.0.0.1:5002"),
        (["[::1]:5001", "[::1]:5002"], "ipv6:[::1]:5001,[::1]:5002"),
        (["users:50051"], "dns:///users:50051"),
        ("dns:///users:50051", "dns:///users:50051"),
    ],
)
def test_addresses_become_a_grpc_target(addresses: str | list[str], target: str) -> None:
    assert channel_target(addresses) == target


@pytest.mark.parametrize(
    "addresses",
    [[], ["users:1", "users:2"], ["127.0.0.1:1", "[::1]:1"], ["127.0.0.1"]],
    ids=["empty", "several-host-names", "mixed-families", "no-port"],
)
def test_address_lists_grpc_cannot_balance_are_refused(addresses: list[str]) -> None:
    with pytest.raises(ValueError):
        channel_target(addresses)


# call context


async def test_request_id_and_tokens_reach_the_callee(probe: ProbeServer) -> None:
    audiences: list[str] = []

    async def issue_token(audience: str) -> str:
        audiences.append(audience)
        return f"service-token-for-{audience}"

    user = User(subject="user-1", token="user-jwt")
    request_token = request_id_var.set("req-123")
    principal_token = principal_var.set(Principal(service="edge", user=user))
    try:
        client_options = options(token_provider=issue_token)
        async with connect(
            probe_pb2_grpc.ProbeServiceStub, probe.address, options=client_options
        ) as client:
            await client.stub.Echo(probe_pb2.EchoRequest(message="ctx"))
    finally:
        principal_var.reset(principal_token)
        request_id_var.reset(request_token)
    [metadata] = probe.servicer.metadata
    assert metadata["x-request-id"] == "req-123"
    assert metadata["x-user-authorization"] == "Bearer user-jwt"
    assert metadata["authorization"] == "Bearer service-token-for-testing"
    assert audiences == ["testing"]


async def test_metadata_the_caller_sets_is_kept(probe: ProbeServer) -> None:
    request_token = request_id_var.set("from-context")
    try:
        async with connect(
            probe_pb2_grpc.ProbeServiceStub, probe.address, options=options()
        ) as client:
            await client.stub.Echo(
                probe_pb2.EchoRequest(message="ctx"), metadata=(("x-request-id", "explicit"),)
            )
    finally:
        request_id_var.reset(request_token)
    [metadata] = probe.servicer.metadata
    assert metadata["x-request-id"] == "explicit"


# client spans


@pytest.fixture
def recorded() -> Iterator[tuple[TracerProvider, InMemorySpanExporter]]:
    """A tracer provider recording every span, in memory."""
    spans = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(spans))
    yield provider, spans
    provider.shutdown()


def client_spans(spans: InMemorySpanExporter) -> list[ReadableSpan]:
    return [span for span in spans.get_finished_spans() if span.kind is SpanKind.CLIENT]


async def test_a_call_is_a_client_span_whose_context_reaches_the_callee(
    probe: ProbeServer, recorded
) -> None:
    provider, spans = recorded
    async with connect(
        probe_pb2_grpc.ProbeServiceStub, probe.address, options=options(tracer_provider=provider)
    ) as client:
        with provider.get_tracer("test").start_as_current_span("handler") as handler:
            await client.stub.Echo(probe_pb2.EchoRequest(message="traced"))
    [span] = client_spans(spans)
    assert span.name == "/meshwork.testing.v1.ProbeService/Echo"
    assert span.parent is not None
    assert span.parent.span_id == handler.get_span_context().span_id
    assert span.attributes == {
        "rpc.system": "grpc",
        "rpc.service": "meshwork.testing.v1.ProbeService",
        "rpc.method": "Echo",
        "rpc.grpc.status_code": 0,
    }
    assert span.status.status_code is StatusCode.UNSET
    [metadata] = probe.servicer.metadata
    assert metadata["traceparent"] == (
        f"00-{span.context.trace_id:032x}-{span.context.span_id:016x}-{span.context.trace_flags:02x}"
    )


async def test_a_failed_call_marks_its_client_span(probe: ProbeServer, recorded) -> None:
    provider, spans = recorded
    probe.servicer.fail_next(1, grpc.StatusCode.NOT_FOUND)
    async with connect(
        probe_pb2_grpc.ProbeServiceStub, probe.address, options=options(tracer_provider=provider)
    ) as client:
        with pytest.raises(grpc.aio.AioRpcError):
            await client.stub.Echo(probe_pb2.EchoRequest())
    [span] = client_spans(spans)
    assert span.attributes is not None
    assert span.attributes["rpc.grpc.status_code"] == grpc.StatusCode.NOT_FOUND.value[0]
    assert span.status.status_code is StatusCode.ERROR
    assert span.status.description == "NOT_FOUND: Echo failed on purpose"


async def test_a_call_the_open_breaker_refuses_is_traced(probe: ProbeServer, recorded) -> None:
    provider, spans = recorded
    breaker = CircuitBreaker(probe.address, failure_threshold=1)
    breaker.record_failure()
    async with connect(
        probe_pb2_grpc.ProbeServiceStub,
        probe.address,
        options=options(tracer_provider=provider),
        breaker=breaker,
    ) as client:
        with pytest.raises(grpc.aio.AioRpcError):
            await client.stub.Echo(probe_pb2.EchoRequest())
    [span] = client_spans(spans)
    assert span.attributes is not None
    assert span.attributes["rpc.grpc.status_code"] == UNAVAILABLE.value[0]
    assert str(span.status.description).startswith("UNAVAILABLE: circuit open for")
    assert probe.servicer.attempts["Echo"] == 0


async def test_without_an_exporter_the_trace_still_reaches_the_callee(
    probe: ProbeServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    for variable in ("OTEL_EXPORTER_OTLP_ENDPOINT", "OTEL_TRACES_SAMPLER"):
        monkeypatch.delenv(variable, raising=False)
    provider = tracer_provider("testing")  # as a service process makes it: nothing recorded
    unsampled_caller = SpanContext(
        trace_id=0x4BF92F3577B34DA6A3CE929D0E0E4736, span_id=0x00F067AA0BA902B7, is_remote=True
    )
    async with connect(
        probe_pb2_grpc.ProbeServiceStub, probe.address, options=options(tracer_provider=provider)
    ) as client:
        await client.stub.Echo(probe_pb2.EchoRequest(message="new trace"))
        with trace.use_span(NonRecordingSpan(unsampled_caller)):
            await client.stub.Echo(probe_pb2.EchoRequest(message="continued"))
    provider.shutdown()
    started, continued = (metadata["traceparent"] for metadata in probe.servicer.metadata)
    assert started.startswith("00-") and started.endswith("-02")  # random id, not sampled
    _, trace_id, span_id, flags = continued.split("-")
    assert (trace_id, flags) == ("4bf92f3577b34da6a3ce929d0e0e4736", "00")
    assert span_id != "00f067aa0ba902b7"  # the client span's own id


async def test_streaming_calls_keep_their_call_api_and_end_their_span(
    start_server: StartServer, recorded
) -> None:
    provider, spans = recorded
    probe = await start_server()
    reflection.enable_server_reflection([reflection.SERVICE_NAME], probe.server)
    health = health_servicer.aio.HealthServicer()
    health_pb2_grpc.add_HealthServicer_to_server(health, probe.server)
    channel = create_channel(
        probe.address,
        services=[
            reflection_pb2.DESCRIPTOR.services_by_name["ServerReflection"],
            health_pb2.DESCRIPTOR.services_by_name["Health"],
        ],
        options=options(tracer_provider=provider),
    )
    async with channel:
        asked = reflection_pb2_grpc.ServerReflectionStub(channel).ServerReflectionInfo()
        await asked.write(reflection_pb2.ServerReflectionRequest(list_services=""))
        answer = await asked.read()
        await asked.done_writing()
        assert await asked.code() is grpc.StatusCode.OK
        listed = {service.name for service in answer.list_services_response.service}
        assert reflection.SERVICE_NAME in listed

        watch = health_pb2_grpc.HealthStub(channel).Watch(health_pb2.HealthCheckRequest())
        first = await watch.read()
        assert first.status == health_pb2.HealthCheckResponse.SERVING
        watch.cancel()

        await eventually(lambda: len(client_spans(spans)) == 2)
    ended = {span.name.rpartition("/")[2]: span for span in client_spans(spans)}
    assert ended["ServerReflectionInfo"].status.status_code is StatusCode.UNSET
    assert (
        dict(ended["Watch"].attributes or {})["rpc.grpc.status_code"]
        == (grpc.StatusCode.CANCELLED.value[0])
    )
    assert ended["Watch"].status.status_code is StatusCode.ERROR


def test_the_service_token_audience_is_the_callees_service_name() -> None:
    assert callee_audience([probe_pb2.DESCRIPTOR.services_by_name["ProbeService"]]) == "testing"


def test_a_channel_to_no_mesh_service_has_no_audience() -> None:
    with pytest.raises(ValueError, match=r"grpc\.health\.v1"):
        callee_audience([health_pb2.DESCRIPTOR.services_by_name["Health"]])


# circuit breaker


class FakeClock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


async def test_the_breaker_opens_on_an_unreachable_callee_and_then_fails_fast(
    probe: ProbeServer,
) -> None:
    breaker = CircuitBreaker(channel_target([probe.address]), failure_threshold=3)
    counter = CallCounter()
    client_options = options(interceptors=(counter,))
    await probe.server.stop(None)
    async with connect(
        probe_pb2_grpc.ProbeServiceStub, [probe.address], options=client_options, breaker=breaker
    ) as client:
        for _ in range(3):
            with pytest.raises(grpc.aio.AioRpcError):
                await client.stub.Record(probe_pb2.RecordRequest(key="down"))
        assert breaker.state is BreakerState.OPEN
        with pytest.raises(grpc.aio.AioRpcError) as raised:
            await client.stub.Echo(probe_pb2.EchoRequest(message="refused"))
    assert counter.calls == 3
    assert raised.value.code() is UNAVAILABLE
    assert raised.value.details().startswith(
        f"circuit open for ipv4:{probe.address}: 3 consecutive failures; retrying after"
    )


async def test_the_breaker_closes_again_once_the_callee_is_back(
    start_server: StartServer,
) -> None:
    probe = await start_server()
    clock = FakeClock()
    breaker = CircuitBreaker(probe.address, failure_threshold=2, reset_timeout_s=30, clock=clock)
    client_options = options(channel_options=FAST_RECONNECT)
    async with connect(
        probe_pb2_grpc.ProbeServiceStub, probe.address, options=client_options, breaker=breaker
    ) as client:
        await probe.server.stop(None)
        for _ in range(2):
            with pytest.raises(grpc.aio.AioRpcError):
                await client.stub.Record(probe_pb2.RecordRequest(key="down"))
        assert breaker.state is BreakerState.OPEN

        restarted = await start_server(probe.servicer, port=probe.port)
        await client.channel.channel_ready()
        clock.now += 30
        assert breaker.state is BreakerState.HALF_OPEN
        reply = await client.stub.Echo(probe_pb2.EchoRequest(message="back"))
    assert reply.message == "back"
    assert breaker.state is BreakerState.CLOSED
    assert restarted.servicer.attempts["Echo"] == 1


async def test_business_errors_do_not_open_the_breaker(probe: ProbeServer) -> None:
    probe.servicer.fail_next(5, grpc.StatusCode.FAILED_PRECONDITION)
    breaker = CircuitBreaker(probe.address, failure_threshold=2)
    async with connect(
        probe_pb2_grpc.ProbeServiceStub, probe.address, options=options(), breaker=breaker
    ) as client:
        for _ in range(5):
            with pytest.raises(grpc.aio.AioRpcError):
                await client.stub.Record(probe_pb2.RecordRequest(key="rejected"))
    assert breaker.state is BreakerState.CLOSED
    assert probe.servicer.attempts["Record"] == 5


async def test_a_callee_too_slow_for_the_deadline_counts_as_a_failure(probe: ProbeServer) -> None:
    breaker = CircuitBreaker(probe.address, failure_threshold=1)
    async with connect(
        probe_pb2_grpc.ProbeServiceStub, probe.address, options=options(), breaker=breaker
    ) as client:
        with pytest.raises(grpc.aio.AioRpcError) as raised:
            await client.stub.Echo(
                probe_pb2.EchoRequest(message="slow", delay_ms=2000), timeout=0.1
            )
    assert raised.value.code() is grpc.StatusCode.DEADLINE_EXCEEDED
    assert breaker.state is BreakerState.OPEN


async def test_a_callee_relaying_that_its_dependency_is_down_does_not_open_the_breaker() -> None:
    # A mesh server whose Echo calls a dependency that is down: the callee answers
    # UNAVAILABLE itself, with ErrorInfo DEPENDENCY_UNAVAILABLE; its other methods still work.
    server, port, _ = probe_server()
    await server.start()
    breaker = CircuitBreaker(f"127.0.0.1:{port}", failure_threshold=2)
    try:
        async with connect(
            probe_pb2_grpc.ProbeServiceStub,
            f"127.0.0.1:{port}",
            options=options(),
            breaker=breaker,
        ) as client:
            for _ in range(4):
                with pytest.raises(grpc.aio.AioRpcError) as raised:
                    await client.stub.Echo(
                        probe_pb2.EchoRequest(fail_with="DEPENDENCY_DOWN"), metadata=AS_SERVICE
                    )
                assert raised.value.code() is UNAVAILABLE
            assert breaker.state is BreakerState.CLOSED
            reply = await client.stub.Echo(probe_pb2.EchoRequest(message="up"), metadata=AS_SERVICE)
    finally:
        await server.stop(0)
    assert reply.message == "up"


async def test_a_callees_own_unavailability_still_opens_the_breaker(probe: ProbeServer) -> None:
    probe.servicer.fail_next(2, UNAVAILABLE)  # with no DEPENDENCY_UNAVAILABLE: the callee's own
    breaker = CircuitBreaker(probe.address, failure_threshold=2)
    async with connect(
        probe_pb2_grpc.ProbeServiceStub, probe.address, options=options(), breaker=breaker
    ) as client:
        for _ in range(2):
            with pytest.raises(grpc.aio.AioRpcError):
                await client.stub.Record(probe_pb2.RecordRequest(key="own"))  # never retried
    assert breaker.state is BreakerState.OPEN


async def test_a_cancelled_trial_call_frees_the_trial_slot(probe: ProbeServer) -> None:
    clock = FakeClock()
    breaker = CircuitBreaker(probe.address, failure_threshold=1, reset_timeout_s=5, clock=clock)
    breaker.record_failure()
    clock.now += 5  # half-open: the next call is the one trial
    async with connect(
        probe_pb2_grpc.ProbeServiceStub, probe.address, options=options(), breaker=breaker
    ) as client:

        async def slow_trial() -> probe_pb2.EchoResponse:
            return await client.stub.Echo(probe_pb2.EchoRequest(delay_ms=5000))

        trial = asyncio.create_task(slow_trial())
        await eventually(lambda: probe.servicer.attempts["Echo"] == 1)
        assert not breaker.allow()  # the trial is in flight: nobody else gets through
        trial.cancel()
        with pytest.raises(asyncio.CancelledError):
            await trial
        assert breaker.state is BreakerState.HALF_OPEN
        reply = await client.stub.Echo(probe_pb2.EchoRequest(message="second trial"))
    assert reply.message == "second trial"
    assert breaker.state is BreakerState.CLOSED


# waiting for a connection


async def test_a_call_made_while_the_callee_restarts_waits_for_it_and_is_sent_once(
    start_server: StartServer,
) -> None:
    probe = await start_server()
    async with connect(
        probe_pb2_grpc.ProbeServiceStub,
        probe.address,
        options=options(connect_wait_s=5.0, channel_options=FAST_RECONNECT),
    ) as client:
        await client.stub.Echo(probe_pb2.EchoRequest(message="connected"))
        await probe.server.stop(None)
        await eventually(lambda: client.channel.get_state() is not grpc.ChannelConnectivity.READY)
        # Record is not idempotent: gRPC never retries it, so only the wait can save it.
        call = asyncio.ensure_future(client.stub.Record(probe_pb2.RecordRequest(key="gap")))
        await asyncio.sleep(0.3)  # the restart gap under test, not a synchronisation
        assert not call.done()
        restarted = await start_server(port=probe.port)
        reply = await call
    assert reply.count == 1
    assert restarted.servicer.attempts["Record"] == 1


async def test_a_callee_down_longer_than_the_wait_budget_fails_fast(probe: ProbeServer) -> None:
    await probe.server.stop(None)
    async with connect(
        probe_pb2_grpc.ProbeServiceStub,
        probe.address,
        options=options(connect_wait_s=0.5, failure_threshold=100),
    ) as client:
        started = time.monotonic()
        with pytest.raises(grpc.aio.AioRpcError) as first:
            await client.stub.Record(probe_pb2.RecordRequest(key="down"))
        waited_s = time.monotonic() - started
        started = time.monotonic()
        with pytest.raises(grpc.aio.AioRpcError) as second:
            await client.stub.Record(probe_pb2.RecordRequest(key="still down"))
        failed_in_s = time.monotonic() - started
    assert first.value.code() is second.value.code() is UNAVAILABLE
    assert 0.4 < waited_s < 2.0
    assert failed_in_s < 0.25
