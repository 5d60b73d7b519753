"""Alembic environment of the test service: mesh's tables plus one sample table."""

import sqlalchemy as sa

from mesh.db import mesh_metadata, run_migrations

metadata = sa.MetaData()
sa.Table(
    "widgets",
    metadata,
    sa.Column("id", sa.String(36), primary_key=True),
    sa.Column("name", sa.String(100), nullable=False),
)

run_migrations([mesh_metadata, metadata])
