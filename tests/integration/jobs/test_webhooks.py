"""Outgoing webhooks end to end: endpoints through the API, an event to a signed delivery,
retries, and loopback targets refused unless configured."""

from __future__ import annotations

import threading
from collections.abc import AsyncIterator, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import grpc
import pytest
from standardwebhooks import Webhook

from mesh.events.envelope import MSG_ID_HEADER, envelope_for
from meshwork.jobs.v1 import jobs_service_pb2 as pb
from meshwork.jobs.v1 import resources_pb2
from meshwork.users.v1 import events_pb2 as users_events
from services.jobs.config import JobsSettings
from tests.integration.jobs.conftest import (
    Callers,
    Jobs,
    reason_of,
    running_jobs,
    violations_of,
)
from tests.support.tokens import TestIssuer
from tests.support.waiting import eventually

USER_CREATED = "meshwork.users.v1.UserCreated"


class Receiver:
    """A local HTTP endpoint: records every POST; answers `statuses` in turn, then 204."""

    def __init__(self, *statuses: int) -> None:
        self.requests: list[tuple[dict[str, str], bytes]] = []
        self.statuses = list(statuses)
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                headers = {name.lower(): value for name, value in self.headers.items()}
                receiver.requests.append((headers, body))
                self.send_response(receiver.statuses.pop(0) if receiver.statuses else 204)
                self.end_headers()

            def log_message(self, format: str, *args: Any) -> None:
                return None  # keep the test output quiet

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}/meshwork-events"

    def __enter__(self) -> Receiver:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    with Receiver(503) as started:  # the first delivery attempt is turned away
        yield started


@pytest.fixture
def webhook_settings(settings: JobsSettings) -> JobsSettings:
    """Jobs following the users service's events, retrying soon."""
    return settings.model_copy(
        update={"webhook_event_services": ["users"], "retry_initial_delay_s": 0.2}
    )


@pytest.fixture
async def strict_jobs(webhook_settings: JobsSettings, issuer: TestIssuer) -> AsyncIterator[Jobs]:
    """Jobs as configured by default: https and public targets only."""
    async with running_jobs(webhook_settings, issuer) as started:
        yield started


@pytest.fixture
async def open_jobs(webhook_settings: JobsSettings, issuer: TestIssuer) -> AsyncIterator[Jobs]:
    """Jobs configured for local development: http and loopback targets allowed."""
    allowing = webhook_settings.model_copy(
        update={"webhook_allow_http": True, "webhook_allow_private_targets": True}
    )
    async with running_jobs(allowing, issuer) as started:
        yield started


async def test_a_loopback_target_is_refused_by_default(
    strict_jobs: Jobs, callers: Callers, receiver: Receiver
) -> None:
    jobs = strict_jobs
    problems = {}
    for url in (receiver.url, receiver.url.replace("http:", "https:")):
        endpoint = resources_pb2.WebhookEndpoint(url=url, event_types=[USER_CREATED])
        with pytest.raises(grpc.aio.AioRpcError) as caught:
            await jobs.stub.CreateWebhookEndpoint(
                pb.CreateWebhookEndpointRequest(webhook_endpoint=endpoint),
                metadata=callers.admin(),
            )
        assert caught.value.code() == grpc.StatusCode.INVALID_ARGUMENT
        assert reason_of(caught.value) == "INVALID_WEBHOOK_URL"
        [(field, problem)] = violations_of(caught.value)
        assert field == "webhook_endpoint.url"
        problems[url.split(":")[0]] = problem
    assert problems["http"] == "must use https (got 'http')"
    assert problems["https"].endswith("a loopback address; webhooks go to public addresses only")
    listed = await jobs.stub.ListWebhookEndpoints(
        pb.ListWebhookEndpointsRequest(), metadata=callers.admin()
    )
    assert list(listed.webhook_endpoints) == []


async def test_an_event_reaches_a_subscribed_endpoint_signed_and_retried(
    open_jobs: Jobs, callers: Callers, receiver: Receiver
) -> None:
    created = await open_jobs.stub.CreateWebhookEndpoint(
        pb.CreateWebhookEndpointRequest(
            webhook_endpoint=resources_pb2.WebhookEndpoint(
                url=receiver.url, event_types=[USER_CREATED], enabled=True
            )
        ),
        metadata=callers.admin(),
    )
    secret = created.webhook_endpoint.secret
    shown = await open_jobs.stub.GetWebhookEndpoint(
        pb.GetWebhookEndpointRequest(webhook_endpoint_id=created.webhook_endpoint.id),
        metadata=callers.admin(),
    )
    assert secret.startswith("whsec_") and shown.webhook_endpoint.secret == ""

    event = users_events.UserCreated()
    event.user.id, event.user.email = "user-42", "grace@example.com"
    envelope = envelope_for(event)
    await open_jobs.running.runtime.nc.jetstream().publish(
        envelope.subject,
        envelope.payload,
        headers={**envelope.headers, MSG_ID_HEADER: envelope.event_id},
    )

    async def delivered_twice() -> bool:
        return len(receiver.requests) >= 2

    await eventually(delivered_twice)
    (first_headers, _), (headers, body) = receiver.requests[:2]
    delivery = Webhook(secret).verify(body, headers)
    assert delivery == {
        "id": envelope.event_id,
        "type": USER_CREATED,
        "occurred_time": delivery["occurred_time"],
        "data": {"user": {"id": "user-42", "email": "grace@example.com"}},
    }
    assert first_headers["webhook-id"] == headers["webhook-id"]  # the same message, retried
    assert headers["content-type"] == "application/json"

    async def succeeded() -> bool:
        page = await open_jobs.stub.ListJobs(
            pb.ListJobsRequest(type="webhooks.deliver"), metadata=callers.admin()
        )
        return [job.state for job in page.jobs] == [resources_pb2.JOB_STATE_SUCCEEDED]

    await eventually(succeeded)
    page = await open_jobs.stub.ListJobs(
        pb.ListJobsRequest(type="webhooks.deliver"), metadata=callers.admin()
    )
    assert (page.jobs[0].id, page.jobs[0].attempt_count) == (headers["webhook-id"], 2)
