"""What an operator may do, read from the contracts' access options (never a second list)."""

from __future__ import annotations

from collections.abc import Iterable

from google.protobuf import descriptor_pool

from mesh.actor import STAFF_ROLES
from mesh.contracts import method_contract

#: The RPCs behind the console's pages and buttons, by the name the templates use.
METHODS = {
    "list_users": "meshwork.users.v1.UsersService.ListUsers",
    "verify_kyc": "meshwork.users.v1.UsersService.VerifyKyc",
    "reject_kyc": "meshwork.users.v1.UsersService.RejectKyc",
    "list_sessions": "meshwork.identity.v1.IdentityService.ListSessions",
    "revoke_session": "meshwork.identity.v1.IdentityService.RevokeSession",
    "list_role_grants": "meshwork.admin.v1.AdminService.ListRoleGrants",
    "create_role_grant": "meshwork.admin.v1.AdminService.CreateRoleGrant",
    "delete_role_grant": "meshwork.admin.v1.AdminService.DeleteRoleGrant",
    "suspend_user": "meshwork.admin.v1.AdminService.SuspendUser",
    "unsuspend_user": "meshwork.admin.v1.AdminService.UnsuspendUser",
    "list_suspensions": "meshwork.admin.v1.AdminService.ListSuspensions",
    "list_payments": "meshwork.payments.v1.PaymentsService.ListPayments",
    "create_refund": "meshwork.payments.v1.PaymentsService.CreateRefund",
    "list_audit_entries": "meshwork.audit.v1.AuditService.ListAuditEntries",
    "verify_audit_chain": "meshwork.audit.v1.AuditService.VerifyAuditChain",
    "list_log_entries": "meshwork.audit.v1.AuditService.ListLogEntries",
    "list_jobs": "meshwork.jobs.v1.JobsService.ListJobs",
    "retry_job": "meshwork.jobs.v1.JobsService.RetryJob",
    "list_mailbox": "meshwork.notifications.v1.NotificationsService.ListMailboxMessages",
}


def is_staff(roles: Iterable[str]) -> bool:
    """Whether the roles let their holder into the console at all."""
    return not STAFF_ROLES.isdisjoint(roles)


def allowed_roles(full_name: str) -> frozenset[str] | None:
    """The roles a method's contract asks for (empty: any signed-in user), or None when the
    method is not in the contracts or is not for end users (internal, or services only)."""
    try:
        method = descriptor_pool.Default().FindMethodByName(full_name)
    except KeyError:
        return None
    access = method_contract(method).access
    if access.internal or (access.services and not access.roles):
        return None
    return access.roles


class Permissions:
    """One operator's abilities: `may("suspend_user")` when the contract lets their roles."""

    def __init__(self, roles: Iterable[str]) -> None:
        self.roles = frozenset(roles)
        self._cache: dict[str, bool] = {}

    def may(self, action: str) -> bool:
        if action not in self._cache:
            roles = allowed_roles(METHODS[action])
            self._cache[action] = roles is not None and (not roles or bool(roles & self.roles))
        return self._cache[action]

    def needed_for(self, action: str) -> str:
        """The roles an action needs, for the page that turns an operator away."""
        roles = allowed_roles(METHODS[action])
        if roles is None:
            return "a method that is not part of the API yet"
        return " or ".join(sorted(roles)) if roles else "a signed-in user"
