"""`python -m services.audit`: runs the audit service until SIGTERM."""

import asyncio

from mesh.service import run_service
from services.audit.bootstrap import MIGRATIONS, build
from services.audit.config import AuditSettings


def main() -> None:
    asyncio.run(run_service(AuditSettings.load(), build=build, migrations=MIGRATIONS))


if __name__ == "__main__":
    main()
