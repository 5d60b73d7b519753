"""Retry backoff, message states and interrupted sends (pure)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from services.notifications.delivery import (
    INTERRUPTED,
    UNCONFIRMED,
    Attempt,
    Message,
    RetryPolicy,
    resolve_interrupted,
)
from services.notifications.domain import Category, Channel, MessageState, Outcome
from tests.unit.notifications.conftest import NOW

POLICY = RetryPolicy(max_attempts=4, initial_delay_s=10.0, max_delay_s=60.0)


def message(**overrides: object) -> Message:
    values: dict[str, object] = {
        "id": "m-1",
        "source": "send:identity",
        "source_key": "k",
        "user_id": "u-1",
        "template_id": "welcome",
        "channel": Channel.EMAIL,
        "category": Category.ACCOUNT,
        "recipient": "a@example.com",
        "locale": "en",
        "subject": "Hi",
        "text_body": "Hello",
        "html_body": "",
        "state": MessageState.QUEUED,
        "create_time": NOW,
        "update_time": NOW,
        "attempt_count": 1,
        "next_attempt_time": NOW,
    }
    return Message(**(values | overrides))  # type: ignore[arg-type]


class TestRetryPolicy:
    @pytest.mark.parametrize(("attempt", "ceiling"), [(1, 10), (2, 20), (3, 40), (4, 60), (9, 60)])
    def test_delays_double_up_to_the_maximum_with_jitter_in_the_upper_half(
        self, attempt: int, ceiling: float
    ) -> None:
        assert POLICY.delay(attempt, 0.0) == timedelta(seconds=ceiling / 2)
        assert POLICY.delay(attempt, 0.999999) <= timedelta(seconds=ceiling)

    def test_the_next_delay_is_never_shorter_than_the_last_below_the_cap(self) -> None:
        longest_first = POLICY.delay(1, 0.999999)
        shortest_second = POLICY.delay(2, 0.0)
        assert shortest_second >= longest_first

    def test_a_policy_needs_sensible_bounds(self) -> None:
        with pytest.raises(ValueError):
            RetryPolicy(max_attempts=0)
        with pytest.raises(ValueError):
            RetryPolicy(initial_delay_s=10, max_delay_s=1)


class TestMessageStates:
    def test_a_transient_failure_schedules_a_retry(self) -> None:
        queued = message()
        queued.attempt_failed("421 try later", permanent=False, now=NOW, policy=POLICY, jitter=0)
        assert queued.state is MessageState.QUEUED
        assert queued.next_attempt_time == NOW + timedelta(seconds=5)
        assert queued.last_error == "421 try later"

    def test_a_permanent_failure_or_the_last_attempt_ends_failed(self) -> None:
        refused = message()
        refused.attempt_failed("550 unknown", permanent=True, now=NOW, policy=POLICY, jitter=0)
        exhausted = message(attempt_count=4)
        exhausted.attempt_failed("421 later", permanent=False, now=NOW, policy=POLICY, jitter=0)
        assert refused.state is exhausted.state is MessageState.FAILED
        assert refused.next_attempt_time is exhausted.next_attempt_time is None


class TestInterruptedSends:
    def attempt(self, *, handed_over: bool) -> Attempt:
        return Attempt("a-1", "m-1", 1, "smtp", NOW, handover_time=NOW if handed_over else None)

    def test_before_the_handover_the_message_is_tried_again(self) -> None:
        interrupted, attempt = message(), self.attempt(handed_over=False)
        resolve_interrupted(
            interrupted, attempt, deduplicates=False, now=NOW, policy=POLICY, jitter=0
        )
        assert interrupted.state is MessageState.QUEUED
        assert interrupted.next_attempt_time == NOW
        assert (attempt.outcome, attempt.error) == (Outcome.FAILED, INTERRUPTED)

    def test_after_the_handover_it_counts_as_sent_rather_than_risk_a_duplicate(self) -> None:
        interrupted, attempt = message(), self.attempt(handed_over=True)
        resolve_interrupted(
            interrupted, attempt, deduplicates=False, now=NOW, policy=POLICY, jitter=0
        )
        assert interrupted.state is MessageState.SENT
        assert interrupted.last_error == attempt.error == UNCONFIRMED
        assert attempt.outcome is Outcome.SUCCEEDED

    def test_a_deduplicating_transport_simply_gets_it_again(self) -> None:
        interrupted, attempt = message(), self.attempt(handed_over=True)
        resolve_interrupted(
            interrupted, attempt, deduplicates=True, now=NOW, policy=POLICY, jitter=0
        )
        assert interrupted.state is MessageState.QUEUED
