"""argon2id hashing: OWASP parameters, off the event loop, bounded, rehash on new parameters."""

from __future__ import annotations

import asyncio
import os
import sys
import threading
from collections.abc import Callable

import pytest
from argon2 import Type, extract_parameters

from services.identity.passwords import HASHING_NICENESS, OWASP, HashParameters, PasswordHashing

CHEAP = HashParameters(memory_kib=64, time_cost=1)


class SpyHasher:
    """Wraps the real argon2 hasher and calls `on_call` (in the calling thread) first."""

    def __init__(self, hashing: PasswordHashing, on_call: Callable[[], None]) -> None:
        self._real = hashing._hasher
        self._on_call = on_call
        hashing._hasher = self  # type: ignore[assignment]

    def hash(self, password: str) -> str:
        self._on_call()
        return self._real.hash(password)

    def verify(self, encoded: str, password: str) -> bool:
        self._on_call()
        return self._real.verify(encoded, password)


def test_default_parameters_are_owasps_argon2id_minimum() -> None:
    assert (OWASP.memory_kib, OWASP.time_cost, OWASP.parallelism) == (19_456, 2, 1)


async def test_hashes_are_argon2id_with_the_configured_parameters_and_a_fresh_salt() -> None:
    hashing = PasswordHashing()
    first, second = await hashing.hash("a password"), await hashing.hash("a password")
    parameters = extract_parameters(first)
    assert parameters.type is Type.ID
    assert (parameters.memory_cost, parameters.time_cost, parameters.parallelism) == (19_456, 2, 1)
    assert first != second


async def test_verification_accepts_the_password_and_refuses_others() -> None:
    hashing = PasswordHashing(CHEAP)
    encoded = await hashing.hash("right password")
    assert await hashing.verify(encoded, "right password")
    assert not await hashing.verify(encoded, "wrong password")
    assert not await hashing.verify("not a hash at all", "right password")


async def test_a_hash_made_with_other_parameters_needs_rehashing() -> None:
    old = await PasswordHashing(CHEAP).hash("pw")
    current = PasswordHashing()
    assert current.needs_rehash(old)
    assert not current.needs_rehash(await current.hash("pw"))
    assert current.needs_rehash("garbage")


async def test_hashing_runs_in_worker_threads_so_the_event_loop_keeps_serving() -> None:
    hashing = PasswordHashing()
    threads: set[int] = set()
    SpyHasher(hashing, lambda: threads.add(threading.get_ident()))
    ticks = 0
    task = asyncio.create_task(hashing.hash("pw"))
    while not task.done():
        ticks += 1
        await asyncio.sleep(0)  # yield to the loop; counts how often it ran meanwhile
    await task
    assert threading.get_ident() not in threads
    assert ticks > 1


async def test_at_most_concurrency_hashes_run_at_once() -> None:
    hashing = PasswordHashing(CHEAP, concurrency=2)
    running, peak, lock = 0, 0, threading.Lock()
    both_busy = threading.Event()
    encoded = await hashing.hash("pw")

    def enter() -> None:
        nonlocal running, peak
        with lock:
            running += 1
            peak = max(peak, running)
        if peak >= 2:
            both_busy.set()
        both_busy.wait(timeout=5)  # hold the slot until two run together
        with lock:
            running -= 1

    SpyHasher(hashing, enter)
    results = await asyncio.gather(*(hashing.verify(encoded, "pw") for _ in range(6)))
    assert all(results) and peak == 2


async def test_checking_an_unknown_account_spends_a_real_verification() -> None:
    hashing = PasswordHashing(CHEAP)
    calls: list[str] = []
    SpyHasher(hashing, lambda: calls.append("argon2"))
    await hashing.verify_nothing("whatever")
    await hashing.verify_nothing("whatever")
    assert len(calls) == 3  # the dummy hash is made once, then each check verifies against it


@pytest.mark.skipif(sys.platform != "linux", reason="threads have their own nice value on Linux")
async def test_hashing_threads_run_below_the_serving_threads_priority() -> None:
    hashing = PasswordHashing(CHEAP)
    seen: list[int] = []
    SpyHasher(
        hashing, lambda: seen.append(os.getpriority(os.PRIO_PROCESS, threading.get_native_id()))
    )
    await hashing.hash("pw")
    serving = os.getpriority(os.PRIO_PROCESS, threading.get_native_id())
    assert seen == [min(19, serving + HASHING_NICENESS)]
    assert os.getpriority(os.PRIO_PROCESS, os.getpid()) == serving  # the process is untouched
