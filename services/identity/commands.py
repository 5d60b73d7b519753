"""What the handlers take (commands, with the calling actor) and what they return."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from mesh.actor import Actor
from services.identity.domain import Session, SessionStatus, SigningKey


@dataclass(frozen=True, slots=True)
class Client:
    """Where a public call came from: the client address and the user agent, when known."""

    ip_address: str = ""
    user_agent: str = ""


@dataclass(frozen=True, slots=True)
class SignUp:
    email: str
    password: str = field(repr=False)
    display_name: str = ""
    locale: str = ""
    client: Client = Client()


@dataclass(frozen=True, slots=True)
class Login:
    email: str
    password: str = field(repr=False)
    client: Client = Client()


@dataclass(frozen=True, slots=True)
class Refresh:
    refresh_token: str = field(repr=False)


@dataclass(frozen=True, slots=True)
class Logout:
    refresh_token: str = field(repr=False)


@dataclass(frozen=True, slots=True)
class ChangePassword:
    caller: Actor
    current_password: str = field(repr=False)
    new_password: str = field(repr=False)


@dataclass(frozen=True, slots=True)
class RequestPasswordReset:
    email: str


@dataclass(frozen=True, slots=True)
class ConfirmPasswordReset:
    token: str = field(repr=False)
    new_password: str = field(repr=False)


@dataclass(frozen=True, slots=True)
class RequestEmailVerification:
    caller: Actor


@dataclass(frozen=True, slots=True)
class ConfirmEmailVerification:
    token: str = field(repr=False)


@dataclass(frozen=True, slots=True)
class ListSessions:
    caller: Actor
    user_id: str
    page_size: int = 0
    page_token: str = ""
    show_inactive: bool = False


@dataclass(frozen=True, slots=True)
class RevokeSession:
    caller: Actor
    user_id: str
    session_id: str


@dataclass(frozen=True, slots=True)
class RevokeUserSessions:
    user_id: str


@dataclass(frozen=True, slots=True)
class IssueServiceToken:
    client_id: str
    client_secret: str = field(repr=False)
    audience: str = ""


@dataclass(frozen=True, slots=True)
class ListSigningKeys:
    page_size: int = 0
    page_token: str = ""


@dataclass(frozen=True, slots=True)
class SessionTokens:
    """A session's tokens as handed to the client."""

    user_id: str
    session_id: str
    access_token: str = field(repr=False)
    access_token_expires_at: datetime
    refresh_token: str = field(repr=False)
    refresh_token_expires_at: datetime


@dataclass(frozen=True, slots=True)
class ServiceToken:
    token: str = field(repr=False)
    expires_at: datetime


@dataclass(frozen=True, slots=True)
class Purged:
    sessions: int
    one_time_tokens: int


@dataclass(frozen=True, slots=True)
class SessionView:
    """A session as its owner sees it: its state now, and whether it is the calling one."""

    session: Session
    status: SessionStatus
    current: bool


@dataclass(frozen=True, slots=True)
class SessionsPage:
    sessions: list[SessionView]
    next_page_token: str


@dataclass(frozen=True, slots=True)
class SigningKeysPage:
    keys: list[SigningKey]
    next_page_token: str


@dataclass(frozen=True, slots=True)
class RotatedKeys:
    active: SigningKey
    pending: SigningKey
    retired: SigningKey | None


@dataclass(frozen=True, slots=True)
class VerifiedEmail:
    user_id: str
    email: str
