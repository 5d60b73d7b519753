"""Per-call context (request id, caller identity) and the metadata keys that carry it."""

from __future__ import annotations

import random
import time
from contextvars import ContextVar
from dataclasses import dataclass, field

#: Request id, set by the edge or the first service a call reaches; propagated on every hop.
REQUEST_ID_KEY = "x-request-id"
#: The calling service's token: "Bearer <service JWT>" (audience = the callee).
SERVICE_AUTHORIZATION_KEY = "authorization"
#: The end user's access token, forwarded unchanged from hop to hop: "Bearer <user JWT>".
USER_AUTHORIZATION_KEY = "x-user-authorization"
#: Client-chosen key that makes a retried mutation happen once (passed through by the edge).
IDEMPOTENCY_KEY = "idempotency-key"


@dataclass(frozen=True, slots=True)
class User:
    """The end user a call acts for, as verified from their access token."""

    subject: str
    roles: frozenset[str] = frozenset()
    token: str = field(default="", repr=False)

    def has_any_role(self, roles: frozenset[str]) -> bool:
        return not roles.isdisjoint(self.roles)


@dataclass(frozen=True, slots=True)
class Principal:
    """Who is calling: the calling service (always, inside the mesh) and the end user, if any."""

    service: str | None = None
    user: User | None = None


ANONYMOUS = Principal()

request_id_var: ContextVar[str] = ContextVar("meshwork_request_id", default="")
principal_var: ContextVar[Principal] = ContextVar("meshwork_principal", default=ANONYMOUS)


def new_request_id() -> str:
    """A fresh request id: 32 hex digits. Request ids correlate logs and are not secrets, so
    they come from the fast pseudo-random generator (as OpenTelemetry's trace ids do)."""
    return f"{random.getrandbits(128):032x}"


def current_request_id() -> str:
    """The request id of the call being served (empty outside a call)."""
    return request_id_var.get()


def current_principal() -> Principal:
    """The verified caller of the call being served (anonymous outside a call)."""
    return principal_var.get()


#: Absolute deadline of the call being served, on `time.monotonic()`'s clock (None outside a
#: call). Not the event loop's clock: on Python 3.11 every `get_running_loop()` costs a syscall.
deadline_var: ContextVar[float | None] = ContextVar("meshwork_deadline", default=None)


def time_remaining() -> float | None:
    """Seconds left before the call being served must answer (None outside a call)."""
    deadline = deadline_var.get()
    if deadline is None:
        return None
    return max(0.0, deadline - time.monotonic())
