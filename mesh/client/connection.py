"""How long a call waits for its callee's connection: a restart is waited out, an outage is not.

A callee that restarts (or hands its port to a successor) leaves its callers' channel briefly
without a connection. A call made then would fail at once with UNAVAILABLE, and a call that
is not idempotent is never retried. So a call first waits for the channel to connect, within
a budget counted from when the channel was first seen unconnected: callers of a callee that
comes back within the budget wait for it, and once the budget is spent (the callee is really
down) every call fails fast again, as the circuit breaker expects, until a connection is back.
A call that waited is then sent with `wait_for_ready`, so losing the connection again between
the wait and the send queues it (until its deadline) instead of failing it. The trade-off:
the first calls into an outage answer up to `budget_s` later than they would have.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable

import grpc

_READY = grpc.ChannelConnectivity.READY


class ConnectionWait:
    """The wait of the calls on one channel (set `channel` once it exists)."""

    def __init__(self, budget_s: float, *, clock: Callable[[], float] = time.monotonic) -> None:
        if budget_s < 0:
            raise ValueError(f"the connection wait budget must be >= 0 s, got {budget_s}")
        self.channel: grpc.aio.Channel | None = None
        self._budget_s = budget_s
        self._clock = clock
        self._unconnected_since: float | None = None

    async def ready(self, call_timeout_s: float | None) -> bool:
        """Whether the channel is connected, at once or within what is left of the budget
        (and of the call's `call_timeout_s`): True means the call may wait for it."""
        channel = self.channel
        if channel is None:
            return False
        state = channel.get_state(try_to_connect=True)
        if state is _READY:
            self._unconnected_since = None
            return True
        now = self._clock()
        if self._unconnected_since is None:
            self._unconnected_since = now
        budget = self._budget_s - (now - self._unconnected_since)
        if call_timeout_s is not None:
            budget = min(budget, call_timeout_s)
        if budget <= 0:
            return False
        try:
            async with asyncio.timeout(budget):
                while state is not _READY:
                    await channel.wait_for_state_change(state)
                    state = channel.get_state(try_to_connect=True)
        except TimeoutError:
            return False
        self._unconnected_since = None
        return True
