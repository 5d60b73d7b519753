"""`python -m services.notifications`: runs the notifications service until SIGTERM."""

import asyncio

from mesh.service import run_service
from services.notifications.bootstrap import MIGRATIONS, build
from services.notifications.config import NotificationsSettings


def main() -> None:
    asyncio.run(run_service(NotificationsSettings.load(), build=build, migrations=MIGRATIONS))


if __name__ == "__main__":
    main()
