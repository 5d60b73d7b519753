"""One PostgreSQL for the whole stack: `MESHWORK_DATABASE_URL` gives each service a schema of
its own, with its own tables and migration history, so services sharing it never collide."""

from __future__ import annotations

from pathlib import Path

import grpc
import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import create_async_engine

from mesh.db import create_engine, migrate
from mesh.service import start_service
from meshwork.identity.v1 import identity_service_pb2 as identity_pb
from meshwork.identity.v1 import identity_service_pb2_grpc
from meshwork.users.v1 import users_service_pb2, users_service_pb2_grpc
from services.identity.bootstrap import IdentityService
from services.identity.config import IdentitySettings
from services.notifications.bootstrap import MIGRATIONS as NOTIFICATIONS_MIGRATIONS
from services.notifications.config import NotificationsSettings
from services.users.bootstrap import MIGRATIONS as USERS_MIGRATIONS
from services.users.bootstrap import build as build_users
from services.users.config import UsersSettings
from tests.integration.identity.conftest import DEV_SECRET

SERVICES = ("identity", "users", "notifications")


@pytest.fixture
def shared_database(postgres_url: str, monkeypatch: pytest.MonkeyPatch) -> str:
    """`MESHWORK_DATABASE_URL` set to a fresh database, no service's own variable set."""
    monkeypatch.setenv("MESHWORK_DATABASE_URL", postgres_url)
    for service in SERVICES:
        monkeypatch.delenv(f"{service.upper()}_DATABASE_URL", raising=False)
    return postgres_url


async def _tables_by_schema(url: str) -> dict[str, set[str]]:
    engine = create_async_engine(url)
    try:
        async with engine.connect() as connection:
            rows = await connection.execute(
                sa.text(
                    "SELECT table_schema, table_name FROM information_schema.tables "
                    "WHERE table_schema NOT IN ('pg_catalog', 'information_schema')"
                )
            )
            found: dict[str, set[str]] = {}
            for schema, table in rows:
                found.setdefault(schema, set()).add(table)
            return found
    finally:
        await engine.dispose()


@pytest.mark.postgres
def test_each_service_gets_its_own_schema_of_the_shared_url(shared_database: str) -> None:
    assert UsersSettings().database_url == f"{shared_database}?schema=users"
    assert NotificationsSettings().database_url == f"{shared_database}?schema=notifications"


@pytest.mark.postgres
def test_a_services_own_database_url_keeps_winning(
    shared_database: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    own = f"sqlite+aiosqlite:///{tmp_path / 'users.db'}"
    monkeypatch.setenv("USERS_DATABASE_URL", own)
    assert UsersSettings().database_url == own
    assert NotificationsSettings().database_url == f"{shared_database}?schema=notifications"


@pytest.mark.postgres
def test_a_schema_that_is_not_an_identifier_is_refused_naming_the_parameter(
    shared_database: str,
) -> None:
    with pytest.raises(ValueError, match="'schema' parameter must be one lower-case identifier"):
        create_engine(f"{shared_database}?schema=users;drop")


@pytest.mark.postgres
async def test_services_migrate_twice_into_their_own_schemas_of_one_database(
    shared_database: str,
) -> None:
    urls = {
        "users": (UsersSettings().database_url, USERS_MIGRATIONS),
        "notifications": (NotificationsSettings().database_url, NOTIFICATIONS_MIGRATIONS),
    }
    for _ in range(2):  # the second run finds every schema at its head and changes nothing
        for url, migrations in urls.values():
            await migrate(url, migrations)

    tables = await _tables_by_schema(shared_database)
    assert set(tables) == {"users", "notifications"}  # nothing in public
    for service in urls:
        assert {"mesh_outbox", "mesh_inbox", f"alembic_version_{service}"} <= tables[service]
    assert "users" in tables["users"] and "users" not in tables["notifications"]


async def _serve_identity_and_users(nats_url: str) -> None:
    identity_settings = IdentitySettings(
        nats_url=nats_url, grpc_address="127.0.0.1:0", shutdown_grace_s=0.5, log_json=False
    )
    identity = IdentityService(identity_settings)
    async with (
        start_service(identity_settings, **identity.launch_options()) as running_identity,
        grpc.aio.insecure_channel(running_identity.address) as identity_channel,
    ):
        identity_stub = identity_service_pb2_grpc.IdentityServiceStub(identity_channel)
        users_settings = UsersSettings(
            nats_url=nats_url,
            grpc_address="127.0.0.1:0",
            identity_address=running_identity.address,
            client_secret=DEV_SECRET,
            shutdown_grace_s=0.5,
        )
        async with (
            start_service(users_settings, build=build_users, migrations=USERS_MIGRATIONS) as users,
            grpc.aio.insecure_channel(users.address) as users_channel,
        ):
            token = await identity_stub.IssueServiceToken(
                identity_pb.IssueServiceTokenRequest(
                    client_id="notifications", client_secret=DEV_SECRET, audience="users"
                )
            )
            stub = users_service_pb2_grpc.UsersServiceStub(users_channel)
            with pytest.raises(grpc.aio.AioRpcError) as missing:
                await stub.GetUser(
                    users_service_pb2.GetUserRequest(
                        user_id="00000000-0000-0000-0000-000000000000"
                    ),
                    metadata=(("authorization", f"Bearer {token.access_token}"),),
                )
            assert missing.value.code() is grpc.StatusCode.NOT_FOUND  # served from its schema


@pytest.mark.postgres
async def test_identity_and_users_serve_from_one_database_twice_in_a_row(
    shared_database: str, nats_server: object
) -> None:
    for _ in range(2):  # the second start migrates nothing and serves the same schemas
        await _serve_identity_and_users(nats_server.url)  # type: ignore[attr-defined]

    tables = await _tables_by_schema(shared_database)
    assert set(tables) == {"identity", "users"}
    assert "alembic_version_identity" in tables["identity"]
    assert "alembic_version_users" in tables["users"]


def test_a_shared_sqlite_file_becomes_one_file_per_service(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("MESHWORK_DATABASE_URL", f"sqlite+aiosqlite:///{tmp_path / 'stack.db'}")
    monkeypatch.delenv("USERS_DATABASE_URL", raising=False)
    assert UsersSettings().database_url == f"sqlite+aiosqlite:///{tmp_path / 'stack-users.db'}"


def test_a_schema_on_an_sqlite_url_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="'schema' parameter is for PostgreSQL only"):
        create_engine(f"sqlite+aiosqlite:///{tmp_path / 'x.db'}?schema=users")
