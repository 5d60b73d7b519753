"""Queuing and sending over a real SQLite database with fake transports and users."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

from mesh.actor import Actor
from mesh.db import UnitOfWork
from mesh.errors import InvalidArgument, NotFound
from mesh.events.envelope import envelope_for
from meshwork.notifications.v1 import events_pb2
from services.notifications import commands
from services.notifications.delivery import UNCONFIRMED, RetryPolicy
from services.notifications.domain import Channel, MessageState, Recipient
from services.notifications.handlers.common import Deps
from services.notifications.handlers.sending import send_notification
from services.notifications.orm import messages_table
from services.notifications.repository import MessageRepository
from services.notifications.sender import MessageSender
from services.notifications.transports.base import (
    PermanentDeliveryError,
    TransientDeliveryError,
)
from tests.unit.notifications.conftest import FakeTransport, FakeUsers, Outbox

IDENTITY = Actor(service="identity")
POLICY = RetryPolicy(max_attempts=3, initial_delay_s=0.01, max_delay_s=0.02)


def sender(engine: AsyncEngine, transport: FakeTransport, **options: object) -> MessageSender:
    def unit_of_work() -> UnitOfWork:
        return UnitOfWork(engine, envelope_for=envelope_for)

    return MessageSender(
        unit_of_work,
        {Channel.EMAIL: transport, Channel.SMS: transport},
        policy=POLICY,
        **options,  # type: ignore[arg-type]
    )


def welcome(key: str = "k-1", **fields: object) -> commands.SendNotification:
    values: dict[str, object] = {
        "idempotency_key": key,
        "template_id": "welcome",
        "email_address": "ann@example.com",
    }
    return commands.SendNotification(**(values | fields))  # type: ignore[arg-type]


async def stored(deps: Deps, message_id: str) -> MessageState:
    async with deps.unit_of_work() as uow:
        message = await MessageRepository(uow.connection).get(message_id)
    assert message is not None
    return message.state


class TestSendNotification:
    async def test_a_message_is_queued_per_channel_and_a_repeat_returns_it(
        self, deps: Deps
    ) -> None:
        [queued] = await send_notification(welcome(caller=IDENTITY), deps)
        [again] = await send_notification(welcome(caller=IDENTITY), deps)
        assert queued.state is MessageState.QUEUED and again.id == queued.id
        assert "Hello there," in queued.text_body  # no name given: the template's fallback

    async def test_another_caller_with_the_same_key_gets_its_own_message(self, deps: Deps) -> None:
        [first] = await send_notification(welcome(caller=IDENTITY), deps)
        [other] = await send_notification(welcome(caller=Actor(service="payments")), deps)
        assert other.id != first.id

    async def test_the_users_profile_addresses_and_names_the_message(
        self, deps: Deps, users: FakeUsers
    ) -> None:
        users.profiles["u-1"] = Recipient("u-1", "kim@example.com", display_name="Kim")
        [message] = await send_notification(
            welcome(email_address="", user_id="u-1", caller=IDENTITY), deps
        )
        assert (message.recipient, message.user_id) == ("kim@example.com", "u-1")
        assert message.subject == "Welcome to Meshwork, Kim!"

    async def test_an_unknown_user_writes_nothing(self, deps: Deps, outbox: Outbox) -> None:
        with pytest.raises(NotFound) as caught:
            await send_notification(welcome(user_id="nobody", caller=IDENTITY), deps)
        assert caught.value.reason == "USER_NOT_FOUND"
        assert await outbox.events() == []

    async def test_a_channel_the_template_lacks_is_refused(self, deps: Deps) -> None:
        with pytest.raises(Exception) as caught:
            await send_notification(welcome(channels=("SMS",), caller=IDENTITY), deps)
        assert getattr(caught.value, "reason", "") == "CHANNEL_NOT_SUPPORTED"

    async def test_invalid_variable_names_are_named(self, deps: Deps) -> None:
        with pytest.raises(InvalidArgument) as caught:
            await send_notification(welcome(variables={"not a name": "x"}, caller=IDENTITY), deps)
        assert [v.field for v in caught.value.violations] == ["variables[not a name]"]


class TestSender:
    async def test_a_queued_message_is_sent_once_with_its_event(
        self, deps: Deps, engine: AsyncEngine, outbox: Outbox
    ) -> None:
        transport = FakeTransport()
        [queued] = await send_notification(welcome(caller=IDENTITY), deps)
        sending = sender(engine, transport)
        assert await sending.send_due() == 1
        assert await sending.send_due() == 0
        assert [m.message_id for m in transport.delivered] == [queued.id]
        assert await stored(deps, queued.id) is MessageState.SENT
        [event] = await outbox.events()
        assert isinstance(event, events_pb2.MessageSent) and event.attempt_count == 1

    async def test_transient_failures_retry_until_the_attempts_run_out(
        self, deps: Deps, engine: AsyncEngine, outbox: Outbox
    ) -> None:
        transport = FakeTransport(on_prepare=[TransientDeliveryError("421 busy")] * 3)
        [queued] = await send_notification(welcome(caller=IDENTITY), deps)
        sending = sender(engine, transport)

        async def failed() -> bool:
            return await stored(deps, queued.id) is MessageState.FAILED

        async with asyncio.timeout(5):
            while not await failed():
                await sending.send_due()
        [event] = await outbox.events()
        assert isinstance(event, events_pb2.MessageFailed)
        assert (event.attempt_count, event.last_error) == (3, "421 busy")

    async def test_a_permanent_refusal_fails_at_once(self, deps: Deps, engine: AsyncEngine) -> None:
        transport = FakeTransport(on_complete=[PermanentDeliveryError("550 no such user")])
        [queued] = await send_notification(welcome(caller=IDENTITY), deps)
        await sender(engine, transport).send_due()
        assert await stored(deps, queued.id) is MessageState.FAILED

    async def test_an_outcome_in_doubt_counts_as_sent_and_is_not_repeated(
        self, deps: Deps, engine: AsyncEngine
    ) -> None:
        transport = FakeTransport(on_complete=[ConnectionResetError("reset by peer")])
        [queued] = await send_notification(welcome(caller=IDENTITY), deps)
        await sender(engine, transport).send_due()
        async with deps.unit_of_work() as uow:
            message = await MessageRepository(uow.connection).get(queued.id)
        assert message is not None and message.state is MessageState.SENT
        assert message.last_error.startswith("delivery unconfirmed: ConnectionResetError")

    @pytest.mark.parametrize(("handed_over", "sent_again"), [(False, True), (True, False)])
    async def test_a_send_interrupted_by_a_crash_is_settled_when_its_lease_runs_out(
        self,
        deps: Deps,
        engine: AsyncEngine,
        handed_over: bool,
        sent_again: bool,
    ) -> None:
        [queued] = await send_notification(welcome(caller=IDENTITY), deps)
        crashed = sender(engine, FakeTransport())
        claims = await crashed._claim()  # the process dies here, holding the claim
        if handed_over:
            claims[0].attempt.handover_time = claims[0].attempt.start_time
            async with deps.unit_of_work() as uow:
                await MessageRepository(uow.connection).save_attempt(claims[0].attempt)
                await uow.commit()
        transport = FakeTransport()
        later = sender(engine, transport, clock=lambda: deps.clock() + timedelta(minutes=5))
        await later.send_due()
        async with deps.unit_of_work() as uow:
            message = await MessageRepository(uow.connection).get(queued.id)
        assert message is not None and message.state is MessageState.SENT
        assert bool(transport.delivered) is sent_again
        assert (message.last_error == UNCONFIRMED) is handed_over

    async def test_two_senders_never_send_a_message_twice(
        self, deps: Deps, engine: AsyncEngine
    ) -> None:
        for index in range(30):
            await send_notification(welcome(f"k-{index}", caller=IDENTITY), deps)
        transport = FakeTransport()
        first = sender(engine, transport, batch_size=4)
        second = sender(engine, transport, batch_size=4)
        async with asyncio.timeout(10):
            while len(transport.delivered) < 30:
                await asyncio.gather(first.send_due(), second.send_due())
        ids = [m.message_id for m in transport.delivered]
        assert len(ids) == len(set(ids)) == 30
        async with engine.connect() as connection:
            states = (await connection.execute(sa.select(messages_table.c.state))).scalars().all()
        assert set(states) == {"SENT"}

    async def test_the_loop_starts_stops_and_reports_its_health(
        self, deps: Deps, engine: AsyncEngine
    ) -> None:
        transport = FakeTransport()
        running = sender(engine, transport, interval_s=0.05)
        with pytest.raises(Exception, match="not running"):
            await running.check()
        await running.start()
        [queued] = await send_notification(welcome(caller=IDENTITY), deps)
        running.wake()
        async with asyncio.timeout(5):
            while await stored(deps, queued.id) is not MessageState.SENT:  # noqa: ASYNC110 - polls state another task changes
                await asyncio.sleep(0.01)
        await running.check()
        await running.stop()
        with pytest.raises(Exception, match="not running"):
            await running.check()
