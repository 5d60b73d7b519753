"""Publishing is lossless and never doubles a run: the work-queue message of a job carries
`Nats-Msg-Id` = job id + dispatch number, so a re-publish after a crash is dropped by
JetStream, and a copy that slips through anyway is recognised and not run."""

from __future__ import annotations

from meshwork.jobs.v1 import jobs_service_pb2 as pb
from meshwork.jobs.v1 import resources_pb2
from services.jobs.config import JobsSettings
from services.jobs.queue import JobMessage, WorkQueue
from tests.integration.jobs.conftest import Callers, Jobs, Recorder
from tests.support.waiting import eventually


async def test_a_republished_job_message_is_dropped_or_ignored(
    jobs: Jobs, settings: JobsSettings, recorder: Recorder, callers: Callers
) -> None:
    reply = await jobs.stub.EnqueueJob(
        pb.EnqueueJobRequest(idempotency_key="once", job=resources_pb2.Job(type="tests.record")),
        metadata=callers.service("users"),
    )
    job_id = reply.job.id

    async def succeeded() -> bool:
        job = (
            await jobs.stub.GetJob(pb.GetJobRequest(job_id=job_id), metadata=callers.admin())
        ).job
        return job.state == resources_pb2.JOB_STATE_SUCCEEDED

    await eventually(succeeded)
    queue = WorkQueue(settings.queue_name)
    js = jobs.running.runtime.nc.jetstream()
    # What a dispatcher that crashed before recording its publish would send again:
    message = JobMessage(job_id, 1)
    ack = await js.publish(
        queue.subject("tests.record"), message.encode(), headers={"Nats-Msg-Id": message.msg_id}
    )
    assert ack.duplicate
    # The same publication once JetStream's duplicate window has passed:
    await js.publish(
        queue.subject("tests.record"), message.encode(), headers={"Nats-Msg-Id": "late-copy"}
    )

    async def settled() -> bool:
        info = await js.consumer_info(queue.stream, queue.consumer)
        return info.num_pending == 0 and info.num_ack_pending == 0

    await eventually(settled)
    assert [run.job_id for run in recorder.runs] == [job_id]
