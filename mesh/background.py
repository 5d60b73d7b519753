"""Background loops: the one lifecycle (start, wake, stop, health) every service's loops share.

::

    BackgroundLoopError          a loop cannot do its job (health probe)
     └── mesh.events.health.EventsUnavailableError
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from abc import ABC, abstractmethod
from collections.abc import Iterator
from dataclasses import dataclass

from nats.aio.client import Client as NATS

logger = logging.getLogger("meshwork.background")


class BackgroundLoopError(Exception):
    """A background loop cannot do its job: stopped, NATS down, or its last iteration failed."""


@dataclass(frozen=True, slots=True)
class Backoff:
    """How long a failing loop waits before trying again: after ``n`` failures in a row,
    ``min(max_s, initial_s * multiplier ** (n - 1))``."""

    initial_s: float = 1.0
    max_s: float = 30.0
    multiplier: float = 2.0

    def __post_init__(self) -> None:
        if not 0 < self.initial_s <= self.max_s or self.multiplier < 1:
            raise ValueError("need 0 < initial_s <= max_s and multiplier >= 1")

    def delay_s(self, failures: int) -> float:
        """The wait after `failures` failed iterations in a row (1-based)."""
        return min(self.max_s, self.initial_s * self.multiplier ** max(failures - 1, 0))


class BackgroundLoop(ABC):
    """Runs `run_once` until stopped, waiting the seconds it returns or until `wake`.

    ::

        class Relay(BackgroundLoop):
            async def run_once(self) -> float:
                published = await publish_pending()
                return 0.0 if published == BATCH else POLL_S   # how long to idle

        relay = Relay("outbox-relay", nc=nc)
        await relay.start()   # `prepare`, then iterations in a task
        relay.wake()          # the next iteration starts now
        await relay.stop()    # prompt: the idle wait ends at once; then `release`

    A failing iteration is logged (with its traceback the first time in a row, one line after
    that), kept as `last_error` for the health probe, and retried after a growing delay
    (`backoff`); the next successful iteration clears it. `stop` lets the iteration in flight
    finish, up to `stop_timeout_s`, then cancels it; code in an `interruptible()` block (a
    fetch that only waits for work) is cancelled at once. When `stop` is itself cancelled, the
    loop's task is cancelled too, so no loop outlives its owner.
    """

    #: The error `check` raises; subsystems narrow it (events raise `EventsUnavailableError`).
    unavailable_error: type[BackgroundLoopError] = BackgroundLoopError

    def __init__(
        self,
        name: str,
        *,
        nc: NATS | None = None,
        backoff: Backoff | None = None,
        stop_timeout_s: float = 10.0,
    ) -> None:
        self.name = name
        self._nc = nc
        self._backoff = backoff or Backoff()
        self._stop_timeout_s = stop_timeout_s
        self._wakeup = asyncio.Event()
        self._stopping = False
        self._interruptible = False
        self._task: asyncio.Task[None] | None = None
        self._failures = 0
        self._last_error: BaseException | None = None

    @abstractmethod
    async def run_once(self) -> float:
        """Does one iteration of work; returns how many seconds to idle before the next."""

    async def prepare(self) -> None:
        """Declares what the loop needs before its first iteration (override when needed)."""
        return None

    async def release(self) -> None:
        """Gives back what the loop holds once it stopped (override when needed)."""
        return None

    @property
    def running(self) -> bool:
        """Whether the loop's task is alive."""
        return self._task is not None and not self._task.done()

    @property
    def last_error(self) -> BaseException | None:
        """Why the last iteration failed, or None when it succeeded."""
        return self._last_error

    @property
    def problem(self) -> str | None:
        """What keeps the loop from working, or None when it works."""
        if self._nc is not None and not self._nc.is_connected:
            return "not connected to NATS"
        if not self.running:
            return "not running"
        if self._last_error is not None:
            return f"last attempt failed: {self._last_error!r}"
        return None

    @property
    def healthy(self) -> bool:
        """Whether the loop runs, its connection is up and its last iteration succeeded."""
        return self.problem is None

    async def check(self) -> None:
        """Health probe: raises `unavailable_error` naming the loop unless `healthy`."""
        problem = self.problem
        if problem is not None:
            raise self.unavailable_error(f"{self.name}: {problem}")

    def wake(self) -> None:
        """Starts the next iteration now (or right after the one in flight)."""
        self._wakeup.set()

    async def start(self) -> None:
        """Runs `prepare`, then the iterations in a background task."""
        if self._task is not None:
            raise RuntimeError(f"{self.name} is already running")
        await self.prepare()
        self._stopping = False
        self._task = asyncio.create_task(self._run(), name=self.name)

    async def stop(self) -> None:
        """Ends the loop promptly (the iteration in flight may finish), then `release`."""
        task, self._task = self._task, None
        if task is not None:
            self._stopping = True
            self._wakeup.set()
            if self._interruptible:
                task.cancel()
            try:
                await asyncio.wait({task}, timeout=self._stop_timeout_s)
            finally:  # also when stop itself is cancelled: never leave the task behind
                if not task.done():
                    logger.warning("cancelling the iteration of %s in flight", self.name)
                    task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task
        await self.release()

    @contextlib.contextmanager
    def interruptible(self) -> Iterator[None]:
        """Marks a wait that `stop` may cancel at once (it holds no work half done)."""
        if self._stopping:
            raise asyncio.CancelledError  # stop came first: do not start waiting
        self._interruptible = True
        try:
            yield
        finally:
            self._interruptible = False

    def record_failure(self, error: BaseException) -> None:
        """Notes a failure (of an iteration, or of work the loop started) for logs and health."""
        self._failures += 1
        self._last_error = error
        if self._failures == 1:  # the traceback once; a line per failure after that
            logger.warning("%s failed; retrying with backoff", self.name, exc_info=error)
        else:
            logger.warning("%s failed again (%d in a row): %r", self.name, self._failures, error)

    def record_success(self) -> None:
        """Clears the failure the loop recovered from."""
        if self._last_error is not None:
            logger.info("%s recovered after %d failures", self.name, self._failures)
        self._failures = 0
        self._last_error = None

    async def _run(self) -> None:
        while not self._stopping:
            self._wakeup.clear()
            try:
                wait_s = await self.run_once()
            except Exception as error:  # keep going: the next iteration retries
                self.record_failure(error)
                wait_s = self._backoff.delay_s(self._failures)
            else:
                self.record_success()
            if wait_s > 0 and not self._stopping:
                await self._idle(wait_s)

    async def _idle(self, wait_s: float) -> None:
        """Waits `wait_s` seconds, or less when woken or stopped."""
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._wakeup.wait(), wait_s)
