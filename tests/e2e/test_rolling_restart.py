"""A rolling restart of every service (`python -m mesh.stack restart`) under load through the
edge: no request fails, and every sign-up creates its account exactly once."""

from __future__ import annotations

import asyncio
import re
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest

from mesh.catalog import catalog
from mesh.devstack import LOCAL_ADMIN_EMAIL
from mesh.stack import send_command
from tests.support.stack import running_stack
from tests.support.waiting import eventually

PASSWORD = "correct horse battery"
SIGN_UP_CLIENTS = 2
READ_CLIENTS = 4
#: A read for each service of the catalogue, in its order (the staff lists for administrators).
READS = (
    ("identity", "/v1/users/me/sessions", "user"),
    ("users", "/v1/users/me", "user"),
    ("admin", "/v1/roles", "admin"),
    ("payments", "/v1/payments", "user"),
    ("notifications", "/v1/users/me/notificationPreferences", "user"),
    ("jobs", "/v1/jobs", "admin"),
    ("audit", "/v1/auditEntries", "admin"),
    ("orders", "/v1/orders", "user"),
)


@dataclass
class Load:
    """Clients calling the edge until stopped, each recording every answer."""

    http: httpx.AsyncClient
    tokens: dict[str, str]
    stopping: asyncio.Event = field(default_factory=asyncio.Event)
    answered: int = 0
    failures: list[str] = field(default_factory=list)
    #: email → (Idempotency-Key, user id answered)
    signed_up: dict[str, tuple[str, str]] = field(default_factory=dict)
    slowest_s: float = 0.0

    async def sign_ups(self, client: int) -> None:
        while not self.stopping.is_set():
            email, key = f"load-{client}-{uuid.uuid4().hex[:12]}@example.com", str(uuid.uuid4())
            body = {"email": email, "password": PASSWORD}
            reply = await self._send("POST", "/v1/auth:signUp", json=body, key=key)
            if reply is not None:
                self.signed_up[email] = (key, reply.json()["userId"])

    async def reads(self, client: int) -> None:
        turn = client
        while not self.stopping.is_set():
            _, path, who = READS[turn % len(READS)]
            await self._send("GET", path, token=self.tokens[who])
            turn += 1

    async def _send(
        self,
        method: str,
        path: str,
        *,
        json: dict[str, str] | None = None,
        key: str = "",
        token: str = "",
    ) -> httpx.Response | None:
        headers = {"Idempotency-Key": key} if key else {}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        started = time.monotonic()
        try:
            reply = await self.http.request(method, path, json=json, headers=headers)
        except httpx.HTTPError as error:
            self.failures.append(f"{method} {path}: {type(error).__name__}: {error}")
            return None
        self.slowest_s = max(self.slowest_s, time.monotonic() - started)
        self.answered += 1
        if reply.status_code != 200:
            self.failures.append(f"{method} {path}: {reply.status_code} {reply.text[:300]}")
            return None
        return reply


@pytest.mark.timeout(600)  # five services started twice, one after the other, under load
async def test_a_rolling_restart_under_load_fails_no_request_and_signs_up_each_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for limit in ("PER_ADDRESS", "PER_USER", "STRICT"):  # the load comes from one address
        monkeypatch.setenv(f"EDGE_RATE_LIMIT_{limit}", "100000/minute")
    monkeypatch.setenv("MESHWORK_READY_TIMEOUT_S", "120")  # successors start under load
    async with running_stack(tmp_path) as stack:
        edge = re.search(r"edge \(REST\)\s+(\S+)", stack.banner)
        assert edge, stack.banner
        async with httpx.AsyncClient(base_url=edge.group(1), timeout=60) as http:
            tokens = {
                "admin": await _sign_up(http, LOCAL_ADMIN_EMAIL),
                "user": await _sign_up(http, "reader@example.com"),
            }
            load = Load(http, tokens)
            clients = [load.sign_ups(n) for n in range(SIGN_UP_CLIENTS)]
            clients += [load.reads(n) for n in range(READ_CLIENTS)]
            running = [asyncio.create_task(client) for client in clients]
            try:
                await eventually(lambda: load.answered >= 20, timeout_s=60)  # load flows
                said: list[str] = []
                started = time.monotonic()
                restarted = await asyncio.to_thread(
                    send_command, tmp_path, "restart", out=said.append
                )
                restart_s = time.monotonic() - started
                during = load.answered
            finally:
                load.stopping.set()
                await asyncio.gather(*running)
            assert restarted, said
            assert [line.split()[0] for line in said if "restarted:" in line] == [
                name for name, *_ in READS
            ]
            assert [name for name, *_ in READS] == [s.name for s in catalog().runnable]
            assert load.failures == []
            await _each_signed_up_once(http, load, tokens["admin"])
    print(
        f"\nrolling restart of {len(READS)} services in {restart_s:.1f} s under load:"
        f" {load.answered} requests ({during} by the restart's end,"
        f" {len(load.signed_up)} sign-ups), {len(load.failures)} failed,"
        f" slowest answer {load.slowest_s * 1000:.0f} ms"
    )


async def _sign_up(http: httpx.AsyncClient, email: str) -> str:
    reply = await http.post("/v1/auth:signUp", json={"email": email, "password": PASSWORD})
    assert reply.status_code == 200, reply.text
    token: str = reply.json()["tokens"]["accessToken"]
    return token


async def _each_signed_up_once(http: httpx.AsyncClient, load: Load, admin: str) -> None:
    """Every acknowledged sign-up has one account (one profile with its email), and the same
    sign-up sent again with its key answers the same account."""
    emails: list[str] = []
    page = ""
    while True:
        reply = await http.get(
            "/v1/users",
            params={"pageSize": 100, "pageToken": page},
            headers={"Authorization": f"Bearer {admin}"},
        )
        assert reply.status_code == 200, reply.text
        emails += [user["email"] for user in reply.json().get("users", [])]
        page = reply.json().get("nextPageToken", "")
        if not page:
            break
    loaded = [email for email in emails if email.startswith("load-")]
    assert sorted(loaded) == sorted(load.signed_up)  # each once, none unacknowledged
    for email, (key, user_id) in list(load.signed_up.items())[:5]:
        again = await http.post(
            "/v1/auth:signUp",
            json={"email": email, "password": PASSWORD},
            headers={"Idempotency-Key": key},
        )
        assert again.status_code == 200, again.text
        assert again.json()["userId"] == user_id
