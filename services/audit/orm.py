"""The audit service's tables (SQLite and PostgreSQL); migrations/ creates them."""

from __future__ import annotations

import sqlalchemy as sa

metadata = sa.MetaData()

_TIME = sa.DateTime(timezone=True)

#: The append-only trail: one row per fact, hash-chained per reporting service (`chain`).
audit_entries_table = sa.Table(
    "audit_entries",
    metadata,
    sa.Column("id", sa.String(64), primary_key=True),
    sa.Column("chain", sa.String(64), nullable=False),
    sa.Column("sequence", sa.BigInteger, nullable=False),
    sa.Column("previous_hash", sa.String(64), nullable=False),
    sa.Column("hash", sa.String(64), nullable=False),
    sa.Column("kind", sa.String(16), nullable=False),
    sa.Column("service", sa.String(64), nullable=False),
    sa.Column("type", sa.String(255), nullable=False),
    sa.Column("summary", sa.Text, nullable=False),
    sa.Column("actor_user_id", sa.String(128), nullable=False),
    sa.Column("actor_service", sa.String(64), nullable=False),
    sa.Column("subject_type", sa.String(64), nullable=False),
    sa.Column("subject_id", sa.String(128), nullable=False),
    sa.Column("trace_id", sa.String(32), nullable=False),
    sa.Column("request_id", sa.String(128), nullable=False),
    #: NULL for entries that come from no event (several NULLs are allowed by the index).
    sa.Column("event_id", sa.String(128), nullable=True),
    #: Canonical JSON text, kept byte for byte as hashed (not a JSON column, which may not).
    sa.Column("payload", sa.Text, nullable=False),
    sa.Column("occur_time", _TIME, nullable=False),
    sa.Column("create_time", _TIME, nullable=False),
    sa.Column("idempotency_key", sa.String(255), nullable=True),
    sa.Column("fingerprint", sa.String(64), nullable=True),
    sa.UniqueConstraint("chain", "sequence", name="uq_audit_entries_chain_sequence"),
    sa.UniqueConstraint("event_id", name="uq_audit_entries_event_id"),
    sa.UniqueConstraint("service", "idempotency_key", name="uq_audit_entries_idempotency_key"),
    sa.Index("ix_audit_entries_occur_time_id", "occur_time", "id"),
    sa.Index("ix_audit_entries_trace_id", "trace_id"),
    sa.Index("ix_audit_entries_subject", "subject_type", "subject_id"),
    sa.Index("ix_audit_entries_actor_user_id", "actor_user_id"),
)

#: Each chain's last entry; appending locks its row, so a chain grows one entry at a time.
audit_chain_heads_table = sa.Table(
    "audit_chain_heads",
    metadata,
    sa.Column("chain", sa.String(64), primary_key=True),
    sa.Column("sequence", sa.BigInteger, nullable=False),
    sa.Column("hash", sa.String(64), nullable=False),
)

#: Shipped log records, searchable by service, severity, trace, request, text and time.
log_entries_table = sa.Table(
    "log_entries",
    metadata,
    sa.Column("insert_id", sa.String(128), primary_key=True),
    sa.Column("service", sa.String(64), nullable=False),
    sa.Column("instance", sa.String(255), nullable=False),
    sa.Column("severity", sa.SmallInteger, nullable=False),
    sa.Column("logger", sa.String(255), nullable=False),
    sa.Column("message", sa.Text, nullable=False),
    sa.Column("time", _TIME, nullable=False),
    sa.Column("trace_id", sa.String(32), nullable=False),
    sa.Column("span_id", sa.String(16), nullable=False),
    sa.Column("request_id", sa.String(128), nullable=False),
    sa.Column("attributes", sa.Text, nullable=False),
    sa.Column("receive_time", _TIME, nullable=False),
    sa.Index("ix_log_entries_time_insert_id", "time", "insert_id"),
    sa.Index("ix_log_entries_trace_id", "trace_id"),
    sa.Index("ix_log_entries_request_id", "request_id"),
    sa.Index("ix_log_entries_service_time", "service", "time"),
)
