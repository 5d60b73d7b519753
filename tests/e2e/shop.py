"""A shop on the whole platform for the checkout tests: `make up` (the Stripe sandbox, SMTP
mail into a sink) driven through the edge by a buyer and the local administrator."""

from __future__ import annotations

import asyncio
import contextlib
import re
import signal
import sys
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import httpx

from mesh.devstack import LOCAL_ADMIN_EMAIL
from tests.support import ROOT, subprocess_env
from tests.support.smtp import SmtpSink
from tests.support.waiting import eventually

PASSWORD = "correct horse battery"
VISA = "pm_card_visa"
DECLINED = "pm_card_chargeDeclined"
#: A card that asks for 3-D Secure: its payment stays open until the buyer authenticates.
AUTHENTICATION = "pm_card_authenticationRequired"
FINAL = ("ORDER_STATE_CONFIRMED", "ORDER_STATE_CANCELLED")
#: What a client retries with the same idempotency key: the service too slow or unreachable,
#: or still busy with the first attempt (IDEMPOTENCY_KEY_IN_USE).
RETRIED = (409, 503, 504)


@dataclass
class Stack:
    """The running `make up`: the edge's URL, what the supervisor printed, and its process."""

    edge: str
    process: asyncio.subprocess.Process
    output: list[str]

    def restarts_of(self, name: str) -> int:
        return sum(f"{name} restarted" in line for line in self.output)


@contextlib.asynccontextmanager
async def running_stack(state: str, sink: SmtpSink, **env: str) -> AsyncIterator[Stack]:
    """`make up` in `state`, its mail going to `sink`, with `env` on top (ORDERS_* settings)."""
    environment = subprocess_env(
        MESHWORK_STATE_DIR=state,
        MESHWORK_ANY_PORTS="1",
        NATS_URL="",
        MESHWORK_NATS_URL="",
        NOTIFICATIONS_EMAIL_TRANSPORT="smtp",
        NOTIFICATIONS_SMTP_HOST="127.0.0.1",
        NOTIFICATIONS_SMTP_PORT=str(sink.port),
        NOTIFICATIONS_SMTP_TLS="off",
        MESHWORK_READY_TIMEOUT_S="180",  # the machine may be busy: readiness is not timed here
        ORDERS_SWEEP_INTERVAL_S="0.2",
        EDGE_RATE_LIMIT_STRICT="1000/minute",  # many sign-ups and polls from one address
        EDGE_RATE_LIMIT_PER_ADDRESS="100000/minute",
        **env,
    )
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "mesh.devstack",
        cwd=ROOT, env=environment, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT,
    )  # fmt: skip
    assert process.stdout is not None
    output: list[str] = []
    reading: asyncio.Task[None] | None = None
    try:
        async with asyncio.timeout(240):
            while not output or not output[-1].startswith("Logs:"):
                line = await process.stdout.readline()
                assert line, "".join(output)
                output.append(line.decode())
        edge = re.search(r"edge \(REST\)\s+(http://\S+)", "".join(output))
        assert edge, "".join(output)
        reading = asyncio.create_task(_keep_reading(process.stdout, output))
        yield Stack(edge.group(1), process, output)
    finally:
        if process.returncode is None:
            process.send_signal(signal.SIGINT)
            async with asyncio.timeout(30):
                await process.wait()
        if reading is not None:
            reading.cancel()


async def _keep_reading(stream: asyncio.StreamReader, output: list[str]) -> None:
    while line := await stream.readline():
        output.append(line.decode())


class Shopper:
    """One signed-in user talking to the edge."""

    def __init__(self, http: httpx.AsyncClient, email: str, token: str, user_id: str) -> None:
        self.http, self.email, self.user_id = http, email, user_id
        self.headers = {"Authorization": f"Bearer {token}"}

    @classmethod
    async def sign_up(cls, http: httpx.AsyncClient, email: str = "") -> Shopper:
        email = email or f"buyer-{uuid.uuid4().hex[:8]}@example.com"
        reply = await http.post(
            "/v1/auth:signUp", json={"email": email, "password": PASSWORD, "displayName": "Sam"}
        )
        assert reply.status_code == 200, reply.text
        body = reply.json()
        return cls(http, email, body["tokens"]["accessToken"], body["userId"])

    async def call(self, method: str, path: str, **kwargs: Any) -> dict[str, Any]:
        reply = await self.http.request(method, path, headers=self.headers, **kwargs)
        assert reply.status_code == 200, f"{method} {path}: {reply.status_code} {reply.text}"
        result: dict[str, Any] = reply.json()
        return result

    async def place(self, product_id: str, quantity: int = 1, *, card: str = VISA) -> str:
        """Places an order as a careful client does: with an idempotency key, retrying with
        the same key while the edge answers that the service was too slow or still busy with
        it (so a retry never places a second order)."""
        body = {"lines": [{"productId": product_id, "quantity": quantity}], "paymentMethodId": card}
        headers = {**self.headers, "Idempotency-Key": uuid.uuid4().hex}
        placed: list[dict[str, Any]] = []

        async def answered() -> bool:
            reply = await self.http.post("/v1/orders", json=body, headers=headers)
            if reply.status_code in RETRIED:
                return False
            assert reply.status_code == 200, reply.text
            placed.append(reply.json()["order"])
            return True

        await eventually(answered, timeout_s=180)
        assert placed[0]["state"] == "ORDER_STATE_PENDING"
        return str(placed[0]["id"])

    async def settled(self, order_id: str, *, timeout_s: float = 120) -> dict[str, Any]:
        """The order once CONFIRMED or CANCELLED (a read the edge found too slow is read
        again)."""
        found: dict[str, Any] = {}

        async def final() -> bool:
            reply = await self.http.get(f"/v1/orders/{order_id}", headers=self.headers)
            if reply.status_code in RETRIED:
                return False
            assert reply.status_code == 200, reply.text
            found.update(reply.json()["order"])
            return found["state"] in FINAL

        await eventually(final, timeout_s=timeout_s)
        return found


async def admin(http: httpx.AsyncClient) -> Shopper:
    """The stack's local administrator (whoever signs up with its address is one), signed up
    by the first test that needs them and logged in by the others."""
    credentials = {"email": LOCAL_ADMIN_EMAIL, "password": PASSWORD}
    reply = await http.post("/v1/auth:login", json=credentials)
    if reply.status_code != 200:
        return await Shopper.sign_up(http, LOCAL_ADMIN_EMAIL)
    token = reply.json()["tokens"]["accessToken"]
    me = await http.get("/v1/users/me", headers={"Authorization": f"Bearer {token}"})
    return Shopper(http, LOCAL_ADMIN_EMAIL, token, me.json()["user"]["id"])


async def new_product(staff: Shopper, *, stock: int, unit_price: int = 1250) -> str:
    product = {
        "displayName": f"Mug {uuid.uuid4().hex[:6]}",
        "unitPrice": str(unit_price),
        "currencyCode": "EUR",
        "stock": str(stock),
    }
    return str((await staff.call("POST", "/v1/products", json=product))["product"]["id"])


async def stock_of(shopper: Shopper, product_id: str) -> int:
    product = (await shopper.call("GET", f"/v1/products/{product_id}"))["product"]
    return int(product.get("stock", 0))  # proto3 JSON leaves zero out


async def payments_of(staff: Shopper, order_ids: set[str]) -> list[dict[str, Any]]:
    """Every payment the payments service holds for the orders (staff see all)."""
    found: list[dict[str, Any]] = []
    token = ""
    while True:
        page = await staff.call("GET", "/v1/payments", params={"pageSize": 100, "pageToken": token})
        found += [
            p
            for p in page.get("payments", [])
            if p.get("metadata", {}).get("order_id") in order_ids
        ]
        token = page.get("nextPageToken", "")
        if not token:
            return found
