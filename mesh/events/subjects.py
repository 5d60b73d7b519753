"""Where events live in NATS: subject, stream and dead-letter naming.

The convention, derived from an event's protobuf full name ``meshwork.<service>.<version>.<Event>``
(e.g. ``meshwork.users.v1.UserCreated``):

- event subject: ``events.<service>.<version>.<Event>`` (``events.users.v1.UserCreated``);
- the owning stream: ``EVENTS_<SERVICE>`` (``EVENTS_USERS``), capturing ``events.<service>.>``;
- dead letters: subject ``deadletter.<consumer>.<original subject>`` in the one stream
  ``DEAD_LETTERS`` (capturing ``deadletter.>``).

Each service owns one stream holding every event it emits; other services attach durable
consumers to it. Event types must be declared under ``meshwork.<service>.<version>`` (the
service's ``events.proto``).
"""

from __future__ import annotations

import re

from google.protobuf.descriptor import Descriptor
from google.protobuf.message import Message

EVENTS_PREFIX = "events"
DEAD_LETTER_PREFIX = "deadletter"
DEAD_LETTER_STREAM = "DEAD_LETTERS"

_TOKEN = re.compile(r"^[a-z][a-z0-9_]*$")
_CONSUMER = re.compile(r"^[A-Za-z0-9_-]+$")


def subject_for(event: Message | Descriptor | type[Message]) -> str:
    """The subject an event is published on: ``meshwork.users.v1.X`` → ``events.users.v1.X``."""
    full_name = _full_name(event)
    parts = full_name.split(".")
    if len(parts) != 4 or parts[0] != "meshwork" or not all(map(_TOKEN.match, parts[1:3])):
        raise ValueError(
            f"event type {full_name!r} is not named meshwork.<service>.<version>.<Event>: "
            "declare events in proto/meshwork/<service>/v1/events.proto"
        )
    return ".".join((EVENTS_PREFIX, *parts[1:]))


def service_of(event: Message | Descriptor | type[Message]) -> str:
    """The service that owns (emits) an event: ``meshwork.users.v1.X`` → ``users``."""
    return subject_for(event).split(".")[1]


def stream_name(service: str) -> str:
    """The stream holding a service's events: ``users`` → ``EVENTS_USERS``."""
    _check_service(service)
    return f"{EVENTS_PREFIX.upper()}_{service.upper()}"


def stream_subjects(service: str) -> list[str]:
    """The subjects a service's stream captures: ``users`` → ``["events.users.>"]``."""
    _check_service(service)
    return [f"{EVENTS_PREFIX}.{service}.>"]


def dead_letter_subject(consumer: str, subject: str) -> str:
    """Where `consumer` parks a message from `subject` it gave up on."""
    if not _CONSUMER.match(consumer):
        raise ValueError(f"consumer name {consumer!r} may use only letters, digits, - and _")
    return f"{DEAD_LETTER_PREFIX}.{consumer}.{subject}"


def dead_letter_subjects() -> list[str]:
    """The subjects the dead-letter stream captures."""
    return [f"{DEAD_LETTER_PREFIX}.>"]


def _full_name(event: Message | Descriptor | type[Message]) -> str:
    if isinstance(event, Descriptor):
        return event.full_name
    return event.DESCRIPTOR.full_name


def _check_service(service: str) -> None:
    if not _TOKEN.match(service):
        raise ValueError(f"service name {service!r} must be lower case letters, digits and _")
