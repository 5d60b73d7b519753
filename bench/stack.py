"""`make up` (python -m mesh.devstack) started from a benchmark, on free ports in a temp state."""

from __future__ import annotations

import asyncio
import contextlib
import os
import re
import signal
import sys
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
UNLIMITED = "100000000/minute"  # the edge's rate limits would otherwise throttle the load


@dataclass(frozen=True)
class Stack:
    """The running platform: the devstack's pid, addresses, edge URL and readiness times."""

    pid: int
    addresses: dict[str, str]
    edge_url: str
    ready_s: float  # wall seconds from launching `python -m mesh.devstack` to "Meshwork is up"
    reported_ready_s: float  # what the devstack itself printed


@contextlib.asynccontextmanager
async def devstack(state: Path, *, unlimited: bool = True) -> AsyncIterator[Stack]:
    env = {
        **os.environ,
        "MESHWORK_STATE_DIR": str(state),
        "MESHWORK_ANY_PORTS": "1",
        "NATS_URL": "",
        "MESHWORK_NATS_URL": "",
    }
    if unlimited:
        env |= {"EDGE_RATE_LIMIT_PER_ADDRESS": UNLIMITED, "EDGE_RATE_LIMIT_PER_USER": UNLIMITED}
    started = time.monotonic()
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "mesh.devstack", cwd=ROOT, env=env,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT,
    )  # fmt: skip
    assert process.stdout is not None
    output = ""
    ready_s = 0.0
    try:
        while "Logs:" not in output and (line := await process.stdout.readline()):
            output += line.decode()
            if "Meshwork is up" in output and not ready_s:
                ready_s = time.monotonic() - started
        if "Logs:" not in output:
            raise RuntimeError(f"the devstack did not come up:\n{output}")
        reported = re.search(r"Meshwork is up in ([\d.]+) s", output)
        edge = re.search(r"edge \(REST\)\s+(http://\S+)", output)
        yield Stack(
            pid=process.pid,
            addresses=dict(re.findall(r"^\s+(\w+)\s+grpc://(\S+)", output, re.MULTILINE)),
            edge_url=edge.group(1) if edge else "",
            ready_s=ready_s,
            reported_ready_s=float(reported.group(1)) if reported else 0.0,
        )
    finally:
        if process.returncode is None:
            process.send_signal(signal.SIGINT)
        if await process.wait() not in (0, -signal.SIGINT):
            print(f"the devstack exited with {process.returncode}; logs in {state}/logs")
