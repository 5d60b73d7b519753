"""The NotificationsService servicer: request → command → handler → response, nothing more."""

from __future__ import annotations

from typing import TypeAlias

import grpc

from mesh.actor import current_actor
from mesh.idempotency import IdempotencyRecords, idempotent
from meshwork.notifications.v1 import notifications_service_pb2 as pb
from meshwork.notifications.v1 import notifications_service_pb2_grpc
from services.notifications import commands
from services.notifications.handlers import preferences, reading, sending, templates
from services.notifications.handlers.common import Deps
from services.notifications.messages import (
    attempt_message,
    create_template_command,
    list_attempts_command,
    list_mailbox_command,
    list_messages_command,
    list_templates_command,
    mailbox_message,
    message_message,
    preferences_message,
    send_notification_command,
    template_message,
    update_preferences_command,
    update_template_command,
)

Context: TypeAlias = grpc.aio.ServicerContext


class NotificationsServicer(notifications_service_pb2_grpc.NotificationsServiceServicer):
    """Serves meshwork.notifications.v1.NotificationsService."""

    def __init__(self, deps: Deps, idempotency: IdempotencyRecords) -> None:
        self._deps = deps
        self.idempotency = idempotency

    async def SendNotification(
        self, request: pb.SendNotificationRequest, context: Context
    ) -> pb.SendNotificationResponse:
        command = send_notification_command(request, current_actor())
        queued = await sending.send_notification(command, self._deps)
        return pb.SendNotificationResponse(messages=[message_message(m) for m in queued])

    async def GetMessage(
        self, request: pb.GetMessageRequest, context: Context
    ) -> pb.GetMessageResponse:
        command = commands.GetMessage(request.message_id, current_actor())
        shown = await reading.get_message(command, self._deps)
        message = message_message(shown.message, with_body=shown.with_body)
        return pb.GetMessageResponse(message=message)

    async def ListMessages(
        self, request: pb.ListMessagesRequest, context: Context
    ) -> pb.ListMessagesResponse:
        command = list_messages_command(request, current_actor())
        page = await reading.list_messages(command, self._deps)
        return pb.ListMessagesResponse(
            messages=[message_message(s.message, with_body=s.with_body) for s in page.messages],
            next_page_token=page.next_page_token,
        )

    async def ListDeliveryAttempts(
        self, request: pb.ListDeliveryAttemptsRequest, context: Context
    ) -> pb.ListDeliveryAttemptsResponse:
        page = await reading.list_attempts(list_attempts_command(request), self._deps)
        return pb.ListDeliveryAttemptsResponse(
            delivery_attempts=[attempt_message(a) for a in page.attempts],
            next_page_token=page.next_page_token,
        )

    async def GetNotificationPreferences(
        self, request: pb.GetNotificationPreferencesRequest, context: Context
    ) -> pb.GetNotificationPreferencesResponse:
        command = commands.GetPreferences(request.user_id, current_actor())
        found = await preferences.get_preferences(command, self._deps)
        return pb.GetNotificationPreferencesResponse(preferences=preferences_message(found))

    @idempotent
    async def UpdateNotificationPreferences(
        self, request: pb.UpdateNotificationPreferencesRequest, context: Context
    ) -> pb.UpdateNotificationPreferencesResponse:
        command = update_preferences_command(request, current_actor())
        found = await preferences.update_preferences(command, self._deps)
        return pb.UpdateNotificationPreferencesResponse(preferences=preferences_message(found))

    @idempotent
    async def CreateTemplate(
        self, request: pb.CreateTemplateRequest, context: Context
    ) -> pb.CreateTemplateResponse:
        command = create_template_command(request, current_actor())
        template = await templates.create_template(command, self._deps)
        return pb.CreateTemplateResponse(template=template_message(template))

    async def GetTemplate(
        self, request: pb.GetTemplateRequest, context: Context
    ) -> pb.GetTemplateResponse:
        command = commands.GetTemplate(request.template_id)
        template = await templates.get_template(command, self._deps)
        return pb.GetTemplateResponse(template=template_message(template))

    async def ListTemplates(
        self, request: pb.ListTemplatesRequest, context: Context
    ) -> pb.ListTemplatesResponse:
        found, token = await templates.list_templates(list_templates_command(request), self._deps)
        return pb.ListTemplatesResponse(
            templates=[template_message(t) for t in found], next_page_token=token
        )

    @idempotent
    async def UpdateTemplate(
        self, request: pb.UpdateTemplateRequest, context: Context
    ) -> pb.UpdateTemplateResponse:
        command = update_template_command(request, current_actor())
        template = await templates.update_template(command, self._deps)
        return pb.UpdateTemplateResponse(template=template_message(template))

    @idempotent
    async def DeleteTemplate(
        self, request: pb.DeleteTemplateRequest, context: Context
    ) -> pb.DeleteTemplateResponse:
        command = commands.DeleteTemplate(request.template_id, current_actor())
        await templates.delete_template(command, self._deps)
        return pb.DeleteTemplateResponse()

    async def ListMailboxMessages(
        self, request: pb.ListMailboxMessagesRequest, context: Context
    ) -> pb.ListMailboxMessagesResponse:
        page = await reading.list_mailbox(list_mailbox_command(request), self._deps)
        return pb.ListMailboxMessagesResponse(
            mailbox_messages=[mailbox_message(e) for e in page.entries],
            next_page_token=page.next_page_token,
        )
