"""The REST API as the console calls it: the edge's own routes, in process, as the operator."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import httpx
from opentelemetry import propagate, trace
from starlette.requests import Request

from edge.errors import request_id_of

#: Upper bound of one console call to the API (the API applies the methods' own deadlines).
API_TIMEOUT_S = 30.0

Params = Mapping[str, str | int | bool | None]


@dataclass
class ApiError(Exception):
    """The API refused or failed a call: its HTTP status, message and ErrorInfo reason."""

    status: int
    message: str
    reason: str = ""
    method: str = ""
    path: str = ""
    #: The trace of the console request the call was made in: its log lines share it.
    trace_id: str = ""

    def __str__(self) -> str:
        reason = f" {self.reason}" if self.reason else ""
        return f"{self.method} {self.path} answered {self.status}{reason}: {self.message}"


class ConsoleApi:
    """Calls the edge's REST routes in process for one console request.

    The calls go through the whole edge (middleware, rate limits, access policy, transcoding)
    as if a client had made them from the operator's address, with the operator's token, the
    console request's id and its trace context, so the API's logs tie them to the page.
    """

    def __init__(self, request: Request, *, token: str | None) -> None:
        self._request = request
        self._token = token
        #: Sent as Idempotency-Key with POSTs: the form's own key, so that a form sent twice
        #: (a double click, a resubmission) changes things once.
        self.idempotency_key = ""

    def _client(self) -> httpx.AsyncClient:
        client = self._request.client
        transport = httpx.ASGITransport(
            app=self._request.app,
            client=(client.host, client.port) if client else ("127.0.0.1", 0),
        )
        headers = {"X-Request-Id": request_id_of(self._request.scope)}
        propagate.inject(headers)
        if self._token:
            headers["Authorization"] = f"Bearer {self._token}"
        agent = self._request.headers.get("user-agent")
        if agent:
            headers["User-Agent"] = agent
        return httpx.AsyncClient(
            transport=transport,
            base_url=str(self._request.base_url),
            headers=headers,
            timeout=API_TIMEOUT_S,
        )

    async def get(self, path: str, params: Params | None = None) -> dict[str, Any]:
        return await self._call("GET", path, params=params)

    async def post(self, path: str, body: Mapping[str, Any] | None = None) -> dict[str, Any]:
        return await self._call("POST", path, json=dict(body or {}))

    async def delete(self, path: str, params: Params | None = None) -> dict[str, Any]:
        return await self._call("DELETE", path, params=params)

    async def form(self, path: str, fields: Mapping[str, str]) -> dict[str, Any]:
        """POSTs a form (the OAuth token endpoint)."""
        return await self._call("POST", path, data=dict(fields))

    async def _call(
        self,
        method: str,
        path: str,
        *,
        params: Params | None = None,
        json: Any = None,
        data: Mapping[str, str] | None = None,
    ) -> dict[str, Any]:
        query = {k: v for k, v in (params or {}).items() if v not in (None, "")}
        headers = {"Idempotency-Key": self.idempotency_key} if self.idempotency_key else {}
        async with self._client() as http:
            reply = await http.request(
                method, path, params=query, json=json, data=data, headers=headers
            )
        body = _json(reply)
        if reply.is_error:
            message, reason = _error_of(body, reply)
            raise ApiError(
                reply.status_code, message, reason, method=method, path=path, trace_id=_trace_id()
            )
        return body


def _trace_id() -> str:
    """The current trace's id in hex ('' outside a trace)."""
    context = trace.get_current_span().get_span_context()
    return format(context.trace_id, "032x") if context.is_valid else ""


def _json(reply: httpx.Response) -> dict[str, Any]:
    try:
        body = reply.json()
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}


def _error_of(body: dict[str, Any], reply: httpx.Response) -> tuple[str, str]:
    """The message and reason of an AIP-193 error body (or an OAuth one)."""
    error = body.get("error")
    if isinstance(error, dict):
        reasons = [d.get("reason", "") for d in error.get("details", []) if "reason" in d]
        return str(error.get("message", "")), reasons[0] if reasons else ""
    if isinstance(error, str):  # RFC 6749 token endpoint
        return str(body.get("error_description", error)), error.upper()
    return reply.text[:300] or reply.reason_phrase, ""
