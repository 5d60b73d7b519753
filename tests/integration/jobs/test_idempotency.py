"""Jobs' mutations with an idempotency key: a retried call answers as the first did."""

from __future__ import annotations

from collections.abc import AsyncIterator

import grpc
import pytest
import sqlalchemy as sa
from google.protobuf import field_mask_pb2

from mesh.db import idempotency_table
from meshwork.jobs.v1 import jobs_service_pb2 as pb
from meshwork.jobs.v1 import resources_pb2
from services.jobs.config import JobsSettings
from tests.integration.jobs.conftest import Callers, Jobs, reason_of, running_jobs
from tests.integration.jobs.test_api import enqueue, in_an_hour, record_job
from tests.integration.jobs.test_webhooks import USER_CREATED
from tests.support.status import refusal
from tests.support.tokens import TestIssuer


async def test_a_retried_retry_replays_the_first_answer(jobs: Jobs, callers: Callers) -> None:
    job = await enqueue(jobs, callers, "k-1", record_job(run_time=in_an_hour()))
    await jobs.stub.CancelJob(pb.CancelJobRequest(job_id=job.id), metadata=callers.admin())
    keyed = (*callers.admin(), ("idempotency-key", "retry-1"))

    first = await jobs.stub.RetryJob(pb.RetryJobRequest(job_id=job.id), metadata=keyed)
    again = await jobs.stub.RetryJob(pb.RetryJobRequest(job_id=job.id), metadata=keyed)

    assert again == first
    assert first.job.state == resources_pb2.JobState.JOB_STATE_PENDING


async def test_the_key_for_another_job_is_refused_naming_it(jobs: Jobs, callers: Callers) -> None:
    one = await enqueue(jobs, callers, "k-1", record_job(run_time=in_an_hour()))
    two = await enqueue(jobs, callers, "k-2", record_job(run_time=in_an_hour()))
    for job in (one, two):
        await jobs.stub.CancelJob(pb.CancelJobRequest(job_id=job.id), metadata=callers.admin())
    keyed = (*callers.admin(), ("idempotency-key", "retry-1"))
    await jobs.stub.RetryJob(pb.RetryJobRequest(job_id=one.id), metadata=keyed)

    with pytest.raises(grpc.aio.AioRpcError) as refused:
        await jobs.stub.RetryJob(pb.RetryJobRequest(job_id=two.id), metadata=keyed)

    assert (refused.value.code(), reason_of(refused.value)) == (
        grpc.StatusCode.INVALID_ARGUMENT, "IDEMPOTENCY_KEY_REUSED",
    )  # fmt: skip
    assert "'retry-1'" in (refused.value.details() or "")


async def test_a_retried_cancellation_replays_the_first_answer(
    jobs: Jobs, callers: Callers
) -> None:
    job = await enqueue(jobs, callers, "k-1", record_job(run_time=in_an_hour()))
    keyed = (*callers.admin(), ("idempotency-key", "cancel-1"))

    cancelled = await jobs.stub.CancelJob(pb.CancelJobRequest(job_id=job.id), metadata=keyed)
    again = await jobs.stub.CancelJob(pb.CancelJobRequest(job_id=job.id), metadata=keyed)

    assert again == cancelled
    assert cancelled.job.state == resources_pb2.JobState.JOB_STATE_CANCELLED


@pytest.fixture
async def open_jobs(settings: JobsSettings, issuer: TestIssuer) -> AsyncIterator[Jobs]:
    """Jobs that accept loopback http webhook targets (as for local development)."""
    allowing = settings.model_copy(
        update={
            "webhook_event_services": ["users"],
            "webhook_allow_http": True,
            "webhook_allow_private_targets": True,
        }
    )
    async with running_jobs(allowing, issuer) as started:
        yield started


async def test_a_retried_endpoint_creation_replays_its_secret_stored_sealed(
    open_jobs: Jobs, callers: Callers
) -> None:
    endpoint = resources_pb2.WebhookEndpoint(
        url="http://127.0.0.1:9/hook", event_types=[USER_CREATED]
    )
    request = pb.CreateWebhookEndpointRequest(webhook_endpoint=endpoint)
    keyed = (*callers.admin(), ("idempotency-key", "endpoint-1"))

    first = await open_jobs.stub.CreateWebhookEndpoint(request, metadata=keyed)
    again = await open_jobs.stub.CreateWebhookEndpoint(request, metadata=keyed)
    listed = await open_jobs.stub.ListWebhookEndpoints(
        pb.ListWebhookEndpointsRequest(), metadata=callers.admin()
    )

    assert again == first and first.webhook_endpoint.secret.startswith("whsec_")
    assert [e.id for e in listed.webhook_endpoints] == [first.webhook_endpoint.id]
    async with open_jobs.running.runtime.engine.connect() as connection:
        [stored] = (await connection.execute(sa.select(idempotency_table.c.response))).all()
    assert first.webhook_endpoint.secret.encode() not in bytes(stored.response)


async def test_a_retried_endpoint_update_and_deletion_replay_their_answers(
    open_jobs: Jobs, callers: Callers
) -> None:
    endpoint = resources_pb2.WebhookEndpoint(
        url="http://127.0.0.1:9/hook", event_types=[USER_CREATED]
    )
    created = await open_jobs.stub.CreateWebhookEndpoint(
        pb.CreateWebhookEndpointRequest(webhook_endpoint=endpoint), metadata=callers.admin()
    )
    endpoint_id = created.webhook_endpoint.id
    disable = pb.UpdateWebhookEndpointRequest(
        webhook_endpoint=resources_pb2.WebhookEndpoint(id=endpoint_id, enabled=False),
        update_mask=field_mask_pb2.FieldMask(paths=["enabled"]),
    )
    delete = pb.DeleteWebhookEndpointRequest(webhook_endpoint_id=endpoint_id)
    update_key = (*callers.admin(), ("idempotency-key", "update-1"))
    delete_key = (*callers.admin(), ("idempotency-key", "delete-1"))

    updated = await open_jobs.stub.UpdateWebhookEndpoint(disable, metadata=update_key)
    assert await open_jobs.stub.UpdateWebhookEndpoint(disable, metadata=update_key) == updated
    await open_jobs.stub.DeleteWebhookEndpoint(delete, metadata=delete_key)
    again = await open_jobs.stub.DeleteWebhookEndpoint(delete, metadata=delete_key)

    assert again == pb.DeleteWebhookEndpointResponse()  # replayed, not NOT_FOUND
    other = pb.DeleteWebhookEndpointRequest(webhook_endpoint_id="another")
    assert await refusal(open_jobs.stub.DeleteWebhookEndpoint(other, metadata=delete_key)) == (
        grpc.StatusCode.INVALID_ARGUMENT, "IDEMPOTENCY_KEY_REUSED",
    )  # fmt: skip
