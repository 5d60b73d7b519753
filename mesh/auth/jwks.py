"""A JWK Set cache that refreshes on age and, rate-limited, on an unknown key id; it keeps
verifying with the last keys, for a bounded time, while the issuer is unreachable."""

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

    While the issuer cannot be reached, the keys last fetched keep verifying tokens for up to
    `stale_if_error_s` past their age (stale-if-error, RFC 5861): an identity outage does not
    stop every verifier at once. The issuer is asked again at most once per
    `min_refresh_interval_s` meanwhile; past the bound, verification fails with
    SIGNING_KEYS_UNAVAILABLE.
    """

    def __init__(
        self,
        fetch: JwksFetch,
        *,
        max_age_s: float = 300.0,
        min_refresh_interval_s: float = 5.0,
        stale_if_error_s: float = 3600.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._fetch = fetch
        self._max_age_s = max_age_s
        self._min_refresh_interval_s = min_refresh_interval_s
        self._stale_if_error_s = stale_if_error_s
        self._clock = clock
        self._keys: dict[str, jwt.PyJWK] = {}
        self._fetched_at: float | None = None
        self._attempted_at: float | None = None  # when the last fetch ended, worked or not
        self._lock = asyncio.Lock()

    async def key(self, kid: str) -> jwt.PyJWK | None:
        """The key with this id, refreshing the set if it is stale or does not have it."""
        if self._is_stale() or kid not in self._keys:
            if self._may_refresh() or self._lock.locked():  # or share the fetch under way
                await self.refresh()
            if not self._usable():
                raise _keys_unavailable()
        return self._keys.get(kid)

    async def refresh(self) -> None:
        """Fetches the key set now; callers that ask while a fetch is under way share it. A
        failed fetch keeps the last keys while they are within the stale-if-error bound, else
        raises SIGNING_KEYS_UNAVAILABLE."""
        asked_at = self._clock()
        async with self._lock:
            if self._attempted_at is not None and self._attempted_at >= asked_at:
                return  # a fetch that ended after this caller asked: its outcome stands
            try:
                fetched = await self._fetch()
            except Exception as error:  # the issuer is down or unreachable
                self._attempted_at = self._clock()
                self._keep_stale_keys_or_raise(error)
                return
            keys = {}
            for entry in fetched:
                try:
                    keys[str(entry["kid"])] = jwt.PyJWK(dict(entry))
                except (KeyError, jwt.PyJWKError) as error:
                    logger.warning("ignoring unusable JWK", extra={"error": str(error)})
            self._keys = keys
            self._fetched_at = self._attempted_at = self._clock()

    def _keep_stale_keys_or_raise(self, error: Exception) -> None:
        if self._usable():
            logger.warning("cannot refresh the signing keys; verifying with the last: %s", error)
            return
        logger.error("cannot fetch the signing keys: %s", error)
        raise _keys_unavailable() from error

    def _usable(self) -> bool:
        """Whether the keys held may verify tokens: fresh, or stale within the bound."""
        if self._fetched_at is None:
            return False
        return self._clock() - self._fetched_at <= self._max_age_s + self._stale_if_error_s

    def _is_stale(self) -> bool:
        return self._fetched_at is None or self._clock() - self._fetched_at > self._max_age_s

    def _may_refresh(self) -> bool:
        if self._attempted_at is None:
            return True
        return self._clock() - self._attempted_at >= self._min_refresh_interval_s


def _keys_unavailable() -> Unavailable:
    return Unavailable(
        "cannot fetch the signing keys that verify the token from the issuer; retry later",
        reason="SIGNING_KEYS_UNAVAILABLE",
        domain=MESH_DOMAIN,
    )
