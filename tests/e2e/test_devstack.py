"""`make up`: the local stack starts the catalogue's services, reports where they listen, and
stops cleanly on Ctrl-C."""

from __future__ import annotations

import asyncio
import re
import signal
import sys
from pathlib import Path

import nats

from mesh.catalog import catalog
from tests.support import subprocess_env


async def test_the_stack_starts_nats_and_the_catalogues_services_and_stops_on_sigint(
    tmp_path: Path,
) -> None:
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "mesh.devstack",
        cwd=tmp_path,  # its state lives in ./.meshwork of wherever it runs
        env=subprocess_env(NATS_URL="", MESHWORK_NATS_URL="", MESHWORK_ANY_PORTS="1"),
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )  # fmt: skip
    try:
        assert process.stdout is not None
        output = ""
        async with asyncio.timeout(60):
            while "Logs:" not in output and (line := await process.stdout.readline()):
                output += line.decode()
        assert "Meshwork is up" in output, output
        running = re.findall(r"^\s+(\w+)\s+grpc://", output, re.MULTILINE)
        assert running == [entry.name for entry in catalog().runnable]
        url = re.search(r"nats \(JetStream\)\s+(\S+)", output)
        assert url, output
        client = await nats.connect(url.group(1))
        account = await client.jetstream().account_info()
        assert account.limits is not None
        await client.close()
        process.send_signal(signal.SIGINT)
        async with asyncio.timeout(30):
            assert await process.wait() == 0
        assert (tmp_path / ".meshwork" / "nats" / "jetstream").is_dir()
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()
