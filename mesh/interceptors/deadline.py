"""Deadlines: a call without one gets its method's default; an expired one is refused.

Outgoing calls made while serving inherit what is left (`mesh.context.time_remaining`).
"""

from __future__ import annotations

import grpc

from mesh.errors import MESH_DOMAIN, DomainError
from mesh.interceptors.base import Call


class DeadlineExpired(DomainError):
    """The call's deadline had passed before it could start."""

    code = "DEADLINE_EXCEEDED"


def call_timeout(call: Call, context: grpc.aio.ServicerContext) -> tuple[float | None, bool]:
    """How long the call may run, and whether the mesh must enforce that itself.

    The caller's deadline wins (gRPC itself cancels the handler when it passes); a call that
    arrives without one gets the method's declared `default_deadline_ms` (or the mesh default),
    enforced by the mesh, so no handler runs unbounded. Infrastructure calls (health Watch,
    reflection streams) without a deadline run as long as asked: (None, False).
    Raises DeadlineExpired when the caller's deadline had already passed.
    """
    remaining = context.time_remaining()
    if remaining is not None:
        if remaining <= 0:
            raise DeadlineExpired(
                f"{call.method}: the deadline had passed when the call arrived",
                reason="DEADLINE_EXPIRED_ON_ARRIVAL",
                domain=MESH_DOMAIN,
            )
        return remaining, False
    if call.contract is None:
        return None, False
    return call.contract.default_deadline_s, True
