"""The endpoint behind every transcoded route: limits, auth, request message, upstream call."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from edge.auth import AUTHORIZATION_HEADER
from edge.forwarding import client_address, forwarded_metadata
from edge.runtime import quota_headers, runtime_of
from edge.transcoding.bindings import HttpBinding
from edge.transcoding.request import transcode_request
from edge.transcoding.response import response_json


async def transcode(
    request: Request, binding: HttpBinding, path_values: dict[str, str]
) -> Response:
    """Serves one HTTP binding. In order: the per-address (and strict) rate limit, the access
    token against the method's policy, the per-user limit, the request message (a bad one
    never reaches the service), then the upstream call under the method's deadline."""
    edge = runtime_of(request)
    strict = edge.is_strict(binding.rpc.full_name)
    by_address = await edge.limits.admit_address(client_address(request), strict=strict)
    user = await edge.auth.user_for(
        request.headers.get(AUTHORIZATION_HEADER),
        binding.contract.access,
        method=binding.rpc.full_name,
    )
    by_user = await edge.limits.admit_user(user.subject) if user else None
    message = transcode_request(
        binding,
        path_values=path_values,
        query=request.query_params.multi_items(),
        body=await request.body() if binding.body else b"",
        content_type=request.headers.get("content-type"),
    )
    reply = await edge.upstreams.call(
        binding.rpc,
        message,
        metadata=forwarded_metadata(request, user=user),
        timeout=edge.deadline_for(binding.contract),
    )
    headers = {**quota_headers(by_address, by_user), **NO_STORE}
    return JSONResponse(response_json(binding, reply), headers=headers)


#: API answers are the caller's own data, tokens among them (RFC 6749 §5.1): no cache keeps them.
NO_STORE = {"Cache-Control": "no-store"}
