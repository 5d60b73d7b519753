"""The JobsService servicer: request → command → handler → response, nothing more."""

from __future__ import annotations

from typing import TypeAlias

import grpc

from mesh.actor import current_actor
from mesh.idempotency import IdempotencyRecords, idempotent
from meshwork.jobs.v1 import jobs_service_pb2 as pb
from meshwork.jobs.v1 import jobs_service_pb2_grpc
from services.jobs import commands, handlers
from services.jobs.handlers import JobsDeps
from services.jobs.messages import (
    create_endpoint_command,
    endpoint_message,
    enqueue_job_command,
    job_message,
    list_jobs_command,
    page_command,
    schedule_message,
    update_endpoint_command,
)
from services.jobs.webhooks import handlers as webhook_handlers
from services.jobs.webhooks.handlers import WebhookDeps

Context: TypeAlias = grpc.aio.ServicerContext


class JobsServicer(jobs_service_pb2_grpc.JobsServiceServicer):
    """Serves meshwork.jobs.v1.JobsService."""

    def __init__(
        self, jobs: JobsDeps, webhooks: WebhookDeps, idempotency: IdempotencyRecords
    ) -> None:
        self._jobs = jobs
        self._webhooks = webhooks
        self.idempotency = idempotency

    async def EnqueueJob(
        self, request: pb.EnqueueJobRequest, context: Context
    ) -> pb.EnqueueJobResponse:
        command = enqueue_job_command(request, current_actor())
        job = await handlers.enqueue_job(command, self._jobs)
        return pb.EnqueueJobResponse(job=job_message(job))

    async def GetJob(self, request: pb.GetJobRequest, context: Context) -> pb.GetJobResponse:
        job = await handlers.get_job(commands.GetJob(request.job_id, current_actor()), self._jobs)
        return pb.GetJobResponse(job=job_message(job))

    async def ListJobs(self, request: pb.ListJobsRequest, context: Context) -> pb.ListJobsResponse:
        page = await handlers.list_jobs(list_jobs_command(request), self._jobs)
        return pb.ListJobsResponse(
            jobs=[job_message(job) for job in page.jobs], next_page_token=page.next_page_token
        )

    @idempotent
    async def CancelJob(
        self, request: pb.CancelJobRequest, context: Context
    ) -> pb.CancelJobResponse:
        command = commands.CancelJob(request.job_id, current_actor())
        job = await handlers.cancel_job(command, self._jobs)
        return pb.CancelJobResponse(job=job_message(job))

    @idempotent
    async def RetryJob(self, request: pb.RetryJobRequest, context: Context) -> pb.RetryJobResponse:
        command = commands.RetryJob(request.job_id, current_actor())
        job = await handlers.retry_job(command, self._jobs)
        return pb.RetryJobResponse(job=job_message(job))

    async def ListSchedules(
        self, request: pb.ListSchedulesRequest, context: Context
    ) -> pb.ListSchedulesResponse:
        page = await handlers.list_schedules(page_command(request), self._jobs)
        now = self._jobs.clock()
        return pb.ListSchedulesResponse(
            schedules=[schedule_message(s, state, now=now) for s, state in page.schedules],
            next_page_token=page.next_page_token,
        )

    async def GetSchedule(
        self, request: pb.GetScheduleRequest, context: Context
    ) -> pb.GetScheduleResponse:
        command = commands.GetSchedule(request.schedule_id)
        schedule, state = await handlers.get_schedule(command, self._jobs)
        message = schedule_message(schedule, state, now=self._jobs.clock())
        return pb.GetScheduleResponse(schedule=message)

    @idempotent
    async def CreateWebhookEndpoint(
        self, request: pb.CreateWebhookEndpointRequest, context: Context
    ) -> pb.CreateWebhookEndpointResponse:
        command = create_endpoint_command(request, current_actor())
        endpoint = await webhook_handlers.create_endpoint(command, self._webhooks)
        message = endpoint_message(endpoint, with_secret=True)
        return pb.CreateWebhookEndpointResponse(webhook_endpoint=message)

    async def GetWebhookEndpoint(
        self, request: pb.GetWebhookEndpointRequest, context: Context
    ) -> pb.GetWebhookEndpointResponse:
        command = commands.GetWebhookEndpoint(request.webhook_endpoint_id)
        endpoint = await webhook_handlers.get_endpoint(command, self._webhooks)
        return pb.GetWebhookEndpointResponse(webhook_endpoint=endpoint_message(endpoint))

    async def ListWebhookEndpoints(
        self, request: pb.ListWebhookEndpointsRequest, context: Context
    ) -> pb.ListWebhookEndpointsResponse:
        page = await webhook_handlers.list_endpoints(page_command(request), self._webhooks)
        return pb.ListWebhookEndpointsResponse(
            webhook_endpoints=[endpoint_message(endpoint) for endpoint in page.endpoints],
            next_page_token=page.next_page_token,
        )

    @idempotent
    async def UpdateWebhookEndpoint(
        self, request: pb.UpdateWebhookEndpointRequest, context: Context
    ) -> pb.UpdateWebhookEndpointResponse:
        command = update_endpoint_command(request, current_actor())
        endpoint = await webhook_handlers.update_endpoint(command, self._webhooks)
        return pb.UpdateWebhookEndpointResponse(webhook_endpoint=endpoint_message(endpoint))

    @idempotent
    async def DeleteWebhookEndpoint(
        self, request: pb.DeleteWebhookEndpointRequest, context: Context
    ) -> pb.DeleteWebhookEndpointResponse:
        command = commands.DeleteWebhookEndpoint(request.webhook_endpoint_id, current_actor())
        await webhook_handlers.delete_endpoint(command, self._webhooks)
        return pb.DeleteWebhookEndpointResponse()
