"""Serving the sandbox: bound before it starts (port 0 works), in this loop or a thread."""

from __future__ import annotations

import asyncio
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager

import uvicorn
from fastapi import FastAPI

from sandbox.stripe.app import SandboxSettings, create_app


def bind(host: str, port: int) -> socket.socket:
    """A listening socket: requests queue on it even before the server accepts them."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    sock.listen(128)
    return sock


def address(sock: socket.socket) -> str:
    host, port = sock.getsockname()[:2]
    return f"http://[{host}]:{port}" if ":" in host else f"http://{host}:{port}"


def build_server(
    settings: SandboxSettings, *, log_level: str = "warning", app: FastAPI | None = None
) -> uvicorn.Server:
    config = uvicorn.Config(app or create_app(settings), log_level=log_level, lifespan="on")
    return uvicorn.Server(config)


@contextmanager
def running_sandbox(
    settings: SandboxSettings | None = None, *, host: str = "127.0.0.1", app: FastAPI | None = None
) -> Iterator[str]:
    """Runs a sandbox on a port of its own in a thread of its own; yields its base URL.
    `app` is one `create_app` made, which a test may have given middleware of its own."""
    sock = bind(host, 0)
    server = build_server(settings or SandboxSettings(), app=app)
    thread = threading.Thread(target=asyncio.run, args=(server.serve(sockets=[sock]),), daemon=True)
    thread.start()
    try:
        yield address(sock)
    finally:
        server.should_exit = True
        thread.join()
        sock.close()
