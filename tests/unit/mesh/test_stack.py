"""`.meshwork/stack.json` and the locks that keep local stacks apart."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from mesh.stack import (
    Stack,
    StackAlreadyRunningError,
    StackProcess,
    checkout_lock,
    control_server,
    control_socket,
    ports_lock,
    send_command,
)
from tests.support import subprocess_env


def running_stack() -> Stack:
    return Stack(
        supervisor_pid=os.getpid(),
        nats_url="nats://127.0.0.1:4222",
        processes=[StackProcess("users", 1234, "127.0.0.1:50052", "users.log", "i-1")],
    )


def test_the_stack_file_says_where_each_process_listens(tmp_path: Path) -> None:
    running_stack().write(tmp_path)
    stack = Stack.read(tmp_path)
    assert stack is not None
    assert stack.address_of("users") == "127.0.0.1:50052"
    with pytest.raises(KeyError, match="runs no 'jobs' \\(it runs: users\\)"):
        stack.address_of("jobs")


def test_a_stack_whose_supervisor_is_gone_is_not_running(tmp_path: Path) -> None:
    gone = subprocess.Popen([sys.executable, "-c", "pass"])
    gone.wait()
    stack = running_stack()
    stack.supervisor_pid = gone.pid
    stack.write(tmp_path)
    assert Stack.read(tmp_path) is None


def test_a_second_stack_in_one_checkout_is_refused_naming_the_first(tmp_path: Path) -> None:
    with checkout_lock(tmp_path):
        running_stack().write(tmp_path)
        refused = pytest.raises(StackAlreadyRunningError, match=f"supervisor pid {os.getpid()}")
        with refused, checkout_lock(tmp_path):
            pass
    assert not (tmp_path / "stack.json").exists()  # the stack file goes with the stack
    with checkout_lock(tmp_path):  # and the checkout is free again
        pass


def test_the_ports_lock_is_taken_by_one_stack_at_a_time(tmp_path: Path) -> None:
    script = "from mesh.stack import ports_lock\nwith ports_lock(timeout_s=0.2): pass"
    with ports_lock():
        other = subprocess.run(
            [sys.executable, "-c", script], capture_output=True, text=True, env=subprocess_env()
        )
    assert other.returncode != 0
    assert "choosing its ports for too long" in other.stderr


def test_the_address_command_prints_where_a_process_listens(tmp_path: Path) -> None:
    running_stack().write(tmp_path)
    env = subprocess_env(MESHWORK_STATE_DIR=str(tmp_path))
    command = [sys.executable, "-m", "mesh.stack", "address"]
    found = subprocess.run([*command, "users"], capture_output=True, text=True, env=env)
    assert (found.returncode, found.stdout.strip()) == (0, "127.0.0.1:50052")
    missing = subprocess.run([*command, "jobs"], capture_output=True, text=True, env=env)
    assert missing.returncode == 2 and "runs no 'jobs'" in missing.stderr


async def test_a_command_sent_to_the_stack_is_answered_line_by_line(tmp_path: Path) -> None:
    async def handle(command: str, say: Callable[[str], None]) -> bool:
        if command != "restart users":
            say(f"unknown command {command!r}")
            return False
        say("restarting users")
        say("users restarted")
        return True

    async with control_server(tmp_path, handle) as path:
        assert path.stat().st_mode & 0o777 == 0o600
        said: list[str] = []
        assert await asyncio.to_thread(send_command, tmp_path, "restart users", out=said.append)
        assert said == ["restarting users", "users restarted"]
        refused: list[str] = []
        assert not await asyncio.to_thread(send_command, tmp_path, "reboot", out=refused.append)
        assert refused == ["unknown command 'reboot'"]
    assert not path.exists()


def test_the_control_socket_of_a_deep_state_folder_is_kept_short(tmp_path: Path) -> None:
    deep = tmp_path / ("x" * 120)
    assert control_socket(tmp_path) == tmp_path / "control.sock"
    assert len(os.fsencode(control_socket(deep))) < 100
    assert control_socket(deep) != control_socket(tmp_path / ("y" * 120))
