"""What travels upstream with each call: the request id, the user's token, the client's address
and user agent (identity trusts these from the edge only), and the client's idempotency key."""

from __future__ import annotations

import re

from starlette.requests import Request

from edge.errors import EDGE_DOMAIN, request_id_of
from mesh.context import IDEMPOTENCY_KEY, REQUEST_ID_KEY, USER_AUTHORIZATION_KEY, User
from mesh.idempotency import malformed_key, well_formed

FORWARDED_FOR_KEY = "x-forwarded-for"
FORWARDED_USER_AGENT_KEY = "x-forwarded-user-agent"
_UNPRINTABLE = re.compile(r"[^\x20-\x7e]")


def client_address(request: Request) -> str:
    """The client's IP address (uvicorn resolves X-Forwarded-For of trusted proxies)."""
    return request.client.host if request.client else ""


def forwarded_metadata(request: Request, *, user: User | None) -> list[tuple[str, str]]:
    """The gRPC metadata of an upstream call made for `request` (the service token and the
    trace context are added by the channel's interceptors)."""
    metadata = [(REQUEST_ID_KEY, request_id_of(request.scope))]
    if user is not None:
        metadata.append((USER_AUTHORIZATION_KEY, f"Bearer {user.token}"))
    chain = request.headers.get(FORWARDED_FOR_KEY)
    address = client_address(request)
    # identity takes the last entry, the address the edge itself saw; earlier ones are hearsay.
    metadata.append((FORWARDED_FOR_KEY, f"{_printable(chain)}, {address}" if chain else address))
    agent = request.headers.get("user-agent")
    if agent:
        metadata.append((FORWARDED_USER_AGENT_KEY, _printable(agent)[:512]))
    key = request.headers.get("idempotency-key")
    if key is not None:
        metadata.append((IDEMPOTENCY_KEY, _idempotency_key(key)))
    return metadata


def _idempotency_key(key: str) -> str:
    if not well_formed(key):  # an empty header too: a client that sends one means a key
        raise malformed_key("Idempotency-Key header", domain=EDGE_DOMAIN)
    return key


def _printable(text: str) -> str:
    return _UNPRINTABLE.sub("?", text)
