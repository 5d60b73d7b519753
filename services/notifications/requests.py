"""Protobuf requests → commands: plain values for the handlers, nothing validated yet."""

from __future__ import annotations

from google.protobuf.internal.enum_type_wrapper import EnumTypeWrapper

from meshwork.notifications.v1 import notifications_service_pb2 as pb
from meshwork.notifications.v1 import resources_pb2
from services.notifications import commands
from services.notifications.convert import content_of


def send_notification(request: pb.SendNotificationRequest) -> commands.SendNotification:
    return commands.SendNotification(
        idempotency_key=request.idempotency_key,
        template_id=request.template_id,
        user_id=request.user_id,
        email_address=request.email_address,
        phone_number=request.phone_number,
        variables=dict(request.variables),
        channels=tuple(_channel(number) for number in request.channels),
    )


def list_messages(request: pb.ListMessagesRequest) -> commands.ListMessages:
    return commands.ListMessages(
        page_size=request.page_size,
        page_token=request.page_token,
        user_id=request.user_id,
        channel=_channel(request.channel),
        state=_name(resources_pb2.MessageState, request.state, "MESSAGE_STATE_"),
        template_id=request.template_id,
    )


def list_attempts(request: pb.ListDeliveryAttemptsRequest) -> commands.ListAttempts:
    return commands.ListAttempts(
        message_id=request.message_id, page_size=request.page_size, page_token=request.page_token
    )


def update_preferences(
    request: pb.UpdateNotificationPreferencesRequest,
) -> commands.UpdatePreferences:
    changes = None
    if request.HasField("preferences"):
        changes = tuple(
            commands.PreferenceChange(
                channel=_channel(pair.channel),
                category=_category(pair.category),
                enabled=pair.enabled,
            )
            for pair in request.preferences.preferences
        )
    return commands.UpdatePreferences(user_id=request.user_id, changes=changes)


def create_template(request: pb.CreateTemplateRequest) -> commands.CreateTemplate:
    fields = _template_fields(request.template) if request.HasField("template") else None
    return commands.CreateTemplate(template_id=request.template_id, template=fields)


def update_template(request: pb.UpdateTemplateRequest) -> commands.UpdateTemplate:
    return commands.UpdateTemplate(
        template_id=request.template.id,
        template=_template_fields(request.template),
        paths=tuple(request.update_mask.paths),
    )


def list_templates(request: pb.ListTemplatesRequest) -> commands.ListTemplates:
    return commands.ListTemplates(
        page_size=request.page_size,
        page_token=request.page_token,
        category=_category(request.category),
    )


def list_mailbox(request: pb.ListMailboxMessagesRequest) -> commands.ListMailbox:
    return commands.ListMailbox(
        page_size=request.page_size,
        page_token=request.page_token,
        recipient=request.recipient,
        channel=_channel(request.channel),
    )


def _template_fields(template: resources_pb2.Template) -> commands.TemplateFields:
    return commands.TemplateFields(
        description=template.description,
        category=_category(template.category),
        content=content_of(template),
    )


def _channel(number: int) -> str:
    return _name(resources_pb2.Channel, number, "CHANNEL_")


def _category(number: int) -> str:
    return _name(resources_pb2.Category, number, "CATEGORY_")


def _name(kind: EnumTypeWrapper, number: int, prefix: str) -> str:
    """The value's name without `prefix`; "" when unspecified, the number when unknown."""
    try:
        name = kind.Name(number)
    except ValueError:
        return str(number)
    return "" if name.endswith("_UNSPECIFIED") else name.removeprefix(prefix)
