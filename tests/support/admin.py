"""The real admin service in-process, for tests that start identity (it asks admin for roles
and suspensions at every sign-up, login and refresh)."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Sequence
from typing import Any

from pydantic import SecretStr

from mesh.service import RunningService, start_service
from services.admin.bootstrap import MIGRATIONS, build
from services.admin.config import AdminSettings

DEV_SECRET = "dev-insecure-client-secret"


def admin_settings(
    database_url: str,
    nats_url: str,
    *,
    identity_address: str,
    bootstrap_admin_emails: Sequence[str] = (),
    **overrides: Any,
) -> AdminSettings:
    values: dict[str, Any] = {
        "database_url": database_url,
        "nats_url": nats_url,
        "grpc_address": "127.0.0.1:0",
        "identity_address": identity_address,
        "client_secret": SecretStr(DEV_SECRET),
        "shutdown_grace_s": 0.5,
        "log_json": False,
        "bootstrap_admin_emails": list(bootstrap_admin_emails),
    }
    return AdminSettings(**(values | overrides))


@contextlib.asynccontextmanager
async def running_admin(settings: AdminSettings) -> AsyncIterator[RunningService]:
    """Admin started on `settings` (identity must be up: admin gets its keys and tokens there);
    point identity at it with `identity_settings.admin_address = running.address`."""
    async with start_service(settings, build=build, migrations=MIGRATIONS) as running:
        yield running
