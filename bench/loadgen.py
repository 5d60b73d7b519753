"""Our multi-process load generator: worker processes, each an asyncio loop with its own client.

A round runs for a fixed time (so slow variants stay bounded); every worker reports its
latencies, its window and its own CPU seconds, and the parent merges them into one `Load`.
"""

from __future__ import annotations

import asyncio
import multiprocessing
import os
import time
from collections.abc import Awaitable, Callable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import httptools

WORKERS = 2


@dataclass(frozen=True)
class Target:
    """What to call: GET `url` over HTTP/1.1, or UsersService.GetUser at a gRPC `address`."""

    kind: str  # "http" or "grpc"
    url: str = ""
    address: str = ""
    user_id: str = ""
    headers: tuple[tuple[str, str], ...] = field(default=())


@dataclass(frozen=True)
class Load:
    """One merged round: completed calls, wall seconds, latencies and generator CPU seconds."""

    calls: int
    seconds: float
    latencies: list[float]
    cpu_s: float
    errors: int

    @property
    def throughput(self) -> float:
        return self.calls / self.seconds

    def percentile(self, q: float) -> float:
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(q * len(ordered)))] if ordered else 0.0


class LoadGenerator:
    """A pool of worker processes kept across rounds (their clients stay connected)."""

    def __init__(self, workers: int = WORKERS) -> None:
        self._workers = workers
        context = multiprocessing.get_context("spawn")
        self._pool = ProcessPoolExecutor(max_workers=workers, mp_context=context)

    async def round(self, target: Target, *, concurrency: int, seconds: float) -> Load:
        """`concurrency` callers in all (spread over the workers) calling for `seconds`."""
        loop = asyncio.get_running_loop()
        shares = [concurrency // self._workers + (i < concurrency % self._workers)
                  for i in range(self._workers)]  # fmt: skip
        start_at = time.monotonic() + 0.2  # every worker starts together
        parts = await asyncio.gather(*(
            loop.run_in_executor(self._pool, _work, target, share, start_at, seconds)
            for share in shares if share
        ))  # fmt: skip
        latencies = [latency for part in parts for latency in part["latencies"]]
        began = min(part["began"] for part in parts)
        ended = max(part["ended"] for part in parts)
        return Load(
            calls=len(latencies),
            seconds=ended - began,
            latencies=latencies,
            cpu_s=sum(part["cpu_s"] for part in parts),
            errors=sum(part["errors"] for part in parts),
        )

    def close(self) -> None:
        self._pool.shutdown()


# --- inside a worker process -------------------------------------------------------------

_clients: dict[Target, Callable[[], Awaitable[bool]]] = {}
_loop: asyncio.AbstractEventLoop | None = None


def _work(target: Target, concurrency: int, start_at: float, seconds: float) -> dict[str, Any]:
    global _loop
    if _loop is None:
        _loop = asyncio.new_event_loop()
    return _loop.run_until_complete(_callers(target, concurrency, start_at, seconds))


async def _callers(
    target: Target, concurrency: int, start_at: float, seconds: float
) -> dict[str, Any]:
    call = _clients.get(target) or _clients.setdefault(target, _client(target))
    latencies: list[float] = []
    errors = 0
    await asyncio.sleep(max(0.0, start_at - time.monotonic()))
    cpu_before = _cpu()
    began = time.monotonic()
    deadline = began + seconds

    async def caller() -> None:
        nonlocal errors
        while time.monotonic() < deadline:
            started = time.monotonic()
            if await call():
                latencies.append(time.monotonic() - started)
            else:
                errors += 1

    await asyncio.gather(*(caller() for _ in range(concurrency)))
    return {
        "latencies": latencies,
        "began": began,
        "ended": time.monotonic(),
        "cpu_s": _cpu() - cpu_before,
        "errors": errors,
    }


def _cpu() -> float:
    times = os.times()
    return times.user + times.system


def _client(target: Target) -> Callable[[], Awaitable[bool]]:
    if target.kind == "http":
        return _http_client(target)
    import grpc

    from meshwork.users.v1 import users_service_pb2 as users_pb

    # The request is serialized once and the reply left as bytes: the generator's own cost
    # per call stays small (a gRPC client still costs more than the HTTP one).
    channel = grpc.aio.insecure_channel(target.address)
    get_user = channel.unary_unary("/meshwork.users.v1.UsersService/GetUser")
    request = users_pb.GetUserRequest(user_id=target.user_id).SerializeToString()

    async def call() -> bool:
        try:
            await get_user(request, metadata=target.headers, timeout=30)
        except grpc.RpcError:
            return False
        return True

    return call


def _http_client(target: Target) -> Callable[[], Awaitable[bool]]:
    """GET `target.url` over keep-alive HTTP/1.1 connections, one request at a time on each
    (as a pooled client does); responses parsed by httptools. Lean on purpose: the generator
    shares the cores with what it measures, so its own cost per request must stay small."""
    url = urlsplit(target.url)
    host, port = url.hostname or "127.0.0.1", url.port or 80
    path = url.path + (f"?{url.query}" if url.query else "")
    headers = "".join(f"{name}: {value}\r\n" for name, value in target.headers)
    request = f"GET {path} HTTP/1.1\r\nHost: {url.netloc}\r\n{headers}\r\n".encode("latin-1")
    idle: list[_Http1Connection] = []

    async def get() -> bool:
        while idle and idle[-1].closed:  # the server closed it while idle (keep-alive timeout)
            idle.pop()
        connection = idle.pop() if idle else await _Http1Connection.open(host, port)
        try:
            async with asyncio.timeout(30):
                status = await connection.exchange(request)
        except (ConnectionError, TimeoutError, httptools.HttpParserError):
            connection.close()
            return False
        idle.append(connection)
        return status == 200

    return get


class _Http1Connection(asyncio.Protocol):
    def __init__(self) -> None:
        self._parser = httptools.HttpResponseParser(self)
        self._transport: asyncio.Transport | None = None
        self._reply: asyncio.Future[int] | None = None

    @classmethod
    async def open(cls, host: str, port: int) -> _Http1Connection:
        loop = asyncio.get_running_loop()
        _, connection = await loop.create_connection(cls, host, port)
        return connection

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self._transport = transport  # type: ignore[assignment]

    def data_received(self, data: bytes) -> None:
        self._parser.feed_data(data)

    @property
    def closed(self) -> bool:
        return self._transport is None or self._transport.is_closing()

    def connection_lost(self, exc: Exception | None) -> None:
        if self._reply is not None and not self._reply.done():
            self._reply.set_exception(ConnectionError("the server closed the connection"))

    def on_message_complete(self) -> None:  # httptools callback: the whole response is in
        if self._reply is not None and not self._reply.done():
            self._reply.set_result(self._parser.get_status_code())

    async def exchange(self, request: bytes) -> int:
        """Sends one request; the response's status code once its body has arrived."""
        assert self._transport is not None
        self._reply = asyncio.get_running_loop().create_future()
        self._transport.write(request)
        return await self._reply

    def close(self) -> None:
        if self._transport is not None:
            self._transport.close()
