"""Request values → domain values, naming every bad field at once (pure)."""

from __future__ import annotations

from collections.abc import Iterable

from mesh.validation import Violations
from services.jobs.domain import DOMAIN


class FieldChecks(Violations):
    """mesh's `Violations` in the jobs domain: a request whose only problem is, say, an
    unknown job type fails with UNKNOWN_JOB_TYPE (with its metadata); one with several kinds
    of problem fails with VALIDATION_FAILED. Either way the BadRequest detail names every bad
    field.
    """

    def __init__(self) -> None:
        super().__init__(domain=DOMAIN)


def update_mask(
    checks: FieldChecks, paths: Iterable[str], *, updatable: tuple[str, ...], read_only: set[str]
) -> frozenset[str]:
    """The updatable fields a mask names; each unknown or read-only path is a violation."""
    paths = list(dict.fromkeys(paths))
    if not paths:
        checks.add(
            "update_mask",
            f"is required: name the fields to change, any of {', '.join(updatable)}",
            reason="INVALID_UPDATE_MASK",
        )
    for path in paths:
        if path in read_only:
            checks.add("update_mask", f"{path!r} cannot be updated", reason="INVALID_UPDATE_MASK")
        elif path not in updatable:
            checks.add(
                "update_mask",
                f"{path!r} is not an updatable field; use any of {', '.join(updatable)}",
                reason="INVALID_UPDATE_MASK",
            )
    return frozenset(path for path in paths if path in updatable)
