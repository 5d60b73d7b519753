"""Liveness (`/healthz`) and readiness (`/readyz`: every upstream's grpc.health.v1 status)."""

from __future__ import annotations

import asyncio

import grpc
from grpc_health.v1 import health_pb2, health_pb2_grpc
from starlette.requests import Request
from starlette.responses import JSONResponse

from edge.auth import AUTHORIZATION_HEADER
from edge.runtime import runtime_of
from mesh.errors import DomainError

SERVING = "SERVING"
#: The role whose access token shows readiness in detail.
OPERATOR_ROLE = "admin"


async def healthz(request: Request) -> JSONResponse:
    """The process is up and serving HTTP (no upstream is consulted). With an instance id (set
    by `make up`'s supervisor), the answer names it, so the supervisor knows it is its own."""
    instance = runtime_of(request).settings.instance_id
    return JSONResponse({"status": "ok", "instance": instance} if instance else {"status": "ok"})


async def readyz(request: Request) -> JSONResponse:
    """200 when every required upstream reports SERVING, else 503.

    Anyone may ask whether the edge is ready, and learns just that (`status`). What is down
    and why (gRPC errors, which name the mesh's insides) is for operators: a request bearing
    an administrator's access token also gets `down`, `upstreams` (the required ones:
    `EDGE_READINESS_UPSTREAMS`, default every upstream) and `optional` (the others, say
    services whose contracts the edge serves but that this deployment does not run).
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
    body: dict[str, object] = {"status": "unavailable" if down else "ready"}
    if await _is_operator(request):
        optional = {name: state for name, state in states.items() if name not in upstreams}
        body.update(down=down, upstreams=upstreams, optional=optional)
    return JSONResponse(body, status_code=503 if down else 200)


async def _is_operator(request: Request) -> bool:
    """Whether the request bears a valid access token of an administrator."""
    try:
        user = await runtime_of(request).auth.verify(request.headers.get(AUTHORIZATION_HEADER))
    except DomainError:  # a bad token on a probe is not an error: it just shows no detail
        return False
    return user is not None and OPERATOR_ROLE in user.roles


async def _check(channel: grpc.aio.Channel, *, deadline_s: float) -> str:
    try:
        reply = await health_pb2_grpc.HealthStub(channel).Check(
            health_pb2.HealthCheckRequest(), timeout=deadline_s
        )
    except grpc.aio.AioRpcError as error:
        return f"{error.code().name}: {error.details()}"
    return str(health_pb2.HealthCheckResponse.ServingStatus.Name(reply.status))
