"""The registry of reactions: which event sends which template to whom.

Adding a notification for another service's event is one `Reaction` here plus its template
folder in `templates/` (and a `BuiltIn` line there); `events.py` subscribes to the source
service's stream from this registry, as it does for payments' receipts below.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any
from urllib.parse import quote

from babel import Locale, UnknownLocaleError
from babel.numbers import format_currency
from google.protobuf.message import Message as ProtoMessage
from google.protobuf.timestamp_pb2 import Timestamp

from mesh.events.subjects import service_of
from mesh.money import minor_unit_digits
from meshwork.identity.v1 import events_pb2 as identity_events
from meshwork.payments.v1 import events_pb2 as payments_events
from meshwork.users.v1 import events_pb2 as users_events
from meshwork.users.v1 import resources_pb2 as users_resources
from services.notifications.domain import Recipient
from services.notifications.recipients import recipient_of


@dataclass(frozen=True, slots=True)
class Links:
    """Where links in messages point: pages of the web app at `app_url`."""

    app_url: str

    def verify_email(self, token: str) -> str:
        return f"{self.app_url.rstrip('/')}/verify-email?token={quote(token, safe='')}"

    def reset_password(self, token: str) -> str:
        return f"{self.app_url.rstrip('/')}/reset-password?token={quote(token, safe='')}"


#: The template's variables, from the event and the recipient's locale (their display_name
#: and email are added).
Variables = Callable[[Any, Links, str], dict[str, str]]


def _no_variables(event: Any, links: Links, locale: str) -> dict[str, str]:
    return {}


@dataclass(frozen=True, slots=True)
class Reaction:
    """When `event` arrives, render `template_id` for the event's recipient.

    `recipient` says whom to notify from the event alone; when it carries no address the
    user's profile is looked up (users.GetUser), and the user's preferences apply whenever
    there is a user id. `name` is stable: with the event id it keys the message, so a
    redelivered event never sends twice.
    """

    name: str
    event: type[ProtoMessage]
    template_id: str
    recipient: Callable[[Any], Recipient]
    variables: Variables = _no_variables

    @property
    def source_service(self) -> str:
        return service_of(self.event)


def _expires(stamp: Timestamp) -> str:
    return f"{stamp.ToDatetime():%Y-%m-%d %H:%M} UTC" if stamp.seconds else ""


def _token_variables(link: Callable[[Links, str], str]) -> Variables:
    def variables(event: Any, links: Links, locale: str) -> dict[str, str]:
        return {
            "token": event.token,
            "link": link(links, event.token),
            "expire_time": _expires(event.expire_time),
        }

    return variables


def _rejection(event: users_events.KycRejected, links: Links, locale: str) -> dict[str, str]:
    code = users_resources.KycRejectionReason.Name(event.reason).removeprefix(
        "KYC_REJECTION_REASON_"
    )
    reason = _REJECTION_REASONS.get(code, "the submitted details could not be accepted")
    return {"reason": reason, "reason_code": code, "note": event.note}


_REJECTION_REASONS = {
    "DETAILS_MISMATCH": "your details do not match the document",
    "DOCUMENT_UNREADABLE": "the document could not be read",
    "DOCUMENT_EXPIRED": "the document has expired",
    "DOCUMENT_UNSUPPORTED": "this kind of document is not supported",
    "NOT_ELIGIBLE": "the account is not eligible",
}


def money_for(amount: int, currency_code: str, locale: str) -> str:
    """Minor units as the reader writes money: 1234 EUR is "€12.34" in en, "12,34 €" in de
    and "EUR 12.34" in de-CH; 500 JPY is "¥500" (CLDR's data, through Babel). A locale Babel
    does not know reads as en."""
    value = Decimal(amount).scaleb(-minor_unit_digits(currency_code))
    text = format_currency(value, currency_code.upper(), locale=_babel_locale(locale))
    return _CODE_BESIDE_DIGIT.sub("\u00a0", text)  # CLDR's currency spacing: "KWD 0.005"


#: Where a currency code written as the symbol touches the number (Babel leaves no space).
_CODE_BESIDE_DIGIT = re.compile(r"(?<=[A-Z])(?=\d)|(?<=\d)(?=[A-Z])")


def _babel_locale(tag: str) -> Locale:
    try:
        return Locale.parse(tag.strip().replace("-", "_") or "en")
    except (ValueError, UnknownLocaleError):
        return Locale("en")


def _payment_receipt(
    event: payments_events.PaymentSucceeded, links: Links, locale: str
) -> dict[str, str]:
    return {
        "amount": money_for(event.amount, event.currency_code, locale),
        "description": event.description,
        "payment_id": event.payment_id,
    }


def _refund_receipt(
    event: payments_events.RefundSucceeded, links: Links, locale: str
) -> dict[str, str]:
    currency = event.currency_code
    return {
        "amount": money_for(event.amount, currency, locale),
        "refunded_total": money_for(event.payment_amount_refunded, currency, locale),
        "payment_id": event.payment_id,
    }


REACTIONS: tuple[Reaction, ...] = (
    Reaction(
        "welcome",
        users_events.UserCreated,
        template_id="welcome",
        recipient=lambda event: recipient_of(event.user),
    ),
    Reaction(
        "kyc-verified",
        users_events.KycVerified,
        template_id="kyc-verified",
        recipient=lambda event: Recipient(user_id=event.user_id),
    ),
    Reaction(
        "kyc-rejected",
        users_events.KycRejected,
        template_id="kyc-rejected",
        recipient=lambda event: Recipient(user_id=event.user_id),
        variables=_rejection,
    ),
    Reaction(
        "email-verification",
        identity_events.EmailVerificationRequested,
        template_id="email-verification",
        recipient=lambda event: Recipient(event.user_id, event.email, locale=event.locale),
        variables=_token_variables(Links.verify_email),
    ),
    Reaction(
        "password-reset",
        identity_events.PasswordResetRequested,
        template_id="password-reset",
        recipient=lambda event: Recipient(event.user_id, event.email, locale=event.locale),
        variables=_token_variables(Links.reset_password),
    ),
    Reaction(
        "payment-receipt",
        payments_events.PaymentSucceeded,
        template_id="payment-receipt",
        recipient=lambda event: Recipient(user_id=event.user_id),
        variables=_payment_receipt,
    ),
    Reaction(
        "refund-receipt",
        payments_events.RefundSucceeded,
        template_id="refund-receipt",
        recipient=lambda event: Recipient(user_id=event.user_id),
        variables=_refund_receipt,
    ),
)
