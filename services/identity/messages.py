"""Between gRPC and the handlers: who is calling from where, and results as protos."""

from __future__ import annotations

import ipaddress

import grpc

from mesh.context import current_principal
from mesh.protobuf import timestamp_of
from meshwork.identity.v1 import identity_service_pb2 as pb
from meshwork.identity.v1 import resources_pb2
from services.identity.commands import Client, ServiceToken, SessionTokens, SessionView
from services.identity.domain import SessionStatus, SigningKey
from services.identity.handlers.common import revocation_reason_value

#: The client address as the edge saw it; the edge appends it, so the last entry is the edge's.
FORWARDED_FOR_KEY = "x-forwarded-for"
#: The end user's User-Agent as the edge received it (gRPC's own `user-agent` names the client
#: library, so the edge forwards the browser's under this key).
FORWARDED_USER_AGENT_KEY = "x-forwarded-user-agent"

_SESSION_STATES = {
    SessionStatus.ACTIVE: resources_pb2.SESSION_STATE_ACTIVE,
    SessionStatus.EXPIRED: resources_pb2.SESSION_STATE_EXPIRED,
    SessionStatus.REVOKED: resources_pb2.SESSION_STATE_REVOKED,
}
_KEY_STATES = {
    "pending": resources_pb2.SIGNING_KEY_STATE_PENDING,
    "active": resources_pb2.SIGNING_KEY_STATE_ACTIVE,
    "retired": resources_pb2.SIGNING_KEY_STATE_RETIRED,
}


def client_of(context: grpc.aio.ServicerContext, *, trusted_proxies: list[str]) -> Client:
    """The client's address: `x-forwarded-for` when a trusted proxy (the edge, proven by its
    service token) sent the call, else the connection's peer. Anyone else could forge it."""
    metadata = {key: value for key, value in context.invocation_metadata() or ()}
    forwarded = str(metadata.get(FORWARDED_FOR_KEY, ""))
    address = ""
    if forwarded and current_principal().service in trusted_proxies:
        address = forwarded.split(",")[-1].strip()
    address = _ip(address) or _ip(_peer_host(context.peer() or ""))
    agent = metadata.get(FORWARDED_USER_AGENT_KEY) or metadata.get("user-agent") or ""
    return Client(ip_address=address, user_agent=str(agent))


def _peer_host(peer: str) -> str:
    """The host of a gRPC peer string: "ipv4:1.2.3.4:5678" or "ipv6:[::1]:5678"."""
    kind, _, rest = peer.partition(":")
    if kind == "ipv6":
        return rest.rpartition(":")[0].strip("[]")
    return rest.rpartition(":")[0] if kind == "ipv4" else ""


def _ip(text: str) -> str:
    try:
        return str(ipaddress.ip_address(text))
    except ValueError:
        return ""


def tokens_proto(tokens: SessionTokens) -> resources_pb2.SessionTokens:
    return resources_pb2.SessionTokens(
        access_token=tokens.access_token,
        token_type="Bearer",
        access_token_expire_time=timestamp_of(tokens.access_token_expires_at),
        refresh_token=tokens.refresh_token,
        refresh_token_expire_time=timestamp_of(tokens.refresh_token_expires_at),
        session_id=tokens.session_id,
        user_id=tokens.user_id,
    )


def session_proto(view: SessionView) -> resources_pb2.Session:
    session = view.session
    return resources_pb2.Session(
        id=session.id,
        user_id=session.user_id,
        state=_SESSION_STATES[view.status],
        user_agent=session.user_agent,
        ip_address=session.ip_address,
        create_time=timestamp_of(session.created_at),
        expire_time=timestamp_of(session.expires_at),
        revocation_reason=revocation_reason_value(session.revocation_reason),
        current=view.current,
        last_refresh_time=timestamp_of(session.last_refresh_at),
        revoke_time=timestamp_of(session.revoked_at),
    )


def jwk_proto(jwk: dict[str, str]) -> resources_pb2.Jwk:
    fields = resources_pb2.Jwk.DESCRIPTOR.fields_by_name
    return resources_pb2.Jwk(**{name: value for name, value in jwk.items() if name in fields})


def signing_key_proto(key: SigningKey) -> resources_pb2.SigningKey:
    return resources_pb2.SigningKey(
        id=key.id,
        algorithm=key.algorithm,
        state=_KEY_STATES[key.state.value],
        public_key=jwk_proto(key.public_jwk),
        create_time=timestamp_of(key.created_at),
        activate_time=timestamp_of(key.activated_at),
        retire_time=timestamp_of(key.retired_at),
        expire_time=timestamp_of(key.expires_at),
    )


def service_token_proto(token: ServiceToken) -> pb.IssueServiceTokenResponse:
    return pb.IssueServiceTokenResponse(
        access_token=token.token, token_type="Bearer", expire_time=timestamp_of(token.expires_at)
    )
