"""Protobuf requests → commands: plain values for the handlers, nothing validated yet."""

from __future__ import annotations

from mesh.protobuf import enum_name
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
        channels=tuple(enum_name(resources_pb2.Channel, number) for number in request.channels),
    )


def list_messages(request: pb.ListMessagesRequest) -> commands.ListMessages:
    return commands.ListMessages(
        page_size=request.page_size,
        page_token=request.page_token,
        user_id=request.user_id,
        channel=enum_name(resources_pb2.Channel, request.channel),
        state=enum_name(resources_pb2.MessageState, request.state),
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
                channel=enum_name(resources_pb2.Channel, pair.channel),
                category=enum_name(resources_pb2.Category, pair.category),
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
        category=enum_name(resources_pb2.Category, request.category),
    )


def list_mailbox(request: pb.ListMailboxMessagesRequest) -> commands.ListMailbox:
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
