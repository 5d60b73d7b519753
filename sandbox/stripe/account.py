"""One sandbox account: its store, its events, and the webhook deliveries they cause."""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from typing import Any

from sandbox.stripe.state import Store, new_id, now
from sandbox.stripe.webhooks import Endpoint, WebhookDispatcher

API_VERSION = "2025-09-30.clover"


@dataclass
class RequestInfo:
    """The request being executed, as events record it."""

    request_id: str | None = None
    idempotency_key: str | None = None
    api_version: str = API_VERSION
    base_url: str = ""


@dataclass
class Account:
    """Every operation works on one Account; requests run one at a time on its event loop."""

    store: Store
    dispatcher: WebhookDispatcher
    endpoints: tuple[Endpoint, ...] = ()
    request: RequestInfo = field(default_factory=RequestInfo)

    def emit(self, event_type: str, obj: dict[str, Any]) -> dict[str, Any]:
        """Records an event holding a snapshot of `obj` and hands it to the webhooks."""
        endpoints = [e for e in self._all_endpoints() if e.wants(event_type)]
        event = {
            "id": new_id("evt"),
            "object": "event",
            "api_version": self.request.api_version,
            "created": now(),
            "data": {"object": copy.deepcopy(obj)},
            "livemode": False,
            "pending_webhooks": len(endpoints),
            "request": {
                "id": self.request.request_id,
                "idempotency_key": self.request.idempotency_key,
            },
            "type": event_type,
        }
        self.store.add("events", event)
        self.dispatcher.deliver(event, endpoints)
        return event

    def _all_endpoints(self) -> list[Endpoint]:
        stored = [
            Endpoint(url=e["url"], secret=e["secret"], enabled_events=tuple(e["enabled_events"]))
            for e in self.store.objects["webhook_endpoints"].values()
            if e["status"] == "enabled"
        ]
        return [*self.endpoints, *stored]
