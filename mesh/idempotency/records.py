"""Idempotency records in a service's own database: claim, replay, answer, purge."""

from __future__ import annotations

import asyncio
import logging
import secrets
from collections.abc import Awaitable, Callable
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol, TypeVar

import grpc
import sqlalchemy as sa
from google.protobuf.message import Message
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from mesh.clock import utc_now
from mesh.context import time_remaining
from mesh.db.tables import idempotency_table as _records
from mesh.idempotency.keys import (
    answer_lost,
    caller_of_current_call,
    fingerprint_of,
    in_use,
    key_of,
    key_reused,
)
from mesh.idempotency.purge import IdempotencyPurge

logger = logging.getLogger("meshwork.idempotency")

#: How long a record (and so a key) is kept after the first call.
RETENTION = timedelta(hours=24)
#: How long past its deadline a running call keeps its key before a retry may take it over.
_LEASE_GRACE = timedelta(seconds=10)
_DEFAULT_LEASE = timedelta(seconds=60)  # a call served without a deadline

RUNNING, COMMITTED, ANSWERED = "running", "committed", "answered"

Response = TypeVar("Response", bound=Message)


@dataclass(frozen=True, slots=True)
class Claim:
    """One call's hold on its key: who called, which method, the key, and the request."""

    caller: str
    method: str
    key: str
    fingerprint: str
    attempt: str

    def where(self) -> sa.ColumnElement[bool]:
        return sa.and_(
            _records.c.caller == self.caller,
            _records.c.method == self.method,
            _records.c.key == self.key,
        )

    def held(self) -> sa.ColumnElement[bool]:
        return sa.and_(self.where(), _records.c.attempt == self.attempt)

    @property
    def label(self) -> str:
        """What a sealed answer is bound to: it opens for this caller, method and key only."""
        return f"{self.caller}\n{self.method}\n{self.key}"


class AnswerSeal(Protocol):
    """Encrypts the stored answers of a method that returns secrets (tokens, say), with
    authenticated encryption: `label` is checked on opening, not hidden."""

    def seal(self, label: str, data: bytes, /) -> bytes: ...

    def open(self, label: str, sealed: bytes, /) -> bytes: ...


#: The claim of the idempotent call this task serves (None outside one).
_active: ContextVar[Claim | None] = ContextVar("meshwork_idempotency_claim", default=None)


async def mark_committed(connection: AsyncConnection) -> None:
    """Records, in the transaction of `connection`, that the idempotent call being served made
    its change: call it in the unit of work that commits the change. Does nothing outside an
    idempotent call.

    A retry then never runs the call again, even if this process dies before the answer is
    saved. Raises ABORTED (and so rolls the change back) when the call no longer holds its
    key: it ran so long past its deadline that a retry took the key over.
    """
    claim = _active.get()
    if claim is None:
        return
    marked = await connection.execute(
        sa.update(_records).where(claim.held()).values(state=COMMITTED)
    )
    if marked.rowcount != 1:
        raise in_use(claim.key)


class IdempotencyRecords:
    """The idempotency records of one service, in its own database.

    A call with an `idempotency-key` (the edge passes the `Idempotency-Key` header) is
    recorded under (caller, method, key), where the caller is the calling service and end
    user: two users' keys never meet. Then:

    - the same key with the same request (byte-equal deterministic serialization) answers
      the first call's response again, without running the method;
    - the same key with another request is refused: INVALID_ARGUMENT, IDEMPOTENCY_KEY_REUSED;
    - while the first call runs, the same key is refused: ABORTED, IDEMPOTENCY_KEY_IN_USE
      (retry shortly); a call that died holds its key until its deadline has passed;
    - a call that failed changed nothing (its transaction rolled back), so its record is
      dropped and a retry runs the method again: errors are not replayed, since most of them
      (UNAVAILABLE, ABORTED, a full quota) say to retry, and the others come out the same;
    - an empty key means no idempotency.

    The handler marks the record in the transaction of its change (`mark_committed`); the
    answer is saved right after, encrypted with `seal` when given (a service whose answers
    carry secrets, such as identity's tokens, passes its cipher). Records are kept for
    `retention` (24 hours), then purged by `purge_loop`, which the service's bootstrap runs
    with its other background tasks.
    """

    def __init__(
        self,
        engine: AsyncEngine,
        *,
        retention: timedelta = RETENTION,
        clock: Callable[[], datetime] = utc_now,
        seal: AnswerSeal | None = None,
    ) -> None:
        self._engine = engine
        self.retention = retention
        self._clock = clock
        self._seal = seal

    async def once(
        self,
        context: grpc.aio.ServicerContext,
        request: Message,
        response_type: type[Response],
        execute: Callable[[], Awaitable[Response]],
    ) -> Response:
        """Runs `execute` once per key (see the class); the method is the request's type."""
        key = key_of(context)
        if not key:
            return await execute()
        claim = Claim(
            caller_of_current_call(),
            request.DESCRIPTOR.full_name,
            key,
            fingerprint_of(request),
            secrets.token_hex(16),
        )
        replay = await self._claim(claim)
        if replay is not None:
            return response_type.FromString(replay)
        token = _active.set(claim)
        try:
            response = await execute()
        except BaseException:
            await asyncio.shield(self._release(claim))
            raise
        finally:
            _active.reset(token)
        await asyncio.shield(self._answer(claim, response))
        return response

    async def _claim(self, claim: Claim) -> bytes | None:
        """Takes the key for this call (None), or returns the first call's answer."""
        for _ in range(3):  # a record released between our insert and our read: claim again
            try:
                async with self._engine.begin() as connection:
                    await connection.execute(sa.insert(_records).values(self._row(claim)))
                return None
            except IntegrityError:
                pass
            found, answer = await self._existing(claim)
            if found:
                return answer
        raise in_use(claim.key)

    async def _existing(self, claim: Claim) -> tuple[bool, bytes | None]:
        """(False, None) if the record is gone; (True, answer), or (True, None) when this
        call took over the key of a call that died."""
        async with self._engine.begin() as connection:
            query = sa.select(_records).where(claim.where()).with_for_update()
            row = (await connection.execute(query)).one_or_none()
            if row is None:
                return False, None
            if row.fingerprint != claim.fingerprint:
                raise key_reused(claim.key)
            if row.state == ANSWERED:
                answer = bytes(row.response)
                return True, self._seal.open(claim.label, answer) if self._seal else answer
            if _aware(row.lease_until) > self._clock():
                raise in_use(claim.key)  # running, or committed and saving its answer
            if row.state == COMMITTED:
                raise answer_lost(claim.key)
            logger.warning("idempotency key taken over from a call that died: %s", claim.method)
            values = self._row(claim)
            del values["created_at"]  # the key's retention runs from its first use
            await connection.execute(sa.update(_records).where(claim.where()).values(values))
            return True, None

    def _row(self, claim: Claim) -> dict[str, Any]:
        now = self._clock()
        remaining = time_remaining()
        lease = _DEFAULT_LEASE if remaining is None else timedelta(seconds=remaining)
        return {
            "caller": claim.caller,
            "method": claim.method,
            "key": claim.key,
            "fingerprint": claim.fingerprint,
            "attempt": claim.attempt,
            "state": RUNNING,
            "response": None,
            "created_at": now,
            "lease_until": now + lease + _LEASE_GRACE,
        }

    async def _release(self, claim: Claim) -> None:
        """Drops the record of a call that failed before its change committed."""
        async with self._engine.begin() as connection:
            done = sa.delete(_records).where(claim.held(), _records.c.state == RUNNING)
            await connection.execute(done)

    async def _answer(self, claim: Claim, response: Message) -> None:
        async with self._engine.begin() as connection:
            answer = response.SerializeToString()
            if self._seal is not None:
                answer = self._seal.seal(claim.label, answer)
            answered = {"state": ANSWERED, "response": answer}
            await connection.execute(sa.update(_records).where(claim.held()).values(answered))

    async def purge(self) -> int:
        """Deletes the records older than the retention; returns how many."""
        cutoff = self._clock() - self.retention
        async with self._engine.begin() as connection:
            purged = await connection.execute(
                sa.delete(_records).where(_records.c.created_at < cutoff)
            )
        return int(purged.rowcount)

    def purge_loop(self, *, interval_s: float = 600.0) -> IdempotencyPurge:
        """The background task that purges expired records every `interval_s` seconds."""
        return IdempotencyPurge(self, interval_s=interval_s)


def _aware(moment: datetime) -> datetime:
    """SQLite hands timestamps back without their zone; they were written in UTC."""
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)
