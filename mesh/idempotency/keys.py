"""The key of an idempotent call: read from metadata, checked, scoped to its caller; errors."""

from __future__ import annotations

import hashlib
import re

import grpc
from google.protobuf.message import Message

from mesh.context import IDEMPOTENCY_KEY, current_principal
from mesh.errors import MESH_DOMAIN, Aborted, FailedPrecondition, FieldViolation, InvalidArgument

MAX_KEY_LENGTH = 255
_PRINTABLE_ASCII = re.compile(r"^[\x20-\x7e]+$")


def fingerprint_of(request: Message) -> str:
    """SHA-256 of the request's deterministic serialization: equal requests, equal prints."""
    return hashlib.sha256(request.SerializeToString(deterministic=True)).hexdigest()


def caller_of_current_call() -> str:
    """The calling service and end user the key belongs to ("edge/" for an anonymous user)."""
    principal = current_principal()
    return f"{principal.service or ''}/{principal.user.subject if principal.user else ''}"


def key_of(context: grpc.aio.ServicerContext) -> str:
    """The call's `idempotency-key` metadata ("" when absent); raises when it is malformed."""
    key = next((v for k, v in context.invocation_metadata() or () if k == IDEMPOTENCY_KEY), "")
    if not isinstance(key, str):
        key = ""  # a binary entry would end in "-bin"; this key is text
    if key and not well_formed(key):
        raise malformed_key(IDEMPOTENCY_KEY, domain=MESH_DOMAIN)
    return key


def well_formed(key: str) -> bool:
    """Whether `key` is 1 to MAX_KEY_LENGTH printable ASCII characters."""
    return 0 < len(key) <= MAX_KEY_LENGTH and _PRINTABLE_ASCII.match(key) is not None


def malformed_key(carrier: str, *, domain: str) -> InvalidArgument:
    """INVALID_IDEMPOTENCY_KEY, naming where the key came (a metadata entry, an HTTP header)."""
    rule = f"1 to {MAX_KEY_LENGTH} printable ASCII characters"
    return InvalidArgument(
        f"the {carrier} must be {rule} (a UUID is a good choice)",
        reason="INVALID_IDEMPOTENCY_KEY",
        domain=domain,
        violations=[FieldViolation(carrier, rule)],
    )


def key_reused(key: str) -> InvalidArgument:
    """IDEMPOTENCY_KEY_REUSED: `key` was first used with another request."""
    return InvalidArgument(
        f"the idempotency key {key!r} was already used with a different request;"
        " send a new key for a new request",
        reason="IDEMPOTENCY_KEY_REUSED",
        domain=MESH_DOMAIN,
        violations=[FieldViolation(IDEMPOTENCY_KEY, f"{key!r} was used for another request")],
        metadata={"idempotency_key": key},
    )


def in_use(key: str) -> Aborted:
    """IDEMPOTENCY_KEY_IN_USE: a call with `key` is still running."""
    return Aborted(
        f"a request with the idempotency key {key!r} is still in progress; retry shortly",
        reason="IDEMPOTENCY_KEY_IN_USE",
        domain=MESH_DOMAIN,
        metadata={"idempotency_key": key},
    )


def answer_lost(key: str) -> FailedPrecondition:
    """IDEMPOTENCY_ANSWER_LOST: the call with `key` made its change, its answer was not saved."""
    return FailedPrecondition(
        f"the request with the idempotency key {key!r} was carried out, but its answer was"
        " lost; read the resource to see the outcome",
        reason="IDEMPOTENCY_ANSWER_LOST",
        domain=MESH_DOMAIN,
        metadata={"idempotency_key": key},
    )
