"""Turning a notification into messages: one per channel, queued or suppressed, exactly once."""

from __future__ import annotations

import dataclasses
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from mesh.db import UnitOfWork
from mesh.errors import FieldViolation
from services.notifications import commands, errors, messages, validation
from services.notifications.delivery import Message
from services.notifications.domain import (
    Channel,
    Decision,
    MessageState,
    Recipient,
    Template,
    decide,
)
from services.notifications.handlers.common import Deps
from services.notifications.preference_store import PreferenceStore
from services.notifications.rendering import MissingVariablesError, Renderer, RenderError
from services.notifications.repository import DuplicateMessageError, MessageRepository
from services.notifications.template_store import TemplateStore


@dataclass(frozen=True, slots=True)
class Notification:
    """One thing to tell someone, on every channel that applies."""

    #: What causes it (``reaction:<name>``, ``send:<service>``) and its key there (event id,
    #: idempotency key): a repeated (source, key) returns the first messages.
    source: str
    source_key: str
    template_id: str
    recipient: Recipient
    variables: Mapping[str, str]
    #: Only these channels; empty for every channel the template has content for.
    channels: tuple[Channel, ...] = ()
    #: Strict renders refuse missing variables (API calls); lenient ones print them empty
    #: (reactions to events, which must not fail on a template staff edited).
    strict: bool = True


async def queue(
    uow: UnitOfWork, renderer: Renderer, notification: Notification, *, now: datetime
) -> list[Message]:
    """Inside the open unit of work, records the notification's messages (QUEUED for the
    dispatcher, SUPPRESSED with their event) or returns those a repeat already recorded."""
    repository = MessageRepository(uow.connection)
    existing = await repository.by_source(notification.source, notification.source_key)
    if existing:
        return existing
    template = await TemplateStore(uow.connection).get(notification.template_id)
    if template is None:
        raise errors.template_not_found(notification.template_id)
    channels = [c for c in template.channels if c in (notification.channels or template.channels)]
    if not channels:
        raise errors.channel_not_supported(template.id, notification.channels)
    recipient = notification.recipient
    preferences = None
    if recipient.user_id:
        preferences = await PreferenceStore(uow.connection).get(recipient.user_id)
    decisions = decide(channels, recipient, template.category, preferences)
    queued = [_message(renderer, template, notification, d, now=now) for d in decisions]
    for message in queued:
        await repository.add(message)
        if message.state is MessageState.SUPPRESSED:
            uow.add_event(messages.message_suppressed(message))
    return queued


def _message(
    renderer: Renderer, template: Template, notification: Notification, decision: Decision,
    *, now: datetime,
) -> Message:  # fmt: skip
    recipient = notification.recipient
    locale, content = template.content_for(recipient.locale, decision.channel)
    variables = {"display_name": recipient.display_name, "email": recipient.email}
    variables |= notification.variables
    try:
        rendered = renderer.render(content, decision.channel, variables, strict=notification.strict)
    except MissingVariablesError as error:
        raise errors.variables_missing(template.id, error.names) from error
    except RenderError as error:
        raise errors.template_invalid([FieldViolation("template_id", str(error))]) from error
    return Message(
        id=str(uuid.uuid4()),
        source=notification.source,
        source_key=notification.source_key,
        user_id=recipient.user_id,
        template_id=template.id,
        channel=decision.channel,
        category=template.category,
        recipient=decision.recipient,
        locale=locale,
        subject=rendered.subject,
        text_body=rendered.text_body,
        html_body=rendered.html_body,
        state=MessageState.SUPPRESSED if decision.suppressed else MessageState.QUEUED,
        create_time=now,
        update_time=now,
        suppression_reason=decision.suppressed,
        next_attempt_time=None if decision.suppressed else now,
    )


async def send_notification(command: commands.SendNotification, deps: Deps) -> list[Message]:
    """SendNotification: resolves the user (before any transaction), then queues the
    messages; answers once they are recorded, before delivery."""
    request = validation.send_request(command)
    recipient = request.recipient
    if request.user_id:
        profile = await deps.users.find(request.user_id)
        if profile is None:
            raise errors.user_not_found(request.user_id)
        recipient = dataclasses.replace(
            profile,
            email=recipient.email or profile.email,
            phone_number=recipient.phone_number or profile.phone_number,
        )
    notification = Notification(
        source=f"send:{command.caller.service or 'unknown'}",
        source_key=request.idempotency_key,
        template_id=request.template_id,
        recipient=recipient,
        variables=request.variables,
        channels=request.channels,
    )
    try:
        return await _queue_and_commit(deps, notification)
    except DuplicateMessageError:  # a concurrent call with the same key got there first
        return await _queue_and_commit(deps, notification)


async def _queue_and_commit(deps: Deps, notification: Notification) -> list[Message]:
    async with deps.unit_of_work() as uow:
        queued = await queue(uow, deps.renderer, notification, now=deps.clock())
        await uow.commit()
    return queued
