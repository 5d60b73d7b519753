"""Alembic environment of a second test service, sharing a database with the first."""

import sqlalchemy as sa

from mesh.db import run_migrations

metadata = sa.MetaData()
sa.Table("gadgets", metadata, sa.Column("id", sa.String(36), primary_key=True))

run_migrations(metadata)
