"""What a running `make up` started, in `.meshwork/stack.json`, the locks that keep stacks
apart (one stack per checkout, and one stack at a time choosing its ports on a machine), and
the control socket through which a running stack is told what to do.

    python -m mesh.stack                 # every process: name, pid, address, log
    python -m mesh.stack address users   # where users listens (for grpcurl and scripts)
    python -m mesh.stack restart users   # replace users' process, losing no call
    python -m mesh.stack restart         # every service in turn (a rolling restart)
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import fcntl
import hashlib
import json
import os
import socket
import sys
import tempfile
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import IO

from mesh.environment import state_dir

STACK_FILE = "stack.json"
_CONTROL_SOCKET = "control.sock"
#: The last line of the stack's answer to a command that succeeded (else: FAILED).
DONE, FAILED = "done", "failed"
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


#: Carries out one command line, telling the requester how it goes through `say`; True when
#: it succeeded.
CommandHandler = Callable[[str, Callable[[str], None]], Awaitable[bool]]


def control_socket(directory: Path) -> Path:
    """Where the stack running from `directory` takes commands (a Unix socket, mode 0600; in
    the temporary folder when the state folder's path is too long for one)."""
    path = directory / _CONTROL_SOCKET
    if len(os.fsencode(path)) < 100:  # sun_path holds 108 bytes
        return path
    digest = hashlib.sha256(os.fsencode(directory.resolve())).hexdigest()[:16]
    return Path(tempfile.gettempdir()) / f"meshwork-{digest}.sock"


@contextlib.asynccontextmanager
async def control_server(directory: Path, handle: CommandHandler) -> AsyncIterator[Path]:
    """Takes commands on `control_socket(directory)` while the block runs: one line per
    connection, answered by the lines `handle` says, then DONE or FAILED."""
    path = control_socket(directory)
    path.unlink(missing_ok=True)

    async def serve(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            command = (await reader.readline()).decode().strip()
            ok = await handle(command, lambda line: writer.write(f"{line}\n".encode()))
            writer.write(f"{DONE if ok else FAILED}\n".encode())
            await writer.drain()
        except ConnectionError:
            pass  # the requester went away; the command itself ran to its end
        finally:
            writer.close()

    server = await asyncio.start_unix_server(serve, path=str(path))
    path.chmod(0o600)
    try:
        yield path
    finally:
        server.close()
        path.unlink(missing_ok=True)


def send_command(directory: Path, command: str, *, out: Callable[[str], None] = print) -> bool:
    """Sends `command` to the stack running from `directory` and passes each line of its
    answer to `out` as it comes; True when the stack carried it out."""
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as connection:
        connection.connect(str(control_socket(directory)))
        connection.sendall(f"{command}\n".encode())
        with connection.makefile("r", encoding="utf-8") as answer:
            last = ""
            for line in answer:
                last = line.rstrip("\n")
                if last not in (DONE, FAILED):
                    out(last)
    return last == DONE


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
    restart = commands.add_parser(
        "restart",
        help="replace services' processes without losing a call (each in turn; all by default)",
    )
    restart.add_argument("names", nargs="*", metavar="NAME")
    args = parser.parse_args()
    stack = Stack.read(state_dir())
    if stack is None:
        print(f"no stack runs from {state_dir()}: start one with `make up`", file=sys.stderr)
        return 2
    if args.command == "restart":
        return 0 if send_command(state_dir(), " ".join(["restart", *args.names])) else 1
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
