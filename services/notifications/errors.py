"""The errors the notifications service reports, with their ErrorReason (see errors.proto)."""

from __future__ import annotations

from collections.abc import Iterable

from mesh.errors import (
    AlreadyExists,
    FailedPrecondition,
    FieldViolation,
    InvalidArgument,
    NotFound,
    Unavailable,
)

#: ErrorInfo domain of every error this service reports.
DOMAIN = "notifications.meshwork"


def message_not_found(message_id: str) -> NotFound:
    return NotFound(
        f"no message {message_id!r} of yours", reason="MESSAGE_NOT_FOUND", domain=DOMAIN
    )


def template_not_found(template_id: str) -> NotFound:
    return NotFound(
        f"no template has id {template_id!r}; ListTemplates shows the ones that exist",
        reason="TEMPLATE_NOT_FOUND",
        domain=DOMAIN,
    )


def template_already_exists(template_id: str) -> AlreadyExists:
    return AlreadyExists(
        f"a template with id {template_id!r} exists; choose another id or update it",
        reason="TEMPLATE_ALREADY_EXISTS",
        domain=DOMAIN,
    )


def template_built_in(template_id: str) -> FailedPrecondition:
    return FailedPrecondition(
        f"template {template_id!r} is built in (the platform's own notifications use it) "
        "and cannot be deleted; edit it with UpdateTemplate instead",
        reason="TEMPLATE_BUILT_IN",
        domain=DOMAIN,
    )


def template_invalid(violations: Iterable[FieldViolation]) -> InvalidArgument:
    found = list(violations)
    fields = ", ".join(v.field for v in found)
    return InvalidArgument(
        f"the template does not render: {fields}",
        reason="TEMPLATE_INVALID",
        domain=DOMAIN,
        violations=found,
    )


def variables_missing(template_id: str, names: Iterable[str]) -> InvalidArgument:
    missing = sorted(set(names))
    return InvalidArgument(
        f"template {template_id!r} needs variables that were not given: {', '.join(missing)}",
        reason="TEMPLATE_VARIABLES_MISSING",
        domain=DOMAIN,
        violations=[FieldViolation(f"variables[{name}]", "is required") for name in missing],
        metadata={"missing": ",".join(missing)},
    )


def channel_not_supported(template_id: str, channels: Iterable[str]) -> FailedPrecondition:
    return FailedPrecondition(
        f"template {template_id!r} has no content for {', '.join(sorted(channels))}; "
        "ask for a channel it has content for, or add content with UpdateTemplate",
        reason="CHANNEL_NOT_SUPPORTED",
        domain=DOMAIN,
    )


def user_not_found(user_id: str) -> NotFound:
    return NotFound(f"no user has id {user_id!r}", reason="USER_NOT_FOUND", domain=DOMAIN)


def dependency_unavailable(service: str, detail: str) -> Unavailable:
    return Unavailable(
        f"the {service} service did not answer ({detail}); nothing was queued, retry later",
        reason="DEPENDENCY_UNAVAILABLE",
        domain=DOMAIN,
        metadata={"service": service},
    )


def mailbox_disabled() -> FailedPrecondition:
    return FailedPrecondition(
        "the local mailbox transport is not configured; set NOTIFICATIONS_EMAIL_TRANSPORT="
        "mailbox or NOTIFICATIONS_SMS_TRANSPORT=mailbox (development and tests)",
        reason="MAILBOX_DISABLED",
        domain=DOMAIN,
    )
