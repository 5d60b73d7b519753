"""PaymentIntents through the SDK: the states Stripe moves them through, and bad amounts."""

from __future__ import annotations

import pytest
import stripe


def _intent(client: stripe.StripeClient, **params: object) -> stripe.PaymentIntent:
    return client.v1.payment_intents.create(
        params={"amount": 2000, "currency": "usd", **params}  # type: ignore[typeddict-item]
    )


def test_an_intent_without_a_payment_method_requires_one(client: stripe.StripeClient):
    intent = _intent(client, metadata={"order": "o-1"})
    assert intent.status == "requires_payment_method"
    assert intent.client_secret and intent.client_secret.startswith(f"{intent.id}_secret_")
    assert (intent.amount_received, intent.latest_charge) == (0, None)
    assert intent.metadata["order"] == "o-1"


def test_confirming_with_a_visa_succeeds_and_leaves_a_charge(client: stripe.StripeClient):
    intent = _intent(client, payment_method="pm_card_visa")
    assert intent.status == "requires_confirmation"
    confirmed = client.v1.payment_intents.confirm(intent.id)
    assert (confirmed.status, confirmed.amount_received) == ("succeeded", 2000)
    charge = client.v1.charges.retrieve(str(confirmed.latest_charge))
    assert (charge.status, charge.amount_captured, charge.payment_intent) == (
        "succeeded",
        2000,
        intent.id,
    )
    assert charge.payment_method_details and charge.payment_method_details.card
    assert charge.payment_method_details.card.last4 == "4242"


def test_create_with_confirm_succeeds_in_one_call_and_expands_the_charge(
    client: stripe.StripeClient,
):
    intent = _intent(client, payment_method="pm_card_visa", confirm=True, expand=["latest_charge"])
    assert intent.status == "succeeded"
    assert isinstance(intent.latest_charge, stripe.Charge)
    assert intent.latest_charge.amount == 2000


def test_manual_capture_waits_for_capture_then_takes_part(client: stripe.StripeClient):
    intent = _intent(client, payment_method="pm_card_visa", confirm=True, capture_method="manual")
    assert (intent.status, intent.amount_capturable) == ("requires_capture", 2000)
    captured = client.v1.payment_intents.capture(intent.id, params={"amount_to_capture": 1500})
    assert (captured.status, captured.amount_received, captured.amount_capturable) == (
        "succeeded",
        1500,
        0,
    )


def test_capturing_more_than_authorised_is_refused_naming_the_amount(
    client: stripe.StripeClient,
):
    intent = _intent(client, payment_method="pm_card_visa", confirm=True, capture_method="manual")
    with pytest.raises(stripe.InvalidRequestError) as caught:
        client.v1.payment_intents.capture(intent.id, params={"amount_to_capture": 2001})
    assert caught.value.param == "amount_to_capture"


def test_capturing_a_succeeded_intent_is_an_unexpected_state(client: stripe.StripeClient):
    intent = _intent(client, payment_method="pm_card_visa", confirm=True)
    with pytest.raises(stripe.InvalidRequestError) as caught:
        client.v1.payment_intents.capture(intent.id)
    assert caught.value.code == "payment_intent_unexpected_state"


def test_cancel_records_the_reason(client: stripe.StripeClient):
    intent = _intent(client)
    canceled = client.v1.payment_intents.cancel(
        intent.id, params={"cancellation_reason": "requested_by_customer"}
    )
    assert (canceled.status, canceled.cancellation_reason) == ("canceled", "requested_by_customer")
    assert canceled.canceled_at


def test_canceling_an_authorisation_releases_its_charge(client: stripe.StripeClient):
    intent = _intent(client, payment_method="pm_card_visa", confirm=True, capture_method="manual")
    client.v1.payment_intents.cancel(intent.id)
    charge = client.v1.charges.retrieve(str(intent.latest_charge))
    assert (charge.refunded, charge.amount_refunded) == (True, 2000)


def test_a_succeeded_intent_cannot_be_canceled(client: stripe.StripeClient):
    intent = _intent(client, payment_method="pm_card_visa", confirm=True)
    with pytest.raises(stripe.InvalidRequestError) as caught:
        client.v1.payment_intents.cancel(intent.id)
    assert caught.value.code == "payment_intent_unexpected_state"


def test_confirming_without_a_payment_method_names_it(client: stripe.StripeClient):
    intent = _intent(client)
    with pytest.raises(stripe.InvalidRequestError) as caught:
        client.v1.payment_intents.confirm(intent.id)
    assert caught.value.param == "payment_method"


def test_update_changes_amount_and_metadata_before_confirmation(client: stripe.StripeClient):
    intent = _intent(client, metadata={"a": "1"})
    updated = client.v1.payment_intents.update(
        intent.id, params={"amount": 3000, "metadata": {"b": "2"}}
    )
    assert (updated.amount, updated.metadata.to_dict()) == (3000, {"a": "1", "b": "2"})


@pytest.mark.parametrize(
    ("amount", "currency", "param", "code"),
    [
        (0, "usd", "amount", None),
        (49, "usd", "amount", "amount_too_small"),
        (49, "jpy", "amount", "amount_too_small"),
        (100_000_000, "usd", "amount", "amount_too_large"),
        (1000, "xyz", "currency", "parameter_invalid_string"),
    ],
)
def test_bad_amounts_and_currencies_are_refused_naming_the_param(
    client: stripe.StripeClient, amount: int, currency: str, param: str, code: str | None
):
    with pytest.raises(stripe.InvalidRequestError) as caught:
        _intent(client, amount=amount, currency=currency)
    assert (caught.value.http_status, caught.value.param, caught.value.code) == (400, param, code)


def test_zero_decimal_currency_takes_whole_units(client: stripe.StripeClient):
    intent = _intent(client, amount=50, currency="JPY", payment_method="pm_card_visa", confirm=True)
    assert (intent.currency, intent.amount_received) == ("jpy", 50)


def test_intents_list_by_created_and_pages(client: stripe.StripeClient):
    ids = [_intent(client).id for _ in range(3)]
    created = client.v1.payment_intents.retrieve(ids[0]).created
    listed = client.v1.payment_intents.list(params={"created": {"gte": created}, "limit": 2})
    assert [i.id for i in listed.data] == [ids[2], ids[1]] and listed.has_more
    rest = client.v1.payment_intents.list(params={"starting_after": ids[1]})
    assert [i.id for i in rest.data] == [ids[0]]
    later = client.v1.payment_intents.list(params={"created": {"gt": created + 3600}})
    assert later.data == []


def test_list_limit_out_of_range_is_refused_naming_limit(client: stripe.StripeClient):
    with pytest.raises(stripe.InvalidRequestError) as caught:
        client.v1.payment_intents.list(params={"limit": 101})
    assert caught.value.param == "limit"


async def test_the_async_client_runs_the_same_flow(async_client: stripe.StripeClient):
    customer = await async_client.v1.customers.create_async(params={"email": "a@example.com"})
    intent = await async_client.v1.payment_intents.create_async(
        params={"amount": 500, "currency": "eur", "customer": customer.id}
    )
    confirmed = await async_client.v1.payment_intents.confirm_async(
        intent.id, params={"payment_method": "pm_card_visa"}
    )
    assert confirmed.status == "succeeded"
    listed = await async_client.v1.payment_intents.list_async(params={"customer": customer.id})
    assert [i.id for i in listed.data] == [intent.id]
    with pytest.raises(stripe.CardError) as caught:
        await async_client.v1.payment_intents.confirm_async(
            (
                await async_client.v1.payment_intents.create_async(
                    params={"amount": 500, "currency": "eur"}
                )
            ).id,
            params={"payment_method": "pm_card_chargeDeclined"},
        )
    assert caught.value.code == "card_declined"


def test_expanding_a_field_that_holds_no_object_is_refused_naming_expand(
    client: stripe.StripeClient,
):
    with pytest.raises(stripe.InvalidRequestError) as caught:
        _intent(client, expand=["amount"])
    assert caught.value.param == "expand"
    assert client.v1.payment_intents.list().data == []
