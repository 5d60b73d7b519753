"""Reading processes from /proc: descendants, CPU seconds (utime+stime) and resident memory."""

from __future__ import annotations

import os
from pathlib import Path

TICKS = os.sysconf("SC_CLK_TCK")


def descendants(pid: int) -> list[int]:
    """Every process below `pid` (children first found through /proc/<pid>/task/*/children)."""
    found: list[int] = []
    pending = [pid]
    while pending:
        current = pending.pop()
        for task in Path(f"/proc/{current}/task").glob("*"):
            try:
                children = (task / "children").read_text().split()
            except OSError:
                continue
            for child in map(int, children):
                if child not in found:
                    found.append(child)
                    pending.append(child)
    return found


def cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode().strip()
    except OSError:
        return ""


def cpu_seconds(pid: int) -> float:
    """User + system CPU seconds the process has used so far."""
    stat = Path(f"/proc/{pid}/stat").read_text()
    fields = stat[stat.rindex(")") + 2 :].split()
    return (int(fields[11]) + int(fields[12])) / TICKS  # utime, stime (fields 14 and 15)


def rss_bytes(pid: int) -> int:
    """VmRSS of the process (0 once it is gone)."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    except OSError:
        return 0
    return 0


def named(pids: list[int]) -> dict[str, int]:
    """Each process under a short name: nats, edge, or the service's name."""
    names: dict[str, int] = {}
    for pid in pids:
        line = cmdline(pid)
        if "nats-server" in line:
            names["nats"] = pid
        elif " -m edge" in line:
            names["edge"] = pid
        elif " -m services." in line:
            names[line.split(" -m services.")[1].split()[0]] = pid
        elif line:
            names[f"pid {pid}"] = pid
    return names
