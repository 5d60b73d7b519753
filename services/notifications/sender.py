"""The sender: sends QUEUED messages when they are due, retrying durably, never twice.

Messages wait in the database, so a restart loses nothing. Each round claims due messages
with a conditional update (a lease: token and expiry), so two processes never send the same
message; sends them concurrently; and records each outcome. The handover to the transport is
recorded before it happens: a sender that dies mid-send leaves a lease that runs out, and
the next round settles the interrupted attempt (`delivery.resolve_interrupted`).
"""

from __future__ import annotations

import asyncio
import logging
import random
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from google.protobuf.message import Message as ProtoMessage

from mesh.background import BackgroundLoop, Backoff
from mesh.clock import utc_now
from mesh.db import UnitOfWork
from services.notifications import messages
from services.notifications.delivery import Attempt, Message, RetryPolicy, resolve_interrupted
from services.notifications.domain import Channel, MessageState
from services.notifications.repository import Due, MessageRepository
from services.notifications.transports.base import DeliveryError, Handover, Outgoing, Transport

logger = logging.getLogger("meshwork.notifications.sender")


class _HandoverNotRecordedError(Exception):
    """The handover could not be recorded, so the message was not handed over."""


@dataclass(slots=True)
class Claim:
    """A message this sender holds for one attempt."""

    message: Message
    attempt: Attempt
    lease: str


class MessageSender(BackgroundLoop):
    """Sends due messages in the background; `wake` it after committing new ones."""

    def __init__(
        self,
        unit_of_work: Callable[[], UnitOfWork],
        transports: Mapping[Channel, Transport],
        *,
        policy: RetryPolicy,
        interval_s: float = 1.0,
        batch_size: int = 16,
        lease_s: float = 60.0,
        stop_timeout_s: float = 10.0,
        clock: Callable[[], datetime] = utc_now,
        jitter: Callable[[], float] = random.random,
    ) -> None:
        super().__init__(
            "notifications-sender",
            backoff=Backoff(interval_s, max(interval_s, 30.0)),
            stop_timeout_s=stop_timeout_s,  # a send cut short keeps its lease: settled later
        )
        self._uow = unit_of_work
        self._transports = dict(transports)
        self._deduplicating = {t.name for t in transports.values() if t.deduplicates}
        self._policy = policy
        self._interval_s = interval_s
        self._batch_size = batch_size
        self._lease = timedelta(seconds=lease_s)
        self._send_timeout_s = lease_s / 3  # prepare + handover + complete end within the lease
        self._clock = clock
        self._jitter = jitter

    async def run_once(self) -> float:
        """Sends a batch; idles until woken, a retry falls due, or the interval ends."""
        claimed = await self.send_due()
        return 0.0 if claimed >= self._batch_size else await self._idle_s()

    async def release(self) -> None:
        """Closes the transports once the sends in flight are done."""
        for transport in self._transports.values():
            await transport.close()

    async def send_due(self) -> int:
        """Claims due messages and sends them; returns how many were claimed."""
        claims = await self._claim()
        await asyncio.gather(*(self._deliver(claim) for claim in claims))
        return len(claims)

    async def _idle_s(self) -> float:
        async with self._uow() as uow:
            due = await MessageRepository(uow.connection).next_due_time()
        if due is None:
            return self._interval_s
        return min(self._interval_s, max(0.0, (due - self._clock()).total_seconds()))

    # ---- claiming

    async def _claim(self) -> list[Claim]:
        now = self._clock()
        claims = []
        async with self._uow() as uow:
            repository = MessageRepository(uow.connection)
            for due in await repository.due(now, limit=self._batch_size):
                if (claim := await self._take(uow, repository, due, now)) is not None:
                    claims.append(claim)
            await uow.commit()
        return claims

    async def _take(
        self, uow: UnitOfWork, repository: MessageRepository, due: Due, now: datetime
    ) -> Claim | None:
        stale = due.stale_lease
        if stale is not None and not await self._recover(uow, repository, due.message, stale, now):
            return None
        return await self._reserve(repository, due.message, now)

    async def _recover(
        self, uow: UnitOfWork, repository: MessageRepository, message: Message, stale: str,
        now: datetime,
    ) -> bool:  # fmt: skip
        """Settles the attempt a dead sender left; True when the message is due again."""
        if not await repository.release(message.id, expected=stale):
            return False  # another sender recovered it first
        attempt = await repository.open_attempt(message.id)
        if attempt is not None:
            deduplicates = attempt.transport in self._deduplicating
            resolve_interrupted(
                message, attempt, deduplicates=deduplicates, now=now,
                policy=self._policy, jitter=self._jitter(),
            )  # fmt: skip
            logger.warning("message %s: attempt %d was interrupted", message.id, attempt.number)
            await repository.save_attempt(attempt)
            await repository.save(message)
            if (event := _final_event(message)) is not None:
                uow.add_event(event)
        due = message.next_attempt_time
        return not message.final and due is not None and due <= now

    async def _reserve(
        self, repository: MessageRepository, message: Message, now: datetime
    ) -> Claim | None:
        transport = self._transports[message.channel]
        message.attempt_count += 1
        message.update_time = now
        lease = uuid.uuid4().hex
        if not await repository.claim(message, expected=None, lease=lease, until=now + self._lease):
            return None
        attempt = Attempt(
            id=str(uuid.uuid4()),
            message_id=message.id,
            number=message.attempt_count,
            transport=transport.name,
            start_time=now,
        )
        await repository.add_attempt(attempt)
        return Claim(message, attempt, lease)

    # ---- sending

    async def _deliver(self, claim: Claim) -> None:
        transport = self._transports[claim.message.channel]
        try:
            async with asyncio.timeout(self._send_timeout_s):
                handover = await transport.prepare(_outgoing(claim.message))
        except Exception as error:  # nothing was handed over: a plain failed attempt
            await self._failed(claim, error)
            return
        try:
            provider_message_id = await self._hand_over(claim, handover)
        except DeliveryError as error:  # an explicit refusal: not delivered
            await self._failed(claim, error)
        except _HandoverNotRecordedError:
            return  # not sent; the lease runs out and the message is tried again
        except Exception as error:  # the outcome is in doubt
            await self._in_doubt(claim, transport, error)
        else:
            await self._settle(claim, lambda m, a, now: _succeeded(m, a, provider_message_id, now))

    async def _hand_over(self, claim: Claim, handover: Handover) -> str:
        """Records the handover, then completes it at once: the less time between the two,
        the smaller the window in which a crash could lose the message.

        The record's database connection is given back before completing: a transport may
        need one of its own (the mailbox writes its entry), and a round of deliveries each
        holding one while asking for another would wait on each other once a backlog fills
        the pool (every delivery timing out, round after round)."""
        claim.attempt.handover_time = self._clock()
        claim.attempt.provider_message_id = handover.provider_message_id
        try:
            async with self._uow() as uow:
                await MessageRepository(uow.connection).save_attempt(claim.attempt)
                await uow.commit()
        except Exception as error:
            logger.exception("message %s: handover not recorded; not sent", claim.message.id)
            await handover.abort()
            raise _HandoverNotRecordedError from error
        async with asyncio.timeout(self._send_timeout_s):
            return await handover.complete()

    async def _failed(self, claim: Claim, error: Exception) -> None:
        permanent = isinstance(error, DeliveryError) and error.permanent
        text = str(error) if isinstance(error, DeliveryError) else _describe(error)
        logger.info(
            "message %s: attempt %d failed: %s", claim.message.id, claim.attempt.number, text
        )

        def change(message: Message, attempt: Attempt, now: datetime) -> None:
            attempt.failed(text, now=now)
            message.attempt_failed(
                text, permanent=permanent, now=now, policy=self._policy, jitter=self._jitter()
            )

        await self._settle(claim, change)

    async def _in_doubt(self, claim: Claim, transport: Transport, error: Exception) -> None:
        if transport.deduplicates:
            await self._failed(claim, error)  # sending again cannot duplicate it
            return
        note = f"delivery unconfirmed: {_describe(error)}"
        logger.warning("message %s: %s; not sent again", claim.message.id, note)
        await self._settle(claim, lambda m, a, now: _succeeded(m, a, "", now, note=note))

    async def _settle(
        self, claim: Claim, change: Callable[[Message, Attempt, datetime], None]
    ) -> None:
        """Records the attempt's outcome, while this sender's claim still holds."""
        change(claim.message, claim.attempt, self._clock())
        try:
            async with self._uow() as uow:
                repository = MessageRepository(uow.connection)
                if not await repository.save(claim.message, lease=claim.lease):
                    logger.error("message %s: the claim was lost before settling", claim.message.id)
                    return
                await repository.save_attempt(claim.attempt)
                if (event := _final_event(claim.message)) is not None:
                    uow.add_event(event)
                await uow.commit()
        except Exception:  # the lease runs out and the next round settles the attempt
            logger.exception("message %s: could not record the outcome", claim.message.id)


def _succeeded(
    message: Message, attempt: Attempt, provider_message_id: str, now: datetime, *, note: str = ""
) -> None:
    attempt.succeeded(provider_message_id, now=now, note=note)
    message.delivered(now=now, note=note)


def _final_event(message: Message) -> ProtoMessage | None:
    if message.state is MessageState.SENT:
        return messages.message_sent(message)
    if message.state is MessageState.FAILED:
        return messages.message_failed(message)
    return None


def _outgoing(message: Message) -> Outgoing:
    return Outgoing(
        message_id=message.id,
        channel=message.channel,
        recipient=message.recipient,
        subject=message.subject,
        text_body=message.text_body,
        html_body=message.html_body,
    )


def _describe(error: BaseException) -> str:
    text = str(error) or "no detail"
    return f"{type(error).__name__}: {text}"
