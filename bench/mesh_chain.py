"""The mesh interceptor chain's cost: one unary RPC with the full chain vs none.

Both servers are the mesh server (`mesh.server`: same options, health, reflection), one with
the chain (`create_server`), one without (`assemble_server` with no interceptors), and both get
the same calls, service token included. The server with the chain runs as a service process
does: JSON access log lines written (to the null device here), spans from the mesh's tracer
provider, metrics, token verification. A plain `grpc.aio.server()` with the servicer alone
and calls without metadata is measured beside them for reference.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator

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
from mesh.server import assemble_server
from mesh.tracing import tracer_provider
from meshwork.testing.v1 import probe_pb2, probe_pb2_grpc
from tests.support.logs import service_logging
from tests.support.probe import ProbeServicer, probe_binding, probe_server
from tests.support.tokens import ISSUER, TestIssuer

CONCURRENCY = (1, 16, 64)
ROUNDS = 9
CALLS = 2000
TARGET = 0.85  # the chain may cost at most 15% of bare throughput


async def run() -> list[Verdict]:
    with access_log_to_null():
        return await _run()


@contextlib.contextmanager
def access_log_to_null() -> Iterator[None]:
    """Logging as `mesh.logs.configure_logging` sets it up for a service, into the null device
    (line-buffered: like stderr, it hands each line to the OS as it is written)."""
    with open(os.devnull, "w", buffering=1) as sink, service_logging(sink):
        yield


async def _run() -> list[Verdict]:
    issuer = TestIssuer()
    authenticator = JwtAuthenticator(TokenVerifier(JwksCache(issuer.jwks), issuer=ISSUER))
    token = issuer.sign(sub="edge", aud="testing", typ="service")
    tracing = tracer_provider("testing")
    servers = {
        "mesh": probe_server(
            authenticator=authenticator, registry=CollectorRegistry(), tracer_provider=tracing
        )[0],
        "bare": assemble_server([probe_binding()], interceptors=())[0],
    }
    plain = grpc.aio.server()
    probe_pb2_grpc.add_ProbeServiceServicer_to_server(ProbeServicer(), plain)
    plain_port = plain.add_insecure_port("127.0.0.1:0")
    for server in servers.values():
        await server.start()
    await plain.start()
    request = probe_pb2.EchoRequest(message="x")
    lines = [
        f"{ROUNDS} interleaved rounds of {CALLS} calls per variant; rps and p99 of the median"
        " round, ratios = median of the ratios of rounds run back to back. mesh: the mesh"
        " server with its chain; bare: the same server without it (same calls, token"
        " included); plain: `grpc.aio.server()` with the servicer alone, calls without"
        " metadata.",
        "",
        "| concurrency | plain rps | bare rps | mesh rps | mesh/bare | mesh/plain "
        "| bare p99 ms | mesh p99 ms |",
        "|---|---|---|---|---|---|---|---|",
    ]
    verdicts: list[Verdict] = []
    metadata = (("authorization", f"Bearer {token}"),)
    ports = {"plain": plain_port} | {name: server.port for name, server in servers.items()}
    async with contextlib.AsyncExitStack() as channels:
        stubs = {
            name: probe_pb2_grpc.ProbeServiceStub(
                await channels.enter_async_context(grpc.aio.insecure_channel(f"127.0.0.1:{port}"))
            )
            for name, port in ports.items()
        }
        for concurrency in CONCURRENCY:
            results = await compare(
                {
                    "plain": lambda: stubs["plain"].Echo(request, timeout=5),
                    "bare": lambda: stubs["bare"].Echo(request, timeout=5, metadata=metadata),
                    "mesh": lambda: stubs["mesh"].Echo(request, timeout=5, metadata=metadata),
                },
                concurrency=concurrency, calls=CALLS, rounds=ROUNDS, warmup=300,
            )  # fmt: skip
            plain_round, bare_round, mesh_round = (
                median_round(results[name]) for name in ("plain", "bare", "mesh")
            )
            ratio = paired_ratio(results["mesh"], results["bare"])
            lines.append(
                f"| {concurrency} | {plain_round.throughput:.0f} | {bare_round.throughput:.0f} "
                f"| {mesh_round.throughput:.0f} | {ratio:.2f} "
                f"| {paired_ratio(results['mesh'], results['plain']):.2f} "
                f"| {ms(bare_round.percentile(0.99))} | {ms(mesh_round.percentile(0.99))} |"
            )
            verdicts.append(
                Verdict(f"mesh chain / bare throughput, concurrency {concurrency}", ratio,
                        f"≥ {TARGET}", ratio >= TARGET)
            )  # fmt: skip
    for server in servers.values():
        await server.stop(0)
    await plain.stop(0)
    tracing.shutdown()
    lines += ["", f"Target: mesh/bare ≥ {TARGET} (the chain costs ≤ 15%).", ""]
    write_report("mesh-chain", [*lines, *verdict_table(verdicts)])
    return verdicts
