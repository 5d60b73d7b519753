"""Durable pull consumers: decode, handle once (inbox), ack; redeliver or dead-letter failures."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

from google.protobuf import descriptor_pool, message_factory
from google.protobuf.message import DecodeError, Message
from nats.aio.client import Client as NATS
from nats.aio.msg import Msg
from nats.js import JetStreamContext
from nats.js.errors import NotFoundError
from opentelemetry import context as otel_context
from opentelemetry import trace

from mesh.background import BackgroundLoop, Backoff
from mesh.context import request_id_var
from mesh.db.uow import UnitOfWork
from mesh.events import inbox
from mesh.events.envelope import EVENT_ID_HEADER, Envelope
from mesh.events.health import EventsUnavailableError
from mesh.events.redelivery import RedeliveryPolicy, publish_dead_letter
from mesh.events.streams import ensure_consumer, ensure_dead_letter_stream, ensure_event_stream
from mesh.events.subjects import service_of, stream_name, stream_subjects, subject_for

logger = logging.getLogger("meshwork.events.consumer")

#: Handles one event, ``handle(envelope, event, uow)``, inside the unit of work the consumer
#: opened (and commits) for it; the envelope says which event it is and when it happened.
EventHandler = Callable[[Envelope, Any, UnitOfWork], Awaitable[None]]


async def close_subscription(
    nc: NATS, subscription: JetStreamContext.PullSubscription, *, timeout_s: float
) -> None:
    """Sends the acks still buffered, then unsubscribes (quietly: NATS may already be gone)."""
    try:
        await nc.flush(timeout=max(1, int(timeout_s)))
        await subscription.unsubscribe()
    except Exception as error:
        logger.info("could not unsubscribe from %s: %r", subscription, error)


class PoisonMessageError(Exception):
    """A message no retry can fix: missing headers, unknown type, undecodable payload."""


class Consumer(BackgroundLoop):
    """Feeds the events of one service's stream to their handlers through a durable consumer.

    ::

        async def on_user_created(envelope: Envelope, event: UserCreated, uow: UnitOfWork):
            ...

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

    A consumer of every event of a stream (an audit trail, a replica) gives
    ``every_event_of=<service>`` and one ``every_event`` handler instead of `handlers`: it gets
    each event decoded when its type is in this process's generated code, else None (the
    envelope still says what it is), so an event type added later is never dead-lettered.
    """

    unavailable_error = EventsUnavailableError

    def __init__(
        self,
        nc: NATS,
        uow_factory: Callable[[], UnitOfWork],
        *,
        name: str,
        handlers: Mapping[type[Message], EventHandler] | None = None,
        every_event_of: str | None = None,
        every_event: EventHandler | None = None,
        redelivery: RedeliveryPolicy | None = None,
        batch_size: int = 10,
        fetch_timeout_s: float = 1.0,
        ack_wait_s: float = 30.0,
        stop_timeout_s: float = 10.0,
    ) -> None:
        handlers = handlers or {}
        services = {service_of(event_type) for event_type in handlers}
        if every_event_of is not None:
            services.add(every_event_of)
        if len(services) != 1 or (every_event_of is None) != (every_event is None):
            raise ValueError(
                f"consumer {name!r} needs handlers for one service's events, got "
                f"{sorted(services) or 'none'}; use one Consumer per stream, and give "
                "every_event_of with every_event"
            )
        super().__init__(
            name, nc=nc, backoff=Backoff(fetch_timeout_s, 10.0), stop_timeout_s=stop_timeout_s
        )
        self.service = services.pop()
        self.stream = stream_name(self.service)
        self._handlers = {t.DESCRIPTOR.full_name: (t, h) for t, h in handlers.items()}
        self._every_event = every_event
        self._subjects = (
            stream_subjects(self.service)
            if every_event is not None
            else [subject_for(event_type) for event_type in handlers]
        )
        self._js: JetStreamContext = nc.jetstream()
        self._uow_factory = uow_factory
        self._redelivery = redelivery or RedeliveryPolicy()
        self._batch_size = batch_size
        self._fetch_timeout_s = fetch_timeout_s
        self._ack_wait_s = ack_wait_s
        self._tracer = trace.get_tracer("meshwork.events")
        self._subscription: JetStreamContext.PullSubscription | None = None

    async def prepare(self) -> None:
        """Declares the durable consumer (and the streams it needs), then binds to it."""
        await self.declare()
        self._subscription = await self._js.pull_subscribe_bind(
            durable=self.name, stream=self.stream
        )

    async def declare(self) -> None:
        """Declares the dead-letter stream, the source stream if missing, and the consumer."""
        await ensure_dead_letter_stream(self._js)
        if not await self._stream_exists():
            await ensure_event_stream(self._js, self.service)  # its owner may start later
        await ensure_consumer(
            self._js, self.stream, self.name,
            filter_subjects=self._subjects, ack_wait_s=self._ack_wait_s,
        )  # fmt: skip

    async def release(self) -> None:
        """Sends the last batch's acks, then unsubscribes."""
        subscription, self._subscription = self._subscription, None
        if subscription is not None and self._nc is not None:
            await close_subscription(self._nc, subscription, timeout_s=self._stop_timeout_s)

    async def run_once(self) -> float:
        """Fetches a batch and processes it; a failed settlement fails the iteration."""
        failures = []
        for msg in await self._fetch():
            try:
                await self.process(msg)
            except Exception as error:  # e.g. the ack could not be sent; JetStream redelivers
                failures.append(error)
        if failures:
            raise failures[-1]
        return 0.0  # the fetch itself waits for messages

    async def process(self, msg: Msg) -> None:
        """Handles one delivered message and settles it: ack, nak with delay or dead letter."""
        envelope = Envelope.received(msg.subject, msg.data, msg.headers)
        try:
            event, handler = self._decode(envelope)
        except PoisonMessageError as error:
            await self._dead_letter(msg, error)
            return
        context_token = otel_context.attach(envelope.trace_context)
        request_token = request_id_var.set(envelope.request_id)
        try:
            await self._handle_once(envelope, event, handler)
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
        try:
            with self.interruptible():  # waiting for messages: nothing in flight to finish
                return await self._subscription.fetch(
                    self._batch_size, timeout=self._fetch_timeout_s
                )
        except TimeoutError:
            return []  # nothing to do

    async def _stream_exists(self) -> bool:
        try:
            await self._js.stream_info(self.stream)
        except NotFoundError:
            return False
        return True

    def _decode(self, envelope: Envelope) -> tuple[Message | None, EventHandler]:
        if not envelope.event_id:
            raise PoisonMessageError(
                f"message on {envelope.subject} has no {EVENT_ID_HEADER} header"
            )
        type_name = envelope.type_name
        if self._every_event is not None:
            return self._decode_any(envelope), self._every_event
        if type_name not in self._handlers:
            raise PoisonMessageError(f"consumer {self.name} has no handler for {type_name!r}")
        event_type, handler = self._handlers[type_name]
        try:
            return event_type.FromString(envelope.payload), handler
        except DecodeError as error:
            raise PoisonMessageError(f"payload is not a valid {type_name}: {error}") from error

    @staticmethod
    def _decode_any(envelope: Envelope) -> Message | None:
        try:
            descriptor = descriptor_pool.Default().FindMessageTypeByName(envelope.type_name)
        except KeyError:
            return None  # a type this build does not know yet: the handler gets the envelope
        try:
            return message_factory.GetMessageClass(descriptor).FromString(envelope.payload)
        except DecodeError as error:
            raise PoisonMessageError(
                f"payload is not a valid {envelope.type_name}: {error}"
            ) from error

    async def _handle_once(
        self, envelope: Envelope, event: Message | None, handler: EventHandler
    ) -> None:
        name = f"{envelope.subject} process"
        with self._tracer.start_as_current_span(name, kind=trace.SpanKind.CONSUMER) as span:
            span.set_attribute("messaging.system", "nats")
            span.set_attribute("messaging.message.id", envelope.event_id)
            span.set_attribute("messaging.consumer.group.name", self.name)
            async with self._uow_factory() as uow:
                claimed = await inbox.claim(
                    uow.connection,
                    consumer=self.name,
                    event_id=envelope.event_id,
                    subject=envelope.subject,
                )
                if not claimed:
                    logger.info(
                        "event %s already handled by %s; acking", envelope.event_id, self.name
                    )
                    return
                await handler(envelope, event, uow)
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
