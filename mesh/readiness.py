"""Waits until processes of a local stack are ready: gRPC services SERVING, then the edge.

    python -m mesh.readiness --grpc users=127.0.0.1:50052 ... --http edge=127.0.0.1:8080

prints `serving` once every gRPC service reports SERVING (grpc.health.v1), then `ready` once
every HTTP address answers GET /healthz with 200, and exits 0; it exits 1 naming what was
not ready when `--timeout` passes. A target may name the instance it must be
(`users=127.0.0.1:50052@<instance id>`): then only the process started with that
`MESHWORK_INSTANCE_ID` counts, never another that happens to answer on the address.
`make up`'s supervisor runs it as a child process, so the supervisor itself, alive as long
as the stack, keeps neither grpc nor httpx in memory: they are imported by the checks, not
with this module (the supervisor reads its constants).
"""

from __future__ import annotations

import argparse
import asyncio
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Protocol

#: What the probe prints when the gRPC services serve, and when everything is ready.
SERVING = "serving"
READY = "ready"
_POLL_S = 0.1


async def serving(target: str, *, deadline: float) -> bool:
    """Whether the gRPC server at `target` (`host:port[@instance]`) reports SERVING, for that
    instance when one is named, before `deadline` (monotonic).

    A named instance is asked over a new connection each time: while a successor shares the
    port with the process it replaces (SO_REUSEPORT), each connection reaches one of the two.
    """
    import grpc
    from grpc_health.v1 import health_pb2, health_pb2_grpc

    from mesh.health import instance_service

    address, _, instance = target.partition("@")
    request = health_pb2.HealthCheckRequest(service=instance_service(instance) if instance else "")
    # A channel of its own: grpc would otherwise share one connection between the channels.
    options = [("grpc.use_local_subchannel_pool", 1)]
    channel = grpc.aio.insecure_channel(address, options=options)
    try:
        while time.monotonic() < deadline:
            try:
                reply = await health_pb2_grpc.HealthStub(channel).Check(request, timeout=1)
                if reply.status == health_pb2.HealthCheckResponse.SERVING:
                    return True
            except grpc.aio.AioRpcError:
                pass  # not listening yet, starting, or another process (NOT_FOUND: not ours)
            if instance:
                await channel.close()
                channel = grpc.aio.insecure_channel(address, options=options)
            await asyncio.sleep(_POLL_S)
    finally:
        await channel.close()
    return False


async def healthy(target: str, *, deadline: float) -> bool:
    """Whether GET http://`address`/healthz answers 200 (naming the instance, when `target` is
    `host:port@instance`) before `deadline` (monotonic)."""
    import httpx

    address, _, instance = target.partition("@")
    async with httpx.AsyncClient(base_url=f"http://{address}", timeout=1) as client:
        while time.monotonic() < deadline:
            try:
                reply = await client.get("/healthz")
                if reply.status_code == 200 and (
                    not instance or reply.json().get("instance") == instance
                ):
                    return True
            except (httpx.TransportError, ValueError):
                pass  # not listening yet, or not an answer of ours
            await asyncio.sleep(_POLL_S)
    return False


async def wait(grpc_targets: dict[str, str], http_targets: dict[str, str], timeout_s: float) -> int:
    """Prints SERVING once every gRPC target serves, then READY once every HTTP target is
    healthy: 0; or names on stderr those late when `timeout_s` has passed: 1."""
    deadline = time.monotonic() + timeout_s
    for targets, check, done in ((grpc_targets, serving, SERVING), (http_targets, healthy, READY)):
        results = await asyncio.gather(
            *(check(address, deadline=deadline) for address in targets.values())
        )
        late = [name for name, ok in zip(targets, results, strict=True) if not ok]
        if late:
            print(f"not ready after {timeout_s:.0f} s: {', '.join(late)}", file=sys.stderr)
            return 1
        print(done, flush=True)
    return 0


class ReadinessProbe:
    """This module run as a child process (`make up`'s side of it), watching the services,
    then the edge (started with the services, so its imports cost no time); fails fast if
    a watched process exits."""

    def __init__(self, services: Sequence[Watched], edge: Watched | None, *, logs: Path) -> None:
        self._services = services
        self._edge = edge
        self._logs = logs
        self._watched = list(services)
        self._probe: asyncio.subprocess.Process | None = None

    async def start(self, *, timeout_s: float) -> None:
        grpc_targets = [f"{service.name}={service.target}" for service in self._services]
        http_targets = [f"{self._edge.name}={self._edge.target}"] if self._edge else []
        self._probe = await asyncio.create_subprocess_exec(
            sys.executable, "-m", __name__, "--timeout", str(timeout_s),
            "--grpc", *grpc_targets, "--http", *http_targets,
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
        )  # fmt: skip

    async def wait_for(self, line: str) -> None:
        """Until the probe prints `line`; raises when a watched process or the probe gives up."""
        assert self._probe is not None and self._probe.stdout is not None
        reading = asyncio.ensure_future(self._probe.stdout.readline())
        try:
            while True:
                done, _ = await asyncio.wait({reading}, timeout=0.1)
                if done:
                    break
                self._check_watched()
        finally:
            reading.cancel()
        if reading.result().decode().strip() != line:
            self._check_watched()
            await self._probe.wait()
            assert self._probe.stderr is not None
            reason = (await self._probe.stderr.read()).decode().strip() or "readiness probe failed"
            raise TimeoutError(f"{reason}; see the logs in {self._logs}")

    async def finished(self) -> None:
        """Until the probe has exited (after READY): nothing of it is left running."""
        assert self._probe is not None
        await self._probe.wait()

    def watch(self, process: Watched) -> None:
        self._watched.append(process)

    def _check_watched(self) -> None:
        for service in self._watched:
            assert service.process is not None
            if service.process.poll() is not None:
                raise RuntimeError(f"{service.name} exited; see {service.log_path}")

    def stop(self) -> None:
        if self._probe is not None and self._probe.returncode is None:
            self._probe.kill()


class Watched(Protocol):
    """A process the probe waits for: its name, log, Popen and `host:port@instance`."""

    name: str
    log_path: Path
    process: subprocess.Popen[bytes] | None

    @property
    def target(self) -> str: ...


def parse_targets(pairs: list[str]) -> dict[str, str]:
    """`name=host:port` pairs as a mapping."""
    targets = {}
    for pair in pairs:
        name, separator, address = pair.partition("=")
        if not separator or not name or not address:
            raise SystemExit(f"expected name=host:port[@instance], got {pair!r}")
        targets[name] = address
    return targets


def main() -> int:
    parser = argparse.ArgumentParser(
        prog="python -m mesh.readiness", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument("--grpc", nargs="*", default=[], metavar="NAME=HOST:PORT[@INSTANCE]")
    parser.add_argument("--http", nargs="*", default=[], metavar="NAME=HOST:PORT[@INSTANCE]")
    parser.add_argument("--timeout", type=float, default=30.0, metavar="SECONDS")
    args = parser.parse_args()
    return asyncio.run(wait(parse_targets(args.grpc), parse_targets(args.http), args.timeout))


if __name__ == "__main__":
    sys.exit(main())
