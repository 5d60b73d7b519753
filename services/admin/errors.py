"""The errors the admin service reports (reasons from its contract's ErrorReason)."""

from __future__ import annotations

from mesh.errors import AlreadyExists, FailedPrecondition, NotFound, Unavailable

#: ErrorInfo domain of every error this service reports.
DOMAIN = "admin.meshwork"


def user_not_found(user_id: str) -> NotFound:
    return NotFound(f"no user has id {user_id!r}", reason="USER_NOT_FOUND", domain=DOMAIN)


def role_not_found(role_id: str, known: list[str]) -> NotFound:
    return NotFound(
        f"no role has id {role_id!r}; the roles are {', '.join(known)} (ListRoles)",
        reason="ROLE_NOT_FOUND",
        domain=DOMAIN,
        metadata={"role_id": role_id},
    )


def role_grant_not_found(grant_id: str) -> NotFound:
    return NotFound(
        f"no role grant has id {grant_id!r}", reason="ROLE_GRANT_NOT_FOUND", domain=DOMAIN
    )


def role_already_granted(user_id: str, role_id: str, grant_id: str) -> AlreadyExists:
    return AlreadyExists(
        f"user {user_id!r} already holds role {role_id!r} (grant {grant_id!r})",
        reason="ROLE_ALREADY_GRANTED",
        domain=DOMAIN,
        metadata={"role_grant_id": grant_id},
    )


def last_admin(what: str) -> FailedPrecondition:
    return FailedPrecondition(
        f"{what} would leave the platform without an active administrator; "
        'grant the "admin" role to someone else first',
        reason="LAST_ADMIN",
        domain=DOMAIN,
    )


def suspension_not_found(suspension_id: str) -> NotFound:
    return NotFound(
        f"no suspension has id {suspension_id!r}", reason="SUSPENSION_NOT_FOUND", domain=DOMAIN
    )


def user_already_suspended(user_id: str, suspension_id: str) -> AlreadyExists:
    return AlreadyExists(
        f"user {user_id!r} is already suspended (suspension {suspension_id!r})",
        reason="USER_ALREADY_SUSPENDED",
        domain=DOMAIN,
        metadata={"suspension_id": suspension_id},
    )


def user_not_suspended(user_id: str) -> FailedPrecondition:
    return FailedPrecondition(
        f"user {user_id!r} is not suspended", reason="USER_NOT_SUSPENDED", domain=DOMAIN
    )


def cannot_suspend_self() -> FailedPrecondition:
    return FailedPrecondition(
        "staff cannot suspend themselves; ask another administrator",
        reason="CANNOT_SUSPEND_SELF",
        domain=DOMAIN,
    )


def cannot_demote_self() -> FailedPrecondition:
    return FailedPrecondition(
        "staff cannot revoke their own roles; ask another administrator",
        reason="CANNOT_DEMOTE_SELF",
        domain=DOMAIN,
    )


def admin_action_not_found(action_id: str) -> NotFound:
    return NotFound(
        f"no admin action has id {action_id!r}", reason="ADMIN_ACTION_NOT_FOUND", domain=DOMAIN
    )


def dependency_unavailable(service: str, detail: str) -> Unavailable:
    return Unavailable(
        f"the {service} service did not answer ({detail}); nothing was changed, retry with backoff",
        reason="DEPENDENCY_UNAVAILABLE",
        domain=DOMAIN,
        metadata={"service": service},
    )
