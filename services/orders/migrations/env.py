"""Alembic environment of the orders service: mesh's tables and its own."""

from mesh.db import mesh_metadata, run_migrations
from services.orders.orm import metadata

run_migrations([mesh_metadata, metadata])
