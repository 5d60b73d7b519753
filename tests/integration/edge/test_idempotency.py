"""Idempotency-Key through the edge: a retried sign-up answers the same and creates one account."""

from __future__ import annotations

import asyncio
import sqlite3
import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.integration.edge.fakes import serving
from tests.integration.edge.platform import Platform, running_platform
from tests.integration.identity.conftest import PASSWORD


@pytest.fixture
async def platform(nats_server: Any, tmp_path: Path) -> AsyncIterator[Platform]:
    async with running_platform(nats_server.url, tmp_path) as running:
        yield running


@pytest.fixture
async def http(platform: Platform) -> AsyncIterator[httpx.AsyncClient]:
    async with serving(platform.edge(), client="198.51.100.10") as client:
        yield client


def new_account() -> dict[str, str]:
    return {"email": f"user-{uuid.uuid4().hex[:8]}@example.com", "password": PASSWORD}


def accounts_with(tmp_path: Path, email: str) -> int:
    with sqlite3.connect(tmp_path / "identity.db") as db:
        (count,) = db.execute("SELECT count(*) FROM credentials WHERE email = ?", (email,))
    return int(count[0])


def stored_answers(tmp_path: Path) -> bytes:
    """identity's stored answers, as they lie in its database."""
    with sqlite3.connect(tmp_path / "identity.db") as db:
        return b"".join(row[0] for row in db.execute("SELECT response FROM mesh_idempotency"))


async def test_the_same_sign_up_with_the_same_key_answers_the_same_twice(
    http: httpx.AsyncClient, tmp_path: Path
) -> None:
    body, key = new_account(), {"Idempotency-Key": str(uuid.uuid4())}

    first = await http.post("/v1/auth:signUp", json=body, headers=key)
    again = await http.post("/v1/auth:signUp", json=body, headers=key)

    assert (first.status_code, again.status_code) == (200, 200), again.text
    assert again.json() == first.json()
    assert first.json()["tokens"]["refreshToken"].encode() not in stored_answers(tmp_path)
    unkeyed = await http.post("/v1/auth:signUp", json=body)  # without the key: a second sign-up
    assert unkeyed.status_code == 409


async def test_the_key_with_another_body_is_refused_naming_the_key(
    http: httpx.AsyncClient,
) -> None:
    key = {"Idempotency-Key": "sign-up-1"}
    assert (await http.post("/v1/auth:signUp", json=new_account(), headers=key)).status_code == 200

    refused = await http.post("/v1/auth:signUp", json=new_account(), headers=key)

    assert refused.status_code == 400
    error = refused.json()["error"]
    assert "'sign-up-1'" in error["message"]
    assert error["details"][0]["reason"] == "IDEMPOTENCY_KEY_REUSED"


async def test_twenty_concurrent_sign_ups_with_one_key_create_one_account(
    http: httpx.AsyncClient, tmp_path: Path
) -> None:
    body, key = new_account(), {"Idempotency-Key": str(uuid.uuid4())}

    replies = await asyncio.gather(
        *(http.post("/v1/auth:signUp", json=body, headers=key) for _ in range(20))
    )

    answered = [r.json() for r in replies if r.status_code == 200]
    in_progress = [r.json()["error"] for r in replies if r.status_code != 200]
    assert answered and all(answer == answered[0] for answer in answered)
    assert {(e["status"], e["details"][0]["reason"]) for e in in_progress} <= {
        ("ABORTED", "IDEMPOTENCY_KEY_IN_USE")
    }
    retried = await http.post("/v1/auth:signUp", json=body, headers=key)
    assert (retried.status_code, retried.json()) == (200, answered[0])
    assert accounts_with(tmp_path, body["email"]) == 1
