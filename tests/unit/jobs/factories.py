"""Jobs and commands as the tests need them."""

from __future__ import annotations

import uuid
from typing import Any

from mesh.actor import Actor
from services.jobs import commands
from services.jobs.domain import Job, JobState
from tests.unit.jobs.conftest import START


def job(**overrides: Any) -> Job:
    values: dict[str, Any] = {
        "id": str(uuid.uuid4()),
        "type": "tests.noop",
        "payload": {},
        "idempotency_key": f"key-{uuid.uuid4().hex[:8]}",
        "enqueued_by": "users",
        "max_attempts": 3,
        "run_time": START,
        "create_time": START,
        "update_time": START,
        "state": JobState.PENDING,
    }
    return Job(**(values | overrides))


def enqueue(**overrides: Any) -> commands.EnqueueJob:
    values: dict[str, Any] = {
        "idempotency_key": f"key-{uuid.uuid4().hex[:8]}",
        "type": "tests.noop",
        "caller": Actor(service="users"),
    }
    return commands.EnqueueJob(**(values | overrides))
