"""Jinja filters: the API's JSON values as people read them."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from google.protobuf.descriptor import EnumDescriptor


def money(minor: str | int | None, currency: str = "") -> str:
    """'1999', 'EUR' → '19.99 EUR' (two decimals, as the currencies in use have)."""
    amount = int(minor or 0)
    sign = "-" if amount < 0 else ""
    whole, cents = divmod(abs(amount), 100)
    return f"{sign}{whole}.{cents:02d} {currency}".strip()


def when(timestamp: str | None) -> str:
    """An RFC 3339 timestamp to the second, in UTC ('' when unset)."""
    if not timestamp:
        return ""
    try:
        moment = datetime.fromisoformat(timestamp.replace("Z", "+00:00"))
    except ValueError:
        return timestamp
    return moment.strftime("%Y-%m-%d %H:%M:%S UTC")


def label(value: Any) -> str:
    """An enum's JSON name without its type prefix: 'KYC_STATUS_PENDING' → 'pending'."""
    text = str(value or "")
    for prefix in _PREFIXES:
        if text.startswith(prefix):
            text = text[len(prefix) :]
            break
    return text.replace("_", " ").lower()


def choices(enum: EnumDescriptor) -> list[tuple[str, str]]:
    """An enum's values for a <select>: (JSON name, label), without the UNSPECIFIED zero."""
    return [(v.name, label(v.name)) for v in enum.values if v.number != 0]


_PREFIXES = (
    "KYC_STATUS_",
    "KYC_REJECTION_REASON_",
    "KYC_DOCUMENT_TYPE_",
    "PAYMENT_STATE_",
    "REFUND_STATE_",
    "REFUND_REASON_",
    "JOB_STATE_",
    "SESSION_STATE_",
    "SESSION_REVOCATION_REASON_",
    "SUSPENSION_STATE_",
    "AUDIT_ENTRY_KIND_",
    "AUDIT_CHAIN_BREAK_KIND_",
    "LOG_SEVERITY_",
    "CHANNEL_",
    "USER_STATE_",
)

FILTERS = {"money": money, "when": when, "label": label}
