"""The mesh interceptor chain's cost: one unary RPC with the full chain vs a bare server.

The mesh server runs as a service process does: JSON access log lines written (to the null
device here), spans from the mesh's tracer provider, metrics, token verification.
"""

from __future__ import annotations

import contextlib
import logging
import os
from collections.abc import Iterator
from typing import cast

import grpc
from prometheus_client import CollectorRegistry

from bench.harness import (
    Verdict,
    compare,
    median_round,
    ms,
    paired_ratio,
    verdict_table,
    write_report,
)
from mesh.auth.authenticator import JwtAuthenticator
from mesh.auth.jwks import JwksCache
from mesh.auth.tokens import TokenVerifier
from mesh.logs import configure_logging
from mesh.tracing import tracer_provider
from meshwork.testing.v1 import probe_pb2, probe_pb2_grpc
from tests.support.probe import ProbeServicer, probe_server
from tests.support.tokens import ISSUER, TestIssuer

CONCURRENCY = (1, 16, 64)
ROUNDS = 9
CALLS = 2000
TARGET = 0.75  # the chain may cost at most 25% of bare throughput


async def run() -> list[Verdict]:
    with access_log_to_null():
        return await _run()


@contextlib.contextmanager
def access_log_to_null() -> Iterator[None]:
    """Logging as `mesh.logs.configure_logging` sets it up for a service, into the null device."""
    root = logging.getLogger()
    saved = (root.handlers[:], root.level)
    with open(os.devnull, "w") as sink:
        configure_logging("testing")
        cast(logging.StreamHandler, root.handlers[0]).setStream(sink)
        try:
            yield
        finally:
            root.handlers[:], level = saved
            root.setLevel(level)


async def _run() -> list[Verdict]:
    issuer = TestIssuer()
    authenticator = JwtAuthenticator(TokenVerifier(JwksCache(issuer.jwks), issuer=ISSUER))
    token = issuer.sign(sub="edge", aud="testing", typ="service")
    tracing = tracer_provider("testing")
    meshed_server, meshed_port, _ = probe_server(
        authenticator=authenticator, registry=CollectorRegistry(), tracer_provider=tracing
    )
    bare = grpc.aio.server()
    probe_pb2_grpc.add_ProbeServiceServicer_to_server(ProbeServicer(), bare)
    bare_port = bare.add_insecure_port("127.0.0.1:0")
    await bare.start()
    await meshed_server.start()
    request = probe_pb2.EchoRequest(message="x")
    lines = [
        f"{ROUNDS} interleaved rounds of {CALLS} calls per variant; rps and p99 of the median"
        " round, mesh/bare = median of the ratios of rounds run back to back.",
        "",
        "| concurrency | bare rps | mesh rps | mesh/bare | bare p99 ms | mesh p99 ms |",
        "|---|---|---|---|---|---|",
    ]
    verdicts: list[Verdict] = []
    async with grpc.aio.insecure_channel(f"127.0.0.1:{bare_port}") as bare_channel, \
            grpc.aio.insecure_channel(f"127.0.0.1:{meshed_port}") as mesh_channel:  # fmt: skip
        bare_stub = probe_pb2_grpc.ProbeServiceStub(bare_channel)
        mesh_stub = probe_pb2_grpc.ProbeServiceStub(mesh_channel)
        metadata = (("authorization", f"Bearer {token}"),)
        for concurrency in CONCURRENCY:
            results = await compare(
                {
                    "bare": lambda: bare_stub.Echo(request, timeout=5),
                    "mesh": lambda: mesh_stub.Echo(request, timeout=5, metadata=metadata),
                },
                concurrency=concurrency, calls=CALLS, rounds=ROUNDS, warmup=300,
            )  # fmt: skip
            bare_round, mesh_round = median_round(results["bare"]), median_round(results["mesh"])
            ratio = paired_ratio(results["mesh"], results["bare"])
            lines.append(
                f"| {concurrency} | {bare_round.throughput:.0f} | {mesh_round.throughput:.0f} "
                f"| {ratio:.2f} "
                f"| {ms(bare_round.percentile(0.99))} | {ms(mesh_round.percentile(0.99))} |"
            )
            verdicts.append(
                Verdict(f"mesh chain / bare throughput, concurrency {concurrency}", ratio,
                        f"≥ {TARGET}", ratio >= TARGET)
            )  # fmt: skip
    await bare.stop(0)
    await meshed_server.stop(0)
    tracing.shutdown()
    lines += ["", f"Target: mesh/bare ≥ {TARGET} (the chain costs ≤ 25%).", ""]
    write_report("mesh-chain", [*lines, *verdict_table(verdicts)])
    return verdicts
