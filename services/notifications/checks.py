"""Collects bad request fields and raises one INVALID_ARGUMENT naming them all (pure)."""

from __future__ import annotations

from typing import NoReturn, TypeVar

from mesh.errors import InvalidArgument
from mesh.validation import Violations
from services.notifications.errors import DOMAIN

VALIDATION_FAILED = "VALIDATION_FAILED"
T = TypeVar("T")


class Checks:
    """mesh's `Violations`, reported with a specific ErrorReason when only one kind failed.

    A request whose only problem is its page token fails with INVALID_PAGE_TOKEN; one with
    several kinds of problem fails with VALIDATION_FAILED. Either way the BadRequest detail
    names every bad field.
    """

    def __init__(self) -> None:
        self.violations = Violations(domain=DOMAIN)
        self._reasons: dict[str, str] = {}

    def add(self, field: str, description: str, *, reason: str = VALIDATION_FAILED) -> None:
        self.violations.add(field, description)
        if reason != VALIDATION_FAILED:
            self._reasons[field] = reason

    def text(self, field: str, value: str, *, maximum: int, required: bool = False) -> str:
        """One line of text, stripped: bounded and free of control characters."""
        return self.violations.text(field, value, maximum=maximum, required=required)

    def raise_if_any(self) -> None:
        try:
            self.violations.raise_if_any()
        except InvalidArgument as error:
            reasons = {self._reasons.get(v.field, VALIDATION_FAILED) for v in error.violations}
            if len(reasons) != 1 or reasons == {VALIDATION_FAILED}:
                raise
            raise InvalidArgument(
                error.message, reason=reasons.pop(), domain=DOMAIN, violations=error.violations
            ) from None

    def fail(self) -> NoReturn:
        """Raises the violations recorded so far (there must be some)."""
        self.raise_if_any()
        raise RuntimeError("fail() called with no violation recorded")

    def valid(self, value: T) -> T:
        """`value`, once every check passed."""
        self.raise_if_any()
        return value
