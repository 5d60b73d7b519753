"""The jobs service's tables (SQLite and PostgreSQL); migrations/ creates them."""

from __future__ import annotations

import sqlalchemy as sa

metadata = sa.MetaData()

_TIME = sa.DateTime(timezone=True)

#: One row per job. The idempotency key is unique per enqueuer, so services cannot collide.
#: `dispatch_time` is set while the job's current attempt is published to the work queue
#: and not yet started; NULL means the dispatcher publishes it once `run_time` is due.
jobs_table = sa.Table(
    "jobs",
    metadata,
    sa.Column("id", sa.String(64), primary_key=True),
    sa.Column("type", sa.String(100), nullable=False),
    sa.Column("payload", sa.JSON(), nullable=False),
    sa.Column("state", sa.String(16), nullable=False),
    sa.Column("run_time", _TIME, nullable=False),
    sa.Column("attempt_count", sa.Integer(), nullable=False),
    sa.Column("max_attempts", sa.Integer(), nullable=False),
    sa.Column("last_error", sa.String(2000), nullable=False),
    sa.Column("idempotency_key", sa.String(255), nullable=False),
    sa.Column("enqueued_by", sa.String(64), nullable=False),
    sa.Column("schedule_id", sa.String(64), nullable=False),
    sa.Column("create_time", _TIME, nullable=False),
    sa.Column("update_time", _TIME, nullable=False),
    sa.Column("start_time", _TIME, nullable=True),
    sa.Column("finish_time", _TIME, nullable=True),
    sa.Column("dispatch_seq", sa.Integer(), nullable=False),
    sa.Column("started_seq", sa.Integer(), nullable=False),
    sa.Column("dispatch_time", _TIME, nullable=True),
    sa.UniqueConstraint("enqueued_by", "idempotency_key", name="uq_jobs_enqueued_by_key"),
    sa.Index("ix_jobs_state_run_time", "state", "run_time"),
    sa.Index("ix_jobs_create_time_id", "create_time", "id"),
    sa.Index("ix_jobs_finish_time", "finish_time"),
)

#: What the cron schedulers remember per schedule (the schedules themselves are settings).
schedule_states_table = sa.Table(
    "schedule_states",
    metadata,
    sa.Column("schedule_id", sa.String(64), primary_key=True),
    sa.Column("last_tick", _TIME, nullable=False),
    sa.Column("last_run_time", _TIME, nullable=True),
    sa.Column("last_job_id", sa.String(64), nullable=False),
)

#: Webhook endpoints; the signing secret is stored encrypted (`secret_ciphertext`).
webhook_endpoints_table = sa.Table(
    "webhook_endpoints",
    metadata,
    sa.Column("id", sa.String(64), primary_key=True),
    sa.Column("url", sa.String(2048), nullable=False),
    sa.Column("description", sa.String(500), nullable=False),
    sa.Column("event_types", sa.JSON(), nullable=False),
    sa.Column("enabled", sa.Boolean(), nullable=False),
    sa.Column("secret_ciphertext", sa.String(255), nullable=False),
    sa.Column("created_by", sa.String(128), nullable=False),
    sa.Column("create_time", _TIME, nullable=False),
    sa.Column("update_time", _TIME, nullable=False),
    sa.Index("ix_webhook_endpoints_create_time_id", "create_time", "id"),
)
