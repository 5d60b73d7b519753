"""A service started while its dependencies are down waits for them, quietly, answering
health NOT_SERVING meanwhile, and stops on SIGTERM at any moment of its start-up."""

from __future__ import annotations

import asyncio
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import grpc
import httpx
import pytest
from grpc_health.v1 import health_pb2, health_pb2_grpc

from mesh.bundled_nats import BundledNatsServer
from mesh.devstack import free_port
from mesh.health import instance_service
from meshwork.users.v1 import users_service_pb2 as users_pb2
from meshwork.users.v1 import users_service_pb2_grpc as users_pb2_grpc
from tests.support import subprocess_env
from tests.support.waiting import eventually


class Started:
    def __init__(self, process: subprocess.Popen[bytes], log: Path) -> None:
        self.process, self.log = process, log

    def text(self) -> str:
        return self.log.read_text()

    def wait_for(self, needle: str, *, count: int = 1, timeout_s: float = 30) -> None:
        deadline = time.monotonic() + timeout_s
        while self.text().count(needle) < count:
            if self.process.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"no {needle!r} ({count}x) in the service's log:\n{self.text()}")
            time.sleep(0.05)

    def terminate(self, *, within_s: float) -> int:
        self.process.send_signal(signal.SIGTERM)
        return self.process.wait(timeout=within_s)


@pytest.fixture
def users_service(tmp_path: Path) -> Iterator[Callable[..., Started]]:
    started: list[subprocess.Popen[bytes]] = []

    def start(**env: str) -> Started:
        log = tmp_path / f"users-{len(started)}.log"
        with log.open("wb") as stderr:
            process = subprocess.Popen(
                [sys.executable, "-m", "services.users"],
                stderr=stderr,
                env=subprocess_env(
                    **{
                        "USERS_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'users.db'}",
                        "USERS_GRPC_ADDRESS": "127.0.0.1:0",
                        "USERS_LOG_JSON": "false",
                        **env,
                    }
                ),
            )
        started.append(process)
        return Started(process, log)

    yield start
    for process in started:
        if process.poll() is None:
            process.kill()
            process.wait()


def test_nats_down_at_start_is_waited_for_with_one_line_per_attempt_and_sigterm_stops_it(
    users_service,
) -> None:
    service = users_service(MESHWORK_NATS_URL=f"nats://127.0.0.1:{free_port()}")
    service.wait_for("NATS: ", count=2)
    assert service.terminate(within_s=10) == 0
    log = service.text()
    assert "Traceback" not in log
    assert "shutting down" in log
    assert "listening" not in log


def test_the_database_down_at_start_is_waited_for_and_sigterm_stops_it(users_service) -> None:
    unreachable = f"postgresql+asyncpg://postgres@127.0.0.1:{free_port()}/users"
    service = users_service(USERS_DATABASE_URL=unreachable)
    service.wait_for("cannot reach the database (attempt 2)")
    assert service.terminate(within_s=10) == 0
    assert "Traceback" not in service.text()


def test_a_service_waiting_for_nats_serves_once_nats_is_there(
    users_service, tmp_path: Path
) -> None:
    port = free_port()
    service = users_service(MESHWORK_NATS_URL=f"nats://127.0.0.1:{port}")
    service.wait_for("NATS: ")
    nats_server = BundledNatsServer(tmp_path / "nats", port=port)
    nats_server.start()
    try:
        service.wait_for("listening")
        assert service.terminate(within_s=15) == 0
    finally:
        nats_server.stop()


def test_the_metrics_endpoint_listens_on_the_configured_host_only(users_service) -> None:
    port = free_port()
    service = users_service(
        MESHWORK_NATS_URL=f"nats://127.0.0.1:{free_port()}",  # down: the service stays starting
        USERS_METRICS_PORT=str(port),
        MESHWORK_METRICS_HOST="127.0.0.2",
    )
    service.wait_for("NATS: ")  # the metrics endpoint is started before the service waits

    assert httpx.get(f"http://127.0.0.2:{port}/metrics").status_code == 200
    with pytest.raises(httpx.ConnectError):
        httpx.get(f"http://127.0.0.1:{port}/metrics")
    assert service.terminate(within_s=10) == 0


def test_production_without_its_settings_names_them_all_at_once_and_exits_2(
    users_service,
) -> None:
    service = users_service(USERS_ENVIRONMENT="production", USERS_DATABASE_URL="")
    assert service.process.wait(timeout=30) == 2
    log = service.text()
    assert log.splitlines()[0] == "users cannot start; fix these settings:"
    assert "USERS_CLIENT_SECRET still holds the development default" in log
    assert "USERS_DATABASE_URL is not set" in log
    assert "Traceback" not in log


USERS_SERVICE = "meshwork.users.v1.UsersService"


async def _status(address: str, service: str = "") -> str:
    async with grpc.aio.insecure_channel(address) as channel:
        reply = await health_pb2_grpc.HealthStub(channel).Check(
            health_pb2.HealthCheckRequest(service=service), timeout=2
        )
    return health_pb2.HealthCheckResponse.ServingStatus.Name(reply.status)


async def test_a_service_waiting_for_nats_answers_health_not_serving_then_serving(
    users_service, tmp_path: Path
) -> None:
    address, nats_port = f"127.0.0.1:{free_port()}", free_port()
    service = users_service(
        MESHWORK_NATS_URL=f"nats://127.0.0.1:{nats_port}",
        USERS_GRPC_ADDRESS=address,
        MESHWORK_INSTANCE_ID="first",
    )
    service.wait_for("NATS: ")
    for name in ("", USERS_SERVICE, instance_service("first")):
        assert await _status(address, name) == "NOT_SERVING", name
    async with grpc.aio.insecure_channel(address) as channel:
        with pytest.raises(grpc.aio.AioRpcError) as refused:
            await users_pb2_grpc.UsersServiceStub(channel).GetUser(
                users_pb2.GetUserRequest(user_id="me"), timeout=2
            )
    assert refused.value.code() == grpc.StatusCode.UNAVAILABLE
    assert "starting" in (refused.value.details() or "")

    nats_server = BundledNatsServer(tmp_path / "nats", port=nats_port)
    nats_server.start()
    try:

        async def serving() -> bool:
            return await _status(address) == "SERVING"

        await eventually(serving, timeout_s=30)
        for name in (USERS_SERVICE, instance_service("first")):
            assert await _status(address, name) == "SERVING", name
        async with grpc.aio.insecure_channel(address) as channel:
            watch = health_pb2_grpc.HealthStub(channel).Watch(
                health_pb2.HealthCheckRequest(service=USERS_SERVICE)
            )
            assert (await watch.read()).status == health_pb2.HealthCheckResponse.SERVING
            service.process.send_signal(signal.SIGTERM)  # draining: NOT_SERVING before it stops
            assert (await watch.read()).status == health_pb2.HealthCheckResponse.NOT_SERVING
        assert service.process.wait(timeout=15) == 0
    finally:
        nats_server.stop()


async def test_the_database_down_at_start_answers_health_not_serving(users_service) -> None:
    address = f"127.0.0.1:{free_port()}"
    unreachable = f"postgresql+asyncpg://postgres@127.0.0.1:{free_port()}/users"
    service = users_service(USERS_DATABASE_URL=unreachable, USERS_GRPC_ADDRESS=address)
    service.wait_for("cannot reach the database (attempt 1)")
    assert await _status(address) == "NOT_SERVING"
    assert await _status(address, USERS_SERVICE) == "NOT_SERVING"
    assert service.terminate(within_s=10) == 0


def test_a_supervised_successor_binds_its_shared_port_only_once_ready(users_service) -> None:
    address = f"127.0.0.1:{free_port()}"
    service = users_service(
        MESHWORK_NATS_URL=f"nats://127.0.0.1:{free_port()}",  # down: it stays starting
        USERS_GRPC_ADDRESS=address,
        MESHWORK_REUSE_PORT="true",
    )
    service.wait_for("NATS: ", count=2)
    with pytest.raises(grpc.aio.AioRpcError) as refused:
        asyncio.run(_status(address))
    assert refused.value.code() == grpc.StatusCode.UNAVAILABLE  # nothing listens yet
    assert service.terminate(within_s=10) == 0
