"""Signing in (the OAuth token endpoint with the password grant) and out."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from edge.console import session
from edge.console.api import ApiError, ConsoleApi
from edge.console.permissions import is_staff
from edge.console.views import csrf_refused, refused, render

HOME = f"{session.CONSOLE_PATH}/users"


async def index(request: Request) -> Response:
    return RedirectResponse(HOME, status_code=303)


async def login_form(request: Request) -> Response:
    return render(request, "login.html", {"email": ""})


async def login(request: Request) -> Response:
    """Exchanges email and password for tokens; only staff keep them."""
    try:
        form = await session.check_csrf(request)
    except session.CsrfRefused:
        return csrf_refused(request, None)
    email = form.get("email", "").strip()
    anonymous = ConsoleApi(request, token=None)
    try:
        tokens = await anonymous.form(
            "/oauth/token",
            {"grant_type": "password", "username": email, "password": form.get("password", "")},
        )
    except ApiError as error:
        context = {"email": email, "error": error.message}
        return render(request, "login.html", context, status_code=error.status)
    operator = await session.operator_of(request, str(tokens["access_token"]))
    if operator is None or not is_staff(operator.roles):
        # not for the console: end the session just made rather than leave it open
        await _logout(request, str(tokens["refresh_token"]))
        response = refused(
            request,
            None,
            title="Staff only",
            why=f"{email} signed in, but the admin console is for staff (the admin or support "
            "role) and this account has neither. Sign in with a staff account.",
        )
        session.forget_session(request, response)
        return response
    response = RedirectResponse(HOME, status_code=303)
    session.keep_tokens(request, response, tokens)
    # a new CSRF token for the signed-in session (none chosen before sign-in survives it)
    session.set_cookie(request, response, session.CSRF_COOKIE, session.new_csrf_token())
    return response


async def logout(request: Request) -> Response:
    try:
        await session.check_csrf(request)
    except session.CsrfRefused:
        return csrf_refused(request, None)
    refresh_token = request.cookies.get(session.REFRESH_COOKIE)
    if refresh_token:
        await _logout(request, refresh_token)
    response = RedirectResponse(f"{session.CONSOLE_PATH}/login", status_code=303)
    session.forget_session(request, response)
    return response


async def _logout(request: Request, refresh_token: str) -> None:
    try:
        await ConsoleApi(request, token=None).post(
            "/v1/auth:logout", {"refreshToken": refresh_token}
        )
    except ApiError:
        return  # already ended or expired: nothing left to end
