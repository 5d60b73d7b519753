"""Server interceptors: one concern each, assembled into the mesh's chain by `server_chain`."""

from __future__ import annotations

from collections.abc import Sequence

import grpc
from opentelemetry.instrumentation.grpc import aio_server_interceptor, filters
from prometheus_client import CollectorRegistry

from mesh.interceptors.auth import Authenticator, AuthInterceptor
from mesh.interceptors.base import MethodTable
from mesh.interceptors.deadline import DeadlineInterceptor
from mesh.interceptors.errors import ErrorInterceptor
from mesh.interceptors.metrics import MetricsInterceptor
from mesh.interceptors.request_context import RequestContextInterceptor

HEALTH_SERVICE = "grpc.health.v1.Health"

__all__ = ["Authenticator", "MethodTable", "server_chain"]


def server_chain(
    methods: MethodTable,
    *,
    service: str,
    authenticator: Authenticator,
    registry: CollectorRegistry | None = None,
) -> Sequence[grpc.aio.ServerInterceptor]:
    """The interceptors every mesh server runs, outermost first.

    tracing → request id + access log → RED metrics → error mapping → deadline → authentication.
    Errors raised by the inner two (expired deadline, refused caller) are mapped like any other.
    """
    return [
        # Health probes are polled constantly; tracing them would drown the real traces.
        aio_server_interceptor(filter_=filters.negate(filters.service_name(HEALTH_SERVICE))),
        RequestContextInterceptor(methods, service=service),
        MetricsInterceptor(methods, service=service, registry=registry),
        ErrorInterceptor(methods),
        DeadlineInterceptor(methods),
        AuthInterceptor(methods, authenticator=authenticator),
    ]
