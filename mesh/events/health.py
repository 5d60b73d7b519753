"""Health of the event machinery, for the server's health monitor."""

from __future__ import annotations

import asyncio

from nats.aio.client import Client as NATS


class EventsUnavailableError(Exception):
    """An outbox relay or consumer cannot do its job (NATS down, loop stopped, publish failing)."""


def problem_of(
    nc: NATS, task: asyncio.Task[None] | None, last_error: BaseException | None
) -> str | None:
    """What keeps a background event loop from working, or None when it works."""
    if not nc.is_connected:
        return "not connected to NATS"
    if task is None or task.done():
        return "not running"
    if last_error is not None:
        return f"last attempt failed: {last_error!r}"
    return None
