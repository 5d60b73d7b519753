"""PaymentIntents: create, confirm, capture, cancel, update, retrieve, list."""

from __future__ import annotations

import secrets
from typing import Any

from sandbox.stripe import charges, currencies
from sandbox.stripe.account import Account
from sandbox.stripe.customers import resolve_payment_method
from sandbox.stripe.errors import invalid, unexpected_state
from sandbox.stripe.forms import Params, merge_metadata
from sandbox.stripe.listing import LIST_PARAMS, matching, page
from sandbox.stripe.state import new_id, now

CONFIRMABLE = ("requires_payment_method", "requires_confirmation", "requires_action")
CANCELABLE = (*CONFIRMABLE, "requires_capture", "processing")
CANCELLATION_REASONS = ("duplicate", "fraudulent", "requested_by_customer", "abandoned")
_CONFIRM_PARAMS = ("payment_method", "return_url", "receipt_email", "off_session")
_CREATE_PARAMS = (
    "amount",
    "currency",
    "customer",
    "description",
    "metadata",
    "confirm",
    "capture_method",
    "payment_method_types",
    "automatic_payment_methods",
    "statement_descriptor",
    "setup_future_usage",
    *_CONFIRM_PARAMS,
)


def create_intent(account: Account, params: Params) -> dict[str, Any]:
    params.only(*_CREATE_PARAMS)
    currency = currencies.currency(params.string("currency"))
    amount = currencies.check_amount(params.integer("amount", required=True) or 0, currency)
    if (customer := params.string("customer")) is not None:
        account.store.get("customers", customer, param="customer")
    intent = _new_intent(params, amount=amount, currency=currency, customer=customer)
    confirm = params.boolean("confirm")
    if not confirm:
        _take_payment_method(account, intent, params)
    account.store.add("payment_intents", intent)
    account.emit("payment_intent.created", intent)
    return _confirm(account, intent, params) if confirm else intent


def _new_intent(
    params: Params, *, amount: int, currency: str, customer: str | None
) -> dict[str, Any]:
    intent_id = new_id("pi")
    return {
        "id": intent_id,
        "object": "payment_intent",
        "amount": amount,
        "amount_capturable": 0,
        "amount_received": 0,
        "canceled_at": None,
        "cancellation_reason": None,
        "capture_method": params.string(
            "capture_method", choices=("automatic", "automatic_async", "manual")
        )
        or "automatic_async",
        "client_secret": f"{intent_id}_secret_{secrets.token_urlsafe(18)}",
        "confirmation_method": "automatic",
        "created": now(),
        "currency": currency,
        "customer": customer,
        "description": params.string("description"),
        "last_payment_error": None,
        "latest_charge": None,
        "livemode": False,
        "metadata": merge_metadata({}, params.metadata(), replace=True),
        "next_action": None,
        "payment_method": None,
        "payment_method_types": params.strings("payment_method_types") or ["card"],
        "receipt_email": params.string("receipt_email"),
        "setup_future_usage": params.string("setup_future_usage"),
        "statement_descriptor": params.string("statement_descriptor"),
        "status": "requires_payment_method",
    }


def _take_payment_method(account: Account, intent: dict[str, Any], params: Params) -> None:
    if (method_id := params.string("payment_method")) is not None:
        method = resolve_payment_method(account, method_id)
        intent.update(payment_method=method["id"], status="requires_confirmation")


def _confirm(account: Account, intent: dict[str, Any], params: Params) -> dict[str, Any]:
    if intent["status"] not in CONFIRMABLE:
        raise unexpected_state(
            "You cannot confirm this PaymentIntent because it has a status of "
            f"{intent['status']}. Only a PaymentIntent with one of the following statuses may "
            f"be confirmed: {', '.join(CONFIRMABLE)}."
        )
    _take_payment_method(account, intent, params)
    if intent["payment_method"] is None:
        raise unexpected_state(
            "You cannot confirm this PaymentIntent because it's missing a payment method. "
            "To confirm it, pass payment_method.",
            param="payment_method",
        )
    if params.string("receipt_email") is not None:
        intent["receipt_email"] = params.string("receipt_email")
    intent["last_payment_error"] = None
    if intent["status"] == "requires_action":
        intent["status"] = "requires_confirmation"
    return charges.attempt(account, intent)


def confirm_intent(account: Account, params: Params, intent_id: str) -> dict[str, Any]:
    params.only(*_CONFIRM_PARAMS, "capture_method")
    intent = account.store.get("payment_intents", intent_id)
    if (method := params.string("capture_method")) is not None:
        intent["capture_method"] = method
    return _confirm(account, intent, params)


def authenticate_intent(account: Account, params: Params, intent_id: str) -> dict[str, Any]:
    """The sandbox's stand-in for the customer finishing (or failing) 3D Secure."""
    params.only("outcome")
    outcome = params.string("outcome", choices=("complete", "fail")) or "complete"
    intent = account.store.get("payment_intents", intent_id)
    if intent["status"] != "requires_action":
        raise unexpected_state(
            f"This PaymentIntent has a status of {intent['status']}, not requires_action: "
            "there is no authentication to complete."
        )
    if outcome == "fail":
        return charges.fail_authentication(account, intent)
    return charges.attempt(account, intent)


def capture_intent(account: Account, params: Params, intent_id: str) -> dict[str, Any]:
    params.only("amount_to_capture", "metadata")
    intent = account.store.get("payment_intents", intent_id)
    if intent["status"] != "requires_capture":
        raise unexpected_state(
            "This PaymentIntent could not be captured because it has a status of "
            f"{intent['status']}. Only a PaymentIntent with one of the following statuses may "
            "be captured: requires_capture."
        )
    amount = params.integer("amount_to_capture")
    amount = intent["amount_capturable"] if amount is None else amount
    if not 1 <= amount <= intent["amount_capturable"]:
        raise invalid(
            "amount_to_capture must be at least 1 and at most amount_capturable "
            f"({intent['amount_capturable']}).",
            param="amount_to_capture",
            code="amount_too_large",
        )
    charge = account.store.get("charges", intent["latest_charge"])
    charge.update(captured=True, amount_captured=amount)
    intent.update(status="succeeded", amount_received=amount, amount_capturable=0)
    intent["metadata"] = merge_metadata(intent["metadata"], params.metadata(), replace=False)
    account.emit("charge.captured", charge)
    account.emit("payment_intent.succeeded", intent)
    return intent


def cancel_intent(account: Account, params: Params, intent_id: str) -> dict[str, Any]:
    params.only("cancellation_reason")
    reason = params.string("cancellation_reason", choices=CANCELLATION_REASONS)
    intent = account.store.get("payment_intents", intent_id)
    if intent["status"] not in CANCELABLE:
        raise unexpected_state(
            "You cannot cancel this PaymentIntent because it has a status of "
            f"{intent['status']}. Only a PaymentIntent with one of the following statuses may "
            f"be canceled: {', '.join(CANCELABLE)}."
        )
    if intent["status"] == "requires_capture":
        # The uncaptured authorisation is released, which Stripe shows as a refunded charge.
        charge = account.store.get("charges", intent["latest_charge"])
        charge.update(refunded=True, amount_refunded=charge["amount"])
        account.emit("charge.refunded", charge)
    intent.update(
        status="canceled",
        cancellation_reason=reason,
        canceled_at=now(),
        amount_capturable=0,
        next_action=None,
    )
    account.emit("payment_intent.canceled", intent)
    return intent


def update_intent(account: Account, params: Params, intent_id: str) -> dict[str, Any]:
    params.only("amount", "description", "metadata", "payment_method", "receipt_email")
    intent = account.store.get("payment_intents", intent_id)
    if {"amount", "payment_method"} & set(params.values) and intent["status"] not in CONFIRMABLE:
        raise unexpected_state(
            f"This PaymentIntent's amount and payment method cannot change: its status is "
            f"{intent['status']}.",
            param="amount" if "amount" in params.values else "payment_method",
        )
    if (amount := params.integer("amount")) is not None:
        intent["amount"] = currencies.check_amount(amount, intent["currency"])
    for name in ("description", "receipt_email"):
        if name in params.values:
            intent[name] = params.string(name)
    intent["metadata"] = merge_metadata(
        intent["metadata"], params.metadata(), replace=params.raw("metadata") == ""
    )
    _take_payment_method(account, intent, params)
    return intent


def retrieve_intent(account: Account, params: Params, intent_id: str) -> dict[str, Any]:
    params.only("client_secret")
    return account.store.get("payment_intents", intent_id)


def list_intents(account: Account, params: Params) -> dict[str, Any]:
    params.only(*LIST_PARAMS, "customer")
    intents = matching(account.store.newest_first("payment_intents"), params, "customer")
    return page(intents, params, url="/v1/payment_intents")
