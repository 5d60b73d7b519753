"""Login with backoff per account and per address, refresh with reuse detection, logout."""

from __future__ import annotations

from datetime import datetime

from mesh.validation import Violations
from meshwork.identity.v1 import errors_pb2, events_pb2
from services.identity.access import Access
from services.identity.commands import Login, Logout, Refresh, SessionTokens
from services.identity.domain import (
    Account,
    AccountState,
    RefreshVerdict,
    RevocationReason,
    Session,
    digest,
    email_key,
    judge_refresh,
)
from services.identity.errors import (
    DOMAIN,
    account_suspended,
    invalid_credentials,
    refresh_token_expired,
    refresh_token_invalid,
    refresh_token_reused,
    too_many_attempts,
)
from services.identity.handlers.common import (
    Deps,
    Tx,
    next_tokens,
    open_session,
    sessions_revoked,
    transaction,
)


def _throttle_keys(email: str, ip_address: str) -> list[tuple[str, str]]:
    keys = [("account", email_key(email))]
    return [*keys, ("address", ip_address)] if ip_address else keys


async def login(command: Login, deps: Deps) -> SessionTokens:
    """A new session for the right email and password. Unknown emails cost a hash too, and
    share the error of wrong passwords; failures lock out the account and the address."""
    check = Violations(domain=DOMAIN)
    email = check.email("email", command.email, reason="INVALID_EMAIL")
    check.required("password", command.password)
    check.raise_if_any()
    keys, now = _throttle_keys(email, command.client.ip_address), deps.clock()
    async with transaction(deps) as tx:
        throttles = await tx.throttles.current(keys)
        account = await tx.accounts.account_by_email(email_key(email))
    wait = max(throttle.retry_after_s(now) for throttle in throttles)
    if wait > 0:
        await _refused(deps, command, account, errors_pb2.TOO_MANY_ATTEMPTS, keys=[])
        raise too_many_attempts(wait)
    signing_in = account if account and account.state is AccountState.ACTIVE else None
    if signing_in is None:
        await deps.passwords.verify_nothing(command.password)  # as long as a real check
    elif not await deps.passwords.verify(signing_in.password_hash, command.password):
        signing_in = None
    if signing_in is None:
        await _refused(deps, command, account, errors_pb2.INVALID_CREDENTIALS, keys=keys)
        raise invalid_credentials()
    access = await deps.access.of(signing_in.user_id, signing_in.email)  # admin down: refused
    # Admin's answer decides (the UserSuspended event only ended the sessions, perhaps later).
    if access.suspended:  # told only to who knows the password
        await _refused(deps, command, account, errors_pb2.ACCOUNT_SUSPENDED, keys=[])
        raise account_suspended()
    signing_in.roles = access.roles
    return await _signed_in(deps, command, signing_in)


async def _signed_in(deps: Deps, command: Login, account: Account) -> SessionTokens:
    rehashed = ""
    if deps.passwords.needs_rehash(account.password_hash):
        rehashed = await deps.passwords.hash(command.password)
    now = deps.clock()
    async with transaction(deps) as tx:
        if rehashed:  # the cost parameters went up since this hash was made
            await tx.accounts.replace_password_hash(
                account.user_id, old=account.password_hash, new=rehashed, now=now
            )
        await tx.throttles.clear("account", account.email_key)
        tokens = await open_session(tx, deps, account, client=command.client, now=now)
        await tx.commit()
    return tokens


async def _refused(
    deps: Deps,
    command: Login,
    account: Account | None,
    reason: errors_pb2.ErrorReason.ValueType,
    *,
    keys: list[tuple[str, str]],
) -> None:
    """Counts the failure against `keys` and reports LoginFailed for security monitoring."""
    now = deps.clock()
    async with transaction(deps) as tx:
        for kind, key in keys:
            throttle = await tx.throttles.lock(kind, key)
            await tx.throttles.save(kind, key, throttle.after_failure(now, deps.backoff(kind)))
        tx.add_event(
            events_pb2.LoginFailed(
                user_id=account.user_id if account else "",
                email=command.email.strip()[:254],
                reason=reason,
                ip_address=command.client.ip_address,
            )
        )
        await tx.commit()


async def refresh(command: Refresh, deps: Deps) -> SessionTokens:
    """The session's next tokens; a used token revokes the session (its family) instead."""
    check = Violations(domain=DOMAIN)
    check.required("refresh_token", command.refresh_token)
    check.raise_if_any()
    now, token_digest = deps.clock(), digest(command.refresh_token)
    access = await _access_of_holder(deps, token_digest)
    async with transaction(deps) as tx:
        stored = await tx.accounts.refresh_token(token_digest)
        session = await tx.accounts.session_by_id(stored.session_id) if stored else None
        if stored is None or session is None:
            raise refresh_token_invalid()
        verdict = judge_refresh(stored, session, now)
        if verdict is RefreshVerdict.ROTATE and not await tx.accounts.use_refresh_token(
            token_digest, now
        ):
            verdict = RefreshVerdict.REUSED  # a concurrent refresh used it first
        if verdict is RefreshVerdict.REUSED:
            await _revoke(tx, session, RevocationReason.REFRESH_TOKEN_REUSED, now)
            await tx.commit()
            raise refresh_token_reused()
        if verdict is not RefreshVerdict.ROTATE:
            raise refresh_token_expired()
        tokens = await _rotate(tx, deps, session, access)
        await tx.commit()
    return tokens


async def _access_of_holder(deps: Deps, token_digest: str) -> Access | None:
    """What admin says of the refresh token's user (None for a token that is not one: the
    refresh then fails as it would have)."""
    async with transaction(deps) as tx:
        stored = await tx.accounts.refresh_token(token_digest)
        session = await tx.accounts.session_by_id(stored.session_id) if stored else None
        account = await tx.accounts.account_by_id(session.user_id) if session else None
    if account is None:
        return None
    return await deps.access.of(account.user_id, account.email)  # admin down: refused


async def _rotate(tx: Tx, deps: Deps, session: Session, access: Access | None) -> SessionTokens:
    """Issues the session's next tokens, with the user's current roles (admin's answer)."""
    now = deps.clock()
    account = await tx.accounts.account_by_id(session.user_id)
    if account is None or account.state is not AccountState.ACTIVE or access is None:
        raise refresh_token_expired()
    if access.suspended:
        raise account_suspended()
    account.roles = access.roles
    tokens = await next_tokens(tx, deps, account, session, now)
    session.last_refresh_at = now
    await tx.accounts.save_session(session)
    return tokens


async def _revoke(tx: Tx, session: Session, reason: RevocationReason, now: datetime) -> None:
    if session.revoked_at is not None:
        return
    session.revoked_at, session.revocation_reason = now, reason
    await tx.accounts.save_session(session)
    tx.add_event(sessions_revoked(session.user_id, [session.id], reason))


async def logout(command: Logout, deps: Deps) -> None:
    """Ends the session of the refresh token (used and expired tokens are accepted too)."""
    check = Violations(domain=DOMAIN)
    check.required("refresh_token", command.refresh_token)
    check.raise_if_any()
    async with transaction(deps) as tx:
        stored = await tx.accounts.refresh_token(digest(command.refresh_token))
        session = await tx.accounts.session_by_id(stored.session_id) if stored else None
        if session is None:
            raise refresh_token_invalid()
        await _revoke(tx, session, RevocationReason.LOGOUT, deps.clock())
        await tx.commit()
