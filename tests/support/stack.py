"""`make up` (`python -m mesh.devstack`) run by a test, in a state folder of its own."""

from __future__ import annotations

import asyncio
import contextlib
import re
import signal
import sys
from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass
from pathlib import Path

from tests.support import ROOT, subprocess_env


@dataclass
class RunningStack:
    process: asyncio.subprocess.Process
    banner: str
    env: dict[str, str]

    @property
    def addresses(self) -> dict[str, str]:
        """Every gRPC service's address, as the banner printed it."""
        return dict(re.findall(r"^\s+(\w+)\s+grpc://(\S+)", self.banner, re.MULTILINE))

    @property
    def edge(self) -> str:
        """The REST edge's URL, as the banner printed it."""
        found = re.search(r"edge \(REST\)\s+(http://\S+)", self.banner)
        assert found, self.banner
        return found.group(1)

    async def read_line(self) -> str:
        """The next line the supervisor prints (after the banner: what it reports)."""
        assert self.process.stdout is not None
        return (await self.process.stdout.readline()).decode()


@contextlib.asynccontextmanager
async def running_stack(
    state: Path,
    *,
    any_ports: bool = True,
    env: Mapping[str, str] | None = None,
    ready_timeout_s: float | None = None,
) -> AsyncIterator[RunningStack]:
    """Starts a stack keeping its state in `state` (on free ports unless `any_ports` is off:
    then the usual ones where free), with `env` added to its environment, and stops it with
    Ctrl-C afterwards. `ready_timeout_s` gives the services longer than `make up`'s default to
    be SERVING (a busy machine)."""
    env = subprocess_env(
        MESHWORK_STATE_DIR=str(state), NATS_URL="", MESHWORK_NATS_URL="", **(env or {})
    )
    if any_ports:
        env["MESHWORK_ANY_PORTS"] = "1"
    if ready_timeout_s is not None:
        env["MESHWORK_READY_TIMEOUT_S"] = str(ready_timeout_s)
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "mesh.devstack",
        cwd=ROOT, env=env, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT,
    )  # fmt: skip
    assert process.stdout is not None
    banner = ""
    try:
        async with asyncio.timeout(max(120, (ready_timeout_s or 0) + 60)):
            while "Logs:" not in banner and (line := await process.stdout.readline()):
                banner += line.decode()
        assert "Meshwork is up" in banner, banner
        yield RunningStack(process, banner, env)
    finally:
        if process.returncode is None:
            process.send_signal(signal.SIGINT)
            async with asyncio.timeout(30):
                await process.wait()
