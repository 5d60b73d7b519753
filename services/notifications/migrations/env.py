"""Alembic environment of the notifications service: mesh's tables plus its own."""

from mesh.db import mesh_metadata, run_migrations
from services.notifications.orm import metadata

run_migrations([mesh_metadata, metadata])
