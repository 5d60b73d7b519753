"""Alembic environment of the users service: mesh's tables plus the users tables."""

from mesh.db import mesh_metadata, run_migrations
from services.users.orm import metadata

run_migrations([mesh_metadata, metadata])
