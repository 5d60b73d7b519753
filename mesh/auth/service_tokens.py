"""Service tokens for outgoing calls: fetched per audience, renewed at half their life, and
kept in use while identity cannot renew them."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

logger = logging.getLogger("meshwork.auth")

#: Asks identity for a token for `audience`; returns the token and its expiry (epoch seconds).
TokenIssuer = Callable[[str], Awaitable[tuple[str, float]]]


class ServiceTokens:
    """A `mesh.client.TokenProvider` that reuses each audience's token until `refresh_margin`
    of its lifetime is left, and fetches at most one token per audience at a time.

    The default margin renews a token at half its life, so that when identity cannot be
    reached the token held goes on serving (stale-if-error) for the other half: calls
    between services outlast an identity outage by at least that long. Meanwhile identity
    is asked again at most once per `retry_interval_s`, not on every call.
    """

    def __init__(
        self,
        issue: TokenIssuer,
        *,
        refresh_margin: float = 0.5,
        retry_interval_s: float = 5.0,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._issue = issue
        self._refresh_margin = refresh_margin
        self._retry_interval_s = retry_interval_s
        self._clock = clock
        self._tokens: dict[str, _Held] = {}
        self._locks: dict[str, asyncio.Lock] = {}

    async def __call__(self, audience: str) -> str:
        held = self._tokens.get(audience)
        if held is not None and self._clock() < held.renew_at:
            return held.token
        async with self._locks.setdefault(audience, asyncio.Lock()):
            held = self._tokens.get(audience)
            now = self._clock()
            if held is not None and now < held.renew_at:
                return held.token
            try:
                token, expires_at = await self._issue(audience)
            except Exception as error:
                if held is None or now >= held.expires_at - _EXPIRY_SKEW_S:
                    raise
                logger.warning("cannot renew the %s token; using the one held: %s", audience, error)
                held.renew_at = now + self._retry_interval_s
                return held.token
            renew_at = expires_at - (expires_at - now) * self._refresh_margin
            self._tokens[audience] = _Held(token, renew_at, expires_at)
            return token


#: A token this close to its expiry is not sent: it could expire on its way.
_EXPIRY_SKEW_S = 5.0


@dataclass(slots=True)
class _Held:
    token: str
    renew_at: float  # epoch seconds: from then on, ask identity for the next token
    expires_at: float
