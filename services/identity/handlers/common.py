"""What every identity use case shares: its dependencies, its transaction, session issuing."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from google.protobuf.message import Message

from mesh.clock import utc_now
from mesh.db import UnitOfWork
from meshwork.identity.v1 import events_pb2, resources_pb2
from services.identity.access import AccessDirectory
from services.identity.commands import Client, SessionTokens
from services.identity.config import IdentitySettings
from services.identity.domain import (
    Account,
    BackoffPolicy,
    OneTimeToken,
    RefreshToken,
    RevocationReason,
    Session,
    TokenPurpose,
    access_claims,
    digest,
    new_id,
    new_secret,
)
from services.identity.key_store import SigningKeyStore
from services.identity.keys import KeyCipher, TokenSigner
from services.identity.passwords import PasswordHashing
from services.identity.profiles import ProfileDirectory
from services.identity.repository import Repository
from services.identity.throttle_store import ThrottleStore


@dataclass
class Deps:
    """The resources the handlers use, built once by bootstrap."""

    settings: IdentitySettings
    unit_of_work: Callable[[], UnitOfWork]
    passwords: PasswordHashing
    cipher: KeyCipher
    users: ProfileDirectory
    #: The admin service's answer on roles and suspension, asked before any token is issued.
    access: AccessDirectory
    signer: TokenSigner = field(init=False)
    clock: Callable[[], datetime] = utc_now
    #: Called after a rotation committed (identity's own verifier refreshes its key cache).
    keys_rotated: Callable[[], Awaitable[None]] | None = None

    def __post_init__(self) -> None:
        self.signer = TokenSigner(self.cipher)

    def backoff(self, kind: str) -> BackoffPolicy:
        """The lockout policy for failures per "account" or per client "address"."""
        s = self.settings
        free = s.account_free_attempts if kind == "account" else s.address_free_attempts
        return BackoffPolicy(free, s.lockout_base_s, s.lockout_max_s, s.lockout_reset_s)


@dataclass
class Tx:
    """One open transaction with identity's stores; events go out with the commit."""

    uow: UnitOfWork
    accounts: Repository
    keys: SigningKeyStore
    throttles: ThrottleStore

    def add_event(self, event: Message) -> None:
        self.uow.add_event(event)

    async def commit(self) -> None:
        await self.uow.commit()


def tx_of(uow: UnitOfWork) -> Tx:
    """Identity's stores over an open unit of work (e.g. the one a consumer opened)."""
    connection = uow.connection
    return Tx(uow, Repository(connection), SigningKeyStore(connection), ThrottleStore(connection))


@contextlib.asynccontextmanager
async def transaction(deps: Deps) -> AsyncIterator[Tx]:
    """A unit of work; left without `commit`, everything in it is rolled back."""
    async with deps.unit_of_work() as uow:
        yield tx_of(uow)


async def sign_access_token(
    tx: Tx, deps: Deps, account: Account, *, session_id: str, now: datetime
) -> tuple[str, datetime]:
    """An access token for the account's session, signed with the active key."""
    pair = await tx.keys.active_pair()
    if pair is None:
        raise RuntimeError("no active signing key: start-up creates one (ensure_signing_keys)")
    ttl = deps.settings.access_token_ttl_s
    claims = access_claims(
        account, session_id=session_id, issuer=deps.settings.token_issuer, now=now, ttl_s=ttl
    )
    return deps.signer.sign(claims, pair), datetime.fromtimestamp(claims["exp"], UTC)


async def add_refresh_token(
    tx: Tx, deps: Deps, session: Session, now: datetime
) -> tuple[str, datetime]:
    """Stores the session's next refresh token and slides the session's expiry to its own.

    Returns the token itself: this is the only moment it is known, as only its digest is kept.
    """
    secret = new_secret()
    session.expires_at = now + timedelta(seconds=deps.settings.refresh_token_ttl_s)
    token = RefreshToken(
        digest=digest(secret), session_id=session.id, created_at=now, expires_at=session.expires_at
    )
    await tx.accounts.add_refresh_token(token)
    return secret, token.expires_at


async def next_tokens(
    tx: Tx, deps: Deps, account: Account, session: Session, now: datetime
) -> SessionTokens:
    """The session's next refresh token (sliding its expiry) and a fresh access token."""
    refresh, refresh_expires = await add_refresh_token(tx, deps, session, now)
    access, access_expires = await sign_access_token(
        tx, deps, account, session_id=session.id, now=now
    )
    return SessionTokens(
        user_id=account.user_id,
        session_id=session.id,
        access_token=access,
        access_token_expires_at=access_expires,
        refresh_token=refresh,
        refresh_token_expires_at=refresh_expires,
    )


async def open_session(
    tx: Tx, deps: Deps, account: Account, *, client: Client, now: datetime
) -> SessionTokens:
    """Starts a session (a new refresh-token family) and issues its first tokens."""
    session = Session(
        id=new_id(),
        user_id=account.user_id,
        user_agent=client.user_agent[:512],
        ip_address=client.ip_address[:64],
        created_at=now,
        expires_at=now + timedelta(seconds=deps.settings.refresh_token_ttl_s),
    )
    await tx.accounts.add_session(session)
    tokens = await next_tokens(tx, deps, account, session, now)
    tx.add_event(
        events_pb2.UserLoggedIn(
            user_id=account.user_id,
            session_id=session.id,
            ip_address=session.ip_address,
            user_agent=session.user_agent,
        )
    )
    return tokens


async def issue_one_time_token(
    tx: Tx, deps: Deps, account: Account, purpose: TokenPurpose, now: datetime
) -> tuple[str, datetime]:
    """A new one-time token for the account (earlier ones of the purpose stop working)."""
    ttl = (
        deps.settings.password_reset_ttl_s
        if purpose is TokenPurpose.PASSWORD_RESET
        else deps.settings.email_verification_ttl_s
    )
    secret, expires = new_secret(), now + timedelta(seconds=ttl)
    await tx.accounts.void_one_time_tokens(account.user_id, purpose, now)
    await tx.accounts.add_one_time_token(
        OneTimeToken(
            digest=digest(secret),
            purpose=purpose,
            user_id=account.user_id,
            email=account.email,
            created_at=now,
            expires_at=expires,
        )
    )
    return secret, expires


def sessions_revoked(user_id: str, session_ids: list[str], reason: RevocationReason) -> Message:
    """The SessionsRevoked event for sessions just ended."""
    return events_pb2.SessionsRevoked(
        user_id=user_id, session_ids=session_ids, reason=revocation_reason_value(reason)
    )


def revocation_reason_value(
    reason: RevocationReason | None,
) -> resources_pb2.SessionRevocationReason.ValueType:
    """The contract's SessionRevocationReason for a domain reason (same names)."""
    if reason is None:
        return resources_pb2.SESSION_REVOCATION_REASON_UNSPECIFIED
    return resources_pb2.SessionRevocationReason.Value(f"SESSION_REVOCATION_REASON_{reason.name}")
