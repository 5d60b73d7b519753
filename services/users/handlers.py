"""The users service's use cases: one async function each, one unit of work each."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from mesh.clock import utc_now
from mesh.db import UnitOfWork
from mesh.idempotency import mark_committed
from mesh.paging import next_token
from services.users import commands, kyc_validation, messages, validation
from services.users.domain import (
    User,
    email_already_registered,
    email_key,
    email_not_found,
    own,
    visible,
)
from services.users.repository import DuplicateUserError, UserRepository, UsersUnitOfWork

logger = logging.getLogger("meshwork.users")


@dataclass(frozen=True, slots=True)
class Deps:
    """What the use cases need, built once by bootstrap."""

    #: Opens a unit of work; takes `read_only` and `inline` (see `mesh.db.UnitOfWork`).
    unit_of_work: Callable[..., UsersUnitOfWork]
    clock: Callable[[], datetime] = utc_now

    def by_key(self) -> UsersUnitOfWork:
        """The unit of work of a read of one user by key (inline: see `mesh.db.UnitOfWork`)."""
        return self.unit_of_work(read_only=True, inline=True)


async def create_user(command: commands.CreateUser, deps: Deps) -> User:
    """Creates the profile of a new account; a retry with the same id and email returns it."""
    user = validation.new_user(command)
    try:
        return await _create(deps.unit_of_work(), user)
    except DuplicateUserError:  # a concurrent sign-up got there first: answer as for a retry
        return await _create(deps.unit_of_work(), user)


async def _create(uow: UsersUnitOfWork, user: User) -> User:
    async with uow:
        users = uow.users
        # By id, then by email: a concurrent sign-up may commit between the two reads.
        existing = await users.get(user.id) or await users.find_active_by_email(user.email_key)
        if existing is not None:
            if existing.id != user.id:
                raise email_already_registered()
            existing.ensure_same_sign_up(user.email)
            return existing
        await users.add(user)
        uow.add_event(messages.user_created(user))
        await uow.commit()
    return user


async def get_user(command: commands.GetUser, deps: Deps) -> User:
    target = validation.target(command.user_id, command.caller)
    async with deps.by_key() as uow:
        user = await uow.users.get(target)
    return visible(user, command.caller, command.user_id)


async def lookup_user_by_email(command: commands.LookupUserByEmail, deps: Deps) -> User:
    key = email_key(validation.lookup_email(command.email))
    async with deps.by_key() as uow:
        user = await uow.users.find_by_email(key)
    if user is None:
        raise email_not_found()
    return user


async def update_user(command: commands.UpdateUser, deps: Deps) -> User:
    """Changes the fields the mask names; UserUpdated lists those whose value changed."""
    actor = command.caller
    update = validation.profile_update(command, actor)
    async with deps.unit_of_work() as uow:
        users = uow.users
        user = visible(await users.get(update.user_id, for_update=True), actor, command.user_id)
        changed = user.update(update.profile, update.paths, now=deps.clock())
        if changed:
            await users.save(user)
            uow.add_event(messages.user_updated(user, changed))
            await mark_committed(uow.connection)
            await uow.commit()
    return user


@dataclass(frozen=True, slots=True)
class UserPage:
    users: list[User]
    next_page_token: str


async def list_users(command: commands.ListUsers, deps: Deps) -> UserPage:
    """A page of profiles, newest first (the access policy admits staff only)."""
    page = validation.page_request(command)
    async with deps.unit_of_work(read_only=True) as uow:
        found = await uow.users.list(page)
    token = next_token(page.page, found, lambda user: (user.create_time, user.id))
    return UserPage(found[: page.size], token)


async def delete_user(command: commands.DeleteUser, deps: Deps) -> User:
    """Soft-deletes the profile, freeing its email; a deleted profile is returned unchanged."""
    actor = command.caller
    target = validation.target(command.user_id, actor)
    async with deps.unit_of_work() as uow:
        users = uow.users
        user = visible(await users.get(target, for_update=True), actor, command.user_id)
        if user.delete(by=actor, now=deps.clock()):
            await users.save(user)
            uow.add_event(messages.user_deleted(user))
            await mark_committed(uow.connection)
            await uow.commit()
    return user


async def get_kyc(command: commands.GetKyc, deps: Deps) -> User:
    return await get_user(commands.GetUser(command.user_id, command.caller), deps)


async def submit_kyc(command: commands.SubmitKyc, deps: Deps) -> User:
    actor = command.caller
    now = deps.clock()
    target, details = kyc_validation.kyc_submission(command, actor, today=now.date())
    async with deps.unit_of_work() as uow:
        users = uow.users
        user = own(await users.get(target, for_update=True), actor, command.user_id)
        user.submit_kyc(details, now=now)
        await users.save(user)
        uow.add_event(messages.kyc_submitted(user))
        await mark_committed(uow.connection)
        await uow.commit()
    return user


async def verify_kyc(command: commands.VerifyKyc, deps: Deps) -> User:
    actor = command.caller
    target = validation.target(command.user_id, actor)
    reviewer = actor.require_staff("reviewing KYC")
    async with deps.unit_of_work() as uow:
        users = uow.users
        user = visible(await users.get(target, for_update=True), actor, command.user_id)
        user.verify_kyc(reviewer, now=deps.clock())
        await users.save(user)
        uow.add_event(messages.kyc_verified(user))
        await mark_committed(uow.connection)
        await uow.commit()
    return user


async def reject_kyc(command: commands.RejectKyc, deps: Deps) -> User:
    actor = command.caller
    review = kyc_validation.kyc_rejection(command, actor)
    reviewer = actor.require_staff("reviewing KYC")
    async with deps.unit_of_work() as uow:
        users = uow.users
        user = visible(await users.get(review.user_id, for_update=True), actor, command.user_id)
        user.reject_kyc(reviewer, review.reason, review.note, now=deps.clock())
        await users.save(user)
        uow.add_event(messages.kyc_rejected(user))
        await mark_committed(uow.connection)
        await uow.commit()
    return user


async def mark_email_verified(uow: UnitOfWork, user_id: str, email: str) -> None:
    """identity's EmailVerified, inside the consumer's open unit of work (which commits)."""
    users = UserRepository(uow.connection)
    user = await users.get(user_id, for_update=True)
    if user is None or not user.verify_email(email, now=utc_now()):
        logger.info("email verification of %s changes no profile; ignored", user_id)
        return
    await users.save(user)
    uow.add_event(messages.user_updated(user, ["email_verified"]))
