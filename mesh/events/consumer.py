"""Durable pull consumers: decode, handle once (inbox), ack; redeliver or dead-letter failures."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

from google.protobuf.message import DecodeError, Message
from nats.aio.client import Client as NATS
from nats.aio.msg import Msg
from nats.js import JetStreamContext
from nats.js.errors import NotFoundError
from opentelemetry import context as otel_context
from opentelemetry import trace

from mesh.context import request_id_var
from mesh.db.uow import UnitOfWork
from mesh.events import inbox
from mesh.events.envelope import (
    EVENT_ID_HEADER,
    MSG_ID_HEADER,
    REQUEST_ID_HEADER,
    TYPE_HEADER,
    trace_context_of,
)
from mesh.events.health import EventsUnavailableError, problem_of
from mesh.events.redelivery import RedeliveryPolicy, publish_dead_letter
from mesh.events.streams import ensure_consumer, ensure_dead_letter_stream, ensure_event_stream
from mesh.events.subjects import service_of, stream_name, subject_for

logger = logging.getLogger("meshwork.events.consumer")

#: Handles one event inside the unit of work the consumer opened (and commits) for it.
EventHandler = Callable[[Any, UnitOfWork], Awaitable[None]]


class PoisonMessageError(Exception):
    """A message no retry can fix: missing headers, unknown type, undecodable payload."""


class Consumer:
    """Feeds the events of one service's stream to their handlers through a durable consumer.

    ::

        consumer = Consumer(nc, uow_factory, name="notifications-on-users",
                            handlers={UserCreated: on_user_created})
        await consumer.start()   # declares the durable consumer, then fetches in the background
        ...
        await consumer.stop()    # finishes the batch in flight, then unsubscribes

    Every event is handled in its own unit of work, which also records the event in the inbox
    table: the handler's effects and "handled" commit together, so a redelivered event is
    acknowledged without running the handler again. The handler must not commit; the consumer
    commits after it returns, then acks. A failing handler is retried by ``nak`` with the
    `redelivery` policy's growing delay; after its last attempt the message is copied to the
    dead-letter stream and terminated, so the messages behind it keep flowing. The handler runs
    in the trace (W3C ``traceparent`` header) and request id of the call that emitted the event.
    """

    def __init__(
        self,
        nc: NATS,
        uow_factory: Callable[[], UnitOfWork],
        *,
        name: str,
        handlers: Mapping[type[Message], EventHandler],
        redelivery: RedeliveryPolicy | None = None,
        batch_size: int = 10,
        fetch_timeout_s: float = 1.0,
        ack_wait_s: float = 30.0,
    ) -> None:
        services = {service_of(event_type) for event_type in handlers}
        if len(services) != 1:
            raise ValueError(
                f"consumer {name!r} needs handlers for one service's events, got "
                f"{sorted(services) or 'none'}; use one Consumer per stream"
            )
        self.name = name
        self.service = services.pop()
        self.stream = stream_name(self.service)
        self._handlers = {t.DESCRIPTOR.full_name: (t, h) for t, h in handlers.items()}
        self._subjects = [subject_for(event_type) for event_type in handlers]
        self._nc = nc
        self._js: JetStreamContext = nc.jetstream()
        self._uow_factory = uow_factory
        self._redelivery = redelivery or RedeliveryPolicy()
        self._batch_size = batch_size
        self._fetch_timeout_s = fetch_timeout_s
        self._ack_wait_s = ack_wait_s
        self._tracer = trace.get_tracer("meshwork.events")
        self._subscription: JetStreamContext.PullSubscription | None = None
        self._task: asyncio.Task[None] | None = None
        self._stopping = False
        self._fetching = False
        self._last_error: BaseException | None = None

    async def start(self) -> None:
        """Declares the durable consumer (and streams it needs), then consumes in the background."""
        await self.declare()
        self._subscription = await self._js.pull_subscribe_bind(
            durable=self.name, stream=self.stream
        )
        self._stopping = False
        self._task = asyncio.create_task(self.run(), name=f"consumer-{self.name}")

    async def declare(self) -> None:
        """Declares the dead-letter stream, the source stream if missing, and the consumer."""
        await ensure_dead_letter_stream(self._js)
        if not await self._stream_exists():
            await ensure_event_stream(self._js, self.service)  # its owner may start later
        await ensure_consumer(
            self._js, self.stream, self.name,
            filter_subjects=self._subjects, ack_wait_s=self._ack_wait_s,
        )  # fmt: skip

    async def stop(self, *, timeout_s: float = 10.0) -> None:
        """Finishes the messages in flight, then stops fetching and unsubscribes."""
        task, self._task = self._task, None
        if task is not None:
            self._stopping = True
            if self._fetching:
                task.cancel()  # idle in a fetch: nothing in flight to finish
            done, _ = await asyncio.wait({task}, timeout=timeout_s)
            if not done:
                task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        if self._subscription is not None:
            subscription, self._subscription = self._subscription, None
            with contextlib.suppress(Exception):  # the connection may already be closed
                await self._nc.flush(timeout=max(1, int(timeout_s)))  # last batch's acks go out
                await subscription.unsubscribe()

    async def run(self) -> None:
        """Fetches and processes batches until `stop`."""
        while not self._stopping:
            messages = await self._fetch()
            for msg in messages:
                try:
                    await self.process(msg)
                except Exception as error:  # e.g. the ack could not be sent; JetStream redelivers
                    self._record(error)

    @property
    def healthy(self) -> bool:
        """Whether the consumer runs, NATS is connected and the last fetch succeeded."""
        return problem_of(self._nc, self._task, self._last_error) is None

    async def check(self) -> None:
        """Health probe: raises `EventsUnavailableError` unless `healthy`."""
        problem = problem_of(self._nc, self._task, self._last_error)
        if problem is not None:
            raise EventsUnavailableError(f"consumer {self.name}: {problem}")

    async def process(self, msg: Msg) -> None:
        """Handles one delivered message and settles it: ack, nak with delay or dead letter."""
        try:
            event_id, event, handler = self._decode(msg)
        except PoisonMessageError as error:
            await self._dead_letter(msg, error)
            return
        headers = msg.headers or {}
        context_token = otel_context.attach(trace_context_of(headers))
        request_token = request_id_var.set(headers.get(REQUEST_ID_HEADER, ""))
        try:
            await self._handle_once(msg.subject, event_id, event, handler)
        except Exception as error:
            await self._retry_or_dead_letter(msg, error)
            return
        finally:
            request_id_var.reset(request_token)
            otel_context.detach(context_token)
        await msg.ack()

    async def _fetch(self) -> list[Msg]:
        if self._subscription is None:
            raise RuntimeError("the consumer is not started")
        self._fetching = True
        try:
            messages = await self._subscription.fetch(
                self._batch_size, timeout=self._fetch_timeout_s
            )
        except TimeoutError:
            return []  # nothing to do
        except Exception as error:
            self._record(error)
            await asyncio.sleep(self._fetch_timeout_s)  # back off before fetching again
            return []
        finally:
            self._fetching = False
        self._last_error = None
        return messages

    async def _stream_exists(self) -> bool:
        try:
            await self._js.stream_info(self.stream)
        except NotFoundError:
            return False
        return True

    def _decode(self, msg: Msg) -> tuple[str, Message, EventHandler]:
        headers = msg.headers or {}
        event_id = headers.get(EVENT_ID_HEADER) or headers.get(MSG_ID_HEADER)
        if not event_id:
            raise PoisonMessageError(f"message on {msg.subject} has no {EVENT_ID_HEADER} header")
        type_name = headers.get(TYPE_HEADER, "")
        if type_name not in self._handlers:
            raise PoisonMessageError(f"consumer {self.name} has no handler for {type_name!r}")
        event_type, handler = self._handlers[type_name]
        try:
            return event_id, event_type.FromString(msg.data), handler
        except DecodeError as error:
            raise PoisonMessageError(f"payload is not a valid {type_name}: {error}") from error

    async def _handle_once(
        self, subject: str, event_id: str, event: Message, handler: EventHandler
    ) -> None:
        name = f"{subject} process"
        with self._tracer.start_as_current_span(name, kind=trace.SpanKind.CONSUMER) as span:
            span.set_attribute("messaging.system", "nats")
            span.set_attribute("messaging.message.id", event_id)
            span.set_attribute("messaging.consumer.group.name", self.name)
            async with self._uow_factory() as uow:
                claimed = await inbox.claim(
                    uow.connection, consumer=self.name, event_id=event_id, subject=subject
                )
                if not claimed:
                    logger.info("event %s already handled by %s; acking", event_id, self.name)
                    return
                await handler(event, uow)
                await uow.commit()

    async def _retry_or_dead_letter(self, msg: Msg, error: Exception) -> None:
        attempt = msg.metadata.num_delivered
        if self._redelivery.gives_up(attempt):
            await self._dead_letter(msg, error)
            return
        delay_s = self._redelivery.delay_s(attempt)
        logger.warning(
            "%s failed on %s (attempt %d/%d), redelivering in %.2fs: %r",
            self.name, msg.subject, attempt, self._redelivery.max_attempts, delay_s, error,
        )  # fmt: skip
        await msg.nak(delay=delay_s)

    async def _dead_letter(self, msg: Msg, error: Exception) -> None:
        try:
            await publish_dead_letter(self._js, msg, consumer=self.name, error=error)
        except Exception:
            logger.exception("%s could not dead-letter a message from %s", self.name, msg.subject)
            await msg.nak(delay=self._redelivery.max_delay_s)
            return
        logger.error("%s dead-lettered a message from %s: %r", self.name, msg.subject, error)
        await msg.term()

    def _record(self, error: BaseException) -> None:
        if self._last_error is None:
            logger.warning("consumer %s failing: %r", self.name, error)
        self._last_error = error
