"""The errors the audit service reports (reasons from its contract's ErrorReason)."""

from __future__ import annotations

from collections.abc import Sequence

from mesh.errors import AlreadyExists, NotFound

#: ErrorInfo domain of every error this service reports.
DOMAIN = "audit.meshwork"


def audit_entry_not_found(entry_id: str) -> NotFound:
    return NotFound(
        f"no audit entry has id {entry_id!r}", reason="AUDIT_ENTRY_NOT_FOUND", domain=DOMAIN
    )


def chain_not_found(chain: str, known: Sequence[str]) -> NotFound:
    listed = ", ".join(known) or "none yet"
    return NotFound(
        f"no audit entry belongs to chain {chain!r}; chains are named after the services "
        f"that report entries (known: {listed})",
        reason="AUDIT_CHAIN_NOT_FOUND",
        domain=DOMAIN,
    )


def idempotency_key_reused(key: str) -> AlreadyExists:
    return AlreadyExists(
        f"idempotency_key {key!r} was already used for a different entry; "
        "use a new key for a new entry",
        reason="IDEMPOTENCY_KEY_REUSED",
        domain=DOMAIN,
    )
