"""Background loops with the lifecycle `mesh.service` gives its consumers.

`start_service` starts every object in `Built.consumers` after `build`, probes its `check` for
health under its `name`, and stops it (in reverse order) when the service stops. The jobs
service's loops — worker pool, dispatcher, cron lease, cron scheduler — have that interface.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from abc import ABC, abstractmethod

from nats.aio.client import Client as NATS

from mesh.events.health import problem_of

logger = logging.getLogger("meshwork.jobs")


class BackgroundTaskError(Exception):
    """A background loop cannot do its job (stopped, NATS down, or its last round failed)."""


class BackgroundLoop(ABC):
    """Runs `run_once` until stopped, waiting the seconds it returns (or until `notify`).

    A failing round is logged once, reported by `check`, and retried after `retry_after_s`.
    """

    name = "background-loop"
    retry_after_s = 1.0

    def __init__(self, nc: NATS, *, stop_timeout_s: float = 10.0) -> None:
        self._nc = nc
        self._stop_timeout_s = stop_timeout_s
        self._wakeup = asyncio.Event()
        self._stopping = False
        self._task: asyncio.Task[None] | None = None
        self._last_error: BaseException | None = None

    @abstractmethod
    async def run_once(self) -> float:
        """Does one round of work; returns how long to wait before the next one."""

    async def prepare(self) -> None:
        """Declares what the loop needs before its first round (override when needed)."""
        return None

    async def release(self) -> None:
        """Gives back what the loop holds once it stopped (override when needed)."""
        return None

    def notify(self) -> None:
        """Starts the next round now."""
        self._wakeup.set()

    async def start(self) -> None:
        if self._task is not None:
            raise RuntimeError(f"{self.name} is already running")
        await self.prepare()
        self._stopping = False
        self._task = asyncio.create_task(self._run(), name=self.name)

    async def stop(self) -> None:
        """Lets the round in flight finish (cancelled after the stop timeout), then releases."""
        task, self._task = self._task, None
        if task is None:
            return
        self._stopping = True
        self._wakeup.set()
        done, _ = await asyncio.wait({task}, timeout=self._stop_timeout_s)
        if not done:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        await self.release()

    async def check(self) -> None:
        """Health probe: raises `BackgroundTaskError` unless the loop works."""
        problem = problem_of(self._nc, self._task, self._last_error)
        if problem is not None:
            raise BackgroundTaskError(f"{self.name}: {problem}")

    async def _run(self) -> None:
        while not self._stopping:
            self._wakeup.clear()
            try:
                wait_s = await self.run_once()
            except Exception as error:  # keep going: the next round retries
                if self._last_error is None:
                    logger.exception(
                        "%s failed; retrying every %.1fs", self.name, self.retry_after_s
                    )
                self._last_error = error
                wait_s = self.retry_after_s
            else:
                if self._last_error is not None:
                    logger.info("%s recovered", self.name)
                    self._last_error = None
            if wait_s > 0 and not self._stopping:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._wakeup.wait(), wait_s)
