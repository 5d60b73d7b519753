"""The floor under both designs: the same two hops with no work at either end.

The edge path (HTTP → edge → gRPC → users) and the naive one (HTTP → gateway → HTTP → users)
differ in their shape as well as in what runs inside it. Here each shape runs with handlers
that do nothing but what the shape itself needs, so the ratio of the two is the most any
implementation of the edge could reach against the naive design on this machine:

- a gRPC leaf (plain ``grpc.aio`` server, no interceptors) answers ``UsersService.GetUser``
  with a stored reply (bytes, never parsed) and an HTTP leaf (FastAPI) answers
  ``GET /users/{id}`` with a stored JSON body; the bench stores the real users service's
  reply and the naive users service's body, so both carry the same profile;
- one front (FastAPI, run like the edge) forwards ``GET /grpc/v1/users/{id}`` to the gRPC
  leaf (a stub call, the reply as JSON) and ``GET /http/v1/users/{id}`` to the HTTP leaf
  (a shared ``httpx.AsyncClient``, as the naive gateway's shared variant).

Run: ``python -m bench.floor <port> <reply file>`` (the gRPC leaf);
``uvicorn --factory bench.floor:http_leaf_app`` ($FLOOR_REPLY: the stored JSON body) and
``uvicorn --factory bench.floor:front_app`` ($FLOOR_GRPC_LEAF: host:port,
$FLOOR_HTTP_LEAF: URL).
"""

from __future__ import annotations

import asyncio
import os
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import grpc
import httpx
from fastapi import FastAPI, Request, Response
from google.protobuf import json_format

from bench.naive import forwarded
from meshwork.users.v1 import users_service_pb2 as users_pb

GET_USER = "/meshwork.users.v1.UsersService/GetUser"


async def serve_grpc_leaf(port: int, reply: bytes) -> None:
    """Answers every GetUser with `reply` until cancelled."""

    async def get_user(_request: bytes, _context: grpc.aio.ServicerContext) -> bytes:
        return reply

    server = grpc.aio.server()
    server.add_generic_rpc_handlers([
        grpc.method_handlers_generic_handler(
            "meshwork.users.v1.UsersService",
            {"GetUser": grpc.unary_unary_rpc_method_handler(get_user)},
        )
    ])  # fmt: skip
    server.add_insecure_port(f"127.0.0.1:{port}")
    await server.start()
    await server.wait_for_termination()


def http_leaf_app() -> FastAPI:
    """Answers every ``GET /users/{id}`` with the JSON body in the file $FLOOR_REPLY."""
    body = Path(os.environ["FLOOR_REPLY"]).read_bytes()
    app = FastAPI()

    @app.get("/users/{user_id}")
    async def get_user(user_id: str) -> Response:
        return Response(body, media_type="application/json")

    return app


def front_app() -> FastAPI:
    """Forwards to the gRPC leaf ($FLOOR_GRPC_LEAF) and to the HTTP leaf ($FLOOR_HTTP_LEAF)."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        async with (
            httpx.AsyncClient(base_url=os.environ["FLOOR_HTTP_LEAF"]) as client,
            grpc.aio.insecure_channel(os.environ["FLOOR_GRPC_LEAF"]) as channel,
        ):
            app.state.client = client
            app.state.get_user = channel.unary_unary(
                GET_USER,
                request_serializer=users_pb.GetUserRequest.SerializeToString,
                response_deserializer=users_pb.GetUserResponse.FromString,
            )
            yield

    app = FastAPI(lifespan=lifespan)

    @app.get("/grpc/v1/users/{user_id}")
    async def over_grpc(user_id: str, request: Request) -> dict[str, Any]:
        reply = await request.app.state.get_user(
            users_pb.GetUserRequest(user_id=user_id), timeout=30
        )
        return json_format.MessageToDict(reply)

    @app.get("/http/v1/users/{user_id}")
    async def over_http(user_id: str, request: Request) -> Any:
        return forwarded(await request.app.state.client.get(f"/users/{user_id}"))

    return app


if __name__ == "__main__":
    asyncio.run(serve_grpc_leaf(int(sys.argv[1]), Path(sys.argv[2]).read_bytes()))
