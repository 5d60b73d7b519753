"""Liveness (`/healthz`) and readiness (`/readyz`: every upstream's grpc.health.v1 status)."""

from __future__ import annotations

import asyncio

import grpc
from grpc_health.v1 import health_pb2, health_pb2_grpc
from starlette.requests import Request
from starlette.responses import JSONResponse

from edge.runtime import runtime_of

SERVING = "SERVING"


async def healthz(request: Request) -> JSONResponse:
    """The process is up and serving HTTP (no upstream is consulted)."""
    return JSONResponse({"status": "ok"})


async def readyz(request: Request) -> JSONResponse:
    """200 when every required upstream reports SERVING, else 503 naming those that do not.

    Required are `EDGE_READINESS_UPSTREAMS` (default: every upstream), reported under
    `upstreams`; the others (say, services whose contracts the edge serves but that this
    deployment does not run) are reported under `optional` and do not decide the answer.
    """
    edge = runtime_of(request)
    channels = edge.upstreams.health_channels
    timeout = edge.settings.readiness_timeout_s
    names = sorted(channels)
    checks = (_check(channels[name], deadline_s=timeout) for name in names)
    results = await asyncio.gather(*checks)
    states = dict(zip(names, results, strict=True))
    required = edge.settings.readiness_upstreams or names
    upstreams = {name: states.get(name, "not configured") for name in required}
    down = {name: state for name, state in upstreams.items() if state != SERVING}
    optional = {name: state for name, state in states.items() if name not in upstreams}
    body = {
        "status": "unavailable" if down else "ready",
        "down": down,
        "upstreams": upstreams,
        "optional": optional,
    }
    return JSONResponse(body, status_code=503 if down else 200)


async def _check(channel: grpc.aio.Channel, *, deadline_s: float) -> str:
    try:
        reply = await health_pb2_grpc.HealthStub(channel).Check(
            health_pb2.HealthCheckRequest(), timeout=deadline_s
        )
    except grpc.aio.AioRpcError as error:
        return f"{error.code().name}: {error.details()}"
    return str(health_pb2.HealthCheckResponse.ServingStatus.Name(reply.status))
