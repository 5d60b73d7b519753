"""The admin console in process: sign-in cookies, CSRF, roles from the contracts, API errors.

The edge serves every contract; payments is a fake upstream that records what reaches it, and
every other upstream is unreachable (its pages must show the API's error, not fail).
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from dataclasses import dataclass

import grpc
import httpx
import pytest

from edge.console.session import ACCESS_COOKIE, CSRF_COOKIE, REFRESH_COOKIE
from edge.transcoding.bindings import discover_services
from meshwork.audit.v1 import audit_service_pb2, audit_service_pb2_grpc
from meshwork.audit.v1 import resources_pb2 as audit_resources
from meshwork.payments.v1 import payments_service_pb2, payments_service_pb2_grpc, resources_pb2
from tests.integration.edge.fakes import Recorder, edge_app, fake_server, serving
from tests.support.tokens import TestIssuer

PAYMENT = resources_pb2.Payment(
    id="pay_1",
    user_id="user-9",
    amount=2500,
    currency_code="EUR",
    state=resources_pb2.PAYMENT_STATE_SUCCEEDED,
    description="Annual plan",
)


class ConsolePayments(payments_service_pb2_grpc.PaymentsServiceServicer):
    def __init__(self, recorder: Recorder) -> None:
        self.recorder = recorder

    async def ListPayments(self, request, context):  # type: ignore[no-untyped-def]
        default = payments_service_pb2.ListPaymentsResponse(payments=[PAYMENT])
        return await self.recorder.reply("ListPayments", request, context, default)

    async def CreateRefund(self, request, context):  # type: ignore[no-untyped-def]
        refund = resources_pb2.Refund(id="re_1", state=resources_pb2.REFUND_STATE_PENDING)
        default = payments_service_pb2.CreateRefundResponse(refund=refund)
        return await self.recorder.reply("CreateRefund", request, context, default)


TRACE = "4bf92f3577b34da6a3ce929d0e0e4736"


class ConsoleAudit(audit_service_pb2_grpc.AuditServiceServicer):
    """A trail whose chain was tampered with, and one log line."""

    def __init__(self, recorder: Recorder) -> None:
        self.recorder = recorder

    async def VerifyAuditChain(self, request, context):  # type: ignore[no-untyped-def]
        broken = audit_resources.AuditChainBreak(
            kind=audit_resources.AUDIT_CHAIN_BREAK_KIND_CHANGED,
            audit_entry_id="ae_7",
            sequence=7,
            description="its content no longer matches its hash",
        )
        report = audit_resources.AuditChainReport(
            chain="users", checked_entry_count=12, breaks=[broken]
        )
        default = audit_service_pb2.VerifyAuditChainResponse(intact=False, chains=[report])
        return await self.recorder.reply("VerifyAuditChain", request, context, default)

    async def ListLogEntries(self, request, context):  # type: ignore[no-untyped-def]
        line = audit_resources.LogEntry(
            service="users",
            severity=audit_resources.LOG_SEVERITY_WARNING,
            message="profile lookup failed",
            trace_id=TRACE,
        )
        default = audit_service_pb2.ListLogEntriesResponse(entries=[line])
        return await self.recorder.reply("ListLogEntries", request, context, default)


@dataclass
class Console:
    http: httpx.AsyncClient
    issuer: TestIssuer
    payments: Recorder
    audit: Recorder

    def sign_in_as(self, *roles: str, subject: str = "staff-1") -> None:
        """Puts an access token in the browser's cookie, as a successful sign-in does."""
        token = self.issuer.sign(sub=subject, roles=["user", *roles])
        self.http.cookies.set(ACCESS_COOKIE, token, domain="edge.test", path="/admin")

    async def csrf(self, page: str = "/admin/login") -> str:
        """The CSRF token a page's forms carry (its cookie is set on the way)."""
        html = (await self.http.get(page)).text
        match = re.search(r'name="csrf_token" value="([^"]+)"', html)
        assert match, html
        return match.group(1)


@pytest.fixture
async def console() -> AsyncIterator[Console]:
    issuer, payments, audit = TestIssuer(), Recorder(), Recorder()
    async with (
        fake_server(
            ConsolePayments(payments),
            payments_service_pb2,
            payments_service_pb2_grpc,
            service="payments",
            issuer=issuer,
        ) as (_, payments_address),
        fake_server(
            ConsoleAudit(audit),
            audit_service_pb2,
            audit_service_pb2_grpc,
            service="audit",
            issuer=issuer,
        ) as (_, audit_address),
    ):
        upstreams = {"payments": payments_address, "audit": audit_address}
        app = edge_app(issuer, upstreams=upstreams, services=discover_services())
        async with serving(app) as http:
            yield Console(http, issuer, payments, audit)


async def test_a_page_without_a_session_sends_the_browser_to_sign_in(console: Console) -> None:
    reply = await console.http.get("/admin/payments")
    assert (reply.status_code, reply.headers["location"]) == (303, "/admin/login")


async def test_the_sign_in_form_sets_its_csrf_cookie_httponly_and_strict(console: Console) -> None:
    reply = await console.http.get("/admin/login")
    cookie = reply.headers["set-cookie"]
    assert cookie.startswith(f"{CSRF_COOKIE}=")
    assert "HttpOnly" in cookie and "SameSite=strict" in cookie and "Path=/admin" in cookie
    assert "Secure" not in cookie  # served over http here; over https the cookie is Secure
    assert "script-src 'self'" in reply.headers["content-security-policy"]


async def test_a_sign_in_without_the_csrf_token_is_refused(console: Console) -> None:
    await console.csrf()
    reply = await console.http.post(
        "/admin/login", data={"email": "ada@example.com", "password": "x" * 12}
    )
    assert reply.status_code == 403
    assert "CSRF token" in reply.text


async def test_a_plain_user_is_turned_away_with_a_clear_page(console: Console) -> None:
    console.sign_in_as()
    reply = await console.http.get("/admin/payments")
    assert reply.status_code == 403
    assert "Staff only" in reply.text and "admin or support" in reply.text
    assert console.payments.count("ListPayments") == 0


async def test_staff_see_payments_with_a_refund_form(console: Console) -> None:
    console.sign_in_as("support")
    reply = await console.http.get("/admin/payments")
    assert reply.status_code == 200, reply.text
    assert "pay_1" in reply.text and "25.00 EUR" in reply.text
    assert 'action="/admin/payments/pay_1/refund"' in reply.text
    # every form that posts carries this browser's CSRF token
    forms = re.findall(r"<form[^>]*method=\"post\".*?</form>", reply.text, re.DOTALL)
    token = reply.cookies[CSRF_COOKIE]
    assert len(forms) >= 2 and all(f'name="csrf_token" value="{token}"' in f for f in forms)
    keys = re.findall(r'name="idempotency_key" value="([0-9a-f]{32})"', reply.text)
    assert len(keys) == len(forms) - 1 == len(set(keys))  # each action form its own; not sign-out
    # support may refund but not see jobs, so the navigation does not offer them
    assert 'href="/admin/jobs"' not in reply.text
    # the API saw the operator, not the edge, as the caller
    assert console.payments.last("ListPayments").principal.user.subject == "staff-1"


async def test_a_refund_goes_through_the_api_with_the_csrf_token(console: Console) -> None:
    console.sign_in_as("admin")
    token = await console.csrf("/admin/payments")
    reply = await console.http.post(
        "/admin/payments/pay_1/refund",
        data={
            "csrf_token": token,
            "idempotency_key": "form-key-1",
            "amount": "12.5",
            "reason": "REFUND_REASON_DUPLICATE",
        },
    )
    assert (reply.status_code, reply.headers["location"]) == (303, "/admin/payments")
    received = console.payments.last("CreateRefund")
    sent = received.request
    assert received.metadata["idempotency-key"] == "form-key-1"
    assert (sent.payment_id, sent.refund.amount) == ("pay_1", 1250)
    assert sent.refund.reason == resources_pb2.REFUND_REASON_DUPLICATE
    page = await console.http.get("/admin/payments")
    assert "Refund re_1 requested" in page.text


async def test_a_refund_without_the_csrf_token_changes_nothing(console: Console) -> None:
    console.sign_in_as("admin")
    await console.csrf("/admin/payments")
    reply = await console.http.post(
        "/admin/payments/pay_1/refund",
        data={"csrf_token": "forged", "reason": "REFUND_REASON_DUPLICATE"},
    )
    assert reply.status_code == 403
    assert console.payments.count("CreateRefund") == 0


async def test_a_malformed_refund_amount_is_named_and_nothing_is_sent(console: Console) -> None:
    console.sign_in_as("admin")
    token = await console.csrf("/admin/payments")
    await console.http.post(
        "/admin/payments/pay_1/refund",
        data={"csrf_token": token, "amount": "12.345", "reason": "REFUND_REASON_DUPLICATE"},
    )
    page = await console.http.get("/admin/payments")
    assert "amount: &#39;12.345&#39; is not an amount such as 12.50" in page.text
    assert console.payments.count("CreateRefund") == 0


async def test_the_apis_refusal_of_an_action_is_shown_on_the_page(console: Console) -> None:
    async def refuse(request, context):  # type: ignore[no-untyped-def]
        await context.abort(grpc.StatusCode.FAILED_PRECONDITION, "payment pay_1 is refunded")

    console.payments.answers["CreateRefund"] = refuse
    console.sign_in_as("admin")
    token = await console.csrf("/admin/payments")
    await console.http.post(
        "/admin/payments/pay_1/refund",
        data={"csrf_token": token, "reason": "REFUND_REASON_DUPLICATE"},
    )
    page = await console.http.get("/admin/payments")
    assert 'class="notice error" role="alert"' in page.text
    assert "POST /v1/payments/pay_1/refunds answered 400 UPSTREAM_FAILED_PRECONDITION" in page.text


async def test_a_page_for_another_role_says_which_role_it_needs(console: Console) -> None:
    console.sign_in_as("support")
    reply = await console.http.get("/admin/jobs")
    assert reply.status_code == 403
    assert "needs the admin role" in reply.text


async def test_an_unreachable_service_shows_its_error_on_the_page(console: Console) -> None:
    console.sign_in_as("admin")
    reply = await console.http.get("/admin/jobs")
    assert reply.status_code == 200
    assert "The API refused: 503" in reply.text
    # with a link to every log line of the request it failed in
    assert re.search(
        r'href="/admin/logs\?trace_id=[0-9a-f]{32}">the log lines of this request', reply.text
    )


async def test_over_https_the_cookies_are_secure_too(console: Console) -> None:
    reply = await console.http.get("https://edge.test/admin/login")
    cookie = reply.headers["set-cookie"]
    assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=strict" in cookie


async def test_an_expired_session_that_cannot_be_refreshed_signs_the_operator_out(
    console: Console,
) -> None:
    expired = console.issuer.sign(sub="staff-1", roles=["admin"], iat=1, nbf=1, exp=2)
    console.http.cookies.set(ACCESS_COOKIE, expired, domain="edge.test", path="/admin")
    console.http.cookies.set(REFRESH_COOKIE, "spent", domain="edge.test", path="/admin")
    reply = await console.http.get("/admin/payments")
    assert (reply.status_code, reply.headers["location"]) == (303, "/admin/login")
    cleared = reply.headers.get_list("set-cookie")
    assert any(c.startswith(f'{ACCESS_COOKIE}=""') for c in cleared), cleared
    assert console.payments.count("ListPayments") == 0


async def test_a_broken_chain_names_the_changed_entry(console: Console) -> None:
    console.sign_in_as("admin")
    reply = await console.http.get("/admin/audit/verify", headers={"HX-Request": "true"})
    assert reply.status_code == 200
    assert "The chain is broken" in reply.text
    assert "users: changed at entry <code>ae_7</code> (sequence 7)" in reply.text
    assert "<html" not in reply.text  # a fragment for htmx to put in place
    assert console.audit.last("VerifyAuditChain").principal.user.subject == "staff-1"


async def test_the_logs_of_one_request_are_searched_by_its_trace_id(console: Console) -> None:
    console.sign_in_as("admin")
    reply = await console.http.get(f"/admin/logs?trace_id={TRACE}")
    assert console.audit.last("ListLogEntries").request.trace_id == TRACE
    assert "profile lookup failed" in reply.text
    assert f'href="/admin/logs?trace_id={TRACE}"' in reply.text
