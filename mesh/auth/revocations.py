"""Revoked users, as every token verifier applies them: a JetStream KV bucket held in memory.

The admin service writes one entry per user it suspends (`publish_revocation`); every process
that verifies access tokens (each service, the edge) loads the bucket when it starts and then
watches it (`RevocationWatcher`), so a suspension reaches them all within moments and a
restarted process knows every one. Checking a token is a dictionary lookup, never a call:

    revocations = Revocations()
    watcher = RevocationWatcher(nc, revocations)
    await watcher.start()                       # loads the bucket, then follows it
    revocations.check(subject, issued_at)       # raises Unauthenticated USER_SUSPENDED

While a user is suspended, every access token of theirs is refused (USER_SUSPENDED). Once the
suspension is lifted, tokens issued before it began stay refused (TOKEN_REVOKED) until they
expire on their own; tokens issued after it was lifted are accepted.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass

from nats.aio.client import Client as NATS
from nats.js.errors import BadRequestError, BucketNotFoundError
from nats.js.kv import KeyValue

from mesh.background import BackgroundLoopError
from mesh.errors import MESH_DOMAIN, Unauthenticated

logger = logging.getLogger("meshwork.revocations")

#: The KV bucket of revoked users: key = user id, value = a `Revocation` as JSON.
REVOCATIONS_BUCKET = "meshwork-revocations"
#: How long a lifted suspension still matters: past the longest access token's lifetime,
#: every token issued before the suspension has expired anyway.
DEFAULT_MEMORY_S = 3600.0


@dataclass(frozen=True, slots=True)
class Revocation:
    """One user's revocation: tokens issued before `revoked_at` (UNIX seconds) are refused,
    and every token while `suspended`."""

    user_id: str
    revoked_at: float
    suspended: bool = True
    suspension_id: str = ""

    def encode(self) -> bytes:
        return json.dumps(
            {
                "user_id": self.user_id,
                "revoked_at": self.revoked_at,
                "suspended": self.suspended,
                "suspension_id": self.suspension_id,
            }
        ).encode()

    @classmethod
    def decode(cls, data: bytes) -> Revocation:
        """The revocation a bucket entry holds; ValueError when it is not one."""
        try:
            raw = json.loads(data)
            return cls(
                user_id=str(raw["user_id"]),
                revoked_at=float(raw["revoked_at"]),
                suspended=bool(raw["suspended"]),
                suspension_id=str(raw.get("suspension_id", "")),
            )
        except (ValueError, KeyError, TypeError) as error:
            raise ValueError(f"not a revocation: {data[:100]!r} ({error})") from None


class Revocations:
    """The revoked users a process knows, by user id (filled by `RevocationWatcher`).

    A lifted suspension is forgotten `memory_s` after it began (by `clock`): every access
    token issued before it has expired by then.
    """

    def __init__(
        self, *, memory_s: float = DEFAULT_MEMORY_S, clock: Callable[[], float] = time.time
    ) -> None:
        self._by_user: dict[str, Revocation] = {}
        self._memory_s = memory_s
        self._clock = clock

    def __len__(self) -> int:
        return len(self._by_user)

    def apply(self, revocation: Revocation) -> None:
        """Records a user's revocation (a newer entry replaces the older one)."""
        if self._obsolete(revocation):
            self._by_user.pop(revocation.user_id, None)
        else:
            self._by_user[revocation.user_id] = revocation

    def forget(self, user_id: str) -> None:
        """Drops a user's entry (its key was deleted from the bucket)."""
        self._by_user.pop(user_id, None)

    def check(self, subject: str, issued_at: float) -> None:
        """Raises Unauthenticated if the access token of `subject` issued at `issued_at`
        (its `iat`, UNIX seconds) is revoked."""
        revocation = self._by_user.get(subject)
        if revocation is None:
            return
        if revocation.suspended:
            raise Unauthenticated(
                "the account is suspended: its access tokens are refused",
                reason="USER_SUSPENDED",
                domain=MESH_DOMAIN,
            )
        if self._obsolete(revocation):
            del self._by_user[subject]
        # `iat` has whole seconds: a token issued in the second the suspension began counts
        # as issued after it (its session was revoked, so it cannot be refreshed).
        elif issued_at < int(revocation.revoked_at):
            raise Unauthenticated(
                "this access token was issued before the account's suspension and is revoked: "
                "log in again",
                reason="TOKEN_REVOKED",
                domain=MESH_DOMAIN,
            )

    def _obsolete(self, revocation: Revocation) -> bool:
        return not revocation.suspended and (revocation.revoked_at + self._memory_s < self._clock())


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
