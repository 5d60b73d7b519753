"""The SMTP transport against aiosmtpd: AUTH and STARTTLS as configured, replies mapped."""

from __future__ import annotations

import datetime
import ssl
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from services.notifications.domain import Channel
from services.notifications.transports.base import (
    Outgoing,
    PermanentDeliveryError,
    TransientDeliveryError,
)
from services.notifications.transports.smtp import SmtpConfig, SmtpTransport
from tests.support.smtp import SmtpSink, free_port

MESSAGE = Outgoing("m-1", Channel.EMAIL, "ann@example.com", "Hi", "Hello", "<p>Hello</p>")


def _authenticate(server: Any, session: Any, envelope: Any, mechanism: str, data: Any) -> Any:
    ok = isinstance(data, LoginPassword) and (data.login, data.password) == (b"app", b"s3cret")
    return AuthResult(success=ok, handled=False)  # not handled: the server answers 535


def _tls_context(folder: Path) -> ssl.SSLContext:
    """A server context with a fresh self-signed certificate for 127.0.0.1."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.datetime.now(datetime.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=1))
        .not_valid_after(now + datetime.timedelta(hours=1))
        .sign(key, hashes.SHA256())
    )
    (folder / "cert.pem").write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    (folder / "key.pem").write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(folder / "cert.pem", folder / "key.pem")
    return context


@pytest.fixture
def guarded_sink(tmp_path: Path) -> Iterator[tuple[SmtpSink, Controller]]:
    """A sink that requires STARTTLS, then AUTH (login "app", password "s3cret")."""
    sink = SmtpSink()
    controller = Controller(
        sink,
        hostname="127.0.0.1",
        port=free_port(),
        tls_context=_tls_context(tmp_path),
        require_starttls=True,
        authenticator=_authenticate,
        auth_required=True,
    )
    controller.start()
    try:
        yield sink, controller
    finally:
        controller.stop()


def config(port: int, **overrides: Any) -> SmtpConfig:
    values: dict[str, Any] = {
        "host": "127.0.0.1",
        "port": port,
        "sender": "Meshwork <no-reply@meshwork.test>",
        "timeout_s": 5.0,
    }
    return SmtpConfig(**(values | overrides))


async def deliver(transport: SmtpTransport) -> str:
    handover = await transport.prepare(MESSAGE)
    return await handover.complete()


async def test_starttls_and_auth_deliver_to_a_guarded_server(
    guarded_sink: tuple[SmtpSink, Controller],
) -> None:
    sink, controller = guarded_sink
    transport = SmtpTransport(
        config(
            controller.port, tls="required", validate_certs=False, username="app", password="s3cret"
        )
    )
    assert await deliver(transport) == "<m-1@meshwork.test>"
    [received] = sink.messages("ann@example.com")
    assert received.part("html") == "<p>Hello</p>\n"


async def test_a_wrong_password_is_refused_permanently(
    guarded_sink: tuple[SmtpSink, Controller],
) -> None:
    _, controller = guarded_sink
    transport = SmtpTransport(
        config(controller.port, tls="required", validate_certs=False, username="app", password="x")
    )
    with pytest.raises(PermanentDeliveryError, match=r"^535"):
        await deliver(transport)


async def test_without_starttls_a_server_that_requires_it_refuses(
    guarded_sink: tuple[SmtpSink, Controller],
) -> None:
    _, controller = guarded_sink
    transport = SmtpTransport(config(controller.port, tls="off"))
    with pytest.raises(PermanentDeliveryError, match=r"^530"):
        await deliver(transport)


async def test_a_server_that_is_down_is_a_transient_failure() -> None:
    transport = SmtpTransport(config(free_port()))
    with pytest.raises(TransientDeliveryError):
        await deliver(transport)


async def test_a_body_line_starting_with_a_dot_arrives_intact(smtp_sink: SmtpSink) -> None:
    dotted = Outgoing("m-2", Channel.EMAIL, "bo@example.com", "Dots", ".hidden\n..two\n.\nend")
    handover = await SmtpTransport(config(smtp_sink.port)).prepare(dotted)
    await handover.complete()
    [received] = smtp_sink.messages("bo@example.com")
    assert received.part("plain") == ".hidden\n..two\n.\nend\n"
