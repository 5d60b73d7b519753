"""The users service's tables (SQLite and PostgreSQL); migrations/ creates them."""

from __future__ import annotations

import sqlalchemy as sa

metadata = sa.MetaData()

_TIME = sa.DateTime(timezone=True)

#: One row per profile, its KYC included. Email uniqueness holds among active profiles only:
#: `active_email_key` is the lower-cased address while active and NULL once deleted, and a
#: unique constraint admits any number of NULLs on both databases, so a deleted profile's
#: address is free for a new sign-up.
users_table = sa.Table(
    "users",
    metadata,
    sa.Column("id", sa.String(128), primary_key=True),
    sa.Column("email", sa.String(254), nullable=False),
    sa.Column("email_key", sa.String(254), nullable=False),
    sa.Column("active_email_key", sa.String(254), nullable=True),
    sa.Column("email_verified", sa.Boolean(), nullable=False),
    sa.Column("display_name", sa.String(100), nullable=False),
    sa.Column("given_name", sa.String(100), nullable=False),
    sa.Column("family_name", sa.String(100), nullable=False),
    sa.Column("phone_number", sa.String(16), nullable=False),
    sa.Column("locale", sa.String(35), nullable=False),
    sa.Column("time_zone", sa.String(64), nullable=False),
    sa.Column("address", sa.JSON(), nullable=True),
    sa.Column("state", sa.String(16), nullable=False),
    sa.Column("create_time", _TIME, nullable=False),
    sa.Column("update_time", _TIME, nullable=False),
    sa.Column("delete_time", _TIME, nullable=True),
    sa.Column("deleted_by", sa.String(128), nullable=False),
    sa.Column("kyc_status", sa.String(16), nullable=False),
    sa.Column("kyc_details", sa.JSON(), nullable=True),
    sa.Column("kyc_submit_time", _TIME, nullable=True),
    sa.Column("kyc_review_time", _TIME, nullable=True),
    sa.Column("kyc_reviewer_id", sa.String(128), nullable=False),
    sa.Column("kyc_rejection_reason", sa.String(32), nullable=True),
    sa.Column("kyc_rejection_note", sa.String(1000), nullable=False),
    sa.UniqueConstraint("active_email_key", name="uq_users_active_email_key"),
    sa.Index("ix_users_email_key", "email_key"),
    sa.Index("ix_users_create_time_id", "create_time", "id"),
    sa.Index("ix_users_kyc_status_create_time_id", "kyc_status", "create_time", "id"),
)
