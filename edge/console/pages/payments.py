"""Payments: the list, filtered, and refunds."""

from __future__ import annotations

import re
from urllib.parse import quote

from starlette.responses import Response

from edge.console.formatting import choices, label
from edge.console.views import Console, FormError, action, page, query_of, render, section
from meshwork.payments.v1 import resources_pb2 as payments

PAGE_SIZE = 25
_AMOUNT = re.compile(r"^\d{1,12}(\.\d{1,2})?$")


@page(needs="list_payments")
async def listing(console: Console) -> Response:
    filters = query_of(console.request, "user_id", "state", "page_token")
    found = await section(
        console.api.get(
            "/v1/payments",
            {
                "userId": filters["user_id"],
                "state": filters["state"],
                "pageToken": filters["page_token"],
                "pageSize": PAGE_SIZE,
            },
        )
    )
    context = {
        "filters": filters,
        "found": found,
        "states": choices(payments.PaymentState.DESCRIPTOR),
        "refund_reasons": choices(payments.RefundReason.DESCRIPTOR),
    }
    return render(console.request, "payments.html", context, operator=console.operator)


@action("create_refund", back="/payments")
async def refund(console: Console, form: dict[str, str]) -> str:
    payment_id = console.request.path_params["payment_id"]
    body = {"reason": form.get("reason", ""), "note": form.get("note", "")}
    amount = minor_units(form.get("amount", ""))
    if amount:
        body["amount"] = str(amount)
    reply = await console.api.post(f"/v1/payments/{quote(payment_id, safe='')}/refunds", body)
    made = reply.get("refund", {})
    return f"Refund {made.get('id', '')} requested ({label(made.get('state'))})."


def minor_units(amount: str) -> int:
    """'12.5' → 1250; '' → 0 (refund everything left); anything else is refused by name."""
    amount = amount.strip()
    if not amount:
        return 0
    if not _AMOUNT.match(amount):
        raise FormError(
            f"amount: {amount!r} is not an amount such as 12.50 (leave it empty to refund "
            "everything left)"
        )
    whole, _, cents = amount.partition(".")
    return int(whole) * 100 + int(cents.ljust(2, "0") or 0)
