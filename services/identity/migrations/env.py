"""Alembic environment of the identity service: mesh's tables plus identity's."""

from mesh.db import mesh_metadata, run_migrations
from services.identity.orm import metadata

run_migrations([mesh_metadata, metadata])
