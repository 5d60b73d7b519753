"""The edge measured against direct gRPC and a naive FastAPI-over-HTTP design, beside the
floor of both shapes (bench/floor.py), plus the platform's footprint (RSS of the whole local
stack, seconds to ready).

Everything runs as `make up` runs it (every service its own process, the edge under uvicorn
with uvloop and httptools); the load comes from our multi-process generator (bench/loadgen.py).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import socket
import sys
import tempfile
import time
from collections.abc import AsyncIterator
from pathlib import Path

import grpc
import httpx

from bench import procs
from bench.harness import Verdict, ms, verdict_table, write_report
from bench.loadgen import Load, LoadGenerator, Target
from bench.stack import ROOT, Stack, devstack
from meshwork.identity.v1 import identity_service_pb2 as identity_pb
from meshwork.identity.v1 import identity_service_pb2_grpc as identity_grpc
from meshwork.users.v1 import users_service_pb2 as users_pb

PASSWORD = "correct horse battery staple"
CONCURRENCY = (1, 16, 64)
ROUNDS = 5
ROUND_S = 2.0
WARMUP_S = 1.0
RSS_TARGET_MB = 700
READY_TARGET_S = 10.0


async def run() -> list[Verdict]:
    with tempfile.TemporaryDirectory() as tmp:
        async with devstack(Path(tmp)) as stack:
            stack_pids = procs.named(procs.descendants(stack.pid))
            idle_rss = stack_rss(stack)
            base = await prepare(stack, Path(tmp))
            database = f"sqlite+aiosqlite:///{Path(tmp) / 'users.db'}"
            async with (
                naive_design(database) as (naive_url, naive_pids),
                floor_design(base, naive_url, Path(tmp)) as (floor_url, floor_pids),
            ):
                verdicts, lines = await compare_designs(
                    stack_pids | naive_pids | floor_pids, targets_for(base, naive_url, floor_url)
                )
            loaded_rss = stack_rss(stack)
    lines += platform_lines(stack, sorted(stack_pids), idle_rss, loaded_rss)
    verdicts += [
        Verdict("local stack RSS after load (MB)", loaded_rss / 2**20,
                f"≤ {RSS_TARGET_MB}", loaded_rss / 2**20 <= RSS_TARGET_MB),
        Verdict("seconds from `make up` to ready", stack.ready_s,
                f"≤ {READY_TARGET_S:.0f}", stack.ready_s <= READY_TARGET_S),
    ]  # fmt: skip
    write_report("edge", [*lines, "", *verdict_table(verdicts)])
    return verdicts


def stack_rss(stack: Stack) -> int:
    """Sum of VmRSS over the devstack process and every process below it."""
    return sum(procs.rss_bytes(pid) for pid in [stack.pid, *procs.descendants(stack.pid)])


async def prepare(stack: Stack, state: Path) -> dict[str, str]:
    """Signs a user up through the edge and gets a service token for direct calls to users;
    returns what the targets need."""
    async with httpx.AsyncClient(base_url=stack.edge_url, timeout=30) as client:
        signed_up = await client.post(
            "/v1/auth:signUp", json={"email": "bench@example.com", "password": PASSWORD}
        )
        signed_up.raise_for_status()
        body = signed_up.json()
        user_id, access = body["userId"], body["tokens"]["accessToken"]
        profile = await client.get(
            f"/v1/users/{user_id}", headers={"Authorization": f"Bearer {access}"}
        )
        profile.raise_for_status()
    secret = json.loads((state / "credentials.json").read_text())["cli"]
    async with grpc.aio.insecure_channel(stack.addresses["identity"]) as channel:
        service = await identity_grpc.IdentityServiceStub(channel).IssueServiceToken(
            identity_pb.IssueServiceTokenRequest(
                client_id="cli", client_secret=secret, audience="users"
            )
        )
    base = {
        "edge": f"{stack.edge_url}/v1/users/{user_id}",
        "users": stack.addresses["users"],
        "user_id": user_id,
        "access": access,
        "service": service.access_token,
    }
    return base


def direct_metadata(base: dict[str, str]) -> tuple[tuple[str, str], ...]:
    """The metadata of a direct GetUser call: the service token and the user's own."""
    return (("authorization", f"Bearer {base['service']}"),
            ("x-user-authorization", f"Bearer {base['access']}"))  # fmt: skip


def targets_for(base: dict[str, str], naive_url: str, floor_url: str) -> dict[str, Target]:
    user = (("authorization", f"Bearer {base['access']}"),)
    user_id = base["user_id"]
    return {
        "edge": Target(kind="http", url=base["edge"], headers=user),
        "direct gRPC": Target(
            kind="grpc", address=base["users"], user_id=user_id, headers=direct_metadata(base)
        ),
        "naive per-request client": Target(
            kind="http", url=f"{naive_url}/per-request/v1/users/{user_id}"
        ),
        "naive shared client": Target(kind="http", url=f"{naive_url}/shared/v1/users/{user_id}"),
        "floor, gRPC shape": Target(kind="http", url=f"{floor_url}/grpc/v1/users/{user_id}"),
        "floor, HTTP shape": Target(kind="http", url=f"{floor_url}/http/v1/users/{user_id}"),
    }  # fmt: skip


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextlib.asynccontextmanager
async def naive_design(database_url: str) -> AsyncIterator[tuple[str, dict[str, int]]]:
    """The naive users service and gateway, each a uvicorn process (uvloop, httptools)."""
    users_port, gateway_port = free_port(), free_port()
    env = {**os.environ, "NAIVE_DATABASE_URL": database_url,
           "NAIVE_USERS_URL": f"http://127.0.0.1:{users_port}"}  # fmt: skip
    started = [
        await serve(f"bench.naive:{app}", port, env)
        for app, port in (("users_app", users_port), ("gateway_app", gateway_port))
    ]
    try:
        for port in (users_port, gateway_port):
            await wait_listening(port)
        yield (
            f"http://127.0.0.1:{gateway_port}",
            {"naive users": started[0].pid, "naive gateway": started[1].pid},
        )
    finally:
        for process in started:
            process.terminate()
            await process.wait()


@contextlib.asynccontextmanager
async def floor_design(
    base: dict[str, str], naive_url: str, state: Path
) -> AsyncIterator[tuple[str, dict[str, int]]]:
    """bench/floor.py's front and leaves, the leaves answering what users and the naive users
    service answer for the bench's user."""
    grpc_reply, http_reply = state / "floor-reply.binpb", state / "floor-reply.json"
    async with grpc.aio.insecure_channel(base["users"]) as channel:
        get_user = channel.unary_unary("/meshwork.users.v1.UsersService/GetUser")
        request = users_pb.GetUserRequest(user_id=base["user_id"]).SerializeToString()
        grpc_reply.write_bytes(await get_user(request, metadata=direct_metadata(base)))
    async with httpx.AsyncClient() as client:
        naive = await client.get(f"{naive_url}/shared/v1/users/{base['user_id']}")
        http_reply.write_bytes(naive.raise_for_status().content)
    grpc_port, http_port, front_port = free_port(), free_port(), free_port()
    env = {**os.environ, "FLOOR_REPLY": str(http_reply),
           "FLOOR_GRPC_LEAF": f"127.0.0.1:{grpc_port}",
           "FLOOR_HTTP_LEAF": f"http://127.0.0.1:{http_port}"}  # fmt: skip
    started = {
        "floor gRPC leaf": await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bench.floor", str(grpc_port), str(grpc_reply), cwd=ROOT
        ),
        "floor HTTP leaf": await serve("bench.floor:http_leaf_app", http_port, env),
        "floor front": await serve("bench.floor:front_app", front_port, env),
    }
    try:
        for port in (grpc_port, http_port, front_port):
            await wait_listening(port)
        yield (
            f"http://127.0.0.1:{front_port}",
            {name: process.pid for name, process in started.items()},
        )
    finally:
        for process in started.values():
            process.terminate()
            await process.wait()


async def serve(app: str, port: int, env: dict[str, str]) -> asyncio.subprocess.Process:
    """The uvicorn factory `app` (module:function) with uvloop and httptools, as the edge runs."""
    command = ["-m", "uvicorn", "--factory", app, "--port", str(port),
               "--loop", "uvloop", "--http", "httptools", "--no-access-log",
               "--log-level", "warning"]  # fmt: skip
    return await asyncio.create_subprocess_exec(sys.executable, *command, cwd=ROOT, env=env)


async def wait_listening(port: int, timeout_s: float = 20.0) -> None:
    deadline = time.monotonic() + timeout_s
    while True:
        try:
            _, writer = await asyncio.open_connection("127.0.0.1", port)
        except OSError:
            if time.monotonic() > deadline:
                raise
            await asyncio.sleep(0.05)
            continue
        writer.close()
        return


MEASURED = ("edge", "users", "identity", "naive gateway", "naive users",
            "floor front", "floor gRPC leaf", "floor HTTP leaf")  # fmt: skip


async def compare_designs(
    pids: dict[str, int], targets: dict[str, Target]
) -> tuple[list[Verdict], list[str]]:
    watched = {name: pids[name] for name in MEASURED if name in pids}
    generator = LoadGenerator()
    lines = [
        f"GET /v1/users/{{id}}: {ROUNDS} interleaved rounds of {ROUND_S:.0f} s per variant, "
        "medians; CPU ms per request of each process (load generator = our 2 worker processes,"
        " on the same cores: with 2 cores, throughput is bounded by 2 s / total CPU per request)."
        " The generator's gRPC client costs it more per call than its HTTP client, which"
        " favours the HTTP variants: compare the services' CPU columns too. The floor variants"
        " are both shapes with no work at either hop (bench/floor.py): through them, the gRPC"
        " shape's lead over the HTTP one is the most the edge could have over the naive shared"
        " client.",
        "",
        "| concurrency | variant | rps | p50 ms | p99 ms | "
        + " | ".join(f"{name} CPU ms/req" for name in (*watched, "load generator"))
        + " | total CPU ms/req | errors |",
        "|---|---|---|---|---|" + "---|" * (len(watched) + 3),
    ]
    verdicts: list[Verdict] = []
    try:
        for concurrency in CONCURRENCY:
            medians = await interleaved(generator, targets, watched, concurrency)
            for name, (load, cpu) in medians.items():
                lines.append(
                    f"| {concurrency} | {name} | {load.throughput:.0f} "
                    f"| {ms(load.percentile(0.5))} | {ms(load.percentile(0.99))} | "
                    + " | ".join(f"{cpu[p] / load.calls * 1000:.3f}" for p in watched)
                    + f" | {load.cpu_s / load.calls * 1000:.3f} "
                    + f"| {(sum(cpu.values()) + load.cpu_s) / load.calls * 1000:.3f} "
                    + f"| {load.errors} |"
                )
            verdicts += edge_verdicts(concurrency, {n: m[0] for n, m in medians.items()})
            verdicts += cpu_verdicts(concurrency, medians)
    finally:
        generator.close()
    return verdicts, lines


async def interleaved(
    generator: LoadGenerator, targets: dict[str, Target], watched: dict[str, int],
    concurrency: int,
) -> dict[str, tuple[Load, dict[str, float]]]:  # fmt: skip
    for target in targets.values():
        await generator.round(target, concurrency=concurrency, seconds=WARMUP_S)
    runs: dict[str, list[tuple[Load, dict[str, float]]]] = {name: [] for name in targets}
    for _ in range(ROUNDS):
        for name, target in targets.items():
            before = {p: procs.cpu_seconds(pid) for p, pid in watched.items()}
            load = await generator.round(target, concurrency=concurrency, seconds=ROUND_S)
            cpu = {p: procs.cpu_seconds(pid) - before[p] for p, pid in watched.items()}
            runs[name].append((load, cpu))
    return {
        name: sorted(found, key=lambda run: run[0].throughput)[len(found) // 2]
        for name, found in runs.items()
    }


def edge_verdicts(concurrency: int, loads: dict[str, Load]) -> list[Verdict]:
    edge = loads["edge"].throughput
    shared = 1.5 if concurrency == 1 else 3.0
    wanted = [("direct gRPC", 0.6, (16, 64)), ("naive per-request client", 4.0, CONCURRENCY),
              ("naive shared client", shared, CONCURRENCY)]  # fmt: skip
    floor = loads["floor, gRPC shape"].throughput / loads["floor, HTTP shape"].throughput
    return [
        *(Verdict(f"edge / {other} throughput, concurrency {concurrency}",
                  edge / loads[other].throughput, f"≥ {wanted_ratio}",
                  edge / loads[other].throughput >= wanted_ratio)
          for other, wanted_ratio, levels in wanted if concurrency in levels),
        Verdict(f"floor (no work at either hop): gRPC shape / HTTP shape, concurrency "
                f"{concurrency}", floor, "reference", None),
    ]  # fmt: skip


EDGE_CPU_TARGET_MS = 1.0
LEAF_CPU_TARGET = 2.0  # users' CPU per GetUser at most this many times the floor's gRPC leaf's


def cpu_verdicts(
    concurrency: int, medians: dict[str, tuple[Load, dict[str, float]]]
) -> list[Verdict]:
    """The hot path's CPU: the edge's per request, users' per GetUser against the floor's
    gRPC leaf (a grpc.aio server that does no work) at the same concurrency."""
    edge_load, edge_cpu = medians["edge"]
    floor_load, floor_cpu = medians["floor, gRPC shape"]
    edge_ms = edge_cpu["edge"] / edge_load.calls * 1000
    users_ms = edge_cpu["users"] / edge_load.calls * 1000
    leaf_ms = floor_cpu["floor gRPC leaf"] / floor_load.calls * 1000
    return [
        Verdict(f"edge CPU ms per request, concurrency {concurrency}", edge_ms,
                f"≤ {EDGE_CPU_TARGET_MS}", edge_ms <= EDGE_CPU_TARGET_MS),
        Verdict(f"users CPU per GetUser / floor gRPC leaf's, concurrency {concurrency}",
                users_ms / leaf_ms, f"≤ {LEAF_CPU_TARGET}", users_ms / leaf_ms <= LEAF_CPU_TARGET),
    ]  # fmt: skip


def platform_lines(stack: Stack, processes: list[str], idle_rss: int, loaded_rss: int) -> list[str]:
    return [
        "",
        "Platform (`python -m mesh.devstack`: nats-server, every service, the edge):",
        "",
        "| measure | value |",
        "|---|---|",
        f'| seconds from launch to "Meshwork is up" (measured / printed) '
        f"| {stack.ready_s:.1f} / {stack.reported_ready_s:.1f} |",
        f"| RSS of the whole stack at ready (MB) | {idle_rss / 2**20:.0f} |",
        f"| RSS of the whole stack after the load (MB) | {loaded_rss / 2**20:.0f} |",
        f"| processes | {', '.join(processes)} |",
    ]
