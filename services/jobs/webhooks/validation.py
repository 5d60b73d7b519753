"""Webhook endpoint requests → validated field values, naming every bad field at once."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from mesh.validation import Violations
from services.jobs import commands
from services.jobs.domain import DOMAIN
from services.jobs.event_catalog import EventCatalog
from services.jobs.webhooks.delivery import TargetGuard
from services.jobs.webhooks.domain import (
    DESCRIPTION_MAX,
    EVENT_TYPES_MAX,
    READ_ONLY_FIELDS,
    UPDATABLE_FIELDS,
)


async def endpoint_fields(
    checks: Violations,
    raw: commands.EndpointFields,
    names: Iterable[str],
    *,
    guard: TargetGuard,
    catalog: EventCatalog,
) -> dict[str, Any]:
    """The named fields of `raw`, validated (the URL's host is resolved and checked)."""
    values: dict[str, Any] = {}
    for name in names:
        field = f"webhook_endpoint.{name}"
        if name == "url":
            values[name] = await _url(checks, field, raw.url, guard)
        elif name == "description":
            values[name] = checks.text(field, raw.description, maximum=DESCRIPTION_MAX)
        elif name == "event_types":
            values[name] = _event_types(checks, field, raw.event_types, catalog)
        else:
            values[name] = raw.enabled
    return values


async def new_endpoint_fields(
    command: commands.CreateWebhookEndpoint, *, guard: TargetGuard, catalog: EventCatalog
) -> dict[str, Any]:
    checks = Violations(domain=DOMAIN)
    if command.endpoint is None:
        checks.add("webhook_endpoint", "is required: give at least url and event_types")
        checks.raise_if_any()
    raw = command.endpoint or commands.EndpointFields()
    values = await endpoint_fields(checks, raw, UPDATABLE_FIELDS, guard=guard, catalog=catalog)
    checks.raise_if_any()
    return values


async def endpoint_changes(
    command: commands.UpdateWebhookEndpoint, *, guard: TargetGuard, catalog: EventCatalog
) -> tuple[str, dict[str, Any]]:
    """The endpoint id and the validated values of the fields the mask names."""
    checks = Violations(domain=DOMAIN)
    endpoint_id = checks.text("webhook_endpoint.id", command.endpoint_id, maximum=64, required=True)
    paths = checks.update_mask(
        command.paths, updatable=UPDATABLE_FIELDS, read_only=READ_ONLY_FIELDS
    )
    ordered = [name for name in UPDATABLE_FIELDS if name in paths]
    values = await endpoint_fields(checks, command.endpoint, ordered, guard=guard, catalog=catalog)
    checks.raise_if_any()
    return endpoint_id, values


def endpoint_id(value: str) -> str:
    checks = Violations(domain=DOMAIN)
    value = checks.text("webhook_endpoint_id", value, maximum=64, required=True)
    checks.raise_if_any()
    return value


async def _url(checks: Violations, field: str, url: str, guard: TargetGuard) -> str:
    url = url.strip()
    _, problem = await guard.check(url)
    if problem:
        checks.add(field, problem, reason="INVALID_WEBHOOK_URL")
    return url


def _event_types(
    checks: Violations, field: str, names: Iterable[str], catalog: EventCatalog
) -> tuple[str, ...]:
    unique = tuple(dict.fromkeys(name.strip() for name in names))
    if not unique:
        checks.add(field, 'is required: name events such as "meshwork.users.v1.UserCreated"')
    elif len(unique) > EVENT_TYPES_MAX:
        checks.add(field, f"must name at most {EVENT_TYPES_MAX} event types")
    for index, name in enumerate(unique):
        if name not in catalog:
            checks.add(
                f"{field}[{index}]",
                f"{name[:200]!r} is not an event that can be sent; use the full name of an "
                "event message of " + ", ".join(catalog.services),
                reason="UNKNOWN_EVENT_TYPE",
                metadata={"event_type": name[:200]},
            )
    return unique
