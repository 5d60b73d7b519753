"""Signed webhook delivery: each event POSTed in the background, retried with backoff."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import logging
import time
from dataclasses import dataclass
from typing import Any

import httpx

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Endpoint:
    """Where events go, the secret they are signed with, and which event types it wants."""

    url: str
    secret: str
    enabled_events: tuple[str, ...] = ("*",)

    def wants(self, event_type: str) -> bool:
        return "*" in self.enabled_events or event_type in self.enabled_events


@dataclass(frozen=True)
class RetryPolicy:
    """Bounded attempts; the delay doubles after each failed one."""

    attempts: int = 5
    first_delay_s: float = 1.0
    timeout_s: float = 10.0


def signature_header(payload: str, secret: str, timestamp: int) -> str:
    """`Stripe-Signature` as Stripe computes it: HMAC-SHA256 of "t.payload" with the secret."""
    mac = hmac.new(secret.encode(), f"{timestamp}.{payload}".encode(), hashlib.sha256)
    return f"t={timestamp},v1={mac.hexdigest()}"


class WebhookDispatcher:
    """Delivers events on the running loop; `aclose` cancels what is still retrying."""

    def __init__(self, policy: RetryPolicy | None = None) -> None:
        self.policy = policy or RetryPolicy()
        self._client: httpx.AsyncClient | None = None
        self._tasks: set[asyncio.Task[None]] = set()

    def deliver(self, event: dict[str, Any], endpoints: list[Endpoint]) -> None:
        payload = json.dumps(event, indent=2)
        for endpoint in endpoints:
            task = asyncio.get_running_loop().create_task(self._deliver(endpoint, payload))
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)

    async def _deliver(self, endpoint: Endpoint, payload: str) -> None:
        delay = self.policy.first_delay_s
        for attempt in range(1, self.policy.attempts + 1):
            if await self._attempt(endpoint, payload):
                return
            if attempt < self.policy.attempts:
                await asyncio.sleep(delay)
                delay *= 2
        log.warning("webhook to %s failed after %d attempts", endpoint.url, self.policy.attempts)

    async def _attempt(self, endpoint: Endpoint, payload: str) -> bool:
        if self._client is None:
            self._client = httpx.AsyncClient(timeout=self.policy.timeout_s)
        headers = {
            "Content-Type": "application/json; charset=utf-8",
            "Stripe-Signature": signature_header(payload, endpoint.secret, int(time.time())),
            "User-Agent": "Stripe/1.0 (+https://stripe.com/docs/webhooks)",
        }
        try:
            response = await self._client.post(endpoint.url, content=payload, headers=headers)
        except httpx.HTTPError as error:
            log.info("webhook to %s: %s", endpoint.url, error)
            return False
        return response.is_success

    async def aclose(self) -> None:
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        if self._client is not None:
            await self._client.aclose()
