"""The admin service's tables (SQLite and PostgreSQL); migrations/ creates them."""

from __future__ import annotations

import sqlalchemy as sa

metadata = sa.MetaData()

_TIME = sa.DateTime(timezone=True)

#: Role grants, revoked ones kept (revoke_time set): a bootstrap grant is made only once.
role_grants_table = sa.Table(
    "role_grants",
    metadata,
    sa.Column("id", sa.String(64), primary_key=True),
    sa.Column("user_id", sa.String(128), nullable=False),
    sa.Column("role_id", sa.String(64), nullable=False),
    sa.Column("reason", sa.String(500), nullable=False),
    sa.Column("granted_by", sa.String(128), nullable=False),
    sa.Column("create_time", _TIME, nullable=False),
    sa.Column("revoke_time", _TIME, nullable=True),
    sa.Column("revoked_by", sa.String(128), nullable=False),
    sa.Column("revoke_reason", sa.String(500), nullable=False),
    #: "<user_id>/<role_id>" while active, NULL once revoked: at most one active grant each.
    sa.Column("active_key", sa.String(200), nullable=True),
    sa.UniqueConstraint("active_key", name="uq_role_grants_active_key"),
    sa.Index("ix_role_grants_create_time_id", "create_time", "id"),
    sa.Index("ix_role_grants_user_id", "user_id"),
)

#: Suspensions; at most one active per user (`active_user_id` is NULL once lifted).
suspensions_table = sa.Table(
    "suspensions",
    metadata,
    sa.Column("id", sa.String(64), primary_key=True),
    sa.Column("user_id", sa.String(128), nullable=False),
    sa.Column("state", sa.String(16), nullable=False),
    sa.Column("reason", sa.String(500), nullable=False),
    sa.Column("suspended_by", sa.String(128), nullable=False),
    sa.Column("create_time", _TIME, nullable=False),
    sa.Column("lift_time", _TIME, nullable=True),
    sa.Column("lifted_by", sa.String(128), nullable=False),
    sa.Column("lift_reason", sa.String(500), nullable=False),
    sa.Column("active_user_id", sa.String(128), nullable=True),
    sa.UniqueConstraint("active_user_id", name="uq_suspensions_active_user_id"),
    sa.Index("ix_suspensions_create_time_id", "create_time", "id"),
    sa.Index("ix_suspensions_user_id", "user_id"),
)

#: Every admin action, append-only.
admin_actions_table = sa.Table(
    "admin_actions",
    metadata,
    sa.Column("id", sa.String(64), primary_key=True),
    sa.Column("type", sa.String(32), nullable=False),
    sa.Column("actor_id", sa.String(128), nullable=False),
    sa.Column("target_user_id", sa.String(128), nullable=False),
    sa.Column("resource_id", sa.String(64), nullable=False),
    sa.Column("role_id", sa.String(64), nullable=False),
    sa.Column("reason", sa.String(500), nullable=False),
    sa.Column("trace_id", sa.String(32), nullable=False),
    sa.Column("request_id", sa.String(128), nullable=False),
    sa.Column("create_time", _TIME, nullable=False),
    sa.Index("ix_admin_actions_create_time_id", "create_time", "id"),
    sa.Index("ix_admin_actions_target_user_id", "target_user_id"),
    sa.Index("ix_admin_actions_actor_id", "actor_id"),
)
