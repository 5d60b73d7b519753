"""`python -m mesh.readiness`: says when services serve and the edge is healthy, or who is late."""

from __future__ import annotations

import pytest

from mesh import readiness
from mesh.devstack import free_port
from tests.support.probe import probe_server


async def test_serving_services_and_no_edge_are_ready(capsys) -> None:
    server, port, _ = probe_server()
    await server.start()
    try:
        assert await readiness.wait({"probe": f"127.0.0.1:{port}"}, {}, timeout_s=5) == 0
    finally:
        await server.stop(0)
    assert capsys.readouterr().out.split() == [readiness.SERVING, readiness.READY]


async def test_what_is_not_ready_in_time_is_named(capsys) -> None:
    nothing = f"127.0.0.1:{free_port()}"
    assert await readiness.wait({"users": nothing}, {}, timeout_s=0.5) == 1
    output = capsys.readouterr()
    assert output.out == ""
    assert "not ready after 0 s: users" in output.err


async def test_a_late_edge_is_named_after_the_services_serve(capsys) -> None:
    server, port, _ = probe_server()
    await server.start()
    try:
        edge = {"edge": f"127.0.0.1:{free_port()}"}
        assert await readiness.wait({"probe": f"127.0.0.1:{port}"}, edge, timeout_s=1) == 1
    finally:
        await server.stop(0)
    output = capsys.readouterr()
    assert output.out.split() == [readiness.SERVING]
    assert "edge" in output.err


def test_targets_must_be_named() -> None:
    with pytest.raises(SystemExit, match="expected name=host:port"):
        readiness.parse_targets(["127.0.0.1:50051"])


async def test_a_named_instance_is_ready_only_when_that_process_answers(capsys) -> None:
    server, port, _ = probe_server(instance_id="ours")
    await server.start()
    try:
        ours = {"probe": f"127.0.0.1:{port}@ours"}
        assert await readiness.wait(ours, {}, timeout_s=2) == 0
        another = {"probe": f"127.0.0.1:{port}@another-stack"}
        assert await readiness.wait(another, {}, timeout_s=0.5) == 1
    finally:
        await server.stop(0)
    assert "not ready after 0 s: probe" in capsys.readouterr().err
