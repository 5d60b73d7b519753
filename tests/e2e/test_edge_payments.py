"""Payments through the whole platform: `make up` (with its Stripe sandbox signing webhooks to
the edge), sign-up → pay → refund over REST, the receipts in the local mailbox."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from tests.support.stack import RunningStack, running_stack

PASSWORD = "correct horse battery"
ADMIN = "treasurer@example.com"


@pytest.fixture(scope="module")
async def stack(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[RunningStack]:
    state: Path = tmp_path_factory.mktemp("state")
    env = {"ADMIN_BOOTSTRAP_ADMIN_EMAILS": f'["{ADMIN}"]'}
    async with running_stack(state, env=env) as stack:
        yield stack


async def _signed_up(http: httpx.AsyncClient, email: str, **profile: str) -> dict[str, str]:
    """The user's Authorization header, after signing up through the edge."""
    reply = await http.post(
        "/v1/auth:signUp", json={"email": email, "password": PASSWORD, **profile}
    )
    assert reply.status_code == 200, reply.text
    return {"Authorization": f"Bearer {reply.json()['tokens']['accessToken']}"}


async def _mailbox(http: httpx.AsyncClient, admin: dict[str, str], to: str) -> list[dict]:
    reply = await http.get("/v1/mailbox/messages", params={"recipient": to}, headers=admin)
    assert reply.status_code == 200, reply.text
    return list(reply.json().get("mailboxMessages", []))


async def _receipts(
    http: httpx.AsyncClient, admin: dict[str, str], to: str, *, subjects: set[str]
) -> list[dict]:
    """The mailbox's mail to `to` once a mail with each of `subjects` is in it."""
    async with asyncio.timeout(30):
        while True:
            mails = await _mailbox(http, admin, to)
            if subjects <= {mail.get("subject", "").split(":")[0] for mail in mails}:
                return mails
            await asyncio.sleep(0.2)  # the notifications worker delivers in the background


async def test_sign_up_pay_and_refund_through_the_edge_mail_the_receipts(
    stack: RunningStack,
) -> None:
    payer = f"payer-{uuid.uuid4().hex[:8]}@example.com"
    async with httpx.AsyncClient(base_url=stack.edge, timeout=20) as http:
        admin = await _signed_up(http, ADMIN)
        as_payer = await _signed_up(http, payer, displayName="Pat Payer")
        key = {"Idempotency-Key": f"order-{uuid.uuid4()}"}
        order = {
            "amount": 2500,
            "currencyCode": "EUR",
            "paymentMethodId": "pm_card_visa",
            "description": "Order 1",
        }
        paid = await http.post("/v1/payments", json=order, headers=as_payer | key)
        again = await http.post("/v1/payments", json=order, headers=as_payer | key)
        assert paid.status_code == 200, paid.text
        payment = paid.json()["payment"]
        assert payment["state"] == "PAYMENT_STATE_SUCCEEDED"
        assert again.json()["payment"]["id"] == payment["id"]  # the retry is the same payment

        refund = {"amount": 1000, "reason": "REFUND_REASON_REQUESTED_BY_CUSTOMER"}
        path = f"/v1/payments/{payment['id']}/refunds"
        refunded = await http.post(
            path, json=refund, headers=admin | {"Idempotency-Key": f"refund-{uuid.uuid4()}"}
        )
        assert refunded.status_code == 200, refunded.text
        assert refunded.json()["refund"]["state"] == "REFUND_STATE_SUCCEEDED"
        by_payer = await http.post(
            path, json=refund, headers=as_payer | {"Idempotency-Key": str(uuid.uuid4())}
        )
        assert by_payer.status_code == 403, by_payer.text  # refunds are for staff

        mails = await _receipts(
            http, admin, payer, subjects={"Payment received", "Refund of €10.00"}
        )
        after = await http.get(f"/v1/payments/{payment['id']}", headers=as_payer)

    [receipt] = [m for m in mails if m["subject"].startswith("Payment received")]
    assert receipt["subject"] == "Payment received: €25.00"
    assert "€25.00 for Order 1" in receipt["textBody"]
    assert "Pat Payer" in receipt["textBody"]
    assert after.json()["payment"]["amountRefunded"] == "1000"  # int64 in proto3 JSON is a string
