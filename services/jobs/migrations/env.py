"""Alembic environment of the jobs service: mesh's tables plus the jobs tables."""

from mesh.db import mesh_metadata, run_migrations
from services.jobs.orm import metadata

run_migrations([mesh_metadata, metadata])
