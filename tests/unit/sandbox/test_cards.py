"""Stripe's test cards: approvals, each decline as a 402 card_error, and 3D Secure."""

from __future__ import annotations

import httpx
import pytest
import stripe

from tests.unit.sandbox.conftest import API_KEY

DECLINES = [
    ("pm_card_chargeDeclined", "4000000000000002", "card_declined", "generic_decline"),
    (
        "pm_card_chargeDeclinedInsufficientFunds",
        "4000000000009995",
        "card_declined",
        "insufficient_funds",
    ),
    ("pm_card_chargeDeclinedExpiredCard", "4000000000000069", "expired_card", "expired_card"),
    ("pm_card_chargeDeclinedIncorrectCvc", "4000000000000127", "incorrect_cvc", "incorrect_cvc"),
    (
        "pm_card_chargeDeclinedProcessingError",
        "4000000000000119",
        "processing_error",
        "processing_error",
    ),
]


def _card(client: stripe.StripeClient, number: str) -> str:
    method = client.v1.payment_methods.create(
        params={
            "type": "card",
            "card": {"number": number, "exp_month": 12, "exp_year": 2034, "cvc": "123"},
        }
    )
    return method.id


def _pay(client: stripe.StripeClient, payment_method: str) -> stripe.PaymentIntent:
    return client.v1.payment_intents.create(
        params={
            "amount": 1000,
            "currency": "usd",
            "payment_method": payment_method,
            "confirm": True,
        }
    )


@pytest.mark.parametrize("payment_method", ["pm_card_visa", "pm_card_mastercard", "pm_card_amex"])
def test_approving_test_payment_methods_succeed(client: stripe.StripeClient, payment_method: str):
    assert _pay(client, payment_method).status == "succeeded"


def test_the_4242_card_number_succeeds(client: stripe.StripeClient):
    method_id = _card(client, "4242424242424242")
    intent = _pay(client, method_id)
    assert (intent.status, intent.payment_method) == ("succeeded", method_id)


@pytest.mark.parametrize(("token", "number", "code", "decline_code"), DECLINES)
@pytest.mark.parametrize("by", ["token", "number"])
def test_a_decline_is_a_402_card_error_carrying_the_failed_intent(
    client: stripe.StripeClient, token: str, number: str, code: str, decline_code: str, by: str
):
    with pytest.raises(stripe.CardError) as caught:
        _pay(client, token if by == "token" else _card(client, number))
    error = caught.value
    assert (error.http_status, error.code, error.error and error.error.decline_code) == (
        402,
        code,
        decline_code,
    )
    failed = error.error and error.error.payment_intent
    assert failed and failed.status == "requires_payment_method"
    assert failed.last_payment_error and failed.last_payment_error.code == code
    stored = client.v1.payment_intents.retrieve(failed.id)
    assert stored.last_payment_error and stored.last_payment_error.decline_code == decline_code
    assert client.v1.charges.retrieve(str(stored.latest_charge)).status == "failed"


def test_a_declined_intent_succeeds_with_another_card(client: stripe.StripeClient):
    with pytest.raises(stripe.CardError) as caught:
        _pay(client, "pm_card_chargeDeclined")
    intent_id = caught.value.error.payment_intent.id  # type: ignore[union-attr]
    retried = client.v1.payment_intents.confirm(
        intent_id, params={"payment_method": "pm_card_visa"}
    )
    assert (retried.status, retried.last_payment_error) == ("succeeded", None)


def test_a_number_failing_luhn_is_incorrect_number(client: stripe.StripeClient):
    with pytest.raises(stripe.CardError) as caught:
        _card(client, "4242424242424241")
    assert (caught.value.code, caught.value.param) == ("incorrect_number", "card[number]")


def test_a_real_looking_card_declines_in_test_mode(client: stripe.StripeClient):
    with pytest.raises(stripe.CardError) as caught:
        _pay(client, _card(client, "4111111111111111"))
    assert caught.value.error and caught.value.error.decline_code == "test_mode_live_card"


def _authenticate(url: str, intent_id: str, outcome: str) -> httpx.Response:
    return httpx.post(
        f"{url}/sandbox/payment_intents/{intent_id}/authenticate",
        data={"outcome": outcome},
        headers={"Authorization": f"Bearer {API_KEY}"},
    )


@pytest.mark.parametrize("by", ["token", "number"])
def test_3d_secure_requires_action_then_succeeds_once_authenticated(
    client: stripe.StripeClient, sandbox_url: str, by: str
):
    method = "pm_card_authenticationRequired"
    intent = _pay(client, method if by == "token" else _card(client, "4000002500003155"))
    assert intent.status == "requires_action"
    assert intent.next_action and intent.next_action.type == "use_stripe_sdk"
    assert _authenticate(sandbox_url, intent.id, "complete").status_code == 200
    assert client.v1.payment_intents.retrieve(intent.id).status == "succeeded"


def test_failed_3d_secure_needs_a_new_payment_method(client: stripe.StripeClient, sandbox_url: str):
    intent = _pay(client, "pm_card_authenticationRequired")
    assert _authenticate(sandbox_url, intent.id, "fail").json()["status"] == (
        "requires_payment_method"
    )
    failed = client.v1.payment_intents.retrieve(intent.id)
    assert failed.last_payment_error
    assert failed.last_payment_error.code == "payment_intent_authentication_failure"
