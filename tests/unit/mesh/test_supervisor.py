"""The local stack's supervisor: a dead process is reported with its log and started again;
one that keeps dying is given up on."""

from __future__ import annotations

import asyncio
import signal
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from mesh.supervisor import MAX_CRASHES, Child, Supervisor, restart_commands, tail
from tests.support.waiting import eventually


@dataclass
class FakeChild:
    name: str
    log_path: Path
    command: list[str]
    process: subprocess.Popen[bytes] | None = None
    starts: int = field(default=0)

    def start(self) -> None:
        self.starts += 1
        with self.log_path.open("ab") as log:
            self.process = subprocess.Popen(self.command, stdout=log, stderr=log)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait()


async def supervise(children: list[FakeChild], reports: list[str]) -> asyncio.Task[None]:
    for child in children:
        child.start()
    supervisor = Supervisor(
        children, restart=lambda c: c.start(), report=reports.append, delays_s=(0.0, 0.05)
    )
    return asyncio.create_task(supervisor.run())


async def test_a_killed_process_is_reported_with_its_log_and_started_again(tmp_path: Path) -> None:
    script = "import sys, time; print('users ready', flush=True); time.sleep(60)"
    child = FakeChild("users", tmp_path / "users.log", [sys.executable, "-c", script])
    reports: list[str] = []
    task = await supervise([child], reports)
    try:
        await eventually(lambda: "users ready" in child.log_path.read_text())
        assert child.process is not None
        child.process.send_signal(signal.SIGKILL)
        await eventually(lambda: child.starts == 2)
        assert child.process.poll() is None  # running again
        notice = reports[0]
        assert notice.startswith("!! users was killed by signal 9;")
        assert "| users ready" in notice
        await eventually(lambda: any("users restarted" in r for r in reports))
    finally:
        task.cancel()
        child.stop()


async def test_a_process_that_keeps_dying_is_given_up_on_and_the_others_run_on(
    tmp_path: Path,
) -> None:
    crashing = FakeChild(
        "jobs", tmp_path / "jobs.log",
        [sys.executable, "-c", "import sys; print('bad config'); sys.exit(3)"],
    )  # fmt: skip
    steady = FakeChild(
        "users", tmp_path / "users.log", [sys.executable, "-c", "import time; time.sleep(60)"]
    )
    reports: list[str] = []
    task = await supervise([crashing, steady], reports)
    try:
        await eventually(lambda: any("giving up on it" in r for r in reports))
        assert crashing.starts == MAX_CRASHES
        assert "!! jobs exited (3)" in reports[0] and "| bad config" in reports[0]
        assert steady.starts == 1 and steady.process is not None and steady.process.poll() is None
    finally:
        task.cancel()
        steady.stop()


def test_tail_reads_the_last_lines_of_a_log(tmp_path: Path) -> None:
    log = tmp_path / "x.log"
    log.write_text("".join(f"line {i}\n" for i in range(10_000)))
    assert tail(log, 2) == ["line 9998", "line 9999"]
    assert tail(tmp_path / "missing.log", 5) == []


DRAINING = (
    "import signal, sys, time\n"
    "signal.signal(signal.SIGTERM, lambda *_: (print('draining', flush=True), sys.exit(0)))\n"
    "print('serving', flush=True)\n"
    "time.sleep(60)\n"
)


def _start_draining(log_path: Path) -> subprocess.Popen[bytes]:
    with log_path.open("ab") as log:
        return subprocess.Popen([sys.executable, "-c", DRAINING], stdout=log, stderr=log)


async def test_a_handed_over_process_is_stopped_with_sigterm_only_once_its_successor_serves(
    tmp_path: Path,
) -> None:
    child = FakeChild("users", tmp_path / "users.log", [sys.executable, "-c", DRAINING])
    reports: list[str] = []
    child.start()
    supervisor = Supervisor([child], restart=lambda c: c.start(), report=reports.append)
    task = asyncio.create_task(supervisor.run())
    old = child.process
    assert old is not None
    await eventually(lambda: "serving" in child.log_path.read_text())

    async def successor(replaced: object) -> subprocess.Popen[bytes]:
        assert old.poll() is None  # the old one serves while its successor starts
        return _start_draining(child.log_path)

    try:
        exited = await supervisor.hand_over(child, successor)
        assert exited is old and old.returncode == 0  # it drained and exited on SIGTERM
        assert "draining" in child.log_path.read_text()
        assert child.process is not old and child.process is not None
        assert child.process.poll() is None
        assert child.starts == 1  # the watching supervisor did not take the exit for a crash
        assert not any("exited" in report for report in reports)
    finally:
        task.cancel()
        child.stop()


async def test_a_successor_that_fails_to_serve_leaves_the_old_process_serving(
    tmp_path: Path,
) -> None:
    child = FakeChild("users", tmp_path / "users.log", [sys.executable, "-c", DRAINING])
    child.start()
    supervisor = Supervisor([child], restart=lambda c: c.start(), report=lambda line: None)

    async def successor(replaced: object) -> subprocess.Popen[bytes]:
        raise TimeoutError("not ready after 30 s: users")

    try:
        with pytest.raises(TimeoutError):
            await supervisor.hand_over(child, successor)
        assert child.process is not None and child.process.poll() is None
        with pytest.raises(RuntimeError, match="not running"):
            child.stop()
            await supervisor.hand_over(child, successor)
    finally:
        child.stop()


async def test_restart_commands_name_what_they_cannot_restart(tmp_path: Path) -> None:
    child = FakeChild("users", tmp_path / "users.log", [sys.executable, "-c", DRAINING])
    supervisor = Supervisor([child], restart=lambda c: c.start(), report=lambda line: None)

    async def successor(replaced: object) -> subprocess.Popen[bytes]:
        raise AssertionError("nothing is to be restarted")

    handle = restart_commands(supervisor, [child], successor, report=lambda line: None)
    said: list[str] = []
    assert not await handle("restart users edge", said.append)
    assert not await handle("reboot", said.append)
    assert said == [
        "no service edge to restart; there are: users",
        "unknown command 'reboot'; the stack knows: restart [NAME ...]",
    ]


async def test_a_restart_command_hands_each_child_over_in_turn(tmp_path: Path) -> None:
    children = [
        FakeChild(name, tmp_path / f"{name}.log", [sys.executable, "-c", DRAINING])
        for name in ("identity", "users")
    ]
    for child in children:
        child.start()
    supervisor = Supervisor(children, restart=lambda c: c.start(), report=lambda line: None)
    order: list[str] = []

    async def successor(replaced: Child) -> subprocess.Popen[bytes]:
        order.append(replaced.name)
        return _start_draining(replaced.log_path)

    reported: list[str] = []
    handle = restart_commands(supervisor, children, successor, report=reported.append)
    said: list[str] = []
    try:
        assert await handle("restart", said.append)
        assert order == ["identity", "users"]
        assert said == reported
        assert [line.split()[0] for line in said if "restarted:" in line] == order
    finally:
        for child in children:
            child.stop()
