"""The admin service's rules: grants, revocations, suspensions, the bootstrap administrator."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from mesh.errors import AlreadyExists, FailedPrecondition, NotFound
from services.admin import domain
from services.admin.domain import RoleGrant, Suspension

NOW = datetime(2026, 12, 7, 12, 0, tzinfo=UTC)


def grant(user_id: str = "alice", role_id: str = "admin") -> RoleGrant:
    return RoleGrant("g1", user_id, role_id, "why", "admin-1", NOW)


class TestGrants:
    def test_an_unknown_role_is_refused_naming_the_roles(self) -> None:
        with pytest.raises(NotFound) as caught:
            domain.grant_role("alice", "root", "why", by="admin-1", held=[], now=NOW)
        assert caught.value.reason == "ROLE_NOT_FOUND"
        assert "admin, support" in caught.value.message

    def test_a_role_held_already_is_refused_and_a_revoked_one_may_be_granted_again(self) -> None:
        held = grant(role_id="support")
        with pytest.raises(AlreadyExists) as caught:
            domain.grant_role("alice", "support", "why", by="admin-1", held=[held], now=NOW)
        assert caught.value.reason == "ROLE_ALREADY_GRANTED"
        held.revoke(by="admin-1", reason="gone", now=NOW)
        again = domain.grant_role("alice", "support", "back", by="admin-1", held=[held], now=NOW)
        assert (again.role_id, again.granted_by, again.active) == ("support", "admin-1", True)

    def test_staff_cannot_revoke_their_own_grants(self) -> None:
        with pytest.raises(FailedPrecondition) as caught:
            domain.ensure_may_revoke(grant("admin-1"), actor_id="admin-1", other_admins=3)
        assert caught.value.reason == "CANNOT_DEMOTE_SELF"

    def test_the_last_admin_keeps_the_role_but_support_may_go(self) -> None:
        with pytest.raises(FailedPrecondition) as caught:
            domain.ensure_may_revoke(grant("alice"), actor_id="admin-1", other_admins=0)
        assert caught.value.reason == "LAST_ADMIN"
        domain.ensure_may_revoke(grant("alice", "support"), actor_id="admin-1", other_admins=0)
        domain.ensure_may_revoke(grant("alice"), actor_id="admin-1", other_admins=1)


class TestSuspensions:
    def suspend(self, user_id: str = "alice", **overrides: object) -> Suspension:
        values: dict = {"by": "admin-1", "active": None, "is_admin": False, "other_admins": 1}
        return domain.suspend(user_id, "fraud", now=NOW, **(values | overrides))

    def test_a_suspension_starts_active_with_who_and_why(self) -> None:
        made = self.suspend()
        assert (made.state, made.suspended_by, made.reason) == ("ACTIVE", "admin-1", "fraud")

    @pytest.mark.parametrize(
        ("user_id", "overrides", "reason"),
        [
            ("admin-1", {}, "CANNOT_SUSPEND_SELF"),
            ("alice", {"is_admin": True, "other_admins": 0}, "LAST_ADMIN"),
        ],
    )
    def test_refused_suspensions(self, user_id: str, overrides: dict, reason: str) -> None:
        with pytest.raises(FailedPrecondition) as caught:
            self.suspend(user_id, **overrides)
        assert caught.value.reason == reason

    def test_a_suspended_user_cannot_be_suspended_again(self) -> None:
        with pytest.raises(AlreadyExists) as caught:
            self.suspend(active=self.suspend())
        assert caught.value.reason == "USER_ALREADY_SUSPENDED"

    def test_lifting_needs_an_active_suspension_and_records_who_and_why(self) -> None:
        with pytest.raises(FailedPrecondition) as caught:
            domain.lift(None, "alice", by="admin-1", reason="ok", now=NOW)
        assert caught.value.reason == "USER_NOT_SUSPENDED"
        lifted = domain.lift(self.suspend(), "alice", by="admin-2", reason="ok", now=NOW)
        assert (lifted.state, lifted.lifted_by, lifted.lift_reason) == ("LIFTED", "admin-2", "ok")


class TestAccess:
    def test_roles_are_the_active_grants_and_the_suspension_is_reported(self) -> None:
        revoked = grant(role_id="support")
        revoked.revoke(by="admin-1", reason="r", now=NOW)
        access = domain.access_of("alice", [grant(), revoked], None)
        assert (access.roles, access.suspended) == (("admin",), False)
        suspension = Suspension("s1", "alice", "fraud", "admin-1", NOW)
        assert domain.access_of("alice", [], suspension).suspension_id == "s1"

    @pytest.mark.parametrize(
        ("email", "ever_admin", "granted"),
        [
            ("Root@Example.com", False, True),
            ("root@example.com", True, False),  # revoked once: never again
            ("someone@example.com", False, False),
            ("", False, False),
        ],
    )
    def test_the_bootstrap_address_gets_admin_once(
        self, email: str, ever_admin: bool, granted: bool
    ) -> None:
        wanted = domain.needs_bootstrap_grant(email, ["root@example.com"], ever_admin=ever_admin)
        assert wanted is granted
