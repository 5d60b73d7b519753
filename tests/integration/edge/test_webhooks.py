"""Stripe webhooks reach payments byte for byte, with their signature."""

from __future__ import annotations

from typing import Any

import grpc

from meshwork.payments.v1 import payments_service_pb2
from tests.integration.edge.conftest import Edge
from tests.integration.edge.fakes import NOWHERE, aborting, edge_app, serving
from tests.support.tokens import TestIssuer

# Not valid UTF-8, odd whitespace and key order: any re-encoding would change it.
RAW = b'{ "id":"evt_1",\r\n  "type" : "payment_intent.succeeded", "x":"\xff\xfe" }\n'
SIGNATURE = "t=1700000000,v1=5257a869e7ecebeda32affa62cdca3fa51cad7e77a0e56ff536d0ce8e108d8bd"


async def test_the_raw_body_and_signature_reach_payments_unchanged(edge: Edge) -> None:
    reply = await edge.http.post(
        "/v1/webhooks/stripe",
        content=RAW,
        headers={"Stripe-Signature": SIGNATURE, "Content-Type": "application/json"},
    )
    assert reply.status_code == 200
    assert reply.json() == {"received": True, "duplicate": False}
    received = edge.payments.last("HandleStripeWebhook")
    assert received.request == payments_service_pb2.HandleStripeWebhookRequest(
        payload=RAW, signature=SIGNATURE
    )
    assert received.principal.service == "edge"  # payments admits the edge's identity only


async def test_a_redelivery_payments_already_applied_is_acknowledged(edge: Edge) -> None:
    edge.payments.answers["HandleStripeWebhook"] = payments_service_pb2.HandleStripeWebhookResponse(
        duplicate=True
    )
    reply = await edge.http.post(
        "/v1/webhooks/stripe", content=RAW, headers={"Stripe-Signature": SIGNATURE}
    )
    assert reply.json() == {"received": True, "duplicate": True}


async def test_a_delivery_without_a_signature_is_refused_and_not_passed_on(edge: Edge) -> None:
    reply = await edge.http.post("/v1/webhooks/stripe", content=RAW)
    assert reply.status_code == 400
    assert "Stripe-Signature" in reply.json()["error"]["message"]
    assert edge.payments.count("HandleStripeWebhook") == 0


async def test_a_signature_payments_rejects_is_a_4xx(edge: Edge) -> None:
    edge.payments.answers["HandleStripeWebhook"] = aborting(
        grpc.StatusCode.INVALID_ARGUMENT, "signature mismatch"
    )
    reply = await edge.http.post(
        "/v1/webhooks/stripe", content=RAW, headers={"Stripe-Signature": "t=1,v1=00"}
    )
    assert reply.status_code == 400


async def test_webhooks_answer_503_while_payments_is_not_running(
    issuer: TestIssuer, fake_upstreams: Any
) -> None:
    _, _, addresses = fake_upstreams
    app = edge_app(issuer, upstreams={**addresses, "payments": NOWHERE})
    async with serving(app) as http:
        reply = await http.post(
            "/v1/webhooks/stripe", content=RAW, headers={"Stripe-Signature": SIGNATURE}
        )
    assert reply.status_code == 503  # Stripe retries 5xx deliveries
