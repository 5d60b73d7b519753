"""The real identity, users, admin and audit services in-process, with the edge in front of
them.

Services that are not implemented yet are stood in for by a gRPC server that serves nothing
(every call answers UNIMPLEMENTED), so their routes answer 501 instead of waiting for a
connection that never comes.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import grpc
import uvicorn
from fastapi import FastAPI
from pydantic import SecretStr

from edge.app import create_app
from edge.config import EdgeSettings
from mesh.catalog import catalog
from mesh.service import start_service
from services.audit.bootstrap import MIGRATIONS as AUDIT_MIGRATIONS
from services.audit.bootstrap import build as build_audit
from services.audit.config import AuditSettings
from services.identity.bootstrap import IdentityService
from services.users.bootstrap import MIGRATIONS as USERS_MIGRATIONS
from services.users.bootstrap import build as build_users
from services.users.config import UsersSettings
from tests.integration.identity.conftest import ADMIN_EMAIL, DEV_SECRET, identity_settings
from tests.support.admin import admin_settings, running_admin

#: The catalogue's services this platform does not run: an empty gRPC server stands in for each.
RUN_HERE = ("identity", "users", "admin", "audit")
NOT_RUN_HERE = tuple(name for name in catalog().names if name not in RUN_HERE)


@dataclass
class Platform:
    """Addresses of the running services, and the edge settings that point at them."""

    addresses: dict[str, str]
    nats_url: str

    def edge_settings(self, **overrides: Any) -> EdgeSettings:
        values: dict[str, Any] = {
            **{f"{name}_address": address for name, address in self.addresses.items()},
            "client_secret": DEV_SECRET,
            "log_json": False,
            "readiness_upstreams": list(RUN_HERE),
            "nats_url": self.nats_url,
            "rate_limit_per_address": "100000/minute",
            "rate_limit_per_user": "100000/minute",
            "rate_limit_strict": "100000/minute",
        }
        return EdgeSettings(**(values | overrides))

    def edge(self, **overrides: Any) -> FastAPI:
        return create_app(self.edge_settings(**overrides))


@contextlib.asynccontextmanager
async def running_platform(nats_url: str, state: Path) -> AsyncIterator[Platform]:
    """identity, then users and admin (which fetch keys and tokens from identity), then
    identity pointed at them; an empty gRPC server for every service not implemented yet.
    Signing up as `ADMIN_EMAIL` makes an administrator."""
    settings = identity_settings(f"sqlite+aiosqlite:///{state / 'identity.db'}", nats_url)
    identity = IdentityService(settings)
    nothing = grpc.aio.server()
    nothing_port = nothing.add_insecure_port("127.0.0.1:0")
    await nothing.start()
    users_settings = UsersSettings(
        database_url=f"sqlite+aiosqlite:///{state / 'users.db'}",
        nats_url=nats_url,
        grpc_address="127.0.0.1:0",
        client_secret=SecretStr(DEV_SECRET),
        shutdown_grace_s=0.5,
    )
    try:
        async with start_service(settings, **identity.launch_options()) as running_identity:
            users_settings.identity_address = running_identity.address
            admin = admin_settings(
                f"sqlite+aiosqlite:///{state / 'admin.db'}",
                nats_url,
                identity_address=running_identity.address,
                bootstrap_admin_emails=[ADMIN_EMAIL],
            )
            async with (
                start_service(
                    users_settings, build=build_users, migrations=USERS_MIGRATIONS
                ) as running_users,
                running_admin(admin) as running_admin_service,
                start_service(
                    AuditSettings(
                        database_url=f"sqlite+aiosqlite:///{state / 'audit.db'}",
                        nats_url=nats_url,
                        grpc_address="127.0.0.1:0",
                        identity_address=running_identity.address,
                        client_secret=SecretStr(DEV_SECRET),
                        shutdown_grace_s=0.5,
                    ),
                    build=build_audit,
                    migrations=AUDIT_MIGRATIONS,
                ) as running_audit,
            ):
                settings.users_address = running_users.address  # identity's clients are lazy
                settings.admin_address = running_admin_service.address
                admin.users_address = running_users.address
                addresses = dict.fromkeys(NOT_RUN_HERE, f"127.0.0.1:{nothing_port}")
                addresses |= {
                    "identity": running_identity.address,
                    "users": running_users.address,
                    "admin": running_admin_service.address,
                    "audit": running_audit.address,
                }
                yield Platform(addresses, nats_url)
    finally:
        await nothing.stop(0)


@contextlib.asynccontextmanager
async def uvicorn_serving(app: FastAPI) -> AsyncIterator[str]:
    """Serves `app` with uvicorn on a free port of 127.0.0.1; yields its base URL."""
    config = uvicorn.Config(
        app, host="127.0.0.1", port=0, log_config=None, access_log=False, lifespan="on"
    )
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve())
    try:
        async with asyncio.timeout(10):
            while not server.started:  # uvicorn offers no event to wait on
                if task.done():
                    task.result()
                await asyncio.sleep(0.01)
        port = server.servers[0].sockets[0].getsockname()[1]
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        await task
