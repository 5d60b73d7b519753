"""Stripe's test card numbers and `pm_card_*` payment methods, and what each one does."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Outcome:
    """What confirming with a card does: approve, ask for 3D Secure, or decline."""

    code: str | None = None
    decline_code: str | None = None
    message: str = ""
    param: str | None = None
    requires_authentication: bool = False

    @property
    def declined(self) -> bool:
        return self.code is not None


APPROVED = Outcome()
_DECLINED = "Your card was declined."
_BY_NUMBER: dict[str, Outcome] = {
    "4242424242424242": APPROVED,
    "4000056655665556": APPROVED,
    "5555555555554444": APPROVED,
    "378282246310005": APPROVED,
    "6011111111111117": APPROVED,
    "4000000000000002": Outcome("card_declined", "generic_decline", _DECLINED),
    "4000000000009995": Outcome(
        "card_declined", "insufficient_funds", "Your card has insufficient funds."
    ),
    "4000000000009987": Outcome("card_declined", "lost_card", _DECLINED),
    "4000000000009979": Outcome("card_declined", "stolen_card", _DECLINED),
    "4000000000000069": Outcome(
        "expired_card", "expired_card", "Your card has expired.", param="exp_month"
    ),
    "4000000000000127": Outcome(
        "incorrect_cvc", "incorrect_cvc", "Your card's security code is incorrect.", param="cvc"
    ),
    "4000000000000119": Outcome(
        "processing_error",
        "processing_error",
        "An error occurred while processing your card. Try again in a little bit.",
    ),
    "4000002500003155": Outcome(requires_authentication=True),
    "4000002760003184": Outcome(requires_authentication=True),
}
_LIVE_CARD = Outcome(
    "card_declined",
    "test_mode_live_card",
    "Your card was declined. Your request was in test mode, but used a non test card.",
)

# Stripe's ready-made test PaymentMethods, by the card number each stands for.
PAYMENT_METHOD_TOKENS: dict[str, str] = {
    "pm_card_visa": "4242424242424242",
    "pm_card_visa_debit": "4000056655665556",
    "pm_card_mastercard": "5555555555554444",
    "pm_card_amex": "378282246310005",
    "pm_card_discover": "6011111111111117",
    "pm_card_chargeDeclined": "4000000000000002",
    "pm_card_chargeDeclinedInsufficientFunds": "4000000000009995",
    "pm_card_chargeDeclinedLostCard": "4000000000009987",
    "pm_card_chargeDeclinedStolenCard": "4000000000009979",
    "pm_card_chargeDeclinedExpiredCard": "4000000000000069",
    "pm_card_chargeDeclinedIncorrectCvc": "4000000000000127",
    "pm_card_chargeDeclinedProcessingError": "4000000000000119",
    "pm_card_authenticationRequired": "4000002500003155",
    "pm_card_authenticationRequiredOnSetup": "4000002760003184",
}


def outcome(number: str) -> Outcome:
    """The outcome of charging `number`; real-looking numbers decline as in test mode."""
    return _BY_NUMBER.get(number, _LIVE_CARD)


def luhn_valid(number: str) -> bool:
    if not number.isdigit() or not 12 <= len(number) <= 19:
        return False
    digits = [int(d) for d in reversed(number)]
    doubled = [d * 2 - 9 if d * 2 > 9 else d * 2 for d in digits[1::2]]
    return (sum(digits[0::2]) + sum(doubled)) % 10 == 0


def brand(number: str) -> str:
    if number.startswith(("34", "37")):
        return "amex"
    if number.startswith(("51", "52", "53", "54", "55", "2")):
        return "mastercard"
    if number.startswith("6"):
        return "discover"
    return "visa" if number.startswith("4") else "unknown"
