"""identity's EmailVerified reaches the profile; the migrated schema matches the tables."""

from __future__ import annotations

import nats
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy.engine import Connection

from mesh.db import create_engine, mesh_metadata, migrate
from mesh.db.migrations import version_table_of
from mesh.events.envelope import MSG_ID_HEADER, envelope_for
from mesh.events.streams import ensure_event_stream
from meshwork.identity.v1 import events_pb2 as identity_events
from meshwork.users.v1 import events_pb2
from meshwork.users.v1 import users_service_pb2 as pb
from services.users.bootstrap import MIGRATIONS
from services.users.orm import metadata


async def publish_from_identity(nats_url: str, event: identity_events.EmailVerified) -> None:
    """Publishes `event` exactly as identity's outbox relay would."""
    envelope = envelope_for(event)
    connection = await nats.connect(nats_url)
    try:
        js = connection.jetstream()
        await ensure_event_stream(js, "identity")
        headers = {**envelope.headers, MSG_ID_HEADER: envelope.event_id}
        await js.publish(envelope.subject, envelope.payload, headers=headers)
    finally:
        await connection.close()


class TestEmailVerified:
    async def test_identitys_email_verified_marks_the_profile_verified(
        self, stub, callers, sign_up, published, nats_server
    ) -> None:
        ada = await sign_up()
        assert not ada.email_verified
        event = identity_events.EmailVerified(user_id=ada.id, email=ada.email.upper())
        await publish_from_identity(nats_server.url, event)

        updated = await published.wait_for(events_pb2.UserUpdated, lambda e: e.user.id == ada.id)
        assert list(updated.update_mask.paths) == ["email_verified"]
        reply = await stub.GetUser(pb.GetUserRequest(user_id="me"), metadata=callers.user(ada.id))
        assert reply.user.email_verified


class TestSchema:
    async def test_the_migrations_create_exactly_the_declared_tables(self, database_url) -> None:
        await migrate(database_url, MIGRATIONS)
        engine = create_engine(database_url)
        try:
            async with engine.connect() as connection:
                differences = await connection.run_sync(_differences)
        finally:
            await engine.dispose()
        assert differences == []


def _differences(connection: Connection) -> list[object]:
    opts = {"compare_type": True, "version_table": version_table_of(MIGRATIONS)}
    context = MigrationContext.configure(connection, opts=opts)
    return list(compare_metadata(context, [mesh_metadata, metadata]))
