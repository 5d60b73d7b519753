"""Outgoing webhooks: the "webhooks.deliver" job, which POSTs one event to one endpoint.

Before connecting, the endpoint's host is resolved and every address checked (no private,
loopback, link-local, reserved... targets unless configured), and the request goes to the
checked address itself (Host header and TLS server name keep the original host), so DNS
cannot swap in another address between the check and the connection. Any 2xx answer is
success; anything else fails the attempt, which is retried with backoff.
"""

from __future__ import annotations

import asyncio
import ipaddress
import json
import socket
import time
from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import urlsplit

import httpx

from mesh.db import UnitOfWork
from services.jobs.registry import JobContext, PermanentJobError
from services.jobs.secret_box import SecretBox
from services.jobs.webhooks.domain import IpAddress, TargetPolicy, signature_headers, target_of
from services.jobs.webhooks.repository import WebhookEndpointRepository

DELIVER_JOB_TYPE = "webhooks.deliver"
#: Resolves (host, port) to IP address strings.
Resolver = Callable[[str, int], Awaitable[list[str]]]


class WebhookDeliveryError(Exception):
    """The endpoint did not accept the delivery (not a 2xx answer); it is retried."""


async def system_resolver(host: str, port: int) -> list[str]:
    infos = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return list(dict.fromkeys(str(info[4][0]) for info in infos))


class TargetGuard:
    """Resolves a webhook URL's host and checks every address against the target policy."""

    def __init__(self, policy: TargetPolicy, resolve: Resolver = system_resolver) -> None:
        self.policy = policy
        self._resolve = resolve

    async def check(self, url: str) -> tuple[list[IpAddress], str]:
        """The addresses to connect to, and "" — or no addresses and why not."""
        problem = self.policy.url_problem(url)
        if problem:
            return [], problem
        host, port = target_of(url)
        try:
            addresses = [ipaddress.ip_address(a) for a in await self._resolve(host, port)]
        except (OSError, ValueError) as error:
            return [], f"host {host!r} does not resolve: {error}"
        if not addresses:
            return [], f"host {host!r} does not resolve"
        for address in addresses:
            problem = self.policy.address_problem(address)
            if problem:
                return [], problem
        return addresses, ""


def payload_problems(payload: dict[str, Any]) -> list[tuple[str, str]]:
    """What a "webhooks.deliver" payload lacks."""
    problems = [
        (name, "is required (a string)")
        for name in ("endpoint_id", "event_id", "event_type", "occurred_time")
        if not isinstance(payload.get(name), str) or not payload[name]
    ]
    if not isinstance(payload.get("data"), dict):
        problems.append(("data", "is required (the event as a JSON object)"))
    return problems


def delivery_body(payload: dict[str, Any]) -> bytes:
    """The JSON body POSTed for an event: {"id", "type", "occurred_time", "data"}."""
    body = {
        "id": payload["event_id"],
        "type": payload["event_type"],
        "occurred_time": payload["occurred_time"],
        "data": payload["data"],
    }
    return json.dumps(body, separators=(",", ":"), ensure_ascii=False).encode()


class WebhookDelivery:
    """The handler of "webhooks.deliver" jobs."""

    def __init__(
        self,
        unit_of_work: Callable[[], UnitOfWork],
        box: SecretBox,
        guard: TargetGuard,
        *,
        timeout_s: float,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._unit_of_work = unit_of_work
        self._box = box
        self._guard = guard
        self._timeout_s = timeout_s
        self._clock = clock

    async def __call__(self, payload: dict[str, Any], context: JobContext) -> None:
        endpoint_id = payload["endpoint_id"]
        async with self._unit_of_work() as uow:
            endpoint = await WebhookEndpointRepository(uow.connection, self._box).get(endpoint_id)
        if endpoint is None:
            raise PermanentJobError(f"webhook endpoint {endpoint_id!r} no longer exists")
        if not endpoint.enabled:
            raise PermanentJobError(
                f"webhook endpoint {endpoint_id!r} is disabled; enable it, then retry this job"
            )
        addresses, problem = await self._guard.check(endpoint.url)
        if problem:
            raise PermanentJobError(f"refused to deliver to {endpoint.url}: {problem}")
        body = delivery_body(payload)
        headers = signature_headers(
            endpoint.secret, message_id=context.job_id, timestamp=int(self._clock()), body=body
        )
        status = await self._post(endpoint.url, addresses[0], body, headers)
        if not 200 <= status < 300:
            raise WebhookDeliveryError(f"{endpoint.url} answered HTTP {status}")

    async def _post(
        self, url: str, address: IpAddress, body: bytes, headers: dict[str, str]
    ) -> int:
        parts = urlsplit(url)
        host = f"[{address}]" if address.version == 6 else str(address)
        pinned = parts._replace(netloc=f"{host}:{parts.port}" if parts.port else host).geturl()
        extensions = {"sni_hostname": parts.hostname or ""} if parts.scheme == "https" else {}
        request_headers = {
            **headers,
            "host": parts.netloc,
            "content-type": "application/json",
            "user-agent": "meshwork-webhooks/1",
        }
        async with httpx.AsyncClient(timeout=self._timeout_s, trust_env=False) as client:
            response = await client.post(
                pinned, content=body, headers=request_headers, extensions=extensions
            )
        return response.status_code
