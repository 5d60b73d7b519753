"""The actor a call acts for: built from the verified principal, with one set of role rules."""

from __future__ import annotations

import jwt
import pytest

from mesh.actor import Actor, current_actor, current_user
from mesh.context import Principal, User, principal_var
from mesh.errors import PermissionDenied, Unauthenticated

ADMIN = Actor("staff-1", frozenset({"admin"}), service="edge")
SUPPORT = Actor("staff-2", frozenset({"support"}), service="edge")
MEMBER = Actor("ada", frozenset({"user"}), service="edge")
SERVICE = Actor(service="payments")


def test_the_actor_is_the_principal_the_interceptor_verified() -> None:
    token = jwt.encode(
        {"sub": "ada", "sid": "session-7"},
        "a test key of at least thirty-two bytes",
        algorithm="HS256",
    )
    user = User("ada", frozenset({"user"}), token=token)
    reset = principal_var.set(Principal(service="edge", user=user))
    try:
        actor = current_actor()
    finally:
        principal_var.reset(reset)
    assert (actor.user_id, actor.roles, actor.service) == ("ada", frozenset({"user"}), "edge")
    assert actor.session_id == "session-7"


def test_a_service_calling_on_its_own_behalf_has_no_user_and_no_roles() -> None:
    reset = principal_var.set(Principal(service="payments"))
    try:
        actor = current_actor()
    finally:
        principal_var.reset(reset)
    assert actor == SERVICE
    assert not actor.is_user and actor.subject == "payments" and actor.session_id == ""


def test_a_method_for_end_users_refuses_a_call_without_one() -> None:
    reset = principal_var.set(Principal(service="payments"))
    try:
        with pytest.raises(Unauthenticated) as caught:
            current_user()
    finally:
        principal_var.reset(reset)
    assert caught.value.reason == "USER_TOKEN_MISSING"


@pytest.mark.parametrize(
    ("actor", "staff", "admin"),
    [(ADMIN, True, True), (SUPPORT, True, False), (MEMBER, False, False), (SERVICE, False, False)],
    ids=["admin", "support", "member", "service"],
)
def test_staff_are_admins_and_support_and_admin_is_a_role_of_its_own(
    actor: Actor, staff: bool, admin: bool
) -> None:
    assert (actor.is_staff, actor.is_admin) == (staff, admin)


def test_roles_count_only_for_an_end_user() -> None:
    # Roles come from a user's token: an actor without a user holds none, whatever it carries.
    assert not Actor(roles=frozenset({"admin"}), service="users").has_role("admin")
    assert MEMBER.has_role("user") and MEMBER.has_any_role({"user", "auditor"})


def test_users_may_access_their_own_resources_and_staff_anyones() -> None:
    assert MEMBER.may_access("ada") and not MEMBER.may_access("bob")
    assert SUPPORT.may_access("bob")
    assert not SERVICE.may_access("")


def test_the_subject_recorded_is_the_user_else_the_service() -> None:
    assert MEMBER.subject == "ada"
    assert SERVICE.subject == "payments"


def test_staff_only_actions_name_what_needed_the_role() -> None:
    assert SUPPORT.require_staff("reviewing KYC") == "staff-2"
    for actor in (MEMBER, SERVICE):
        with pytest.raises(PermissionDenied) as caught:
            actor.require_staff("reviewing KYC")
        assert caught.value.reason == "ROLE_REQUIRED"
        assert "reviewing KYC requires one of the roles admin, support" in caught.value.message
