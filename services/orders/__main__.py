"""`python -m services.orders`: runs the orders service until SIGTERM."""

import asyncio

from mesh.service import run_service
from services.orders.bootstrap import MIGRATIONS, build
from services.orders.config import OrdersSettings


def main() -> None:
    asyncio.run(run_service(OrdersSettings.load(), build=build, migrations=MIGRATIONS))


if __name__ == "__main__":
    main()
