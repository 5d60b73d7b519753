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
