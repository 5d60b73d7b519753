"""Shared measuring: interleaved rounds of concurrent callers, medians, markdown tables."""

from __future__ import annotations

import asyncio
import dataclasses
import json
import os
import platform
import statistics
import time
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path

RESULTS = Path(__file__).parent / "results"

Call = Callable[[], Awaitable[object]]


@dataclass(frozen=True)
class Round:
    """One timed round of one variant."""

    calls: int
    seconds: float
    latencies: Sequence[float]

    @property
    def throughput(self) -> float:
        return self.calls / self.seconds

    def percentile(self, q: float) -> float:
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


async def timed_round(call: Call, *, concurrency: int, calls: int) -> Round:
    """`calls` calls spread over `concurrency` concurrent callers."""
    latencies: list[float] = []
    per_caller = calls // concurrency

    async def caller() -> None:
        for _ in range(per_caller):
            started = time.perf_counter()
            await call()
            latencies.append(time.perf_counter() - started)

    started = time.perf_counter()
    await asyncio.gather(*(caller() for _ in range(concurrency)))
    return Round(
        calls=per_caller * concurrency, seconds=time.perf_counter() - started, latencies=latencies
    )


async def compare(
    variants: Mapping[str, Call], *, concurrency: int, calls: int, rounds: int, warmup: int
) -> dict[str, list[Round]]:
    """Warms each variant up, then runs `rounds` interleaved rounds; every round of each."""
    for call in variants.values():
        await timed_round(call, concurrency=concurrency, calls=warmup)
    results: dict[str, list[Round]] = {name: [] for name in variants}
    for _ in range(rounds):
        for name, call in variants.items():
            results[name].append(await timed_round(call, concurrency=concurrency, calls=calls))
    return results


def median_round(rounds: Sequence[Round]) -> Round:
    """The round of median throughput."""
    return sorted(rounds, key=lambda r: r.throughput)[len(rounds) // 2]


def paired_ratio(measured: Sequence[Round], baseline: Sequence[Round]) -> float:
    """Median over rounds of measured / baseline throughput, each pair run back to back, so
    drift of the machine's speed between rounds cancels out."""
    return median([m.throughput / b.throughput for m, b in zip(measured, baseline, strict=True)])


def machine() -> str:
    """One line describing where the numbers were measured."""
    from google.protobuf.internal import api_implementation

    versions = ", ".join(
        f"{name} {metadata.version(name)}"
        for name in ("grpcio", "protobuf", "nats-py", "fastapi", "uvicorn", "httpx", "SQLAlchemy")
    )
    return (
        f"{os.cpu_count()} cores, Python {platform.python_version()}, {versions}, "
        f"protobuf backend {api_implementation.Type()}"
    )


def write_report(name: str, lines: list[str]) -> Path:
    """Prints the report and saves it as bench/results/<date>-<name>.md."""
    text = "\n".join(
        [f"# {name} — {datetime.now(UTC):%Y-%m-%d %H:%M} UTC", "", machine(), "", *lines]
    )
    print(text)
    RESULTS.mkdir(exist_ok=True)
    path = RESULTS / f"{datetime.now(UTC):%Y-%m-%d}-{name}.md"
    path.write_text(text + "\n")
    return path


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.2f}"


def median(values: Sequence[float]) -> float:
    return statistics.median(values)


@dataclass(frozen=True)
class Verdict:
    """One target of the issue, measured: printed with MET / MISSED and summed up in README."""

    name: str
    measured: float
    target: str
    met: bool | None  # None: measured for information, no target
    #: The day it was measured (UTC).
    on: str = dataclasses.field(default_factory=lambda: f"{datetime.now(UTC):%Y-%m-%d}")

    def line(self) -> str:
        return f"| {self.name} | {self.measured:.2f} | {self.target} | {self.status} | {self.on} |"

    @property
    def status(self) -> str:
        return "—" if self.met is None else "MET" if self.met else "MISSED"


VERDICTS = RESULTS / "verdicts.json"


def load_verdicts() -> dict[str, list[Verdict]]:
    """Each benchmark's targets as last measured (results/verdicts.json)."""
    if not VERDICTS.exists():
        return {}
    saved = json.loads(VERDICTS.read_text())
    return {name: [Verdict(**v) for v in verdicts] for name, verdicts in saved.items()}


def save_verdicts(verdicts: dict[str, list[Verdict]]) -> None:
    RESULTS.mkdir(exist_ok=True)
    saved = {name: [dataclasses.asdict(v) for v in vs] for name, vs in verdicts.items()}
    VERDICTS.write_text(json.dumps(saved, indent=1, ensure_ascii=False) + "\n")


def verdict_table(verdicts: Sequence[Verdict]) -> list[str]:
    return [
        "| target | measured | wanted | | measured on |",
        "|---|---|---|---|---|",
        *(v.line() for v in verdicts),
    ]


README = Path(__file__).resolve().parent.parent / "README.md"


def update_readme(summary: list[str]) -> None:
    """Replaces the body of README's "## Performance" section with `summary`."""
    text = README.read_text()
    start = text.index("## Performance\n") + len("## Performance\n")
    end = text.index("\n## ", start)
    README.write_text(text[:start] + "\n" + "\n".join(summary) + "\n" + text[end:])
