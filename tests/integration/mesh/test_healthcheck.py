"""The containers' health check against a real mesh server and a real HTTP server."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import AsyncIterator, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from mesh.devstack import free_port
from mesh.healthcheck import main
from mesh.server import MeshServer, assemble_server


class _Dependency:
    """A probe whose dependency is up or down as the test says."""

    def __init__(self) -> None:
        self.up = True

    async def __call__(self) -> None:
        if not self.up:
            raise ConnectionError("down")


@pytest.fixture
async def mesh_server() -> AsyncIterator[tuple[MeshServer, _Dependency]]:
    dependency = _Dependency()
    server, _ = assemble_server([], interceptors=[], probes={"database": dependency})
    await server.start()
    yield server, dependency
    await server.stop(0)


async def _healthcheck(*argv: str) -> int:
    """Runs the health check as the container does, off the loop that serves gRPC."""
    return await asyncio.to_thread(main, list(argv))


async def test_a_serving_mesh_server_is_healthy(mesh_server, capsys) -> None:
    server, _ = mesh_server

    assert await _healthcheck(f"127.0.0.1:{server.port}") == 0
    assert "SERVING" in capsys.readouterr().out


async def test_a_server_whose_dependency_is_down_is_unhealthy(mesh_server, capsys) -> None:
    server, dependency = mesh_server
    dependency.up = False
    await server.health.check()

    assert await _healthcheck(f"127.0.0.1:{server.port}") == 1
    assert "NOT_SERVING" in capsys.readouterr().out


async def test_nothing_listening_is_unhealthy(capsys) -> None:
    assert await _healthcheck(f"127.0.0.1:{free_port()}", "--timeout", "1") == 1
    assert "UNAVAILABLE" in capsys.readouterr().out


async def test_the_target_comes_from_the_environment_without_an_argument(
    mesh_server, monkeypatch
) -> None:
    server, _ = mesh_server
    monkeypatch.setenv("MESHWORK_HEALTHCHECK_TARGET", f"127.0.0.1:{server.port}")

    assert await _healthcheck() == 0


class _Healthz(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        self.send_response(200 if self.path == "/healthz" else 503)
        self.end_headers()

    def log_message(self, format: str, *args: object) -> None:
        """Quiet: the test reads the health check's output, not the server's."""


@pytest.fixture
def http_server() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Healthz)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    thread.join()
    server.server_close()


def test_an_http_target_is_healthy_when_it_answers_200(http_server, capsys) -> None:
    assert main([f"{http_server}/healthz"]) == 0
    assert main([f"{http_server}/readyz"]) == 1
    assert capsys.readouterr().out.splitlines()[-1].endswith("HTTP 503")
