"""The use cases over an in-memory SQLite unit of work: state, events, actions, refusals."""

from __future__ import annotations

import pytest

from mesh.actor import Actor
from mesh.errors import (
    AlreadyExists,
    FailedPrecondition,
    InvalidArgument,
    NotFound,
    PermissionDenied,
    Unavailable,
)
from meshwork.admin.v1 import events_pb2
from services.admin import commands, handlers
from services.admin.domain import AdminActionType
from services.admin.handlers import Deps
from tests.unit.admin.conftest import BOOTSTRAP_EMAIL, FakeDirectory, Outbox

ADMIN = Actor("admin-1", frozenset({"user", "admin"}))
TRACED = commands.Traced(request_id="req-1", trace_id="0af7651916cd43dd8448eb211c80319c")


async def make_admin(deps: Deps, user_id: str = "admin-1") -> None:
    """The first administrator, as the bootstrap setting makes one."""
    await handlers.get_user_access(commands.GetUserAccess(user_id, BOOTSTRAP_EMAIL), deps)


async def actions(deps: Deps, **filters: str) -> list:
    page = await handlers.list_admin_actions(commands.ListAdminActions(**filters), deps)
    return page.items


class TestRoleGrants:
    async def test_granting_records_the_grant_the_action_and_role_granted(
        self, deps: Deps, outbox: Outbox
    ) -> None:
        command = commands.CreateRoleGrant("bob", "support", "ticket 42", ADMIN, TRACED)
        grant = await handlers.create_role_grant(command, deps)
        assert await handlers.get_role_grant(commands.GetRoleGrant(grant.id), deps) == grant
        [action] = await actions(deps)
        assert (action.type, action.actor_id, action.target_user_id) == (
            AdminActionType.GRANT_ROLE,
            "admin-1",
            "bob",
        )
        assert (action.resource_id, action.role_id, action.reason) == (
            grant.id,
            "support",
            "ticket 42",
        )
        assert (action.request_id, action.trace_id) == (TRACED.request_id, TRACED.trace_id)
        [event] = await outbox.events()
        assert event == events_pb2.RoleGranted(
            role_grant_id=grant.id,
            user_id="bob",
            role_id="support",
            granted_by="admin-1",
            reason="ticket 42",
        )

    async def test_bad_input_names_every_field_and_changes_nothing(
        self, deps: Deps, outbox: Outbox
    ) -> None:
        command = commands.CreateRoleGrant("", "", "  ", ADMIN)
        with pytest.raises(InvalidArgument) as caught:
            await handlers.create_role_grant(command, deps)
        fields = {v.field for v in caught.value.violations}
        assert fields == {"role_grant.user_id", "role_grant.role_id", "role_grant.reason"}
        assert await outbox.events() == [] and await actions(deps) == []

    async def test_unknown_users_and_roles_are_not_found(self, deps: Deps) -> None:
        for user_id, role_id, reason in (
            ("nobody", "support", "USER_NOT_FOUND"),
            ("bob", "root", "ROLE_NOT_FOUND"),
        ):
            with pytest.raises(NotFound) as caught:
                await handlers.create_role_grant(
                    commands.CreateRoleGrant(user_id, role_id, "why", ADMIN), deps
                )
            assert caught.value.reason == reason

    async def test_a_role_is_granted_once(self, deps: Deps) -> None:
        command = commands.CreateRoleGrant("bob", "support", "why", ADMIN)
        await handlers.create_role_grant(command, deps)
        with pytest.raises(AlreadyExists) as caught:
            await handlers.create_role_grant(command, deps)
        assert caught.value.reason == "ROLE_ALREADY_GRANTED"

    async def test_plain_users_cannot_act_as_staff(self, deps: Deps) -> None:
        with pytest.raises(PermissionDenied):
            await handlers.create_role_grant(
                commands.CreateRoleGrant(
                    "bob", "support", "why", Actor("alice", frozenset({"user"}))
                ),
                deps,
            )

    async def test_the_last_admin_cannot_be_demoted_until_there_is_another(
        self, deps: Deps, outbox: Outbox
    ) -> None:
        await make_admin(deps, "admin-2")
        [grant] = (
            await handlers.list_role_grants(commands.ListRoleGrants(user_id="admin-2"), deps)
        ).items
        revoke = commands.DeleteRoleGrant(grant.id, "leaving", ADMIN)
        with pytest.raises(FailedPrecondition) as caught:
            await handlers.delete_role_grant(revoke, deps)
        assert caught.value.reason == "LAST_ADMIN"
        await make_admin(deps, "admin-1")
        await handlers.delete_role_grant(revoke, deps)
        with pytest.raises(NotFound):
            await handlers.get_role_grant(commands.GetRoleGrant(grant.id), deps)
        assert isinstance((await outbox.events())[-1], events_pb2.RoleRevoked)
        mine = (
            await handlers.list_role_grants(commands.ListRoleGrants(user_id="admin-1"), deps)
        ).items
        with pytest.raises(FailedPrecondition) as self_demotion:
            await handlers.delete_role_grant(commands.DeleteRoleGrant(mine[0].id, "x", ADMIN), deps)
        assert self_demotion.value.reason == "CANNOT_DEMOTE_SELF"


class TestSuspensions:
    async def test_suspending_ends_sessions_records_and_publishes(
        self, deps: Deps, directory: FakeDirectory, outbox: Outbox
    ) -> None:
        suspension = await handlers.suspend_user(
            commands.SuspendUser("alice", "fraud", ADMIN, TRACED), deps
        )
        assert directory.revoked == ["alice"]
        [event] = await outbox.events()
        assert event == events_pb2.UserSuspended(
            suspension_id=suspension.id, user_id="alice", suspended_by="admin-1", reason="fraud"
        )
        access = await handlers.get_user_access(commands.GetUserAccess("alice"), deps)
        assert access.suspension_id == suspension.id
        with pytest.raises(AlreadyExists):
            await handlers.suspend_user(commands.SuspendUser("alice", "again", ADMIN), deps)

    async def test_identity_down_changes_nothing(
        self, deps: Deps, directory: FakeDirectory, outbox: Outbox
    ) -> None:
        directory.down = "identity"
        with pytest.raises(Unavailable) as caught:
            await handlers.suspend_user(commands.SuspendUser("alice", "fraud", ADMIN), deps)
        assert (caught.value.reason, caught.value.metadata["service"]) == (
            "DEPENDENCY_UNAVAILABLE",
            "identity",
        )
        assert await outbox.events() == [] and await actions(deps) == []
        assert not (await handlers.get_user_access(commands.GetUserAccess("alice"), deps)).suspended

    async def test_staff_cannot_suspend_themselves_even_as_me(self, deps: Deps) -> None:
        for user_id in ("admin-1", "me"):
            with pytest.raises(FailedPrecondition) as caught:
                await handlers.suspend_user(commands.SuspendUser(user_id, "x", ADMIN), deps)
            assert caught.value.reason == "CANNOT_SUSPEND_SELF"

    async def test_the_last_admin_cannot_be_suspended(self, deps: Deps) -> None:
        await make_admin(deps, "admin-2")
        with pytest.raises(FailedPrecondition) as caught:
            await handlers.suspend_user(commands.SuspendUser("admin-2", "x", ADMIN), deps)
        assert caught.value.reason == "LAST_ADMIN"

    async def test_unsuspending_lifts_and_the_revocation_remembers_when(
        self, deps: Deps, outbox: Outbox
    ) -> None:
        with pytest.raises(FailedPrecondition):
            await handlers.unsuspend_user(commands.UnsuspendUser("alice", "ok", ADMIN), deps)
        made = await handlers.suspend_user(commands.SuspendUser("alice", "fraud", ADMIN), deps)
        lifted = await handlers.unsuspend_user(commands.UnsuspendUser("alice", "ok", ADMIN), deps)
        assert (lifted.id, lifted.state, lifted.lift_reason) == (made.id, "LIFTED", "ok")
        assert isinstance((await outbox.events())[-1], events_pb2.UserUnsuspended)
        async with deps.unit_of_work() as uow:
            revocation = await handlers.revocation_of(uow, "alice")
        assert revocation is not None and not revocation.suspended
        assert revocation.revoked_at == made.create_time.timestamp()
        listed = await handlers.list_suspensions(commands.ListSuspensions(state="LIFTED"), deps)
        assert [s.id for s in listed.items] == [made.id]
        kinds = [a.type for a in await actions(deps, target_user_id="alice")]
        assert kinds == [AdminActionType.UNSUSPEND_USER, AdminActionType.SUSPEND_USER]


class TestUserAccess:
    async def test_the_bootstrap_address_becomes_admin_once(self, deps: Deps) -> None:
        first = await handlers.get_user_access(
            commands.GetUserAccess("root", BOOTSTRAP_EMAIL), deps
        )
        again = await handlers.get_user_access(
            commands.GetUserAccess("root", BOOTSTRAP_EMAIL), deps
        )
        assert first.roles == again.roles == ("admin",)
        grants = await handlers.list_role_grants(commands.ListRoleGrants(user_id="root"), deps)
        assert [g.granted_by for g in grants.items] == ["admin-bootstrap"]

    async def test_unknown_users_have_no_roles_and_no_suspension(self, deps: Deps) -> None:
        access = await handlers.get_user_access(
            commands.GetUserAccess("stranger", "x@example.com"), deps
        )
        assert (access.roles, access.suspended) == ((), False)

    async def test_paging_is_bound_to_its_filters(self, deps: Deps) -> None:
        for user in ("alice", "bob"):
            await handlers.create_role_grant(
                commands.CreateRoleGrant(user, "support", "w", ADMIN), deps
            )
        first = await handlers.list_role_grants(commands.ListRoleGrants(page_size=1), deps)
        second = await handlers.list_role_grants(
            commands.ListRoleGrants(page_size=1, page_token=first.next_page_token), deps
        )
        assert {first.items[0].user_id, second.items[0].user_id} == {"alice", "bob"}
        with pytest.raises(InvalidArgument) as caught:
            await handlers.list_role_grants(
                commands.ListRoleGrants(page_token=first.next_page_token, user_id="bob"), deps
            )
        assert caught.value.reason == "INVALID_PAGE_TOKEN"
