"""Developers poke a running service with the real grpcurl binary, through reflection."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support import subprocess_env

BIN_DIR = Path(sys.executable).parent
SERVICE = "meshwork.testing.v1.ProbeService"


@pytest.fixture(scope="module")
def probe_process(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[tuple[subprocess.Popen, int]]:
    port_file = tmp_path_factory.mktemp("probe") / "port"
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "tests.support.probe",
            "--port-file",
            str(port_file),
            "--grace",
            "3",
        ],
        stderr=subprocess.PIPE,
        text=True,
        env=subprocess_env(),
    )
    deadline = time.monotonic() + 20
    while not (port_file.exists() and port_file.read_text()):
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            pytest.fail(
                f"probe service did not start: {process.stderr.read() if process.stderr else ''}"
            )
        time.sleep(0.02)
    yield process, int(port_file.read_text())
    if process.poll() is None:
        process.kill()
        process.wait()


def run_grpcurl(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(BIN_DIR / "grpcurl"), "-plaintext", *args], capture_output=True, text=True, timeout=30
    )


def test_grpcurl_lists_services_through_reflection(probe_process) -> None:
    _, port = probe_process
    result = run_grpcurl(f"127.0.0.1:{port}", "list")
    assert result.returncode == 0, result.stderr
    assert set(result.stdout.split()) >= {SERVICE, "grpc.health.v1.Health"}


def test_grpcurl_describes_a_method_with_its_contract_comment(probe_process) -> None:
    _, port = probe_process
    result = run_grpcurl(f"127.0.0.1:{port}", "describe", f"{SERVICE}.Echo")
    assert result.returncode == 0, result.stderr
    assert "Echo returns the request" in result.stdout
    assert "rpc Echo ( .meshwork.testing.v1.EchoRequest )" in result.stdout


def test_grpcurl_calls_a_method_with_a_service_token(probe_process) -> None:
    _, port = probe_process
    result = run_grpcurl(
        "-H", "authorization: Bearer service:cli",
        "-H", "x-request-id: from-grpcurl",
        "-d", '{"message": "hello"}',
        f"127.0.0.1:{port}", f"{SERVICE}/Echo",
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    reply = json.loads(result.stdout)
    assert reply["message"] == "hello"
    assert reply["request_id"] == "from-grpcurl"


def test_grpcurl_without_a_token_is_told_what_is_missing(probe_process) -> None:
    _, port = probe_process
    result = run_grpcurl("-d", "{}", f"127.0.0.1:{port}", f"{SERVICE}/Echo")
    assert result.returncode != 0
    assert "Unauthenticated" in result.stdout + result.stderr
    assert "authorization" in result.stdout + result.stderr


def test_grpcurl_checks_health(probe_process) -> None:
    _, port = probe_process
    result = run_grpcurl(f"127.0.0.1:{port}", "grpc.health.v1.Health/Check")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == {"status": "SERVING"}


def test_sigterm_stops_the_service_gracefully(probe_process) -> None:
    process, _ = probe_process
    process.send_signal(signal.SIGTERM)
    assert process.wait(timeout=10) == 0
    assert "shutting down" in (process.stderr.read() if process.stderr else "")
