"""What every process of the platform shares through its environment: the prefix of the
variables meant for all services, and the folder local runs keep their state in.

Kept apart from `mesh.settings` (pydantic) so that light processes, such as `make up`'s
supervisor, can read them cheaply.
"""

from __future__ import annotations

import os
from pathlib import Path

#: Prefix of the variables every service reads (`MESHWORK_NATS_URL`, ...).
SHARED_PREFIX = "MESHWORK_"


def state_dir() -> Path:
    """Where local runs keep state (SQLite files, the NATS store, logs, generated credentials):
    `$MESHWORK_STATE_DIR`, or `.meshwork` in the working directory.
    """
    return Path(os.environ.get(f"{SHARED_PREFIX}STATE_DIR") or ".meshwork")
