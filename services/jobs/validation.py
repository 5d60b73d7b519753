"""Request values → domain values, naming every bad field at once (pure)."""

from __future__ import annotations

from collections.abc import Iterable

from mesh.errors import FieldViolation, InvalidArgument
from mesh.validation import text_violation
from services.jobs.domain import DOMAIN

VALIDATION_FAILED = "VALIDATION_FAILED"


class FieldChecks:
    """Collects field violations; reports a specific ErrorReason when only one kind failed.

    A request whose only problem is, say, an unknown job type fails with UNKNOWN_JOB_TYPE; one
    with several kinds of problem fails with VALIDATION_FAILED. Either way the BadRequest
    detail names every bad field.
    """

    def __init__(self) -> None:
        self._found: list[tuple[FieldViolation, str]] = []
        self._metadata: dict[str, str] = {}

    def add(
        self,
        field: str,
        description: str,
        *,
        reason: str = VALIDATION_FAILED,
        metadata: dict[str, str] | None = None,
    ) -> None:
        self._found.append((FieldViolation(field, description), reason))
        self._metadata.update(metadata or {})

    @property
    def ok(self) -> bool:
        return not self._found

    def text(self, field: str, value: str, *, maximum: int, required: bool = False) -> str:
        """Text stripped of surrounding space: bounded and free of control characters."""
        value = value.strip()
        problem = text_violation(value, maximum=maximum, required=required)
        if problem is not None:
            self.add(field, problem)
        return value

    def raise_if_any(self) -> None:
        if not self._found:
            return
        violations = [violation for violation, _ in self._found]
        reasons = {reason for _, reason in self._found}
        reason = reasons.pop() if len(reasons) == 1 else VALIDATION_FAILED
        fields = ", ".join(dict.fromkeys(v.field for v in violations))
        raise InvalidArgument(
            f"the request has invalid fields: {fields}",
            reason=reason,
            domain=DOMAIN,
            violations=violations,
            metadata=self._metadata if reason != VALIDATION_FAILED else None,
        )


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
