"""Signed webhooks: every event POSTed, verified with the SDK, retried until accepted."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import stripe

from sandbox.stripe import Endpoint, RetryPolicy, SandboxSettings, running_sandbox
from sandbox.stripe.webhooks import signature_header
from tests.unit.sandbox.conftest import sdk_client
from tests.unit.sandbox.receiver import Receiver, receiving

SECRET = "whsec_unit_test_secret"
FAST = RetryPolicy(attempts=4, first_delay_s=0.05, timeout_s=5)


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    with receiving() as receiver:
        yield receiver


def _sandbox(*endpoints: Endpoint) -> SandboxSettings:
    return SandboxSettings(webhooks=endpoints, retry=FAST)


def test_each_event_arrives_signed_and_the_sdk_verifies_it(receiver: Receiver):
    with running_sandbox(_sandbox(Endpoint(receiver.url, SECRET))) as url:
        client = sdk_client(url)
        client.v1.payment_intents.create(
            params={
                "amount": 700,
                "currency": "usd",
                "payment_method": "pm_card_visa",
                "confirm": True,
            }
        )
        deliveries = receiver.wait_for(3)
        recorded = {e.id for e in client.v1.events.list().data}
    events = [stripe.Webhook.construct_event(d.payload, d.signature, SECRET) for d in deliveries]
    assert sorted(e.type for e in events) == [
        "charge.succeeded",
        "payment_intent.created",
        "payment_intent.succeeded",
    ]
    assert {e.id for e in events} == recorded


def test_a_signature_made_with_another_secret_is_rejected_by_the_sdk(receiver: Receiver):
    with running_sandbox(_sandbox(Endpoint(receiver.url, SECRET))) as url:
        sdk_client(url).v1.customers.create()
        delivery = receiver.wait_for(1)[0]
    with pytest.raises(stripe.SignatureVerificationError):
        stripe.Webhook.construct_event(delivery.payload, delivery.signature, "whsec_other")


def test_the_header_matches_stripes_scheme():
    header = signature_header('{"id": "evt_1"}', SECRET, 1_700_000_000)
    stripe.WebhookSignature.verify_header('{"id": "evt_1"}', header, SECRET, tolerance=None)
    assert header.startswith("t=1700000000,v1=")


def test_a_refused_delivery_is_retried_until_accepted():
    with receiving(refuse=2) as receiver:
        with running_sandbox(_sandbox(Endpoint(receiver.url, SECRET))) as url:
            sdk_client(url).v1.customers.create()
            delivery = receiver.wait_for(1)[0]
        assert receiver.attempts == 3
    assert stripe.Webhook.construct_event(delivery.payload, delivery.signature, SECRET)


def test_an_unreachable_endpoint_does_not_hold_up_the_others(receiver: Receiver):
    dead = Endpoint("http://127.0.0.1:9/unreachable", SECRET)
    with running_sandbox(_sandbox(dead, Endpoint(receiver.url, SECRET))) as url:
        customer = sdk_client(url).v1.customers.create()
        delivery = receiver.wait_for(1)[0]
    event = stripe.Webhook.construct_event(delivery.payload, delivery.signature, SECRET)
    assert event.data.object["id"] == customer.id


def test_endpoints_created_through_the_api_get_only_the_events_they_enabled(
    receiver: Receiver, sandbox_url: str
):
    client = sdk_client(sandbox_url)
    endpoint = client.v1.webhook_endpoints.create(
        params={"url": receiver.url, "enabled_events": ["payment_intent.canceled"]}
    )
    assert endpoint.secret and endpoint.secret.startswith("whsec_")
    intent = client.v1.payment_intents.create(params={"amount": 500, "currency": "usd"})
    client.v1.payment_intents.cancel(intent.id)
    delivery = receiver.wait_for(1)[0]
    event = stripe.Webhook.construct_event(delivery.payload, delivery.signature, endpoint.secret)
    assert event.type == "payment_intent.canceled"
    listed = client.v1.webhook_endpoints.list()
    assert [e.id for e in listed.data] == [endpoint.id]
    assert "secret" not in listed.data[0]
    assert client.v1.webhook_endpoints.delete(endpoint.id).deleted
    assert client.v1.webhook_endpoints.list().data == []


def test_an_endpoint_needs_an_http_url(client: stripe.StripeClient):
    with pytest.raises(stripe.InvalidRequestError) as caught:
        client.v1.webhook_endpoints.create(
            params={"url": "ftp://example.com", "enabled_events": ["*"]}
        )
    assert caught.value.param == "url"
