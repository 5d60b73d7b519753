"""The domain events webhook endpoints may subscribe to: other services' events.proto messages.

The jobs service's own events are left out: delivering one is a job, whose outcome would be
another event to deliver, without end.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterable
from types import ModuleType

from google.protobuf.message import Message

#: The services whose events.proto the jobs service knows (its own excluded, see above).
EVENT_SERVICES = ("identity", "users", "admin", "payments", "notifications")


class EventCatalog:
    """Event message classes by full name, e.g. "meshwork.users.v1.UserCreated"."""

    def __init__(self, services: Iterable[str] = EVENT_SERVICES) -> None:
        self.services = tuple(services)
        unknown = sorted(set(self.services) - set(EVENT_SERVICES))
        if unknown:
            raise ValueError(
                f"JOBS_WEBHOOK_EVENT_SERVICES names {unknown}; known: {list(EVENT_SERVICES)}"
            )
        self._by_service = {service: _event_types(service) for service in self.services}
        self._by_name = {
            event.DESCRIPTOR.full_name: event
            for events in self._by_service.values()
            for event in events
        }

    def __contains__(self, name: object) -> bool:
        return name in self._by_name

    def of_service(self, service: str) -> list[type[Message]]:
        return list(self._by_service[service])

    @property
    def names(self) -> list[str]:
        return sorted(self._by_name)


def _event_types(service: str) -> list[type[Message]]:
    module: ModuleType = importlib.import_module(f"meshwork.{service}.v1.events_pb2")
    return [getattr(module, name) for name in module.DESCRIPTOR.message_types_by_name]
