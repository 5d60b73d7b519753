"""`@idempotent`: the one line that makes a servicer method honour idempotency keys."""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable
from typing import Protocol, TypeAlias, TypeVar, get_type_hints

import grpc
from google.protobuf.message import Message

from mesh.idempotency.records import IdempotencyRecords

Request = TypeVar("Request", bound=Message)
Response = TypeVar("Response", bound=Message)


class Idempotent(Protocol):
    """A servicer whose mutations `idempotent` wraps: it holds the service's records."""

    idempotency: IdempotencyRecords


ServicerT = TypeVar("ServicerT", bound=Idempotent)
Context: TypeAlias = grpc.aio.ServicerContext


def idempotent(
    method: Callable[[ServicerT, Request, Context], Awaitable[Response]],
) -> Callable[[ServicerT, Request, Context], Awaitable[Response]]:
    """Makes a servicer method honour the caller's idempotency key (`IdempotencyRecords`)::

        @idempotent
        async def SignUp(self, request: pb.SignUpRequest, context: Context) -> pb.SignUpResponse:

    The servicer's `idempotency` attribute holds the records; the return annotation names the
    response type, which a replay parses.
    """

    @functools.cache
    def response_type() -> type[Response]:
        resolved: type[Response] = get_type_hints(method)["return"]
        return resolved

    @functools.wraps(method)
    async def run_once(servicer: ServicerT, request: Request, context: Context) -> Response:
        def execute() -> Awaitable[Response]:
            return method(servicer, request, context)

        return await servicer.idempotency.once(context, request, response_type(), execute)

    return run_once
