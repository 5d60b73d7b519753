"""argon2id password hashing off the event loop, with bounded concurrency and equal timing."""

from __future__ import annotations

import asyncio
import os
import sys
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import TypeVar

from argon2 import PasswordHasher, Type
from argon2.exceptions import InvalidHashError, VerificationError


@dataclass(frozen=True, slots=True)
class HashParameters:
    """argon2id cost parameters; the defaults are OWASP's minimum (19 MiB, 2 passes, 1 lane)."""

    memory_kib: int = 19_456
    time_cost: int = 2
    parallelism: int = 1
    hash_len: int = 32
    salt_len: int = 16

    def hasher(self) -> PasswordHasher:
        return PasswordHasher(
            time_cost=self.time_cost,
            memory_cost=self.memory_kib,
            parallelism=self.parallelism,
            hash_len=self.hash_len,
            salt_len=self.salt_len,
            type=Type.ID,
        )


OWASP = HashParameters()
#: How much lower than the serving threads the hashing threads run (Linux niceness): a core
#: that a cheap call needs goes to it first, and hashing gets the CPU nothing else wants.
HASHING_NICENESS = 10

T = TypeVar("T")


def lower_thread_priority(niceness: int = HASHING_NICENESS) -> None:
    """Runs the calling thread `niceness` steps below the process's priority (Linux, where a
    thread has its own nice value; elsewhere the thread keeps the process's priority)."""
    if sys.platform == "linux":
        thread = threading.get_native_id()
        inherited = os.getpriority(os.PRIO_PROCESS, thread)
        os.setpriority(os.PRIO_PROCESS, thread, min(19, inherited + niceness))


class PasswordHashing:
    """Hashes and verifies passwords in worker threads, at most `concurrency` at a time.

    Each hash takes ~50 ms of CPU and 19 MiB; running them on the event loop would stall every
    other call, and running unboundedly many would exhaust memory under a login flood. The
    default leaves one core to everything else, and the hashing threads run at a lower
    priority (HASHING_NICENESS), so cheap calls stay fast during a login storm.
    """

    def __init__(self, parameters: HashParameters = OWASP, *, concurrency: int | None = None):
        self.parameters = parameters
        self._hasher = parameters.hasher()
        slots = concurrency or max(1, (os.cpu_count() or 1) - 1)
        self._slots = asyncio.Semaphore(slots)
        self._threads = ThreadPoolExecutor(
            max_workers=slots, thread_name_prefix="argon2", initializer=lower_thread_priority
        )
        self._dummy_hash: str | None = None

    async def hash(self, password: str) -> str:
        """The encoded argon2id hash of `password`, with a fresh salt."""
        return await self._in_thread(self._hasher.hash, password)

    async def verify(self, encoded: str, password: str) -> bool:
        """Whether `password` matches the encoded hash."""
        return await self._in_thread(self._verify, encoded, password)

    async def _in_thread(self, work: Callable[..., T], *args: str) -> T:
        async with self._slots:
            return await asyncio.get_running_loop().run_in_executor(self._threads, work, *args)

    async def prepare(self) -> None:
        """Makes the stand-in hash `verify_nothing` checks against (once, at start-up)."""
        if self._dummy_hash is None:
            self._dummy_hash = await self.hash(os.urandom(16).hex())

    async def verify_nothing(self, password: str) -> None:
        """Spends the time of a real verification, for an account that does not exist, so
        unknown emails and wrong passwords take as long (no account discovery by timing)."""
        await self.prepare()
        assert self._dummy_hash is not None
        await self.verify(self._dummy_hash, password)

    def needs_rehash(self, encoded: str) -> bool:
        """Whether the hash was made with other parameters than the current ones."""
        try:
            return self._hasher.check_needs_rehash(encoded)
        except InvalidHashError:
            return True

    def _verify(self, encoded: str, password: str) -> bool:
        try:
            return self._hasher.verify(encoded, password)
        except (VerificationError, InvalidHashError):
            return False
