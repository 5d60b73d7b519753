"""Alembic environment of the audit service: mesh's tables and its own."""

from mesh.db import mesh_metadata, run_migrations
from services.audit.orm import metadata

run_migrations([mesh_metadata, metadata])
