"""Server-side layers: one concern per module, applied to every call by `server_chain`."""

from __future__ import annotations

from collections.abc import Sequence

import grpc
from opentelemetry.trace import TracerProvider
from prometheus_client import CollectorRegistry

from mesh.interceptors.auth import Authenticator
from mesh.interceptors.base import MethodTable
from mesh.interceptors.chain import MeshInterceptor

__all__ = ["Authenticator", "MethodTable", "server_chain"]


def server_chain(
    methods: MethodTable,
    *,
    service: str,
    authenticator: Authenticator,
    registry: CollectorRegistry | None = None,
    tracer_provider: TracerProvider | None = None,
) -> Sequence[grpc.aio.ServerInterceptor]:
    """The interceptors every mesh server runs: tracing → request id + access log → RED
    metrics → error mapping → deadline → authentication, outermost first, in one interceptor.
    Errors raised by the inner two (expired deadline, refused caller) are mapped like any other.
    Spans go to `tracer_provider` (default: the global one).
    """
    return [
        MeshInterceptor(
            methods,
            service=service,
            authenticator=authenticator,
            registry=registry,
            tracer_provider=tracer_provider,
        )
    ]
