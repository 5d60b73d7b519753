"""Developers poke a running service with the real grpcurl binary, through reflection."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.probe import ProbeProcess, probe_process

BIN_DIR = Path(sys.executable).parent
SERVICE = "meshwork.testing.v1.ProbeService"


@pytest.fixture(scope="module")
def probe(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ProbeProcess]:
    with probe_process(tmp_path_factory.mktemp("probe")) as running:
        yield running


def run_grpcurl(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(BIN_DIR / "grpcurl"), "-plaintext", *args], capture_output=True, text=True, timeout=30
    )


def test_grpcurl_lists_services_through_reflection(probe: ProbeProcess) -> None:
    port = probe.port
    result = run_grpcurl(f"127.0.0.1:{port}", "list")
    assert result.returncode == 0, result.stderr
    assert set(result.stdout.split()) >= {SERVICE, "grpc.health.v1.Health"}


def test_grpcurl_describes_a_method_with_its_contract_comment(probe: ProbeProcess) -> None:
    port = probe.port
    result = run_grpcurl(f"127.0.0.1:{port}", "describe", f"{SERVICE}.Echo")
    assert result.returncode == 0, result.stderr
    assert "Echo returns the request" in result.stdout
    assert "rpc Echo ( .meshwork.testing.v1.EchoRequest )" in result.stdout


def test_grpcurl_calls_a_method_with_a_service_token(probe: ProbeProcess) -> None:
    port = probe.port
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


def test_grpcurl_without_a_token_is_told_what_is_missing(probe: ProbeProcess) -> None:
    port = probe.port
    result = run_grpcurl("-d", "{}", f"127.0.0.1:{port}", f"{SERVICE}/Echo")
    assert result.returncode != 0
    assert "Unauthenticated" in result.stdout + result.stderr
    assert "authorization" in result.stdout + result.stderr


def test_grpcurl_checks_health(probe: ProbeProcess) -> None:
    port = probe.port
    result = run_grpcurl(f"127.0.0.1:{port}", "grpc.health.v1.Health/Check")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == {"status": "SERVING"}


def test_sigterm_stops_the_service_gracefully(probe: ProbeProcess) -> None:
    probe.process.send_signal(signal.SIGTERM)
    assert probe.process.wait(timeout=10) == 0
    assert "shutting down" in probe.log_text()
