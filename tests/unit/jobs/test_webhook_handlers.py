"""Webhook endpoints: registering, changing, deleting, and events becoming deliveries."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest

from mesh.errors import InvalidArgument, NotFound
from meshwork.jobs.v1 import events_pb2
from meshwork.users.v1 import events_pb2 as users_events
from services.jobs import commands, handlers
from services.jobs.domain import JobState
from services.jobs.handlers import JobsDeps
from services.jobs.registry import JobContext, PermanentJobError
from services.jobs.webhooks import handlers as webhook_handlers
from services.jobs.webhooks.delivery import WebhookDelivery
from services.jobs.webhooks.domain import WebhookEndpoint
from services.jobs.webhooks.handlers import EventReceived, WebhookDeps
from tests.unit.jobs.conftest import ADMIN, START, FakeResolver, Outbox, job_count

USER_CREATED = "meshwork.users.v1.UserCreated"


def fields(**overrides: object) -> commands.EndpointFields:
    values: dict[str, object] = {
        "url": "https://hooks.example.com/meshwork",
        "event_types": (USER_CREATED,),
        "enabled": True,
        "description": "CRM sync",
    }
    return commands.EndpointFields(**(values | overrides))  # type: ignore[arg-type]


async def create(deps: WebhookDeps, **overrides: object) -> WebhookEndpoint:
    command = commands.CreateWebhookEndpoint(fields(**overrides), ADMIN)
    return await webhook_handlers.create_endpoint(command, deps)


def violations(error: InvalidArgument) -> dict[str, str]:
    return {v.field: v.description for v in error.violations}


def user_created(event_id: str = "") -> EventReceived:
    event = users_events.UserCreated()
    event.user.id = "user-1"
    event.user.email = "ada@example.com"
    return EventReceived(event, event_id or str(uuid.uuid4()), START)


class TestCreate:
    async def test_an_endpoint_gets_a_secret_and_publishes_its_creation(
        self, webhook_deps: WebhookDeps, outbox: Outbox
    ) -> None:
        endpoint = await create(webhook_deps)
        assert endpoint.secret.startswith("whsec_")
        assert (endpoint.created_by, endpoint.enabled) == ("staff-1", True)
        stored = await webhook_handlers.get_endpoint(
            commands.GetWebhookEndpoint(endpoint.id), webhook_deps
        )
        assert stored.secret == endpoint.secret
        assert await outbox.events() == [
            events_pb2.WebhookEndpointCreated(
                webhook_endpoint_id=endpoint.id,
                url=endpoint.url,
                event_types=[USER_CREATED],
                created_by="staff-1",
            )
        ]

    async def test_a_private_target_is_refused_naming_the_url(
        self, webhook_deps: WebhookDeps, outbox: Outbox
    ) -> None:
        with pytest.raises(InvalidArgument) as caught:
            await create(webhook_deps, url="https://intranet.example.com/hook")
        assert caught.value.reason == "INVALID_WEBHOOK_URL"
        assert "10.0.0.7, a private address" in violations(caught.value)["webhook_endpoint.url"]
        assert await outbox.events() == []

    async def test_an_unknown_event_type_is_named_in_the_metadata(
        self, webhook_deps: WebhookDeps
    ) -> None:
        with pytest.raises(InvalidArgument) as caught:
            await create(webhook_deps, event_types=(USER_CREATED, "meshwork.users.v1.Nope"))
        assert caught.value.reason == "UNKNOWN_EVENT_TYPE"
        assert caught.value.metadata == {"event_type": "meshwork.users.v1.Nope"}
        assert "webhook_endpoint.event_types[1]" in violations(caught.value)

    async def test_the_jobs_services_own_events_cannot_be_subscribed(
        self, webhook_deps: WebhookDeps
    ) -> None:
        with pytest.raises(InvalidArgument) as caught:
            await create(webhook_deps, event_types=("meshwork.jobs.v1.JobSucceeded",))
        assert caught.value.reason == "UNKNOWN_EVENT_TYPE"

    async def test_every_bad_field_is_named_at_once(
        self, webhook_deps: WebhookDeps, outbox: Outbox
    ) -> None:
        with pytest.raises(InvalidArgument) as caught:
            await create(webhook_deps, url="http://x", event_types=(), description="d" * 501)
        assert caught.value.reason == "VALIDATION_FAILED"
        assert set(violations(caught.value)) == {
            "webhook_endpoint.url",
            "webhook_endpoint.event_types",
            "webhook_endpoint.description",
        }
        assert await outbox.events() == []

    async def test_a_request_without_an_endpoint_is_refused(
        self, webhook_deps: WebhookDeps
    ) -> None:
        with pytest.raises(InvalidArgument) as caught:
            await webhook_handlers.create_endpoint(
                commands.CreateWebhookEndpoint(None, caller=ADMIN), webhook_deps
            )
        assert "webhook_endpoint" in violations(caught.value)


class TestUpdateAndDelete:
    async def test_only_the_masked_fields_change(
        self, webhook_deps: WebhookDeps, outbox: Outbox
    ) -> None:
        endpoint = await create(webhook_deps)
        command = commands.UpdateWebhookEndpoint(
            endpoint.id, fields(enabled=False, description="ignored"), ("enabled",), ADMIN
        )
        updated = await webhook_handlers.update_endpoint(command, webhook_deps)
        assert (updated.enabled, updated.description) == (False, "CRM sync")
        assert (await outbox.events())[-1] == events_pb2.WebhookEndpointUpdated(
            webhook_endpoint_id=endpoint.id,
            update_mask={"paths": ["enabled"]},
            updated_by="staff-1",
        )

    async def test_bad_masks_are_named(self, webhook_deps: WebhookDeps) -> None:
        endpoint = await create(webhook_deps)
        command = commands.UpdateWebhookEndpoint(endpoint.id, fields(), ("secret", "colour"), ADMIN)
        with pytest.raises(InvalidArgument) as caught:
            await webhook_handlers.update_endpoint(command, webhook_deps)
        assert caught.value.reason == "INVALID_UPDATE_MASK"
        assert [(v.field, v.description) for v in caught.value.violations] == [
            ("update_mask", "'secret' cannot be updated"),
            (
                "update_mask",
                "'colour' is not an updatable field; use any of url, description, "
                "event_types, enabled",
            ),
        ]

    async def test_deleting_cancels_the_deliveries_that_have_not_run(
        self, webhook_deps: WebhookDeps, deps: JobsDeps, outbox: Outbox
    ) -> None:
        endpoint = await create(webhook_deps)
        async with webhook_deps.unit_of_work() as uow:
            await webhook_handlers.fan_out(uow, user_created(), webhook_deps)
            await uow.commit()
        await webhook_handlers.delete_endpoint(
            commands.DeleteWebhookEndpoint(endpoint.id, ADMIN), webhook_deps
        )
        with pytest.raises(NotFound):
            await webhook_handlers.get_endpoint(
                commands.GetWebhookEndpoint(endpoint.id), webhook_deps
            )
        [delivery] = (await handlers.list_jobs(commands.ListJobs(), deps)).jobs
        assert delivery.state is JobState.CANCELLED
        kinds = [type(event).__name__ for event in await outbox.events()]
        assert kinds == ["WebhookEndpointCreated", "JobCancelled", "WebhookEndpointDeleted"]


class TestFanOut:
    async def test_each_subscribed_enabled_endpoint_gets_one_delivery_per_event(
        self, webhook_deps: WebhookDeps, deps: JobsDeps
    ) -> None:
        wanted = await create(webhook_deps)
        await create(webhook_deps, event_types=("meshwork.users.v1.UserDeleted",))
        await create(webhook_deps, enabled=False)
        received = user_created()
        for _ in range(2):  # a redelivered event adds nothing
            async with webhook_deps.unit_of_work() as uow:
                await webhook_handlers.fan_out(uow, received, webhook_deps)
                await uow.commit()
        [delivery] = (await handlers.list_jobs(commands.ListJobs(), deps)).jobs
        assert delivery.type == "webhooks.deliver"
        assert delivery.max_attempts == webhook_deps.delivery_max_attempts
        assert delivery.payload == {
            "endpoint_id": wanted.id,
            "event_id": received.event_id,
            "event_type": USER_CREATED,
            "occurred_time": START.isoformat(),
            "data": {"user": {"id": "user-1", "email": "ada@example.com"}},
        }
        assert await job_count(deps) == 1


class TestDeliveryRefusals:
    async def test_a_host_that_now_resolves_to_a_private_address_is_not_called(
        self, webhook_deps: WebhookDeps, resolver: FakeResolver
    ) -> None:
        endpoint = await create(webhook_deps)
        resolver.hosts["hooks.example.com"] = ["127.0.0.1"]  # DNS rebinding after registration
        with pytest.raises(PermanentJobError, match="a loopback address"):
            await _deliver(webhook_deps, endpoint.id)

    async def test_a_disabled_or_deleted_endpoint_is_not_called(
        self, webhook_deps: WebhookDeps
    ) -> None:
        endpoint = await create(webhook_deps, enabled=False)
        with pytest.raises(PermanentJobError, match="is disabled; enable it"):
            await _deliver(webhook_deps, endpoint.id)
        await webhook_handlers.delete_endpoint(
            commands.DeleteWebhookEndpoint(endpoint.id, ADMIN), webhook_deps
        )
        with pytest.raises(PermanentJobError, match="no longer exists"):
            await _deliver(webhook_deps, endpoint.id)


async def _deliver(deps: WebhookDeps, endpoint_id: str) -> None:
    delivery = WebhookDelivery(deps.unit_of_work, deps.box, deps.guard, timeout_s=1)
    payload = {
        "endpoint_id": endpoint_id,
        "event_id": "e-1",
        "event_type": USER_CREATED,
        "occurred_time": START.isoformat(),
        "data": {},
    }
    context = JobContext("job-1", "webhooks.deliver", 1, 3, "jobs", "", START)
    await delivery(payload, context)


async def test_events_older_than_an_endpoint_are_not_sent_to_it(
    webhook_deps: WebhookDeps, deps: JobsDeps
) -> None:
    await create(webhook_deps)
    old = EventReceived(user_created().event, "old-event", START - timedelta(seconds=1))
    async with webhook_deps.unit_of_work() as uow:
        assert await webhook_handlers.fan_out(uow, old, webhook_deps) == 0
        await uow.commit()
    assert await job_count(deps) == 0
