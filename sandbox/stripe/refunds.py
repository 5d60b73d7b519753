"""Refunds: full or partial, never more than the charge has left."""

from __future__ import annotations

from typing import Any

from sandbox.stripe import currencies
from sandbox.stripe.account import Account
from sandbox.stripe.errors import invalid
from sandbox.stripe.forms import Params, merge_metadata
from sandbox.stripe.listing import LIST_PARAMS, matching, page
from sandbox.stripe.state import new_id, now

REASONS = ("duplicate", "fraudulent", "requested_by_customer")


def create_refund(account: Account, params: Params) -> dict[str, Any]:
    params.only("payment_intent", "charge", "amount", "reason", "metadata")
    charge = _refundable_charge(account, params)
    amount = _refund_amount(params, charge)
    refund = {
        "id": new_id("re"),
        "object": "refund",
        "amount": amount,
        "balance_transaction": None,
        "charge": charge["id"],
        "created": now(),
        "currency": charge["currency"],
        "metadata": merge_metadata({}, params.metadata(), replace=True),
        "payment_intent": charge["payment_intent"],
        "reason": params.string("reason", choices=REASONS),
        "receipt_number": None,
        "status": "succeeded",
    }
    account.store.add("refunds", refund)
    charge["amount_refunded"] += amount
    charge["refunded"] = charge["amount_refunded"] == charge["amount_captured"]
    account.emit("refund.created", refund)
    account.emit("charge.refunded", charge)
    return refund


def _refund_amount(params: Params, charge: dict[str, Any]) -> int:
    """The amount asked for (all that is left by default), never more than is left."""
    left = charge["amount_captured"] - charge["amount_refunded"]
    if left == 0:
        raise invalid(
            f"Charge {charge['id']} has already been refunded.", code="charge_already_refunded"
        )
    amount = params.integer("amount")
    amount = left if amount is None else amount
    if amount < 1:
        raise invalid("This value must be greater than or equal to 1.", param="amount")
    if amount > left:
        currency = charge["currency"]
        raise invalid(
            f"Refund amount ({currencies.display(amount, currency)} {currency}) is greater "
            f"than unrefunded amount on charge ({currencies.display(left, currency)} {currency})",
            param="amount",
            code="amount_too_large",
        )
    return amount


def _refundable_charge(account: Account, params: Params) -> dict[str, Any]:
    intent_id, charge_id = params.string("payment_intent"), params.string("charge")
    if intent_id is None and charge_id is None:
        raise invalid(
            "One of the following params should be provided for this request: payment_intent "
            "or charge.",
            param="payment_intent",
            code="parameter_missing",
        )
    if intent_id is not None:
        intent = account.store.get("payment_intents", intent_id, param="payment_intent")
        if intent["status"] != "succeeded":
            raise invalid(
                f"This PaymentIntent ({intent_id}) does not have a successful charge to refund: "
                f"its status is {intent['status']}.",
                param="payment_intent",
                code="charge_not_refundable",
            )
        return account.store.get("charges", intent["latest_charge"])
    charge = account.store.get("charges", charge_id or "", param="charge")
    if charge["status"] != "succeeded" or not charge["captured"]:
        raise invalid(
            f"Charge {charge_id} has no captured payment to refund.",
            param="charge",
            code="charge_not_refundable",
        )
    return charge


def retrieve_refund(account: Account, params: Params, refund_id: str) -> dict[str, Any]:
    params.only()
    return account.store.get("refunds", refund_id)


def list_refunds(account: Account, params: Params) -> dict[str, Any]:
    params.only(*LIST_PARAMS, "payment_intent", "charge")
    refunds = matching(account.store.newest_first("refunds"), params, "payment_intent", "charge")
    return page(refunds, params, url="/v1/refunds")
