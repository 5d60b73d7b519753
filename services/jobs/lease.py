"""A leader lease in NATS KV: one jobs process at a time fires the cron schedules.

The lease is one key in a bucket whose entries expire after `ttl_s`. A process takes it with
`create` (succeeds only when the key is absent), keeps it by `update(last=revision)` every
third of the TTL (fails when anyone else wrote it since), and deletes it when it stops, so
another process takes over at once. A holder that cannot renew in time stops believing it
leads well before the key expires for the others. Firing is idempotent per tick as well, so
two schedulers overlapping in a handover still start each tick's job once.
"""

from __future__ import annotations

import contextlib
import logging
import time
import uuid
from collections.abc import Callable

from nats.aio.client import Client as NATS
from nats.js.errors import BadRequestError, KeyNotFoundError, KeyWrongLastSequenceError
from nats.js.kv import KeyValue

from mesh.background import BackgroundLoop

logger = logging.getLogger("meshwork.jobs")
LEASE_KEY = "cron-leader"
#: The share of the TTL a holder trusts its lease for after a successful write.
_TRUSTED_SHARE = 0.75


class KvLease(BackgroundLoop):
    """Takes the cron lease when it is free and renews it while this process holds it."""

    def __init__(
        self,
        nc: NATS,
        *,
        bucket: str,
        ttl_s: float,
        holder: str | None = None,
        on_acquired: Callable[[], None] = lambda: None,
        stop_timeout_s: float = 10.0,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        super().__init__("jobs-cron-lease", nc=nc, stop_timeout_s=stop_timeout_s)
        self.holder = holder or uuid.uuid4().hex
        self._js = nc.jetstream()
        self._bucket = bucket
        self._ttl_s = ttl_s
        self.on_acquired = on_acquired
        self._monotonic = monotonic
        self._kv: KeyValue | None = None
        self._revision: int | None = None
        self._trusted_until = 0.0

    @property
    def held(self) -> bool:
        """Whether this process leads now (and for a safe while yet)."""
        return self._revision is not None and self._monotonic() < self._trusted_until

    async def prepare(self) -> None:
        js = self._js
        try:
            self._kv = await js.create_key_value(bucket=self._bucket, ttl=self._ttl_s, history=1)
        except BadRequestError:  # exists with another configuration: use it as it is
            logger.warning("lease bucket %s exists with another configuration", self._bucket)
            self._kv = await js.key_value(self._bucket)

    async def run_once(self) -> float:
        if self._revision is None:
            await self._acquire()
        else:
            await self._renew()
        return self._ttl_s / 3

    async def release(self) -> None:
        revision, self._revision = self._revision, None
        if revision is not None and self._kv is not None:
            with contextlib.suppress(Exception):  # it expires on its own anyway
                await self._kv.delete(LEASE_KEY, last=revision)
                logger.info("released the cron lease")

    async def _acquire(self) -> None:
        started = self._monotonic()
        try:
            revision = await self._bucket_kv().create(LEASE_KEY, self.holder.encode())
        except (KeyWrongLastSequenceError, KeyNotFoundError):
            return  # someone else leads
        self._hold(revision, started)
        logger.info("took the cron lease (holder %s)", self.holder)
        self.on_acquired()

    async def _renew(self) -> None:
        started = self._monotonic()
        try:
            revision = await self._bucket_kv().update(
                LEASE_KEY, self.holder.encode(), last=self._revision
            )
        except KeyWrongLastSequenceError:
            self._revision = None
            logger.warning("lost the cron lease (it expired or another process took it)")
            return
        self._hold(revision, started)

    def _hold(self, revision: int, started: float) -> None:
        self._revision = revision
        self._trusted_until = started + self._ttl_s * _TRUSTED_SHARE

    def _bucket_kv(self) -> KeyValue:
        if self._kv is None:
            raise RuntimeError("the lease is not started")
        return self._kv
