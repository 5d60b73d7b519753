"""Wires the notifications service to the runtime's resources; nothing is built at import time."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import cast

from mesh.db import UnitOfWork
from mesh.idempotency import IdempotencyRecords
from mesh.server import ServiceBinding
from mesh.service import BackgroundTask, Built, ServiceRuntime
from meshwork.notifications.v1 import notifications_service_pb2, notifications_service_pb2_grpc
from meshwork.users.v1 import users_service_pb2_grpc
from services.notifications.config import NotificationsSettings
from services.notifications.delivery import RetryPolicy
from services.notifications.domain import Channel
from services.notifications.events import consumers
from services.notifications.grpc_api import NotificationsServicer
from services.notifications.handlers.common import Deps
from services.notifications.handlers.templates import install_built_ins
from services.notifications.reactions import Links
from services.notifications.recipients import UserDirectory
from services.notifications.rendering import Renderer
from services.notifications.sender import MessageSender
from services.notifications.transports.base import Transport
from services.notifications.transports.mailbox import MailboxTransport
from services.notifications.transports.sms import SmsConfig, SmsTransport
from services.notifications.transports.smtp import SmtpConfig, SmtpTransport

#: The service's Alembic scripts, applied at start-up.
MIGRATIONS = Path(__file__).parent / "migrations"


async def build(runtime: ServiceRuntime) -> Built:
    """The servicer, a consumer per source service's stream, and the message sender."""
    settings = cast(NotificationsSettings, runtime.settings)
    sender = MessageSender(
        runtime.unit_of_work,
        transports(settings, runtime.unit_of_work),
        policy=RetryPolicy(
            max_attempts=settings.max_attempts,
            initial_delay_s=settings.retry_initial_delay_s,
            max_delay_s=settings.retry_max_delay_s,
        ),
        interval_s=settings.dispatch_interval_s,
        batch_size=settings.dispatch_batch_size,
        lease_s=settings.dispatch_lease_s,
    )

    def waking() -> UnitOfWork:
        """A unit of work that wakes the sender after every commit (new messages are due now)."""
        return runtime.unit_of_work(on_commit=sender.wake)

    users = UserDirectory(lambda: runtime.client(users_service_pb2_grpc.UsersServiceStub, "users"))
    deps = Deps(
        unit_of_work=waking,
        read_unit_of_work=lambda: runtime.unit_of_work(read_only=True),
        renderer=Renderer(),
        users=users,
        mailbox_enabled=settings.mailbox_enabled,
    )
    await install_built_ins(deps)
    links = Links(settings.app_url)
    subscriptions = consumers(runtime.nc, waking, deps, links, ack_wait_s=settings.event_ack_wait_s)
    idempotency = IdempotencyRecords(runtime.engine)
    background: Sequence[BackgroundTask] = [*subscriptions, sender, idempotency.purge_loop()]
    servicer = NotificationsServicer(deps, idempotency)
    return Built(
        bindings=[
            ServiceBinding.of(notifications_service_pb2, notifications_service_pb2_grpc, servicer)
        ],
        consumers=background,
    )


def transports(
    settings: NotificationsSettings, unit_of_work: Callable[[], UnitOfWork]
) -> dict[Channel, Transport]:
    """The transport of each channel, as the settings choose."""
    email: Transport
    sms: Transport
    if settings.email_transport == "smtp":
        password = settings.smtp_password.get_secret_value() if settings.smtp_password else ""
        email = SmtpTransport(
            SmtpConfig(
                host=settings.smtp_host,
                port=settings.smtp_port,
                sender=settings.email_sender,
                tls=settings.smtp_tls,
                validate_certs=settings.smtp_validate_certs,
                username=settings.smtp_username,
                password=password,
                timeout_s=settings.smtp_timeout_s,
            )
        )
    else:
        email = MailboxTransport(unit_of_work, sender=settings.email_sender)
    if settings.sms_transport == "http" and settings.sms_auth_token is not None:
        sms = SmsTransport(
            SmsConfig(
                base_url=settings.sms_base_url,
                account_sid=settings.sms_account_sid,
                auth_token=settings.sms_auth_token.get_secret_value(),
                sender=settings.sms_sender,
                timeout_s=settings.sms_timeout_s,
            )
        )
    else:
        sms = MailboxTransport(unit_of_work, sender=settings.sms_sender)
    return {Channel.EMAIL: email, Channel.SMS: sms}
