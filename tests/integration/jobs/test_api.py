"""The JobsService contract over real gRPC: validation, idempotency, who sees what,
cancel and retry, schedules, webhook endpoint management and the reconciliation slot."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import grpc
import pytest
import sqlalchemy as sa
from google.protobuf import field_mask_pb2, struct_pb2, timestamp_pb2

from mesh.db import inbox_table
from meshwork.jobs.v1 import jobs_service_pb2 as pb
from meshwork.jobs.v1 import resources_pb2
from services.jobs.config import DEFAULT_SCHEDULES, JobsSettings
from services.jobs.orm import jobs_table
from tests.integration.jobs.conftest import (
    Callers,
    Jobs,
    Recorder,
    later,
    reason_of,
    running_jobs,
    violations_of,
)
from tests.support.tokens import TestIssuer
from tests.support.waiting import eventually

JobState = resources_pb2.JobState


def record_job(**fields: object) -> resources_pb2.Job:
    return resources_pb2.Job(type="tests.record", **fields)  # type: ignore[arg-type]


def in_an_hour() -> timestamp_pb2.Timestamp:
    stamp = timestamp_pb2.Timestamp()
    stamp.FromDatetime(later(3600))
    return stamp


async def enqueue(
    jobs: Jobs, callers: Callers, key: str, job: resources_pb2.Job, *, by: str = "users"
) -> resources_pb2.Job:
    reply = await jobs.stub.EnqueueJob(
        pb.EnqueueJobRequest(idempotency_key=key, job=job), metadata=callers.service(by)
    )
    return reply.job


async def rpc_error(call: object) -> grpc.aio.AioRpcError:
    with pytest.raises(grpc.aio.AioRpcError) as caught:
        await call  # type: ignore[misc]
    return caught.value


class TestEnqueue:
    async def test_bad_input_names_every_field_and_writes_nothing(
        self, jobs: Jobs, callers: Callers
    ) -> None:
        error = await rpc_error(
            jobs.stub.EnqueueJob(
                pb.EnqueueJobRequest(
                    idempotency_key="",
                    job=resources_pb2.Job(type="tests.unknown", max_attempts=1000),
                ),
                metadata=callers.service("users"),
            )
        )
        assert error.code() == grpc.StatusCode.INVALID_ARGUMENT
        assert reason_of(error) == "VALIDATION_FAILED"
        assert [field for field, _ in violations_of(error)] == [
            "idempotency_key", "job.type", "job.max_attempts",
        ]  # fmt: skip
        listed = await jobs.stub.ListJobs(pb.ListJobsRequest(), metadata=callers.admin())
        assert list(listed.jobs) == []

    async def test_an_unknown_job_type_alone_has_its_own_reason(
        self, jobs: Jobs, callers: Callers
    ) -> None:
        error = await rpc_error(enqueue(jobs, callers, "k", resources_pb2.Job(type="x.y")))
        assert reason_of(error) == "UNKNOWN_JOB_TYPE"
        [(field, problem)] = violations_of(error)
        assert field == "job.type" and "'x.y' has no registered handler" in problem

    async def test_a_webhook_delivery_payload_is_checked(
        self, jobs: Jobs, callers: Callers
    ) -> None:
        payload = struct_pb2.Struct()
        payload.update({"endpoint_id": "e-1"})
        error = await rpc_error(
            enqueue(jobs, callers, "k", resources_pb2.Job(type="webhooks.deliver", payload=payload))
        )
        assert reason_of(error) == "INVALID_JOB_PAYLOAD"
        assert {field for field, _ in violations_of(error)} == {
            "job.payload.event_id", "job.payload.event_type",
            "job.payload.occurred_time", "job.payload.data",
        }  # fmt: skip

    async def test_a_retried_enqueue_returns_the_same_job(
        self, jobs: Jobs, callers: Callers
    ) -> None:
        job = record_job(run_time=in_an_hour())
        first = await enqueue(jobs, callers, "purge:u-1", job)
        again = await enqueue(jobs, callers, "purge:u-1", job)
        assert again.id == first.id
        other = record_job(run_time=in_an_hour(), max_attempts=2)
        other.payload.update({"different": True})
        error = await rpc_error(enqueue(jobs, callers, "purge:u-1", other))
        assert error.code() == grpc.StatusCode.ALREADY_EXISTS
        assert reason_of(error) == "IDEMPOTENCY_KEY_REUSED"

    async def test_only_listed_services_may_enqueue(self, jobs: Jobs, callers: Callers) -> None:
        error = await rpc_error(enqueue(jobs, callers, "k", record_job(), by="audit"))
        assert error.code() == grpc.StatusCode.PERMISSION_DENIED


class TestVisibilityCancelRetry:
    async def test_a_service_sees_and_cancels_only_its_own_jobs(
        self, jobs: Jobs, callers: Callers
    ) -> None:
        job = await enqueue(jobs, callers, "k-1", record_job(run_time=in_an_hour()))
        error = await rpc_error(
            jobs.stub.GetJob(pb.GetJobRequest(job_id=job.id), metadata=callers.service("payments"))
        )
        assert (error.code(), reason_of(error)) == (grpc.StatusCode.NOT_FOUND, "JOB_NOT_FOUND")
        cancelled = await jobs.stub.CancelJob(
            pb.CancelJobRequest(job_id=job.id), metadata=callers.service("users")
        )
        assert cancelled.job.state == JobState.JOB_STATE_CANCELLED
        assert cancelled.job.HasField("finish_time")

    async def test_an_admin_retries_a_cancelled_job_and_it_runs(
        self, jobs: Jobs, callers: Callers, recorder: Recorder
    ) -> None:
        job = await enqueue(jobs, callers, "k-2", record_job(run_time=in_an_hour()))
        await jobs.stub.CancelJob(pb.CancelJobRequest(job_id=job.id), metadata=callers.admin())
        retried = await jobs.stub.RetryJob(
            pb.RetryJobRequest(job_id=job.id), metadata=callers.admin()
        )
        assert (retried.job.state, retried.job.attempt_count) == (JobState.JOB_STATE_PENDING, 0)
        await recorder.wait_for(lambda runs: [run.job_id for run in runs] == [job.id])

    async def test_members_cannot_list_jobs(self, jobs: Jobs, callers: Callers) -> None:
        error = await rpc_error(
            jobs.stub.ListJobs(pb.ListJobsRequest(), metadata=callers.user("member-1"))
        )
        assert error.code() == grpc.StatusCode.PERMISSION_DENIED

    async def test_retrying_a_pending_job_is_refused(self, jobs: Jobs, callers: Callers) -> None:
        job = await enqueue(jobs, callers, "k-3", record_job(run_time=in_an_hour()))
        error = await rpc_error(
            jobs.stub.RetryJob(pb.RetryJobRequest(job_id=job.id), metadata=callers.admin())
        )
        assert (error.code(), reason_of(error)) == (
            grpc.StatusCode.FAILED_PRECONDITION, "JOB_NOT_RETRYABLE",
        )  # fmt: skip


async def test_the_default_schedules_are_listed_with_their_next_run(
    settings: JobsSettings, issuer: TestIssuer, callers: Callers
) -> None:
    configured = settings.model_copy(update={"schedules": list(DEFAULT_SCHEDULES)})
    async with running_jobs(configured, issuer) as jobs:
        listed = await jobs.stub.ListSchedules(pb.ListSchedulesRequest(), metadata=callers.admin())
        assert [s.id for s in listed.schedules] == [
            "audit-purge-expired-log-entries", "identity-purge-expired-tokens",
            "jobs-purge-records",
        ]  # fmt: skip
        hourly = await jobs.stub.GetSchedule(
            pb.GetScheduleRequest(schedule_id="identity-purge-expired-tokens"),
            metadata=callers.admin(),
        )
        assert (hourly.schedule.cron_expression, hourly.schedule.job_type) == (
            "0 * * * *", "identity.purge_expired_tokens",
        )  # fmt: skip
        next_run = hourly.schedule.next_run_time.ToDatetime()
        assert next_run.minute == 0 and next_run.second == 0
        error = await rpc_error(
            jobs.stub.GetSchedule(
                pb.GetScheduleRequest(schedule_id="nope"), metadata=callers.admin()
            )
        )
        assert reason_of(error) == "SCHEDULE_NOT_FOUND"


async def test_reconciliation_without_a_reconciler_ends_dead_saying_why(
    jobs: Jobs, callers: Callers
) -> None:
    job = await enqueue(
        jobs, callers, "reconcile-1", resources_pb2.Job(type="payments.reconcile"), by="payments"
    )

    async def dead() -> bool:
        current = await jobs.stub.GetJob(
            pb.GetJobRequest(job_id=job.id), metadata=callers.service("payments")
        )
        return current.job.state == JobState.JOB_STATE_DEAD

    await eventually(dead)
    final = await jobs.stub.GetJob(pb.GetJobRequest(job_id=job.id), metadata=callers.admin())
    assert final.job.attempt_count == 1
    assert "no payments reconciler is configured" in final.job.last_error


async def test_purging_records_deletes_only_what_is_past_its_retention(
    jobs: Jobs, callers: Callers
) -> None:
    engine = jobs.running.runtime.engine
    long_ago = datetime.now(UTC) - timedelta(days=400)
    old = job(id="old-finished", state="SUCCEEDED", create_time=long_ago, finish_time=long_ago)
    async with engine.begin() as connection:
        await connection.execute(sa.insert(jobs_table).values(old))
        await connection.execute(
            sa.insert(inbox_table).values(
                consumer="c", event_id="e", subject="events.users.v1.X", handled_at=long_ago
            )
        )
    purge = await enqueue(
        jobs, callers, "purge-1", resources_pb2.Job(type="jobs.purge_records"), by="admin"
    )

    async def succeeded() -> bool:
        current = await jobs.stub.GetJob(
            pb.GetJobRequest(job_id=purge.id), metadata=callers.admin()
        )
        return current.job.state == JobState.JOB_STATE_SUCCEEDED

    await eventually(succeeded)
    async with engine.connect() as connection:
        left = await connection.scalars(sa.select(jobs_table.c.id))
        inbox = await connection.scalar(sa.select(sa.func.count()).select_from(inbox_table))
    assert (set(left), inbox) == ({purge.id}, 0)


def job(**values: object) -> dict[str, object]:
    """A jobs row as another process would have written it."""
    now = datetime.now(UTC)
    row: dict[str, object] = {
        "id": "job-1", "type": "tests.record", "payload": {}, "state": "PENDING",
        "run_time": now, "attempt_count": 1, "max_attempts": 3, "last_error": "",
        "idempotency_key": str(values.get("id", "job-1")), "enqueued_by": "users",
        "schedule_id": "", "create_time": now, "update_time": now, "start_time": None,
        "finish_time": None, "dispatch_seq": 1, "started_seq": 1, "dispatch_time": None,
    }  # fmt: skip
    return row | values


class TestWebhookEndpoints:
    async def test_endpoints_are_updated_listed_and_deleted(
        self, settings: JobsSettings, issuer: TestIssuer, callers: Callers
    ) -> None:
        configured = settings.model_copy(
            update={"webhook_event_services": ["users"], "webhook_allow_private_targets": True}
        )
        async with running_jobs(configured, issuer) as jobs:
            created = await jobs.stub.CreateWebhookEndpoint(
                pb.CreateWebhookEndpointRequest(
                    webhook_endpoint=resources_pb2.WebhookEndpoint(
                        url="https://127.0.0.1:9/hooks",
                        event_types=["meshwork.users.v1.UserCreated"],
                        enabled=True,
                    )
                ),
                metadata=callers.admin("admin-7"),
            )
            endpoint = created.webhook_endpoint
            assert endpoint.created_by == "admin-7"
            changed = resources_pb2.WebhookEndpoint(id=endpoint.id, description="CRM")
            updated = await jobs.stub.UpdateWebhookEndpoint(
                pb.UpdateWebhookEndpointRequest(
                    webhook_endpoint=changed,
                    update_mask=field_mask_pb2.FieldMask(paths=["description"]),
                ),
                metadata=callers.admin(),
            )
            assert (updated.webhook_endpoint.description, updated.webhook_endpoint.secret) == (
                "CRM", "",
            )  # fmt: skip
            listed = await jobs.stub.ListWebhookEndpoints(
                pb.ListWebhookEndpointsRequest(), metadata=callers.admin()
            )
            assert [e.id for e in listed.webhook_endpoints] == [endpoint.id]
            await jobs.stub.DeleteWebhookEndpoint(
                pb.DeleteWebhookEndpointRequest(webhook_endpoint_id=endpoint.id),
                metadata=callers.admin(),
            )
            error = await rpc_error(
                jobs.stub.GetWebhookEndpoint(
                    pb.GetWebhookEndpointRequest(webhook_endpoint_id=endpoint.id),
                    metadata=callers.admin(),
                )
            )
            assert reason_of(error) == "WEBHOOK_ENDPOINT_NOT_FOUND"

    async def test_a_bad_url_and_unknown_event_type_are_both_named(
        self, jobs: Jobs, callers: Callers
    ) -> None:
        error = await rpc_error(
            jobs.stub.CreateWebhookEndpoint(
                pb.CreateWebhookEndpointRequest(
                    webhook_endpoint=resources_pb2.WebhookEndpoint(
                        url="not a url", event_types=["meshwork.users.v1.UserCreated"]
                    )
                ),
                metadata=callers.admin(),
            )
        )
        assert reason_of(error) == "VALIDATION_FAILED"
        assert [field for field, _ in violations_of(error)] == [
            "webhook_endpoint.url", "webhook_endpoint.event_types[0]",
        ]  # fmt: skip
