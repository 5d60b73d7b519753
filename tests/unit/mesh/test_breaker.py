"""The circuit breaker's state machine, driven by a fake clock."""

from __future__ import annotations

import pytest

from mesh.breaker import BreakerState, CircuitBreaker


class FakeClock:
    """A monotonic clock that moves only when the test says so."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


def make_breaker(clock: FakeClock, *, threshold: int = 3, reset_s: float = 10.0) -> CircuitBreaker:
    return CircuitBreaker(
        "ipv4:10.0.0.1:5001", failure_threshold=threshold, reset_timeout_s=reset_s, clock=clock
    )


def open_breaker(breaker: CircuitBreaker) -> None:
    for _ in range(breaker.failure_threshold):
        assert breaker.allow()
        breaker.record_failure()


# closed


def test_a_new_breaker_is_closed_and_allows_calls(clock: FakeClock) -> None:
    breaker = make_breaker(clock)
    assert breaker.state is BreakerState.CLOSED
    assert breaker.allow()
    assert breaker.retry_after_s() == 0


def test_failures_below_the_threshold_keep_it_closed(clock: FakeClock) -> None:
    breaker = make_breaker(clock, threshold=3)
    breaker.record_failure()
    breaker.record_failure()
    assert breaker.state is BreakerState.CLOSED
    assert breaker.consecutive_failures == 2


def test_a_success_resets_the_failure_streak(clock: FakeClock) -> None:
    breaker = make_breaker(clock, threshold=3)
    breaker.record_failure()
    breaker.record_failure()
    breaker.record_success()
    breaker.record_failure()
    breaker.record_failure()
    assert breaker.state is BreakerState.CLOSED
    assert breaker.consecutive_failures == 2


# open


def test_the_threshold_of_consecutive_failures_opens_it(clock: FakeClock) -> None:
    breaker = make_breaker(clock, threshold=3)
    open_breaker(breaker)
    assert breaker.state is BreakerState.OPEN
    assert not breaker.allow()


def test_an_open_breaker_says_when_it_will_retry(clock: FakeClock) -> None:
    breaker = make_breaker(clock, threshold=3, reset_s=10)
    open_breaker(breaker)
    clock.advance(4)
    assert breaker.retry_after_s() == pytest.approx(6)
    assert breaker.describe_refusal() == (
        "circuit open for ipv4:10.0.0.1:5001: 3 consecutive failures; retrying after 6.0s"
    )


def test_late_outcomes_of_calls_started_before_opening_change_nothing(clock: FakeClock) -> None:
    breaker = make_breaker(clock, reset_s=10)
    open_breaker(breaker)
    clock.advance(5)
    breaker.record_failure()
    breaker.record_success()
    assert breaker.state is BreakerState.OPEN
    assert breaker.retry_after_s() == pytest.approx(5)


# half-open


def test_after_the_reset_timeout_it_is_half_open(clock: FakeClock) -> None:
    breaker = make_breaker(clock, reset_s=10)
    open_breaker(breaker)
    clock.advance(10)
    assert breaker.state is BreakerState.HALF_OPEN


def test_half_open_lets_exactly_one_trial_call_through(clock: FakeClock) -> None:
    breaker = make_breaker(clock, reset_s=10)
    open_breaker(breaker)
    clock.advance(10)
    assert breaker.allow()
    assert not breaker.allow()
    assert "a trial call is in flight" in breaker.describe_refusal()


def test_a_successful_trial_closes_it(clock: FakeClock) -> None:
    breaker = make_breaker(clock, reset_s=10)
    open_breaker(breaker)
    clock.advance(10)
    assert breaker.allow()
    breaker.record_success()
    assert breaker.state is BreakerState.CLOSED
    assert breaker.consecutive_failures == 0
    assert breaker.allow()


def test_a_failed_trial_opens_it_again_for_a_full_reset_timeout(clock: FakeClock) -> None:
    breaker = make_breaker(clock, threshold=3, reset_s=10)
    open_breaker(breaker)
    clock.advance(12)
    assert breaker.allow()
    breaker.record_failure()
    assert breaker.state is BreakerState.OPEN
    assert breaker.consecutive_failures == 4
    assert breaker.retry_after_s() == pytest.approx(10)
    assert not breaker.allow()


def test_a_released_trial_lets_the_next_call_try(clock: FakeClock) -> None:
    breaker = make_breaker(clock, reset_s=10)
    open_breaker(breaker)
    clock.advance(10)
    assert breaker.allow()
    breaker.release()
    assert breaker.state is BreakerState.HALF_OPEN
    assert breaker.allow()


# configuration


@pytest.mark.parametrize(
    ("threshold", "reset_s"),
    [(0, 10.0), (3, 0.0)],
    ids=["no-failures-allowed", "no-reset-timeout"],
)
def test_nonsensical_settings_are_refused(threshold: int, reset_s: float) -> None:
    with pytest.raises(ValueError):
        CircuitBreaker("x", failure_threshold=threshold, reset_timeout_s=reset_s)


def test_states_have_stable_labels_for_metrics() -> None:
    assert [state.value for state in BreakerState] == ["closed", "open", "half_open"]
