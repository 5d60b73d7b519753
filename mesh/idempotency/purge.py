"""The background loop that deletes expired idempotency records."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from mesh.background import BackgroundLoop, Backoff

if TYPE_CHECKING:
    from mesh.idempotency.records import IdempotencyRecords

logger = logging.getLogger("meshwork.idempotency")


class IdempotencyPurge(BackgroundLoop):
    """Purges expired idempotency records every `interval_s` (a service's background loop)."""

    def __init__(self, records: IdempotencyRecords, *, interval_s: float) -> None:
        # A failed purge (the database down) is retried sooner than the next round is due.
        backoff = Backoff(initial_s=min(1.0, interval_s), max_s=interval_s)
        super().__init__("idempotency-purge", backoff=backoff)
        self._records = records
        self._interval_s = interval_s

    async def run_once(self) -> float:
        """Deletes the records past their retention; the next round comes after the interval."""
        purged = await self._records.purge()
        if purged:
            logger.info("purged %d expired idempotency records", purged)
        return self._interval_s
