"""Run-at scheduling: a job enqueued for T runs at T, not before, and exactly once."""

from __future__ import annotations

from datetime import timedelta

from google.protobuf import struct_pb2, timestamp_pb2

from meshwork.jobs.v1 import jobs_service_pb2 as pb
from meshwork.jobs.v1 import resources_pb2
from tests.integration.jobs.conftest import Callers, Jobs, Recorder, later
from tests.support.waiting import eventually


def job_at(when: object, **fields: object) -> resources_pb2.Job:
    stamp = timestamp_pb2.Timestamp()
    stamp.FromDatetime(when)  # type: ignore[arg-type]
    return resources_pb2.Job(type="tests.record", run_time=stamp, **fields)  # type: ignore[arg-type]


async def test_a_job_scheduled_for_t_runs_at_t(
    jobs: Jobs, recorder: Recorder, callers: Callers
) -> None:
    due = later(1.5)
    reply = await jobs.stub.EnqueueJob(
        pb.EnqueueJobRequest(idempotency_key="report-1", job=job_at(due)),
        metadata=callers.service("users"),
    )
    assert reply.job.state == resources_pb2.JOB_STATE_PENDING
    await recorder.wait_for(lambda runs: len(runs) == 1)
    [run] = recorder.runs
    assert run.job_id == reply.job.id
    assert due <= run.started <= due + timedelta(seconds=1)

    async def succeeded() -> bool:
        job = (
            await jobs.stub.GetJob(
                pb.GetJobRequest(job_id=reply.job.id), metadata=callers.service("users")
            )
        ).job
        return job.state == resources_pb2.JOB_STATE_SUCCEEDED

    await eventually(succeeded)
    assert len(recorder.runs) == 1


async def test_jobs_without_a_run_time_run_at_once_with_their_payload(
    jobs: Jobs, recorder: Recorder, callers: Callers
) -> None:
    payload = struct_pb2.Struct()
    payload.update({"user_id": "u-1", "reason": "gdpr"})
    for index in range(3):
        await jobs.stub.EnqueueJob(
            pb.EnqueueJobRequest(
                idempotency_key=f"now-{index}",
                job=resources_pb2.Job(type="tests.record", payload=payload),
            ),
            metadata=callers.service("users"),
        )
    await recorder.wait_for(lambda runs: len(runs) == 3, timeout_s=5)
    assert {run.payload["user_id"] for run in recorder.runs} == {"u-1"}
