"""The background task that deletes expired idempotency records."""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from mesh.idempotency.records import IdempotencyRecords

logger = logging.getLogger("meshwork.idempotency")


class IdempotencyPurge:
    """Purges expired idempotency records now and then (a service's background task)."""

    name = "idempotency purge"

    def __init__(self, records: IdempotencyRecords, *, interval_s: float) -> None:
        self._records = records
        self._interval_s = interval_s
        self._task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name=self.name)

    async def stop(self) -> None:
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)

    async def check(self) -> None:
        if self._task is None or self._task.done():
            raise RuntimeError("the idempotency purge is not running")

    async def _run(self) -> None:
        while True:
            try:
                purged = await self._records.purge()
                if purged:
                    logger.info("purged %d expired idempotency records", purged)
            except Exception:  # the database may be back by the next round
                logger.exception("purging idempotency records failed")
            await asyncio.sleep(self._interval_s)
