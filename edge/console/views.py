"""How every console page and action runs: sign-in check, roles, CSRF, API errors, rendering."""

from __future__ import annotations

import functools
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response

from edge.console import session
from edge.console.api import ApiError, ConsoleApi
from edge.console.formatting import FILTERS
from edge.console.permissions import Permissions, is_staff
from edge.console.session import CSRF_FIELD, Operator

TEMPLATES = Path(__file__).parent / "templates"
LOGIN_PATH = f"{session.CONSOLE_PATH}/login"
#: Scripts, styles and requests only from the edge itself; no frames, no inline script.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
)

_environment = Environment(
    loader=FileSystemLoader(TEMPLATES),
    autoescape=select_autoescape(default=True),
    trim_blocks=True,
    lstrip_blocks=True,
)
_environment.filters.update(FILTERS)


@dataclass
class Console:
    """What a page handler works with: the operator, what they may do, and the API as them."""

    request: Request
    operator: Operator
    api: ConsoleApi

    @property
    def may(self) -> Callable[[str], bool]:
        return self.operator.permissions.may


def render(
    request: Request,
    template: str,
    context: dict[str, Any] | None = None,
    *,
    operator: Operator | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    """A page (or, for htmx requests that name a fragment, just that fragment)."""
    response = HTMLResponse("", status_code=status_code)
    notice = session.take_notice(request, response)
    values = {
        "request": request,
        "operator": operator,
        "may": (operator.permissions if operator else Permissions(())).may,
        "csrf_field": CSRF_FIELD,
        "idempotency_field": session.IDEMPOTENCY_FIELD,
        "new_key": lambda: uuid.uuid4().hex,
        "csrf_token": session.csrf_token(request),
        "notice": notice,
        "console": session.CONSOLE_PATH,
        **(context or {}),
    }
    response.body = _environment.get_template(template).render(values).encode()
    response.headers["Content-Length"] = str(len(response.body))
    response.headers["Content-Security-Policy"] = CONTENT_SECURITY_POLICY
    response.headers["Cache-Control"] = "no-store"
    response.headers["Referrer-Policy"] = "same-origin"
    session.keep_csrf_token(request, response)
    return response


def refused(request: Request, operator: Operator | None, *, title: str, why: str) -> Response:
    """The clear page of someone turned away (403)."""
    context = {"title": title, "why": why}
    return render(request, "denied.html", context, operator=operator, status_code=403)


class FormError(Exception):
    """A form field the console itself cannot send on (said before any API call)."""


PageHandler = Callable[[Console], Awaitable[Response]]
ActionHandler = Callable[[Console, dict[str, str]], Awaitable[str]]


def page(needs: str) -> Callable[[PageHandler], Callable[[Request], Awaitable[Response]]]:
    """A staff page that needs the permission `needs`; the API's errors become the page's."""

    def decorate(handler: PageHandler) -> Callable[[Request], Awaitable[Response]]:
        @functools.wraps(handler)
        async def endpoint(request: Request) -> Response:
            return await _as_staff(request, needs, lambda console: handler(console))

        return endpoint

    return decorate


def action(
    needs: str, *, back: str
) -> Callable[[ActionHandler], Callable[[Request], Awaitable[Response]]]:
    """A form POST (CSRF-checked) that calls the API, flashes what happened (or the API's
    error) and sends the browser back to `back` (formatted with the path parameters)."""

    def decorate(handler: ActionHandler) -> Callable[[Request], Awaitable[Response]]:
        @functools.wraps(handler)
        async def endpoint(request: Request) -> Response:
            async def run(console: Console) -> Response:
                try:
                    form = await session.check_csrf(request)
                except session.CsrfRefused:
                    return csrf_refused(request, console.operator)
                console.api.idempotency_key = form.pop(session.IDEMPOTENCY_FIELD, "")
                target = session.CONSOLE_PATH + back.format(**request.path_params)
                response = RedirectResponse(target, status_code=303)
                try:
                    done = await handler(console, form)
                except (ApiError, FormError) as error:
                    session.flash(request, response, str(error), error=True)
                else:
                    session.flash(request, response, done)
                return response

            return await _as_staff(request, needs, run)

        return endpoint

    return decorate


def csrf_refused(request: Request, operator: Operator | None) -> Response:
    return refused(
        request,
        operator,
        title="The form was refused",
        why="It did not carry this browser's CSRF token: it expired, or it was sent from "
        "another site. Reload the page and send the form again.",
    )


async def _as_staff(
    request: Request, needs: str, run: Callable[[Console], Awaitable[Response]]
) -> Response:
    operator, tokens = await _signed_in(request)
    if operator is None:
        response: Response = RedirectResponse(LOGIN_PATH, status_code=303)
        session.forget_session(request, response)
        return response
    if not is_staff(operator.roles):
        response = refused(
            request,
            operator,
            title="Staff only",
            why="The admin console is for staff (the admin or support role). Your account "
            "has neither: sign in with a staff account.",
        )
    elif not operator.permissions.may(needs):
        response = refused(
            request,
            operator,
            title="Not for your role",
            why=f"This page needs the {operator.permissions.needed_for(needs)} role; yours: "
            f"{', '.join(sorted(operator.roles))}.",
        )
    else:
        response = await run(Console(request, operator, ConsoleApi(request, token=operator.token)))
    if tokens is not None:
        session.keep_tokens(request, response, tokens)
    return response


async def _signed_in(request: Request) -> tuple[Operator | None, dict[str, Any] | None]:
    """The operator, refreshing an expired access token once with the refresh cookie."""
    operator = await session.operator_of(request)
    refresh_token = request.cookies.get(session.REFRESH_COOKIE)
    if operator is not None or not refresh_token:
        return operator, None
    try:
        tokens = await ConsoleApi(request, token=None).form(
            "/oauth/token", {"grant_type": "refresh_token", "refresh_token": refresh_token}
        )
    except ApiError:
        return None, None
    return await session.operator_of(request, str(tokens["access_token"])), tokens


@dataclass
class Section:
    """One API answer on a page: its data, or the API's error shown in its place."""

    data: dict[str, Any]
    error: ApiError | None = None


async def section(call: Awaitable[dict[str, Any]]) -> Section:
    """Awaits one API call; a refusal or failure becomes the section's error, not the page's."""
    try:
        return Section(await call)
    except ApiError as error:
        return Section({}, error)


async def section_if(allowed: bool, call: Callable[[], Awaitable[dict[str, Any]]]) -> Section:
    """`section(call())` when the operator may make the call; else an empty section."""
    return await section(call()) if allowed else Section({})


def query_of(request: Request, *names: str) -> dict[str, str]:
    """The named query parameters, trimmed (missing ones empty)."""
    return {name: request.query_params.get(name, "").strip() for name in names}
