"""Webhook endpoints, which targets they may have, and how deliveries are signed (pure).

Signatures follow the Standard Webhooks specification (standardwebhooks.com): headers
`webhook-id`, `webhook-timestamp` (unix seconds) and `webhook-signature` =
`v1,<base64 HMAC-SHA256 of "<id>.<timestamp>.<body>">`, keyed with the bytes of the
endpoint's `whsec_<base64>` secret.
"""

from __future__ import annotations

import base64
import dataclasses
import hashlib
import hmac
import ipaddress
import secrets
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import SplitResult, urlsplit

SECRET_PREFIX = "whsec_"
SECRET_BYTES = 32
URL_MAX = 2048
DESCRIPTION_MAX = 500
EVENT_TYPES_MAX = 50
#: The fields UpdateWebhookEndpoint accepts in its update mask.
UPDATABLE_FIELDS = ("url", "description", "event_types", "enabled")
READ_ONLY_FIELDS = {"id", "secret", "created_by", "create_time", "update_time"}

IpAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


@dataclass(slots=True)
class WebhookEndpoint:
    """An outside URL told about domain events of the types it subscribes to."""

    id: str
    url: str
    event_types: tuple[str, ...]
    secret: str = dataclasses.field(repr=False)
    created_by: str
    create_time: datetime
    update_time: datetime
    description: str = ""
    enabled: bool = True

    def update(self, changes: dict[str, object], *, now: datetime) -> list[str]:
        """Sets the given fields; returns the names of those whose value changed."""
        changed = [name for name, value in changes.items() if getattr(self, name) != value]
        for name in changed:
            setattr(self, name, changes[name])
        if changed:
            self.update_time = now
        return changed

    def wants(self, event_type: str) -> bool:
        return self.enabled and event_type in self.event_types


def new_secret() -> str:
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(SECRET_BYTES)).decode()


def signature_headers(
    secret: str, *, message_id: str, timestamp: int, body: bytes
) -> dict[str, str]:
    """The Standard Webhooks headers for one delivery attempt."""
    key = base64.b64decode(secret.removeprefix(SECRET_PREFIX))
    signed = f"{message_id}.{timestamp}.".encode() + body
    digest = hmac.new(key, signed, hashlib.sha256).digest()
    return {
        "webhook-id": message_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": f"v1,{base64.b64encode(digest).decode()}",
    }


@dataclass(frozen=True, slots=True)
class TargetPolicy:
    """Where webhooks may go: https and public addresses only, unless configured otherwise."""

    allow_http: bool = False
    allow_private: bool = False

    def url_problem(self, url: str) -> str:
        """What is wrong with the URL itself (before resolving it), or ""."""
        if not url:
            return "is required"
        if len(url) > URL_MAX:
            return f"must be at most {URL_MAX} characters"
        parts = _split(url)
        schemes = ("https", "http") if self.allow_http else ("https",)
        if parts is None or not parts.hostname:
            return "is not an absolute URL such as https://example.com/webhooks"
        if parts.scheme not in schemes:
            return f"must use {' or '.join(schemes)} (got {parts.scheme or 'no scheme'!r})"
        if parts.username or parts.password:
            return "must not carry credentials; authenticate requests by their signature"
        if parts.fragment:
            return "must not have a #fragment"
        literal = _ip_literal(parts.hostname)
        if literal is not None:
            return self.address_problem(literal)
        return ""

    def address_problem(self, address: IpAddress) -> str:
        """Why webhooks may not go to `address`, or ""."""
        if self.allow_private:
            return ""
        unwrapped = getattr(address, "ipv4_mapped", None) or address
        kind = refused_kind(unwrapped)
        if kind:
            return f"resolves to {address}, a {kind} address; webhooks go to public addresses only"
        return ""


def refused_kind(address: IpAddress) -> str:
    """The kind of non-public address this is ("" for a public one)."""
    checks = (
        ("loopback", address.is_loopback),
        ("link-local", address.is_link_local),
        ("unspecified", address.is_unspecified),
        ("multicast", address.is_multicast),
        ("reserved", address.is_reserved),
        ("private", address.is_private),
        ("non-global", not address.is_global),
    )
    return next((kind for kind, applies in checks if applies), "")


def target_of(url: str) -> tuple[str, int]:
    """The host and port a (valid) URL connects to."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    return host, parts.port or (443 if parts.scheme == "https" else 80)


def _split(url: str) -> SplitResult | None:
    try:
        parts = urlsplit(url)
        _ = parts.port  # raises ValueError for a malformed port
    except ValueError:
        return None
    return parts


def _ip_literal(host: str) -> IpAddress | None:
    try:
        return ipaddress.ip_address(host)
    except ValueError:
        return None
