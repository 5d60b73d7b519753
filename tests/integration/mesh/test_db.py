"""The data layer on SQLite and PostgreSQL: unit of work, outbox rows, migrations, ping."""

from __future__ import annotations

import asyncio
import io
import threading
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from mesh.db import (
    DatabaseUnavailableError,
    UnitOfWork,
    create_engine,
    mesh_metadata,
    migrate,
    outbox_table,
    ping,
)
from mesh.db.migrations import version_table_of
from mesh.events.envelope import EVENT_ID_HEADER, TYPE_HEADER, envelope_for
from meshwork.testing.v1 import probe_pb2

MIGRATIONS = Path(__file__).parent / "migrations_fixture"
widgets = sa.table("widgets", sa.column("id"), sa.column("name"))


@pytest.fixture
async def engine(database_url: str) -> AsyncIterator[AsyncEngine]:
    await migrate(database_url, MIGRATIONS)
    engine = create_engine(database_url)
    yield engine
    await engine.dispose()


async def _count(engine: AsyncEngine, table: sa.TableClause) -> int:
    async with engine.connect() as connection:
        return int(await connection.scalar(sa.select(sa.func.count()).select_from(table)) or 0)


# Unit of work


async def test_committed_unit_of_work_stores_the_change_and_its_event(engine: AsyncEngine) -> None:
    notified: list[str] = []
    uow = UnitOfWork(
        engine, envelope_for=envelope_for, on_events_committed=lambda: notified.append("x")
    )
    async with uow:
        await uow.connection.execute(sa.insert(widgets).values(id="w1", name="first"))
        event_id = uow.add_event(probe_pb2.RecordRequest(key="w1"))
        await uow.commit()

    assert await _count(engine, widgets) == 1
    async with engine.connect() as connection:
        row = (await connection.execute(sa.select(outbox_table))).one()
    assert row.event_id == event_id
    assert row.subject == "events.testing.v1.RecordRequest"
    assert probe_pb2.RecordRequest.FromString(row.payload).key == "w1"
    assert row.headers[TYPE_HEADER] == "meshwork.testing.v1.RecordRequest"
    assert row.headers[EVENT_ID_HEADER] == event_id
    assert row.sent_at is None
    assert notified == ["x"]


async def test_an_event_given_its_id_is_stored_once_under_it(engine: AsyncEngine) -> None:
    event_id = "5d1c4f0e-8a2b-5c3d-9e4f-0a1b2c3d4e5f"
    async with UnitOfWork(engine, envelope_for=envelope_for) as uow:
        await uow.connection.execute(sa.insert(widgets).values(id="w1", name="first"))
        assert uow.add_event(probe_pb2.RecordRequest(key="w1"), event_id=event_id) == event_id
        await uow.commit()

    with pytest.raises(sa.exc.IntegrityError):  # a retry emitting the same event again
        async with UnitOfWork(engine, envelope_for=envelope_for) as uow:
            await uow.connection.execute(sa.insert(widgets).values(id="w2", name="again"))
            uow.add_event(probe_pb2.RecordRequest(key="w1"), event_id=event_id)
            await uow.commit()

    assert await _count(engine, widgets) == 1  # the retry's change went with its event
    async with engine.connect() as connection:
        row = (await connection.execute(sa.select(outbox_table))).one()
    assert (row.event_id, row.headers[EVENT_ID_HEADER]) == (event_id, event_id)


async def test_unit_of_work_left_without_commit_keeps_nothing(engine: AsyncEngine) -> None:
    notified: list[str] = []
    uow = UnitOfWork(
        engine, envelope_for=envelope_for, on_events_committed=lambda: notified.append("x")
    )
    async with uow:
        await uow.connection.execute(sa.insert(widgets).values(id="w1", name="first"))
        uow.add_event(probe_pb2.RecordRequest(key="w1"))

    assert await _count(engine, widgets) == 0
    assert await _count(engine, outbox_table) == 0
    assert notified == []


async def test_on_commit_runs_after_every_commit_even_one_without_events(
    engine: AsyncEngine,
) -> None:
    hooks: list[str] = []
    uow = UnitOfWork(
        engine,
        envelope_for=envelope_for,
        on_events_committed=lambda: hooks.append("events"),
        on_commit=lambda: hooks.append("commit"),
    )
    async with uow:
        await uow.connection.execute(sa.insert(widgets).values(id="w1", name="first"))
        await uow.commit()
        assert hooks == ["commit"]  # fired by the commit itself, before the block ends
        uow.add_event(probe_pb2.RecordRequest(key="w1"))
        await uow.commit()

    assert hooks == ["commit", "events", "commit"]


async def test_on_commit_does_not_run_when_the_work_is_rolled_back(engine: AsyncEngine) -> None:
    hooks: list[str] = []
    async with UnitOfWork(engine, on_commit=lambda: hooks.append("commit")) as uow:
        await uow.connection.execute(sa.insert(widgets).values(id="w1", name="first"))
        await uow.rollback()

    assert hooks == []


async def test_unit_of_work_without_an_envelope_maker_refuses_events(engine: AsyncEngine) -> None:
    async with UnitOfWork(engine) as uow:
        with pytest.raises(RuntimeError, match="cannot emit events"):
            uow.add_event(probe_pb2.RecordRequest(key="w1"))


async def test_unit_of_work_failing_with_an_exception_rolls_back(engine: AsyncEngine) -> None:
    uow = UnitOfWork(engine, envelope_for=envelope_for)
    with pytest.raises(RuntimeError, match="use case failed"):
        async with uow:
            await uow.connection.execute(sa.insert(widgets).values(id="w1", name="first"))
            uow.add_event(probe_pb2.RecordRequest(key="w1"))
            raise RuntimeError("use case failed")

    assert await _count(engine, widgets) == 0
    assert await _count(engine, outbox_table) == 0


async def test_work_after_a_commit_is_rolled_back_on_exit(engine: AsyncEngine) -> None:
    uow = UnitOfWork(engine, envelope_for=envelope_for)
    async with uow:
        await uow.connection.execute(sa.insert(widgets).values(id="w1", name="kept"))
        await uow.commit()
        await uow.connection.execute(sa.insert(widgets).values(id="w2", name="dropped"))

    async with engine.connect() as connection:
        names = (await connection.scalars(sa.select(widgets.c.name))).all()
    assert names == ["kept"]


class _Widgets:
    """A repository as a service writes one: it works on the connection it is given."""

    def __init__(self, connection: AsyncConnection) -> None:
        self.connection = connection

    async def add(self, widget_id: str) -> None:
        await self.connection.execute(sa.insert(widgets).values(id=widget_id, name=widget_id))


class _WidgetsUnitOfWork(UnitOfWork):
    widgets: _Widgets

    def open_repositories(self, connection: AsyncConnection) -> None:
        self.widgets = _Widgets(connection)


async def test_a_subclass_reaches_its_repositories_on_each_entrys_connection(
    engine: AsyncEngine,
) -> None:
    uow = _WidgetsUnitOfWork(engine)
    for widget_id in ("w1", "w2"):
        async with uow:
            assert uow.widgets.connection is uow.connection
            await uow.widgets.add(widget_id)
            await uow.commit()
    assert await _count(engine, widgets) == 2


async def test_unit_of_work_refuses_use_outside_its_block(engine: AsyncEngine) -> None:
    uow = UnitOfWork(engine, envelope_for=envelope_for)
    with pytest.raises(RuntimeError, match="async with uow"):
        uow.add_event(probe_pb2.RecordRequest(key="w1"))


async def test_sqlite_writers_queue_for_the_lock_instead_of_failing(tmp_path: Path) -> None:
    engine = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'busy.db'}", pool_size=10)
    counters = sa.Table("counters", sa.MetaData(), sa.Column("n", sa.Integer))
    async with engine.begin() as connection:
        await connection.run_sync(counters.metadata.create_all)
        await connection.execute(sa.insert(counters).values(n=0))

    async def increment() -> None:  # read, then write: the pattern that deadlocks deferred BEGIN
        async with UnitOfWork(engine, envelope_for=envelope_for) as uow:
            n = await uow.connection.scalar(sa.select(counters.c.n))
            await uow.connection.execute(sa.update(counters).values(n=(n or 0) + 1))
            await uow.commit()

    await asyncio.gather(*(increment() for _ in range(20)))
    async with engine.connect() as connection:
        assert await connection.scalar(sa.select(counters.c.n)) == 20
        assert await connection.scalar(sa.text("PRAGMA journal_mode")) == "wal"
        assert await connection.scalar(sa.text("PRAGMA foreign_keys")) == 1
    await engine.dispose()


@pytest.mark.parametrize("inline", [False, True], ids=["on the driver thread", "inline"])
async def test_sqlite_readers_do_not_queue_behind_a_writer(tmp_path: Path, inline: bool) -> None:
    engine = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'read.db'}", busy_timeout_ms=30_000)
    counters = sa.Table("counters", sa.MetaData(), sa.Column("n", sa.Integer))
    async with engine.begin() as connection:
        await connection.run_sync(counters.metadata.create_all)
        await connection.execute(sa.insert(counters).values(n=7))
    async with UnitOfWork(engine, envelope_for=envelope_for) as writer:
        await writer.connection.execute(sa.update(counters).values(n=8))  # holds the write lock
        # inline, a reader that waited for the lock would block the loop: the busy timeout
        # (30 s) would end it with "database is locked", not asyncio.timeout
        async with asyncio.timeout(5), UnitOfWork(engine, read_only=True, inline=inline) as reader:
            assert await reader.connection.scalar(sa.select(counters.c.n)) == 7  # committed state
            with pytest.raises(RuntimeError, match="read-only"):
                reader.add_event(probe_pb2.EchoRequest())
        await writer.commit()
    await engine.dispose()


async def test_sqlite_inline_reads_run_on_the_event_loop_and_the_rest_on_the_driver_thread(
    tmp_path: Path,
) -> None:
    engine = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'inline.db'}", pool_size=1)
    counters = sa.Table("counters", sa.MetaData(), sa.Column("n", sa.Integer))
    statements: list[tuple[str, bool]] = []  # (statement, ran on the event loop's thread)
    loop_thread = threading.get_ident()
    async with engine.begin() as connection:
        await connection.run_sync(counters.metadata.create_all)
        await connection.execute(sa.insert(counters).values(n=1))
        raw = await connection.get_raw_connection()
        await raw.driver_connection.set_trace_callback(
            lambda sql: statements.append((sql.split()[0], threading.get_ident() == loop_thread))
        )
    units = [  # (read_only, inline): the pooled connection goes back to its thread after each
        (True, True), (False, False), (True, False), (True, True), (True, False)
    ]  # fmt: skip
    for read_only, inline in units:
        statements.clear()
        async with UnitOfWork(engine, read_only=read_only, inline=inline) as uow:
            assert await uow.connection.scalar(sa.select(counters.c.n)) == 1
            if not read_only:
                await uow.connection.execute(sa.update(counters).values(n=1))
                await uow.commit()
        on_loop = {on for sql, on in statements if sql != "ROLLBACK"}
        assert statements and on_loop == {inline}, (read_only, inline, statements)
    async with UnitOfWork(engine, read_only=True, inline=True) as uow:  # a failed read: usable
        with pytest.raises(sa.exc.OperationalError, match="no such table"):
            await uow.connection.execute(sa.text("SELECT n FROM missing"))
        assert await uow.connection.scalar(sa.select(counters.c.n)) == 1
    await engine.dispose()


async def test_inline_is_refused_for_a_unit_of_work_that_may_write(engine: AsyncEngine) -> None:
    with pytest.raises(ValueError, match="inline is for read-only units"):
        UnitOfWork(engine, inline=True)


async def test_an_inline_read_reads_on_every_database(engine: AsyncEngine) -> None:
    async with UnitOfWork(engine, read_only=True, inline=True) as uow:
        assert await uow.connection.scalar(sa.select(sa.func.count()).select_from(widgets)) == 0


# Migrations


async def test_migrations_create_mesh_tables_matching_mesh_metadata(engine: AsyncEngine) -> None:
    def differences(connection: sa.Connection) -> list[object]:
        context = MigrationContext.configure(
            connection,
            opts={
                "compare_type": True,
                "include_name": lambda name, kind, _parent: (
                    kind != "table" or str(name).startswith("mesh_")
                ),
            },
        )
        return list(compare_metadata(context, mesh_metadata))

    async with engine.connect() as connection:
        tables = await connection.run_sync(lambda c: set(sa.inspect(c).get_table_names()))
        assert await connection.run_sync(differences) == []
    assert {
        "mesh_outbox",
        "mesh_inbox",
        "mesh_idempotency",
        "widgets",
        version_table_of(MIGRATIONS),
    } <= tables


async def test_migrating_an_up_to_date_database_changes_nothing(
    database_url: str, engine: AsyncEngine
) -> None:
    await migrate(database_url, MIGRATIONS)

    async with engine.connect() as connection:
        version = await connection.scalar(
            sa.text(f"SELECT version_num FROM {version_table_of(MIGRATIONS)}")
        )
    assert version == "0002"


# Health


async def test_ping_passes_when_the_database_answers(engine: AsyncEngine) -> None:
    await ping(engine)


async def test_ping_raises_when_postgresql_is_unreachable() -> None:
    engine = create_engine("postgresql+asyncpg://postgres@127.0.0.1:1/nowhere")
    with pytest.raises(DatabaseUnavailableError, match="unreachable"):
        await ping(engine)
    await engine.dispose()


async def test_ping_raises_when_the_sqlite_file_is_not_a_database(tmp_path: Path) -> None:
    path = tmp_path / "service.db"
    path.write_bytes(b"not a database " * 100)
    engine = create_engine(f"sqlite+aiosqlite:///{path}")
    with pytest.raises(DatabaseUnavailableError, match="not a database"):
        await ping(engine)
    await engine.dispose()


def test_alembic_command_line_migrates_on_its_own_connection(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'cli.db'}"
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", url)

    command.upgrade(config, "head")  # what `alembic upgrade head` runs

    engine = sa.create_engine(url.replace("+aiosqlite", ""))
    tables = set(sa.inspect(engine).get_table_names())
    engine.dispose()
    assert {"mesh_outbox", "mesh_inbox", "widgets"} <= tables


def test_alembic_offline_mode_renders_the_migration_as_sql() -> None:
    output = io.StringIO()
    config = Config(output_buffer=output)
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", "postgresql+asyncpg://localhost/service")

    command.upgrade(config, "head", sql=True)  # `alembic upgrade head --sql`

    assert "CREATE TABLE mesh_outbox" in output.getvalue()
    assert "CREATE TABLE widgets" in output.getvalue()
