"""The test ProbeService: a servicer, a header-based authenticator fake, and a runnable server."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import grpc
from opentelemetry import trace

from mesh.context import (
    SERVICE_AUTHORIZATION_KEY,
    USER_AUTHORIZATION_KEY,
    Principal,
    User,
    current_principal,
    current_request_id,
    time_remaining,
)
from mesh.errors import (
    FieldViolation,
    InvalidArgument,
    NotFound,
    Unauthenticated,
)
from mesh.interceptors import Authenticator
from mesh.logs import configure_logging
from mesh.server import MeshServer, ServiceBinding, create_server, serve
from meshwork.testing.v1 import probe_pb2, probe_pb2_grpc
from tests.support import subprocess_env

DOMAIN = "testing.meshwork"


class ProbeServicer(probe_pb2_grpc.ProbeServiceServicer):
    """Answers as the request asks: echo, fail with a reason, or stall."""

    def __init__(self) -> None:
        self.records: Counter[str] = Counter()

    async def Echo(self, request: probe_pb2.EchoRequest, context: object) -> probe_pb2.EchoResponse:
        if request.delay_ms:
            await asyncio.sleep(request.delay_ms / 1000)
        if request.fail_with == "DEPENDENCY_DOWN":
            await _call_a_dependency_that_is_down()
        _raise_requested(request.fail_with)
        span = trace.get_current_span().get_span_context()
        remaining = time_remaining()
        return probe_pb2.EchoResponse(
            message=request.message,
            deadline_ms=round(remaining * 1000) if remaining is not None else 0,
            request_id=current_request_id(),
            trace_id=format(span.trace_id, "032x") if span.is_valid else "",
        )

    async def Record(
        self, request: probe_pb2.RecordRequest, context: object
    ) -> probe_pb2.RecordResponse:
        self.records[request.key] += 1
        return probe_pb2.RecordResponse(count=self.records[request.key])

    async def AdminOnly(self, request: object, context: object) -> probe_pb2.AdminOnlyResponse:
        user = current_principal().user
        return probe_pb2.AdminOnlyResponse(subject=user.subject if user else "")

    async def Internal(self, request: object, context: object) -> probe_pb2.InternalResponse:
        return probe_pb2.InternalResponse(service=current_principal().service or "")


async def _call_a_dependency_that_is_down() -> None:
    async with grpc.aio.insecure_channel("127.0.0.1:1") as channel:
        await probe_pb2_grpc.ProbeServiceStub(channel).Record(probe_pb2.RecordRequest(), timeout=1)


def _raise_requested(reason: str) -> None:
    if reason == "BAD_MESSAGE":
        raise InvalidArgument(
            "message is invalid",
            reason=reason,
            domain=DOMAIN,
            violations=[FieldViolation("message", "must not be empty")],
        )
    if reason == "THING_NOT_FOUND":
        raise NotFound("thing 42 not found", reason=reason, domain=DOMAIN, metadata={"id": "42"})
    if reason == "CRASH":
        raise RuntimeError("secret internals")


class HeaderAuthenticator:
    """Test fake of the real interface: `Bearer service:<name>` and `Bearer user:<sub>:<roles>`."""

    async def authenticate(self, metadata: Mapping[str, str], *, audience: str) -> Principal:
        service = _bearer(metadata.get(SERVICE_AUTHORIZATION_KEY), "service")
        user_token = _bearer(metadata.get(USER_AUTHORIZATION_KEY), "user")
        user = None
        if user_token:
            subject, _, roles = user_token.partition(":")
            user = User(subject=subject, roles=frozenset(filter(None, roles.split(","))))
        return Principal(service=service or None, user=user)


def _bearer(value: str | None, kind: str) -> str:
    if value is None:
        return ""
    scheme, _, token = value.partition(" ")
    if scheme.lower() != "bearer" or not token.startswith(f"{kind}:"):
        raise Unauthenticated(f"malformed {kind} token", reason="TOKEN_INVALID", domain=DOMAIN)
    return token.removeprefix(f"{kind}:")


def probe_binding(servicer: ProbeServicer | None = None) -> ServiceBinding:
    """ProbeService bound to `servicer` (default: a new one), for `mesh.server` to serve."""
    return ServiceBinding.of(probe_pb2, probe_pb2_grpc, servicer or ProbeServicer())


def probe_server(
    *, authenticator: Authenticator | None = None, **kwargs: Any
) -> tuple[MeshServer, int, ProbeServicer]:
    """A mesh server for ProbeService on a free port (header authenticator unless given one)."""
    servicer = ProbeServicer()
    server, port = create_server(
        [probe_binding(servicer)],
        service="testing",
        authenticator=authenticator or HeaderAuthenticator(),
        **kwargs,
    )
    return server, port, servicer


@dataclass(frozen=True)
class ProbeProcess:
    """The probe service running as a process of its own, as a service runs."""

    process: subprocess.Popen[bytes]
    port: int
    log: Path  # its stderr: the JSON log lines

    def log_text(self) -> str:
        return self.log.read_text()


@contextlib.contextmanager
def probe_process(directory: Path, *, grace_s: float = 3.0) -> Iterator[ProbeProcess]:
    """Runs this module as a process (port 0, logs to a file in `directory`); kills it after."""
    port_file, log = directory / "port", directory / "probe.log"
    command = [sys.executable, "-m", __name__, "--port-file", str(port_file)]
    with log.open("wb") as stderr:
        process = subprocess.Popen(
            [*command, "--grace", str(grace_s)],
            stderr=stderr,
            env=subprocess_env(),
        )
    try:
        deadline = time.monotonic() + 20
        while not (port_file.exists() and port_file.read_text()):
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"the probe service did not start: {log.read_text()}")
            time.sleep(0.02)
        yield ProbeProcess(process, int(port_file.read_text()), log)
    finally:
        if process.poll() is None:
            process.kill()
        process.wait()


async def _main(port_file: str, grace_s: float) -> None:
    configure_logging("testing")
    server, port, _ = probe_server()
    Path(port_file).write_text(str(port))  # noqa: ASYNC240 - once, before serving
    await serve(server, grace_s=grace_s)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description="Run the test ProbeService until SIGTERM.")
    parser.add_argument("--port-file", required=True)
    parser.add_argument("--grace", type=float, default=5.0)
    args = parser.parse_args()
    asyncio.run(_main(args.port_file, args.grace))
