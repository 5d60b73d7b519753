"""A circuit breaker: stop calling a callee that keeps failing, then probe it with one call."""

from __future__ import annotations

import enum
import time
from collections.abc import Callable


class BreakerState(enum.StrEnum):
    """Where a breaker stands; the values are stable labels for metrics and readiness."""

    CLOSED = "closed"  # calls flow; consecutive failures are counted
    OPEN = "open"  # calls are refused until the reset timeout has passed
    HALF_OPEN = "half_open"  # one trial call decides between closed and open


class CircuitBreaker:
    """Counts consecutive failures of one callee and refuses calls while it looks down.

    closed --N consecutive failures--> open --reset timeout--> half-open (one trial call)
    half-open --trial succeeds--> closed;  half-open --trial fails--> open (timer restarts)

    The breaker is pure bookkeeping: the caller asks `allow()` before a call and reports the
    outcome with `record_success()`, `record_failure()` or `release()` (an outcome that says
    nothing about the callee's health, such as a cancellation). Which outcomes count as failures
    is the caller's decision. It is meant for one event loop and takes no locks.
    """

    def __init__(
        self,
        name: str,
        *,
        failure_threshold: int = 5,
        reset_timeout_s: float = 10.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if failure_threshold < 1:
            raise ValueError(f"failure_threshold must be at least 1, got {failure_threshold}")
        if reset_timeout_s <= 0:
            raise ValueError(f"reset_timeout_s must be positive, got {reset_timeout_s}")
        self.name = name
        self.failure_threshold = failure_threshold
        self.reset_timeout_s = reset_timeout_s
        self._clock = clock
        self._state = BreakerState.CLOSED
        self._failures = 0
        self._opened_at = 0.0
        self._trial_in_flight = False

    @property
    def state(self) -> BreakerState:
        """The current state; an open breaker whose reset timeout has passed reads half-open."""
        if self._state is BreakerState.OPEN and self.retry_after_s() == 0:
            return BreakerState.HALF_OPEN
        return self._state

    @property
    def consecutive_failures(self) -> int:
        """Failures since the last success (the streak that opened the breaker, when open)."""
        return self._failures

    def retry_after_s(self) -> float:
        """Seconds until an open breaker lets a trial call through (0 when not open)."""
        if self._state is not BreakerState.OPEN:
            return 0.0
        return max(0.0, self._opened_at + self.reset_timeout_s - self._clock())

    def allow(self) -> bool:
        """Whether a call may go ahead now; in half-open, only the first caller gets the trial."""
        state = self.state
        if state is BreakerState.CLOSED:
            return True
        if state is BreakerState.HALF_OPEN and not self._trial_in_flight:
            self._state = BreakerState.HALF_OPEN
            self._trial_in_flight = True
            return True
        return False

    def record_success(self) -> None:
        """The callee answered: close the breaker and forget the failure streak."""
        if self._state is BreakerState.OPEN:
            return  # a late answer to a call started before the breaker opened decides nothing
        self._state = BreakerState.CLOSED
        self._failures = 0
        self._trial_in_flight = False

    def record_failure(self) -> None:
        """The callee looked down: extend the streak and open at the threshold or on a trial."""
        if self._state is BreakerState.OPEN:
            return  # calls started before the breaker opened do not restart its timer
        self._failures += 1
        if self._state is BreakerState.HALF_OPEN or self._failures >= self.failure_threshold:
            self._open()

    def release(self) -> None:
        """The call ended without telling anything about the callee; free the trial slot."""
        self._trial_in_flight = False

    def describe_refusal(self) -> str:
        """Why `allow()` said no, phrased for the caller's error message."""
        cause = f"{self._failures} consecutive failures"
        if self._state is BreakerState.HALF_OPEN:
            return f"circuit half-open for {self.name}: {cause}; a trial call is in flight"
        return f"circuit open for {self.name}: {cause}; retrying after {self.retry_after_s():.1f}s"

    def _open(self) -> None:
        self._state = BreakerState.OPEN
        self._opened_at = self._clock()
        self._trial_in_flight = False
