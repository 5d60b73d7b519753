"""Service tokens for outgoing calls: fetched per audience, cached until shortly before expiry."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable

#: Asks identity for a token for `audience`; returns the token and its expiry (epoch seconds).
TokenIssuer = Callable[[str], Awaitable[tuple[str, float]]]


class ServiceTokens:
    """A `mesh.client.TokenProvider` that reuses each audience's token until `refresh_margin`
    of its lifetime is left, and fetches at most one token per audience at a time.
    """

    def __init__(
        self,
        issue: TokenIssuer,
        *,
        refresh_margin: float = 0.2,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._issue = issue
        self._refresh_margin = refresh_margin
        self._clock = clock
        self._tokens: dict[str, tuple[str, float, float]] = {}  # audience → token, refresh at, exp
        self._locks: dict[str, asyncio.Lock] = {}

    async def __call__(self, audience: str) -> str:
        cached = self._tokens.get(audience)
        if cached is not None and self._clock() < cached[1]:
            return cached[0]
        async with self._locks.setdefault(audience, asyncio.Lock()):
            cached = self._tokens.get(audience)
            if cached is not None and self._clock() < cached[1]:
                return cached[0]
            issued_at = self._clock()
            token, expires_at = await self._issue(audience)
            refresh_at = expires_at - (expires_at - issued_at) * self._refresh_margin
            self._tokens[audience] = (token, refresh_at, expires_at)
            return token
