"""Refunds through the SDK: full, partial, never more than is left."""

from __future__ import annotations

import pytest
import stripe


@pytest.fixture
def paid(client: stripe.StripeClient) -> stripe.PaymentIntent:
    return client.v1.payment_intents.create(
        params={
            "amount": 1000,
            "currency": "usd",
            "payment_method": "pm_card_visa",
            "confirm": True,
        }
    )


def _charge(client: stripe.StripeClient, intent: stripe.PaymentIntent) -> stripe.Charge:
    return client.v1.charges.retrieve(str(intent.latest_charge))


def test_a_full_refund_refunds_the_charge(client: stripe.StripeClient, paid: stripe.PaymentIntent):
    refund = client.v1.refunds.create(params={"payment_intent": paid.id})
    assert (refund.amount, refund.status, refund.charge) == (1000, "succeeded", paid.latest_charge)
    charge = _charge(client, paid)
    assert (charge.amount_refunded, charge.refunded) == (1000, True)


def test_partial_refunds_add_up_to_the_charge(
    client: stripe.StripeClient, paid: stripe.PaymentIntent
):
    client.v1.refunds.create(params={"payment_intent": paid.id, "amount": 300})
    assert (_charge(client, paid).amount_refunded, _charge(client, paid).refunded) == (300, False)
    last = client.v1.refunds.create(params={"charge": str(paid.latest_charge)})
    assert last.amount == 700
    assert _charge(client, paid).refunded


def test_refunding_more_than_is_left_is_amount_too_large(
    client: stripe.StripeClient, paid: stripe.PaymentIntent
):
    client.v1.refunds.create(params={"payment_intent": paid.id, "amount": 600})
    with pytest.raises(stripe.InvalidRequestError) as caught:
        client.v1.refunds.create(params={"payment_intent": paid.id, "amount": 401})
    assert (caught.value.code, caught.value.param) == ("amount_too_large", "amount")
    assert _charge(client, paid).amount_refunded == 600


def test_a_fully_refunded_charge_is_charge_already_refunded(
    client: stripe.StripeClient, paid: stripe.PaymentIntent
):
    client.v1.refunds.create(params={"payment_intent": paid.id})
    with pytest.raises(stripe.InvalidRequestError) as caught:
        client.v1.refunds.create(params={"payment_intent": paid.id, "amount": 1})
    assert caught.value.code == "charge_already_refunded"


def test_an_unpaid_intent_has_nothing_to_refund(client: stripe.StripeClient):
    intent = client.v1.payment_intents.create(params={"amount": 1000, "currency": "usd"})
    with pytest.raises(stripe.InvalidRequestError) as caught:
        client.v1.refunds.create(params={"payment_intent": intent.id})
    assert caught.value.param == "payment_intent"


def test_a_refund_needs_an_intent_or_a_charge(client: stripe.StripeClient):
    with pytest.raises(stripe.InvalidRequestError) as caught:
        client.v1.refunds.create(params={"amount": 100})
    assert caught.value.code == "parameter_missing"


def test_refunds_are_retrieved_and_listed_per_intent(
    client: stripe.StripeClient, paid: stripe.PaymentIntent
):
    first = client.v1.refunds.create(params={"payment_intent": paid.id, "amount": 100})
    second = client.v1.refunds.create(
        params={"payment_intent": paid.id, "amount": 200, "reason": "requested_by_customer"}
    )
    assert client.v1.refunds.retrieve(second.id).reason == "requested_by_customer"
    listed = client.v1.refunds.list(params={"payment_intent": paid.id})
    assert [r.id for r in listed.data] == [second.id, first.id]
