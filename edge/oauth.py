"""POST /oauth/token: an OAuth 2.0 token endpoint (RFC 6749) over identity's Login and Refresh.

`grant_type=password` (username = email) and `grant_type=refresh_token`, form-encoded; errors
are RFC 6749 §5.2 bodies (`{"error": "invalid_grant", "error_description": ...}`). It is
what Swagger UI's Authorize button (the OAuth2 password flow) talks to.
"""

from __future__ import annotations

import time
from urllib.parse import parse_qsl

from google.protobuf.descriptor import MethodDescriptor
from google.protobuf.message import Message
from google.rpc import code_pb2
from starlette.requests import Request
from starlette.responses import JSONResponse

from edge.errors import UpstreamError
from edge.forwarding import client_address, forwarded_metadata
from edge.runtime import EdgeRuntime, quota_headers, runtime_of
from edge.upstreams import IDENTITY
from mesh.contracts import method_contract
from meshwork.identity.v1 import identity_service_pb2, resources_pb2

TOKEN_PATH = "/oauth/token"
FORM = "application/x-www-form-urlencoded"
LOGIN = IDENTITY.methods_by_name["Login"]
REFRESH = IDENTITY.methods_by_name["Refresh"]
_NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}

#: gRPC status of identity's answer → (HTTP status, RFC 6749 error code).
_OAUTH_ERRORS = {
    code_pb2.INVALID_ARGUMENT: (400, "invalid_request"),
    code_pb2.UNAUTHENTICATED: (400, "invalid_grant"),
    code_pb2.PERMISSION_DENIED: (400, "invalid_grant"),
    code_pb2.NOT_FOUND: (400, "invalid_grant"),
    code_pb2.FAILED_PRECONDITION: (400, "invalid_grant"),
    code_pb2.RESOURCE_EXHAUSTED: (429, "temporarily_unavailable"),
    code_pb2.UNAVAILABLE: (503, "temporarily_unavailable"),
    code_pb2.DEADLINE_EXCEEDED: (503, "temporarily_unavailable"),
}


class OAuthError(Exception):
    """A token request refused with an RFC 6749 error."""

    def __init__(self, error: str, description: str, *, status: int = 400) -> None:
        super().__init__(description)
        self.error = error
        self.description = description
        self.status = status


async def token(request: Request) -> JSONResponse:
    """Issues tokens for a password or refresh_token grant."""
    edge = runtime_of(request)
    quota = await edge.limits.admit_address(client_address(request), strict=True)
    try:
        form = await _form(request)
        tokens = await _grant(edge, request, form)
    except OAuthError as error:
        refusal = {"error": error.error, "error_description": error.description}
        return JSONResponse(refusal, status_code=error.status, headers=_NO_STORE)
    body: dict[str, str | int] = {
        "access_token": tokens.access_token,
        "token_type": "Bearer",
        "expires_in": max(0, int(tokens.access_token_expire_time.ToSeconds() - time.time())),
        "refresh_token": tokens.refresh_token,
    }
    return JSONResponse(body, headers={**_NO_STORE, **quota_headers(quota)})


async def _form(request: Request) -> dict[str, str]:
    media = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if media != FORM:
        raise OAuthError("invalid_request", f"the token request must be {FORM}")
    try:
        pairs = parse_qsl((await request.body()).decode(), keep_blank_values=True)
    except (UnicodeDecodeError, ValueError) as error:
        raise OAuthError("invalid_request", f"the form cannot be read: {error}") from None
    form: dict[str, str] = {}
    for key, value in pairs:
        if key in form:
            raise OAuthError("invalid_request", f"parameter {key!r} is given more than once")
        form[key] = value
    return form


async def _grant(
    edge: EdgeRuntime, request: Request, form: dict[str, str]
) -> resources_pb2.SessionTokens:
    method, message = _identity_request(form)
    try:
        reply = await edge.upstreams.call(
            method,
            message,
            metadata=forwarded_metadata(request, user=None),
            timeout=edge.deadline_for(method_contract(method)),
        )
    except UpstreamError as error:
        status, code = _OAUTH_ERRORS.get(error.code, (500, "server_error"))
        description = error.status.message if status < 500 else "identity failed; retry later"
        raise OAuthError(code, description or code, status=status) from None
    assert isinstance(
        reply, identity_service_pb2.LoginResponse | identity_service_pb2.RefreshResponse
    )
    return reply.tokens


def _identity_request(form: dict[str, str]) -> tuple[MethodDescriptor, Message]:
    """Which identity RPC a grant calls, and with what."""
    grant_type = form.get("grant_type", "")
    if grant_type == "password":
        return LOGIN, identity_service_pb2.LoginRequest(
            email=_required(form, "username"), password=_required(form, "password")
        )
    if grant_type == "refresh_token":
        return REFRESH, identity_service_pb2.RefreshRequest(
            refresh_token=_required(form, "refresh_token")
        )
    if not grant_type:
        raise OAuthError("invalid_request", "grant_type is required")
    raise OAuthError(
        "unsupported_grant_type", f"grant_type {grant_type!r}: use password or refresh_token"
    )


def _required(form: dict[str, str], name: str) -> str:
    value = form.get(name, "")
    if not value:
        raise OAuthError("invalid_request", f"{name} is required")
    return value
