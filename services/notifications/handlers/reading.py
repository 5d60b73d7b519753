"""Reading messages, their delivery attempts and the local mailbox."""

from __future__ import annotations

from dataclasses import dataclass

from mesh.actor import Actor
from mesh.paging import next_token
from services.notifications import commands, errors, filters
from services.notifications.delivery import Attempt, Message
from services.notifications.domain import Category
from services.notifications.handlers.common import Deps
from services.notifications.mailbox_store import MailboxEntry, MailboxStore
from services.notifications.repository import MessageRepository


@dataclass(frozen=True, slots=True)
class Shown:
    """A message as the caller may see it: SECURITY bodies (reset links) only by their owner."""

    message: Message
    with_body: bool


def shown(message: Message, actor: Actor) -> Shown:
    own = actor.user_id is not None and actor.user_id == message.user_id
    return Shown(message, own or message.category is not Category.SECURITY)


async def get_message(command: commands.GetMessage, deps: Deps) -> Shown:
    message_id, actor = command.message_id, command.caller
    async with deps.reading() as uow:
        message = await MessageRepository(uow.connection).get(message_id.strip())
    if message is None or not actor.may_access(message.user_id):
        raise errors.message_not_found(message_id)
    return shown(message, actor)


@dataclass(frozen=True, slots=True)
class MessagePage:
    messages: list[Shown]
    next_page_token: str


async def list_messages(command: commands.ListMessages, deps: Deps) -> MessagePage:
    """Newest first; users see their own, staff anyone's."""
    actor = command.caller
    wanted, page = filters.messages_query(command, actor)
    async with deps.reading() as uow:
        found = await MessageRepository(uow.connection).listing(wanted, page)
    shown_page = [shown(message, actor) for message in found[: page.size]]
    token = next_token(page, found, lambda message: (message.create_time, message.id))
    return MessagePage(shown_page, token)


@dataclass(frozen=True, slots=True)
class AttemptPage:
    attempts: list[Attempt]
    next_page_token: str


async def list_attempts(command: commands.ListAttempts, deps: Deps) -> AttemptPage:
    """Oldest first (the access policy admits staff only)."""
    message_id, page = filters.attempts_query(command)
    async with deps.reading() as uow:
        repository = MessageRepository(uow.connection)
        if await repository.get(message_id) is None:
            raise errors.message_not_found(message_id)
        found = await repository.attempts(message_id, page)
    token = next_token(page, found, lambda attempt: (attempt.number,))
    return AttemptPage(found[: page.size], token)


@dataclass(frozen=True, slots=True)
class MailboxPage:
    entries: list[MailboxEntry]
    next_page_token: str


async def list_mailbox(command: commands.ListMailbox, deps: Deps) -> MailboxPage:
    """Newest first; only while a channel uses the mailbox transport."""
    if not deps.mailbox_enabled:
        raise errors.mailbox_disabled()
    recipient, channel, page = filters.mailbox_query(command)
    async with deps.reading() as uow:
        found = await MailboxStore(uow.connection).listing(recipient, channel, page)
    token = next_token(page, found, lambda entry: (entry.receive_time, entry.id))
    return MailboxPage(found[: page.size], token)
