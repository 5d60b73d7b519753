"""Alembic environment of the admin service: mesh's tables plus its own."""

from mesh.db import mesh_metadata, run_migrations
from services.admin.orm import metadata

run_migrations([mesh_metadata, metadata])
