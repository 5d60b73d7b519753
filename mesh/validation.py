"""Request validation that reports every bad field at once, as InvalidArgument + BadRequest."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import TypeVar

from email_validator import EmailNotValidError, validate_email

from mesh.errors import FieldViolation, InvalidArgument

#: Unicode's control characters (category Cc), and the same but tab, line feed and return.
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f]")
_CONTROL_BUT_LINE_BREAKS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")

T = TypeVar("T")


def text_violation(
    value: str, *, maximum: int, required: bool = False, multiline: bool = False
) -> str | None:
    """What is wrong with `value` (already stripped) as text, or None: empty when `required`,
    longer than `maximum` characters, or holding control characters (tabs and line breaks
    are allowed when `multiline`)."""
    if required and not value:
        return "is required"
    if len(value) > maximum:
        return f"must be at most {maximum} characters (got {len(value)})"
    if (_CONTROL_BUT_LINE_BREAKS if multiline else _CONTROL).search(value):
        return "must not contain control characters"
    return None


VALIDATION_FAILED = "VALIDATION_FAILED"


class Violations:
    """Collects field violations; `raise_if_any` raises one InvalidArgument naming them all.

    violations = Violations(domain="users.meshwork")
    email = violations.email("email", request.email)
    violations.length("display_name", request.display_name, maximum=100)
    violations.raise_if_any()

    A violation may carry the ErrorReason it implies on its own (say INVALID_PHONE_NUMBER):
    when every violation found carries the same one, the error has that reason (and the
    metadata they gave); otherwise it has the general `reason`. Either way the BadRequest
    detail names every bad field. Services subclass this with their domain and checks.
    """

    def __init__(self, *, domain: str, reason: str = VALIDATION_FAILED) -> None:
        self._domain = domain
        self._reason = reason
        self._found: list[FieldViolation] = []
        self._reasons: set[str] = set()
        self._metadata: dict[str, str] = {}

    def add(
        self,
        field: str,
        description: str,
        *,
        reason: str | None = None,
        metadata: Mapping[str, str] | None = None,
    ) -> None:
        """Records that `field` is wrong, and how (and the reason and metadata that implies)."""
        self._found.append(FieldViolation(field, description))
        self._reasons.add(reason or self._reason)
        self._metadata.update(metadata or {})

    @property
    def ok(self) -> bool:
        """Whether nothing was found wrong so far."""
        return not self._found

    def required(self, field: str, value: str) -> str:
        """The value stripped of surrounding space; a violation when that leaves nothing."""
        value = value.strip()
        if not value:
            self.add(field, "is required")
        return value

    def length(self, field: str, value: str, *, minimum: int = 0, maximum: int) -> str:
        """Checks the length in characters (after stripping surrounding space)."""
        value = value.strip()
        if len(value) < minimum:
            self.add(field, f"must be at least {minimum} characters (got {len(value)})")
        elif len(value) > maximum:
            self.add(field, f"must be at most {maximum} characters (got {len(value)})")
        return value

    def text(
        self,
        field: str,
        value: str,
        *,
        maximum: int,
        required: bool = False,
        multiline: bool = False,
    ) -> str:
        """Text stripped of surrounding space; a violation when `text_violation` finds one."""
        value = value.strip()
        problem = text_violation(value, maximum=maximum, required=required, multiline=multiline)
        if problem is not None:
            self.add(field, problem)
        return value

    def email(self, field: str, value: str) -> str:
        """The normalized address (lower-cased domain, Unicode NFC); a violation when invalid."""
        if not value.strip():
            self.add(field, "is required")
            return ""
        if len(value) > 254:
            self.add(field, "must be at most 254 characters")
            return value
        try:
            return validate_email(value.strip(), check_deliverability=False).normalized
        except EmailNotValidError as error:
            self.add(field, f"is not a valid email address: {error}")
            return value

    def valid(self, value: T | None) -> T:
        """`value` once every check passed (raises InvalidArgument otherwise); a check that
        passed must have produced it."""
        self.raise_if_any()
        if value is None:
            raise RuntimeError("validation passed but produced no value")
        return value

    def raise_if_any(self, message: str = "the request has invalid fields") -> None:
        """Raises InvalidArgument listing every violation, if there are any."""
        if self._found:
            fields = ", ".join(dict.fromkeys(v.field for v in self._found))
            reason = next(iter(self._reasons)) if len(self._reasons) == 1 else self._reason
            raise InvalidArgument(
                f"{message}: {fields}",
                reason=reason,
                domain=self._domain,
                violations=list(self._found),
                metadata=self._metadata if reason != self._reason else None,
            )
