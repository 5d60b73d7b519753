"""The reactions registry: each reaction's template exists, consumers follow the registry."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from google.protobuf.timestamp_pb2 import Timestamp
from nats.aio.client import Client as NATS

from mesh.events.subjects import service_of
from meshwork.identity.v1 import events_pb2 as identity_events
from meshwork.payments.v1 import events_pb2 as payments_events
from meshwork.users.v1 import events_pb2 as users_events
from meshwork.users.v1 import resources_pb2 as users_resources
from services.notifications.domain import DEFAULT_LOCALE
from services.notifications.events import consumer_name, consumers
from services.notifications.reactions import REACTIONS, Links, Reaction, money_for
from services.notifications.templates import BUILT_INS, built_in_templates

LINKS = Links("https://app.example.com/")


def test_every_reaction_uses_a_built_in_template_and_has_a_unique_name() -> None:
    built_in = {spec.id for spec in BUILT_INS}
    assert {r.template_id for r in REACTIONS} <= built_in
    assert len({r.name for r in REACTIONS}) == len(REACTIONS)


def test_every_built_in_template_loads_with_its_default_locale() -> None:
    now = datetime.now(UTC)
    for template in built_in_templates(now=now):
        assert template.content.email is not None, template.id
        assert DEFAULT_LOCALE not in template.translations
        assert "de" in template.translations


def test_one_consumer_per_source_service_whatever_the_number_of_reactions() -> None:
    extra = Reaction(
        "password-changed-notice",
        identity_events.PasswordChanged,
        template_id="password-reset",
        recipient=REACTIONS[-1].recipient,
    )
    nats = NATS()  # never connected: consumers connect on start
    built = consumers(nats, lambda: None, None, LINKS, reactions=(*REACTIONS, extra))  # type: ignore[arg-type]
    services = sorted({service_of(r.event) for r in REACTIONS})
    assert sorted(c.name for c in built) == [consumer_name(s) for s in services]


def test_token_reactions_put_the_link_and_expiry_in_the_variables() -> None:
    [reaction] = [r for r in REACTIONS if r.name == "password-reset"]
    expiry = Timestamp()
    expiry.FromDatetime(datetime(2030, 1, 2, 3, 4, tzinfo=UTC))
    event = identity_events.PasswordResetRequested(
        user_id="u-1", email="a@example.com", token="t/k+n", expire_time=expiry, locale="de"
    )
    assert reaction.variables(event, LINKS, "de") == {
        "token": "t/k+n",
        "link": "https://app.example.com/reset-password?token=t%2Fk%2Bn",
        "expire_time": "2030-01-02 03:04 UTC",
    }
    recipient = reaction.recipient(event)
    assert (recipient.user_id, recipient.email, recipient.locale) == ("u-1", "a@example.com", "de")


@pytest.mark.parametrize("name", ["kyc-verified", "kyc-rejected"])
def test_kyc_reactions_need_the_profile_for_an_address(name: str) -> None:
    [reaction] = [r for r in REACTIONS if r.name == name]
    recipient = reaction.recipient(reaction.event(user_id="u-1"))
    assert (recipient.user_id, recipient.email, recipient.phone_number) == ("u-1", "", "")


def test_the_welcome_is_addressed_from_the_event_alone() -> None:
    [reaction] = [r for r in REACTIONS if r.name == "welcome"]
    user = users_resources.User(id="u-1", email="a@example.com", display_name="Ann", locale="de-CH")
    recipient = reaction.recipient(users_events.UserCreated(user=user))
    assert (recipient.email, recipient.display_name, recipient.locale) == (
        "a@example.com",
        "Ann",
        "de-CH",
    )


def test_receipts_show_amounts_in_the_currencys_decimals_as_the_payers_locale_writes_them() -> None:
    [payment] = [r for r in REACTIONS if r.name == "payment-receipt"]
    [refund] = [r for r in REACTIONS if r.name == "refund-receipt"]
    paid = payments_events.PaymentSucceeded(
        payment_id="pay_1", user_id="u-1", amount=123456, currency_code="EUR", description="Tea"
    )
    refunded = payments_events.RefundSucceeded(
        payment_id="pay_1",
        user_id="u-1",
        amount=5,
        currency_code="KWD",
        payment_amount_refunded=1500,
    )

    amounts = {
        locale: payment.variables(paid, LINKS, locale)["amount"]
        for locale in ("en", "", "de", "de-DE", "de-CH", "fr", "zz-unknown")
    }
    assert amounts == {
        "en": "€1,234.56",
        "": "€1,234.56",  # no locale: the default's
        "de": "1.234,56\u00a0€",
        "de-DE": "1.234,56\u00a0€",
        "de-CH": "EUR\u00a01'234.56",
        "fr": "1\u202f234,56\u00a0€",
        "zz-unknown": "€1,234.56",
    }
    assert refund.variables(refunded, LINKS, "en") == {
        "amount": "KWD\u00a00.005",
        "refunded_total": "KWD\u00a01.500",
        "payment_id": "pay_1",
    }
    assert money_for(500, "JPY", "en") == "¥500"  # no minor unit
    assert money_for(500, "JPY", "de") == "500\u00a0¥"
    assert payment.recipient(paid).user_id == "u-1"


def test_the_payment_receipt_has_an_sms_saying_payment_received() -> None:
    [template] = [t for t in built_in_templates(now=datetime.now(UTC)) if t.id == "payment-receipt"]
    assert template.content.sms is not None
    assert template.content.sms.text.startswith("Meshwork: Payment received: {{ amount }}")
    assert template.translations["de"].sms is not None
