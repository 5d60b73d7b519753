"""Streaming calls through the mesh server, as any client may make them: cancelled midway."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import grpc
from grpc_health.v1 import health_pb2, health_pb2_grpc
from grpc_reflection.v1alpha import reflection_pb2, reflection_pb2_grpc

from tests.support.probe import probe_process
from tests.support.waiting import eventually

STREAMS = 600  # the unfixed server died within a few dozen, always within a few hundred


def _one_list_request() -> Iterator[reflection_pb2.ServerReflectionRequest]:
    yield reflection_pb2.ServerReflectionRequest(list_services="")  # then the client half-closes


def test_reflection_streams_cancelled_after_one_answer_do_not_kill_the_service(
    tmp_path: Path,
) -> None:
    with probe_process(tmp_path) as probe, grpc.insecure_channel(f"127.0.0.1:{probe.port}") as ch:
        reflection = reflection_pb2_grpc.ServerReflectionStub(ch)
        for _ in range(STREAMS):
            stream = reflection.ServerReflectionInfo(_one_list_request())
            answer = next(stream)
            assert answer.list_services_response.service
            stream.cancel()
        health = health_pb2_grpc.HealthStub(ch)
        reply = health.Check(health_pb2.HealthCheckRequest(), timeout=5)
        assert reply.status == health_pb2.HealthCheckResponse.SERVING
        assert probe.process.poll() is None, probe.log_text()[-2000:]


async def test_a_cancelled_stream_is_logged_once_as_cancelled(tmp_path: Path) -> None:
    with probe_process(tmp_path) as probe:
        async with grpc.aio.insecure_channel(f"127.0.0.1:{probe.port}") as channel:
            reflection = reflection_pb2_grpc.ServerReflectionStub(channel)
            requests = [reflection_pb2.ServerReflectionRequest(list_services="")] * 1000
            stream = reflection.ServerReflectionInfo(iter(requests))
            await stream.read()  # the server is mid-stream, with requests still to answer
            stream.cancel()

        def logged(code: str) -> int:
            return probe.log_text().count(f"ServerReflectionInfo {code}")

        await eventually(lambda: logged("CANCELLED") == 1)
        assert logged("OK") == 0
