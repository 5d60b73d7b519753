"""Rate limits (the `limits` library): per client address, per user, and strict ones on login.

Counters live in memory, or in Redis (`EDGE_RATE_LIMIT_STORAGE=redis://host:6379/0`) so that
every edge process enforces one limit. A request over a limit gets 429 with `Retry-After`;
every limited response carries `RateLimit-Limit`, `RateLimit-Remaining` and `RateLimit-Reset`
(seconds) of the tightest limit it counted against.
"""

from __future__ import annotations

import asyncio
import logging
import math
import time
from dataclasses import dataclass
from typing import Any

from limits import RateLimitItem, parse
from limits.aio.storage import MemoryStorage, Storage
from limits.aio.strategies import SlidingWindowCounterRateLimiter
from limits.errors import StorageError
from limits.storage import storage_from_string

from edge.config import EdgeSettings
from edge.errors import EDGE_DOMAIN
from mesh.errors import ResourceExhausted

logger = logging.getLogger("meshwork.edge")


@dataclass(frozen=True, slots=True)
class Quota:
    """Where one limit stands after a request counted against it."""

    limit: int
    remaining: int
    reset_s: int

    def headers(self) -> dict[str, str]:
        return {
            "RateLimit-Limit": str(self.limit),
            "RateLimit-Remaining": str(self.remaining),
            "RateLimit-Reset": str(self.reset_s),
        }

    def tighter(self, other: Quota | None) -> Quota:
        return self if other is None or self.remaining <= other.remaining else other


class RateLimited(ResourceExhausted):
    """The request is over a limit; `headers` tell when to retry."""

    def __init__(self, message: str, *, quota: Quota) -> None:
        super().__init__(
            message,
            reason="RATE_LIMITED",
            domain=EDGE_DOMAIN,
            retry_after_s=quota.reset_s,
        )
        self.headers = {**quota.headers(), "Retry-After": str(max(1, quota.reset_s))}


class RateLimits:
    """The edge's limits over one storage; a storage failure lets requests through (logged)."""

    def __init__(self, settings: EdgeSettings, storage: Storage) -> None:
        self._storage = storage
        # Two counters per key, weighted: close to a moving window, cheap in memory and Redis.
        self._limiter = SlidingWindowCounterRateLimiter(storage)
        self._per_address = parse(settings.rate_limit_per_address)
        self._per_user = parse(settings.rate_limit_per_user)
        self._strict = parse(settings.rate_limit_strict)

    @classmethod
    def open(cls, settings: EdgeSettings) -> RateLimits:
        """Connects to the configured storage (Redis lazily, on the first request)."""
        url = settings.rate_limit_storage
        options: dict[str, Any] = {}
        if url.startswith(("redis://", "rediss://")):
            options = {"implementation": "redispy", "key_prefix": settings.rate_limit_key_prefix}
        storage = storage_from_string(f"async+{url}", wrap_exceptions=True, **options)
        assert isinstance(storage, Storage)
        return cls(settings, storage)

    async def close(self) -> None:
        if isinstance(self._storage, MemoryStorage):
            timer = self._storage.timer  # its expiry task; the counters die with us
            if timer is not None and not timer.done():
                timer.cancel()
                await asyncio.gather(timer, return_exceptions=True)
            return
        client = getattr(getattr(self._storage, "bridge", None), "storage", None)
        if client is not None and hasattr(client, "aclose"):
            await client.aclose()

    async def admit_address(self, address: str, *, strict: bool = False) -> Quota | None:
        """Counts a request from `address` (and against the strict limit when `strict`)."""
        quota = await self._hit(self._per_address, "address", address)
        if strict:
            strict_quota = await self._hit(self._strict, "strict", address)
            quota = strict_quota.tighter(quota) if strict_quota else quota
        return quota

    async def admit_user(self, subject: str) -> Quota | None:
        """Counts a request made with `subject`'s access token."""
        return await self._hit(self._per_user, "user", subject)

    async def _hit(self, item: RateLimitItem, kind: str, key: str) -> Quota | None:
        try:
            allowed = await self._limiter.hit(item, kind, key)
            stats = await self._limiter.get_window_stats(item, kind, key)
        except StorageError as error:
            logger.warning("rate limit storage failed; not limiting", extra={"error": str(error)})
            return None
        quota = Quota(
            limit=item.amount,
            remaining=max(0, stats.remaining),
            reset_s=max(0, math.ceil(stats.reset_time - time.time())),
        )
        if not allowed:
            raise RateLimited(
                f"too many requests ({item} per {kind}); retry in {max(1, quota.reset_s)} s",
                quota=quota,
            )
        return quota
