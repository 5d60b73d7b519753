"""Messages and their delivery attempts: states, retries with backoff, interrupted sends (pure)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from services.notifications.domain import (
    Category,
    Channel,
    MessageState,
    Outcome,
    SuppressionReason,
)

#: The longest error text kept on a message or attempt.
ERROR_MAX = 1000

UNCONFIRMED = (
    "delivery unconfirmed: the sender stopped after handing the message to the transport "
    "and before its answer; it is not sent again, to avoid a duplicate"
)
INTERRUPTED = "interrupted: the sender stopped before the transport accepted the message"


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """Exponential backoff with jitter between delivery attempts, and when to give up.

    After failed attempt ``n`` the next one waits between half and all of
    ``min(max_delay_s, initial_delay_s * 2 ** (n - 1))`` ("equal jitter"), so the retries of
    many messages that failed together spread out instead of arriving together.
    """

    max_attempts: int = 8
    initial_delay_s: float = 5.0
    max_delay_s: float = 1800.0

    def __post_init__(self) -> None:
        if self.max_attempts < 1 or not 0 < self.initial_delay_s <= self.max_delay_s:
            raise ValueError("need max_attempts >= 1 and 0 < initial_delay_s <= max_delay_s")

    def delay(self, attempt: int, jitter: float) -> timedelta:
        """The wait after failed attempt `attempt`; `jitter` is uniform in [0, 1)."""
        ceiling = min(self.max_delay_s, self.initial_delay_s * 2 ** max(attempt - 1, 0))
        return timedelta(seconds=ceiling / 2 + ceiling / 2 * jitter)

    def gives_up_after(self, attempt: int) -> bool:
        return attempt >= self.max_attempts


@dataclass(slots=True)
class Message:
    """One notification to one recipient on one channel, rendered, with its delivery state."""

    id: str
    #: What caused it: ``reaction:<name>`` for an event, ``send:<service>`` for SendNotification.
    source: str
    #: The event id, or the caller's idempotency key; unique per source and channel.
    source_key: str
    user_id: str
    template_id: str
    channel: Channel
    category: Category
    recipient: str
    locale: str
    subject: str
    text_body: str
    html_body: str
    state: MessageState
    create_time: datetime
    update_time: datetime
    suppression_reason: SuppressionReason | None = None
    attempt_count: int = 0
    last_error: str = ""
    send_time: datetime | None = None
    #: When the sender may next try it (QUEUED only).
    next_attempt_time: datetime | None = None

    @property
    def final(self) -> bool:
        return self.state is not MessageState.QUEUED

    def delivered(self, *, now: datetime, note: str = "") -> None:
        self.state = MessageState.SENT
        self.send_time = self.update_time = now
        self.next_attempt_time = None
        self.last_error = note

    def attempt_failed(
        self, error: str, *, permanent: bool, now: datetime, policy: RetryPolicy, jitter: float
    ) -> None:
        """Records a failed attempt: FAILED when permanent or out of attempts, else a retry."""
        self.last_error = error[:ERROR_MAX]
        self.update_time = now
        if permanent or policy.gives_up_after(self.attempt_count):
            self.state = MessageState.FAILED
            self.next_attempt_time = None
        else:
            self.next_attempt_time = now + policy.delay(self.attempt_count, jitter)


@dataclass(slots=True)
class Attempt:
    """One try to hand a message to its transport."""

    id: str
    message_id: str
    number: int
    transport: str
    start_time: datetime
    outcome: Outcome | None = None
    error: str = ""
    provider_message_id: str = ""
    #: When the message was handed over: from then on the transport may have accepted it.
    handover_time: datetime | None = None
    end_time: datetime | None = None

    def succeeded(self, provider_message_id: str, *, now: datetime, note: str = "") -> None:
        self.outcome = Outcome.SUCCEEDED
        self.provider_message_id = provider_message_id or self.provider_message_id
        self.error = note
        self.end_time = now

    def failed(self, error: str, *, now: datetime) -> None:
        self.outcome = Outcome.FAILED
        self.error = error[:ERROR_MAX]
        self.end_time = now


def resolve_interrupted(
    message: Message,
    attempt: Attempt,
    *,
    deduplicates: bool,
    now: datetime,
    policy: RetryPolicy,
    jitter: float,
) -> None:
    """Settles an attempt whose sender died before recording how it ended.

    Before the handover nothing can have been delivered, so the message is retried at once
    (the attempt still counts, so a message that crashes its sender runs out). After
    it, the transport may have accepted the message: a transport that deduplicates (the
    mailbox) gets it again harmlessly; for the others (SMTP, SMS) a duplicate to a person is
    worse than the very unlikely loss, so the message counts as sent, marked unconfirmed.
    """
    if attempt.handover_time is not None and not deduplicates:
        attempt.succeeded("", now=now, note=UNCONFIRMED)
        message.delivered(now=now, note=UNCONFIRMED)
        return
    attempt.failed(INTERRUPTED, now=now)
    message.attempt_failed(INTERRUPTED, permanent=False, now=now, policy=policy, jitter=jitter)
    if not message.final:
        message.next_attempt_time = now  # not the transport's fault: no need to back off
