"""An event on the wire: protobuf payload plus headers for type, identity, time and trace."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime

from google.protobuf.message import Message
from opentelemetry import propagate
from opentelemetry.context import Context

from mesh.context import current_principal, current_request_id
from mesh.events.subjects import subject_for

#: JetStream de-duplication key; the relay sets it to the event id.
MSG_ID_HEADER = "Nats-Msg-Id"
#: The event's identity, the key of the consumers' inbox.
EVENT_ID_HEADER = "Meshwork-Event-Id"
#: Protobuf full name of the payload, e.g. ``meshwork.users.v1.UserCreated``.
TYPE_HEADER = "Meshwork-Type"
#: When the change happened (RFC 3339, UTC).
OCCURRED_AT_HEADER = "Meshwork-Occurred-At"
#: Request id of the call that caused the event, when there was one.
REQUEST_ID_HEADER = "Meshwork-Request-Id"
#: The end user whose call caused the event, when there was one (the token's subject).
ACTOR_USER_HEADER = "Meshwork-Actor-User"
#: The service whose call caused the event, when another service called.
ACTOR_SERVICE_HEADER = "Meshwork-Actor-Service"


@dataclass(frozen=True, slots=True)
class Envelope:
    """One event on the wire: what the outbox stores, the relay publishes and a handler gets.

    A consumer's handler is called as ``handle(envelope, event, uow)``: the envelope says
    which event it is (`event_id`, `type_name`), when it happened (`occurred_at`), and which
    call caused it (`request_id`, `trace_context`).
    """

    event_id: str
    subject: str
    payload: bytes
    headers: dict[str, str] = field(default_factory=dict)
    created_at: datetime = field(default_factory=lambda: datetime.now(UTC))

    @classmethod
    def received(cls, subject: str, payload: bytes, headers: Mapping[str, str] | None) -> Envelope:
        """The envelope of a delivered message (its id from the event-id or message-id header)."""
        headers = dict(headers or {})
        event_id = headers.get(EVENT_ID_HEADER) or headers.get(MSG_ID_HEADER) or ""
        envelope = cls(event_id=event_id, subject=subject, payload=payload, headers=headers)
        return replace(envelope, created_at=envelope.occurred_at)

    @property
    def type_name(self) -> str:
        """Protobuf full name of the payload (``meshwork.users.v1.UserCreated``)."""
        return self.headers.get(TYPE_HEADER, "")

    @property
    def occurred_at(self) -> datetime:
        """When the change happened (UTC); when the header is missing or malformed, when the
        envelope was made."""
        try:
            moment = datetime.fromisoformat(self.headers.get(OCCURRED_AT_HEADER, ""))
        except ValueError:
            return self.created_at
        return moment if moment.tzinfo else moment.replace(tzinfo=UTC)

    @property
    def request_id(self) -> str:
        """Request id of the call that caused the event ("" when there was none)."""
        return self.headers.get(REQUEST_ID_HEADER, "")

    @property
    def actor_user(self) -> str:
        """The end user whose call caused the event ("" when none did)."""
        return self.headers.get(ACTOR_USER_HEADER, "")

    @property
    def actor_service(self) -> str:
        """The service whose call caused the event ("" when none did)."""
        return self.headers.get(ACTOR_SERVICE_HEADER, "")

    @property
    def trace_context(self) -> Context:
        """The OpenTelemetry context of the call that caused the event."""
        return trace_context_of(self.headers)


def envelope_for(event: Message, *, occurred_at: datetime | None = None) -> Envelope:
    """Wraps `event` with a fresh id, its subject and headers.

    The headers carry the type name, the occurrence time, the current request id, who called
    (the verified end user and calling service of the call being served), and the W3C
    trace context (``traceparent``/``tracestate``) of the current OpenTelemetry context, so a
    consumer continues the trace of the call that caused the event.
    """
    now = datetime.now(UTC)
    event_id = str(uuid.uuid4())
    headers = {
        EVENT_ID_HEADER: event_id,
        TYPE_HEADER: event.DESCRIPTOR.full_name,
        OCCURRED_AT_HEADER: (occurred_at or now).astimezone(UTC).isoformat(),
    }
    request_id = current_request_id()
    if request_id:
        headers[REQUEST_ID_HEADER] = request_id
    caller = current_principal()
    if caller.user is not None:
        headers[ACTOR_USER_HEADER] = caller.user.subject
    if caller.service:
        headers[ACTOR_SERVICE_HEADER] = caller.service
    propagate.inject(headers)
    return Envelope(
        event_id=event_id,
        subject=subject_for(event),
        payload=event.SerializeToString(),
        headers=headers,
        created_at=now,
    )


def trace_context_of(headers: Mapping[str, str] | None) -> Context:
    """The OpenTelemetry context carried by a message's headers (empty when none)."""
    return propagate.extract(dict(headers or {}))
