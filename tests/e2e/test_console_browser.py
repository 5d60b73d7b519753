"""The admin console in Debian's chromium (Playwright), in front of the whole platform (`make up`).

Each page is saved as a screenshot under .artifacts/console/ (gitignored) for a person to look
at. Chromium comes from the system (`make browser` installs Debian's package when run as root),
never from `playwright install`.
"""

from __future__ import annotations

import contextlib
import datetime
import json
import os
import re
import shutil
import signal
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import grpc
import httpx
import pytest
from google.protobuf import struct_pb2
from playwright.async_api import Browser, Page, async_playwright, expect

from mesh.devstack import LOCAL_ADMIN_EMAIL
from mesh.stack import Stack
from meshwork.identity.v1 import identity_service_pb2, identity_service_pb2_grpc
from meshwork.jobs.v1 import jobs_service_pb2, jobs_service_pb2_grpc, resources_pb2
from tests.support import ROOT
from tests.support.stack import RunningStack, running_stack
from tests.support.waiting import eventually

#: The platform starts once for the module, inside the first test's time (slow on a busy machine).
pytestmark = pytest.mark.timeout(600)
STACK_READY_TIMEOUT_S = 240
EXPECT_TIMEOUT_MS = 20_000
ARTIFACTS = ROOT / ".artifacts" / "console"
PASSWORD = "correct horse battery"
#: A job that dies at its first attempt: payments refuses a lookback under a minute, and a
#: refusal is not retried.
DYING_JOB = "payments.reconcile"
DYING_PAYLOAD = {"lookback_seconds": 1}


def chromium() -> str:
    """Debian's chromium (or MESHWORK_CHROMIUM); a missing one fails, saying what to install."""
    path = os.environ.get("MESHWORK_CHROMIUM") or shutil.which("chromium")
    if not path:
        pytest.fail(
            "the console's browser tests need Chromium: run `make browser` as root (it installs "
            "Debian's chromium), or `sudo apt-get install chromium`, or set MESHWORK_CHROMIUM"
        )
    return path


@dataclass
class Account:
    email: str
    name: str
    user_id: str
    access_token: str


@dataclass
class Platform:
    edge: str
    stack: RunningStack
    admin: Account
    ada: Account
    sam: Account
    payment_id: str
    dead_job_id: str


async def _sign_up(http: httpx.AsyncClient, email: str, name: str) -> Account:
    reply = await http.post(
        "/v1/auth:signUp", json={"email": email, "password": PASSWORD, "displayName": name}
    )
    assert reply.status_code == 200, reply.text
    body = reply.json()
    return Account(email, name, body["userId"], body["tokens"]["accessToken"])


def _bearer(account: Account) -> dict[str, str]:
    return {"Authorization": f"Bearer {account.access_token}"}


async def _paid(http: httpx.AsyncClient, payer: Account) -> str:
    """A succeeded payment of `payer`, through the edge and the Stripe sandbox."""
    payment = {
        "amount": "2500",
        "currencyCode": "EUR",
        "paymentMethodId": "pm_card_visa",
        "description": "Annual plan",
    }
    headers = {**_bearer(payer), "Idempotency-Key": uuid.uuid4().hex}
    reply = await http.post("/v1/payments", json=payment, headers=headers)
    assert reply.status_code == 200, reply.text
    payment_id = str(reply.json()["payment"]["id"])

    async def succeeded() -> bool:
        state = (await http.get(f"/v1/payments/{payment_id}", headers=_bearer(payer))).json()
        return bool(state["payment"]["state"] == "PAYMENT_STATE_SUCCEEDED")

    await eventually(succeeded, timeout_s=20)
    return payment_id


async def _submit_kyc(http: httpx.AsyncClient, user: Account) -> None:
    """`user` asks for identity verification: their KYC is PENDING review."""
    expires = {"year": datetime.date.today().year + 2, "month": 1, "day": 31}
    details = {
        "legalGivenName": "Ada",
        "legalFamilyName": "Lovelace",
        "birthDate": {"year": 1990, "month": 12, "day": 10},
        "nationality": "GB",
        "residentialAddress": {
            "addressLines": ["10 Downing Street"],
            "locality": "London",
            "regionCode": "GB",
        },
        "documentType": "KYC_DOCUMENT_TYPE_PASSPORT",
        "documentNumber": "123456789",
        "documentIssuingCountry": "GB",
        "documentExpireDate": expires,
    }
    headers = {**_bearer(user), "Idempotency-Key": uuid.uuid4().hex}
    reply = await http.post("/v1/users/me/kyc:submit", json={"details": details}, headers=headers)
    assert reply.status_code == 200, reply.text


def _struct(values: dict[str, object]) -> struct_pb2.Struct:
    payload = struct_pb2.Struct()
    payload.update(values)
    return payload


async def _dead_job(stack: RunningStack, http: httpx.AsyncClient, admin: Account) -> str:
    """A job enqueued as the payments service would, that dies at once (payments refuses it)."""
    secrets = json.loads((Path(stack.env["MESHWORK_STATE_DIR"]) / "credentials.json").read_text())
    async with grpc.aio.insecure_channel(stack.addresses["identity"]) as channel:
        issued = await identity_service_pb2_grpc.IdentityServiceStub(channel).IssueServiceToken(
            identity_service_pb2.IssueServiceTokenRequest(
                client_id="payments", client_secret=secrets["payments"], audience="jobs"
            ),
            timeout=10,
        )
    async with grpc.aio.insecure_channel(stack.addresses["jobs"]) as channel:
        reply = await jobs_service_pb2_grpc.JobsServiceStub(channel).EnqueueJob(
            jobs_service_pb2.EnqueueJobRequest(
                idempotency_key=uuid.uuid4().hex,
                job=resources_pb2.Job(type=DYING_JOB, payload=_struct(DYING_PAYLOAD)),
            ),
            metadata=(("authorization", f"Bearer {issued.access_token}"),),
            timeout=10,
        )
    job_id = reply.job.id

    async def dead() -> bool:
        job = (await http.get(f"/v1/jobs/{job_id}", headers=_bearer(admin))).json()
        return bool(job["job"]["state"] == "JOB_STATE_DEAD")

    await eventually(dead, timeout_s=30)
    return job_id


@pytest.fixture(scope="module")
async def platform(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Platform]:
    state = tmp_path_factory.mktemp("state")
    async with running_stack(state, ready_timeout_s=STACK_READY_TIMEOUT_S) as stack:
        found = re.search(r"edge \(REST\)\s+(http://\S+)", stack.banner)
        assert found, stack.banner
        edge = found.group(1)
        async with httpx.AsyncClient(base_url=edge, timeout=20) as http:
            admin = await _sign_up(http, LOCAL_ADMIN_EMAIL, "Olive Operator")
            ada = await _sign_up(http, f"ada-{uuid.uuid4().hex[:8]}@example.com", "Ada Lovelace")
            sam = await _sign_up(http, f"sam-{uuid.uuid4().hex[:8]}@example.com", "Sam Support")
            payment_id = await _paid(http, ada)
            await _submit_kyc(http, ada)
            dead_job_id = await _dead_job(stack, http, admin)
        yield Platform(edge, stack, admin, ada, sam, payment_id, dead_job_id)


@pytest.fixture(scope="module")
async def browser() -> AsyncIterator[Browser]:
    path = chromium()
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    # each click goes through the whole platform: give a busy machine time
    expect.set_options(timeout=EXPECT_TIMEOUT_MS)
    async with async_playwright() as playwright:
        launched = await playwright.chromium.launch(executable_path=path)
        try:
            yield launched
        finally:
            await launched.close()


@pytest.fixture
async def page(browser: Browser, platform: Platform) -> AsyncIterator[Page]:
    context = await browser.new_context(
        base_url=platform.edge, viewport={"width": 1280, "height": 900}
    )
    opened = await context.new_page()
    try:
        yield opened
    finally:
        await context.close()


async def _sign_in(page: Page, account: Account) -> None:
    await page.goto("/admin/login")
    await page.fill("#email", account.email)
    await page.fill("#password", PASSWORD)
    await page.click("button[type=submit]")


async def _snap(page: Page, name: str) -> None:
    await page.screenshot(path=ARTIFACTS / f"{name}.png", full_page=True)


async def test_a_plain_user_is_turned_away(page: Page, platform: Platform) -> None:
    await _sign_in(page, platform.ada)
    await expect(page.locator("h1")).to_have_text("Staff only")
    await expect(page.locator(".denied")).to_contain_text("admin or support")
    await _snap(page, "denied")
    # nothing of the console opens afterwards either
    await page.goto("/admin/users")
    await expect(page).to_have_url(re.compile(r"/admin/login$"))


async def test_an_admin_finds_a_user_and_opens_their_profile(
    page: Page, platform: Platform
) -> None:
    await _sign_in(page, platform.admin)
    await expect(page).to_have_url(re.compile(r"/admin/users$"))
    await page.fill("#query", "Ada")  # htmx searches as the operator types
    await expect(page).to_have_url(re.compile(r"/admin/users\?query=Ada"))  # pushed by htmx
    await expect(page.locator("#results tbody tr")).to_have_count(1)
    row = page.locator("#results tr", has_text=platform.ada.email)
    await _snap(page, "users")
    await row.get_by_role("link", name="Ada Lovelace").click()
    await expect(page.locator("h1")).to_contain_text("Ada Lovelace")
    await expect(page.locator("#sessions")).to_contain_text("active")
    await _snap(page, "profile")


async def test_an_admin_refunds_a_payment(page: Page, platform: Platform) -> None:
    await _sign_in(page, platform.admin)
    await page.goto(f"/admin/payments?user_id={platform.ada.user_id}")
    row = page.locator(f"#payment-{platform.payment_id}")
    await expect(row).to_contain_text("25.00 EUR")
    await row.locator("input[name=amount]").fill("10")
    await row.get_by_role("button", name="Refund").click()
    await expect(page.locator(".notice.done")).to_contain_text("Refund")
    await _snap(page, "payments")

    async def refunded() -> bool:
        await page.reload()
        return "10.00 EUR" in await row.inner_text()

    await eventually(refunded, timeout_s=20)


async def test_an_admin_retries_a_dead_job(page: Page, platform: Platform) -> None:
    await _sign_in(page, platform.admin)
    await page.goto("/admin/jobs")
    row = page.locator(f"#job-{platform.dead_job_id}")
    await expect(row).to_contain_text("payments refused the reconciliation")
    await _snap(page, "jobs")
    await row.get_by_role("button", name="Retry").click()
    await expect(page.locator(".notice.done")).to_contain_text(
        f"Job {platform.dead_job_id} runs again"
    )


async def test_the_mailbox_shows_the_welcome_mail(page: Page, platform: Platform) -> None:
    await _sign_in(page, platform.admin)
    await page.goto(f"/admin/mailbox?recipient={platform.ada.email}")
    mail = page.locator("details.mail", has_text="Welcome to Meshwork")
    await expect(mail).to_contain_text(platform.ada.email)
    await mail.locator("summary").click()
    await _snap(page, "mailbox")


async def test_an_admin_suspends_a_user_and_finds_it_in_the_audit_trail(
    page: Page, platform: Platform
) -> None:
    await _sign_in(page, platform.admin)
    await page.goto(f"/admin/users/{platform.ada.user_id}")
    await page.fill("#suspend-reason", "chargeback under review")
    await page.get_by_role("button", name="Suspend").click()
    await expect(page.locator(".notice.done")).to_contain_text("User suspended")
    await expect(page.locator("h1 .tag")).to_have_text("suspended")
    await _snap(page, "suspended")

    # the suspension is in the trail with the admin as actor, and the chain verifies
    await page.goto(f"/admin/audit?actor_user_id={platform.admin.user_id}")
    entry = page.locator("#results tbody tr", has_text="UserSuspended")

    async def recorded() -> bool:  # the event reaches the trail through NATS
        await page.reload()
        return await entry.count() > 0

    await eventually(recorded, timeout_s=30)
    await expect(entry.first).to_contain_text(platform.admin.user_id[:11])  # the actor
    await page.get_by_role("button", name="Verify the chain").click()
    await expect(page.locator("#chain-verdict")).to_contain_text("intact")
    await _snap(page, "audit")

    # the request's trace id opens every service's log lines of that request
    await entry.first.locator("td:last-child a").click()
    await expect(page).to_have_url(re.compile(r"/admin/logs\?trace_id=[0-9a-f]{32}$"))
    await expect(page.locator("#results table")).to_be_visible()
    await _snap(page, "suspension-logs")


async def test_support_granted_by_an_admin_sees_only_what_support_may_do(
    page: Page, platform: Platform
) -> None:
    await _sign_in(page, platform.admin)
    await page.goto(f"/admin/users/{platform.sam.user_id}")
    roles = page.locator("#roles")
    await roles.locator("#role_id").select_option("support")
    await roles.locator("input[name=reason]").fill("joins the help desk")
    await roles.get_by_role("button", name="Grant").click()
    await expect(page.locator(".notice.done")).to_contain_text("Role support granted")
    await expect(page.locator("#roles tbody")).to_contain_text("joins the help desk")
    await _snap(page, "roles")
    await page.get_by_role("button", name="Sign out").click()
    await expect(page).to_have_url(re.compile(r"/admin/login$"))

    await _sign_in(page, platform.sam)  # the new role is in the token of this sign-in
    await expect(page).to_have_url(re.compile(r"/admin/users$"))
    navigation = page.locator("header nav a")
    await expect(navigation).to_have_text(["Users", "Payments"])
    await page.goto(f"/admin/users/{platform.ada.user_id}")
    kyc = page.locator("#kyc")
    await expect(kyc).to_contain_text("pending")
    await _snap(page, "support-profile")
    await kyc.get_by_role("button", name="Verify").click()  # support reviews KYC
    await expect(page.locator(".notice.done")).to_have_text("KYC verified.")
    await expect(kyc.locator(".tag")).to_have_text("verified")
    await expect(page.get_by_role("button", name="Suspend", exact=True)).to_have_count(0)
    await expect(page.locator("#roles")).to_have_count(0)
    await page.goto("/admin/audit")
    await expect(page.locator("h1")).to_have_text("Not for your role")
    await expect(page.locator(".denied")).to_contain_text("needs the admin role")


async def test_an_api_failure_is_shown_with_the_log_lines_of_its_request(
    page: Page, platform: Platform
) -> None:
    notifications = _pid_of(platform, "notifications")
    os.kill(notifications, signal.SIGSTOP)  # it answers nothing: the API's deadline passes
    try:
        await _sign_in(page, platform.admin)
        await page.goto("/admin/mailbox")
        failure = page.locator("#results .notice.error")
        await expect(failure).to_contain_text("The API refused: 504")
        await _snap(page, "api-error")
    finally:
        with contextlib.suppress(ProcessLookupError):  # the supervisor may have replaced it
            os.kill(notifications, signal.SIGCONT)
    await failure.get_by_role("link", name="the log lines of this request").click()
    await expect(page).to_have_url(re.compile(r"/admin/logs\?trace_id=[0-9a-f]{32}$"))
    line = page.locator("#results tbody tr", has_text="/v1/mailbox/messages 504")

    async def shipped() -> bool:  # the edge ships its WARNING lines to audit in batches
        await page.reload()
        return await line.count() > 0

    await eventually(shipped, timeout_s=30)
    await expect(line).to_have_count(1)  # shipped once
    await expect(line).to_contain_text("edge")
    await _snap(page, "logs")


def _pid_of(platform: Platform, name: str) -> int:
    state = Path(platform.stack.env["MESHWORK_STATE_DIR"])
    stack = Stack.read(state)
    assert stack is not None, f"no stack file in {state}"
    return next(process.pid for process in stack.processes if process.name == name)
