"""The users service's use cases: one async function each, one unit of work each."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from mesh.actor import Actor
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
from services.users.repository import DuplicateUserError, UserRepository

logger = logging.getLogger("meshwork.users")


async def create_user(uow: UnitOfWork, command: commands.CreateUser) -> User:
    """Creates the profile of a new account; a retry with the same id and email returns it."""
    user = validation.new_user(command)
    try:
        return await _create(uow, user)
    except DuplicateUserError:  # a concurrent sign-up got there first: answer as for a retry
        return await _create(uow, user)


async def _create(uow: UnitOfWork, user: User) -> User:
    async with uow:
        users = UserRepository(uow.connection)
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


async def get_user(uow: UnitOfWork, user_id: str, actor: Actor) -> User:
    target = validation.target(user_id, actor)
    async with uow:
        user = await UserRepository(uow.connection).get(target)
    return visible(user, actor, user_id)


async def lookup_user_by_email(uow: UnitOfWork, email: str) -> User:
    key = email_key(validation.lookup_email(email))
    async with uow:
        user = await UserRepository(uow.connection).find_by_email(key)
    if user is None:
        raise email_not_found()
    return user


async def update_user(uow: UnitOfWork, command: commands.UpdateUser, actor: Actor) -> User:
    """Changes the fields the mask names; UserUpdated lists those whose value changed."""
    update = validation.profile_update(command, actor)
    async with uow:
        users = UserRepository(uow.connection)
        user = visible(await users.get(update.user_id, for_update=True), actor, command.user_id)
        changed = user.update(update.profile, update.paths, now=utc_now())
        if changed:
            await users.save(user)
            uow.add_event(messages.user_updated(user, changed))
            await uow.commit()
    return user


@dataclass(frozen=True, slots=True)
class UserPage:
    users: list[User]
    next_page_token: str


async def list_users(uow: UnitOfWork, command: commands.ListUsers) -> UserPage:
    """A page of profiles, newest first (the access policy admits staff only)."""
    page = validation.page_request(command)
    async with uow:
        found = await UserRepository(uow.connection).list(page)
    token = next_token(page.page, found, lambda user: (user.create_time, user.id))
    return UserPage(found[: page.size], token)


async def delete_user(uow: UnitOfWork, user_id: str, actor: Actor) -> User:
    """Soft-deletes the profile, freeing its email; a deleted profile is returned unchanged."""
    target = validation.target(user_id, actor)
    async with uow:
        users = UserRepository(uow.connection)
        user = visible(await users.get(target, for_update=True), actor, user_id)
        if user.delete(by=actor, now=utc_now()):
            await users.save(user)
            uow.add_event(messages.user_deleted(user))
            await uow.commit()
    return user


async def get_kyc(uow: UnitOfWork, user_id: str, actor: Actor) -> User:
    return await get_user(uow, user_id, actor)


async def submit_kyc(uow: UnitOfWork, command: commands.SubmitKyc, actor: Actor) -> User:
    now = utc_now()
    target, details = kyc_validation.kyc_submission(command, actor, today=now.date())
    async with uow:
        users = UserRepository(uow.connection)
        user = own(await users.get(target, for_update=True), actor, command.user_id)
        user.submit_kyc(details, now=now)
        await users.save(user)
        uow.add_event(messages.kyc_submitted(user))
        await mark_committed(uow.connection)
        await uow.commit()
    return user


async def verify_kyc(uow: UnitOfWork, user_id: str, actor: Actor) -> User:
    target = validation.target(user_id, actor)
    reviewer = actor.require_staff("reviewing KYC")
    async with uow:
        users = UserRepository(uow.connection)
        user = visible(await users.get(target, for_update=True), actor, user_id)
        user.verify_kyc(reviewer, now=utc_now())
        await users.save(user)
        uow.add_event(messages.kyc_verified(user))
        await uow.commit()
    return user


async def reject_kyc(uow: UnitOfWork, command: commands.RejectKyc, actor: Actor) -> User:
    review = kyc_validation.kyc_rejection(command, actor)
    reviewer = actor.require_staff("reviewing KYC")
    async with uow:
        users = UserRepository(uow.connection)
        user = visible(await users.get(review.user_id, for_update=True), actor, command.user_id)
        user.reject_kyc(reviewer, review.reason, review.note, now=utc_now())
        await users.save(user)
        uow.add_event(messages.kyc_rejected(user))
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
