"""Alembic environment of the payments service: mesh's tables plus the payments tables."""

from mesh.db import mesh_metadata, run_migrations
from services.payments.orm import metadata

run_migrations([mesh_metadata, metadata])
