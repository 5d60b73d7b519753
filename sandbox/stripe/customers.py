"""Customers and card PaymentMethods."""

from __future__ import annotations

from typing import Any

from sandbox.stripe import cards
from sandbox.stripe.account import Account
from sandbox.stripe.errors import StripeError, invalid
from sandbox.stripe.forms import Params, merge_metadata
from sandbox.stripe.listing import LIST_PARAMS, matching, page
from sandbox.stripe.state import new_id, now

_FIELDS = ("email", "name", "description", "phone")


def create_customer(account: Account, params: Params) -> dict[str, Any]:
    params.only(*_FIELDS, "metadata")
    customer = {
        "id": new_id("cus"),
        "object": "customer",
        "balance": 0,
        "created": now(),
        "currency": None,
        "default_source": None,
        "delinquent": False,
        "invoice_prefix": new_id("inv")[4:12].upper(),
        "invoice_settings": {"default_payment_method": None},
        "livemode": False,
        "metadata": merge_metadata({}, params.metadata(), replace=True),
        **{name: _field(params, name) for name in _FIELDS},
    }
    account.store.add("customers", customer)
    account.emit("customer.created", customer)
    return customer


def _field(params: Params, name: str) -> str | None:
    value = params.string(name)
    if name == "email" and value is not None and "@" not in value:
        raise invalid(f"Invalid email address: {value}", param="email", code="email_invalid")
    return value


def retrieve_customer(account: Account, params: Params, customer_id: str) -> dict[str, Any]:
    params.only()
    return account.store.get("customers", customer_id)


def update_customer(account: Account, params: Params, customer_id: str) -> dict[str, Any]:
    params.only(*_FIELDS, "metadata")
    customer = account.store.get("customers", customer_id)
    for name in _FIELDS:
        if name in params.values:
            customer[name] = _field(params, name)
    if "metadata" in params.values:
        cleared = params.raw("metadata") == ""
        customer["metadata"] = merge_metadata(
            customer["metadata"], params.metadata(), replace=cleared
        )
    account.emit("customer.updated", customer)
    return customer


def delete_customer(account: Account, params: Params, customer_id: str) -> dict[str, Any]:
    params.only()
    customer = account.store.remove("customers", customer_id)
    account.emit("customer.deleted", customer)
    return {"id": customer_id, "object": "customer", "deleted": True}


def list_customers(account: Account, params: Params) -> dict[str, Any]:
    params.only(*LIST_PARAMS, "email")
    customers = matching(account.store.newest_first("customers"), params, "email")
    return page(customers, params, url="/v1/customers")


def create_payment_method(account: Account, params: Params) -> dict[str, Any]:
    params.only("type", "card", "billing_details", "metadata")
    params.string("type", required=True, choices=("card",))
    card = params.raw("card")
    if not isinstance(card, dict):
        raise invalid("Missing required param: card.", param="card", code="parameter_missing")
    card_params = Params(card).only("number", "exp_month", "exp_year", "cvc")
    number = (card_params.string("number", required=True) or "").replace(" ", "")
    if not cards.luhn_valid(number):
        raise StripeError(
            402,
            "card_error",
            "Your card number is incorrect.",
            code="incorrect_number",
            param="card[number]",
        )
    month = card_params.integer("exp_month", required=True) or 0
    year = card_params.integer("exp_year", required=True) or 0
    if not 1 <= month <= 12:
        raise invalid(
            "Your card's expiration month is invalid.",
            param="card[exp_month]",
            code="invalid_expiry_month",
        )
    method = card_payment_method(account, number, exp_month=month, exp_year=year)
    method["metadata"] = merge_metadata({}, params.metadata(), replace=True)
    return method


def card_payment_method(
    account: Account, number: str, *, exp_month: int = 12, exp_year: int = 2034
) -> dict[str, Any]:
    method: dict[str, Any] = {
        "id": new_id("pm"),
        "object": "payment_method",
        "billing_details": {"address": None, "email": None, "name": None, "phone": None},
        "card": {
            "brand": cards.brand(number),
            "country": "US",
            "exp_month": exp_month,
            "exp_year": exp_year,
            "fingerprint": new_id("fp")[3:19],
            "funding": "credit",
            "last4": number[-4:],
        },
        "created": now(),
        "customer": None,
        "livemode": False,
        "metadata": {},
        "type": "card",
    }
    account.store.card_numbers[method["id"]] = number
    return account.store.add("payment_methods", method)


def retrieve_payment_method(account: Account, params: Params, method_id: str) -> dict[str, Any]:
    params.only()
    return account.store.get("payment_methods", method_id)


def resolve_payment_method(account: Account, method_id: str) -> dict[str, Any]:
    """A stored PaymentMethod, or a fresh one for a `pm_card_*` test token, as Stripe does."""
    if (number := cards.PAYMENT_METHOD_TOKENS.get(method_id)) is not None:
        return card_payment_method(account, number)
    return account.store.get("payment_methods", method_id, param="payment_method")
