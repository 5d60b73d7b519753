"""Which ports `make up` may take: only those a server could bind now."""

from __future__ import annotations

import socket
from collections.abc import Iterator

import pytest

from mesh.bundled_nats import port_is_free


@pytest.fixture
def listener() -> Iterator[socket.socket]:
    with socket.create_server(("127.0.0.1", 0)) as server:
        yield server


def test_a_port_something_listens_on_is_not_free(listener: socket.socket) -> None:
    assert not port_is_free(listener.getsockname()[1])


def test_the_port_of_a_connections_own_end_is_not_free(listener: socket.socket) -> None:
    with socket.create_connection(listener.getsockname()) as client:
        own_port = client.getsockname()[1]  # an ephemeral port nothing listens on
        assert not port_is_free(own_port)


def test_a_port_nothing_holds_is_free() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    assert port_is_free(port)
