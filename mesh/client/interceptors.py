"""The client interceptor: span, default deadline, outgoing call context, circuit breaker."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import Any

import grpc
from grpc.aio import ClientCallDetails, ClientInterceptor, Metadata
from opentelemetry import trace

from mesh.breaker import CircuitBreaker
from mesh.client.connection import ConnectionWait
from mesh.client.status import relays_a_dependency_failure
from mesh.client.tracing import ClientTracing, end_span
from mesh.context import (
    REQUEST_ID_KEY,
    SERVICE_AUTHORIZATION_KEY,
    USER_AUTHORIZATION_KEY,
    current_principal,
    current_request_id,
    time_remaining,
)
from mesh.contracts import MethodContract

#: Issues this service's token for a callee: `await provider(audience) -> "<JWT>"`.
#: Called on every call, so it should cache tokens until shortly before they expire.
TokenProvider = Callable[[str], Awaitable[str]]

#: Statuses that say the callee is down or overloaded; any other status is an answer.
BREAKER_FAILURE_CODES = frozenset({grpc.StatusCode.UNAVAILABLE, grpc.StatusCode.DEADLINE_EXCEEDED})


def _method_name(details: ClientCallDetails) -> str:
    method = details.method
    return method.decode() if isinstance(method, bytes) else str(method)


class DefaultDeadlines:
    """Bounds every call: by the caller's timeout or else the method's declared default, and
    never past what is left of the deadline of the call being served (deadline propagation).
    """

    def __init__(self, contracts: Mapping[str, MethodContract]) -> None:
        self._deadlines = {name: c.default_deadline_s for name, c in contracts.items()}

    def timeout(self, method: str, timeout: float | None) -> float | None:
        """The timeout of a call to `method` the caller gave `timeout` (None: none given)."""
        if timeout is None:
            timeout = self._deadlines.get(method)
        remaining = time_remaining()
        if remaining is not None:
            timeout = remaining if timeout is None else min(timeout, remaining)
        return timeout


class OutgoingContext:
    """Adds the request id, the end user's token and this service's token to the metadata.

    Entries the caller already set explicitly are left as they are.
    """

    def __init__(self, *, audience: str, token_provider: TokenProvider | None) -> None:
        self._audience = audience
        self._token_provider = token_provider

    async def metadata(self, given: Sequence[tuple[str, str | bytes]] | None) -> Metadata:
        """The metadata to send: the caller's (`given`), plus the call context's."""
        metadata = Metadata(*tuple(given or ()))
        request_id = current_request_id()
        if request_id and REQUEST_ID_KEY not in metadata:
            metadata.add(REQUEST_ID_KEY, request_id)
        user = current_principal().user
        if user is not None and user.token and USER_AUTHORIZATION_KEY not in metadata:
            metadata.add(USER_AUTHORIZATION_KEY, f"Bearer {user.token}")
        if self._token_provider is not None and SERVICE_AUTHORIZATION_KEY not in metadata:
            token = await self._token_provider(self._audience)
            metadata.add(SERVICE_AUTHORIZATION_KEY, f"Bearer {token}")
        return metadata


def circuit_open_error(breaker: CircuitBreaker) -> grpc.aio.AioRpcError:
    """The UNAVAILABLE error a call gets while its callee's breaker refuses calls."""
    return grpc.aio.AioRpcError(
        code=grpc.StatusCode.UNAVAILABLE,
        initial_metadata=Metadata(),
        trailing_metadata=Metadata(),
        details=breaker.describe_refusal(),
    )


def _record_outcome(breaker: CircuitBreaker, error: grpc.aio.AioRpcError) -> None:
    code = error.code()
    if code in BREAKER_FAILURE_CODES and not relays_a_dependency_failure(error):
        breaker.record_failure()
    elif code is grpc.StatusCode.CANCELLED:
        breaker.release()
    else:
        breaker.record_success()


class _MeshCall:
    """What a mesh channel does around each call, in one interceptor layer (each layer costs
    on every call): the client span, the deadline, the outgoing metadata and, for unary calls,
    the circuit breaker.

    The breaker fails unary calls fast with UNAVAILABLE, without touching the network, while
    open. UNAVAILABLE and DEADLINE_EXCEEDED count as failures (after gRPC's own retries, so one
    call counts once), except when the callee answered that a service it depends on is down
    (DEPENDENCY_UNAVAILABLE): that is the dependency's failure, and counting it would cut off
    the callee's other methods too. Any other status proves the callee answered and counts as
    a success.
    Streaming calls are not guarded: a stream's end says little about the callee's health.
    Every call first waits, within a budget, for the channel to connect (`ConnectionWait`),
    unless its caller chose `wait_for_ready` itself.
    """

    def __init__(
        self,
        *,
        tracing: ClientTracing,
        deadlines: DefaultDeadlines,
        outgoing: OutgoingContext,
        breaker: CircuitBreaker,
        connection: ConnectionWait,
    ) -> None:
        self._tracing = tracing
        self._deadlines = deadlines
        self._outgoing = outgoing
        self._connection = connection
        self.breaker = breaker

    async def _start(self, details: ClientCallDetails) -> tuple[trace.Span, ClientCallDetails]:
        """The call's span and its details with deadline, metadata and wait filled in."""
        method = _method_name(details)
        metadata = await self._outgoing.metadata(details.metadata)
        span = self._tracing.start(method, metadata)
        timeout = self._deadlines.timeout(method, details.timeout)
        wait_for_ready = details.wait_for_ready
        if wait_for_ready is None:
            wait_for_ready = await self._connection.ready(timeout)
        return span, details._replace(
            timeout=timeout, metadata=metadata, wait_for_ready=wait_for_ready
        )

    async def _unary_response(self, continuation: Any, details: Any, request: Any) -> Any:
        """Runs a call answered by one response to its end, guarded by the breaker."""
        breaker = self.breaker
        if not breaker.allow():
            refusal = circuit_open_error(breaker)
            end_span(self._tracing.start(_method_name(details)), refusal.code(), refusal)
            raise refusal
        try:
            span, details = await self._start(details)
        except BaseException:
            breaker.release()
            raise
        try:
            call = await continuation(details, request)
            await call
        except grpc.aio.AioRpcError as error:
            _record_outcome(breaker, error)
            end_span(span, error.code(), error)
            raise
        except BaseException as error:  # cancelled, or failed before reaching the callee
            breaker.release()
            end_span(span, _local_code(error), error)
            raise
        breaker.record_success()
        end_span(span, grpc.StatusCode.OK)
        return call

    async def _streaming(self, continuation: Any, details: Any, request: Any) -> Any:
        """Starts a streaming call; its span ends when the call does."""
        span, details = await self._start(details)
        try:
            call = await continuation(details, request)
        except BaseException as error:
            end_span(span, _local_code(error), error)
            raise
        call.add_done_callback(lambda done: _end_when_known(span, done))
        return call


def _local_code(error: BaseException) -> grpc.StatusCode:
    """The status of a call that ended in this process, without an answer from the callee."""
    return (
        grpc.StatusCode.CANCELLED
        if isinstance(error, asyncio.CancelledError)
        else grpc.StatusCode.UNKNOWN
    )


_ending: set[asyncio.Task[None]] = set()  # strong references until the spans have ended


def _end_when_known(span: trace.Span, call: grpc.aio.Call) -> None:
    """Ends `span` with the status of the finished `call` (read asynchronously, at once)."""

    async def end() -> None:
        end_span(span, await call.code())

    task = asyncio.get_running_loop().create_task(end())
    _ending.add(task)
    task.add_done_callback(_ending.discard)


class _UnaryUnary(_MeshCall, grpc.aio.UnaryUnaryClientInterceptor):
    intercept_unary_unary = _MeshCall._unary_response


class _UnaryStream(_MeshCall, grpc.aio.UnaryStreamClientInterceptor):
    intercept_unary_stream = _MeshCall._streaming


class _StreamUnary(_MeshCall, grpc.aio.StreamUnaryClientInterceptor):
    intercept_stream_unary = _MeshCall._streaming


class _StreamStream(_MeshCall, grpc.aio.StreamStreamClientInterceptor):
    intercept_stream_stream = _MeshCall._streaming


def mesh_interceptors(
    *,
    tracing: ClientTracing,
    deadlines: DefaultDeadlines,
    outgoing: OutgoingContext,
    breaker: CircuitBreaker,
    connection: ConnectionWait,
) -> list[ClientInterceptor]:
    """The mesh's interceptor for calls of every arity (a grpc.aio channel files each
    interceptor under a single arity); see `_MeshCall` for what it does."""
    return [
        arity(
            tracing=tracing,
            deadlines=deadlines,
            outgoing=outgoing,
            breaker=breaker,
            connection=connection,
        )
        for arity in (_UnaryUnary, _UnaryStream, _StreamUnary, _StreamStream)
    ]
