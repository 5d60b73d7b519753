"""Async engines for a service's database: SQLite (embedded default) or PostgreSQL."""

from __future__ import annotations

import asyncio
import re
import sqlite3
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any, TypeVar

import aiosqlite
from sqlalchemy import event, text
from sqlalchemy.engine import URL, make_url
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlalchemy.ext.asyncio import create_async_engine as _create_async_engine

#: The query parameter of a PostgreSQL URL naming the schema a service keeps its tables in
#: (``postgresql+asyncpg://host/db?schema=users``): it becomes the connections' search_path,
#: and `mesh.db.migrate` creates it if missing.
SCHEMA_PARAMETER = "schema"
_SCHEMA_NAME = re.compile(r"[a-z_][a-z0-9_]{0,62}")

#: How long an SQLite writer waits for the write lock before failing with "database is locked".
SQLITE_BUSY_TIMEOUT_MS = 5_000


class DatabaseUnavailableError(Exception):
    """The database did not answer a trivial query (raised by `ping`)."""


#: Connection execution option marking a read-only unit of work.
READ_ONLY = "meshwork_read_only"
#: Connection execution option of read-only units whose statements run on the event loop.
INLINE = "meshwork_inline"

_T = TypeVar("_T")


class InlineReadConnection(aiosqlite.Connection):
    """aiosqlite's connection, which runs every driver call on a thread of its own, except
    while `inline` is set (an inline read-only unit of work holds it): then calls run on the
    event loop itself.

    A read under WAL waits for no lock, and reading a few rows by key takes microseconds:
    less than the handoff to the driver's thread and the wake-up of the loop that each call
    costs otherwise, five of them per statement. Writes stay on the thread, since they may
    wait for the write lock (up to the busy timeout) and for the disk, and so do reads that
    may scan many rows, which would hold up every other call on the loop.
    """

    inline = False

    async def _execute(self, fn: Callable[..., _T], *args: Any, **kwargs: Any) -> _T:
        if self.inline and self._connection is not None:
            return fn(*args, **kwargs)
        result: _T = await super()._execute(fn, *args, **kwargs)
        return result


def _connect_sqlite(database: str, **kwargs: Any) -> InlineReadConnection:
    """Opens `database` as aiosqlite.connect does, as an `InlineReadConnection`."""
    connection = InlineReadConnection(partial(sqlite3.connect, database, **kwargs), 64)
    connection._thread.daemon = True  # as SQLAlchemy's dialect does: never hold up an exit
    return connection


def with_schema(url: str, schema: str) -> str:
    """`url` with its PostgreSQL schema set to `schema` (see `SCHEMA_PARAMETER`)."""
    parsed = make_url(url)
    query = {**parsed.query, SCHEMA_PARAMETER: schema}
    return parsed.set(query=query).render_as_string(hide_password=False)


def schema_of(url: str | URL) -> tuple[URL, str | None]:
    """`url` without its `SCHEMA_PARAMETER`, and that schema (None when it names none).

    Only PostgreSQL URLs take one; a name that is not a plain lower-case identifier is refused
    (ValueError naming the parameter), as SQLite URLs giving one are.
    """
    parsed = make_url(url)
    schema = parsed.query.get(SCHEMA_PARAMETER)
    if schema is None:
        return parsed, None
    if parsed.get_backend_name() != "postgresql":
        raise ValueError(
            f"the database URL's {SCHEMA_PARAMETER!r} parameter is for PostgreSQL only "
            f"(got a {parsed.get_backend_name()} URL)"
        )
    if not isinstance(schema, str) or not _SCHEMA_NAME.fullmatch(schema):
        raise ValueError(
            f"the database URL's {SCHEMA_PARAMETER!r} parameter must be one lower-case "
            f"identifier (letters, digits, underscores; at most 63), got {schema!r}"
        )
    return parsed.difference_update_query([SCHEMA_PARAMETER]), schema


def create_engine(
    url: str,
    *,
    echo: bool = False,
    pool_size: int = 5,
    max_overflow: int = 10,
    busy_timeout_ms: int = SQLITE_BUSY_TIMEOUT_MS,
    **engine_options: Any,
) -> AsyncEngine:
    """Creates the async engine of a service database.

    `url` is a SQLAlchemy async URL: ``sqlite+aiosqlite:///path/to.db`` (the embedded default)
    or ``postgresql+asyncpg://user@host/db``. A PostgreSQL URL may name the schema the
    service's tables live in, ``?schema=users`` (`SCHEMA_PARAMETER`): every connection then
    has it as its ``search_path``, so services sharing one database each see only their own
    tables.

    SQLite connections get WAL journaling with ``synchronous=NORMAL`` (a commit is written to
    the log but not flushed to disk; the log is flushed at checkpoints: a crash of the process
    loses nothing, a power cut may lose the last commits but never corrupts the database),
    enforced foreign keys and a busy timeout, and
    SQLAlchemy (not the sqlite3 driver) begins every transaction with ``BEGIN IMMEDIATE``:
    SQLite admits one writer at a time anyway, and this way concurrent transactions queue for
    the lock (up to `busy_timeout_ms`) instead of failing with "database is locked" when a
    read tries to upgrade to a write. Connections marked `READ_ONLY` (read-only units of
    work) begin nothing: each of their statements reads a consistent snapshot beside the
    writer; marked `INLINE` too, on a database file, their statements run on the event loop
    rather than the driver's thread (`InlineReadConnection`). Beyond one process of modest
    load, use PostgreSQL.

    PostgreSQL engines pre-ping pooled connections (a restarted server costs no failed request).
    Both keep `pool_size` connections, up to `pool_size + max_overflow` under load (except an
    in-memory SQLite database, which is one shared connection).

    Extra keyword arguments go to SQLAlchemy's ``create_async_engine``. Dispose of the engine
    (``await engine.dispose()``) when the service stops.
    """
    parsed, schema = schema_of(url)
    options: dict[str, Any] = {"pool_size": pool_size, "max_overflow": max_overflow}
    if parsed.get_backend_name() != "sqlite":
        options["pool_pre_ping"] = True
    if schema is not None:
        connect_args = dict(engine_options.pop("connect_args", {}))
        server_settings = {**connect_args.get("server_settings", {}), "search_path": schema}
        options["connect_args"] = connect_args | {"server_settings": server_settings}
    elif parsed.database in (None, "", ":memory:"):
        options = {}  # one shared connection (StaticPool): pool sizes do not apply
    sqlite_file = parsed.get_backend_name() == "sqlite" and parsed.database not in (
        None, "", ":memory:"
    )  # fmt: skip
    if sqlite_file:
        Path(str(parsed.database)).parent.mkdir(parents=True, exist_ok=True)
        creator = {"async_creator_fn": _connect_sqlite}  # the dialect's connect(), our class
        options["connect_args"] = creator | engine_options.pop("connect_args", {})
    engine = _create_async_engine(parsed, echo=echo, **(options | engine_options))
    if parsed.get_backend_name() == "sqlite":
        _configure_sqlite(engine, busy_timeout_ms=busy_timeout_ms)
    if sqlite_file:
        _run_inline_when_asked(engine)
    return engine


def _configure_sqlite(engine: AsyncEngine, *, busy_timeout_ms: int) -> None:
    @event.listens_for(engine.sync_engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Take BEGIN away from the sqlite3 driver: it skips it before SELECT and DDL.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        try:
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute(f"PRAGMA busy_timeout={int(busy_timeout_ms)}")
        finally:
            cursor.close()

    @event.listens_for(engine.sync_engine, "begin")
    def _on_begin(connection: Any) -> None:
        # IMMEDIATE takes the write lock up front, so the busy timeout applies to it;
        # a deferred BEGIN that later upgrades to a write fails at once under contention.
        # Read-only work gets no BEGIN at all: each statement reads its own consistent
        # snapshot beside the writer (WAL), and a read costs no extra round trips to the
        # driver's thread.
        if not connection.get_execution_options().get(READ_ONLY, False):
            connection.exec_driver_sql("BEGIN IMMEDIATE")


def _run_inline_when_asked(engine: AsyncEngine) -> None:
    @event.listens_for(engine.sync_engine, "set_connection_execution_options")
    def _on_options(connection: Any, options: dict[str, Any]) -> None:
        if INLINE in options:
            connection.connection.driver_connection.inline = bool(options[INLINE])

    @event.listens_for(engine.sync_engine, "checkin")
    def _on_checkin(dbapi_connection: Any, _record: Any) -> None:
        if dbapi_connection is not None:  # None once the connection was invalidated
            dbapi_connection.driver_connection.inline = False


async def ping(engine: AsyncEngine, *, timeout_s: float = 2.0) -> None:
    """Runs ``SELECT 1``; raises `DatabaseUnavailableError` when the database does not answer.

    Suitable as a health probe: ``probes={"database": lambda: ping(engine)}``.
    """
    try:
        async with asyncio.timeout(timeout_s), engine.connect() as connection:
            await connection.execute(text("SELECT 1"))
    except Exception as error:
        where = engine.url.render_as_string(hide_password=True)
        raise DatabaseUnavailableError(f"database {where} is unreachable: {error}") from error
