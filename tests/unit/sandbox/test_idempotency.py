"""Idempotency keys as Stripe keeps them: replays, mismatches, concurrency, per API key."""

from __future__ import annotations

import asyncio
import time

import httpx
import pytest
import stripe

from sandbox.stripe.idempotency import TTL_S, IdempotencyKeys, Saved
from tests.unit.sandbox.conftest import API_KEY, sdk_client

PAYMENT = {"amount": 1000, "currency": "usd", "payment_method": "pm_card_visa", "confirm": True}


def _post(url: str, path: str, data: dict[str, str], key: str) -> httpx.Response:
    headers = {"Authorization": f"Bearer {API_KEY}", "Idempotency-Key": key}
    return httpx.post(f"{url}{path}", data=data, headers=headers)


def test_the_same_key_and_params_replay_the_first_answer(client: stripe.StripeClient):
    options: stripe.RequestOptions = {"idempotency_key": "order-1"}
    first = client.v1.payment_intents.create(params=PAYMENT, options=options)  # type: ignore[arg-type]
    again = client.v1.payment_intents.create(params=PAYMENT, options=options)  # type: ignore[arg-type]
    assert again.id == first.id
    assert len(client.v1.payment_intents.list().data) == 1


def test_a_replay_is_byte_identical_and_marked(sandbox_url: str):
    data = {"amount": "1000", "currency": "usd"}
    first = _post(sandbox_url, "/v1/payment_intents", data, "k-1")
    again = _post(sandbox_url, "/v1/payment_intents", data, "k-1")
    assert (again.status_code, again.content) == (first.status_code, first.content)
    assert again.headers["Idempotent-Replayed"] == "true"
    assert "Idempotent-Replayed" not in first.headers


def test_the_same_key_with_other_params_is_an_idempotency_error(client: stripe.StripeClient):
    options: stripe.RequestOptions = {"idempotency_key": "order-2"}
    client.v1.customers.create(params={"name": "a"}, options=options)
    with pytest.raises(stripe.IdempotencyError) as caught:
        client.v1.customers.create(params={"name": "b"}, options=options)
    assert caught.value.http_status == 400
    assert "order-2" in str(caught.value.user_message)


def test_a_card_error_is_replayed_not_charged_again(sandbox_url: str):
    data = {
        "amount": "1000",
        "currency": "usd",
        "confirm": "true",
        "payment_method": "pm_card_chargeDeclined",
    }
    first = _post(sandbox_url, "/v1/payment_intents", data, "declined")
    again = _post(sandbox_url, "/v1/payment_intents", data, "declined")
    assert (first.status_code, again.status_code) == (402, 402)
    assert again.json() == first.json()
    assert again.headers["Idempotent-Replayed"] == "true"


def test_a_refused_request_is_not_saved_so_the_key_can_be_retried(sandbox_url: str):
    bad = _post(sandbox_url, "/v1/payment_intents", {"amount": "1", "currency": "usd"}, "k-2")
    assert bad.status_code == 400
    good = _post(sandbox_url, "/v1/payment_intents", {"amount": "100", "currency": "usd"}, "k-2")
    assert good.status_code == 200


def test_keys_are_scoped_per_api_key(sandbox_url: str):
    one = sdk_client(sandbox_url, api_key="sk_test_one")
    two = sdk_client(sandbox_url, api_key="sk_test_two")
    options: stripe.RequestOptions = {"idempotency_key": "shared"}
    first = one.v1.customers.create(params={"name": "a"}, options=options)
    second = two.v1.customers.create(params={"name": "b"}, options=options)
    assert first.id != second.id


async def test_concurrent_requests_with_one_key_execute_once(async_client: stripe.StripeClient):
    options: stripe.RequestOptions = {"idempotency_key": "burst"}
    intents = await asyncio.gather(
        *(
            async_client.v1.payment_intents.create_async(params=PAYMENT, options=options)  # type: ignore[arg-type]
            for _ in range(8)
        )
    )
    assert len({intent.id for intent in intents}) == 1
    listed = await async_client.v1.payment_intents.list_async()
    assert len(listed.data) == 1
    charges = await async_client.v1.charges.list_async()
    assert len(charges.data) == 1


def test_a_key_reused_on_another_endpoint_is_an_idempotency_error(client: stripe.StripeClient):
    options: stripe.RequestOptions = {"idempotency_key": "one-use"}
    client.v1.customers.create(options=options)
    with pytest.raises(stripe.IdempotencyError):
        client.v1.payment_intents.create(params={"amount": 100, "currency": "usd"}, options=options)


async def test_a_key_is_forgotten_after_24_hours():
    records: dict[str, dict[str, object]] = {}
    keys = IdempotencyKeys(records)
    request = ("POST", "/v1/customers", {"name": "a"})
    async with keys.held(API_KEY, "old") as scope:
        keys.save(scope, request, Saved(200, b"{}"))
    assert keys.replay(scope, request) == Saved(200, b"{}")
    records[scope]["at"] = time.time() - TTL_S - 1
    assert keys.replay(scope, request) is None
