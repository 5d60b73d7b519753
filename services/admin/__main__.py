"""`python -m services.admin`: runs the admin service until SIGTERM."""

import asyncio

from mesh.service import run_service
from services.admin.bootstrap import MIGRATIONS, build
from services.admin.config import AdminSettings


def main() -> None:
    asyncio.run(run_service(AdminSettings.load(), build=build, migrations=MIGRATIONS))


if __name__ == "__main__":
    main()
