"""What every transport offers the sender: a two-step send, and errors that say what next.

    DeliveryError                 the transport did not take the message (certain)
    ├── TransientDeliveryError    it may take it later: retry with backoff
    └── PermanentDeliveryError    it never will (unknown mailbox, rejected number): FAILED

A send is split at the point of no return: `prepare` does everything that can fail without
the message being delivered (connect, authenticate, announce sender and recipient), and
`Handover.complete` hands it over. The sender records the handover in between, so after
a crash it knows whether the message may have gone out. Any other exception from `complete`
leaves the outcome in doubt.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from services.notifications.domain import Channel


class DeliveryError(Exception):
    """The transport did not take the message; `str(error)` is the provider's error text."""

    permanent = False


class TransientDeliveryError(DeliveryError):
    """The transport may take the message later (connection refused, 4xx SMTP, HTTP 5xx/429)."""


class PermanentDeliveryError(DeliveryError):
    """The transport will never take this message (5xx SMTP, HTTP 4xx other than 429)."""

    permanent = True


@dataclass(frozen=True, slots=True)
class Outgoing:
    """A rendered message on its way out."""

    message_id: str
    channel: Channel
    recipient: str
    subject: str
    text_body: str
    html_body: str = ""


class Handover(Protocol):
    """A prepared send, waiting for the word to go."""

    #: The provider's id of the message when known before it goes (the SMTP Message-ID).
    provider_message_id: str

    async def complete(self) -> str:
        """Hands the message over; returns the provider's id of the message."""
        ...

    async def abort(self) -> None:
        """Abandons the send; the message is not delivered."""
        ...


class Transport(Protocol):
    """A way out for one channel's messages."""

    #: "smtp", "sms" or "mailbox", as recorded on delivery attempts.
    name: str
    #: Whether handing the same message over twice delivers it once (then a send interrupted
    #: after the handover is simply repeated; otherwise it counts as delivered).
    deduplicates: bool

    async def prepare(self, message: Outgoing) -> Handover:
        """Gets ready to deliver `message`; raises DeliveryError when that cannot be done."""
        ...

    async def close(self) -> None:
        """Releases connections and clients."""
        ...
