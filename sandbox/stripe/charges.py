"""Charging a PaymentIntent's card: the charge it leaves, a decline, and 3D Secure."""

from __future__ import annotations

from typing import Any

from sandbox.stripe import cards
from sandbox.stripe.account import Account
from sandbox.stripe.errors import StripeError
from sandbox.stripe.forms import Params
from sandbox.stripe.listing import LIST_PARAMS, matching, page
from sandbox.stripe.state import new_id, now


def attempt(account: Account, intent: dict[str, Any]) -> dict[str, Any]:
    """Charges the intent's payment method; raises a 402 card_error on a decline."""
    number = account.store.card_numbers[intent["payment_method"]]
    outcome = cards.outcome(number)
    if outcome.requires_authentication and intent["status"] != "requires_action":
        return _require_action(account, intent)
    intent["next_action"] = None
    if outcome.requires_authentication:
        outcome = cards.APPROVED
    charge = _charge(account, intent, outcome)
    if outcome.declined:
        raise _decline(account, intent, charge, outcome)
    if intent["capture_method"] == "manual":
        intent.update(status="requires_capture", amount_capturable=intent["amount"])
        account.emit("charge.succeeded", charge)
        account.emit("payment_intent.amount_capturable_updated", intent)
    else:
        intent.update(status="succeeded", amount_received=intent["amount"])
        account.emit("charge.succeeded", charge)
        account.emit("payment_intent.succeeded", intent)
    return intent


def _require_action(account: Account, intent: dict[str, Any]) -> dict[str, Any]:
    url = f"{account.request.base_url}/sandbox/payment_intents/{intent['id']}/authenticate"
    intent["status"] = "requires_action"
    intent["next_action"] = {
        "type": "use_stripe_sdk",
        "use_stripe_sdk": {"type": "three_d_secure_redirect", "stripe_js": url},
    }
    account.emit("payment_intent.requires_action", intent)
    return intent


def _charge(account: Account, intent: dict[str, Any], outcome: cards.Outcome) -> dict[str, Any]:
    method = account.store.get("payment_methods", intent["payment_method"])
    captured = not outcome.declined and intent["capture_method"] != "manual"
    charge = {
        "id": new_id("ch"),
        "object": "charge",
        "amount": intent["amount"],
        "amount_captured": intent["amount"] if captured else 0,
        "amount_refunded": 0,
        "balance_transaction": None,
        "captured": captured,
        "created": now(),
        "currency": intent["currency"],
        "customer": intent["customer"],
        "description": intent["description"],
        "failure_code": outcome.code,
        "failure_message": outcome.message or None,
        "livemode": False,
        "metadata": dict(intent["metadata"]),
        "outcome": _network_outcome(outcome),
        "paid": not outcome.declined,
        "payment_intent": intent["id"],
        "payment_method": method["id"],
        "payment_method_details": {"type": "card", "card": dict(method["card"])},
        "refunded": False,
        "status": "failed" if outcome.declined else "succeeded",
    }
    intent["latest_charge"] = charge["id"]
    return account.store.add("charges", charge)


def _network_outcome(outcome: cards.Outcome) -> dict[str, Any]:
    if outcome.declined:
        return {
            "network_status": "declined_by_network",
            "reason": outcome.decline_code,
            "seller_message": "The bank returned the decline code " + str(outcome.decline_code),
            "type": "issuer_declined",
        }
    return {
        "network_status": "approved_by_network",
        "reason": None,
        "seller_message": "Payment complete.",
        "type": "authorized",
    }


def _decline(
    account: Account, intent: dict[str, Any], charge: dict[str, Any], outcome: cards.Outcome
) -> StripeError:
    method = account.store.get("payment_methods", intent["payment_method"])
    error = StripeError(
        402,
        "card_error",
        outcome.message,
        code=outcome.code,
        param=outcome.param,
        decline_code=outcome.decline_code,
        extra={"charge": charge["id"], "payment_method": method},
    )
    intent.update(
        status="requires_payment_method",
        payment_method=None,
        last_payment_error=error.envelope()["error"],
    )
    account.emit("charge.failed", charge)
    account.emit("payment_intent.payment_failed", intent)
    error.payment_intent = intent
    return error


def fail_authentication(account: Account, intent: dict[str, Any]) -> dict[str, Any]:
    """The customer failed 3D Secure: the intent needs another payment method."""
    method = account.store.get("payment_methods", intent["payment_method"])
    intent.update(
        status="requires_payment_method",
        next_action=None,
        payment_method=None,
        last_payment_error={
            "type": "invalid_request_error",
            "code": "payment_intent_authentication_failure",
            "message": "The provided PaymentMethod has failed authentication. You can provide "
            "payment_method_data or a new PaymentMethod to attempt to fulfill this "
            "PaymentIntent again.",
            "payment_method": method,
        },
    )
    account.emit("payment_intent.payment_failed", intent)
    return intent


def retrieve_charge(account: Account, params: Params, charge_id: str) -> dict[str, Any]:
    params.only()
    return account.store.get("charges", charge_id)


def list_charges(account: Account, params: Params) -> dict[str, Any]:
    params.only(*LIST_PARAMS, "payment_intent", "customer")
    charges = matching(account.store.newest_first("charges"), params, "payment_intent", "customer")
    return page(charges, params, url="/v1/charges")
