"""Collects bad request fields and raises one INVALID_ARGUMENT naming them all (pure)."""

from __future__ import annotations

from typing import NoReturn

from mesh.validation import Violations
from services.notifications.errors import DOMAIN


class Checks(Violations):
    """mesh's `Violations` in the notifications domain: a request whose only problem is its
    page token fails with INVALID_PAGE_TOKEN; one with several kinds of problem fails with
    VALIDATION_FAILED. Either way the BadRequest detail names every bad field.
    """

    def __init__(self) -> None:
        super().__init__(domain=DOMAIN)

    def fail(self) -> NoReturn:
        """Raises the violations recorded so far (there must be some)."""
        self.raise_if_any()
        raise RuntimeError("fail() called with no violation recorded")
