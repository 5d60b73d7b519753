"""The notifications service's settings: `NOTIFICATIONS_*` variables over shared `MESHWORK_*`."""

from __future__ import annotations

from typing import ClassVar, Literal

from pydantic import SecretStr
from pydantic_settings import SettingsConfigDict

from mesh.settings import ServiceSettings


class NotificationsSettings(ServiceSettings):
    """Everything the notifications service is configured with (see `ServiceSettings`).

    Each channel has a transport: the local mailbox (the default; every message stays
    readable through ListMailboxMessages and nothing leaves the machine), SMTP for email, or
    a Twilio-compatible HTTP API for SMS.
    """

    model_config = SettingsConfigDict(env_prefix="NOTIFICATIONS_", extra="ignore")

    service: ClassVar[str] = "notifications"

    email_transport: Literal["mailbox", "smtp"] = "mailbox"
    sms_transport: Literal["mailbox", "http"] = "mailbox"
    #: The From of every email.
    email_sender: str = "Meshwork <no-reply@meshwork.local>"
    #: Where links in messages point (the web app): verification and reset pages live under it.
    app_url: str = "http://localhost:3000"

    smtp_host: str = "127.0.0.1"
    smtp_port: int = 25
    #: "auto" upgrades with STARTTLS when the server offers it, "required" refuses servers that
    #: do not, "off" never upgrades; "implicit" speaks TLS from the start (port 465).
    smtp_tls: Literal["auto", "required", "off", "implicit"] = "auto"
    smtp_validate_certs: bool = True
    smtp_username: str = ""
    smtp_password: SecretStr | None = None
    smtp_timeout_s: float = 20.0

    #: Twilio-compatible API: POST {base}/2010-04-01/Accounts/{sid}/Messages.json.
    sms_base_url: str = "https://api.twilio.com"
    sms_account_sid: str = ""
    sms_auth_token: SecretStr | None = None
    #: The From of every SMS (an E.164 number or an alphanumeric sender id).
    sms_sender: str = "Meshwork"
    sms_timeout_s: float = 20.0

    #: How long an event handed to this service may stay unacknowledged before JetStream
    #: redelivers it (to a restarted process, say).
    event_ack_wait_s: float = 30.0

    #: Delivery attempts per message before it is FAILED; retries back off exponentially
    #: (with jitter) from the initial delay up to the maximum.
    max_attempts: int = 8
    retry_initial_delay_s: float = 5.0
    retry_max_delay_s: float = 1800.0
    #: How often the sender looks for due messages when nothing wakes it.
    dispatch_interval_s: float = 1.0
    #: Messages claimed (and sent concurrently) per round.
    dispatch_batch_size: int = 16
    #: How long a claimed message is reserved for its sender; a sender that died
    #: holding it releases it when this runs out. Sends are cut off well before it does.
    dispatch_lease_s: float = 60.0

    def problems(self) -> list[str]:
        found = super().problems()
        if self.sms_transport == "http" and not (self.sms_account_sid and self.sms_auth_token):
            found.append(
                "NOTIFICATIONS_SMS_TRANSPORT=http needs NOTIFICATIONS_SMS_ACCOUNT_SID and "
                "NOTIFICATIONS_SMS_AUTH_TOKEN"
            )
        if self.dispatch_lease_s <= max(self.smtp_timeout_s, self.sms_timeout_s):
            found.append(
                "NOTIFICATIONS_DISPATCH_LEASE_S must exceed the SMTP and SMS timeouts, so a "
                "send always ends before its claim runs out"
            )
        return found

    @property
    def mailbox_enabled(self) -> bool:
        """Whether any channel goes to the local mailbox."""
        return self.email_transport == "mailbox" or self.sms_transport == "mailbox"
