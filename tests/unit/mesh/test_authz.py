"""The access policy's refusals say who was refused, why, and what would be admitted."""

from __future__ import annotations

import pytest

from mesh.authz import authorize
from mesh.context import Principal, User
from mesh.contracts import Access
from mesh.errors import PermissionDenied, Unauthenticated

METHOD = "/meshwork.users.v1.UsersService/GetUser"


def refusal(principal: Principal, access: Access) -> PermissionDenied | Unauthenticated:
    with pytest.raises((PermissionDenied, Unauthenticated)) as caught:
        authorize(principal, access, method=METHOD)
    return caught.value


def test_a_service_not_listed_for_user_methods_is_told_to_pass_a_user_token() -> None:
    access = Access(services=frozenset({"notifications", "jobs"}))
    error = refusal(Principal(service="cli"), access)
    assert isinstance(error, PermissionDenied)
    assert error.reason == "CALLER_NOT_ALLOWED"
    assert error.metadata == {"caller": "cli"}
    assert error.message == (
        f"service 'cli' may not call {METHOD} on its own behalf (allowed: jobs, notifications);"
        " to act for an end user, pass their access token in the 'x-user-authorization'"
        " metadata (Bearer <access token>)"
    )
    authorize(Principal(service="cli", user=User("user-1")), access, method=METHOD)


def test_an_internal_method_names_only_the_services_it_admits() -> None:
    access = Access(services=frozenset({"jobs"}), internal=True)
    error = refusal(Principal(service="cli", user=User("user-1")), access)
    assert error.message == f"service 'cli' may not call {METHOD} (allowed: jobs)"


def test_a_missing_role_is_named_with_the_roles_that_would_do() -> None:
    access = Access(roles=frozenset({"support", "admin"}))
    error = refusal(Principal(service="edge", user=User("user-1", frozenset({"member"}))), access)
    assert isinstance(error, PermissionDenied)
    assert (error.reason, error.metadata) == ("ROLE_REQUIRED", {"required_roles": "admin,support"})
    assert error.message == f"{METHOD} requires one of the roles admin, support"


def test_a_call_without_a_service_token_is_unauthenticated() -> None:
    error = refusal(Principal(user=User("user-1")), Access())
    assert isinstance(error, Unauthenticated)
    assert error.reason == "SERVICE_TOKEN_MISSING"
