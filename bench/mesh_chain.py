"""The mesh interceptor chain's cost: one unary RPC with the full chain vs a bare server."""

from __future__ import annotations

import grpc
from prometheus_client import CollectorRegistry

from bench.harness import Verdict, compare, ms, verdict_table, write_report
from mesh.auth.authenticator import JwtAuthenticator
from mesh.auth.jwks import JwksCache
from mesh.auth.tokens import TokenVerifier
from meshwork.testing.v1 import probe_pb2, probe_pb2_grpc
from tests.support.probe import ProbeServicer, probe_server
from tests.support.tokens import ISSUER, TestIssuer

CONCURRENCY = (1, 16, 64)
TARGET = 0.75  # the chain may cost at most 25% of bare throughput


async def run() -> list[Verdict]:
    issuer = TestIssuer()
    authenticator = JwtAuthenticator(TokenVerifier(JwksCache(issuer.jwks), issuer=ISSUER))
    token = issuer.sign(sub="edge", aud="testing", typ="service")
    meshed_server, meshed_port, _ = probe_server(
        authenticator=authenticator, registry=CollectorRegistry()
    )
    bare = grpc.aio.server()
    probe_pb2_grpc.add_ProbeServiceServicer_to_server(ProbeServicer(), bare)
    bare_port = bare.add_insecure_port("127.0.0.1:0")
    await bare.start()
    await meshed_server.start()
    request = probe_pb2.EchoRequest(message="x")
    lines = [
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
                concurrency=concurrency, calls=2000, rounds=3, warmup=300,
            )  # fmt: skip
            bare_round, mesh_round = results["bare"], results["mesh"]
            lines.append(
                f"| {concurrency} | {bare_round.throughput:.0f} | {mesh_round.throughput:.0f} "
                f"| {mesh_round.throughput / bare_round.throughput:.2f} "
                f"| {ms(bare_round.percentile(0.99))} | {ms(mesh_round.percentile(0.99))} |"
            )
            ratio = mesh_round.throughput / bare_round.throughput
            verdicts.append(
                Verdict(f"mesh chain / bare throughput, concurrency {concurrency}", ratio,
                        f"≥ {TARGET}", ratio >= TARGET)
            )  # fmt: skip
    await bare.stop(0)
    await meshed_server.stop(0)
    lines += ["", f"Target: mesh/bare ≥ {TARGET} (the chain costs ≤ 25%).", ""]
    write_report("mesh-chain", [*lines, *verdict_table(verdicts)])
    return verdicts
