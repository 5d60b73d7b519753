"""What a running `make up` started, in `.meshwork/stack.json`, and the locks that keep stacks
apart: one stack per checkout, and one stack at a time choosing its ports on a machine.

    python -m mesh.stack                 # every process: name, pid, address, log
    python -m mesh.stack address users   # where users listens (for grpcurl and scripts)
"""

from __future__ import annotations

import argparse
import contextlib
import fcntl
import json
import os
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import IO

from mesh.environment import state_dir

STACK_FILE = "stack.json"
_CHECKOUT_LOCK = "stack.lock"
#: Shared by every checkout on the machine: held while a stack picks its ports and until its
#: processes have bound them, so two stacks started at the same moment never pick the same.
_PORTS_LOCK = Path(tempfile.gettempdir()) / "meshwork-ports.lock"


@dataclass(frozen=True, slots=True)
class StackProcess:
    """One process of a running stack."""

    name: str
    pid: int
    address: str
    log: str
    instance: str = ""


@dataclass(slots=True)
class Stack:
    """A running stack: its supervisor, NATS and every process it started."""

    supervisor_pid: int
    nats_url: str
    processes: list[StackProcess] = field(default_factory=list)

    def address_of(self, name: str) -> str:
        for process in self.processes:
            if process.name == name:
                return process.address
        running = ", ".join(p.name for p in self.processes) or "none"
        raise KeyError(f"the stack runs no {name!r} (it runs: {running})")

    def write(self, directory: Path) -> None:
        """Replaces the stack file at once (readers never see half of it)."""
        target = directory / STACK_FILE
        partial = target.with_suffix(".tmp")
        partial.write_text(json.dumps(asdict(self), indent=2))
        partial.replace(target)

    @classmethod
    def read(cls, directory: Path) -> Stack | None:
        """The stack running from `directory`, or None when none is (no file, or its
        supervisor is gone)."""
        path = directory / STACK_FILE
        try:
            data = json.loads(path.read_text())
        except (OSError, ValueError):
            return None
        stack = cls(
            supervisor_pid=int(data["supervisor_pid"]),
            nats_url=str(data["nats_url"]),
            processes=[StackProcess(**process) for process in data["processes"]],
        )
        return stack if _alive(stack.supervisor_pid) else None


class StackAlreadyRunningError(RuntimeError):
    """Another `make up` runs from this checkout."""


@contextlib.contextmanager
def checkout_lock(directory: Path) -> Iterator[None]:
    """Held for as long as a stack runs from `directory`; a second one is refused, saying
    which process holds it (the lock goes with the process, however it ends)."""
    directory.mkdir(parents=True, exist_ok=True)
    with (directory / _CHECKOUT_LOCK).open("a+") as lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            running = Stack.read(directory)
            who = f" (supervisor pid {running.supervisor_pid})" if running else ""
            raise StackAlreadyRunningError(
                f"a stack already runs from this checkout{who}; stop it with Ctrl-C there, or"
                f" set MESHWORK_STATE_DIR to run a second one beside it"
            ) from None
        try:
            yield
        finally:
            (directory / STACK_FILE).unlink(missing_ok=True)
            fcntl.flock(lock, fcntl.LOCK_UN)


@contextlib.contextmanager
def ports_lock(*, timeout_s: float = 60.0) -> Iterator[None]:
    """Held while a stack picks its ports and its processes bind them (see `_PORTS_LOCK`)."""
    with _PORTS_LOCK.open("a+") as lock:
        _acquire(lock, deadline=time.monotonic() + timeout_s)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def _acquire(lock: IO[str], *, deadline: float) -> None:
    while True:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return
        except BlockingIOError:
            if time.monotonic() > deadline:
                raise TimeoutError(
                    f"another stack has been choosing its ports for too long ({_PORTS_LOCK})"
                ) from None
            time.sleep(0.05)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # alive, someone else's
    return True


def main() -> int:
    parser = argparse.ArgumentParser(
        prog="python -m mesh.stack", description=__doc__.split("\n")[0]
    )
    commands = parser.add_subparsers(dest="command")
    address = commands.add_parser("address", help="print where a process of the stack listens")
    address.add_argument("name")
    args = parser.parse_args()
    stack = Stack.read(state_dir())
    if stack is None:
        print(f"no stack runs from {state_dir()}: start one with `make up`", file=sys.stderr)
        return 2
    if args.command == "address":
        try:
            print(stack.address_of(args.name))
        except KeyError as error:
            print(error.args[0], file=sys.stderr)
            return 2
        return 0
    print(f"{'nats':<16} {stack.nats_url}")
    for process in stack.processes:
        print(f"{process.name:<16} {process.address:<22} pid {process.pid:<8} {process.log}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
