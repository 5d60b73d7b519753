"""One Starlette route serving every HTTP binding, matched most specific first."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from urllib.parse import quote

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Match
from starlette.types import Receive, Scope, Send

from edge.errors import MethodNotAllowed
from edge.middleware import ROUTE_SCOPE_KEY
from edge.transcoding.bindings import HttpBinding

#: Serves one matched binding: `await endpoint(request, binding, path_values)`.
Endpoint = Callable[[Request, HttpBinding, dict[str, str]], Awaitable[Response]]

BINDING_SCOPE_KEY = "meshwork.binding"
PATH_VALUES_SCOPE_KEY = "meshwork.path_values"
ALLOWED_SCOPE_KEY = "meshwork.allowed_methods"


class TranscodingRoute(BaseRoute):
    """Matches a request against every binding's path template; a path that matches with
    another HTTP method answers 405 with `Allow`. Verbs (`:signUp`) and more literal segments
    win over plain variables, so `/v1/users/{id}:suspend` is never read as `{id}`."""

    def __init__(self, bindings: Sequence[HttpBinding], endpoint: Endpoint) -> None:
        self.bindings = sorted(bindings, key=lambda binding: binding.template.specificity)
        self._endpoint = endpoint

    def matches(self, scope: Scope) -> tuple[Match, Scope]:
        if scope["type"] != "http":
            return Match.NONE, {}
        path, method = _raw_path(scope), _answered_as(scope["method"])
        allowed: list[str] = []
        for binding in self.bindings:
            values = binding.template.match(path)
            if values is None:
                continue
            if binding.http_method == method:
                return Match.FULL, {
                    BINDING_SCOPE_KEY: binding,
                    PATH_VALUES_SCOPE_KEY: values,
                    ROUTE_SCOPE_KEY: binding.template.source,
                }
            allowed.append(binding.http_method)
            if binding.http_method == "GET":
                allowed.append("HEAD")
        if allowed:
            return Match.PARTIAL, {ALLOWED_SCOPE_KEY: sorted(set(allowed))}
        return Match.NONE, {}

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        request = Request(scope, receive)
        binding = scope.get(BINDING_SCOPE_KEY)
        if binding is None or binding.http_method != _answered_as(scope["method"]):
            raise MethodNotAllowed(scope["method"], scope.get(ALLOWED_SCOPE_KEY, []))
        response = await self._endpoint(request, binding, scope[PATH_VALUES_SCOPE_KEY])
        await response(scope, receive, send)


def _answered_as(method: str) -> str:
    """HEAD is answered as GET (the server sends the headers alone, RFC 9110 §9.3.2)."""
    return "GET" if method == "HEAD" else method


def _raw_path(scope: Scope) -> str:
    raw = scope.get("raw_path")
    if raw:
        return raw.decode("latin-1").split("?", 1)[0]
    return quote(scope["path"])
