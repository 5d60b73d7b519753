"""`python -m services.users`: runs the users service until SIGTERM."""

import asyncio

from mesh.service import run_service
from services.users.bootstrap import MIGRATIONS, build
from services.users.config import UsersSettings


def main() -> None:
    asyncio.run(run_service(UsersSettings.load(), build=build, migrations=MIGRATIONS))


if __name__ == "__main__":
    main()
