"""Password change and reset, email verification: the one-time-token flows."""

from __future__ import annotations

from datetime import timedelta

from mesh.idempotency import mark_committed
from mesh.protobuf import timestamp_of
from mesh.validation import Violations
from meshwork.identity.v1 import events_pb2
from services.identity.commands import (
    ChangePassword,
    ConfirmEmailVerification,
    ConfirmPasswordReset,
    RequestEmailVerification,
    RequestPasswordReset,
    VerifiedEmail,
)
from services.identity.domain import (
    AccountState,
    OneTimeToken,
    RevocationReason,
    TokenPurpose,
    digest,
    email_key,
)
from services.identity.errors import (
    DOMAIN,
    current_password_incorrect,
    email_already_verified,
    one_time_token_expired,
    one_time_token_invalid,
    too_many_attempts,
    user_not_found,
)
from services.identity.handlers.common import (
    Deps,
    Tx,
    issue_one_time_token,
    sessions_revoked,
    transaction,
)
from services.identity.validation import new_password

_EMAIL_WINDOW = timedelta(hours=1)


async def change_password(command: ChangePassword, deps: Deps) -> int:
    """Replaces the caller's password and ends their other sessions; returns how many."""
    caller = command.caller
    async with transaction(deps) as tx:
        account = await tx.accounts.account_by_id(caller.subject)
        if account is None:
            raise user_not_found(caller.subject)
        [throttle] = await tx.throttles.current([("account", account.email_key)])
    check = Violations(domain=DOMAIN)
    check.required("current_password", command.current_password)
    new_password(check, "new_password", command.new_password, email=account.email)
    check.raise_if_any()
    if (wait := throttle.retry_after_s(deps.clock())) > 0:
        raise too_many_attempts(wait, "wrong passwords")
    if not await deps.passwords.verify(account.password_hash, command.current_password):
        await _count_failure(deps, account.email_key)  # a stolen access token cannot brute-force
        raise current_password_incorrect()
    new_hash, now = await deps.passwords.hash(command.new_password), deps.clock()
    async with transaction(deps) as tx:
        if not await tx.accounts.replace_password_hash(
            account.user_id, old=account.password_hash, new=new_hash, now=now
        ):
            raise current_password_incorrect()  # changed concurrently: the old one is gone
        reason = RevocationReason.PASSWORD_CHANGED
        revoked = await tx.accounts.revoke_sessions(
            account.user_id, now, reason, keep=caller.session_id
        )
        _password_changed(tx, account.user_id, account.email, revoked, reason)
        await tx.commit()
    return len(revoked)


async def _count_failure(deps: Deps, key: str) -> None:
    async with transaction(deps) as tx:
        throttle = await tx.throttles.lock("account", key)
        after = throttle.after_failure(deps.clock(), deps.backoff("account"))
        await tx.throttles.save("account", key, after)
        await tx.commit()


def _password_changed(
    tx: Tx, user_id: str, email: str, revoked: list[str], reason: RevocationReason
) -> None:
    via_reset = reason is RevocationReason.PASSWORD_RESET
    tx.add_event(events_pb2.PasswordChanged(user_id=user_id, email=email, via_reset=via_reset))
    if revoked:
        tx.add_event(sessions_revoked(user_id, revoked, reason))


async def request_password_reset(command: RequestPasswordReset, deps: Deps) -> None:
    """Emails a reset link when an account has the address; answers the same either way."""
    check = Violations(domain=DOMAIN)
    email = check.email("email", command.email, reason="INVALID_EMAIL")
    check.raise_if_any()
    now = deps.clock()
    async with transaction(deps) as tx:
        account = await tx.accounts.account_by_email(email_key(email))
        if account is None or account.state is not AccountState.ACTIVE:
            return
        purpose = TokenPurpose.PASSWORD_RESET
        sent = await tx.accounts.one_time_tokens_issued(
            account.user_id, purpose, since=now - _EMAIL_WINDOW
        )
        if sent >= deps.settings.emails_per_hour:
            return  # silently: an error would tell that the address is registered
        token, expires = await issue_one_time_token(tx, deps, account, purpose, now)
        tx.add_event(
            events_pb2.PasswordResetRequested(
                user_id=account.user_id,
                email=account.email,
                token=token,
                expire_time=timestamp_of(expires),
            )
        )
        await mark_committed(tx.uow.connection)
        await tx.commit()


async def _usable_token(tx: Tx, token: str, purpose: TokenPurpose, deps: Deps) -> OneTimeToken:
    stored = await tx.accounts.one_time_token(digest(token), purpose)
    if stored is None or stored.used_at is not None:
        raise one_time_token_invalid(purpose.value)
    if stored.expires_at <= deps.clock():
        raise one_time_token_expired(purpose.value)
    return stored


async def confirm_password_reset(command: ConfirmPasswordReset, deps: Deps) -> None:
    """Sets the new password with a reset token, uses the token up, ends every session."""
    purpose = TokenPurpose.PASSWORD_RESET
    async with transaction(deps) as tx:
        stored = await tx.accounts.one_time_token(digest(command.token), purpose)
    check = Violations(domain=DOMAIN)
    check.required("token", command.token)
    new_password(check, "new_password", command.new_password, email=stored.email if stored else "")
    check.raise_if_any()
    new_hash = await deps.passwords.hash(command.new_password)
    now = deps.clock()
    async with transaction(deps) as tx:
        stored = await _usable_token(tx, command.token, purpose, deps)
        account = await tx.accounts.account_by_id(stored.user_id)
        if account is None or not await tx.accounts.use_one_time_token(stored.digest, now):
            raise one_time_token_invalid(purpose.value)
        account.password_hash = new_hash
        await tx.accounts.save_account(account, now)
        reason = RevocationReason.PASSWORD_RESET
        revoked = await tx.accounts.revoke_sessions(account.user_id, now, reason)
        await tx.throttles.clear("account", account.email_key)  # the owner is back in control
        _password_changed(tx, account.user_id, account.email, revoked, reason)
        await tx.commit()


async def request_email_verification(command: RequestEmailVerification, deps: Deps) -> None:
    """Sends the caller a new verification link; earlier links stop working."""
    now, purpose = deps.clock(), TokenPurpose.EMAIL_VERIFICATION
    async with transaction(deps) as tx:
        account = await tx.accounts.account_by_id(command.caller.subject)
        if account is None:
            raise user_not_found(command.caller.subject)
        if account.email_verified:
            raise email_already_verified()
        since = now - _EMAIL_WINDOW
        if await tx.accounts.one_time_tokens_issued(account.user_id, purpose, since=since) >= (
            deps.settings.emails_per_hour
        ):
            raise too_many_attempts(_EMAIL_WINDOW.total_seconds(), "verification emails")
        token, expires = await issue_one_time_token(tx, deps, account, purpose, now)
        tx.add_event(
            events_pb2.EmailVerificationRequested(
                user_id=account.user_id,
                email=account.email,
                token=token,
                expire_time=timestamp_of(expires),
            )
        )
        await mark_committed(tx.uow.connection)
        await tx.commit()


async def confirm_email_verification(
    command: ConfirmEmailVerification, deps: Deps
) -> VerifiedEmail:
    """Marks the address verified with the token from the verification email (once)."""
    check = Violations(domain=DOMAIN)
    check.required("token", command.token)
    check.raise_if_any()
    purpose, now = TokenPurpose.EMAIL_VERIFICATION, deps.clock()
    async with transaction(deps) as tx:
        stored = await _usable_token(tx, command.token, purpose, deps)
        account = await tx.accounts.account_by_id(stored.user_id)
        if account is None or email_key(account.email) != email_key(stored.email):
            raise one_time_token_invalid(purpose.value)
        if account.email_verified:
            raise email_already_verified()
        if not await tx.accounts.use_one_time_token(stored.digest, now):
            raise one_time_token_invalid(purpose.value)
        account.email_verified = True
        await tx.accounts.save_account(account, now)
        tx.add_event(events_pb2.EmailVerified(user_id=account.user_id, email=account.email))
        await mark_committed(tx.uow.connection)
        await tx.commit()
    return VerifiedEmail(user_id=account.user_id, email=account.email)
