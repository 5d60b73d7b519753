"""An SMTP sink for tests: a real aiosmtpd server that records what it accepts."""

from __future__ import annotations

import socket
import threading
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class Received:
    """One email as the sink received it."""

    sender: str
    recipients: list[str]
    email: EmailMessage

    @property
    def to(self) -> str:
        return self.recipients[0]

    @property
    def subject(self) -> str:
        return str(self.email["Subject"])

    def part(self, subtype: str) -> str:
        found = self.email.get_body(preferencelist=(subtype,))
        text = "" if found is None else str(found.get_content())  # type: ignore[attr-defined]
        return text.replace("\r\n", "\n")


@dataclass
class SmtpSink:
    """An SMTP server (aiosmtpd) on a free port that records what it accepts. Addresses in
    `rejecting` are refused at RCPT with 550; `stop` and `start` take it down and back up."""

    port: int = field(default_factory=free_port)
    rejecting: set[str] = field(default_factory=set)
    received: list[Received] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _controller: Controller | None = None

    async def handle_RCPT(
        self, server: SMTP, session: Session, envelope: Envelope, address: str, options: list
    ) -> str:
        if address.lower() in self.rejecting:
            return f"550 5.1.1 <{address}>: Recipient address rejected: unknown mailbox"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        email = message_from_bytes(envelope.original_content or b"", policy=policy.default)
        with self._lock:
            self.received.append(
                Received(str(envelope.mail_from), list(envelope.rcpt_tos), email)  # type: ignore[arg-type]
            )
        return "250 Message accepted for delivery"

    def start(self) -> None:
        self._controller = Controller(self, hostname="127.0.0.1", port=self.port)
        self._controller.start()

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

    def messages(self, to: str | None = None, *, subject: str = "") -> list[Received]:
        with self._lock:
            found = list(self.received)
        return [
            m
            for m in found
            if (to is None or m.to.lower() == to.lower()) and subject.lower() in m.subject.lower()
        ]
