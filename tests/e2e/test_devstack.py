"""`make up`: the local stack starts, reports where it listens, and stops cleanly on Ctrl-C."""

from __future__ import annotations

import re
import signal
import subprocess
import sys
from pathlib import Path

import nats

from tests.support import subprocess_env


async def test_the_stack_starts_nats_and_stops_cleanly_on_sigint(tmp_path: Path) -> None:
    process = subprocess.Popen(
        [sys.executable, "-m", "mesh.devstack"],
        cwd=tmp_path,  # its state lives in ./.meshwork of wherever it runs
        env=subprocess_env(NATS_URL="", MESHWORK_NATS_URL=""),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        assert process.stdout is not None
        lines = []
        for line in process.stdout:
            lines.append(line)
            if line.startswith("Try:"):
                break
        output = "".join(lines)
        assert "Meshwork is up" in output, output
        url = re.search(r"nats \(JetStream\)\s+(\S+)", output)
        assert url, output
        client = await nats.connect(url.group(1))
        account = await client.jetstream().account_info()
        assert account.limits is not None
        await client.close()
        process.send_signal(signal.SIGINT)
        assert process.wait(timeout=20) == 0
        assert (tmp_path / ".meshwork" / "nats" / "jetstream").is_dir()
    finally:
        if process.poll() is None:
            process.kill()
