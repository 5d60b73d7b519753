"""Domain errors: raised by domain and handler code, mapped once to gRPC status by the mesh.

This module imports nothing from gRPC, so domain code may raise these freely.

    DomainError                      (FAILED_PRECONDITION unless a subclass says otherwise)
    ├── InvalidArgument              a request field is wrong; carries FieldViolations
    ├── NotFound                     no such resource (or the caller may not learn it exists)
    ├── AlreadyExists                a unique resource would be duplicated
    ├── FailedPrecondition           the system is not in a state that allows the call
    ├── Aborted                      a concurrency conflict; retry the whole operation
    ├── Unauthenticated              no valid credentials
    ├── PermissionDenied             credentials valid, but not allowed
    ├── ResourceExhausted            a quota or rate limit was hit; may carry retry_after_s
    └── Unavailable                  a dependency is down; safe to retry later

Each error carries a `reason` (UPPER_SNAKE, listed in the owning service's `ErrorReason` enum)
and a `domain` (`<service>.meshwork`), which reach the client as a `google.rpc.ErrorInfo`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import ClassVar

#: ErrorInfo domain of errors raised by the runtime itself (authentication, deadlines).
MESH_DOMAIN = "mesh.meshwork"

_REASON = re.compile(r"^[A-Z][A-Z0-9_]{0,62}[A-Z0-9]$")


@dataclass(frozen=True, slots=True)
class FieldViolation:
    """One bad request field: `field` is its path (`user.email`), `description` what is wrong."""

    field: str
    description: str


class DomainError(Exception):
    """Base of every error a service reports on purpose."""

    #: Canonical gRPC status code name the error maps to.
    code: ClassVar[str] = "FAILED_PRECONDITION"

    def __init__(
        self,
        message: str,
        *,
        reason: str,
        domain: str,
        metadata: Mapping[str, str] | None = None,
    ) -> None:
        if not _REASON.match(reason):
            raise ValueError(f"error reason must be UPPER_SNAKE_CASE, got {reason!r}")
        super().__init__(message)
        self.message = message
        self.reason = reason
        self.domain = domain
        self.metadata: dict[str, str] = dict(metadata or {})

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.message!r}, reason={self.reason!r})"


class InvalidArgument(DomainError):
    """The request is malformed; `violations` names each bad field."""

    code = "INVALID_ARGUMENT"

    def __init__(
        self,
        message: str,
        *,
        reason: str,
        domain: str,
        violations: Sequence[FieldViolation] = (),
        metadata: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(message, reason=reason, domain=domain, metadata=metadata)
        self.violations = tuple(violations)


class NotFound(DomainError):
    """The resource does not exist, or the caller may not learn that it does."""

    code = "NOT_FOUND"


class AlreadyExists(DomainError):
    """Creating the resource would duplicate a unique one."""

    code = "ALREADY_EXISTS"


class FailedPrecondition(DomainError):
    """The resource is not in a state that allows the operation."""

    code = "FAILED_PRECONDITION"


class Aborted(DomainError):
    """A concurrent change conflicted with this one; retry the whole operation."""

    code = "ABORTED"


class Unauthenticated(DomainError):
    """The call carries no valid credentials."""

    code = "UNAUTHENTICATED"


class PermissionDenied(DomainError):
    """The caller is known but not allowed to do this."""

    code = "PERMISSION_DENIED"


def role_required(what: str, roles: Iterable[str]) -> PermissionDenied:
    """ROLE_REQUIRED: `what` ("reviewing KYC") needs one of `roles`, which the caller lacks."""
    named = sorted(roles)
    return PermissionDenied(
        f"{what} requires one of the roles {', '.join(named)}",
        reason="ROLE_REQUIRED",
        domain=MESH_DOMAIN,
        metadata={"required_roles": ",".join(named)},
    )


class ResourceExhausted(DomainError):
    """A quota or rate limit was hit; `retry_after_s` says when to try again, if known."""

    code = "RESOURCE_EXHAUSTED"

    def __init__(
        self,
        message: str,
        *,
        reason: str,
        domain: str,
        retry_after_s: float | None = None,
        metadata: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(message, reason=reason, domain=domain, metadata=metadata)
        self.retry_after_s = retry_after_s


class Unavailable(DomainError):
    """A dependency is down; the same call may succeed later."""

    code = "UNAVAILABLE"
