"""Every state change leaves an Event, retrievable and listable by type."""

from __future__ import annotations

import pytest
import stripe


def _types(client: stripe.StripeClient, **params: object) -> list[str]:
    listed = client.v1.events.list(params={"limit": 100, **params})  # type: ignore[typeddict-item]
    return [event.type for event in reversed(listed.data)]


def test_a_payment_and_a_refund_leave_their_events_in_order(client: stripe.StripeClient):
    customer = client.v1.customers.create()
    intent = client.v1.payment_intents.create(
        params={"amount": 900, "currency": "gbp", "customer": customer.id}
    )
    client.v1.payment_intents.confirm(intent.id, params={"payment_method": "pm_card_visa"})
    client.v1.refunds.create(params={"payment_intent": intent.id})
    assert _types(client) == [
        "customer.created",
        "payment_intent.created",
        "charge.succeeded",
        "payment_intent.succeeded",
        "refund.created",
        "charge.refunded",
    ]


def test_declines_authorisations_and_cancels_have_their_events(client: stripe.StripeClient):
    with pytest.raises(stripe.CardError):
        client.v1.payment_intents.create(
            params={
                "amount": 900,
                "currency": "usd",
                "payment_method": "pm_card_chargeDeclined",
                "confirm": True,
            }
        )
    held = client.v1.payment_intents.create(
        params={
            "amount": 900,
            "currency": "usd",
            "payment_method": "pm_card_visa",
            "confirm": True,
            "capture_method": "manual",
        }
    )
    client.v1.payment_intents.cancel(held.id)
    client.v1.payment_intents.create(
        params={
            "amount": 900,
            "currency": "usd",
            "confirm": True,
            "payment_method": "pm_card_authenticationRequired",
        }
    )
    assert _types(client, type="payment_intent.*") == [
        "payment_intent.created",
        "payment_intent.payment_failed",
        "payment_intent.created",
        "payment_intent.amount_capturable_updated",
        "payment_intent.canceled",
        "payment_intent.created",
        "payment_intent.requires_action",
    ]


def test_an_event_holds_the_object_and_the_request_that_changed_it(
    client: stripe.StripeClient,
):
    customer = client.v1.customers.create(
        params={"email": "e@example.com"}, options={"idempotency_key": "create-e"}
    )
    listed = client.v1.events.list(params={"type": "customer.created"})
    event = client.v1.events.retrieve(listed.data[0].id)
    assert event.data.object["id"] == customer.id
    assert event.request and event.request.idempotency_key == "create-e"
    assert event.livemode is False


def test_events_filter_by_several_types_and_page(client: stripe.StripeClient):
    for _ in range(3):
        client.v1.customers.create()
    customer = client.v1.customers.list(params={"limit": 1}).data[0]
    client.v1.customers.update(customer.id, params={"metadata": {"a": "b"}})
    both = _types(client, types=["customer.updated", "customer.deleted"])
    assert both == ["customer.updated"]
    first = client.v1.events.list(params={"limit": 2})
    rest = client.v1.events.list(params={"limit": 2, "starting_after": first.data[-1].id})
    assert first.has_more and not rest.has_more
    assert len({e.id for e in [*first.data, *rest.data]}) == 4


def test_events_filter_by_created(client: stripe.StripeClient):
    client.v1.customers.create()
    created = client.v1.events.list().data[0].created
    assert _types(client, created={"lte": created}) == ["customer.created"]
    assert _types(client, created={"gt": created + 3600}) == []
