"""Domain values ↔ the contract's protobuf messages: resources, requests and events."""

from __future__ import annotations

from collections.abc import Iterable

from google.protobuf import field_mask_pb2

from mesh.actor import Actor
from mesh.protobuf import enum_name, enum_number, timestamp_of
from meshwork.notifications.v1 import events_pb2, resources_pb2
from meshwork.notifications.v1 import notifications_service_pb2 as pb
from services.notifications import commands
from services.notifications.delivery import Attempt, Message
from services.notifications.domain import (
    Category,
    Channel,
    Content,
    EmailContent,
    Preferences,
    SmsContent,
    SuppressionReason,
    Template,
)
from services.notifications.mailbox_store import MailboxEntry

# ---- resources


def message_message(message: Message, *, with_body: bool = True) -> resources_pb2.Message:
    reason = message.suppression_reason
    return resources_pb2.Message(
        id=message.id,
        user_id=message.user_id,
        template_id=message.template_id,
        channel=enum_number(resources_pb2.Channel, message.channel),
        category=enum_number(resources_pb2.Category, message.category),
        recipient=message.recipient,
        subject=message.subject,
        body=message.text_body if with_body else "",
        state=enum_number(resources_pb2.MessageState, message.state),
        suppression_reason=_reason_number(reason),
        attempt_count=message.attempt_count,
        last_error=message.last_error,
        create_time=timestamp_of(message.create_time),
        send_time=timestamp_of(message.send_time),
        update_time=timestamp_of(message.update_time),
    )


def attempt_message(attempt: Attempt) -> resources_pb2.DeliveryAttempt:
    outcome = attempt.outcome
    return resources_pb2.DeliveryAttempt(
        id=attempt.id,
        message_id=attempt.message_id,
        attempt_number=attempt.number,
        transport=attempt.transport,
        outcome=enum_number(resources_pb2.DeliveryOutcome, outcome)
        if outcome
        else resources_pb2.DELIVERY_OUTCOME_UNSPECIFIED,
        error=attempt.error,
        provider_message_id=attempt.provider_message_id,
        start_time=timestamp_of(attempt.start_time),
        end_time=timestamp_of(attempt.end_time),
    )


def template_message(template: Template) -> resources_pb2.Template:
    message = resources_pb2.Template(
        id=template.id,
        description=template.description,
        category=enum_number(resources_pb2.Category, template.category),
        built_in=template.built_in,
        create_time=timestamp_of(template.create_time),
        update_time=timestamp_of(template.update_time),
    )
    if template.content.email is not None:
        email = template.content.email
        message.email.CopyFrom(
            resources_pb2.EmailContent(
                subject=email.subject, text_body=email.text_body, html_body=email.html_body
            )
        )
    if template.content.sms is not None:
        message.sms.CopyFrom(resources_pb2.SmsContent(text=template.content.sms.text))
    return message


def content_of(template: resources_pb2.Template) -> Content:
    email = sms = None
    if template.HasField("email"):
        email = EmailContent(
            template.email.subject, template.email.text_body, template.email.html_body
        )
    if template.HasField("sms"):
        sms = SmsContent(template.sms.text)
    return Content(email=email, sms=sms)


def preferences_message(preferences: Preferences) -> resources_pb2.NotificationPreferences:
    return resources_pb2.NotificationPreferences(
        user_id=preferences.user_id,
        preferences=pairs(preferences.every_pair()),
        update_time=timestamp_of(preferences.update_time),
    )


def pairs(
    values: Iterable[tuple[Channel, Category, bool]],
) -> list[resources_pb2.NotificationPreference]:
    return [
        resources_pb2.NotificationPreference(
            channel=enum_number(resources_pb2.Channel, channel),
            category=enum_number(resources_pb2.Category, category),
            enabled=on,
        )
        for channel, category, on in values
    ]


def mailbox_message(entry: MailboxEntry) -> resources_pb2.MailboxMessage:
    return resources_pb2.MailboxMessage(
        id=entry.id,
        message_id=entry.message_id,
        channel=enum_number(resources_pb2.Channel, entry.channel),
        sender=entry.sender,
        recipient=entry.recipient,
        subject=entry.subject,
        text_body=entry.text_body,
        html_body=entry.html_body,
        receive_time=timestamp_of(entry.receive_time),
    )


def _reason_number(reason: SuppressionReason | None) -> int:
    if reason is None:
        return resources_pb2.SUPPRESSION_REASON_UNSPECIFIED
    return enum_number(resources_pb2.SuppressionReason, reason)


# ---- events


def message_sent(message: Message) -> events_pb2.MessageSent:
    return events_pb2.MessageSent(
        message_id=message.id,
        user_id=message.user_id,
        template_id=message.template_id,
        channel=enum_number(resources_pb2.Channel, message.channel),
        attempt_count=message.attempt_count,
    )


def message_failed(message: Message) -> events_pb2.MessageFailed:
    return events_pb2.MessageFailed(
        message_id=message.id,
        user_id=message.user_id,
        template_id=message.template_id,
        channel=enum_number(resources_pb2.Channel, message.channel),
        attempt_count=message.attempt_count,
        last_error=message.last_error,
    )


def message_suppressed(message: Message) -> events_pb2.MessageSuppressed:
    return events_pb2.MessageSuppressed(
        message_id=message.id,
        user_id=message.user_id,
        template_id=message.template_id,
        channel=enum_number(resources_pb2.Channel, message.channel),
        reason=_reason_number(message.suppression_reason),
    )


def preferences_updated(
    user_id: str, changed: Iterable[tuple[Channel, Category, bool]], updated_by: str
) -> events_pb2.NotificationPreferencesUpdated:
    return events_pb2.NotificationPreferencesUpdated(
        user_id=user_id, changed=pairs(changed), updated_by=updated_by
    )


def template_updated(
    template_id: str, paths: Iterable[str], updated_by: str
) -> events_pb2.TemplateUpdated:
    return events_pb2.TemplateUpdated(
        template_id=template_id,
        update_mask=field_mask_pb2.FieldMask(paths=sorted(paths)),
        updated_by=updated_by,
    )


# ---- protobuf requests → commands (plain values, nothing validated yet)


def send_notification_command(
    request: pb.SendNotificationRequest, caller: Actor
) -> commands.SendNotification:
    return commands.SendNotification(
        idempotency_key=request.idempotency_key,
        template_id=request.template_id,
        user_id=request.user_id,
        email_address=request.email_address,
        phone_number=request.phone_number,
        variables=dict(request.variables),
        channels=tuple(enum_name(resources_pb2.Channel, number) for number in request.channels),
        caller=caller,
    )


def list_messages_command(request: pb.ListMessagesRequest, caller: Actor) -> commands.ListMessages:
    return commands.ListMessages(
        page_size=request.page_size,
        page_token=request.page_token,
        user_id=request.user_id,
        channel=enum_name(resources_pb2.Channel, request.channel),
        state=enum_name(resources_pb2.MessageState, request.state),
        template_id=request.template_id,
        caller=caller,
    )


def list_attempts_command(request: pb.ListDeliveryAttemptsRequest) -> commands.ListAttempts:
    return commands.ListAttempts(
        message_id=request.message_id, page_size=request.page_size, page_token=request.page_token
    )


def update_preferences_command(
    request: pb.UpdateNotificationPreferencesRequest, caller: Actor
) -> commands.UpdatePreferences:
    changes = None
    if request.HasField("preferences"):
        changes = tuple(
            commands.PreferenceChange(
                channel=enum_name(resources_pb2.Channel, pair.channel),
                category=enum_name(resources_pb2.Category, pair.category),
                enabled=pair.enabled,
            )
            for pair in request.preferences.preferences
        )
    return commands.UpdatePreferences(user_id=request.user_id, changes=changes, caller=caller)


def create_template_command(
    request: pb.CreateTemplateRequest, caller: Actor
) -> commands.CreateTemplate:
    fields = _template_fields(request.template) if request.HasField("template") else None
    return commands.CreateTemplate(template_id=request.template_id, template=fields, caller=caller)


def update_template_command(
    request: pb.UpdateTemplateRequest, caller: Actor
) -> commands.UpdateTemplate:
    return commands.UpdateTemplate(
        template_id=request.template.id,
        template=_template_fields(request.template),
        paths=tuple(request.update_mask.paths),
        caller=caller,
    )


def list_templates_command(request: pb.ListTemplatesRequest) -> commands.ListTemplates:
    return commands.ListTemplates(
        page_size=request.page_size,
        page_token=request.page_token,
        category=enum_name(resources_pb2.Category, request.category),
    )


def list_mailbox_command(request: pb.ListMailboxMessagesRequest) -> commands.ListMailbox:
    return commands.ListMailbox(
        page_size=request.page_size,
        page_token=request.page_token,
        recipient=request.recipient,
        channel=enum_name(resources_pb2.Channel, request.channel),
    )


def _template_fields(template: resources_pb2.Template) -> commands.TemplateFields:
    return commands.TemplateFields(
        description=template.description,
        category=enum_name(resources_pb2.Category, template.category),
        content=content_of(template),
    )
