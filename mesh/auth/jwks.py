"""A JWK Set cache that refreshes on age and, rate-limited, on an unknown key id."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import Any

import jwt

from mesh.errors import MESH_DOMAIN, Unavailable

logger = logging.getLogger("meshwork.auth")

#: Fetches the current JWK Set: a list of JWKs as JSON objects (RFC 7517).
JwksFetch = Callable[[], Awaitable[Sequence[Mapping[str, Any]]]]


class JwksCache:
    """Public signing keys by `kid`, fetched from the issuer and kept for `max_age_s`.

    A token signed with a key the cache does not know triggers one refresh (at most one per
    `min_refresh_interval_s`, so a flood of forged `kid`s cannot hammer the issuer): that is how
    verifiers in every process pick up a rotated key without a restart.
    """

    def __init__(
        self,
        fetch: JwksFetch,
        *,
        max_age_s: float = 300.0,
        min_refresh_interval_s: float = 5.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._fetch = fetch
        self._max_age_s = max_age_s
        self._min_refresh_interval_s = min_refresh_interval_s
        self._clock = clock
        self._keys: dict[str, jwt.PyJWK] = {}
        self._fetched_at: float | None = None
        self._lock = asyncio.Lock()

    async def key(self, kid: str) -> jwt.PyJWK | None:
        """The key with this id, refreshing the set if it is stale or does not have it."""
        if self._is_stale() or (kid not in self._keys and self._may_refresh()):
            await self.refresh()
        return self._keys.get(kid)

    async def refresh(self) -> None:
        """Fetches the key set now (concurrent callers share one fetch)."""
        started = self._clock()
        async with self._lock:
            if self._fetched_at is not None and self._fetched_at >= started:
                return  # another caller refreshed while this one waited
            try:
                fetched = await self._fetch()
            except Exception as error:  # the issuer is down or unreachable
                raise Unavailable(
                    f"cannot fetch signing keys to verify the token: {error}",
                    reason="SIGNING_KEYS_UNAVAILABLE",
                    domain=MESH_DOMAIN,
                ) from error
            keys = {}
            for entry in fetched:
                try:
                    keys[str(entry["kid"])] = jwt.PyJWK(dict(entry))
                except (KeyError, jwt.PyJWKError) as error:
                    logger.warning("ignoring unusable JWK", extra={"error": str(error)})
            self._keys = keys
            self._fetched_at = self._clock()

    def _is_stale(self) -> bool:
        return self._fetched_at is None or self._clock() - self._fetched_at > self._max_age_s

    def _may_refresh(self) -> bool:
        assert self._fetched_at is not None
        return self._clock() - self._fetched_at >= self._min_refresh_interval_s
