"""`python -m services.identity`: runs the identity service until SIGTERM."""

from __future__ import annotations

import asyncio

from mesh.service import run_service
from services.identity.bootstrap import IdentityService
from services.identity.config import IdentitySettings


def main() -> None:
    settings = IdentitySettings.load()
    asyncio.run(run_service(settings, **IdentityService(settings).launch_options()))


if __name__ == "__main__":
    main()
