"""Which webhook targets are allowed, how deliveries are signed, and secrets at rest."""

from __future__ import annotations

import ipaddress
import time

import pytest
from standardwebhooks import Webhook

from services.jobs.secret_box import SecretBox
from services.jobs.webhooks.delivery import TargetGuard
from services.jobs.webhooks.domain import TargetPolicy, new_secret, signature_headers
from tests.unit.jobs.conftest import FakeResolver

STRICT = TargetPolicy()


@pytest.mark.parametrize(
    ("address", "kind"),
    [
        ("127.0.0.1", "loopback"),
        ("::1", "loopback"),
        ("10.1.2.3", "private"),
        ("192.168.0.10", "private"),
        ("172.16.5.4", "private"),
        ("169.254.169.254", "link-local"),
        ("fe80::1", "link-local"),
        ("fd00::1", "private"),
        ("0.0.0.0", "unspecified"),
        ("240.0.0.1", "reserved"),
        ("224.0.0.1", "multicast"),
        ("100.64.0.1", "non-global"),
        ("::ffff:127.0.0.1", "loopback"),
    ],
)
def test_non_public_addresses_are_refused(address: str, kind: str) -> None:
    problem = STRICT.address_problem(ipaddress.ip_address(address))
    assert f"a {kind} address" in problem


def test_public_addresses_are_allowed() -> None:
    assert STRICT.address_problem(ipaddress.ip_address("93.184.215.14")) == ""
    assert STRICT.address_problem(ipaddress.ip_address("2606:2800:21f:cb07::1")) == ""


def test_private_addresses_are_allowed_when_configured() -> None:
    allowing = TargetPolicy(allow_private=True)
    assert allowing.address_problem(ipaddress.ip_address("127.0.0.1")) == ""


@pytest.mark.parametrize(
    ("url", "problem"),
    [
        ("", "is required"),
        ("http://hooks.example.com/in", "must use https"),
        ("ftp://hooks.example.com/in", "must use https"),
        ("hooks.example.com/in", "is not an absolute URL"),
        ("https://user:pw@hooks.example.com/in", "must not carry credentials"),
        ("https://hooks.example.com:99999/in", "is not an absolute URL"),
        ("https://hooks.example.com/in#frag", "must not have a #fragment"),
        ("https://127.0.0.1/in", "a loopback address"),
        ("https://[::1]:8443/in", "a loopback address"),
    ],
)
def test_bad_urls_say_what_is_wrong(url: str, problem: str) -> None:
    assert problem in STRICT.url_problem(url)


def test_http_is_allowed_only_when_configured() -> None:
    assert TargetPolicy(allow_http=True).url_problem("http://hooks.example.com/in") == ""


async def test_a_host_is_refused_if_any_of_its_addresses_is_not_public() -> None:
    resolver = FakeResolver(mixed_example_com=["93.184.215.14", "10.0.0.1"])
    addresses, problem = await TargetGuard(STRICT, resolver).check("https://mixed.example.com/")
    assert addresses == []
    assert "resolves to 10.0.0.1, a private address" in problem


async def test_a_host_that_does_not_resolve_is_refused() -> None:
    _, problem = await TargetGuard(STRICT, FakeResolver()).check("https://nowhere.example.com/")
    assert "does not resolve" in problem


async def test_a_public_host_gives_its_addresses() -> None:
    resolver = FakeResolver(hooks_example_com=["93.184.215.14"])
    addresses, problem = await TargetGuard(STRICT, resolver).check("https://hooks.example.com/x")
    assert (addresses, problem) == ([ipaddress.ip_address("93.184.215.14")], "")


def test_signatures_verify_with_the_standard_webhooks_library() -> None:
    secret = new_secret()
    body = b'{"id":"evt-1","type":"meshwork.users.v1.UserCreated","data":{}}'
    headers = signature_headers(secret, message_id="job-1", timestamp=int(time.time()), body=body)
    assert Webhook(secret).verify(body, headers) == {
        "id": "evt-1",
        "type": "meshwork.users.v1.UserCreated",
        "data": {},
    }
    assert headers["webhook-id"] == "job-1"
    assert headers["webhook-signature"].startswith("v1,")


def test_a_tampered_body_does_not_verify() -> None:
    secret = new_secret()
    headers = signature_headers(secret, message_id="m", timestamp=int(time.time()), body=b"{}")
    with pytest.raises(Exception, match="No matching signature"):
        Webhook(secret).verify(b'{"x":1}', headers)


def test_secrets_are_sealed_per_endpoint() -> None:
    box = SecretBox("key-1")
    sealed = box.seal("whsec_abc", owner="endpoint-1")
    assert "whsec_abc" not in sealed
    assert box.open(sealed, owner="endpoint-1") == "whsec_abc"
    with pytest.raises(ValueError, match="does not decrypt"):
        box.open(sealed, owner="endpoint-2")
    with pytest.raises(ValueError, match="JOBS_WEBHOOK_SECRET_KEY changed"):
        SecretBox("key-2").open(sealed, owner="endpoint-1")
