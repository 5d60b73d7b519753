"""What the use cases need: units of work, the renderer, the users directory, a clock."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from mesh.clock import utc_now
from mesh.db import UnitOfWork
from services.notifications.recipients import UserDirectory
from services.notifications.rendering import Renderer


@dataclass
class Deps:
    """The handlers' dependencies, built once by bootstrap (or by a test)."""

    unit_of_work: Callable[[], UnitOfWork]
    renderer: Renderer
    users: UserDirectory
    #: Whether ListMailboxMessages has a mailbox to show.
    mailbox_enabled: bool = True
    clock: Callable[[], datetime] = field(default=utc_now)
    #: Units of work for use cases that only read: they take no write lock (on SQLite), so
    #: reads never queue behind the sender's writes. `unit_of_work` when not given.
    read_unit_of_work: Callable[[], UnitOfWork] | None = None

    def reading(self) -> UnitOfWork:
        """A unit of work for a use case that only reads."""
        return (self.read_unit_of_work or self.unit_of_work)()
