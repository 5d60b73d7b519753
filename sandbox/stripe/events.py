"""Events (retrieve, list by type) and webhook endpoints (create, retrieve, list, delete)."""

from __future__ import annotations

import fnmatch
import secrets
from typing import Any

from sandbox.stripe.account import Account
from sandbox.stripe.errors import invalid
from sandbox.stripe.forms import Params, merge_metadata
from sandbox.stripe.listing import LIST_PARAMS, page
from sandbox.stripe.state import new_id, now


def retrieve_event(account: Account, params: Params, event_id: str) -> dict[str, Any]:
    params.only()
    return account.store.get("events", event_id)


def list_events(account: Account, params: Params) -> dict[str, Any]:
    """`type` takes one type or a wildcard (`payment_intent.*`); `types[]` several."""
    params.only(*LIST_PARAMS, "type", "types")
    patterns = params.strings("types")
    if (single := params.string("type")) is not None:
        if patterns:
            raise invalid("Pass only one of type and types.", param="types")
        patterns = [single]
    events = account.store.newest_first("events")
    if patterns:
        events = [e for e in events if any(fnmatch.fnmatchcase(e["type"], p) for p in patterns)]
    return page(events, params, url="/v1/events")


def create_endpoint(account: Account, params: Params) -> dict[str, Any]:
    params.only("url", "enabled_events", "description", "metadata", "api_version")
    url = params.string("url", required=True) or ""
    if not url.startswith(("http://", "https://")):
        raise invalid(f"Invalid URL: {url}. It must start with http:// or https://", param="url")
    enabled = params.strings("enabled_events")
    if not enabled:
        raise invalid(
            "Missing required param: enabled_events.",
            param="enabled_events",
            code="parameter_missing",
        )
    endpoint = {
        "id": new_id("we"),
        "object": "webhook_endpoint",
        "api_version": params.string("api_version"),
        "created": now(),
        "description": params.string("description"),
        "enabled_events": enabled,
        "livemode": False,
        "metadata": merge_metadata({}, params.metadata(), replace=True),
        "secret": f"whsec_{secrets.token_hex(24)}",
        "status": "enabled",
        "url": url,
    }
    account.store.add("webhook_endpoints", endpoint)
    return endpoint


def retrieve_endpoint(account: Account, params: Params, endpoint_id: str) -> dict[str, Any]:
    params.only()
    return _without_secret(account.store.get("webhook_endpoints", endpoint_id))


def list_endpoints(account: Account, params: Params) -> dict[str, Any]:
    params.only(*LIST_PARAMS)
    endpoints = [_without_secret(e) for e in account.store.newest_first("webhook_endpoints")]
    return page(endpoints, params, url="/v1/webhook_endpoints")


def delete_endpoint(account: Account, params: Params, endpoint_id: str) -> dict[str, Any]:
    params.only()
    account.store.remove("webhook_endpoints", endpoint_id)
    return {"id": endpoint_id, "object": "webhook_endpoint", "deleted": True}


def _without_secret(endpoint: dict[str, Any]) -> dict[str, Any]:
    """Stripe shows an endpoint's secret only in the answer that created it."""
    return {key: value for key, value in endpoint.items() if key != "secret"}
