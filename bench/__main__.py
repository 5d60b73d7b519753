"""`make bench`: runs every benchmark in turn (or those named: ``python -m bench events
growth``); each prints its table and saves it in results/, then the targets measured are
printed with MET / MISSED and summed up in README's Performance, with the latest targets of
the benchmarks not run this time (results/verdicts.json keeps each benchmark's last ones)."""

from __future__ import annotations

import argparse
import asyncio
import os
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime

from bench import auth, edge, events, growth, mesh_chain, token_cache
from bench.harness import (
    Verdict,
    load_verdicts,
    machine,
    save_verdicts,
    update_readme,
    verdict_table,
)

BENCHMARKS: dict[str, Callable[[], Awaitable[list[Verdict]]]] = {
    "edge": edge.run,
    "mesh-chain": mesh_chain.run,
    "token-cache": token_cache.run,
    "auth": auth.run,
    "events": events.run,
    "growth": growth.run,
}


async def main(names: list[str]) -> None:
    for name in names:
        measured = await BENCHMARKS[name]()
        save_verdicts(load_verdicts() | {name: measured})  # others may have saved theirs since
    latest = load_verdicts()
    table = verdict_table([v for name in BENCHMARKS for v in latest.get(name, [])])
    print("\n".join(["", "Targets:", *table]))
    update_readme(summary(table))


def summary(table: list[str]) -> list[str]:
    return [
        "`make bench` measures variants side by side in one run (interleaved rounds, medians) and",
        "compares ratios, since absolute numbers drift on shared machines; full tables, with CPU",
        "per request of every process, land in `bench/results/`. The edge bench runs the platform",
        "as `make up` does and drives `GET /v1/users/{id}` through the edge, over direct gRPC, and",
        "through a naive FastAPI gateway → FastAPI users service (same SQLite database) with a new",
        "`httpx.AsyncClient` per request and with a shared one, from our multi-process load",
        "generator (keep-alive HTTP/1.1 parsed by httptools; grpc.aio with pre-serialized",
        "requests, which still costs the generator more per call than HTTP, see the CPU columns).",
        "The mesh chain bench runs a service's full chain with its JSON access log and tracer",
        "against the same mesh server without the chain, both getting the same calls.",
        "At concurrency 1 throughput is the inverse of one request's latency, and both designs",
        "cross the same processes (client → edge or gateway → users); a gRPC hop has more fixed",
        "work than a keep-alive HTTP/1.1 one (the gRPC core's threads hand every event to the",
        "event loop), so there the edge leads the shared-client gateway by less than under load.",
        "The floor rows measure that: both shapes with no work at either hop (`bench/floor.py`:",
        "one FastAPI front forwarding a stored reply from a plain grpc.aio server, or over a",
        "shared httpx client from a FastAPI leaf). The same work added to both shapes (reading",
        "the user) only brings their ratio closer to 1, so the floor's ratio is the most any edge",
        "could reach against the naive shared-client design at that concurrency on this machine.",
        "The events bench (`bench/events.py`) sends events through the outbox, the relay,",
        "JetStream and a consumer with its inbox (the emitter and the consumer each on its own",
        "database, as two services are) beside raw nats-py JetStream publishing and",
        "pull-consuming, in the same run. The growth bench (`bench/growth.py`) times users'",
        "GetUser and a filtered ListUsers page at growing table sizes (a database each, measured",
        "interleaved) and the relay draining a large backlog; `BENCH_GROWTH_USERS` and",
        "`BENCH_GROWTH_BACKLOG` choose the sizes. `python -m bench NAME...` runs some benchmarks",
        "only; the table keeps each benchmark's latest targets (`bench/results/verdicts.json`)",
        "with the day they were measured. Where other work shares the cores, latencies (and the",
        "relay's drain over minutes) swing with it; ratios within one run hold up better.",
        f"Latest run ({datetime.now(UTC):%Y-%m-%d}; {machine()}; load average "
        f"{os.getloadavg()[0]:.1f} at its end):",
        "",
        *table,
    ]


def arguments() -> list[str]:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument(
        "--readme", action="store_true",
        help="run nothing: rewrite README's table from the targets last measured",
    )  # fmt: skip
    parser.add_argument(
        "names", nargs="*", metavar="NAME",
        help=f"benchmarks to run, of {', '.join(BENCHMARKS)} (default: all)",
    )  # fmt: skip
    parsed = parser.parse_args()
    if parsed.readme:
        return []
    names: list[str] = parsed.names
    unknown = sorted(set(names) - set(BENCHMARKS))
    if unknown:
        parser.error(f"no benchmark named {', '.join(unknown)}; pick of {', '.join(BENCHMARKS)}")
    return names or list(BENCHMARKS)


if __name__ == "__main__":
    asyncio.run(main(arguments()))
