"""The edge's FastAPI app: routes from the contracts, built by `create_app(settings)`.

    app = create_app(EdgeSettings())          # serves every meshwork.*.v1 service in gen/
    uvicorn.run(app, ...)                     # the lifespan opens the upstream channels

The admin console (`edge.console`) is served at /admin, Swagger UI's assets from the edge itself.

Middleware, outermost first: CORS → request context (X-Request-Id, traceparent, access log,
metrics) → body-size limit → error mapping → routes (the edge's own, then every binding).
"""

from __future__ import annotations

import contextlib
import functools
from collections.abc import AsyncIterator, Callable, Mapping, Sequence
from contextlib import AbstractAsyncContextManager
from typing import Any

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware
from google.protobuf.descriptor import ServiceDescriptor
from opentelemetry.trace import TracerProvider
from prometheus_client import CollectorRegistry
from starlette.staticfiles import StaticFiles

from edge import health, oauth, webhooks
from edge.auth import EdgeAuthenticator
from edge.config import EdgeSettings
from edge.console.routes import console_routes
from edge.docs import (
    DOCS_PATH,
    OAUTH2_REDIRECT_PATH,
    OPENAPI_PATH,
    SWAGGER_ASSETS_PATH,
    Docs,
    swagger_assets_directory,
)
from edge.errors import install_error_handlers
from edge.metrics import EdgeMetrics
from edge.middleware import BodyLimitMiddleware, RequestContextMiddleware, edge_tracer_provider
from edge.openapi import openapi_document
from edge.proxy import transcode
from edge.ratelimit import RateLimits
from edge.runtime import EdgeRuntime
from edge.transcoding.bindings import bindings_of, discover_services
from edge.transcoding.router import TranscodingRoute
from edge.upstreams import open_upstreams
from mesh.auth.jwks import JwksFetch
from mesh.auth.service_tokens import TokenIssuer


def create_app(
    settings: EdgeSettings,
    *,
    upstreams: Mapping[str, str] | None = None,
    services: Sequence[ServiceDescriptor] | None = None,
    keys: JwksFetch | None = None,
    tokens: TokenIssuer | None = None,
    registry: CollectorRegistry | None = None,
) -> FastAPI:
    """The edge for `services` (default: every service found in gen/).

    `upstreams` maps mesh service names ("users") to addresses, over settings'
    `<service>_address` (one per service of the catalogue); `keys` and
    `tokens` replace identity's GetJwks and IssueServiceToken (for tests with fake
    upstreams); `registry` receives the metrics (default: the app's own).
    Channels are opened by the lifespan, once, and closed when it ends.
    """
    services = list(services) if services is not None else discover_services()
    bindings = bindings_of(services)
    document = openapi_document(bindings)
    metrics = EdgeMetrics(registry)
    tracer_provider = edge_tracer_provider(settings.service)

    open_runtime = functools.partial(
        _open_runtime,
        settings,
        services,
        addresses=upstreams,
        keys=keys,
        tokens=tokens,
        tracer_provider=tracer_provider,
    )
    app = FastAPI(
        title=document["info"]["title"],
        version=document["info"]["version"],
        lifespan=_lifespan(open_runtime),
        docs_url=None,  # ours, below: the document is generated from the contracts
        openapi_url=None,
        redoc_url=None,
        # The edge makes its own server span and metrics (RequestContextMiddleware).
        telemetry={"tracing": False, "metrics": False, "logs": False},
    )
    app.openapi = lambda: document  # type: ignore[method-assign]
    _add_routes(app, metrics, Docs(document, public_url=settings.public_url))
    app.router.routes.append(TranscodingRoute(bindings, transcode))
    install_error_handlers(app)
    _add_middleware(app, settings, metrics=metrics, tracer_provider=tracer_provider)
    return app


def _open_runtime(
    settings: EdgeSettings,
    services: Sequence[ServiceDescriptor],
    *,
    addresses: Mapping[str, str] | None,
    keys: JwksFetch | None,
    tokens: TokenIssuer | None,
    tracer_provider: TracerProvider,
) -> EdgeRuntime:
    clients = open_upstreams(
        settings,
        services,
        addresses=addresses,
        keys=keys,
        tokens=tokens,
        tracer_provider=tracer_provider,
    )
    return EdgeRuntime(
        settings=settings,
        upstreams=clients,
        auth=EdgeAuthenticator(clients.verifier, service=settings.service),
        limits=RateLimits.open(settings),
    )


def _lifespan(
    open_runtime: Callable[[], EdgeRuntime],
) -> Callable[[FastAPI], AbstractAsyncContextManager[None]]:
    """Opens the upstream channels and rate-limit storage once, and closes them at the end."""

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        runtime = open_runtime()
        app.state.edge = runtime
        try:
            await runtime.start()  # once: it follows revocations and ships logs
            yield
        finally:
            await runtime.close()

    return lifespan


def _add_middleware(
    app: FastAPI,
    settings: EdgeSettings,
    *,
    metrics: EdgeMetrics,
    tracer_provider: TracerProvider,
) -> None:
    """Added innermost first: body limit, request context, then CORS outermost."""
    app.add_middleware(BodyLimitMiddleware, max_bytes=settings.max_body_bytes)
    app.add_middleware(RequestContextMiddleware, metrics=metrics, tracer_provider=tracer_provider)
    if settings.cors_origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=settings.cors_origins,
            allow_methods=["GET", "POST", "PUT", "PATCH", "DELETE"],
            allow_headers=["Authorization", "Content-Type", "Idempotency-Key", "X-Request-Id"],
            expose_headers=["X-Request-Id", "Retry-After", *_RATE_LIMIT_HEADERS],
            max_age=600,
        )


_RATE_LIMIT_HEADERS = ("RateLimit-Limit", "RateLimit-Remaining", "RateLimit-Reset")


#: The methods of the edge's own read-only routes: HEAD wherever GET is (RFC 9110 §9.3.2).
READ = ["GET", "HEAD"]


def _add_routes(app: FastAPI, metrics: EdgeMetrics, docs: Docs) -> None:
    hidden: dict[str, Any] = {"include_in_schema": False}
    app.add_api_route(OPENAPI_PATH, docs.openapi, methods=READ, **hidden)
    app.add_api_route(DOCS_PATH, docs.swagger_ui, methods=READ, **hidden)
    app.add_api_route(OAUTH2_REDIRECT_PATH, docs.oauth2_redirect, methods=READ, **hidden)
    app.add_api_route("/healthz", health.healthz, methods=READ, **hidden)
    app.add_api_route("/readyz", health.readyz, methods=READ, **hidden)
    app.add_api_route("/metrics", metrics.endpoint, methods=READ, **hidden)
    app.add_api_route(oauth.TOKEN_PATH, oauth.token, methods=["POST"], **hidden)
    app.add_api_route("/v1/webhooks/stripe", webhooks.stripe_webhook, methods=["POST"], **hidden)
    app.mount(SWAGGER_ASSETS_PATH, StaticFiles(directory=swagger_assets_directory()))
    app.router.routes.extend(console_routes())
