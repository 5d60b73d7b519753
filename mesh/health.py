"""grpc.health.v1 status driven by dependency probes: NOT_SERVING while one is down."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable, Mapping, Sequence

from grpc_health.v1 import health, health_pb2

logger = logging.getLogger("meshwork.health")

#: A dependency check: returns when the dependency works, raises (or times out) when it does not.
Probe = Callable[[], Awaitable[object]]

SERVING = health_pb2.HealthCheckResponse.SERVING
NOT_SERVING = health_pb2.HealthCheckResponse.NOT_SERVING
#: The health "service" a process answers under when it was given an instance id: a
#: supervisor asks for it to be sure the server on an address is the process it started.
INSTANCE_PREFIX = "meshwork.instance."


def instance_service(instance_id: str) -> str:
    """The health service name that only the process with `instance_id` answers."""
    return f"{INSTANCE_PREFIX}{instance_id}"


class HealthMonitor:
    """Runs the probes on an interval and publishes one status for the server and each service.

    The overall status ("") and every served service go NOT_SERVING together while any probe
    fails, and for good once shutdown starts. `services` may include `instance_service(id)`.
    Before `start()`, `starting()` publishes NOT_SERVING for all (the process is up, its
    dependencies not yet reached); `add()` names more services and probes until then.
    """

    def __init__(
        self,
        services: Sequence[str],
        probes: Mapping[str, Probe],
        *,
        interval_s: float = 2.0,
        probe_timeout_s: float = 1.0,
    ) -> None:
        self.servicer = health.aio.HealthServicer()
        self._names = ["", *services]
        self._probes = dict(probes)
        self._interval_s = interval_s
        self._probe_timeout_s = probe_timeout_s
        self._failing: dict[str, str] = {}
        self._task: asyncio.Task[None] | None = None
        self._serving: bool | None = None

    @property
    def failing(self) -> Mapping[str, str]:
        """The dependencies down at the last check, with what went wrong."""
        return dict(self._failing)

    async def check(self) -> bool:
        """Runs every probe once, updates the published status and says whether all passed."""
        results = await asyncio.gather(*(self._run(name, p) for name, p in self._probes.items()))
        self._failing = {name: error for name, error in results if error is not None}
        await self._publish(not self._failing)
        return not self._failing

    async def starting(self) -> None:
        """Publishes NOT_SERVING for every name while the process waits for its dependencies
        (grpc's health servicer would otherwise answer SERVING for the server as a whole)."""
        for name in self._names:
            await self.servicer.set(name, NOT_SERVING)

    def add(self, services: Sequence[str], probes: Mapping[str, Probe]) -> None:
        """More services to answer for and probes to run, before `start()`."""
        self._names += [name for name in services if name not in self._names]
        self._probes |= probes

    async def start(self) -> None:
        """Checks once now, then keeps checking in the background."""
        await self.check()
        self._task = asyncio.create_task(self._loop(), name="health-monitor")

    async def shutdown(self) -> None:
        """Stops probing and reports NOT_SERVING for good (before the server stops)."""
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
        await self.servicer.enter_graceful_shutdown()

    async def _loop(self) -> None:
        while True:
            await asyncio.sleep(self._interval_s)
            await self.check()

    async def _run(self, name: str, probe: Probe) -> tuple[str, str | None]:
        try:
            async with asyncio.timeout(self._probe_timeout_s):
                await probe()
        except Exception as error:  # any failure means the dependency is not usable
            return name, f"{type(error).__name__}: {error}" if str(error) else type(error).__name__
        return name, None

    async def _publish(self, serving: bool) -> None:
        if serving != self._serving:
            if serving:
                logger.info("serving: all dependencies up")
            else:
                logger.warning("not serving: dependencies down", extra={"down": self._failing})
            self._serving = serving
        for name in self._names:
            await self.servicer.set(name, SERVING if serving else NOT_SERVING)
