"""Identity's rules: accounts, sessions and refresh-token families, login backoff, key rotation."""

from __future__ import annotations

import hashlib
import secrets
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from mesh.auth.tokens import ACCESS_TOKEN, SERVICE_TOKEN, USER_AUDIENCE

#: The role every account holds; the admin service owns the others (GetUserAccess).
DEFAULT_ROLES = ("user",)
#: Verifiers allow a few seconds of clock skew; keys stay published a little longer still.
KEY_EXPIRY_MARGIN = timedelta(seconds=60)


def new_id() -> str:
    """An opaque id for a user, a session or a token (a random UUID)."""
    return str(uuid.uuid4())


def new_secret() -> str:
    """A fresh opaque secret for a refresh or one-time token (256 bits, URL-safe)."""
    return secrets.token_urlsafe(32)


def digest(secret: str) -> str:
    """How an opaque token is stored: its SHA-256, so a database leak yields no usable token."""
    return hashlib.sha256(secret.encode()).hexdigest()


def email_key(email: str) -> str:
    """The form an address is compared in (addresses are matched case-insensitively)."""
    return email.strip().lower()


class AccountState(StrEnum):
    PENDING_PROFILE = "pending_profile"  # the credential exists; the profile may not yet
    ACTIVE = "active"
    DELETED = "deleted"  # the profile was deleted: no sign-in, the address stays taken


@dataclass
class Account:
    """A credential: who signs in with which email and password, and their roles."""

    user_id: str
    email: str
    password_hash: str
    state: AccountState
    #: The roles of the tokens issued last (the admin service's answer at that moment).
    roles: tuple[str, ...]
    email_verified: bool
    created_at: datetime
    signup_attempt: str = ""
    #: As admin's events last said (UserSuspended ends the sessions); logins and refreshes
    #: go by admin's GetUserAccess answer at that moment.
    suspended: bool = False

    @property
    def email_key(self) -> str:
        return email_key(self.email)


class RevocationReason(StrEnum):
    LOGOUT = "logout"
    USER_REQUEST = "user_request"
    PASSWORD_CHANGED = "password_changed"
    PASSWORD_RESET = "password_reset"
    REFRESH_TOKEN_REUSED = "refresh_token_reused"
    ADMIN_ACTION = "admin_action"
    USER_DELETED = "user_deleted"


class SessionStatus(StrEnum):
    ACTIVE = "active"
    EXPIRED = "expired"
    REVOKED = "revoked"


@dataclass
class Session:
    """One login and the family of refresh tokens rotated from it."""

    id: str
    user_id: str
    user_agent: str
    ip_address: str
    created_at: datetime
    expires_at: datetime
    last_refresh_at: datetime | None = None
    revoked_at: datetime | None = None
    revocation_reason: RevocationReason | None = None

    def status(self, now: datetime) -> SessionStatus:
        if self.revoked_at is not None:
            return SessionStatus.REVOKED
        return SessionStatus.ACTIVE if self.expires_at > now else SessionStatus.EXPIRED


@dataclass
class RefreshToken:
    """One refresh token of a session's family, stored by digest; used once, then replaced."""

    digest: str
    session_id: str
    created_at: datetime
    expires_at: datetime
    used_at: datetime | None = None


class RefreshVerdict(StrEnum):
    ROTATE = "rotate"  # the session's latest token: issue the next one
    REUSED = "reused"  # a token already traded in: the family is compromised
    REVOKED = "revoked"
    EXPIRED = "expired"


def judge_refresh(token: RefreshToken, session: Session, now: datetime) -> RefreshVerdict:
    """What presenting `token` means. A used token always means reuse, even in an ended session."""
    if token.used_at is not None:
        return RefreshVerdict.REUSED
    if session.revoked_at is not None:
        return RefreshVerdict.REVOKED
    if token.expires_at <= now:
        return RefreshVerdict.EXPIRED
    return RefreshVerdict.ROTATE


class TokenPurpose(StrEnum):
    PASSWORD_RESET = "password_reset"
    EMAIL_VERIFICATION = "email_verification"


@dataclass
class OneTimeToken:
    """A password-reset or email-verification token, stored by digest; good for one use."""

    digest: str
    purpose: TokenPurpose
    user_id: str
    email: str
    created_at: datetime
    expires_at: datetime
    used_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class BackoffPolicy:
    """Failures allowed free, then a lockout that doubles per further failure up to `max_s`.

    A failure more than `reset_s` after the previous one starts counting afresh.
    """

    free_attempts: int
    base_s: float
    max_s: float
    reset_s: float

    def lockout_s(self, failures: int) -> float:
        """How long to refuse attempts after the `failures`-th failure in a row."""
        beyond = failures - self.free_attempts
        if beyond < 0:
            return 0.0
        return min(self.max_s, self.base_s * 2 ** min(beyond, 32))


@dataclass(frozen=True, slots=True)
class Throttle:
    """Failed logins counted against one account or one client address."""

    failures: int = 0
    last_failure_at: datetime | None = None
    locked_until: datetime | None = None

    def retry_after_s(self, now: datetime) -> float:
        """Seconds until attempts are admitted again; 0 when they are admitted now."""
        if self.locked_until is None or self.locked_until <= now:
            return 0.0
        return (self.locked_until - now).total_seconds()

    def after_failure(self, now: datetime, policy: BackoffPolicy) -> Throttle:
        """The throttle once another failure at `now` is counted."""
        fresh = self.last_failure_at is None or (
            (now - self.last_failure_at).total_seconds() > policy.reset_s
        )
        failures = 1 if fresh else self.failures + 1
        lockout = policy.lockout_s(failures)
        locked_until = now + timedelta(seconds=lockout) if lockout else None
        return Throttle(failures=failures, last_failure_at=now, locked_until=locked_until)


class KeyState(StrEnum):
    PENDING = "pending"  # published, not yet signing
    ACTIVE = "active"  # signs every new token
    RETIRED = "retired"  # published until every token it signed has expired


@dataclass
class SigningKey:
    """A signing key pair's public half and rotation times (the private half stays in keys.py)."""

    id: str
    algorithm: str
    state: KeyState
    public_jwk: dict[str, str]
    created_at: datetime
    activated_at: datetime | None = None
    retired_at: datetime | None = None
    expires_at: datetime | None = None

    def published(self, now: datetime) -> bool:
        return self.expires_at is None or self.expires_at > now


@dataclass(frozen=True, slots=True)
class Rotation:
    """One rotation step: the keys that changed state, the fresh pending key, and dropped ids."""

    active: SigningKey
    pending: SigningKey
    retired: SigningKey | None
    dropped: tuple[str, ...]


def rotate(
    keys: Sequence[SigningKey], fresh: SigningKey, now: datetime, *, longest_token_ttl_s: int
) -> Rotation:
    """Pending → active, active → retired (published until its tokens expire), `fresh` → pending.

    With no pending key (a fresh install), `fresh` would sign before it was published, so the
    caller must have created a pending key first (see `missing_key_states`).
    """
    by_state = {key.state: key for key in keys if key.state is not KeyState.RETIRED}
    pending = by_state.get(KeyState.PENDING)
    if pending is None:
        raise ValueError("no pending signing key to activate; create one first")
    active = replace(pending, state=KeyState.ACTIVE, activated_at=now)
    retired = None
    if (current := by_state.get(KeyState.ACTIVE)) is not None:
        lifetime = timedelta(seconds=longest_token_ttl_s) + KEY_EXPIRY_MARGIN
        retired = replace(
            current, state=KeyState.RETIRED, retired_at=now, expires_at=now + lifetime
        )
    dropped = tuple(k.id for k in keys if k.state is KeyState.RETIRED and not k.published(now))
    return Rotation(
        active=active,
        pending=replace(fresh, state=KeyState.PENDING),
        retired=retired,
        dropped=dropped,
    )


def missing_key_states(keys: Sequence[SigningKey]) -> list[KeyState]:
    """The states a fresh key is needed for: ACTIVE (none signs yet) and PENDING (none queued)."""
    present = {key.state for key in keys}
    return [state for state in (KeyState.ACTIVE, KeyState.PENDING) if state not in present]


def _claims(issuer: str, subject: str, *, now: datetime, ttl_s: int) -> dict[str, Any]:
    issued = int(now.timestamp())
    times = {"iat": issued, "nbf": issued, "exp": issued + ttl_s}
    return {"iss": issuer, "sub": subject, **times, "jti": new_id()}


def access_claims(
    account: Account, *, session_id: str, issuer: str, now: datetime, ttl_s: int
) -> dict[str, Any]:
    """The claims of an end user's access token (what `mesh.auth.tokens` verifies, and more)."""
    return _claims(issuer, account.user_id, now=now, ttl_s=ttl_s) | {
        # To the millisecond (RFC 7519 allows a fraction): verifiers tell a token issued just
        # before a suspension from one issued just after it was lifted (mesh.auth.revocations).
        "iat": round(now.timestamp(), 3),
        "aud": USER_AUDIENCE,
        "typ": ACCESS_TOKEN,
        "sid": session_id,
        "roles": list(account.roles),
        "email_verified": account.email_verified,
    }


def service_claims(
    client_id: str, *, audience: str, issuer: str, now: datetime, ttl_s: int
) -> dict[str, Any]:
    """The claims of a service token: `client_id` calling `audience`."""
    return _claims(issuer, client_id, now=now, ttl_s=ttl_s) | {
        "aud": audience,
        "typ": SERVICE_TOKEN,
    }
