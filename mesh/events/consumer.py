"""Durable pull consumers: decode, handle once (inbox), ack; redeliver or dead-letter failures."""

from __future__ import annotations

import functools
import logging
import time
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
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
from mesh.logs import log_structured

logger = logging.getLogger("meshwork.events.consumer")

#: The outcomes of a delivery, as the per-event log line names them.
HANDLED = "handled"
DUPLICATE = "duplicate_skipped"
RETRIED = "retried"
DEAD_LETTERED = "dead_lettered"
_OUTCOME_LEVELS = {
    HANDLED: logging.INFO,
    DUPLICATE: logging.INFO,
    RETRIED: logging.WARNING,
    DEAD_LETTERED: logging.ERROR,
}

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


@dataclass(slots=True)
class _Timing:
    """How long handling an event took and the trace it ran in (set when the handler ran)."""

    started: float = 0.0
    duration_s: float = 0.0
    trace_id: int = 0

    def begin(self) -> None:
        self.started = time.perf_counter()

    def end(self) -> None:
        self.duration_s = time.perf_counter() - self.started


@dataclass(frozen=True, slots=True)
class _Delivery:
    """A delivered message, decoded: its envelope, event and handler."""

    msg: Msg
    envelope: Envelope
    event: Message | None
    handler: EventHandler
    timing: _Timing


class _HandlerFailedError(Exception):
    """The handler of a batch's `index`-th delivery raised `error`."""

    def __init__(self, index: int, error: Exception) -> None:
        super().__init__(index, error)
        self.index = index
        self.error = error


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

    A fetched batch (up to `batch_size`) is handled in one unit of work, which also records its
    events in the inbox table with one insert: the handlers' effects and "handled" commit
    together, so a redelivered event is acknowledged without running its handler again. The
    events of a batch are handled one after another in delivery order (a subject's events keep
    their order). The handler must not commit; the consumer commits after the batch, then
    acks. When a handler fails, the batch is rolled back, that event is retried later and the
    others are handled again one per unit of work. A failing handler is retried by ``nak`` with the
    `redelivery` policy's growing delay; after its last attempt the message is copied to the
    dead-letter stream and terminated, so the messages behind it keep flowing. The handler runs
    in the trace (W3C ``traceparent`` header) and request id of the call that emitted the event:
    its span is a child of, and links to, the span that emitted the event, and the events the
    handler adds carry the handler's span, so the trace goes on through them.

    Each delivery settled is logged once, after its unit of work commits, as one JSON line on
    ``meshwork.events.consumer``: ``event_type``, ``event_id``, ``outcome`` (handled,
    duplicate_skipped, retried, dead_lettered), ``duration_ms`` (the handler's run; for a
    delivery handled alone, its whole unit of work), ``trace_id`` and ``consumer``.

    A consumer of every event of a stream (an audit trail, a replica) gives
    ``every_event_of=<service>`` and one ``every_event`` handler instead of `handlers`: it gets
    each event decoded when its type is in this process's generated code, else None (the
    envelope still says what it is), so an event type added later is never dead-lettered.

    Spans go to `tracer_provider` (default: the global one).
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
        batch_size: int = 50,
        fetch_timeout_s: float = 1.0,
        ack_wait_s: float = 30.0,
        stop_timeout_s: float = 10.0,
        tracer_provider: trace.TracerProvider | None = None,
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
        self._tracer = trace.get_tracer("meshwork.events", tracer_provider=tracer_provider)
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
        await self.process_batch(await self._fetch())
        return 0.0  # the fetch itself waits for messages

    async def process_batch(self, msgs: Sequence[Msg]) -> None:
        """Handles a fetched batch in one unit of work with one inbox insert, then acks it.

        The events are handled in delivery order, so a subject's events keep their order.
        When a handler fails, the batch's unit of work is rolled back: that event is retried
        later (or dead-lettered) as if handled alone, and the others are processed again one
        per unit of work (`process`), so they commit. Messages no retry can fix are
        dead-lettered first.
        """
        decoded: list[_Delivery] = []
        for msg in msgs:
            envelope = Envelope.received(msg.subject, msg.data, msg.headers)
            try:
                event, handler = self._decode(envelope)
            except PoisonMessageError as error:
                await self._dead_letter(msg, error, envelope)
                continue
            decoded.append(_Delivery(msg, envelope, event, handler, _Timing()))
        if len(decoded) < 2:
            await self._settle([functools.partial(self.process, d.msg) for d in decoded])
            return
        try:
            claimed = await self._handle_batch_once(decoded)
        except _HandlerFailedError as failed:
            # The batch was rolled back: the events before the failing one are handled
            # again one by one, the failing one is retried later, the rest one by one.
            steps = [functools.partial(self.process, d.msg) for d in decoded]
            failing = decoded[failed.index]
            steps[failed.index] = functools.partial(
                self._retry_or_dead_letter,
                failing.msg, failed.error, failing.envelope, failing.timing,
            )  # fmt: skip
            await self._settle(steps)
        except Exception as error:  # the inbox or the commit failed: one by one
            logger.info("%s: a batch of %d failed (%r); handling its events one by one",
                        self.name, len(decoded), error)  # fmt: skip
            await self._settle([functools.partial(self.process, d.msg) for d in decoded])
        else:
            for index, delivery in enumerate(decoded):
                outcome = HANDLED if index in claimed else DUPLICATE
                self._log(delivery.envelope, outcome, delivery.timing)
            await self._settle([d.msg.ack for d in decoded])

    async def process(self, msg: Msg) -> None:
        """Handles one delivered message and settles it: ack, nak with delay or dead letter."""
        envelope = Envelope.received(msg.subject, msg.data, msg.headers)
        try:
            event, handler = self._decode(envelope)
        except PoisonMessageError as error:
            await self._dead_letter(msg, error, envelope)
            return
        timing = _Timing()
        timing.begin()
        try:
            handled = await self._handle_once(envelope, event, handler, timing)
        except Exception as error:
            timing.end()
            await self._retry_or_dead_letter(msg, error, envelope, timing)
            return
        timing.end()
        self._log(envelope, HANDLED if handled else DUPLICATE, timing)
        await msg.ack()

    @staticmethod
    async def _settle(steps: Sequence[Callable[[], Awaitable[None]]]) -> None:
        """Runs every step; a failure (e.g. an ack that could not be sent, which JetStream
        redelivers) does not stop the others, and the last one is raised at the end."""
        failures = []
        for step in steps:
            try:
                await step()
            except Exception as error:
                failures.append(error)
        if failures:
            raise failures[-1]

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
        self, envelope: Envelope, event: Message | None, handler: EventHandler, timing: _Timing
    ) -> bool:
        """Handles the event in a unit of work of its own; False when it was already handled."""
        async with self._uow_factory() as uow:
            claimed = await inbox.claim(
                uow.connection,
                consumer=self.name,
                event_id=envelope.event_id,
                subject=envelope.subject,
            )
            if not claimed:
                return False
            await self._run_handler(envelope, event, handler, uow, timing)
            await uow.commit()
            return True

    async def _handle_batch_once(self, deliveries: Sequence[_Delivery]) -> set[int]:
        """Handles the batch in one unit of work; returns the indexes of the deliveries
        handled (the others were already handled, or are copies of one in the batch)."""
        handled: set[int] = set()
        async with self._uow_factory() as uow:
            claimed = await inbox.claim_many(
                uow.connection,
                consumer=self.name,
                events=[(d.envelope.event_id, d.envelope.subject) for d in deliveries],
            )
            for index, delivery in enumerate(deliveries):
                if delivery.envelope.event_id not in claimed:
                    continue
                claimed.discard(delivery.envelope.event_id)  # a copy in the batch is skipped
                delivery.timing.begin()
                try:
                    await self._run_handler(
                        delivery.envelope, delivery.event, delivery.handler, uow, delivery.timing
                    )
                except Exception as error:
                    raise _HandlerFailedError(index, error) from error
                finally:
                    delivery.timing.end()
                handled.add(index)
            await uow.commit()
        return handled

    async def _run_handler(
        self,
        envelope: Envelope,
        event: Message | None,
        handler: EventHandler,
        uow: UnitOfWork,
        timing: _Timing,
    ) -> None:
        """Runs `handler` in the trace and request id of the call that emitted the event, in
        a span that is a child of the emitting span and links to it."""
        parent = envelope.trace_context
        context_token = otel_context.attach(parent)
        request_token = request_id_var.set(envelope.request_id)
        producer = trace.get_current_span(parent).get_span_context()
        links = [trace.Link(producer)] if producer.is_valid else None
        try:
            name = f"{envelope.subject} process"
            with self._tracer.start_as_current_span(
                name, kind=trace.SpanKind.CONSUMER, links=links
            ) as span:
                timing.trace_id = span.get_span_context().trace_id
                span.set_attribute("messaging.system", "nats")
                span.set_attribute("messaging.message.id", envelope.event_id)
                span.set_attribute("messaging.consumer.group.name", self.name)
                await handler(envelope, event, uow)
        finally:
            request_id_var.reset(request_token)
            otel_context.detach(context_token)

    def _log(
        self, envelope: Envelope, outcome: str, timing: _Timing | None, error: str = ""
    ) -> None:
        """The one log line of a settled delivery (see the class's description)."""
        trace_id = timing.trace_id if timing is not None else 0
        if not trace_id:
            trace_id = trace.get_current_span(envelope.trace_context).get_span_context().trace_id
        fields: dict[str, Any] = {
            "event_type": envelope.type_name,
            "event_id": envelope.event_id,
            "outcome": outcome,
            "duration_ms": round(timing.duration_s * 1000, 3) if timing is not None else 0.0,
            "consumer": self.name,
        }
        if trace_id:
            fields["trace_id"] = format(trace_id, "032x")
        if error:
            fields["error"] = error
        log_structured(logger, _OUTCOME_LEVELS[outcome], f"event {outcome}", fields)

    async def _retry_or_dead_letter(
        self, msg: Msg, error: Exception, envelope: Envelope, timing: _Timing
    ) -> None:
        attempt = msg.metadata.num_delivered
        if self._redelivery.gives_up(attempt):
            await self._dead_letter(msg, error, envelope, timing)
            return
        delay_s = self._redelivery.delay_s(attempt)
        self._log(envelope, RETRIED, timing, (
            f"attempt {attempt}/{self._redelivery.max_attempts} failed, redelivering in "
            f"{delay_s:.2f}s: {error!r}"
        ))  # fmt: skip
        await msg.nak(delay=delay_s)

    async def _dead_letter(
        self, msg: Msg, error: Exception, envelope: Envelope, timing: _Timing | None = None
    ) -> None:
        try:
            await publish_dead_letter(self._js, msg, consumer=self.name, error=error)
        except Exception:
            logger.exception("%s could not dead-letter a message from %s", self.name, msg.subject)
            delay_s = self._redelivery.max_delay_s
            self._log(envelope, RETRIED, timing, f"not dead-lettered, redelivering in "
                      f"{delay_s:.2f}s: {error!r}")  # fmt: skip
            await msg.nak(delay=delay_s)
            return
        self._log(envelope, DEAD_LETTERED, timing, repr(error))
        await msg.term()
