"""The tables mesh owns in every service database: event outbox, handler inbox, idempotency."""

from __future__ import annotations

import sqlalchemy as sa

#: Metadata of mesh's own tables; include it in a service's Alembic `target_metadata`.
mesh_metadata = sa.MetaData()

#: Auto-incrementing 64-bit key (SQLite only auto-increments an INTEGER primary key).
_POSITION_TYPE = sa.BigInteger().with_variant(sa.Integer(), "sqlite")

#: Events written in the same transaction as the state change; the relay publishes them in
#: `position` order and stamps `sent_at`.
outbox_table = sa.Table(
    "mesh_outbox",
    mesh_metadata,
    sa.Column("position", _POSITION_TYPE, primary_key=True, autoincrement=True),
    sa.Column("event_id", sa.String(36), nullable=False, unique=True),
    sa.Column("subject", sa.String(255), nullable=False),
    sa.Column("payload", sa.LargeBinary(), nullable=False),
    sa.Column("headers", sa.JSON(), nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
    sa.Index("ix_mesh_outbox_sent_at_position", "sent_at", "position"),
)

#: PostgreSQL channel a unit of work notifies when it commits events, waking the relays.
OUTBOX_CHANNEL = "mesh_outbox"

#: Events a consumer has handled, written in the same transaction as the handler's effects.
inbox_table = sa.Table(
    "mesh_inbox",
    mesh_metadata,
    sa.Column("consumer", sa.String(255), primary_key=True),
    sa.Column("event_id", sa.String(64), primary_key=True),
    sa.Column("subject", sa.String(255), nullable=False),
    sa.Column("handled_at", sa.DateTime(timezone=True), nullable=False),
    sa.Index("ix_mesh_inbox_handled_at", "handled_at"),
)

#: Idempotency records: the first call with a caller's key, its request's fingerprint and its
#: answer (see `mesh.idempotency`); purged after their retention.
idempotency_table = sa.Table(
    "mesh_idempotency",
    mesh_metadata,
    sa.Column("caller", sa.String(255), primary_key=True),
    sa.Column("method", sa.String(255), primary_key=True),
    sa.Column("key", sa.String(255), primary_key=True),
    sa.Column("fingerprint", sa.String(64), nullable=False),
    sa.Column("attempt", sa.String(32), nullable=False),
    sa.Column("state", sa.String(16), nullable=False),
    sa.Column("response", sa.LargeBinary(), nullable=True),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("lease_until", sa.DateTime(timezone=True), nullable=False),
    sa.Index("ix_mesh_idempotency_created_at", "created_at"),
)
