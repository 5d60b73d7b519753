"""Wires the jobs service to the runtime's resources; `start_service`/`run_service` run it."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from mesh.clock import utc_now
from mesh.idempotency import IdempotencyRecords
from mesh.server import ServiceBinding
from mesh.service import BackgroundTask, Built, ServiceRuntime
from meshwork.audit.v1 import audit_service_pb2_grpc
from meshwork.identity.v1 import identity_service_pb2_grpc
from meshwork.jobs.v1 import jobs_service_pb2, jobs_service_pb2_grpc
from services.jobs.builtin_jobs import (
    audit_purge_job,
    identity_purge_job,
    purge_records_job,
    register_builtin_jobs,
)
from services.jobs.config import JobsSettings, resolve_schedules
from services.jobs.dispatcher import Dispatcher
from services.jobs.event_catalog import EventCatalog
from services.jobs.events import webhook_consumers
from services.jobs.grpc_api import JobsServicer
from services.jobs.handlers import JobsDeps
from services.jobs.lease import KvLease
from services.jobs.queue import WorkQueue
from services.jobs.reconciliation import Reconciler
from services.jobs.registry import JobRegistry
from services.jobs.scheduler import CronScheduler
from services.jobs.schedules import Schedule
from services.jobs.secret_box import SecretBox
from services.jobs.webhooks.delivery import Resolver, TargetGuard, WebhookDelivery, system_resolver
from services.jobs.webhooks.domain import TargetPolicy
from services.jobs.webhooks.handlers import WebhookDeps
from services.jobs.worker import JobExecutor, WorkerPool

#: The service's Alembic scripts, applied at start-up.
MIGRATIONS = Path(__file__).parent / "migrations"

#: Adds an application's job types to the registry (`registry.add(...)` or `@registry.job`).
RegisterJobs = Callable[[JobRegistry], None]


@dataclass
class JobsParts:
    """What `build` made, for tests and operators' tools."""

    registry: JobRegistry
    jobs: JobsDeps
    webhooks: WebhookDeps
    worker_pool: WorkerPool
    dispatcher: Dispatcher
    lease: KvLease
    scheduler: CronScheduler


class JobsService:
    """The jobs service, with the job types of `register_jobs` besides the built-in ones.

    service = JobsService(register_jobs=[my_jobs], reconciler=PaymentsReconciler(...))
    async with start_service(settings, build=service.build, migrations=MIGRATIONS): ...
    """

    def __init__(
        self,
        *,
        register_jobs: Sequence[RegisterJobs] = (),
        reconciler: Reconciler | None = None,
        resolver: Resolver = system_resolver,
        clock: Callable[[], datetime] = utc_now,
    ) -> None:
        self._register_jobs = register_jobs
        self._reconciler = reconciler
        self._resolver = resolver
        self._clock = clock
        self._parts: JobsParts | None = None

    @property
    def parts(self) -> JobsParts:
        if self._parts is None:
            raise RuntimeError("the jobs service is not built yet")
        return self._parts

    async def build(self, runtime: ServiceRuntime) -> Built:
        """The JobsService servicer and the background loops: worker pool, dispatcher, cron
        lease and scheduler, and the consumers that turn events into webhook deliveries."""
        settings = runtime.settings
        if not isinstance(settings, JobsSettings):
            raise TypeError(f"the jobs service needs JobsSettings, got {type(settings).__name__}")
        registry = JobRegistry()
        webhooks = self._webhook_deps(runtime, settings)
        self._register(registry, runtime, settings, webhooks)
        schedules = resolve_schedules(settings, registry)
        queue = WorkQueue(settings.queue_name)
        dispatcher = self._dispatcher(runtime, settings, queue)
        lease, scheduler = self._cron(runtime, settings, schedules, dispatcher)
        jobs = JobsDeps(
            unit_of_work=runtime.unit_of_work,
            registry=registry,
            schedules={schedule.id: schedule for schedule in schedules},
            default_max_attempts=settings.default_max_attempts,
            wake_dispatcher=dispatcher.wake,
            clock=self._clock,
        )
        worker_pool = self._worker_pool(runtime, settings, registry, queue)
        self._parts = JobsParts(registry, jobs, webhooks, worker_pool, dispatcher, lease, scheduler)
        idempotency = IdempotencyRecords(runtime.engine)
        servicer = JobsServicer(jobs, webhooks, idempotency)
        return Built(
            bindings=[ServiceBinding.of(jobs_service_pb2, jobs_service_pb2_grpc, servicer)],
            consumers=[*self._background(runtime, settings, webhooks), idempotency.purge_loop()],
        )

    def _dispatcher(
        self, runtime: ServiceRuntime, settings: JobsSettings, queue: WorkQueue
    ) -> Dispatcher:
        return Dispatcher(
            runtime.nc,
            runtime.unit_of_work,
            queue,
            interval_s=settings.dispatch_interval_s,
            republish_after_s=settings.redispatch_after_s,
            stop_timeout_s=settings.shutdown_grace_s,
            clock=self._clock,
        )

    def _cron(
        self,
        runtime: ServiceRuntime,
        settings: JobsSettings,
        schedules: Sequence[Schedule],
        dispatcher: Dispatcher,
    ) -> tuple[KvLease, CronScheduler]:
        lease = KvLease(
            runtime.nc,
            bucket=settings.lease_bucket,
            ttl_s=settings.lease_ttl_s,
            stop_timeout_s=settings.shutdown_grace_s,
        )
        scheduler = CronScheduler(
            runtime.nc,
            runtime.unit_of_work,
            schedules,
            lease,
            on_fired=dispatcher.wake,
            stop_timeout_s=settings.shutdown_grace_s,
            clock=self._clock,
        )
        lease.on_acquired = scheduler.wake  # a new leader fires what is due at once
        return lease, scheduler

    def _webhook_deps(self, runtime: ServiceRuntime, settings: JobsSettings) -> WebhookDeps:
        policy = TargetPolicy(
            allow_http=settings.webhook_allow_http,
            allow_private=settings.webhook_allow_private_targets,
        )
        return WebhookDeps(
            unit_of_work=runtime.unit_of_work,
            box=SecretBox(settings.webhook_secret_key.get_secret_value()),
            guard=TargetGuard(policy, self._resolver),
            catalog=EventCatalog(settings.webhook_event_services),
            delivery_max_attempts=settings.webhook_max_attempts,
            clock=self._clock,
        )

    def _register(
        self,
        registry: JobRegistry,
        runtime: ServiceRuntime,
        settings: JobsSettings,
        webhooks: WebhookDeps,
    ) -> None:
        stub = identity_service_pb2_grpc.IdentityServiceStub
        register_builtin_jobs(
            registry,
            identity_purge=identity_purge_job(lambda: runtime.client(stub, "identity")),
            audit_purge=audit_purge_job(
                lambda: runtime.client(audit_service_pb2_grpc.AuditServiceStub, "audit")
            ),
            purge_records=purge_records_job(
                runtime.engine,
                runtime.unit_of_work,
                job_retention=timedelta(seconds=settings.job_retention_s),
                mesh_retention=timedelta(seconds=settings.mesh_record_retention_s),
                clock=self._clock,
            ),
            delivery=WebhookDelivery(
                runtime.unit_of_work,
                webhooks.box,
                webhooks.guard,
                timeout_s=settings.webhook_timeout_s,
            ),
            delivery_max_attempts=settings.webhook_max_attempts,
            reconciler=self._reconciler,
        )
        for register in self._register_jobs:
            register(registry)

    def _worker_pool(
        self,
        runtime: ServiceRuntime,
        settings: JobsSettings,
        registry: JobRegistry,
        queue: WorkQueue,
    ) -> WorkerPool:
        executor = JobExecutor(
            unit_of_work=runtime.unit_of_work,
            registry=registry,
            policy=settings.retry_policy,
            job_timeout_s=settings.job_timeout_s,
            heartbeat_s=min(settings.ack_wait_s / 3, 10.0),
            clock=self._clock,
        )
        return WorkerPool(
            runtime.nc,
            queue,
            executor,
            concurrency=settings.worker_concurrency,
            ack_wait_s=settings.ack_wait_s,
            stop_timeout_s=settings.shutdown_grace_s,
        )

    def _background(
        self, runtime: ServiceRuntime, settings: JobsSettings, webhooks: WebhookDeps
    ) -> Sequence[BackgroundTask]:
        parts = self.parts
        # Started in this order and stopped in reverse: the queue exists before anything is
        # published to it, and workers stop last.
        loops: list[BackgroundTask] = [
            parts.worker_pool,
            parts.dispatcher,
            parts.lease,
            parts.scheduler,
        ]
        loops += webhook_consumers(
            runtime.nc, runtime.unit_of_work, webhooks, prefix=settings.webhook_consumer_prefix
        )
        return loops


async def build(runtime: ServiceRuntime) -> Built:
    """The jobs service with its built-in job types (see `JobsService` to add more)."""
    return await JobsService().build(runtime)
