"""Sign-up: the credential here and the profile in users, both or neither.

The credential is reserved first (state PENDING_PROFILE, which cannot log in), then users'
idempotent CreateUser is called with its user id, then the credential is activated together
with the session and the events. Any failure on the way deletes the reserved credential again.
A profile left behind by a sign-up interrupted after CreateUser (a lost reply) has no credential;
the next sign-up with its address finds it (LookupUserByEmail) and adopts its user id.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

from mesh.idempotency import mark_committed
from mesh.protobuf import timestamp_of
from mesh.validation import Violations
from meshwork.identity.v1 import events_pb2
from services.identity.commands import SessionTokens, SignUp
from services.identity.domain import (
    DEFAULT_ROLES,
    Account,
    AccountState,
    TokenPurpose,
    email_key,
    new_id,
)
from services.identity.errors import DOMAIN, account_suspended, email_already_registered
from services.identity.handlers.common import (
    Deps,
    issue_one_time_token,
    open_session,
    transaction,
)
from services.identity.profiles import Created
from services.identity.repository import EmailTakenError
from services.identity.validation import MAX_DISPLAY_NAME_LENGTH, new_password


@dataclass
class _Reservation:
    """The pending credential of this sign-up attempt."""

    user_id: str
    attempt: str
    email: str


async def sign_up(command: SignUp, deps: Deps) -> SessionTokens:
    """Registers the account, creates its profile, signs it in and asks to verify the email."""
    check = Violations(domain=DOMAIN)
    email = check.email("email", command.email, reason="INVALID_EMAIL")
    new_password(check, "password", command.password, email=email)
    display_name = check.text("display_name", command.display_name, maximum=MAX_DISPLAY_NAME_LENGTH)
    locale = check.locale("locale", command.locale)
    check.raise_if_any()
    password_hash = await deps.passwords.hash(command.password)
    reservation = await _reserve(deps, email, password_hash)
    try:
        await _create_profile(deps, reservation, display_name or email.partition("@")[0], locale)
        return await _activate(deps, reservation, command)
    except BaseException:
        await asyncio.shield(_release(deps, reservation))
        raise


async def _reserve(deps: Deps, email: str, password_hash: str) -> _Reservation:
    """Writes the pending credential, or takes over the one an interrupted attempt left
    (keeping its user id, for which CreateUser is idempotent)."""
    now, attempt = deps.clock(), new_id()
    async with transaction(deps) as tx:
        found = await tx.accounts.account_by_email(email_key(email))
        if found is not None and found.state is not AccountState.PENDING_PROFILE:
            raise email_already_registered()
        pending = Account(
            user_id=found.user_id if found else new_id(),
            email=email,
            password_hash=password_hash,
            state=AccountState.PENDING_PROFILE,
            roles=DEFAULT_ROLES,
            email_verified=False,
            created_at=found.created_at if found else now,
            signup_attempt=attempt,
        )
        if found is not None:
            await tx.accounts.save_account(pending, now)
        else:
            try:
                await tx.accounts.add_account(pending, now)
            except EmailTakenError:  # a concurrent sign-up with this address won
                raise email_already_registered() from None
        await tx.commit()
    return _Reservation(user_id=pending.user_id, attempt=attempt, email=email)


async def _create_profile(
    deps: Deps, reservation: _Reservation, display_name: str, locale: str
) -> None:
    profile = {"email": reservation.email, "display_name": display_name, "locale": locale}
    if await deps.users.create(reservation.user_id, **profile) is Created.CREATED:
        return
    orphan = await deps.users.find_by_email(reservation.email)
    if orphan is None or not await _adopt(deps, reservation, orphan):
        raise email_already_registered()
    if await deps.users.create(orphan, **profile) is not Created.CREATED:
        raise email_already_registered()


async def _adopt(deps: Deps, reservation: _Reservation, profile_user_id: str) -> bool:
    """Moves the pending credential onto the id of a profile no credential owns."""
    async with transaction(deps) as tx:
        if await tx.accounts.account_by_id(profile_user_id) is not None:
            return False
        moved = await tx.accounts.rekey_pending_account(
            reservation.user_id, reservation.attempt, profile_user_id
        )
        await tx.commit()
    if moved:
        reservation.user_id = profile_user_id
    return moved


async def _activate(deps: Deps, reservation: _Reservation, command: SignUp) -> SessionTokens:
    access = await deps.access.of(reservation.user_id, reservation.email)  # admin down: refused
    if access.suspended:  # an adopted profile's user, suspended before
        raise account_suspended()
    now = deps.clock()
    async with transaction(deps) as tx:
        claimed = await tx.accounts.claim_pending_account(
            reservation.user_id, reservation.attempt, now
        )
        account = await tx.accounts.account_by_id(reservation.user_id)
        if not claimed or account is None:
            raise email_already_registered()  # a newer attempt with this address took over
        account.roles = access.roles
        tokens = await open_session(tx, deps, account, client=command.client, now=now)
        token, expires = await issue_one_time_token(
            tx, deps, account, TokenPurpose.EMAIL_VERIFICATION, now
        )
        tx.add_event(events_pb2.UserSignedUp(user_id=account.user_id, email=account.email))
        tx.add_event(
            events_pb2.EmailVerificationRequested(
                user_id=account.user_id,
                email=account.email,
                token=token,
                expire_time=timestamp_of(expires),
                locale=command.locale.strip(),
            )
        )
        await mark_committed(tx.uow.connection)  # a retry with the caller's key replays this
        await tx.commit()
    return tokens


async def _release(deps: Deps, reservation: _Reservation) -> None:
    """Deletes this attempt's credential if it is still pending (the compensation)."""
    async with transaction(deps) as tx:
        await tx.accounts.remove_pending_account(reservation.user_id, reservation.attempt)
        await tx.commit()
