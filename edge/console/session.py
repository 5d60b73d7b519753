"""The operator's session in the browser: token cookies, the CSRF token, flash notices.

The tokens live in cookies the page's scripts cannot read (HttpOnly), sent only to /admin and
only by pages of this site (SameSite=Strict), and only over TLS when the console is served
over https (Secure). Every form carries a CSRF token that must equal the one in its own
HttpOnly cookie (double submit): a page elsewhere can neither read nor set that cookie.
"""

from __future__ import annotations

import base64
import binascii
import hmac
import secrets
from dataclasses import dataclass
from urllib.parse import parse_qsl

from starlette.requests import Request
from starlette.responses import Response

from edge.console.permissions import Permissions
from edge.runtime import runtime_of
from mesh.errors import DomainError

CONSOLE_PATH = "/admin"
ACCESS_COOKIE = "meshwork_console_access"
REFRESH_COOKIE = "meshwork_console_refresh"
CSRF_COOKIE = "meshwork_console_csrf"
NOTICE_COOKIE = "meshwork_console_notice"
CSRF_FIELD = "csrf_token"
#: The hidden field of each action form with the key that makes sending it twice harmless.
IDEMPOTENCY_FIELD = "idempotency_key"
#: The refresh token's cookie outlives the access token's; identity decides its real validity.
REFRESH_COOKIE_MAX_AGE_S = 7 * 24 * 3600


class CsrfRefused(Exception):
    """A form came without the CSRF token of this browser's session."""


@dataclass(frozen=True)
class Operator:
    """The signed-in member of staff a console request acts for."""

    user_id: str
    roles: frozenset[str]
    token: str

    @property
    def permissions(self) -> Permissions:
        return Permissions(self.roles)


def set_cookie(request: Request, response: Response, name: str, value: str, **kw: int) -> None:
    response.set_cookie(
        name,
        value,
        path=CONSOLE_PATH,
        httponly=True,
        samesite="strict",
        secure=request.url.scheme == "https",
        **kw,  # type: ignore[arg-type]
    )


def clear_cookie(request: Request, response: Response, name: str) -> None:
    response.delete_cookie(
        name,
        path=CONSOLE_PATH,
        httponly=True,
        samesite="strict",
        secure=request.url.scheme == "https",
    )


def csrf_token(request: Request) -> str:
    """This browser's CSRF token, made (and set by `keep_csrf_token`) on first use."""
    token = request.cookies.get(CSRF_COOKIE) or getattr(request.state, "csrf_token", None)
    if not token:
        token = request.state.csrf_token = new_csrf_token()
    return str(token)


def new_csrf_token() -> str:
    return secrets.token_urlsafe(32)


def keep_csrf_token(request: Request, response: Response) -> None:
    """Sets the CSRF cookie when this response is the one that made the token."""
    made = getattr(request.state, "csrf_token", None)
    if made and request.cookies.get(CSRF_COOKIE) != made:
        set_cookie(request, response, CSRF_COOKIE, made)


async def check_csrf(request: Request) -> dict[str, str]:
    """The posted form (URL-encoded, as browsers send it), once its CSRF token matches the
    cookie's; else CsrfRefused."""
    try:
        form = dict(parse_qsl((await request.body()).decode(), keep_blank_values=True))
    except (UnicodeDecodeError, ValueError):
        raise CsrfRefused from None
    cookie = request.cookies.get(CSRF_COOKIE, "")
    posted = form.pop(CSRF_FIELD, "")
    if not cookie or not posted or not hmac.compare_digest(cookie, posted):
        raise CsrfRefused
    return form


async def operator_of(request: Request, token: str | None = None) -> Operator | None:
    """Who `token` (default: the access-token cookie's) proves, verified locally like any
    bearer token; None when it is missing, expired or not genuine."""
    token = token or request.cookies.get(ACCESS_COOKIE)
    if not token:
        return None
    try:
        user = await runtime_of(request).auth.verify(f"Bearer {token}")
    except DomainError:
        return None
    if user is None:
        return None
    return Operator(user_id=user.subject, roles=frozenset(user.roles), token=token)


def keep_tokens(request: Request, response: Response, tokens: dict[str, object]) -> None:
    """Stores what the token endpoint issued."""
    expires_in = int(str(tokens.get("expires_in", 0)) or 0)
    set_cookie(request, response, ACCESS_COOKIE, str(tokens["access_token"]), max_age=expires_in)
    set_cookie(
        request,
        response,
        REFRESH_COOKIE,
        str(tokens["refresh_token"]),
        max_age=REFRESH_COOKIE_MAX_AGE_S,
    )


def forget_session(request: Request, response: Response) -> None:
    for name in (ACCESS_COOKIE, REFRESH_COOKIE, CSRF_COOKIE):
        clear_cookie(request, response, name)


def flash(request: Request, response: Response, text: str, *, error: bool = False) -> None:
    """A one-time notice shown by the next page (what an action did, or why it failed)."""
    raw = ("!" if error else "+") + text[:1500]
    set_cookie(request, response, NOTICE_COOKIE, base64.urlsafe_b64encode(raw.encode()).decode())


def take_notice(request: Request, response: Response) -> tuple[str, bool] | None:
    """The pending notice (text, is_error), cleared from the browser."""
    encoded = request.cookies.get(NOTICE_COOKIE)
    if not encoded:
        return None
    clear_cookie(request, response, NOTICE_COOKIE)
    try:
        raw = base64.urlsafe_b64decode(encoded.encode()).decode()
    except (binascii.Error, UnicodeDecodeError):
        return None
    return raw[1:], raw.startswith("!")
