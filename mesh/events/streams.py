"""Idempotent start-up declarations: event streams, the dead-letter stream, durable consumers."""

from __future__ import annotations

from collections.abc import Sequence

from nats.js import JetStreamContext
from nats.js.api import (
    AckPolicy,
    ConsumerConfig,
    ConsumerInfo,
    DeliverPolicy,
    StorageType,
    StreamConfig,
    StreamInfo,
)
from nats.js.errors import BadRequestError

from mesh.events.subjects import (
    DEAD_LETTER_STREAM,
    dead_letter_subjects,
    stream_name,
    stream_subjects,
)

#: How long JetStream remembers a Nats-Msg-Id: a relay re-publishing within it is deduplicated.
DEFAULT_DUPLICATE_WINDOW_S = 120.0
#: JetStream's error code for "stream name already in use with a different configuration".
_STREAM_NAME_IN_USE = 10058


async def ensure_stream(
    js: JetStreamContext,
    name: str,
    subjects: Sequence[str],
    *,
    duplicate_window_s: float = DEFAULT_DUPLICATE_WINDOW_S,
    max_age_s: float | None = None,
) -> StreamInfo:
    """Creates stream `name` on file storage, or updates it to this configuration.

    Safe to call on every start-up and from several processes at once.
    """
    config = StreamConfig(
        name=name,
        subjects=list(subjects),
        storage=StorageType.FILE,
        duplicate_window=duplicate_window_s,
        max_age=max_age_s,
    )
    try:
        return await js.add_stream(config)
    except BadRequestError as error:
        if error.err_code != _STREAM_NAME_IN_USE:
            raise
        return await js.update_stream(config)


async def ensure_event_stream(
    js: JetStreamContext,
    service: str,
    *,
    duplicate_window_s: float = DEFAULT_DUPLICATE_WINDOW_S,
    max_age_s: float | None = None,
) -> StreamInfo:
    """Declares the stream of the events `service` emits (``EVENTS_<SERVICE>``)."""
    return await ensure_stream(
        js,
        stream_name(service),
        stream_subjects(service),
        duplicate_window_s=duplicate_window_s,
        max_age_s=max_age_s,
    )


async def ensure_dead_letter_stream(js: JetStreamContext) -> StreamInfo:
    """Declares the stream every consumer parks its poison messages in (``DEAD_LETTERS``)."""
    return await ensure_stream(js, DEAD_LETTER_STREAM, dead_letter_subjects())


async def ensure_consumer(
    js: JetStreamContext,
    stream: str,
    name: str,
    *,
    filter_subjects: Sequence[str],
    ack_wait_s: float = 30.0,
    max_ack_pending: int = 1_000,
) -> ConsumerInfo:
    """Creates (or updates) durable pull consumer `name` on `stream` with explicit acks.

    `ack_wait_s` is how long a delivered, unacknowledged message waits before redelivery (a
    crashed worker). No ``max_deliver`` is set: the runtime dead-letters a message itself after
    its redelivery policy's attempts, so nothing ever stops being delivered silently.
    """
    config = ConsumerConfig(
        name=name,
        durable_name=name,
        ack_policy=AckPolicy.EXPLICIT,
        deliver_policy=DeliverPolicy.ALL,
        ack_wait=ack_wait_s,
        max_ack_pending=max_ack_pending,
        filter_subjects=list(filter_subjects),
    )
    return await js.add_consumer(stream, config)
