"""Client interceptors: default deadlines, outgoing call context, and the circuit breaker."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import Any

import grpc
from grpc.aio import ClientCallDetails, ClientInterceptor, Metadata

from mesh.breaker import CircuitBreaker
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
#: Rewrites the details of an outgoing call (deadline, metadata) before it proceeds.
DetailsRewrite = Callable[[ClientCallDetails], Awaitable[ClientCallDetails]]

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

    async def __call__(self, details: ClientCallDetails) -> ClientCallDetails:
        timeout = details.timeout
        if timeout is None:
            timeout = self._deadlines.get(_method_name(details))
        remaining = time_remaining()
        if remaining is not None:
            timeout = remaining if timeout is None else min(timeout, remaining)
        if timeout == details.timeout:
            return details
        return details._replace(timeout=timeout)


class OutgoingContext:
    """Adds the request id, the end user's token and this service's token to the metadata.

    Entries the caller already set explicitly are left as they are.
    """

    def __init__(self, *, audience: str, token_provider: TokenProvider | None) -> None:
        self._audience = audience
        self._token_provider = token_provider

    async def __call__(self, details: ClientCallDetails) -> ClientCallDetails:
        metadata = Metadata(*tuple(details.metadata or ()))
        request_id = current_request_id()
        if request_id and REQUEST_ID_KEY not in metadata:
            metadata.add(REQUEST_ID_KEY, request_id)
        user = current_principal().user
        if user is not None and user.token and USER_AUTHORIZATION_KEY not in metadata:
            metadata.add(USER_AUTHORIZATION_KEY, f"Bearer {user.token}")
        if self._token_provider is not None and SERVICE_AUTHORIZATION_KEY not in metadata:
            token = await self._token_provider(self._audience)
            metadata.add(SERVICE_AUTHORIZATION_KEY, f"Bearer {token}")
        return details._replace(metadata=metadata)


class _Rewriting:
    """Applies its rewrites, in order, to a call's details."""

    def __init__(self, rewrites: Sequence[DetailsRewrite]) -> None:
        self._rewrites = tuple(rewrites)

    async def _rewrite(self, details: ClientCallDetails) -> ClientCallDetails:
        for rewrite in self._rewrites:
            details = await rewrite(details)
        return details


class _RewriteUnaryUnary(_Rewriting, grpc.aio.UnaryUnaryClientInterceptor):
    async def intercept_unary_unary(self, continuation: Any, details: Any, request: Any) -> Any:
        return await continuation(await self._rewrite(details), request)


class _RewriteUnaryStream(_Rewriting, grpc.aio.UnaryStreamClientInterceptor):
    async def intercept_unary_stream(self, continuation: Any, details: Any, request: Any) -> Any:
        return await continuation(await self._rewrite(details), request)


class _RewriteStreamUnary(_Rewriting, grpc.aio.StreamUnaryClientInterceptor):
    async def intercept_stream_unary(self, continuation: Any, details: Any, requests: Any) -> Any:
        return await continuation(await self._rewrite(details), requests)


class _RewriteStreamStream(_Rewriting, grpc.aio.StreamStreamClientInterceptor):
    async def intercept_stream_stream(self, continuation: Any, details: Any, requests: Any) -> Any:
        return await continuation(await self._rewrite(details), requests)


def rewriting_interceptors(*rewrites: DetailsRewrite) -> list[ClientInterceptor]:
    """Interceptors applying `rewrites`, in order, to calls of every arity.

    A grpc.aio channel files each interceptor under a single arity, hence one per arity; the
    rewrites share them, since every interceptor layer costs on each call.
    """
    arities = (_RewriteUnaryUnary, _RewriteUnaryStream, _RewriteStreamUnary, _RewriteStreamStream)
    return [arity(rewrites) for arity in arities]


def circuit_open_error(breaker: CircuitBreaker) -> grpc.aio.AioRpcError:
    """The UNAVAILABLE error a call gets while its callee's breaker refuses calls."""
    return grpc.aio.AioRpcError(
        code=grpc.StatusCode.UNAVAILABLE,
        initial_metadata=Metadata(),
        trailing_metadata=Metadata(),
        details=breaker.describe_refusal(),
    )


class CircuitBreakerInterceptor(grpc.aio.UnaryUnaryClientInterceptor):
    """Fails unary calls fast with UNAVAILABLE, without touching the network, while open.

    UNAVAILABLE and DEADLINE_EXCEEDED count as failures (after gRPC's own retries, so one call
    counts once); any other status proves the callee answered and counts as a success.
    Streaming calls are not guarded: a stream's end says little about the callee's health.
    """

    def __init__(self, breaker: CircuitBreaker) -> None:
        self.breaker = breaker

    async def intercept_unary_unary(self, continuation: Any, details: Any, request: Any) -> Any:
        if not self.breaker.allow():
            raise circuit_open_error(self.breaker)
        try:
            call = await continuation(details, request)
            await call
        except grpc.aio.AioRpcError as error:
            self._record(error.code())
            raise
        except BaseException:  # cancelled, or failed before reaching the callee
            self.breaker.release()
            raise
        self.breaker.record_success()
        return call

    def _record(self, code: grpc.StatusCode) -> None:
        if code in BREAKER_FAILURE_CODES:
            self.breaker.record_failure()
        elif code is grpc.StatusCode.CANCELLED:
            self.breaker.release()
        else:
            self.breaker.record_success()
