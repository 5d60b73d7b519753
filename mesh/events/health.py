"""Health of the event machinery, for the server's health monitor."""

from __future__ import annotations

from mesh.background import BackgroundLoopError


class EventsUnavailableError(BackgroundLoopError):
    """An outbox relay or consumer cannot do its job (NATS down, loop stopped, publish failing)."""
