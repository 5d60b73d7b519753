"""The admin service's use cases: one async function each, one unit of work each, by area."""

from services.admin.handlers.access import get_admin_action, get_user_access, list_admin_actions
from services.admin.handlers.common import Deps, Directory, Listed
from services.admin.handlers.roles import (
    create_role_grant,
    delete_role_grant,
    get_role_grant,
    list_role_grants,
    list_roles,
)
from services.admin.handlers.suspensions import (
    get_suspension,
    list_suspensions,
    revocation_of,
    suspend_user,
    unsuspend_user,
)

__all__ = [
    "Deps",
    "Directory",
    "Listed",
    "create_role_grant",
    "delete_role_grant",
    "get_admin_action",
    "get_role_grant",
    "get_suspension",
    "get_user_access",
    "list_admin_actions",
    "list_role_grants",
    "list_roles",
    "list_suspensions",
    "revocation_of",
    "suspend_user",
    "unsuspend_user",
]
