"""RetryJob with an idempotency key: a retried retry answers as the first did."""

from __future__ import annotations

import grpc
import pytest

from meshwork.jobs.v1 import jobs_service_pb2 as pb
from meshwork.jobs.v1 import resources_pb2
from tests.integration.jobs.conftest import Callers, Jobs, reason_of
from tests.integration.jobs.test_api import enqueue, in_an_hour, record_job


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
