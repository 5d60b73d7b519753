"""Email over SMTP (aiosmtplib): STARTTLS or implicit TLS and AUTH as configured.

One connection per message. `prepare` runs the dialogue up to the message body and sends the
body without its closing ``.`` line; `complete` sends that line, after which the server has
the message. Replies map to errors: 4xx transient, 5xx permanent, no connection transient.
"""

from __future__ import annotations

import contextlib
import re
from dataclasses import dataclass
from email import policy
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime, parseaddr

import aiosmtplib

from mesh.clock import utc_now
from services.notifications.transports.base import (
    DeliveryError,
    Outgoing,
    PermanentDeliveryError,
    TransientDeliveryError,
)

_START_INPUT = 354
_COMPLETED = 250
_LINE_ENDINGS = re.compile(rb"\r\n|\n|\r")
_SEVEN_BIT = policy.SMTP.clone(cte_type="7bit")


@dataclass(frozen=True, slots=True)
class SmtpConfig:
    host: str
    port: int
    sender: str
    #: "auto" (STARTTLS when offered), "required", "off", or "implicit" (TLS from the start).
    tls: str = "auto"
    validate_certs: bool = True
    username: str = ""
    password: str = ""
    timeout_s: float = 20.0


class SmtpTransport:
    """Delivers email through an SMTP server (a relay such as Postfix, SES, Mailgun...)."""

    name = "smtp"
    deduplicates = False

    def __init__(self, config: SmtpConfig) -> None:
        self._config = config
        self._sender_address = parseaddr(config.sender)[1]
        self._domain = self._sender_address.rpartition("@")[2] or "meshwork.local"

    async def prepare(self, message: Outgoing) -> SmtpHandover:
        config = self._config
        client = aiosmtplib.SMTP(
            hostname=config.host,
            port=config.port,
            timeout=config.timeout_s,
            use_tls=config.tls == "implicit",
            start_tls={"auto": None, "required": True}.get(config.tls, False),
            validate_certs=config.validate_certs,
            username=config.username or None,
            password=config.password or None,
        )
        message_id = f"<{message.message_id}@{self._domain}>"
        try:
            await client.connect()
            await client.mail(self._sender_address)
            await client.rcpt(message.recipient)
            reply = await client.execute_command(b"DATA")
            if reply.code != _START_INPUT:
                raise aiosmtplib.SMTPDataError(reply.code, reply.message)
            if client.protocol is None:
                raise aiosmtplib.SMTPServerDisconnected("Connection lost")
            client.protocol.write(_body(self._email(message, message_id)))
        except Exception as error:
            client.close()
            raise _delivery_error(error) from error
        except BaseException:
            client.close()
            raise
        return SmtpHandover(client, message_id)

    async def close(self) -> None:
        """Nothing to release: connections live for one message."""

    def _email(self, message: Outgoing, message_id: str) -> EmailMessage:
        email = EmailMessage(policy=_SEVEN_BIT)
        email["From"] = self._config.sender
        email["To"] = Address(addr_spec=message.recipient)
        email["Subject"] = message.subject
        email["Date"] = format_datetime(utc_now())
        email["Message-ID"] = message_id
        email.set_content(message.text_body)
        if message.html_body:
            email.add_alternative(message.html_body, subtype="html")
        return email


class SmtpHandover:
    """An SMTP transaction with the body sent and only the closing ``.`` missing."""

    def __init__(self, client: aiosmtplib.SMTP, message_id: str) -> None:
        self._client = client
        self.provider_message_id = message_id

    async def complete(self) -> str:
        try:
            reply = await self._client.execute_command(b".")
        except aiosmtplib.SMTPResponseException as error:
            raise _delivery_error(error) from error
        finally:
            self._client.close()  # the message is settled either way; no need for QUIT
        if reply.code != _COMPLETED:
            raise _delivery_error(aiosmtplib.SMTPDataError(reply.code, reply.message))
        return self.provider_message_id

    async def abort(self) -> None:
        with contextlib.suppress(Exception):
            self._client.close()  # a transaction without its "." is discarded by the server


def _body(email: EmailMessage) -> bytes:
    """The DATA payload without its final ``.`` line: CRLF line ends, dot-stuffed."""
    lines = _LINE_ENDINGS.split(email.as_bytes())
    if lines and lines[-1] == b"":
        lines.pop()
    return b"".join((b"." + line if line.startswith(b".") else line) + b"\r\n" for line in lines)


def _delivery_error(error: Exception) -> DeliveryError:
    """4xx replies and lost connections may pass; 5xx replies will not."""
    if isinstance(error, aiosmtplib.SMTPResponseException):
        text = f"{error.code} {error.message}".strip()
        if 500 <= error.code < 600:
            return PermanentDeliveryError(text)
        return TransientDeliveryError(text)
    if isinstance(error, DeliveryError):
        return error
    return TransientDeliveryError(f"{type(error).__name__}: {error}".strip())
