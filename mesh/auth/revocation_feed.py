"""The revoked users over NATS: a JetStream KV bucket (one entry per user, the last value
kept) that the admin service writes and every token verifier loads and watches."""

from __future__ import annotations

import asyncio
import contextlib
import logging

from nats.aio.client import Client as NATS
from nats.js.errors import BadRequestError, BucketNotFoundError
from nats.js.kv import KeyValue

from mesh.auth.revocations import Revocation, Revocations
from mesh.background import BackgroundLoopError

logger = logging.getLogger("meshwork.revocations")

#: The KV bucket of revoked users: key = user id, value = a `Revocation` as JSON.
REVOCATIONS_BUCKET = "meshwork-revocations"


async def revocations_bucket(nc: NATS) -> KeyValue:
    """The revocations bucket, created on first use (file storage, the last value per user)."""
    js = nc.jetstream()
    try:
        return await js.key_value(REVOCATIONS_BUCKET)
    except BucketNotFoundError:
        pass
    with contextlib.suppress(BadRequestError):  # another process created it meanwhile
        return await js.create_key_value(bucket=REVOCATIONS_BUCKET, history=1)
    return await js.key_value(REVOCATIONS_BUCKET)


async def publish_revocation(nc: NATS, revocation: Revocation) -> None:
    """Writes a user's revocation to the bucket, for every verifier to apply."""
    bucket = await revocations_bucket(nc)
    await bucket.put(revocation.user_id, revocation.encode())


class RevocationWatcher:
    """Keeps `revocations` equal to the bucket: loads it at `start`, then follows updates.

    A background task for `mesh.service.Built.consumers` (or the edge's lifespan): `check`
    fails while the watch is broken, and the task re-subscribes after a failure.
    """

    name = "revocations"

    def __init__(self, nc: NATS, revocations: Revocations, *, retry_s: float = 1.0) -> None:
        self._nc = nc
        self.revocations = revocations
        self._retry_s = retry_s
        self._task: asyncio.Task[None] | None = None
        self._problem: str | None = "not started"
        self._loaded = asyncio.Event()

    async def start(self) -> None:
        """Starts watching; returns once the bucket's current entries are all applied."""
        self._task = asyncio.create_task(self._run(), name=self.name)
        await self._loaded.wait()

    async def stop(self) -> None:
        self._problem = "stopped"
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    async def check(self) -> None:
        if self._problem is not None:
            raise BackgroundLoopError(f"{self.name}: {self._problem}")

    async def _run(self) -> None:
        while True:
            try:
                await self._watch()
            except asyncio.CancelledError:
                raise
            except Exception as error:  # the watch broke: re-subscribe (reloads the bucket)
                self._problem = f"watch failed: {error!r}"
                logger.warning("revocations watch failed; retrying: %r", error)
                await asyncio.sleep(self._retry_s)

    async def _watch(self) -> None:
        bucket = await revocations_bucket(self._nc)
        watcher = await bucket.watchall()
        try:
            async for entry in watcher:  # ends only when the watcher is stopped
                if entry is None:  # the initial values are all in
                    self._problem = None
                    self._loaded.set()
                    continue
                self._apply(entry)
        finally:
            with contextlib.suppress(Exception):
                await watcher.stop()

    def _apply(self, entry: KeyValue.Entry) -> None:
        if entry.operation in ("DEL", "PURGE") or not entry.value:
            self.revocations.forget(entry.key)
            return
        try:
            self.revocations.apply(Revocation.decode(entry.value))
        except ValueError as error:
            logger.error("ignoring revocations entry %s: %s", entry.key, error)
