"""What a consumer does with a failing message: redeliver with backoff, then dead-letter it."""

from __future__ import annotations

import re
from dataclasses import dataclass

from nats.aio.msg import Msg
from nats.js import JetStreamContext

from mesh.events.envelope import MSG_ID_HEADER
from mesh.events.subjects import dead_letter_subject

DEAD_LETTER_CONSUMER_HEADER = "Meshwork-Dead-Letter-Consumer"
DEAD_LETTER_ERROR_HEADER = "Meshwork-Dead-Letter-Error"
DEAD_LETTER_ATTEMPTS_HEADER = "Meshwork-Dead-Letter-Attempts"
ORIGINAL_SUBJECT_HEADER = "Meshwork-Original-Subject"
ORIGINAL_STREAM_HEADER = "Meshwork-Original-Stream"
ORIGINAL_SEQUENCE_HEADER = "Meshwork-Original-Sequence"

_MAX_ERROR_LENGTH = 1_000
_NOT_COPIED = frozenset({MSG_ID_HEADER, "Status", "Description"})


@dataclass(frozen=True, slots=True)
class RedeliveryPolicy:
    """How often and how patiently a consumer retries a handler before giving up.

    After failed delivery number ``n`` (1-based) the message is redelivered after
    ``min(max_delay_s, initial_delay_s * multiplier ** (n - 1))``; once ``n`` reaches
    `max_attempts` it goes to the dead-letter stream instead.
    """

    max_attempts: int = 5
    initial_delay_s: float = 1.0
    max_delay_s: float = 60.0
    multiplier: float = 2.0

    def __post_init__(self) -> None:
        if self.max_attempts < 1:
            raise ValueError(f"max_attempts must be at least 1, got {self.max_attempts}")
        if not 0 < self.initial_delay_s <= self.max_delay_s:
            raise ValueError("need 0 < initial_delay_s <= max_delay_s")

    def gives_up(self, attempt: int) -> bool:
        """Whether failed delivery number `attempt` is the last one."""
        return attempt >= self.max_attempts

    def delay_s(self, attempt: int) -> float:
        """How long to wait before redelivering after failed delivery number `attempt`."""
        return min(self.max_delay_s, self.initial_delay_s * self.multiplier ** max(attempt - 1, 0))


def describe_error(error: BaseException) -> str:
    """One header-safe line saying what went wrong (no CR/LF, bounded length)."""
    text = re.sub(r"\s+", " ", f"{type(error).__name__}: {error}").strip()
    return text[:_MAX_ERROR_LENGTH]


async def publish_dead_letter(
    js: JetStreamContext, msg: Msg, *, consumer: str, error: BaseException
) -> None:
    """Copies `msg` to the dead-letter stream with why, where from and after how many attempts.

    The copy keeps the original payload and headers (type, event id, trace context), so it
    can be inspected and replayed; publishing it twice is de-duplicated by JetStream.
    """
    metadata = msg.metadata
    headers = {k: v for k, v in (msg.headers or {}).items() if k not in _NOT_COPIED}
    headers |= {
        DEAD_LETTER_CONSUMER_HEADER: consumer,
        DEAD_LETTER_ERROR_HEADER: describe_error(error),
        DEAD_LETTER_ATTEMPTS_HEADER: str(metadata.num_delivered),
        ORIGINAL_SUBJECT_HEADER: msg.subject,
        ORIGINAL_STREAM_HEADER: metadata.stream,
        ORIGINAL_SEQUENCE_HEADER: str(metadata.sequence.stream),
        MSG_ID_HEADER: f"{consumer}:{metadata.stream}:{metadata.sequence.stream}",
    }
    await js.publish(dead_letter_subject(consumer, msg.subject), msg.data, headers=headers)
