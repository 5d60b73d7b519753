"""Idempotency keys as Stripe keeps them: per API key, 24 hours, one execution per key."""

from __future__ import annotations

import asyncio
import hashlib
import json
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

from sandbox.stripe.errors import idempotency_mismatch, invalid

TTL_S = 24 * 3600
MAX_KEY_LENGTH = 255


@dataclass(frozen=True)
class Saved:
    """A response kept for replay."""

    status: int
    body: bytes


class IdempotencyKeys:
    """Saved responses by (API key, idempotency key), in the store's `idempotency` dict."""

    def __init__(self, records: dict[str, dict[str, Any]]) -> None:
        self._records = records
        self._locks: dict[str, asyncio.Lock] = {}

    @asynccontextmanager
    async def held(self, api_key: str, key: str) -> AsyncIterator[str]:
        """Holds the key while its request runs: a concurrent twin waits, then replays."""
        if len(key) > MAX_KEY_LENGTH:
            raise invalid(
                f"Idempotency-Key must be at most {MAX_KEY_LENGTH} characters.",
                param="Idempotency-Key",
            )
        scope = f"{api_key}\n{key}"
        lock = self._locks.setdefault(scope, asyncio.Lock())
        async with lock:
            yield scope

    def replay(self, scope: str, request: tuple[str, str, dict[str, Any]]) -> Saved | None:
        """The saved response for this key, or None; an idempotency_error if params differ."""
        self._expire()
        record = self._records.get(scope)
        if record is None:
            return None
        if record["fingerprint"] != _fingerprint(request):
            raise idempotency_mismatch(scope.split("\n", 1)[1])
        return Saved(record["status"], record["body"].encode())

    def save(self, scope: str, request: tuple[str, str, dict[str, Any]], saved: Saved) -> None:
        self._records[scope] = {
            "fingerprint": _fingerprint(request),
            "status": saved.status,
            "body": saved.body.decode(),
            "at": time.time(),
        }

    def _expire(self) -> None:
        oldest = time.time() - TTL_S
        for scope in [s for s, r in self._records.items() if r["at"] < oldest]:
            del self._records[scope]
            if (lock := self._locks.get(scope)) is not None and not lock.locked():
                del self._locks[scope]


def _fingerprint(request: tuple[str, str, dict[str, Any]]) -> str:
    return hashlib.sha256(json.dumps(request, sort_keys=True).encode()).hexdigest()
