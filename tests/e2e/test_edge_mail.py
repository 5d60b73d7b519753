"""Mail through the whole platform: `make up` with SMTP delivery, driven through the edge."""

from __future__ import annotations

import asyncio
import re
import signal
import sys
import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass
from urllib.parse import parse_qs, urlparse

import httpx
import pytest

from tests.support import ROOT, subprocess_env
from tests.support.smtp import Received, SmtpSink

PASSWORD = "correct horse battery"


@dataclass
class Platform:
    edge: str
    sink: SmtpSink


@pytest.fixture(scope="module")
def sink() -> Iterator[SmtpSink]:
    smtp = SmtpSink()
    smtp.start()
    try:
        yield smtp
    finally:
        smtp.stop()


@pytest.fixture(scope="module")
async def platform(
    tmp_path_factory: pytest.TempPathFactory, sink: SmtpSink
) -> AsyncIterator[Platform]:
    env = subprocess_env(
        MESHWORK_STATE_DIR=str(tmp_path_factory.mktemp("state")),
        MESHWORK_ANY_PORTS="1",
        NATS_URL="",
        MESHWORK_NATS_URL="",
        NOTIFICATIONS_EMAIL_TRANSPORT="smtp",
        NOTIFICATIONS_SMTP_HOST="127.0.0.1",
        NOTIFICATIONS_SMTP_PORT=str(sink.port),
        NOTIFICATIONS_SMTP_TLS="off",
    )
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "mesh.devstack",
        cwd=ROOT, env=env, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT,
    )  # fmt: skip
    try:
        assert process.stdout is not None
        output = ""
        async with asyncio.timeout(90):
            while "Logs:" not in output and (line := await process.stdout.readline()):
                output += line.decode()
        edge = re.search(r"edge \(REST\)\s+(http://\S+)", output)
        assert edge, output
        yield Platform(edge.group(1), sink)
    finally:
        if process.returncode is None:
            process.send_signal(signal.SIGINT)
            async with asyncio.timeout(30):
                await process.wait()


async def mails_to(sink: SmtpSink, email: str, subject: str, *, count: int) -> list[Received]:
    """Waits until `count` matching mails arrived (then a moment more, to see no extra one)."""
    async with asyncio.timeout(30):
        while len(sink.messages(email, subject=subject)) < count:  # noqa: ASYNC110 - the sink records from its own thread
            await asyncio.sleep(0.05)
    await asyncio.sleep(1)  # a doubled delivery would land within this
    return sink.messages(email, subject=subject)


def token_in(mail: Received, link_of: Callable[[str], bool]) -> str:
    links = re.findall(r"https?://\S+", mail.part("plain"))
    [link] = [link for link in links if link_of(link)]
    return parse_qs(urlparse(link).query)["token"][0]


async def test_a_sign_up_through_the_edge_sends_exactly_one_welcome_mail(
    platform: Platform,
) -> None:
    email = f"ada-{uuid.uuid4().hex[:8]}@example.com"
    async with httpx.AsyncClient(base_url=platform.edge) as http:
        reply = await http.post(
            "/v1/auth:signUp",
            json={"email": email, "password": PASSWORD, "displayName": "Ada Lovelace"},
        )
    assert reply.status_code == 200, reply.text
    [welcome] = await mails_to(platform.sink, email, "welcome", count=1)
    assert "Ada Lovelace" in welcome.part("plain")
    assert "Ada Lovelace" in welcome.part("html")


async def test_a_password_reset_mails_a_token_that_then_works(platform: Platform) -> None:
    email = f"grace-{uuid.uuid4().hex[:8]}@example.com"
    async with httpx.AsyncClient(base_url=platform.edge) as http:
        signed_up = await http.post(
            "/v1/auth:signUp", json={"email": email, "password": PASSWORD, "displayName": "Grace"}
        )
        assert signed_up.status_code == 200, signed_up.text
        asked = await http.post("/v1/auth:requestPasswordReset", json={"email": email})
        assert asked.status_code == 200, asked.text
        [mail] = await mails_to(platform.sink, email, "password", count=1)
        token = token_in(mail, lambda link: "reset-password" in link)
        new_password = "a brand new passphrase"
        confirmed = await http.post(
            "/v1/auth:confirmPasswordReset", json={"token": token, "newPassword": new_password}
        )
        assert confirmed.status_code == 200, confirmed.text
        old = await http.post("/v1/auth:login", json={"email": email, "password": PASSWORD})
        new = await http.post("/v1/auth:login", json={"email": email, "password": new_password})
    assert old.status_code == 401, old.text
    assert new.status_code == 200, new.text
