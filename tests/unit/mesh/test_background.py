"""The background loop's lifecycle: start, wake, stop, failures with backoff, and health."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass

import pytest

from mesh.background import BackgroundLoop, BackgroundLoopError, Backoff
from tests.support.waiting import eventually

#: Long enough that a test never sees an idle wait end by itself.
IDLE_S = 60.0
#: Retries come at once, so failing tests need no real waiting.
NO_WAIT = Backoff(initial_s=0.001, max_s=0.001)


class Iterations(BackgroundLoop):
    """Counts its iterations; each one runs `work` (which may fail or block) first."""

    def __init__(self, work: Callable[[], object] | None = None, **options: object) -> None:
        options.setdefault("backoff", NO_WAIT)
        super().__init__("test-loop", **options)  # type: ignore[arg-type]
        self.work = work
        self.count = 0
        self.released = False

    async def run_once(self) -> float:
        self.count += 1
        if self.work is not None:
            result = self.work()
            if asyncio.iscoroutine(result):
                await result
        return IDLE_S

    async def release(self) -> None:
        self.released = True


@dataclass
class FakeNats:
    is_connected: bool = True


@pytest.fixture
async def loops() -> AsyncIterator[list[BackgroundLoop]]:
    """Loops a test starts; stopped afterwards even when the test fails half way."""
    started: list[BackgroundLoop] = []
    yield started
    for loop in started:
        await loop.stop()


async def started(loops: list[BackgroundLoop], loop: Iterations) -> Iterations:
    await loop.start()
    loops.append(loop)
    return loop


# Start, wake, stop


async def test_a_started_loop_runs_an_iteration_then_idles_until_woken(loops) -> None:
    loop = await started(loops, Iterations())
    await eventually(lambda: loop.count == 1)

    loop.wake()

    await eventually(lambda: loop.count == 2)
    assert loop.running and loop.healthy


async def test_stop_ends_an_idle_wait_at_once_and_releases(loops) -> None:
    loop = await started(loops, Iterations())
    await eventually(lambda: loop.count == 1)

    async with asyncio.timeout(1):  # far less than the idle wait
        await loop.stop()

    assert not loop.running and loop.released
    with pytest.raises(BackgroundLoopError, match="test-loop: not running"):
        await loop.check()


async def test_a_loop_cannot_be_started_twice(loops) -> None:
    loop = await started(loops, Iterations())

    with pytest.raises(RuntimeError, match="test-loop is already running"):
        await loop.start()


# Stop during an iteration


async def test_stop_lets_the_iteration_in_flight_finish(loops) -> None:
    entered, finish, finished = asyncio.Event(), asyncio.Event(), []

    async def work() -> None:
        entered.set()
        await finish.wait()
        finished.append(True)

    loop = await started(loops, Iterations(work))
    await entered.wait()
    stopping = asyncio.create_task(loop.stop())
    for _ in range(5):
        await asyncio.sleep(0)  # let stop() reach its wait for the iteration
    assert not stopping.done()

    finish.set()
    await stopping

    assert finished == [True] and loop.count == 1


async def test_an_iteration_outlasting_the_stop_timeout_is_cancelled(loops) -> None:
    entered = asyncio.Event()

    async def work() -> None:
        entered.set()
        await asyncio.Event().wait()  # never finishes by itself

    loop = await started(loops, Iterations(work, stop_timeout_s=0.05))
    await entered.wait()

    async with asyncio.timeout(5):
        await loop.stop()

    assert not loop.running and loop.released


async def test_an_interruptible_wait_is_cancelled_at_once(loops) -> None:
    entered = asyncio.Event()

    async def work() -> None:
        with loop.interruptible():
            entered.set()
            await asyncio.Event().wait()  # a fetch waiting for messages

    loop = Iterations(work, stop_timeout_s=IDLE_S)
    await started(loops, loop)
    await entered.wait()

    async with asyncio.timeout(1):
        await loop.stop()

    assert not loop.running


async def test_a_cancelled_stop_still_cancels_the_loop(loops) -> None:
    entered = asyncio.Event()

    async def work() -> None:
        entered.set()
        await asyncio.Event().wait()

    loop = await started(loops, Iterations(work, stop_timeout_s=IDLE_S))
    await entered.wait()
    task = loop._task
    assert task is not None

    stopping = asyncio.create_task(loop.stop())
    await asyncio.sleep(0)
    stopping.cancel()
    with pytest.raises(asyncio.CancelledError):
        await stopping

    assert task.done()


# Failures


async def test_a_failure_is_reported_until_an_iteration_succeeds(loops) -> None:
    failing = [True]

    def work() -> None:
        if failing[0]:
            raise ConnectionError("database is down")

    loop = await started(loops, Iterations(work))
    await eventually(lambda: loop.last_error is not None)
    assert not loop.healthy
    with pytest.raises(BackgroundLoopError, match="last attempt failed: ConnectionError"):
        await loop.check()

    failing[0] = False
    await eventually(lambda: loop.last_error is None)
    await loop.check()


async def test_a_failing_loop_logs_one_traceback_then_one_line_per_failure(
    loops, caplog: pytest.LogCaptureFixture
) -> None:
    def work() -> None:
        raise ConnectionError("database is down")

    caplog.set_level(logging.WARNING, logger="meshwork.background")
    loop = await started(loops, Iterations(work))
    await eventually(lambda: loop.count >= 3)
    await loop.stop()

    records = [r for r in caplog.records if r.name == "meshwork.background"]
    assert len(records) == loop.count  # one record per failure, not more
    assert records[0].exc_info is not None
    assert all(r.exc_info is None for r in records[1:])
    assert "3 in a row" in records[2].getMessage()


class RecordedIdling(Iterations):
    """Records how long it would idle after each iteration, and does not."""

    def __init__(self, work: Callable[[], object], **options: object) -> None:
        super().__init__(work, **options)
        self.idled: list[float] = []

    async def _idle(self, wait_s: float) -> None:
        self.idled.append(wait_s)
        await asyncio.sleep(0)


async def test_failures_back_off_longer_each_time_and_success_resets_it(loops) -> None:
    outcomes = [ConnectionError("down")] * 4 + [None, ConnectionError("down again")]

    def work() -> None:
        outcome = outcomes.pop(0) if outcomes else None
        if outcome is not None:
            raise outcome

    loop = RecordedIdling(work, backoff=Backoff(initial_s=1.0, max_s=4.0))
    await started(loops, loop)
    await eventually(lambda: len(loop.idled) >= 7)

    assert loop.idled[:7] == [1.0, 2.0, 4.0, 4.0, IDLE_S, 1.0, IDLE_S]


def test_backoff_doubles_up_to_its_bound() -> None:
    backoff = Backoff(initial_s=1.0, max_s=5.0)

    assert [backoff.delay_s(n) for n in range(1, 6)] == [1.0, 2.0, 4.0, 5.0, 5.0]


@pytest.mark.parametrize(
    "options", [{"initial_s": 0}, {"initial_s": 2.0, "max_s": 1.0}, {"multiplier": 0.5}]
)
def test_backoff_refuses_settings_that_cannot_work(options: dict[str, float]) -> None:
    with pytest.raises(ValueError, match="initial_s"):
        Backoff(**options)


# Health


async def test_a_loop_on_nats_is_unhealthy_while_nats_is_disconnected(loops) -> None:
    nats = FakeNats()
    loop = await started(loops, Iterations(nc=nats))
    await eventually(lambda: loop.count == 1)
    await loop.check()

    nats.is_connected = False

    with pytest.raises(BackgroundLoopError, match="not connected to NATS"):
        await loop.check()
