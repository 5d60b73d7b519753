"""`python -m services.payments`: runs the payments service until SIGTERM."""

import asyncio

from mesh.service import run_service
from services.payments.bootstrap import MIGRATIONS, build
from services.payments.config import PaymentsSettings


def main() -> None:
    asyncio.run(run_service(PaymentsSettings.load(), build=build, migrations=MIGRATIONS))


if __name__ == "__main__":
    main()
