"""Keeps a local stack's processes running: a process that dies is reported at once, with the
end of its log, and started again with backoff; one that keeps dying is given up on, loudly.
A running process is replaced without a gap by handing its port over to a successor."""

from __future__ import annotations

import asyncio
import signal
import subprocess
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from mesh.stack import CommandHandler

#: Waits before each restart of a process that died: at once first, then longer.
RESTART_DELAYS_S = (0.0, 1.0, 2.0, 4.0, 8.0)
#: A process that dies this many times within `CRASH_WINDOW_S` is given up on.
MAX_CRASHES = 5
CRASH_WINDOW_S = 60.0
LOG_TAIL_LINES = 12
#: How long a replaced process may take to drain and exit after SIGTERM before it is killed.
DRAIN_TIMEOUT_S = 20.0
_POLL_S = 0.1


class Child(Protocol):
    """A supervised process: its name, its log, and the Popen of its current run."""

    name: str
    log_path: Path
    process: subprocess.Popen[bytes] | None


@dataclass
class _Record:
    crashes: list[float] = field(default_factory=list)
    given_up: bool = False


class Supervisor:
    """Watches `children`; `restart(child)` starts one again (a new Popen on `child.process`).

    `report` receives every line meant for the person running the stack; `on_restarted` runs
    after each restart (the stack file is rewritten there).
    """

    def __init__(
        self,
        children: Sequence[Child],
        *,
        restart: Callable[[Child], None],
        report: Callable[[str], None] = print,
        on_restarted: Callable[[Child], None] = lambda child: None,
        delays_s: Sequence[float] = RESTART_DELAYS_S,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._children = list(children)
        self._delays_s = tuple(delays_s)
        self._restart = restart
        self._report = report
        self._on_restarted = on_restarted
        self._clock = clock
        self._records = {child.name: _Record() for child in self._children}
        self._replacing: set[str] = set()

    def given_up(self) -> list[str]:
        return [name for name, record in self._records.items() if record.given_up]

    async def hand_over(
        self,
        child: Child,
        successor: Callable[[Child], Awaitable[subprocess.Popen[bytes]]],
        *,
        drain_timeout_s: float = DRAIN_TIMEOUT_S,
    ) -> subprocess.Popen[bytes]:
        """Replaces `child`'s running process with no moment where nothing serves.

        `successor(child)` starts the new process beside the old one (on the same port,
        shared) and returns it once it serves, or raises (then the old one keeps serving).
        Then `child` is the new process, and the old one is sent SIGTERM: it stops taking
        connections, finishes its calls and exits (killed after `drain_timeout_s`). Returns
        the old process, exited.
        """
        if child.name in self._replacing:
            raise RuntimeError(f"{child.name} is already being replaced")
        old = child.process
        if old is None or old.poll() is not None:
            raise RuntimeError(f"{child.name} is not running (the supervisor restarts it)")
        self._replacing.add(child.name)
        try:
            new = await successor(child)
            child.process = new
            self._on_restarted(child)
            old.send_signal(signal.SIGTERM)
            deadline = self._clock() + drain_timeout_s
            while old.poll() is None:
                if self._clock() > deadline:
                    self._report(f"!! {child.name}'s old process did not drain in time; killed")
                    old.kill()
                    deadline = float("inf")
                await asyncio.sleep(_POLL_S)
        finally:
            self._replacing.discard(child.name)
        return old

    async def run(self) -> None:
        """Until cancelled: restarts each child that dies (concurrently, each on its delay)."""
        restarting: dict[str, asyncio.Task[None]] = {}
        try:
            while True:
                for child in self._children:
                    if (
                        child.name in restarting
                        or child.name in self._replacing
                        or self._records[child.name].given_up
                    ):
                        continue
                    if child.process is not None and child.process.poll() is not None:
                        restarting[child.name] = asyncio.create_task(self._revive(child))
                for name in [n for n, task in restarting.items() if task.done()]:
                    restarting.pop(name).result()
                await asyncio.sleep(_POLL_S)
        finally:
            for task in restarting.values():
                task.cancel()

    async def _revive(self, child: Child) -> None:
        assert child.process is not None
        record = self._records[child.name]
        now = self._clock()
        record.crashes = [t for t in record.crashes if now - t < CRASH_WINDOW_S] + [now]
        self._report(_death_notice(child, child.process.returncode))
        if len(record.crashes) >= MAX_CRASHES:
            record.given_up = True
            self._report(
                f"!! {child.name} died {len(record.crashes)} times within {CRASH_WINDOW_S:.0f} s;"
                f" giving up on it (the rest of the stack keeps running). See {child.log_path}"
            )
            return
        delay = self._delays_s[min(len(record.crashes), len(self._delays_s)) - 1]
        await asyncio.sleep(delay)
        self._restart(child)
        self._on_restarted(child)
        self._report(f"   {child.name} restarted (attempt {len(record.crashes)})")


def restart_commands(
    supervisor: Supervisor,
    children: Sequence[Child],
    successor: Callable[[Child], Awaitable[subprocess.Popen[bytes]]],
    *,
    report: Callable[[str], None],
) -> CommandHandler:
    """The stack's commands (`mesh.stack.control_server`): `restart [NAME ...]` hands each
    named child (every one when none is named) over to its `successor`, one after the other;
    each line said is also reported."""
    by_name = {child.name: child for child in children}
    one_at_a_time = asyncio.Lock()

    async def handle(command: str, say: Callable[[str], None]) -> bool:
        def tell(line: str) -> None:
            say(line)
            report(line)

        verb, *names = command.split() or [""]
        if verb != "restart":
            say(f"unknown command {command!r}; the stack knows: restart [NAME ...]")
            return False
        unknown = [name for name in names if name not in by_name]
        if unknown:
            say(f"no service {', '.join(unknown)} to restart; there are: {', '.join(by_name)}")
            return False
        async with one_at_a_time:
            for name in names or list(by_name):
                if not await _hand_over(supervisor, by_name[name], successor, tell):
                    return False
        return True

    return handle


async def _hand_over(
    supervisor: Supervisor,
    service: Child,
    successor: Callable[[Child], Awaitable[subprocess.Popen[bytes]]],
    tell: Callable[[str], None],
) -> bool:
    tell(f"   restarting {service.name}: its successor starts beside it")
    started = time.monotonic()
    try:
        old = await supervisor.hand_over(service, successor)
    except (RuntimeError, TimeoutError) as error:
        tell(f"!! {service.name} not restarted ({error}); the running process keeps serving")
        return False
    assert service.process is not None
    tell(
        f"   {service.name} restarted: pid {old.pid} → {service.process.pid}"
        f" in {time.monotonic() - started:.1f} s (old process exited {old.returncode})"
    )
    return True


def _death_notice(child: Child, code: int | None) -> str:
    how = f"was killed by signal {-code}" if code is not None and code < 0 else f"exited ({code})"
    lines = [f"!! {child.name} {how}; the end of {child.log_path}:"]
    lines += [f"   | {line}" for line in tail(child.log_path, LOG_TAIL_LINES)]
    return "\n".join(lines)


def tail(path: Path, count: int) -> list[str]:
    """The last `count` lines of a text file (read from its end: logs grow large)."""
    try:
        with path.open("rb") as file:
            file.seek(0, 2)
            size = file.tell()
            file.seek(max(0, size - 64 * 1024))
            data = file.read()
    except OSError:
        return []
    return data.decode(errors="replace").splitlines()[-count:]
