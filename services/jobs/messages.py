"""Domain values ↔ the contract's protobuf messages: resources, requests and events."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from google.protobuf import field_mask_pb2, struct_pb2
from google.protobuf.json_format import MessageToDict

from mesh.actor import Actor
from mesh.protobuf import datetime_of, enum_name, enum_number, timestamp_of
from meshwork.jobs.v1 import events_pb2, jobs_service_pb2, resources_pb2
from services.jobs import commands
from services.jobs.domain import Job
from services.jobs.schedules import Schedule, ScheduleState
from services.jobs.webhooks.domain import WebhookEndpoint

# ---- domain → protobuf


def job_message(job: Job) -> resources_pb2.Job:
    return resources_pb2.Job(
        id=job.id,
        type=job.type,
        payload=_struct(job.payload),
        state=enum_number(resources_pb2.JobState, job.state),
        run_time=timestamp_of(job.run_time),
        attempt_count=job.attempt_count,
        max_attempts=job.max_attempts,
        last_error=job.last_error,
        idempotency_key=job.idempotency_key,
        enqueued_by=job.enqueued_by,
        schedule_id=job.schedule_id,
        create_time=timestamp_of(job.create_time),
        start_time=timestamp_of(job.start_time),
        finish_time=timestamp_of(job.finish_time),
        update_time=timestamp_of(job.update_time),
    )


def schedule_message(
    schedule: Schedule, state: ScheduleState | None, *, now: datetime
) -> resources_pb2.Schedule:
    last_run = state.last_run_time if state else None
    return resources_pb2.Schedule(
        id=schedule.id,
        description=schedule.description,
        cron_expression=schedule.cron_expression,
        time_zone=schedule.time_zone,
        job_type=schedule.job_type,
        job_payload=_struct(schedule.job_payload),
        enabled=schedule.enabled,
        next_run_time=timestamp_of(schedule.next_tick(now) if schedule.enabled else None),
        last_run_time=timestamp_of(last_run),
        last_job_id=state.last_job_id if state else "",
    )


def endpoint_message(
    endpoint: WebhookEndpoint, *, with_secret: bool = False
) -> resources_pb2.WebhookEndpoint:
    return resources_pb2.WebhookEndpoint(
        id=endpoint.id,
        url=endpoint.url,
        description=endpoint.description,
        event_types=list(endpoint.event_types),
        enabled=endpoint.enabled,
        secret=endpoint.secret if with_secret else "",
        created_by=endpoint.created_by,
        create_time=timestamp_of(endpoint.create_time),
        update_time=timestamp_of(endpoint.update_time),
    )


def _struct(values: dict[str, object]) -> struct_pb2.Struct:
    message = struct_pb2.Struct()
    message.update(values)
    return message


# ---- events


def job_succeeded(job: Job) -> events_pb2.JobSucceeded:
    return events_pb2.JobSucceeded(
        job_id=job.id,
        type=job.type,
        idempotency_key=job.idempotency_key,
        enqueued_by=job.enqueued_by,
        attempt_count=job.attempt_count,
    )


def job_dead(job: Job) -> events_pb2.JobDead:
    return events_pb2.JobDead(
        job_id=job.id,
        type=job.type,
        idempotency_key=job.idempotency_key,
        enqueued_by=job.enqueued_by,
        attempt_count=job.attempt_count,
        last_error=job.last_error,
    )


def job_cancelled(job: Job, cancelled_by: str) -> events_pb2.JobCancelled:
    return events_pb2.JobCancelled(
        job_id=job.id,
        type=job.type,
        idempotency_key=job.idempotency_key,
        enqueued_by=job.enqueued_by,
        cancelled_by=cancelled_by,
    )


def job_retried(job: Job, retried_by: str) -> events_pb2.JobRetried:
    return events_pb2.JobRetried(job_id=job.id, type=job.type, retried_by=retried_by)


def endpoint_created(endpoint: WebhookEndpoint) -> events_pb2.WebhookEndpointCreated:
    return events_pb2.WebhookEndpointCreated(
        webhook_endpoint_id=endpoint.id,
        url=endpoint.url,
        event_types=list(endpoint.event_types),
        created_by=endpoint.created_by,
    )


def endpoint_updated(
    endpoint: WebhookEndpoint, changed: Iterable[str], updated_by: str
) -> events_pb2.WebhookEndpointUpdated:
    return events_pb2.WebhookEndpointUpdated(
        webhook_endpoint_id=endpoint.id,
        update_mask=field_mask_pb2.FieldMask(paths=list(changed)),
        updated_by=updated_by,
    )


def endpoint_deleted(endpoint_id: str, deleted_by: str) -> events_pb2.WebhookEndpointDeleted:
    return events_pb2.WebhookEndpointDeleted(webhook_endpoint_id=endpoint_id, deleted_by=deleted_by)


# ---- protobuf requests → commands


def enqueue_job_command(
    request: jobs_service_pb2.EnqueueJobRequest, caller: Actor
) -> commands.EnqueueJob:
    if not request.HasField("job"):
        return commands.EnqueueJob(
            idempotency_key=request.idempotency_key, has_job=False, caller=caller
        )
    job = request.job
    return commands.EnqueueJob(
        idempotency_key=request.idempotency_key,
        type=job.type,
        payload=MessageToDict(job.payload) if job.HasField("payload") else {},
        run_time=datetime_of(job, "run_time"),
        max_attempts=job.max_attempts,
        caller=caller,
    )


def list_jobs_command(request: jobs_service_pb2.ListJobsRequest) -> commands.ListJobs:
    return commands.ListJobs(
        page_size=request.page_size,
        page_token=request.page_token,
        type=request.type,
        state=enum_name(resources_pb2.JobState, request.state),
        schedule_id=request.schedule_id,
        enqueued_by=request.enqueued_by,
    )


def endpoint_fields(endpoint: resources_pb2.WebhookEndpoint) -> commands.EndpointFields:
    return commands.EndpointFields(
        url=endpoint.url,
        description=endpoint.description,
        event_types=tuple(endpoint.event_types),
        enabled=endpoint.enabled,
    )


def create_endpoint_command(
    request: jobs_service_pb2.CreateWebhookEndpointRequest, caller: Actor
) -> commands.CreateWebhookEndpoint:
    if not request.HasField("webhook_endpoint"):
        return commands.CreateWebhookEndpoint(endpoint=None, caller=caller)
    fields = endpoint_fields(request.webhook_endpoint)
    return commands.CreateWebhookEndpoint(endpoint=fields, caller=caller)


def update_endpoint_command(
    request: jobs_service_pb2.UpdateWebhookEndpointRequest, caller: Actor
) -> commands.UpdateWebhookEndpoint:
    return commands.UpdateWebhookEndpoint(
        endpoint_id=request.webhook_endpoint.id,
        endpoint=endpoint_fields(request.webhook_endpoint),
        paths=tuple(request.update_mask.paths),
        caller=caller,
    )


def page_command(
    request: jobs_service_pb2.ListSchedulesRequest | jobs_service_pb2.ListWebhookEndpointsRequest,
) -> commands.ListPage:
    return commands.ListPage(page_size=request.page_size, page_token=request.page_token)
